package jsbridge_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/jsmap/jsmap/jsbridge"
)

// The tests in this file compare jsbridge with node (v20), the reference for JavaScript semantics.
// They are skipped where node is not installed.

var diffSeed = flag.Uint64("jsbridge.seed", 1, "seed of the random inputs of TestDifferentialNode")

type nodeRequest struct {
	Expr  string `json:"expr"`
	Input string `json:"input"`
	Index int64  `json:"index"`
}

type nodeAnswer struct {
	Out *string `json:"out"`
	Err *string `json:"err"`
}

// runNode answers all requests with one node process running testdata/node_map.js.
func runNode(t *testing.T, reqs []nodeRequest) []nodeAnswer {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not on PATH: the comparison with node is skipped")
	}
	var in bytes.Buffer
	enc := json.NewEncoder(&in)
	enc.SetEscapeHTML(false)
	for _, r := range reqs {
		if err := enc.Encode(r); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(node, "testdata/node_map.js")
	cmd.Stdin = &in
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, stderr.Bytes())
	}
	var answers []nodeAnswer
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		var a nodeAnswer
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			t.Fatalf("node answer %q: %v", sc.Bytes(), err)
		}
		answers = append(answers, a)
	}
	if len(answers) != len(reqs) {
		t.Fatalf("node answered %d of %d requests\n%s", len(answers), len(reqs), stderr.Bytes())
	}
	return answers
}

// TestConvertTableAgainstNode checks that the expected outputs pasted into convCases are still what
// node gives.
func TestConvertTableAgainstNode(t *testing.T) {
	reqs := make([]nodeRequest, len(convCases))
	for i, c := range convCases {
		reqs[i] = nodeRequest{Expr: c.expr, Input: c.in, Index: convIndex}
	}
	answers := runNode(t, reqs)
	for i, c := range convCases {
		a := answers[i]
		switch {
		case a.Err != nil:
			t.Errorf("row %d: %s on %s: node fails: %s", i, c.expr, c.in, *a.Err)
		case *a.Out != c.want:
			t.Errorf("row %d: %s on %s: node gives %s, the table says %s", i, c.expr, c.in, *a.Out, c.want)
		}
	}
}

// diffScripts are the expressions of TestDifferentialNode: total functions (they throw on no input)
// whose results exercise conversion in both directions. They stay clear of three places where goja
// itself differs from node, which jsbridge does not control: JSON.parse inside the script turns lone
// surrogates into U+FFFD; JSON.stringify with an indent indents wrongly after an empty [] or {}
// (JSON.stringify([[], {a: 1}], null, 1)); and 1e21 | 0 is 0 instead of -559939584.
var diffScripts = []string{
	`x => x`,
	`(x, i) => [i, x, [x], {x}]`,
	`x => ({t: typeof x, a: Array.isArray(x), n: x === null, z: Object.is(x, -0)})`,
	`x => x !== null && typeof x === "object" ? Object.keys(x) : x`,
	`x => JSON.stringify(x)`,
	`x => JSON.stringify(x, (k, v) => typeof v === "number" ? v + 1 : typeof v === "string" ? k + v : v)`,
	`function walk(v) { if (Array.isArray(v)) return v.map(walk).reverse(); if (v !== null && typeof v === "object") { const o = {}; for (const k of Object.keys(v).reverse()) o[k + "!"] = walk(v[k]); return o } return v }`,
	`x => x !== null && typeof x === "object" ? {...x, spread: true} : {x}`,
	`x => typeof x === "number" ? [x, -x, x * 2, x / 3, x + 1, String(x), Math.round(x), Math.trunc(x)] : x`,
	`x => typeof x === "string" ? [x.length, [...x].length, x.charCodeAt(0), x.codePointAt(0), x.slice(1), x.slice(0, -1), x.split("")] : x`,
	`x => { const out = []; (function visit(v) { if (v !== null && typeof v === "object") { for (const k in v) { out.push(k); visit(v[k]) } } else out.push(v) })(x); return out }`,
	`x => Object.entries(x ?? {}).flat()`,
	`x => x !== null && typeof x === "object" ? Object.fromEntries(Object.entries(x).map(([k, v]) => [k.length + ":" + k, v])) : x`,
	`x => { if (x !== null && typeof x === "object") { x.added = 1; delete x[Object.keys(x)[0]]; x[7] = "seven" } return x }`,
	`x => [x, x, {d: x}]`,
	`async x => [await x, await Promise.resolve(x)]`,
	`x => Array.isArray(x) ? x.map((v, i) => [i, typeof v, Array.isArray(v)]).filter(p => p[1] !== "number") : x`,
	`x => x !== null && typeof x === "object" ? Object.values(x).map(v => typeof v === "string" ? v + "\ud800" : v) : x`,
	`x => { const seen = []; JSON.stringify(x, (k, v) => { seen.push(k); return v }); return seen }`,
	`x => x !== null && typeof x === "object" ? Object.keys(x).map(k => [k, k in x, Object.prototype.hasOwnProperty.call(x, k), typeof x[k]]) : x`,
	`x => { if (x !== null && typeof x === "object" && !Array.isArray(x)) for (const k of Object.keys(x)) if (k.length % 2) delete x[k]; else x[k] = [x[k]]; return x }`,
	`x => x instanceof Object ? [x instanceof Array, x.constructor === Object, Object.getPrototypeOf(x) === Object.prototype, "__proto__" in x, Object.prototype.hasOwnProperty.call(x, "__proto__")] : null`,
}

func TestDifferentialNode(t *testing.T) {
	n := 300
	if testing.Short() {
		n = 60
	}
	g := &jsonGen{r: rand.New(rand.NewPCG(*diffSeed, 0x6a736d6170))}
	inputs := make([]string, n)
	for i := range inputs {
		inputs[i] = g.element()
	}
	var reqs []nodeRequest
	for _, expr := range diffScripts {
		for i, in := range inputs {
			reqs = append(reqs, nodeRequest{Expr: expr, Input: in, Index: int64(i)})
		}
	}
	answers := runNode(t, reqs)

	for _, mode := range convModes {
		t.Run(mode.name, func(t *testing.T) {
			compareWithNode(t, mode.opts, inputs, answers)
		})
	}
}

func compareWithNode(t *testing.T, opts jsbridge.Options, inputs []string, answers []nodeAnswer) {
	failures := 0
	perScript := map[string]int{}
	k := 0
	opts.Stderr = &lockedBuffer{}
	for _, expr := range diffScripts {
		p := mustLoadExpr(t, expr, opts)
		w := mustWorker(t, p)
		for i, in := range inputs {
			a := answers[k]
			k++
			out, err := callMap(t, w, int64(i), in)
			var msg string
			switch {
			case a.Err != nil && err != nil:
				continue // both fail; the messages' wording differs between goja and V8
			case a.Err != nil:
				msg = fmt.Sprintf("node fails with %s, jsbridge gives %s", *a.Err, out)
			case err != nil:
				msg = fmt.Sprintf("jsbridge fails with %v, node gives %s", err, *a.Out)
			case out != *a.Out:
				msg = fmt.Sprintf("\n jsbridge %s\n     node %s", out, *a.Out)
			default:
				continue
			}
			failures++
			perScript[expr]++
			if perScript[expr] <= 3 {
				t.Errorf("%s on input %d %s: %s", expr, i, in, msg)
			}
		}
	}
	if failures > 0 {
		var sum strings.Builder
		for _, expr := range diffScripts {
			if n := perScript[expr]; n > 0 {
				fmt.Fprintf(&sum, "\n%5d  %s", n, expr)
			}
		}
		t.Errorf("%d of %d outputs differ from node (-jsbridge.seed=%d); by script:%s", failures, len(answers), *diffSeed, sum.String())
	}
}

// jsonGen makes random JSON text with what makes conversion hard: every number notation, -0, numbers
// out of range and past 2^53, escapes of every kind (lone surrogates included), raw non-ASCII text,
// duplicate and integer-like keys, "__proto__", odd whitespace and nesting.
type jsonGen struct {
	r     *rand.Rand
	depth int
}

// surrogateKeys puts lone surrogates in object keys too. It is off while convert.go and encode.go
// lose such keys (see knownConvIssues); turn it on once they keep them.
const surrogateKeys = false

func (g *jsonGen) element() string {
	var b strings.Builder
	g.depth = 0
	if g.r.IntN(40) == 0 {
		// Deep nesting.
		n := 50 + g.r.IntN(150)
		for i := 0; i < n; i++ {
			if i%2 == 0 {
				b.WriteString(`[`)
			} else {
				b.WriteString(`{"k":`)
			}
		}
		g.value(&b)
		for i := n - 1; i >= 0; i-- {
			if i%2 == 0 {
				b.WriteString(`]`)
			} else {
				b.WriteString(`}`)
			}
		}
		return b.String()
	}
	g.value(&b)
	return b.String()
}

func (g *jsonGen) ws(b *strings.Builder) {
	if g.r.IntN(6) == 0 {
		b.WriteString([]string{" ", "\n", "\t", "\r\n", "  "}[g.r.IntN(5)])
	}
}

func (g *jsonGen) value(b *strings.Builder) {
	g.depth++
	defer func() { g.depth-- }()
	k := g.r.IntN(10)
	if g.depth > 5 && k >= 7 {
		k = g.r.IntN(7)
	}
	switch k {
	case 0:
		b.WriteString([]string{"true", "false", "null"}[g.r.IntN(3)])
	case 1, 2:
		b.WriteString(g.number())
	case 3, 4, 5, 6:
		b.WriteString(g.str(false))
	case 7, 8:
		b.WriteByte('[')
		n := g.r.IntN(6)
		for i := 0; i < n; i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			g.ws(b)
			g.value(b)
			g.ws(b)
		}
		b.WriteByte(']')
	default:
		b.WriteByte('{')
		n := g.r.IntN(7)
		for i := 0; i < n; i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			g.ws(b)
			b.WriteString(g.key())
			g.ws(b)
			b.WriteByte(':')
			g.ws(b)
			g.value(b)
		}
		g.ws(b)
		b.WriteByte('}')
	}
}

var genKeys = []string{`"a"`, `"b"`, `"a"`, `"id"`, `"0"`, `"1"`, `"10"`, `"2"`, `"01"`, `"-1"`, `"1.5"`,
	`"4294967294"`, `"4294967295"`, `"9007199254740993"`, `"__proto__"`, `"constructor"`, `"toString"`,
	`"length"`, `""`, `"\u0061"`, `"é"`, `"\u00e9"`, `"😀"`, `"\ud83d\ude00"`, `"a b"`, `"\""`, `"\\"`, `"\n"`}

func (g *jsonGen) key() string {
	if g.r.IntN(3) == 0 {
		return g.str(!surrogateKeys)
	}
	return genKeys[g.r.IntN(len(genKeys))]
}

var genNumbers = []string{"0", "-0", "-0.0", "0e0", "-0e-5", "1", "-1", "1.0", "1.5", "-1.5", "0.1", "1e21", "1e20",
	"1E+2", "1e-7", "1e-6", "123e-20", "5e-324", "4.9e-324", "2.2250738585072014e-308", "1.7976931348623157e308",
	"1e308", "1e309", "1e400", "-1e400", "1e-400", "-1e-400", "9007199254740991", "9007199254740992",
	"9007199254740993", "-9007199254740993", "18446744073709551616", "123456789012345678901234567890",
	"2147483647", "2147483648", "-2147483648", "4294967295", "4294967296", "0.30000000000000004", "100",
	"1234567890123456", "12345678901234567", "999999999999999999999", "0.000001234", "3.14159e0"}

func (g *jsonGen) number() string {
	if g.r.IntN(2) == 0 {
		return genNumbers[g.r.IntN(len(genNumbers))]
	}
	var b strings.Builder
	if g.r.IntN(3) == 0 {
		b.WriteByte('-')
	}
	switch g.r.IntN(4) {
	case 0:
		b.WriteByte(byte('1' + g.r.IntN(9)))
		for n := g.r.IntN(22); n > 0; n-- {
			b.WriteByte(byte('0' + g.r.IntN(10)))
		}
	case 1:
		b.WriteString(strconv.Itoa(g.r.IntN(1000)))
		b.WriteByte('.')
		b.WriteString(strconv.Itoa(g.r.IntN(1000000)))
	case 2:
		b.WriteString(strconv.Itoa(1 + g.r.IntN(9)))
		b.WriteString([]string{"e", "E", "e+", "e-", "E-"}[g.r.IntN(5)])
		b.WriteString(strconv.Itoa(g.r.IntN(330)))
	default:
		f := g.r.NormFloat64() * 1e6
		if f < 0 {
			f = -f
		}
		b.WriteString(strconv.FormatFloat(f, 'g', -1, 64))
	}
	return b.String()
}

// genPieces are the bits random strings are made of; escaped lone surrogates are marked to leave
// them out of keys.
var genPieces = []string{"a", "z", "Z", "0", " ", "é", "ß", "ǅ", "中文", "😀", "👍🏽", "\u2028", "\u2029", "\u00a0",
	"\ufeff", "\uffff", "\ufffd", "\u007f", "\u0080", "/", "'", "<", "&", `\"`, `\\`, `\/`, `\b`, `\f`, `\n`,
	`\r`, `\t`, `\u0000`, `\u0001`, `\u001f`, `\u0020`, `\u007F`, `\u00e9`, `\u00E9`, `\u2028`, `\ufffd`,
	`\uFEFF`, `\ud83d\ude00`, `\uD83D\uDE00`}

var genSurrogates = []string{`\ud800`, `\udbff`, `\udc00`, `\udfff`, `\uD83D`, `\uDE00`}

func (g *jsonGen) str(noSurrogates bool) string {
	var b strings.Builder
	b.WriteByte('"')
	n := g.r.IntN(8)
	for i := 0; i < n; i++ {
		if !noSurrogates && g.r.IntN(8) == 0 {
			b.WriteString(genSurrogates[g.r.IntN(len(genSurrogates))])
			continue
		}
		b.WriteString(genPieces[g.r.IntN(len(genPieces))])
	}
	b.WriteByte('"')
	s := b.String()
	if !utf8.ValidString(s) {
		panic("invalid generated string")
	}
	return s
}
