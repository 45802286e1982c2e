package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
)

// fuzzScripts are the scripts FuzzCLI runs (-e): ordinary ones, ones that throw, loop, recurse,
// return Promises, cycles, BigInts, undefined, functions. loops marks those that never end for
// some elements: they run with --timeout 50ms (only for the first elements, so that a case stays
// short). The others run with no timeout, so that a hang shows.
var fuzzScripts = []struct {
	code  string
	loops bool
}{
	{code: `x => x`},
	{code: `x => x.a`},
	{code: `(x, i) => i`},
	{code: `x => [x, [x]]`},
	{code: `x => Array.isArray(x) ? x : [x, x]`},
	{code: `x => typeof x === 'string' ? x : JSON.stringify(x)`},
	{code: `x => x && x.length > 1`},
	{code: `x => ({...x, n: 1})`},
	{code: `x => Object.keys(x ?? {})`},
	{code: `x => { x.added = 1; delete x.a; return x }`},
	{code: `x => JSON.parse(JSON.stringify(x))`},
	{code: `x => { throw new Error("boom") }`},
	{code: `x => { throw 42 }`},
	{code: `x => { throw null }`},
	{code: `x => x.a.b.c`},
	{code: `(x, i) => { if (i % 2) throw new TypeError("odd " + i); return i }`},
	{code: `(x, i) => { if (i === 0) for (;;) {} return x }`, loops: true},
	{code: `(x, i) => { while (i < 2 && typeof x === 'number') {} return x }`, loops: true},
	{code: `async x => x`},
	{code: `async x => { throw new Error("async boom") }`},
	{code: `x => Promise.reject(new Error("rejected"))`},
	{code: `x => new Promise(() => {})`},
	{code: `x => Promise.resolve().then(() => [x])`},
	{code: `x => { const o = {x}; o.self = o; return o }`},
	{code: `x => 10n`},
	{code: `x => ({a: [1n]})`},
	{code: `x => undefined`},
	{code: `(x, i) => i % 2 ? x : undefined`},
	{code: `x => {}`},
	{code: `x => { const f = n => f(n + 1) + 1; return f(0) }`},
	{code: `x => { let a = []; for (let i = 0; i < 10001; i++) a = [a]; return a }`},
	{code: `x => [NaN, Infinity, -0, 1e21, "\ud800", () => 1, Symbol("s")]`},
	{code: `x => () => 1`},
	{code: `x => new Date(0)`},
	{code: `x => { console.log("item", x); return x }`},
	{code: `({ map: (x, i) => [i, x], setup() { this.n = 0 }, teardown() {} })`},
	{code: `x => ({toJSON() { return x }})`},
	{code: `x => Object.freeze({x})`},
}

// fuzzInputs are the inputs of FuzzCLI's seeds.
var fuzzInputs = []string{
	``, `[]`, `[1,2,3]`, `[1,"a",null,true,{"a":1},[2,3],"bc"]`, "1\n2\n3\n", `{"a":{"b":{"c":1}}}` + "\n" + `{"a":2}`,
	`[1,2`, `[1,,2]`, `{"a":1}x`, "[\"\xff\"]", `[{"a":"x","length":2},"",0,false]`, "\xEF\xBB\xBF[1]",
	`["a\nb","\u00e9",[1,[2]],{}]`, `1 2 3 4 5 6 7 8 9 10`,
}

// FuzzCLI runs the command in-process on small inputs with a script from fuzzScripts and flags
// picked by the input (see cliArgs): it must not panic or hang, its exit status must be 0, 1 or 2,
// stderr must show no Go trace, and -j 1, -j 3 (and -j 2) must write the same output and exit
// with the same status.
func FuzzCLI(f *testing.F) {
	for i := range fuzzScripts {
		f.Add([]byte(fuzzInputs[i%len(fuzzInputs)]), uint8(i), uint16(i*7919))
	}
	for i, in := range fuzzInputs {
		f.Add([]byte(in), uint8(i*5), uint16(0))
	}
	f.Add([]byte(`[1,[2,3],[],"a"]`), uint8(4), uint16(1<<1))           // --flat
	f.Add([]byte(`[1,[2,3],[],"a"]`), uint8(6), uint16(1<<0))           // --filter
	f.Add([]byte(`["a",1,{"b":"c"}]`), uint8(5), uint16(1<<2))          // -r
	f.Add([]byte(`[{"a":[1,{}]}]`), uint8(0), uint16(1<<3))             // --pretty
	f.Add([]byte(`[1,2,3,4,5]`), uint8(15), uint16(1<<4|1<<10))         // --on-error skip, -j 2
	f.Add([]byte(`[1,2,3,4,5]`), uint8(15), uint16(2<<4))               // --on-error null
	f.Add([]byte(`[1,2,3,4,5]`), uint8(16), uint16(1<<4))               // loops, skip
	f.Add([]byte(`[1,2,3,4,5]`), uint8(17), uint16(2<<4|1<<8))          // loops, null, --limit 3
	f.Add([]byte(`[1] [2]`), uint8(0), uint16(1<<6))                    // --input-format ndjson
	f.Add([]byte(`{"a":1}`), uint8(0), uint16(2<<6))                    // --input-format json
	f.Add([]byte(`[1,2,3,4,5]`), uint8(0), uint16(1<<0|1<<1|1<<2|1<<3)) // conflicting flags
	f.Fuzz(func(t *testing.T, in []byte, script uint8, flags uint16) {
		if len(in) > 4<<10 {
			return // small inputs only: a case must stay fast
		}
		args := cliArgs(int(script), flags)
		first := runCLI(t, args, "1", in)
		for _, jobs := range []string{"3", "2"} {
			if jobs == "2" && flags&(1<<10) == 0 {
				continue
			}
			r := runCLI(t, args, jobs, in)
			if r.code != first.code || r.stdout != first.stdout {
				t.Fatalf("jsmap %s on %q:\n-j 1: status %d, stdout %q, stderr %q\n-j %s: status %d, stdout %q, stderr %q",
					strings.Join(args, " "), in, first.code, first.stdout, first.stderr, jobs, r.code, r.stdout, r.stderr)
			}
		}
	})
}

// cliArgs builds the command line for a script and a set of flags (bits 0-3: --filter, --flat, -r,
// --pretty; bits 4-5: --on-error skip or null; bits 6-7: --input-format ndjson or json; bit 8:
// --limit 3; bit 9: --output-format ndjson; bit 10: compare -j 2 too).
func cliArgs(script int, flags uint16) []string {
	s := fuzzScripts[script%len(fuzzScripts)]
	var args []string
	for bit, flag := range []string{"--filter", "--flat", "-r", "--pretty"} {
		if flags&(1<<bit) != 0 {
			args = append(args, flag)
		}
	}
	switch flags >> 4 & 3 {
	case 1:
		args = append(args, "--on-error", "skip")
	case 2:
		args = append(args, "--on-error", "null")
	}
	switch flags >> 6 & 3 {
	case 1:
		args = append(args, "--input-format", "ndjson")
	case 2:
		args = append(args, "--input-format", "json")
	}
	if flags&(1<<8) != 0 {
		args = append(args, "--limit", "3")
	}
	if flags&(1<<9) != 0 {
		args = append(args, "--output-format", "ndjson")
	}
	if s.loops {
		args = append(args, "--timeout", "50ms")
	}
	return append(args, "-e", s.code)
}

// cliRun is the result of one in-process run.
type cliRun struct {
	code           int
	stdout, stderr string
}

// runCLI runs the command with -j jobs on in and checks what must hold of any run.
func runCLI(t *testing.T, args []string, jobs string, in []byte) cliRun {
	t.Helper()
	args = append([]string{"-j", jobs}, args...)
	done := make(chan cliRun, 1)
	go func() {
		var stdout, stderr bytes.Buffer
		code := run(args, bytes.NewReader(in), &stdout, &stderr)
		done <- cliRun{code, stdout.String(), stderr.String()}
	}()
	var r cliRun
	select {
	case r = <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("jsmap %s on %q: still running after 10s", strings.Join(args, " "), in)
	}
	cmd := fmt.Sprintf("jsmap %s on %q", strings.Join(args, " "), in)
	if r.code != exitOK && r.code != exitFailure && r.code != exitUsage {
		t.Fatalf("%s: exit status %d\nstderr: %s", cmd, r.code, r.stderr)
	}
	// A Go trace, or a panic that the bridge caught; input that says so itself is let through.
	for _, s := range []string{"goroutine ", "panic:", "this is a bug in jsmap"} {
		if strings.Contains(r.stderr, s) && !bytes.Contains(in, []byte(s)) {
			t.Fatalf("%s: stderr has %q:\n%s", cmd, s, r.stderr)
		}
	}
	return r
}
