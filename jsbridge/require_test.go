package jsbridge_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jsmap/jsmap/jsbridge"
)

// TestRequireTree loads testdata/require/main.js: a relative file, a .json file, a package with
// package.json "main", a package with index.js, a package found from a subfolder, and a require
// cycle. The expected output is node's.
func TestRequireTree(t *testing.T) {
	p := mustLoad(t, "testdata/require/main.js", jsbridge.Options{})
	out, err := callMap(t, mustWorker(t, p), 0, `21`)
	const want = `{"twice":42,"fromLib":"pkg","data":{"1":3,"name":"data","list":[1,2,{"__proto__":3}],"b":1,"a":2},` +
		`"pkg":{"name":"pkg","helper":"helper","version":"1.0.0"},"plain":"plain","cycle":{"a1":1,"a2":2,"bSaw":"{\"a1\":1}"},` +
		`"sameModule":true,"sameJSON":true}`
	if err != nil || out != want {
		t.Errorf("got  %s, %v\nwant %s", out, err, want)
	}
}

// requireTree is a script folder app/ with modules inside it and a file outside it.
func requireTree(t *testing.T) (root, app string) {
	root = realTempDir(t)
	writeTree(t, root, map[string]string{
		"outside.js":                         "module.exports = 'outside'",
		"outside/pkg/index.js":               "module.exports = 'outside pkg'",
		"app/lib/util.js":                    "exports.twice = x => x * 2",
		"app/lib/alias.js":                   "symlink:util.js",
		"app/link.js":                        "symlink:../outside.js",
		"app/linkdir":                        "symlink:../outside",
		"app/data.json":                      "\ufeff{\"k\": [1, 2]}",
		"app/bad.json":                       "{\n \"k\": [1, 2,]\n}",
		"app/syntax.js":                      "module.exports = (;",
		"app/throws.js":                      "globalThis.loads = (globalThis.loads || 0) + 1;\nthrow new RangeError('module broke ' + loads)",
		"app/throwsstr.js":                   "throw 'plain string'",
		"app/counted.js":                     "console.log('loading counted.js'); module.exports = {n: 0}",
		"app/deep/er/mod.js":                 "module.exports = require('../../lib/util').twice(5)",
		"app/node_modules/good/package.json": `{"main": "main.js"}`,
		"app/node_modules/good/main.js":      "module.exports = 'good'",
		"app/node_modules/evil/package.json": `{"main": "../../../outside.js"}`,
		"app/node_modules/@scope/p/index.js": "module.exports = '@scope/p'",
		"app/main.js":                        "module.exports = (spec) => require(spec)",
	})
	return root, filepath.Join(root, "app")
}

func TestRequire(t *testing.T) {
	root, app := requireTree(t)
	p := mustLoad(t, filepath.Join(app, "main.js"), jsbridge.Options{Stderr: &lockedBuffer{}})
	w := mustWorker(t, p)
	for _, c := range []struct {
		spec    string
		want    string // the output, or
		wantErr string // the start of the error message
	}{
		{spec: "./lib/util.js", want: `{}`}, // functions are left out
		{spec: "./deep/er/mod", want: `10`},
		{spec: "./lib/alias", want: `{}`}, // a symbolic link inside the folder is fine
		{spec: "./data.json", want: `{"k":[1,2]}`},
		{spec: "./data", want: `{"k":[1,2]}`},
		{spec: "good", want: `"good"`},
		{spec: "@scope/p", want: `"@scope/p"`},
		{spec: filepath.Join(app, "lib", "util.js"), want: `{}`}, // an absolute path inside the folder
		{spec: "./nope", wantErr: "Error: cannot find module './nope'"},
		{spec: "nopkg", wantErr: "Error: cannot find module 'nopkg'"},
		{spec: "../outside", wantErr: "Error: require('../outside') from "},
		{spec: "../outside.js", wantErr: "Error: require('../outside.js') from "},
		{spec: "./lib/../../outside", wantErr: "Error: require('./lib/../../outside') from "},
		{spec: filepath.Join(root, "outside.js"), wantErr: "Error: require('" + filepath.Join(root, "outside.js") + "') from "},
		{spec: "/etc/passwd", wantErr: "Error: require('/etc/passwd') from "},
		{spec: "./link", wantErr: "Error: require('./link') from "},
		{spec: "./linkdir/pkg", wantErr: "Error: require('./linkdir/pkg') from "},
		{spec: "evil", wantErr: "Error: require('evil') from "},
		{spec: "./throws", wantErr: "RangeError: module broke 1"},
		{spec: "./throwsstr", wantErr: "Uncaught 'plain string'"},
		{spec: "./syntax", wantErr: "Error: "},
		{spec: "./bad.json", wantErr: "Error: "},
	} {
		out, err := callMap(t, w, 0, quoteJS(c.spec))
		if c.wantErr == "" {
			if err != nil || out != c.want {
				t.Errorf("require(%q): got %s, %v; want %s", c.spec, out, err, c.want)
			}
			continue
		}
		if err == nil {
			t.Errorf("require(%q): got %s, want error %q", c.spec, out, c.wantErr)
			continue
		}
		se := scriptError(t, err)
		if !strings.HasPrefix(se.Message, c.wantErr) {
			t.Errorf("require(%q): error %q, want %q...", c.spec, se.Message, c.wantErr)
		}
		if strings.Contains(c.wantErr, "from ") && !strings.Contains(se.Message, "outside the script's folder") {
			t.Errorf("require(%q): error %q does not say the module is outside the script's folder", c.spec, se.Message)
		}
	}
}

func quoteJS(s string) string {
	return `"` + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`) + `"`
}

// TestRequireDetails checks what the script can see of require's work, against node's behaviour.
func TestRequireDetails(t *testing.T) {
	_, app := requireTree(t)
	t.Chdir(app) // an expression resolves from the current folder
	opts, stderr := withStderr(jsbridge.Options{})
	for _, c := range []struct{ expr, want string }{
		// Errors are Errors with node's codes.
		{`x => { try { require('./nope') } catch (e) { return [e instanceof Error, e.name, e.code] } }`, `[true,"Error","MODULE_NOT_FOUND"]`},
		{`x => { try { require('../outside') } catch (e) { return [e instanceof Error, e.code] } }`, `[true,"ERR_JSMAP_MODULE_OUTSIDE_ROOTS"]`},
		{`x => { try { require('./link') } catch (e) { return /symbolic link/.test(e.message) } }`, `true`},
		// A module that throws while loading throws its own error, and runs again on the next require (as in node).
		{`x => { const r = []; for (let i = 0; i < 2; i++) try { require('./throws') } catch (e) { r.push(e instanceof RangeError, e.message) } return r }`,
			`[true,"module broke 1",true,"module broke 2"]`},
		// A module that failed to compile reports where, and says SyntaxError.
		{`x => { try { require('./syntax') } catch (e) { return [e instanceof Error, e.name, /syntax\.js:1:19: SyntaxError: Unexpected token ;/.test(e.message)] } }`,
			`[true,"Error",true]`},
		{`x => { try { require('./bad.json') } catch (e) { return [e.name, /bad\.json:2:13/.test(e.message)] } }`, `["Error",true]`},
		// Modules are cached per VM; .json modules are shared objects too.
		{`x => { require('./data.json').added = 1; return require('./data') }`, `{"k":[1,2],"added":1}`},
		{`x => require('./counted') === require('./counted.js')`, `true`},
		{`x => [module.id, module.loaded, typeof module.exports, __filename === __dirname + '/<expression>']`, `["<expression>",true,"function",true]`},
		{`x => require('./main.js')('./lib/util').twice(4)`, `8`},
		// require needs a string.
		{`x => { try { require(42) } catch (e) { return [e.name, e.message] } }`, `["TypeError","The \"id\" argument must be of type string. Received 42"]`},
		{`x => { try { require() } catch (e) { return e.name } }`, `"TypeError"`},
		{`x => { try { require('') } catch (e) { return e.name } }`, `"Error"`},
	} {
		out, err := mapExpr(t, c.expr, `0`, opts)
		if err != nil || out != c.want {
			t.Errorf("%s: got %s, %v; want %s", c.expr, out, err, c.want)
		}
	}
	// counted.js ran once in that VM, although required twice.
	if n := strings.Count(stderr.String(), "loading counted.js"); n != 1 {
		t.Errorf("counted.js loaded %d times", n)
	}
}

// TestRequireOncePerWorker: a module's top level runs once in each VM that requires it.
func TestRequireOncePerWorker(t *testing.T) {
	_, app := requireTree(t)
	opts, stderr := withStderr(jsbridge.Options{})
	p := mustLoad(t, filepath.Join(app, "main.js"), opts)
	for id := range 3 {
		w, err := p.NewWorker(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		for range 3 {
			if out, err := callMap(t, w, 0, `"./counted"`); err != nil || out != `{"n":0}` {
				t.Fatalf("got %s, %v", out, err)
			}
		}
		w.Close()
	}
	if n := strings.Count(stderr.String(), "loading counted.js"); n != 3 {
		t.Errorf("counted.js loaded %d times by 3 workers", n)
	}
}

// TestRequireThrowsStack: the stack of an error thrown by a module being loaded shows the module.
func TestRequireThrowsStack(t *testing.T) {
	_, app := requireTree(t)
	t.Chdir(app)
	_, err := mapExpr(t, "x =>\n  require('./throws')", `0`, jsbridge.Options{})
	se := scriptError(t, err)
	if want := "    at throws.js:2:7\n    at <expression>:2:10"; se.Stack() != want {
		t.Errorf("stack\n%s\nwant\n%s", se.Stack(), want)
	}
}

// TestRequireAtLoad: a module that cannot be required at the top level makes a LoadError.
func TestRequireAtLoad(t *testing.T) {
	_, app := requireTree(t)
	writeTree(t, app, map[string]string{
		"top-throws.js":  "const u = require('./lib/util');\nrequire('./throws')\nmodule.exports = x => x",
		"top-outside.js": "require('../outside.js')\nmodule.exports = x => x",
		"top-syntax.js":  "require('./syntax')\nmodule.exports = x => x",
	})
	for file, want := range map[string]string{
		"top-throws.js":  "RangeError: module broke 1",
		"top-outside.js": "Error: require('../outside.js') from ",
		"top-syntax.js":  "SyntaxError: Unexpected token ;",
	} {
		_, err := jsbridge.Load(filepath.Join(app, file), jsbridge.Options{})
		le := loadError(t, err)
		if !strings.HasPrefix(le.Msg, want) {
			t.Errorf("%s: %q, want %q...", file, le.Msg, want)
		}
		if file == "top-syntax.js" && (!strings.HasSuffix(le.File, "syntax.js") || le.File == file || le.Line != 1 || le.Column != 19) {
			t.Errorf("%s: %v does not point into the module with the syntax error (syntax.js:1:19)", file, err)
		}
		if le.Line == 0 {
			t.Errorf("%s: no position in %v", file, err)
		}
	}
}
