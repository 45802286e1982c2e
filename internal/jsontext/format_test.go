package jsontext

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

func TestCompact(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{``, ``},
		{` 1 `, `1`},
		{"\t{ \"a\" :\r\n [ 1 , 2 ] , \"b\" : { } }\n", `{"a":[1,2],"b":{}}`},
		{`" a b "`, `" a b "`},
		{`[ "\\" , "\" " , "\\\" " ]`, `["\\","\" ","\\\" "]`},
		{`[1.0e+2,-0,true,false,null,"\u0041"]`, `[1.0e+2,-0,true,false,null,"\u0041"]`},
	} {
		if got := string(Compact([]byte("x"), []byte(tc.in))); got != "x"+tc.want {
			t.Errorf("Compact(%q) = %q, want %q", tc.in, got[1:], tc.want)
		}
	}
}

func TestIndent(t *testing.T) {
	const nested = `{"a":1,"b":[1,"x y",{"c":null}],"c":{},"d":[],"e":{"f":[[]]}}`
	for _, tc := range []struct {
		in, prefix, indent, want string
	}{
		{`1`, "", "  ", `1`},
		{` "a b" `, "", "  ", `"a b"`},
		{`[]`, "", "  ", `[]`},
		{`{ }`, "", "  ", `{}`},
		{"[ \n ]", "", "  ", `[]`},
		{`[1]`, "", "  ", "[\n  1\n]"},
		{nested, "", "  ", `{
  "a": 1,
  "b": [
    1,
    "x y",
    {
      "c": null
    }
  ],
  "c": {},
  "d": [],
  "e": {
    "f": [
      []
    ]
  }
}`},
		{`{"a":[1,{}]}`, "> ", "\t", "{\n> \t\"a\": [\n> \t\t1,\n> \t\t{}\n> \t]\n> }"},
		{"{ \"a\" :\n[ 1.50 , \"\\u0041\\\"]\" ] }", "", "  ", "{\n  \"a\": [\n    1.50,\n    \"\\u0041\\\"]\"\n  ]\n}"},
		{` { "a" : [ 1 , 2 ] } `, "", "", `{"a":[1,2]}`},
	} {
		if got := string(Indent([]byte("x"), []byte(tc.in), tc.prefix, tc.indent)); got != "x"+tc.want {
			t.Errorf("Indent(%q, %q, %q) =\n%s\nwant\n%s", tc.in, tc.prefix, tc.indent, got[1:], tc.want)
		}
	}
}

// checkFormat checks Compact, Indent and SkipValue on the valid JSON text b
// against encoding/json.
func checkFormat(t *testing.T, b []byte) {
	t.Helper()
	trimmed := bytes.TrimRight(b, " \t\r\n")

	compact := Compact(nil, b)
	var std bytes.Buffer
	if err := json.Compact(&std, trimmed); err != nil {
		t.Fatalf("json.Compact(%q): %v", b, err)
	}
	if !bytes.Equal(compact, std.Bytes()) {
		t.Fatalf("Compact(%q) = %q, json.Compact gives %q", b, compact, std.Bytes())
	}
	if err := Validate(compact, 0); err != nil {
		t.Fatalf("Compact(%q) = %q: %v", b, compact, err)
	}

	for _, in := range []struct{ prefix, indent string }{{"", "  "}, {"", "\t"}, {"//", "-"}} {
		indented := Indent(nil, b, in.prefix, in.indent)
		std.Reset()
		if err := json.Indent(&std, trimmed, in.prefix, in.indent); err != nil {
			t.Fatalf("json.Indent(%q): %v", b, err)
		}
		if !bytes.Equal(indented, std.Bytes()) {
			t.Fatalf("Indent(%q, %q, %q) = %q, json.Indent gives %q", b, in.prefix, in.indent, indented, std.Bytes())
		}
		if in.prefix == "" {
			if err := Validate(indented, 0); err != nil {
				t.Fatalf("Indent(%q) = %q: %v", b, indented, err)
			}
		}
		if again := Indent(nil, compact, in.prefix, in.indent); !bytes.Equal(again, indented) {
			t.Fatalf("Indent(Compact(%q)) = %q, want %q", b, again, indented)
		}
		if back := Compact(nil, indented); in.prefix == "" && !bytes.Equal(back, compact) {
			t.Fatalf("Compact(Indent(%q)) = %q, want %q", b, back, compact)
		}
	}

	if end := SkipValue(b, 0); end != len(trimmed) {
		t.Fatalf("SkipValue(%q, 0) = %d, want %d", b, end, len(trimmed))
	}
	// Inside an array, after a comma, before another element.
	arr := append(append(append([]byte("[0,"), b...), ",1"...), ']')
	if end := SkipValue(arr, 3); end != 3+len(trimmed) {
		t.Fatalf("SkipValue(%q, 3) = %d, want %d", arr, end, 3+len(trimmed))
	}
	checkTruthy(t, compact)
}

// checkTruthy compares IsTruthy with JavaScript's truthiness of the value
// encoding/json decodes.
func checkTruthy(t *testing.T, v []byte) {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(v))
	d.UseNumber()
	var x any
	if err := d.Decode(&x); err != nil {
		t.Fatalf("decoding %q: %v", v, err)
	}
	var want bool
	switch x := x.(type) {
	case nil:
	case bool:
		want = x
	case string:
		want = x != ""
	case json.Number:
		f, _ := strconv.ParseFloat(string(x), 64) // ±Inf on overflow is truthy
		want = f != 0
	default:
		want = true
	}
	if got := IsTruthy(v); got != want {
		t.Fatalf("IsTruthy(%q) = %v, want %v", v, got, want)
	}
}

func TestFormatGenerated(t *testing.T) {
	g := newGen(9)
	for i := 0; i < 20000; i++ {
		g.pretty = i%2 == 1
		checkFormat(t, g.doc())
	}
	checkFormat(t, typicalDocument(64<<10))
}

func TestSkipValue(t *testing.T) {
	for _, tc := range []struct {
		in   string
		i    int
		want int
	}{
		{`123`, 0, 3},
		{`  123 ,`, 0, 5},
		{`[1,-2.5e+3]`, 3, 10},
		{`true,`, 0, 4},
		{`false]`, 0, 5},
		{`null}`, 0, 4},
		{`"a\"b" x`, 0, 6},
		{`"a\\" x`, 0, 5},
		{`"\\\\\"\\" x`, 0, 10},
		{`{"a":"}"} x`, 0, 9},
		{`{"a":"\"}"} x`, 0, 11},
		{`[[],{},"]",[["["]]]x`, 0, 19},
		{`{"a":{"b":[1,2]},"c":3}`, 5, 16},
		{`{"a":{"b":[1,2]},"c":3}`, 1, 4},
		{"\n\t{}", 0, 4},
		{`   `, 0, 3},
	} {
		if got := SkipValue([]byte(tc.in), tc.i); got != tc.want {
			t.Errorf("SkipValue(%q, %d) = %d, want %d", tc.in, tc.i, got, tc.want)
		}
	}
}

func TestIsTruthy(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{`false`, false},
		{`null`, false},
		{`0`, false},
		{`-0`, false},
		{`0.0`, false},
		{`-0.000`, false},
		{`0e5`, false},
		{`0E-7`, false},
		{`-0.0e+10`, false},
		{`""`, false},
		{`1e-400`, false},
		{`-2.4703282292062327e-324`, false},
		{` 0 `, false},
		{``, false},
		{`true`, true},
		{`1`, true},
		{`-1`, true},
		{`0.1`, true},
		{`0.0001`, true},
		{`1e-300`, true},
		{`5e-324`, true},
		{`1e400`, true},
		{`10`, true},
		{`"a"`, true},
		{`"0"`, true},
		{`" "`, true},
		{`"false"`, true},
		{`"\""`, true},
		{`[]`, true},
		{`{}`, true},
		{`[0]`, true},
		{"0." + strings.Repeat("0", 400) + "1", false},
		{"0." + strings.Repeat("0", 310) + "1", true},
		{"0." + strings.Repeat("0", 290) + "1", true},
	} {
		if got := IsTruthy([]byte(tc.in)); got != tc.want {
			t.Errorf("IsTruthy(%.40q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
