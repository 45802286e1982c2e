package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	ansi "github.com/k0kubun/go-ansi"
	flag "github.com/spf13/pflag"

	"github.com/jsmap/jsmap/internal/cpus"
	"github.com/jsmap/jsmap/internal/jsontext"
	"github.com/jsmap/jsmap/jsbridge"
	"github.com/jsmap/jsmap/runtime"
)

// Exit codes.
const (
	exitOK         = 0
	exitFailure    = 1 // a failure while running: bad input, a script error, I/O
	exitUsage      = 2 // bad flags, a script that does not load, an input or output that cannot be opened
	exitInterrupt  = 130
	exitTerm       = 143
	exitBrokenPipe = 141 // 128 + SIGPIPE, what a shell reports for a tool killed by it
)

const usageText = `jsmap maps a JavaScript function over the elements of a JSON array or an NDJSON
stream, on every core, and writes the results in input order.

Usage:
  jsmap [flags] SCRIPT [INPUT...]
  jsmap [flags] -e CODE [INPUT...]

SCRIPT is a CommonJS module exporting the function:
  module.exports = (item, index) => ...
or an object { map(item, index) {...}, setup() {...}, teardown() {...} }.
With -e, CODE is an expression that evaluates to the function: -e 'x => x * 2'.
No INPUT, or -, reads standard input. Several inputs are one stream.

Input and output:
  -o, --output FILE         write results to FILE (atomically: FILE changes only on success)
      --resume              with -o: journal progress beside FILE; after a crash or an interrupt
                            the same command continues where the last run stopped
      --input-format FMT    auto, json (one array) or ndjson (a stream of values) (default auto)
      --output-format FMT   json (an array, one element per line) or ndjson
                            (default: json for an array input, ndjson for a stream)
      --pretty              indent results
  -r, --raw-output          write string results as plain text lines, without quotes
      --filter              keep the original elements for which the function returns a truthy value
      --flat                a returned array contributes its elements (0..n outputs per input)
      --limit N             read only the first N elements

Script:
      --arg NAME=VALUE      set args.NAME to the string VALUE (repeatable)
      --argjson NAME=JSON   set args.NAME to a JSON value (repeatable)
      --timeout DUR         fail an element that runs longer than DUR (e.g. 500ms, 2s)

Parallelism:
  -j, --jobs N              workers, one JavaScript VM each (default: the CPUs this process may use)

Errors:
      --on-error POLICY     fail (stop at the first error), skip (leave the element out) or
                            null (write null for it) (default fail)
      --errors FILE         record failing elements as NDJSON {index, input, error, stack}
      --max-errors N        with skip or null: fail once more than N elements failed

Progress:
      --progress MODE       auto (a status line when stderr is a terminal), always, never,
                            or plain (a log line every few seconds) (default auto)
  -q, --quiet               no progress and no summary

Limits:
      --max-element-size SIZE   largest element accepted (default 256MiB)
      --max-memory SIZE     stop the run when the scripts' data grows past SIZE (default: three
                            quarters of the memory this process may use: cgroup limit or RAM)

  -h, --help                show this help
      --version             show the version

Exit status: 0 success; 1 a failure while running (bad input, a script error, I/O);
2 a usage error or a script that does not load; 130 interrupted (SIGINT); 143 terminated (SIGTERM).

Results go to stdout (or -o FILE); progress, console output from the script and errors go to stderr.
`

// config is the parsed command line.
type config struct {
	script, code   string
	inputs         []string
	output         string
	inputFormat    runtime.Format
	outputFormat   runtime.Format
	pretty         bool
	raw            bool
	filter         bool
	flat           bool
	limit          int64
	jobs           int
	onError        runtime.ErrorPolicy
	errorsFile     string
	maxErrors      int64
	timeout        time.Duration
	args           []byte
	progress       string
	quiet          bool
	maxElementSize int
	resume         bool
	maxMemory      int64
}

// shape lists, in a fixed order, every setting that decides what the output is: what a resumed run
// must share with the run it continues (not -j, progress, or the order the flags were given in).
func (c *config) shape() []string {
	return []string{
		"script=" + c.script, "eval=" + c.code, "inputs=" + strings.Join(c.inputs, "\x00"),
		"input-format=" + c.inputFormat.String(), "output-format=" + c.outputFormat.String(),
		fmt.Sprintf("pretty=%t raw=%t filter=%t flat=%t", c.pretty, c.raw, c.filter, c.flat),
		fmt.Sprintf("limit=%d on-error=%d max-errors=%d timeout=%s", c.limit, c.onError, c.maxErrors, c.timeout),
		"errors=" + c.errorsFile, "args=" + string(c.args), fmt.Sprintf("max-element-size=%d", c.maxElementSize),
	}
}

// usageError is a bad command line.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

func parseArgs(args []string, stdout io.Writer) (*config, bool, error) {
	fs := flag.NewFlagSet("jsmap", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = false
	c := &config{}
	var inFmt, outFmt, onError, timeout, maxElem string
	var argStr, argJSON []string
	var help, version bool
	fs.StringVarP(&c.code, "eval", "e", "", "")
	fs.StringVarP(&c.output, "output", "o", "", "")
	fs.StringVar(&inFmt, "input-format", "auto", "")
	fs.StringVar(&outFmt, "output-format", "auto", "")
	fs.BoolVar(&c.pretty, "pretty", false, "")
	fs.BoolVarP(&c.raw, "raw-output", "r", false, "")
	fs.BoolVar(&c.filter, "filter", false, "")
	fs.BoolVar(&c.flat, "flat", false, "")
	fs.Int64Var(&c.limit, "limit", -1, "")
	fs.IntVarP(&c.jobs, "jobs", "j", 0, "")
	fs.StringVar(&onError, "on-error", "fail", "")
	fs.StringVar(&c.errorsFile, "errors", "", "")
	fs.Int64Var(&c.maxErrors, "max-errors", -1, "")
	fs.StringVar(&timeout, "timeout", "", "")
	fs.StringArrayVar(&argStr, "arg", nil, "")
	fs.StringArrayVar(&argJSON, "argjson", nil, "")
	fs.StringVar(&c.progress, "progress", "auto", "")
	fs.BoolVarP(&c.quiet, "quiet", "q", false, "")
	fs.StringVar(&maxElem, "max-element-size", "256MiB", "")
	var maxMem string
	fs.StringVar(&maxMem, "max-memory", "", "")
	fs.BoolVar(&c.resume, "resume", false, "")
	fs.BoolVarP(&help, "help", "h", false, "")
	fs.BoolVar(&version, "version", false, "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			io.WriteString(stdout, usageText)
			return nil, true, nil
		}
		return nil, false, usagef("%v", err)
	}
	if help {
		io.WriteString(stdout, usageText)
		return nil, true, nil
	}
	if version {
		fmt.Fprintln(stdout, "jsmap", versionString())
		return nil, true, nil
	}
	rest := fs.Args()
	if !fs.Changed("eval") {
		if len(rest) == 0 {
			return nil, false, usagef("no script given: jsmap SCRIPT [INPUT...] or jsmap -e CODE [INPUT...]")
		}
		c.script, rest = rest[0], rest[1:]
	} else if strings.TrimSpace(c.code) == "" {
		return nil, false, usagef("-e needs an expression, e.g. -e 'x => x * 2'")
	}
	c.inputs = rest
	var err error
	if c.inputFormat, err = runtime.ParseFormat(inFmt); err != nil {
		return nil, false, usagef("--input-format: %v", err)
	}
	if c.outputFormat, err = runtime.ParseFormat(outFmt); err != nil {
		return nil, false, usagef("--output-format: %v", err)
	}
	if c.onError, err = runtime.ParseErrorPolicy(onError); err != nil {
		return nil, false, usagef("--on-error: %v", err)
	}
	if fs.Changed("limit") && c.limit < 1 {
		return nil, false, usagef("--limit must be at least 1")
	}
	if c.jobs < 0 {
		return nil, false, usagef("--jobs must be at least 1 (or 0 for the default)")
	}
	if fs.Changed("max-errors") {
		if c.maxErrors < 0 {
			return nil, false, usagef("--max-errors must be 0 or more")
		}
		if c.onError == runtime.Fail {
			return nil, false, usagef("--max-errors needs --on-error skip or null (with fail the first error stops the run)")
		}
		if c.maxErrors == 0 {
			c.onError = runtime.Fail
		}
	}
	if c.raw && fs.Changed("output-format") && c.outputFormat == runtime.FormatJSON {
		return nil, false, usagef("--raw-output writes plain lines; it cannot be combined with --output-format json")
	}
	if c.raw && c.pretty {
		return nil, false, usagef("--raw-output and --pretty cannot be combined")
	}
	if c.filter && c.onError == runtime.Null {
		return nil, false, usagef("--on-error null does not apply with --filter (a failing predicate writes nothing): use --on-error skip")
	}
	if c.filter && c.flat {
		return nil, false, usagef("--filter and --flat cannot be combined")
	}
	if timeout != "" {
		if c.timeout, err = parseDuration(timeout); err != nil {
			return nil, false, usagef("--timeout: %v", err)
		}
	}
	switch c.progress {
	case "auto", "always", "never", "plain":
	default:
		return nil, false, usagef("--progress: unknown mode %q (want auto, always, never or plain)", c.progress)
	}
	if c.maxElementSize, err = parseSize(maxElem); err != nil {
		return nil, false, usagef("--max-element-size: %v", err)
	}
	if maxMem != "" {
		if c.maxMemory, err = parseBytes(maxMem); err != nil {
			return nil, false, usagef("--max-memory: %v", err)
		}
	} else {
		c.maxMemory = defaultMaxMemory()
	}
	if c.args, err = buildArgs(argStr, argJSON); err != nil {
		return nil, false, err
	}
	if c.resume {
		if c.output == "" {
			return nil, false, usagef("--resume needs -o FILE: the output is what it continues")
		}
		if len(c.inputs) == 0 || slices.Contains(c.inputs, "-") {
			return nil, false, usagef("--resume needs input files: standard input cannot be read again")
		}
	}
	return c, false, nil
}

// parseDuration accepts Go durations (500ms, 2s, 1m30s) and plain seconds (2, 0.5).
func parseDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil {
			return 0, fmt.Errorf("invalid duration %q (e.g. 500ms, 2s, 1m)", s)
		}
		d = time.Duration(f * float64(time.Second))
	}
	if d <= 0 {
		return 0, fmt.Errorf("must be positive, got %q", s)
	}
	return d, nil
}

// defaultMaxMemory is three quarters of the memory this process may use (its cgroup limit, or the
// machine's memory), or 0 (no limit) when that is unknown.
func defaultMaxMemory() int64 {
	return cpus.Memory() / 4 * 3
}

// parseSize accepts an element size: a byte count with an optional unit, below 2 GiB.
func parseSize(s string) (int, error) {
	n, err := parseBytes(s)
	if err != nil {
		return 0, err
	}
	if n > 1<<31-1 {
		return 0, fmt.Errorf("%s is more than the 2GiB an element may have", s)
	}
	return int(n), nil
}

// parseBytes accepts a byte count with an optional unit: 1000, 64KiB, 256MiB, 1GiB, 10MB.
func parseBytes(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"B", 1}}
	num, mult := s, int64(1)
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			num, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("invalid size %q (e.g. 64MiB, 1GiB)", s)
	}
	return n * mult, nil
}

// buildArgs makes the JSON object the script sees as `args`.
func buildArgs(strs, jsons []string) ([]byte, error) {
	b := []byte{'{'}
	add := func(flagName, kv string, isJSON bool) error {
		name, val, ok := strings.Cut(kv, "=")
		if !ok || name == "" {
			return usagef("--%s %q: want NAME=VALUE", flagName, kv)
		}
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = jsontext.AppendQuote(b, name)
		b = append(b, ':')
		if !isJSON {
			b = jsontext.AppendQuote(b, val)
			return nil
		}
		if err := jsontext.Validate([]byte(val), 0); err != nil {
			return usagef("--argjson %s: invalid JSON: %v", name, err)
		}
		b = jsontext.Compact(b, []byte(val))
		return nil
	}
	for _, kv := range strs {
		if err := add("arg", kv, false); err != nil {
			return nil, err
		}
	}
	for _, kv := range jsons {
		if err := add("argjson", kv, true); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

func versionString() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

// interrupted is the cause of a run stopped by a signal.
type interrupted struct{ sig os.Signal }

func (e *interrupted) Error() string { return "interrupted by " + signalName(e.sig) }

func signalName(s os.Signal) string {
	if s == syscall.SIGTERM {
		return "SIGTERM"
	}
	return "SIGINT"
}

func exitCodeFor(sig os.Signal) int {
	if sig == syscall.SIGTERM {
		return exitTerm
	}
	return exitInterrupt
}

// cli is one invocation.
type cli struct {
	args           []string
	stdin          io.Reader
	stdout, stderr io.Writer
	errw           *runtime.StatusWriter // stderr, shared by progress, console and messages
	tty            bool

	mu      sync.Mutex
	cleanup []func() // run on a forced exit (second signal)
}

func (c *cli) atExit(f func()) {
	c.mu.Lock()
	c.cleanup = append(c.cleanup, f)
	c.mu.Unlock()
}

func (c *cli) forceExit(code int) {
	c.mu.Lock()
	for _, f := range c.cleanup {
		f()
	}
	c.mu.Unlock()
	os.Exit(code)
}

// run is the whole command; it returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	c := &cli{args: args, stdin: stdin, stdout: stdout, stderr: stderr}
	if f, ok := stderr.(*os.File); ok && isTerminal(f) {
		c.tty = true
		if f == os.Stderr {
			c.stderr = ansi.NewAnsiStderr()
		}
	}
	c.errw = runtime.NewStatusWriter(c.stderr, c.tty)
	cfg, done, err := parseArgs(args, stdout)
	if done {
		return exitOK
	}
	if err != nil {
		c.printError(err)
		fmt.Fprintln(c.errw, "jsmap: hint: jsmap --help shows the usage")
		return exitUsage
	}
	if cfg.progress == "always" && !cfg.quiet && !c.tty {
		c.errw = runtime.NewStatusWriter(c.stderr, true)
	}
	return c.main(cfg)
}

func (c *cli) main(cfg *config) int {
	defer tuneGC(cfg.maxMemory)()
	// JSMAP_CPUPROFILE=FILE writes a CPU profile of the run (for performance work; see PERFORMANCE.md).
	if path := os.Getenv("JSMAP_CPUPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil {
			if pprof.StartCPUProfile(f) == nil {
				defer func() {
					pprof.StopCPUProfile()
					f.Close()
				}()
			}
		}
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)

	// Signals: the first stops the run (exit 130/143, -o untouched); a second exits at once.
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	stopSignals := make(chan struct{})
	defer close(stopSignals)
	var loaded atomic.Bool // the script has loaded: from then on a first signal stops the run in order
	go func() {
		var first os.Signal
		for {
			select {
			case s := <-sigs:
				if first == nil {
					first = s
					if !loaded.Load() {
						// The script's top-level code cannot be interrupted (jsbridge.Load takes no
						// context) and nothing needs cleaning up yet (-o is created after the load).
						fmt.Fprintf(c.errw, "jsmap: %s\n", (&interrupted{s}).Error())
						c.forceExit(exitCodeFor(s))
					}
					cancel(&interrupted{s})
					// Everything stops within a second; if something cannot be interrupted (a read
					// blocked on a pipe or terminal, a long-running built-in such as a huge regexp),
					// exit anyway, cleaning up as a second signal does.
					code := exitCodeFor(s)
					time.AfterFunc(900*time.Millisecond, func() {
						fmt.Fprintf(c.errw, "jsmap: %s\n", (&interrupted{s}).Error())
						c.forceExit(code)
					})
					continue
				}
				c.forceExit(exitCodeFor(first))
			case <-stopSignals:
				return
			}
		}
	}()

	// The script loads (and is checked) before any input is read.
	jopts := jsbridge.Options{Args: cfg.args, Stderr: c.errw, Timeout: cfg.timeout, Filter: cfg.filter}
	var prog *jsbridge.Program
	var err error
	if cfg.script != "" {
		prog, err = jsbridge.Load(cfg.script, jopts)
	} else {
		prog, err = jsbridge.LoadExpr(cfg.code, jopts)
	}
	loaded.Store(true)
	if err != nil {
		c.printError(err)
		return exitUsage
	}
	defer prog.Close()

	inputs, err := c.inputs(cfg.inputs)
	if err != nil {
		c.printError(err)
		return exitUsage
	}

	var out io.Writer = c.stdout
	var af *runtime.AtomicFile
	var res *resumable
	var errLog *bufio.Writer
	switch {
	case cfg.resume:
		if res, err = openResumable(cfg.output, cfg.shape(), prog, cfg.inputs, cfg.errorsFile, c.errw); err != nil {
			c.printError(err)
			return exitUsage
		}
		defer res.close()
		if res.finished {
			return exitOK
		}
		out = res.out
		if res.errLog != nil {
			errLog = bufio.NewWriter(res.errLog)
		}
	case cfg.output != "":
		if af, err = runtime.CreateAtomic(cfg.output); err != nil {
			c.printError(err)
			return exitUsage
		}
		c.atExit(af.Abort)
		defer af.Abort()
		out = af
	}
	if cfg.errorsFile != "" && errLog == nil {
		f, err := os.Create(cfg.errorsFile)
		if err != nil {
			c.printError(fmt.Errorf("creating the error log: %w", err))
			return exitUsage
		}
		defer f.Close()
		errLog = bufio.NewWriter(f)
		defer errLog.Flush()
	}

	stats := &runtime.Stats{}
	opts := runtime.Options{
		Inputs:         inputs,
		InputFormat:    cfg.inputFormat,
		Output:         out,
		OutputFormat:   cfg.outputFormat,
		Pretty:         cfg.pretty,
		Raw:            cfg.raw,
		Filter:         cfg.filter,
		Flat:           cfg.flat,
		Jobs:           cfg.jobs,
		OnError:        cfg.onError,
		MaxErrors:      cfg.maxErrors,
		MaxElementSize: cfg.maxElementSize,
		MaxMemory:      cfg.maxMemory,
		Stats:          stats,
		NewWorker: func(ctx context.Context, id int) (runtime.Worker, error) {
			return prog.NewWorker(ctx, id)
		},
	}
	if cfg.limit > 0 {
		opts.Limit = cfg.limit
	}
	if res != nil {
		opts.Skip, opts.ValuesBefore = res.j.Next, res.j.Values
		stats.Errors.Store(res.j.Errors)
		opts.Checkpoint = func(next, values int64) error {
			return res.checkpoint(next, values, stats.Errors.Load(), func() error {
				if errLog != nil {
					return errLog.Flush()
				}
				return nil
			})
		}
	}
	if errLog != nil {
		opts.ErrorLog = errLog
	}
	shown := 0
	const showErrors = 5
	opts.OnElementError = func(ee *runtime.ElementError) {
		shown++
		if shown <= showErrors {
			c.printElementError("jsmap: ", ee)
			return
		}
		if shown == showErrors+1 {
			// Only when there is a further failure (not after exactly five).
			more := "further failures are counted, not shown"
			if cfg.errorsFile != "" {
				more += "; " + cfg.errorsFile + " records them all"
			}
			fmt.Fprintf(c.errw, "jsmap: %s\n", more)
		}
	}

	var undefined int64
	opts.OnWarning = func(index int64, w error) {
		undefined++
		if undefined > 1 {
			return
		}
		if cfg.filter {
			fmt.Fprintf(c.errw, "jsmap: warning: %v, which --filter takes as false (is a return statement missing?)\n", w)
		} else {
			fmt.Fprintf(c.errw, "jsmap: warning: %v; writing null (is a return statement missing?)\n", w)
		}
	}

	// Progress.
	var prog2 *runtime.Progress
	mode := cfg.progress
	if cfg.quiet {
		mode = "never"
	}
	switch {
	case mode == "plain":
		prog2 = &runtime.Progress{Stats: stats, Out: c.errw, Plain: true}
	case mode == "always" || (mode == "auto" && c.tty):
		prog2 = &runtime.Progress{Stats: stats, Out: c.errw}
	}
	start := time.Now()
	if prog2 != nil {
		prog2.Start()
	}
	err = runtime.Run(ctx, opts)
	if err == nil && ctx.Err() != nil {
		// Only a signal cancels ctx: the run was interrupted even if Run says nothing failed (with
		// -j 1 it can return nil after dropping the interrupted element), so -o must not be
		// committed and the exit status is 130/143.
		err = context.Cause(ctx)
	}
	if prog2 != nil {
		prog2.Stop()
	}
	if errLog != nil {
		if ferr := errLog.Flush(); ferr != nil && err == nil {
			err = fmt.Errorf("writing the error log: %w", ferr)
		}
	}
	if err == nil && af != nil {
		err = af.Commit()
	}
	if err == nil && res != nil {
		err = res.commit()
	}
	if prog2 != nil {
		fmt.Fprintf(c.errw, "jsmap: %s\n", runtime.Summary(stats, time.Since(start)))
	}
	if n := stats.Errors.Load(); n > 0 && cfg.onError != runtime.Fail && err == nil {
		what := "left out (--on-error skip)"
		if cfg.onError == runtime.Null {
			what = "written as null (--on-error null)"
		}
		fmt.Fprintf(c.errw, "jsmap: %s failed and %s %s\n", plural(n, "element"), pluralVerb(n), what)
	}
	if err != nil {
		resumeHint := func() {
			switch {
			case res == nil:
			case res.j.Next == 0:
				fmt.Fprintln(c.errw, "jsmap: hint: nothing was recorded yet: the same command (--resume) starts from the beginning")
			default:
				fmt.Fprintf(c.errw, "jsmap: hint: the same command continues after element %s (--resume)\n", runtime.Count(res.j.Next-1))
			}
		}
		var in *interrupted
		if errors.As(err, &in) || errors.As(context.Cause(ctx), &in) {
			fmt.Fprintf(c.errw, "jsmap: %s\n", in.Error())
			resumeHint()
			return exitCodeFor(in.sig)
		}
		if errors.Is(err, syscall.EPIPE) {
			// The reader went away (jsmap ... | head): stop quietly, as other tools do.
			return exitBrokenPipe
		}
		c.printError(err)
		resumeHint()
		return exitFailure
	}
	return exitOK
}

func plural(n int64, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return runtime.Count(n) + " " + what + "s"
}

func pluralVerb(n int64) string {
	if n == 1 {
		return "was"
	}
	return "were"
}

// inputs checks the input paths and makes them runtime Inputs.
func (c *cli) inputs(paths []string) ([]runtime.Input, error) {
	if len(paths) == 0 {
		paths = []string{"-"}
	}
	var ins []runtime.Input
	stdinUsed := false
	for _, p := range paths {
		if p == "-" {
			if stdinUsed {
				return nil, errors.New("standard input (-) is given twice")
			}
			stdinUsed = true
			size := int64(-1)
			if f, ok := c.stdin.(*os.File); ok {
				if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
					if off, err := f.Seek(0, io.SeekCurrent); err == nil {
						size = st.Size() - off
					}
				}
			}
			stdin := c.stdin
			ins = append(ins, runtime.Input{Name: "<stdin>", Size: size, Open: func() (io.ReadCloser, error) {
				return interruptible(stdin), nil
			}})
			continue
		}
		st, err := os.Stat(p)
		if err != nil {
			var pe *os.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if st.IsDir() {
			return nil, fmt.Errorf("%s: is a directory, not an input file", p)
		}
		// Check that it can be opened now, so a permission problem shows before any work.
		f, err := os.Open(p)
		if err != nil {
			var pe *os.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		f.Close()
		size := int64(-1)
		if st.Mode().IsRegular() {
			size = st.Size()
		}
		name := p
		ins = append(ins, runtime.Input{Name: name, Size: size, Open: func() (io.ReadCloser, error) {
			f, err := os.Open(name)
			if err != nil {
				var pe *os.PathError
				if errors.As(err, &pe) {
					err = pe.Err
				}
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			return f, nil
		}})
	}
	return ins, nil
}

// interruptible returns a reader of r whose Close makes a blocked Read return at once: standard
// input may be a pipe or a terminal where a read blocks until more comes, and a stopped run must
// not wait for that. A goroutine copies r through a pipe; it ends when r does (or at exit).
func interruptible(r io.Reader) io.ReadCloser {
	pr, pw := io.Pipe()
	go func() {
		buf := make([]byte, 256<<10)
		_, err := io.CopyBuffer(pw, r, buf)
		pw.CloseWithError(err)
	}()
	return pr
}

// printError prints an error once: "jsmap: error: ...", context lines, then a hint where one helps.
func (c *cli) printError(err error) {
	w := c.errw
	var le *jsbridge.LoadError
	var ee *runtime.ElementError
	var ie *runtime.InputError
	var ue *usageError
	var me *runtime.MemoryError
	switch {
	case errors.Is(err, runtime.ErrTooManyErrors) && errors.As(err, &ee):
		// "too many failing elements: more than N (--max-errors); the last: element ...", not the
		// plain element error (whose hint would suggest the --on-error skip already given).
		fmt.Fprintf(w, "jsmap: error: %s\n", err.Error())
		if st := ee.Stack(); st != "" {
			fmt.Fprintln(w, st)
		}
	case errors.As(err, &ee):
		c.printElementError("jsmap: error: ", ee)
		if ee.Index >= 0 {
			fmt.Fprintln(w, "jsmap: hint: --on-error skip leaves failing elements out; --errors FILE records them")
		}
	case errors.As(err, &le):
		fmt.Fprintf(w, "jsmap: error: %s\n", le.Error())
		c.printSourceLine(le)
		if le.Stack != "" {
			fmt.Fprintln(w, le.Stack)
		}
		if le.Hint != "" {
			fmt.Fprintf(w, "jsmap: hint: %s\n", le.Hint)
		}
	case errors.As(err, &ie):
		fmt.Fprintf(w, "jsmap: error: %s\n", ie.Error())
		if ie.Hint != "" {
			fmt.Fprintf(w, "jsmap: hint: %s\n", ie.Hint)
		}
	case errors.As(err, &ue):
		fmt.Fprintf(w, "jsmap: error: %s\n", ue.msg)
	case errors.As(err, &me):
		fmt.Fprintf(w, "jsmap: error: %s\n", me.Error())
		fmt.Fprintln(w, "jsmap: hint: does the script keep data from element to element (a global array or map)? --max-memory sets the limit")
	default:
		fmt.Fprintf(w, "jsmap: error: %s\n", err.Error())
		var se *jsbridge.ScriptError
		if errors.As(err, &se) {
			if st := se.Stack(); st != "" {
				fmt.Fprintln(w, st)
			}
		}
	}
}

func (c *cli) printElementError(prefix string, ee *runtime.ElementError) {
	w := c.errw
	fmt.Fprintf(w, "%s%s\n", prefix, ee.Error())
	if st := ee.Stack(); st != "" {
		fmt.Fprintln(w, st)
	}
	var se *jsbridge.ScriptError
	if errors.As(ee.Err, &se) && se.Hint != "" {
		fmt.Fprintf(w, "jsmap: hint: %s\n", se.Hint)
	}
}

// printSourceLine shows the line a load error points at, with a caret under the column.
func (c *cli) printSourceLine(le *jsbridge.LoadError) {
	if le.Line <= 0 || le.File == jsbridge.ExprName {
		return
	}
	src, err := os.ReadFile(le.File)
	if err != nil || len(src) > 10<<20 {
		return
	}
	lines := strings.Split(string(src), "\n")
	if le.Line > len(lines) {
		return
	}
	line := strings.TrimRight(lines[le.Line-1], "\r")
	if len(line) > 200 {
		return
	}
	col := le.Column - 1
	if col < 0 || col > len(line) {
		return
	}
	pad := strings.Map(func(r rune) rune {
		if r == '\t' {
			return '\t'
		}
		return ' '
	}, line[:col])
	fmt.Fprintf(c.errw, "    %s\n    %s^\n", line, pad)
}
