package jsbridge

import (
	"errors"
	"strings"

	"github.com/dop251/goja"

	"github.com/jsmap/jsmap/internal/inspect"
	"github.com/jsmap/jsmap/internal/modresolve"
)

// installGlobals gives the VM what a script may use beyond the language: console, args.
// There is no require for the filesystem, no process, no timers, no network.
func (w *Worker) installGlobals() error {
	vm := w.vm
	console := vm.NewObject()
	logf := func(call goja.FunctionCall) goja.Value {
		w.p.writeLine(inspect.Format(vm, call.Arguments))
		return goja.Undefined()
	}
	for _, name := range []string{"log", "info", "debug", "warn", "error"} {
		console.Set(name, logf)
	}
	console.Set("dir", func(call goja.FunctionCall) goja.Value {
		w.p.writeLine(inspect.Inspect(vm, call.Argument(0)))
		return goja.Undefined()
	})
	console.Set("trace", func(call goja.FunctionCall) goja.Value {
		msg := "Trace"
		if len(call.Arguments) > 0 {
			msg += ": " + inspect.Format(vm, call.Arguments)
		}
		se := &ScriptError{Frames: w.p.frames(vm.CaptureCallStack(0, nil))}
		if st := se.Stack(); st != "" {
			msg += "\n" + st
		}
		w.p.writeLine(msg)
		return goja.Undefined()
	})
	console.Set("assert", func(call goja.FunctionCall) goja.Value {
		if call.Argument(0).ToBoolean() {
			return goja.Undefined()
		}
		msg := "Assertion failed"
		if len(call.Arguments) > 1 {
			msg += ": " + inspect.Format(vm, call.Arguments[1:])
		}
		w.p.writeLine(msg)
		return goja.Undefined()
	})
	if err := vm.Set("console", console); err != nil {
		return err
	}
	args, err := w.dec.decode(w.p.args)
	if err != nil {
		return err
	}
	return vm.Set("args", args)
}

// requireFunc returns the require function of the module at from.
func (w *Worker) requireFunc(from string) func(goja.FunctionCall) goja.Value {
	vm := w.vm
	return func(call goja.FunctionCall) goja.Value {
		spec := call.Argument(0)
		if !goja.IsString(spec) {
			panic(vm.NewTypeError("The \"id\" argument must be of type string. Received " + inspect.Inspect(vm, spec)))
		}
		path, err := w.p.resolver.Resolve(from, spec.String())
		if err != nil {
			e := vm.NewGoError(err)
			var re *modresolve.Error
			if errors.As(err, &re) {
				e.Set("code", re.Code())
			}
			e.Set("message", err.Error())
			e.Set("name", "Error")
			panic(e)
		}
		if mod := w.modules[path]; mod != nil {
			return mod.Get("exports") // loaded, or loading (a require cycle, as in node)
		}
		m := w.p.module(path)
		if m.err != nil {
			msg := m.err.Error()
			var le *LoadError
			if errors.As(m.err, &le) {
				msg = le.Error()
				if le.Hint != "" {
					msg += " (" + le.Hint + ")"
				}
			}
			if strings.HasSuffix(path, ".json") || le != nil {
				panic(vm.NewGoError(errors.New(msg)))
			}
			panic(vm.NewGoError(m.err))
		}
		v, err := w.runModule(m)
		if err != nil {
			if isUncatchable(err) {
				panic(err) // an interrupt or a stack overflow must not become catchable
			}
			var ex *goja.Exception
			if errors.As(err, &ex) {
				panic(ex) // rethrow as is: the stack stays the module's
			}
			panic(vm.NewGoError(err))
		}
		return v
	}
}

// inspectValue renders a value as console.log would.
func inspectValue(vm *goja.Runtime, v goja.Value) string {
	return inspect.Inspect(vm, v)
}

// isUncatchable reports whether err is one of goja's exceptions that script code cannot catch.
func isUncatchable(err error) bool {
	var intr *goja.InterruptedError
	var so *goja.StackOverflowError
	return errors.As(err, &intr) || errors.As(err, &so)
}
