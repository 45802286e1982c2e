package jsontext

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os/exec"
	"strconv"
	"testing"
)

// nodeScript computes, in JavaScript, what the helpers of this package must
// reproduce: JSON.stringify of numbers and of UTF-16 strings, and of parsed
// documents compact and indented, and the truthiness of those documents.
const nodeScript = `
const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const dv = new DataView(new ArrayBuffer(8));
const out = {
  floats: input.floats.map(h => { dv.setBigUint64(0, BigInt('0x' + h)); return JSON.stringify(dv.getFloat64(0)); }),
  strings: input.strings.map(u => JSON.stringify(String.fromCharCode(...u))),
  docs: input.docs.map(d => {
    const v = JSON.parse(d);
    const c = JSON.stringify(v);
    return [c, JSON.stringify(v, null, 2), JSON.stringify(v, null, "\t"), !!JSON.parse(c)];
  }),
};
process.stdout.write(JSON.stringify(out));
`

// TestAgainstNode compares AppendFloat, AppendQuoteUTF16, Indent and
// IsTruthy with JavaScript itself, when node is installed.
func TestAgainstNode(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the comparison with node in short mode")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not installed")
	}
	r := rand.New(rand.NewPCG(12, 13))
	var in struct {
		Floats  []string   `json:"floats"`
		Strings [][]uint16 `json:"strings"`
		Docs    []string   `json:"docs"`
	}
	var floats []float64
	for i := 0; i < 20000; i++ {
		var f float64
		switch i % 4 {
		case 0:
			f = math.Float64frombits(r.Uint64())
		case 1:
			f = r.NormFloat64() * math.Pow(10, float64(r.IntN(60)-30))
		case 2:
			f = math.Round(r.NormFloat64()*1e6) / 1e3
		case 3:
			f = math.Ldexp(1, r.IntN(2098)-1074)
		}
		if i < len(floatCases) {
			f = floatCases[i].f
		}
		floats = append(floats, f)
		in.Floats = append(in.Floats, strconv.FormatUint(math.Float64bits(f), 16))
	}
	for i := 0; i < 5000; i++ {
		in.Strings = append(in.Strings, randomUnits(r))
	}
	g := newGen(14)
	for i := 0; i < 3000; i++ {
		g.pretty = i%2 == 0
		in.Docs = append(in.Docs, string(g.doc()))
	}
	in.Docs = append(in.Docs, string(typicalDocument(16<<10)))
	input, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(node, "-e", nodeScript)
	cmd.Stdin = bytes.NewReader(input)
	output, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	var out struct {
		Floats  []string
		Strings []string
		Docs    [][4]any
	}
	if err := json.Unmarshal(output, &out); err != nil {
		t.Fatal(err)
	}

	for i, f := range floats {
		if got := string(AppendFloat(nil, f)); got != out.Floats[i] {
			t.Errorf("AppendFloat(%v) = %s, JSON.stringify gives %s", f, got, out.Floats[i])
		}
	}
	for i, u := range in.Strings {
		if got := string(AppendQuoteUTF16(nil, u)); got != out.Strings[i] {
			t.Errorf("AppendQuoteUTF16(%x) = %s, JSON.stringify gives %s", u, got, out.Strings[i])
		}
	}
	for i, d := range out.Docs {
		c, p2, tab, truthy := []byte(d[0].(string)), d[1].(string), d[2].(string), d[3].(bool)
		if err := Validate(c, 0); err != nil {
			t.Errorf("Validate(%s) = %v", c, err)
		}
		if got := string(Indent(nil, c, "", "  ")); got != p2 {
			t.Errorf("Indent(%s, 2) = %s, JSON.stringify gives %s", c, got, p2)
		}
		if got := string(Indent(nil, c, "", "\t")); got != tab {
			t.Errorf("Indent(%s, tab) = %s, JSON.stringify gives %s", c, got, tab)
		}
		if got := string(Compact(nil, []byte(p2))); got != string(c) {
			t.Errorf("Compact(%s) = %s, want %s", p2, got, c)
		}
		if got := IsTruthy(c); got != truthy {
			t.Errorf("IsTruthy(%s) = %v, JavaScript says %v (source %s)", c, got, truthy, in.Docs[i])
		}
	}
}
