package modresolve

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// maxSymlinks bounds the symbolic links followed for one path, as Linux's
// MAXSYMLINKS does.
const maxSymlinks = 40

// errNotExist reports that a candidate does not exist (ENOENT, ENOTDIR).
var errNotExist = errors.New("no such file or directory")

// outsideError reports that path, lexically inside a root or not, leads to
// target, which is outside every root; link is the last symbolic link
// followed on the way, if any.
type outsideError struct {
	path, target, link string
}

func (e *outsideError) Error() string { return e.path + " leads outside the roots" }

// loopError reports too many symbolic links while resolving path.
type loopError struct{ path string }

func (e *loopError) Error() string { return e.path + ": too many levels of symbolic links" }

// inside reports whether the clean absolute path p is a root or lies below one.
func (r *Resolver) inside(p string) bool {
	return r.rootOf(p) != ""
}

// rootOf returns the longest root containing p, or "".
func (r *Resolver) rootOf(p string) string {
	best := ""
	for _, root := range r.roots {
		if within(root, p) && len(root) > len(best) {
			best = root
		}
	}
	return best
}

// aboveRoot reports whether p is a proper ancestor of a root.
func (r *Resolver) aboveRoot(p string) bool {
	for _, root := range r.roots {
		if root != p && within(p, root) {
			return true
		}
	}
	return false
}

// within reports whether the clean absolute path p is dir or lies below it.
func within(dir, p string) bool {
	if p == dir {
		return true
	}
	if strings.HasSuffix(dir, string(filepath.Separator)) { // the file system root
		return strings.HasPrefix(p, dir)
	}
	return strings.HasPrefix(p, dir) && p[len(dir)] == filepath.Separator
}

// lookup resolves the clean absolute path p to its real path and returns it
// with the file information of what it names (symbolic links followed).
// Only paths inside the roots are examined: p's components are resolved one
// at a time from the root containing it, and a symbolic link whose target
// leaves the roots yields an *outsideError without the target being examined.
// Errors: errNotExist, *outsideError, *loopError, or an I/O error.
func (r *Resolver) lookup(p string) (string, fs.FileInfo, error) {
	root := r.rootOf(p)
	if root == "" {
		return "", nil, &outsideError{path: p, target: p}
	}
	cur := root
	rest := strings.Split(p[len(root):], string(filepath.Separator))
	var fi fs.FileInfo // information on cur, when known
	links, lastLink := 0, ""
	for len(rest) > 0 {
		c := rest[0]
		rest = rest[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			cur, fi = filepath.Dir(cur), nil
			continue
		}
		next := filepath.Join(cur, c)
		if !r.inside(next) {
			if r.aboveRoot(next) {
				// A real folder on the way to a root: nothing to examine.
				cur, fi = next, nil
				continue
			}
			return "", nil, &outsideError{path: p, target: filepath.Join(append([]string{next}, rest...)...), link: lastLink}
		}
		info, err := os.Lstat(next)
		if err != nil {
			if isNotExist(err) {
				return "", nil, errNotExist
			}
			return "", nil, err
		}
		if info.Mode()&fs.ModeSymlink != 0 {
			links, lastLink = links+1, next
			if links > maxSymlinks {
				return "", nil, &loopError{path: p}
			}
			target, err := os.Readlink(next)
			if err != nil {
				return "", nil, err
			}
			if filepath.IsAbs(target) {
				cur, fi = string(filepath.Separator), nil
			}
			rest = append(strings.Split(target, string(filepath.Separator)), rest...)
			continue
		}
		if !info.IsDir() && len(rest) > 0 {
			return "", nil, errNotExist // ENOTDIR
		}
		cur, fi = next, info
	}
	if !r.inside(cur) {
		return "", nil, &outsideError{path: p, target: cur, link: lastLink}
	}
	if fi == nil {
		info, err := os.Lstat(cur)
		if err != nil {
			if isNotExist(err) {
				return "", nil, errNotExist
			}
			return "", nil, err
		}
		fi = info
	}
	return cur, fi, nil
}

func isNotExist(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}
