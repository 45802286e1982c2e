package runtime

import (
	"bytes"
	"os"
	"strconv"
)

// umask returns the process's file mode creation mask without changing it (Linux reports it in
// /proc/self/status); elsewhere it assumes the usual 022.
func umask() os.FileMode {
	b, err := os.ReadFile("/proc/self/status")
	if err == nil {
		if i := bytes.Index(b, []byte("\nUmask:")); i >= 0 {
			line := b[i+len("\nUmask:"):]
			if j := bytes.IndexByte(line, '\n'); j >= 0 {
				line = line[:j]
			}
			if m, err := strconv.ParseUint(string(bytes.TrimSpace(line)), 8, 32); err == nil {
				return os.FileMode(m)
			}
		}
	}
	return 0o022
}
