package jsbridge_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/jsmap/jsmap/jsbridge"
	"github.com/jsmap/jsmap/runtime"
)

func ExampleLoadExpr() {
	p, err := jsbridge.LoadExpr(`(x, i) => ({i, double: x.n * 2, tags: x.tags.join("+")})`, jsbridge.Options{})
	if err != nil {
		panic(err)
	}
	defer p.Close()
	w, err := p.NewWorker(context.Background(), 0)
	if err != nil {
		panic(err)
	}
	defer w.Close()
	var out []byte
	for i, in := range []string{`{"n": 1, "tags": ["a"]}`, `{"n": 2.5, "tags": ["b", "c"]}`, `{"tags": []}`} {
		out, err = w.Map(context.Background(), int64(i), []byte(in), out[:0])
		if err != nil {
			panic(err)
		}
		fmt.Println(string(out))
	}
	// Output:
	// {"i":0,"double":2,"tags":"a"}
	// {"i":1,"double":5,"tags":"b+c"}
	// {"i":2,"double":null,"tags":""}
}

// The whole embedding: a script file, the engine, an in-memory input, results on stdout.
func Example() {
	prog, err := jsbridge.Load("testdata/square.js", jsbridge.Options{})
	if err != nil {
		panic(err)
	}
	defer prog.Close()
	err = runtime.Run(context.Background(), runtime.Options{
		Inputs:    []runtime.Input{stringInput("numbers", `[1, 2, 3, 4]`)},
		Output:    os.Stdout,
		Jobs:      2,
		NewWorker: func(ctx context.Context, id int) (runtime.Worker, error) { return prog.NewWorker(ctx, id) },
	})
	if err != nil {
		panic(err)
	}
	// Output:
	// [
	// {"index":0,"square":1},
	// {"index":1,"square":4},
	// {"index":2,"square":9},
	// {"index":3,"square":16}
	// ]
}

// stringInput is an in-memory input for runtime.Run.
func stringInput(name, text string) runtime.Input {
	return runtime.Input{
		Name: name,
		Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(text)), nil },
		Size: -1,
	}
}
