package jsbridge_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jsmap/jsmap/jsbridge"
)

// loadErrCase is a script that must fail to load. Positions are the user's: the CommonJS wrapper
// (and for expressions the text around them) must not shift columns on line 1 nor lines. Where node
// reports a position for the same text, it is the same.
type loadErrCase struct {
	src        string
	line, col  int    // 0: no position
	msg        string // LoadError.Msg starts with this
	hint       string // LoadError.Hint contains this ("" : no check)
	stack      string // LoadError.Stack contains this, with NAME standing for the file ("" : no check)
	unexported bool   // the message is about exports (then a hint must say how to export)
}

var loadFileErrCases = []loadErrCase{
	// Syntax errors, on line 1 (where the wrapper adds text) and later lines.
	{src: "module.exports = (x) => { return x +; }", line: 1, col: 37, msg: "SyntaxError: Unexpected token ;"},
	{src: "// c\n\nmodule.exports = (x) => {\n  return x +* 1;\n}", line: 4, col: 13, msg: "SyntaxError: Unexpected token *"},
	{src: "module.exports = function (x) {", line: 1, col: 32, msg: "SyntaxError: unexpected end of input"},
	{src: "module.exports = function (x) {\n  return x", line: 2, col: 11, msg: "SyntaxError: unexpected end of input"},
	{src: "#!/usr/bin/env node\nmodule.exports = x => x +;", line: 2, col: 26, msg: "SyntaxError: Unexpected token ;"},
	{src: "\tmodule.exports = x => x +;", line: 1, col: 27, msg: "SyntaxError: Unexpected token ;"},
	// ESM syntax gets a hint.
	{src: "export default function (x) { return x }", line: 1, col: 1, msg: "SyntaxError: ", hint: "CommonJS"},
	{src: "import fs from 'fs'\nmodule.exports = x => x", line: 1, col: 1, msg: "SyntaxError: ", hint: "CommonJS"},
	{src: "const f = x => x\nexport {f}", line: 2, msg: "SyntaxError: ", hint: "CommonJS"},
	// Exceptions while the top level runs: the position is the throw's, as node gives it.
	{src: "const a = 1; null.x;", line: 1, col: 19, msg: "TypeError: Cannot read property 'x' of undefined", stack: "    at NAME:1:19"},
	{src: "const a = 1;\n  undefined.foo;", line: 2, col: 13, msg: "TypeError: Cannot read property 'foo' of undefined", stack: "    at NAME:2:13"},
	{src: "throw new Error('boom')", line: 1, col: 7, msg: "Error: boom", stack: "    at NAME:1:7"},
	{src: "\n\n   throw new Error('boom')", line: 3, col: 10, msg: "Error: boom"},
	{src: "module.exports = x => x; throw 'str'", line: 1, col: 26, msg: "Uncaught 'str'"},
	{src: "module.exports = x => x; notDefined", line: 1, col: 26, msg: "ReferenceError: notDefined is not defined"},
	{src: "function f() {\n  return g()\n}\nfunction g() { throw new RangeError('deep') }\nf()", line: 4, col: 22, msg: "RangeError: deep",
		stack: "    at g (NAME:4:22)\n    at f (NAME:2:11)\n    at NAME:5:2"}, // goja points at a call's "(", node at the callee
	// A missing module at the top level.
	{src: "require('./nope')\nmodule.exports = x => x", line: 1, col: 8, msg: "Error: cannot find module './nope'"},
	{src: "const fs = require('fs')", line: 1, col: 19, msg: "Error: require('fs'): 'fs' is a Node.js built-in module"},
	// Nothing to call.
	{src: "module.exports = 42", msg: "the script exports no function (module.exports is 42)", unexported: true},
	{src: "module.exports = {}", msg: "the script exports no function (module.exports is {}, with no map method)", unexported: true},
	{src: "", msg: "the script exports no function", unexported: true},
	{src: "exports.map = 1", msg: "module.exports.map is not a function (it is 1)", unexported: true},
	{src: "module.exports = {map: x => x, setup: 'no'}", msg: "module.exports.setup is not a function", unexported: true},
	{src: "module.exports = {map: x => x, teardown: {}}", msg: "module.exports.teardown is not a function", unexported: true},
	{src: "module.exports = null", msg: "the script exports no function (module.exports is null)", unexported: true},
	{src: "module.exports = 'x => x'", msg: "the script exports no function", unexported: true},
	// setup failing, synchronously or not.
	{src: "module.exports = {map: x => x, setup() { throw new Error('s') }}", msg: "setup failed: Error: s", stack: "    at setup (NAME:1:48)"},
	{src: "module.exports = {map: x => x, setup() { return Promise.reject(new TypeError('async setup')) }}", msg: "setup failed: TypeError: async setup"},
	{src: "module.exports = {map: x => x, async setup() { await null; throw 'late' }}", msg: "setup failed: Uncaught 'late'"},
	{src: "module.exports = {map: x => x, setup: () => new Promise(() => {})}", msg: "setup failed: the Promise returned for this element never settled"},
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	for i, c := range loadFileErrCases {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			file := filepath.Join(dir, fmt.Sprintf("script%d.js", i))
			if err := os.WriteFile(file, []byte(c.src), 0o644); err != nil {
				t.Fatal(err)
			}
			p, err := jsbridge.Load(file, jsbridge.Options{Stderr: &lockedBuffer{}})
			if err == nil {
				p.Close()
				t.Fatalf("%q loaded", c.src)
			}
			checkLoadError(t, err, c, file)
		})
	}
}

var loadExprErrCases = []loadErrCase{
	{src: "x => x +", line: 1, col: 9, msg: "SyntaxError: unexpected end of input"},
	{src: "x => )", line: 1, col: 6, msg: "SyntaxError: Unexpected token )"},
	{src: "x => x.a +* 2", line: 1, col: 11, msg: "SyntaxError: Unexpected token *"},
	{src: "x =>\n  x.a +* 2", line: 2, col: 8, msg: "SyntaxError: Unexpected token *"},
	{src: "x =>\n  x +", line: 2, col: 6, msg: "SyntaxError: unexpected end of input"},
	{src: "x => {", line: 1, col: 7, msg: "SyntaxError: unexpected end of input"},
	{src: "export default x => x", line: 1, col: 1, msg: "SyntaxError: ", hint: "CommonJS"},
	{src: "(() => { throw new Error('top') })()", line: 1, col: 16, msg: "Error: top", stack: "    at NAME:1:16"},
	{src: "notDefined", line: 1, col: 1, msg: "ReferenceError: notDefined is not defined"},
	{src: "0,\n  notDefined", line: 2, col: 3, msg: "ReferenceError: notDefined is not defined"},
	{src: "require('./nope')", line: 1, col: 8, msg: "Error: cannot find module './nope'"},
	{src: "42", msg: "the script exports no function (module.exports is 42)", unexported: true},
	{src: "{map: 1}", msg: "module.exports.map is not a function (it is 1)", unexported: true},
	{src: "({map: x => x, setup() { throw new Error('s') }})", msg: "setup failed: Error: s", stack: "    at setup (NAME:1:32)"},
}

func TestLoadExprErrors(t *testing.T) {
	for i, c := range loadExprErrCases {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			p, err := jsbridge.LoadExpr(c.src, jsbridge.Options{Stderr: &lockedBuffer{}})
			if err == nil {
				p.Close()
				t.Fatalf("%q loaded", c.src)
			}
			checkLoadError(t, err, c, jsbridge.ExprName)
		})
	}
}

func checkLoadError(t *testing.T, err error, c loadErrCase, file string) {
	t.Helper()
	le := loadError(t, err)
	if le.File != file {
		t.Errorf("%q: File %q, want %q", c.src, le.File, file)
	}
	if le.Line != c.line || (c.col != 0 && le.Column != c.col) {
		t.Errorf("%q: position %d:%d, want %d:%d (%v)", c.src, le.Line, le.Column, c.line, c.col, err)
	}
	if !strings.HasPrefix(le.Msg, c.msg) {
		t.Errorf("%q: Msg %q, want %q...", c.src, le.Msg, c.msg)
	}
	if c.hint != "" && !strings.Contains(le.Hint, c.hint) {
		t.Errorf("%q: Hint %q, want it to contain %q", c.src, le.Hint, c.hint)
	}
	if c.hint == "" && strings.Contains(le.Hint, "CommonJS") {
		t.Errorf("%q: unexpected ESM hint %q", c.src, le.Hint)
	}
	if c.unexported && !strings.Contains(le.Hint, "module.exports =") {
		t.Errorf("%q: Hint %q does not say how to export the function", c.src, le.Hint)
	}
	if c.stack != "" {
		if want := strings.ReplaceAll(c.stack, "NAME", file); !strings.Contains(le.Stack, want) {
			t.Errorf("%q: Stack\n%s\nwant it to contain\n%s", c.src, le.Stack, want)
		}
	}
	// Error() is file:line:col: msg.
	want := file + ": " + le.Msg
	if le.Line > 0 {
		want = fmt.Sprintf("%s:%d:%d: %s", file, le.Line, le.Column, le.Msg)
	}
	if err.Error() != want {
		t.Errorf("%q: Error() %q, want %q", c.src, err.Error(), want)
	}
}

func TestLoadUnreadable(t *testing.T) {
	file := filepath.Join(t.TempDir(), "missing.js")
	_, err := jsbridge.Load(file, jsbridge.Options{})
	le := loadError(t, err)
	if le.File != file || !strings.Contains(le.Msg, "cannot read the script") || !os.IsNotExist(le.Err) {
		t.Errorf("got %#v", le)
	}
	if !strings.Contains(err.Error(), "no such file") {
		t.Errorf("Error() %q does not say why", err.Error())
	}
}

func TestLoadBadArgs(t *testing.T) {
	for _, args := range []string{`[1]`, `1`, `"s"`, `null`, `{"a":`, `{"a":1} x`, `not json`} {
		_, err := jsbridge.LoadExpr(`x => x`, jsbridge.Options{Args: []byte(args)})
		if le := loadError(t, err); !strings.Contains(le.Msg, "Args is not a JSON object") {
			t.Errorf("Args %s: %v", args, err)
		}
	}
}

// TestRuntimeErrorPositions checks the stack of an error thrown while mapping: "    at fn (file:L:C)",
// innermost first, with the user's columns on line 1 and later lines, for Load and LoadExpr alike.
func TestRuntimeErrorPositions(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		src   string
		expr  bool
		msg   string
		stack string // NAME stands for the file
	}{
		{src: "function f(x) {\n  return x.a.b\n}\nmodule.exports = f", msg: "TypeError: Cannot read property 'b' of undefined",
			stack: "    at f (NAME:2:14)"},
		{src: "module.exports = function map(x) { return x.a.b }", msg: "TypeError: Cannot read property 'b' of undefined",
			stack: "    at map (NAME:1:47)"},
		{src: "module.exports = {map(x) { return g(x) }}; function g(x) {\n  return x.q.r }", msg: "TypeError: Cannot read property 'r' of undefined",
			stack: "    at g (NAME:2:14)\n    at map (NAME:1:36)"},
		{src: "#!/usr/bin/env node\nmodule.exports = x => { throw new Error('e') }", msg: "Error: e", stack: "    at NAME:2:31"},
		{src: "x => x.a.b", expr: true, msg: "TypeError: Cannot read property 'b' of undefined", stack: "    at NAME:1:10"},
		{src: "x =>\n  x.a.b", expr: true, msg: "TypeError: Cannot read property 'b' of undefined", stack: "    at NAME:2:7"},
		{src: "function f(x) { return [x].map(function g(y) { return y.a.b }) }", expr: true, msg: "TypeError: Cannot read property 'b' of undefined",
			stack: "    at g (NAME:1:59)\n    at map (native)\n    at f (NAME:1:31)"},
		{src: "(x) => { throw new Error('e') }", expr: true, msg: "Error: e", stack: "    at NAME:1:16"},
	}
	for i, c := range cases {
		var p *jsbridge.Program
		name := jsbridge.ExprName
		if c.expr {
			p = mustLoadExpr(t, c.src, jsbridge.Options{})
		} else {
			name = filepath.Join(dir, fmt.Sprintf("script%d.js", i))
			if err := os.WriteFile(name, []byte(c.src), 0o644); err != nil {
				t.Fatal(err)
			}
			p = mustLoad(t, name, jsbridge.Options{})
		}
		_, err := callMap(t, mustWorker(t, p), 0, `{}`)
		se := scriptError(t, err)
		if se.Message != c.msg {
			t.Errorf("%q: Message %q, want %q", c.src, se.Message, c.msg)
		}
		if want := strings.ReplaceAll(c.stack, "NAME", name); se.Stack() != want {
			t.Errorf("%q: Stack()\n%s\nwant\n%s", c.src, se.Stack(), want)
		}
		if se.Error() != se.Message {
			t.Errorf("%q: Error() %q differs from Message", c.src, se.Error())
		}
	}
}
