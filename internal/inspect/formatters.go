package inspect

import (
	"math"
	"math/big"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/dop251/goja"
)

func (c *inspector) arrayLength(obj *goja.Object) int {
	v := c.r.get(obj, "length")
	if v == nil {
		return 0
	}
	n := v.ToInteger()
	if n < 0 {
		return 0
	}
	if n > math.MaxInt32*2 {
		n = math.MaxInt32 * 2
	}
	return int(n)
}

// isNumericElement reports whether typeof value[i] is 'number' or 'bigint',
// for entries past the formatted elements. It does not run getters.
func (c *inspector) isNumericElement(obj *goja.Object, i, length int) bool {
	if i >= length {
		return false
	}
	d, ok := c.r.ownProp(obj, c.r.vm.ToValue(strconv.Itoa(i)))
	if !ok || d.value == nil {
		return false
	}
	return goja.IsNumber(d.value) || goja.IsBigInt(d.value)
}

func remainingText(remaining int) string {
	s := "... " + strconv.Itoa(remaining) + " more item"
	if remaining > 1 {
		s += "s"
	}
	return s
}

func emptyItems(n int) string {
	s := "<" + strconv.Itoa(n) + " empty item"
	if n > 1 {
		s += "s"
	}
	return s + ">"
}

// formatArray is node's formatArray (with formatSpecialArray for holes). It
// also reports, per output entry, whether the element was a number or
// bigint, for groupArrayElements.
func (c *inspector) formatArray(obj *goja.Object, k kind, length, recurseTimes int) ([]string, []bool) {
	n := min(maxArrayLength, length)
	output := make([]string, 0, n+1)
	isNum := make([]bool, 0, n+1)
	if k == kindDynArray {
		for i := 0; i < n; i++ {
			v := c.r.get(obj, strconv.Itoa(i))
			if v == nil {
				v = goja.Undefined()
			}
			isNum = append(isNum, goja.IsNumber(v) || goja.IsBigInt(v))
			c.indentationLvl += 2
			output = append(output, c.formatValue(v, recurseTimes, false))
			c.indentationLvl -= 2
		}
	} else {
		for i := 0; i < n; i++ {
			d, ok := c.r.ownProp(obj, c.r.vm.ToValue(i))
			if !ok {
				out := c.formatSpecialArray(obj, length, recurseTimes, n, output, i)
				return out, isNum
			}
			isNum = append(isNum, d.value != nil && (goja.IsNumber(d.value) || goja.IsBigInt(d.value)))
			output = append(output, c.formatProperty(obj, recurseTimes, propKey{}, kArrayType, &d))
		}
	}
	if remaining := length - n; remaining > 0 {
		output = append(output, remainingText(remaining))
		isNum = append(isNum, c.isNumericElement(obj, n, length))
	}
	return output, isNum
}

// formatSpecialArray is node's formatSpecialArray for sparse arrays.
func (c *inspector) formatSpecialArray(obj *goja.Object, length, recurseTimes, maxLength int, output []string, i int) []string {
	var keys []string
	_ = c.r.try(func() { keys = obj.Keys() })
	index := i
	for ; i < len(keys) && len(output) < maxLength; i++ {
		key := keys[i]
		if !isNumberKey(key) {
			break
		}
		tmp, err := strconv.ParseFloat(key, 64)
		if err != nil || tmp > 1<<32-2 {
			break
		}
		if strconv.Itoa(index) != key {
			empty := int(tmp) - index
			output = append(output, emptyItems(empty))
			index = int(tmp)
			if len(output) == maxLength {
				break
			}
		}
		output = append(output, c.formatProperty(obj, recurseTimes, propKey{name: key}, kArrayType, nil))
		index++
	}
	remaining := length - index
	if len(output) != maxLength {
		if remaining > 0 {
			output = append(output, emptyItems(remaining))
		}
	} else if remaining > 0 {
		output = append(output, remainingText(remaining))
	}
	return output
}

func (c *inspector) formatTypedArray(obj *goja.Object, elems reflect.Value, length, recurseTimes int) []string {
	n := min(maxArrayLength, length)
	output := make([]string, 0, n+1)
	for i := 0; i < n; i++ {
		e := elems.Index(i)
		switch e.Kind() {
		case reflect.Int64:
			output = append(output, strconv.FormatInt(e.Int(), 10)+"n")
		case reflect.Uint64:
			output = append(output, strconv.FormatUint(e.Uint(), 10)+"n")
		case reflect.Int8, reflect.Int16, reflect.Int32:
			output = append(output, strconv.FormatInt(e.Int(), 10))
		case reflect.Uint8, reflect.Uint16, reflect.Uint32:
			output = append(output, strconv.FormatUint(e.Uint(), 10))
		case reflect.Float32, reflect.Float64:
			output = append(output, formatNumber(e.Float()))
		}
	}
	if remaining := length - n; remaining > 0 {
		output = append(output, remainingText(remaining))
	}
	if c.opts.showHidden {
		c.indentationLvl += 2
		for _, key := range []string{"BYTES_PER_ELEMENT", "length", "byteLength", "byteOffset", "buffer"} {
			v := c.r.get(obj, key)
			if v == nil {
				v = goja.Undefined()
			}
			output = append(output, "["+key+"]: "+c.formatValue(v, recurseTimes, true))
		}
		c.indentationLvl -= 2
	}
	return output
}

func formatArrayBuffer(ab goja.ArrayBuffer) []string {
	if ab.Detached() {
		return []string{"(detached)"}
	}
	data := ab.Bytes()
	n := min(maxArrayLength, len(data))
	const hex = "0123456789abcdef"
	b := make([]byte, 0, 3*n)
	for i := 0; i < n; i++ {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, hex[data[i]>>4], hex[data[i]&15])
	}
	str := string(b)
	if remaining := len(data) - maxArrayLength; remaining > 0 {
		str += " ... " + strconv.Itoa(remaining) + " more byte"
		if remaining > 1 {
			str += "s"
		}
	}
	return []string{"[Uint8Contents]: <" + str + ">"}
}

func (c *inspector) formatSet(obj *goja.Object, size, recurseTimes int) []string {
	n := min(maxArrayLength, size)
	values := c.r.iterate(c.r.setValues, obj, n)
	output := make([]string, 0, len(values)+1)
	c.indentationLvl += 2
	for _, v := range values {
		output = append(output, c.formatValue(v, recurseTimes, false))
	}
	if remaining := size - n; remaining > 0 {
		output = append(output, remainingText(remaining))
	}
	c.indentationLvl -= 2
	return output
}

func (c *inspector) formatMap(obj *goja.Object, size, recurseTimes int) []string {
	n := min(maxArrayLength, size)
	entries := c.r.iterate(c.r.mapEntries, obj, n)
	output := make([]string, 0, len(entries)+1)
	c.indentationLvl += 2
	for _, e := range entries {
		var key, val goja.Value = goja.Undefined(), goja.Undefined()
		if eo, ok := e.(*goja.Object); ok {
			_ = c.r.try(func() {
				key = eo.Get("0")
				val = eo.Get("1")
			})
		}
		output = append(output, c.formatValue(key, recurseTimes, false)+" => "+c.formatValue(val, recurseTimes, false))
	}
	if remaining := size - n; remaining > 0 {
		output = append(output, remainingText(remaining))
	}
	c.indentationLvl -= 2
	return output
}

func (c *inspector) formatPromise(obj *goja.Object, recurseTimes int) []string {
	p, ok := obj.Export().(*goja.Promise)
	if !ok || p.State() == goja.PromiseStatePending {
		return []string{"<pending>"}
	}
	c.indentationLvl += 2
	str := c.formatValue(p.Result(), recurseTimes, false)
	c.indentationLvl -= 2
	if p.State() == goja.PromiseStateRejected {
		return []string{"<rejected> " + str}
	}
	return []string{str}
}

func (c *inspector) regExpToString(obj *goja.Object) string {
	src, flags := "", ""
	if v := c.r.get(obj, "source"); v != nil {
		src, _ = c.r.toString(v)
	}
	if v := c.r.get(obj, "flags"); v != nil {
		flags, _ = c.r.toString(v)
	}
	return "/" + src + "/" + flags
}

// dateString is node's Date base: toISOString, or "Invalid Date".
func (c *inspector) dateString(obj *goja.Object) string {
	t, ok := obj.Export().(time.Time)
	if !ok {
		return "Invalid Date"
	}
	return isoString(t)
}

// isoString formats t as Date.prototype.toISOString does.
func isoString(t time.Time) string {
	t = t.UTC()
	y := t.Year()
	var year string
	switch {
	case y >= 0 && y <= 9999:
		year = pad(y, 4)
	case y < 0:
		year = "-" + pad(-y, 6)
	default:
		year = "+" + pad(y, 6)
	}
	return year + "-" + pad(int(t.Month()), 2) + "-" + pad(t.Day(), 2) + "T" +
		pad(t.Hour(), 2) + ":" + pad(t.Minute(), 2) + ":" + pad(t.Second(), 2) + "." +
		pad(t.Nanosecond()/1e6, 3) + "Z"
}

func pad(n, width int) string {
	s := strconv.Itoa(n)
	if len(s) < width {
		s = strings.Repeat("0", width-len(s)) + s
	}
	return s
}

// getBoxedBase is node's getBoxedBase for Number, String, Boolean, BigInt
// and Symbol wrapper objects.
func (c *inspector) getBoxedBase(obj *goja.Object, k kind, keys []propKey, constructor ctorName, tag string) (string, []propKey) {
	var typ, prim string
	exported := obj.Export()
	switch k {
	case kindNumberObject:
		typ = "Number"
		switch x := exported.(type) {
		case int64:
			prim = strconv.FormatInt(x, 10)
		case float64:
			prim = formatNumber(x)
		default:
			f := reflect.ValueOf(exported)
			switch {
			case f.CanInt():
				prim = strconv.FormatInt(f.Int(), 10)
			case f.CanUint():
				prim = strconv.FormatUint(f.Uint(), 10)
			case f.CanFloat():
				prim = formatNumber(f.Float())
			default:
				prim = "NaN"
			}
		}
	case kindStringObject:
		typ = "String"
		s, n := c.stringObjectValue(obj, exported)
		prim = strEscape(s)
		// Drop the index keys, as node does.
		if n > len(keys) {
			n = len(keys)
		}
		keys = keys[n:]
	case kindBooleanObject:
		typ = "Boolean"
		b, _ := exported.(bool)
		if v := reflect.ValueOf(exported); v.Kind() == reflect.Bool {
			b = v.Bool()
		}
		prim = strconv.FormatBool(b)
	case kindBigIntObject:
		typ = "BigInt"
		if b, ok := exported.(*big.Int); ok {
			prim = b.String() + "n"
		}
	default:
		typ = "Symbol"
		s, _ := exported.(string)
		prim = "Symbol(" + s + ")"
	}
	base := "[" + typ
	if !constructor.valid {
		base += " (null prototype)"
	} else if typ != constructor.name {
		base += " (" + constructor.name + ")"
	}
	base += ": " + prim + "]"
	if tag != "" && (!constructor.valid || tag != constructor.name) {
		base += " [" + tag + "]"
	}
	return base, keys
}

// stringObjectValue returns the primitive value of a String wrapper object
// and its length. goja's own String wrappers expose their characters as own
// index properties, which are read without running script code; Go strings
// wrapped by the runtime export directly.
func (c *inspector) stringObjectValue(obj *goja.Object, exported interface{}) (string, int) {
	if s, ok := exported.(string); ok {
		return s, jsLen(s)
	}
	if v := reflect.ValueOf(exported); v.Kind() == reflect.String {
		return v.String(), jsLen(v.String())
	}
	var units []uint16
	_ = c.r.try(func() {
		n := int(obj.Get("length").ToInteger())
		units = make([]uint16, 0, n)
		for i := 0; i < n; i++ {
			if ch, ok := obj.Get(strconv.Itoa(i)).(goja.String); ok && ch.Length() == 1 {
				units = append(units, ch.CharAt(0))
			}
		}
	})
	return jsString(goja.StringFromUTF16(units)), len(units)
}

// getFunctionBase is node's getFunctionBase (and getClassBase).
func (c *inspector) getFunctionBase(obj *goja.Object, constructor ctorName, tag, rawTag string) string {
	r := c.r
	if obj.ExportType() == typeCtor {
		return c.getClassBase(obj, constructor, tag)
	}
	typ := "Function"
	switch rawTag {
	case "GeneratorFunction", "AsyncFunction", "AsyncGeneratorFunction":
		typ = rawTag
	}
	base := "[" + typ
	if !constructor.valid {
		base += " (null prototype)"
	}
	nameVal := r.get(obj, "name")
	name := "undefined"
	if nameVal != nil {
		name, _ = r.toString(nameVal)
	}
	if name == "" {
		base += " (anonymous)"
	} else {
		base += ": " + name
	}
	base += "]"
	if constructor.valid && constructor.name != typ {
		base += " " + constructor.name
	}
	if tag != "" && (!constructor.valid || constructor.name != tag) {
		base += " [" + tag + "]"
	}
	return base
}

func (c *inspector) getClassBase(obj *goja.Object, constructor ctorName, tag string) string {
	r := c.r
	name := ""
	if r.hasOwnFast(obj, keyName) {
		if v := r.get(obj, "name"); v != nil && v.ToBoolean() {
			name, _ = r.toString(v)
		}
	}
	if name == "" {
		name = "(anonymous)"
	}
	base := "class " + name
	if constructor.valid && constructor.name != "Function" {
		base += " [" + constructor.name + "]"
	}
	if tag != "" && (!constructor.valid || constructor.name != tag) {
		base += " [" + tag + "]"
	}
	if constructor.valid {
		if p := r.proto(obj); p != nil {
			if sv := r.get(p, "name"); sv != nil && sv.ToBoolean() {
				superName, _ := r.toString(sv)
				base += " extends " + superName
			}
		}
	} else {
		base += " extends [null prototype]"
	}
	return "[" + base + "]"
}
