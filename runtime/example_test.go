package runtime_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/jsmap/jsmap/runtime"
)

// A Go function mapped over a JSON array, on all CPUs, in input order.
func Example() {
	input := runtime.Input{Name: "numbers.json", Size: -1, Open: func() (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader("[1, 2, 3, 4]")), nil
	}}
	err := runtime.Run(context.Background(), runtime.Options{
		Inputs: []runtime.Input{input},
		Output: os.Stdout,
		NewWorker: runtime.Func(func(ctx context.Context, index int64, in, dst []byte) ([]byte, error) {
			n, err := strconv.Atoi(string(in))
			return strconv.AppendInt(dst, int64(n*n), 10), err
		}),
	})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// [
	// 1,
	// 4,
	// 9,
	// 16
	// ]
}

// Malformed input is reported with its position and the element it is in.
func ExampleInputError() {
	input := runtime.Input{Name: "in.ndjson", Size: -1, Open: func() (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader("1\n2\nthree\n")), nil
	}}
	err := runtime.Run(context.Background(), runtime.Options{
		Inputs: []runtime.Input{input},
		Output: io.Discard,
		NewWorker: runtime.Func(func(ctx context.Context, index int64, in, dst []byte) ([]byte, error) {
			return append(dst, in...), nil
		}),
	})
	fmt.Println(err)
	// Output:
	// in.ndjson:3:2: invalid character 'h' in literal true (expecting 'r') (element 2)
}
