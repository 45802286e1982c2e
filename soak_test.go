package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestSoak streams N small objects through jsmap's stdin (made on the fly by a reader: never a file
// of that size) with -j 2 and with -j 64, counts the output lines and checks their order as they
// come, and samples the process's RSS every 100ms: the output is complete and in order, and memory
// is flat (the highest RSS of the second half of the run is at most 1.1 × the highest of the first
// half + 8 MiB; under -race, whose own memory grows, 1.5 × + 16 MiB).
//
// N is 200,000 by default (the CI form, which runs under -race) and 50,000 with -short;
// JSMAP_SOAK=10000000 runs the long form.
func TestSoak(t *testing.T) {
	n := 200000
	if testing.Short() {
		n = 50000
	}
	if s := os.Getenv("JSMAP_SOAK"); s != "" {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || v < 1 {
			t.Fatalf("JSMAP_SOAK=%q: want a number of elements", s)
		}
		n = int(v)
	}
	bin := relJsmap(t)
	for _, jobs := range []int{2, 64} {
		t.Run(fmt.Sprintf("j%d", jobs), func(t *testing.T) { soakRun(t, bin, n, jobs) })
	}
}

// soakScript does light work: a little string and array handling per element.
const soakScript = `x => ({i: x.i, name: x.name.toUpperCase(), tags: x.tags.length, sum: x.v.reduce((a, b) => a + b, 0)})`

func soakRun(t *testing.T, bin string, n, jobs int) {
	dir := relDir(t)
	cmd := relCommand(bin, dir, "-q", "-j", strconv.Itoa(jobs), "-e", soakScript)
	cmd.Stdin = &soakInput{n: n}
	out := &soakCounter{}
	cmd.Stdout = out
	var stderr relBuffer
	cmd.Stderr = &stderr
	p := relStart(t, cmd)

	// RSS samples, every 100ms until the process exits.
	type sample struct {
		at  time.Duration
		rss int64
	}
	var samples []sample
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-p.done:
				return
			case <-tick.C:
			}
			if rss := relStatus(p.cmd.Process.Pid, "VmRSS"); rss > 0 {
				samples = append(samples, sample{time.Since(p.start), rss})
			}
		}
	})
	ps := p.wait(t, 30*time.Minute)
	wg.Wait()
	took := time.Since(p.start)

	relNoTrace(t, stderr.String())
	if code := relExit(ps); code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, relClip(stderr.String()))
	}
	if stderr.String() != "" {
		t.Errorf("stderr is not empty:\n%s", relClip(stderr.String()))
	}
	if err := out.result(n); err != nil {
		t.Fatal(err)
	}

	half := len(samples) / 2
	var first, second int64
	for i, s := range samples {
		if i < half {
			first = max(first, s.rss)
		} else {
			second = max(second, s.rss)
		}
	}
	t.Logf("-j %d: %d elements in %v (%.0f items/s); %d RSS samples: max %.1f MiB in the first half, %.1f MiB in the second; peak RSS %.1f MiB",
		jobs, n, took.Round(time.Millisecond), float64(n)/took.Seconds(), len(samples),
		float64(first)/(1<<20), float64(second)/(1<<20), float64(p.peak.Load())/(1<<20))
	if len(samples) >= 10 {
		// The highest RSS in each tenth of the run, to see a trend.
		var b strings.Builder
		for d := range 10 {
			var m int64
			for _, s := range samples[d*len(samples)/10 : (d+1)*len(samples)/10] {
				m = max(m, s.rss)
			}
			fmt.Fprintf(&b, " %.1f", float64(m)/(1<<20))
		}
		t.Logf("-j %d: max RSS (MiB) by tenth of the run:%s", jobs, b.String())
	}
	if len(samples) < 10 {
		t.Logf("only %d samples: too few to compare the halves (the run was short)", len(samples))
		return
	}
	// Under -race the race detector's own memory (its records of goroutines and synchronization)
	// grows with the run, by up to a quarter in the CI form; the Go heap does not. The long form,
	// without -race, holds jsmap to the tight bound.
	num, den, slack := int64(11), int64(10), int64(8<<20)
	if relRace() {
		num, den, slack = 3, 2, 16<<20
	}
	if limit := first*num/den + slack; second > limit {
		var b strings.Builder
		for _, s := range samples {
			fmt.Fprintf(&b, "  %6.1fs %7.1f MiB\n", s.at.Seconds(), float64(s.rss)/(1<<20))
		}
		t.Errorf("RSS grows: %.1f MiB in the second half, more than %d/%d × %.1f MiB + %d MiB; samples:\n%s",
			float64(second)/(1<<20), num, den, float64(first)/(1<<20), slack>>20, b.String())
	}
}

// soakInput is an NDJSON stream of n small objects {"i":I,"name":"...","tags":[...],"v":[...]},
// made as it is read. The names repeat (1,000 of them): each worker keeps up to 4,096 distinct
// short strings it has decoded (jsbridge's string cache), so a stream of distinct names makes the
// RSS grow, boundedly, until every worker's cache is full (at -j 64, some 260,000 elements: more
// than the CI form's whole run).
type soakInput struct {
	n, i int
	buf  []byte
}

func (s *soakInput) Read(p []byte) (int, error) {
	for len(s.buf) < len(p) && s.i < s.n {
		b := s.buf
		b = append(b, `{"i":`...)
		b = strconv.AppendInt(b, int64(s.i), 10)
		b = append(b, `,"name":"item `...)
		b = strconv.AppendInt(b, int64(s.i%1000), 10)
		b = append(b, `","tags":["a","b","c"],"v":[1,2,`...)
		b = strconv.AppendInt(b, int64(s.i%100), 10)
		b = append(b, "]}\n"...)
		s.buf = b
		s.i++
	}
	if len(s.buf) == 0 {
		return 0, io.EOF
	}
	k := copy(p, s.buf)
	s.buf = s.buf[:copy(s.buf, s.buf[k:])]
	return k, nil
}

// soakCounter is jsmap's stdout: it counts the lines and checks each as it comes (its index is
// the next one, its fields what the script makes), keeping only the first problem.
type soakCounter struct {
	partial []byte
	lines   int
	err     error
}

func (c *soakCounter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			c.partial = append(c.partial, p...)
			break
		}
		line := p[:i]
		if len(c.partial) > 0 {
			c.partial = append(c.partial, line...)
			line = c.partial
		}
		c.check(line)
		c.partial = c.partial[:0]
		p = p[i+1:]
	}
	return n, nil
}

func (c *soakCounter) check(line []byte) {
	i := c.lines
	c.lines++
	if c.err != nil {
		return
	}
	want := fmt.Appendf(nil, `{"i":%d,"name":"ITEM %d","tags":3,"sum":%d}`, i, i%1000, 3+i%100)
	if !bytes.Equal(line, want) {
		c.err = fmt.Errorf("output line %d is %.200q, want %q", i+1, line, want)
	}
}

// result checks that n lines came, all as they should be.
func (c *soakCounter) result(n int) error {
	switch {
	case c.err != nil:
		return c.err
	case len(c.partial) > 0:
		return fmt.Errorf("the output ends with an unterminated line %.200q", c.partial)
	case c.lines != n:
		return fmt.Errorf("%d output lines, want %d", c.lines, n)
	}
	return nil
}
