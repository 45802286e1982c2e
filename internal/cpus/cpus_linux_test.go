package cpus

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestAvailableOnThisMachine checks Available against the affinity mask and
// the cgroup limit read independently.
func TestAvailableOnThisMachine(t *testing.T) {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		t.Skipf("sched_getaffinity: %v", err)
	}
	procCgroup, _ := os.ReadFile("/proc/self/cgroup")
	mountinfo, _ := os.ReadFile("/proc/self/mountinfo")
	limit, hasLimit := cgroupCPULimit(os.DirFS("/"), string(procCgroup), string(mountinfo))
	got := Available()
	t.Logf("affinity %d CPUs, cgroup limit %v (%v), Available() = %d, runtime.NumCPU() = %d, runtime.GOMAXPROCS(0) = %d",
		set.Count(), limit, hasLimit, got, runtime.NumCPU(), runtime.GOMAXPROCS(0))
	if !hasLimit {
		if got != set.Count() {
			t.Errorf("Available() = %d with no cgroup limit, want the affinity count %d", got, set.Count())
		}
		return
	}
	if want := combine(set.Count(), limit, true); got != want {
		t.Errorf("Available() = %d, want %d", got, want)
	}
}

const helperEnv = "JSMAP_CPUS_TEST_HELPER"

// TestTasksetHelper reports Available() when run as a child of TestTaskset.
func TestTasksetHelper(t *testing.T) {
	if os.Getenv(helperEnv) != "1" {
		t.Skip("run by TestTaskset")
	}
	fmt.Printf("cpus-helper available=%d gomaxprocs=%d numcpu=%d\n", Available(), runtime.GOMAXPROCS(0), runtime.NumCPU())
}

// TestTaskset re-executes the test binary pinned to one CPU and checks that
// Available reports 1. It also records what the Go runtime's default
// GOMAXPROCS is there.
func TestTaskset(t *testing.T) {
	if os.Getenv(helperEnv) == "1" {
		t.Skip("helper process")
	}
	taskset, err := exec.LookPath("taskset")
	if err != nil {
		t.Skip("taskset not found")
	}
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		t.Skipf("sched_getaffinity: %v", err)
	}
	cpu := 0 // the first CPU this process may use
	for !set.IsSet(cpu) && cpu < 1024 {
		cpu++
	}
	cmd := exec.Command(taskset, "-c", fmt.Sprint(cpu), os.Args[0], "-test.run=^TestTasksetHelper$", "-test.count=1")
	env := []string{helperEnv + "=1"}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GOMAXPROCS=") && !strings.HasPrefix(kv, helperEnv+"=") {
			env = append(env, kv)
		}
	}
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Skipf("taskset -c %d failed (%v): %s", cpu, err, out)
	}
	var available, gomaxprocs, numcpu int
	found := false
	for _, line := range strings.Split(string(out), "\n") {
		if _, err := fmt.Sscanf(line, "cpus-helper available=%d gomaxprocs=%d numcpu=%d", &available, &gomaxprocs, &numcpu); err == nil {
			found = true
		}
	}
	if !found {
		t.Fatalf("no report from the helper process:\n%s", out)
	}
	t.Logf("under taskset -c %d: Available() = %d, runtime.GOMAXPROCS(0) = %d, runtime.NumCPU() = %d (GOMAXPROCS equals Available: %v)",
		cpu, available, gomaxprocs, numcpu, gomaxprocs == available)
	if available != 1 {
		t.Errorf("Available() under taskset -c %d = %d, want 1", cpu, available)
	}
}
