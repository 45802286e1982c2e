package jsontext

import "bytes"

// isDelim holds the bytes that end a number or literal token.
var isDelim = [256]bool{
	' ': true, '\t': true, '\n': true, '\r': true,
	',': true, ':': true, '"': true, '[': true, ']': true, '{': true, '}': true,
}

// skipString returns the offset just past the string literal that starts at
// b[i] ('"'), or len(b) if it is not terminated.
func skipString(b []byte, i int) int {
	j := i + 1
	for {
		k := bytes.IndexByte(b[j:], '"')
		if k < 0 {
			return len(b)
		}
		j += k
		// The quote ends the literal unless an odd number of backslashes
		// precedes it.
		p := j - 1
		for p > i && b[p] == '\\' {
			p--
		}
		j++
		if (j-2-p)&1 == 0 {
			return j
		}
	}
}

// Compact appends src, one valid JSON value, to dst with all insignificant
// whitespace removed. Tokens are copied verbatim.
func Compact(dst, src []byte) []byte {
	start := 0
	for i := 0; i < len(src); {
		c := src[i]
		if c == '"' {
			i = skipString(src, i)
			continue
		}
		if isSpace[c] {
			dst = append(dst, src[start:i]...)
			i = skipSpace(src, i)
			start = i
			continue
		}
		i++
	}
	return append(dst, src[start:]...)
}

// Indent appends src, one valid JSON value (compact or not), to dst
// pretty-printed with the layout of JSON.stringify(v, null, indent): each
// array element and object member on its own line, indented by prefix
// followed by one copy of indent per level of nesting, a single space after
// each colon, and empty containers kept as {} and []. The first line is not
// prefixed, and no newline is added at the end. Tokens are copied verbatim:
// numbers and string escapes are not rewritten.
//
// When prefix and indent are both empty the result is compact, as
// JSON.stringify's is for an empty indent.
func Indent(dst, src []byte, prefix, indent string) []byte {
	if prefix == "" && indent == "" {
		return Compact(dst, src)
	}
	depth := 0
	for i := 0; i < len(src); {
		c := src[i]
		switch c {
		case ' ', '\t', '\n', '\r':
			i++
		case '"':
			j := skipString(src, i)
			dst = append(dst, src[i:j]...)
			i = j
		case '{', '[':
			// '{'+2 is '}' and '['+2 is ']'.
			if j := skipSpace(src, i+1); j < len(src) && src[j] == c+2 {
				dst = append(dst, c, c+2)
				i = j + 1
				continue
			}
			depth++
			dst = append(dst, c)
			dst = appendNewline(dst, prefix, indent, depth)
			i++
		case '}', ']':
			depth--
			dst = appendNewline(dst, prefix, indent, depth)
			dst = append(dst, c)
			i++
		case ',':
			dst = append(dst, ',')
			dst = appendNewline(dst, prefix, indent, depth)
			i++
		case ':':
			dst = append(dst, ':', ' ')
			i++
		default:
			j := i + 1
			for j < len(src) && !isDelim[src[j]] {
				j++
			}
			dst = append(dst, src[i:j]...)
			i = j
		}
	}
	return dst
}

func appendNewline(dst []byte, prefix, indent string, depth int) []byte {
	dst = append(dst, '\n')
	dst = append(dst, prefix...)
	for ; depth > 0; depth-- {
		dst = append(dst, indent...)
	}
	return dst
}
