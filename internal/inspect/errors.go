package inspect

import (
	"strconv"
	"strings"

	"github.com/dop251/goja"
)

// getStackString is node's getStackString: err.stack if truthy, else
// Error.prototype.toString(err). goja's stack layout is rewritten to node's.
func (c *inspector) getStackString(err *goja.Object) string {
	r := c.r
	if v := r.get(err, "stack"); v != nil && v.ToBoolean() {
		if s, ok := r.toString(v); ok {
			return normalizeStack(s)
		}
	}
	name, msg := "Error", ""
	if v := r.get(err, "name"); !isUndef(v) {
		name, _ = r.toString(v)
	}
	if v := r.get(err, "message"); !isUndef(v) {
		msg, _ = r.toString(v)
	}
	return joinNameMessage(name, msg)
}

// normalizeStack rewrites goja's stack frames ("\tat f (file:1:2(3))") into
// V8's layout ("    at f (file:1:2)") and drops goja's trailing newline.
// Other lines are left alone.
func normalizeStack(stack string) string {
	if !strings.Contains(stack, "\n\tat ") {
		return stack
	}
	lines := strings.Split(strings.TrimRight(stack, "\n"), "\n")
	for i, line := range lines {
		if i == 0 || !strings.HasPrefix(line, "\tat ") {
			continue
		}
		line = "    at " + line[len("\tat "):]
		lines[i] = stripPC(line)
	}
	return strings.Join(lines, "\n")
}

// stripPC removes goja's program counter suffix "(123)" that follows
// "line:column" in a frame.
func stripPC(line string) string {
	end := len(line)
	closing := ""
	if strings.HasSuffix(line, "))") {
		end--
		closing = ")"
	}
	if end == 0 || line[end-1] != ')' {
		return line
	}
	open := strings.LastIndexByte(line[:end], '(')
	if open <= 0 {
		return line
	}
	for i := open + 1; i < end-1; i++ {
		if line[i] < '0' || line[i] > '9' {
			return line
		}
	}
	if open+1 == end-1 || line[open-1] < '0' || line[open-1] > '9' {
		return line
	}
	return line[:open] + closing
}

// formatError is node's formatError; it returns the base text and the keys
// left to print.
func (c *inspector) formatError(err *goja.Object, constructor ctorName, tag string, keys []propKey) (string, []propKey) {
	r := c.r
	name := "Error"
	if v := r.get(err, "name"); v != nil && !goja.IsUndefined(v) && !goja.IsNull(v) {
		name, _ = r.toString(v)
	}
	stack := c.getStackString(err)

	keys = c.removeDuplicateErrorKeys(keys, err, stack)

	if r.hasProperty(err, keyCause) && !hasKey(keys, "cause") {
		keys = append(keys, propKey{name: "cause"})
	}
	if ev, ok := r.get(err, "errors").(*goja.Object); ok && ev.ClassName() == "Array" && !hasKey(keys, "errors") {
		keys = append(keys, propKey{name: "errors"})
	}

	stack = improveStack(stack, constructor, name, tag)

	// Ignore the error message if it's contained in the stack.
	pos := -1
	if mv := r.get(err, "message"); mv != nil && mv.ToBoolean() {
		if msg, ok := r.toString(mv); ok {
			if idx := strings.Index(stack, msg); idx > 0 {
				pos = idx + len(msg)
			}
		}
	}
	from := max(pos, 0)
	stackStart := -1
	if from <= len(stack) {
		if idx := strings.Index(stack[from:], "\n    at"); idx >= 0 {
			stackStart = from + idx
		}
	}
	if stackStart == -1 {
		stack = "[" + stack + "]"
	} else {
		newStack := stack[:stackStart]
		lines := c.getStackFrames(err, stack[stackStart+1:])
		stack = newStack + "\n" + strings.Join(lines, "\n")
	}
	if c.indentationLvl != 0 {
		stack = strings.ReplaceAll(stack, "\n", "\n"+strings.Repeat(" ", c.indentationLvl))
	}
	return stack, keys
}

func hasKey(keys []propKey, name string) bool {
	for _, k := range keys {
		if k.sym == nil && k.name == name {
			return true
		}
	}
	return false
}

func (c *inspector) removeDuplicateErrorKeys(keys []propKey, err *goja.Object, stack string) []propKey {
	if c.opts.showHidden || len(keys) == 0 {
		return keys
	}
	for _, name := range []string{"name", "message", "stack"} {
		for i, k := range keys {
			if k.sym != nil || k.name != name {
				continue
			}
			v := c.r.get(err, name)
			s := "undefined"
			if v != nil {
				s, _ = c.r.toString(v)
			}
			if strings.Contains(stack, s) {
				keys = append(keys[:i:i], keys[i+1:]...)
			}
			break
		}
	}
	return keys
}

// improveStack is node's improveStack: it makes sure the first line names
// the error's class.
func improveStack(stack string, constructor ctorName, name, tag string) string {
	l := len(name)
	if !constructor.valid ||
		(strings.HasSuffix(name, "Error") && strings.HasPrefix(stack, name) &&
			(len(stack) == l || stack[l] == ':' || stack[l] == '\n')) {
		fallback := "Error"
		if !constructor.valid {
			fb := errorNameFromStack(stack)
			l = len(fb)
			fallback = fb
			if fallback == "" {
				fallback = "Error"
			}
		}
		prefix := getPrefix(constructor, tag, fallback, "")
		prefix = prefix[:len(prefix)-1]
		if name != prefix {
			if strings.Contains(prefix, name) {
				if l == 0 {
					stack = prefix + ": " + stack
				} else {
					stack = prefix + stack[l:]
				}
			} else {
				stack = prefix + " [" + name + "]" + stack[l:]
			}
		}
	}
	return stack
}

// errorNameFromStack matches node's
// /^([A-Z][a-z_ A-Z0-9[\]()-]+)(?::|\n {4}at)/ or /^([a-z_A-Z0-9-]*Error)$/.
func errorNameFromStack(stack string) string {
	if len(stack) > 0 && stack[0] >= 'A' && stack[0] <= 'Z' {
		i := 1
		for i < len(stack) && isErrNameChar(stack[i]) {
			i++
		}
		// The class is greedy but backtracks to find the terminator.
		for j := i; j >= 2; j-- {
			rest := stack[j:]
			if strings.HasPrefix(rest, ":") || strings.HasPrefix(rest, "\n    at") {
				return stack[:j]
			}
		}
	}
	if strings.HasSuffix(stack, "Error") {
		for i := 0; i < len(stack); i++ {
			ch := stack[i]
			if !(ch == '_' || ch == '-' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')) {
				return ""
			}
		}
		return stack
	}
	return ""
}

func isErrNameChar(ch byte) bool {
	return ch == '_' || ch == ' ' || ch == '[' || ch == ']' || ch == '(' || ch == ')' || ch == '-' ||
		(ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')
}

// getStackFrames is node's getStackFrames: frames shared with err.cause's
// stack are collapsed.
func (c *inspector) getStackFrames(err *goja.Object, stack string) []string {
	frames := strings.Split(stack, "\n")
	cause, ok := c.r.get(err, "cause").(*goja.Object)
	if !ok || c.classify(cause) != kindError {
		return frames
	}
	causeStack := c.getStackString(cause)
	causeStackStart := strings.Index(causeStack, "\n    at")
	if causeStackStart == -1 {
		return frames
	}
	causeFrames := strings.Split(causeStack[causeStackStart+1:], "\n")
	length, offset := identicalSequenceRange(frames, causeFrames)
	if length > 0 {
		skipped := length - 2
		msg := "    ... " + strconv.Itoa(skipped) + " lines matching cause stack trace ..."
		out := make([]string, 0, len(frames)-skipped+1)
		out = append(out, frames[:offset+1]...)
		out = append(out, msg)
		out = append(out, frames[offset+1+skipped:]...)
		frames = out
	}
	return frames
}

func identicalSequenceRange(a, b []string) (length, offset int) {
	for i := 0; i < len(a)-3; i++ {
		pos := -1
		for j, s := range b {
			if s == a[i] {
				pos = j
				break
			}
		}
		if pos != -1 {
			rest := len(b) - pos
			if rest > 3 {
				l := 1
				maxLen := min(len(a)-i, rest)
				for maxLen > l && a[i+l] == b[pos+l] {
					l++
				}
				if l > 3 {
					return l, i
				}
			}
		}
	}
	return 0, 0
}
