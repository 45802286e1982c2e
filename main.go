// Command jsmap maps a JavaScript function over the elements of a JSON array or an NDJSON stream, on
// every core, writing the results in input order. See README.md, or run jsmap --help.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
