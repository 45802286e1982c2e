package jsontext

import (
	"math"
	"strconv"
)

// AppendFloat appends f formatted exactly as JavaScript's
// Number.prototype.toString and JSON.stringify format it: the shortest
// digits that round-trip, in plain notation when the decimal exponent lies in
// [-7, 21) and in exponential notation ("1e+21", "1.5e-7") otherwise; -0 is
// written as "0". NaN and ±Inf are not valid JSON: for them AppendFloat
// appends "null", as JSON.stringify does.
func AppendFloat(dst []byte, f float64) []byte {
	if f == 0 {
		return append(dst, '0')
	}
	if f != f || f > math.MaxFloat64 || f < -math.MaxFloat64 {
		return append(dst, "null"...)
	}
	// Integers below 2^53 are exact, and their shortest round-trip digits
	// are the integer's own digits.
	if f < 1<<53 && f > -(1<<53) && f == math.Trunc(f) {
		return strconv.AppendInt(dst, int64(f), 10)
	}

	// strconv's shortest form is d[.ddd]e±XX: the same digits that
	// ECMAScript's Number::toString selects.
	var buf [32]byte
	s := strconv.AppendFloat(buf[:0], f, 'e', -1, 64)
	if s[0] == '-' {
		dst = append(dst, '-')
		s = s[1:]
	}
	var digits [20]byte
	k := 0 // number of significant digits
	j := 0
	for ; s[j] != 'e'; j++ {
		if s[j] != '.' {
			digits[k] = s[j]
			k++
		}
	}
	e := 0
	expNeg := s[j+1] == '-'
	for _, c := range s[j+2:] {
		e = e*10 + int(c-'0')
	}
	if expNeg {
		e = -e
	}
	// The value is 0.d1d2...dk × 10^n.
	n := e + 1
	switch {
	case k <= n && n <= 21:
		dst = append(dst, digits[:k]...)
		for ; n > k; n-- {
			dst = append(dst, '0')
		}
	case 0 < n && n <= 21:
		dst = append(dst, digits[:n]...)
		dst = append(dst, '.')
		dst = append(dst, digits[n:k]...)
	case -6 < n && n <= 0:
		dst = append(dst, '0', '.')
		for ; n < 0; n++ {
			dst = append(dst, '0')
		}
		dst = append(dst, digits[:k]...)
	default:
		dst = append(dst, digits[0])
		if k > 1 {
			dst = append(dst, '.')
			dst = append(dst, digits[1:k]...)
		}
		dst = append(dst, 'e')
		if e < 0 {
			dst = append(dst, '-')
			e = -e
		} else {
			dst = append(dst, '+')
		}
		dst = strconv.AppendInt(dst, int64(e), 10)
	}
	return dst
}
