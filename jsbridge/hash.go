package jsbridge

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"sort"
)

// SourceHash returns a hash of the script's code: the main module (or -e expression) and every
// module loaded so far, with their paths. Two runs with the same hash ran the same code. Safe for
// concurrent use.
func (p *Program) SourceHash() string {
	p.mu.Lock()
	paths := make([]string, 0, len(p.modules))
	for path := range p.modules {
		paths = append(paths, path)
	}
	p.mu.Unlock()
	sort.Strings(paths)
	h := sha256.New()
	for _, path := range paths {
		h.Write([]byte(path))
		h.Write([]byte{0})
		if path == p.mainPath {
			h.Write([]byte(p.mainSrc))
		} else if b, err := os.ReadFile(path); err == nil {
			h.Write(b)
		}
		h.Write([]byte{0})
	}
	h.Write(p.args)
	return hex.EncodeToString(h.Sum(nil))
}
