package cpus

import (
	"testing"
	"testing/fstest"
)

func TestCgroupMemoryLimit(t *testing.T) {
	const v2mounts = "30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw\n"
	const v1mounts = "40 23 0:30 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
	cases := []struct {
		name       string
		files      fstest.MapFS
		procCgroup string
		mountinfo  string
		want       int64
		ok         bool
	}{
		{"v2 max", fstest.MapFS{"sys/fs/cgroup/app/memory.max": {Data: []byte("max\n")}}, "0::/app\n", v2mounts, 0, false},
		{"v2 limit", fstest.MapFS{"sys/fs/cgroup/app/memory.max": {Data: []byte("536870912\n")}}, "0::/app\n", v2mounts, 512 << 20, true},
		{"v2 parent limit", fstest.MapFS{
			"sys/fs/cgroup/app/memory.max":     {Data: []byte("max\n")},
			"sys/fs/cgroup/app/sub/memory.max": {Data: []byte("max\n")},
			"sys/fs/cgroup/app/memory.high":    {Data: []byte("1\n")},
		}, "0::/app/sub\n", v2mounts, 0, false},
		{"v2 smallest wins", fstest.MapFS{
			"sys/fs/cgroup/app/memory.max":     {Data: []byte("1073741824\n")},
			"sys/fs/cgroup/app/sub/memory.max": {Data: []byte("2147483648\n")},
		}, "0::/app/sub\n", v2mounts, 1 << 30, true},
		{"v1 unlimited", fstest.MapFS{"sys/fs/cgroup/memory/memory.limit_in_bytes": {Data: []byte("9223372036854771712\n")}}, "5:memory:/\n", v1mounts, 0, false},
		{"v1 limit", fstest.MapFS{"sys/fs/cgroup/memory/job/memory.limit_in_bytes": {Data: []byte("268435456\n")}}, "5:memory:/job\n", v1mounts, 256 << 20, true},
		{"missing files", fstest.MapFS{}, "0::/app\n", v2mounts, 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := cgroupMemoryLimit(tc.files, tc.procCgroup, tc.mountinfo)
			if got != tc.want || ok != tc.ok {
				t.Fatalf("got %d %v, want %d %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestMemoryPositive(t *testing.T) {
	if m := Memory(); m <= 0 {
		t.Fatalf("Memory() = %d", m)
	} else {
		t.Logf("Memory() = %d MiB", m>>20)
	}
}
