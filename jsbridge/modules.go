package jsbridge

import (
	"errors"
	"strconv"
	"strings"

	"github.com/dop251/goja"

	"github.com/jsmap/jsmap/internal/inspect"
	"github.com/jsmap/jsmap/internal/jsontext"
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
	if err := w.installJSON(); err != nil {
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
			e := vm.NewGoError(m.err)
			e.Set("message", msg)
			e.Set("name", "Error") // not goja's "GoError": the script sees an Error like node's
			panic(e)
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

// installJSON replaces JSON.parse and JSON.stringify with jsmap's own decoder and encoder: the same
// results, faster, and with nesting bounded (goja's recursive versions could exhaust the Go stack on
// very deep values). A reviver or replacer still goes to goja's versions, after a depth check.
func (w *Worker) installJSON() error {
	vm := w.vm
	json, ok := vm.Get("JSON").(*goja.Object)
	if !ok {
		return errors.New("no JSON object")
	}
	origParse, _ := goja.AssertFunction(json.Get("parse"))
	origStringify := w.enc.stringify
	syntaxError, _ := vm.Get("SyntaxError").(*goja.Object)
	maxDepth := w.p.opts.MaxDepth
	throwSyntax := func(msg string) {
		if syntaxError != nil {
			if e, err := vm.New(syntaxError, vm.ToValue(msg)); err == nil {
				panic(e)
			}
		}
		panic(vm.NewTypeError(msg))
	}
	rethrow := func(v goja.Value, err error) goja.Value {
		if err != nil {
			panic(err)
		}
		return v
	}
	parse := func(call goja.FunctionCall) goja.Value {
		text := []byte(call.Argument(0).String())
		if err := jsontext.Validate(text, maxDepth); err != nil {
			msg := err.Error()
			var se *jsontext.SyntaxError
			if errors.As(err, &se) {
				if strings.HasPrefix(msg, "nesting depth exceeds") {
					// Valid JSON, but deeper than values may be here: a RangeError, as for stringify.
					w.enc.rangeErr("Maximum call stack size exceeded: JSON.parse of a value nested more than " + strconv.Itoa(maxDepth) + " levels deep")
				}
				msg += " in JSON at position " + strconv.Itoa(se.Offset)
			}
			throwSyntax(msg)
		}
		if _, ok := goja.AssertFunction(call.Argument(1)); ok {
			return rethrow(origParse(call.This, call.Arguments...))
		}
		var d decoder
		d.init(vm)
		d.define = w.dec.define
		v, err := d.decode(text)
		if err != nil {
			throwSyntax(err.Error())
		}
		return v
	}
	stringify := func(call goja.FunctionCall) goja.Value {
		replacer := call.Argument(1)
		inner := encoder{vm: vm, maxDepth: maxDepth, stringify: origStringify, rangeError: w.enc.rangeError, bigintTo: w.enc.bigintTo, isArray: w.enc.isArray}
		if keys, ok := w.replacerKeys(replacer); ok {
			// An array of keys: written here too, so that the 512 MiB bound, the depth bound and
			// interrupts apply as without a replacer.
			inner.listed, inner.keys = true, keys
		} else if !goja.IsUndefined(replacer) && !goja.IsNull(replacer) {
			if _, ok := replacer.(*goja.Object); ok {
				// Check the depth first: goja's own version recurses without a bound.
				if _, _, err := inner.encodeValue(nil, call.Argument(0)); err != nil {
					var ex *goja.Exception
					if errors.As(err, &ex) && strings.Contains(ex.Error(), "nested more than") {
						panic(err)
					}
				}
				return rethrow(origStringify(call.This, call.Arguments...))
			}
		}
		out, ok, err := inner.encodeValue(nil, call.Argument(0))
		if err != nil {
			panic(err)
		}
		if !ok {
			return goja.Undefined()
		}
		if indent := indentOf(call.Argument(2)); indent != "" {
			out = jsontext.Indent(nil, out, "", indent)
		}
		return vm.ToValue(string(out))
	}
	if err := json.Set("parse", parse); err != nil {
		return err
	}
	return json.Set("stringify", stringify)
}

// replacerKeys reads JSON.stringify's replacer when it is an array: its strings and numbers (and
// String and Number objects) as keys, first occurrence first. ok is false for anything else, and for
// keys a Go string cannot hold (lone surrogates), which the VM's own JSON.stringify then writes.
func (w *Worker) replacerKeys(replacer goja.Value) (keys []string, ok bool) {
	obj, isObj := replacer.(*goja.Object)
	if !isObj || w.enc.isArray == nil {
		return nil, false
	}
	if _, isFn := goja.AssertFunction(obj); isFn {
		return nil, false
	}
	if r, err := w.enc.isArray(goja.Undefined(), obj); err != nil {
		panic(err)
	} else if !r.ToBoolean() {
		return nil, false
	}
	n := obj.Get("length").ToInteger()
	keys = []string{}
	seen := map[string]bool{}
	for i := int64(0); i < n; i++ {
		v := obj.Get(indexKey(i))
		var k string
		switch x := v.(type) {
		case nil:
			continue
		case *goja.Object:
			if c := x.ClassName(); c != "String" && c != "Number" {
				continue
			}
			k = x.String()
		default:
			if !goja.IsString(v) && !goja.IsNumber(v) {
				continue
			}
			k = v.String()
		}
		if strings.Contains(k, "\uFFFD") {
			return nil, false
		}
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	return keys, true
}

// indentOf is JSON.stringify's space argument as an indent string (at most 10 characters).
func indentOf(space goja.Value) string {
	if space == nil || goja.IsUndefined(space) || goja.IsNull(space) {
		return ""
	}
	if obj, ok := space.(*goja.Object); ok {
		switch obj.ClassName() {
		case "Number":
			space = obj.ToNumber()
		case "String":
			space = obj.ToString()
		default:
			return ""
		}
	}
	if goja.IsNumber(space) {
		n := space.ToInteger()
		if n < 1 {
			return ""
		}
		return strings.Repeat(" ", int(min(n, 10)))
	}
	if goja.IsString(space) {
		s := []rune(space.String())
		if len(s) > 10 {
			s = s[:10]
		}
		return string(s)
	}
	return ""
}
