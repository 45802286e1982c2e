package jsbridge_test

import (
	"context"
	"testing"

	"github.com/jsmap/jsmap/jsbridge"
)

// TestLazyShapes: a worker remembers the keys of objects it has seen (their "shape") to scan the
// next ones faster; objects that share a prefix, repeat a key, add integer keys or stop early must
// still read exactly as JSON.parse would give them (the wants are node's).
func TestLazyShapes(t *testing.T) {
	p, err := jsbridge.LoadExpr(`x => [Object.keys(x), x]`, jsbridge.Options{})
	if err != nil {
		t.Fatal(err)
	}
	w, err := p.NewWorker(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range []struct{ in, want string }{
		{`{"a":1,"b":2}`, `[["a","b"],{"a":1,"b":2}]`},
		{`{"a":1,"b":2,"a":3}`, `[["a","b"],{"a":3,"b":2}]`},
		{`{"a":1,"b":2}`, `[["a","b"],{"a":1,"b":2}]`},
		{`{"a":1}`, `[["a"],{"a":1}]`},
		{`{"a":1,"2":5,"b":1}`, `[["2","a","b"],{"2":5,"a":1,"b":1}]`},
		{`{"a":1,"2":6,"b":2}`, `[["2","a","b"],{"2":6,"a":1,"b":2}]`},
		{`{"a":1,"b":2,"c":3}`, `[["a","b","c"],{"a":1,"b":2,"c":3}]`},
		{`{"a":1,"b":2,"c":3,"b":4}`, `[["a","b","c"],{"a":1,"b":4,"c":3}]`},
		{`{"a":1,"c":2,"b":3}`, `[["a","c","b"],{"a":1,"c":2,"b":3}]`},
		{`{"a":1,"b":2}`, `[["a","b"],{"a":1,"b":2}]`},
		{`{"a":{"a":1,"b":2},"b":[{"a":1},{"a":2,"a":3}]}`, `[["a","b"],{"a":{"a":1,"b":2},"b":[{"a":1},{"a":3}]}]`},
		{`{"\u0061":1,"b":2}`, `[["a","b"],{"a":1,"b":2}]`},
		{`{"a":1,"b\u0000":2}`, `[["a","b\u0000"],{"a":1,"b\u0000":2}]`},
	} {
		out, err := w.Map(context.Background(), int64(i), []byte(c.in), nil)
		if err != nil || string(out) != c.want {
			t.Errorf("%d: %s: got %s, %v; want %s", i, c.in, out, err, c.want)
		}
	}
}

// The lazy views remember the keys of the objects they saw (shapes) and compare the next object's
// key text with them; a key written with an escape must not match a remembered key whose
// characters look like that escape ("\\r", a backslash and r, against "\r", a carriage return).
// One worker maps all the inputs, in order; the wants are node's.
func TestLazyShapesWithEscapedKeys(t *testing.T) {
	inputs := []string{`{"\\r":0}`, `{"\r":1}`, `{"\\r":0,"b":1}`, `{"\\r":0,"b\\":2}`, `{"\\r":0,"b\\":2}`, `{"\r":0,"b\\":2}`, `{"\u0061":1,"b":2}`, `{"a":1,"\u0062":2}`}
	wants := []string{`[["\\r"],{"\\r":0}]`, `[["\r"],{"\r":1}]`, `[["\\r","b"],{"\\r":0,"b":1}]`, `[["\\r","b\\"],{"\\r":0,"b\\":2}]`,
		`[["\\r","b\\"],{"\\r":0,"b\\":2}]`, `[["\r","b\\"],{"\r":0,"b\\":2}]`, `[["a","b"],{"a":1,"b":2}]`, `[["a","b"],{"a":1,"b":2}]`}
	exprs := make([]string, len(inputs))
	for i := range exprs {
		exprs[i] = `x => [Object.keys(x), x]`
	}
	for i, r := range mapTable(t, jsbridge.Options{}, exprs, inputs) {
		if r.err != nil || r.out != wants[i] {
			t.Errorf("%s: got %s, %v; want %s", inputs[i], r.out, r.err, wants[i])
		}
	}
}
