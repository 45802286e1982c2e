package jsbridge

import (
	"errors"
	"sync"

	"github.com/dop251/goja"
)

// goja resumes a generator that delegates with yield* to another one by a nested Go call that its
// call-depth limit does not count, so function* g() { yield* g() } would recurse on the Go stack
// until the process dies, and an interrupt (a timeout, Ctrl-C) in there takes minutes to unwind.
// guardGenerators wraps %GeneratorPrototype%.next so that generators nested more than a limit deep
// throw RangeError: Maximum call stack size exceeded, as in node (whose limit is about 4,000).

// maxGeneratorDepth bounds the nesting of generator resumptions; each level takes about 13 KiB of
// Go stack.
func maxGeneratorDepth(maxCallStack int) int {
	return min(4000, maxCallStack)
}

var generatorProto = sync.OnceValues(func() (*goja.Program, error) {
	return goja.Compile("", `Object.getPrototypeOf(function* () {}).prototype`, true)
})

func (w *Worker) guardGenerators() error {
	vm := w.vm
	prg, err := generatorProto()
	if err != nil {
		return err
	}
	v, err := vm.RunProgram(prg)
	if err != nil {
		return err
	}
	proto, ok := v.(*goja.Object)
	if !ok {
		return errors.New("no generator prototype")
	}
	orig, ok := goja.AssertFunction(proto.Get("next"))
	if !ok {
		return errors.New("no generator next method")
	}
	rangeError := vm.Get("RangeError")
	limit := maxGeneratorDepth(w.p.opts.MaxCallStackSize)
	depth := 0
	next := vm.ToValue(func(call goja.FunctionCall) goja.Value {
		if depth >= limit {
			obj, err := vm.New(rangeError, vm.ToValue("Maximum call stack size exceeded"))
			if err != nil {
				panic(err)
			}
			panic(obj)
		}
		depth++
		defer func() { depth-- }()
		r, err := orig(call.This, call.Arguments...)
		if err != nil {
			// A thrown value (*goja.Exception) goes on with its stack; an interrupt or a stack
			// overflow goes on as one.
			panic(err)
		}
		return r
	}).(*goja.Object)
	if err := next.DefineDataProperty("name", vm.ToValue("next"), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
		return err
	}
	if err := next.DefineDataProperty("length", vm.ToValue(1), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
		return err
	}
	return proto.DefineDataProperty("next", next, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}
