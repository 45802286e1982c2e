package jsbridge_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"testing"
	"time"

	"github.com/jsmap/jsmap/jsbridge"
)

func TestTimeout(t *testing.T) {
	const d = 50 * time.Millisecond
	for _, expr := range []string{
		`x => { if (x) while (true) {} return 'ok' }`,
		`x => { if (x) try { while (true) {} } catch (e) { return 'caught' } return 'ok' }`,
		`x => { if (x) try { while (true) {} } finally { return 'finally' } return 'ok' }`,
		`x => { if (x) for (;;) [1, 2, 3].map(v => v * 2); return 'ok' }`,
		`async x => { if (x) { await null; while (true) {} } return 'ok' }`,
		`function f(x) { if (x) while (true) {} return 'ok' }`,
	} {
		p := mustLoadExpr(t, expr, jsbridge.Options{Timeout: d})
		w := mustWorker(t, p)
		start := time.Now()
		_, err := callMap(t, w, 0, `true`)
		elapsed := time.Since(start)
		se := scriptError(t, err)
		if se.Message != "timed out after 50ms" || !errors.Is(err, jsbridge.ErrTimeout) || !strings.Contains(se.Hint, "timeout") {
			t.Errorf("%s: %q (hint %q, cause %v)", expr, se.Message, se.Hint, se.Cause)
		}
		if elapsed < d || elapsed > d+5*time.Second {
			t.Errorf("%s: timed out after %v", expr, elapsed)
		}
		// The next element runs normally.
		if out, err := callMap(t, w, 1, `false`); err != nil || out != `"ok"` {
			t.Errorf("%s: after a timeout: %s, %v", expr, out, err)
		}
	}
}

func TestTimeoutFormat(t *testing.T) {
	for d, want := range map[time.Duration]string{
		time.Second:             "timed out after 1s",
		1500 * time.Millisecond: "timed out after 1500ms",
		1500 * time.Microsecond: "timed out after 1.5ms",
	} {
		_, err := mapExpr(t, `x => { while (true) {} }`, `0`, jsbridge.Options{Timeout: d})
		if se := scriptError(t, err); se.Message != want {
			t.Errorf("Timeout %v: %q, want %q", d, se.Message, want)
		}
	}
}

// TestTimeoutOutsideMap: the timeout also bounds the top level, setup and teardown.
func TestTimeoutOutsideMap(t *testing.T) {
	opts := jsbridge.Options{Timeout: 30 * time.Millisecond, Stderr: &lockedBuffer{}}
	_, err := jsbridge.LoadExpr(`(() => { while (true) {} })()`, opts)
	if le := loadError(t, err); le.Msg != "timed out after 30ms" {
		t.Errorf("top level: %v", err)
	}
	_, err = jsbridge.LoadExpr(`({map: x => x, setup() { while (true) {} }})`, opts)
	if le := loadError(t, err); le.Msg != "setup failed: timed out after 30ms" || !errors.Is(err, jsbridge.ErrTimeout) {
		t.Errorf("setup: %v", err)
	}
	_, err = jsbridge.LoadExpr(`({map: x => x, async setup() { await null; for (;;); }})`, opts)
	if le := loadError(t, err); le.Msg != "setup failed: timed out after 30ms" {
		t.Errorf("async setup: %v", err)
	}
	p := mustLoadExpr(t, `({map: x => x, teardown() { while (true) {} }})`, opts)
	w := mustWorker(t, p)
	if err := w.Close(); err == nil || !strings.Contains(err.Error(), "timed out after 30ms") || !errors.Is(err, jsbridge.ErrTimeout) {
		t.Errorf("teardown: %v", err)
	}
	// A module whose top level loops, required while mapping.
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"loop.js": "while (true) {}", "main.js": "module.exports = x => require('./loop')"})
	p = mustLoad(t, filepath.Join(dir, "main.js"), opts)
	_, err = callMap(t, mustWorker(t, p), 0, `0`)
	if se := scriptError(t, err); se.Message != "timed out after 30ms" {
		t.Errorf("module top level: %v", err)
	}
}

func TestCancel(t *testing.T) {
	p := mustLoadExpr(t, `({map(x) { if (x) while (true) {} return x }, teardown() { console.log('teardown') }})`, jsbridge.Options{Stderr: &lockedBuffer{}})
	for i := range 2 { // the worker that checked the script at load, then a new one
		ctx, cancel := context.WithCancelCause(context.Background())
		w, err := p.NewWorker(ctx, i)
		if err != nil {
			t.Fatal(err)
		}
		if out, err := callMap(t, w, 0, `0`); err != nil || out != `0` {
			t.Fatalf("got %s, %v", out, err)
		}
		cause := fmt.Errorf("stop %d", i)
		done := make(chan error, 1)
		go func() {
			_, err := w.Map(context.Background(), 1, []byte(`1`), nil)
			done <- err
		}()
		time.Sleep(20 * time.Millisecond)
		start := time.Now()
		cancel(cause)
		select {
		case err := <-done:
			if time.Since(start) > 2*time.Second {
				t.Errorf("the interrupt took %v", time.Since(start))
			}
			se := scriptError(t, err)
			if se.Message != "interrupted: "+cause.Error() || !errors.Is(err, cause) {
				t.Errorf("cancelled call: %q (cause %v)", se.Message, se.Cause)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("a cancelled call is still running after 10s")
		}
		// Later calls fail at once with the cause.
		start = time.Now()
		for range 3 {
			if _, err := w.Map(context.Background(), 2, []byte(`0`), nil); !errors.Is(err, cause) {
				t.Errorf("call after cancel: %v", err)
			}
		}
		if time.Since(start) > time.Second {
			t.Errorf("calls after cancel took %v", time.Since(start))
		}
		// Close does not run teardown on a stopped worker, and does not fail.
		if err := w.Close(); err != nil {
			t.Errorf("Close after cancel: %v", err)
		}
	}
}

func TestCancelBeforeFirstCall(t *testing.T) {
	p := mustLoadExpr(t, `x => x`, jsbridge.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	w, err := p.NewWorker(ctx, 0) // the worker kept from loading
	if err == nil {
		if _, err := w.Map(context.Background(), 0, []byte(`1`), nil); !errors.Is(err, context.Canceled) {
			t.Errorf("Map on a cancelled worker: %v", err)
		}
		w.Close()
	}
	w, err = p.NewWorker(ctx, 1) // a new VM
	if err == nil {
		if _, err := w.Map(context.Background(), 0, []byte(`1`), nil); !errors.Is(err, context.Canceled) {
			t.Errorf("Map on a cancelled worker: %v", err)
		}
		w.Close()
	}
}

// spinExpr spins for x.ms milliseconds of wall time (x.ms 0: returns at once) and returns x.i.
const spinExpr = `x => { if (x.ms > 0) { const end = Date.now() + x.ms; while (Date.now() < end) {} } return x.i }`

// TestStrayTimeout hammers the timeout: calls that end around the moment it fires, each followed by
// a call that takes microseconds. A timeout must only ever hit a call that ran at least that long;
// never the short call after it.
func TestStrayTimeout(t *testing.T) {
	const timeout = 3 * time.Millisecond
	n := 300
	if testing.Short() {
		n = 60
	}
	p := mustLoadExpr(t, spinExpr, jsbridge.Options{Timeout: timeout})
	inWorkers(t, p, min(4, goruntime.GOMAXPROCS(0)), func(id int, w *jsbridge.Worker) {
		legit := 0
		for i := range n {
			ms := 2 + i%2 // ends just before or about when the timeout fires
			in := fmt.Sprintf(`{"ms":%d,"i":%d}`, ms, i)
			start := time.Now()
			out, err := w.Map(context.Background(), int64(i), []byte(in), nil)
			elapsed := time.Since(start)
			switch {
			case err == nil && string(out) != fmt.Sprint(i):
				t.Errorf("worker %d call %d: got %s", id, i, out)
			case err != nil && !errors.Is(err, jsbridge.ErrTimeout):
				t.Errorf("worker %d call %d: %v", id, i, err)
			case err != nil && elapsed < timeout:
				t.Errorf("worker %d call %d: timed out after only %v", id, i, elapsed)
			case err != nil:
				legit++
			}
			for j := range 3 {
				start := time.Now()
				out, err := w.Map(context.Background(), int64(i), []byte(fmt.Sprintf(`{"ms":0,"i":%d}`, j)), nil)
				elapsed := time.Since(start)
				switch {
				case err == nil && string(out) != fmt.Sprint(j):
					t.Errorf("worker %d: short call %d: got %s", id, j, out)
				case err != nil && (elapsed < timeout || !errors.Is(err, jsbridge.ErrTimeout)):
					// A call of microseconds can only time out when the machine stalled it.
					t.Errorf("worker %d: short call %d after a call of %dms: %v after %v", id, j, ms, err, elapsed)
				}
			}
		}
		t.Logf("worker %d: %d of %d calls near the limit timed out", id, legit, n)
	})
}

// TestStrayCancel races cancellation against the end of a call: the call either completes with its
// result or fails with the cause; nothing panics, the worker never hangs, and other workers of the
// same Program are not affected.
func TestStrayCancel(t *testing.T) {
	n := 300
	if testing.Short() {
		n = 60
	}
	p := mustLoadExpr(t, spinExpr, jsbridge.Options{})
	bystander := mustWorker(t, p)
	rng := rand.New(rand.NewPCG(7, 11))
	completed, interrupted := 0, 0
	for i := range n {
		ctx, cancel := context.WithCancelCause(context.Background())
		w, err := p.NewWorker(ctx, i)
		if err != nil {
			t.Fatal(err)
		}
		cause := fmt.Errorf("cancel %d", i)
		delay := time.Duration(rng.IntN(2500)) * time.Microsecond
		timer := time.AfterFunc(delay, func() { cancel(cause) })
		out, err := w.Map(context.Background(), int64(i), []byte(fmt.Sprintf(`{"ms":1,"i":%d}`, i)), nil)
		switch {
		case err == nil:
			if string(out) != fmt.Sprint(i) {
				t.Errorf("call %d: got %s", i, out)
			}
			completed++
		case errors.Is(err, cause):
			interrupted++
		default:
			t.Errorf("call %d: %v", i, err)
		}
		timer.Stop()
		cancel(cause)
		if err := w.Close(); err != nil {
			t.Errorf("close %d: %v", i, err)
		}
		if out, err := callMap(t, bystander, int64(i), fmt.Sprintf(`{"ms":0,"i":%d}`, i)); err != nil || out != fmt.Sprint(i) {
			t.Errorf("bystander after call %d: %s, %v", i, out, err)
		}
	}
	t.Logf("%d calls completed, %d interrupted", completed, interrupted)
}

// TestCancelWhileTimeoutPending: a cancellation and a timeout racing for the same call give one of the
// two errors (or none, when both land after the call ended: timers may fire late on a busy machine),
// and once cancelled, the worker's later calls fail with the cancellation.
func TestCancelWhileTimeoutPending(t *testing.T) {
	p := mustLoadExpr(t, spinExpr, jsbridge.Options{Timeout: 2 * time.Millisecond})
	for i := range 50 {
		ctx, cancel := context.WithCancel(context.Background())
		w, err := p.NewWorker(ctx, i)
		if errors.Is(err, jsbridge.ErrTimeout) {
			// Running the script's module is timed too: on a busy machine (-race, packages
			// tested in parallel) it can take 2ms. Not what this test is about.
			cancel()
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		time.AfterFunc(2*time.Millisecond, cancel)
		start := time.Now()
		out, err := w.Map(context.Background(), 0, []byte(`{"ms":5,"i":0}`), nil)
		switch {
		case err == nil && string(out) != "0":
			t.Errorf("call %d: got %s", i, out)
		case err != nil && !errors.Is(err, jsbridge.ErrTimeout) && !errors.Is(err, context.Canceled):
			t.Errorf("call %d: %v", i, err)
		case err != nil && time.Since(start) < 2*time.Millisecond:
			t.Errorf("call %d: %v after %v", i, err, time.Since(start))
		}
		cancel()
		if _, err := w.Map(context.Background(), 1, []byte(`{"ms":0,"i":0}`), nil); !errors.Is(err, context.Canceled) {
			t.Errorf("call %d after cancel: %v", i, err)
		}
		w.Close()
	}
}

// TestRecursion: runaway recursion fails the element with node's RangeError, whether plain JS or
// through native code calling back, and the worker goes on.
func TestRecursion(t *testing.T) {
	const want = "RangeError: Maximum call stack size exceeded"
	cases := []struct {
		expr  string
		frame string // the innermost frame
	}{
		{`function f(x) { return f(x) + 1 }`, "f (<expression>:1:25)"},
		{`x => { const f = () => { try { return f() } catch (e) { return e.name } }; return f() }`, "f (<expression>:1:40)"},
		{`x => { const f = () => [1].map(f); return f() }`, "map (native)"},
		// JSON.parse is jsmap's own (it checks the depth first), so the innermost frame is f.
		{`x => { const f = () => JSON.parse('[1]', f); return f() }`, "f (<expression>:1:34)"},
		{`x => { const f = () => 'x'.replace(/x/, f); return f() }`, "replace (native)"},
		{`x => { const f = () => [3, 1, 2].sort(f); return f() }`, "sort (native)"},
		{`x => { const f = () => Reflect.apply(f, null, []); return f() }`, "apply (native)"},
		{`x => { const o = {get a() { return o.a }}; return o.a }`, "a (<expression>:1:38)"},
		{`x => { const p = new Proxy({}, {get(t, k, r) { return r[k] }}); return p.x }`, "get (<expression>:1:56)"},
		{`x => { const o = {toJSON() { return JSON.stringify(o) }}; return JSON.stringify(o) }`, "toJSON (<expression>:1:51)"},
		{`x => { const f = () => new Promise(f); return f() }`, "f (<expression>:1:24)"},
		{`x => { class A { constructor() { new A() } }; return new A() }`, ""},
		{`x => { const f = () => String({toString: f}); return f() }`, ""},
	}
	for _, c := range cases {
		// A limit lower than the default keeps recursion through native code quick (its unwinding is
		// quadratic in goja); TestRecursionDefaultLimit uses the default.
		p := mustLoadExpr(t, c.expr, jsbridge.Options{MaxCallStackSize: 1000})
		w := mustWorker(t, p)
		_, err := callMap(t, w, 0, `1`)
		se := scriptError(t, err)
		if se.Message != want {
			t.Errorf("%s: %q", c.expr, se.Message)
			continue
		}
		if c.frame != "" && (len(se.Frames) == 0 || se.Frames[0].String() != c.frame) {
			t.Errorf("%s: stack\n%s\nwant the innermost frame %s", c.expr, se.Stack(), c.frame)
		}
		if len(se.Frames) > 10 {
			t.Errorf("%s: %d frames", c.expr, len(se.Frames))
		}
		if se.Hint == "" {
			t.Errorf("%s: no hint", c.expr)
		}
		if _, err := callMap(t, w, 1, `1`); err == nil || scriptError(t, err).Message != want {
			t.Errorf("%s: second call: %v", c.expr, err)
		}
	}
	// Recursion below the limit works.
	out, err := mapExpr(t, `n => { const f = n => n ? 1 + f(n - 1) : 0; return f(n) }`, `900`, jsbridge.Options{MaxCallStackSize: 1000})
	if err != nil || out != "900" {
		t.Errorf("recursion within the limit: %s, %v", out, err)
	}
}

// TestRecursionDefaultLimit: with the default limit, recursion through native code must fail the
// element, not crash the process with a Go stack overflow.
func TestRecursionDefaultLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: goja unwinds recursion through native code in quadratic time")
	}
	for _, expr := range []string{
		`function f(x) { return f(x) + 1 }`,
		`x => { const f = () => [1].map(f); return f() }`,
		`x => { const f = n => n ? 1 + f(n - 1) : 0; return f(9000) }`,
	} {
		out, err := mapExpr(t, expr, `1`, jsbridge.Options{})
		if strings.Contains(expr, "9000") {
			if err != nil || out != "9000" {
				t.Errorf("%s: %s, %v", expr, out, err)
			}
		} else if se := scriptError(t, err); se.Message != "RangeError: Maximum call stack size exceeded" {
			t.Errorf("%s: %q", expr, se.Message)
		}
	}
}

// TestDeepStringifyInScript: JSON.stringify inside the script, of a value nested deeper than the
// call stack allows, fails like node: RangeError.
func TestDeepStringifyInScript(t *testing.T) {
	out, err := mapExpr(t, `x => { let o = {}; for (let i = 0; i < 12000; i++) o = {o}; return JSON.stringify(o).length }`, `0`,
		jsbridge.Options{Timeout: 20 * time.Second})
	if err == nil || !strings.HasPrefix(scriptError(t, err).Message, "RangeError: Maximum call stack size exceeded") {
		t.Fatalf("got %.40s, %v; want RangeError: Maximum call stack size exceeded", out, err)
	}
}

// TestDeepResult: results nested too deep, or built deeper and deeper by getters or toJSON, fail the
// element; they do not crash.
func TestDeepResult(t *testing.T) {
	for _, expr := range []string{
		`x => { let a = []; for (let i = 0; i < 100000; i++) a = [a]; return a }`,
		`x => { const mk = () => ({get a() { return mk() }}); return mk() }`,
		`x => { const o = {toJSON() { return {x: o} }}; return o }`,
		`x => { const mk = () => [{toJSON: mk}]; return mk() }`,
	} {
		_, err := mapExpr(t, expr, `0`, jsbridge.Options{})
		if se := scriptError(t, err); !strings.HasPrefix(se.Message, "RangeError: ") {
			t.Errorf("%s: %q", expr, se.Message)
		}
	}
	// Options.MaxDepth bounds results.
	p := mustLoadExpr(t, `n => { let a = []; for (let i = 1; i < n; i++) a = [a]; return a }`, jsbridge.Options{MaxDepth: 100})
	w := mustWorker(t, p)
	if out, err := callMap(t, w, 0, `100`); err != nil || len(out) != 200 {
		t.Errorf("depth 100: %.20s..., %v", out, err)
	}
	if _, err := callMap(t, w, 0, `101`); err == nil || !strings.HasPrefix(scriptError(t, err).Message, "RangeError: ") {
		t.Errorf("depth 101: %v", err)
	}
	// Deep input is fine.
	deep := strings.Repeat("[", 5000) + strings.Repeat("]", 5000)
	if out, err := mapExpr(t, `x => x`, deep, jsbridge.Options{}); err != nil || out != deep {
		t.Errorf("deep input: %v", err)
	}
}
