package inspect

import (
	"testing"

	"github.com/dop251/goja"
)

func benchValue(b *testing.B, src string) (*goja.Runtime, goja.Value) {
	b.Helper()
	vm := goja.New()
	v, err := vm.RunString(src)
	if err != nil {
		b.Fatal(err)
	}
	return vm, v
}

func BenchmarkFormatString(b *testing.B) {
	vm := goja.New()
	args := []goja.Value{vm.ToValue("processing record 12345 of the input stream")}
	b.ReportAllocs()
	for b.Loop() {
		_ = Format(vm, args)
	}
}

func BenchmarkFormatStringArgs(b *testing.B) {
	vm := goja.New()
	args := []goja.Value{vm.ToValue("%s is %d years"), vm.ToValue("Bob"), vm.ToValue(42), vm.ToValue(true)}
	b.ReportAllocs()
	for b.Loop() {
		_ = Format(vm, args)
	}
}

func BenchmarkFormatObject(b *testing.B) {
	vm, v := benchValue(b, `({ id: 1, name: "alice", tags: ["a", "b"], nested: { ok: true, score: 1.5 } })`)
	args := []goja.Value{v}
	b.ReportAllocs()
	for b.Loop() {
		_ = Format(vm, args)
	}
}

func BenchmarkFormatSmallObject(b *testing.B) {
	vm, v := benchValue(b, `({ a: 1, b: "x" })`)
	args := []goja.Value{v}
	b.ReportAllocs()
	for b.Loop() {
		_ = Format(vm, args)
	}
}

func BenchmarkFormatArray100(b *testing.B) {
	vm, v := benchValue(b, `Array.from({ length: 100 }, (_, i) => i)`)
	args := []goja.Value{v}
	b.ReportAllocs()
	for b.Loop() {
		_ = Format(vm, args)
	}
}

// BenchmarkFormatDynamicObject prints a Go-backed object, the form parsed
// input records take.
func BenchmarkFormatDynamicObject(b *testing.B) {
	vm := goja.New()
	rec := vm.NewDynamicObject(&testDynObject{
		keys: []string{"id", "name", "score", "ok"},
		vals: map[string]goja.Value{"id": vm.ToValue(1), "name": vm.ToValue("alice"), "score": vm.ToValue(1.5), "ok": vm.ToValue(true)},
	})
	args := []goja.Value{rec}
	b.ReportAllocs()
	for b.Loop() {
		_ = Format(vm, args)
	}
}
