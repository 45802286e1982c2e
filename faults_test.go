package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// faultScript is the map function of the fault tests: light work with a result that depends on
// the element and its index, and every 50th element a busy wait of 5ms, so that the duration of a
// run depends little on -race: 10,000 elements take about 1s of CPU.
const faultScript = `module.exports = (x, i) => {
  if (i % 50 === 0) { const end = Date.now() + 5; while (Date.now() < end) {} }
  return {id: x.id, i, name: x.name.toUpperCase(), n: x.tags.length, score: x.score * 2}
}
`

// faultInput writes n elements to path: an NDJSON stream, or one JSON array when array is set.
func faultInput(t testing.TB, path string, n int, array bool) {
	t.Helper()
	b := make([]byte, 0, n*72+2)
	if array {
		b = append(b, "[\n"...)
	}
	for i := range n {
		if array && i > 0 {
			b = append(b, ",\n"...)
		}
		b = append(b, `{"id":`...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, `,"name":"user `...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, `","tags":["t`...)
		b = strconv.AppendInt(b, int64(i%7), 10)
		b = append(b, `","u"],"score":`...)
		b = strconv.AppendInt(b, int64(i%1000), 10)
		b = append(b, ".5}"...)
		if !array {
			b = append(b, '\n')
		}
	}
	if array {
		b = append(b, "\n]\n"...)
	}
	relWrite(t, path, b)
}

// TestSignalsAtRandomMoments interrupts jsmap -o out.json (SIGINT and SIGTERM in turn) at random
// moments of a run of about a second, from before the Go runtime has started to after the output
// is committed: the exit status is 0 (it finished first), 130 (SIGINT) or 143 (SIGTERM); out.json
// is its old content or the complete output, never partial; no temporary file remains.
func TestSignalsAtRandomMoments(t *testing.T) {
	runs := 50
	if testing.Short() {
		runs = 10
	}
	bin := relJsmap(t)
	dir := relDir(t)
	// About a second with two workers.
	const n = 20000
	want := faultReference(t, bin, dir, "in.ndjson", n)
	if bytes.Count(want, []byte("\n")) != n {
		t.Fatalf("reference output has %d lines, want %d", bytes.Count(want, []byte("\n")), n)
	}

	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 0))
	t.Logf("seed %d", seed)
	outPath := filepath.Join(dir, "out.json")
	tally := map[string]int{}
	var slowest time.Duration
	for i := range runs {
		sig, sigName, code := syscall.SIGINT, "SIGINT", 130
		if i%2 == 1 {
			sig, sigName, code = syscall.SIGTERM, "SIGTERM", 143
		}
		delay := time.Duration(rng.Int64N(int64(1200 * time.Millisecond)))
		relWrite(t, outPath, []byte(relOld))
		cmd := relCommand(bin, dir, "-j", "2", "-o", "out.json", "s.js", "in.ndjson")
		var stdout, stderr relBuffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		p := relStart(t, cmd)
		time.Sleep(delay)
		sent := time.Now()
		p.signal(sig)
		ps := p.wait(t, 60*time.Second)
		after := time.Since(sent)
		slowest = max(slowest, after)
		got := relExit(ps)
		what := fmt.Sprintf("run %d (%s after %v)", i, sigName, delay.Round(time.Millisecond))
		relNoTrace(t, stderr.String())
		if got != 0 && got != code {
			t.Fatalf("%s: exit status %d, want 0 or %d; stderr:\n%s", what, got, code, relClip(stderr.String()))
		}
		if stdout.String() != "" {
			t.Fatalf("%s: stdout is not empty with -o", what)
		}
		out, err := os.ReadFile(outPath)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		content := "complete"
		switch {
		case bytes.Equal(out, want):
		case string(out) == relOld:
			content = "untouched"
		default:
			t.Fatalf("%s: exit %d and out.json is neither untouched nor complete: %d bytes (complete: %d)", what, got, len(out), len(want))
		}
		if got == 0 && content != "complete" {
			t.Fatalf("%s: exit 0 but out.json is untouched", what)
		}
		relNoLeftovers(t, dir)
		if t.Failed() {
			t.FailNow()
		}
		tally[fmt.Sprintf("%s: exit %d, out.json %s", sigName, got, content)]++
		// A signal handled by jsmap ends the run within a second (README); a generous bound here,
		// for loaded machines.
		if got != 0 && after > 15*time.Second {
			t.Errorf("%s: exited %v after the signal", what, after)
		}
	}
	for k, v := range tally {
		t.Logf("%3d × %s", v, k)
	}
	t.Logf("slowest exit after a signal: %v", slowest.Round(time.Millisecond))
}

// TestResumeAfterKill kills jsmap --resume -o out.json with SIGKILL at random moments and runs the
// same command again after each kill until it succeeds (with -j changing from run to run, which
// --resume allows): the final out.json is byte-identical to an uninterrupted run's, and the journal
// and the partial output are gone. A resume after a change of the input, the script or the
// arguments is refused (exit 2).
func TestResumeAfterKill(t *testing.T) {
	rounds := 10
	if testing.Short() {
		rounds = 3
	}
	bin := relJsmap(t)
	dir := relDir(t)
	// About 2s with one worker, 1s with two or three: checkpoints come about once a second.
	const n = 20000
	want := faultReference(t, bin, dir, "in.json", n)

	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 1))
	t.Logf("seed %d", seed)
	outPath := filepath.Join(dir, "out.json")
	journal := outPath + ".jsmap-journal"
	resumed := regexp.MustCompile(`(?m)^jsmap: resuming after element (-?[\d,]+) \(`)
	kills, fromCheckpoint := 0, 0
	for round := range rounds {
		relWrite(t, outPath, []byte(relOld))
		for attempt := 0; ; attempt++ {
			if attempt > 40 {
				t.Fatalf("round %d: no success after %d runs", round, attempt)
			}
			jobs := strconv.Itoa(1 + (round+attempt)%3)
			cmd := relCommand(bin, dir, "--resume", "-o", "out.json", "-j", jobs, "s.js", "in.json")
			var stdout, stderr relBuffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			p := relStart(t, cmd)
			// Kill at a random moment: the first run of a round, and the second one time in two;
			// in the first round, once the journal records progress (so that one resume surely
			// starts from a checkpoint).
			killed := false
			if attempt == 0 || attempt == 1 && rng.IntN(2) == 0 {
				var ready func() bool
				if round == 0 && attempt == 0 {
					ready = func() bool { return faultJournalNext(journal) > 0 }
				} else {
					at := p.start.Add(time.Duration(rng.Int64N(int64(1500 * time.Millisecond))))
					ready = func() bool { return !time.Now().Before(at) }
				}
				killed = faultKillWhen(p, ready)
			}
			ps := p.wait(t, 5*time.Minute)
			code := relExit(ps)
			what := fmt.Sprintf("round %d, run %d (-j %s)", round, attempt, jobs)
			relNoTrace(t, stderr.String())
			if m := resumed.FindStringSubmatch(stderr.String()); m != nil && m[1] != "-1" {
				fromCheckpoint++
			}
			if code == 137 && killed {
				kills++
				if out, _ := os.ReadFile(outPath); string(out) != relOld && !bytes.Equal(out, want) {
					t.Fatalf("%s: killed; out.json is neither untouched nor complete (%d bytes)", what, len(out))
				}
				continue
			}
			if code != 0 {
				t.Fatalf("%s: exit status %d; stderr:\n%s", what, code, relClip(stderr.String()))
			}
			got, err := os.ReadFile(outPath)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("%s: out.json (%d bytes) differs from the uninterrupted run's (%d bytes)", what, len(got), len(want))
			}
			relNoLeftovers(t, dir)
			break
		}
	}
	t.Logf("%d rounds, %d kills, %d resumes from a checkpoint", rounds, kills, fromCheckpoint)
	if fromCheckpoint == 0 {
		t.Errorf("no run resumed from a checkpoint")
	}

	t.Run("changed", func(t *testing.T) {
		// An interrupted run with progress in its journal (one worker: about two seconds, so the
		// kill after the first checkpoint comes well before the end).
		relWrite(t, outPath, []byte(relOld))
		args := []string{"--resume", "-o", "out.json", "-j", "1", "s.js", "in.json"}
		p := relStart(t, relCommand(bin, dir, args...))
		if !faultKillWhen(p, func() bool { return faultJournalNext(journal) > 0 }) {
			t.Fatalf("the run ended before its journal recorded progress")
		}
		p.wait(t, time.Minute)
		jbefore, err := os.ReadFile(journal)
		if err != nil {
			t.Fatal(err)
		}
		// refused runs args and checks that it is refused (exit 2) with a first line of stderr that
		// starts with prefix and ends with the way out, and that nothing changed.
		refused := func(t *testing.T, prefix string, args ...string) {
			t.Helper()
			const suffix = " (remove out.json.jsmap-journal to start over)"
			r := relRun(t, relCommand(bin, dir, args...), nil, time.Minute)
			relNoTrace(t, r.stderr)
			line := relFirstLine(r.stderr)
			if r.code != 2 || !strings.HasPrefix(line, "jsmap: error: cannot resume: "+prefix) || !strings.HasSuffix(line, suffix) {
				t.Errorf("exit %d, first line of stderr\n  %q\nwant exit 2 and\n  %q", r.code, line, "jsmap: error: cannot resume: "+prefix+"..."+suffix)
			}
			if out, _ := os.ReadFile(outPath); string(out) != relOld {
				t.Errorf("out.json changed")
			}
			if j, _ := os.ReadFile(journal); !bytes.Equal(j, jbefore) {
				t.Errorf("the journal changed:\n%s\nwas:\n%s", j, jbefore)
			}
		}

		refused(t, "the arguments changed", "--resume", "-o", "out.json", "--arg", "k=v", "s.js", "in.json")
		refused(t, "the arguments changed", "--resume", "-o", "out.json", "--output-format", "ndjson", "s.js", "in.json")

		script := filepath.Join(dir, "s.js")
		relWrite(t, script, []byte(faultScript+"// changed\n"))
		refused(t, "the script changed", args...)
		relWrite(t, script, []byte(faultScript))

		in := filepath.Join(dir, "in.json")
		st, err := os.Stat(in)
		if err != nil {
			t.Fatal(err)
		}
		orig, err := os.ReadFile(in)
		if err != nil {
			t.Fatal(err)
		}
		relWrite(t, in, append(bytes.Clone(orig), '\n'))
		refused(t, fmt.Sprintf("in.json changed (size %d, was %d)", len(orig)+1, len(orig)), args...)
		// The same size, one byte changed (a digit of the first element's score).
		changed := bytes.Replace(orig, []byte(`"score":0.5}`), []byte(`"score":1.5}`), 1)
		relWrite(t, in, changed)
		refused(t, "in.json changed (it was modified)", args...)
		// The same content, touched.
		relWrite(t, in, orig)
		refused(t, "in.json changed (it was modified)", args...)

		// Back as it was, with its modification time: the resume goes on, to the same output.
		if err := os.Chtimes(in, st.ModTime(), st.ModTime()); err != nil {
			t.Fatal(err)
		}
		r := relRun(t, relCommand(bin, dir, args...), nil, 5*time.Minute)
		relNoTrace(t, r.stderr)
		if r.code != 0 || !resumed.MatchString(r.stderr) {
			t.Fatalf("after restoring everything: exit %d; stderr:\n%s", r.code, relClip(r.stderr))
		}
		if got, _ := os.ReadFile(outPath); !bytes.Equal(got, want) {
			t.Fatalf("out.json (%d bytes) differs from the uninterrupted run's (%d bytes)", len(got), len(want))
		}
		relNoLeftovers(t, dir)
	})
}

// TestResumeAfterKillBetweenCommitAndCleanup is a crash in the last moments of a --resume run: the
// journal is marked done, and the output either still waits as out.json.jsmap-partial or has been
// renamed into place. The same command then completes the commit (exit 0, out.json complete, the
// journal removed) instead of failing until the journal is removed by hand.
func TestResumeAfterKillBetweenCommitAndCleanup(t *testing.T) {
	bin := relJsmap(t)
	dir := relDir(t)
	relWrite(t, filepath.Join(dir, "s.js"), []byte(faultScript))
	faultInput(t, filepath.Join(dir, "in.json"), 1000, true)
	args := []string{"--resume", "-o", "out.json", "s.js", "in.json"}
	r := relRun(t, relCommand(bin, dir, args...), nil, time.Minute)
	if r.code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", r.code, r.stderr)
	}
	outPath := filepath.Join(dir, "out.json")
	partial := outPath + ".jsmap-partial"
	journal := outPath + ".jsmap-journal"
	want, err := os.ReadFile(outPath)
	if err != nil {
		t.Fatal(err)
	}
	// The same command again, killed as soon as its journal exists, gives a journal of this run;
	// marked done with the output's length, it is the journal such a crash leaves.
	p := relStart(t, relCommand(bin, dir, args...))
	faultKillWhen(p, func() bool { _, err := os.Stat(journal); return err == nil })
	p.wait(t, time.Minute)
	b, err := os.ReadFile(journal)
	if err != nil {
		t.Skipf("the run finished before it could be killed: %v", err)
	}
	var j map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber() // modification times in nanoseconds do not fit a float64
	if err := dec.Decode(&j); err != nil {
		t.Fatalf("journal: %v\n%s", err, b)
	}
	j["done"], j["bytes"] = true, len(want)
	if b, err = json.Marshal(j); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name           string
		partial, out   string
		wantCode       int
		wantOut, wantE string
	}{
		{"killed before the rename", string(want) + "garbage after the recorded length", relOld, 0, string(want),
			"jsmap: the interrupted run had finished: out.json is complete\n"},
		{"killed after the rename", "", string(want), 0, string(want),
			"jsmap: the interrupted run had finished: out.json is complete\n"},
		{"the output removed since", "", "", 2, "",
			"jsmap: error: cannot resume: the run had finished, but neither out.json.jsmap-partial nor a complete out.json is there (remove out.json.jsmap-journal to start over)\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			relWrite(t, journal, b)
			os.Remove(partial)
			os.Remove(outPath)
			if c.partial != "" {
				relWrite(t, partial, []byte(c.partial))
			}
			if c.out != "" {
				relWrite(t, outPath, []byte(c.out))
			}
			r := relRun(t, relCommand(bin, dir, args...), nil, time.Minute)
			relNoTrace(t, r.stderr)
			if r.code != c.wantCode || r.stderr != c.wantE {
				t.Fatalf("exit %d, want %d; stderr:\n%s\nwant:\n%s", r.code, c.wantCode, r.stderr, c.wantE)
			}
			if c.wantCode != 0 {
				os.Remove(journal)
				return
			}
			if got, _ := os.ReadFile(outPath); !bytes.Equal(got, want) {
				t.Errorf("out.json (%d bytes) is not the complete output (%d bytes)", len(got), len(want))
			}
			relNoLeftovers(t, dir)
		})
	}
}

// TestResumeLeavesNoJournalTemp: a kill while a checkpoint writes the journal leaves
// out.json.jsmap-journal.tmp; the run that then completes the output should not leave it behind.
func TestResumeLeavesNoJournalTemp(t *testing.T) {
	bin := relJsmap(t)
	dir := relDir(t)
	relWrite(t, filepath.Join(dir, "s.js"), []byte(faultScript))
	// A short run (about 0.1s of busy waits): the resumed run ends before its first checkpoint.
	faultInput(t, filepath.Join(dir, "in.json"), 1000, true)
	args := []string{"--resume", "-o", "out.json", "-j", "2", "s.js", "in.json"}
	journal := filepath.Join(dir, "out.json.jsmap-journal")
	p := relStart(t, relCommand(bin, dir, args...))
	if !faultKillWhen(p, func() bool { _, err := os.Stat(journal); return err == nil }) {
		t.Fatalf("the run ended before it could be killed")
	}
	p.wait(t, time.Minute)
	// What the kill leaves when it comes while the journal is written: a temporary journal.
	relWrite(t, journal+".tmp", []byte("{\n  \"version\": 1,\n"))
	r := relRun(t, relCommand(bin, dir, args...), nil, 5*time.Minute)
	relNoTrace(t, r.stderr)
	if r.code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", r.code, r.stderr)
	}
	relNoLeftovers(t, dir)
}

// faultReference writes s.js (faultScript) and an input of n elements (an array if its name ends
// in .json, else NDJSON) into dir, and returns the output of an uninterrupted run.
func faultReference(t *testing.T, bin, dir, input string, n int) []byte {
	t.Helper()
	relWrite(t, filepath.Join(dir, "s.js"), []byte(faultScript))
	faultInput(t, filepath.Join(dir, input), n, strings.HasSuffix(input, ".json"))
	ref := relRun(t, relCommand(bin, dir, "-j", "2", "-o", "ref.json", "s.js", input), nil, 5*time.Minute)
	if ref.code != 0 {
		t.Fatalf("reference run: exit %d; stderr:\n%s", ref.code, relClip(ref.stderr))
	}
	want, err := os.ReadFile(filepath.Join(dir, "ref.json"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("input: %d elements; an uninterrupted run takes %v", n, ref.took.Round(time.Millisecond))
	return want
}

// faultJournalNext is the "next" of the journal at path, or -1.
func faultJournalNext(path string) int64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return -1
	}
	var j struct{ Next int64 }
	if json.Unmarshal(b, &j) != nil {
		return -1
	}
	return j.Next
}

// faultKillWhen polls ready every millisecond while p runs and sends it SIGKILL once ready is
// true. It reports whether it sent the signal before p exited.
func faultKillWhen(p *relProc, ready func() bool) bool {
	for !p.exited() {
		if ready() {
			return p.signal(syscall.SIGKILL)
		}
		time.Sleep(time.Millisecond)
	}
	return false
}

// TestMaxMemory runs a script that allocates without bound under --max-memory 256MiB: it stops
// with the memory-limit error (exit 1), and the process's peak RSS stays below twice the limit
// (without -race; under -race, whose shadow memory costs several times the heap, below five times).
func TestMaxMemory(t *testing.T) {
	bin := relJsmap(t)
	dir := relDir(t)
	relWrite(t, filepath.Join(dir, "in.ndjson"), []byte("1\n2\n3\n4\n"))
	const limit = 256 << 20
	factor := 2
	if relRace() {
		factor = 5
	}
	re := regexp.MustCompile(`^jsmap: error: memory limit exceeded: the heap reached [\d.]+ MiB \(the limit is 256 MiB\) while mapping element [0-3](, [0-3])*$`)
	run := func(t *testing.T, script string) relResult {
		relWrite(t, filepath.Join(dir, "out.json"), []byte(relOld))
		r := relRun(t, relCommand(bin, dir, "-o", "out.json", "-j", "2", "--max-memory", "256MiB", "-e", script, "in.ndjson"), nil, 5*time.Minute)
		relNoTrace(t, r.stderr)
		if r.code != 1 {
			t.Fatalf("exit %d, want 1; stderr:\n%s", r.code, relClip(r.stderr))
		}
		if line := relFirstLine(r.stderr); !re.MatchString(line) {
			t.Errorf("first line of stderr %q does not match %s", line, re)
		}
		if out, _ := os.ReadFile(filepath.Join(dir, "out.json")); string(out) != relOld {
			t.Errorf("out.json changed")
		}
		relNoLeftovers(t, dir)
		t.Logf("stopped after %v; peak RSS %d MiB (limit 256 MiB)", r.took.Round(time.Millisecond), r.maxRSS>>20)
		return r
	}
	t.Run("many small objects", func(t *testing.T) {
		r := run(t, `x => { const a = []; for (;;) a.push({i: a.length, s: "x" + a.length}) }`)
		if r.maxRSS >= int64(factor)*limit {
			t.Errorf("peak RSS %d MiB, want below %d MiB", r.maxRSS>>20, factor*limit>>20)
		}
	})
	t.Run("a doubling string", func(t *testing.T) {
		// One allocation cannot be interrupted: the concatenation that crosses the limit, and
		// at worst the next one (its copy keeps the collector from stopping the world, and so the
		// watchdog from running, until it is done), complete before the script stops. The peak is
		// then the last two strings and some garbage: below four times the limit (README, "Known
		// limits"). Under -race, whose slower copies let one more doubling through, and whose
		// shadow memory grows with it, below twenty times: still a stop, where without the
		// watchdog the script would take all the machine's memory.
		bound := int64(4) * limit
		if relRace() {
			bound = 20 * limit
		}
		r := run(t, `x => { let s = "x"; for (;;) s = s + s }`)
		if r.maxRSS >= bound {
			t.Errorf("peak RSS %d MiB, want below %d MiB", r.maxRSS>>20, bound>>20)
		}
	})
}
