package jsontext

import "strconv"

// isStructural holds the bytes SkipValue must look at inside a container.
var isStructural = [256]bool{'"': true, '[': true, ']': true, '{': true, '}': true}

// SkipValue returns the offset just past the JSON value that starts at b[i],
// after skipping any whitespace at i. b must be valid JSON text from i on
// (for example an element that Validate accepted); for malformed input the
// result is unspecified but, for 0 <= i <= len(b), within [i, len(b)].
func SkipValue(b []byte, i int) int {
	i = skipSpace(b, i)
	if i >= len(b) {
		return len(b)
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch c := b[i]; {
			case !isStructural[c]:
				i++
			case c == '"':
				i = skipString(b, i)
			case c == '{' || c == '[':
				depth++
				i++
			default:
				depth--
				i++
				if depth == 0 {
					return i
				}
			}
		}
		return len(b)
	}
	i++
	for i < len(b) && !isDelim[b[i]] {
		i++
	}
	return i
}

// IsTruthy reports whether the compact JSON value v (as JSON.stringify
// produces it) is truthy in JavaScript. false, null, "" and every spelling
// of zero (0, -0, 0.0, 0e5, and numbers too small to be represented, such as
// 1e-400, which JavaScript reads as 0) are falsy; everything else, including
// empty arrays and objects, is truthy.
func IsTruthy(v []byte) bool {
	i := skipSpace(v, 0)
	if i >= len(v) {
		return false
	}
	switch v[i] {
	case 'f', 'n':
		return false
	case 't', '[', '{':
		return true
	case '"':
		return i+1 < len(v) && v[i+1] != '"'
	}
	// A number: zero when all its significand digits are zero.
	num := v[i:]
	exp := false
	for j, c := range num {
		switch {
		case c >= '1' && c <= '9':
			// A non-zero significand can still underflow to zero, but only
			// with a negative exponent or a very long fraction.
			for _, c := range num[j:] {
				if c == 'e' || c == 'E' {
					exp = true
					break
				}
			}
			if !exp && len(num) < 300 {
				return true
			}
			f, _ := strconv.ParseFloat(string(trimNumber(num)), 64)
			return f != 0
		case c == 'e' || c == 'E' || isDelim[c]:
			return false
		}
	}
	return false
}

// trimNumber returns the leading number token of b.
func trimNumber(b []byte) []byte {
	for j, c := range b {
		if isDelim[c] {
			return b[:j]
		}
	}
	return b
}
