package jsontext

import (
	"bytes"
	"math/bits"
	"slices"
	"unicode/utf16"
	"unicode/utf8"
)

// load64 reads s[i:i+8] as a little-endian word.
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// appendEscape appends the JSON.stringify escape of the ASCII byte c, which
// is '"', '\\' or a control character.
func appendEscape(dst []byte, c byte) []byte {
	switch c {
	case '"', '\\':
		return append(dst, '\\', c)
	case '\b':
		return append(dst, '\\', 'b')
	case '\f':
		return append(dst, '\\', 'f')
	case '\n':
		return append(dst, '\\', 'n')
	case '\r':
		return append(dst, '\\', 'r')
	case '\t':
		return append(dst, '\\', 't')
	}
	return append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
}

// appendEscapeUnit appends \uxxxx (lowercase hex) for the code unit u.
func appendEscapeUnit(dst []byte, u uint16) []byte {
	return append(dst, '\\', 'u', hexDigits[u>>12], hexDigits[u>>8&0xF], hexDigits[u>>4&0xF], hexDigits[u&0xF])
}

// AppendQuote appends s as a JSON string literal exactly as JSON.stringify
// writes it: '"' and '\\' are escaped, as are the control characters below
// U+0020 (as \b \f \n \r \t, or \u00xx with lowercase hex); everything else,
// including '/' and non-ASCII characters, is written raw. Each byte of s that
// is not part of valid UTF-8 is written as \ufffd.
func AppendQuote(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if i+8 <= len(s) {
			t := stringStops(load64(s, i))
			if t == 0 {
				i += 8
				continue
			}
			i += bits.TrailingZeros64(t) >> 3
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if strPlain[c] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			dst = appendEscape(dst, c)
			i++
			start = i
			continue
		}
		// A multi-byte sequence: common two- and three-byte forms inline.
		if c >= 0xC2 && c < 0xE0 && i+1 < len(s) && s[i+1]&0xC0 == 0x80 {
			i += 2
			continue
		}
		if c > 0xE0 && c < 0xF0 && c != 0xED && i+2 < len(s) && s[i+1]&0xC0 == 0x80 && s[i+2]&0xC0 == 0x80 {
			i += 3
			continue
		}
		if size := utf8Size(s, i); size > 0 {
			i += size
			continue
		}
		dst = append(dst, s[start:i]...)
		dst = append(dst, `\ufffd`...)
		i++
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// AppendQuoteUTF16 appends the UTF-16 string s as a JSON string literal
// exactly as JSON.stringify (ES2019 and later) writes it: escapes as in
// AppendQuote, valid surrogate pairs as the raw UTF-8 character, and lone
// surrogates as \udxxx (lowercase hex).
func AppendQuoteUTF16(dst []byte, s []uint16) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		u := s[i]
		switch {
		case u < utf8.RuneSelf:
			if strPlain[u] {
				dst = append(dst, byte(u))
			} else {
				dst = appendEscape(dst, byte(u))
			}
		case u < 0x800:
			dst = append(dst, 0xC0|byte(u>>6), 0x80|byte(u)&0x3F)
		case u < 0xD800 || u > 0xDFFF:
			dst = append(dst, 0xE0|byte(u>>12), 0x80|byte(u>>6)&0x3F, 0x80|byte(u)&0x3F)
		case u < 0xDC00 && i+1 < len(s) && s[i+1]&0xFC00 == 0xDC00:
			dst = utf8.AppendRune(dst, utf16.DecodeRune(rune(u), rune(s[i+1])))
			i++
		default:
			dst = appendEscapeUnit(dst, u)
		}
	}
	return append(dst, '"')
}

// hex4 decodes four hexadecimal digits at the start of b.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// lowSurrogateEscape returns the low surrogate when s starts with a \u
// escape of one.
func lowSurrogateEscape(s []byte) (rune, bool) {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return 0, false
	}
	r, ok := hex4(s[2:])
	return r, ok && r >= 0xDC00 && r <= 0xDFFF
}

// simpleEscape maps the byte after a backslash to the byte it stands for,
// for every escape other than \u.
var simpleEscape = [256]byte{
	'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t',
}

// body returns the text between the quotes of a string literal.
func body(lit []byte) []byte {
	if len(lit) < 2 {
		return nil
	}
	return lit[1 : len(lit)-1]
}

// Unquote decodes the JSON string literal lit (with its quotes, already
// validated) and appends its text to dst as UTF-8. Escaped surrogate pairs
// decode to their character; lone surrogates decode to U+FFFD.
func Unquote(dst, lit []byte) []byte {
	s := body(lit)
	for {
		j := bytes.IndexByte(s, '\\')
		if j < 0 {
			return append(dst, s...)
		}
		dst = append(dst, s[:j]...)
		s = s[j:]
		if len(s) < 2 {
			return dst
		}
		if s[1] != 'u' {
			if e := simpleEscape[s[1]]; e != 0 {
				dst = append(dst, e)
			}
			s = s[2:]
			continue
		}
		r, ok := hex4(s[2:])
		if !ok {
			s = s[2:]
			continue
		}
		s = s[6:]
		if r >= 0xD800 && r <= 0xDFFF {
			if r2, ok := lowSurrogateEscape(s); ok && r < 0xDC00 {
				r = utf16.DecodeRune(r, r2)
				s = s[6:]
			} else {
				r = utf8.RuneError
			}
		}
		dst = utf8.AppendRune(dst, r)
	}
}

// NeedsUTF16 reports whether the validated string literal lit contains a \u
// escape of a lone or inverted surrogate, that is, whether its value cannot
// be represented as valid UTF-8 (and Unquote would lose information).
func NeedsUTF16(lit []byte) bool {
	s := lit
	for {
		j := bytes.IndexByte(s, '\\')
		if j < 0 || j+1 >= len(s) {
			return false
		}
		s = s[j:]
		if s[1] != 'u' {
			s = s[2:]
			continue
		}
		r, ok := hex4(s[2:])
		if !ok {
			s = s[2:]
			continue
		}
		s = s[6:]
		if r < 0xD800 || r > 0xDFFF {
			continue
		}
		if r >= 0xDC00 {
			return true // low surrogate without a high one before it
		}
		if _, ok := lowSurrogateEscape(s); !ok {
			return true // high surrogate without a low one after it
		}
		s = s[6:]
	}
}

// UnquoteUTF16 decodes the validated string literal lit (with its quotes)
// into UTF-16 code units appended to dst, keeping lone surrogates as they
// are.
func UnquoteUTF16(dst []uint16, lit []byte) []uint16 {
	s := body(lit)
	dst = slices.Grow(dst, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c != '\\' {
				dst = append(dst, uint16(c))
				i++
				continue
			}
			if i+1 >= len(s) {
				break
			}
			if s[i+1] != 'u' {
				if e := simpleEscape[s[i+1]]; e != 0 {
					dst = append(dst, uint16(e))
				}
				i += 2
				continue
			}
			r, ok := hex4(s[i+2:])
			if !ok {
				i += 2
				continue
			}
			dst = append(dst, uint16(r))
			i += 6
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r >= 0x10000 {
			r1, r2 := utf16.EncodeRune(r)
			dst = append(dst, uint16(r1), uint16(r2))
		} else {
			dst = append(dst, uint16(r))
		}
		i += size
	}
	return dst
}
