package runtime

import "github.com/jsmap/jsmap/internal/cpus"

func availableCPUs() int { return cpus.Available() }
