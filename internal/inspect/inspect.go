package inspect

import (
	"math/big"
	"reflect"
	"strconv"
	"strings"

	"github.com/dop251/goja"
)

// Node's inspect defaults that this package does not let callers change.
const (
	breakLength     = 80
	compactLevel    = 3
	maxArrayLength  = 100
	maxStringLength = 10000
	minLineLength   = 16 // node's kMinLineLength
	budgetLimit     = 1 << 27
)

// Property kinds of node's formatProperty.
const (
	kObjectType = iota
	kArrayType
	kArrayExtrasType
)

// options are the util.inspect options the console format specifiers vary.
type options struct {
	depth      int
	showHidden bool
	showProxy  bool
}

var defaultOptions = options{depth: 2}

// Inspect returns util.inspect(v) with node's default options.
func Inspect(vm *goja.Runtime, v goja.Value) (out string) {
	if s, ok := inspectPrimitive(v); ok {
		return s
	}
	r := newRealm(vm)
	defer r.finish()
	defer func() {
		if x := recover(); x != nil {
			r.panicError(x)
			out = "[inspection failed]"
		}
	}()
	return toValidUTF8(r.inspect(v, defaultOptions))
}

// inspectPrimitive formats primitives without touching the VM.
func inspectPrimitive(v goja.Value) (string, bool) {
	if _, isObj := v.(*goja.Object); isObj {
		return "", false
	}
	return formatPrimitive(v, 0), true
}

// inspector is the state of one util.inspect call (node's ctx).
type inspector struct {
	r              *realm
	opts           options
	indentationLvl int
	currentDepth   int
	seen           []*goja.Object
	circular       map[*goja.Object]int
	budget         map[int]int
}

func (r *realm) inspect(v goja.Value, opts options) string {
	c := &inspector{r: r, opts: opts}
	return c.formatValue(v, 0, false)
}

// formatPrimitive implements node's formatPrimitive for non-object values.
func formatPrimitive(v goja.Value, indentationLvl int) string {
	switch {
	case v == nil || goja.IsUndefined(v):
		return "undefined"
	case goja.IsNull(v):
		return "null"
	}
	switch x := v.(type) {
	case goja.String:
		return formatString(jsString(x), indentationLvl)
	case *goja.Symbol:
		return "Symbol(" + x.String() + ")"
	}
	if goja.IsNumber(v) {
		return formatNumberValue(v)
	}
	if goja.IsBigInt(v) {
		return formatBigIntValue(v)
	}
	if t := v.ExportType(); t != nil && t.Kind() == reflect.Bool {
		if v.ToBoolean() {
			return "true"
		}
		return "false"
	}
	return v.String()
}

func formatNumberValue(v goja.Value) string {
	if t := v.ExportType(); t != nil && t.Kind() == reflect.Int64 {
		// goja keeps integral numbers as int64; beyond 2^53 JavaScript
		// prints the float64 value.
		if n := v.ToInteger(); n > -1<<53 && n < 1<<53 {
			return strconv.FormatInt(n, 10)
		}
	}
	return formatNumber(v.ToFloat())
}

func formatBigIntValue(v goja.Value) string {
	if b, ok := v.Export().(*big.Int); ok {
		return b.String() + "n"
	}
	return v.String() + "n"
}

// formatString quotes a string value; long strings are split after line
// breaks and joined with " +\n" as node does.
func formatString(s string, indentationLvl int) string {
	trailer := ""
	n := jsLen(s)
	if n > maxStringLength {
		remaining := n - maxStringLength
		s = jsSlice(s, maxStringLength)
		n = maxStringLength
		trailer = "... " + strconv.Itoa(remaining) + " more character"
		if remaining > 1 {
			trailer += "s"
		}
	}
	if n > minLineLength && n > breakLength-indentationLvl-4 && strings.IndexByte(s, '\n') >= 0 {
		var b strings.Builder
		sep := " +\n" + strings.Repeat(" ", indentationLvl+2)
		start := 0
		first := true
		for start < len(s) {
			end := strings.IndexByte(s[start:], '\n')
			if end < 0 {
				end = len(s)
			} else {
				end += start + 1
			}
			if !first {
				b.WriteString(sep)
			}
			first = false
			b.WriteString(strEscape(s[start:end]))
			start = end
		}
		return b.String() + trailer
	}
	return strEscape(s) + trailer
}

// formatValue is node's formatValue.
func (c *inspector) formatValue(v goja.Value, recurseTimes int, typedArray bool) string {
	obj, ok := v.(*goja.Object)
	if !ok {
		return formatPrimitive(v, c.indentationLvl)
	}
	if obj.ExportType() == typeProxy {
		p, _ := obj.Export().(goja.Proxy)
		target := p.Target()
		if target == nil {
			return "<Revoked Proxy>"
		}
		if c.opts.showProxy {
			return c.formatProxy(p, recurseTimes)
		}
		// Print the innermost target: no trap of any proxy on the way runs.
		for i := 0; i < maxChainLength && target.ExportType() == typeProxy; i++ {
			inner, _ := target.Export().(goja.Proxy)
			if inner.Target() == nil {
				return "<Revoked Proxy>"
			}
			target = inner.Target()
		}
		obj = target
	}
	for _, s := range c.seen {
		if s == obj {
			if c.circular == nil {
				c.circular = map[*goja.Object]int{}
			}
			index, ok := c.circular[obj]
			if !ok {
				index = len(c.circular) + 1
				c.circular[obj] = index
			}
			return "[Circular *" + strconv.Itoa(index) + "]"
		}
	}
	return c.formatRaw(obj, recurseTimes, typedArray)
}

func (c *inspector) formatProxy(p goja.Proxy, recurseTimes int) string {
	if recurseTimes > c.opts.depth {
		return "Proxy [Array]"
	}
	recurseTimes++
	c.indentationLvl += 2
	var target, handler goja.Value = goja.Null(), goja.Null()
	if t := p.Target(); t != nil {
		target = t
	}
	if h := p.Handler(); h != nil {
		handler = h
	}
	res := []string{
		c.formatValue(target, recurseTimes, false),
		c.formatValue(handler, recurseTimes, false),
	}
	c.indentationLvl -= 2
	return c.reduceToSingleString(res, "", [2]string{"Proxy [", "]"}, kArrayExtrasType, recurseTimes, nil)
}

// formatter produces the entries of an object before its own properties.
type formatter func(recurseTimes int) []string

// formatRaw is node's formatRaw.
func (c *inspector) formatRaw(obj *goja.Object, recurseTimes int, typedArray bool) string {
	r := c.r
	k := c.classify(obj)

	var protoProps []string
	var protoPropsPtr *[]string
	if c.opts.showHidden && recurseTimes <= c.opts.depth {
		protoPropsPtr = &protoProps
	}
	constructor := c.getConstructorName(obj, k, recurseTimes, protoPropsPtr)
	hasProtoProps := len(protoProps) > 0

	tag, rawTag := c.getTag(obj, k)

	var keys []propKey
	base := ""
	var format formatter = func(int) []string { return nil }
	braces := [2]string{"{", "}"}
	extrasType := kObjectType
	var groupValue func(i int) bool // reports whether entry i is a number or bigint
	noIterator := false

	switch k {
	case kindArray, kindDynArray:
		length := c.arrayLength(obj)
		prefix := ""
		if !constructor.valid || constructor.name != "Array" || tag != "" {
			prefix = getPrefix(constructor, tag, "Array", "("+strconv.Itoa(length)+")")
		}
		if k == kindDynArray {
			if c.opts.showHidden {
				keys = []propKey{{name: "length"}}
			}
		} else {
			keys = c.ownKeys(obj, c.opts.showHidden, true)
		}
		braces = [2]string{prefix + "[", "]"}
		if length == 0 && len(keys) == 0 && !hasProtoProps {
			return braces[0] + "]"
		}
		extrasType = kArrayExtrasType
		var isNum []bool
		format = func(rt int) []string {
			out, nums := c.formatArray(obj, k, length, rt)
			isNum = nums
			return out
		}
		groupValue = func(i int) bool {
			if i < len(isNum) {
				return isNum[i]
			}
			return c.isNumericElement(obj, i, length)
		}
	case kindSet:
		r.resolveSet()
		size := r.callSize(r.setSize, obj)
		prefix := getPrefix(constructor, tag, "Set", "("+strconv.Itoa(size)+")")
		keys = c.getKeys(obj, k)
		format = func(rt int) []string { return c.formatSet(obj, size, rt) }
		if size == 0 && len(keys) == 0 && !hasProtoProps {
			return prefix + "{}"
		}
		braces = [2]string{prefix + "{", "}"}
	case kindMap:
		r.resolveMap()
		size := r.callSize(r.mapSize, obj)
		prefix := getPrefix(constructor, tag, "Map", "("+strconv.Itoa(size)+")")
		keys = c.getKeys(obj, k)
		format = func(rt int) []string { return c.formatMap(obj, size, rt) }
		if size == 0 && len(keys) == 0 && !hasProtoProps {
			return prefix + "{}"
		}
		braces = [2]string{prefix + "{", "}"}
	case kindTypedArray:
		keys = c.ownKeys(obj, c.opts.showHidden, true)
		fallback := ""
		if !constructor.valid {
			fallback = typedArrayNames[obj.ExportType()]
		}
		elems := reflect.ValueOf(obj.Export())
		size := 0
		if elems.Kind() == reflect.Slice {
			size = elems.Len()
		}
		prefix := getPrefix(constructor, tag, fallback, "("+strconv.Itoa(size)+")")
		braces = [2]string{prefix + "[", "]"}
		if size == 0 && len(keys) == 0 && !c.opts.showHidden {
			return braces[0] + "]"
		}
		format = func(rt int) []string { return c.formatTypedArray(obj, elems, size, rt) }
		extrasType = kArrayExtrasType
		groupValue = func(i int) bool { return i < size }
	default:
		noIterator = true
	}

	if noIterator {
		keys = c.getKeys(obj, k)
		braces = [2]string{"{", "}"}
		switch {
		case k == kindFunction:
			base = c.getFunctionBase(obj, constructor, tag, rawTag)
			if len(keys) == 0 && !hasProtoProps {
				return base
			}
		case constructor.valid && constructor.name == "Object":
			if k == kindArguments {
				braces[0] = "[Arguments] {"
			} else if tag != "" {
				braces[0] = getPrefix(constructor, tag, "Object", "") + "{"
			}
			if len(keys) == 0 && !hasProtoProps {
				return braces[0] + "}"
			}
		case k == kindRegExp:
			base = c.regExpToString(obj)
			if prefix := getPrefix(constructor, tag, "RegExp", ""); prefix != "RegExp " {
				base = prefix + base
			}
			if (len(keys) == 0 && !hasProtoProps) || recurseTimes > c.opts.depth {
				return base
			}
		case k == kindDate:
			base = c.dateString(obj)
			if prefix := getPrefix(constructor, tag, "Date", ""); prefix != "Date " {
				base = prefix + base
			}
			if len(keys) == 0 && !hasProtoProps {
				return base
			}
		case k == kindError:
			base, keys = c.formatError(obj, constructor, tag, keys)
			if len(keys) == 0 && !hasProtoProps {
				return base
			}
		case k == kindArrayBuffer:
			prefix := getPrefix(constructor, tag, "ArrayBuffer", "")
			ab, _ := obj.Export().(goja.ArrayBuffer)
			if !typedArray {
				format = func(int) []string { return formatArrayBuffer(ab) }
			} else if len(keys) == 0 && !hasProtoProps {
				return prefix + "{ byteLength: " + strconv.Itoa(len(ab.Bytes())) + " }"
			}
			braces[0] = prefix + "{"
			keys = append([]propKey{{name: "byteLength"}}, keys...)
		case k == kindPromise:
			braces[0] = getPrefix(constructor, tag, "Promise", "") + "{"
			format = func(rt int) []string { return c.formatPromise(obj, rt) }
		case k == kindWeakSet:
			braces[0] = getPrefix(constructor, tag, "WeakSet", "") + "{"
			format = func(int) []string { return []string{"<items unknown>"} }
		case k == kindWeakMap:
			braces[0] = getPrefix(constructor, tag, "WeakMap", "") + "{"
			format = func(int) []string { return []string{"<items unknown>"} }
		case k == kindNumberObject || k == kindStringObject || k == kindBooleanObject || k == kindBigIntObject || k == kindSymbolObject:
			base, keys = c.getBoxedBase(obj, k, keys, constructor, tag)
			if len(keys) == 0 && !hasProtoProps {
				return base
			}
		default:
			if len(keys) == 0 && !hasProtoProps {
				return getCtxStyle(obj, k, constructor, tag) + "{}"
			}
			braces[0] = getCtxStyle(obj, k, constructor, tag) + "{"
		}
	}

	if recurseTimes > c.opts.depth {
		name := getCtxStyle(obj, k, constructor, tag)
		name = name[:len(name)-1]
		if constructor.valid {
			name = "[" + name + "]"
		}
		return name
	}
	recurseTimes++

	c.seen = append(c.seen, obj)
	c.currentDepth = recurseTimes
	output := format(recurseTimes)
	dyn, _ := c.dynamicObject(obj, k)
	for _, key := range keys {
		output = append(output, c.formatPropertyOf(obj, dyn, recurseTimes, key, extrasType, nil))
	}
	output = append(output, protoProps...)

	if c.circular != nil {
		if index, ok := c.circular[obj]; ok {
			reference := "<ref *" + strconv.Itoa(index) + ">"
			if base == "" {
				base = reference
			} else {
				base = reference + " " + base
			}
		}
	}
	c.seen = c.seen[:len(c.seen)-1]

	res := c.reduceToSingleString(output, base, braces, extrasType, recurseTimes, groupValue)
	if c.budget == nil {
		c.budget = map[int]int{}
	}
	newLength := c.budget[c.indentationLvl] + len(res)
	c.budget[c.indentationLvl] = newLength
	if newLength > budgetLimit {
		c.opts.depth = -1
	}
	return res
}

// formatProperty is node's formatProperty. d is the property's descriptor
// when the caller already has it.
func (c *inspector) formatProperty(obj *goja.Object, recurseTimes int, key propKey, typ int, d *desc) string {
	return c.formatPropertyOf(obj, nil, recurseTimes, key, typ, d)
}

// formatPropertyOf is formatProperty for an object that may be a dynamic
// object with handler dyn. For typ kArrayType the key is not used.
func (c *inspector) formatPropertyOf(obj *goja.Object, dyn goja.DynamicObject, recurseTimes int, key propKey, typ int, d *desc) string {
	r := c.r
	var dd desc
	if d != nil {
		dd = *d
	} else if dyn != nil && key.sym == nil {
		var v goja.Value
		_ = r.try(func() { v = dyn.Get(key.name) })
		dd = desc{value: v, enumerable: true}
	} else if got, ok := r.ownProp(obj, key.value(r)); ok {
		dd = got
	} else {
		var v goja.Value
		if key.sym != nil {
			v = r.getSym(obj, key.sym)
		} else if key.name == "byteLength" && obj.ExportType() == typeArrayBuffer {
			ab, _ := obj.Export().(goja.ArrayBuffer)
			v = r.vm.ToValue(len(ab.Bytes()))
		} else {
			v = r.get(obj, key.name)
		}
		dd = desc{value: v, enumerable: true}
	}
	var str string
	switch {
	case !isUndef(dd.value):
		c.indentationLvl += 2
		str = c.formatValue(dd.value, recurseTimes, false)
		c.indentationLvl -= 2
	case dd.get != nil:
		if dd.set != nil {
			str = "[Getter/Setter]"
		} else {
			str = "[Getter]"
		}
	case dd.set != nil:
		str = "[Setter]"
	default:
		str = "undefined"
	}
	if typ == kArrayType {
		return str
	}
	var name string
	switch {
	case key.sym != nil:
		name = "[" + escapeNoQuotes("Symbol("+jsString(key.sym)+")") + "]"
	case key.name == "__proto__":
		name = "['__proto__']"
	case !dd.enumerable:
		name = "[" + escapeNoQuotes(key.name) + "]"
	case isIdentifierKey(key.name):
		name = key.name
	default:
		name = strEscape(key.name)
	}
	return name + ": " + str
}
