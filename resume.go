package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/jsmap/jsmap/jsbridge"
	"github.com/jsmap/jsmap/runtime"
)

// A run with --resume writes its output to FILE.jsmap-partial and records, about once a second,
// how far the durably written output goes in FILE.jsmap-journal. After a crash, a power cut or an
// interrupt, the same command continues after the last recorded element; the finished FILE is
// byte-identical to an uninterrupted run's. The journal also records what the output depends on
// (arguments, script, inputs), so a resume with anything changed is refused.

const journalVersion = 1

type journal struct {
	Version int          `json:"version"`
	Args    []string     `json:"args"`   // the settings that shape the output (config.shape)
	Script  string       `json:"script"` // jsbridge.Program.SourceHash
	Inputs  []inputPrint `json:"inputs"`

	Next     int64 `json:"next"`   // every element before this index is in the output
	Values   int64 `json:"values"` // values written for them
	Bytes    int64 `json:"bytes"`  // length of the partial output that holds them
	Errors   int64 `json:"errors"` // failing elements among them
	ErrBytes int64 `json:"errorsBytes"`

	// Done is set, with Bytes the whole output's length, just before the partial output is
	// renamed to FILE: a crash between that rename and the journal's removal leaves a journal
	// that says the run finished, and the same command then completes the commit.
	Done bool `json:"done,omitempty"`
}

// inputPrint identifies an input file's content well enough to notice a change.
type inputPrint struct {
	Name    string `json:"name"`
	Size    int64  `json:"size"`
	ModTime int64  `json:"mtime"`
	Head    uint32 `json:"head"` // CRC-32 of the first MiB
}

func fingerprintInput(name string) (inputPrint, error) {
	f, err := os.Open(name)
	if err != nil {
		return inputPrint{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return inputPrint{}, err
	}
	h := crc32.NewIEEE()
	if _, err := io.CopyN(h, f, 1<<20); err != nil && err != io.EOF {
		return inputPrint{}, err
	}
	return inputPrint{Name: name, Size: st.Size(), ModTime: st.ModTime().UnixNano(), Head: h.Sum32()}, nil
}

// resumable is the state of a --resume run.
type resumable struct {
	target, partial, path string
	j                     journal
	out                   *os.File
	errLog                *os.File
	finished              bool // the interrupted run had finished; openResumable completed its commit
}

// openResumable prepares a --resume run: it continues the journal beside target if there is one
// (checking that nothing changed), or starts a new one.
func openResumable(target string, shape []string, prog *jsbridge.Program, inputs []string, errorsFile string, stderr io.Writer) (*resumable, error) {
	r := &resumable{target: target, partial: target + ".jsmap-partial", path: target + ".jsmap-journal"}
	want := journal{Version: journalVersion, Args: shape, Script: prog.SourceHash()}
	for _, in := range inputs {
		fp, err := fingerprintInput(in)
		if err != nil {
			return nil, err
		}
		want.Inputs = append(want.Inputs, fp)
	}
	b, err := os.ReadFile(r.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		r.j = want
		if r.out, err = os.OpenFile(r.partial, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o666); err != nil {
			return nil, fmt.Errorf("creating %s: %w", r.partial, err)
		}
		if errorsFile != "" {
			if r.errLog, err = os.Create(errorsFile); err != nil {
				r.out.Close()
				return nil, fmt.Errorf("creating the error log: %w", err)
			}
		}
		if err := r.save(); err != nil {
			r.close()
			return nil, err
		}
		return r, nil
	case err != nil:
		return nil, fmt.Errorf("reading %s: %w", r.path, err)
	}
	var old journal
	if err := json.Unmarshal(b, &old); err != nil || old.Version != journalVersion {
		return nil, fmt.Errorf("cannot resume: %s is not a journal this version of jsmap wrote (remove it to start over)", r.path)
	}
	if why := old.differs(want); why != "" {
		return nil, fmt.Errorf("cannot resume: %s since the interrupted run (remove %s to start over)", why, r.path)
	}
	r.j = old
	if old.Done {
		if err := r.finishCommit(); err != nil {
			return nil, fmt.Errorf("cannot resume: %w (remove %s to start over)", err, r.path)
		}
		fmt.Fprintf(stderr, "jsmap: the interrupted run had finished: %s is complete\n", target)
		r.finished = true
		return r, nil
	}
	if r.out, err = os.OpenFile(r.partial, os.O_RDWR, 0); err != nil {
		return nil, fmt.Errorf("cannot resume: %w (remove %s to start over)", err, r.path)
	}
	if err := truncateTo(r.out, old.Bytes); err != nil {
		r.out.Close()
		return nil, fmt.Errorf("cannot resume: %s: %w (remove %s to start over)", r.partial, err, r.path)
	}
	if errorsFile != "" {
		if r.errLog, err = os.OpenFile(errorsFile, os.O_RDWR|os.O_CREATE, 0o666); err == nil {
			err = truncateTo(r.errLog, old.ErrBytes)
		}
		if err != nil {
			r.close()
			return nil, fmt.Errorf("cannot resume the error log: %w", err)
		}
	}
	if old.Next > 0 {
		fmt.Fprintf(stderr, "jsmap: resuming after element %s (%s already written)\n",
			runtime.Count(old.Next-1), plural(old.Values, "value"))
	} else {
		fmt.Fprintln(stderr, "jsmap: resuming: nothing was recorded yet, starting from the beginning")
	}
	return r, nil
}

// truncateTo cuts f to n bytes (which it must have) and positions it at the end.
func truncateTo(f *os.File, n int64) error {
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if st.Size() < n {
		return fmt.Errorf("it has %d bytes, the journal recorded %d", st.Size(), n)
	}
	if err := f.Truncate(n); err != nil {
		return err
	}
	_, err = f.Seek(n, io.SeekStart)
	return err
}

// differs says what changed between the journal of the interrupted run and this run, or "".
func (j journal) differs(now journal) string {
	if !slices.Equal(j.Args, now.Args) {
		for i := range min(len(j.Args), len(now.Args)) {
			if j.Args[i] != now.Args[i] {
				return fmt.Sprintf("the arguments changed (%s, was %s)", now.Args[i], j.Args[i])
			}
		}
		return "the arguments changed"
	}
	if j.Script != now.Script {
		return "the script changed"
	}
	if len(j.Inputs) != len(now.Inputs) {
		return "the inputs changed"
	}
	for i, a := range j.Inputs {
		b := now.Inputs[i]
		switch {
		case a.Name != b.Name:
			return "the inputs changed"
		case a.Size != b.Size:
			return fmt.Sprintf("%s changed (size %d, was %d)", b.Name, b.Size, a.Size)
		case a.ModTime != b.ModTime || a.Head != b.Head:
			return fmt.Sprintf("%s changed (it was modified)", b.Name)
		}
	}
	return ""
}

// checkpoint makes the output up to next durable and records it.
func (r *resumable) checkpoint(next, values, errs int64, flushErrLog func() error) error {
	if err := flushErrLog(); err != nil {
		return err
	}
	if err := r.out.Sync(); err != nil {
		return fmt.Errorf("writing %s: %w", r.partial, err)
	}
	n, err := r.out.Seek(0, io.SeekCurrent)
	if err != nil {
		return err
	}
	var en int64
	if r.errLog != nil {
		if err := r.errLog.Sync(); err != nil {
			return fmt.Errorf("writing the error log: %w", err)
		}
		if en, err = r.errLog.Seek(0, io.SeekCurrent); err != nil {
			return err
		}
	}
	r.j.Next, r.j.Values, r.j.Bytes, r.j.Errors, r.j.ErrBytes = next, values, n, errs, en
	return r.save()
}

// save writes the journal atomically and durably.
func (r *resumable) save() error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r.j); err != nil {
		return err
	}
	b := buf.Bytes()
	tmp := r.path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o666)
	if err != nil {
		return fmt.Errorf("writing the journal: %w", err)
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, r.path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing the journal: %w", err)
	}
	syncDir(filepath.Dir(r.path))
	return nil
}

// commit moves the finished output into place and removes the journal. The journal is marked done
// first, so that a crash at any point leaves either a resumable run or a finished one.
func (r *resumable) commit() error {
	if err := r.out.Sync(); err != nil {
		return fmt.Errorf("writing %s: %w", r.partial, err)
	}
	n, err := r.out.Seek(0, io.SeekCurrent)
	if err != nil {
		return err
	}
	if err := r.out.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", r.partial, err)
	}
	r.out = nil
	if r.errLog != nil {
		r.errLog.Sync()
	}
	r.j.Done, r.j.Bytes = true, n
	if err := r.save(); err != nil {
		return err
	}
	return r.finishCommit()
}

// finishCommit completes the commit of a run whose journal is marked done: the partial output
// (cut to the recorded length) is renamed to the target unless that happened already, and the
// journal goes.
func (r *resumable) finishCommit() error {
	if st, err := os.Stat(r.partial); err == nil {
		if st.Size() < r.j.Bytes {
			return fmt.Errorf("%s has %d bytes, the journal recorded %d", r.partial, st.Size(), r.j.Bytes)
		}
		if st.Size() > r.j.Bytes {
			if err := os.Truncate(r.partial, r.j.Bytes); err != nil {
				return err
			}
		}
		if err := os.Rename(r.partial, r.target); err != nil {
			return err
		}
		syncDir(filepath.Dir(r.target))
	} else if st, terr := os.Stat(r.target); terr != nil || st.Size() != r.j.Bytes {
		// Neither the partial output nor a target of the recorded length: not what a crash leaves.
		return fmt.Errorf("the run had finished, but neither %s nor a complete %s is there", r.partial, r.target)
	}
	os.Remove(r.path)
	os.Remove(r.path + ".tmp")
	return nil
}

func (r *resumable) close() {
	if r.out != nil {
		r.out.Close()
	}
	if r.errLog != nil {
		r.errLog.Close()
	}
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
