package main

// The reliability suite: adversarial inputs and scripts (this file), faults (signals, kill -9,
// memory: faults_test.go), a soak run (soak_test.go) and the README's security model
// (security_test.go). Every run is a real jsmap process: the test binary started under the name
// jsmap, which TestMain (testscript.Main) runs as the command. The helpers shared by the four
// files are here; their names start with rel.

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// relOld is what out.json holds before each run: a failing run must leave it so.
const relOld = "OLD CONTENT\n"

// relJsmap returns the path of a "jsmap" symbolic link to this test binary, in a folder of its own.
// Started by that name, the binary is jsmap (see TestMain).
func relJsmap(t testing.TB) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "jsmap")
	if err := os.Symlink(exe, link); err != nil {
		t.Fatal(err)
	}
	return link
}

// relDir returns a new empty folder, with symbolic links resolved (jsmap names absolute paths in
// some messages, and the wants spell them the same way).
func relDir(t testing.TB) string {
	t.Helper()
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// relCommand is jsmap with args, run in dir.
func relCommand(bin, dir string, args ...string) *exec.Cmd {
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	env := []string{}
	gorace := ""
	for _, kv := range os.Environ() {
		switch {
		case strings.HasPrefix(kv, "GORACE="):
			gorace = strings.TrimPrefix(kv, "GORACE=")
		case strings.HasPrefix(kv, "JSMAP_CPUPROFILE="), strings.HasPrefix(kv, "PWD="):
		default:
			env = append(env, kv)
		}
	}
	// Under -race a program that exits with status 0 sleeps GORACE's atexit_sleep_ms (1s by
	// default) first: far too long for hundreds of runs.
	if !strings.Contains(gorace, "atexit_sleep_ms") {
		gorace = strings.TrimSpace(gorace + " atexit_sleep_ms=50")
	}
	cmd.Env = append(env, "GORACE="+gorace, "PWD="+dir)
	return cmd
}

// relResult is how a jsmap process ended.
type relResult struct {
	code           int // exit status, or 128+N for a process killed by signal N
	stdout, stderr string
	took           time.Duration
	maxRSS         int64 // peak RSS in bytes (VmHWM sampled every 5ms)
}

// relExit is the exit status as a shell reports it: 128+N for a process killed by signal N.
func relExit(ps *os.ProcessState) int {
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ps.ExitCode()
}

// relStatus is a size field of /proc/PID/status (VmRSS, VmHWM) in bytes, or 0 (the process is gone).
func relStatus(pid int, field string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			f := strings.Fields(rest)
			if len(f) == 2 && f[1] == "kB" {
				kb, _ := strconv.ParseInt(f[0], 10, 64)
				return kb << 10
			}
		}
	}
	return 0
}

// relBuffer is a bytes.Buffer that a process writes while the test reads it.
type relBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *relBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *relBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// relProc is a started jsmap process.
type relProc struct {
	cmd   *exec.Cmd
	start time.Time
	done  chan struct{} // closed once the process has exited (and been waited for)
	peak  atomic.Int64  // the highest VmHWM seen
}

// relStart starts cmd, and samples its peak RSS (VmHWM) every 5ms while it runs. (The rusage of the
// child is no good for that: Linux carries the parent's peak RSS into it, as the child is forked
// sharing the test process's memory until it execs.)
func relStart(t testing.TB, cmd *exec.Cmd) *relProc {
	t.Helper()
	p := &relProc{cmd: cmd, start: time.Now(), done: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		cmd.Wait()
		close(p.done)
	}()
	go func() {
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			if v := relStatus(cmd.Process.Pid, "VmHWM"); v > p.peak.Load() {
				p.peak.Store(v)
			}
			select {
			case <-p.done:
				return
			case <-tick.C:
			}
		}
	}()
	return p
}

// exited reports whether the process has exited.
func (p *relProc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// signal sends sig to the process unless it has exited; it reports whether it was sent.
func (p *relProc) signal(sig os.Signal) bool {
	return !p.exited() && p.cmd.Process.Signal(sig) == nil
}

// wait waits for the process to exit, killing it (and failing the test) after limit.
func (p *relProc) wait(t testing.TB, limit time.Duration) *os.ProcessState {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(limit):
		p.cmd.Process.Kill()
		<-p.done
		t.Fatalf("jsmap %s: still running after %v (killed)", strings.Join(p.cmd.Args[1:], " "), limit)
	}
	return p.cmd.ProcessState
}

// relRun runs cmd to its end (at most limit), with stdin from stdin when not nil.
func relRun(t testing.TB, cmd *exec.Cmd, stdin io.Reader, limit time.Duration) relResult {
	t.Helper()
	var stdout, stderr relBuffer
	if cmd.Stdout == nil {
		cmd.Stdout = &stdout
	}
	cmd.Stderr = &stderr
	if stdin != nil {
		cmd.Stdin = stdin
	}
	p := relStart(t, cmd)
	ps := p.wait(t, limit)
	return relResult{code: relExit(ps), stdout: stdout.String(), stderr: stderr.String(), took: time.Since(p.start), maxRSS: p.peak.Load()}
}

// relNoTrace fails the test when stderr shows a Go panic, a runtime error or a data race.
func relNoTrace(t testing.TB, stderr string) {
	t.Helper()
	for _, bad := range []string{"goroutine ", "panic:", "fatal error:", "DATA RACE", "runtime error"} {
		if strings.Contains(stderr, bad) {
			t.Fatalf("stderr has %q:\n%s", bad, relClip(stderr))
		}
	}
}

// relNoLeftovers fails the test when dir holds a temporary file of jsmap's (.out.json.jsmap-*.tmp)
// or a --resume journal or partial output.
func relNoLeftovers(t testing.TB, dir string) {
	t.Helper()
	for _, name := range relLeftovers(t, dir) {
		t.Errorf("%s is left in %s", name, dir)
	}
}

// relLeftovers lists jsmap's temporary files, journals and partial outputs in dir.
func relLeftovers(t testing.TB, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if strings.Contains(e.Name(), ".jsmap-") {
			names = append(names, e.Name())
		}
	}
	return names
}

// relFirstLine is the first line of s.
func relFirstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// relClip shortens s for a failure message.
func relClip(s string) string {
	const n = 3000
	if len(s) <= n {
		return s
	}
	return s[:n/2] + fmt.Sprintf("\n... (%d bytes) ...\n", len(s)-n) + s[len(s)-n/2:]
}

// relRace reports whether this binary (and so the jsmap it runs) is built with -race.
func relRace() bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range bi.Settings {
		if s.Key == "-race" && s.Value == "true" {
			return true
		}
	}
	return false
}

func relWrite(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o666); err != nil {
		t.Fatal(err)
	}
}

// advHint ends the report of a failing element.
const advHint = "jsmap: hint: --on-error skip leaves failing elements out; --errors FILE records them"

// advMode is how TestAdversarial runs a case.
type advMode int

const (
	advFile    advMode = iota // -o out.json, stdout must stay empty
	advSIGINT                 // -o out.json; SIGINT once stderr has "ready"
	advHead                   // stdout is a pipe whose reader closes after one line (| head -1)
	advDevFull                // stdout is /dev/full
)

// advCase is one adversarial run.
type advCase struct {
	name   string
	files  map[string]string                           // written into the case's folder first
	gen    func(t *testing.T, dir string)              // makes what files cannot hold (big inputs, links)
	args   []string                                    // jsmap's arguments (-o out.json comes first unless noOut)
	noOut  bool                                        // args say where the output goes
	mode   advMode                                     // how the run is done
	code   int                                         // exact exit status
	err    string                                      // exact first line of stderr ($DIR: the case's folder); "" means none
	out    string                                      // exact content of out.json after a successful run
	check  func(t *testing.T, dir string, r relResult) // further checks
	ownOut bool                                        // check verifies out.json (too big for out)
	long   bool                                        // left out with -short
	skip   string                                      // a reason to skip, decided when the table is built
	limit  time.Duration                               // longest the run may take (default 60s)
}

// TestAdversarial runs jsmap on hostile inputs and scripts. For every case: the exact exit status,
// the exact first line of stderr (or exact output), out.json untouched by a failing run, no
// temporary file left beside it, and never a Go trace.
func TestAdversarial(t *testing.T) {
	bin := relJsmap(t)
	root := os.Geteuid() == 0
	_, devFullErr := os.Stat("/dev/full")
	const one = "1\n"

	cases := []advCase{
		// Input structure.
		{name: "truncated array", files: map[string]string{"in.json": "[1, 2, "},
			args: []string{"-e", "x => x", "in.json"}, code: 1,
			err: "jsmap: error: in.json:1:8: unexpected end of JSON input"},
		{name: "trailing garbage after the array", files: map[string]string{"in.json": "[1, 2] garbage\n"},
			args: []string{"-e", "x => x", "in.json"}, code: 1,
			err: "jsmap: error: in.json:1:8: invalid character 'g' after top-level array"},
		{name: "empty input is an empty stream", files: map[string]string{"in.json": ""},
			args: []string{"-e", "x => x", "in.json"}, code: 0, out: ""},
		{name: "empty input with --input-format json", files: map[string]string{"in.json": ""},
			args: []string{"--input-format", "json", "-e", "x => x", "in.json"}, code: 1,
			err: "jsmap: error: in.json:1:1: expected a top-level array, found the end of the input"},
		{name: "empty array", files: map[string]string{"in.json": " [ ] \n"},
			args: []string{"-e", "x => x", "in.json"}, code: 0, out: "[]\n"},
		{name: "top-level scalar is a stream of one value", files: map[string]string{"in.json": "42"},
			args: []string{"-e", "x => x + 1", "in.json"}, code: 0, out: "43\n"},
		{name: "top-level scalar with --input-format json", files: map[string]string{"in.json": "42"},
			args: []string{"--input-format", "json", "-e", "x => x", "in.json"}, code: 1,
			err: "jsmap: error: in.json:1:1: expected a top-level array, found '4'"},

		// Strings and bytes.
		{name: "invalid UTF-8 in a string", files: map[string]string{"in.json": "[\"ok\", \"a\xffb\"]"},
			args: []string{"-e", "x => x", "in.json"}, code: 1,
			err: "jsmap: error: in.json:1:10: invalid UTF-8 byte 0xff in string (element 1)"},
		{name: "lone surrogates round-trip",
			files: map[string]string{"in.json": `["\ud800", "x\udc00y", "\udbff\udfff", "\ude00\ud83d"]`},
			args:  []string{"-e", "x => [x, x.length, x.charCodeAt(0)]", "in.json"}, code: 0,
			out: "[\n" + `["\ud800",1,55296],` + "\n" + `["x\udc00y",3,120],` + "\n" +
				"[\"\U0010FFFF\",2,56319],\n" + `["\ude00\ud83d",2,56832]` + "\n]\n"},
		{name: "UTF-8 BOM is skipped", files: map[string]string{"in.json": "\xef\xbb\xbf[1, \"é\"]"},
			args: []string{"-e", "x => x", "in.json"}, code: 0, out: "[\n1,\n\"é\"\n]\n"},
		{name: "BOM after the start is an error", files: map[string]string{"in.ndjson": "1\n\xef\xbb\xbf2\n"},
			args: []string{"-e", "x => x", "in.ndjson"}, code: 1,
			err: `jsmap: error: in.ndjson:2:1: invalid character '\ufeff' looking for beginning of value (element 1)`},
		{name: "raw NUL in a string", files: map[string]string{"in.json": "[\"a\x00b\"]"},
			args: []string{"-e", "x => x", "in.json"}, code: 1,
			err: `jsmap: error: in.json:1:4: control character U+0000 in string literal (escape it as \u0000) (element 0)`},
		{name: "raw NUL between values", files: map[string]string{"in.ndjson": "1\x002\n"},
			args: []string{"-e", "x => x", "in.ndjson"}, code: 1,
			err: `jsmap: error: in.ndjson:1:2: invalid character '\x00' after top-level value (element 0)`},
		{name: "escaped NUL", files: map[string]string{"in.json": `["a\u0000b"]`},
			args: []string{"-e", "x => [x, x.length]", "in.json"}, code: 0, out: "[\n[\"a\\u0000b\",3]\n]\n"},

		// Numbers and objects.
		{name: "numbers beyond float64",
			files: map[string]string{"in.json": "[1e400, -1e400, 1e-400, 123456789012345678901234567890, 5e-324, 1.7976931348623157e308, 1E2]"},
			args:  []string{"-e", "x => x", "in.json"}, code: 0,
			out: "[\nnull,\nnull,\n0,\n1.2345678901234568e+29,\n5e-324,\n1.7976931348623157e+308,\n100\n]\n"},
		{name: "minus zero", files: map[string]string{"in.json": "[-0, -0.0]"},
			args: []string{"-e", "x => [x, Object.is(x, -0), 1 / x]", "in.json"}, code: 0,
			out: "[\n[0,true,null],\n[0,true,null]\n]\n"},
		{name: "duplicate keys: the last wins", files: map[string]string{"in.json": `[{"a": 1, "b": 2, "a": 3}]`},
			args: []string{"-e", "x => [x, x.a, Object.keys(x)]", "in.json"}, code: 0,
			out: "[\n[{\"a\":3,\"b\":2},3,[\"a\",\"b\"]]\n]\n"},
		{name: "__proto__ key is an own property", files: map[string]string{"in.json": `[{"__proto__": {"polluted": true}}]`},
			args: []string{"-e", "x => [x, ({}).polluted === undefined, Object.keys(x)]", "in.json"}, code: 0,
			out: "[\n[{\"__proto__\":{\"polluted\":true}},true,[\"__proto__\"]]\n]\n"},
		{name: "CRLF and blank lines in NDJSON",
			files: map[string]string{"in.ndjson": "{\"a\":1}\r\n\r\n\r\n{\"a\":2}\r\n\n  \t\n{\"a\":3}"},
			args:  []string{"-e", "(x, i) => [i, x.a]", "in.ndjson"}, code: 0, out: "[0,1]\n[1,2]\n[2,3]\n"},
		{name: "an error after CRLF lines names its line", files: map[string]string{"in.ndjson": "1\r\n\r\n2\r\nx\r\n"},
			args: []string{"-e", "x => x", "in.ndjson"}, code: 1,
			err: "jsmap: error: in.ndjson:4:1: invalid character 'x' looking for beginning of value (element 2)"},
		{name: "1,000,000-deep nesting",
			gen: func(t *testing.T, dir string) {
				const n = 1000000
				relWrite(t, filepath.Join(dir, "in.json"), []byte("["+strings.Repeat("[", n)+strings.Repeat("]", n)+"]"))
			},
			args: []string{"-e", "x => x", "in.json"}, code: 1,
			err: "jsmap: error: in.json:1:10002: nesting depth exceeds 10000 (element 0)"},
		{name: "100 MB string element", long: true, limit: 5 * time.Minute, ownOut: true,
			gen: func(t *testing.T, dir string) {
				f, err := os.Create(filepath.Join(dir, "in.json"))
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				for _, b := range [][]byte{[]byte(`["`), advBigString(), []byte(`"]`)} {
					if _, err := f.Write(b); err != nil {
						t.Fatal(err)
					}
				}
			},
			args: []string{"-e", "x => x", "in.json"}, code: 0,
			check: func(t *testing.T, dir string, r relResult) {
				got, err := os.ReadFile(filepath.Join(dir, "out.json"))
				if err != nil {
					t.Fatal(err)
				}
				h := sha256.New()
				n := 0
				for _, b := range [][]byte{[]byte("[\n\""), advBigString(), []byte("\"\n]\n")} {
					h.Write(b)
					n += len(b)
				}
				if want := h.Sum(nil); len(got) != n || sha256.Sum256(got) != [32]byte(want) {
					t.Fatalf("out.json: %d bytes, sha256 %x; want %d bytes, sha256 %x", len(got), sha256.Sum256(got), n, want)
				}
			}},

		// Results JSON cannot hold.
		{name: "a result with a cycle", files: map[string]string{"in.ndjson": one},
			args: []string{"-e", "x => { const o = {x, list: []}; o.list.push({o}); return o }", "in.ndjson"}, code: 1,
			err: "jsmap: error: element 0 (in.ndjson:1:1): TypeError: Converting circular structure to JSON"},
		{name: "a BigInt result", files: map[string]string{"in.ndjson": one},
			args: []string{"-e", "x => ({n: [1n]})", "in.ndjson"}, code: 1,
			err: "jsmap: error: element 0 (in.ndjson:1:1): TypeError: Do not know how to serialize a BigInt"},
		{name: "undefined: null and a warning", files: map[string]string{"in.ndjson": "1\n2\n3\n"},
			args: []string{"-j", "1", "-e", "x => { if (x > 1) return x }", "in.ndjson"}, code: 0,
			err: "jsmap: warning: element 0: the function returned undefined; writing null (is a return statement missing?)",
			out: "null\n2\n3\n",
			check: func(t *testing.T, dir string, r relResult) {
				if strings.Count(r.stderr, "\n") != 1 {
					t.Errorf("want one warning line; stderr:\n%s", r.stderr)
				}
			}},

		// Thrown values.
		{name: "a thrown string", files: map[string]string{"in.ndjson": one},
			args: []string{"-e", `x => { throw "a string" }`, "in.ndjson"}, code: 1,
			err: "jsmap: error: element 0 (in.ndjson:1:1): Uncaught 'a string'"},
		{name: "a thrown number", files: map[string]string{"in.ndjson": one},
			args: []string{"-e", `x => { throw 42 }`, "in.ndjson"}, code: 1,
			err: "jsmap: error: element 0 (in.ndjson:1:1): Uncaught 42"},
		{name: "a thrown null", files: map[string]string{"in.ndjson": one},
			args: []string{"-e", `x => { throw null }`, "in.ndjson"}, code: 1,
			err: "jsmap: error: element 0 (in.ndjson:1:1): Uncaught null"},
		{name: "an Error with no stack", files: map[string]string{"in.ndjson": one},
			args: []string{"-e", `x => { const e = new Error("no stack"); delete e.stack; e.stack = undefined; throw e }`, "in.ndjson"}, code: 1,
			err: "jsmap: error: element 0 (in.ndjson:1:1): Error: no stack"},
		{name: "an Error whose message getter throws", files: map[string]string{"in.ndjson": one},
			args: []string{"-e", `x => { const e = new Error("m"); Object.defineProperty(e, "message", {get() { throw e }}); throw e }`, "in.ndjson"}, code: 1,
			err: "jsmap: error: element 0 (in.ndjson:1:1): Uncaught exception (its description threw)"},

		// Scripts that do not load: exit 2 before the input is read (bad.json would be an error).
		{name: "syntax error in the script",
			files: map[string]string{"s.js": "module.exports = (x) => {\n  return x +\n}\n", "bad.json": "[1, }"},
			args:  []string{"s.js", "bad.json"}, code: 2,
			err: "jsmap: error: s.js:3:1: SyntaxError: Unexpected token }", check: advNotRead},
		{name: "script exporting nothing", files: map[string]string{"s.js": "const f = (x) => x\n", "bad.json": "[1, }"},
			args: []string{"s.js", "bad.json"}, code: 2,
			err: "jsmap: error: s.js: the script exports no function (module.exports is {}, with no map method)", check: advNotRead},
		{name: "script exporting a non-function", files: map[string]string{"s.js": "module.exports = 42\n", "bad.json": "[1, }"},
			args: []string{"s.js", "bad.json"}, code: 2,
			err: "jsmap: error: s.js: the script exports no function (module.exports is 42)", check: advNotRead},
		{name: "require of a missing module",
			files: map[string]string{"s.js": "module.exports = require('./nope')\n", "bad.json": "[1, }"},
			args:  []string{"s.js", "bad.json"}, code: 2, check: advNotRead,
			err: "jsmap: error: s.js:1:25: Error: cannot find module './nope' from $DIR/s.js (tried ./nope, ./nope.js, ./nope.json, ./nope.cjs, ./nope/index.js, ./nope/index.json)"},
		{name: "require of ../ outside the script's folder",
			files: map[string]string{"secret.js": "module.exports = 'secret'\n", "sub/s.js": "module.exports = require('../secret.js')\n", "in.ndjson": one},
			args:  []string{"sub/s.js", "in.ndjson"}, code: 2,
			err: "jsmap: error: sub/s.js:1:25: Error: require('../secret.js') from $DIR/sub/s.js: $DIR/secret.js is outside the script's folder (modules load only from $DIR/sub and node_modules)"},
		{name: "require of an absolute path outside the script's folder",
			files: map[string]string{"secret.js": "module.exports = 'secret'\n", "in.ndjson": one},
			gen: func(t *testing.T, dir string) {
				relWrite(t, filepath.Join(dir, "sub", "s.js"), []byte("module.exports = require('"+filepath.Join(dir, "secret.js")+"')\n"))
			},
			args: []string{"sub/s.js", "in.ndjson"}, code: 2,
			err: "jsmap: error: sub/s.js:1:25: Error: require('$DIR/secret.js') from $DIR/sub/s.js: $DIR/secret.js is outside the script's folder (modules load only from $DIR/sub and node_modules)"},
		{name: "require of a symbolic link pointing outside",
			files: map[string]string{"secret.js": "module.exports = 'secret'\n", "sub/s.js": "module.exports = require('./lib/link.js')\n", "in.ndjson": one},
			gen: func(t *testing.T, dir string) {
				os.MkdirAll(filepath.Join(dir, "sub", "lib"), 0o777)
				if err := os.Symlink(filepath.Join("..", "..", "secret.js"), filepath.Join(dir, "sub", "lib", "link.js")); err != nil {
					t.Fatal(err)
				}
			},
			args: []string{"sub/s.js", "in.ndjson"}, code: 2,
			err: "jsmap: error: sub/s.js:1:25: Error: require('./lib/link.js') from $DIR/sub/s.js: $DIR/sub/lib/link.js is a symbolic link to $DIR/secret.js, which is outside the script's folder (modules load only from $DIR/sub and node_modules)"},
		{name: "require of a module that throws while loading",
			files: map[string]string{"s.js": "require('./lib/thrower')\nmodule.exports = (x) => x\n", "lib/thrower.js": "throw new Error('broken helper')\n", "in.ndjson": one},
			args:  []string{"s.js", "in.ndjson"}, code: 2,
			err: "jsmap: error: lib/thrower.js:1:7: Error: broken helper"},

		// Scripts that do not end.
		{name: "infinite recursion", files: map[string]string{"in.ndjson": one},
			args: []string{"-e", "x => { const f = n => f(n + 1) + 1; return f(0) }", "in.ndjson"}, code: 1,
			err: "jsmap: error: element 0 (in.ndjson:1:1): RangeError: Maximum call stack size exceeded"},
		{name: "while (true) with --timeout 200ms", files: map[string]string{"in.ndjson": "1\n2\n"},
			args: []string{"--timeout", "200ms", "-e", "x => { while (true) {} }", "in.ndjson"}, code: 1,
			err: "jsmap: error: element 0 (in.ndjson:1:1): timed out after 200ms"},
		{name: "while (true) stopped by SIGINT", mode: advSIGINT, files: map[string]string{"in.ndjson": one},
			args: []string{"-e", `x => { console.error("ready"); while (true) {} }`, "in.ndjson"}, code: 130, err: "ready",
			check: func(t *testing.T, dir string, r relResult) {
				if !strings.Contains(r.stderr, "\njsmap: interrupted by SIGINT\n") {
					t.Errorf("no %q line; stderr:\n%s", "jsmap: interrupted by SIGINT", r.stderr)
				}
			}},
		{name: "a Promise that never settles", files: map[string]string{"in.ndjson": one},
			args: []string{"-e", "x => new Promise(() => {})", "in.ndjson"}, code: 1,
			err: "jsmap: error: element 0 (in.ndjson:1:1): the Promise returned for this element never settled"},
		{name: "a million console lines", files: map[string]string{"in.ndjson": one}, limit: 5 * time.Minute,
			args: []string{"-e", `x => { for (let i = 0; i < 1e6; i++) console.log("line", i); return x }`, "in.ndjson"},
			code: 0, err: "line 0", out: one,
			check: func(t *testing.T, dir string, r relResult) {
				if n := strings.Count(r.stderr, "\n"); n != 1000000 || !strings.HasSuffix(r.stderr, "\nline 999999\n") {
					t.Errorf("stderr has %d lines, ending %q; want 1000000, ending with line 999999", n, r.stderr[max(0, len(r.stderr)-40):])
				}
				t.Logf("a million console lines in %v", r.took.Round(time.Millisecond))
			}},
		{name: "a function that mutates its input, with --filter",
			files: map[string]string{"in.json": `[{"a": 1, "b" : [1.0, 2e0]}, {"a":2,"b":[]}]`},
			args:  []string{"--filter", "-e", `x => { x.a = 99; x.b.push("new"); delete x.b; x.c = 1; return true }`, "in.json"},
			code:  0, out: "[\n{\"a\":1,\"b\":[1.0,2e0]},\n{\"a\":2,\"b\":[]}\n]\n"},

		// Paths.
		{name: "unreadable input file", files: map[string]string{"in.json": "[1]"},
			skip: advSkipIf(root, "running as root, which reads a chmod 000 file anyway"),
			gen: func(t *testing.T, dir string) {
				if err := os.Chmod(filepath.Join(dir, "in.json"), 0); err != nil {
					t.Fatal(err)
				}
			},
			args: []string{"-e", "x => x", "in.json"}, code: 2, err: "jsmap: error: in.json: permission denied"},
		{name: "a directory as input",
			gen:  func(t *testing.T, dir string) { os.Mkdir(filepath.Join(dir, "in.d"), 0o777) },
			args: []string{"-e", "x => x", "in.d"}, code: 2, err: "jsmap: error: in.d: is a directory, not an input file"},
		{name: "a missing output folder", files: map[string]string{"in.json": "[1]"}, noOut: true,
			args: []string{"-o", "nodir/out.json", "-e", "x => x", "in.json"}, code: 2,
			err: "jsmap: error: creating nodir/out.json: no such file or directory",
			check: func(t *testing.T, dir string, r relResult) {
				if _, err := os.Stat(filepath.Join(dir, "nodir")); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("nodir: %v, want it absent", err)
				}
			}},
		{name: "stdout closed early", mode: advHead, noOut: true,
			gen: func(t *testing.T, dir string) {
				var b bytes.Buffer
				for i := range 200000 {
					fmt.Fprintf(&b, "{\"i\":%d}\n", i)
				}
				relWrite(t, filepath.Join(dir, "in.ndjson"), b.Bytes())
			},
			args: []string{"-e", "x => x", "in.ndjson"}, code: 141,
			check: func(t *testing.T, dir string, r relResult) {
				if r.stdout != "{\"i\":0}\n" {
					t.Errorf("first line %q", r.stdout)
				}
			}},
		{name: "stdout on a full device", mode: advDevFull, noOut: true, files: map[string]string{"in.ndjson": "1\n2\n"},
			skip: advSkipIf(devFullErr != nil, "no /dev/full"),
			args: []string{"-e", "x => x", "in.ndjson"}, code: 1,
			err: "jsmap: error: writing the output: no space left on device"},
	}
	if len(cases) < 35 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.skip != "" {
				t.Skip(c.skip)
			}
			if c.long && testing.Short() {
				t.Skip("long (a 100 MB element): left out with -short")
			}
			t.Parallel()
			advRun(t, bin, c)
		})
	}
}

// advRun runs one case and checks it.
func advRun(t *testing.T, bin string, c advCase) {
	dir := relDir(t)
	for name, content := range c.files {
		relWrite(t, filepath.Join(dir, name), []byte(content))
	}
	if c.gen != nil {
		c.gen(t, dir)
	}
	outPath := filepath.Join(dir, "out.json")
	relWrite(t, outPath, []byte(relOld))
	args := c.args
	if !c.noOut {
		args = append([]string{"-o", "out.json"}, args...)
	}
	cmd := relCommand(bin, dir, args...)
	limit := c.limit
	if limit == 0 {
		limit = 60 * time.Second
	}

	var r relResult
	switch c.mode {
	case advFile:
		r = relRun(t, cmd, nil, limit)
		if r.stdout != "" {
			t.Errorf("stdout is not empty with -o: %q", relClip(r.stdout))
		}
	case advSIGINT:
		var exited bool
		if r, exited = relInterrupt(t, cmd, syscall.SIGINT, 30*time.Second); !exited {
			t.Fatalf("still running 30s after SIGINT; stderr:\n%s", relClip(r.stderr))
		}
	case advHead:
		r = advHeadOne(t, cmd, limit)
	case advDevFull:
		f, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		cmd.Stdout = f
		r = relRun(t, cmd, nil, limit)
	}

	relNoTrace(t, r.stderr)
	if r.code != c.code {
		t.Fatalf("exit status %d, want %d; stderr:\n%s", r.code, c.code, relClip(r.stderr))
	}
	wantErr := strings.ReplaceAll(c.err, "$DIR", dir)
	if wantErr == "" && r.stderr != "" {
		t.Errorf("stderr is not empty:\n%s", relClip(r.stderr))
	} else if got := relFirstLine(r.stderr); got != wantErr {
		t.Errorf("first line of stderr:\n  %q\nwant\n  %q\nstderr:\n%s", got, wantErr, relClip(r.stderr))
	}
	if strings.HasPrefix(wantErr, "jsmap: error: element ") && !strings.Contains(r.stderr, "\n"+advHint+"\n") {
		t.Errorf("no %q line after an element's error; stderr:\n%s", advHint, relClip(r.stderr))
	}
	got, err := os.ReadFile(outPath)
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case r.code != 0 || c.noOut:
		if string(got) != relOld {
			t.Errorf("out.json changed by a failing run (or one writing elsewhere): %q", relClip(string(got)))
		}
	case !c.ownOut:
		if string(got) != c.out {
			t.Errorf("out.json:\n%s\nwant:\n%s", relClip(string(got)), relClip(c.out))
		}
	}
	relNoLeftovers(t, dir)
	if c.check != nil {
		c.check(t, dir, r)
	}
}

func advSkipIf(cond bool, reason string) string {
	if cond {
		return reason
	}
	return ""
}

// advNotRead checks that a run that stopped before reading its input said nothing about it.
func advNotRead(t *testing.T, dir string, r relResult) {
	if strings.Contains(r.stderr, "bad.json") {
		t.Errorf("the input was read (stderr names it):\n%s", r.stderr)
	}
}

// advBigString is the 100 MB string element: printable ASCII repeating with a prime period, so
// that a chunk dropped, doubled or moved by a power-of-two buffer size changes the content. It is
// made anew each time, not kept (the test process's memory stays small for the tests after).
func advBigString() []byte {
	const size, period = 100 << 20, 4093
	unit := make([]byte, period)
	for i := range unit {
		unit[i] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-+|"[(i*7)%66]
	}
	return bytes.Repeat(unit, size/period+1)[:size]
}

// relInterrupt starts cmd, sends it sig once its stderr has a line "ready", and waits at most
// within for it to exit; then it kills it. exited says whether it exited by itself in time.
func relInterrupt(t testing.TB, cmd *exec.Cmd, sig os.Signal, within time.Duration) (r relResult, exited bool) {
	t.Helper()
	var stdout, stderr relBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	p := relStart(t, cmd)
	for !strings.Contains(stderr.String(), "ready\n") {
		if p.exited() || time.Since(p.start) > time.Minute {
			p.cmd.Process.Kill()
			<-p.done
			t.Fatalf("no ready line (exit %d); stderr:\n%s", relExit(p.cmd.ProcessState), relClip(stderr.String()))
		}
		time.Sleep(5 * time.Millisecond)
	}
	p.signal(sig)
	sent := time.Now()
	select {
	case <-p.done:
		exited = true
		t.Logf("exited %v after the signal", time.Since(sent).Round(time.Millisecond))
	case <-time.After(within):
		p.cmd.Process.Kill()
		<-p.done
		t.Logf("killed: still running %v after the signal", within)
	}
	ps := p.cmd.ProcessState
	return relResult{code: relExit(ps), stdout: stdout.String(), stderr: stderr.String(), took: time.Since(p.start)}, exited
}

// advHeadOne runs cmd with its stdout a pipe whose reader takes one line and closes it, as
// jsmap ... | head -1 does.
func advHeadOne(t *testing.T, cmd *exec.Cmd, limit time.Duration) relResult {
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr relBuffer
	cmd.Stdout, cmd.Stderr = pw, &stderr
	p := relStart(t, cmd)
	pw.Close()
	line, err := bufio.NewReader(pr).ReadString('\n')
	pr.Close()
	if err != nil {
		t.Errorf("reading the first line: %v", err)
	}
	ps := p.wait(t, limit)
	return relResult{code: relExit(ps), stdout: line, stderr: stderr.String(), took: time.Since(p.start)}
}
