package cpus

import (
	"os"
	"path/filepath"
	"testing"
)

const (
	v2Mount = "30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate\n"
	v1Mount = "24 23 0:21 / /sys/fs/cgroup rw - tmpfs tmpfs rw,mode=755\n" +
		"32 24 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid - cgroup cgroup rw,cpu,cpuacct\n" +
		"33 24 0:30 / /sys/fs/cgroup/memory rw,nosuid - cgroup cgroup rw,memory\n"
	hybridMount = v1Mount + "41 24 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n"
)

func TestCgroupCPULimit(t *testing.T) {
	tests := []struct {
		name       string
		files      map[string]string // relative to the fake file system root
		procCgroup string
		mountinfo  string
		affinity   int
		want       int     // combine's result
		wantLimit  float64 // 0: no limit expected
	}{
		{
			name:       "v2 no limit",
			files:      map[string]string{"sys/fs/cgroup/app/cpu.max": "max 100000\n"},
			procCgroup: "0::/app\n", mountinfo: v2Mount, affinity: 8, want: 8,
		},
		{
			name:       "v2 one and a half",
			files:      map[string]string{"sys/fs/cgroup/app/cpu.max": "150000 100000\n"},
			procCgroup: "0::/app\n", mountinfo: v2Mount, affinity: 8, want: 2, wantLimit: 1.5,
		},
		{
			name:       "v2 half",
			files:      map[string]string{"sys/fs/cgroup/app/cpu.max": "50000 100000\n"},
			procCgroup: "0::/app\n", mountinfo: v2Mount, affinity: 8, want: 1, wantLimit: 0.5,
		},
		{
			name: "v2 limit on parent only",
			files: map[string]string{
				"sys/fs/cgroup/kubepods/cpu.max":     "300000 100000\n",
				"sys/fs/cgroup/kubepods/pod/cpu.max": "max 100000\n",
			},
			procCgroup: "0::/kubepods/pod\n", mountinfo: v2Mount, affinity: 8, want: 3, wantLimit: 3,
		},
		{
			name: "v2 smallest of child and parent",
			files: map[string]string{
				"sys/fs/cgroup/a/cpu.max":   "400000 100000\n",
				"sys/fs/cgroup/a/b/cpu.max": "250000 100000\n",
			},
			procCgroup: "0::/a/b\n", mountinfo: v2Mount, affinity: 8, want: 3, wantLimit: 2.5,
		},
		{
			name:       "v2 different periods",
			files:      map[string]string{"sys/fs/cgroup/a/cpu.max": "100000 50000\n", "sys/fs/cgroup/a/b/cpu.max": "300000 100000\n"},
			procCgroup: "0::/a/b\n", mountinfo: v2Mount, affinity: 8, want: 2, wantLimit: 2,
		},
		{
			name:       "v2 quota above affinity",
			files:      map[string]string{"sys/fs/cgroup/app/cpu.max": "1600000 100000\n"},
			procCgroup: "0::/app\n", mountinfo: v2Mount, affinity: 4, want: 4, wantLimit: 16,
		},
		{
			name:       "v2 namespace root",
			files:      map[string]string{"sys/fs/cgroup/cpu.max": "200000 100000\n"},
			procCgroup: "0::/\n", mountinfo: v2Mount, affinity: 8, want: 2, wantLimit: 2,
		},
		{
			name:       "v2 container mount of a sub-cgroup",
			files:      map[string]string{"sys/fs/cgroup/cpu.max": "200000 100000\n"},
			procCgroup: "0::/docker/abc\n",
			mountinfo:  "30 23 0:26 /docker/abc /sys/fs/cgroup ro - cgroup2 cgroup2 rw\n",
			affinity:   8, want: 2, wantLimit: 2,
		},
		{
			name:       "v2 cgroup outside the mount",
			files:      map[string]string{"sys/fs/cgroup/cpu.max": "200000 100000\n"},
			procCgroup: "0::/other\n",
			mountinfo:  "30 23 0:26 /docker/abc /sys/fs/cgroup ro - cgroup2 cgroup2 rw\n",
			affinity:   8, want: 8,
		},
		{
			name:       "v2 mount point with a space",
			files:      map[string]string{"mnt/cg roup/app/cpu.max": "100000 100000\n"},
			procCgroup: "0::/app\n",
			mountinfo:  `30 23 0:26 / /mnt/cg\040roup rw - cgroup2 cgroup2 rw` + "\n",
			affinity:   8, want: 1, wantLimit: 1,
		},
		{
			name:       "v2 malformed cpu.max",
			files:      map[string]string{"sys/fs/cgroup/app/cpu.max": "lots\n"},
			procCgroup: "0::/app\n", mountinfo: v2Mount, affinity: 8, want: 8,
		},
		{
			name: "v1 no quota",
			files: map[string]string{
				"sys/fs/cgroup/cpu,cpuacct/app/cpu.cfs_quota_us":  "-1\n",
				"sys/fs/cgroup/cpu,cpuacct/app/cpu.cfs_period_us": "100000\n",
			},
			procCgroup: "5:memory:/app\n4:cpu,cpuacct:/app\n", mountinfo: v1Mount, affinity: 8, want: 8,
		},
		{
			name: "v1 two CPUs",
			files: map[string]string{
				"sys/fs/cgroup/cpu,cpuacct/app/cpu.cfs_quota_us":  "200000\n",
				"sys/fs/cgroup/cpu,cpuacct/app/cpu.cfs_period_us": "100000\n",
			},
			procCgroup: "5:memory:/app\n4:cpu,cpuacct:/app\n", mountinfo: v1Mount, affinity: 8, want: 2, wantLimit: 2,
		},
		{
			name: "v1 limit on parent",
			files: map[string]string{
				"sys/fs/cgroup/cpu,cpuacct/docker/cpu.cfs_quota_us":      "50000\n",
				"sys/fs/cgroup/cpu,cpuacct/docker/cpu.cfs_period_us":     "100000\n",
				"sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_quota_us":  "-1\n",
				"sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_period_us": "100000\n",
			},
			procCgroup: "4:cpu,cpuacct:/docker/abc\n", mountinfo: v1Mount, affinity: 8, want: 1, wantLimit: 0.5,
		},
		{
			name: "v1 quota without period file",
			files: map[string]string{
				"sys/fs/cgroup/cpu,cpuacct/app/cpu.cfs_quota_us": "200000\n",
			},
			procCgroup: "4:cpu,cpuacct:/app\n", mountinfo: v1Mount, affinity: 8, want: 8,
		},
		{
			name: "hybrid with v1 limit",
			files: map[string]string{
				"sys/fs/cgroup/cpu,cpuacct/app/cpu.cfs_quota_us":  "300000\n",
				"sys/fs/cgroup/cpu,cpuacct/app/cpu.cfs_period_us": "100000\n",
				"sys/fs/cgroup/unified/app/cgroup.procs":          "",
			},
			procCgroup: "5:memory:/app\n4:cpu,cpuacct:/app\n0::/app\n", mountinfo: hybridMount, affinity: 8, want: 3, wantLimit: 3,
		},
		{
			name: "hybrid without limit",
			files: map[string]string{
				"sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us":  "-1\n",
				"sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us": "100000\n",
				"sys/fs/cgroup/unified/cgroup.procs":          "",
			},
			procCgroup: "4:cpu,cpuacct:/\n0::/\n", mountinfo: hybridMount, affinity: 2, want: 2,
		},
		{
			name: "hybrid with limits in both, smallest wins",
			files: map[string]string{
				"sys/fs/cgroup/cpu,cpuacct/app/cpu.cfs_quota_us":  "300000\n",
				"sys/fs/cgroup/cpu,cpuacct/app/cpu.cfs_period_us": "100000\n",
				"sys/fs/cgroup/unified/app/cpu.max":               "100000 100000\n",
			},
			procCgroup: "4:cpu,cpuacct:/app\n0::/app\n", mountinfo: hybridMount, affinity: 8, want: 1, wantLimit: 1,
		},
		{
			name:       "v2 missing files",
			files:      map[string]string{},
			procCgroup: "0::/app\n", mountinfo: v2Mount, affinity: 6, want: 6,
		},
		{
			name:       "v1 missing files",
			files:      map[string]string{},
			procCgroup: "4:cpu,cpuacct:/app\n", mountinfo: v1Mount, affinity: 6, want: 6,
		},
		{
			name:     "no proc files",
			files:    map[string]string{"sys/fs/cgroup/cpu.max": "100000 100000\n"},
			affinity: 3, want: 3,
		},
		{
			name:       "no cgroup mount",
			files:      map[string]string{"sys/fs/cgroup/app/cpu.max": "100000 100000\n"},
			procCgroup: "0::/app\n", mountinfo: "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n", affinity: 3, want: 3,
		},
		{
			name:       "v1 cpu controller not mounted",
			files:      map[string]string{"sys/fs/cgroup/memory/app/cpu.cfs_quota_us": "100000\n", "sys/fs/cgroup/memory/app/cpu.cfs_period_us": "100000\n"},
			procCgroup: "4:cpu,cpuacct:/app\n5:memory:/app\n", mountinfo: "24 23 0:21 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n33 24 0:30 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n",
			affinity: 4, want: 4,
		},
		{
			name:       "cgroup path escaping the mount",
			files:      map[string]string{"cpu.max": "100000 100000\n"},
			procCgroup: "0::/../..\n", mountinfo: v2Mount, affinity: 4, want: 4,
		},
		{
			name:     "zero affinity",
			affinity: 0, want: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			for name, content := range tt.files {
				p := filepath.Join(root, filepath.FromSlash(name))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			limit, ok := cgroupCPULimit(os.DirFS(root), tt.procCgroup, tt.mountinfo)
			if ok != (tt.wantLimit != 0) || (ok && limit != tt.wantLimit) {
				t.Errorf("cgroupCPULimit = %v, %v; want %v", limit, ok, tt.wantLimit)
			}
			if got := combine(tt.affinity, limit, ok); got != tt.want {
				t.Errorf("combine(%d, %v, %v) = %d, want %d", tt.affinity, limit, ok, got, tt.want)
			}
		})
	}
}

func TestUnescape(t *testing.T) {
	for in, want := range map[string]string{
		`/plain`:         "/plain",
		`/a\040b`:        "/a b",
		`/tab\011x\134y`: "/tab\tx\\y",
		`/short\04`:      `/short\04`,
		`/not\999`:       `/not\999`,
	} {
		if got := unescape(in); got != want {
			t.Errorf("unescape(%q) = %q, want %q", in, got, want)
		}
	}
}
