package runtime

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
)

// Format is the shape of an input or an output.
type Format int

const (
	// FormatAuto picks the form from the data: an input whose first non-space byte is '[' is an array,
	// anything else a stream; an output follows the first input's form.
	FormatAuto Format = iota
	// FormatJSON is one top-level JSON array whose elements are the items.
	FormatJSON
	// FormatNDJSON is a stream of JSON values separated by whitespace (NDJSON, or jq's concatenated form).
	FormatNDJSON
)

// String returns the flag spelling of f.
func (f Format) String() string {
	switch f {
	case FormatJSON:
		return "json"
	case FormatNDJSON:
		return "ndjson"
	}
	return "auto"
}

// ParseFormat parses "auto", "json" or "ndjson".
func ParseFormat(s string) (Format, error) {
	switch s {
	case "auto":
		return FormatAuto, nil
	case "json":
		return FormatJSON, nil
	case "ndjson", "jsonl":
		return FormatNDJSON, nil
	}
	return FormatAuto, fmt.Errorf("unknown format %q (want auto, json or ndjson)", s)
}

// Input is one source of elements. Several inputs form one stream, in order.
type Input struct {
	// Name is used in messages (a file name, or "<stdin>").
	Name string
	// Open is called once, when the engine reaches this input.
	Open func() (io.ReadCloser, error)
	// Size is the input's length in bytes when known (a regular file), or -1. It drives the progress percentage.
	Size int64
}

// Position locates a byte of an input.
type Position struct {
	Source string // the Input's Name
	Offset int64  // byte offset from the start of the input
	Line   int    // 1-based
	Column int    // 1-based, counted in bytes
}

func (p Position) String() string {
	return p.Source + ":" + strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Column)
}

// InputError is malformed input: where it is, what is wrong, and the element it belongs to.
type InputError struct {
	Pos   Position
	Index int64 // the element the error is in (or would have been); -1 when not within an element
	Msg   string
	Hint  string // optional advice for the user
}

func (e *InputError) Error() string {
	if e.Index >= 0 {
		return fmt.Sprintf("%s: %s (element %d)", e.Pos, e.Msg, e.Index)
	}
	return fmt.Sprintf("%s: %s", e.Pos, e.Msg)
}

// span is an element's bytes within its slab.
type span struct{ start, end int32 }

// slab is a contiguous piece of one input holding whole elements: the unit the splitter hands out,
// the workers share, and the emitter writes in order.
type slab struct {
	seq   int64
	first int64 // index of elems[0]
	src   string
	buf   []byte
	off   int64 // offset of buf[0] in src
	line  int   // position of buf[0]
	col   int
	elems []span
	array bool  // the elements come from a top-level array (not a stream)
	end   int64 // bytes consumed from all inputs after this slab (progress)
	err   error // a terminal input error found after these elements

	work
}

// position returns the position of buf[i].
func (s *slab) position(i int) Position {
	line, col := s.line, s.col
	b := s.buf[:i]
	if n := bytes.Count(b, nl); n > 0 {
		line += n
		col = i - bytes.LastIndexByte(b, '\n')
	} else {
		col += i
	}
	return Position{Source: s.src, Offset: s.off + int64(i), Line: line, Column: col}
}

var nl = []byte{'\n'}

// Splitter limits.
const (
	slabBytes = 64 << 10 // input bytes per slab (a slab grows beyond this only to hold one big element)
	slabElems = 8192     // elements per slab
	// DefaultMaxElementSize bounds the bytes of one element.
	DefaultMaxElementSize = 256 << 20
	// DefaultMaxDepth bounds the nesting of arrays and objects within one element.
	DefaultMaxDepth = 10000
)

const (
	stStart  = iota // before the first value of an input (BOM, format detection)
	stFirst         // after '[': an element or ']'
	stAfter         // after an element: ',' or ']'
	stElem          // after ',': an element
	stDone          // after ']': whitespace only
	stStream        // between values of a stream
)

// splitter cuts inputs into slabs of whole elements by scanning bytes. It checks the structure that
// decides where elements begin and end (brackets, strings, separators); the engine validates each element
// fully before use. It never holds more than one slab and one element of input.
type splitter struct {
	inputs  []Input
	format  Format // requested input format
	limit   int64  // elements to read; < 0 for all
	maxElem int
	depth   int

	in       int // current input
	rc       io.ReadCloser
	name     string
	state    int
	eof      bool
	buf      []byte
	r, w     int   // buf[r:w] is unconsumed input
	base     int64 // source offset of buf[0]
	line     int   // position of buf[0]
	col      int
	index    int64 // next element index
	seq      int64
	consumed int64 // bytes consumed from earlier inputs
	detected Format
	stack    []byte
	shortRd  bool // the last read returned less than asked: emit what is complete
	done     bool
	mu       sync.Mutex // guards rc between the splitter and abort
	aborted  bool
}

var errAborted = errors.New("input closed: the run was stopped")

func newSplitter(inputs []Input, format Format, limit int64, maxElem, depth int) *splitter {
	if maxElem <= 0 {
		maxElem = DefaultMaxElementSize
	}
	if depth <= 0 {
		depth = DefaultMaxDepth
	}
	return &splitter{inputs: inputs, format: format, limit: limit, maxElem: maxElem, depth: depth, in: -1}
}

func (s *splitter) close() {
	if s.rc != nil {
		s.mu.Lock()
		s.rc.Close()
		s.rc = nil
		s.mu.Unlock()
	}
}

// abort closes the current input from another goroutine, so that a blocked read returns; the
// splitter must not be used afterwards.
func (s *splitter) abort() {
	s.mu.Lock()
	s.aborted = true
	if s.rc != nil {
		s.rc.Close()
	}
	s.mu.Unlock()
}

// errAt builds an InputError at buf[i] for the element with the given index.
func (s *splitter) errAt(i int, index int64, msg string) *InputError {
	sl := slab{src: s.name, buf: s.buf, off: s.base, line: s.line, col: s.col}
	return &InputError{Pos: sl.position(i), Index: index, Msg: msg}
}

// next returns the next slab. At the end it returns (nil, io.EOF). A slab may carry a terminal error in
// its err field after its elements; next must not be called again after that.
func (s *splitter) next() (*slab, error) {
	if s.done {
		return nil, io.EOF
	}
	sl := &slab{}
	for {
		if s.rc == nil {
			if err := s.openNext(); err != nil {
				if err == io.EOF {
					s.done = true
					if len(sl.elems) > 0 {
						return s.finish(sl, nil), nil
					}
					return nil, io.EOF
				}
				s.done = true
				return s.finish(sl, err), nil
			}
		}
		full, err := s.scan(sl)
		if err != nil {
			s.done = true
			s.close()
			return s.finish(sl, err), nil
		}
		if s.limit >= 0 && s.index >= s.limit {
			s.done = true
			s.close()
			return s.finish(sl, nil), nil
		}
		if full || (s.shortRd && len(sl.elems) > 0) {
			return s.finish(sl, nil), nil
		}
		// Need more input for the element at s.r.
		if s.eof {
			if err := s.endOfInput(); err != nil {
				s.done = true
				return s.finish(sl, err), nil
			}
			if len(sl.elems) > 0 {
				// Keep this input's slab separate from the next input's.
				out := s.finish(sl, nil)
				s.close()
				return out, nil
			}
			s.close()
			continue
		}
		if s.w == len(s.buf) && len(sl.elems) > 0 {
			// The buffer is full of whole elements and the start of the next one: hand it over.
			return s.finish(sl, nil), nil
		}
		if err := s.fill(sl); err != nil {
			s.done = true
			return s.finish(sl, err), nil
		}
	}
}

// finish hands the current buffer over to sl and starts a new buffer with the unconsumed tail.
func (s *splitter) finish(sl *slab, err error) *slab {
	sl.err = err
	if len(sl.elems) == 0 && err == nil {
		return sl
	}
	sl.seq = s.seq
	s.seq++
	sl.src = s.name
	sl.array = s.state != stStream && s.state != stStart
	sl.buf = s.buf[:s.r]
	sl.off = s.base
	sl.line, sl.col = s.line, s.col
	sl.end = s.consumed + s.base + int64(s.r)
	if len(sl.elems) > 0 {
		sl.first = s.index - int64(len(sl.elems))
	} else {
		sl.first = s.index
	}
	// The new buffer starts with what is left.
	p := sl.position(s.r)
	tail := s.buf[s.r:s.w]
	size := slabBytes
	if len(tail)*2 > size {
		size = len(tail) * 2
	}
	nb := make([]byte, size)
	copy(nb, tail)
	s.buf = nb
	s.base += int64(s.r)
	s.line, s.col = p.Line, p.Column
	s.w -= s.r
	s.r = 0
	return sl
}

// openNext opens the next input; io.EOF when there is none.
func (s *splitter) openNext() error {
	if s.in >= 0 {
		s.consumed += s.base + int64(s.w)
	}
	s.in++
	if s.in >= len(s.inputs) {
		return io.EOF
	}
	in := s.inputs[s.in]
	rc, err := in.Open()
	if err != nil {
		return fmt.Errorf("reading input: %w", err)
	}
	s.mu.Lock()
	if s.aborted {
		rc.Close()
		s.mu.Unlock()
		return errAborted
	}
	s.rc = rc
	s.mu.Unlock()
	s.name = in.Name
	s.state = stStart
	s.eof = false
	if s.buf == nil {
		s.buf = make([]byte, slabBytes)
	}
	s.r, s.w = 0, 0
	s.base = 0
	s.line, s.col = 1, 1
	return nil
}

// fill reads more input, growing the buffer when the element at s.r fills it.
func (s *splitter) fill(sl *slab) error {
	if s.w == len(s.buf) {
		if len(sl.elems) == 0 && s.r > 0 {
			// Nothing references the consumed part: drop it.
			p := (&slab{src: s.name, buf: s.buf, off: s.base, line: s.line, col: s.col}).position(s.r)
			n := copy(s.buf, s.buf[s.r:s.w])
			s.base += int64(s.r)
			s.line, s.col = p.Line, p.Column
			s.r, s.w = 0, n
		} else {
			if len(s.buf) >= s.maxElem+1 {
				e := s.errAt(s.r, s.index, fmt.Sprintf("element is larger than %s", formatBytes(int64(s.maxElem))))
				e.Hint = "is a closing quote or bracket missing? --max-element-size raises the limit"
				return e
			}
			n := len(s.buf) * 2
			if n > s.maxElem+1 {
				n = s.maxElem + 1
			}
			nb := make([]byte, n)
			copy(nb, s.buf[:s.w])
			s.buf = nb
		}
	}
	var n int
	var err error
	if len(sl.elems) == 0 && s.w-s.r >= slabBytes/2 {
		// A big element is coming: nothing can be emitted before it is whole, so fill the buffer
		// before scanning it again (scans then happen only as the buffer doubles: linear time
		// even when a pipe delivers 64 KiB a read).
		n, err = io.ReadFull(s.rc, s.buf[s.w:])
	} else {
		n, err = io.ReadAtLeast(s.rc, s.buf[s.w:], 1)
	}
	s.w += n
	s.shortRd = n < len(s.buf)-(s.w-n) && err == nil
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			s.eof = true
			return nil
		}
		return fmt.Errorf("reading %s: %w", s.name, err)
	}
	return nil
}

// endOfInput checks the state at the end of the current input.
func (s *splitter) endOfInput() error {
	// Anything left in buf[r:w] is whitespace (scan consumed it) or a partial element.
	i := skipSpace(s.buf, s.r, s.w)
	if i < s.w {
		// A partial element at EOF.
		e := s.errAt(s.w, s.index, "unexpected end of JSON input")
		e.Hint = "the input ends inside an element: is the file truncated?"
		return e
	}
	switch s.state {
	case stFirst, stAfter, stElem:
		e := s.errAt(s.w, -1, "unexpected end of JSON input")
		e.Hint = "the top-level array is not closed with ']': is the file truncated?"
		return e
	case stStart:
		if s.format == FormatJSON {
			e := s.errAt(s.w, -1, "expected a top-level array, found the end of the input")
			e.Hint = "the input is empty"
			return e
		}
	}
	return nil
}

func skipSpace(b []byte, i, n int) int {
	for i < n {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// scan moves whole elements from buf[r:w] into sl. It returns full when sl reached its size limits;
// otherwise it stopped because it needs more input (or the input ended: s.eof).
func (s *splitter) scan(sl *slab) (full bool, err error) {
	b := s.buf[:s.w]
	n := s.w
	for {
		if len(sl.elems) >= slabElems || (s.r >= slabBytes && len(sl.elems) > 0) {
			return true, nil
		}
		if s.limit >= 0 && s.index >= s.limit {
			return false, nil
		}
		i := skipSpace(b, s.r, n)
		if i == n {
			s.r = i
			return false, nil
		}
		switch s.state {
		case stStart:
			if s.base == 0 && i == 0 && n-i >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
				s.r = 3
				continue
			} else if s.base == 0 && i == 0 && n < 3 && !s.eof && bytes.HasPrefix([]byte{0xEF, 0xBB, 0xBF}, b[:n]) {
				return false, nil
			}
			f := s.format
			if f == FormatAuto {
				f = FormatNDJSON
				if b[i] == '[' {
					f = FormatJSON
				}
			}
			if s.detected == FormatAuto {
				s.detected = f
			}
			if f == FormatJSON {
				if b[i] != '[' {
					e := s.errAt(i, -1, fmt.Sprintf("expected a top-level array, found %s", quoteChar(b[i])))
					e.Hint = "--input-format ndjson reads a stream of values"
					return false, e
				}
				s.state = stFirst
				s.r = i + 1
				continue
			}
			s.state = stStream
			s.r = i
			continue
		case stFirst:
			if b[i] == ']' {
				s.state = stDone
				s.r = i + 1
				continue
			}
		case stAfter:
			switch b[i] {
			case ',':
				s.state = stElem
				s.r = i + 1
				continue
			case ']':
				s.state = stDone
				s.r = i + 1
				continue
			}
			return false, s.errAt(i, s.index, fmt.Sprintf("invalid character %s after array element", quoteChar(b[i])))
		case stElem:
			if b[i] == ']' {
				e := s.errAt(i, s.index, "invalid character ']' looking for beginning of value")
				e.Hint = "a comma before ']' is not allowed in JSON"
				return false, e
			}
		case stDone:
			e := s.errAt(i, -1, fmt.Sprintf("invalid character %s after top-level array", quoteChar(b[i])))
			e.Hint = "the input continues after the array's closing ']'; a stream of arrays needs --input-format ndjson"
			return false, e
		}
		// An element starts at i.
		if b[i] == ',' || b[i] == ']' || b[i] == '}' || b[i] == ':' {
			return false, s.errAt(i, s.index, fmt.Sprintf("invalid character %s looking for beginning of value", quoteChar(b[i])))
		}
		end, err := s.element(b, i, n)
		if err != nil {
			return false, err
		}
		if end < 0 {
			s.r = i
			return false, nil // need more
		}
		if end-i > s.maxElem {
			e := s.errAt(i, s.index, fmt.Sprintf("element is larger than %s", formatBytes(int64(s.maxElem))))
			e.Hint = "--max-element-size raises the limit"
			return false, e
		}
		sl.elems = append(sl.elems, span{int32(i), int32(end)})
		s.index++
		s.r = end
		if s.state != stStream {
			s.state = stAfter
		}
	}
}

// element finds the end of the value that starts at b[i]; -1 when b[:n] ends first and more input may follow.
func (s *splitter) element(b []byte, i, n int) (int, error) {
	c := b[i]
	if c != '[' && c != '{' && c != '"' {
		// A scalar: it ends at a delimiter.
		j := i + 1
		for j < n && !isDelim[b[j]] {
			j++
		}
		if j == n && !s.eof {
			return -1, nil
		}
		return j, nil
	}
	stack := s.stack[:0]
	defer func() { s.stack = stack[:0] }()
	j := i
	for j < n {
		c := b[j]
		switch c {
		case '"':
			k, err := s.stringEnd(b, j, n)
			if err != nil || k < 0 {
				return k, err
			}
			j = k
			if len(stack) == 0 {
				return j, nil
			}
			continue
		case '[', '{':
			if len(stack) >= s.depth {
				return 0, s.errAt(j, s.index, fmt.Sprintf("nesting depth exceeds %d", s.depth))
			}
			stack = append(stack, c)
		case ']', '}':
			want := byte('[')
			if c == '}' {
				want = '{'
			}
			if stack[len(stack)-1] != want {
				what := "array"
				if want == '[' {
					what = "object"
				}
				return 0, s.errAt(j, s.index, fmt.Sprintf("invalid character %s in %s", quoteChar(c), what))
			}
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				return j + 1, nil
			}
		}
		j++
		// Skip bytes that cannot change the structure.
		for j < n && !isStruct[b[j]] {
			j++
		}
	}
	if s.eof {
		return 0, s.errAt(n, s.index, "unexpected end of JSON input")
	}
	return -1, nil
}

// stringEnd returns the offset just past the string literal that starts at b[i] ('"').
// A raw newline inside a string is an error at once, so an unterminated string does not swallow the input.
func (s *splitter) stringEnd(b []byte, i, n int) (int, error) {
	j := i + 1
	// Most strings are short: look at their bytes directly before paying for IndexByte calls.
	for end := min(n, j+32); j < end; j++ {
		switch c := b[j]; {
		case !inString[c]:
		case c == '"':
			return j + 1, nil
		case c == '\\':
			j++ // the escaped byte cannot end the string
		default: // '\n'
			e := s.errAt(j, s.index, "invalid character '\\n' in string literal")
			e.Hint = "is a closing quote missing?"
			return 0, e
		}
	}
	if j > n {
		j = n // an escape at the very end of what has been read
	}
	for {
		k := bytes.IndexByte(b[j:n], '"')
		limit := n
		if k >= 0 {
			limit = j + k
		}
		if m := bytes.IndexByte(b[j:limit], '\n'); m >= 0 {
			e := s.errAt(j+m, s.index, "invalid character '\\n' in string literal")
			e.Hint = "is a closing quote missing?"
			return 0, e
		}
		if k < 0 {
			if s.eof {
				return 0, s.errAt(n, s.index, "unexpected end of JSON input")
			}
			return -1, nil
		}
		q := j + k
		// Count the backslashes before the quote: an odd number escapes it.
		bs := 0
		for p := q - 1; p > i && b[p] == '\\'; p-- {
			bs++
		}
		if bs%2 == 0 {
			return q + 1, nil
		}
		j = q + 1
	}
}

var isDelim, isStruct, inString [256]bool

func init() {
	inString['"'], inString['\\'], inString['\n'] = true, true, true
	for _, c := range []byte(" \t\r\n,]}[{\":") {
		isDelim[c] = true
	}
	for _, c := range []byte("\"[]{}") {
		isStruct[c] = true
	}
}

// quoteChar formats c as encoding/json does in its messages.
func quoteChar(c byte) string {
	if c == '\'' {
		return `'\''`
	}
	if c == '"' {
		return `'"'`
	}
	s := strconv.QuoteRune(rune(c))
	if c >= 0x80 {
		s = fmt.Sprintf("'\\x%02x'", c)
	}
	return "'" + s[1:len(s)-1] + "'"
}

// FormatBytes formats a byte count for people: 256 MiB, 1.5 GiB, 700 bytes.
func FormatBytes(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) != 0:
		return strconv.FormatFloat(float64(n)/(1<<30), 'f', 1, 64) + " GiB"
	case n >= 1<<20 && n%(1<<20) != 0:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB"
	}
	return formatBytes(n)
}

func formatBytes(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
