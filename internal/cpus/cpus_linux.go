package cpus

import (
	"math"
	"os"
	"runtime"

	"golang.org/x/sys/unix"
)

// Available returns the number of CPUs this process may run on: the size of
// its CPU affinity mask (sched_getaffinity), capped by the cgroup CPU quota
// when there is one (cgroup v2 cpu.max of the process's own cgroup and its
// ancestors — the smallest limit wins; cgroup v1 cpu.cfs_quota_us /
// cpu.cfs_period_us), rounded up, at least 1.
func Available() int {
	procCgroup, _ := os.ReadFile("/proc/self/cgroup")
	mountinfo, _ := os.ReadFile("/proc/self/mountinfo")
	limit, ok := cgroupCPULimit(os.DirFS("/"), string(procCgroup), string(mountinfo))
	return combine(affinityCount(), limit, ok)
}

// affinityCount returns the number of CPUs in the process's affinity mask,
// or runtime.NumCPU() when it cannot be read (as with more CPUs than
// unix.CPUSet holds).
func affinityCount() int {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil || set.Count() == 0 {
		return runtime.NumCPU()
	}
	return set.Count()
}

// combine caps the affinity count by the cgroup limit, when there is one,
// rounded up; the result is at least 1.
func combine(affinity int, limit float64, hasLimit bool) int {
	n := affinity
	if hasLimit {
		l := math.Ceil(limit)
		if l < float64(n) {
			n = int(l)
		}
	}
	return max(n, 1)
}
