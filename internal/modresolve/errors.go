package modresolve

import (
	"path/filepath"
	"strings"
)

// Kind classifies a resolution failure.
type Kind int

const (
	// NotFound: no candidate file exists.
	NotFound Kind = iota + 1
	// Outside: the module, or a symbolic link on the way to it, lies outside
	// the roots.
	Outside
	// Builtin: the spec names a Node.js built-in module.
	Builtin
	// NotExported: the package's "exports" does not make the spec available
	// to require().
	NotExported
	// BadPackage: a package.json is malformed or its "main" or "exports"
	// is invalid.
	BadPackage
	// SymlinkLoop: a symbolic link loop, or too many links, on the way to a
	// candidate.
	SymlinkLoop
	// Invalid: the call itself cannot be resolved (empty or unsupported spec,
	// requiring module outside the roots, unreadable path).
	Invalid
)

// Error describes a require() call that cannot be satisfied.
type Error struct {
	Spec  string   // the argument of require()
	From  string   // the requiring module, as passed to Resolve
	Msg   string   // what went wrong; for NotFound, extra detail or empty
	Tried []string // absolute candidate paths examined, in order
	Kind  Kind

	searched []string // node_modules folders searched for a package
	err      error    // underlying error, if any
}

// Error formats the failure for users, showing paths relative to the
// requiring module's folder where that is short.
func (e *Error) Error() string {
	switch e.Kind {
	case Builtin:
		return "require('" + e.Spec + "'): " + e.Msg
	case NotFound:
		var b strings.Builder
		b.WriteString("cannot find module '" + e.Spec + "'")
		if e.From != "" {
			b.WriteString(" from " + e.From)
		}
		switch {
		case len(e.searched) > 0:
			b.WriteString(" (searched " + e.list(e.searched) + ")")
		case len(e.Tried) > 0:
			b.WriteString(" (tried " + e.list(e.Tried) + ")")
		}
		if e.Msg != "" {
			b.WriteString("; " + e.Msg)
		}
		return b.String()
	}
	s := "require('" + e.Spec + "')"
	if e.From != "" {
		s += " from " + e.From
	}
	return s + ": " + e.Msg
}

// Unwrap returns the underlying error, if any.
func (e *Error) Unwrap() error { return e.err }

// Code returns the Node.js error code closest to the failure, for the code
// property of the error thrown into the script.
func (e *Error) Code() string {
	switch e.Kind {
	case NotFound:
		return "MODULE_NOT_FOUND"
	case Outside:
		return "ERR_JSMAP_MODULE_OUTSIDE_ROOTS"
	case Builtin:
		return "ERR_JSMAP_BUILTIN_MODULE"
	case NotExported:
		return "ERR_PACKAGE_PATH_NOT_EXPORTED"
	case BadPackage:
		return "ERR_INVALID_PACKAGE_CONFIG"
	case SymlinkLoop:
		return "ELOOP"
	}
	return "ERR_INVALID_ARG_VALUE"
}

func (e *Error) list(paths []string) string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = e.rel(p)
	}
	return strings.Join(out, ", ")
}

// rel shows p relative to the requiring module's folder when it lies in that
// folder or at most two levels above it, and absolute otherwise.
func (e *Error) rel(p string) string {
	if e.From == "" || !filepath.IsAbs(e.From) {
		return p
	}
	return relTo(filepath.Dir(e.From), p)
}

func relTo(dir, p string) string {
	r, err := filepath.Rel(dir, p)
	if err != nil {
		return p
	}
	if r == "." {
		return "./"
	}
	up := 0
	for rest := r; rest == ".." || strings.HasPrefix(rest, ".."+string(filepath.Separator)); {
		up++
		if rest == ".." {
			break
		}
		rest = rest[3:]
	}
	switch {
	case up == 0:
		return "." + string(filepath.Separator) + r
	case up <= 2:
		return r
	}
	return p
}
