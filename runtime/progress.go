package runtime

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"
)

// StatusWriter is the one writer of a terminal's error stream: ordinary lines (script console output,
// warnings) and a status line redrawn in place below them. A line written while the status line is
// shown erases it, appears, and the status line is redrawn, so neither tears the other.
// Safe for concurrent use.
type StatusWriter struct {
	mu     sync.Mutex
	w      io.Writer
	tty    bool
	status string // the status line currently shown ("" for none)
}

// NewStatusWriter returns a StatusWriter over w. With tty false it never draws a status line.
func NewStatusWriter(w io.Writer, tty bool) *StatusWriter {
	return &StatusWriter{w: w, tty: tty}
}

const eraseLine = "\r\x1b[K"

// Write writes p, which should be whole lines, above the status line.
func (s *StatusWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.status == "" {
		return s.w.Write(p)
	}
	buf := make([]byte, 0, len(eraseLine)+len(p)+len(s.status)+1)
	buf = append(buf, eraseLine...)
	buf = append(buf, p...)
	if len(p) > 0 && p[len(p)-1] != '\n' {
		buf = append(buf, '\n')
	}
	buf = append(buf, s.status...)
	if _, err := s.w.Write(buf); err != nil {
		return 0, err
	}
	return len(p), nil
}

// SetStatus draws line as the status line (replacing the previous one); "" removes it.
func (s *StatusWriter) SetStatus(line string) {
	if !s.tty {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if line == "" && s.status == "" {
		return
	}
	s.status = line
	io.WriteString(s.w, eraseLine+line)
}

// Progress renders a run's Stats: on a terminal a status line redrawn about ten times a second
// (nothing for the first 200ms), or in plain mode an ordinary log line every few seconds.
type Progress struct {
	Stats *Stats
	Out   *StatusWriter
	Plain bool          // log lines instead of a redrawn status line
	Every time.Duration // plain mode interval (default 5s)

	start time.Time
	stop  chan struct{}
	done  chan struct{}
}

// Start begins rendering in the background.
func (p *Progress) Start() {
	p.start = time.Now()
	p.stop = make(chan struct{})
	p.done = make(chan struct{})
	go p.loop()
}

func (p *Progress) loop() {
	defer close(p.done)
	tick := 100 * time.Millisecond
	if p.Plain {
		tick = p.Every
		if tick <= 0 {
			tick = 5 * time.Second
		}
	}
	delay := time.NewTimer(200 * time.Millisecond)
	defer delay.Stop()
	if p.Plain {
		delay.Reset(tick)
	}
	select {
	case <-delay.C:
	case <-p.stop:
		return
	}
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		p.render()
		select {
		case <-t.C:
		case <-p.stop:
			return
		}
	}
}

func (p *Progress) render() {
	if p.Plain {
		fmt.Fprintf(p.Out, "jsmap: %s\n", p.Line(time.Since(p.start)))
		return
	}
	p.Out.SetStatus("jsmap  " + p.Line(time.Since(p.start)))
}

// Stop ends rendering and removes the status line.
func (p *Progress) Stop() {
	if p.stop == nil {
		return
	}
	close(p.stop)
	<-p.done
	p.stop = nil
	p.Out.SetStatus("")
}

// Line formats the current state: items done (of an estimate when the input size is known),
// rate, workers, errors, elapsed time, and percent and ETA when the input size is known.
func (p *Progress) Line(elapsed time.Duration) string {
	st := p.Stats
	items := st.Items.Load()
	total := st.TotalBytes.Load()
	bytes := st.Bytes.Load()
	var b strings.Builder
	frac := -1.0
	if total > 0 {
		frac = float64(bytes) / float64(total)
		if frac > 1 {
			frac = 1
		}
	}
	b.WriteString(Count(items))
	if frac > 0.001 {
		est := int64(float64(items) / frac)
		if est < items {
			est = items
		}
		fmt.Fprintf(&b, " / ~%s", Count(est))
	}
	b.WriteString(" items")
	secs := elapsed.Seconds()
	if secs > 0 {
		fmt.Fprintf(&b, "  %s/s", Rate(float64(items)/secs))
	}
	fmt.Fprintf(&b, "  %s  %s  %s", plural(st.Workers.Load(), "worker"), plural(st.Errors.Load(), "error"), Clock(elapsed))
	if frac >= 0 {
		fmt.Fprintf(&b, "  %3d%%", int(frac*100))
		if frac > 0.001 && frac < 1 {
			eta := time.Duration(float64(elapsed) * (1 - frac) / frac)
			fmt.Fprintf(&b, "  ETA %s", Clock(eta))
		}
	}
	return b.String()
}

// Summary formats the one-line account of a finished run.
func Summary(st *Stats, elapsed time.Duration) string {
	items := st.Items.Load()
	secs := elapsed.Seconds()
	rate := ""
	if secs > 0 {
		rate = fmt.Sprintf(" (%s/s)", Rate(float64(items)/secs))
	}
	return fmt.Sprintf("%s in %s%s, %s, %s", plural(items, "item"), Seconds(elapsed), rate,
		plural(st.Workers.Load(), "worker"), plural(st.Errors.Load(), "error"))
}

func plural(n int64, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return Count(n) + " " + what + "s"
}

// Count formats n with thousands separators: 1,234,567.
func Count(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := ""
	if n < 0 {
		neg, s = "-", s[1:]
	}
	if len(s) <= 3 {
		return neg + s
	}
	var b strings.Builder
	b.WriteString(neg)
	pre := len(s) % 3
	if pre > 0 {
		b.WriteString(s[:pre])
	}
	for i := pre; i < len(s); i += 3 {
		if b.Len() > len(neg) {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

// Rate formats a per-second figure compactly: 950, 18.3k, 1.24M.
func Rate(r float64) string {
	switch {
	case r >= 1e6:
		return strconv.FormatFloat(r/1e6, 'f', 2, 64) + "M"
	case r >= 1e4:
		return strconv.FormatFloat(r/1e3, 'f', 0, 64) + "k"
	case r >= 1e3:
		return strconv.FormatFloat(r/1e3, 'f', 1, 64) + "k"
	case r >= 10:
		return strconv.FormatFloat(r, 'f', 0, 64)
	}
	return strconv.FormatFloat(r, 'f', 1, 64)
}

// Clock formats d as m:ss or h:mm:ss.
func Clock(d time.Duration) string {
	s := int64(d.Round(time.Second) / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// Seconds formats d as seconds with a precision that suits its size: 0.042s, 5.4s, 83s.
func Seconds(d time.Duration) string {
	s := d.Seconds()
	switch {
	case s < 1:
		return strconv.FormatFloat(s, 'f', 3, 64) + "s"
	case s < 60:
		return strconv.FormatFloat(s, 'f', 1, 64) + "s"
	}
	return strconv.FormatFloat(s, 'f', 0, 64) + "s"
}
