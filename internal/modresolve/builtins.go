package modresolve

import "strings"

// builtinModules lists require("module").builtinModules of Node.js v20.
var builtinModules = map[string]bool{}

func init() {
	const list = "_http_agent _http_client _http_common _http_incoming _http_outgoing _http_server " +
		"_stream_duplex _stream_passthrough _stream_readable _stream_transform _stream_wrap " +
		"_stream_writable _tls_common _tls_wrap assert assert/strict async_hooks buffer " +
		"child_process cluster console constants crypto dgram diagnostics_channel dns " +
		"dns/promises domain events fs fs/promises http http2 https inspector " +
		"inspector/promises module net os path path/posix path/win32 perf_hooks process " +
		"punycode querystring readline readline/promises repl stream stream/consumers " +
		"stream/promises stream/web string_decoder sys timers timers/promises tls " +
		"trace_events tty url util util/types v8 vm wasi worker_threads zlib"
	for _, name := range strings.Fields(list) {
		builtinModules[name] = true
	}
}

// IsBuiltin reports whether require(spec) names a Node.js built-in module:
// spec is one of Node.js v20's built-in module names, or starts with "node:".
// As in Node.js, a built-in name takes precedence over a package of the same
// name in node_modules; require("name/") loads the package instead.
func IsBuiltin(spec string) bool {
	return strings.HasPrefix(spec, "node:") || builtinModules[spec]
}
