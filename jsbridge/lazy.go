package jsbridge

import (
	"bytes"
	"sort"
	"strconv"
	"strings"

	"github.com/dop251/goja"

	"github.com/jsmap/jsmap/internal/jsontext"
)

// lazyObject is a JSON object given to the script without converting it: a member's value is
// converted the first time the script reads it, and kept, so o.a === o.a. Most scripts read a few
// fields of each element; the rest is never converted.
//
// It behaves as the object JSON.parse would return: key order (integer-like keys first, then the
// others in input order), a repeated key's last value at its first position, "__proto__" as an own
// property, assignment, delete, in, spread, Object.keys, JSON.stringify. goja's Go-backed objects
// cannot be frozen or sealed and take no accessor, non-writable or symbol-keyed properties; scripts
// that use those features get plain objects instead (see Program.lazy).
type lazyObject struct {
	d       *decoder
	raw     []byte // the object's text, '{' to '}'
	members []member
	index   map[string]int32 // key → members index, built for large objects read often
	gets    int32
	scanned bool
	intKeys bool // some key is an array index: Keys must sort
	dup     bool // some key is repeated
}

type member struct {
	key        string
	start, end int32      // the value's text in raw
	val        goja.Value // converted or assigned; nil until then
	deleted    bool
}

var _ goja.DynamicObject = (*lazyObject)(nil)

// scan reads the keys once, stepping over the values. Elements of one input usually share their
// keys, in the same order: an object whose keys so far follow the last object seen with the same
// first key (a "shape" known to have no repeated key) needs no search for repeats.
func (o *lazyObject) scan() {
	o.scanned = true
	b := o.raw
	i := skipWS(b, 1)
	if b[i] == '}' {
		return
	}
	d := o.d
	var sh *shape
	onShape := true
	for n := 0; ; n++ {
		j := stringEnd(b, i)
		var key string
		if n == 0 {
			// The same first key as the last object: probably the same shape.
			if last := d.lastShape; last != nil && last.rawKeys && string(b[i+1:j-1]) == last.keys[0] {
				sh, key = last, last.keys[0]
			} else {
				key = d.key(b[i:j])
				sh = d.shapes[key]
			}
			if sh != nil {
				o.members = make([]member, 0, len(sh.keys))
			} else {
				o.members = make([]member, 0, 8)
			}
		} else if onShape && sh != nil && sh.rawKeys && n < len(sh.keys) && string(b[i+1:j-1]) == sh.keys[n] {
			key = sh.keys[n] // the shape's key, in its place: no repeat so far, no lookup
		} else {
			onShape = false
			key = d.key(b[i:j])
		}
		i = skipWS(b, j)
		i = skipWS(b, i+1) // ':'
		end := jsontext.SkipValue(b, i)
		k := -1
		if !onShape || sh == nil || n >= len(sh.keys) {
			onShape = false
			k = o.find(key)
		}
		if k >= 0 {
			// A repeated key: the last value wins, at the first position.
			o.members[k].start, o.members[k].end = int32(i), int32(end)
			o.dup = true
		} else {
			o.members = append(o.members, member{key: key, start: int32(i), end: int32(end)})
		}
		i = skipWS(b, end)
		if b[i] == '}' {
			break
		}
		i = skipWS(b, i+1) // ','
	}
	if onShape && sh != nil && len(sh.keys) == len(o.members) {
		o.intKeys = sh.intKeys
		d.lastShape = sh
		return
	}
	for k := range o.members {
		o.intKeys = o.intKeys || isArrayIndex(o.members[k].key)
	}
	if !o.dup && len(d.shapes) < maxShapes {
		// Remember this object's keys as the shape for its first key.
		keys := make([]string, len(o.members))
		for k := range o.members {
			keys[k] = o.members[k].key
		}
		sh = &shape{keys: keys, intKeys: o.intKeys, rawKeys: true}
		for _, k := range keys {
			sh.rawKeys = sh.rawKeys && !strings.Contains(k, `\`)
		}
		d.shapes[keys[0]] = sh
		d.lastShape = sh
	}
}

// shape is the keys, in order, of an object seen before, which had no repeated key.
type shape struct {
	keys    []string
	intKeys bool
	// rawKeys: no key has a backslash, so a key's text in the input equals the key only when it
	// has no escape and means that key. (A key \r, written "\\r", must not match the text "\r".)
	rawKeys bool
}

const maxShapes = 256

// find returns the index of the live member with the key, or -1.
func (o *lazyObject) find(key string) int {
	if o.index != nil {
		if k, ok := o.index[key]; ok && !o.members[k].deleted {
			return int(k)
		}
		return -1
	}
	for k := range o.members {
		if m := &o.members[k]; m.key == key && !m.deleted {
			return k
		}
	}
	return -1
}

// lookup is find for reads: large objects read often get an index.
func (o *lazyObject) lookup(key string) int {
	if !o.scanned {
		o.scan()
	}
	if o.index == nil && len(o.members) > 16 {
		o.gets++
		if o.gets > 8 {
			o.index = make(map[string]int32, len(o.members))
			for k := range o.members {
				if !o.members[k].deleted {
					o.index[o.members[k].key] = int32(k)
				}
			}
		}
	}
	return o.find(key)
}

func (o *lazyObject) Get(key string) goja.Value {
	k := o.lookup(key)
	if k < 0 {
		return nil
	}
	m := &o.members[k]
	if m.val == nil {
		m.val = o.d.lazyValue(o.raw[m.start:m.end])
	}
	return m.val
}

func (o *lazyObject) Set(key string, val goja.Value) bool {
	if val == nil {
		val = goja.Undefined()
	}
	if k := o.lookup(key); k >= 0 {
		o.members[k].val = val
		return true
	}
	if !o.intKeys && isArrayIndex(key) {
		o.intKeys = true
	}
	o.members = append(o.members, member{key: key, val: val})
	if o.index != nil {
		o.index[key] = int32(len(o.members) - 1)
	}
	return true
}

func (o *lazyObject) Has(key string) bool {
	return o.lookup(key) >= 0
}

func (o *lazyObject) Delete(key string) bool {
	if k := o.lookup(key); k >= 0 {
		o.members[k].deleted = true
		o.members[k].val = nil
		if o.index != nil {
			delete(o.index, key)
		}
	}
	return true
}

// Keys returns the own keys in JavaScript's order: array indices ascending, then the other keys
// in the order they were created.
func (o *lazyObject) Keys() []string {
	if !o.scanned {
		o.scan()
	}
	keys := make([]string, 0, len(o.members))
	for k := range o.members {
		if !o.members[k].deleted {
			keys = append(keys, o.members[k].key)
		}
	}
	if o.intKeys {
		sort.SliceStable(keys, func(a, b int) bool {
			ia, oka := arrayIndex(keys[a])
			ib, okb := arrayIndex(keys[b])
			if oka && okb {
				return ia < ib
			}
			return oka && !okb
		})
	}
	return keys
}

// order returns the indexes of the live members in the order Keys gives their keys.
func (o *lazyObject) order() []int {
	idx := make([]int, 0, len(o.members))
	for k := range o.members {
		if !o.members[k].deleted {
			idx = append(idx, k)
		}
	}
	if o.intKeys {
		sort.SliceStable(idx, func(a, b int) bool {
			ia, oka := arrayIndex(o.members[idx[a]].key)
			ib, okb := arrayIndex(o.members[idx[b]].key)
			if oka && okb {
				return ia < ib
			}
			return oka && !okb
		})
	}
	return idx
}

// isArrayIndex reports whether key is a canonical array index ("0", "17", not "017" or "-1").
func isArrayIndex(key string) bool {
	_, ok := arrayIndex(key)
	return ok
}

func arrayIndex(key string) (uint64, bool) {
	if key == "" || len(key) > 10 || (key[0] == '0' && len(key) > 1) {
		return 0, false
	}
	for i := 0; i < len(key); i++ {
		if key[i] < '0' || key[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(key, 10, 64)
	return n, err == nil && n < 1<<32-1
}

// lazyValue converts a value for the script: objects become lazy views (sharing b), arrays native
// arrays of lazily converted elements, scalars their JS values.
func (d *decoder) lazyValue(b []byte) goja.Value {
	switch b[0] {
	case '{':
		return d.vm.NewDynamicObject(&lazyObject{d: d, raw: b})
	case '[':
		base := len(d.items)
		i := skipWS(b, 1)
		if b[i] != ']' {
			for {
				j := jsontext.SkipValue(b, i)
				d.items = append(d.items, d.lazyValue(b[i:j]))
				i = skipWS(b, j)
				if b[i] == ']' {
					break
				}
				i = skipWS(b, i+1)
			}
		}
		arr := d.vm.NewArray(d.items[base:]...)
		clear(d.items[base:])
		d.items = d.items[:base]
		return arr
	}
	v, _ := d.value(b, 0)
	return v
}

// decodeLazy converts one element. The views it hands out keep referring to in, which therefore
// must not change afterwards (the engine never reuses an input buffer).
func (d *decoder) decodeLazy(in []byte) (v goja.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(goja.Value); ok {
				panic(r)
			}
			v, err = nil, errMalformed
		}
	}()
	in = bytes.TrimSpace(in)
	if len(in) == 0 {
		return nil, errMalformed
	}
	if (in[0] != '{' && in[0] != '[') || hasSurrogateEscape(in) {
		// Scalars gain nothing from a view; keys with lone surrogates need plain objects.
		return d.decode(in)
	}
	return d.lazyValue(in), nil
}

// hasSurrogateEscape reports whether b has a \u escape in the surrogate range (\uD800-\uDFFF).
func hasSurrogateEscape(b []byte) bool {
	for {
		i := bytes.Index(b, []byte(`\u`))
		if i < 0 || i+3 >= len(b) {
			return false
		}
		if c, d := b[i+2], b[i+3]; (c == 'd' || c == 'D') && (d >= '8' && d <= '9' || d >= 'a' && d <= 'f' || d >= 'A' && d <= 'F') {
			return true
		}
		b = b[i+2:]
	}
}
