// Package runtime is jsmap's engine: it maps workers over the elements of JSON inputs in parallel and
// writes the results in input order. It knows nothing of JavaScript (it is unrelated to the standard
// library package of the same name, which it imports as goruntime); package jsbridge provides workers
// that run a script, and any Go type that implements Worker works as well.
//
// The flow of one element:
//
//	inputs ─► splitter ─► slabs of whole elements ─► N workers ─► ordered emitter ─► output
//
// The splitter scans input bytes for element boundaries (a top-level array or a stream of values)
// and cuts them into slabs of about 64 KiB; it never decodes or holds the whole input. Workers claim
// chunks of consecutive elements from the oldest slab (chunks shrink as a slab runs out, so slow
// elements spread over all workers); each element is validated (strict RFC 8259) and passed to
// Worker.Map. The emitter writes finished slabs in input order. At most 2×workers+4 slabs are in
// flight, so memory is bounded by that window, not by the input size.
//
// With one worker, Run takes a serial path on the calling goroutine (no hand-off between goroutines)
// that writes byte-identical output.
//
// Failures are handled in input order: under the Fail policy the run ends at the first failing
// element (the one with the lowest index among those mapped): nothing after it starts, workers busy
// with later elements are interrupted (their context is cancelled), and everything before it is
// written. Malformed input always ends the run there, whatever the policy.
//
// Costs: the engine's own overhead is a few tens of nanoseconds per element (see BenchmarkEngine);
// the rest is the workers' and the validator's.
package runtime
