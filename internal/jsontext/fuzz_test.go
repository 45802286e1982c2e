package jsontext

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"
)

// FuzzValidate checks Validate against encoding/json (see stdCheck) and,
// for input it accepts, the formatting, skipping and string helpers.
func FuzzValidate(f *testing.F) {
	for _, s := range []string{
		``, ` `, `0`, `-0.5e+10`, `true`, `null`, `""`, `"a\"\\\/\b\f\n\r\tb"`, `"\u00e9\ud83d\ude00"`,
		`"\ud800"`, `"\udc00\ud800x"`, `[]`, `{}`, `[1,"2",{"3":[null]}]`, `{"a":{"b":[true,false]}}`,
		"\"\xff\"", "\"\xed\xa0\x80\"", "\"\xc0\xaf\"", "\"\xf4\x90\x80\x80\"", "\"\xe2\x82\"", "\"\xe2\x82",
		"\"\x01\"", `[1,]`, `{"a":1,}`, `01`, `1.`, `.5`, `-`, `tru`, `[1 2]`, `{"a" 1}`, `"\x"`, `"\u12"`,
		"\xef\xbb\xbf{}", "é", strings.Repeat("[", 300) + strings.Repeat("]", 300),
		" [ 1 , { \"k\" : \"v\" } ] \n",
	} {
		f.Add([]byte(s))
	}
	g := newGen(11)
	for i := 0; i < 20; i++ {
		g.pretty = i%2 == 0
		f.Add(g.doc())
	}
	f.Add(typicalElements(1)[0])

	f.Fuzz(func(t *testing.T, b []byte) {
		stdCheck(t, b)
		checkNoPanic(t, b)
		if Validate(b, 0) != nil {
			return
		}
		checkFormat(t, b)
		checkDepth(t, b)
		v := b[skipSpace(b, 0):SkipValue(b, 0)]
		if v[0] == '"' {
			checkString(t, v)
		}
	})
}

// checkDepth checks that Validate accepts the valid text b with maxDepth
// set to its nesting depth, and rejects it with one less.
func checkDepth(t *testing.T, b []byte) {
	t.Helper()
	depth, maxDepth := 0, 0
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '"':
			i = skipString(b, i) - 1
		case '[', '{':
			depth++
			maxDepth = max(maxDepth, depth)
		case ']', '}':
			depth--
		}
	}
	if maxDepth == 0 {
		return
	}
	if err := Validate(b, maxDepth); err != nil {
		t.Fatalf("Validate(%q, %d) = %v", b, maxDepth, err)
	}
	if maxDepth > 1 {
		var se *SyntaxError
		if err := Validate(b, maxDepth-1); !errors.As(err, &se) || !strings.HasPrefix(se.Msg, "nesting depth exceeds") {
			t.Fatalf("Validate(%q, %d) = %v, want a depth error", b, maxDepth-1, err)
		}
	}
}

// checkString checks the string helpers on a valid string literal.
func checkString(t *testing.T, lit []byte) {
	t.Helper()
	var std string
	if err := json.Unmarshal(lit, &std); err != nil {
		t.Fatalf("json.Unmarshal(%s): %v", lit, err)
	}
	if got := string(Unquote(nil, lit)); got != std {
		t.Fatalf("Unquote(%s) = %q, json.Unmarshal gives %q", lit, got, std)
	}
	units := UnquoteUTF16(nil, lit)
	if got, want := NeedsUTF16(lit), hasLoneSurrogate(units); got != want {
		t.Fatalf("NeedsUTF16(%s) = %v, want %v", lit, got, want)
	}
	if got := string(utf16.Decode(units)); got != std {
		t.Fatalf("UnquoteUTF16(%s) decodes to %q, want %q", lit, got, std)
	}
	q := AppendQuoteUTF16(nil, units)
	if err := Validate(q, 0); err != nil {
		t.Fatalf("AppendQuoteUTF16(UnquoteUTF16(%s)) = %s: %v", lit, q, err)
	}
	if back := UnquoteUTF16(nil, q); !slices.Equal(back, units) {
		t.Fatalf("UnquoteUTF16(%s) = %x, want %x", q, back, units)
	}
	if !NeedsUTF16(lit) {
		if q8 := AppendQuote(nil, std); string(q8) != string(q) {
			t.Fatalf("AppendQuote(%q) = %s, AppendQuoteUTF16 gives %s", std, q8, q)
		}
	}
}

// checkNoPanic runs the helpers that expect valid input on arbitrary input:
// their result is unspecified, but they must not panic or run away.
func checkNoPanic(t *testing.T, b []byte) {
	t.Helper()
	Validate(b, 1)
	for i := 0; i <= len(b) && i < 100; i++ {
		if end := SkipValue(b, i); end < i || end > len(b) {
			t.Fatalf("SkipValue(%q, %d) = %d", b, i, end)
		}
	}
	Compact(nil, b)
	Indent(nil, b, ">", " ")
	IsTruthy(b)
	Unquote(nil, b)
	UnquoteUTF16(nil, b)
	NeedsUTF16(b)
	AppendQuote(nil, string(b))
}
