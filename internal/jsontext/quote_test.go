package jsontext

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

func TestAppendQuote(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", `""`},
		{"abc", `"abc"`},
		{`"`, `"\""`},
		{`\`, `"\\"`},
		{"/", `"/"`},
		{"</script>", `"</script>"`},
		{"\b\f\n\r\t", `"\b\f\n\r\t"`},
		{"\x00\x01\x0b\x1f", `"\u0000\u0001\u000b\u001f"`},
		{"\x7f", "\"\x7f\""},
		{"é日本😀", `"é日本😀"`},
		{"\u2028\u2029", "\"\u2028\u2029\""},
		{"\ufffd", "\"\ufffd\""},
		{"\U0010FFFF", "\"\U0010FFFF\""},
		{"\xff", `"\ufffd"`},
		{"a\xc3", `"a\ufffd"`},
		{"\xc3\x28", `"\ufffd("`},
		{"\xed\xa0\x80", `"\ufffd\ufffd\ufffd"`},
		{"\xf0\x9f\x98", `"\ufffd\ufffd\ufffd"`},
		{"0123456\"89abcdef\n", `"0123456\"89abcdef\n"`},
		{"01234567\\9abcdef\x01", `"01234567\\9abcdef\u0001"`},
		{"0123456é9abcdef", `"0123456é9abcdef"`},
		{"0123456\xff9abcdef", `"0123456\ufffd9abcdef"`},
	} {
		if got := string(AppendQuote([]byte("x"), tc.in)); got != "x"+tc.want {
			t.Errorf("AppendQuote(%q) = %s, want %s", tc.in, got[1:], tc.want)
		}
		if got := refQuote(tc.in); got != tc.want {
			t.Errorf("refQuote(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

// refQuote is a plain, one rune at a time version of AppendQuote.
func refQuote(s string) string {
	var sb strings.Builder
	sb.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError && size == 1:
			sb.WriteString(`\ufffd`)
		case r == '"':
			sb.WriteString(`\"`)
		case r == '\\':
			sb.WriteString(`\\`)
		case r == '\b':
			sb.WriteString(`\b`)
		case r == '\f':
			sb.WriteString(`\f`)
		case r == '\n':
			sb.WriteString(`\n`)
		case r == '\r':
			sb.WriteString(`\r`)
		case r == '\t':
			sb.WriteString(`\t`)
		case r < 0x20:
			fmt.Fprintf(&sb, `\u%04x`, r)
		default:
			sb.WriteRune(r)
		}
	}
	sb.WriteByte('"')
	return sb.String()
}

func TestAppendQuoteUTF16(t *testing.T) {
	for _, tc := range []struct {
		in   []uint16
		want string
	}{
		{nil, `""`},
		{[]uint16{'a', '"', '\\', '\n', 0, 0x1f, 0x7f, '/'}, "\"a\\\"\\\\\\n\\u0000\\u001f\x7f/\""},
		{[]uint16{0xE9, 0x7FF, 0x800, 0x65E5, 0xFFFF}, "\"é\u07ff\u0800日\uffff\""},
		{[]uint16{0xD83D, 0xDE00}, `"😀"`},
		{[]uint16{0xDBFF, 0xDFFF}, "\"\U0010FFFF\""},
		{[]uint16{0xD800}, `"\ud800"`},
		{[]uint16{0xDFFF}, `"\udfff"`},
		{[]uint16{0xDC00, 0xD800}, `"\udc00\ud800"`},
		{[]uint16{0xD83D, 'A'}, `"\ud83dA"`},
		{[]uint16{'A', 0xDE00}, `"A\ude00"`},
		{[]uint16{0xD83D, 0xD83D, 0xDE00}, `"\ud83d😀"`},
		{[]uint16{0xD83D, 0xDE00, 0xDE00}, `"😀\ude00"`},
	} {
		if got := string(AppendQuoteUTF16([]byte("x"), tc.in)); got != "x"+tc.want {
			t.Errorf("AppendQuoteUTF16(%x) = %s, want %s", tc.in, got[1:], tc.want)
		}
	}
}

func TestUnquote(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`""`, ""},
		{`"abc"`, "abc"},
		{`"\"\\\/\b\f\n\r\t"`, "\"\\/\b\f\n\r\t"},
		{`"\u0041\u00e9\u65E5\u0000"`, "Aé日\x00"},
		{`"\ud83d\ude00"`, "😀"},
		{`"\uD83D\uDE00x"`, "😀x"},
		{`"\ud800"`, "\ufffd"},
		{`"\ud800x"`, "\ufffdx"},
		{`"\udc00"`, "\ufffd"},
		{`"\udc00\ud800"`, "\ufffd\ufffd"},
		{`"\ud800\ud800\udc00"`, "\ufffd\U00010000"},
		{`"\ud800\n"`, "\ufffd\n"},
		{`"\ud800\u0041"`, "\ufffdA"},
		{`"日本 😀"`, "日本 😀"},
		{`"a\\u0041"`, `a\u0041`},
	} {
		if got := string(Unquote([]byte("x"), []byte(tc.in))); got != "x"+tc.want {
			t.Errorf("Unquote(%s) = %q, want %q", tc.in, got[1:], tc.want)
		}
		var std string
		if err := json.Unmarshal([]byte(tc.in), &std); err != nil || std != tc.want {
			t.Errorf("json.Unmarshal(%s) = %q, %v; want %q", tc.in, std, err, tc.want)
		}
	}
}

func TestNeedsUTF16(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{`""`, false},
		{`"abc"`, false},
		{`"\n\u0041"`, false},
		{`"😀"`, false},
		{`"\ud83d\ude00"`, false},
		{`"\uD83D\uDE00"`, false},
		{`"\ud83d\ude00\ud83d\ude00"`, false},
		{`"\ud7ff\ue000"`, false},
		{`"\\ud800"`, false},
		{`"\\\\ud800"`, false},
		{`"\ud800"`, true},
		{`"\udfff"`, true},
		{`"\udc00\ud800"`, true},
		{`"\\\ud800"`, true},
		{`"a\ud800b"`, true},
		{`"\ud800\u0041"`, true},
		{`"\ud800\ud800\udc00"`, true},
		{`"\ud83d\ude00\ude00"`, true},
		{`"\ud83d\\ude00"`, true},
	} {
		if got := NeedsUTF16([]byte(tc.in)); got != tc.want {
			t.Errorf("NeedsUTF16(%s) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestUnquoteUTF16(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []uint16
	}{
		{`""`, []uint16{}},
		{`"a\ud800b"`, []uint16{'a', 0xD800, 'b'}},
		{`"😀"`, []uint16{0xD83D, 0xDE00}},
		{`"\ud83d\ude00"`, []uint16{0xD83D, 0xDE00}},
		{`"\udc00\ud800"`, []uint16{0xDC00, 0xD800}},
		{`"é\n\/\"日"`, []uint16{0xE9, '\n', '/', '"', 0x65E5}},
		{`"\uFFFF\u0000"`, []uint16{0xFFFF, 0}},
	} {
		got := UnquoteUTF16([]uint16{'x'}, []byte(tc.in))
		if want := append([]uint16{'x'}, tc.want...); !slices.Equal(got, want) {
			t.Errorf("UnquoteUTF16(%s) = %x, want %x", tc.in, got, want)
		}
	}
}

// randomUnits returns a random UTF-16 string that favours the interesting
// code units: ASCII specials, surrogates, and characters near encoding
// boundaries.
func randomUnits(r *rand.Rand) []uint16 {
	pool := []uint16{'a', 'z', ' ', '"', '\\', '/', '\n', 0, 0x1f, 0x7f, 0x80, 0x7ff, 0x800, 0xFFFF, 0xFFFD, 0x2028,
		0xD800, 0xDBFF, 0xDC00, 0xDFFF, 0xD83D, 0xDE00}
	u := make([]uint16, r.IntN(20))
	for i := range u {
		if r.IntN(3) == 0 {
			u[i] = uint16(r.Uint32())
		} else {
			u[i] = pool[r.IntN(len(pool))]
		}
	}
	return u
}

func hasLoneSurrogate(u []uint16) bool {
	for i := 0; i < len(u); i++ {
		switch {
		case u[i] >= 0xD800 && u[i] < 0xDC00 && i+1 < len(u) && u[i+1] >= 0xDC00 && u[i+1] <= 0xDFFF:
			i++
		case u[i] >= 0xD800 && u[i] <= 0xDFFF:
			return true
		}
	}
	return false
}

// TestUTF16RoundTrip checks AppendQuoteUTF16, UnquoteUTF16, NeedsUTF16 and
// Unquote against each other and against encoding/json on random UTF-16
// strings.
func TestUTF16RoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 20000; i++ {
		u := randomUnits(r)
		lit := AppendQuoteUTF16(nil, u)
		if err := Validate(lit, 0); err != nil {
			t.Fatalf("AppendQuoteUTF16(%x) = %s: %v", u, lit, err)
		}
		if back := UnquoteUTF16(nil, lit); !slices.Equal(back, u) {
			t.Fatalf("UnquoteUTF16(AppendQuoteUTF16(%x)) = %x", u, back)
		}
		if got, want := NeedsUTF16(lit), hasLoneSurrogate(u); got != want {
			t.Fatalf("NeedsUTF16(%s) = %v, want %v", lit, got, want)
		}
		text := string(utf16.Decode(u)) // lone surrogates become U+FFFD
		if got := string(Unquote(nil, lit)); got != text {
			t.Fatalf("Unquote(%s) = %q, want %q", lit, got, text)
		}
		if !hasLoneSurrogate(u) {
			if q := string(AppendQuote(nil, text)); q != string(lit) {
				t.Fatalf("AppendQuote(%q) = %s, AppendQuoteUTF16 gives %s", text, q, lit)
			}
		}
		// Escaping every unit gives the same values.
		var esc []byte
		esc = append(esc, '"')
		for _, c := range u {
			esc = appendEscapeUnit(esc, c)
		}
		esc = append(esc, '"')
		if back := UnquoteUTF16(nil, esc); !slices.Equal(back, u) {
			t.Fatalf("UnquoteUTF16(%s) = %x, want %x", esc, back, u)
		}
		if got := string(Unquote(nil, esc)); got != text {
			t.Fatalf("Unquote(%s) = %q, want %q", esc, got, text)
		}
		var std string
		if err := json.Unmarshal(esc, &std); err != nil || std != text {
			t.Fatalf("json.Unmarshal(%s) = %q, %v; want %q", esc, std, err, text)
		}
	}
}

func TestAppendQuoteRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	parts := []string{"a", "bcdefgh", "\"", "\\", "\n", "\x00", "\x1f", "\x7f", "é", "日", "😀", "\xff", "\xc3", "\xed\xa0\x80", "/"}
	for i := 0; i < 20000; i++ {
		var sb strings.Builder
		for n := r.IntN(12); n > 0; n-- {
			sb.WriteString(parts[r.IntN(len(parts))])
		}
		checkQuote(t, sb.String())
	}
}

func checkQuote(t *testing.T, s string) {
	t.Helper()
	q := AppendQuote(nil, s)
	if want := refQuote(s); string(q) != want {
		t.Fatalf("AppendQuote(%q) = %s, want %s", s, q, want)
	}
	if err := Validate(q, 0); err != nil {
		t.Fatalf("AppendQuote(%q) = %s: %v", s, q, err)
	}
	if !json.Valid(q) {
		t.Fatalf("AppendQuote(%q) = %s: json.Valid = false", s, q)
	}
	var back string
	if err := json.Unmarshal(q, &back); err != nil {
		t.Fatalf("json.Unmarshal(%s): %v", q, err)
	}
	if got := string(Unquote(nil, q)); got != back {
		t.Fatalf("Unquote(%s) = %q, json.Unmarshal gives %q", q, got, back)
	}
	if NeedsUTF16(q) {
		t.Fatalf("NeedsUTF16(%s) = true", q)
	}
	// Each byte that is not valid UTF-8 reads back as U+FFFD, as it does
	// when Go converts the string to runes.
	if want := string([]rune(s)); back != want {
		t.Fatalf("json.Unmarshal(AppendQuote(%q)) = %q, want %q", s, back, want)
	}
	if utf8.ValidString(s) {
		if q16 := AppendQuoteUTF16(nil, utf16.Encode([]rune(s))); string(q16) != string(q) {
			t.Fatalf("AppendQuoteUTF16(%q) = %s, AppendQuote gives %s", s, q16, q)
		}
	}
}

func FuzzQuote(f *testing.F) {
	for _, s := range []string{
		"", "abc", `"\`, "\b\f\n\r\t\x00\x1f\x7f", "é日本😀", "\u2028", "\xff", "a\xc3", "\xed\xa0\x80",
		"0123456\"89abcdef\n", "0123456\xff9abcdef", strings.Repeat("x", 100) + "\"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkQuote(t, s)
	})
}
