package jsontext

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// suiteDir holds the parsing tests of JSONTestSuite
// (https://github.com/nst/JSONTestSuite), kept beside the repository rather
// than in it.
const suiteDir = "../../../shared/testsuites/JSONTestSuite/test_parsing"

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// TestJSONTestSuite runs Validate over JSONTestSuite: every y_ file must be
// accepted, every n_ file rejected, and i_ files (where parsers may differ)
// must not make Validate panic or hang. One leading UTF-8 byte order mark is
// stripped first, as jsmap does with its input.
//
// The decision and error for every file are compared with
// testdata/jsontestsuite.golden, so that an n_ file rejected for a different
// reason than before (for example only because of the BOM handling) shows
// up as a change. Run with -update to rewrite the golden file after
// reviewing the difference.
func TestJSONTestSuite(t *testing.T) {
	entries, err := os.ReadDir(suiteDir)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("JSONTestSuite not found at %s (it lives outside the repository, under ../shared)", suiteDir)
	}
	if err != nil {
		t.Fatal(err)
	}
	var report strings.Builder
	counts := map[byte][2]int{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".json") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(suiteDir, name))
		if err != nil {
			t.Fatal(err)
		}
		b = bytes.TrimPrefix(b, utf8BOM)

		start := time.Now()
		err = Validate(b, 0)
		if d := time.Since(start); d > time.Second {
			t.Errorf("%s: Validate took %v", name, d)
		}
		decision := "accept"
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Errorf("%s: error %T, want *SyntaxError", name, err)
				continue
			}
			decision = fmt.Sprintf("reject %d %s", se.Offset, se.Msg)
		}
		fmt.Fprintf(&report, "%s\t%s\n", name, decision)

		kind := name[0]
		c := counts[kind]
		if err == nil {
			c[0]++
		} else {
			c[1]++
		}
		counts[kind] = c
		switch kind {
		case 'y':
			if err != nil {
				t.Errorf("%s: Validate = %v, want nil", name, err)
			}
		case 'n':
			if err == nil {
				t.Errorf("%s: Validate = nil, want an error", name)
			}
		case 'i':
			t.Logf("%s: %s", name, decision)
		}
	}
	t.Logf("accepted/rejected: y %v, n %v, i %v", counts['y'], counts['n'], counts['i'])
	compareGolden(t, "testdata/jsontestsuite.golden", report.String())
}

// compareGolden compares got with the golden file, or rewrites the file
// with -update.
func compareGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	gotLines := strings.Split(got, "\n")
	wantLines := strings.Split(string(want), "\n")
	wantSet := map[string]bool{}
	for _, l := range wantLines {
		wantSet[l] = true
	}
	gotSet := map[string]bool{}
	for _, l := range gotLines {
		gotSet[l] = true
		if !wantSet[l] {
			t.Errorf("%s: new line %q", path, l)
		}
	}
	for _, l := range wantLines {
		if !gotSet[l] {
			t.Errorf("%s: missing line %q", path, l)
		}
	}
}
