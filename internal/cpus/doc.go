// Package cpus reports how many CPUs the jsmap process may use, which sets
// the default number of workers.
//
// On Linux that is the number of CPUs in the process's affinity mask
// (sched_getaffinity, as set by taskset or a container's cpuset), capped by
// the CPU bandwidth limit of the cgroups the process belongs to (cgroup v2
// cpu.max, cgroup v1 cpu.cfs_quota_us / cpu.cfs_period_us, the process's own
// cgroup and its ancestors, the smallest limit winning), rounded up. A
// container given "--cpus=1.5" thus gets 2 workers, and one pinned to a
// single CPU gets 1. Elsewhere it is runtime.NumCPU().
//
// Only the cgroup hierarchy visible to the process is examined: inside a
// cgroup namespace, limits set above the namespace's root cgroup cannot be
// seen and are ignored.
package cpus
