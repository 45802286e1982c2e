package jsbridge_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"testing"

	"github.com/jsmap/jsmap/jsbridge"
)

// lockedBuffer collects Options.Stderr output; workers may write to it concurrently.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// withStderr returns opts with a fresh buffer as Stderr (unless it has one), and the buffer.
func withStderr(opts jsbridge.Options) (jsbridge.Options, *lockedBuffer) {
	buf := &lockedBuffer{}
	if opts.Stderr == nil {
		opts.Stderr = buf
	}
	return opts, buf
}

// mustLoadExpr loads an expression, failing the test on error, and closes the Program at the end.
// inWorkers runs f in n goroutines at once, each with a worker of its own made from p (closed when
// f returns), and waits for them.
func inWorkers(t *testing.T, p *jsbridge.Program, n int, f func(id int, w *jsbridge.Worker)) {
	t.Helper()
	var wg sync.WaitGroup
	for id := range n {
		wg.Go(func() {
			w, err := p.NewWorker(context.Background(), id)
			if err != nil {
				t.Error(err)
				return
			}
			defer w.Close()
			f(id, w)
		})
	}
	wg.Wait()
}

func mustLoadExpr(t testing.TB, expr string, opts jsbridge.Options) *jsbridge.Program {
	t.Helper()
	p, err := jsbridge.LoadExpr(expr, opts)
	if err != nil {
		t.Fatalf("LoadExpr(%q): %v", expr, err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// mustLoad loads a script file, failing the test on error, and closes the Program at the end.
func mustLoad(t testing.TB, file string, opts jsbridge.Options) *jsbridge.Program {
	t.Helper()
	p, err := jsbridge.Load(file, opts)
	if err != nil {
		t.Fatalf("Load(%s): %v", file, err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// mustWorker starts a worker bound to context.Background(); it is closed at the end of the test.
func mustWorker(t testing.TB, p *jsbridge.Program) *jsbridge.Worker {
	t.Helper()
	w, err := p.NewWorker(context.Background(), 0)
	if err != nil {
		t.Fatalf("NewWorker: %v", err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// callMap calls w.Map, turning a Go panic that escapes it into a test failure.
func callMap(t testing.TB, w *jsbridge.Worker, index int64, in string) (out string, err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("a Go panic escaped Map(%d, %s): %v\n%s", index, in, r, debug.Stack())
			out, err = "", fmt.Errorf("panic: %v", r)
		}
	}()
	b, err := w.Map(context.Background(), index, []byte(in), nil)
	var u *jsbridge.Undefined
	if errors.As(err, &u) {
		// A warning, not a failure: the value (null) is written.
		if string(b) != "null" {
			t.Errorf("Map(%d, %s) warned %v with %q, want null", index, in, err, b)
		}
		err = nil
	}
	return string(b), err
}

// mapExpr loads expr, maps one element with a fresh worker and returns the output.
func mapExpr(t testing.TB, expr, in string, opts jsbridge.Options) (string, error) {
	t.Helper()
	p := mustLoadExpr(t, expr, opts)
	return callMap(t, mustWorker(t, p), 0, in)
}

// scriptError asserts that err is a *jsbridge.ScriptError.
func scriptError(t testing.TB, err error) *jsbridge.ScriptError {
	t.Helper()
	var se *jsbridge.ScriptError
	if !errors.As(err, &se) {
		t.Fatalf("error %v (%T) is not a *jsbridge.ScriptError", err, err)
	}
	return se
}

// loadError asserts that err is a *jsbridge.LoadError.
func loadError(t testing.TB, err error) *jsbridge.LoadError {
	t.Helper()
	var le *jsbridge.LoadError
	if !errors.As(err, &le) {
		t.Fatalf("error %v (%T) is not a *jsbridge.LoadError", err, err)
	}
	return le
}

// writeTree creates files (path relative to dir → content) under dir; a content starting with
// "symlink:" makes a symbolic link to the rest.
func writeTree(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if target, ok := strings.CutPrefix(content, "symlink:"); ok {
			if err := os.Symlink(target, path); err != nil {
				t.Skipf("cannot make a symbolic link: %v", err)
			}
			continue
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// realTempDir is t.TempDir() with symbolic links resolved (the script's folder as jsbridge sees it).
func realTempDir(t testing.TB) string {
	t.Helper()
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return dir
}
