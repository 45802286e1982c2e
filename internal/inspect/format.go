package inspect

import (
	"math"
	"strings"

	"github.com/dop251/goja"
)

// Format returns the text node's console.log(...args) would print, without
// the trailing newline. It follows util.format: if args[0] is a string it may
// contain the specifiers %s %d %i %f %j %o %O %c and %%; the remaining
// arguments are appended separated by single spaces, strings as they are and
// other values through Inspect.
//
// Format never panics and never lets a JavaScript exception escape.
func Format(vm *goja.Runtime, args []goja.Value) (out string) {
	if len(args) == 1 {
		if s, ok := args[0].(goja.String); ok {
			return s.String()
		}
	}
	if len(args) == 0 {
		return ""
	}
	var r *realm
	defer func() {
		if x := recover(); x != nil {
			if r != nil {
				r.panicError(x)
			}
			out = "[inspection failed]"
		}
		if r != nil {
			r.finish()
		}
	}()
	lazy := func() *realm {
		if r == nil {
			r = newRealm(vm)
		}
		return r
	}
	return format(lazy, args)
}

// format is node's formatWithOptionsInternal with no options.
func format(getRealm func() *realm, args []goja.Value) string {
	var b strings.Builder
	a := 0
	join := ""
	if first, ok := args[0].(goja.String); ok {
		f := first.String()
		lastPos := 0
		for i := 0; i < len(f)-1; i++ {
			if f[i] != '%' {
				continue
			}
			i++
			next := f[i]
			if a+1 != len(args) {
				var tempStr string
				switch next {
				case 's':
					a++
					tempStr = formatS(getRealm, args[a])
				case 'j':
					a++
					tempStr = getRealm().stringify(args[a])
				case 'd':
					a++
					tempStr = formatD(getRealm, args[a])
				case 'O':
					a++
					tempStr = inspectWith(getRealm, args[a], defaultOptions)
				case 'o':
					a++
					tempStr = inspectWith(getRealm, args[a], options{depth: 4, showHidden: true, showProxy: true})
				case 'i':
					a++
					tempStr = formatI(getRealm, args[a])
				case 'f':
					a++
					tempStr = formatF(getRealm, args[a])
				case 'c':
					a++
					tempStr = ""
				case '%':
					b.WriteString(f[lastPos:i])
					lastPos = i + 1
					continue
				default:
					continue
				}
				if lastPos != i-1 {
					b.WriteString(f[lastPos : i-1])
				}
				b.WriteString(tempStr)
				lastPos = i + 1
			} else if next == '%' {
				b.WriteString(f[lastPos:i])
				lastPos = i + 1
			}
		}
		if lastPos != 0 {
			a++
			join = " "
			if lastPos < len(f) {
				b.WriteString(f[lastPos:])
			}
		}
	}
	for ; a < len(args); a++ {
		v := args[a]
		b.WriteString(join)
		if s, ok := v.(goja.String); ok {
			b.WriteString(s.String())
		} else {
			b.WriteString(inspectWith(getRealm, v, defaultOptions))
		}
		join = " "
	}
	return toValidUTF8(b.String())
}

func inspectWith(getRealm func() *realm, v goja.Value, opts options) string {
	if s, ok := inspectPrimitive(v); ok {
		return s
	}
	return getRealm().inspect(v, opts)
}

// formatS implements %s.
func formatS(getRealm func() *realm, v goja.Value) string {
	switch {
	case v == nil || goja.IsUndefined(v):
		return "undefined"
	case goja.IsNull(v):
		return "null"
	case goja.IsNumber(v):
		return formatNumberValue(v)
	case goja.IsBigInt(v):
		return formatBigIntValue(v)
	}
	switch x := v.(type) {
	case goja.String:
		return x.String()
	case *goja.Symbol:
		return "Symbol(" + x.String() + ")"
	case *goja.Object:
		r := getRealm()
		if !isCallable(x) && r.hasBuiltInToString(x) {
			return r.inspect(x, options{depth: 0})
		}
		if s, ok := r.toString(x); ok {
			return s
		}
		return r.inspect(x, options{depth: 0})
	}
	return v.String()
}

// formatD implements %d: Number(v).
func formatD(getRealm func() *realm, v goja.Value) string {
	switch {
	case v == nil || goja.IsUndefined(v):
		return "NaN"
	case goja.IsBigInt(v):
		return formatBigIntValue(v)
	case goja.IsNumber(v):
		return formatNumberValue(v)
	}
	if _, ok := v.(*goja.Symbol); ok {
		return "NaN"
	}
	var n goja.Value
	if err := getRealm().try(func() { n = v.ToNumber() }); err != nil || n == nil {
		return "NaN"
	}
	if goja.IsBigInt(n) {
		return formatBigIntValue(n)
	}
	return formatNumber(n.ToFloat())
}

// formatI implements %i: parseInt(v).
func formatI(getRealm func() *realm, v goja.Value) string {
	if goja.IsBigInt(v) {
		return formatBigIntValue(v)
	}
	s, ok := stringForParse(getRealm, v)
	if !ok {
		return "NaN"
	}
	return formatNumber(parseInt(s))
}

// formatF implements %f: parseFloat(v).
func formatF(getRealm func() *realm, v goja.Value) string {
	s, ok := stringForParse(getRealm, v)
	if !ok {
		return "NaN"
	}
	return formatNumber(parseFloat(s))
}

// stringForParse is String(v) as parseInt/parseFloat see it; symbols fail.
func stringForParse(getRealm func() *realm, v goja.Value) (string, bool) {
	switch {
	case v == nil || goja.IsUndefined(v):
		return "undefined", true
	case goja.IsNull(v):
		return "null", true
	case goja.IsNumber(v):
		f := v.ToFloat()
		if f == 0 {
			return "0", true
		}
		if math.IsNaN(f) {
			return "NaN", true
		}
		return numberToString(f), true
	}
	switch x := v.(type) {
	case goja.String:
		return x.String(), true
	case *goja.Symbol:
		return "", false
	case *goja.Object:
		return getRealm().toString(x)
	}
	return v.String(), true
}

// hasBuiltInToString is node's hasBuiltInToString: whether String(v) would
// use a builtin toString / Symbol.toPrimitive, in which case %s inspects v.
func (r *realm) hasBuiltInToString(v *goja.Object) bool {
	if v.ExportType() == typeProxy {
		p, _ := v.Export().(goja.Proxy)
		if p.Target() == nil {
			return true
		}
		v = p.Target()
	}
	toStringKey := keyToString
	checkToString, checkToPrimitive := true, true
	if !isCallable(r.get(v, "toString")) {
		if !isCallable(r.getSym(v, goja.SymToPrimitive)) {
			return true
		} else if r.hasOwnFast(v, goja.SymToPrimitive) {
			return false
		}
		checkToString = false
	} else if r.hasOwnFast(v, toStringKey) {
		return false
	} else if !isCallable(r.getSym(v, goja.SymToPrimitive)) {
		checkToPrimitive = false
	} else if r.hasOwnFast(v, goja.SymToPrimitive) {
		return false
	}
	pointer := v
	for i := 0; ; i++ {
		pointer = r.proto(pointer)
		if pointer == nil || i >= maxChainLength {
			return true
		}
		if (checkToString && r.hasOwnFast(pointer, toStringKey)) ||
			(checkToPrimitive && r.hasOwnFast(pointer, goja.SymToPrimitive)) {
			break
		}
	}
	pc := r.ownConstructor(pointer)
	return pc.ctor != nil && builtInObjects[pc.name]
}
