package cpus

import "testing"

func TestAvailablePositive(t *testing.T) {
	if n := Available(); n < 1 {
		t.Errorf("Available() = %d, want at least 1", n)
	}
}
