// Package inspect renders JavaScript values held in a goja runtime the way
// Node.js prints them: Format mirrors util.format (and therefore console.log),
// Inspect mirrors util.inspect with node's default options (depth 2,
// breakLength 80, compact 3, maxArrayLength 100, maxStringLength 10000).
//
// jsmap scripts call console.log/info/warn/error/debug; the runtime passes
// the call's arguments to Format and writes the result to stderr, so a script
// produces the same diagnostics under jsmap as under node.
//
// The implementation is a port of node v20's lib/internal/util/inspect.js
// (formatValue, formatRaw, formatProperty, groupArrayElements,
// reduceToSingleString, formatError, formatWithOptionsInternal, ...). It reads
// values from Go wherever goja allows it and calls into the VM only for what
// Go cannot see (property descriptors, Map/Set contents, JSON.stringify, user
// toString for %s). Every such call is guarded: an exception thrown by script
// code never escapes Format or Inspect, and user getters are not invoked when
// printing properties (they print as [Getter], [Setter] or [Getter/Setter]).
// Proxies are printed through their target without running any trap.
//
// Format is meant to be called while the VM runs a script (from the Go
// implementation of console.log). Called from Go outside any script, the
// calls it makes into the VM may run pending promise jobs, as every call of
// a goja.Callable made there does.
//
// If the VM is interrupted (goja's Runtime.Interrupt) while Format runs script
// code, formatting stops early and the interrupt is re-armed with the same
// value, so the script is still aborted as soon as control returns to it.
//
// Known differences from node, all caused by what goja exposes or implements:
//
//   - Error stacks: goja writes frames as "\tat f (file:1:2(3))"; they are
//     rewritten to node's "    at f (file:1:2)" layout. Frame contents
//     (names, file names, positions) are whatever goja recorded.
//   - Map and Set iterators print as "Object [Map Iterator] {}" because their
//     remaining entries cannot be previewed without consuming them.
//   - WeakMap and WeakSet always print "<items unknown>", also with %o.
//   - DataView prints as a plain "DataView {}".
//   - Objects whose prototype chain ends in a null-prototype object print
//     "Object <...>" where V8 may use the name of the constructor that created
//     them.
//   - Functions: the async/generator kind is taken from the prototype's
//     Symbol.toStringTag; with %o (showHidden) the hidden own properties are
//     goja's (length, name, prototype), not V8's (which adds arguments and
//     caller).
//   - [util.inspect.custom] methods are not called.
//   - String widths used for column alignment follow node's non-ICU width
//     table (East Asian wide and emoji ranges count 2 columns).
//   - %j of a value JSON.stringify rejects (other than a cycle) prints the
//     error text in brackets instead of throwing out of console.log.
package inspect
