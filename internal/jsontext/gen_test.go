package jsontext

import (
	"math/rand/v2"
	"strconv"
	"strings"
)

// gen writes random JSON text for tests and benchmarks. The output is valid
// JSON (and valid UTF-8) unless a mutation is applied afterwards.
type gen struct {
	r *rand.Rand
	// pretty inserts random insignificant whitespace between tokens.
	pretty bool
}

func newGen(seed uint64) *gen {
	return &gen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

var genWords = []string{
	"id", "name", "email", "tags", "score", "active", "address", "city", "zip",
	"alpha", "beta", "gamma", "delta", "x", "", "long key with spaces",
}

var genSpaces = []string{"", " ", "\n", "\t", "\r\n", "  ", "\n    "}

func (g *gen) space(sb *strings.Builder) {
	if g.pretty && g.r.IntN(3) == 0 {
		sb.WriteString(genSpaces[g.r.IntN(len(genSpaces))])
	}
}

// value writes one random value; depth limits nesting.
func (g *gen) value(sb *strings.Builder, depth int) {
	k := g.r.IntN(10)
	if depth <= 0 && k >= 8 {
		k = g.r.IntN(8)
	}
	switch k {
	case 0:
		sb.WriteString([]string{"true", "false", "null"}[g.r.IntN(3)])
	case 1, 2, 3:
		g.number(sb)
	case 4, 5, 6, 7:
		g.str(sb)
	case 8:
		n := g.r.IntN(5)
		sb.WriteByte('[')
		for i := 0; i < n; i++ {
			if i > 0 {
				g.space(sb)
				sb.WriteByte(',')
			}
			g.space(sb)
			g.value(sb, depth-1)
		}
		g.space(sb)
		sb.WriteByte(']')
	case 9:
		n := g.r.IntN(5)
		sb.WriteByte('{')
		for i := 0; i < n; i++ {
			if i > 0 {
				g.space(sb)
				sb.WriteByte(',')
			}
			g.space(sb)
			g.str(sb)
			g.space(sb)
			sb.WriteByte(':')
			g.space(sb)
			g.value(sb, depth-1)
		}
		g.space(sb)
		sb.WriteByte('}')
	}
}

func (g *gen) number(sb *strings.Builder) {
	r := g.r
	switch r.IntN(6) {
	case 0:
		sb.WriteString(strconv.Itoa(r.IntN(100)))
		return
	case 1:
		sb.WriteString(strconv.FormatFloat(r.NormFloat64()*1e3, 'f', -1, 64))
		return
	case 2:
		sb.WriteString(strconv.FormatFloat(r.ExpFloat64()*1e-30, 'g', -1, 64))
		return
	}
	if r.IntN(3) == 0 {
		sb.WriteByte('-')
	}
	if r.IntN(4) == 0 {
		sb.WriteByte('0')
	} else {
		sb.WriteByte(byte('1' + r.IntN(9)))
		for n := r.IntN(8); n > 0; n-- {
			sb.WriteByte(byte('0' + r.IntN(10)))
		}
	}
	if r.IntN(2) == 0 {
		sb.WriteByte('.')
		for n := 1 + r.IntN(5); n > 0; n-- {
			sb.WriteByte(byte('0' + r.IntN(10)))
		}
	}
	if r.IntN(3) == 0 {
		sb.WriteString([]string{"e", "E", "e+", "e-", "E-"}[r.IntN(5)])
		for n := 1 + r.IntN(3); n > 0; n-- {
			sb.WriteByte(byte('0' + r.IntN(10)))
		}
	}
}

var genStringParts = []string{
	"a", "hello", " ", "/", "é", "日本", "😀", "\u2028", "\U0010FFFF", "\u00a0",
	`\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`, `\u0000`, `\u001F`, `\u00e9`,
	`\uD83D\uDE00`, `\ud800`, `\udc00`, `\udc00\ud800`, `\uFFFF`, "~", "\x7f",
}

func (g *gen) str(sb *strings.Builder) {
	sb.WriteByte('"')
	if g.r.IntN(3) == 0 {
		sb.WriteString(genWords[g.r.IntN(len(genWords))])
	} else {
		for n := g.r.IntN(6); n > 0; n-- {
			sb.WriteString(genStringParts[g.r.IntN(len(genStringParts))])
		}
	}
	sb.WriteByte('"')
}

// doc returns one random JSON text.
func (g *gen) doc() []byte {
	var sb strings.Builder
	g.space(&sb)
	g.value(&sb, 1+g.r.IntN(5))
	g.space(&sb)
	return []byte(sb.String())
}

var mutationBytes = []byte{',', ']', '}', '[', '{', '"', '\\', ':', ' ', '0', '-', '.', 'e', 'u', 0x80, 0xbf, 0xc0, 0xe0, 0xed, 0xf0, 0xf4, 0xf5, 0xff, 0x00, 0x1f}

// mutate applies one to three random edits to b.
func (g *gen) mutate(b []byte) []byte {
	b = append([]byte(nil), b...)
	for n := 1 + g.r.IntN(3); n > 0; n-- {
		switch g.r.IntN(5) {
		case 0: // truncate
			if len(b) > 0 {
				b = b[:g.r.IntN(len(b))]
			}
		case 1: // flip one byte
			if len(b) > 0 {
				b[g.r.IntN(len(b))] ^= byte(1 << g.r.IntN(8))
			}
		case 2: // replace one byte
			if len(b) > 0 {
				b[g.r.IntN(len(b))] = mutationBytes[g.r.IntN(len(mutationBytes))]
			}
		case 3: // insert one byte
			i := g.r.IntN(len(b) + 1)
			b = append(b[:i], append([]byte{mutationBytes[g.r.IntN(len(mutationBytes))]}, b[i:]...)...)
		case 4: // delete one byte
			if len(b) > 0 {
				i := g.r.IntN(len(b))
				b = append(b[:i], b[i+1:]...)
			}
		}
	}
	return b
}

// typicalObject writes an object of about 1 KB such as an API or log record:
// short keys, strings, integers and floats, booleans, null, and nested
// arrays and objects. Its shape is fixed; its values vary with g.
func (g *gen) typicalObject(sb *strings.Builder, id int) {
	r := g.r
	w := func(s string) { sb.WriteString(s) }
	num := func(f float64) { sb.WriteString(strconv.FormatFloat(f, 'g', -1, 64)) }
	text := func(n int) {
		sb.WriteByte('"')
		for i := 0; i < n; i++ {
			if i > 0 {
				sb.WriteByte(' ')
			}
			sb.WriteString(loremWords[r.IntN(len(loremWords))])
		}
		sb.WriteByte('"')
	}
	w(`{"id":`)
	w(strconv.Itoa(id))
	w(`,"uuid":"`)
	w(strconv.FormatUint(r.Uint64(), 16))
	w(`","name":`)
	text(2)
	w(`,"email":"user`)
	w(strconv.Itoa(r.IntN(1e6)))
	w(`@example.com","active":`)
	w([]string{"true", "false"}[r.IntN(2)])
	w(`,"score":`)
	num(float64(r.IntN(100000)) / 100)
	w(`,"balance":`)
	num(r.NormFloat64() * 1e4)
	w(`,"age":`)
	w(strconv.Itoa(18 + r.IntN(60)))
	w(`,"tags":[`)
	for i, n := 0, 1+r.IntN(5); i < n; i++ {
		if i > 0 {
			w(",")
		}
		text(1)
	}
	w(`],"address":{"street":`)
	text(3)
	w(`,"city":`)
	text(1)
	w(`,"zip":"`)
	w(strconv.Itoa(10000 + r.IntN(89999)))
	w(`","geo":{"lat":`)
	num(r.Float64()*180 - 90)
	w(`,"lng":`)
	num(r.Float64()*360 - 180)
	w(`}},"friends":[`)
	for i, n := 0, 2+r.IntN(3); i < n; i++ {
		if i > 0 {
			w(",")
		}
		w(`{"id":`)
		w(strconv.Itoa(r.IntN(1e5)))
		w(`,"name":`)
		text(2)
		w(`}`)
	}
	w(`],"history":[`)
	for i := 0; i < 8; i++ {
		if i > 0 {
			w(",")
		}
		w(strconv.Itoa(r.IntN(1000)))
	}
	w(`],"about":`)
	text(25 + r.IntN(10))
	w(`,"greeting":"Hello, `)
	w(loremWords[r.IntN(len(loremWords))])
	w(`! You have \"`)
	w(strconv.Itoa(r.IntN(20)))
	w(`\" unread messages.\n","note":null,"registered":"2024-03-1`)
	w(strconv.Itoa(r.IntN(10)))
	w(`T08:15:00Z"}`)
}

var loremWords = strings.Fields(`lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod
tempor incididunt ut labore et dolore magna aliqua enim ad minim veniam quis nostrud exercitation
ullamco laboris nisi aliquip ex ea commodo consequat duis aute irure in reprehenderit voluptate
velit esse cillum fugiat nulla pariatur excepteur sint occaecat cupidatat non proident sunt culpa`)

// typicalElements returns n objects of about 1 KB each.
func typicalElements(n int) [][]byte {
	g := newGen(1)
	els := make([][]byte, n)
	for i := range els {
		var sb strings.Builder
		g.typicalObject(&sb, i)
		els[i] = []byte(sb.String())
	}
	return els
}

// typicalDocument returns a JSON array of about size bytes of typical objects.
func typicalDocument(size int) []byte {
	g := newGen(2)
	var sb strings.Builder
	sb.WriteByte('[')
	for i := 0; sb.Len() < size; i++ {
		if i > 0 {
			sb.WriteByte(',')
		}
		g.typicalObject(&sb, i)
	}
	sb.WriteByte(']')
	return []byte(sb.String())
}
