package jsontext

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// benchInputs are the inputs the Validate and SkipValue benchmarks share.
var benchInputs = sync.OnceValue(func() []struct {
	name string
	data []byte
} {
	var longStrings strings.Builder
	longStrings.WriteByte('[')
	g := newGen(3)
	for i := 0; longStrings.Len() < 1<<20; i++ {
		if i > 0 {
			longStrings.WriteByte(',')
		}
		longStrings.WriteByte('"')
		for j := 0; j < 400; j++ {
			if j > 0 {
				longStrings.WriteByte(' ')
			}
			longStrings.WriteString(loremWords[g.r.IntN(len(loremWords))])
		}
		longStrings.WriteByte('"')
	}
	longStrings.WriteByte(']')

	var unicodeStrings strings.Builder
	unicodeStrings.WriteByte('[')
	for i := 0; unicodeStrings.Len() < 1<<20; i++ {
		if i > 0 {
			unicodeStrings.WriteByte(',')
		}
		unicodeStrings.WriteString(`"Grüße aus Köln, 東京都の天気は晴れ, привет мир 😀"`)
	}
	unicodeStrings.WriteByte(']')

	var numbers strings.Builder
	numbers.WriteByte('[')
	for i := 0; numbers.Len() < 1<<20; i++ {
		if i > 0 {
			numbers.WriteByte(',')
		}
		switch i % 4 {
		case 0:
			numbers.WriteString(strconv.Itoa(g.r.IntN(1e6)))
		case 1:
			numbers.WriteString(strconv.FormatFloat(g.r.NormFloat64()*1e3, 'g', -1, 64))
		case 2:
			numbers.WriteString(strconv.FormatFloat(g.r.Float64(), 'g', -1, 64))
		case 3:
			numbers.WriteString(strconv.FormatFloat(g.r.ExpFloat64()*1e-20, 'g', -1, 64))
		}
	}
	numbers.WriteByte(']')

	doc := typicalDocument(1 << 20)
	var indented bytes.Buffer
	if err := json.Indent(&indented, doc, "", "  "); err != nil {
		panic(err)
	}
	return []struct {
		name string
		data []byte
	}{
		{"objects", doc},
		{"objects-indented", indented.Bytes()},
		{"long-strings", []byte(longStrings.String())},
		{"unicode-strings", []byte(unicodeStrings.String())},
		{"numbers", []byte(numbers.String())},
	}
})

func BenchmarkValidate(b *testing.B) {
	for _, in := range benchInputs() {
		b.Run(in.name, func(b *testing.B) {
			b.SetBytes(int64(len(in.data)))
			b.ReportAllocs()
			for b.Loop() {
				if err := Validate(in.data, 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	// Elements validated one at a time, as the engine does: includes the
	// per-call cost.
	for _, size := range []struct {
		name string
		els  [][]byte
	}{
		{"elements-1KB", typicalElements(1000)},
		{"elements-60B", smallElements(10000)},
	} {
		total := 0
		for _, el := range size.els {
			total += len(el)
		}
		b.Run(size.name, func(b *testing.B) {
			b.SetBytes(int64(total))
			b.ReportAllocs()
			for b.Loop() {
				for _, el := range size.els {
					if err := Validate(el, 0); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// smallElements returns n objects of about 60 bytes.
func smallElements(n int) [][]byte {
	g := newGen(4)
	els := make([][]byte, n)
	for i := range els {
		els[i] = []byte(`{"id":` + strconv.Itoa(i) + `,"name":"` + loremWords[g.r.IntN(len(loremWords))] +
			`","score":` + strconv.FormatFloat(float64(g.r.IntN(10000))/100, 'g', -1, 64) + `,"ok":true}`)
	}
	return els
}

// BenchmarkStdValid measures encoding/json's Valid on the same inputs, for
// comparison.
func BenchmarkStdValid(b *testing.B) {
	for _, in := range benchInputs() {
		b.Run(in.name, func(b *testing.B) {
			b.SetBytes(int64(len(in.data)))
			for b.Loop() {
				if !json.Valid(in.data) {
					b.Fatal("invalid")
				}
			}
		})
	}
}

func BenchmarkSkipValue(b *testing.B) {
	for _, in := range benchInputs() {
		b.Run(in.name, func(b *testing.B) {
			b.SetBytes(int64(len(in.data)))
			b.ReportAllocs()
			for b.Loop() {
				if SkipValue(in.data, 0) != len(in.data) {
					b.Fatal("wrong end")
				}
			}
		})
	}
	// Stepping over the members of each element, as a lazy parser does.
	els := typicalElements(1000)
	total := 0
	for _, el := range els {
		total += len(el)
	}
	b.Run("members-1KB", func(b *testing.B) {
		b.SetBytes(int64(total))
		for b.Loop() {
			for _, el := range els {
				i := 1
				for i < len(el)-1 {
					i = SkipValue(el, i) + 1 // key, then ':'
					i = SkipValue(el, i) + 1 // value, then ',' or '}'
				}
			}
		}
	})
}

func BenchmarkCompact(b *testing.B) {
	in := benchInputs()[1].data
	dst := make([]byte, 0, len(in))
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		dst = Compact(dst[:0], in)
	}
}

func BenchmarkIndent(b *testing.B) {
	in := benchInputs()[0].data
	dst := make([]byte, 0, 2*len(in))
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		dst = Indent(dst[:0], in, "", "  ")
	}
}

func BenchmarkAppendQuote(b *testing.B) {
	for _, s := range []struct{ name, s string }{
		{"short", "hello world"},
		{"ascii-1KB", strings.Repeat("lorem ipsum dolor sit amet ", 40)},
		{"unicode", strings.Repeat("Grüße 東京 😀 ", 40)},
		{"escapes", strings.Repeat("a\"b\\c\nd\te", 100)},
	} {
		b.Run(s.name, func(b *testing.B) {
			dst := make([]byte, 0, 2*len(s.s)+2)
			b.SetBytes(int64(len(s.s)))
			b.ReportAllocs()
			for b.Loop() {
				dst = AppendQuote(dst[:0], s.s)
			}
		})
	}
}

func BenchmarkUnquote(b *testing.B) {
	lit := AppendQuote(nil, strings.Repeat("lorem ipsum \"dolor\" sit amet\n", 40))
	dst := make([]byte, 0, len(lit))
	b.SetBytes(int64(len(lit)))
	b.ReportAllocs()
	for b.Loop() {
		dst = Unquote(dst[:0], lit)
	}
}

func BenchmarkAppendFloat(b *testing.B) {
	for _, f := range []struct {
		name string
		f    float64
	}{
		{"int", 123456},
		{"decimal", 1234.5678},
		{"small", 1.5e-7},
		{"large", 1.2345678901234567e300},
	} {
		b.Run(f.name, func(b *testing.B) {
			var dst []byte
			b.ReportAllocs()
			for b.Loop() {
				dst = AppendFloat(dst[:0], f.f)
			}
		})
	}
}
