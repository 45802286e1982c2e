package runtime

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// run maps f over the input text and returns what was written.
func runText(t testing.TB, in string, opts Options, f MapFunc) (string, error) {
	t.Helper()
	var out bytes.Buffer
	opts.Inputs = []Input{strInput("in.json", in)}
	opts.Output = &out
	if opts.NewWorker == nil {
		opts.NewWorker = Func(f)
	}
	err := Run(context.Background(), opts)
	return out.String(), err
}

// square maps an integer element to its square.
func square(_ context.Context, _ int64, in, dst []byte) ([]byte, error) {
	n, err := strconv.ParseInt(string(in), 10, 64)
	if err != nil {
		return dst, err
	}
	return strconv.AppendInt(dst, n*n, 10), nil
}

func ints(n int) string {
	var b strings.Builder
	b.WriteByte('[')
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(i))
	}
	b.WriteByte(']')
	return b.String()
}

func squares(n int, sep, open, close string) string {
	var b strings.Builder
	b.WriteString(open)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(strconv.Itoa(i * i))
	}
	b.WriteString(close)
	return b.String()
}

func TestRunOrderUnderRandomDelays(t *testing.T) {
	const n = 3000
	in := ints(n)
	want := squares(n, ",\n", "[\n", "\n]\n")
	for _, jobs := range []int{1, 2, 8, 64} {
		t.Run(fmt.Sprint(jobs), func(t *testing.T) {
			var seed atomic.Int64
			f := func(ctx context.Context, index int64, in, dst []byte) ([]byte, error) {
				r := rand.New(rand.NewSource(seed.Add(1)))
				if r.Intn(10) == 0 {
					time.Sleep(time.Duration(r.Intn(2000)) * time.Microsecond)
				}
				return square(ctx, index, in, dst)
			}
			got, err := runText(t, in, Options{Jobs: jobs}, f)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Fatalf("output differs from the input order")
			}
		})
	}
}

func TestRunIndexAcrossInputs(t *testing.T) {
	var out bytes.Buffer
	err := Run(context.Background(), Options{
		Inputs: []Input{strInput("a", "[10,11]"), strInput("b", "12\n13\n")},
		Output: &out, Jobs: 2,
		NewWorker: Func(func(_ context.Context, index int64, in, dst []byte) ([]byte, error) {
			return fmt.Appendf(dst, "[%d,%s]", index, in), nil
		}),
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := "[\n[0,10],\n[1,11],\n[2,12],\n[3,13]\n]\n"; out.String() != want {
		t.Fatalf("got %q want %q", out.String(), want)
	}
}

func TestRunSerialAndParallelIdentical(t *testing.T) {
	in := `[{"a":1}, "x", [1,2], null, true, {"b":{"c":[]}}, "é\u00e9"]`
	id := func(_ context.Context, _ int64, in, dst []byte) ([]byte, error) { return append(dst, in...), nil }
	for _, opts := range []Options{{}, {Pretty: true}, {Raw: true}, {Flat: true}, {Filter: true}, {OutputFormat: FormatNDJSON}, {OutputFormat: FormatNDJSON, Pretty: true}} {
		o1 := opts
		o1.Jobs = 1
		a, err := runText(t, in, o1, id)
		if err != nil {
			t.Fatal(err)
		}
		o2 := opts
		o2.Jobs = 3
		b, err := runText(t, in, o2, id)
		if err != nil {
			t.Fatal(err)
		}
		if a != b {
			t.Fatalf("options %+v: -j1 %q, -j3 %q", opts, a, b)
		}
	}
}

func TestRunShapes(t *testing.T) {
	id := func(_ context.Context, _ int64, in, dst []byte) ([]byte, error) { return append(dst, in...), nil }
	cases := []struct {
		name string
		in   string
		opts Options
		f    MapFunc
		want string
	}{
		{"json", `[1,2]`, Options{}, id, "[\n1,\n2\n]\n"},
		{"json empty", `[]`, Options{}, id, "[]\n"},
		{"ndjson from stream", "1\n2\n", Options{}, id, "1\n2\n"},
		{"empty stream", "", Options{}, id, ""},
		{"empty stream as json", "", Options{OutputFormat: FormatJSON}, id, "[]\n"},
		{"pretty", `[{"a":[1,{}],"b":{}}]`, Options{Pretty: true}, id, "[\n  {\n    \"a\": [\n      1,\n      {}\n    ],\n    \"b\": {}\n  }\n]\n"},
		{"pretty ndjson", `{"a":1}`, Options{Pretty: true}, id, "{\n  \"a\": 1\n}\n"},
		{"raw", `["a\nb","\u00e9",1,{"x":"y"}]`, Options{Raw: true}, id, "a\nb\né\n1\n{\"x\":\"y\"}\n"},
		{"filter keeps original bytes", `[{"a": 1, "k": true}, {"a":2,"k":false}, {"a" : 3,"k":1}]`, Options{Filter: true},
			func(_ context.Context, _ int64, in, dst []byte) ([]byte, error) {
				if bytes.Contains(in, []byte(`true`)) || bytes.Contains(in, []byte(`"k":1`)) {
					return append(dst, "true"...), nil
				}
				return append(dst, "0"...), nil
			}, "[\n{\"a\":1,\"k\":true},\n{\"a\":3,\"k\":1}\n]\n"},
		{"flat", `[1,2,3]`, Options{Flat: true}, func(_ context.Context, i int64, in, dst []byte) ([]byte, error) {
			switch i {
			case 0:
				return append(dst, "[]"...), nil
			case 1:
				return append(dst, `[1,[2],{"a":3}]`...), nil
			}
			return append(dst, `"x"`...), nil
		}, "[\n1,\n[2],\n{\"a\":3},\n\"x\"\n]\n"},
		{"limit", ints(100), Options{Limit: 3}, square, "[\n0,\n1,\n4\n]\n"},
	}
	for _, tc := range cases {
		for _, jobs := range []int{1, 2} {
			t.Run(fmt.Sprintf("%s/j%d", tc.name, jobs), func(t *testing.T) {
				tc.opts.Jobs = jobs
				got, err := runText(t, tc.in, tc.opts, tc.f)
				if err != nil {
					t.Fatal(err)
				}
				if got != tc.want {
					t.Fatalf("got %q\nwant %q", got, tc.want)
				}
			})
		}
	}
}

var errOdd = errors.New("odd")

func failOdd(_ context.Context, _ int64, in, dst []byte) ([]byte, error) {
	n, _ := strconv.Atoi(string(in))
	if n%2 == 1 {
		return dst, errOdd
	}
	return append(dst, in...), nil
}

func TestRunErrorPolicies(t *testing.T) {
	for _, jobs := range []int{1, 4} {
		t.Run(fmt.Sprint(jobs), func(t *testing.T) {
			out, err := runText(t, "[0,2,4,5,6,7]", Options{Jobs: jobs}, failOdd)
			var ee *ElementError
			if !errors.As(err, &ee) || ee.Index != 3 || !errors.Is(err, errOdd) {
				t.Fatalf("err %v, want element 3", err)
			}
			if ee.Pos.String() != "in.json:1:8" {
				t.Errorf("position %s", ee.Pos)
			}
			if out != "[\n0,\n2,\n4\n" {
				t.Errorf("output before the failure %q", out)
			}

			var seen []int64
			out, err = runText(t, "[0,1,2,3]", Options{Jobs: jobs, OnError: Skip, OnElementError: func(e *ElementError) { seen = append(seen, e.Index) }}, failOdd)
			if err != nil || out != "[\n0,\n2\n]\n" || fmt.Sprint(seen) != "[1 3]" {
				t.Fatalf("skip: %q %v %v", out, err, seen)
			}
			var log bytes.Buffer
			out, err = runText(t, "[0,1,2,3]", Options{Jobs: jobs, OnError: Null, ErrorLog: &log}, failOdd)
			if err != nil || out != "[\n0,\nnull,\n2,\nnull\n]\n" {
				t.Fatalf("null: %q %v", out, err)
			}
			if want := "{\"index\":1,\"input\":1,\"error\":\"odd\",\"stack\":\"\"}\n{\"index\":3,\"input\":3,\"error\":\"odd\",\"stack\":\"\"}\n"; log.String() != want {
				t.Fatalf("error log %q", log.String())
			}
			_, err = runText(t, "[1,3,5,7]", Options{Jobs: jobs, OnError: Skip, MaxErrors: 2}, failOdd)
			if !errors.Is(err, ErrTooManyErrors) || !strings.Contains(err.Error(), "element 2 ") {
				t.Fatalf("max errors: %v", err)
			}
		})
	}
}

// TestRunFailStopsPromptly: after a failure, no element after it starts, and a worker stuck on a later
// element is interrupted through its context.
func TestRunFailStopsPromptly(t *testing.T) {
	var started atomic.Int64
	f := func(ctx context.Context, index int64, in, dst []byte) ([]byte, error) {
		started.Add(1)
		if index == 5 {
			time.Sleep(50 * time.Millisecond)
			return dst, errOdd
		}
		if index > 5 {
			<-ctx.Done() // stuck until interrupted
			return dst, context.Cause(ctx)
		}
		return append(dst, in...), nil
	}
	start := time.Now()
	_, err := runText(t, ints(100000), Options{Jobs: 4}, f)
	var ee *ElementError
	if !errors.As(err, &ee) || ee.Index != 5 {
		t.Fatalf("err %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("took %v", d)
	}
	if n := started.Load(); n > 1000 {
		t.Fatalf("%d elements started after the failure", n)
	}
}

func TestRunInvalidElement(t *testing.T) {
	for _, jobs := range []int{1, 3} {
		out, err := runText(t, "[1,\n2,\n{\"a\" 1},\n4]", Options{Jobs: jobs}, square)
		var ie *InputError
		if !errors.As(err, &ie) {
			t.Fatalf("err %v", err)
		}
		if got := ie.Error(); got != "in.json:3:6: invalid character '1' after object key (element 2)" {
			t.Fatalf("message %q", got)
		}
		if out != "[\n1,\n4\n" {
			t.Fatalf("output %q", out)
		}
	}
}

func TestRunPanicBecomesError(t *testing.T) {
	f := func(_ context.Context, index int64, in, dst []byte) ([]byte, error) {
		if index == 2 {
			var m map[string]int
			m["x"] = 1
		}
		return append(dst, in...), nil
	}
	for _, policy := range []ErrorPolicy{Fail, Skip} {
		_, err := runText(t, "[1,2,3,4]", Options{Jobs: 2, OnError: policy}, f)
		var ee *ElementError
		if !errors.As(err, &ee) || ee.Index != 2 || !strings.Contains(err.Error(), "internal error: assignment to entry in nil map") {
			t.Fatalf("err %v", err)
		}
	}
}

func TestRunCancel(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	cause := errors.New("stop")
	f := func(ctx context.Context, index int64, in, dst []byte) ([]byte, error) {
		if index == 10 {
			cancel(cause)
		}
		return append(dst, in...), nil
	}
	err := Run(ctx, Options{Inputs: []Input{strInput("x", ints(1000000))}, Jobs: 2, NewWorker: Func(f)})
	if !errors.Is(err, cause) {
		t.Fatalf("err %v", err)
	}
}

type closeCounter struct {
	MapFunc
	closed *atomic.Int64
}

func (c closeCounter) Close() error { c.closed.Add(1); return nil }

func TestRunClosesWorkers(t *testing.T) {
	var created, closed atomic.Int64
	nw := func(ctx context.Context, id int) (Worker, error) {
		created.Add(1)
		return closeCounter{MapFunc(square), &closed}, nil
	}
	for _, jobs := range []int{1, 4} {
		created.Store(0)
		closed.Store(0)
		var out bytes.Buffer
		if err := Run(context.Background(), Options{Inputs: []Input{strInput("x", ints(100))}, Output: &out, Jobs: jobs, NewWorker: nw}); err != nil {
			t.Fatal(err)
		}
		if created.Load() != int64(jobs) || closed.Load() != created.Load() {
			t.Fatalf("jobs %d: created %d closed %d", jobs, created.Load(), closed.Load())
		}
	}
}

func BenchmarkEngine(b *testing.B) {
	in := ints(200000)
	noop := func(_ context.Context, _ int64, in, dst []byte) ([]byte, error) { return append(dst, in...), nil }
	for _, jobs := range []int{1, 2} {
		b.Run(fmt.Sprintf("j%d", jobs), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				var out bytes.Buffer
				err := Run(context.Background(), Options{Inputs: []Input{strInput("x", in)}, Output: &out, Jobs: jobs, NewWorker: Func(noop)})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(200000*b.N)/b.Elapsed().Seconds(), "items/s")
		})
	}
}

// TestRunCancelSerial: a run stopped while its last element is being mapped reports the cause, also
// on the one-worker path.
func TestRunCancelSerial(t *testing.T) {
	for _, jobs := range []int{1, 2} {
		ctx, cancel := context.WithCancelCause(context.Background())
		cause := errors.New("stop")
		f := func(ctx context.Context, index int64, in, dst []byte) ([]byte, error) {
			if index == 2 {
				go func() { time.Sleep(10 * time.Millisecond); cancel(cause) }()
				<-ctx.Done()
				return dst, context.Cause(ctx)
			}
			return append(dst, in...), nil
		}
		err := Run(ctx, Options{Inputs: []Input{strInput("x", "[1,2,3]")}, Jobs: jobs, NewWorker: Func(f)})
		if !errors.Is(err, cause) {
			t.Fatalf("jobs %d: err %v, want the cause", jobs, err)
		}
	}
}

// TestInputErrorMessages: an element that stops short is judged with the byte after it, and inside
// an array what follows a value is "after array element".
func TestInputErrorMessages(t *testing.T) {
	for in, want := range map[string]string{
		"[1e]":      "in.json:1:4: invalid character ']' in exponent of numeric literal (element 0)",
		"[tru]":     "in.json:1:5: invalid character ']' in literal true (expecting 'e') (element 0)",
		"[1.]":      "in.json:1:4: invalid character ']' after decimal point in numeric literal (element 0)",
		"[01]":      "in.json:1:3: invalid character '1' after array element (element 0)",
		"01\n":      "in.json:1:2: invalid character '1' after top-level value (element 0)",
		"[1,tru":    "in.json:1:7: unexpected end of JSON input (element 1)",
		"[\"\\x\"]": "in.json:1:4: invalid character 'x' in string escape code (element 0)",
	} {
		_, err := runText(t, in, Options{Jobs: 1}, square)
		if err == nil || err.Error() != want {
			t.Errorf("%q: error %v, want %s", in, err, want)
		}
	}
}
