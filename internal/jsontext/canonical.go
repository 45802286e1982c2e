package jsontext

import (
	"bytes"
	"sort"
	"strconv"
)

// AppendCanonical appends src, one valid JSON value, re-encoded as JSON.stringify(JSON.parse(src))
// would write it: no whitespace; numbers in JavaScript's shortest form (1.50 → 1.5, 1E2 → 100,
// -0 → 0, 1e400 → null); strings with only the escapes JSON.stringify makes; in objects, a repeated
// key keeps its first position and its last value, and array-index keys come first in ascending
// order, as JavaScript orders an object's keys. Text that is already in that form is copied as is.
func AppendCanonical(dst, src []byte) []byte {
	var c Canonicalizer
	return c.Append(dst, src)
}

// Canonicalizer is AppendCanonical with buffers kept from call to call. Not safe for concurrent use.
type Canonicalizer struct {
	members []canonMember // a stack: each object uses the part above its base
	buf     []byte
	u16     []uint16
}

// Append is AppendCanonical.
func (c *Canonicalizer) Append(dst, src []byte) []byte {
	dst, _ = c.value(dst, src, skipWS(src, 0))
	return dst
}

type canonMember struct {
	lit        []byte // the key's literal, with quotes
	key        string // the key's text
	start, end int    // the value's text
	index      uint64 // the key as an array index, when idx
	idx        bool
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t') {
		i++
	}
	return i
}

func (c *Canonicalizer) value(dst, b []byte, i int) ([]byte, int) {
	switch b[i] {
	case '{':
		return c.object(dst, b, i)
	case '[':
		dst = append(dst, '[')
		i = skipWS(b, i+1)
		if b[i] == ']' {
			return append(dst, ']'), i + 1
		}
		for {
			dst, i = c.value(dst, b, i)
			i = skipWS(b, i)
			if b[i] == ']' {
				return append(dst, ']'), i + 1
			}
			dst = append(dst, ',')
			i = skipWS(b, i+1)
		}
	case '"':
		j := SkipValue(b, i)
		return c.str(dst, b[i:j]), j
	case 't':
		return append(dst, "true"...), i + 4
	case 'f':
		return append(dst, "false"...), i + 5
	case 'n':
		return append(dst, "null"...), i + 4
	}
	j := i
	for j < len(b) && (b[j] == '-' || b[j] == '+' || b[j] == '.' || b[j] == 'e' || b[j] == 'E' || (b[j] >= '0' && b[j] <= '9')) {
		j++
	}
	return appendNumber(dst, b[i:j]), j
}

// appendNumber writes a number literal in JavaScript's form.
func appendNumber(dst, lit []byte) []byte {
	digits := lit
	if len(digits) > 0 && digits[0] == '-' {
		digits = digits[1:]
	}
	short := len(digits) > 0 && len(digits) <= 15 && (digits[0] != '0' || len(digits) == 1)
	for _, ch := range digits {
		if ch < '0' || ch > '9' {
			short = false
			break
		}
	}
	if short && !(len(lit) == 2 && lit[0] == '-' && lit[1] == '0') {
		return append(dst, lit...) // an integer JavaScript writes the same way
	}
	f, _ := strconv.ParseFloat(string(lit), 64) // out of range gives ±Inf: null, as JSON.stringify
	return AppendFloat(dst, f)
}

// str writes a string literal with JSON.stringify's escapes.
func (c *Canonicalizer) str(dst, lit []byte) []byte {
	if bytes.IndexByte(lit[1:len(lit)-1], '\\') < 0 {
		return append(dst, lit...) // valid text without escapes is already canonical
	}
	if NeedsUTF16(lit) {
		c.u16 = UnquoteUTF16(c.u16[:0], lit)
		return AppendQuoteUTF16(dst, c.u16)
	}
	c.buf = Unquote(c.buf[:0], lit)
	return AppendQuote(dst, string(c.buf))
}

func (c *Canonicalizer) object(dst, b []byte, i int) ([]byte, int) {
	base := len(c.members)
	defer func() { c.members = c.members[:base] }()
	i = skipWS(b, i+1)
	intKeys := false
	var index map[string]int
	if b[i] != '}' {
		for {
			j := SkipValue(b, i)
			lit := b[i:j]
			var key string
			if bytes.IndexByte(lit, '\\') < 0 {
				key = string(lit[1 : len(lit)-1])
			} else {
				key = string(Unquote(nil, lit))
			}
			i = skipWS(b, j)
			i = skipWS(b, i+1) // ':'
			end := SkipValue(b, i)
			repeat := -1
			if index != nil {
				if k, ok := index[key]; ok {
					repeat = k
				}
			} else {
				for k := base; k < len(c.members); k++ {
					if c.members[k].key == key {
						repeat = k
						break
					}
				}
			}
			if repeat >= 0 && (NeedsUTF16(lit) || NeedsUTF16(c.members[repeat].lit)) && !bytes.Equal(lit, c.members[repeat].lit) {
				repeat = -1 // keys with lone surrogates decode alike here; tell them apart by their text
			}
			if repeat >= 0 {
				c.members[repeat].start, c.members[repeat].end = i, end
			} else {
				m := canonMember{lit: lit, key: key, start: i, end: end}
				m.index, m.idx = arrayIndex(key)
				intKeys = intKeys || m.idx
				c.members = append(c.members, m)
				if index != nil {
					index[key] = len(c.members) - 1
				} else if len(c.members)-base > 32 {
					// A big object: look repeats up in a map from now on.
					index = make(map[string]int, 64)
					for k := base; k < len(c.members); k++ {
						index[c.members[k].key] = k
					}
				}
			}
			i = skipWS(b, end)
			if b[i] == '}' {
				break
			}
			i = skipWS(b, i+1) // ','
		}
	}
	ms := c.members[base:]
	if intKeys {
		sort.SliceStable(ms, func(x, y int) bool {
			if ms[x].idx && ms[y].idx {
				return ms[x].index < ms[y].index
			}
			return ms[x].idx && !ms[y].idx
		})
	}
	dst = append(dst, '{')
	for k := range ms {
		if k > 0 {
			dst = append(dst, ',')
		}
		dst = c.str(dst, ms[k].lit)
		dst = append(dst, ':')
		dst, _ = c.value(dst, b, ms[k].start)
	}
	return append(dst, '}'), i + 1
}

// arrayIndex reports whether key is a canonical array index ("0", "17"; not "017", "-1", 2^32-1).
func arrayIndex(key string) (uint64, bool) {
	if key == "" || len(key) > 10 || (key[0] == '0' && len(key) > 1) {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(key); i++ {
		if key[i] < '0' || key[i] > '9' {
			return 0, false
		}
		n = n*10 + uint64(key[i]-'0')
	}
	return n, n < 1<<32-1
}
