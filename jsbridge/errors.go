package jsbridge

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/dop251/goja"
)

// Frame is one entry of a script stack trace.
type Frame struct {
	Func   string // function name; "" for anonymous code
	File   string // script file as named in messages; "" for native code
	Line   int
	Column int
}

func (f Frame) String() string {
	if f.File == "" {
		if f.Func == "" {
			return "<native>"
		}
		return f.Func + " (native)"
	}
	loc := f.File + ":" + strconv.Itoa(f.Line) + ":" + strconv.Itoa(f.Column)
	if f.Func == "" {
		return loc
	}
	return f.Func + " (" + loc + ")"
}

// ScriptError is an exception thrown by the script (or a failure to run it: a timeout, a value that
// cannot be encoded), with the script stack where it happened.
type ScriptError struct {
	// Message is the exception as JavaScript shows it, e.g. "TypeError: Cannot read property 'x' of undefined".
	Message string
	// Frames is the stack, innermost first (at most maxFrames).
	Frames []Frame
	// Hint is optional advice for the user.
	Hint string
	// Cause is the underlying Go error for interrupts (ErrTimeout, a cancellation cause), else nil.
	Cause error
}

func (e *ScriptError) Error() string { return e.Message }

// Unwrap returns the interrupt cause, if any.
func (e *ScriptError) Unwrap() error { return e.Cause }

// Stack returns the frames one per line, node style: "    at map (scripts/clean.js:4:22)".
func (e *ScriptError) Stack() string {
	var b strings.Builder
	for i, f := range e.Frames {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString("    at ")
		b.WriteString(f.String())
	}
	return b.String()
}

// ErrTimeout is the cause of a ScriptError for an element that ran longer than Options.Timeout.
var ErrTimeout = errors.New("timed out")

// LoadError is a script that cannot be loaded: unreadable, a syntax error, an exception while it runs
// its top level, or exports that are not a map function.
type LoadError struct {
	File   string // script file as named in messages
	Line   int    // 0 when not known
	Column int
	Msg    string
	Stack  string // for exceptions thrown while loading
	Hint   string
	Err    error // underlying error, if any
}

func (e *LoadError) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc += ":" + strconv.Itoa(e.Line) + ":" + strconv.Itoa(e.Column)
	}
	return loc + ": " + e.Msg
}

func (e *LoadError) Unwrap() error { return e.Err }

const maxFrames = 10

// fileInfo records how a compiled file's text was wrapped, to report positions in the user's file.
type fileInfo struct {
	name      string // display name
	col1Shift int    // columns added before the user's text on line 1
}

// frames converts goja's stack to the user's positions.
func (p *Program) frames(stack []goja.StackFrame) []Frame {
	var out []Frame
	for i := range stack {
		if len(out) == maxFrames {
			break
		}
		sf := &stack[i]
		pos := sf.Position()
		f := Frame{Func: sf.FuncName(), Line: pos.Line, Column: pos.Column}
		if f.Func == "<anonymous>" || f.Func == "<native>" {
			f.Func = ""
		}
		if pos.Filename != "" {
			f.File = pos.Filename
			if fi := p.file(pos.Filename); fi != nil && pos.Line == 1 {
				f.Column -= fi.col1Shift
				if f.Column < 1 {
					f.Column = 1
				}
			}
		} else if f.Func == "" || strings.ContainsAny(f.Func, "/.(") {
			continue // anonymous native code, or a host function of jsmap's own (require, console)
		}
		out = append(out, f)
	}
	return out
}

// scriptError turns an error from calling into the VM into a ScriptError.
func (w *Worker) scriptError(err error) *ScriptError {
	return w.p.scriptError(w.vm, err)
}

func (p *Program) scriptError(vm *goja.Runtime, err error) *ScriptError {
	// A thrown value first: errors.As would call Exception.Unwrap, which panics for some values
	// (a revoked Proxy).
	if ex, ok := err.(*goja.Exception); ok {
		return &ScriptError{Message: plainMessage(describeThrown(vm, ex.Value())), Frames: p.frames(ex.Stack())}
	}
	var intr *goja.InterruptedError
	if errors.As(err, &intr) {
		se := &ScriptError{Frames: p.frames(intr.Stack())}
		cause, _ := intr.Value().(error)
		se.Cause = cause
		switch {
		case errors.Is(cause, ErrTimeout):
			se.Message = fmt.Sprintf("timed out after %s", formatDuration(p.opts.Timeout))
			se.Hint = "--timeout sets the time one element may take"
		case cause != nil:
			se.Message = "interrupted: " + cause.Error()
		default:
			se.Message = "interrupted"
		}
		return se
	}
	var so *goja.StackOverflowError
	if errors.As(err, &so) {
		return &ScriptError{
			Message: "RangeError: Maximum call stack size exceeded",
			Frames:  p.frames(so.Stack()),
			Hint:    "is a recursion missing its base case?",
		}
	}
	var ex *goja.Exception
	if errors.As(err, &ex) {
		return &ScriptError{Message: plainMessage(describeThrown(vm, ex.Value())), Frames: p.frames(ex.Stack())}
	}
	var se *ScriptError
	if errors.As(err, &se) {
		return se
	}
	return &ScriptError{Message: err.Error(), Cause: err}
}

// describeThrown renders a thrown value: "TypeError: msg" for errors, "Uncaught 'text'" otherwise.
func describeThrown(vm *goja.Runtime, v goja.Value) (s string) {
	defer func() {
		if recover() != nil {
			s = "Uncaught exception (its description threw)"
		}
	}()
	if v == nil {
		return "Uncaught undefined"
	}
	if obj, ok := v.(*goja.Object); ok && isError(vm, obj) {
		name := "Error"
		if n := obj.Get("name"); n != nil && !goja.IsUndefined(n) {
			name = n.String()
		}
		msg := ""
		if m := obj.Get("message"); m != nil && !goja.IsUndefined(m) {
			msg = m.String()
		}
		if msg == "" {
			return name
		}
		if name == "" {
			return msg
		}
		return name + ": " + msg
	}
	return "Uncaught " + inspectValue(vm, v)
}

func isError(vm *goja.Runtime, obj *goja.Object) bool {
	for o := obj; o != nil; o = o.Prototype() {
		if o.ClassName() == "Error" {
			return true
		}
	}
	return false
}

func formatDuration(d time.Duration) string {
	if d%time.Second == 0 {
		return strconv.FormatInt(int64(d/time.Second), 10) + "s"
	}
	if d%time.Millisecond == 0 {
		return strconv.FormatInt(int64(d/time.Millisecond), 10) + "ms"
	}
	return d.String()
}

var goInternals = regexp.MustCompile(`Could not convert &\{.*\} \(\*goja\.dynamicObject\) to primitive`)

// plainMessage rewrites goja messages about the Go objects behind lazy views into what the script
// would see for a plain object (as node words them).
func plainMessage(msg string) string {
	if strings.Contains(msg, "goja.dynamicObject") {
		msg = goInternals.ReplaceAllString(msg, "Cannot convert object to primitive value")
	}
	return strings.Replace(msg, "Dynamic object is not callable", "Not a function: [object Object]", 1)
}
