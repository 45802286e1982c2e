package jsontext_test

import (
	"errors"
	"fmt"

	"github.com/jsmap/jsmap/internal/jsontext"
)

func ExampleValidate() {
	err := jsontext.Validate([]byte(`{"id": 1, "tags": ["a", "b",]}`), 0)
	var se *jsontext.SyntaxError
	if errors.As(err, &se) {
		fmt.Printf("offset %d: %v\n", se.Offset, err)
	}
	// Output: offset 28: invalid character ']' looking for beginning of value
}

func ExampleAppendFloat() {
	for _, f := range []float64{1e21, 1e20, 1.5e-7, 0.000001} {
		fmt.Println(string(jsontext.AppendFloat(nil, f)))
	}
	// Output:
	// 1e+21
	// 100000000000000000000
	// 1.5e-7
	// 0.000001
}

func ExampleIndent() {
	fmt.Println(string(jsontext.Indent(nil, []byte(`{"a":[1,2],"b":{},"c":"x y"}`), "", "  ")))
	// Output:
	// {
	//   "a": [
	//     1,
	//     2
	//   ],
	//   "b": {},
	//   "c": "x y"
	// }
}

func ExampleAppendQuoteUTF16() {
	// A lone surrogate cannot be written as UTF-8, so it is escaped, as
	// JSON.stringify does; a valid pair is written as the character.
	fmt.Println(string(jsontext.AppendQuoteUTF16(nil, []uint16{'a', 0xD800, 0xD83D, 0xDE00})))
	// Output: "a\ud800😀"
}
