package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/jsmap/jsmap/jsbridge"
	"github.com/jsmap/jsmap/runtime"
)

// The bridge's worker is an engine worker.
var _ runtime.Worker = (*jsbridge.Worker)(nil)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"jsmap": func() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// TestScript runs the end-to-end CLI scripts in testdata/script/*.txtar. Besides testscript's own
// commands they may use:
//
//	signal [-code N] [-after MARKER] [-after-stdout TEXT] [-within DUR] [-stdin FILE] SIGNAL PROGRAM [ARGS...]
//	    run PROGRAM, wait until its stderr contains MARKER and its stdout contains TEXT (default:
//	    start at once), send SIGNAL (INT or TERM), and check it exits with status N (default 130 for
//	    INT, 143 for TERM) within DUR (default 1s) of the signal; its stdout and stderr go to the
//	    files signal.stdout and signal.stderr. With -stdin, PROGRAM's stdin is a pipe that gets
//	    FILE's content and then stays open (a stream that never ends); without it, stdin is empty
//	status N PROGRAM [ARGS...]
//	    like exec (stdin from the stdin command, stdout and stderr kept for the stdout, stderr and
//	    cmp commands), but check that PROGRAM exits with exactly status N
//	ptyrun [-code N] PROGRAM [ARGS...]
//	    run PROGRAM with its stderr on a pseudo-terminal (stdout stays a pipe) and check its exit
//	    status (default 0); what the terminal showed goes to the file pty.out, stdout to pty.stdout
//	redirect [-code N] FILE PROGRAM [ARGS...]
//	    run PROGRAM with its stdout going to FILE, opened for writing (created if need be), as in
//	    PROGRAM > FILE: FILE may be a device such as /dev/full; check its exit status (default 0).
//	    Its stderr is kept for the stderr command (stdout is then empty); its stdin is empty
//	head [-code N] K PROGRAM [ARGS...]
//	    run PROGRAM with its stdout a pipe from which K lines are read before the reading end is
//	    closed, as in PROGRAM | head -K, and check PROGRAM's exit status (default 0; 141 is death by
//	    SIGPIPE or jsmap's own exit for a closed pipe). The lines read are kept for the stdout command
//	    and its stderr for stderr; its stdin is empty
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			// The repository's examples, for scripts that use them.
			wd, err := os.Getwd()
			if err != nil {
				return err
			}
			env.Setenv("PROJECT", wd)
			// Under -race, a program that exits with status 0 sleeps 1s first (GORACE's
			// atexit_sleep_ms) so that late race reports make it out: far too long for hundreds of
			// runs of the test binary as jsmap.
			if gorace := env.Getenv("GORACE"); !strings.Contains(gorace, "atexit_sleep_ms") {
				env.Setenv("GORACE", strings.TrimSpace(gorace+" atexit_sleep_ms=50"))
			}
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"signal":   cmdSignal,
			"ptyrun":   cmdPtyrun,
			"status":   cmdStatus,
			"redirect": cmdRedirect,
			"head":     cmdHead,
		},
	})
}

// command builds an exec.Cmd for a program found on the script's PATH.
func command(ts *testscript.TestScript, args []string) *exec.Cmd {
	path := args[0]
	if !strings.Contains(path, "/") {
		for _, dir := range filepath.SplitList(ts.Getenv("PATH")) {
			if p := filepath.Join(dir, args[0]); isExecutable(p) {
				path = p
				break
			}
		}
	}
	cmd := exec.Command(path, args[1:]...)
	cmd.Dir = ts.Getenv("WORK")
	if wd := ts.MkAbs("."); wd != "" {
		cmd.Dir = wd
	}
	var env []string
	for _, kv := range os.Environ() {
		env = append(env, kv)
	}
	env = append(env, "PATH="+ts.Getenv("PATH"), "HOME="+ts.Getenv("HOME"), "GORACE="+ts.Getenv("GORACE"))
	cmd.Env = env
	return cmd
}

func isExecutable(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}

func exitStatus(err error) int {
	if err == nil {
		return 0
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return ee.ExitCode()
	}
	return -1
}

// lockedBuffer is a bytes.Buffer safe for a writer and a poller.
type lockedBuffer struct {
	mu  chan struct{}
	buf bytes.Buffer
}

func newLockedBuffer() *lockedBuffer { return &lockedBuffer{mu: make(chan struct{}, 1)} }

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu <- struct{}{}
	defer func() { <-b.mu }()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu <- struct{}{}
	defer func() { <-b.mu }()
	return b.buf.String()
}

func cmdSignal(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("signal does not support !")
	}
	code, marker, outMarker, within, stdinFile := -1, "", "", time.Second, ""
	for len(args) > 1 && strings.HasPrefix(args[0], "-") {
		switch args[0] {
		case "-stdin":
			stdinFile = args[1]
		case "-code":
			n, err := strconv.Atoi(args[1])
			ts.Check(err)
			code = n
		case "-after":
			marker = args[1]
		case "-after-stdout":
			outMarker = args[1]
		case "-within":
			d, err := time.ParseDuration(args[1])
			ts.Check(err)
			within = d
		default:
			ts.Fatalf("signal: unknown flag %s", args[0])
		}
		args = args[2:]
	}
	if len(args) < 2 {
		ts.Fatalf("usage: signal [-code N] [-after MARKER] [-after-stdout TEXT] [-within DUR] [-stdin FILE] INT|TERM PROGRAM [ARGS...]")
	}
	var sig syscall.Signal
	switch args[0] {
	case "INT":
		sig = syscall.SIGINT
	case "TERM":
		sig = syscall.SIGTERM
	default:
		ts.Fatalf("signal: unknown signal %s", args[0])
	}
	if code < 0 {
		code = 128 + int(sig)
	}
	cmd := command(ts, args[1:])
	stdout, stderr := newLockedBuffer(), newLockedBuffer()
	cmd.Stdout, cmd.Stderr = stdout, stderr
	var stdinW *os.File
	if stdinFile != "" {
		data, err := os.ReadFile(ts.MkAbs(stdinFile))
		ts.Check(err)
		r, w, err := os.Pipe()
		ts.Check(err)
		cmd.Stdin, stdinW = r, w
		defer w.Close()
		go w.Write(data) // may block until PROGRAM reads; the deferred Close ends it
	}
	ts.Check(cmd.Start())
	if stdinW != nil {
		cmd.Stdin.(*os.File).Close() // the child has its copy
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	deadline := time.After(30 * time.Second)
	waiting := func() bool {
		return !strings.Contains(stderr.String(), marker) || !strings.Contains(stdout.String(), outMarker)
	}
	for waiting() {
		select {
		case err := <-done:
			ts.Fatalf("exited (status %d) before %q appeared in stderr and %q in stdout; stderr:\n%s", exitStatus(err), marker, outMarker, stderr.String())
		case <-deadline:
			cmd.Process.Kill()
			ts.Fatalf("%q did not appear in stderr and %q in stdout within 30s; stderr:\n%s", marker, outMarker, stderr.String())
		case <-time.After(5 * time.Millisecond):
		}
	}
	ts.Check(cmd.Process.Signal(sig))
	sent := time.Now()
	var err error
	select {
	case err = <-done:
	case <-time.After(within + 10*time.Second):
		cmd.Process.Kill()
		ts.Fatalf("still running %v after the signal", time.Since(sent))
	}
	took := time.Since(sent)
	ts.Check(os.WriteFile(ts.MkAbs("signal.stdout"), []byte(stdout.String()), 0o666))
	ts.Check(os.WriteFile(ts.MkAbs("signal.stderr"), []byte(stderr.String()), 0o666))
	if got := exitStatus(err); got != code {
		ts.Fatalf("exit status %d, want %d; stderr:\n%s", got, code, stderr.String())
	}
	if took > within {
		ts.Fatalf("took %v to exit after the signal, want at most %v", took, within)
	}
	ts.Logf("exited with status %d %v after the signal", code, took.Round(time.Millisecond))
}

func cmdStatus(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("status does not support !")
	}
	if len(args) < 2 {
		ts.Fatalf("usage: status N PROGRAM [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	err = ts.Exec(args[1], args[2:]...)
	if got := exitStatus(err); got != want {
		ts.Fatalf("exit status %d, want %d (%v)", got, want, err)
	}
}

// scriptCodeFlag takes a leading -code N off args (default 0).
func scriptCodeFlag(ts *testscript.TestScript, args []string) (int, []string) {
	if len(args) > 1 && args[0] == "-code" {
		n, err := strconv.Atoi(args[1])
		ts.Check(err)
		return n, args[2:]
	}
	return 0, args
}

// scriptWait waits for a started cmd (killing it after a minute) and checks its exit status.
func scriptWait(ts *testscript.TestScript, cmd *exec.Cmd, code int, stderr *bytes.Buffer) {
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		<-done
		ts.Fatalf("still running after 60s; stderr:\n%s", stderr.String())
	}
	if got := exitStatus(err); got != code {
		ts.Fatalf("exit status %d, want %d; stderr:\n%s", got, code, stderr.String())
	}
}

func cmdRedirect(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("redirect does not support !")
	}
	code, args := scriptCodeFlag(ts, args)
	if len(args) < 2 {
		ts.Fatalf("usage: redirect [-code N] FILE PROGRAM [ARGS...]")
	}
	f, err := os.OpenFile(ts.MkAbs(args[0]), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o666)
	ts.Check(err)
	defer f.Close()
	cmd := command(ts, args[1:])
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = f, &stderr
	ts.Check(cmd.Start())
	scriptWait(ts, cmd, code, &stderr)
	ts.Stderr().Write(stderr.Bytes())
}

func cmdHead(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("head does not support !")
	}
	code, args := scriptCodeFlag(ts, args)
	if len(args) < 2 {
		ts.Fatalf("usage: head [-code N] K PROGRAM [ARGS...]")
	}
	lines, err := strconv.Atoi(args[0])
	ts.Check(err)
	r, w, err := os.Pipe()
	ts.Check(err)
	cmd := command(ts, args[1:])
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = w, &stderr
	if err := cmd.Start(); err != nil {
		r.Close()
		w.Close()
		ts.Fatalf("%v", err)
	}
	w.Close() // the child has its copy
	// A program that writes nothing and never exits must not hang the read below.
	killer := time.AfterFunc(60*time.Second, func() { cmd.Process.Kill() })
	defer killer.Stop()
	var got strings.Builder
	br := bufio.NewReader(r)
	for i := 0; i < lines; i++ {
		line, err := br.ReadString('\n')
		got.WriteString(line)
		if err != nil {
			break
		}
	}
	r.Close() // as head does once it has its lines: the program's next write fails
	scriptWait(ts, cmd, code, &stderr)
	ts.Stdout().Write([]byte(got.String()))
	ts.Stderr().Write(stderr.Bytes())
}

func cmdPtyrun(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("ptyrun does not support !")
	}
	code := 0
	if len(args) > 1 && args[0] == "-code" {
		n, err := strconv.Atoi(args[1])
		ts.Check(err)
		code, args = n, args[2:]
	}
	if len(args) == 0 {
		ts.Fatalf("usage: ptyrun [-code N] PROGRAM [ARGS...]")
	}
	ctrl, tty, err := pty.Open()
	ts.Check(err)
	defer ctrl.Close()
	pty.Setsize(ctrl, &pty.Winsize{Rows: 24, Cols: 200})
	cmd := command(ts, args)
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = tty
	out := make(chan []byte)
	go func() {
		b, _ := io.ReadAll(ctrl)
		out <- b
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ts.Check(cmd.Start())
	go func() {
		<-ctx.Done()
		cmd.Process.Kill()
	}()
	err = cmd.Wait()
	tty.Close()
	shown := <-out
	ts.Check(os.WriteFile(ts.MkAbs("pty.out"), bytes.ReplaceAll(shown, []byte("\r\n"), []byte("\n")), 0o666))
	ts.Check(os.WriteFile(ts.MkAbs("pty.stdout"), stdout.Bytes(), 0o666))
	if got := exitStatus(err); got != code {
		ts.Fatalf("exit status %d, want %d; terminal:\n%s", got, code, shown)
	}
}

// TestExamples runs every example script on its bundled input and compares with the golden output
// (made by running the same scripts in Node.js: testdata/golden/gen.js).
func TestExamples(t *testing.T) {
	cases := readGoldenCases(t)
	for _, c := range cases {
		for _, jobs := range []string{"1", "4"} {
			t.Run(c.Name+"/j"+jobs, func(t *testing.T) {
				want, err := os.ReadFile(filepath.Join("testdata", "golden", c.Name+".out"))
				if err != nil {
					t.Fatal(err)
				}
				var stdout, stderr bytes.Buffer
				code := run(append([]string{"-j", jobs}, c.Args...), strings.NewReader(""), &stdout, &stderr)
				if code != 0 {
					t.Fatalf("exit %d: %s", code, stderr.String())
				}
				if stdout.String() != string(want) {
					t.Fatalf("output:\n%s\nwant:\n%s", stdout.String(), want)
				}
			})
		}
	}
}

type goldenCase struct {
	Name string   `json:"name"`
	Args []string `json:"args"`
}

func readGoldenCases(t *testing.T) []goldenCase {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "golden", "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []goldenCase
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 8 {
		t.Fatalf("only %d example cases", len(cases))
	}
	return cases
}

// TestExamplesAgainstNode regenerates the golden outputs with Node.js, when it is installed, and
// checks they are what the repository holds: the goldens stay honest.
func TestExamplesAgainstNode(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	dir := t.TempDir()
	gen, err := os.ReadFile(filepath.Join("testdata", "golden", "gen.js"))
	if err != nil {
		t.Fatal(err)
	}
	// Run a copy of the generator that writes into dir instead of testdata/golden.
	src := strings.Replace(string(gen), "fs.writeFileSync(path.join(__dirname, c.name + '.out'), text)",
		"fs.writeFileSync(path.join(process.env.OUT_DIR, c.name + '.out'), text)", 1)
	if src == string(gen) {
		t.Fatal("gen.js no longer has the expected write call")
	}
	script := filepath.Join("testdata", "golden", "gen-copy.js")
	if err := os.WriteFile(script, []byte(src), 0o666); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(script)
	cmd := exec.Command(node, script)
	cmd.Env = append(os.Environ(), "OUT_DIR="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	for _, c := range readGoldenCases(t) {
		got, _ := os.ReadFile(filepath.Join(dir, c.Name+".out"))
		want, _ := os.ReadFile(filepath.Join("testdata", "golden", c.Name+".out"))
		if !bytes.Equal(got, want) {
			t.Errorf("%s: node gives\n%s\nthe golden file has\n%s", c.Name, got, want)
		}
	}
}
