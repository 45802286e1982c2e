// Command genw1 writes a JSON array of W1-shaped records (the shape of the benchmark harness's
// small.json: {"id","name","score","tags","active"}) of about the given size, deterministically, for
// the memory checks of bench/memflat.sh. It is not part of jsmap.
//
//	go run ./bench/genw1 -size 2GB -o /tmp/w1-2GB.json
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
)

func main() {
	size := flag.String("size", "100MB", "approximate size: a number with KB, MB or GB (powers of 1000)")
	out := flag.String("o", "", "output file (default stdout)")
	flag.Parse()
	n, err := parseSize(*size)
	if err != nil {
		fmt.Fprintln(os.Stderr, "genw1:", err)
		os.Exit(2)
	}
	f := os.Stdout
	if *out != "" {
		if f, err = os.Create(*out); err != nil {
			fmt.Fprintln(os.Stderr, "genw1:", err)
			os.Exit(1)
		}
	}
	w := bufio.NewWriterSize(f, 1<<20)
	rng := rand.New(rand.NewPCG(1, 2))
	var written int64 = 1
	w.WriteByte('[')
	b := make([]byte, 0, 256)
	for id := int64(0); written < n; id++ {
		b = b[:0]
		if id > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"id":`...)
		b = strconv.AppendInt(b, id, 10)
		b = append(b, `,"name":"user-`...)
		b = strconv.AppendInt(b, id, 10)
		b = append(b, `","score":`...)
		b = strconv.AppendFloat(b, float64(rng.IntN(100000))/100, 'f', -1, 64)
		b = append(b, `,"tags":["a","b","c"],"active":`...)
		b = strconv.AppendBool(b, rng.IntN(2) == 0)
		b = append(b, '}')
		w.Write(b)
		written += int64(len(b))
	}
	w.WriteString("]\n")
	if err := w.Flush(); err == nil && f != os.Stdout {
		err = f.Close()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "genw1:", err)
		os.Exit(1)
	}
}

func parseSize(s string) (int64, error) {
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		m      int64
	}{{"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSuffix(s, u.suffix), u.m
			break
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("bad size %q", s)
	}
	return int64(v * float64(mult)), nil
}
