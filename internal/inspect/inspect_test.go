package inspect

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dop251/goja"
)

type nodeCase struct {
	mode byte // 'i': Inspect(value), 'f': Format(value...)
	expr string
	want string
}

// gojaDifferences lists the node cases whose output differs under goja for
// reasons outside this package, with the output expected instead.
var gojaDifferences = map[string]string{
	// %o shows hidden own properties; V8 functions also own `arguments`
	// and `caller`, goja functions do not.
	`["%o", function f() {}]`: "<ref *1> [Function: f] {\n  [length]: 0,\n  [name]: 'f',\n  [prototype]: { [constructor]: [Circular *1] }\n}",
}

// eval runs expr in vm and returns its value.
func eval(t testing.TB, vm *goja.Runtime, expr string) goja.Value {
	t.Helper()
	v, err := vm.RunString("(" + expr + ")")
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// argsOf returns the elements of the array value v.
func argsOf(t testing.TB, v goja.Value) []goja.Value {
	t.Helper()
	obj, ok := v.(*goja.Object)
	if !ok {
		t.Fatalf("not an array: %v", v)
	}
	n := int(obj.Get("length").ToInteger())
	args := make([]goja.Value, n)
	for i := range args {
		args[i] = obj.Get(strconv.Itoa(i))
	}
	return args
}

func TestNodeCases(t *testing.T) {
	for _, c := range nodeCases {
		vm := goja.New()
		v := eval(t, vm, c.expr)
		var got string
		if c.mode == 'f' {
			got = Format(vm, argsOf(t, v))
		} else {
			got = Inspect(vm, v)
		}
		want := c.want
		if alt, ok := gojaDifferences[c.expr]; ok {
			want = alt
		}
		if got != want {
			t.Errorf("%s\n--- got:\n%s\n--- want:\n%s", c.expr, got, want)
		}
	}
}

// TestGojaOnly covers values whose node output cannot be reproduced by
// running the same expression in node: goja's own stack traces, Go-backed
// objects and the documented approximations.
func TestGojaOnly(t *testing.T) {
	vm := goja.New()
	_ = vm.Set("rec", vm.NewDynamicObject(&testDynObject{
		keys: []string{"id", "name", "tags", "a-b", "nested"},
		vals: map[string]goja.Value{
			"id":   vm.ToValue(7),
			"name": vm.ToValue("x"),
			"tags": vm.NewDynamicArray(&testDynArray{vals: []goja.Value{vm.ToValue(1), vm.ToValue("two"), goja.Null()}}),
			"a-b":  vm.ToValue(true),
			"nested": vm.NewDynamicObject(&testDynObject{keys: []string{"deep"}, vals: map[string]goja.Value{
				"deep": vm.NewDynamicObject(&testDynObject{keys: []string{"deeper"}, vals: map[string]goja.Value{
					"deeper": vm.NewDynamicObject(&testDynObject{keys: []string{"x"}, vals: map[string]goja.Value{"x": vm.ToValue(1)}}),
				}}),
			}}),
		},
	}))
	type goStruct struct {
		A int
		B string
	}
	_ = vm.Set("goStruct", goStruct{1, "b"})
	_ = vm.Set("goMap", map[string]interface{}{"k": []interface{}{1, "x"}})
	_ = vm.Set("goSlice", []string{"a", "b"})

	for _, c := range []struct{ expr, want string }{
		// Dynamic objects print like the plain objects they stand for:
		// node prints { id: 7, ... } for the equivalent object literal.
		{`rec`, "{\n  id: 7,\n  name: 'x',\n  tags: [ 1, 'two', null ],\n  'a-b': true,\n  nested: { deep: { deeper: [Object] } }\n}"},
		{`rec.tags`, "[ 1, 'two', null ]"},
		{`[rec.nested, rec.nested]`, "[ { deep: { deeper: [Object] } }, { deep: { deeper: [Object] } } ]"},
		{`goStruct`, "{ A: 1, B: 'b' }"},
		{`goMap`, "{ k: [ 1, 'x' ] }"},
		{`goSlice`, "[ 'a', 'b' ]"},
		// Approximations documented in doc.go.
		{`new Map([[1, 2]]).entries()`, "Object [Map Iterator] {}"},
		{`[1, 2].values()`, "Object [Array Iterator] {}"},
		{`(function* () {})()`, "Object [Generator] {}"},
		{`new DataView(new ArrayBuffer(2))`, "DataView {}"},
		{`(() => { function F() {}; F.prototype = Object.create(null); return new F() })()`, "Object <[Object: null prototype] {}> {}"},
	} {
		if got := Inspect(vm, eval(t, vm, c.expr)); got != c.want {
			t.Errorf("%s\n--- got:\n%s\n--- want:\n%s", c.expr, got, c.want)
		}
	}
}

func TestGojaStacks(t *testing.T) {
	vm := goja.New()
	for _, c := range []struct{ expr, want string }{
		{`(function f() { return new Error("boom") })()`,
			"Error: boom\n    at f (<eval>:1:25)\n    at <eval>:1:45"},
		{`(function () { try { [1].forEach(function cb() { null.x }) } catch (e) { return e } })()`,
			"TypeError: Cannot read property 'x' of undefined\n    at cb (<eval>:1:56)\n    at forEach (native)\n    at <eval>:1:34\n    at <eval>:1:88"},
		{`(function () { const e = new RangeError("r"); e.code = 5; return { e } })()`,
			"{\n  e: RangeError: r\n      at <eval>:1:27\n      at <eval>:1:75 {\n    code: 5\n  }\n}"},
	} {
		if got := Inspect(vm, eval(t, vm, c.expr)); got != c.want {
			t.Errorf("%s\n--- got:\n%s\n--- want:\n%s", c.expr, got, c.want)
		}
	}
	for _, c := range []struct{ in, want string }{
		{"Error: x\n\tat f (<eval>:1:22(3))\n\tat <eval>:1:44(3)\n", "Error: x\n    at f (<eval>:1:22)\n    at <eval>:1:44"},
		{"Error: x\n\tat forEach (native)\n", "Error: x\n    at forEach (native)"},
		{"Error: x\n    at f (a.js:1:2)", "Error: x\n    at f (a.js:1:2)"},
		{"Error: (12)\n\tat f (file(1).js:1:2(7))\n", "Error: (12)\n    at f (file(1).js:1:2)"},
	} {
		if got := normalizeStack(c.in); got != c.want {
			t.Errorf("normalizeStack(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestFormatFastPaths(t *testing.T) {
	vm := goja.New()
	if got := Format(vm, nil); got != "" {
		t.Errorf("no args: %q", got)
	}
	if got := Format(vm, []goja.Value{vm.ToValue("100%% %s")}); got != "100%% %s" {
		t.Errorf("single string: %q", got)
	}
	if got := Format(vm, []goja.Value{nil, vm.ToValue(1)}); got != "undefined 1" {
		t.Errorf("nil value: %q", got)
	}
	lone := goja.StringFromUTF16([]uint16{'a', 0xD83D, 'b'})
	if got := Format(vm, []goja.Value{lone}); got != "a\uFFFDb" {
		t.Errorf("lone surrogate at top level: %q", got)
	}
	if got := Inspect(vm, lone); got != `'a\ud83db'` {
		t.Errorf("lone surrogate quoted: %q", got)
	}
}

// TestFormatInsideJS calls Format from a console.log implemented in Go, the
// way the runtime uses it, so that script code run on Format's behalf runs
// nested inside a script.
func TestFormatInsideJS(t *testing.T) {
	vm := goja.New()
	var lines []string
	console := vm.NewObject()
	_ = console.Set("log", func(call goja.FunctionCall) goja.Value {
		lines = append(lines, Format(vm, call.Arguments))
		return goja.Undefined()
	})
	_ = vm.Set("console", console)
	_, err := vm.RunString(`
		console.log("%s|%d|%j", { toString() { throw new Error("ts") } }, { valueOf() { throw 1 } }, { toJSON() { throw new Error("tj") } });
		console.log({ get a() { throw new Error("never called") }, b: 1 });
		const p = new Proxy({}, { getPrototypeOf() { throw new Error("trap") } });
		console.log(Object.create(p));
		try { console.log("%s", { toString() { throw new Error("rethrow?") } }); var reached = true } catch (e) { reached = false }
		console.log(reached);
	`)
	if err != nil {
		t.Fatal(err)
	}
	// Where node would throw out of console.log, Format prints a fallback
	// and lets the script go on: %s inspects the value, %d prints NaN, %j
	// prints the error, a prototype chain that throws ends the walk.
	want := []string{
		"{ toString: [Function: toString] }|NaN|[Error: tj]",
		"{ a: [Getter], b: 1 }",
		"Object <{}> {}",
		"{ toString: [Function: toString] }",
		"true",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

// TestInterrupt checks that an interrupt hitting script code that Format
// runs (a user toString for %s) still stops the script.
func TestInterrupt(t *testing.T) {
	vm := goja.New()
	var got string
	_ = vm.Set("log", func(call goja.FunctionCall) goja.Value {
		got = Format(vm, call.Arguments)
		return goja.Undefined()
	})
	timer := time.AfterFunc(100*time.Millisecond, func() { vm.Interrupt("timeout") })
	defer timer.Stop()
	_, err := vm.RunString(`
		log("%s", { toString() { for (;;) {} } });
		globalThis.after = true;
	`)
	var ie *goja.InterruptedError
	if !errors.As(err, &ie) || ie.Value() != "timeout" {
		t.Fatalf("script error = %v, want the interrupt", err)
	}
	if !goja.IsUndefined(vm.Get("after")) && vm.Get("after") != nil {
		t.Error("script continued after the interrupt")
	}
	if got == "" {
		t.Error("Format returned nothing")
	}
}

// TestHostileValues makes sure Format neither panics nor hangs on values
// built to break it, and that the VM stays usable afterwards.
func TestHostileValues(t *testing.T) {
	exprs := []string{
		`({ get a() { throw new Error("getter") } })`,
		`({ get [Symbol.toStringTag]() { throw new Error("tag") } })`,
		`Object.defineProperty({}, "constructor", { get() { throw new Error("ctor") } })`,
		`(() => { class A { static get name() { throw new Error("name") } }; return [A, new A()] })()`,
		`(() => { const e = new Error("x"); Object.defineProperty(e, "stack", { get() { throw new Error("stack") } }); Object.defineProperty(e, "message", { get() { throw 1 } }); Object.defineProperty(e, "cause", { get() { throw 2 } }); return e })()`,
		`(() => { const e = new Error("x"); e.name = { toString() { throw 1 } }; return e })()`,
		`new Proxy({}, { get() { throw 1 }, ownKeys() { throw 1 }, getOwnPropertyDescriptor() { throw 1 }, getPrototypeOf() { throw 1 }, has() { throw 1 } })`,
		`Object.create(new Proxy({}, { get() { throw 1 }, getPrototypeOf() { throw 1 } }))`,
		`(() => { const p = new Proxy({}, { getPrototypeOf() { return p } }); return Object.create(p) })()`,
		`(() => { let p = {}; for (let i = 0; i < 10000; i++) p = new Proxy(p, {}); return p })()`,
		`(() => { const r = Proxy.revocable({}, {}); r.revoke(); return { r: r.proxy } })()`,
		`(() => { let o = {}; for (let i = 0; i < 10000; i++) o = { o }; return o })()`,
		`(() => { let a = []; for (let i = 0; i < 10000; i++) a = [a]; return a })()`,
		`(() => { let o = {}; for (let i = 0; i < 10000; i++) o = Object.create(o); return o })()`,
		`(() => { let o = null; for (let i = 0; i < 100; i++) { const n = Object.create(o); n.x = i; o = n } return o })()`,
		`new Array(1e6).fill(1)`,
		`new Uint8Array(1e6)`,
		`new Map(Array.from({ length: 1e4 }, (_, i) => [i, i]))`,
		`"x".repeat(1e6)`,
		`(() => { const o = {}; for (let i = 0; i < 1e4; i++) o["k" + i] = i; return o })()`,
		`Object.defineProperty([1, 2], 0, { get() { throw 1 } })`,
		`(() => { class M extends Map { get size() { throw 1 } }; return new M([[1, 2]]) })()`,
		`(() => { const m = new Map([[1, 2]]); m.entries = () => { throw 1 }; m[Symbol.iterator] = null; return m })()`,
		`(() => { const f = function () {}; Object.defineProperty(f, "name", { get() { throw 1 } }); return f })()`,
		`(() => { const o = { toString: 1, valueOf: 2 }; o[Symbol.toPrimitive] = () => { throw 1 }; return o })()`,
		`(() => { const o = {}; o[Symbol.toStringTag] = 5; return o })()`,
		`globalThis`,
		`Object.prototype`,
		`Function.prototype`,
		`Array.prototype`,
		`Error.prototype`,
		`Map.prototype`,
		`Promise.prototype`,
		`Object.create(Map.prototype)`,
		`Object.create(Date.prototype)`,
		`Object.create(Uint8Array.prototype)`,
		`Object.create(WeakMap.prototype)`,
		`Object.create(Promise.prototype)`,
	}
	formats := []string{"%s", "%d", "%i", "%f", "%j", "%o", "%O", "%c"}
	// Converting this array to a string or JSON walks all 2^32-1 indices, in
	// node as in goja, so it only goes through the inspecting specifiers.
	const sparse = `(() => { const a = []; a[4294967294] = 1; return a })()`
	exprs = append(exprs, sparse)
	for _, expr := range exprs {
		vm := goja.New()
		v := eval(t, vm, expr)
		done := make(chan struct{})
		go func() {
			defer close(done)
			if out := Inspect(vm, v); out == "" {
				t.Errorf("%s: empty output", expr)
			}
			for _, f := range formats {
				if expr == sparse && strings.IndexAny(f, "dijf") >= 0 {
					continue
				}
				_ = Format(vm, []goja.Value{vm.ToValue(f), v})
			}
			_ = Format(vm, []goja.Value{v, v})
		}()
		select {
		case <-done:
		case <-time.After(60 * time.Second):
			t.Fatalf("%s: Format did not return", expr)
		}
		if res, err := vm.RunString("1 + 1"); err != nil || res.ToInteger() != 2 {
			t.Errorf("%s: VM unusable afterwards: %v %v", expr, res, err)
		}
	}
}

// TestOutputShape checks properties of outputs too large to spell out.
func TestOutputShape(t *testing.T) {
	vm := goja.New()
	out := Inspect(vm, eval(t, vm, `new Array(1e6).fill(1)`))
	if !strings.HasSuffix(out, "... 999900 more items\n]") {
		t.Errorf("huge array: %q", out[max(0, len(out)-60):])
	}
	out = Inspect(vm, eval(t, vm, `"x".repeat(20000)`))
	if !strings.HasSuffix(out, "'... 10000 more characters") || len(out) != 10000+2+len("... 10000 more characters") {
		t.Errorf("long string: %d bytes", len(out))
	}
	out = Inspect(vm, eval(t, vm, `(() => { let o = {}; for (let i = 0; i < 10000; i++) o = { o }; return o })()`))
	if out != "{ o: { o: { o: [Object] } } }" {
		t.Errorf("deep object: %q", out)
	}
	if ok, _ := regexp.MatchString(`^\[ <4294967294 empty items>, 1 \]$`, Inspect(vm, eval(t, vm, `(() => { const a = []; a[4294967294] = 1; return a })()`))); !ok {
		t.Error("sparse array")
	}
}

type testDynObject struct {
	keys []string
	vals map[string]goja.Value
}

func (d *testDynObject) Get(k string) goja.Value { return d.vals[k] }
func (d *testDynObject) Set(k string, v goja.Value) bool {
	d.vals[k] = v
	return true
}
func (d *testDynObject) Has(k string) bool {
	_, ok := d.vals[k]
	return ok
}
func (d *testDynObject) Delete(k string) bool {
	delete(d.vals, k)
	return true
}
func (d *testDynObject) Keys() []string { return d.keys }

type testDynArray struct{ vals []goja.Value }

func (d *testDynArray) Len() int { return len(d.vals) }
func (d *testDynArray) Get(i int) goja.Value {
	if i < 0 || i >= len(d.vals) {
		return nil
	}
	return d.vals[i]
}
func (d *testDynArray) Set(int, goja.Value) bool { return false }
func (d *testDynArray) SetLen(int) bool          { return false }
