package runtime

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/jsmap/jsmap/internal/jsontext"
)

// output frames result values: a JSON array with one element per line, or one value per line.
type output struct {
	w       *bufio.Writer
	format  Format
	pretty  bool
	n       int64
	written bool
}

// value writes one result (already in its final form).
func (o *output) value(v []byte) error {
	w := o.w
	if o.format == FormatJSON {
		switch {
		case o.n == 0 && o.pretty:
			w.WriteString("[\n  ")
		case o.n == 0:
			w.WriteString("[\n")
		case o.pretty:
			w.WriteString(",\n  ")
		default:
			w.WriteString(",\n")
		}
		w.Write(v)
	} else {
		w.Write(v)
		w.WriteByte('\n')
	}
	o.n++
	if o.w.Buffered() == 0 || o.n&1023 == 0 {
		// bufio remembers a write error; surface it without checking every call.
		_, err := w.Write(nil)
		return outputError(err)
	}
	return nil
}

// flush writes buffered output through.
func (o *output) flush() error {
	if o.w.Buffered() == 0 {
		return nil
	}
	return outputError(o.w.Flush())
}

// OutputError is a failure to write the results (a full disk, a closed pipe).
type OutputError struct{ Err error }

func (e *OutputError) Error() string { return "writing the output: " + e.Err.Error() }
func (e *OutputError) Unwrap() error { return e.Err }

func outputError(err error) error {
	if err == nil {
		return nil
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err // "write /dev/stdout: ..." says less than what follows
	}
	return &OutputError{err}
}

// finish closes the framing and flushes.
func (o *output) finish() error {
	if o.format == FormatJSON {
		if o.n == 0 {
			o.w.WriteString("[]\n")
		} else {
			o.w.WriteString("\n]\n")
		}
	}
	return outputError(o.w.Flush())
}

// abandon ends output cut short by a failure with a newline, so that what follows on a terminal
// (the error) starts on its own line. The output is not valid JSON then, and says so by its end.
func (o *output) abandon() {
	if o.format == FormatJSON && o.n > 0 {
		o.w.WriteByte('\n')
	}
}

// writeErrorRecord writes one NDJSON line {index, input, error, stack} for a failing element.
func writeErrorRecord(w io.Writer, ee *ElementError, input []byte) error {
	msg, stack := ee.Err.Error(), ee.Stack()
	b := make([]byte, 0, len(input)+len(msg)+len(stack)+64)
	b = append(b, `{"index":`...)
	b = strconv.AppendInt(b, ee.Index, 10)
	b = append(b, `,"input":`...)
	b = jsontext.Compact(b, input)
	b = append(b, `,"error":`...)
	b = jsontext.AppendQuote(b, msg)
	b = append(b, `,"stack":`...)
	b = jsontext.AppendQuote(b, stack)
	b = append(b, "}\n"...)
	_, err := w.Write(b)
	return err
}

// AtomicFile is an output file that appears under its name only when committed: it is written to a
// temporary file in the same folder and renamed over the target, so the target is never seen partial.
// Not safe for concurrent use.
type AtomicFile struct {
	*os.File
	target string
	done   bool
	direct bool // the target is not a regular file: written in place
}

// CreateAtomic starts writing the file name. The folder must exist. An existing file keeps its
// permission bits; a new one gets 0666 less the umask. A name that is a device or a pipe is
// written directly.
func CreateAtomic(name string) (*AtomicFile, error) {
	dir, base := filepath.Split(name)
	if dir == "" {
		dir = "."
	}
	if st, err := os.Stat(name); err == nil && st.IsDir() {
		return nil, fmt.Errorf("%s is a directory", name)
	} else if err == nil && !st.Mode().IsRegular() {
		// A device or a pipe (/dev/null, /dev/stdout, a FIFO): nothing to replace; write into it.
		f, err := os.OpenFile(name, os.O_WRONLY, 0)
		if err != nil {
			return nil, fmt.Errorf("opening %s: %w", name, err)
		}
		return &AtomicFile{File: f, target: name, direct: true}, nil
	}
	f, err := os.CreateTemp(dir, "."+base+".jsmap-*.tmp")
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("creating %s: %w", name, err)
	}
	mode := os.FileMode(0o666) &^ umask()
	if st, err := os.Stat(name); err == nil {
		mode = st.Mode().Perm()
	}
	if err := f.Chmod(mode); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	return &AtomicFile{File: f, target: name}, nil
}

// TempName returns the temporary file's path.
func (a *AtomicFile) TempName() string { return a.File.Name() }

// Commit makes the written content durable and renames it over the target.
func (a *AtomicFile) Commit() error {
	if a.done {
		return errors.New("atomic file already closed")
	}
	a.done = true
	if a.direct {
		return a.File.Close()
	}
	if err := a.File.Sync(); err != nil {
		a.File.Close()
		os.Remove(a.File.Name())
		return fmt.Errorf("writing %s: %w", a.target, err)
	}
	if err := a.File.Close(); err != nil {
		os.Remove(a.File.Name())
		return fmt.Errorf("writing %s: %w", a.target, err)
	}
	if err := os.Rename(a.File.Name(), a.target); err != nil {
		os.Remove(a.File.Name())
		return err
	}
	if d, err := os.Open(filepath.Dir(a.target)); err == nil {
		d.Sync() // make the rename durable; not all file systems support it
		d.Close()
	}
	return nil
}

// Abort removes the temporary file; the target is untouched. It is safe to call after Commit.
func (a *AtomicFile) Abort() {
	if a.done {
		return
	}
	a.done = true
	a.File.Close()
	if !a.direct {
		os.Remove(a.File.Name())
	}
}
