package jsbridge

import (
	"bytes"
	"errors"
	"math"
	"strconv"

	"github.com/dop251/goja"

	"github.com/jsmap/jsmap/internal/jsontext"
)

// decoder builds native JS values from JSON text, as JSON.parse would: objects keep their key order
// (integer-like keys first, as for any object), a repeated key keeps its first position and its last
// value, "__proto__" is an ordinary own property, numbers are IEEE doubles (-0 included), and \u
// escapes that are lone surrogates stay in the string.
//
// It expects valid JSON (the engine validates every element first); on anything else it returns an
// error rather than guessing.
type decoder struct {
	vm   *goja.Runtime
	keys map[string]string     // interned object keys
	strs map[string]goja.Value // interned short string values
	// shapes maps a first key to the keys of the last object seen with it (see lazyObject.scan).
	shapes    map[string]*shape
	lastShape *shape
	items     []any // a stack of array items under construction
	buf       []byte
	u16       []uint16
	// define creates a data property with any JS string as key (captured before scripts run).
	define goja.Callable
}

var errMalformed = errors.New("malformed JSON element")

func (d *decoder) init(vm *goja.Runtime) {
	d.vm = vm
	d.keys = make(map[string]string, 64)
	d.strs = make(map[string]goja.Value, 64)
	d.shapes = make(map[string]*shape, 8)
	if v, err := vm.RunString(`((dp) => (o, k, v) => { dp(o, k, {value: v, writable: true, enumerable: true, configurable: true}) })(Object.defineProperty)`); err == nil {
		d.define, _ = goja.AssertFunction(v)
	}
}

const (
	maxCachedString  = 16
	maxCachedStrings = 4096
)

// decode converts one JSON value.
func (d *decoder) decode(b []byte) (v goja.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(goja.Value); ok {
				panic(r)
			}
			v, err = nil, errMalformed
		}
	}()
	i := skipWS(b, 0)
	v, i = d.value(b, i)
	if skipWS(b, i) != len(b) {
		return nil, errMalformed
	}
	return v, nil
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t') {
		i++
	}
	return i
}

func (d *decoder) value(b []byte, i int) (goja.Value, int) {
	switch c := b[i]; c {
	case '{':
		obj := d.vm.NewObject()
		i = skipWS(b, i+1)
		if b[i] == '}' {
			return obj, i + 1
		}
		for {
			if b[i] != '"' {
				panic(errMalformed)
			}
			j := stringEnd(b, i)
			keyStart, keyEnd := i, j
			key := d.key(b[i:j])
			i = skipWS(b, j)
			if b[i] != ':' {
				panic(errMalformed)
			}
			var v goja.Value
			v, i = d.value(b, skipWS(b, i+1))
			switch {
			case key == "__proto__":
				obj.DefineDataProperty(key, v, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
			case d.define != nil && jsontext.NeedsUTF16(b[keyStart:keyEnd]):
				// A key with a lone surrogate: only a JS string can hold it.
				d.u16 = jsontext.UnquoteUTF16(d.u16[:0], b[keyStart:keyEnd])
				if _, err := d.define(goja.Undefined(), obj, goja.StringFromUTF16(d.u16), v); err != nil {
					panic(err)
				}
			default:
				obj.Set(key, v)
			}
			i = skipWS(b, i)
			if b[i] == ',' {
				i = skipWS(b, i+1)
				continue
			}
			if b[i] != '}' {
				panic(errMalformed)
			}
			return obj, i + 1
		}
	case '[':
		base := len(d.items)
		i = skipWS(b, i+1)
		if b[i] != ']' {
			for {
				var v goja.Value
				v, i = d.value(b, i)
				d.items = append(d.items, v)
				i = skipWS(b, i)
				if b[i] == ',' {
					i = skipWS(b, i+1)
					continue
				}
				if b[i] != ']' {
					panic(errMalformed)
				}
				break
			}
		}
		arr := d.vm.NewArray(d.items[base:]...)
		clear(d.items[base:])
		d.items = d.items[:base]
		return arr, i + 1
	case '"':
		j := stringEnd(b, i)
		return d.str(b[i:j]), j
	case 't':
		if !bytes.HasPrefix(b[i:], litTrue) {
			panic(errMalformed)
		}
		return valTrue, i + 4
	case 'f':
		if !bytes.HasPrefix(b[i:], litFalse) {
			panic(errMalformed)
		}
		return valFalse, i + 5
	case 'n':
		if !bytes.HasPrefix(b[i:], litNull) {
			panic(errMalformed)
		}
		return goja.Null(), i + 4
	default:
		j := i
		for j < len(b) && isNumByte[b[j]] {
			j++
		}
		if j == i {
			panic(errMalformed)
		}
		return d.number(b[i:j]), j
	}
}

var (
	litTrue   = []byte("true")
	litFalse  = []byte("false")
	litNull   = []byte("null")
	valTrue   goja.Value
	valFalse  goja.Value
	negZero   = math.Copysign(0, -1)
	isNumByte [256]bool
)

func init() {
	vm := goja.New()
	valTrue = vm.ToValue(true)
	valFalse = vm.ToValue(false)
	for _, c := range []byte("0123456789+-.eE") {
		isNumByte[c] = true
	}
}

// stringEnd returns the offset just past the string literal starting at b[i].
func stringEnd(b []byte, i int) int {
	j := i + 1
	for {
		k := bytes.IndexByte(b[j:], '"')
		if k < 0 {
			panic(errMalformed)
		}
		q := j + k
		bs := 0
		for p := q - 1; p > i && b[p] == '\\'; p-- {
			bs++
		}
		if bs%2 == 0 {
			return q + 1
		}
		j = q + 1
	}
}

// key returns an object key's text, interned: the same keys recur in every element.
func (d *decoder) key(lit []byte) string {
	body := lit[1 : len(lit)-1]
	if bytes.IndexByte(body, '\\') >= 0 {
		d.buf = jsontext.Unquote(d.buf[:0], lit)
		if jsontext.NeedsUTF16(lit) {
			// A key with a lone surrogate: goja keys are Go strings; keep the replacement character.
			return string(d.buf)
		}
		return string(d.buf)
	}
	if s, ok := d.keys[string(body)]; ok {
		return s
	}
	s := string(body)
	if len(d.keys) < 4096 {
		d.keys[s] = s
	}
	return s
}

// str converts a string literal.
func (d *decoder) str(lit []byte) goja.Value {
	body := lit[1 : len(lit)-1]
	if bytes.IndexByte(body, '\\') < 0 {
		if len(body) <= maxCachedString {
			// Short strings recur (tags, states, codes): share one immutable JS value.
			if v, ok := d.strs[string(body)]; ok {
				return v
			}
			v := d.vm.ToValue(string(body))
			if len(d.strs) < maxCachedStrings {
				d.strs[string(body)] = v
			}
			return v
		}
		return d.vm.ToValue(string(body))
	}
	if jsontext.NeedsUTF16(lit) {
		d.u16 = jsontext.UnquoteUTF16(d.u16[:0], lit)
		return goja.StringFromUTF16(d.u16)
	}
	d.buf = jsontext.Unquote(d.buf[:0], lit)
	return d.vm.ToValue(string(d.buf))
}

// number converts a number literal to the double JSON.parse would give.
func (d *decoder) number(lit []byte) goja.Value {
	if len(lit) <= 16 {
		neg := lit[0] == '-'
		digits := lit
		if neg {
			digits = lit[1:]
		}
		if len(digits) > 0 && len(digits) <= 15 {
			n := int64(0)
			ok := true
			for _, c := range digits {
				if c < '0' || c > '9' {
					ok = false
					break
				}
				n = n*10 + int64(c-'0')
			}
			if ok {
				if neg {
					if n == 0 {
						return d.vm.ToValue(negZero)
					}
					n = -n
				}
				return d.vm.ToValue(n)
			}
		}
	}
	f, err := strconv.ParseFloat(string(lit), 64)
	if err != nil {
		var ne *strconv.NumError
		if !errors.As(err, &ne) || ne.Err != strconv.ErrRange {
			panic(errMalformed)
		}
		// Out of range: ParseFloat gives ±Inf or ±0, as JSON.parse does.
	}
	return d.vm.ToValue(f)
}
