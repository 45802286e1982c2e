package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"
	"unicode/utf8"

	"github.com/jsmap/jsmap/internal/jsontext"
)

// fuzzSeeds are documents for FuzzSplit and FuzzRun: arrays, streams, the awkward corners of both.
var fuzzSeeds = []string{
	``, ` `, "\n\t\r ", `[]`, ` [ ] `, `[1,2,3]`, `[1, "a,b", {"x":[1,2]}, null, true, false]`,
	`{"a":1}` + "\n" + `{"a":2}` + "\n", "{\"a\":1}\r\n\r\n{\"b\":2}", `{"a":1}{"b":2}[3]"s"`,
	"1 2\n3\ttrue null \"x\"", `5`, `-0.5e+10`, `"s"`, `["]","[","}{",",","\"","\\"]`, `["a\\\\",1]`,
	`[[[]],{"a":{"b":[{}]}}]`, "\xEF\xBB\xBF[1]", "\xEF\xBB\xBF{\"a\":1}\n", "\xEF\xBB\xBF", "\xEF\xBB", " \xEF\xBB\xBF[1]",
	`[1,2`, `[1,{"a":`, `[1,"abc`, `[1,2,]`, `[,1]`, `[1,,2]`, `[1 2]`, `[1] x`, `[1][2]`, `[{"a":[1}]`, `[[1}]`,
	`[1}`, "{\"a\":\"x\n\"}\n{}", "1\n]", "[\n  1,\n  2,\n  }\n]", `1true`, `0123`, `1-2`, `truefalse`, `nullnull`,
	`1"a"`, `1[2]`, `1{}`, `"a""b"`, `[1x]`, `[1"a"]`, `["a"x]`, `[tru]`, `[01]`, `[1.]`, `[.5]`, `[-]`, `[1e]`,
	"[\"\xff\"]", "\"\xff\"", "[\"\xed\xa0\x80\"]", "[\"\xc0\xaf\"]", "[\"\x01\"]", "[\"a\tb\"]", `["\x"]`, `["\u12"]`,
	`["\ud800"]`, `["\ud83d\ude00"]`, "[\"\u00e9\U0001f600\"]", `{"a" 1}`, `{"a":1,}`, `{,}`, `[{"a":1,"a":2}]`,
	`[1]]`, `]`, `}`, `,`, `:`, `[:]`, `{"a"::1}`, `[1,2,3`, `[ "unterminated`, `[1,2]` + " \n ",
	strings.Repeat("[", 200) + strings.Repeat("]", 200), "[" + strings.Repeat("[", 200) + "]",
	strings.Repeat(`{"k":`, 50) + "1" + strings.Repeat("}", 50),
}

// padDoc makes doc big enough to cross the splitter's slab limits (64 KiB of input, 8192
// elements) by putting elements in front of its own: with kind 1, 8200 small ones; with kind 2,
// one string of 70000 bytes. Inside an array (the first non-space byte after a byte order mark is
// '['), they become its first elements; otherwise they are values of a stream.
func padDoc(doc []byte, kind int) []byte {
	var pad string
	switch kind {
	case 1:
		pad = strings.Repeat("0,", 8200)
	case 2:
		pad = `"` + strings.Repeat("x", 70000) + `",`
	default:
		return doc
	}
	bom := []byte{}
	if bytes.HasPrefix(doc, []byte("\xEF\xBB\xBF")) {
		bom, doc = doc[:3], doc[3:]
	}
	out := append([]byte(nil), bom...)
	if i := skipSpace(doc, 0, len(doc)); i < len(doc) && doc[i] == '[' {
		out = append(out, doc[:i+1]...)
		out = append(out, pad...)
		return append(out, doc[i+1:]...)
	}
	out = append(out, strings.ReplaceAll(pad, ",", "\n")...)
	return append(out, doc...)
}

// fuzzDeepSeeds are nested right at encoding/json's and jsmap's depth limit (10000).
var fuzzDeepSeeds = []string{
	"[" + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + "]",
	"[" + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + "]",
	strings.Repeat("[", 10000) + strings.Repeat("]", 10000),
	strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
}

// FuzzSplit checks the splitter, followed by the engine's per-element jsontext.Validate, against
// encoding/json (stdSplit): both accept the same documents and find the same elements, and where
// the document is bad they agree on the elements before the first bad one. It also checks that the
// read size changes nothing (elements, error message and position), that an error's position is
// where it says, and that a limit of n elements gives the first n elements.
func FuzzSplit(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s), uint8(0))
	}
	for _, s := range fuzzDeepSeeds {
		f.Add([]byte(s), uint8(0))
	}
	f.Add([]byte(`[1,2,3]`), uint8(0xA0))
	f.Add([]byte(`[1,{"a":[2,"]"]},"x"]`), uint8(0xB3))
	f.Add([]byte(`{"a":1} 2 "s" [3]`), uint8(0xA0))
	f.Add([]byte(`{"a":1} 2 "s" [3]`), uint8(0xB0))
	f.Add([]byte(`[1,2,x]`), uint8(0xA5))
	f.Add([]byte(`[1,2,3,4`), uint8(2))
	f.Add([]byte(`[1,2,3,x]`), uint8(3))
	f.Add([]byte(`1 2 3 x`), uint8(3))
	f.Add([]byte(`[1] x`), uint8(1))
	f.Add([]byte(`[1,"\u00"]`), uint8(1))
	f.Fuzz(func(t *testing.T, doc []byte, flags uint8) {
		// flags: bits 0-2 a limit (0: none); bits 4-7 0xA or 0xB pad the document (padDoc's kind
		// 1 or 2; not more often, as big documents are slow to fuzz).
		limit := flags & 7
		doc = padDoc(doc, int(flags>>4)-9)
		for _, format := range []Format{FormatAuto, FormatNDJSON} {
			var first pipeResult
			for k, rd := range fuzzReaders {
				if len(doc) > rd.maxLen {
					continue
				}
				got := pipeline(t, doc, format, -1, rd.open)
				if k == 0 {
					first = got
					checkSplitError(t, doc, format, got.err)
					continue
				}
				if !equalPipe(got, first) {
					t.Fatalf("%s on %q: reading %s gives %s; reading %s gives %s",
						format, doc, rd.name, got, fuzzReaders[0].name, first)
				}
			}
			want, ok := stdSplit(doc, format)
			if ok != (first.err == nil) {
				t.Fatalf("%s on %q: encoding/json accepts: %v (elements %q); jsmap gives %s", format, doc, ok, want, first)
			}
			if len(want) != len(first.elems) {
				t.Fatalf("%s on %q: encoding/json reads %d good elements %q (accepts: %v); jsmap gives %s",
					format, doc, len(want), want, ok, first)
			}
			for i, e := range first.elems {
				if c := compact(t, []byte(e)); c != want[i] {
					t.Fatalf("%s on %q: element %d is %q, encoding/json reads %q", format, doc, i, e, want[i])
				}
			}
			// A limit of n reads the first n elements and nothing after them.
			if n := int64(limit); n > 0 {
				got := pipeline(t, doc, format, n, fuzzReaders[0].open)
				wantLim := first
				if int64(len(first.elems)) >= n {
					wantLim = pipeResult{elems: first.elems[:n]}
				}
				if !equalPipe(got, wantLim) {
					t.Fatalf("%s on %q with limit %d: got %s, want %s", format, doc, n, got, wantLim)
				}
			}
		}
	})
}

// pipeResult is what the engine would map: the elements before the first bad one, and the error.
type pipeResult struct {
	elems []string
	err   error
}

func (p pipeResult) String() string {
	return fmt.Sprintf("elements %q, error %v", p.elems, p.err)
}

func equalPipe(a, b pipeResult) bool {
	if fmt.Sprintf("%q", a.elems) != fmt.Sprintf("%q", b.elems) || (a.err == nil) != (b.err == nil) {
		return false
	}
	return a.err == nil || a.err.Error() == b.err.Error()
}

// elemError is an element that jsontext.Validate rejects.
type elemError struct {
	index int
	err   error
}

func (e *elemError) Error() string { return fmt.Sprintf("element %d: %v", e.index, e.err) }

// fuzzReaders deliver a document in different read sizes. The splitter scans an incomplete
// element again from its start after each read, so small reads of a big element cost time
// quadratic in its size: maxLen keeps the small read sizes to documents where that stays fast.
var fuzzReaders = []struct {
	name   string
	maxLen int
	open   func(doc []byte) io.Reader
}{
	{"64 KiB at a time", 1 << 30, func(doc []byte) io.Reader { return &chunkReader{s: string(doc), n: 64 << 10} }},
	{"1 byte at a time", 1 << 10, func(doc []byte) io.Reader { return &chunkReader{s: string(doc), n: 1} }},
	{"7 bytes at a time", 4 << 10, func(doc []byte) io.Reader { return &chunkReader{s: string(doc), n: 7} }},
	{"with EOF on the last data", 1 << 30, func(doc []byte) io.Reader { return iotest.DataErrReader(bytes.NewReader(doc)) }},
}

// pipeline splits doc as the engine does and validates the elements in order, as the engine's
// workers do: the result holds the elements before the first failure.
func pipeline(t *testing.T, doc []byte, format Format, limit int64, open func([]byte) io.Reader) pipeResult {
	t.Helper()
	in := Input{Name: "in", Size: -1, Open: func() (io.ReadCloser, error) {
		return io.NopCloser(open(doc)), nil
	}}
	sp := newSplitter([]Input{in}, format, limit, 0, 0)
	defer sp.close()
	var elems []string
	var splitErr error
	for {
		sl, err := sp.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("next: %v (errors belong in the slab)", err)
		}
		if sl.first != int64(len(elems)) {
			t.Fatalf("%q: slab starts at element %d, want %d", doc, sl.first, len(elems))
		}
		for _, e := range sl.elems {
			if e.start < 0 || e.end <= e.start || int(e.end) > len(sl.buf) {
				t.Fatalf("%q: span %v outside the slab's %d bytes", doc, e, len(sl.buf))
			}
			el := sl.buf[e.start:e.end]
			if isSpace(el[0]) || isSpace(el[len(el)-1]) {
				t.Fatalf("%q: element %q has surrounding whitespace", doc, el)
			}
			elems = append(elems, string(el))
		}
		if sl.err != nil {
			splitErr = sl.err
			if _, err := sp.next(); err != io.EOF {
				t.Fatalf("%q: next after the error gives %v, want io.EOF", doc, err)
			}
			break
		}
	}
	if limit >= 0 && int64(len(elems)) > limit {
		t.Fatalf("%q: %d elements with limit %d", doc, len(elems), limit)
	}
	for i, e := range elems {
		if err := jsontext.Validate([]byte(e), DefaultMaxDepth); err != nil {
			return pipeResult{elems: elems[:i], err: &elemError{i, err}}
		}
	}
	return pipeResult{elems: elems, err: splitErr}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// checkSplitError checks that a splitter error is an *InputError whose position is right.
func checkSplitError(t *testing.T, doc []byte, format Format, err error) {
	t.Helper()
	var ee *elemError
	if err == nil || errors.As(err, &ee) {
		return
	}
	var ie *InputError
	if !errors.As(err, &ie) {
		t.Fatalf("%s on %q: error %v (%T), want an *InputError", format, doc, err, err)
	}
	p := ie.Pos
	if p.Source != "in" || p.Offset < 0 || p.Offset > int64(len(doc)) {
		t.Fatalf("%s on %q: error %v at offset %d, outside the input", format, doc, err, p.Offset)
	}
	before := doc[:p.Offset]
	line := 1 + bytes.Count(before, []byte{'\n'})
	col := int(p.Offset) - bytes.LastIndexByte(before, '\n')
	if p.Line != line || p.Column != col {
		t.Fatalf("%s on %q: error %v at offset %d says %d:%d, want %d:%d", format, doc, err, p.Offset, p.Line, p.Column, line, col)
	}
}

// isDelimByte is what may follow a scalar without whitespace in jsmap's input (see isDelim).
func isDelimByte(c byte) bool { return strings.IndexByte(" \t\r\n,]}[{\":", c) >= 0 }

// stdSplit reads doc as jsmap means to, with encoding/json doing the parsing: it returns the
// compacted elements up to the first bad one, and whether the whole document is good. It accounts
// for what jsmap does on purpose unlike encoding/json:
//   - a UTF-8 byte order mark at the very start is skipped;
//   - with FormatAuto a document whose first non-space byte is not '[' is a stream of values;
//   - invalid UTF-8 is an error (encoding/json replaces it);
//   - a scalar element must be followed by a delimiter: encoding/json reads "1true" or "0123" as
//     two values, jsmap as one bad element;
//   - the depth limit (10000) is per element: encoding/json's Decoder counts from the element too.
func stdSplit(doc []byte, format Format) ([]string, bool) {
	doc = bytes.TrimPrefix(doc, []byte("\xEF\xBB\xBF"))
	i := skipSpace(doc, 0, len(doc))
	array := format == FormatJSON || (format == FormatAuto && i < len(doc) && doc[i] == '[')
	dec := json.NewDecoder(bytes.NewReader(doc))
	var elems []string
	// one reads the next value; false when it is bad.
	one := func() bool {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return false
		}
		if c := raw[0]; c != '"' && c != '[' && c != '{' {
			if end := dec.InputOffset(); end < int64(len(doc)) && !isDelimByte(doc[end]) {
				return false
			}
		}
		if !utf8.Valid(raw) {
			return false
		}
		var b bytes.Buffer
		if err := json.Compact(&b, raw); err != nil {
			return false
		}
		elems = append(elems, b.String())
		return true
	}
	if !array {
		for {
			if skipSpace(doc, int(dec.InputOffset()), len(doc)) == len(doc) {
				return elems, true
			}
			if !one() {
				return elems, false
			}
		}
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return elems, false
	}
	for dec.More() {
		if !one() {
			return elems, false
		}
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim(']') {
		return elems, false
	}
	end := int(dec.InputOffset())
	return elems, skipSpace(doc, end, len(doc)) == len(doc)
}

func compact(t *testing.T, b []byte) string {
	t.Helper()
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		t.Fatalf("json.Compact(%q): %v", b, err)
	}
	return out.String()
}

// FuzzRun runs the engine with a Go worker over arbitrary input with 1 and with 3 workers: the
// output and the error must be the same, and the run must not panic or hang. mode picks the options.
func FuzzRun(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add([]byte(s), uint16(i*2654435761>>7))
	}
	f.Add([]byte(`[1,[2,3],"a",null,{"x":[]}]`), uint16(1<<5))         // flat
	f.Add([]byte(`[1,0,"",null,false,"a",[],{}]`), uint16(1<<4))       // filter
	f.Add([]byte(`["a\nb","\u00e9",1,[2]]`), uint16(1<<3))             // raw
	f.Add([]byte(`[1,[2,3],{"a":[1,{"b":2}]}]`), uint16(1<<2|1<<10))   // pretty, json out
	f.Add([]byte(`1 22 333 4444 55555 666666`), uint16(1<<12|1<<14))   // failing elements, skip
	f.Add([]byte(`[1,22,333,4444,55555,666666]`), uint16(1<<12|2<<14)) // failing elements, null
	f.Add([]byte(`[1,22,333,4444,55555,666666]`), uint16(1<<12|4<<6))  // failing elements, limit
	f.Add([]byte(`{"a":1}`), uint16(1))                                // json format on an object
	f.Add([]byte(`[1,2][3]`), uint16(2))                               // ndjson format on arrays
	f.Fuzz(func(t *testing.T, doc []byte, mode uint16) {
		opts := Options{
			InputFormat:  Format(mode & 3 % 3),
			Pretty:       mode&(1<<2) != 0,
			Raw:          mode&(1<<3) != 0,
			Filter:       mode&(1<<4) != 0,
			Flat:         mode&(1<<5) != 0,
			Limit:        int64(mode >> 6 & 7),
			OutputFormat: Format(mode >> 10 & 3 % 3),
			OnError:      ErrorPolicy(mode >> 14 & 3 % 3),
		}
		failSome := mode&(1<<12) != 0
		noValue := mode&(1<<13) != 0
		worker := func(_ context.Context, index int64, in, dst []byte) ([]byte, error) {
			switch {
			case failSome && len(in)%3 == 0:
				return dst, fmt.Errorf("element %d of %d bytes fails", index, len(in))
			case noValue && len(in)%5 == 4:
				return dst, nil
			}
			// The engine writes a result as the worker made it: compact it, as a Worker must for
			// NDJSON output to have one value per line.
			return jsontext.Compact(dst, in), nil
		}
		var outs [2]string
		var errs [2]error
		for k, jobs := range []int{1, 3} {
			opts.Jobs = jobs
			outs[k], errs[k] = runBounded(t, doc, opts, worker)
		}
		if outs[0] != outs[1] || fmt.Sprint(errs[0]) != fmt.Sprint(errs[1]) {
			t.Fatalf("%+v on %q:\n-j 1: %q, error %v\n-j 3: %q, error %v", opts, doc, outs[0], errs[0], outs[1], errs[1])
		}
		if errs[0] == nil && !opts.Raw && !opts.Pretty {
			checkFraming(t, doc, outs[0])
		}
	})
}

// runBounded runs the engine over doc, failing the test if the run takes more than 10 seconds.
func runBounded(t *testing.T, doc []byte, opts Options, f MapFunc) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out bytes.Buffer
	opts.Inputs = []Input{{Name: "in", Size: int64(len(doc)), Open: func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(doc)), nil
	}}}
	opts.Output = &out
	opts.NewWorker = Func(f)
	done := make(chan error, 1)
	go func() { done <- Run(ctx, opts) }()
	select {
	case err := <-done:
		if errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("-j %d on %q: the run took more than 10s", opts.Jobs, doc)
		}
		return out.String(), err
	case <-time.After(20 * time.Second):
		t.Fatalf("-j %d on %q: the run did not stop 10s after its context was done", opts.Jobs, doc)
	}
	return "", nil
}

// checkFraming checks that the output of a successful run is one JSON array or a stream of values
// with one value per line, each valid JSON.
func checkFraming(t *testing.T, doc []byte, out string) {
	t.Helper()
	if out == "" || strings.HasPrefix(out, "[\n") && strings.HasSuffix(out, "\n]\n") && json.Valid([]byte(out)) || out == "[]\n" {
		return
	}
	if !strings.HasSuffix(out, "\n") {
		t.Fatalf("on %q: the output %q does not end in a newline", doc, out)
	}
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if !json.Valid([]byte(line)) {
			t.Fatalf("on %q: the output line %q is not JSON", doc, line)
		}
	}
}
