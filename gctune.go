package main

import (
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// The VMs make a lot of short-lived garbage while the live heap stays small. Go's default (a
// collection whenever the heap doubles) then collects very often; never collecting until a fixed
// limit would thrash when a script legitimately keeps a lot. tuneGC sets GOGC high and keeps a
// soft memory limit at the larger of a small floor and twice the live heap: small heaps are
// collected rarely but stay within the floor, big ones behave as with GOGC=100. An explicit GOGC or
// GOMEMLIMIT in the environment turns this off.
const (
	gcFloor   = 40 << 20
	gcPercent = 400
)

// tuneGC starts the tuner; the returned function stops it.
func tuneGC(maxMemory int64) func() {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	ceiling := int64(-1)
	if maxMemory > 0 {
		ceiling = maxMemory / 10 * 9 // near --max-memory the collector works harder
	}
	set := func(live int64) {
		limit := max(int64(gcFloor), 2*live)
		if ceiling > 0 && limit > ceiling {
			limit = ceiling
		}
		debug.SetMemoryLimit(limit)
	}
	old := debug.SetGCPercent(gcPercent)
	set(0)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		samples := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
			}
			metrics.Read(samples)
			if samples[0].Value.Kind() == metrics.KindUint64 {
				set(int64(samples[0].Value.Uint64()))
			}
		}
	}()
	return func() {
		close(stop)
		<-done
		debug.SetGCPercent(old)
		debug.SetMemoryLimit(-1 >> 1)
	}
}
