package inspect

import (
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"strconv"

	"github.com/dop251/goja"
)

// realm gives guarded access to the VM for one Format or Inspect call. It
// resolves the builtins it needs lazily, at most once per call, and stops
// calling into the VM after an interrupt.
type realm struct {
	vm *goja.Runtime

	// interrupt is set when script code run on our behalf was interrupted;
	// no further script code is run and the interrupt is re-armed when the
	// top-level call returns.
	interrupt *goja.InterruptedError

	objectProto, functionProto, errorProto *goja.Object
	resolved                               uint32

	gopd, hasOwnFn, getOwnSymbols goja.Callable

	// ctorCache memoizes the `constructor` found on prototypes during
	// getConstructorName.
	ctorCache map[*goja.Object]protoCtor

	mapProto, setProto, weakMapProto, weakSetProto *goja.Object
	mapEntries, mapSize, setValues, setSize        goja.Callable
	weakMapHas, weakSetHas                         goja.Callable

	jsonStringify   goja.Callable
	circularMessage string
}

const (
	resObjectProto = 1 << iota
	resFunctionProto
	resErrorProto
	resGopd
	resHasOwn
	resGetOwnSymbols
	resMap
	resSet
	resWeakMap
	resWeakSet
	resJSON
	resCircular
)

// maxChainLength bounds prototype chain walks; a proxy's getPrototypeOf trap
// can produce an endless chain.
const maxChainLength = 10000

var errAborted = errors.New("inspection aborted")

func newRealm(vm *goja.Runtime) *realm {
	return &realm{vm: vm}
}

// finish re-arms an interrupt swallowed while formatting.
func (r *realm) finish() {
	if r.interrupt != nil {
		r.vm.Interrupt(r.interrupt.Value())
	}
}

// try runs f, converting JavaScript exceptions and Go panics into an error.
func (r *realm) try(f func()) (err error) {
	if r.interrupt != nil {
		return errAborted
	}
	defer func() {
		if x := recover(); x != nil {
			err = r.panicError(x)
		}
	}()
	if ex := r.vm.Try(f); ex != nil {
		return ex
	}
	return nil
}

func (r *realm) panicError(x interface{}) error {
	switch e := x.(type) {
	case *goja.InterruptedError:
		r.interrupt = e
		return e
	case *goja.Exception:
		return e
	case error:
		return e
	}
	return fmt.Errorf("%v", x)
}

// call invokes a JavaScript function with guards.
func (r *realm) call(fn goja.Callable, this goja.Value, args ...goja.Value) (res goja.Value, err error) {
	if fn == nil {
		return nil, errAborted
	}
	if r.interrupt != nil {
		return nil, errAborted
	}
	defer func() {
		if x := recover(); x != nil {
			res, err = nil, r.panicError(x)
		}
	}()
	res, err = fn(this, args...)
	var ie *goja.InterruptedError
	if errors.As(err, &ie) {
		r.interrupt = ie
	}
	return res, err
}

// get reads o[key], running getters; it returns nil on any failure.
func (r *realm) get(o *goja.Object, key string) goja.Value {
	var v goja.Value
	if r.try(func() { v = o.Get(key) }) != nil {
		return nil
	}
	return v
}

func (r *realm) getSym(o *goja.Object, key *goja.Symbol) goja.Value {
	var v goja.Value
	if r.try(func() { v = o.GetSymbol(key) }) != nil {
		return nil
	}
	return v
}

// proto returns the prototype of o (nil for null or on failure).
func (r *realm) proto(o *goja.Object) *goja.Object {
	var p *goja.Object
	if r.try(func() { p = o.Prototype() }) != nil {
		return nil
	}
	return p
}

func (r *realm) toString(v goja.Value) (string, bool) {
	if s, ok := v.(goja.String); ok {
		return jsString(s), true
	}
	if sym, ok := v.(*goja.Symbol); ok {
		return "Symbol(" + sym.String() + ")", true
	}
	var s string
	if r.try(func() { s = v.String() }) != nil {
		return "", false
	}
	return s, true
}

func (r *realm) getObjectProto() *goja.Object {
	if r.resolved&resObjectProto == 0 {
		r.resolved |= resObjectProto
		r.objectProto = r.vm.NewObject().Prototype()
	}
	return r.objectProto
}

func (r *realm) getFunctionProto() *goja.Object {
	if r.resolved&resFunctionProto == 0 {
		r.resolved |= resFunctionProto
		if f, ok := r.vm.ToValue(func(goja.FunctionCall) goja.Value { return nil }).(*goja.Object); ok {
			r.functionProto = f.Prototype()
		}
	}
	return r.functionProto
}

func (r *realm) getErrorProto() *goja.Object {
	if r.resolved&resErrorProto == 0 {
		r.resolved |= resErrorProto
		// A TypeError's prototype chain leads to the intrinsic
		// Error.prototype regardless of what the script did to the globals.
		_ = r.try(func() {
			if p := r.vm.NewTypeError("").Prototype(); p != nil {
				r.errorProto = p.Prototype()
			}
		})
	}
	return r.errorProto
}

// global returns the object stored in the global binding name, or nil.
func (r *realm) global(name string) *goja.Object {
	var o *goja.Object
	_ = r.try(func() {
		o, _ = r.vm.Get(name).(*goja.Object)
	})
	return o
}

func (r *realm) method(o *goja.Object, name string) goja.Callable {
	if o == nil {
		return nil
	}
	fn, _ := goja.AssertFunction(r.get(o, name))
	return fn
}

func (r *realm) getGopd() goja.Callable {
	if r.resolved&resGopd == 0 {
		r.resolved |= resGopd
		obj := r.global("Object")
		if obj == nil {
			obj, _ = r.get(r.getObjectProto(), "constructor").(*goja.Object)
		}
		r.gopd = r.method(obj, "getOwnPropertyDescriptor")
	}
	return r.gopd
}

// Property keys used with the VM. Primitive goja values are not bound to a
// runtime, so they can be shared.
var (
	keyConstructor = jsKey("constructor")
	keyName        = jsKey("name")
	keyToString    = jsKey("toString")
	keyCause       = jsKey("cause")
	keySize        = jsKey("size")
)

func jsKey(s string) goja.Value {
	u := make([]uint16, len(s))
	for i := 0; i < len(s); i++ {
		u[i] = uint16(s[i])
	}
	return goja.StringFromUTF16(u)
}

// hasOwnFast reports whether o has an own property key; it is cheaper than
// reading the descriptor.
func (r *realm) hasOwnFast(o *goja.Object, key goja.Value) bool {
	if r.resolved&resHasOwn == 0 {
		r.resolved |= resHasOwn
		obj := r.global("Object")
		if obj == nil {
			obj, _ = r.get(r.getObjectProto(), "constructor").(*goja.Object)
		}
		r.hasOwnFn = r.method(obj, "hasOwn")
	}
	if r.hasOwnFn == nil {
		return r.hasOwn(o, key)
	}
	res, err := r.call(r.hasOwnFn, goja.Undefined(), o, key)
	if err != nil {
		return r.hasOwn(o, key)
	}
	return res.ToBoolean()
}

// protoCtor is a constructor function found as the `constructor` data
// property of an object, with its name.
type protoCtor struct {
	ctor *goja.Object
	name string
}

// ownConstructor returns o's own `constructor` if it is a function with a
// non-empty name (the candidate node's getConstructorName accepts).
func (r *realm) ownConstructor(o *goja.Object) protoCtor {
	d, ok := r.ownProp(o, keyConstructor)
	if !ok || d.value == nil {
		return protoCtor{}
	}
	ctor, isObj := d.value.(*goja.Object)
	if !isObj || !isCallable(ctor) {
		return protoCtor{}
	}
	nv := r.get(ctor, "name")
	if isUndef(nv) {
		return protoCtor{}
	}
	name, _ := r.toString(nv)
	return protoCtor{ctor: ctor, name: name}
}

// protoConstructor is ownConstructor memoized for prototype objects.
func (r *realm) protoConstructor(o *goja.Object) protoCtor {
	if pc, ok := r.ctorCache[o]; ok {
		return pc
	}
	pc := r.ownConstructor(o)
	if r.ctorCache == nil {
		r.ctorCache = map[*goja.Object]protoCtor{}
	}
	r.ctorCache[o] = pc
	return pc
}

// desc is an own property descriptor. For a data property get and set are
// nil; for an accessor value is nil.
type desc struct {
	value, get, set goja.Value
	enumerable      bool
}

func isUndef(v goja.Value) bool {
	return v == nil || goja.IsUndefined(v)
}

// ownProp returns the own property descriptor of o[key] without running
// getters. key is a string or a *goja.Symbol value. ok is false when the
// property does not exist or the descriptor could not be read.
func (r *realm) ownProp(o *goja.Object, key goja.Value) (d desc, ok bool) {
	res, err := r.call(r.getGopd(), goja.Undefined(), o, key)
	if err != nil || isUndef(res) {
		return d, false
	}
	dobj, isObj := res.(*goja.Object)
	if !isObj {
		return d, false
	}
	err = r.try(func() {
		d.value = dobj.Get("value")
		d.get = dobj.Get("get")
		d.set = dobj.Get("set")
		if e := dobj.Get("enumerable"); e != nil {
			d.enumerable = e.ToBoolean()
		}
	})
	if err != nil {
		return desc{}, false
	}
	if isUndef(d.get) {
		d.get = nil
	}
	if isUndef(d.set) {
		d.set = nil
	}
	return d, true
}

func (r *realm) hasOwn(o *goja.Object, key goja.Value) bool {
	_, ok := r.ownProp(o, key)
	return ok
}

// hasProperty reports whether key is o's own or inherited property (the
// `in` operator) without running getters.
func (r *realm) hasProperty(o *goja.Object, key goja.Value) bool {
	for i := 0; o != nil && i < maxChainLength; i++ {
		if r.hasOwnFast(o, key) {
			return true
		}
		o = r.proto(o)
	}
	return false
}

// ownSymbols returns all own symbol keys of o, enumerable or not.
func (r *realm) ownSymbols(o *goja.Object) []*goja.Symbol {
	if r.resolved&resGetOwnSymbols == 0 {
		r.resolved |= resGetOwnSymbols
		obj := r.global("Object")
		if obj == nil {
			obj, _ = r.get(r.getObjectProto(), "constructor").(*goja.Object)
		}
		r.getOwnSymbols = r.method(obj, "getOwnPropertySymbols")
	}
	res, err := r.call(r.getOwnSymbols, goja.Undefined(), o)
	if err != nil {
		return nil
	}
	arr, ok := res.(*goja.Object)
	if !ok {
		return nil
	}
	var syms []*goja.Symbol
	_ = r.try(func() {
		n := int(arr.Get("length").ToInteger())
		for i := 0; i < n; i++ {
			if s, ok := arr.Get(strconv.Itoa(i)).(*goja.Symbol); ok {
				syms = append(syms, s)
			}
		}
	})
	return syms
}

// isCallable reports whether v is a function (typeof v === 'function').
func isCallable(v goja.Value) bool {
	_, ok := goja.AssertFunction(v)
	return ok
}

// instanceOf evaluates `o instanceof ctor`, false if it throws.
func (r *realm) instanceOf(o *goja.Object, ctor *goja.Object) bool {
	var res bool
	if r.try(func() { res = r.vm.InstanceOf(o, ctor) }) != nil {
		return false
	}
	return res
}

// chainHas reports whether p is on the prototype chain of o.
func (r *realm) chainHas(o, p *goja.Object) bool {
	if p == nil {
		return false
	}
	o = r.proto(o)
	for i := 0; o != nil && i < maxChainLength; i++ {
		if o == p {
			return true
		}
		o = r.proto(o)
	}
	return false
}

// collection resolves a Map/Set-like builtin's prototype and two of its
// methods: an iterator factory and the size getter.
func (r *realm) collection(ctorName, iterName string) (proto *goja.Object, iter, size goja.Callable) {
	ctor := r.global(ctorName)
	if ctor == nil {
		return nil, nil, nil
	}
	proto, _ = r.get(ctor, "prototype").(*goja.Object)
	if proto == nil {
		return nil, nil, nil
	}
	iter = r.method(proto, iterName)
	if iterName != "has" {
		if d, ok := r.ownProp(proto, keySize); ok && d.get != nil {
			size, _ = goja.AssertFunction(d.get)
		}
	}
	return proto, iter, size
}

func (r *realm) resolveMap() {
	if r.resolved&resMap == 0 {
		r.resolved |= resMap
		r.mapProto, r.mapEntries, r.mapSize = r.collection("Map", "entries")
	}
}

func (r *realm) resolveSet() {
	if r.resolved&resSet == 0 {
		r.resolved |= resSet
		r.setProto, r.setValues, r.setSize = r.collection("Set", "values")
	}
}

// isWeak reports whether o is a WeakMap (weakMap true) or WeakSet created by
// the builtin constructor. goja gives them no Go-visible type, so the check
// looks for the builtin prototype on o's chain and then confirms with the
// builtin `has`, which throws for any other receiver.
func (r *realm) isWeak(o *goja.Object, weakMap bool) bool {
	var proto *goja.Object
	var has goja.Callable
	if weakMap {
		if r.resolved&resWeakMap == 0 {
			r.resolved |= resWeakMap
			r.weakMapProto, r.weakMapHas, _ = r.collection("WeakMap", "has")
		}
		proto, has = r.weakMapProto, r.weakMapHas
	} else {
		if r.resolved&resWeakSet == 0 {
			r.resolved |= resWeakSet
			r.weakSetProto, r.weakSetHas, _ = r.collection("WeakSet", "has")
		}
		proto, has = r.weakSetProto, r.weakSetHas
	}
	if proto == nil || has == nil || !r.chainHas(o, proto) {
		return false
	}
	_, err := r.call(has, o, o)
	return err == nil
}

// iterate calls factory on o and collects up to max values from the
// resulting iterator.
func (r *realm) iterate(factory goja.Callable, o *goja.Object, max int) []goja.Value {
	itv, err := r.call(factory, o)
	if err != nil {
		return nil
	}
	it, ok := itv.(*goja.Object)
	if !ok {
		return nil
	}
	next := r.method(it, "next")
	var out []goja.Value
	for len(out) < max {
		res, err := r.call(next, it)
		if err != nil {
			break
		}
		ro, ok := res.(*goja.Object)
		if !ok {
			break
		}
		var done bool
		var v goja.Value
		if r.try(func() {
			done = ro.Get("done").ToBoolean()
			v = ro.Get("value")
		}) != nil || done {
			break
		}
		out = append(out, v)
	}
	return out
}

func (r *realm) callSize(size goja.Callable, o *goja.Object) int {
	v, err := r.call(size, o)
	if err != nil || v == nil {
		return 0
	}
	return int(v.ToInteger())
}

// stringify runs JSON.stringify(v) the way node's tryStringify does: a
// circular structure yields "[Circular]".
func (r *realm) stringify(v goja.Value) string {
	if r.resolved&resJSON == 0 {
		r.resolved |= resJSON
		r.jsonStringify = r.method(r.global("JSON"), "stringify")
	}
	res, err := r.call(r.jsonStringify, goja.Undefined(), v)
	if err == nil {
		if isUndef(res) {
			return "undefined"
		}
		s, _ := r.toString(res)
		return s
	}
	var ex *goja.Exception
	if errors.As(err, &ex) {
		name, msg := r.errorNameMessage(ex.Value())
		if name == "TypeError" && firstLine(msg) == r.getCircularMessage() {
			return "[Circular]"
		}
		if name != "" || msg != "" {
			return "[" + joinNameMessage(name, msg) + "]"
		}
	}
	return "[" + err.Error() + "]"
}

func (r *realm) getCircularMessage() string {
	if r.resolved&resCircular == 0 {
		r.resolved |= resCircular
		a := r.vm.NewObject()
		_ = r.try(func() { _ = a.Set("a", a) })
		if _, err := r.call(r.jsonStringify, goja.Undefined(), a); err != nil {
			var ex *goja.Exception
			if errors.As(err, &ex) {
				_, msg := r.errorNameMessage(ex.Value())
				r.circularMessage = firstLine(msg)
			}
		}
	}
	return r.circularMessage
}

func firstLine(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			return s[:i]
		}
	}
	return s
}

// errorNameMessage reads name and message of a thrown value.
func (r *realm) errorNameMessage(v goja.Value) (name, msg string) {
	o, ok := v.(*goja.Object)
	if !ok {
		if v != nil {
			s, _ := r.toString(v)
			return "", s
		}
		return "", ""
	}
	if n := r.get(o, "name"); !isUndef(n) {
		name, _ = r.toString(n)
	}
	if m := r.get(o, "message"); !isUndef(m) {
		msg, _ = r.toString(m)
	}
	return name, msg
}

// joinNameMessage mirrors Error.prototype.toString.
func joinNameMessage(name, msg string) string {
	switch {
	case name == "":
		return msg
	case msg == "":
		return name
	}
	return name + ": " + msg
}

// Types goja reports through Object.ExportType for objects with internal
// slots that have no distinct class name.
var (
	typeMapExport   = reflect.TypeOf([][2]interface{}{})
	typeArrayExport = reflect.TypeOf([]interface{}{})
	typePlainExport = reflect.TypeOf(map[string]interface{}{})
	typePromise     = reflect.TypeOf((*goja.Promise)(nil))
	typeArrayBuffer = reflect.TypeOf(goja.ArrayBuffer{})
	typeProxy       = reflect.TypeOf(goja.Proxy{})
	typeBigInt      = reflect.TypeOf((*big.Int)(nil))
	typeString      = reflect.TypeOf("")
	typeCtor        = reflect.TypeOf((func(goja.ConstructorCall) *goja.Object)(nil))
	typeDynObject   = reflect.TypeOf((*goja.DynamicObject)(nil)).Elem()
	typeDynArray    = reflect.TypeOf((*goja.DynamicArray)(nil)).Elem()
)

// typedArrayNames maps the Go slice type goja exports for a typed array to
// the array's type name; []uint8 is shared by Uint8Array and
// Uint8ClampedArray.
var typedArrayNames = map[reflect.Type]string{
	reflect.TypeOf([]uint8(nil)):   "Uint8Array",
	reflect.TypeOf([]int8(nil)):    "Int8Array",
	reflect.TypeOf([]uint16(nil)):  "Uint16Array",
	reflect.TypeOf([]int16(nil)):   "Int16Array",
	reflect.TypeOf([]uint32(nil)):  "Uint32Array",
	reflect.TypeOf([]int32(nil)):   "Int32Array",
	reflect.TypeOf([]float32(nil)): "Float32Array",
	reflect.TypeOf([]float64(nil)): "Float64Array",
	reflect.TypeOf([]int64(nil)):   "BigInt64Array",
	reflect.TypeOf([]uint64(nil)):  "BigUint64Array",
}

// builtInObjects lists the global constructor names node treats as built-in
// (node v20's globalThis names matching /^[A-Z][a-zA-Z0-9]+$/).
var builtInObjects = func() map[string]bool {
	m := map[string]bool{}
	for _, n := range []string{"Object", "Function", "Array", "Number", "Infinity", "NaN", "Boolean", "String", "Symbol", "Date", "Promise", "RegExp", "Error", "AggregateError", "EvalError", "RangeError", "ReferenceError", "SyntaxError", "TypeError", "URIError", "JSON", "Math", "Intl", "ArrayBuffer", "Uint8Array", "Int8Array", "Uint16Array", "Int16Array", "Uint32Array", "Int32Array", "Float32Array", "Float64Array", "Uint8ClampedArray", "BigUint64Array", "BigInt64Array", "DataView", "Map", "BigInt", "Set", "WeakMap", "WeakSet", "Proxy", "Reflect", "FinalizationRegistry", "WeakRef", "Buffer", "URL", "URLSearchParams", "DOMException", "AbortController", "AbortSignal", "Event", "EventTarget", "TextEncoder", "TextDecoder", "TransformStream", "TransformStreamDefaultController", "WritableStream", "WritableStreamDefaultController", "WritableStreamDefaultWriter", "ReadableStream", "ReadableStreamDefaultReader", "ReadableStreamBYOBReader", "ReadableStreamBYOBRequest", "ReadableByteStreamController", "ReadableStreamDefaultController", "ByteLengthQueuingStrategy", "CountQueuingStrategy", "TextEncoderStream", "TextDecoderStream", "CompressionStream", "DecompressionStream", "BroadcastChannel", "MessageChannel", "MessagePort", "MessageEvent", "Blob", "File", "Performance", "PerformanceEntry", "PerformanceMark", "PerformanceMeasure", "PerformanceObserver", "PerformanceObserverEntryList", "PerformanceResourceTiming", "FormData", "Headers", "Request", "Response", "SharedArrayBuffer", "Atomics", "WebAssembly", "Crypto", "CryptoKey", "SubtleCrypto", "CustomEvent"} {
		m[n] = true
	}
	return m
}()
