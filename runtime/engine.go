package runtime

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	goruntime "runtime"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jsmap/jsmap/internal/jsontext"
)

// Worker maps elements, one at a time. The engine calls a Worker from one goroutine only, so an
// implementation needs no locking of its own.
type Worker interface {
	// Map transforms one element. in is one complete, valid JSON value (the engine has validated it) and
	// index its 0-based position in the whole input. Map appends the JSON encoding of the result to dst
	// and returns the extended slice: one valid JSON value, compact (no newline outside strings), as
	// the output forms put one value per line. The engine never modifies or reuses the memory of in:
	// a Worker may keep referring to it (which keeps the input piece it is part of, about 64 KiB, in
	// memory as long as it does).
	Map(ctx context.Context, index int64, in []byte, dst []byte) ([]byte, error)
	// Close releases the worker. It is called once, after the last Map, also when the run failed.
	Close() error
}

// NewWorker creates the worker with the given id (0 to Jobs-1). ctx is done when the run stops or this
// worker's current element is no longer wanted; a Worker that can abandon a call early should watch it.
type NewWorker func(ctx context.Context, id int) (Worker, error)

// ErrorPolicy says what an element whose Map fails does to the run.
type ErrorPolicy int

const (
	// Fail stops the run at the first failing element (in input order).
	Fail ErrorPolicy = iota
	// Skip leaves failing elements out of the output.
	Skip
	// Null writes null for failing elements.
	Null
)

// ParseErrorPolicy parses "fail", "skip" or "null".
func ParseErrorPolicy(s string) (ErrorPolicy, error) {
	switch s {
	case "fail":
		return Fail, nil
	case "skip":
		return Skip, nil
	case "null":
		return Null, nil
	}
	return Fail, fmt.Errorf("unknown error policy %q (want fail, skip or null)", s)
}

// Options configure one Run.
type Options struct {
	Inputs      []Input
	InputFormat Format

	Output       io.Writer
	OutputFormat Format // FormatAuto: JSON when the first input is an array, NDJSON for a stream
	Pretty       bool   // indent each result by two spaces
	Raw          bool   // write string results as plain text lines
	Filter       bool   // results are predicates; write the original elements whose result is truthy
	Flat         bool   // a result that is an array contributes its elements

	Limit int64 // if > 0, read only the first Limit elements
	// Skip elements are read but not mapped or written: a resumed run skips what an earlier run
	// wrote. ValuesBefore is the number of values that run wrote, so the framing continues.
	Skip         int64
	ValuesBefore int64
	// Checkpoint, if set, is called by the emitter at most every CheckpointEvery (default 1s), after
	// the output has been flushed: every element before next has been written as values values.
	// An error from it stops the run.
	Checkpoint      func(next, values int64) error
	CheckpointEvery time.Duration
	Jobs            int // workers; <= 0 means DefaultJobs()
	NewWorker       NewWorker

	OnError   ErrorPolicy
	MaxErrors int64 // with Skip or Null: if > 0, the run fails once more than MaxErrors elements failed
	// OnElementError is called, in input order, for each failing element the Skip or Null policy absorbs.
	OnElementError func(*ElementError)
	// ErrorLog receives one NDJSON record {index, input, error, stack} per absorbed failing element.
	ErrorLog io.Writer
	// OnWarning is called, in input order, for each element whose Map returned a value together with
	// a warning: an error with an IsWarning() bool method that returns true. The value is used.
	OnWarning func(index int64, warning error)

	// MaxMemory, if > 0, bounds the Go heap (bytes): when the workers' data grows past it, the run
	// stops with a *MemoryError (every worker is interrupted) before the machine runs out of memory.
	MaxMemory int64

	MaxElementSize int // bytes; <= 0 means DefaultMaxElementSize
	MaxDepth       int // nesting; <= 0 means DefaultMaxDepth

	// Stats, if not nil, is updated as the run goes (for a progress display).
	Stats *Stats
}

// Stats are a run's counters. They are updated atomically while a run goes and may be read at any time.
type Stats struct {
	Items      atomic.Int64 // elements finished (mapped, failed or filtered out); refreshed every 50ms
	Outputs    atomic.Int64 // values written
	Errors     atomic.Int64 // failing elements
	Bytes      atomic.Int64 // input bytes of finished elements (approximate); refreshed every 50ms
	TotalBytes atomic.Int64 // input size when known, else -1
	Workers    atomic.Int64
}

// ElementError is a failure of Map on one element.
type ElementError struct {
	Index int64
	Pos   Position // where the element starts
	Err   error
}

func (e *ElementError) Error() string {
	return fmt.Sprintf("element %d (%s): %v", e.Index, e.Pos, e.Err)
}

func (e *ElementError) Unwrap() error { return e.Err }

// Stack returns the script stack trace of the failure, when the worker's error provides one
// (an error with a Stack() string method).
func (e *ElementError) Stack() string {
	var st interface{ Stack() string }
	if errors.As(e.Err, &st) {
		return st.Stack()
	}
	return ""
}

// fatalError marks an error from a Worker that must stop the run whatever the policy.
type fatalError struct{ err error }

func (e *fatalError) Error() string { return e.err.Error() }
func (e *fatalError) Unwrap() error { return e.err }

// Fatal wraps err so that it stops the run even under the Skip or Null policy (for failures that are
// not the element's fault: the worker is broken, a resource limit was hit).
func Fatal(err error) error { return &fatalError{err} }

// ErrTooManyErrors is the cause when more than Options.MaxErrors elements failed.
var ErrTooManyErrors = errors.New("too many failing elements")

// work is the claimable state of a slab shared by the workers.
type work struct {
	next    int      // next unclaimed element; guarded by queue.mu
	chunks  []*chunk // claimed chunks, in element order; guarded by queue.mu
	pending atomic.Int64
	done    chan struct{} // closed when every element is finished
}

// chunk is a run of consecutive elements of a slab mapped by one worker.
type chunk struct {
	start, n int
	out      []byte
	res      []result
}

// result is one output value (out[previous end:end]) or one failing element.
type result struct {
	index int64
	end   int32
	err   error // a failing element (no value); fatal when the kind says so
	kind  uint8
}

const (
	resValue = iota
	resError // absorbed by the policy
	resFatal // stops the run here
	resWarn  // a warning about the element; its value follows
)

// queue hands out chunks of slabs to workers in input order.
type queue struct {
	mu     sync.Mutex
	cond   sync.Cond
	slabs  []*slab
	closed bool
	jobs   int
	stop   atomic.Int64 // elements with index >= stop are not started
}

func (q *queue) push(sl *slab) {
	q.mu.Lock()
	q.slabs = append(q.slabs, sl)
	q.mu.Unlock()
	q.cond.Signal()
}

func (q *queue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.cond.Broadcast()
}

// claim returns the next chunk of work, or nil when there is no more.
func (q *queue) claim() (*slab, *chunk) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for {
		for len(q.slabs) > 0 {
			sl := q.slabs[0]
			rem := len(sl.elems) - sl.next
			if rem <= 0 || sl.first+int64(sl.next) >= q.stop.Load() {
				// Not wanted any more: finish it unmapped.
				q.slabs[0] = nil
				q.slabs = q.slabs[1:]
				if rem > 0 {
					sl.next = len(sl.elems)
					if sl.pending.Add(int64(-rem)) == 0 {
						close(sl.done)
					}
				}
				continue
			}
			n := rem / (2 * q.jobs)
			if n < 1 {
				n = 1
			} else if n > maxChunk {
				n = maxChunk
			}
			ch := &chunk{start: sl.next, n: n}
			sl.next += n
			sl.chunks = append(sl.chunks, ch)
			if sl.next == len(sl.elems) {
				q.slabs[0] = nil
				q.slabs = q.slabs[1:]
			}
			return sl, ch
		}
		if q.closed {
			return nil, nil
		}
		q.cond.Wait()
	}
}

const maxChunk = 128

// engine is the state of one Run.
type engine struct {
	opts   Options
	ctx    context.Context
	stats  *Stats
	q      queue
	cancel context.CancelCauseFunc
	slots  []atomic.Pointer[slot]
	out    *output
	// output shaping
	arrayOut bool
	indent   string

	lastCheckpoint time.Time
	slotsMu        sync.Mutex // guards the slots slice header (the watchdog reads it)
}

// slot is one worker and what it is doing.
type slot struct {
	w      Worker
	ctx    context.Context
	cancel context.CancelCauseFunc
	cur    atomic.Int64 // index of the element being mapped, or -1
	done   atomic.Int64 // elements finished, for Stats
	bytes  atomic.Int64 // their input bytes
	buf    []byte       // scratch for shaping
	vals   []span
}

// Run maps opts.NewWorker's workers over the elements of opts.Inputs and writes the results to
// opts.Output in input order. It returns when the input is exhausted, the run failed, or ctx is done
// (then the error is context.Cause(ctx)).
func Run(ctx context.Context, opts Options) error {
	if opts.NewWorker == nil {
		return errors.New("runtime: Options.NewWorker is nil")
	}
	if opts.Output == nil {
		opts.Output = io.Discard
	}
	jobs := opts.Jobs
	if jobs <= 0 {
		jobs = DefaultJobs()
	}
	stats := opts.Stats
	if stats == nil {
		stats = &Stats{}
	}
	total := int64(0)
	for _, in := range opts.Inputs {
		if in.Size < 0 {
			total = -1
			break
		}
		total += in.Size
	}
	stats.TotalBytes.Store(total)
	stats.Workers.Store(int64(jobs))

	parent := ctx
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(context.Canceled)
	e := &engine{opts: opts, ctx: ctx, stats: stats, cancel: cancel}
	e.q.cond.L = &e.q.mu
	e.q.jobs = jobs
	e.q.stop.Store(math.MaxInt64)
	limit := int64(-1)
	if opts.Limit > 0 {
		limit = opts.Limit
	}
	sp := newSplitter(opts.Inputs, opts.InputFormat, limit, opts.MaxElementSize, opts.MaxDepth)
	// A stopped run closes its input, so a read blocked on a pipe or terminal returns.
	stopAbort := context.AfterFunc(ctx, sp.abort)
	defer stopAbort()
	bw := bufio.NewWriterSize(opts.Output, 256<<10)
	e.out = &output{w: bw, pretty: opts.Pretty, n: opts.ValuesBefore}
	if opts.Checkpoint != nil && opts.CheckpointEvery <= 0 {
		e.opts.CheckpointEvery = time.Second
	}
	e.lastCheckpoint = time.Now()

	// The first slab decides the output form; reading it before starting workers also means a bad or
	// empty input costs no worker start-up.
	first, err := sp.next()
	if err != nil && err != io.EOF {
		sp.close()
		return err
	}
	if first != nil && first.err != nil && len(first.elems) == 0 && parent.Err() != nil {
		sp.close()
		return context.Cause(parent)
	}
	e.setFormat(sp.detected)

	// Stats.Items and Bytes are the sums of the workers' own counters, refreshed every 50ms.
	stopCount := make(chan struct{})
	countDone := make(chan struct{})
	go func() {
		defer close(countDone)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stopCount:
				return
			case <-t.C:
				e.count()
			}
		}
	}()
	defer func() {
		close(stopCount)
		<-countDone
		e.count()
	}()
	if opts.MaxMemory > 0 {
		stopWatch := make(chan struct{})
		watchDone := make(chan struct{})
		go func() {
			defer close(watchDone)
			e.watchMemory(opts.MaxMemory, stopWatch)
		}()
		defer func() {
			close(stopWatch)
			<-watchDone
		}()
	}
	if jobs == 1 {
		err = e.serial(sp, first)
		sp.close()
	} else {
		err = e.parallel(sp, first, jobs)
	}
	if err == nil && ctx.Err() != nil {
		err = context.Cause(ctx) // stopped while the last elements were being mapped
	}
	if err == nil {
		return e.out.finish()
	}
	e.out.abandon()
	bw.Flush() // what was produced before the failure
	if parent.Err() != nil {
		return context.Cause(parent) // the caller stopped the run; other errors are its echoes
	}
	return err
}

func (e *engine) setFormat(detected Format) {
	f := e.opts.OutputFormat
	if f == FormatAuto {
		f = detected
		if f == FormatAuto {
			f = FormatNDJSON
		}
	}
	if e.opts.Raw {
		f = FormatNDJSON
	}
	e.out.format = f
	e.arrayOut = f == FormatJSON
	if e.opts.Pretty {
		if e.arrayOut {
			e.indent = "  "
		}
	}
}

func (e *engine) newSlot(id int) (*slot, error) {
	ctx, cancel := context.WithCancelCause(e.ctx)
	s := &slot{ctx: ctx, cancel: cancel}
	s.cur.Store(-1)
	w, err := e.opts.NewWorker(ctx, id)
	if err != nil {
		cancel(err)
		return nil, err
	}
	s.w = w
	return s, nil
}

func (s *slot) close() error {
	err := s.w.Close()
	s.cancel(context.Canceled)
	return err
}

// serial runs everything on the calling goroutine: no pool, no hand-off.
func (e *engine) serial(sp *splitter, sl *slab) (err error) {
	var s *slot
	defer func() {
		if s != nil {
			e.cancel(err) // no teardown after a failure
			s.close()
		}
	}()
	for sl != nil {
		if err := e.ctx.Err(); err != nil {
			return context.Cause(e.ctx)
		}
		if len(sl.elems) > 0 && s == nil {
			if s, err = e.newSlot(0); err != nil {
				return err
			}
			e.slotsMu.Lock()
			e.slots = make([]atomic.Pointer[slot], 1)
			e.slotsMu.Unlock()
			e.slots[0].Store(s)
		}
		ch := &chunk{start: 0, n: len(sl.elems)}
		sl.chunks = []*chunk{ch}
		e.mapChunk(s, sl, ch)
		if err := e.emit(sl); err != nil {
			return err
		}
		if sl.err != nil {
			return sl.err
		}
		if err := e.checkpoint(sl); err != nil {
			return err
		}
		if sp.shortRd {
			// Input comes slowly (a pipe, a terminal): let the reader have what is done so far.
			if err := e.out.flush(); err != nil {
				return err
			}
		}
		if sl, err = sp.next(); err == io.EOF {
			break
		} else if err != nil {
			return err
		}
	}
	if s != nil {
		err := s.close()
		s = nil
		return err
	}
	return nil
}

// parallel runs the splitter, jobs workers and the emitter (on the calling goroutine).
func (e *engine) parallel(sp *splitter, first *slab, jobs int) error {
	window := 2*jobs + 4
	ordered := make(chan *slab, window)
	var wg sync.WaitGroup

	// Splitter. It is not waited for when the run stops early: it may be blocked reading an input
	// (abort unblocks files and pipes, not every reader), and it touches nothing after that.
	splitDone := make(chan struct{})
	go func() {
		defer close(splitDone)
		defer sp.close()
		defer close(ordered)
		defer e.q.close()
		sl := first
		for sl != nil {
			sl.done = make(chan struct{})
			sl.pending.Store(int64(len(sl.elems)))
			if len(sl.elems) == 0 {
				close(sl.done)
			}
			select {
			case ordered <- sl:
			case <-e.ctx.Done():
				return
			}
			if len(sl.elems) > 0 {
				e.q.push(sl)
			}
			if sl.err != nil || sl.first+int64(len(sl.elems)) >= e.q.stop.Load() {
				return
			}
			var err error
			sl, err = sp.next()
			if err == io.EOF {
				return
			} else if err != nil {
				sl = &slab{err: err, first: sp.index}
			}
		}
	}()

	// Workers: each starts its own VM, so start-up runs in parallel too.
	e.slotsMu.Lock()
	e.slots = make([]atomic.Pointer[slot], jobs)
	e.slotsMu.Unlock()
	var startErr atomic.Pointer[error]
	for id := 0; id < jobs; id++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := e.newSlot(id)
			if err != nil {
				if startErr.CompareAndSwap(nil, &err) {
					e.cancel(err)
				}
				return
			}
			e.slots[id].Store(s)
			for {
				sl, ch := e.q.claim()
				if sl == nil {
					return
				}
				e.mapChunk(s, sl, ch)
			}
		}()
	}

	err := e.emitAll(ordered)
	if err != nil {
		e.cancel(err)
	}
	// Stop and release everything; the error that ended the run wins.
	if err != nil {
		e.q.stop.Store(-1)
		e.q.close()
	}
	wg.Wait()
	if err == nil {
		<-splitDone
	}
	for i := range e.slots {
		s := e.slots[i].Load()
		if s == nil {
			continue
		}
		if cerr := s.close(); cerr != nil && err == nil {
			err = cerr
		}
	}
	if err == nil {
		if p := startErr.Load(); p != nil {
			err = *p
		}
	}
	return err
}

// emitAll writes slabs in order as they complete.
func (e *engine) emitAll(ordered <-chan *slab) error {
	for {
		var sl *slab
		var ok bool
		select {
		case sl, ok = <-ordered:
		default:
			// Nothing ready: let the consumer have what we have so far.
			if err := e.out.flush(); err != nil {
				return err
			}
			select {
			case sl, ok = <-ordered:
			case <-e.ctx.Done():
				return context.Cause(e.ctx)
			}
		}
		if !ok {
			if err := e.ctx.Err(); err != nil {
				return context.Cause(e.ctx)
			}
			return nil
		}
		select {
		case <-sl.done:
		default:
			if err := e.out.flush(); err != nil {
				return err
			}
			select {
			case <-sl.done:
			case <-e.ctx.Done():
				return context.Cause(e.ctx)
			}
		}
		if err := e.emit(sl); err != nil {
			return err
		}
		if sl.err != nil {
			return sl.err
		}
		if err := e.checkpoint(sl); err != nil {
			return err
		}
	}
}

// count refreshes Stats.Items and Stats.Bytes from the workers' counters.
func (e *engine) count() {
	var items, bytes int64
	e.slotsMu.Lock()
	for i := range e.slots {
		if s := e.slots[i].Load(); s != nil {
			items += s.done.Load()
			bytes += s.bytes.Load()
		}
	}
	e.slotsMu.Unlock()
	e.stats.Items.Store(items)
	e.stats.Bytes.Store(bytes)
}

// checkpoint reports, now and then, that everything up to the end of sl is in the output.
func (e *engine) checkpoint(sl *slab) error {
	if e.opts.Checkpoint == nil || time.Since(e.lastCheckpoint) < e.opts.CheckpointEvery {
		return nil
	}
	if err := e.out.flush(); err != nil {
		return err
	}
	e.lastCheckpoint = time.Now()
	return e.opts.Checkpoint(sl.first+int64(len(sl.elems)), e.out.n)
}

// emit writes one finished slab's results in order and handles its failing elements.
func (e *engine) emit(sl *slab) error {
	for _, ch := range sl.chunks {
		prev := int32(0)
		for i := range ch.res {
			r := &ch.res[i]
			switch r.kind {
			case resValue:
				if err := e.out.value(ch.out[prev:r.end]); err != nil {
					return err
				}
				prev = r.end
				e.stats.Outputs.Add(1)
			case resError:
				ee := r.err.(*ElementError)
				if e.opts.OnError == Null {
					if err := e.out.value(nullValue); err != nil {
						return err
					}
					e.stats.Outputs.Add(1)
				}
				n := e.stats.Errors.Add(1)
				if e.opts.MaxErrors > 0 && n > e.opts.MaxErrors {
					return fmt.Errorf("%w: more than %d (--max-errors); the last: %w", ErrTooManyErrors, e.opts.MaxErrors, ee)
				}
				if e.opts.OnElementError != nil {
					e.opts.OnElementError(ee)
				}
				if e.opts.ErrorLog != nil {
					if err := writeErrorRecord(e.opts.ErrorLog, ee, sl.elemBytes(ee.Index)); err != nil {
						return fmt.Errorf("writing the error log: %w", err)
					}
				}
			case resFatal:
				if _, ok := r.err.(*ElementError); ok {
					e.stats.Errors.Add(1)
				}
				return r.err
			case resWarn:
				if e.opts.OnWarning != nil {
					e.opts.OnWarning(r.index, r.err)
				}
			}
		}
	}
	return nil
}

var nullValue = []byte("null")

// elemBytes returns the input bytes of the element with the given index.
func (sl *slab) elemBytes(index int64) []byte {
	sp := sl.elems[index-sl.first]
	return sl.buf[sp.start:sp.end]
}

// mapChunk maps the elements of ch and records their results. It never panics: a panic in a worker
// becomes a fatal error of the element.
func (e *engine) mapChunk(s *slot, sl *slab, ch *chunk) {
	if ch.res == nil {
		ch.res = make([]result, 0, ch.n)
	}
	defer func() {
		if sl.done != nil && sl.pending.Add(int64(-ch.n)) == 0 {
			close(sl.done)
		}
	}()
	for k := ch.start; k < ch.start+ch.n; k++ {
		idx := sl.first + int64(k)
		if idx >= e.q.stop.Load() {
			return
		}
		sp := sl.elems[k]
		if idx < e.opts.Skip {
			s.done.Add(1)
			s.bytes.Add(int64(sp.end - sp.start + 1))
			continue
		}
		el := sl.buf[sp.start:sp.end]
		if err := jsontext.Validate(el, e.opts.MaxDepth); err != nil {
			ie := sl.inputError(idx, sp, err)
			e.failAt(idx, ie)
			ch.res = append(ch.res, result{index: idx, kind: resFatal, err: ie})
			return
		}
		s.cur.Store(idx)
		err := e.mapOne(s, ch, idx, el)
		s.cur.Store(-1)
		s.done.Add(1) // this slot's own counters: no contention with other workers
		s.bytes.Add(int64(sp.end - sp.start + 1))
		if err == nil {
			continue
		}
		if idx >= e.q.stop.Load() || e.ctx.Err() != nil {
			return // abandoned: the run no longer wants this element
		}
		ee := &ElementError{Index: idx, Pos: sl.position(int(sp.start)), Err: err}
		var fe *fatalError
		if e.opts.OnError == Fail || errors.As(err, &fe) {
			e.failAt(idx, ee)
			ch.res = append(ch.res, result{index: idx, kind: resFatal, err: ee})
			return
		}
		ch.res = append(ch.res, result{index: idx, kind: resError, err: ee})
	}
}

// inputError describes an element that is not valid JSON, in the terms of where it stands: an
// element that stops short ("1e", "tru") is judged with the byte that follows it, and what follows
// a complete value is "after array element" inside an array.
func (sl *slab) inputError(idx int64, sp span, err error) *InputError {
	ie := &InputError{Index: idx, Msg: err.Error(), Pos: sl.position(int(sp.start))}
	var se *jsontext.SyntaxError
	if !errors.As(err, &se) {
		return ie
	}
	off := se.Offset
	if off == int(sp.end-sp.start) && int(sp.end) < len(sl.buf) {
		// Look at the next byte: "1e]" reads better than "unexpected end".
		var se2 *jsontext.SyntaxError
		if err2 := jsontext.Validate(sl.buf[sp.start:sp.end+1], 0); errors.As(err2, &se2) && se2.Offset == off {
			ie.Msg = se2.Msg
		}
	}
	if sl.array {
		ie.Msg = strings.Replace(ie.Msg, "after top-level value", "after array element", 1)
	}
	ie.Pos = sl.position(int(sp.start) + off)
	return ie
}

// failAt makes idx the last element of the run: nothing after it starts, and workers busy after it
// are interrupted. Elements before it still finish, so the output up to it is complete.
func (e *engine) failAt(idx int64, cause error) {
	for {
		cur := e.q.stop.Load()
		if idx+1 >= cur || e.q.stop.CompareAndSwap(cur, idx+1) {
			break
		}
	}
	for i := range e.slots {
		if s := e.slots[i].Load(); s != nil && s.cur.Load() > idx {
			s.cancel(fmt.Errorf("abandoned after element %d failed: %w", idx, cause))
		}
	}
}

// mapOne maps one element and appends its shaped output values to ch.
func (e *engine) mapOne(s *slot, ch *chunk, idx int64, el []byte) (err error) {
	mark := len(ch.out)
	defer func() {
		if p := recover(); p != nil {
			ch.out = ch.out[:mark]
			err = Fatal(fmt.Errorf("internal error: %v\n%s", p, debug.Stack()))
		}
	}()
	out, err := s.w.Map(s.ctx, idx, el, ch.out)
	if err != nil {
		var w interface{ IsWarning() bool }
		if errors.As(err, &w) && w.IsWarning() && len(out) > mark {
			ch.res = append(ch.res, result{index: idx, kind: resWarn, err: err})
			err = nil
		} else {
			if len(out) >= mark {
				ch.out = out[:mark]
			}
			return err
		}
	}
	ch.out = out
	val := out[mark:]
	if len(val) == 0 {
		return Fatal(errors.New("worker returned no value"))
	}
	switch {
	case e.opts.Filter:
		ch.out = out[:mark]
		if !jsontext.IsTruthy(val) {
			return nil
		}
		e.shape(s, ch, idx, el)
	case e.opts.Flat && val[0] == '[':
		// The result's elements become outputs.
		s.buf = append(s.buf[:0], val...)
		ch.out = out[:mark]
		b := s.buf
		i := 1
		for {
			i = skipSpace(b, i, len(b))
			if b[i] == ']' {
				break
			}
			j := jsontext.SkipValue(b, i)
			e.shape(s, ch, idx, b[i:j])
			i = skipSpace(b, j, len(b))
			if b[i] == ',' {
				i++
			}
		}
	default:
		if e.opts.Pretty || e.opts.Raw {
			s.buf = append(s.buf[:0], val...)
			ch.out = out[:mark]
			e.shape(s, ch, idx, s.buf)
		} else {
			ch.res = append(ch.res, result{index: idx, end: int32(len(ch.out))})
		}
	}
	return nil
}

// shape appends v, a JSON value, to ch as one output in its final form.
func (e *engine) shape(s *slot, ch *chunk, idx int64, v []byte) {
	switch {
	case e.opts.Raw && len(v) > 0 && v[0] == '"':
		ch.out = jsontext.Unquote(ch.out, v)
	case e.opts.Pretty:
		ch.out = jsontext.Indent(ch.out, v, e.indent, "  ")
	default:
		ch.out = jsontext.Compact(ch.out, v)
	}
	ch.res = append(ch.res, result{index: idx, end: int32(len(ch.out))})
}

// DefaultJobs returns the number of CPUs this process may use: its CPU affinity, capped by a cgroup
// CPU quota.
func DefaultJobs() int {
	n := availableCPUs()
	if n < 1 {
		n = goruntime.GOMAXPROCS(0)
	}
	return n
}

// MapFunc is a function that is its own Worker: Map calls it, Close does nothing.
type MapFunc func(ctx context.Context, index int64, in []byte, dst []byte) ([]byte, error)

// Map calls f.
func (f MapFunc) Map(ctx context.Context, index int64, in []byte, dst []byte) ([]byte, error) {
	return f(ctx, index, in, dst)
}

// Close does nothing.
func (f MapFunc) Close() error { return nil }

// Func returns a NewWorker whose workers all call f, which must be safe for concurrent use.
func Func(f MapFunc) NewWorker {
	return func(context.Context, int) (Worker, error) { return f, nil }
}

// MemoryError stops a run whose heap grew past Options.MaxMemory.
type MemoryError struct {
	Limit, Heap int64
	Elements    []int64 // being mapped when it happened
}

func (e *MemoryError) Error() string {
	msg := fmt.Sprintf("memory limit exceeded: the heap reached %s (the limit is %s)", FormatBytes(e.Heap), FormatBytes(e.Limit))
	if len(e.Elements) > 0 {
		parts := make([]string, len(e.Elements))
		for i, x := range e.Elements {
			parts[i] = strconv.FormatInt(x, 10)
		}
		msg += " while mapping element " + strings.Join(parts, ", ")
	}
	return msg
}

// watchMemory samples the heap until stop is closed and stops the run if it passes limit.
func (e *engine) watchMemory(limit int64, stop <-chan struct{}) {
	samples := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/live:bytes"}}
	read := func() (heap, live int64) {
		metrics.Read(samples)
		if samples[0].Value.Kind() == metrics.KindUint64 {
			heap = int64(samples[0].Value.Uint64())
		}
		if samples[1].Value.Kind() == metrics.KindUint64 {
			live = int64(samples[1].Value.Uint64())
		}
		return heap, live
	}
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		h, live := read()
		if h <= limit {
			continue
		}
		// The figure includes garbage not yet collected: a script that makes and drops big values
		// goes past the limit with garbage alone, so collect and look again. But stop at once
		// when the last collection kept more than the limit, or when the heap is well past it
		// with the data kept at least half of it: a script that doubles a string goes from the
		// limit to several times it in the time a collection takes.
		if live <= limit && (h <= limit+limit/4 || live <= limit/2) {
			goruntime.GC()
			if h, _ = read(); h <= limit {
				continue
			}
		}
		me := &MemoryError{Limit: limit, Heap: h}
		e.slotsMu.Lock()
		for i := range e.slots {
			if s := e.slots[i].Load(); s != nil {
				if cur := s.cur.Load(); cur >= 0 {
					me.Elements = append(me.Elements, cur)
				}
			}
		}
		e.slotsMu.Unlock()
		slices.Sort(me.Elements)
		e.cancel(Fatal(me))
		return
	}
}
