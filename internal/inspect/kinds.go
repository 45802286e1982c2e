package inspect

import (
	"reflect"
	"strconv"

	"github.com/dop251/goja"
)

// kind is what node's isXxx checks from internal/util/types determine.
type kind int

const (
	kindPlain kind = iota
	kindArray
	kindDynArray
	kindDynObject
	kindArguments
	kindFunction
	kindError
	kindRegExp
	kindDate
	kindMap
	kindSet
	kindTypedArray
	kindArrayBuffer
	kindPromise
	kindWeakMap
	kindWeakSet
	kindNumberObject
	kindStringObject
	kindBooleanObject
	kindBigIntObject
	kindSymbolObject
)

func (c *inspector) classify(obj *goja.Object) kind {
	t := obj.ExportType()
	switch obj.ClassName() {
	case "Array":
		if t != nil && t.Implements(typeDynArray) {
			return kindDynArray
		}
		return kindArray
	case "Function":
		return kindFunction
	case "Error":
		return kindError
	case "RegExp":
		return kindRegExp
	case "Date":
		return kindDate
	case "Number":
		return kindNumberObject
	case "String":
		return kindStringObject
	case "Boolean":
		return kindBooleanObject
	case "Arguments":
		return kindArguments
	}
	switch t {
	case typePlainExport:
		return c.classifyPlain(obj)
	case typeMapExport:
		return kindMap
	case typeArrayExport:
		return kindSet
	case typePromise:
		return kindPromise
	case typeArrayBuffer:
		return kindArrayBuffer
	case typeBigInt:
		return kindBigIntObject
	case typeString:
		return kindSymbolObject
	}
	if t == nil {
		return kindPlain
	}
	if _, ok := typedArrayNames[t]; ok {
		return kindTypedArray
	}
	if t.Kind() == reflect.Func && isCallable(obj) {
		return kindFunction
	}
	if t.Implements(typeDynObject) {
		return kindDynObject
	}
	return kindPlain
}

// classifyPlain tells ordinary objects from errors created without the
// Error constructor (Object.create(Error.prototype)) and weak collections.
func (c *inspector) classifyPlain(obj *goja.Object) kind {
	p := c.r.proto(obj)
	if p == nil || p == c.r.getObjectProto() {
		return kindPlain
	}
	if c.r.chainHas(obj, c.r.getErrorProto()) {
		return kindError
	}
	if c.r.isWeak(obj, true) {
		return kindWeakMap
	}
	if c.r.isWeak(obj, false) {
		return kindWeakSet
	}
	return kindPlain
}

// internalConstructorName approximates V8's GetConstructorName, which node
// uses when the prototype chain gives no constructor.
func internalConstructorName(obj *goja.Object, k kind) string {
	switch k {
	case kindArray, kindDynArray:
		return "Array"
	case kindFunction:
		return "Function"
	case kindError:
		return "Error"
	case kindRegExp:
		return "RegExp"
	case kindDate:
		return "Date"
	case kindMap:
		return "Map"
	case kindSet:
		return "Set"
	case kindPromise:
		return "Promise"
	case kindArrayBuffer:
		return "ArrayBuffer"
	case kindTypedArray:
		return typedArrayNames[obj.ExportType()]
	case kindNumberObject:
		return "Number"
	case kindStringObject:
		return "String"
	case kindBooleanObject:
		return "Boolean"
	case kindBigIntObject:
		return "BigInt"
	case kindSymbolObject:
		return "Symbol"
	case kindWeakMap:
		return "WeakMap"
	case kindWeakSet:
		return "WeakSet"
	}
	return "Object"
}

// ctorName is the result of getConstructorName: a name, or null.
type ctorName struct {
	name  string
	valid bool
}

// getConstructorName is node's getConstructorName. When protoProps is not
// nil, properties of user prototypes are appended to it (showHidden).
func (c *inspector) getConstructorName(obj *goja.Object, k kind, recurseTimes int, protoProps *[]string) ctorName {
	r := c.r
	var firstProto *goja.Object
	firstProtoSet := false
	tmp := obj
	o := obj
	_, dynamic := c.dynamicObject(obj, k)
	for i := 0; o != nil && i < maxChainLength; i++ {
		if i > 0 && (o == r.getObjectProto() || (o.ClassName() == "Function" && o == r.getFunctionProto())) {
			// node's wellKnownPrototypes: Object and Function are reported
			// by name even if their `constructor` was tampered with.
			if protoProps != nil && firstProto != o {
				c.addPrototypeProperties(tmp, firstProtoOr(firstProto, tmp), recurseTimes, protoProps)
			}
			if o == r.getObjectProto() {
				return ctorName{"Object", true}
			}
			return ctorName{"Function", true}
		}
		var pc protoCtor
		switch {
		case i > 0:
			pc = r.protoConstructor(o)
		case dynamic:
			// A Go-backed dynamic object has no own "constructor" with a
			// function value.
		case r.hasOwnFast(o, keyConstructor):
			pc = r.ownConstructor(o)
		}
		if pc.ctor != nil && pc.name != "" && r.instanceOf(tmp, pc.ctor) {
			if protoProps != nil && (firstProto != o || !builtInObjects[pc.name]) {
				c.addPrototypeProperties(tmp, firstProtoOr(firstProto, tmp), recurseTimes, protoProps)
			}
			return ctorName{pc.name, true}
		}
		o = r.proto(o)
		if !firstProtoSet {
			firstProto = o
			firstProtoSet = true
		}
	}
	if firstProto == nil {
		return ctorName{}
	}
	res := internalConstructorName(tmp, k)
	if recurseTimes > c.opts.depth {
		return ctorName{res + " <Complex prototype>", true}
	}
	protoConstr := c.getConstructorName(firstProto, c.classify(firstProto), recurseTimes+1, protoProps)
	if !protoConstr.valid {
		sub := &inspector{r: r, opts: options{depth: -1, showHidden: c.opts.showHidden, showProxy: c.opts.showProxy}}
		return ctorName{res + " <" + sub.formatValue(firstProto, 0, false) + ">", true}
	}
	return ctorName{res + " <" + protoConstr.name + ">", true}
}

func firstProtoOr(p, o *goja.Object) *goja.Object {
	if p != nil {
		return p
	}
	return o
}

// addPrototypeProperties lists non-function properties of user-defined
// prototypes (up to three levels) when showHidden is set.
func (c *inspector) addPrototypeProperties(main, obj *goja.Object, recurseTimes int, output *[]string) {
	r := c.r
	var keySet map[string]bool
	var prevKeys []propKey
	for depth := 0; depth < 3; depth++ {
		if depth != 0 || main == obj {
			obj = r.proto(obj)
			if obj == nil {
				return
			}
			if pc := r.ownConstructor(obj); pc.ctor != nil && builtInObjects[pc.name] {
				return
			}
		}
		if depth == 0 {
			keySet = map[string]bool{}
		} else {
			for _, k := range prevKeys {
				keySet[k.id()] = true
			}
		}
		keys := c.ownKeys(obj, true, false)
		prevKeys = keys
		c.seen = append(c.seen, main)
		for _, key := range keys {
			if key.sym == nil && key.name == "constructor" {
				continue
			}
			if r.hasOwnFast(main, key.value(r)) || (depth != 0 && keySet[key.id()]) {
				continue
			}
			d, ok := r.ownProp(obj, key.value(r))
			if !ok || (d.value != nil && isCallable(d.value)) {
				continue
			}
			*output = append(*output, c.formatProperty(obj, recurseTimes, key, kObjectType, &d))
		}
		c.seen = c.seen[:len(c.seen)-1]
	}
}

// propKey is a property key: a string or a symbol.
type propKey struct {
	name string
	sym  *goja.Symbol
}

func (k propKey) value(r *realm) goja.Value {
	if k.sym != nil {
		return k.sym
	}
	return r.vm.ToValue(k.name)
}

// id identifies a key inside one object's key set.
func (k propKey) id() string {
	if k.sym != nil {
		return "\x00sym:" + strconv.FormatUint(uint64(reflect.ValueOf(k.sym).Pointer()), 16)
	}
	return k.name
}

// ownKeys returns own keys like node's getKeys: enumerable string keys and
// enumerable symbols, or all own keys when all is set. With nonIndex, array
// index keys are left out (getOwnNonIndexProperties).
func (c *inspector) ownKeys(obj *goja.Object, all, nonIndex bool) []propKey {
	r := c.r
	var names []string
	var syms []*goja.Symbol
	// Listing the keys of a big array is dominated by its index keys;
	// GetOwnPropertyNames lists them faster than Keys, which checks each
	// one's enumerability.
	bigArray := nonIndex && !all && c.arrayLength(obj) > 64
	_ = r.try(func() {
		if all || bigArray {
			names = obj.GetOwnPropertyNames()
		} else {
			names = obj.Keys()
		}
	})
	if all {
		syms = r.ownSymbols(obj)
	} else {
		_ = r.try(func() { syms = obj.Symbols() })
	}
	keys := make([]propKey, 0, len(syms)+4)
	for _, n := range names {
		if nonIndex && isArrayIndexKey(n) {
			continue
		}
		if bigArray {
			if n == "length" && obj.ClassName() == "Array" {
				continue
			}
			if d, ok := r.ownProp(obj, r.vm.ToValue(n)); !ok || !d.enumerable {
				continue
			}
		}
		keys = append(keys, propKey{name: n})
	}
	for _, s := range syms {
		keys = append(keys, propKey{sym: s})
	}
	return keys
}

// dynamicObject returns the handler of a goja dynamic object (one created
// by Runtime.NewDynamicObject), whose properties are all enumerable data
// properties served by Go code.
func (c *inspector) dynamicObject(obj *goja.Object, k kind) (goja.DynamicObject, bool) {
	if k != kindDynObject {
		return nil, false
	}
	d, ok := obj.Export().(goja.DynamicObject)
	return d, ok
}

// getKeys is node's getKeys.
func (c *inspector) getKeys(obj *goja.Object, k kind) []propKey {
	if d, ok := c.dynamicObject(obj, k); ok && !c.opts.showHidden {
		var names []string
		_ = c.r.try(func() { names = d.Keys() })
		keys := make([]propKey, len(names))
		for i, n := range names {
			keys[i] = propKey{name: n}
		}
		return keys
	}
	return c.ownKeys(obj, c.opts.showHidden, false)
}

// getTag reads value[Symbol.toStringTag] and keeps it only when it is a
// non-empty string that is not an own enumerable (own, with showHidden)
// property.
func (c *inspector) getTag(obj *goja.Object, k kind) (tag, raw string) {
	if k == kindDynObject {
		return "", ""
	}
	v := c.r.getSym(obj, goja.SymToStringTag)
	s, ok := v.(goja.String)
	if !ok {
		return "", ""
	}
	raw = jsString(s)
	if raw == "" {
		return "", ""
	}
	if d, own := c.r.ownProp(obj, goja.SymToStringTag); own && (c.opts.showHidden || d.enumerable) {
		return "", raw
	}
	return raw, raw
}

func getPrefix(constructor ctorName, tag, fallback, size string) string {
	if !constructor.valid {
		if tag != "" && fallback != tag {
			return "[" + fallback + size + ": null prototype] [" + tag + "] "
		}
		return "[" + fallback + size + ": null prototype] "
	}
	if tag != "" && constructor.name != tag {
		return constructor.name + size + " [" + tag + "] "
	}
	return constructor.name + size + " "
}

func getCtxStyle(obj *goja.Object, k kind, constructor ctorName, tag string) string {
	fallback := ""
	if !constructor.valid {
		fallback = internalConstructorName(obj, k)
		if fallback == tag {
			fallback = "Object"
		}
	}
	return getPrefix(constructor, tag, fallback, "")
}
