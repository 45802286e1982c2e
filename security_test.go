package main

// One test per statement of README.md's "Security model", each proving it through the CLI. The
// jsbridge tests go deeper into require (require_test.go) and interrupts (interrupt_test.go); these
// check that the jsmap command keeps the promises.

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// secRun runs jsmap in dir and checks that it left no Go trace.
func secRun(t *testing.T, bin, dir string, args ...string) relResult {
	t.Helper()
	r := relRun(t, relCommand(bin, dir, args...), nil, 2*time.Minute)
	relNoTrace(t, r.stderr)
	return r
}

// secWant checks the exit status and the first line of stderr (exact).
func secWant(t *testing.T, r relResult, code int, firstLine string) {
	t.Helper()
	if r.code != code || relFirstLine(r.stderr) != firstLine {
		t.Errorf("exit %d, first line of stderr\n  %q\nwant exit %d and\n  %q\nstderr:\n%s", r.code, relFirstLine(r.stderr), code, firstLine, relClip(r.stderr))
	}
}

// "A script runs in a VM of its own with nothing but the language, args and console": the global
// object has the ECMAScript built-ins (and goja's GoError), args and console, nothing else.
func TestSecurityNothingButTheLanguageArgsAndConsole(t *testing.T) {
	bin := relJsmap(t)
	dir := relDir(t)
	relWrite(t, filepath.Join(dir, "in.ndjson"), []byte("1\n"))
	r := secRun(t, bin, dir, "-e", "x => Object.getOwnPropertyNames(globalThis).concat(Object.getOwnPropertySymbols(globalThis).map(String))", "in.ndjson")
	if r.code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", r.code, r.stderr)
	}
	var globals []string
	if err := json.Unmarshal([]byte(r.stdout), &globals); err != nil {
		t.Fatalf("%v: %s", err, r.stdout)
	}
	allowed := strings.Fields(`
		AggregateError Array ArrayBuffer BigInt BigInt64Array BigUint64Array Boolean DataView Date Error
		EvalError Float32Array Float64Array Function Infinity Int16Array Int32Array Int8Array JSON Map Math
		NaN Number Object Promise Proxy RangeError ReferenceError Reflect RegExp Set String Symbol
		SyntaxError TypeError URIError Uint16Array Uint32Array Uint8Array Uint8ClampedArray WeakMap WeakSet
		WeakRef FinalizationRegistry Atomics SharedArrayBuffer Iterator Float16Array
		decodeURI decodeURIComponent encodeURI encodeURIComponent escape unescape eval globalThis isFinite
		isNaN parseFloat parseInt undefined Symbol(Symbol.toStringTag)
		GoError
		args console`)
	for _, g := range globals {
		if !slices.Contains(allowed, g) {
			t.Errorf("the global object has %q, which is neither the language nor args nor console", g)
		}
	}
	for _, g := range []string{"args", "console", "JSON", "Promise"} {
		if !slices.Contains(globals, g) {
			t.Errorf("no global %q", g)
		}
	}
	// A VM of its own: each worker's setup() counts in its globals, and every VM counts 1 (a VM
	// shared by the workers would count 4).
	relWrite(t, filepath.Join(dir, "many.ndjson"), []byte(strings.Repeat("1\n", 400)))
	r = secRun(t, bin, dir, "-j", "4", "-e", "({ setup() { globalThis.setups = (globalThis.setups || 0) + 1; Object.prototype.polluted = (Object.prototype.polluted || 0) + 1 }, map: () => [setups, ({}).polluted] })", "many.ndjson")
	if r.code != 0 || r.stdout != strings.Repeat("[1,1]\n", 400) {
		t.Errorf("-j 4: exit %d, stdout %q; stderr:\n%s", r.code, relClip(r.stdout), r.stderr)
	}
}

// "No files, network, processes or environment. There is no fs, process, child_process, fetch,
// timers or environment access; require('fs') (or any Node.js built-in) fails with an error saying
// so."
func TestSecurityNoFilesNetworkProcessesOrEnvironment(t *testing.T) {
	bin := relJsmap(t)
	dir := relDir(t)
	relWrite(t, filepath.Join(dir, "in.ndjson"), []byte("1\n"))

	t.Run("no such globals", func(t *testing.T) {
		names := []string{"process", "require('fs')", "fetch", "XMLHttpRequest", "WebSocket", "setTimeout",
			"setInterval", "setImmediate", "clearTimeout", "queueMicrotask", "Buffer", "global", "window",
			"self", "navigator", "Deno", "Bun", "importScripts", "load", "print", "readFile", "os", "std"}
		var exprs []string
		for _, n := range names {
			if n == "require('fs')" {
				continue
			}
			exprs = append(exprs, "typeof "+n)
		}
		// The usual ways out of a sandbox reach the same global object.
		exprs = append(exprs, `typeof Function("return this")().process`, `typeof (0, eval)("this").process`,
			`typeof this.constructor.constructor("return typeof process")`, `typeof ({}).constructor.constructor("return this")().process`,
			`typeof (async () => {}).constructor("return this")`)
		r := secRun(t, bin, dir, "-e", "x => ["+strings.Join(exprs, ", ")+"]", "in.ndjson")
		var got []string
		if r.code != 0 || json.Unmarshal([]byte(r.stdout), &got) != nil {
			t.Fatalf("exit %d, stdout %q; stderr:\n%s", r.code, r.stdout, r.stderr)
		}
		for i, e := range exprs {
			want := "undefined"
			if strings.HasPrefix(e, "typeof this.constructor") || strings.HasPrefix(e, "typeof (async") {
				want = "function" // a function made in the same VM, with the same globals
			}
			if got[i] != want {
				t.Errorf("%s is %q, want %q", e, got[i], want)
			}
		}
		r = secRun(t, bin, dir, "-e", `x => [Function("return typeof process")(), this.constructor.constructor("return typeof fetch")()]`, "in.ndjson")
		if r.code != 0 || r.stdout != "[\"undefined\",\"undefined\"]\n" {
			t.Errorf("exit %d, stdout %q; stderr:\n%s", r.code, r.stdout, r.stderr)
		}
	})

	t.Run("require of built-ins fails saying so", func(t *testing.T) {
		// At load: exit 2, the message names the module and says why.
		relWrite(t, filepath.Join(dir, "fs.js"), []byte("const fs = require('fs')\nmodule.exports = (x) => fs.readFileSync('/etc/passwd', 'utf8')\n"))
		r := secRun(t, bin, dir, "fs.js", "in.ndjson")
		secWant(t, r, 2, "jsmap: error: fs.js:1:19: Error: require('fs'): 'fs' is a Node.js built-in module; jsmap scripts have no filesystem, network or process access")
		if r.stdout != "" {
			t.Errorf("stdout %q", r.stdout)
		}
		// In an element, for every built-in (caught by the script, which gets the message).
		mods := []string{"fs", "node:fs", "fs/promises", "child_process", "node:child_process", "net", "http",
			"https", "http2", "dgram", "dns", "tls", "os", "process", "worker_threads", "cluster", "vm", "module",
			"inspector", "v8", "path", "util", "events", "buffer", "crypto", "stream", "zlib", "readline", "url",
			"perf_hooks", "async_hooks", "repl", "tty", "timers", "assert", "string_decoder", "querystring"}
		b, _ := json.Marshal(mods)
		relWrite(t, filepath.Join(dir, "mods.js"), []byte("const mods = "+string(b)+"\n"+
			"module.exports = () => mods.map((m) => { try { require(m); return 'loaded' } catch (e) { return e.message } })\n"))
		r = secRun(t, bin, dir, "mods.js", "in.ndjson")
		var got []string
		if r.code != 0 || json.Unmarshal([]byte(r.stdout), &got) != nil || len(got) != len(mods) {
			t.Fatalf("exit %d, stdout %q; stderr:\n%s", r.code, r.stdout, r.stderr)
		}
		for i, m := range mods {
			want := "require('" + m + "'): '" + m + "' is a Node.js built-in module; jsmap scripts have no filesystem, network or process access"
			if got[i] != want {
				t.Errorf("require(%q): %q, want %q", m, got[i], want)
			}
		}
		// import() is not there either.
		relWrite(t, filepath.Join(dir, "import.js"), []byte("module.exports = async () => (await import('fs')).readFileSync('/etc/passwd')\n"))
		r = secRun(t, bin, dir, "import.js", "in.ndjson")
		secWant(t, r, 2, "jsmap: error: import.js:1:37: SyntaxError: Unexpected reserved word")
	})

	t.Run("no environment", func(t *testing.T) {
		// A secret in jsmap's environment is nowhere the script can look.
		const secret = "s3cr3t-jsmap-env-value"
		cmd := relCommand(bin, dir, "-e", `x => {
			const seen = new Set(), out = []
			const walk = (o, depth) => {
				if (o === null || (typeof o !== 'object' && typeof o !== 'function') || seen.has(o) || depth > 4) return
				seen.add(o)
				for (const k of Reflect.ownKeys(o)) {
					out.push(String(k))
					let v
					try { v = o[k] } catch (e) { continue }
					if (typeof v === 'string') out.push(v)
					walk(v, depth + 1)
				}
			}
			walk(globalThis, 0)
			return out.join(' ')
		}`, "in.ndjson")
		cmd.Env = append(cmd.Env, "JSMAP_TEST_SECRET="+secret)
		r := relRun(t, cmd, nil, time.Minute)
		relNoTrace(t, r.stderr)
		if r.code != 0 || len(r.stdout) < 1000 {
			t.Fatalf("exit %d, stdout %q; stderr:\n%s", r.code, relClip(r.stdout), r.stderr)
		}
		if strings.Contains(r.stdout, secret) || strings.Contains(r.stdout, "JSMAP_TEST_SECRET") {
			t.Errorf("the environment is visible to the script")
		}
	})
}

// "require is confined. It loads only from the script's folder (and below) and from node_modules
// folders in the script's folder or its parents. .., absolute paths and symbolic links that lead
// outside those roots are refused, whether or not the target exists."
func TestSecurityRequireIsConfined(t *testing.T) {
	bin := relJsmap(t)
	root := relDir(t)
	app := filepath.Join(root, "proj", "app")
	files := map[string]string{
		"outside/x.js":                             "module.exports = 'outside'\n",
		"proj/app/lib/in.js":                       "module.exports = 'inside'\n",
		"proj/node_modules/parentpkg/index.js":     "module.exports = 'parentpkg'\n",
		"proj/app/node_modules/localpkg/index.js":  "module.exports = 'localpkg+' + require('parentpkg')\n",
		"proj/app/node_modules/evilpkg/index.js":   "module.exports = require('../../../../outside/x.js')\n",
		"proj/app/node_modules/@scope/p/index.js":  "module.exports = require('../../../lib/in.js')\n",
		"proj/app/node_modules/jsonpkg/index.json": `{"json": true}`,
		"in.ndjson": "1\n",
	}
	for name, content := range files {
		relWrite(t, filepath.Join(root, name), []byte(content))
	}
	for link, target := range map[string]string{
		"proj/app/linkdir":                filepath.Join(root, "outside"),
		"proj/app/linkfile.js":            filepath.Join(root, "outside", "x.js"),
		"proj/app/dangling.js":            filepath.Join(root, "outside", "nosuch.js"),
		"proj/app/node_modules/linkedpkg": filepath.Join(root, "outside"),
		"proj/app/inlink.js":              "lib/in.js",
	} {
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			t.Fatal(err)
		}
	}
	outside := func(spec, resolved string) string {
		return "require('" + spec + "') from " + app + "/s.js: " + resolved + " is outside the script's folder (modules load only from " + app + " and node_modules)"
	}
	throughLink := func(spec, path, link, resolved string) string {
		return "require('" + spec + "') from " + app + "/s.js: " + path + " resolves, through the symbolic link " + link + ", to " + resolved + ", which is outside the script's folder (modules load only from " + app + " and node_modules)"
	}
	cases := []struct{ spec, want string }{
		// Allowed: the script's folder and below, node_modules here and in a parent folder.
		{"./lib/in.js", "inside"},
		{app + "/lib/in.js", "inside"},
		{"./inlink.js", "inside"},
		{"./lib/../lib/in.js", "inside"},
		{"../app/lib/in.js", "inside"},
		{"localpkg", "localpkg+parentpkg"},
		{"parentpkg", "parentpkg"},
		{"@scope/p", "inside"},
		// Refused: .., absolute paths, symbolic links, existing or not.
		{"../../outside/x.js", "ERR " + outside("../../outside/x.js", root+"/outside/x.js")},
		{"../../outside/nosuch.js", "ERR " + outside("../../outside/nosuch.js", root+"/outside/nosuch.js")},
		{"../s.js", "ERR " + outside("../s.js", root+"/proj/s.js")},
		{root + "/outside/x.js", "ERR " + outside(root+"/outside/x.js", root+"/outside/x.js")},
		{root + "/outside/nosuch.js", "ERR " + outside(root+"/outside/nosuch.js", root+"/outside/nosuch.js")},
		{"/etc/passwd", "ERR " + outside("/etc/passwd", "/etc/passwd")},
		{"./linkdir/x.js", "ERR " + throughLink("./linkdir/x.js", app+"/linkdir/x.js", app+"/linkdir", root+"/outside/x.js")},
		{"./linkdir/nosuch.js", "ERR " + throughLink("./linkdir/nosuch.js", app+"/linkdir/nosuch.js", app+"/linkdir", root+"/outside/nosuch.js")},
		{"./linkfile.js", "ERR require('./linkfile.js') from " + app + "/s.js: " + app + "/linkfile.js is a symbolic link to " + root + "/outside/x.js, which is outside the script's folder (modules load only from " + app + " and node_modules)"},
		{"./dangling.js", "ERR require('./dangling.js') from " + app + "/s.js: " + app + "/dangling.js is a symbolic link to " + root + "/outside/nosuch.js, which is outside the script's folder (modules load only from " + app + " and node_modules)"},
		{"evilpkg", "ERR require('../../../../outside/x.js') from " + app + "/node_modules/evilpkg/index.js: " + root + "/outside/x.js is outside the script's folder (modules load only from " + app + " and node_modules)"},
		{"linkedpkg/x.js", "ERR refused"},
	}
	var specs []string
	for _, c := range cases {
		specs = append(specs, c.spec)
	}
	b, _ := json.Marshal(specs)
	relWrite(t, filepath.Join(app, "s.js"), []byte("const specs = "+string(b)+"\n"+
		"module.exports = () => specs.map((m) => { try { return require(m) } catch (e) { return 'ERR ' + e.message } })\n"))
	r := secRun(t, bin, root, "proj/app/s.js", "in.ndjson")
	var got []string
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &got) != nil || len(got) != len(cases) {
		t.Fatalf("exit %d, stdout %q; stderr:\n%s", r.code, r.stdout, r.stderr)
	}
	for i, c := range cases {
		switch {
		case c.want == "ERR refused":
			if !strings.HasPrefix(got[i], "ERR ") || !strings.Contains(got[i], "which is outside the script's folder") {
				t.Errorf("require(%q): %q, want a refusal", c.spec, got[i])
			}
		case got[i] != c.want:
			t.Errorf("require(%q):\n  %q\nwant\n  %q", c.spec, got[i], c.want)
		}
	}
	// At load time too: the script does not load (exit 2), and nothing is read.
	relWrite(t, filepath.Join(app, "load.js"), []byte("const s = require('../../outside/x.js')\nmodule.exports = (x) => s\n"))
	r = secRun(t, bin, root, "proj/app/load.js", "in.ndjson")
	secWant(t, r, 2, "jsmap: error: proj/app/load.js:1:18: Error: require('../../outside/x.js') from "+app+"/load.js: "+root+"/outside/x.js is outside the script's folder (modules load only from "+app+" and node_modules)")
	// -e resolves from the current folder, with the same confinement.
	r = secRun(t, bin, app, "-e", "x => require('../../outside/x.js')", "../../in.ndjson")
	if r.code != 1 || !strings.Contains(relFirstLine(r.stderr), root+"/outside/x.js is outside the script's folder") {
		t.Errorf("-e: exit %d; stderr:\n%s", r.code, r.stderr)
	}
}

// "CPU: --timeout DUR bounds the time of one element."
func TestSecurityCPUTimeoutBoundsOneElement(t *testing.T) {
	bin := relJsmap(t)
	dir := relDir(t)
	relWrite(t, filepath.Join(dir, "in.ndjson"), []byte("1\n2\n"))
	const timedOut = "jsmap: error: element 0 (in.ndjson:1:1): timed out after 300ms"
	for _, c := range []struct{ name, code string }{
		{"while (true)", "x => { while (true) {} }"},
		{"a loop that catches everything", "x => { for (;;) { try { for (;;) {} } catch (e) {} finally { continue } } }"},
		{"a loop in a callback of a built-in", "x => [1, 2].map(function f() { for (;;) {} })"},
		{"an endless chain of awaits", "async x => { for (;;) await null }"},
		{"endless microtasks", "x => { const f = () => Promise.resolve().then(f); f(); return new Promise(() => {}) }"},
		{"an endless regular expression loop", `x => { const re = /a+b/; for (;;) re.test("aaab") }`},
		{"a long string built in steps", `x => { let s = ""; for (;;) s += "x" }`},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := secRun(t, bin, dir, "-o", "out.json", "--timeout", "300ms", "-e", c.code, "in.ndjson")
			secWant(t, r, 1, timedOut)
			if r.took > 30*time.Second {
				t.Errorf("took %v", r.took)
			}
			relNoLeftovers(t, dir)
		})
	}
	// With --on-error null the other elements go on in the same workers after a timeout.
	r := secRun(t, bin, dir, "-j", "1", "--timeout", "300ms", "--on-error", "null", "-e", "x => { if (x === 1) for (;;) {} return x }", "in.ndjson")
	if r.code != 0 || r.stdout != "null\n2\n" {
		t.Errorf("exit %d, stdout %q; stderr:\n%s", r.code, r.stdout, r.stderr)
	}

	t.Run("a loop in a getter of the result", func(t *testing.T) {
		r := secRun(t, bin, dir, "--timeout", "300ms", "-e", "x => ({ get g() { for (;;) {} } })", "in.ndjson")
		secWant(t, r, 1, timedOut)
	})
	// Generators nested 3,900 deep by yield* (goja resumes each with a nested Go call): the
	// timeout unwinds them promptly.
	t.Run("an endless generator nested deep", func(t *testing.T) {
		r := secRun(t, bin, dir, "--timeout", "300ms", "-e", "x => { function* g(n) { if (n > 0) yield* g(n - 1); else for (;;) yield 1 } for (const v of g(3900)) {} }", "in.ndjson")
		secWant(t, r, 1, timedOut)
		if r.took > 10*time.Second {
			t.Errorf("took %v", r.took)
		}
	})
}

// "Ctrl-C interrupts any running script" (README: the first Ctrl-C exits with 130 within a second,
// -o FILE untouched).
func TestSecurityCPUCtrlCInterruptsAnyRunningScript(t *testing.T) {
	bin := relJsmap(t)
	dir := relDir(t)
	relWrite(t, filepath.Join(dir, "in.ndjson"), []byte("1\n2\n3\n4\n"))
	files := map[string]string{
		"toplevel.js":  "console.error('ready')\nwhile (true) {}\nmodule.exports = (x) => x\n",
		"setup.js":     "module.exports = { setup() { console.error('ready'); for (;;) {} }, map: (x) => x }\n",
		"map.js":       "module.exports = (x) => { console.error('ready'); for (;;) {} }\n",
		"async.js":     "module.exports = async (x) => { console.error('ready'); for (;;) await null }\n",
		"catch.js":     "module.exports = (x) => { console.error('ready'); for (;;) { try { for (;;) {} } catch (e) {} } }\n",
		"getter.js":    "module.exports = (x) => ({ get g() { console.error('ready'); for (;;) {} } })\n",
		"regexp.js":    "module.exports = (x) => { console.error('ready'); return /^(a+)+(?=b)\\1$/.test('a'.repeat(40) + 'c') }\n",
		"stringify.js": "module.exports = (x) => { console.error('ready'); const f = () => JSON.stringify({ get g() { return f() } }); return f() }\n",
		"generator.js": "module.exports = (x) => { console.error('ready'); function* g() { yield* g() } return [...g()] }\n",
	}
	for name, content := range files {
		relWrite(t, filepath.Join(dir, name), []byte(content))
	}
	for _, c := range []struct{ script string }{
		{"toplevel.js"}, {"setup.js"}, {"map.js"}, {"async.js"}, {"catch.js"}, {"getter.js"},
		// One long call of a built-in: Ctrl-C exits within a second regardless (README, "Known
		// limits").
		{"regexp.js"}, {"stringify.js"}, {"generator.js"},
	} {
		t.Run(strings.TrimSuffix(c.script, ".js"), func(t *testing.T) {
			relWrite(t, filepath.Join(dir, "out.json"), []byte(relOld))
			r, exited := relInterrupt(t, relCommand(bin, dir, "-j", "2", "-o", "out.json", c.script, "in.ndjson"), syscall.SIGINT, 15*time.Second)
			if !exited {
				t.Fatalf("still running 15s after SIGINT; stderr:\n%s", relClip(r.stderr))
			}
			relNoTrace(t, r.stderr)
			if r.code != 130 || !strings.Contains(r.stderr, "jsmap: interrupted by SIGINT\n") {
				t.Errorf("exit %d, want 130 and %q; stderr:\n%s", r.code, "jsmap: interrupted by SIGINT", relClip(r.stderr))
			}
			if out, _ := os.ReadFile(filepath.Join(dir, "out.json")); string(out) != relOld {
				t.Errorf("out.json changed: %q", out)
			}
			relNoLeftovers(t, dir)
		})
	}
}

// "Stack: recursion is bounded (10,000 calls), and so is the nesting of input elements, results
// and values given to JSON.parse/JSON.stringify (10,000 levels), so deep values fail the element,
// never the process."
func TestSecurityStackRecursionIsBounded(t *testing.T) {
	bin := relJsmap(t)
	dir := relDir(t)
	relWrite(t, filepath.Join(dir, "in.ndjson"), []byte("9900\n10100\n"))
	relWrite(t, filepath.Join(dir, "one.ndjson"), []byte("1\n"))
	const overflow = "jsmap: error: element 0 (one.ndjson:1:1): RangeError: Maximum call stack size exceeded"

	// 10,000 calls: 9,900 deep is fine, 10,100 deep fails that element only.
	r := secRun(t, bin, dir, "-j", "1", "--on-error", "null", "-e", "x => { const f = (n) => n === 0 ? 0 : 1 + f(n - 1); return f(x) }", "in.ndjson")
	if r.code != 0 || r.stdout != "9900\nnull\n" {
		t.Errorf("exit %d, stdout %q; stderr:\n%s", r.code, r.stdout, relClip(r.stderr))
	}
	if !strings.HasPrefix(r.stderr, "jsmap: element 1 (in.ndjson:2:1): RangeError: Maximum call stack size exceeded\n") {
		t.Errorf("stderr:\n%s", relClip(r.stderr))
	}

	// Recursion through built-ins, coercions, traps and accessors: the element fails, with
	// RangeError, and the process does not.
	for _, c := range []struct{ name, code string }{
		{"direct", "x => { const f = () => f(); return f() }"},
		{"Array.prototype.map", "x => { const f = () => [1].map(f); return f() }"},
		{"sort comparator", "x => { const f = () => [2, 1].sort(() => f()); return f() }"},
		{"String.prototype.replace", `x => { const f = (s) => s.replace(/a/, () => f(s)); return f("a") }`},
		{"JSON.parse reviver", `x => { const f = () => JSON.parse("[1]", () => f()); return f() }`},
		{"JSON.stringify replacer", `x => { const f = () => JSON.stringify([1], () => f()); return f() }`},
		{"toJSON in JSON.stringify", `x => { const o = { toJSON() { return JSON.stringify(o) } }; return JSON.stringify(o) }`},
		{"a getter calling JSON.stringify", `x => { const f = () => JSON.stringify({ get g() { return f() } }); return f() }`},
		{"toString", "x => { const o = { toString() { return String(o) } }; return String(o) }"},
		{"valueOf", "x => { const o = { valueOf() { return +o } }; return +o }"},
		{"Proxy get trap", "x => { const p = new Proxy({}, { get(t, k, r) { return r[k] } }); return p.x }"},
		{"getter", "x => { const o = { get g() { return o.g } }; return o.g }"},
		{"class constructor", "x => { class A { constructor() { new A() } }; return new A() }"},
		{"Function.prototype.apply", "x => { const f = () => f.apply(null, []); return f() }"},
		{"bound function", "x => { let g; const f = () => g(); g = f.bind(null); return f() }"},
		{"async recursion", "async x => { const f = async () => f(); return await f() }"},
		{"Symbol.iterator", "x => { const o = { [Symbol.iterator]() { return [...o][Symbol.iterator]() } }; return [...o] }"},
		// goja resumes a generator delegated to by yield* with a nested Go call.
		{"generator delegating to itself", "x => { function* g() { yield* g() } return [...g()] }"},
		// Code that the result's encoding runs: a getter, toJSON.
		{"getter of the result", "x => ({ get g() { const r = () => r(); return r() } })"},
		{"toJSON of the result", "x => ({ toJSON() { const r = () => r(); return r() } })"},
		{"getter of the result calling itself", "x => { const o = { get g() { return o.g } }; return o }"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := secRun(t, bin, dir, "-e", c.code, "one.ndjson")
			secWant(t, r, 1, overflow)
		})
	}

	// Nesting: input elements, results, JSON.parse and JSON.stringify.
	relWrite(t, filepath.Join(dir, "deep.json"), []byte("["+strings.Repeat("[", 10001)+strings.Repeat("]", 10001)+"]"))
	relWrite(t, filepath.Join(dir, "ok.json"), []byte("["+strings.Repeat("[", 9999)+strings.Repeat("]", 9999)+"]"))
	for _, c := range []struct{ name, input, code, want string }{
		{"an input element 10,001 deep", "deep.json", "x => 1", "jsmap: error: deep.json:1:10002: nesting depth exceeds 10000 (element 0)"},
		{"a result 20,000 deep", "one.ndjson", "x => { let a = []; for (let i = 0; i < 20000; i++) a = [a]; return a }",
			"jsmap: error: element 0 (one.ndjson:1:1): RangeError: Maximum call stack size exceeded: the value is nested more than 10000 levels deep"},
		{"JSON.stringify of a value 20,000 deep", "one.ndjson", "x => { let a = []; for (let i = 0; i < 20000; i++) a = [a]; return JSON.stringify(a).length }",
			"jsmap: error: element 0 (one.ndjson:1:1): RangeError: Maximum call stack size exceeded: the value is nested more than 10000 levels deep"},
		{"JSON.parse of a text 20,000 deep", "one.ndjson", `x => JSON.parse("[".repeat(20000) + "]".repeat(20000))`,
			"jsmap: error: element 0 (one.ndjson:1:1): RangeError: Maximum call stack size exceeded: JSON.parse of a value nested more than 10000 levels deep"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			secWant(t, secRun(t, bin, dir, "-e", c.code, c.input), 1, c.want)
		})
	}
	// 10,000 levels are fine, through the script and JSON.parse/JSON.stringify.
	r = secRun(t, bin, dir, "-e", "x => JSON.parse(JSON.stringify(x)).length", "ok.json")
	if r.code != 0 || r.stdout != "[\n1\n]\n" {
		t.Errorf("9,999 + 1 levels: exit %d, stdout %q; stderr:\n%s", r.code, r.stdout, relClip(r.stderr))
	}
}

// "Memory: --max-memory SIZE bounds the heap (by default three quarters of the memory the process
// may use); a result larger than 512 MiB of JSON is an error, as a string that long is in V8."
// TestMaxMemory (faults_test.go) measures the peak RSS; here the CLI-level checks.
func TestSecurityMemoryIsBounded(t *testing.T) {
	bin := relJsmap(t)
	dir := relDir(t)
	relWrite(t, filepath.Join(dir, "in.ndjson"), []byte("1\n"))

	t.Run("--max-memory stops a script whose data grows", func(t *testing.T) {
		relWrite(t, filepath.Join(dir, "out.json"), []byte(relOld))
		r := secRun(t, bin, dir, "-o", "out.json", "--max-memory", "96MiB", "-e", "x => { const keep = []; for (;;) keep.push({n: keep.length, s: 'v' + keep.length}) }", "in.ndjson")
		line := relFirstLine(r.stderr)
		if r.code != 1 || !strings.HasPrefix(line, "jsmap: error: memory limit exceeded: the heap reached ") || !strings.HasSuffix(line, " (the limit is 96 MiB) while mapping element 0") {
			t.Errorf("exit %d; stderr:\n%s", r.code, relClip(r.stderr))
		}
		if out, _ := os.ReadFile(filepath.Join(dir, "out.json")); string(out) != relOld {
			t.Errorf("out.json changed")
		}
		relNoLeftovers(t, dir)
	})
	t.Run("a result of more than 512 MiB of JSON", func(t *testing.T) {
		// An array of 300 million holes: 1.5 GB of JSON (null,null,...), refused before any is made.
		r := secRun(t, bin, dir, "-e", "x => { const a = []; a.length = 3e8; return a }", "in.ndjson")
		secWant(t, r, 1, "jsmap: error: element 0 (in.ndjson:1:1): RangeError: Invalid string length: the JSON of a value may have at most 512 MiB")
	})
	t.Run("a result of 600 strings of 1 MiB", func(t *testing.T) {
		r := secRun(t, bin, dir, "-e", `x => { const s = "x".repeat(2 ** 20); return Array(600).fill(s) }`, "in.ndjson")
		secWant(t, r, 1, "jsmap: error: element 0 (in.ndjson:1:1): RangeError: Invalid string length: the JSON of a value may have at most 512 MiB")
	})
	t.Run("a result that shares one value a thousand times", func(t *testing.T) {
		// Two members, ten levels: 1,024 references to one 1 MiB string, 1 GiB of JSON.
		const shared = `x => { let o = "x".repeat(2 ** 20); for (let i = 0; i < 10; i++) o = {a: o, b: o}; return o }`
		r := secRun(t, bin, dir, "-e", shared, "in.ndjson")
		secWant(t, r, 1, "jsmap: error: element 0 (in.ndjson:1:1): RangeError: Invalid string length: the JSON of a value may have at most 512 MiB")
		// The same through JSON.stringify with a replacer array, which jsmap writes itself too.
		r = secRun(t, bin, dir, "-e", strings.Replace(shared, "return o", `return JSON.stringify(o, ["a", "b"]).length`, 1), "in.ndjson")
		secWant(t, r, 1, "jsmap: error: element 0 (in.ndjson:1:1): RangeError: Invalid string length: the JSON of a value may have at most 512 MiB")
	})
	t.Run("--max-memory while a big result is encoded", func(t *testing.T) {
		r := secRun(t, bin, dir, "--max-memory", "256MiB", "-e", `x => { const s = "x".repeat(2 ** 18); return Array(5000).fill(s) }`, "in.ndjson")
		bound := int64(512 << 20)
		if relRace() {
			bound *= 5 // the race detector's shadow memory
		}
		if r.code != 1 || r.maxRSS > bound {
			t.Errorf("exit %d, peak RSS %d MiB (limit 256 MiB); stderr:\n%s", r.code, r.maxRSS>>20, relClip(r.stderr))
		}
	})
}
