package jsbridge_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jsmap/jsmap/jsbridge"
)

// TestSetupTeardownPerWorker runs testdata/lifecycle.js (async setup and teardown) on several workers
// at once: each VM runs setup once before its first element and teardown once at the end.
func TestSetupTeardownPerWorker(t *testing.T) {
	const workers, items = 4, 25
	opts, stderr := withStderr(jsbridge.Options{Args: []byte(`{"factor": 3}`)})
	p := mustLoad(t, "testdata/lifecycle.js", opts)
	if got := stderr.String(); got != "setup factor=3\n" {
		t.Fatalf("after Load, stderr %q: want the setup of the VM that checked the script", got)
	}
	inWorkers(t, p, workers, func(id int, w *jsbridge.Worker) {
		for i := range items {
			index := int64(id*items + i)
			out, err := w.Map(context.Background(), index, []byte(fmt.Sprint(index)), nil)
			want := fmt.Sprintf(`{"index":%d,"value":%d,"calls":%d}`, index, 3*index, i+1)
			if err != nil || string(out) != want {
				t.Errorf("worker %d: got %s, %v; want %s", id, out, err, want)
			}
		}
		if err := w.Close(); err != nil {
			t.Error(err)
		}
		if err := w.Close(); err != nil { // a second Close does nothing
			t.Error(err)
		}
	})
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
	count := map[string]int{}
	for _, l := range lines {
		count[l]++
	}
	want := map[string]int{"setup factor=3": workers, fmt.Sprintf("teardown after %d calls", items): workers}
	if fmt.Sprint(count) != fmt.Sprint(want) {
		t.Errorf("stderr lines %v, want %v", count, want)
	}
	if _, err := p.NewWorker(context.Background(), 9); err == nil {
		t.Error("NewWorker after Close succeeded")
	}
}

func TestCloseWithoutWorkers(t *testing.T) {
	opts, stderr := withStderr(jsbridge.Options{Args: []byte(`{"factor": 2}`)})
	p, err := jsbridge.Load("testdata/lifecycle.js", opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if got, want := stderr.String(), "setup factor=2\nteardown after 0 calls\n"; got != want {
		t.Errorf("stderr %q, want %q", got, want)
	}
}

func TestSetupState(t *testing.T) {
	// this in map is the exported object, with what setup put there; setup may be async.
	const src = `({
		async setup() { this.table = await Promise.all([1, 2].map(async n => n * 10)); },
		map(x, i) { return [this.table, x, i] },
	})`
	out, err := mapExpr(t, src, `"a"`, jsbridge.Options{})
	if err != nil || out != `[[10,20],"a",0]` {
		t.Errorf("got %s, %v", out, err)
	}
}

func TestTeardownErrors(t *testing.T) {
	for src, want := range map[string]string{
		`({map: x => x, teardown() { throw new Error('td') }})`:                      "teardown failed in worker 7: Error: td",
		`({map: x => x, async teardown() { await null; throw 'late' }})`:             "teardown failed in worker 7: Uncaught 'late'",
		`({map: x => x, teardown: () => new Promise(() => {})})`:                     "teardown failed in worker 7: the Promise returned for this element never settled",
		`({map: x => x, teardown() { return Promise.reject(new RangeError('r')) }})`: "teardown failed in worker 7: RangeError: r",
	} {
		p := mustLoadExpr(t, src, jsbridge.Options{})
		w, err := p.NewWorker(context.Background(), 7)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := callMap(t, w, 0, `1`); err != nil {
			t.Fatal(err)
		}
		err = w.Close()
		if err == nil || err.Error() != want {
			t.Errorf("%s: Close() = %v, want %q", src, err, want)
		}
		if scriptError(t, err) == nil {
			t.Errorf("%s: Close error does not wrap a ScriptError", src)
		}
	}
}

func TestArgs(t *testing.T) {
	for _, c := range []struct{ args, expr, want string }{
		{``, `x => args`, `{}`},
		{`{}`, `x => Object.keys(args)`, `[]`},
		{`{"b": [1, {"c": null}], "a": "s", "1": -0, "a": "last"}`, `x => args`, `{"1":0,"b":[1,{"c":null}],"a":"last"}`},
		{`{"k": 5}`, `x => x * args.k`, `10`},
		{`{"k": 5}`, `({setup() { this.k = args.k * 2 }, map(x) { return x * this.k }})`, `20`},
		{`{"s": "\ud83d\ude00"}`, `x => args.s.length`, `2`},
		{` { "ws" : true } `, `x => args.ws`, `true`},
	} {
		out, err := mapExpr(t, c.expr, `2`, jsbridge.Options{Args: []byte(c.args)})
		if err != nil || out != c.want {
			t.Errorf("args %s, %s: got %s, %v; want %s", c.args, c.expr, out, err, c.want)
		}
	}
}

// TestArgsPerWorker checks that a worker changing args does not change them for another.
func TestArgsPerWorker(t *testing.T) {
	p := mustLoadExpr(t, `x => { args.n = (args.n || 0) + 1; return args.n }`, jsbridge.Options{Args: []byte(`{}`)})
	w1, w2 := mustWorker(t, p), mustWorker(t, p)
	for _, w := range []*jsbridge.Worker{w1, w1, w2} {
		_, _ = callMap(t, w, 0, `0`)
	}
	if out, _ := callMap(t, w2, 0, `0`); out != `2` {
		t.Errorf("second worker's args.n = %s, want 2", out)
	}
}

// TestConsole compares console output with node's for the same calls (the expected text is what
// node v20 prints).
func TestConsole(t *testing.T) {
	const src = `x => {
		console.log('a', 1, {b: [1, 'x']}, [undefined, null], 'str %s', -0, 1n, Symbol('s'), () => 1, new Map([[1, 2]]), new Error('e').message);
		console.info('%s=%d', 'k', 42.5, 'extra');
		console.warn('%j', {a: 1});
		console.error(new Date(0));
		console.debug();
		console.log('%o %O %%', {a: [1]}, {b: 1});
		console.log('nested', {a: {b: {c: {d: 1}}}});
		console.log("s\ttab", 'q"uote', ["q'uote"]);
		console.log(x, [x], {x});
		console.log('%i|%f|%s', 42.9, '1.5', 'a', 'b');
		console.log(new Set(['a']), [1, , 3], {'key with space': 1, valid_id: 2});
		console.log(Object.create(null), [new Number(1), new String('s')], -1e21, 1e-7);
		return 1
	}`
	const want = "a 1 { b: [ 1, 'x' ] } [ undefined, null ] str %s -0 1n Symbol(s) [Function (anonymous)] Map(1) { 1 => 2 } e\n" +
		"k=42.5 extra\n" +
		"{\"a\":1}\n" +
		"1970-01-01T00:00:00.000Z\n" +
		"\n" +
		"{ a: [ 1, [length]: 1 ] } { b: 1 } %\n" +
		"nested { a: { b: { c: [Object] } } }\n" +
		"s\ttab q\"uote [ \"q'uote\" ]\n" +
		"é😀 [ 'é😀' ] { x: 'é😀' }\n" +
		"42|1.5|a b\n" +
		"Set(1) { 'a' } [ 1, <1 empty item>, 3 ] { 'key with space': 1, valid_id: 2 }\n" +
		"[Object: null prototype] {} [ [Number: 1], [String: 's'] ] -1e+21 1e-7\n"
	opts, stderr := withStderr(jsbridge.Options{})
	if out, err := mapExpr(t, src, `"é😀"`, opts); err != nil || out != "1" {
		t.Fatalf("got %s, %v", out, err)
	}
	if got := stderr.String(); got != want {
		t.Errorf("stderr:\n%s\nwant (node's):\n%s", got, want)
	}
}

// TestConsoleLinesWhole checks that console lines from workers running at once are never mixed.
func TestConsoleLinesWhole(t *testing.T) {
	opts, stderr := withStderr(jsbridge.Options{})
	p := mustLoadExpr(t, `(x, i) => { console.log('%s', String(i % 10).repeat(3000)); return i }`, opts)
	inWorkers(t, p, 4, func(id int, w *jsbridge.Worker) {
		for i := range 50 {
			if _, err := w.Map(context.Background(), int64(id*50+i), []byte(`0`), nil); err != nil {
				t.Error(err)
			}
		}
	})
	lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
	if len(lines) != 200 {
		t.Fatalf("%d lines, want 200", len(lines))
	}
	for _, l := range lines {
		if len(l) != 3000 || strings.Count(l, l[:1]) != 3000 {
			t.Fatalf("mixed line %q...", l[:40])
		}
	}
}

func TestConsoleInSetupAndTopLevel(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "s.js")
	src := "console.log('top', args.a)\nmodule.exports = {setup() { console.error('setup') }, map: x => x}"
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	opts, stderr := withStderr(jsbridge.Options{Args: []byte(`{"a": [1]}`)})
	p := mustLoad(t, file, opts)
	mustWorker(t, p)
	mustWorker(t, p)
	if got, want := stderr.String(), "top [ 1 ]\nsetup\ntop [ 1 ]\nsetup\n"; got != want {
		t.Errorf("stderr %q, want %q", got, want)
	}
}

// TestUndefinedResult: a top-level undefined (or a function, or a symbol) is written as null, and
// Map says so with an *Undefined warning naming the element (the engine reports it in order).
func TestUndefinedResult(t *testing.T) {
	opts, stderr := withStderr(jsbridge.Options{})
	p := mustLoadExpr(t, `(x, i) => { if (x === 2) return () => 1; if (x) return x }`, opts)
	w1, w2 := mustWorker(t, p), mustWorker(t, p)
	for _, c := range []struct {
		w     *jsbridge.Worker
		index int64
		in    string
		want  string
		warn  string
	}{
		{w1, 0, `1`, `1`, ""},
		{w1, 5, `0`, `null`, "element 5: the function returned undefined"},
		{w2, 6, `0`, `null`, "element 6: the function returned undefined"},
		{w1, 7, `[0]`, `[0]`, ""},
		{w2, 8, `null`, `null`, "element 8: the function returned undefined"},
		{w2, 9, `2`, `null`, "element 9: the function returned a function, which JSON has no form for"},
	} {
		b, err := c.w.Map(context.Background(), c.index, []byte(c.in), nil)
		var u *jsbridge.Undefined
		switch {
		case c.warn == "" && err != nil:
			t.Errorf("element %d: %v", c.index, err)
		case c.warn != "" && (!errors.As(err, &u) || err.Error() != c.warn || !u.IsWarning() || u.Index != c.index):
			t.Errorf("element %d: error %v, want the warning %q", c.index, err, c.warn)
		}
		if string(b) != c.want {
			t.Errorf("element %d: got %s, want %s", c.index, b, c.want)
		}
	}
	if stderr.String() != "" {
		t.Errorf("stderr %q: the engine reports warnings, not the bridge", stderr.String())
	}
	// An async function resolving to undefined is the same.
	p = mustLoadExpr(t, `async x => {}`, jsbridge.Options{})
	b, err := mustWorker(t, p).Map(context.Background(), 3, []byte(`1`), nil)
	var u *jsbridge.Undefined
	if string(b) != "null" || !errors.As(err, &u) || u.Index != 3 {
		t.Errorf("async undefined: got %s, %v", b, err)
	}
}

// TestSandbox checks that the VM has the language, console, args and require, and nothing that
// reaches outside: no process, timers, network, filesystem.
func TestSandbox(t *testing.T) {
	const globals = `x => ({
		process: typeof process, setTimeout: typeof setTimeout, setInterval: typeof setInterval,
		setImmediate: typeof setImmediate, clearTimeout: typeof clearTimeout, fetch: typeof fetch,
		XMLHttpRequest: typeof XMLHttpRequest, WebSocket: typeof WebSocket, Buffer: typeof Buffer,
		Deno: typeof Deno, Bun: typeof Bun, importScripts: typeof importScripts,
		require: typeof require, module: typeof module, exports: typeof exports, args: typeof args,
		console: typeof console, filename: typeof __filename, dirname: typeof __dirname,
	})`
	out, err := mapExpr(t, globals, `0`, jsbridge.Options{})
	want := `{"process":"undefined","setTimeout":"undefined","setInterval":"undefined","setImmediate":"undefined",` +
		`"clearTimeout":"undefined","fetch":"undefined","XMLHttpRequest":"undefined","WebSocket":"undefined",` +
		`"Buffer":"undefined","Deno":"undefined","Bun":"undefined","importScripts":"undefined","require":"function",` +
		`"module":"object","exports":"object","args":"object","console":"object","filename":"string","dirname":"string"}`
	if err != nil || out != want {
		t.Errorf("got  %s, %v\nwant %s", out, err, want)
	}
	for _, mod := range []string{"fs", "node:fs", "fs/promises", "child_process", "http", "https", "net", "os", "path",
		"process", "vm", "worker_threads", "timers", "node:timers/promises", "dgram", "crypto"} {
		_, err := mapExpr(t, `x => require(x)`, `"`+mod+`"`, jsbridge.Options{})
		se := scriptError(t, err)
		want := "Error: require('" + mod + "'): '" + mod + "' is a Node.js built-in module; jsmap scripts have no filesystem, network or process access"
		if se.Message != want {
			t.Errorf("require(%q): %q, want %q", mod, se.Message, want)
		}
	}
	out, err = mapExpr(t, `x => { try { require('fs') } catch (e) { return [e instanceof Error, e.name, e.code] } }`, `0`, jsbridge.Options{})
	if want := `[true,"Error","ERR_JSMAP_BUILTIN_MODULE"]`; err != nil || out != want {
		t.Errorf("caught require('fs'): %s, %v; want %s", out, err, want)
	}
}

// TestAsync covers Promises returned by the function: awaited when settled, an error for the element
// when rejected or never settled.
func TestAsync(t *testing.T) {
	for _, c := range []struct{ expr, want, wantErr string }{
		{expr: `async x => x + 1`, want: `2`},
		{expr: `async x => { const v = await Promise.resolve(x); return [v, await null] }`, want: `[1,null]`},
		{expr: `x => Promise.all([x, Promise.resolve(2), (async () => 3)()])`, want: `[1,2,3]`},
		{expr: `x => Promise.race([new Promise(() => {}), Promise.resolve('fast')])`, want: `"fast"`},
		{expr: `x => Promise.allSettled([Promise.reject(new Error('no')), x]).then(r => r.map(s => s.status))`, want: `["rejected","fulfilled"]`},
		{expr: `async x => { try { await Promise.reject(new Error('e')) } catch (e) { return e.message } }`, want: `"e"`},
		{expr: `async x => { let n = 0; for (let i = 0; i < 1000; i++) n += await i; return n }`, want: `499500`},
		{expr: `async function* g() {}`, wantErr: "SyntaxError"}, // async generators are not in goja: a load error
		{expr: `x => new Promise(() => {})`, wantErr: "the Promise returned for this element never settled"},
		{expr: `async x => { await new Promise(() => {}); return 1 }`, wantErr: "the Promise returned for this element never settled"},
		{expr: `x => Promise.reject(new TypeError('rej'))`, wantErr: "TypeError: rej"},
		{expr: `async x => { throw 'async str' }`, wantErr: "Uncaught 'async str'"},
		{expr: `async x => { await null; null.x }`, wantErr: "TypeError: Cannot read property 'x' of undefined"},
		{expr: `async x => 1n`, wantErr: "TypeError: Do not know how to serialize a BigInt"},
	} {
		p, err := jsbridge.LoadExpr(c.expr, jsbridge.Options{Stderr: &lockedBuffer{}})
		if err != nil {
			if c.wantErr == "" || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%s: %v", c.expr, err)
			}
			continue
		}
		t.Cleanup(func() { p.Close() })
		w := mustWorker(t, p)
		out, err := callMap(t, w, 0, `1`)
		if c.wantErr != "" {
			if err == nil || scriptError(t, err).Message != c.wantErr {
				t.Errorf("%s: got %s, %v; want error %q", c.expr, out, err, c.wantErr)
			}
		} else if err != nil || out != c.want {
			t.Errorf("%s: got %s, %v; want %s", c.expr, out, err, c.want)
		}
		// The worker goes on after any of these.
		if _, err := callMap(t, w, 1, `2`); err != nil && c.wantErr == "" {
			t.Errorf("%s: second call: %v", c.expr, err)
		}
	}
	_, err := mapExpr(t, `x => new Promise(() => {})`, `1`, jsbridge.Options{})
	if se := scriptError(t, err); !strings.Contains(se.Hint, "no timers") {
		t.Errorf("never settled: hint %q", se.Hint)
	}
}

// TestExportForms: the function itself, an object with map (called with the object as this), map
// added to exports, and a default property (what ESM transpilers produce).
func TestExportForms(t *testing.T) {
	dir := t.TempDir()
	for i, src := range []string{
		"module.exports = function (x, i) { return [x, i] }",
		"module.exports = (x, i) => [x, i]",
		"module.exports = async (x, i) => [x, i]",
		"module.exports = {k: 'v', map(x, i) { return [x, i, this.k] }}",
		"exports.map = (x, i) => [x, i]",
		"module.exports = {default: (x, i) => [x, i]}",
		"Object.defineProperty(exports, '__esModule', {value: true}); exports.default = (x, i) => [x, i]",
		"module.exports = {map: (x, i) => [x, i], default: () => 'not used'}",
		"module.exports = x => 'replaced'; module.exports = (x, i) => [x, i]",
		"class M { constructor() { this.k = 'v' } map(x, i) { return [x, i, this.k] } }\nmodule.exports = new M()",
	} {
		file := filepath.Join(dir, fmt.Sprintf("s%d.js", i))
		if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		p := mustLoad(t, file, jsbridge.Options{})
		out, err := callMap(t, mustWorker(t, p), 4, `"x"`)
		want := `["x",4]`
		if strings.Contains(src, "this.k") {
			want = `["x",4,"v"]`
		}
		if err != nil || out != want {
			t.Errorf("%s: %s, %v; want %s", src, out, err, want)
		}
	}
}
