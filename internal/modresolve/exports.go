package modresolve

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
)

// A jsonValue is a decoded JSON value that keeps object key order, which
// matters for "exports" conditions: nil (null), string, []jsonValue,
// *jsonObject, or json.Number / bool.
type jsonValue any

type jsonObject struct {
	keys []string
	vals map[string]jsonValue
}

func (o *jsonObject) get(k string) (jsonValue, bool) {
	v, ok := o.vals[k]
	return v, ok
}

// decodeOrdered decodes one JSON value, keeping object key order. A repeated
// key keeps its first position and its last value, as JSON.parse does.
func decodeOrdered(data []byte) (jsonValue, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("unexpected data after JSON value")
	}
	return v, nil
}

func decodeValue(dec *json.Decoder) (jsonValue, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			obj := &jsonObject{vals: map[string]jsonValue{}}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				if _, dup := obj.vals[k]; !dup {
					obj.keys = append(obj.keys, k)
				}
				obj.vals[k] = v
			}
			_, err := dec.Token() // '}'
			return obj, err
		case '[':
			arr := []jsonValue{}
			for dec.More() {
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				arr = append(arr, v)
			}
			_, err := dec.Token() // ']'
			return arr, err
		}
		return nil, fmt.Errorf("unexpected %v", t)
	}
	return tok, nil
}

// requireConditions are the conditions require() matches in "exports", in
// addition to "default".
var requireConditions = map[string]bool{"require": true, "node": true}

// exportsError is a failure of PACKAGE_EXPORTS_RESOLVE.
type exportsError struct {
	kind Kind
	msg  string
}

func (e *exportsError) Error() string { return e.msg }

// resolveExports implements Node.js's PACKAGE_EXPORTS_RESOLVE for require():
// it returns the target ("./...") that subpath ("." or "./sub") maps to in
// exports. pkg names the package and pj its package.json, for messages.
func resolveExports(exports jsonValue, subpath, pkg, pj string) (string, error) {
	obj, isObj := exports.(*jsonObject)
	dotKeys := false
	if isObj {
		dots, others := 0, 0
		for _, k := range obj.keys {
			if strings.HasPrefix(k, ".") {
				dots++
			} else {
				others++
			}
		}
		if dots > 0 && others > 0 {
			return "", &exportsError{BadPackage, fmt.Sprintf(`invalid "exports" in %s: its keys must either all start with '.' (subpaths) or none (conditions)`, pj)}
		}
		dotKeys = dots > 0
	}
	notExported := func() error {
		what := "'" + subpath + "' is not exported"
		if subpath == "." {
			what = "the main module '.' is not exported"
		}
		return &exportsError{NotExported, fmt.Sprintf(`%s by package '%s' (see "exports" in %s)`, what, pkg, pj)}
	}
	var (
		target  string
		state   targetState
		err     error
		matched jsonValue
	)
	if subpath == "." {
		switch {
		case !isObj || !dotKeys:
			matched = exports
		default:
			v, ok := obj.get(".")
			if !ok {
				return "", notExported()
			}
			matched = v
		}
		target, state, err = resolveTarget(matched, nil, pj)
	} else {
		if !isObj || !dotKeys {
			return "", notExported()
		}
		var found bool
		matched, target, state, found, err = resolveSubpath(subpath, obj, pj)
		if !found && err == nil {
			return "", notExported()
		}
	}
	if err != nil {
		return "", err
	}
	switch state {
	case targetFound:
		return target, nil
	case targetNull:
		return "", &exportsError{NotExported, fmt.Sprintf(`package '%s' excludes '%s' from its "exports" (see %s)`, pkg, subpath, pj)}
	}
	conds := conditionNames(matched)
	msg := fmt.Sprintf(`package '%s' exports '%s' only under conditions require() does not use`, pkg, subpath)
	if len(conds) > 0 {
		msg += " (" + strings.Join(conds, ", ") + ")"
	}
	msg += fmt.Sprintf(`; it matches "require", "node" and "default" (see "exports" in %s)`, pj)
	return "", &exportsError{NotExported, msg}
}

// resolveSubpath implements PACKAGE_IMPORTS_EXPORTS_RESOLVE for a subpath:
// an exact key, or the most specific pattern key with one "*".
func resolveSubpath(subpath string, obj *jsonObject, pj string) (jsonValue, string, targetState, bool, error) {
	if v, ok := obj.get(subpath); ok && !strings.Contains(subpath, "*") {
		t, st, err := resolveTarget(v, nil, pj)
		return v, t, st, true, err
	}
	var patterns []string
	for _, k := range obj.keys {
		if strings.Count(k, "*") == 1 {
			patterns = append(patterns, k)
		}
	}
	sort.SliceStable(patterns, func(i, j int) bool { return patternKeyCompare(patterns[i], patterns[j]) < 0 })
	for _, k := range patterns {
		star := strings.IndexByte(k, '*')
		base, trailer := k[:star], k[star+1:]
		if !strings.HasPrefix(subpath, base) || subpath == base {
			continue
		}
		if trailer != "" && (!strings.HasSuffix(subpath, trailer) || len(subpath) < len(k)) {
			continue
		}
		match := subpath[len(base) : len(subpath)-len(trailer)]
		v := obj.vals[k]
		t, st, err := resolveTarget(v, &match, pj)
		return v, t, st, true, err
	}
	return nil, "", targetUndefined, false, nil
}

// patternKeyCompare is Node.js's PATTERN_KEY_COMPARE: negative when a is
// more specific than b.
func patternKeyCompare(a, b string) int {
	ba, bb := strings.IndexByte(a, '*')+1, strings.IndexByte(b, '*')+1
	switch {
	case ba > bb:
		return -1
	case bb > ba:
		return 1
	case !strings.Contains(a, "*"):
		return 1
	case !strings.Contains(b, "*"):
		return -1
	case len(a) > len(b):
		return -1
	case len(b) > len(a):
		return 1
	}
	return 0
}

type targetState int

const (
	targetUndefined targetState = iota // no condition matched
	targetNull                         // explicitly excluded
	targetFound
)

// resolveTarget implements PACKAGE_TARGET_RESOLVE for require().
func resolveTarget(target jsonValue, match *string, pj string) (string, targetState, error) {
	switch t := target.(type) {
	case string:
		// Node.js resolves targets as URLs, so percent-encoded characters
		// are decoded before the path is used.
		if !strings.HasPrefix(t, "./") {
			return "", 0, invalidTarget(t, pj, "targets must start with './'")
		}
		dec, err := url.PathUnescape(t)
		if err != nil || badSegments(dec[2:]) {
			return "", 0, invalidTarget(t, pj, "targets must stay inside the package, without '.', '..' or 'node_modules' path segments")
		}
		if match == nil {
			return dec, targetFound, nil
		}
		m, err := url.PathUnescape(*match)
		if err != nil || badSegments(m) {
			return "", 0, &exportsError{BadPackage, fmt.Sprintf(`'%s' is not a valid subpath for the "exports" pattern target '%s' in %s`, *match, t, pj)}
		}
		return strings.ReplaceAll(dec, "*", m), targetFound, nil
	case *jsonObject:
		for _, k := range t.keys {
			if isArrayIndex(k) {
				return "", 0, &exportsError{BadPackage, fmt.Sprintf(`invalid "exports" in %s: condition keys must not be numbers ('%s')`, pj, k)}
			}
		}
		for _, k := range t.keys {
			if k != "default" && !requireConditions[k] {
				continue
			}
			r, st, err := resolveTarget(t.vals[k], match, pj)
			if err != nil {
				return "", 0, err
			}
			if st == targetUndefined {
				continue
			}
			return r, st, nil
		}
		return "", targetUndefined, nil
	case []jsonValue:
		if len(t) == 0 {
			return "", targetNull, nil
		}
		var lastErr error
		lastState := targetNull
		for _, v := range t {
			r, st, err := resolveTarget(v, match, pj)
			if err != nil {
				var ee *exportsError
				if errors.As(err, &ee) && ee.kind == BadPackage {
					lastErr = err
					continue
				}
				return "", 0, err
			}
			lastErr = nil
			if st == targetUndefined {
				lastState = st
				continue
			}
			return r, st, nil
		}
		if lastErr != nil {
			return "", 0, lastErr
		}
		return "", lastState, nil
	case nil:
		return "", targetNull, nil
	}
	return "", 0, invalidTarget(fmt.Sprint(target), pj, "targets must be strings, condition objects, arrays or null")
}

func invalidTarget(t, pj, why string) error {
	return &exportsError{BadPackage, fmt.Sprintf(`invalid "exports" target '%s' in %s: %s`, t, pj, why)}
}

// badSegments reports whether p has a ".", ".." or "node_modules" segment
// (case-insensitively), splitting on "/" and "\". Node.js refuses such
// exports targets and pattern matches; it tolerates empty segments.
func badSegments(p string) bool {
	start := 0
	for i := 0; i <= len(p); i++ {
		if i == len(p) || p[i] == '/' || p[i] == '\\' {
			switch strings.ToLower(p[start:i]) {
			case ".", "..", "node_modules":
				return true
			}
			start = i + 1
		}
	}
	return false
}

func isArrayIndex(k string) bool {
	if k == "" || len(k) > 10 {
		return false
	}
	for _, c := range k {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// conditionNames lists the condition keys of a condition object, for
// messages.
func conditionNames(v jsonValue) []string {
	obj, ok := v.(*jsonObject)
	if !ok {
		return nil
	}
	return append([]string(nil), obj.keys...)
}
