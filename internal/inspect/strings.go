package inspect

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/dop251/goja"
)

// Strings taken from the VM are held as Go strings. A JavaScript string may
// contain unpaired UTF-16 surrogates, which valid UTF-8 cannot represent;
// jsString keeps them as their 3-byte WTF-8 encoding (0xED 0xA0-0xBF ...) so
// that quoting can escape them as node does ('\ud83d').

// isASCII reports whether s contains only bytes below 0x80.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// jsString returns the contents of a goja string value, encoding unpaired
// surrogates as WTF-8.
func jsString(v goja.Value) string {
	s := v.String()
	if isASCII(s) {
		return s
	}
	// goja turns unpaired surrogates into U+FFFD when converting to Go; if
	// there is no U+FFFD the conversion was lossless.
	if !strings.ContainsRune(s, utf8.RuneError) {
		return s
	}
	gs, ok := v.(goja.String)
	if !ok {
		return s
	}
	n := gs.Length()
	b := make([]byte, 0, len(s))
	for i := 0; i < n; i++ {
		c := rune(gs.CharAt(i))
		if c >= 0xD800 && c <= 0xDBFF && i+1 < n {
			if d := rune(gs.CharAt(i + 1)); d >= 0xDC00 && d <= 0xDFFF {
				b = utf8.AppendRune(b, 0x10000+(c-0xD800)<<10+(d-0xDC00))
				i++
				continue
			}
		}
		if c >= 0xD800 && c <= 0xDFFF {
			b = append(b, 0xED, byte(0x80|(c>>6)&0x3F), byte(0x80|c&0x3F))
			continue
		}
		b = utf8.AppendRune(b, c)
	}
	return string(b)
}

// surrogateAt decodes a WTF-8 encoded unpaired surrogate at s[i:].
func surrogateAt(s string, i int) (rune, bool) {
	if i+2 < len(s) && s[i] == 0xED && s[i+1] >= 0xA0 && s[i+1] <= 0xBF && s[i+2]&0xC0 == 0x80 {
		return 0xD000 | rune(s[i+1]&0x3F)<<6 | rune(s[i+2]&0x3F), true
	}
	return 0, false
}

// jsLen returns the length of s in UTF-16 code units, which is what node's
// `str.length` measures.
func jsLen(s string) int {
	n := 0
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c < 0x80:
			n++
			i++
		case c >= 0xF0:
			_, size := utf8.DecodeRuneInString(s[i:])
			if size == 4 {
				n += 2
			} else {
				n++
			}
			i += size
		default:
			if _, ok := surrogateAt(s, i); ok {
				n++
				i += 3
				continue
			}
			_, size := utf8.DecodeRuneInString(s[i:])
			n++
			i += size
		}
	}
	return n
}

// jsSlice returns the first n UTF-16 code units of s. A surrogate pair cut in
// half leaves its high surrogate, encoded as WTF-8.
func jsSlice(s string, n int) string {
	units := 0
	for i := 0; i < len(s); {
		if units >= n {
			return s[:i]
		}
		if s[i] < 0x80 {
			units++
			i++
			continue
		}
		if _, ok := surrogateAt(s, i); ok {
			units++
			i += 3
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if size == 4 {
			if units+1 == n {
				hi := 0xD800 + (r-0x10000)>>10
				return s[:i] + string([]byte{0xED, byte(0x80 | (hi>>6)&0x3F), byte(0x80 | hi&0x3F)})
			}
			units += 2
		} else {
			units++
		}
		i += size
	}
	return s
}

// meta holds node's escape sequences for the code points below 0xA0 that
// need escaping (control characters, the single quote and the backslash).
var meta = func() [0xA0]string {
	var m [0xA0]string
	const hex = "0123456789ABCDEF"
	for c := 0; c < 0xA0; c++ {
		if c < 0x20 || (c >= 0x7F && c <= 0x9F) {
			m[c] = `\x` + string(hex[c>>4]) + string(hex[c&15])
		}
	}
	m['\b'] = `\b`
	m['\t'] = `\t`
	m['\n'] = `\n`
	m['\f'] = `\f`
	m['\r'] = `\r`
	m['\''] = `\'`
	m['\\'] = `\\`
	return m
}()

// quoteMode values mirror the `singleQuote` variable of node's strEscape.
const (
	quoteSingle   = 0
	quoteDouble   = 1
	quoteBacktick = 2
)

// strEscape quotes and escapes s like node's strEscape: single quotes by
// default, double quotes if s contains ' but no ", backticks if it contains
// both but neither ` nor ${.
func strEscape(s string) string {
	mode := quoteSingle
	if strings.IndexByte(s, '\'') >= 0 {
		if strings.IndexByte(s, '"') < 0 {
			mode = quoteDouble
		} else if strings.IndexByte(s, '`') < 0 && !strings.Contains(s, "${") {
			mode = quoteBacktick
		}
	}
	q := byte('\'')
	switch mode {
	case quoteDouble:
		q = '"'
	case quoteBacktick:
		q = '`'
	}
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte(q)
	writeEscaped(&b, s, mode == quoteSingle)
	b.WriteByte(q)
	return b.String()
}

// writeEscaped writes s with node's escape sequences applied; escapeQuote
// selects whether ' is escaped.
func writeEscaped(b *strings.Builder, s string, escapeQuote bool) {
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7F || c == '\\' || (c == '\'' && escapeQuote) {
				b.WriteString(s[last:i])
				b.WriteString(meta[c])
				last = i + 1
			}
			i++
			continue
		}
		if u, ok := surrogateAt(s, i); ok {
			b.WriteString(s[last:i])
			b.WriteString(`\u`)
			b.WriteString(strconv.FormatInt(int64(u), 16))
			i += 3
			last = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r >= 0x80 && r <= 0x9F {
			b.WriteString(s[last:i])
			b.WriteString(meta[r])
			last = i + size
		}
		i += size
	}
	b.WriteString(s[last:])
}

// escapeNoQuotes applies node's strEscapeSequencesReplacer (used for symbol
// descriptions and non-enumerable keys), escaping ' but adding no quotes.
func escapeNoQuotes(s string) string {
	var b strings.Builder
	writeEscaped(&b, s, true)
	return b.String()
}

// toValidUTF8 replaces WTF-8 surrogates by U+FFFD, as writing a string with
// unpaired surrogates to a UTF-8 stream does in node.
func toValidUTF8(s string) string {
	if isASCII(s) || utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// stringWidth approximates node's getStringWidth(str, false): the number of
// terminal columns s occupies. Control characters count 0; East Asian wide
// characters and the emoji ranges count 2; combining marks count 0.
func stringWidth(s string) int {
	w := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 {
				w++
			}
			i++
			continue
		}
		if _, ok := surrogateAt(s, i); ok {
			w++
			i += 3
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case isFullWidthCodePoint(r):
			w += 2
		case !isZeroWidthCodePoint(r):
			w++
		}
	}
	return w
}

func isZeroWidthCodePoint(code rune) bool {
	return code <= 0x1F ||
		(code >= 0x7F && code <= 0x9F) ||
		(code >= 0x300 && code <= 0x36F) ||
		(code >= 0x200B && code <= 0x200F) ||
		(code >= 0x20D0 && code <= 0x20FF) ||
		(code >= 0xFE00 && code <= 0xFE0F) ||
		(code >= 0xFE20 && code <= 0xFE2F) ||
		(code >= 0xE0100 && code <= 0xE01EF)
}

func isFullWidthCodePoint(code rune) bool {
	return code >= 0x1100 && (code <= 0x115f ||
		code == 0x2329 ||
		code == 0x232a ||
		(code >= 0x2e80 && code <= 0x3247 && code != 0x303f) ||
		(code >= 0x3250 && code <= 0x4dbf) ||
		(code >= 0x4e00 && code <= 0xa4c6) ||
		(code >= 0xa960 && code <= 0xa97c) ||
		(code >= 0xac00 && code <= 0xd7a3) ||
		(code >= 0xf900 && code <= 0xfaff) ||
		(code >= 0xfe10 && code <= 0xfe19) ||
		(code >= 0xfe30 && code <= 0xfe6b) ||
		(code >= 0xff01 && code <= 0xff60) ||
		(code >= 0xffe0 && code <= 0xffe6) ||
		(code >= 0x1b000 && code <= 0x1b001) ||
		(code >= 0x1f200 && code <= 0x1f251) ||
		(code >= 0x1f300 && code <= 0x1f64f) ||
		(code >= 0x20000 && code <= 0x3fffd))
}

// padStart and padEnd pad s with spaces to n UTF-16 code units, like
// String.prototype.padStart/padEnd.
func padStart(s string, n int) string {
	if l := jsLen(s); l < n {
		return strings.Repeat(" ", n-l) + s
	}
	return s
}

func padEnd(s string, n int) string {
	if l := jsLen(s); l < n {
		return s + strings.Repeat(" ", n-l)
	}
	return s
}

// numberToString formats f as JavaScript's Number.prototype.toString() does.
func numberToString(f float64) string {
	switch {
	case f != f:
		return "NaN"
	case f == 0:
		return "0"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e21 {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	sign := ""
	if f < 0 {
		sign = "-"
		f = -f
	}
	s := strconv.FormatFloat(f, 'e', -1, 64)
	ePos := strings.IndexByte(s, 'e')
	digits := strings.Replace(s[:ePos], ".", "", 1)
	exp, _ := strconv.Atoi(s[ePos+1:])
	k := len(digits)
	n := exp + 1
	switch {
	case k <= n && n <= 21:
		return sign + digits + strings.Repeat("0", n-k)
	case 0 < n && n <= 21:
		return sign + digits[:n] + "." + digits[n:]
	case -6 < n && n <= 0:
		return sign + "0." + strings.Repeat("0", -n) + digits
	}
	e := n - 1
	es := "+"
	if e < 0 {
		es = "-"
		e = -e
	}
	if k == 1 {
		return sign + digits + "e" + es + strconv.Itoa(e)
	}
	return sign + digits[:1] + "." + digits[1:] + "e" + es + strconv.Itoa(e)
}

// formatNumber is node's formatNumber without numeric separators: -0 prints
// as "-0".
func formatNumber(f float64) string {
	if f == 0 && math.Signbit(f) {
		return "-0"
	}
	return numberToString(f)
}

// isJSWhitespace reports whether r is a JavaScript WhiteSpace or
// LineTerminator code point (what String.prototype.trim removes).
func isJSWhitespace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ', 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF:
		return true
	}
	return r >= 0x2000 && r <= 0x200A
}

func trimLeftJS(s string) string {
	return strings.TrimLeftFunc(s, isJSWhitespace)
}

// parseInt implements the global parseInt(string) with no radix.
func parseInt(s string) float64 {
	s = trimLeftJS(s)
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	radix := 10
	if len(s) >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		radix = 16
		s = s[2:]
	}
	end := 0
	for end < len(s) && digitVal(s[end]) < radix {
		end++
	}
	if end == 0 {
		return math.NaN()
	}
	var v float64
	if radix == 10 {
		v, _ = strconv.ParseFloat(s[:end], 64)
	} else {
		for i := 0; i < end; i++ {
			v = v*16 + float64(digitVal(s[i]))
		}
	}
	if neg {
		return -v
	}
	return v
}

func digitVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10
	}
	return 99
}

// parseFloat implements the global parseFloat(string).
func parseFloat(s string) float64 {
	s = trimLeftJS(s)
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	if strings.HasPrefix(s[i:], "Infinity") {
		if s[0] == '-' {
			return math.Inf(-1)
		}
		return math.Inf(1)
	}
	digits := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		j := i + 1
		frac := 0
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
			frac++
		}
		if digits > 0 || frac > 0 {
			i = j
			digits += frac
		}
	}
	if digits == 0 {
		return math.NaN()
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		k := j
		for k < len(s) && s[k] >= '0' && s[k] <= '9' {
			k++
		}
		if k > j {
			i = k
		}
	}
	// For out-of-range exponents ParseFloat returns ±Inf or ±0 along with
	// an error; that is the JavaScript result too.
	v, _ := strconv.ParseFloat(s[:i], 64)
	return v
}

// isIdentifierKey reports whether key matches node's keyStrRegExp
// /^[a-zA-Z_][a-zA-Z_0-9]*$/ and can be printed without quotes.
func isIdentifierKey(key string) bool {
	if key == "" {
		return false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9') {
			continue
		}
		return false
	}
	return true
}

// isNumberKey reports whether key matches node's numberRegExp
// /^(0|[1-9][0-9]*)$/.
func isNumberKey(key string) bool {
	if key == "" || (key[0] == '0' && len(key) > 1) {
		return false
	}
	for i := 0; i < len(key); i++ {
		if key[i] < '0' || key[i] > '9' {
			return false
		}
	}
	return true
}

// isArrayIndexKey reports whether key is a canonical array index
// (0 .. 2^32-2), the keys getOwnNonIndexProperties leaves out.
func isArrayIndexKey(key string) bool {
	if !isNumberKey(key) || len(key) > 10 {
		return false
	}
	n, err := strconv.ParseUint(key, 10, 64)
	return err == nil && n <= 1<<32-2
}
