package jsbridge_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jsmap/jsmap/jsbridge"
)

// wideObject is an element of 60 fields: strings, numbers, nested objects and arrays, with "id" first
// and "meta" among them.
func wideObject() string {
	var b strings.Builder
	b.WriteString(`{"id":12345`)
	for i := 1; i < 60; i++ {
		switch {
		case i == 30:
			b.WriteString(`,"meta":{"score":98.5,"source":"import","flags":["x","y"],"created":"2024-01-02T03:04:05Z"}`)
		case i%4 == 0:
			fmt.Fprintf(&b, `,"s%d":"value number %d with some text"`, i, i)
		case i%4 == 1:
			fmt.Fprintf(&b, `,"n%d":%d.25`, i, i*1000)
		case i%4 == 2:
			fmt.Fprintf(&b, `,"o%d":{"a":%d,"b":"bee","c":[1,2,3],"d":null}`, i, i)
		default:
			fmt.Fprintf(&b, `,"a%d":[%d,"two",true,{"k":"v"}]`, i, i)
		}
	}
	b.WriteString("}")
	return b.String()
}

// BenchmarkMap measures one element through Worker.Map (conversion in, the call, encoding out) for
// elements of three shapes, with lazy views (the default) and plain objects.
func BenchmarkMap(b *testing.B) {
	shapes := []struct{ name, expr, in string }{
		{"int", `x => x * x`, `12345`},
		{"small", `x => ({id: x.id, name: x.name.toUpperCase(), score2: x.score * 2, n: x.tags.length})`,
			`{"id":1,"name":"user-1","score":12.5,"tags":["a","b","c"],"active":true}`},
		{"wide", `x => ({id: x.id, v: x.meta.score})`, wideObject()},
		{"wide-identity", `x => x`, wideObject()},
	}
	for _, s := range shapes {
		for _, mode := range convModes {
			b.Run(s.name+"/"+mode.name, func(b *testing.B) {
				p, err := jsbridge.LoadExpr(s.expr, mode.opts)
				if err != nil {
					b.Fatal(err)
				}
				defer p.Close()
				w, err := p.NewWorker(context.Background(), 0)
				if err != nil {
					b.Fatal(err)
				}
				defer w.Close()
				in := []byte(s.in)
				var out []byte
				b.SetBytes(int64(len(in)))
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					out, err = w.Map(context.Background(), int64(i), in, out[:0])
					if err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "items/s")
			})
		}
	}
}
