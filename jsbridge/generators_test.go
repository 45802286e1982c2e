package jsbridge_test

import (
	"strings"
	"testing"

	"github.com/jsmap/jsmap/jsbridge"
)

// Generators nested by yield* are bounded as in node: 3,000 levels work, 5,000 fail the element
// with a RangeError a script can catch; the wrapped next method looks like the built-in one.
func TestGeneratorNesting(t *testing.T) {
	const nest = "function* g(n) { if (n > 0) yield* g(n - 1); else yield n }; "
	for _, c := range []struct{ expr, want, err string }{
		{"x => { " + nest + "return [...g(3000)] }", "[0]", ""},
		{"x => { " + nest + "return [...g(5000)] }", "", "RangeError: Maximum call stack size exceeded"},
		{"x => { function* g() { yield* g() } try { [...g()] } catch (e) { return String(e) } }", `"RangeError: Maximum call stack size exceeded"`, ""},
		// After an overflow the same worker still runs generators.
		{"x => { " + nest + "try { [...g(1e5)] } catch (e) {} return [...g(10)] }", "[0]", ""},
		{"x => { const G = Object.getPrototypeOf(function* () {}).prototype; const d = Object.getOwnPropertyDescriptor; " +
			"return [Object.keys(G), d(G, 'next'), d(G.next, 'name'), d(G.next, 'length')] }",
			`[[],{"writable":true,"enumerable":false,"configurable":true},{"value":"next","writable":false,"enumerable":false,"configurable":true},{"value":1,"writable":false,"enumerable":false,"configurable":true}]`, ""},
		{"x => { function* g() { const y = yield 1; yield y * 2 } const it = g(); it.next(); return it.next(21) }", `{"value":42,"done":false}`, ""},
		{"x => { function* g() { yield 1 } return g().next.call({}) }", "", "TypeError"},
	} {
		res := mapTable(t, jsbridge.Options{}, []string{c.expr}, []string{"1"})[0]
		switch {
		case c.err != "":
			if res.err == nil || !strings.Contains(res.err.Error(), c.err) {
				t.Errorf("%s: got %q, %v; want an error with %q", c.expr, res.out, res.err, c.err)
			}
		case res.err != nil || res.out != c.want:
			t.Errorf("%s: got %q, %v; want %s", c.expr, res.out, res.err, c.want)
		}
	}
}
