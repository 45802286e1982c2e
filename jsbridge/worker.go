package jsbridge

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"
)

// Worker is one VM running the script. Map and Close must be called from one goroutine at a time;
// the interruption that ctx triggers may come from any goroutine.
type Worker struct {
	p   *Program
	id  int
	vm  *goja.Runtime
	dec decoder
	enc encoder

	this     goja.Value
	fn       goja.Callable
	teardown goja.Callable
	modules  map[string]*goja.Object // module objects by absolute path
	objProto *goja.Object

	ctx     context.Context
	stopCtx func() bool

	mu     sync.Mutex            // guards active, seq and interrupts
	intr   atomic.Pointer[error] // the interrupt of the call in progress, for Go loops to see
	active bool
	seq    uint64
	timer  *time.Timer
	closed bool
}

var promiseType = reflect.TypeOf((*goja.Promise)(nil))

// newWorker builds a VM, runs the main module in it and its setup.
func (p *Program) newWorker(ctx context.Context, main *module) (*Worker, error) {
	vm := goja.New()
	vm.SetMaxCallStackSize(p.opts.MaxCallStackSize)
	w := &Worker{p: p, vm: vm, modules: map[string]*goja.Object{}}
	w.dec.init(vm)
	w.enc.init(vm, p.opts.MaxDepth)
	w.enc.stop = func() error {
		if p := w.intr.Load(); p != nil {
			return *p
		}
		return nil
	}
	w.bind(ctx)
	if err := w.installGlobals(); err != nil {
		return nil, &LoadError{File: p.name, Msg: err.Error(), Err: err}
	}
	if err := w.guardGenerators(); err != nil {
		return nil, &LoadError{File: p.name, Msg: err.Error(), Err: err}
	}
	var exports goja.Value
	err := w.guard(func() error {
		var err error
		exports, err = w.runModule(main)
		return err
	})
	if err != nil {
		return nil, p.loadError(vm, err)
	}
	if err := w.useExports(exports); err != nil {
		return nil, err
	}
	return w, nil
}

// bind makes ctx the worker's stop signal.
func (w *Worker) bind(ctx context.Context) {
	if w.stopCtx != nil {
		w.stopCtx()
	}
	w.ctx = ctx
	w.stopCtx = context.AfterFunc(ctx, func() { w.interrupt(context.Cause(ctx)) })
}

// interrupt stops the call in progress, if any.
func (w *Worker) interrupt(cause error) {
	w.mu.Lock()
	if w.active {
		w.vm.Interrupt(cause)
		w.intr.Store(&cause)
	}
	w.mu.Unlock()
}

// begin marks a call into the VM as started, arming the timeout; end disarms it. An interrupt that
// lands after the call returned is cleared, so it never hits the next call.
func (w *Worker) begin() {
	w.mu.Lock()
	w.active = true
	w.seq++
	if err := w.ctx.Err(); err != nil {
		cause := context.Cause(w.ctx)
		w.vm.Interrupt(cause)
		w.intr.Store(&cause)
	}
	if d := w.p.opts.Timeout; d > 0 {
		seq := w.seq
		w.timer = time.AfterFunc(d, func() {
			w.mu.Lock()
			if w.active && w.seq == seq {
				w.vm.Interrupt(ErrTimeout)
				err := ErrTimeout
				w.intr.Store(&err)
			}
			w.mu.Unlock()
		})
	}
	w.mu.Unlock()
}

func (w *Worker) end() {
	w.mu.Lock()
	w.active = false
	if w.timer != nil {
		w.timer.Stop()
		w.timer = nil
	}
	w.vm.ClearInterrupt()
	w.intr.Store(nil)
	w.mu.Unlock()
}

// guard runs f as one interruptible call into the VM.
func (w *Worker) guard(f func() error) error {
	w.begin()
	defer w.end()
	return f()
}

// useExports finds the map function (and setup, teardown) in what the main module exported, and
// runs setup.
func (w *Worker) useExports(exports goja.Value) (err error) {
	defer func() {
		// Looking at the exports can throw: a Proxy's trap, a revoked Proxy.
		if r := recover(); r != nil {
			ex := w.vm.Try(func() { panic(r) })
			if ex == nil {
				panic(r)
			}
			err = w.p.loadError(w.vm, ex)
		}
	}()
	p := w.p
	bad := func(msg string) error {
		return &LoadError{File: p.name, Msg: msg,
			Hint: "export the function: module.exports = (item, index) => ..., or an object { map(item, index) {...}, setup() {...}, teardown() {...} }"}
	}
	if fn, ok := goja.AssertFunction(exports); ok {
		w.fn = fn
		w.this = goja.Undefined()
		return nil
	}
	obj, ok := exports.(*goja.Object)
	if !ok || exports == nil || goja.IsNull(exports) {
		what := "undefined"
		if exports != nil {
			what = inspectValue(w.vm, exports)
		}
		return bad("the script exports no function (module.exports is " + what + ")")
	}
	w.this = obj
	get := func(name string) (goja.Callable, error) {
		v := obj.Get(name)
		if v == nil || goja.IsUndefined(v) {
			return nil, nil
		}
		fn, ok := goja.AssertFunction(v)
		if !ok {
			return nil, bad(fmt.Sprintf("module.exports.%s is not a function (it is %s)", name, inspectValue(w.vm, v)))
		}
		return fn, nil
	}
	if w.fn, err = get("map"); err != nil {
		return err
	}
	if w.fn == nil {
		if w.fn, err = get("default"); err != nil {
			return err
		}
	}
	if w.fn == nil {
		return bad("the script exports no function (module.exports is " + inspectValue(w.vm, obj) + ", with no map method)")
	}
	setup, err := get("setup")
	if err != nil {
		return err
	}
	if w.teardown, err = get("teardown"); err != nil {
		return err
	}
	if setup != nil {
		err := w.guard(func() error {
			v, err := setup(w.this)
			if err == nil {
				_, err = w.settle(v)
			}
			return err
		})
		if err != nil {
			se := w.scriptError(err)
			return &LoadError{File: p.name, Msg: "setup failed: " + se.Message, Stack: se.Stack(), Hint: se.Hint, Err: se}
		}
	}
	return nil
}

// loadError describes an exception thrown while the main module ran.
func (p *Program) loadError(vm *goja.Runtime, err error) error {
	var le *LoadError
	if ex, thrown := err.(*goja.Exception); !thrown && errors.As(err, &le) {
		return le
	} else if thrown && errors.As(unwrapThrown(ex), &le) {
		return le // a module that require() could not load: point into it
	}
	se := p.scriptError(vm, err)
	out := &LoadError{File: p.name, Msg: se.Message, Stack: se.Stack(), Hint: se.Hint, Err: se}
	// Point at the innermost position in a script file.
	for _, f := range se.Frames {
		if f.File != "" {
			out.File, out.Line, out.Column = f.File, f.Line, f.Column
			break
		}
	}
	return out
}

// Map calls the script's function on one element (JSON text) with its index and appends the JSON of
// the result to dst. A returned Promise is awaited. A result JSON cannot write (undefined, a
// function) is written as null and reported with an *Undefined warning. Errors are *ScriptError.
//
// in must not be modified afterwards: the objects the script is given read their members from it
// when they are first used, which may be later if the script keeps them.
func (w *Worker) Map(ctx context.Context, index int64, in []byte, dst []byte) (out []byte, err error) {
	defer func() {
		// Whatever the script does, a Go panic does not escape: it fails the element.
		if r := recover(); r != nil {
			out, err = dst, &ScriptError{Message: fmt.Sprintf("internal error: %v", r), Hint: "this is a bug in jsmap: please report it"}
		}
	}()
	if err := w.ctx.Err(); err != nil {
		return dst, context.Cause(w.ctx)
	}
	var item goja.Value
	if w.p.lazy {
		item, err = w.dec.decodeLazy(in)
	} else {
		item, err = w.dec.decode(in)
	}
	if err != nil {
		return dst, err
	}
	w.begin()
	defer w.end()
	ret, err := w.fn(w.this, item, w.vm.ToValue(index))
	if err == nil {
		ret, err = w.settle(ret)
	}
	if err != nil {
		return dst, w.scriptError(err)
	}
	if ret == nil || goja.IsUndefined(ret) {
		if w.p.opts.Filter {
			return append(dst, "false"...), &Undefined{Index: index, What: "undefined"}
		}
		return append(dst, "null"...), &Undefined{Index: index, What: "undefined"}
	}
	if w.p.opts.Filter {
		if ret.ToBoolean() {
			return append(dst, "true"...), nil
		}
		return append(dst, "false"...), nil
	}
	out, ok, err := w.enc.encodeValue(dst, ret)
	if err != nil {
		var intr *goja.InterruptedError
		var so *goja.StackOverflowError
		if _, thrown := err.(*goja.Exception); !thrown && !errors.As(err, &intr) && !errors.As(err, &so) {
			// Stopped in the middle of encoding: a timeout or a stopped run.
			se := &ScriptError{Message: "interrupted: " + err.Error(), Cause: err}
			if errors.Is(err, ErrTimeout) {
				se.Message = fmt.Sprintf("timed out after %s", formatDuration(w.p.opts.Timeout))
				se.Hint = "--timeout sets the time one element may take"
			}
			return dst, se
		}
		return dst, w.scriptError(err)
	}
	if !ok {
		// A function or a symbol: JSON.stringify gives undefined.
		return append(dst, "null"...), &Undefined{Index: index, What: "a " + typeName(ret) + ", which JSON has no form for"}
	}
	return out, nil
}

func typeName(v goja.Value) string {
	if _, ok := v.(*goja.Object); ok {
		return "function"
	}
	return "symbol"
}

// Undefined is what Map returns, with null (false with Options.Filter) appended to dst, for a
// result JSON cannot write (undefined, a function, a symbol). It is a warning, not a failure: an engine that knows warnings
// (IsWarning) writes the null and tells the user; a forgotten return is the usual cause.
type Undefined struct {
	Index int64
	What  string // "undefined", or what the value was
}

func (u *Undefined) Error() string {
	return fmt.Sprintf("element %d: the function returned %s", u.Index, u.What)
}

// IsWarning marks Undefined as a warning for the engine.
func (u *Undefined) IsWarning() bool { return true }

// settle waits for a returned Promise. goja runs promise jobs when the outermost call returns, so
// with no timers or I/O a Promise is settled by then or never.
func (w *Worker) settle(v goja.Value) (goja.Value, error) {
	obj, ok := v.(*goja.Object)
	if !ok || obj.ExportType() != promiseType {
		return v, nil
	}
	pr := obj.Export().(*goja.Promise)
	switch pr.State() {
	case goja.PromiseStateFulfilled:
		return pr.Result(), nil
	case goja.PromiseStateRejected:
		reason := pr.Result()
		// Rethrow the reason to get an exception with the stack the error was created with.
		if ex := w.vm.Try(func() { panic(reason) }); ex != nil {
			return nil, ex
		}
		return nil, &ScriptError{Message: describeThrown(w.vm, reason)}
	}
	return nil, &ScriptError{
		Message: "the Promise returned for this element never settled",
		Hint:    "jsmap scripts have no timers or I/O, so a Promise can only settle through other Promises",
	}
}

// Close runs the script's teardown (unless the worker was stopped) and releases the VM.
func (w *Worker) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	defer func() {
		if w.stopCtx != nil {
			w.stopCtx()
		}
	}()
	if w.teardown == nil || w.ctx.Err() != nil {
		return nil
	}
	err := w.guard(func() error {
		v, err := w.teardown(w.this)
		if err == nil {
			_, err = w.settle(v)
		}
		return err
	})
	if err != nil {
		se := w.scriptError(err)
		return fmt.Errorf("teardown failed in worker %d: %w", w.id, se)
	}
	return nil
}

// runModule runs a compiled module in this VM and returns its exports. Modules run once per VM.
func (w *Worker) runModule(m *module) (goja.Value, error) {
	if m.err != nil {
		return nil, m.err
	}
	vm := w.vm
	mod := vm.NewObject()
	exports := vm.NewObject()
	mod.Set("exports", exports)
	mod.Set("id", m.name)
	mod.Set("filename", m.path)
	mod.Set("loaded", false)
	w.modules[m.path] = mod
	if m.json != nil {
		v, err := w.dec.decode(m.json)
		if err != nil {
			return nil, err
		}
		mod.Set("exports", v)
	} else {
		wrapper, err := vm.RunProgram(m.prg)
		if err != nil {
			return nil, err
		}
		call, ok := goja.AssertFunction(wrapper)
		if !ok {
			return nil, errors.New("module wrapper is not a function")
		}
		dir := filepath.Dir(m.path)
		if _, err := call(exports, exports, vm.ToValue(w.requireFunc(m.path)), mod, vm.ToValue(m.path), vm.ToValue(dir)); err != nil {
			delete(w.modules, m.path)
			return nil, err
		}
	}
	mod.Set("loaded", true)
	return mod.Get("exports"), nil
}

// unwrapThrown returns the Go error a thrown GoError carries, if any (goja's Unwrap can panic on
// exotic thrown values, such as a revoked Proxy).
func unwrapThrown(ex *goja.Exception) (err error) {
	defer func() {
		if recover() != nil {
			err = nil
		}
	}()
	return ex.Unwrap()
}
