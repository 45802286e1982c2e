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
// null in arrays, toJSON honoured, boxed primitives unwrapped. A BigInt, a cycle, or nesting deeper
// than the limit is an error (a TypeError or RangeError, as in node).
type encoder struct {
	vm        *goja.Runtime
	maxDepth  int
	stack     []*goja.Object
	u16       []uint16
	stringify goja.Callable // JSON.stringify, for objects this encoder does not handle itself
}

func (e *encoder) init(vm *goja.Runtime, maxDepth int) {
	e.vm = vm
	e.maxDepth = maxDepth
}

var (
	typeInt64   = reflect.TypeOf(int64(0))
	typeFloat64 = reflect.TypeOf(float64(0))
	typeBool    = reflect.TypeOf(true)
	typeBigInt  = reflect.TypeOf((*big.Int)(nil))
)

// encodeError is an encoding failure with the JS error class it corresponds to.
type encodeError struct{ msg string }

func (e *encodeError) Error() string { return e.msg }

// encode appends the JSON of v (not undefined) to dst.
func (e *encoder) encode(dst []byte, v goja.Value) (out []byte, err error) {
	e.stack = e.stack[:0]
	var ok bool
	ex := e.vm.Try(func() {
		out, ok = e.value(dst, v, "")
	})
	if ex != nil {
		return dst, ex
	}
	if !ok {
		// A top-level function or symbol: JSON.stringify gives undefined.
		return append(dst, "null"...), nil
	}
	return out, nil
}

// throw raises a JS error of the given constructor inside the VM (so the stack is the script's).
func (e *encoder) throw(kind, msg string) {
	ctor, _ := e.vm.Get(kind).(*goja.Object)
	if ctor != nil {
		if obj, err := e.vm.New(ctor, e.vm.ToValue(msg)); err == nil {
			panic(obj)
		}
	}
	panic(e.vm.NewTypeError(msg))
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
				return e.value(dst, r, key)
			}
			x = ro
		}
		return e.object(dst, x)
	case goja.String:
		return e.str(dst, x), true
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
		e.throw("TypeError", "Do not know how to serialize a BigInt")
	}
	// A symbol.
	return dst, false
}

func (e *encoder) str(dst []byte, s goja.String) []byte {
	gs := s.String()
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
	case "Object", "Error", "Arguments":
		return e.plain(dst, obj), true
	case "Function", "AsyncFunction", "GeneratorFunction", "AsyncGeneratorFunction":
		return dst, false
	case "Number", "String", "Boolean", "BigInt":
		// Boxed primitives serialize as their primitive value.
		prim := obj.Export()
		switch p := prim.(type) {
		case *big.Int:
			e.throw("TypeError", "Do not know how to serialize a BigInt")
		case float64:
			return jsontext.AppendFloat(dst, p), true
		case int64:
			return strconv.AppendInt(dst, p, 10), true
		case bool:
			return strconv.AppendBool(dst, p), true
		case string:
			return e.str(dst, e.vm.ToValue(obj.String()).(goja.String)), true
		}
	}
	// Anything else (typed arrays, Map, Proxy, RegExp, ...): let the VM's JSON.stringify decide.
	return e.fallback(dst, obj)
}

func (e *encoder) push(obj *goja.Object) {
	for _, o := range e.stack {
		if o == obj {
			e.throw("TypeError", "Converting circular structure to JSON")
		}
	}
	if len(e.stack) >= e.maxDepth {
		e.throw("RangeError", "the result is nested more than "+strconv.Itoa(e.maxDepth)+" levels deep")
	}
	e.stack = append(e.stack, obj)
}

func (e *encoder) pop() { e.stack = e.stack[:len(e.stack)-1] }

func (e *encoder) array(dst []byte, obj *goja.Object) []byte {
	e.push(obj)
	n := obj.Get("length").ToInteger()
	dst = append(dst, '[')
	for i := int64(0); i < n; i++ {
		if i > 0 {
			dst = append(dst, ',')
		}
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
	e.push(obj)
	dst = append(dst, '{')
	first := true
	for _, k := range obj.Keys() {
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

// fallback encodes obj with the VM's JSON.stringify.
func (e *encoder) fallback(dst []byte, obj *goja.Object) ([]byte, bool) {
	if e.stringify == nil {
		json := e.vm.Get("JSON").(*goja.Object)
		e.stringify, _ = goja.AssertFunction(json.Get("stringify"))
	}
	e.push(obj)
	r, err := e.stringify(goja.Undefined(), obj)
	e.pop()
	if err != nil {
		panic(err)
	}
	if goja.IsUndefined(r) {
		return dst, false
	}
	return append(dst, r.String()...), true
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
