package jsontext

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestValidateValid(t *testing.T) {
	for _, s := range []string{
		`0`, `-0`, `1`, `-1`, `0.5`, `-0.0e-0`, `1E+2`, `1e2`, `123456789012345678901234567890`,
		`1.7976931348623157e308`, `1e999`, `5e-324`,
		`true`, `false`, `null`, ` true `, "\t\r\n null \n",
		`""`, `"a"`, `"\"\\\/\b\f\n\r\t"`, `"\u0000\u001f\uFFFF\uabcd"`, `"é日本😀"`, "\"\u2028\u2029\"",
		`"\ud800"`, `"\udc00"`, `"\udc00\ud800"`, `"\ud83d\ude00"`, "\"\U0010FFFF\"", "\"\x7f\"",
		`[]`, `[ ]`, `{}`, `{ }`, `[1,2,3]`, `[[[]]]`, `{"a":{"b":[{"c":null}]}}`,
		`{"a":1,"a":2}`, `{"":""}`, ` [ 1 , "2" , { "3" : [ ] } ] `,
		strings.Repeat("[", 10000) + strings.Repeat("]", 10000),
		strings.Repeat(`{"a":`, 300) + `1` + strings.Repeat("}", 300),
	} {
		if err := Validate([]byte(s), 0); err != nil {
			t.Errorf("Validate(%.40q) = %v, want nil", s, err)
		}
	}
}

func TestValidateErrors(t *testing.T) {
	deep := strings.Repeat("[", 10001) + strings.Repeat("]", 10001)
	for _, tc := range []struct {
		in     string
		offset int
		msg    string
	}{
		// Unexpected end.
		{``, 0, `unexpected end of JSON input`},
		{`   `, 3, `unexpected end of JSON input`},
		{`[`, 1, `unexpected end of JSON input`},
		{`[1,`, 3, `unexpected end of JSON input`},
		{`{`, 1, `unexpected end of JSON input`},
		{`{"a"`, 4, `unexpected end of JSON input`},
		{`{"a":`, 5, `unexpected end of JSON input`},
		{`{"a":1,`, 7, `unexpected end of JSON input`},
		{`"abc`, 4, `unexpected end of JSON input`},
		{`"abc\`, 5, `unexpected end of JSON input`},
		{`"\u12`, 5, `unexpected end of JSON input`},
		{`-`, 1, `unexpected end of JSON input`},
		{`1.`, 2, `unexpected end of JSON input`},
		{`1e`, 2, `unexpected end of JSON input`},
		{`1e+`, 3, `unexpected end of JSON input`},
		{`tru`, 3, `unexpected end of JSON input`},
		{`fals`, 4, `unexpected end of JSON input`},
		{`n`, 1, `unexpected end of JSON input`},
		{"\"\xe2\x82", 3, `unexpected end of JSON input`},
		{"\"\xf0\x9f\x98", 4, `unexpected end of JSON input`},

		// Beginning of value.
		{`x`, 0, `invalid character 'x' looking for beginning of value`},
		{`[1,]`, 3, `invalid character ']' looking for beginning of value`},
		{`[,1]`, 1, `invalid character ',' looking for beginning of value`},
		{`'a'`, 0, `invalid character '\'' looking for beginning of value`},
		{`NaN`, 0, `invalid character 'N' looking for beginning of value`},
		{`Infinity`, 0, `invalid character 'I' looking for beginning of value`},
		{`+1`, 0, `invalid character '+' looking for beginning of value`},
		{`.5`, 0, `invalid character '.' looking for beginning of value`},
		{`/* c */ 1`, 0, `invalid character '/' looking for beginning of value`},
		{`{"a":}`, 5, `invalid character '}' looking for beginning of value`},
		{"\f1", 0, `invalid character '\f' looking for beginning of value`},
		{"\x00", 0, `invalid character '\x00' looking for beginning of value`},
		{"\xef\xbb\xbf{}", 0, `invalid character '\ufeff' looking for beginning of value`},
		{"é", 0, `invalid character 'é' looking for beginning of value`},
		{"\xff", 0, `invalid character '\xff' looking for beginning of value`},
		{"[\"a\"\x80]", 4, `invalid character '\x80' after array element`},

		// Object keys.
		{`{1:2}`, 1, `invalid character '1' looking for beginning of object key string`},
		{`{'a':1}`, 1, `invalid character '\'' looking for beginning of object key string`},
		{`{a:1}`, 1, `invalid character 'a' looking for beginning of object key string`},
		{`{"a":1,}`, 7, `invalid character '}' looking for beginning of object key string`},
		{`{,}`, 1, `invalid character ',' looking for beginning of object key string`},
		{`{"a" 1}`, 5, `invalid character '1' after object key`},
		{`{"a"=1}`, 4, `invalid character '=' after object key`},
		{`{"a"::1}`, 5, `invalid character ':' looking for beginning of value`},
		{`{"a":1 "b":2}`, 7, `invalid character '"' after object key:value pair`},
		{`{"a":1]`, 6, `invalid character ']' after object key:value pair`},
		{`{"a":1;"b":2}`, 6, `invalid character ';' after object key:value pair`},

		// Arrays and the top level.
		{`[1 2]`, 3, `invalid character '2' after array element`},
		{`[1}`, 2, `invalid character '}' after array element`},
		{`[1:2]`, 2, `invalid character ':' after array element`},
		{`1 2`, 2, `invalid character '2' after top-level value`},
		{`{}}`, 2, `invalid character '}' after top-level value`},
		{`[]]`, 2, `invalid character ']' after top-level value`},
		{`01`, 1, `invalid character '1' after top-level value`},
		{`-01`, 2, `invalid character '1' after top-level value`},
		{`[01]`, 2, `invalid character '1' after array element`},
		{`1.5.3`, 3, `invalid character '.' after top-level value`},
		{`truex`, 4, `invalid character 'x' after top-level value`},
		{`"a""b"`, 3, `invalid character '"' after top-level value`},
		{`1 // c`, 2, `invalid character '/' after top-level value`},

		// Literals and numbers.
		{`trUe`, 2, `invalid character 'U' in literal true (expecting 'u')`},
		{`True`, 0, `invalid character 'T' looking for beginning of value`},
		{`fals3`, 4, `invalid character '3' in literal false (expecting 'e')`},
		{`nul1`, 3, `invalid character '1' in literal null (expecting 'l')`},
		{`-x`, 1, `invalid character 'x' in numeric literal`},
		{`-Infinity`, 1, `invalid character 'I' in numeric literal`},
		{`- 1`, 1, `invalid character ' ' in numeric literal`},
		{`1.x`, 2, `invalid character 'x' after decimal point in numeric literal`},
		{`1.e5`, 2, `invalid character 'e' after decimal point in numeric literal`},
		{`1ex`, 2, `invalid character 'x' in exponent of numeric literal`},
		{`1e+x`, 3, `invalid character 'x' in exponent of numeric literal`},
		{`1E-]`, 3, `invalid character ']' in exponent of numeric literal`},
		{`0x10`, 1, `invalid character 'x' after top-level value`},

		// Strings.
		{`"\x"`, 2, `invalid character 'x' in string escape code`},
		{`"\'"`, 2, `invalid character '\'' in string escape code`},
		{`"\U0041"`, 2, `invalid character 'U' in string escape code`},
		{"\"\\\xc3\xa9\"", 2, `invalid character 'é' in string escape code`},
		{`"\u12G4"`, 5, `invalid character 'G' in \u hexadecimal character escape`},
		{`"\u"`, 3, `invalid character '"' in \u hexadecimal character escape`},
		{`"\ud800\u"`, 9, `invalid character '"' in \u hexadecimal character escape`},
		{"\"a\x01\"", 2, `control character U+0001 in string literal (escape it as \u0001)`},
		{"\"\n\"", 1, `control character U+000A in string literal (escape it as \n)`},
		{"\"\t\"", 1, `control character U+0009 in string literal (escape it as \t)`},
		{"{\"a\x1fb\":1}", 3, `control character U+001F in string literal (escape it as \u001f)`},
		{"\"\x00\"", 1, `control character U+0000 in string literal (escape it as \u0000)`},

		// UTF-8.
		{"\"\xff\"", 1, `invalid UTF-8 byte 0xff in string`},
		{"\"ab\x80\"", 3, `invalid UTF-8 byte 0x80 in string`},
		{"\"\xc0\xaf\"", 1, `invalid UTF-8 byte 0xc0 in string`},         // overlong '/'
		{"\"\xc1\xbf\"", 1, `invalid UTF-8 byte 0xc1 in string`},         // overlong
		{"\"\xe0\x80\xaf\"", 1, `invalid UTF-8 byte 0xe0 in string`},     // overlong
		{"\"\xf0\x80\x80\xaf\"", 1, `invalid UTF-8 byte 0xf0 in string`}, // overlong
		{"\"\xed\xa0\x80\"", 1, `invalid UTF-8 byte 0xed in string`},     // U+D800
		{"\"\xed\xbf\xbf\"", 1, `invalid UTF-8 byte 0xed in string`},     // U+DFFF
		{"\"\xf4\x90\x80\x80\"", 1, `invalid UTF-8 byte 0xf4 in string`}, // U+110000
		{"\"\xf5\x80\x80\x80\"", 1, `invalid UTF-8 byte 0xf5 in string`},
		{"\"\xc3\"", 1, `invalid UTF-8 byte 0xc3 in string`},
		{"\"\xe2\x82\"", 1, `invalid UTF-8 byte 0xe2 in string`},
		{"\"\xe6\x97\xa5\xe6\x9c\"", 4, `invalid UTF-8 byte 0xe6 in string`},
		{"{\"\xfe\":1}", 2, `invalid UTF-8 byte 0xfe in string`},

		// Depth.
		{deep, 10000, `nesting depth exceeds 10000`},
		{strings.Repeat(`{"a":`, 10001), 50000, `nesting depth exceeds 10000`},
		{strings.Repeat("[", 1000000), 10000, `nesting depth exceeds 10000`},
	} {
		err := Validate([]byte(tc.in), 0)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Validate(%.40q) = %v, want *SyntaxError", tc.in, err)
			continue
		}
		if se.Offset != tc.offset || se.Msg != tc.msg || se.Error() != tc.msg {
			t.Errorf("Validate(%.40q) = %d %q, want %d %q", tc.in, se.Offset, se.Msg, tc.offset, tc.msg)
		}
	}
}

func TestValidateMaxDepth(t *testing.T) {
	for _, tc := range []struct {
		in       string
		maxDepth int
		offset   int // -1 for valid
	}{
		{`1`, 1, -1},
		{`[]`, 1, -1},
		{`[[]]`, 1, 1},
		{`[[]]`, 2, -1},
		{`{"a":{"b":[1]}}`, 2, 10},
		{`{"a":{"b":[1]}}`, 3, -1},
		{`[{},[],{},[[]]]`, 3, -1},
		{`[{},[],{},[[]]]`, 2, 11},
		{`[{},[],{},[[[]]]]`, 3, 12},
		{strings.Repeat("[", 300) + strings.Repeat("]", 300), 300, -1},
		{strings.Repeat("[", 301), 300, 300},
		{strings.Repeat("[", 100000) + strings.Repeat("]", 100000), 100000, -1},
		{strings.Repeat("[", 1000000) + strings.Repeat("]", 1000000), 1000000, -1},
		{strings.Repeat("[", 1000001), 1000000, 1000000},
	} {
		err := Validate([]byte(tc.in), tc.maxDepth)
		if tc.offset < 0 {
			if err != nil {
				t.Errorf("Validate(%.40q, %d) = %v, want nil", tc.in, tc.maxDepth, err)
			}
			continue
		}
		var se *SyntaxError
		if !errors.As(err, &se) || se.Offset != tc.offset || !strings.HasPrefix(se.Msg, "nesting depth exceeds ") {
			t.Errorf("Validate(%.40q, %d) = %v, want depth error at %d", tc.in, tc.maxDepth, err, tc.offset)
		}
	}
}

// TestValidateDeepMixed checks that the container kinds are restored
// correctly when deep nesting alternates arrays and objects, past the
// inline part of the stack.
func TestValidateDeepMixed(t *testing.T) {
	var sb strings.Builder
	const depth = 2000
	for i := 0; i < depth; i++ {
		if i%3 == 0 {
			sb.WriteString(`{"k":`)
		} else {
			sb.WriteString(`[0,`)
		}
	}
	sb.WriteString(`null`)
	for i := depth - 1; i >= 0; i-- {
		if i%3 == 0 {
			sb.WriteString(`,"z":1}`)
		} else {
			sb.WriteString(`,1]`)
		}
	}
	good := sb.String()
	if err := Validate([]byte(good), 0); err != nil {
		t.Fatalf("Validate(mixed deep) = %v", err)
	}
	if !json.Valid([]byte(good)) {
		t.Fatal("json.Valid(mixed deep) = false")
	}
	// Closing one level with the wrong bracket must be caught at every depth.
	for _, pos := range []int{0, 1, 63, 64, 65, 255, 256, 257, 1000, depth - 1} {
		b := []byte(good)
		// Find the closer pos+1 from the end.
		end := len(b)
		for k := 0; k <= pos; k++ {
			end--
			for b[end] != ']' && b[end] != '}' {
				end--
			}
		}
		if b[end] == ']' {
			b[end] = '}'
		} else {
			b[end] = ']'
		}
		err := Validate(b, 0)
		var se *SyntaxError
		if !errors.As(err, &se) || se.Offset != end {
			t.Errorf("wrong closer at level %d (offset %d): Validate = %v", pos, end, err)
		}
	}
}

func TestValidateAllocs(t *testing.T) {
	doc := typicalDocument(64 << 10)
	deep := []byte(strings.Repeat("[", 5000) + strings.Repeat("]", 5000))
	inputs := [][]byte{doc}
	if !raceEnabled {
		// The race detector makes sync.Pool drop items at random.
		inputs = append(inputs, deep)
	}
	for _, in := range inputs {
		if n := testing.AllocsPerRun(20, func() {
			if err := Validate(in, 0); err != nil {
				t.Fatal(err)
			}
		}); n != 0 {
			t.Errorf("Validate allocates %v times per call on %.20q", n, in)
		}
	}
}

// stdCheck compares Validate with encoding/json on one input. encoding/json
// replaces invalid UTF-8 inside strings instead of rejecting it, so for
// input that is not valid UTF-8 it only checks that Validate fails and, if
// encoding/json accepts the input, that Validate reports an invalid UTF-8
// byte. For valid UTF-8 the two must agree on validity and, where their
// error messages have a common form, on the offset and the message.
func stdCheck(t *testing.T, b []byte) {
	t.Helper()
	err := Validate(b, 0)
	var se *SyntaxError
	if err != nil && !errors.As(err, &se) {
		t.Fatalf("Validate(%q) returned %T, want *SyntaxError", b, err)
	}
	if se != nil && (se.Offset < 0 || se.Offset > len(b)) {
		t.Fatalf("Validate(%q): offset %d outside [0, %d]", b, se.Offset, len(b))
	}
	stdErr := json.Unmarshal(b, new(json.RawMessage))
	var stdSE *json.SyntaxError
	if stdErr != nil && !errors.As(stdErr, &stdSE) {
		t.Fatalf("json.Unmarshal(%q) returned unexpected error %v", b, stdErr)
	}

	if !utf8.Valid(b) {
		if err == nil {
			t.Fatalf("Validate(%q) = nil for invalid UTF-8", b)
		}
		if stdErr == nil {
			if r, size := utf8.DecodeRune(b[se.Offset:]); r != utf8.RuneError || size != 1 ||
				!strings.HasPrefix(se.Msg, "invalid UTF-8 byte") {
				t.Fatalf("Validate(%q) = %d %q, want an invalid UTF-8 error", b, se.Offset, se.Msg)
			}
		}
		return
	}

	if (err == nil) != (stdErr == nil) {
		t.Fatalf("Validate(%q) = %v, encoding/json says %v", b, err, stdErr)
	}
	if err == nil {
		return
	}
	// encoding/json's offset counts the bytes read including the offending
	// one; at the end of input it is len(b).
	switch {
	case se.Msg == "unexpected end of JSON input":
		// At the end of input encoding/json feeds a space to the scanner,
		// so a number or literal cut short reads as a bad ' '.
		if stdSE.Offset != int64(len(b)) ||
			(stdSE.Error() != se.Msg && !strings.HasPrefix(stdSE.Error(), "invalid character ' ' ")) {
			t.Fatalf("Validate(%q) = %d %q, encoding/json: %d %q", b, se.Offset, se.Msg, stdSE.Offset, stdSE.Error())
		}
	case stdSE.Offset != int64(se.Offset)+1:
		t.Fatalf("Validate(%q) = %d %q, encoding/json: %d %q", b, se.Offset, se.Msg, stdSE.Offset, stdSE.Error())
	case strings.HasPrefix(se.Msg, "nesting depth exceeds"):
		if stdSE.Error() != "invalid character '"+string(b[se.Offset])+"' exceeded max depth" {
			t.Fatalf("Validate(%q) = %q, encoding/json: %q", b, se.Msg, stdSE.Error())
		}
	case strings.HasPrefix(se.Msg, "control character"):
		if !strings.HasSuffix(stdSE.Error(), " in string literal") {
			t.Fatalf("Validate(%q) = %q, encoding/json: %q", b, se.Msg, stdSE.Error())
		}
	case b[se.Offset] < utf8.RuneSelf:
		if stdSE.Error() != se.Msg {
			t.Fatalf("Validate(%q) = %q, encoding/json: %q", b, se.Msg, stdSE.Error())
		}
	}
}

func TestValidateDifferential(t *testing.T) {
	n := 200000
	if testing.Short() {
		n = 20000
	}
	g := newGen(42)
	valid, invalid := 0, 0
	for i := 0; i < n; i++ {
		g.pretty = i%2 == 0
		doc := g.doc()
		if i%4 != 0 {
			doc = g.mutate(doc)
		}
		stdCheck(t, doc)
		if Validate(doc, 0) == nil {
			valid++
		} else {
			invalid++
		}
	}
	t.Logf("%d valid, %d invalid documents", valid, invalid)
}

func TestValidateTypicalDocument(t *testing.T) {
	doc := typicalDocument(256 << 10)
	stdCheck(t, doc)
	if err := Validate(doc, 0); err != nil {
		t.Fatal(err)
	}
	for _, el := range typicalElements(100) {
		if err := Validate(el, 0); err != nil {
			t.Fatalf("Validate(%s) = %v", el, err)
		}
	}
	// Every strict prefix of an element is incomplete.
	el := typicalElements(1)[0]
	for i := range el {
		var se *SyntaxError
		if err := Validate(el[:i], 0); !errors.As(err, &se) || se.Offset != i {
			t.Fatalf("Validate(prefix %d) = %v", i, err)
		}
	}
}

// TestValidateUTF8 checks every one-, two-, three- and four-byte sequence
// shape against unicode/utf8, inside a string literal.
func TestValidateUTF8(t *testing.T) {
	check := func(seq []byte) {
		b := append(append([]byte{'"'}, seq...), '"')
		want := utf8.Valid(seq)
		for _, c := range seq {
			if c < 0x20 || c == '"' || c == '\\' {
				return // not a plain string body
			}
		}
		if got := Validate(b, 0) == nil; got != want {
			t.Fatalf("Validate(%q) valid = %v, want %v", b, got, want)
		}
	}
	for c0 := 0x20; c0 < 0x100; c0++ {
		check([]byte{byte(c0)})
		for c1 := 0x20; c1 < 0x100; c1++ {
			check([]byte{byte(c0), byte(c1)})
			if c0 < 0xC0 || c1 < 0x80 || c1 >= 0xC0 {
				continue
			}
			for _, c2 := range []byte{0x7f, 0x80, 0xbf, 0xc0} {
				check([]byte{byte(c0), byte(c1), c2})
				for _, c3 := range []byte{0x7f, 0x80, 0xbf, 0xc0} {
					check([]byte{byte(c0), byte(c1), c2, c3})
				}
			}
		}
	}
	// Every code point, encoded, is valid except the surrogates.
	for r := rune(0x80); r <= utf8.MaxRune+1; r++ {
		b := append(appendRawUTF8([]byte{'"'}, r), '"')
		if got, want := Validate(b, 0) == nil, (r < 0xD800 || r > 0xDFFF) && r <= utf8.MaxRune; got != want {
			t.Fatalf("Validate(U+%04X) valid = %v, want %v", r, got, want)
		}
	}
}

// appendRawUTF8 encodes r with the UTF-8 bit pattern even where UTF-8 forbids
// it (surrogates and values above U+10FFFF), to produce invalid input.
func appendRawUTF8(b []byte, r rune) []byte {
	switch {
	case r < 0x80:
		return append(b, byte(r))
	case r < 0x800:
		return append(b, 0xC0|byte(r>>6), 0x80|byte(r)&0x3F)
	case r < 0x10000:
		return append(b, 0xE0|byte(r>>12), 0x80|byte(r>>6)&0x3F, 0x80|byte(r)&0x3F)
	}
	return append(b, 0xF0|byte(r>>18), 0x80|byte(r>>12)&0x3F, 0x80|byte(r>>6)&0x3F, 0x80|byte(r)&0x3F)
}
