# Conveniences; the README's two commands need none of this.
#   make            build bin/jsmap
#   make test       the tests, as CI runs them
#   make bench      jsmap against node, bun, jq, gojq and the seed's Python on the shared harness
#                   (ONLY='^W1\.' for one workload, RUNS=5 for more careful medians)
#   make gobench    the Go benchmarks: splitter MB/s, engine and bridge items/s
SHARED ?= ../shared

.PHONY: build test bench gobench

build:
	go build -o bin/jsmap .

test:
	bash .ci/run

bench: build
	RUNS=$${RUNS:-3} $(SHARED)/bench/run.sh bin/jsmap $(ONLY)

gobench:
	go test -run '^$$' -bench . -benchmem ./runtime/ ./jsbridge/ ./internal/jsontext/
