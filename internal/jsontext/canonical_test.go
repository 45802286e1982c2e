package jsontext

import "testing"

func TestAppendCanonical(t *testing.T) {
	for in, want := range map[string]string{
		`1`:                                   `1`,
		` -0 `:                                `0`,
		`1.50`:                                `1.5`,
		`1E2`:                                 `100`,
		`1e400`:                               `null`,
		`-1e400`:                              `null`,
		`0.1`:                                 `0.1`,
		`1e21`:                                `1e+21`,
		`123456789012345678901`:               `123456789012345680000`,
		`1234567890123456`:                    `1234567890123456`,
		`-12`:                                 `-12`,
		`"a\/b"`:                              `"a/b"`,
		`"\u00e9\u0001"`:                      `"é\u0001"`,
		`"\ud800"`:                            `"\ud800"`,
		`"\ud83d\ude00"`:                      `"😀"`,
		`"plain é"`:                           `"plain é"`,
		`[ 1 , [ ] , { } , "x" ]`:             `[1,[],{},"x"]`,
		`{"b":1,"a":2}`:                       `{"b":1,"a":2}`,
		`{"b":1,"2":2,"a":3,"1":4}`:           `{"1":4,"2":2,"b":1,"a":3}`,
		`{"a":1,"b":2,"a":3}`:                 `{"a":3,"b":2}`,
		`{"01":1,"1":2,"-1":3}`:               `{"1":2,"01":1,"-1":3}`,
		`{"4294967295":1,"4294967294":2}`:     `{"4294967294":2,"4294967295":1}`,
		`{"\u0061":1,"a":2}`:                  `{"a":2}`,
		`{"__proto__":{"x":1}}`:               `{"__proto__":{"x":1}}`,
		`{"a":{"c":1,"c":[true,false,null]}}`: `{"a":{"c":[true,false,null]}}`,
	} {
		if got := string(AppendCanonical(nil, []byte(in))); got != want {
			t.Errorf("%s: got %s, want %s", in, got, want)
		}
	}
	// A big object with repeats (the map path).
	in, want := []byte{'{'}, []byte{'{'}
	for i := 0; i < 50; i++ {
		if i > 0 {
			in = append(in, ',')
			want = append(want, ',')
		}
		in = append(in, `"k`...)
		in = append(in, byte('A'+i%26), byte('a'+i/26))
		in = append(in, `":1`...)
		want = append(want, `"k`...)
		want = append(want, byte('A'+i%26), byte('a'+i/26))
		want = append(want, `":`...)
		if i == 3 {
			want = append(want, '9')
		} else {
			want = append(want, '1')
		}
	}
	in = append(in, `,"kDa":9}`...)
	want = append(want, '}')
	if got := AppendCanonical(nil, in); string(got) != string(want) {
		t.Errorf("big object:\n got %s\nwant %s", got, want)
	}
}
