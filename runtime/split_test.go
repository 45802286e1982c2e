package runtime

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"strings"
	"testing"
	"testing/iotest"
)

// splitAll runs the splitter over the inputs and returns the elements, or the first error.
func splitAll(t testing.TB, format Format, inputs ...Input) ([]string, error) {
	t.Helper()
	sp := newSplitter(inputs, format, -1, 0, 0)
	defer sp.close()
	var out []string
	for {
		sl, err := sp.next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		for i, e := range sl.elems {
			if got, want := sl.first+int64(i), int64(len(out)); got != want {
				t.Fatalf("element index %d, want %d", got, want)
			}
			out = append(out, string(sl.buf[e.start:e.end]))
		}
		if sl.err != nil {
			return out, sl.err
		}
	}
}

func strInput(name, s string) Input {
	return Input{Name: name, Size: int64(len(s)), Open: func() (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(s)), nil
	}}
}

// oneByteInput delivers its text one byte per Read, to exercise every buffer boundary.
func oneByteInput(name, s string) Input {
	return Input{Name: name, Size: -1, Open: func() (io.ReadCloser, error) {
		return io.NopCloser(iotest.OneByteReader(strings.NewReader(s))), nil
	}}
}

func TestSplitTable(t *testing.T) {
	cases := []struct {
		name   string
		format Format
		in     string
		want   []string
		err    string // substring of the error; "" for none
	}{
		{"array", FormatAuto, `[1,2,3]`, []string{"1", "2", "3"}, ""},
		{"array spaces", FormatAuto, " [ 1 , \"a,b\" ,\n{\"x\":[1,2]} , null ]\n", []string{"1", `"a,b"`, `{"x":[1,2]}`, "null"}, ""},
		{"empty array", FormatAuto, `[]`, nil, ""},
		{"empty array spaces", FormatAuto, " [ \n ] \n", nil, ""},
		{"empty input", FormatAuto, ``, nil, ""},
		{"only spaces", FormatAuto, " \n\t ", nil, ""},
		{"bom array", FormatAuto, "\xEF\xBB\xBF[1]", []string{"1"}, ""},
		{"bom stream", FormatAuto, "\xEF\xBB\xBF{\"a\":1}\n", []string{`{"a":1}`}, ""},
		{"ndjson", FormatAuto, "{\"a\":1}\n{\"a\":2}\n", []string{`{"a":1}`, `{"a":2}`}, ""},
		{"ndjson crlf blank lines", FormatAuto, "{\"a\":1}\r\n\r\n\n{\"a\":2}\r\n", []string{`{"a":1}`, `{"a":2}`}, ""},
		{"concatenated", FormatAuto, `{"a":1}{"b":2}[3]"s"`, []string{`{"a":1}`, `{"b":2}`, `[3]`, `"s"`}, ""},
		{"scalars stream", FormatAuto, "1 2\n3\ttrue null \"x\"", []string{"1", "2", "3", "true", "null", `"x"`}, ""},
		{"top-level scalar", FormatAuto, `5`, []string{"5"}, ""},
		{"strings with brackets", FormatAuto, `["]","[","}{",",","\"","\\"]`, []string{`"]"`, `"["`, `"}{"`, `","`, `"\""`, `"\\"`}, ""},
		{"escaped backslash before quote", FormatAuto, `["a\\\\",1]`, []string{`"a\\\\"`, "1"}, ""},
		{"nested", FormatAuto, `[[[]],{"a":{"b":[{}]}}]`, []string{`[[]]`, `{"a":{"b":[{}]}}`}, ""},
		{"ndjson forced array", FormatNDJSON, `[1,2]`, []string{`[1,2]`}, ""},
		{"json forced", FormatJSON, `[1]`, []string{"1"}, ""},

		{"json forced empty", FormatJSON, " \n", nil, "x:2:1: expected a top-level array, found the end of the input"},
		{"json forced object", FormatJSON, `{"a":1}`, nil, "x:1:1: expected a top-level array, found '{'"},
		{"truncated array", FormatAuto, `[1,2`, []string{"1", "2"}, "x:1:5: unexpected end of JSON input"},
		{"truncated element", FormatAuto, `[1,{"a":`, []string{"1"}, "x:1:9: unexpected end of JSON input (element 1)"},
		{"truncated string", FormatAuto, `[1,"abc`, []string{"1"}, "unexpected end of JSON input (element 1)"},
		{"trailing comma", FormatAuto, `[1,2,]`, []string{"1", "2"}, "x:1:6: invalid character ']' looking for beginning of value (element 2)"},
		{"leading comma", FormatAuto, `[,1]`, nil, "x:1:2: invalid character ',' looking for beginning of value (element 0)"},
		{"double comma", FormatAuto, `[1,,2]`, []string{"1"}, "x:1:4: invalid character ',' looking for beginning of value (element 1)"},
		{"missing comma", FormatAuto, `[1 2]`, []string{"1"}, "x:1:4: invalid character '2' after array element (element 1)"},
		{"trailing garbage", FormatAuto, `[1] x`, []string{"1"}, "x:1:5: invalid character 'x' after top-level array"},
		{"two arrays", FormatAuto, `[1][2]`, []string{"1"}, "x:1:4: invalid character '[' after top-level array"},
		{"mismatched bracket", FormatAuto, `[{"a":[1}]`, nil, "x:1:9: invalid character '}' in array (element 0)"},
		{"mismatched brace", FormatAuto, `[[1}]`, nil, "invalid character '}' in array (element 0)"},
		{"close brace at top", FormatAuto, `[1}`, []string{"1"}, "x:1:3: invalid character '}' after array element (element 1)"},
		{"newline in string", FormatAuto, "{\"a\":\"x\n\"}\n{}", nil, "x:1:8: invalid character '\\n' in string literal (element 0)"},
		{"stray close in stream", FormatAuto, "1\n]", []string{"1"}, "x:2:1: invalid character ']' looking for beginning of value (element 1)"},
		{"line and column", FormatAuto, "[\n  1,\n  2,\n  }\n]", []string{"1", "2"}, "x:4:3: invalid character '}' looking for beginning of value (element 2)"},
	}
	for _, tc := range cases {
		for _, mk := range []func(string, string) Input{strInput, oneByteInput} {
			t.Run(tc.name, func(t *testing.T) {
				got, err := splitAll(t, tc.format, mk("x", tc.in))
				if fmt.Sprint(got) != fmt.Sprint(tc.want) {
					t.Errorf("elements %q, want %q", got, tc.want)
				}
				switch {
				case tc.err == "" && err != nil:
					t.Errorf("error %v", err)
				case tc.err != "" && err == nil:
					t.Errorf("no error, want %q", tc.err)
				case tc.err != "" && !strings.Contains(err.Error(), tc.err):
					t.Errorf("error %q, want %q", err, tc.err)
				}
			})
		}
	}
}

func TestSplitSeveralInputs(t *testing.T) {
	got, err := splitAll(t, FormatAuto, strInput("a", "[1,2]"), strInput("b", "3\n4\n"), strInput("c", "[]"), strInput("d", "[5]"))
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[1 2 3 4 5]" {
		t.Fatalf("got %v", got)
	}
	_, err = splitAll(t, FormatAuto, strInput("a", "[1]"), strInput("b", "[2,"))
	var ie *InputError
	if !errors.As(err, &ie) || ie.Pos.Source != "b" || ie.Pos.Line != 1 || ie.Pos.Column != 4 {
		t.Fatalf("error %v, want one in b at 1:4", err)
	}
}

func TestSplitBigElement(t *testing.T) {
	big := `"` + strings.Repeat("x", 3*slabBytes+17) + `"`
	in := "[1," + big + ",2]"
	got, err := splitAll(t, FormatAuto, strInput("x", in))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[1] != big {
		t.Fatalf("got %d elements", len(got))
	}
	sp := newSplitter([]Input{strInput("x", in)}, FormatAuto, -1, 1000, 0)
	var err2 error
	for {
		sl, err := sp.next()
		if err != nil {
			break
		}
		if sl.err != nil {
			err2 = sl.err
			break
		}
	}
	if err2 == nil || !strings.Contains(err2.Error(), "element is larger than 1000 bytes") {
		t.Fatalf("error %v, want a size limit error", err2)
	}
}

func TestSplitLimit(t *testing.T) {
	sp := newSplitter([]Input{strInput("x", "[1,2,3,4")}, FormatAuto, 2, 0, 0)
	sl, err := sp.next()
	if err != nil || len(sl.elems) != 2 || sl.err != nil {
		t.Fatalf("slab %+v err %v", sl, err)
	}
	if _, err := sp.next(); err != io.EOF {
		t.Fatalf("after the limit: %v", err)
	}
}

func TestSplitDepthLimit(t *testing.T) {
	in := "[" + strings.Repeat("[", 200) + strings.Repeat("]", 200) + "]"
	sp := newSplitter([]Input{strInput("x", in)}, FormatAuto, -1, 0, 100)
	sl, _ := sp.next()
	if sl == nil || sl.err == nil || !strings.Contains(sl.err.Error(), "nesting depth exceeds 100") {
		t.Fatalf("got %+v", sl)
	}
}

// randomJSON produces a random JSON value with awkward strings.
func randomJSON(r *rand.Rand, depth int) any {
	switch k := r.Intn(8); {
	case depth > 3 || k < 2:
		return r.NormFloat64() * 1e3
	case k == 2:
		alphabet := []string{"a", ",", "]", "[", "{", "}", `"`, `\`, "é", "\n", " ", "😀", ":"}
		var b strings.Builder
		for i := r.Intn(8); i > 0; i-- {
			b.WriteString(alphabet[r.Intn(len(alphabet))])
		}
		return b.String()
	case k == 3:
		return r.Intn(2) == 0
	case k == 4:
		return nil
	case k == 5:
		a := make([]any, r.Intn(4))
		for i := range a {
			a[i] = randomJSON(r, depth+1)
		}
		return a
	default:
		m := map[string]any{}
		for i := r.Intn(4); i > 0; i-- {
			m[fmt.Sprint(randomJSON(r, 9))] = randomJSON(r, depth+1)
		}
		return m
	}
}

// TestSplitDifferential checks element boundaries against encoding/json on random documents, in
// array and stream form, with random whitespace and random read sizes.
func TestSplitDifferential(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for iter := 0; iter < 300; iter++ {
		n := r.Intn(40)
		var want []string
		for i := 0; i < n; i++ {
			b, _ := json.Marshal(randomJSON(r, 0))
			want = append(want, string(b))
		}
		ws := func() string { return []string{"", " ", "\n", "\r\n", "\t "}[r.Intn(5)] }
		var arr, stream strings.Builder
		arr.WriteString(ws() + "[" + ws())
		for i, e := range want {
			if i > 0 {
				arr.WriteString(ws() + "," + ws())
			}
			arr.WriteString(e)
			stream.WriteString(e + "\n" + ws())
		}
		arr.WriteString(ws() + "]" + ws())
		for k, doc := range []string{arr.String(), stream.String()} {
			format := []Format{FormatAuto, FormatNDJSON}[k]
			chunk := 1 + r.Intn(100)
			in := Input{Name: "r", Size: -1, Open: func() (io.ReadCloser, error) {
				return io.NopCloser(&chunkReader{s: doc, n: chunk}), nil
			}}
			got, err := splitAll(t, format, in)
			if err != nil {
				t.Fatalf("doc %q: %v", doc, err)
			}
			if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) && !(len(got) == 0 && len(want) == 0) {
				t.Fatalf("doc %q:\n got %q\nwant %q", doc, got, want)
			}
			// encoding/json agrees that the document and every element are valid.
			for _, e := range got {
				if !json.Valid([]byte(e)) {
					t.Fatalf("element %q is not valid JSON", e)
				}
			}
		}
	}
}

type chunkReader struct {
	s string
	n int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.s) == 0 {
		return 0, io.EOF
	}
	n := c.n
	if n > len(p) {
		n = len(p)
	}
	if n > len(c.s) {
		n = len(c.s)
	}
	copy(p, c.s[:n])
	c.s = c.s[n:]
	return n, nil
}

func BenchmarkSplit(b *testing.B) {
	var doc bytes.Buffer
	doc.WriteByte('[')
	for i := 0; i < 20000; i++ {
		if i > 0 {
			doc.WriteByte(',')
		}
		fmt.Fprintf(&doc, `{"id":%d,"name":"user-%d","score":%d.5,"tags":["a","b","c"],"active":true}`, i, i, i%1000)
	}
	doc.WriteByte(']')
	data := doc.Bytes()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sp := newSplitter([]Input{{Name: "b", Size: int64(len(data)), Open: func() (io.ReadCloser, error) {
			return io.NopCloser(bytes.NewReader(data)), nil
		}}}, FormatAuto, -1, 0, 0)
		n := 0
		for {
			sl, err := sp.next()
			if err != nil {
				break
			}
			n += len(sl.elems)
		}
		if n != 20000 {
			b.Fatalf("%d elements", n)
		}
	}
}

// BenchmarkSplitBigElement: one 16 MiB element arriving 64 KiB a read, as through a pipe. The
// splitter fills its buffer before scanning again, so this stays linear in the element's size.
func BenchmarkSplitBigElement(b *testing.B) {
	doc := `[{"a":"` + strings.Repeat("b", 16<<20) + `"}]`
	b.SetBytes(int64(len(doc)))
	for i := 0; i < b.N; i++ {
		got, err := splitAll(b, FormatAuto, Input{Name: "pipe", Size: -1, Open: func() (io.ReadCloser, error) {
			return io.NopCloser(&chunkReader{s: doc, n: 64 << 10}), nil
		}})
		if err != nil || len(got) != 1 {
			b.Fatalf("%d elements, %v", len(got), err)
		}
	}
}
