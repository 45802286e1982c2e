package cpus

import (
	"io/fs"
	"math"
	"path"
	"strconv"
	"strings"
)

// A hierarchy is a mounted cgroup hierarchy that controls CPU bandwidth.
type hierarchy struct {
	v2         bool
	root       string // the cgroup at the root of the mount (mountinfo field 4)
	mountPoint string // where it is mounted
}

// cgroupCPULimit returns the CPU bandwidth limit, in CPUs (quota / period),
// that the cgroups of the process impose, and false when there is none.
// fsys is the file system root; procCgroup and mountinfo are the contents of
// /proc/self/cgroup and /proc/self/mountinfo. Every hierarchy that controls
// CPU bandwidth (the cgroup v2 one, the v1 one with the cpu controller; both
// in hybrid set-ups) is examined, from the process's cgroup up to the root of
// the mount, and the smallest limit wins. Missing or unreadable files count as
// no limit.
func cgroupCPULimit(fsys fs.FS, procCgroup, mountinfo string) (float64, bool) {
	mounts := parseMountinfo(mountinfo, "cpu")
	best, found := math.Inf(1), false
	for _, line := range strings.Split(procCgroup, "\n") {
		parts := strings.SplitN(strings.TrimSpace(line), ":", 3)
		if len(parts) != 3 {
			continue
		}
		v2 := parts[0] == "0" && parts[1] == ""
		if !v2 && !hasOption(parts[1], "cpu") {
			continue
		}
		cgPath := parts[2]
		for _, dir := range cgroupDirs(mounts, v2, cgPath) {
			var limit float64
			var ok bool
			if v2 {
				limit, ok = readCPUMax(fsys, dir)
			} else {
				limit, ok = readCFS(fsys, dir)
			}
			if ok && limit < best {
				best, found = limit, true
			}
		}
	}
	if !found {
		return 0, false
	}
	return best, true
}

// cgroupDirs returns the folders (fs.FS paths) of the cgroup cgPath and its
// ancestors up to the root of the mount that shows it, in the hierarchy of
// the given version.
func cgroupDirs(mounts []hierarchy, v2 bool, cgPath string) []string {
	var m *hierarchy
	for i := range mounts {
		h := &mounts[i]
		if h.v2 != v2 || !within(h.root, cgPath) {
			continue
		}
		if m == nil || len(h.root) > len(m.root) {
			m = h
		}
	}
	if m == nil {
		return nil
	}
	rel := strings.TrimPrefix(strings.TrimPrefix(cgPath, m.root), "/")
	top := strings.TrimPrefix(path.Clean(m.mountPoint), "/")
	if top == "" {
		top = "."
	}
	dir := path.Join(top, rel)
	if !fs.ValidPath(dir) || !within(top, dir) {
		return nil
	}
	var dirs []string
	for {
		dirs = append(dirs, dir)
		if dir == top {
			return dirs
		}
		dir = path.Dir(dir)
	}
}

// within reports whether the slash-separated path p is dir or lies below it.
func within(dir, p string) bool {
	if dir == "/" || dir == "." || p == dir {
		return true
	}
	return strings.HasPrefix(p, dir) && p[len(dir)] == '/'
}

// readCPUMax reads a cgroup v2 cpu.max: "max 100000" or "150000 100000".
func readCPUMax(fsys fs.FS, dir string) (float64, bool) {
	data, err := fs.ReadFile(fsys, path.Join(dir, "cpu.max"))
	if err != nil {
		return 0, false
	}
	f := strings.Fields(string(data))
	if len(f) == 0 || f[0] == "max" {
		return 0, false
	}
	quota, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil {
		return 0, false
	}
	period := int64(100000)
	if len(f) > 1 {
		if period, err = strconv.ParseInt(f[1], 10, 64); err != nil {
			return 0, false
		}
	}
	return ratio(quota, period)
}

// readCFS reads cgroup v1 cpu.cfs_quota_us ("-1" for no limit) and
// cpu.cfs_period_us.
func readCFS(fsys fs.FS, dir string) (float64, bool) {
	q, err := fs.ReadFile(fsys, path.Join(dir, "cpu.cfs_quota_us"))
	if err != nil {
		return 0, false
	}
	quota, err := strconv.ParseInt(strings.TrimSpace(string(q)), 10, 64)
	if err != nil || quota < 0 {
		return 0, false
	}
	p, err := fs.ReadFile(fsys, path.Join(dir, "cpu.cfs_period_us"))
	if err != nil {
		return 0, false
	}
	period, err := strconv.ParseInt(strings.TrimSpace(string(p)), 10, 64)
	if err != nil {
		return 0, false
	}
	return ratio(quota, period)
}

func ratio(quota, period int64) (float64, bool) {
	if quota <= 0 || period <= 0 {
		return 0, false
	}
	return float64(quota) / float64(period), true
}

// parseMountinfo returns the cgroup mounts that can apply the controller's
// limits (cpu, memory): cgroup2 mounts, and cgroup (v1) mounts with it.
func parseMountinfo(mountinfo, controller string) []hierarchy {
	var out []hierarchy
	for _, line := range strings.Split(mountinfo, "\n") {
		// id parent major:minor root mount-point options [optional...] - fstype source super-options
		pre, post, ok := strings.Cut(line, " - ")
		if !ok {
			continue
		}
		f, g := strings.Fields(pre), strings.Fields(post)
		if len(f) < 5 || len(g) < 1 {
			continue
		}
		h := hierarchy{root: unescape(f[3]), mountPoint: unescape(f[4])}
		switch g[0] {
		case "cgroup2":
			h.v2 = true
		case "cgroup":
			if len(g) < 3 || !hasOption(g[2], controller) {
				continue
			}
		default:
			continue
		}
		out = append(out, h)
	}
	return out
}

// hasOption reports whether the comma-separated list has opt.
func hasOption(list, opt string) bool {
	for _, o := range strings.Split(list, ",") {
		if o == opt {
			return true
		}
	}
	return false
}

// unescape decodes mountinfo's octal escapes (\040 for a space, ...).
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && isOctal(s[i+1]) && isOctal(s[i+2]) && isOctal(s[i+3]) {
			b.WriteByte((s[i+1]-'0')<<6 | (s[i+2]-'0')<<3 | (s[i+3] - '0'))
			i += 3
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }
