package jsbridge

import (
	"math/big"
	"reflect"
	"strconv"
	"strings"

	"github.com/dop251/goja"

	"github.com/jsmap/jsmap/internal/jsontext"
)

// encoder writes JS values as JSON exactly as JSON.stringify(v) would, without building a JS string:
// key order kept, NaN and ±Infinity as null, undefined/functions/symbols left out of objects and
// null in arrays, toJSON honoured (also BigInt.prototype.toJSON), boxed primitives unwrapped, arrays
// behind a Proxy written as arrays. A BigInt, a cycle, or nesting deeper than the limit is an error
// (a TypeError or RangeError, as in node).
type encoder struct {
	vm       *goja.Runtime
	maxDepth int
	stack    []*goja.Object
	u16      []uint16
	start    int          // where this value's JSON starts in dst
	steps    int          // array elements and object members written, for step
	next     int          // len(dst) at which step calls check next
	stop     func() error // checked now and then in long loops: a timeout or a stopped run

	// Captured from a fresh VM, before any script runs, so that scripts cannot change them.
	stringify  goja.Callable // JSON.stringify, for keys that Go strings cannot hold
	rangeError *goja.Object
	bigintTo   *goja.Object // BigInt.prototype
	isArray    goja.Callable
	objProto   *goja.Object // Object.prototype
	arrProto   *goja.Object // Array.prototype

	// JSON.stringify's replacer array, when listed: the keys objects are written with, in order.
	listed bool
	keys   []string

	canon      jsontext.Canonicalizer
	protoState int8 // per encodeValue: 0 not checked, 1 no toJSON on the prototypes, -1 some
}

func (e *encoder) init(vm *goja.Runtime, maxDepth int) {
	e.vm = vm
	e.maxDepth = maxDepth
	json := vm.Get("JSON").(*goja.Object)
	e.stringify, _ = goja.AssertFunction(json.Get("stringify"))
	e.rangeError, _ = vm.Get("RangeError").(*goja.Object)
	if bi, ok := vm.Get("BigInt").(*goja.Object); ok {
		e.bigintTo, _ = bi.Get("prototype").(*goja.Object)
	}
	arr := vm.Get("Array").(*goja.Object)
	e.isArray, _ = goja.AssertFunction(arr.Get("isArray"))
	e.arrProto, _ = arr.Get("prototype").(*goja.Object)
	if obj, ok := vm.Get("Object").(*goja.Object); ok {
		e.objProto, _ = obj.Get("prototype").(*goja.Object)
	}
}

var (
	typeInt64    = reflect.TypeOf(int64(0))
	typeFloat64  = reflect.TypeOf(float64(0))
	typeBool     = reflect.TypeOf(true)
	typeBigInt   = reflect.TypeOf((*big.Int)(nil))
	typeFunc     = reflect.TypeOf(func(goja.FunctionCall) goja.Value { return nil })
	typeCtor     = reflect.TypeOf(func(goja.ConstructorCall) *goja.Object { return nil })
	typeProxy    = reflect.TypeOf(goja.Proxy{})
	typePlainObj = reflect.TypeOf(map[string]any{})
	typeLazy     = reflect.TypeOf((*lazyObject)(nil))
)

// rawOK reports whether the text of a lazy view's unread members can be written as it is (in
// canonical form): JSON.stringify would call no toJSON on the objects and arrays in it.
func (e *encoder) rawOK() bool {
	if e.protoState == 0 {
		e.protoState = -1
		if e.objProto != nil && e.arrProto != nil && goja.IsUndefined(orUndefined(e.objProto.Get("toJSON"))) && goja.IsUndefined(orUndefined(e.arrProto.Get("toJSON"))) {
			e.protoState = 1
		}
	}
	return e.protoState == 1
}

func orUndefined(v goja.Value) goja.Value {
	if v == nil {
		return goja.Undefined()
	}
	return v
}

// lazyObject writes a lazy view: members the script never read straight from their text, the
// others (read, assigned or added) as values.
func (e *encoder) lazyObject(dst []byte, obj *goja.Object, o *lazyObject) []byte {
	e.push(obj)
	if !o.scanned {
		o.scan()
	}
	dst = append(dst, '{')
	first := true
	for _, k := range o.order() {
		m := &o.members[k]
		mark := len(dst)
		if !first {
			dst = append(dst, ',')
		}
		dst = jsontext.AppendQuote(dst, m.key)
		dst = append(dst, ':')
		if m.val == nil {
			dst = e.canon.Append(dst, o.raw[m.start:m.end])
		} else {
			var ok bool
			if dst, ok = e.value(dst, m.val, m.key); !ok {
				dst = dst[:mark]
				continue
			}
		}
		first = false
		e.step(dst)
	}
	e.pop()
	return append(dst, '}')
}

// encode appends the JSON of v (not undefined) to dst.
func (e *encoder) encode(dst []byte, v goja.Value) (out []byte, err error) {
	out, ok, err := e.encodeValue(dst, v)
	if err == nil && !ok {
		// A top-level function or symbol: JSON.stringify gives undefined; written as null.
		out = append(dst, "null"...)
	}
	return out, err
}

// encodeValue is JSON.stringify(v): ok is false when the result is undefined.
func (e *encoder) encodeValue(dst []byte, v goja.Value) (out []byte, ok bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			switch s := r.(type) {
			case encodeStop:
				out, ok, err = dst, false, s.err
			case *goja.InterruptedError:
				// A getter or toJSON the encoding called was interrupted (a timeout, a stop).
				out, ok, err = dst, false, s
			case *goja.StackOverflowError:
				// ... or overflowed the stack.
				out, ok, err = dst, false, s
			default:
				panic(r)
			}
		}
	}()
	e.stack = e.stack[:0]
	e.start = len(dst)
	e.steps, e.next = 0, len(dst)+checkEvery
	e.protoState = 0
	ex := e.vm.Try(func() {
		out, ok = e.value(dst, v, "")
	})
	if ex != nil {
		return dst, false, ex
	}
	return out, ok, nil
}

func (e *encoder) typeError(msg string) {
	panic(e.vm.NewTypeError(msg))
}

func (e *encoder) rangeErr(msg string) {
	if e.rangeError != nil {
		if obj, err := e.vm.New(e.rangeError, e.vm.ToValue(msg)); err == nil {
			panic(obj)
		}
	}
	e.typeError(msg)
}

// value appends v; ok is false when v has no JSON form (undefined, a function, a symbol).
func (e *encoder) value(dst []byte, v goja.Value, key string) ([]byte, bool) {
	switch x := v.(type) {
	case nil:
		return dst, false
	case *goja.Object:
		// toJSON (Date has one; users may define their own); its result is serialized as is.
		if tj, ok := goja.AssertFunction(x.Get("toJSON")); ok {
			r, err := tj(x, e.vm.ToValue(key))
			if err != nil {
				panic(err)
			}
			ro, isObj := r.(*goja.Object)
			if !isObj {
				return e.primitive(dst, r, key, false)
			}
			x = ro
		}
		return e.object(dst, x)
	}
	return e.primitive(dst, v, key, true)
}

// primitive appends a non-object value; toJSON says whether a BigInt's toJSON may still apply.
func (e *encoder) primitive(dst []byte, v goja.Value, key string, toJSON bool) ([]byte, bool) {
	switch x := v.(type) {
	case nil:
		return dst, false
	case goja.String:
		return e.str(dst, x), true
	case *goja.Object:
		return e.object(dst, x)
	}
	if goja.IsUndefined(v) {
		return dst, false
	}
	if goja.IsNull(v) {
		return append(dst, "null"...), true
	}
	switch v.ExportType() {
	case typeInt64:
		return strconv.AppendInt(dst, v.ToInteger(), 10), true
	case typeFloat64:
		return jsontext.AppendFloat(dst, v.ToFloat()), true
	case typeBool:
		if v.ToBoolean() {
			return append(dst, "true"...), true
		}
		return append(dst, "false"...), true
	case typeBigInt:
		if toJSON && e.bigintTo != nil {
			if tj, ok := goja.AssertFunction(e.bigintTo.Get("toJSON")); ok {
				r, err := tj(v, e.vm.ToValue(key))
				if err != nil {
					panic(err)
				}
				return e.primitive(dst, r, key, false)
			}
		}
		e.typeError("Do not know how to serialize a BigInt")
	}
	// A symbol.
	return dst, false
}

func (e *encoder) str(dst []byte, s goja.String) []byte {
	gs := s.String()
	if len(dst)-e.start+len(gs) > maxOutput {
		e.tooLong()
	}
	if !strings.Contains(gs, "\uFFFD") {
		return jsontext.AppendQuote(dst, gs)
	}
	// The replacement character may stand for a lone surrogate: look at the UTF-16 units.
	n := s.Length()
	e.u16 = e.u16[:0]
	for i := 0; i < n; i++ {
		e.u16 = append(e.u16, s.CharAt(i))
	}
	return jsontext.AppendQuoteUTF16(dst, e.u16)
}

func (e *encoder) object(dst []byte, obj *goja.Object) ([]byte, bool) {
	switch obj.ClassName() {
	case "Array":
		return e.array(dst, obj), true
	case "Function":
		return dst, false
	case "Number":
		// Boxed primitives serialize as their primitive value (ToNumber / ToString, as in the spec).
		return jsontext.AppendFloat(dst, obj.ToFloat()), true
	case "String":
		if str, ok := obj.ToString().(goja.String); ok {
			return e.str(dst, str), true
		}
	case "Boolean":
		if b, ok := obj.Export().(bool); ok {
			return strconv.AppendBool(dst, b), true
		}
	case "Object":
		switch obj.ExportType() {
		case typePlainObj:
		case typeFunc, typeCtor: // async arrow functions are class Object in goja
			return dst, false
		case typeLazy:
			if e.rawOK() && !e.listed {
				return e.lazyObject(dst, obj, obj.Export().(*lazyObject)), true
			}
		case typeBigInt: // Object(1n)
			e.typeError("Do not know how to serialize a BigInt")
		case typeProxy:
			if r, err := e.isArray(goja.Undefined(), obj); err == nil && r.ToBoolean() {
				return e.array(dst, obj), true
			} else if err != nil {
				panic(err)
			}
			if _, ok := goja.AssertFunction(obj); ok {
				return dst, false
			}
		}
	}
	return e.plain(dst, obj), true
}

// check stops a long encoding that is too big, timed out, or no longer wanted.
func (e *encoder) check(dst []byte) {
	if len(dst)-e.start > maxOutput {
		e.tooLong()
	}
	if e.stop != nil {
		if err := e.stop(); err != nil {
			panic(encodeStop{err})
		}
	}
}

// checkEvery is how much the output may grow between two checks.
const checkEvery = 1 << 20

// step is called for each array element and object member: it calls check every 4,096 of them
// (time passes even when the output grows slowly) and whenever the output has grown by checkEvery
// (big strings, or values shared many times, make output fast).
func (e *encoder) step(dst []byte) {
	e.steps++
	if e.steps&4095 == 0 || len(dst) >= e.next {
		e.check(dst)
		e.next = len(dst) + checkEvery
	}
}

// encodeStop unwinds an encoding that must stop (see check).
type encodeStop struct{ err error }

func (e *encoder) push(obj *goja.Object) {
	for _, o := range e.stack {
		if o == obj {
			e.typeError("Converting circular structure to JSON")
		}
	}
	if len(e.stack) >= e.maxDepth {
		e.rangeErr("Maximum call stack size exceeded: the value is nested more than " + strconv.Itoa(e.maxDepth) + " levels deep")
	}
	e.stack = append(e.stack, obj)
}

func (e *encoder) pop() { e.stack = e.stack[:len(e.stack)-1] }

// maxOutput bounds the JSON of one value, as V8 bounds a string's length.
const maxOutput = 512 << 20

func (e *encoder) tooLong() {
	e.rangeErr("Invalid string length: the JSON of a value may have at most 512 MiB")
}

func (e *encoder) array(dst []byte, obj *goja.Object) []byte {
	e.push(obj)
	n := obj.Get("length").ToInteger()
	if 2*n > maxOutput {
		e.tooLong()
	}
	dst = append(dst, '[')
	for i := int64(0); i < n; i++ {
		if i > 0 {
			dst = append(dst, ',')
		}
		e.step(dst)
		var ok bool
		k := indexKey(i)
		dst, ok = e.value(dst, obj.Get(k), k)
		if !ok {
			dst = append(dst, "null"...)
		}
	}
	e.pop()
	return append(dst, ']')
}

func (e *encoder) plain(dst []byte, obj *goja.Object) []byte {
	if e.listed {
		return e.withKeys(dst, obj, e.keys)
	}
	keys := obj.Keys()
	for _, k := range keys {
		if strings.Contains(k, "\uFFFD") {
			// Perhaps a key with a lone surrogate, which a Go string cannot hold: let the VM write it.
			return e.fallback(dst, obj)
		}
	}
	return e.withKeys(dst, obj, keys)
}

// withKeys writes obj's members named by keys, in that order, leaving out those whose value has
// no JSON form.
func (e *encoder) withKeys(dst []byte, obj *goja.Object, keys []string) []byte {
	e.push(obj)
	dst = append(dst, '{')
	first := true
	for _, k := range keys {
		e.step(dst)
		mark := len(dst)
		if !first {
			dst = append(dst, ',')
		}
		dst = jsontext.AppendQuote(dst, k)
		dst = append(dst, ':')
		var ok bool
		dst, ok = e.value(dst, obj.Get(k), k)
		if !ok {
			dst = dst[:mark] // undefined, functions and symbols are left out
			continue
		}
		first = false
	}
	e.pop()
	return append(dst, '}')
}

// fallback encodes obj with the VM's own JSON.stringify.
func (e *encoder) fallback(dst []byte, obj *goja.Object) []byte {
	e.push(obj)
	r, err := e.stringify(goja.Undefined(), obj)
	e.pop()
	if err != nil {
		panic(err)
	}
	if goja.IsUndefined(r) {
		return append(dst, "null"...)
	}
	return append(dst, r.String()...)
}

var indexKeys = func() []string {
	k := make([]string, 1024)
	for i := range k {
		k[i] = strconv.Itoa(i)
	}
	return k
}()

func indexKey(i int64) string {
	if i < int64(len(indexKeys)) {
		return indexKeys[i]
	}
	return strconv.FormatInt(i, 10)
}
