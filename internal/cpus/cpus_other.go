//go:build !linux

package cpus

import "runtime"

// Available returns the number of CPUs this process may run on. Outside
// Linux that is runtime.NumCPU().
func Available() int {
	return max(runtime.NumCPU(), 1)
}
