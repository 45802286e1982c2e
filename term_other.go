//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package main

import "os"

// isTerminal reports whether f is a terminal; on this system jsmap does not draw progress by itself.
func isTerminal(f *os.File) bool { return false }
