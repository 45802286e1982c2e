package modresolve

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Resolver finds the file a require(spec) call from a module names. Safe for
// concurrent use.
type Resolver struct {
	scriptDir string   // real path of the script's folder
	roots     []string // real paths: scriptDir, then node_modules folders from nearest to farthest
}

// New returns a Resolver rooted at scriptDir: modules may be loaded from
// scriptDir (and below it) and from any node_modules folder in scriptDir or
// one of its ancestors (and below those). Roots are compared by real path
// (symlinks resolved). The node_modules folders are those that exist when New
// is called; the ancestors are those of scriptDir's real path, where Node.js
// looks for packages when the script is run from there.
func New(scriptDir string) (*Resolver, error) {
	abs, err := filepath.Abs(scriptDir)
	if err != nil {
		return nil, fmt.Errorf("script folder %s: %w", scriptDir, err)
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, fmt.Errorf("script folder %s: %w", scriptDir, err)
	}
	fi, err := os.Stat(real)
	if err != nil {
		return nil, fmt.Errorf("script folder %s: %w", scriptDir, err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("script folder %s is not a directory", scriptDir)
	}
	r := &Resolver{scriptDir: real, roots: []string{real}}
	for dir := real; ; {
		if filepath.Base(dir) != "node_modules" {
			nm, err := filepath.EvalSymlinks(filepath.Join(dir, "node_modules"))
			if err == nil {
				if fi, err := os.Stat(nm); err == nil && fi.IsDir() && !contains(r.roots, nm) {
					r.roots = append(r.roots, nm)
				}
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return r, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Roots returns the real paths of the roots, for messages and docs: the
// script's folder first, then the node_modules folders from nearest to
// farthest.
func (r *Resolver) Roots() []string {
	return append([]string(nil), r.roots...)
}

// ScriptDir returns the real path of the script's folder.
func (r *Resolver) ScriptDir() string { return r.scriptDir }

// call holds the state of one Resolve call.
type call struct {
	r     *Resolver
	from  string // as passed to Resolve
	spec  string
	dir   string // real folder of the requiring module
	tried []string
}

// Resolve returns the real, absolute path of the file that require(spec)
// loads when called from the module file from (an absolute path of a file
// already inside a root), following Node.js's algorithm:
//   - "./x", "../x", "/x": LOAD_AS_FILE (x, x.js, x.json, x.cjs) then
//     LOAD_AS_DIRECTORY (x/package.json "main" → file or directory; then
//     x/index.js, x/index.json); a spec ending in "/" (and "." and "..")
//     names a directory only
//   - bare "pkg", "pkg/sub/path" or "@scope/pkg/sub": first the package
//     containing from, if its package.json "name" matches and it has
//     "exports" (self-reference); then for each folder from dirname(from)
//     upward, folder/node_modules/...: package.json "exports" when present
//     (string, subpath keys, "*" patterns, condition objects matching
//     "require", "node" and "default", fallback arrays), otherwise
//     LOAD_AS_FILE and LOAD_AS_DIRECTORY
//   - Node.js built-in modules, with or without "node:": an error saying the
//     module is a Node.js built-in and jsmap scripts have no filesystem,
//     network or process access
//
// Only regular files are returned. Candidates outside every root are never
// stat'ed: node_modules folders outside the roots are skipped, and a spec,
// "main" or symbolic link that leads outside them is refused with an error
// rather than passed over for another candidate. (The one exception is
// "x.js" when x is exactly a root, as in require('../scripts') from the
// script's folder: that candidate is skipped unexamined.)
//
// from is normally the real path Resolve returned for the requiring module;
// for the main script, any absolute path naming it. A from that does not
// exist (a module with no file, such as an expression given on the command
// line) resolves from its folder, which must exist.
//
// All errors are *Error.
func (r *Resolver) Resolve(from, spec string) (string, error) {
	c := &call{r: r, from: from, spec: spec}
	if IsBuiltin(spec) {
		return "", c.builtinError()
	}
	if spec == "" {
		return "", c.fail(Invalid, "the module name is empty", nil)
	}
	if !filepath.IsAbs(from) {
		return "", c.fail(Invalid, "the requiring module's path is not absolute", nil)
	}
	var (
		realFrom string
		err      error
	)
	if r.inside(filepath.Clean(from)) {
		realFrom, _, err = r.lookup(filepath.Clean(from))
	}
	if realFrom == "" {
		realFrom, err = filepath.EvalSymlinks(from)
	}
	if err != nil {
		// A module with no file of its own, such as an expression given on
		// the command line, resolves from its folder.
		dir, err := filepath.EvalSymlinks(filepath.Dir(from))
		if err != nil {
			return "", c.fail(Invalid, "cannot locate the requiring module: "+pathErr(err), err)
		}
		realFrom = filepath.Join(dir, filepath.Base(from))
	}
	c.dir = filepath.Dir(realFrom)
	if !r.inside(realFrom) {
		return "", c.fail(Outside, fmt.Sprintf("the requiring module %s is outside the script's folder %s", realFrom, r.rootsPhrase()), nil)
	}
	dirOnly := spec == "." || spec == ".." || strings.HasSuffix(spec, "/") ||
		strings.HasSuffix(spec, "/.") || strings.HasSuffix(spec, "/..")
	switch {
	case filepath.IsAbs(spec):
		return c.resolvePath(filepath.Clean(spec), dirOnly)
	case spec == "." || spec == ".." || strings.HasPrefix(spec, "./") || strings.HasPrefix(spec, "../"):
		return c.resolvePath(filepath.Join(c.dir, spec), dirOnly)
	case strings.HasPrefix(spec, "#"):
		return "", c.fail(Invalid, `package imports ("#" specifiers) are not supported; use a relative path`, nil)
	}
	return c.resolveBare(dirOnly)
}

// resolvePath resolves a relative or absolute spec to the clean path p.
func (c *call) resolvePath(p string, dirOnly bool) (string, error) {
	if !c.r.inside(p) {
		return "", c.outside(&outsideError{path: p, target: p})
	}
	if !dirOnly {
		if f, ok, err := c.loadAsFile(p); ok || err != nil {
			return f, err
		}
	}
	if f, ok, err := c.loadAsDirectory(p); ok || err != nil {
		return f, err
	}
	return "", c.notFound("", nil)
}

// loadAsFile is LOAD_AS_FILE: p, p.js, p.json, p.cjs.
func (c *call) loadAsFile(p string) (string, bool, error) {
	for _, ext := range []string{"", ".js", ".json", ".cjs"} {
		cand := p + ext
		if ext != "" && !c.r.inside(cand) {
			continue // p is a root; p.js is beside it
		}
		if f, ok, err := c.file(cand); ok || err != nil {
			return f, ok, err
		}
	}
	return "", false, nil
}

// loadIndex is LOAD_INDEX: p/index.js, p/index.json.
func (c *call) loadIndex(p string) (string, bool, error) {
	for _, name := range []string{"index.js", "index.json"} {
		if f, ok, err := c.file(filepath.Join(p, name)); ok || err != nil {
			return f, ok, err
		}
	}
	return "", false, nil
}

// loadAsDirectory is LOAD_AS_DIRECTORY.
func (c *call) loadAsDirectory(p string) (string, bool, error) {
	pj := filepath.Join(p, "package.json")
	pkg, err := c.readPackage(pj)
	if err != nil {
		return "", false, err
	}
	if pkg != nil && pkg.main != "" {
		m := pkg.main
		if !filepath.IsAbs(m) {
			m = filepath.Join(p, m)
		} else {
			m = filepath.Clean(m)
		}
		if !c.r.inside(m) {
			return "", false, c.outside(&outsideError{path: m, target: m})
		}
		if f, ok, err := c.loadAsFile(m); ok || err != nil {
			return f, ok, err
		}
		if f, ok, err := c.loadIndex(m); ok || err != nil {
			return f, ok, err
		}
		// Node.js still tries p/index.js here, deprecated (DEP0128).
		if f, ok, err := c.loadIndex(p); ok || err != nil {
			return f, ok, err
		}
		return "", false, c.notFound(fmt.Sprintf(`"main" in %s names '%s', which does not exist`, c.show(pj), pkg.main), nil)
	}
	return c.loadIndex(p)
}

// file reports whether cand names a regular file, recording it as tried; it
// returns the file's real path. Outside candidates, symbolic link loops and
// I/O errors are errors.
func (c *call) file(cand string) (string, bool, error) {
	c.tried = append(c.tried, cand)
	real, fi, err := c.r.lookup(cand)
	if err != nil {
		if err == errNotExist {
			return "", false, nil
		}
		return "", false, c.lookupError(err)
	}
	return real, fi.Mode().IsRegular(), nil
}

// isDir reports whether p names a directory. Errors as for file.
func (c *call) isDir(p string) (bool, error) {
	_, fi, err := c.r.lookup(p)
	if err != nil {
		if err == errNotExist {
			return false, nil
		}
		return false, c.lookupError(err)
	}
	return fi.IsDir(), nil
}

// resolveBare resolves a package spec: self-reference, then node_modules.
func (c *call) resolveBare(dirOnly bool) (string, error) {
	name, subpath, okName := splitPackage(c.spec)
	if okName {
		if f, ok, err := c.loadSelf(name, subpath); ok || err != nil {
			return f, err
		}
	}
	var searched []string
	for dir := c.dir; ; {
		if filepath.Base(dir) != "node_modules" {
			nm := filepath.Join(dir, "node_modules")
			if c.r.inside(nm) {
				isDir, err := c.isDir(nm)
				if err != nil {
					return "", err
				}
				if isDir {
					searched = append(searched, nm)
					if f, ok, err := c.loadFromNodeModules(nm, name, subpath, okName, dirOnly); ok || err != nil {
						return f, err
					}
				}
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	e := c.notFound("", nil)
	e.searched = searched
	if len(searched) == 0 {
		e.Msg = fmt.Sprintf("there is no node_modules folder in %s or its parent folders; is the package installed?", c.dir)
	}
	return "", e
}

// loadFromNodeModules is one step of LOAD_NODE_MODULES: LOAD_PACKAGE_EXPORTS,
// then LOAD_AS_FILE and LOAD_AS_DIRECTORY.
func (c *call) loadFromNodeModules(nm, name, subpath string, okName, dirOnly bool) (string, bool, error) {
	if okName {
		pkgDir := filepath.Join(nm, name)
		if c.r.inside(pkgDir) {
			pkg, err := c.readPackage(filepath.Join(pkgDir, "package.json"))
			if err != nil {
				return "", false, err
			}
			if pkg != nil && pkg.exports != nil {
				f, err := c.resolveExportsMatch(pkgDir, name, subpath, pkg.exports)
				return f, err == nil, err
			}
		}
	}
	p := filepath.Join(nm, c.spec)
	if !c.r.inside(p) {
		return "", false, c.outside(&outsideError{path: p, target: p})
	}
	if !dirOnly {
		if f, ok, err := c.loadAsFile(p); ok || err != nil {
			return f, ok, err
		}
	}
	return c.loadAsDirectory(p)
}

// loadSelf is LOAD_PACKAGE_SELF: a module requiring its own package by name
// through the package's "exports".
func (c *call) loadSelf(name, subpath string) (string, bool, error) {
	for dir := c.dir; c.r.inside(dir); {
		if filepath.Base(dir) == "node_modules" {
			break
		}
		pj := filepath.Join(dir, "package.json")
		pkg, err := c.readPackage(pj)
		if err != nil {
			return "", false, err
		}
		if pkg != nil {
			if pkg.exports == nil || pkg.name != name {
				return "", false, nil
			}
			f, err := c.resolveExportsMatch(dir, name, subpath, pkg.exports)
			return f, err == nil, err
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return "", false, nil
}

// resolveExportsMatch resolves subpath through exports and requires the
// target to be an existing file (RESOLVE_ESM_MATCH).
func (c *call) resolveExportsMatch(pkgDir, name, subpath string, exports jsonValue) (string, error) {
	pj := filepath.Join(pkgDir, "package.json")
	target, err := resolveExports(exports, "."+subpath, name, c.show(pj))
	if err != nil {
		var ee *exportsError
		if errors.As(err, &ee) {
			return "", c.fail(ee.kind, ee.msg, nil)
		}
		return "", c.fail(BadPackage, err.Error(), err)
	}
	p := filepath.Join(pkgDir, target)
	if !within(pkgDir, p) || !c.r.inside(p) {
		return "", c.outside(&outsideError{path: p, target: p})
	}
	c.tried = nil
	f, ok, err := c.file(p)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", c.notFound(fmt.Sprintf(`"exports" in %s maps '%s' to '%s', which does not exist`, c.show(pj), "."+subpath, target), nil)
	}
	return f, nil
}

// packageName is Node.js's EXPORTS_PATTERN: a package name, with an
// optional @scope, and a subpath.
var packageName = regexp.MustCompile(`^((?:@[^/\\%]+/)?[^./\\%][^/\\%]*)(/.*)?$`)

// splitPackage splits a bare spec into the package name (with its @scope)
// and the subpath ("" or "/..."). ok is false when spec has no valid name.
func splitPackage(spec string) (name, subpath string, ok bool) {
	m := packageName.FindStringSubmatch(spec)
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}

// pkgJSON holds the fields of a package.json that resolution uses.
type pkgJSON struct {
	name    string
	main    string
	exports jsonValue // nil when absent or null
}

// readPackage reads the package.json at pj; it returns nil when there is no
// such file.
func (c *call) readPackage(pj string) (*pkgJSON, error) {
	if !c.r.inside(pj) {
		return nil, nil
	}
	real, fi, err := c.r.lookup(pj)
	if err != nil {
		if err == errNotExist {
			return nil, nil
		}
		return nil, c.lookupError(err)
	}
	if !fi.Mode().IsRegular() {
		return nil, nil
	}
	data, err := os.ReadFile(real)
	if err != nil {
		return nil, c.fail(Invalid, "cannot read "+c.show(pj)+": "+pathErr(err), err)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return nil, c.fail(BadPackage, fmt.Sprintf("invalid JSON in %s: %v", c.show(pj), err), err)
	}
	pkg := &pkgJSON{}
	var s string
	if json.Unmarshal(fields["name"], &s) == nil {
		pkg.name = s
	}
	s = ""
	if json.Unmarshal(fields["main"], &s) == nil {
		pkg.main = s
	}
	if raw, ok := fields["exports"]; ok {
		v, err := decodeOrdered(raw)
		if err != nil {
			return nil, c.fail(BadPackage, fmt.Sprintf(`invalid "exports" in %s: %v`, c.show(pj), err), err)
		}
		pkg.exports = v
	}
	return pkg, nil
}

// builtinError explains that built-in modules are unavailable, and how to
// load an installed package of the same name.
func (c *call) builtinError() *Error {
	msg := fmt.Sprintf("'%s' is a Node.js built-in module; jsmap scripts have no filesystem, network or process access", c.spec)
	if !builtinModules[strings.TrimPrefix(c.spec, "node:")] {
		msg = fmt.Sprintf("'%s' names a Node.js built-in module; jsmap scripts have no filesystem, network or process access", c.spec)
	}
	if !strings.HasPrefix(c.spec, "node:") && filepath.IsAbs(c.from) {
		if _, err := c.r.Resolve(c.from, c.spec+"/"); err == nil {
			msg += fmt.Sprintf("; require('%s/') loads the installed package of that name instead", c.spec)
		}
	}
	e := c.fail(Builtin, msg, nil)
	return e
}

func (c *call) fail(kind Kind, msg string, err error) *Error {
	return &Error{Spec: c.spec, From: c.from, Msg: msg, Kind: kind, err: err}
}

func (c *call) notFound(msg string, err error) *Error {
	e := c.fail(NotFound, msg, err)
	e.Tried = c.tried
	return e
}

// lookupError turns an error from lookup into an *Error.
func (c *call) lookupError(err error) *Error {
	var oe *outsideError
	var le *loopError
	switch {
	case errors.As(err, &oe):
		return c.outside(oe)
	case errors.As(err, &le):
		return c.fail(SymlinkLoop, fmt.Sprintf("%s: too many levels of symbolic links (is there a symlink loop?)", le.path), err)
	}
	return c.fail(Invalid, pathErr(err), err)
}

func (c *call) outside(oe *outsideError) *Error {
	var msg string
	switch {
	case oe.link == "" || oe.path == oe.target:
		msg = fmt.Sprintf("%s is outside the script's folder %s", oe.target, c.r.rootsPhrase())
	case oe.link == oe.path:
		msg = fmt.Sprintf("%s is a symbolic link to %s, which is outside the script's folder %s", oe.path, oe.target, c.r.rootsPhrase())
	default:
		msg = fmt.Sprintf("%s resolves, through the symbolic link %s, to %s, which is outside the script's folder %s", oe.path, oe.link, oe.target, c.r.rootsPhrase())
	}
	e := c.fail(Outside, msg, nil)
	e.Tried = c.tried
	return e
}

// rootsPhrase explains where modules may come from.
func (r *Resolver) rootsPhrase() string {
	extra := ""
	for _, root := range r.roots[1:] {
		if filepath.Base(root) != "node_modules" {
			// A node_modules folder that is a symbolic link elsewhere.
			extra = ", " + strings.Join(r.roots[1:], ", ")
			break
		}
	}
	return "(modules load only from " + r.scriptDir + " and node_modules" + extra + ")"
}

// show formats p for messages, relative to the requiring module's folder
// where that is short.
func (c *call) show(p string) string {
	if c.dir == "" {
		return p
	}
	return relTo(c.dir, p)
}

// pathErr formats err without repeating the operation's name.
func pathErr(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Path + ": " + pe.Err.Error()
	}
	return err.Error()
}
