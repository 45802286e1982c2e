package jsontext

import (
	"math"
	"math/big"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

var floatCases = []struct {
	f    float64
	want string
}{
	{0, "0"},
	{math.Copysign(0, -1), "0"},
	{1, "1"},
	{-1, "-1"},
	{0.1, "0.1"},
	{-0.5, "-0.5"},
	{100, "100"},
	{1e20, "100000000000000000000"},
	{1e21, "1e+21"},
	{-1e21, "-1e+21"},
	{1.5e21, "1.5e+21"},
	{123456789012345680000, "123456789012345680000"},
	{1.7976931348623157e308, "1.7976931348623157e+308"},
	{-1.7976931348623157e308, "-1.7976931348623157e+308"},
	{5e-324, "5e-324"},
	{-5e-324, "-5e-324"},
	{2.2250738585072014e-308, "2.2250738585072014e-308"},
	{1e-6, "0.000001"},
	{1.5e-6, "0.0000015"},
	{1e-7, "1e-7"},
	{1.5e-7, "1.5e-7"},
	{0.000123, "0.000123"},
	{123.456, "123.456"},
	{0.30000000000000004, "0.30000000000000004"}, // 0.1 + 0.2 at run time
	{1 / 3.0, "0.3333333333333333"},
	{2.5, "2.5"},
	{1e15, "1000000000000000"},
	{1e16, "10000000000000000"},
	{9007199254740991, "9007199254740991"},
	{9007199254740992, "9007199254740992"},
	{9007199254740993, "9007199254740992"},
	{-9007199254740993, "-9007199254740992"},
	{18014398509481984, "18014398509481984"},
	{1.2345e-5, "0.000012345"},
	{4.35, "4.35"},
	{0.5e-6, "5e-7"},
	{1e100, "1e+100"},
	{123e-20, "1.23e-18"},
	{math.MaxInt64, "9223372036854776000"},
	{math.NaN(), "null"},
	{math.Inf(1), "null"},
	{math.Inf(-1), "null"},
}

func TestAppendFloat(t *testing.T) {
	for _, tc := range floatCases {
		if got := string(AppendFloat([]byte("x"), tc.f)); got != "x"+tc.want {
			t.Errorf("AppendFloat(%v) = %q, want %q", tc.f, got[1:], tc.want)
		}
		if ref := jsNumberToString(tc.f); ref != tc.want {
			t.Errorf("reference(%v) = %q, want %q", tc.f, ref, tc.want)
		}
	}
}

func TestAppendFloatRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	n := 50000
	if testing.Short() {
		n = 5000
	}
	for i := 0; i < n; i++ {
		var f float64
		switch i % 4 {
		case 0:
			f = math.Float64frombits(r.Uint64())
		case 1:
			f = r.NormFloat64() * math.Pow(10, float64(r.IntN(50)-25))
		case 2:
			f = float64(r.Int64N(1<<60)) * math.Pow(2, float64(r.IntN(20)))
		case 3:
			// Powers of two, where the rounding interval is asymmetric.
			f = math.Ldexp(1, r.IntN(2098)-1074)
		}
		checkFloat(t, f)
	}
}

func checkFloat(t *testing.T, f float64) {
	t.Helper()
	got := string(AppendFloat(nil, f))
	if want := jsNumberToString(f); got != want {
		t.Fatalf("AppendFloat(%b) = %q, reference gives %q", f, got, want)
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return
	}
	back, err := strconv.ParseFloat(got, 64)
	if err != nil || back != f {
		t.Fatalf("AppendFloat(%b) = %q, which parses back as %v, %v", f, got, back, err)
	}
	if err := Validate([]byte(got), 0); err != nil {
		t.Fatalf("AppendFloat(%b) = %q, not valid JSON: %v", f, got, err)
	}
}

// jsNumberToString is a plain transcription of ECMAScript's
// Number::toString (radix 10), used as a reference for AppendFloat, with
// JSON.stringify's "null" for non-finite values.
func jsNumberToString(m float64) string {
	if math.IsNaN(m) || math.IsInf(m, 0) {
		return "null"
	}
	if m == 0 {
		return "0"
	}
	if m < 0 {
		return "-" + jsNumberToString(-m)
	}
	// Find the least k for which some k-digit integer s and integer n give
	// s × 10^(n-k) == m; among several such s pick the one closest to m.
	s, n := shortestDigits(m)
	k := len(s)
	switch {
	case k <= n && n <= 21:
		return s + strings.Repeat("0", n-k)
	case 0 < n && n <= 21:
		return s[:n] + "." + s[n:]
	case -6 < n && n <= 0:
		return "0." + strings.Repeat("0", -n) + s
	}
	e := n - 1
	sign := "+"
	if e < 0 {
		sign = "-"
		e = -e
	}
	if k == 1 {
		return s + "e" + sign + strconv.Itoa(e)
	}
	return s[:1] + "." + s[1:] + "e" + sign + strconv.Itoa(e)
}

// shortestDigits returns the decimal digits s (no trailing zeros) and the
// exponent n such that 0.s × 10^n is the shortest decimal that reads back
// as m (> 0), choosing the closest to m when several have that length.
func shortestDigits(m float64) (string, int) {
	exact := new(big.Rat).SetFloat64(m)
	for p := 1; p <= 17; p++ {
		// The correctly rounded p-digit decimal, as mantissa × 10^exp.
		e := strconv.FormatFloat(m, 'e', p-1, 64)
		mant, exp := splitE(e)
		exp -= p - 1
		// It is the closest p-digit candidate; when it does not read back
		// as m, the neighbour on the other side of m still might (the
		// interval of values that read back as m is asymmetric at powers
		// of two).
		var best *big.Int
		var bestDist *big.Rat
		for _, d := range []int64{0, -1, 1} {
			c := new(big.Int).Add(mant, big.NewInt(d))
			if c.Sign() <= 0 || len(c.String()) != p {
				continue
			}
			text := c.String() + "e" + strconv.Itoa(exp)
			if v, err := strconv.ParseFloat(text, 64); err != nil || v != m {
				continue
			}
			dist := new(big.Rat).Sub(decimalRat(c, exp), exact)
			dist.Abs(dist)
			if best == nil || dist.Cmp(bestDist) < 0 {
				best, bestDist = c, dist
			}
		}
		if best != nil {
			s := strings.TrimRight(best.String(), "0")
			return s, exp + p
		}
	}
	panic("no shortest representation for " + strconv.FormatFloat(m, 'g', -1, 64))
}

// splitE splits "d.ddde±x" into the integer ddd and x.
func splitE(s string) (*big.Int, int) {
	i := strings.IndexByte(s, 'e')
	mant, _ := new(big.Int).SetString(strings.Replace(s[:i], ".", "", 1), 10)
	exp, _ := strconv.Atoi(s[i+1:])
	return mant, exp
}

func decimalRat(mant *big.Int, exp int) *big.Rat {
	r := new(big.Rat).SetInt(mant)
	pow := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(abs(exp))), nil))
	if exp >= 0 {
		return r.Mul(r, pow)
	}
	return r.Quo(r, pow)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func FuzzAppendFloat(f *testing.F) {
	for _, tc := range floatCases {
		f.Add(tc.f)
	}
	f.Add(math.Ldexp(1, -1074))
	f.Add(math.Ldexp(1, 1023))
	f.Add(math.Nextafter(1e21, 0))
	f.Add(math.Nextafter(1e-6, 0))
	f.Add(math.Nextafter(1e-7, 1))
	f.Fuzz(func(t *testing.T, x float64) {
		checkFloat(t, x)
	})
}
