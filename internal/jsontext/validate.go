package jsontext

import (
	"encoding/binary"
	"math/bits"
	"strconv"
	"sync"
	"unicode/utf8"
)

// defaultMaxDepth is the nesting limit Validate applies when given a
// maxDepth of zero or less. It matches encoding/json's limit.
const defaultMaxDepth = 10000

// SyntaxError is a JSON syntax error at a byte offset of the validated text.
type SyntaxError struct {
	Offset int    // byte offset of the offending byte (len(b) for an unexpected end)
	Msg    string // e.g. "invalid character '}' after object key"
}

// Error returns the message only; callers add the position (file:line:col)
// they derive from Offset.
func (e *SyntaxError) Error() string { return e.Msg }

// Byte-class tables.
var (
	// isSpace holds the four JSON whitespace bytes.
	isSpace = [256]bool{' ': true, '\t': true, '\n': true, '\r': true}
	// isHex holds the hexadecimal digits.
	isHex [256]bool
	// strPlain holds the bytes that stand for themselves inside a string
	// literal and need no further check: printable ASCII except '"' and '\\'.
	strPlain [256]bool
)

func init() {
	for c := '0'; c <= '9'; c++ {
		isHex[c] = true
	}
	for c := 'a'; c <= 'f'; c++ {
		isHex[c] = true
		isHex[c-'a'+'A'] = true
	}
	for c := 0x20; c < 0x80; c++ {
		strPlain[c] = c != '"' && c != '\\'
	}
}

// Constants for SWAR (eight bytes at a time) scanning.
const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// stringStops returns a non-zero word when the eight bytes of x (little
// endian) contain a byte that ends a run of plain string bytes: a control
// character, '"', '\\' or a byte >= 0x80. The lowest set bit lies in the
// first such byte; bits above it may be false positives.
func stringStops(x uint64) uint64 {
	lt := x - lsb*0x20
	q := (x ^ lsb*'"') - lsb
	bs := (x ^ lsb*'\\') - lsb
	return ((lt|q|bs)&^x | x) & msb
}

// skipSpace returns the index of the first non-whitespace byte at or after i.
func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace[b[i]] {
		i++
	}
	return i
}

// Little-endian words of the literals, for comparing four bytes at once.
const (
	wordTrue = uint32('t') | uint32('r')<<8 | uint32('u')<<16 | uint32('e')<<24
	wordAlse = uint32('a') | uint32('l')<<8 | uint32('s')<<16 | uint32('e')<<24
	wordNull = uint32('n') | uint32('u')<<8 | uint32('l')<<16 | uint32('l')<<24
)

// inlineDepth is how many levels of nesting Validate tracks without
// borrowing a buffer from stackPool.
const inlineDepth = 256

var stackPool = sync.Pool{New: func() any {
	s := make([]uint64, 0, 4*inlineDepth/64)
	return &s
}}

// growStack doubles the bit stack words, moving it into the pooled slice p.
func growStack(p *[]uint64, words []uint64) []uint64 {
	s := *p
	need := 2 * len(words)
	if cap(s) < need {
		s = make([]uint64, need)
	} else {
		s = s[:need]
	}
	copy(s, words)
	*p = s
	return s
}

// Validate checks that b is exactly one JSON value (RFC 8259), optionally
// surrounded by whitespace (space, \t, \n, \r).
//
// It is strict: no trailing commas, no comments, no NaN or Infinity, no
// leading zeros, no single quotes, no unescaped control characters (< 0x20)
// in strings, only the RFC escapes (\" \\ \/ \b \f \n \r \t \uXXXX), and the
// bytes must be valid UTF-8 everywhere (invalid bytes, overlong encodings,
// encoded surrogates U+D800..U+DFFF and code points above U+10FFFF are
// rejected). \u escapes that form lone or inverted surrogates are accepted,
// as the grammar and JavaScript's JSON.parse allow them. A leading UTF-8
// byte order mark is not accepted; callers strip it.
//
// Containers nested deeper than maxDepth give the error "nesting depth
// exceeds N"; maxDepth <= 0 means 10000, the limit encoding/json applies.
// Validate is iterative, so arbitrarily deep input cannot overflow the
// goroutine stack.
//
// Validate returns nil or a *SyntaxError. It allocates only to build the
// error (input nested deeper than 256 levels borrows a buffer from a pool).
// It is safe for concurrent use.
func Validate(b []byte, maxDepth int) error {
	if maxDepth <= 0 {
		maxDepth = defaultMaxDepth
	}
	var (
		inline [inlineDepth / 64]uint64 // bit stack: 1 = enclosing container is an object
		words  = inline[:]
		pooled *[]uint64
		depth  int  // number of open containers
		inObj  bool // innermost open container is an object
		isKey  bool // the string being scanned is an object key
		n      = len(b)
		i      int
		c      byte
		err    *SyntaxError
	)

value:
	// A value must start at b[i], after optional whitespace.
	if i < n && b[i] <= ' ' {
		i = skipSpace(b, i)
	}
	if i >= n {
		goto eof
	}
	c = b[i]
	switch c {
	case '"':
		isKey = false
		i++
		goto str
	case '{', '[':
		if depth >= maxDepth {
			err = &SyntaxError{Offset: i, Msg: "nesting depth exceeds " + strconv.Itoa(maxDepth)}
			goto done
		}
		if depth>>6 >= len(words) {
			if pooled == nil {
				pooled = stackPool.Get().(*[]uint64)
			}
			words = growStack(pooled, words)
		}
		if inObj {
			words[depth>>6] |= 1 << (depth & 63)
		} else {
			words[depth>>6] &^= 1 << (depth & 63)
		}
		depth++
		i++
		if i < n && b[i] <= ' ' {
			i = skipSpace(b, i)
		}
		if i >= n {
			goto eof
		}
		if c == '[' {
			inObj = false
			if b[i] == ']' {
				i++
				goto pop
			}
			goto value
		}
		inObj = true
		if b[i] == '"' {
			isKey = true
			i++
			goto str
		}
		if b[i] == '}' {
			i++
			goto pop
		}
		err = charError(b, i, "looking for beginning of object key string")
		goto done
	case 't':
		if i+4 <= n && binary.LittleEndian.Uint32(b[i:]) == wordTrue {
			i += 4
			goto afterValue
		}
		err = literalError(b, i, "true")
		goto done
	case 'f':
		if i+5 <= n && binary.LittleEndian.Uint32(b[i+1:]) == wordAlse {
			i += 5
			goto afterValue
		}
		err = literalError(b, i, "false")
		goto done
	case 'n':
		if i+4 <= n && binary.LittleEndian.Uint32(b[i:]) == wordNull {
			i += 4
			goto afterValue
		}
		err = literalError(b, i, "null")
		goto done
	case '-':
		i++
		if i >= n {
			goto eof
		}
		c = b[i]
		if c-'0' > 9 {
			err = charError(b, i, "in numeric literal")
			goto done
		}
		goto number
	case '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		goto number
	default:
		err = charError(b, i, "looking for beginning of value")
		goto done
	}

number:
	// b[i] == c is the first digit of a number.
	i++
	if c != '0' {
		for i < n && b[i]-'0' <= 9 {
			i++
		}
	}
	if i >= n {
		goto afterValue
	}
	c = b[i]
	if c == '.' {
		i++
		if i >= n {
			goto eof
		}
		if b[i]-'0' > 9 {
			err = charError(b, i, "after decimal point in numeric literal")
			goto done
		}
		i++
		for i < n && b[i]-'0' <= 9 {
			i++
		}
		if i >= n {
			goto afterValue
		}
		c = b[i]
	}
	if c|0x20 == 'e' {
		i++
		if i >= n {
			goto eof
		}
		if c = b[i]; c == '+' || c == '-' {
			i++
			if i >= n {
				goto eof
			}
		}
		if b[i]-'0' > 9 {
			err = charError(b, i, "in exponent of numeric literal")
			goto done
		}
		i++
		for i < n && b[i]-'0' <= 9 {
			i++
		}
	}
	goto afterValue

str:
	// b[i] is just past the opening quote of a string literal.
	for {
		if i+8 <= n {
			t := stringStops(binary.LittleEndian.Uint64(b[i:]))
			if t == 0 {
				i += 8
				continue
			}
			i += bits.TrailingZeros64(t) >> 3
		} else {
			for i < n && strPlain[b[i]] {
				i++
			}
			if i >= n {
				goto eof
			}
		}
		c = b[i]
		if c == '"' {
			i++
			break
		}
		if c == '\\' {
			i++
			if i >= n {
				goto eof
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i++
			case 'u':
				if i+4 < n && isHex[b[i+1]] && isHex[b[i+2]] && isHex[b[i+3]] && isHex[b[i+4]] {
					i += 5
					continue
				}
				// Find the first byte that is not a hex digit.
				i++
				for i < n && isHex[b[i]] {
					i++
				}
				if i >= n {
					goto eof
				}
				err = charError(b, i, "in \\u hexadecimal character escape")
				goto done
			default:
				err = charError(b, i, "in string escape code")
				goto done
			}
			continue
		}
		if c < 0x20 {
			err = controlError(i, c)
			goto done
		}
		// c >= 0x80: a run of multi-byte UTF-8 sequences. Two- and
		// three-byte sequences other than those starting with 0xE0 and 0xED
		// (which have narrower ranges for the second byte) are checked
		// inline.
		for {
			if c >= 0xC2 && c < 0xE0 && i+1 < n && b[i+1]&0xC0 == 0x80 {
				i += 2
			} else if c > 0xE0 && c < 0xF0 && c != 0xED && i+2 < n && b[i+1]&0xC0 == 0x80 && b[i+2]&0xC0 == 0x80 {
				i += 3
			} else {
				size := utf8Size(b, i)
				if size <= 0 {
					if size < 0 {
						goto eof
					}
					err = &SyntaxError{Offset: i, Msg: "invalid UTF-8 byte 0x" + hexByte(c) + " in string"}
					goto done
				}
				i += size
			}
			if i >= n || b[i] < utf8.RuneSelf {
				break
			}
			c = b[i]
		}
	}
	if isKey {
		if i < n && b[i] <= ' ' {
			i = skipSpace(b, i)
		}
		if i >= n {
			goto eof
		}
		if b[i] != ':' {
			err = charError(b, i, "after object key")
			goto done
		}
		i++
		goto value
	}
	goto afterValue

pop:
	// A container just closed.
	depth--
	inObj = words[depth>>6]>>(depth&63)&1 != 0

afterValue:
	if i < n && b[i] <= ' ' {
		i = skipSpace(b, i)
	}
	if depth == 0 {
		if i < n {
			err = charError(b, i, "after top-level value")
		}
		goto done
	}
	if i >= n {
		goto eof
	}
	c = b[i]
	if c == ',' {
		i++
		if !inObj {
			goto value
		}
		if i < n && b[i] <= ' ' {
			i = skipSpace(b, i)
		}
		if i >= n {
			goto eof
		}
		if b[i] != '"' {
			err = charError(b, i, "looking for beginning of object key string")
			goto done
		}
		isKey = true
		i++
		goto str
	}
	if inObj {
		if c == '}' {
			i++
			goto pop
		}
		err = charError(b, i, "after object key:value pair")
		goto done
	}
	if c == ']' {
		i++
		goto pop
	}
	err = charError(b, i, "after array element")
	goto done

eof:
	err = &SyntaxError{Offset: n, Msg: "unexpected end of JSON input"}

done:
	if pooled != nil {
		stackPool.Put(pooled)
	}
	if err != nil {
		return err
	}
	return nil
}

// utf8Size checks the multi-byte UTF-8 sequence starting at b[i] (b[i] >=
// 0x80). It returns the sequence length, 0 if the sequence is invalid
// (including overlong forms, surrogates and values above U+10FFFF), or -1 if
// b ends inside an otherwise valid prefix.
func utf8Size[T string | []byte](b T, i int) int {
	c := b[i]
	var size int
	lo, hi := byte(0x80), byte(0xBF) // range of the second byte
	switch {
	case c < 0xC2:
		return 0
	case c < 0xE0:
		size = 2
	case c < 0xF0:
		size = 3
		if c == 0xE0 {
			lo = 0xA0
		} else if c == 0xED {
			hi = 0x9F
		}
	case c < 0xF5:
		size = 4
		if c == 0xF0 {
			lo = 0x90
		} else if c == 0xF4 {
			hi = 0x8F
		}
	default:
		return 0
	}
	rest := b[i+1:]
	if len(rest) == 0 {
		return -1
	}
	if rest[0] < lo || rest[0] > hi {
		return 0
	}
	for k := 1; k < size-1; k++ {
		if k >= len(rest) {
			return -1
		}
		if rest[k]&0xC0 != 0x80 {
			return 0
		}
	}
	return size
}

const hexDigits = "0123456789abcdef"

func hexByte(c byte) string {
	return string([]byte{hexDigits[c>>4], hexDigits[c&0xF]})
}

// quoteAt quotes the character at b[i] for an error message, in the manner
// of encoding/json: a double quote and an apostrophe are special-cased,
// anything else is written as strconv.Quote would but between single quotes. A valid multi-byte
// UTF-8 character is quoted whole; an invalid byte as '\xff'.
func quoteAt(b []byte, i int) string {
	c := b[i]
	switch c {
	case '\'':
		return `'\''`
	case '"':
		return `'"'`
	}
	s := string(b[i : i+1])
	if c >= utf8.RuneSelf {
		if r, size := utf8.DecodeRune(b[i:]); r != utf8.RuneError || size > 1 {
			s = string(b[i : i+size])
		}
	}
	q := strconv.Quote(s)
	return "'" + q[1:len(q)-1] + "'"
}

// charError reports the unexpected character at b[i].
func charError(b []byte, i int, context string) *SyntaxError {
	return &SyntaxError{Offset: i, Msg: "invalid character " + quoteAt(b, i) + " " + context}
}

// literalError reports where b[i:] stops matching the literal lit.
func literalError(b []byte, i int, lit string) *SyntaxError {
	for k := 1; k < len(lit); k++ {
		if i+k >= len(b) {
			return &SyntaxError{Offset: len(b), Msg: "unexpected end of JSON input"}
		}
		if b[i+k] != lit[k] {
			return charError(b, i+k, "in literal "+lit+" (expecting "+quoteAt([]byte(lit), k)+")")
		}
	}
	// Not reached: the caller found a mismatch.
	return charError(b, i, "looking for beginning of value")
}

// controlError reports a raw control character inside a string literal.
func controlError(i int, c byte) *SyntaxError {
	esc := `\u00` + hexByte(c)
	switch c {
	case '\b':
		esc = `\b`
	case '\f':
		esc = `\f`
	case '\n':
		esc = `\n`
	case '\r':
		esc = `\r`
	case '\t':
		esc = `\t`
	}
	return &SyntaxError{Offset: i, Msg: "control character U+00" + hexByteUpper(c) + " in string literal (escape it as " + esc + ")"}
}

func hexByteUpper(c byte) string {
	const digits = "0123456789ABCDEF"
	return string([]byte{digits[c>>4], digits[c&0xF]})
}
