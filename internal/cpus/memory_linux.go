package cpus

import (
	"io/fs"
	"os"
	"path"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Memory returns the bytes of memory this process may use: the smallest cgroup memory limit of its
// cgroup and their ancestors (v2 memory.max, v1 memory.limit_in_bytes), or the machine's physical
// memory when there is none (or it is smaller).
func Memory() int64 {
	procCgroup, _ := os.ReadFile("/proc/self/cgroup")
	mountinfo, _ := os.ReadFile("/proc/self/mountinfo")
	phys := physicalMemory()
	if limit, ok := cgroupMemoryLimit(os.DirFS("/"), string(procCgroup), string(mountinfo)); ok && (phys <= 0 || limit < phys) {
		return limit
	}
	return phys
}

func physicalMemory() int64 {
	var si unix.Sysinfo_t
	if err := unix.Sysinfo(&si); err != nil {
		return 0
	}
	return int64(si.Totalram) * int64(si.Unit)
}

// cgroupMemoryLimit is cgroupCPULimit's counterpart for memory.
func cgroupMemoryLimit(fsys fs.FS, procCgroup, mountinfo string) (int64, bool) {
	mounts := parseMountinfo(mountinfo, "memory")
	var best int64
	found := false
	for _, line := range strings.Split(procCgroup, "\n") {
		parts := strings.SplitN(strings.TrimSpace(line), ":", 3)
		if len(parts) != 3 {
			continue
		}
		v2 := parts[0] == "0" && parts[1] == ""
		if !v2 && !hasOption(parts[1], "memory") {
			continue
		}
		for _, dir := range cgroupDirs(mounts, v2, parts[2]) {
			name := "memory.limit_in_bytes"
			if v2 {
				name = "memory.max"
			}
			data, err := fs.ReadFile(fsys, path.Join(dir, name))
			if err != nil {
				continue
			}
			s := strings.TrimSpace(string(data))
			if s == "max" {
				continue
			}
			n, err := strconv.ParseInt(s, 10, 64)
			// cgroup v1 reports "no limit" as a huge number (page-rounded 2^63-1).
			if err != nil || n <= 0 || n >= 1<<62 {
				continue
			}
			if !found || n < best {
				best, found = n, true
			}
		}
	}
	return best, found
}
