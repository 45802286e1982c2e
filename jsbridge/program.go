package jsbridge

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"
	"github.com/dop251/goja/parser"

	"github.com/jsmap/jsmap/internal/jsontext"
	"github.com/jsmap/jsmap/internal/modresolve"
)

// Options configure a Program.
type Options struct {
	// Args is a JSON object made available to the script as the global `args`; nil means {}.
	Args []byte
	// Stderr receives console output and warnings; nil means os.Stderr. Writes are whole lines.
	Stderr io.Writer
	// Timeout, if > 0, interrupts an element (or setup/teardown) that runs longer.
	Timeout time.Duration
	// MaxCallStackSize bounds the script's call depth; <= 0 means 10000. Deeper recursion fails the
	// element with "RangeError: Maximum call stack size exceeded".
	MaxCallStackSize int
	// MaxDepth bounds the nesting of a result; <= 0 means 10000.
	MaxDepth int
	// Filter makes the script a predicate: Map writes true or false, the JavaScript truthiness of
	// its result (so functions, Infinity or new Boolean(false) count as true, as in JS).
	Filter bool
	// Eager gives the script every element as plain objects, converted in full before the call.
	// By default objects are lazy views whose members are converted when read (much faster when a
	// script reads a few fields), unless the script's source uses a feature views do not support
	// (freezing, property descriptors, symbol keys): then it is eager anyway.
	Eager bool
}

// Program is a loaded, compiled script. It is safe for concurrent use: each worker gets its own VM
// built from the shared compiled code (compiling happens once per file, not per worker).
type Program struct {
	opts     Options
	name     string // the main script as named in messages
	mainPath string // absolute path of the main module ("" is never used)
	mainSrc  string // its source as compiled
	resolver *modresolve.Resolver
	args     []byte

	mu      sync.Mutex
	modules map[string]*module // by absolute path
	files   map[string]*fileInfo

	probe    *Worker // the VM that checked the script at load, kept for the first worker
	lazy     bool    // elements are lazy views (see Options.Eager)
	closed   atomic.Bool
	warnMu   sync.Mutex
	stderrMu sync.Mutex
}

// module is one compiled file, shared by all VMs.
type module struct {
	once sync.Once
	path string // absolute
	name string // as shown in messages
	prg  *goja.Program
	json []byte // for .json modules: the validated text
	err  error
	// needsPlain: the source uses a feature lazy views do not support.
	needsPlain bool
}

// plainOnly matches source text that uses what goja's Go-backed objects cannot do: freeze, seal,
// preventExtensions, property descriptors, accessors, symbol-keyed properties, Reflect; or what
// they do unsafely: goja does not check a prototype set on them for cycles, and a cycle would
// exhaust the Go stack on the next property miss. Also lone surrogates written in the source (an
// escape or fromCharCode): Go-backed objects take keys as Go strings, which cannot hold them.
var plainOnly = regexp.MustCompile(`\b(freeze|seal|preventExtensions|isFrozen|isSealed|defineProperty|defineProperties|__defineGetter__|__defineSetter__|Symbol|Reflect|__proto__|setPrototypeOf|fromCharCode|fromCodePoint)\b|\\u\{?0*[dD][89a-fA-F]`)

const (
	wrapPrefix = "(function (exports, require, module, __filename, __dirname) { "
	wrapSuffix = "\n})"
	exprPrefix = "module.exports = ("
	exprSuffix = "\n);"
	// ExprName is the file name an -e expression has in messages.
	ExprName = "<expression>"
)

// Load reads and compiles the script file, runs it once to check what it exports (and its setup),
// and returns the Program. Errors are *LoadError with file:line:col where there is one.
func Load(file string, opts Options) (*Program, error) {
	src, err := os.ReadFile(file)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, &LoadError{File: file, Msg: "cannot read the script: " + err.Error(), Err: err}
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return nil, &LoadError{File: file, Msg: err.Error(), Err: err}
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	return load(file, abs, string(src), 0, opts)
}

// LoadExpr compiles an expression that evaluates to the map function (or to an object with a map
// method), as given to `jsmap -e`. require() resolves from the current folder.
func LoadExpr(code string, opts Options) (*Program, error) {
	wd, err := os.Getwd()
	if err != nil {
		return nil, &LoadError{File: ExprName, Msg: err.Error(), Err: err}
	}
	if real, err := filepath.EvalSymlinks(wd); err == nil {
		wd = real
	}
	return load(ExprName, filepath.Join(wd, ExprName), exprPrefix+code+exprSuffix, len(exprPrefix), opts)
}

func load(name, path, src string, shift int, opts Options) (*Program, error) {
	if opts.Stderr == nil {
		opts.Stderr = os.Stderr
	}
	if opts.MaxCallStackSize <= 0 {
		opts.MaxCallStackSize = 10000
	}
	if opts.MaxDepth <= 0 {
		opts.MaxDepth = 10000
	}
	p := &Program{
		opts:     opts,
		name:     name,
		mainPath: path,
		mainSrc:  src,
		modules:  map[string]*module{},
		files:    map[string]*fileInfo{},
		args:     opts.Args,
	}
	if len(p.args) == 0 {
		p.args = []byte("{}")
	} else if err := jsontext.Validate(p.args, 0); err != nil || bytes.TrimLeft(p.args, " \t\r\n")[0] != '{' {
		return nil, &LoadError{File: name, Msg: "Options.Args is not a JSON object"}
	}
	r, err := modresolve.New(filepath.Dir(path))
	if err != nil {
		return nil, &LoadError{File: name, Msg: err.Error(), Err: err}
	}
	p.resolver = r
	m := &module{path: path, name: name, needsPlain: plainOnly.MatchString(src)}
	m.once.Do(func() { m.prg, m.err = p.compile(name, src, shift) })
	if m.err != nil {
		return nil, m.err
	}
	p.modules[path] = m
	w, err := p.newWorker(context.Background(), m)
	if err != nil {
		return nil, err
	}
	p.probe = w
	// Lazy views unless the script (or a module it loaded) needs plain objects.
	p.lazy = !opts.Eager
	p.mu.Lock()
	for _, m := range p.modules {
		if m.needsPlain {
			p.lazy = false
		}
	}
	p.mu.Unlock()
	return p, nil
}

var esmSyntax = regexp.MustCompile(`(?m)^\s*(export\s|import\s.*from\s|import\s*["'{*])`)

// compile wraps src as a CommonJS module and compiles it. shift is the number of columns before the
// user's text on its first line (for -e).
func (p *Program) compile(name, src string, shift int) (*goja.Program, error) {
	if strings.HasPrefix(src, "#!") {
		src = "//" + src[2:] // keep positions
	}
	p.mu.Lock()
	p.files[name] = &fileInfo{name: name, col1Shift: len(wrapPrefix) + shift}
	p.mu.Unlock()
	ast, err := parser.ParseFile(nil, name, wrapPrefix+src+wrapSuffix, 0)
	if err != nil {
		le := &LoadError{File: name, Msg: "SyntaxError: " + err.Error(), Err: err}
		var list parser.ErrorList
		var one *parser.Error
		if errors.As(err, &list) && len(list) > 0 {
			one = list[0]
		} else {
			errors.As(err, &one)
		}
		if one != nil {
			le.Msg = "SyntaxError: " + one.Message
			le.Line, le.Column = one.Position.Line, one.Position.Column
			if le.Line == 1 {
				le.Column -= len(wrapPrefix) + shift
				if le.Column < 1 {
					le.Column = 1
				}
			}
			user := src // the user's text, with the prefix of an expression on its first line
			if shift > 0 {
				user = strings.TrimSuffix(src, exprSuffix)
			}
			if lines := strings.Count(user, "\n") + 1; le.Line > lines {
				// The error is in the wrapper's closing text: the script ended early.
				le.Line = lines
				le.Column = len(user) - strings.LastIndexByte(user, '\n')
				if lines == 1 {
					le.Column -= shift
				}
				le.Msg = "SyntaxError: unexpected end of input"
			}
		}
		if esmSyntax.MatchString(src[shift:]) {
			le.Hint = "jsmap scripts are CommonJS modules: write module.exports = ... and require(), not export/import"
		}
		return nil, le
	}
	prg, err := goja.CompileAST(ast, false)
	if err != nil {
		le := &LoadError{File: name, Msg: "SyntaxError: " + err.Error(), Err: err}
		var ce *goja.CompilerSyntaxError
		if errors.As(err, &ce) {
			le.Msg = "SyntaxError: " + ce.Message
			if ce.File != nil {
				pos := ce.File.Position(ce.Offset)
				le.Line, le.Column = pos.Line, pos.Column
				if le.Line == 1 {
					le.Column = max(le.Column-len(wrapPrefix)-shift, 1)
				}
			}
		}
		return nil, le
	}
	return prg, nil
}

func (p *Program) file(name string) *fileInfo {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.files[name]
}

// displayName names a module file in messages: relative to the current folder when inside it.
func displayName(path string) string {
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, path); err == nil && !strings.HasPrefix(rel, "..") {
			return rel
		}
	}
	return path
}

// module returns the compiled module at path (compiling it on first use).
func (p *Program) module(path string) *module {
	p.mu.Lock()
	m := p.modules[path]
	if m == nil {
		m = &module{path: path, name: displayName(path)}
		p.modules[path] = m
	}
	p.mu.Unlock()
	m.once.Do(func() {
		src, err := os.ReadFile(path)
		if err != nil {
			m.err = fmt.Errorf("cannot read %s: %w", m.name, err)
			return
		}
		if strings.HasSuffix(path, ".json") {
			text := src
			if len(text) >= 3 && text[0] == 0xEF && text[1] == 0xBB && text[2] == 0xBF {
				text = text[3:]
			}
			if err := jsontext.Validate(text, 0); err != nil {
				off := 0
				var se *jsontext.SyntaxError
				if errors.As(err, &se) {
					off = se.Offset
				}
				line := 1 + strings.Count(string(text[:off]), "\n")
				col := off - strings.LastIndexByte(string(text[:off]), '\n')
				m.err = fmt.Errorf("%s:%d:%d: %v", m.name, line, col, err)
				return
			}
			m.json = text
			return
		}
		m.needsPlain = plainOnly.MatchString(string(src))
		m.prg, m.err = p.compile(m.name, string(src), 0)
	})
	return m
}

// Name returns the main script's name as used in messages.
func (p *Program) Name() string { return p.name }

// NewWorker returns a worker with its own VM, running the script's setup first. ctx stops the worker:
// when it is done, a call in progress is interrupted and later calls fail at once.
// Safe for concurrent use.
func (p *Program) NewWorker(ctx context.Context, id int) (*Worker, error) {
	if p.closed.Load() {
		return nil, errors.New("jsbridge: program is closed")
	}
	p.mu.Lock()
	w := p.probe
	p.probe = nil
	p.mu.Unlock()
	if w != nil {
		w.id = id
		w.bind(ctx)
		return w, nil
	}
	p.mu.Lock()
	m := p.modules[p.mainPath]
	p.mu.Unlock()
	w, err := p.newWorker(ctx, m)
	if err != nil {
		return nil, err
	}
	w.id = id
	return w, nil
}

// Close releases the VM kept from loading if no worker took it (running its teardown).
func (p *Program) Close() error {
	if p.closed.Swap(true) {
		return nil
	}
	p.mu.Lock()
	w := p.probe
	p.probe = nil
	p.mu.Unlock()
	if w != nil {
		return w.Close()
	}
	return nil
}

// warnf writes one warning line to Stderr.
func (p *Program) warnf(format string, args ...any) {
	p.stderrMu.Lock()
	defer p.stderrMu.Unlock()
	fmt.Fprintf(p.opts.Stderr, "jsmap: warning: "+format+"\n", args...)
}

// writeLine writes one console line to Stderr.
func (p *Program) writeLine(s string) {
	b := make([]byte, 0, len(s)+1)
	b = append(b, s...)
	b = append(b, '\n')
	p.stderrMu.Lock()
	p.opts.Stderr.Write(b)
	p.stderrMu.Unlock()
}
