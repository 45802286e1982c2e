//go:build !linux

package cpus

import "runtime"

// Available returns the number of CPUs this process may run on. Outside
// Linux that is runtime.NumCPU().
func Available() int {
	return max(runtime.NumCPU(), 1)
}

// Memory returns the bytes of memory this process may use; outside Linux it is not known (0).
func Memory() int64 { return 0 }
