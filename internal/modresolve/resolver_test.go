package modresolve

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// writeTree creates files under base. A value starting with "-> " makes a
// symbolic link to the rest of the value; a key ending in "/" makes a folder.
func writeTree(t *testing.T, base string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(base, filepath.FromSlash(name))
		if strings.HasSuffix(name, "/") {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if target, ok := strings.CutPrefix(content, "-> "); ok {
			if err := os.Symlink(target, p); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// fixture builds the test tree and returns its real base folder, the script
// folder and a Resolver rooted there.
func fixture(t *testing.T) (base, scripts string, r *Resolver) {
	t.Helper()
	base, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	writeTree(t, base, map[string]string{
		"secret.js":                     "secret",
		"node_modules/anc/index.js":     "",
		"node_modules/anc/package.json": `{"name":"anc"}`,
		"proj/secret2.js":               "",
		"proj/outpkg/index.js":          "",

		"proj/scripts/clean.js":                             "",
		"proj/scripts/helper.js":                            "",
		"proj/scripts/noext":                                "",
		"proj/scripts/data.json":                            "{}",
		"proj/scripts/onlycjs.cjs":                          "",
		"proj/scripts/lib/index.js":                         "",
		"proj/scripts/lib/util.js":                          "",
		"proj/scripts/jsononly/index.json":                  "{}",
		"proj/scripts/withmain/package.json":                `{"main":"lib/entry"}`,
		"proj/scripts/withmain/lib/entry.js":                "",
		"proj/scripts/withmain/index.js":                    "",
		"proj/scripts/maindir/package.json":                 `{"main":"./src"}`,
		"proj/scripts/maindir/src/index.js":                 "",
		"proj/scripts/nomain/package.json":                  `{"name":"nomain","main":""}`,
		"proj/scripts/nomain/index.js":                      "",
		"proj/scripts/badmain/package.json":                 `{"main":"missing.js"}`,
		"proj/scripts/depmain/package.json":                 `{"main":"missing.js"}`,
		"proj/scripts/depmain/index.js":                     "",
		"proj/scripts/badjson/package.json":                 `{"main": `,
		"proj/scripts/escmain/package.json":                 `{"main":"../../secret2.js"}`,
		"proj/scripts/thing.js":                             "",
		"proj/scripts/thing/index.js":                       "",
		"proj/scripts/dir.js/index.js":                      "",
		"proj/scripts/empty/":                               "",
		"proj/scripts/sub/deep.js":                          "",
		"proj/scripts/link-out.js":                          "-> ../../secret.js",
		"proj/scripts/link-abs-out.js":                      "-> " + filepath.Join(base, "secret.js"),
		"proj/scripts/link-dangling-out.js":                 "-> /nonexistent-jsmap/x.js",
		"proj/scripts/link-in.js":                           "-> lib/util.js",
		"proj/scripts/link-abs-in.js":                       "-> " + filepath.Join(base, "proj/scripts/helper.js"),
		"proj/scripts/linkdir":                              "-> lib",
		"proj/scripts/linkdir-out":                          "-> ../..",
		"proj/scripts/link-to-anc":                          "-> ../../node_modules/anc",
		"proj/scripts/loop1":                                "-> loop2",
		"proj/scripts/loop2":                                "-> loop1",
		"proj/scripts/selfloop":                             "-> selfloop",
		"proj/scripts/fifo-ish/":                            "",
		"proj/scripts/node_modules/plain/index.js":          "",
		"proj/scripts/node_modules/plain/extra.js":          "",
		"proj/scripts/node_modules/single.js":               "",
		"proj/scripts/node_modules/mainpkg/package.json":    `{"main":"dist/main.js"}`,
		"proj/scripts/node_modules/mainpkg/dist/main.js":    "",
		"proj/scripts/node_modules/@scope/pkg/package.json": `{"main":"main.js"}`,
		"proj/scripts/node_modules/@scope/pkg/main.js":      "",
		"proj/scripts/node_modules/@scope/pkg/sub/file.js":  "",
		"proj/scripts/node_modules/expstr/package.json":     `{"exports":"./e.js"}`,
		"proj/scripts/node_modules/expstr/e.js":             "",
		"proj/scripts/node_modules/expstr/other.js":         "",
		"proj/scripts/node_modules/expcond/package.json":    `{"exports":{"import":"./esm.mjs","require":"./cjs.cjs","default":"./d.js"}}`,
		"proj/scripts/node_modules/expcond/cjs.cjs":         "",
		"proj/scripts/node_modules/expcond/d.js":            "",
		"proj/scripts/node_modules/expdef/package.json":     `{"exports":{"import":"./esm.mjs","default":"./d.js"}}`,
		"proj/scripts/node_modules/expdef/d.js":             "",
		"proj/scripts/node_modules/expsub/package.json": `{"main":"ignored.js","exports":{
			".":{"node":"./n.js","default":"./d.js"},
			"./feature":{"require":"./f.js"},
			"./nested":{"node":{"import":"./x.mjs","require":"./nested.js"}},
			"./esm-only":{"import":"./x.mjs"},
			"./fallback":["./n.js"],
			"./lib/*":"./src/*.js",
			"./lib/special/*":"./special/*.js",
			"./private/*":null,
			"./missing":"./nope.js",
			"./bad":"../secret.js",
			"./package.json":"./package.json"}}`,
		"proj/scripts/node_modules/expsub/n.js":                        "",
		"proj/scripts/node_modules/expsub/d.js":                        "",
		"proj/scripts/node_modules/expsub/f.js":                        "",
		"proj/scripts/node_modules/expsub/nested.js":                   "",
		"proj/scripts/node_modules/expsub/ignored.js":                  "",
		"proj/scripts/node_modules/expsub/src/a.js":                    "",
		"proj/scripts/node_modules/expsub/src/deep/b.js":               "",
		"proj/scripts/node_modules/expsub/special/s.js":                "",
		"proj/scripts/node_modules/expsub/private/p.js":                "",
		"proj/scripts/node_modules/expsub/hidden.js":                   "",
		"proj/scripts/node_modules/nested/index.js":                    "",
		"proj/scripts/node_modules/nested/lib/own.js":                  "",
		"proj/scripts/node_modules/nested/node_modules/inner/index.js": "",
		"proj/scripts/node_modules/self/package.json":                  `{"name":"self","exports":{".":"./main.js","./x":"./x.js"}}`,
		"proj/scripts/node_modules/self/main.js":                       "",
		"proj/scripts/node_modules/self/x.js":                          "",
		"proj/scripts/node_modules/self/lib/inner.js":                  "",
		"proj/scripts/node_modules/evil/package.json":                  `{"main":"../../../../secret.js"}`,
		"proj/scripts/node_modules/outlink":                            "-> ../../outpkg",
		"proj/scripts/node_modules/events/index.js":                    "",
		"proj/scripts/node_modules/fs/":                                "",
	})
	scripts = filepath.Join(base, "proj", "scripts")
	r, err = New(scripts)
	if err != nil {
		t.Fatal(err)
	}
	return base, scripts, r
}

func TestNewRoots(t *testing.T) {
	base, scripts, r := fixture(t)
	want := []string{scripts, filepath.Join(scripts, "node_modules"), filepath.Join(base, "node_modules")}
	if got := r.Roots(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Roots() = %v, want %v", got, want)
	}
	if _, err := New(filepath.Join(base, "nope")); err == nil {
		t.Error("New of a missing folder succeeded")
	}
	if _, err := New(filepath.Join(base, "secret.js")); err == nil {
		t.Error("New of a file succeeded")
	}
}

func TestResolve(t *testing.T) {
	base, scripts, r := fixture(t)
	clean := filepath.Join(scripts, "clean.js")
	type tc struct {
		name     string
		from     string // relative to scripts; default clean.js
		spec     string
		want     string // relative to scripts
		wantKind Kind   // when an error is expected
		wantMsg  string // substring of the error message
	}
	tests := []tc{
		{name: "relative with extension", spec: "./helper.js", want: "helper.js"},
		{name: "relative without extension", spec: "./helper", want: "helper.js"},
		{name: "file without extension", spec: "./noext", want: "noext"},
		{name: "json", spec: "./data.json", want: "data.json"},
		{name: "json without extension", spec: "./data", want: "data.json"},
		{name: "cjs without extension", spec: "./onlycjs", want: "onlycjs.cjs"},
		{name: "directory index.js", spec: "./lib", want: "lib/index.js"},
		{name: "directory trailing slash", spec: "./lib/", want: "lib/index.js"},
		{name: "directory index.json", spec: "./jsononly", want: "jsononly/index.json"},
		{name: "dot", from: "lib/util.js", spec: ".", want: "lib/index.js"},
		{name: "dotdot", from: "sub/deep.js", spec: "..", wantKind: NotFound},
		{name: "parent inside folder", from: "sub/deep.js", spec: "../helper", want: "helper.js"},
		{name: "main without extension", spec: "./withmain", want: "withmain/lib/entry.js"},
		{name: "main directory", spec: "./maindir", want: "maindir/src/index.js"},
		{name: "empty main", spec: "./nomain", want: "nomain/index.js"},
		{name: "missing main", spec: "./badmain", wantKind: NotFound, wantMsg: `"main" in ./badmain/package.json names 'missing.js', which does not exist`},
		{name: "missing main falls back to index", spec: "./depmain", want: "depmain/index.js"},
		{name: "invalid package.json", spec: "./badjson", wantKind: BadPackage, wantMsg: "invalid JSON in ./badjson/package.json"},
		{name: "main escaping", spec: "./escmain", wantKind: Outside, wantMsg: filepath.Join(base, "proj/secret2.js") + " is outside the script's folder"},
		{name: "file named like a directory", spec: "./thing", want: "thing.js"},
		{name: "directory named like a file", spec: "./dir.js", want: "dir.js/index.js"},
		{name: "empty directory", spec: "./empty", wantKind: NotFound},
		{name: "file used as directory", spec: "./helper.js/x", wantKind: NotFound},
		{name: "absolute inside", spec: filepath.Join(scripts, "helper"), want: "helper.js"},
		{name: "absolute outside", spec: filepath.Join(base, "secret.js"), wantKind: Outside},
		{name: "absolute outside missing", spec: "/nonexistent-jsmap/x", wantKind: Outside},
		{name: "escape with dotdot", spec: "../../secret.js", wantKind: Outside},
		{name: "escape to sibling", spec: "../secret2", wantKind: Outside},
		{name: "escape and return", spec: "../scripts/helper", want: "helper.js"},
		{name: "escape through subfolder", spec: "./lib/../../secret2.js", wantKind: Outside},
		{name: "symlink out", spec: "./link-out.js", wantKind: Outside, wantMsg: "is a symbolic link to " + filepath.Join(base, "secret.js") + ", which is outside"},
		{name: "symlink out without extension", spec: "./link-out", wantKind: Outside},
		{name: "absolute symlink out", spec: "./link-abs-out", wantKind: Outside},
		{name: "dangling symlink out", spec: "./link-dangling-out", wantKind: Outside},
		{name: "symlink in", spec: "./link-in", want: "lib/util.js"},
		{name: "absolute symlink in", spec: "./link-abs-in.js", want: "helper.js"},
		{name: "symlinked directory", spec: "./linkdir/util", want: "lib/util.js"},
		{name: "symlinked directory index", spec: "./linkdir", want: "lib/index.js"},
		{name: "symlinked directory out", spec: "./linkdir-out/secret.js", wantKind: Outside},
		{name: "symlink into ancestor node_modules", spec: "./link-to-anc", want: "../../node_modules/anc/index.js"},
		{name: "symlink loop", spec: "./loop1", wantKind: SymlinkLoop, wantMsg: "too many levels of symbolic links"},
		{name: "self symlink loop", spec: "./selfloop", wantKind: SymlinkLoop},
		{name: "missing", spec: "./nope", wantKind: NotFound},
		{name: "package index", spec: "plain", want: "node_modules/plain/index.js"},
		{name: "package subpath", spec: "plain/extra", want: "node_modules/plain/extra.js"},
		{name: "package from subfolder", from: "sub/deep.js", spec: "plain", want: "node_modules/plain/index.js"},
		{name: "single-file package", spec: "single", want: "node_modules/single.js"},
		{name: "package main", spec: "mainpkg", want: "node_modules/mainpkg/dist/main.js"},
		{name: "ancestor node_modules", spec: "anc", want: "../../node_modules/anc/index.js"},
		{name: "scoped package", spec: "@scope/pkg", want: "node_modules/@scope/pkg/main.js"},
		{name: "scoped subpath", spec: "@scope/pkg/sub/file", want: "node_modules/@scope/pkg/sub/file.js"},
		{name: "missing package", spec: "nopkg", wantKind: NotFound},
		{name: "exports string", spec: "expstr", want: "node_modules/expstr/e.js"},
		{name: "exports string hides subpaths", spec: "expstr/other.js", wantKind: NotExported, wantMsg: "'./other.js' is not exported by package 'expstr'"},
		{name: "exports conditions", spec: "expcond", want: "node_modules/expcond/cjs.cjs"},
		{name: "exports default", spec: "expdef", want: "node_modules/expdef/d.js"},
		{name: "exports dot node", spec: "expsub", want: "node_modules/expsub/n.js"},
		{name: "exports subpath", spec: "expsub/feature", want: "node_modules/expsub/f.js"},
		{name: "exports nested conditions", spec: "expsub/nested", want: "node_modules/expsub/nested.js"},
		{name: "exports fallback array", spec: "expsub/fallback", want: "node_modules/expsub/n.js"},
		{name: "exports pattern", spec: "expsub/lib/a", want: "node_modules/expsub/src/a.js"},
		{name: "exports pattern deep", spec: "expsub/lib/deep/b", want: "node_modules/expsub/src/deep/b.js"},
		{name: "exports more specific pattern", spec: "expsub/lib/special/s", want: "node_modules/expsub/special/s.js"},
		{name: "exports pattern escape", spec: "expsub/lib/../../secret", wantKind: BadPackage},
		{name: "exports null", spec: "expsub/private/p", wantKind: NotExported, wantMsg: "excludes './private/p'"},
		{name: "exports import only", spec: "expsub/esm-only", wantKind: NotExported, wantMsg: "only under conditions require() does not use (import)"},
		{name: "exports not listed", spec: "expsub/hidden.js", wantKind: NotExported},
		{name: "exports missing target", spec: "expsub/missing", wantKind: NotFound, wantMsg: "maps './missing' to './nope.js', which does not exist"},
		{name: "exports invalid target", spec: "expsub/bad", wantKind: BadPackage, wantMsg: "invalid \"exports\" target '../secret.js'"},
		{name: "exports package.json", spec: "expsub/package.json", want: "node_modules/expsub/package.json"},
		{name: "nested node_modules", from: "node_modules/nested/index.js", spec: "inner", want: "node_modules/nested/node_modules/inner/index.js"},
		{name: "nested package reaches outer", from: "node_modules/nested/index.js", spec: "plain", want: "node_modules/plain/index.js"},
		{name: "nested not visible from outside", spec: "inner", wantKind: NotFound},
		{name: "package relative file", from: "node_modules/nested/index.js", spec: "./lib/own", want: "node_modules/nested/lib/own.js"},
		{name: "package relative escape into script folder", from: "node_modules/nested/index.js", spec: "../../helper", want: "helper.js"},
		{name: "package self-reference", from: "node_modules/self/lib/inner.js", spec: "self/x", want: "node_modules/self/x.js"},
		{name: "package self-reference main", from: "node_modules/self/lib/inner.js", spec: "self", want: "node_modules/self/main.js"},
		{name: "package main escaping", spec: "evil", wantKind: Outside},
		{name: "package symlinked outside", spec: "outlink", wantKind: Outside, wantMsg: "through the symbolic link " + filepath.Join(scripts, "node_modules/outlink") + ", to " + filepath.Join(base, "proj/outpkg")},
		{name: "directory symlinked outside", spec: "./linkdir-out/proj/secret2", wantKind: Outside, wantMsg: "resolves, through the symbolic link " + filepath.Join(scripts, "linkdir-out") + ", to " + filepath.Join(base, "proj/secret2") + ", which is outside"},
		{name: "bare spec escaping", spec: "plain/../../../secret2", wantKind: Outside},
		{name: "builtin", spec: "fs", wantKind: Builtin},
		{name: "builtin node:", spec: "node:fs", wantKind: Builtin},
		{name: "builtin subpath", spec: "fs/promises", wantKind: Builtin},
		{name: "node: only builtin", spec: "node:test", wantKind: Builtin},
		{name: "builtin child_process", spec: "child_process", wantKind: Builtin},
		{name: "builtin shadowing package", spec: "events", wantKind: Builtin, wantMsg: "require('events/') loads the installed package"},
		{name: "package shadowed by builtin", spec: "events/", want: "node_modules/events/index.js"},
		{name: "not builtin", spec: "test", wantKind: NotFound},
		{name: "empty spec", spec: "", wantKind: Invalid},
		{name: "imports", spec: "#internal", wantKind: Invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from := clean
			if tt.from != "" {
				from = filepath.Join(scripts, filepath.FromSlash(tt.from))
			}
			got, err := r.Resolve(from, tt.spec)
			if tt.wantKind != 0 {
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("Resolve(%q) = %q, %v; want an *Error of kind %d", tt.spec, got, err, tt.wantKind)
				}
				if e.Kind != tt.wantKind {
					t.Errorf("Resolve(%q) error kind %d, want %d: %v", tt.spec, e.Kind, tt.wantKind, err)
				}
				if !strings.Contains(err.Error(), tt.wantMsg) {
					t.Errorf("Resolve(%q) error %q does not contain %q", tt.spec, err, tt.wantMsg)
				}
				if got != "" {
					t.Errorf("Resolve(%q) returned %q with an error", tt.spec, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("Resolve(%q): %v", tt.spec, err)
			}
			want := filepath.Join(scripts, filepath.FromSlash(tt.want))
			if got != want {
				t.Errorf("Resolve(%q) = %s, want %s", tt.spec, got, want)
			}
		})
	}
}

func TestErrorMessages(t *testing.T) {
	base, scripts, r := fixture(t)
	clean := filepath.Join(scripts, "clean.js")
	rootsNote := "(modules load only from " + scripts + " and node_modules)"
	tests := []struct {
		from, spec, want string
	}{
		{clean, "./nohelper", "cannot find module './nohelper' from " + clean +
			" (tried ./nohelper, ./nohelper.js, ./nohelper.json, ./nohelper.cjs, ./nohelper/index.js, ./nohelper/index.json)"},
		{clean, "../secret2.js", "require('../secret2.js') from " + clean + ": " +
			filepath.Join(base, "proj/secret2.js") + " is outside the script's folder " + rootsNote},
		{clean, "fs", "require('fs'): 'fs' is a Node.js built-in module; jsmap scripts have no filesystem, network or process access"},
		{clean, "node:path", "require('node:path'): 'node:path' is a Node.js built-in module; jsmap scripts have no filesystem, network or process access"},
		{clean, "nopkg", "cannot find module 'nopkg' from " + clean + " (searched ./node_modules, ../../node_modules)"},
		{clean, "./link-out.js", "require('./link-out.js') from " + clean + ": " + filepath.Join(scripts, "link-out.js") +
			" is a symbolic link to " + filepath.Join(base, "secret.js") + ", which is outside the script's folder " + rootsNote},
		{clean, "./loop1", "require('./loop1') from " + clean + ": " + filepath.Join(scripts, "loop1") +
			": too many levels of symbolic links (is there a symlink loop?)"},
	}
	for _, tt := range tests {
		_, err := r.Resolve(tt.from, tt.spec)
		if err == nil || err.Error() != tt.want {
			t.Errorf("Resolve(%q):\n got %v\nwant %s", tt.spec, err, tt.want)
		}
	}
	var e *Error
	_, err := r.Resolve(clean, "./nohelper")
	if !errors.As(err, &e) || e.Code() != "MODULE_NOT_FOUND" || len(e.Tried) != 6 || e.Tried[0] != filepath.Join(scripts, "nohelper") {
		t.Errorf("not-found error fields: %#v", e)
	}
}

func TestNoNodeModules(t *testing.T) {
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	writeTree(t, dir, map[string]string{"s/main.js": ""})
	r, err := New(filepath.Join(dir, "s"))
	if err != nil {
		t.Fatal(err)
	}
	from := filepath.Join(dir, "s", "main.js")
	_, err = r.Resolve(from, "lodash")
	want := "cannot find module 'lodash' from " + from + "; there is no node_modules folder in " + filepath.Join(dir, "s") + " or its parent folders; is the package installed?"
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

// TestSymlinkedRoots covers a script folder reached through a symbolic link
// and a node_modules folder that is a symbolic link to a shared folder.
func TestSymlinkedRoots(t *testing.T) {
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	writeTree(t, dir, map[string]string{
		"real/main.js":          "",
		"real/node_modules":     "-> ../shared",
		"shared/pkg/index.js":   "",
		"shared/pkg/escape.js":  "",
		"shared-sibling/x.js":   "",
		"link":                  "-> real",
		"real/lib/via-nm.js":    "-> ../node_modules/pkg/index.js",
		"shared/pkg/up":         "-> ../../shared-sibling",
		"real/lib/outside.json": "-> ../../shared-sibling/x.js",
	})
	r, err := New(filepath.Join(dir, "link"))
	if err != nil {
		t.Fatal(err)
	}
	real, shared := filepath.Join(dir, "real"), filepath.Join(dir, "shared")
	if got := r.Roots(); len(got) != 2 || got[0] != real || got[1] != shared {
		t.Fatalf("Roots() = %v", got)
	}
	// from given through the symbolic link
	from := filepath.Join(dir, "link", "main.js")
	for spec, want := range map[string]string{
		"pkg":                       filepath.Join(shared, "pkg/index.js"),
		"./lib/via-nm":              filepath.Join(shared, "pkg/index.js"),
		"./main":                    filepath.Join(real, "main.js"),
		"./node_modules/pkg/escape": filepath.Join(shared, "pkg/escape.js"),
	} {
		got, err := r.Resolve(from, spec)
		if err != nil || got != want {
			t.Errorf("Resolve(%q) = %q, %v; want %q", spec, got, err, want)
		}
	}
	for _, spec := range []string{"pkg/up/x", "./lib/outside.json", "../shared-sibling/x.js"} {
		_, err := r.Resolve(from, spec)
		var e *Error
		if !errors.As(err, &e) || e.Kind != Outside {
			t.Errorf("Resolve(%q): %v; want an Outside error", spec, err)
		}
	}
	// A module in the shared node_modules requires relative to its real path.
	got, err := r.Resolve(filepath.Join(shared, "pkg/index.js"), "./escape")
	if err != nil || got != filepath.Join(shared, "pkg/escape.js") {
		t.Errorf("Resolve from shared package = %q, %v", got, err)
	}
	// A requiring module outside the roots is refused.
	if _, err := r.Resolve(filepath.Join(dir, "shared-sibling/x.js"), "./y"); err == nil {
		t.Error("Resolve from outside the roots succeeded")
	}
}

// TestNeverOutside throws awkward specs at the Resolver and checks that
// whatever resolves lies inside the roots.
func TestNeverOutside(t *testing.T) {
	base, scripts, r := fixture(t)
	froms := []string{
		filepath.Join(scripts, "clean.js"),
		filepath.Join(scripts, "sub/deep.js"),
		filepath.Join(scripts, "node_modules/nested/lib/own.js"),
		filepath.Join(base, "node_modules/anc/index.js"),
	}
	specs := []string{
		"..", "../..", "../../..", "../../../..", "/", "/etc/passwd", base, filepath.Join(base, "proj"),
		"./linkdir-out", "./linkdir-out/proj/secret2", "./linkdir-out/proj/scripts/helper",
		"plain/../..", "plain/../../..", "@scope/../../../secret", "anc/../../secret",
		"./node_modules/../../secret2", "nested/node_modules/inner/../../../../../secret",
		"./link-to-anc/../../secret", "./link-to-anc/../..", "expsub/lib/%2e%2e/%2e%2e/secret",
		"expsub/lib/..%2f..%2fsecret", "./loop1/x",
	}
	inside := func(p string) bool {
		for _, root := range r.Roots() {
			if within(root, p) {
				return true
			}
		}
		return false
	}
	for _, from := range froms {
		for _, spec := range specs {
			got, err := r.Resolve(from, spec)
			if err == nil && !inside(got) {
				t.Errorf("Resolve(%s, %q) = %s, outside the roots", from, spec, got)
			}
			if err != nil && !strings.HasPrefix(err.Error(), "require(") && !strings.HasPrefix(err.Error(), "cannot find module") {
				t.Errorf("Resolve(%s, %q): unexpected message %v", from, spec, err)
			}
		}
	}
}

func TestConcurrentResolve(t *testing.T) {
	_, scripts, r := fixture(t)
	clean := filepath.Join(scripts, "clean.js")
	specs := []string{"./helper", "./lib", "plain", "@scope/pkg/sub/file", "expsub/lib/a", "./link-out.js", "anc", "fs", "./nope", "./loop1"}
	type result struct {
		path string
		err  string
	}
	want := make([]result, len(specs))
	for i, s := range specs {
		p, err := r.Resolve(clean, s)
		want[i] = result{p, fmt.Sprint(err)}
	}
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < 20; n++ {
				for i, s := range specs {
					p, err := r.Resolve(clean, s)
					if got := (result{p, fmt.Sprint(err)}); got != want[i] {
						t.Errorf("concurrent Resolve(%q) = %v, want %v", s, got, want[i])
						return
					}
				}
			}
		}()
	}
	wg.Wait()
}

func TestSplitPackage(t *testing.T) {
	for spec, want := range map[string]string{
		"pkg":          "pkg|",
		"pkg/a/b":      "pkg|/a/b",
		"@s/pkg":       "@s/pkg|",
		"@s/pkg/a":     "@s/pkg|/a",
		"@s":           "@s|",
		".hidden":      "",
		"@s/.hidden/x": "@s|/.hidden/x", // as Node.js's EXPORTS_PATTERN splits it
		"a%20b":        "",
		"pkg/":         "pkg|/",
	} {
		name, sub, ok := splitPackage(spec)
		got := ""
		if ok {
			got = name + "|" + sub
		}
		if got != want {
			t.Errorf("splitPackage(%q) = %q, want %q", spec, got, want)
		}
	}
}

func TestIsBuiltin(t *testing.T) {
	for _, s := range []string{"fs", "node:fs", "path", "http", "child_process", "worker_threads", "node:test", "fs/promises", "util"} {
		if !IsBuiltin(s) {
			t.Errorf("IsBuiltin(%q) = false", s)
		}
	}
	for _, s := range []string{"test", "lodash", "fs/", "./fs", "fsx", ""} {
		if IsBuiltin(s) {
			t.Errorf("IsBuiltin(%q) = true", s)
		}
	}
}
