// Package jsontext provides strict, allocation-free utilities for JSON text:
// validation, compaction and indentation, quoting and unquoting of string
// literals, JavaScript-compatible number formatting, and skipping over values
// without decoding them.
//
// These functions sit on the hot path of jsmap: the engine validates every
// input element with [Validate] before handing it to a worker, and the
// JavaScript bridge uses the quoting, unquoting and number helpers to move
// values between JSON text and the VM.
//
// # Strictness
//
// [Validate] accepts exactly RFC 8259 JSON text: one value, optionally
// surrounded by the four JSON whitespace characters. It rejects trailing
// commas, comments, NaN and Infinity, leading zeros, single quotes, raw
// control characters in strings, unknown escapes and invalid UTF-8 (including
// overlong forms and encoded surrogates). Escaped lone surrogates such as
// "\ud800" are accepted, as the grammar and JavaScript's JSON.parse allow
// them; [NeedsUTF16] and [UnquoteUTF16] let callers preserve such strings
// exactly.
//
// # Output format
//
// [AppendFloat], [AppendQuote], [AppendQuoteUTF16] and [Indent] produce the
// same bytes as JavaScript's JSON.stringify, so that output written from Go
// matches output written by the VM.
//
// # Preconditions, concurrency and costs
//
// Functions documented as taking validated input (Compact, Indent, Unquote,
// UnquoteUTF16, NeedsUTF16, SkipValue, IsTruthy) do not check syntax again;
// given malformed input they do not panic but their result is unspecified.
//
// All functions are safe for concurrent use: they keep no state between
// calls. The Append functions and Compact and Indent only allocate when dst
// must grow. Validate does not allocate unless it returns an error (nesting
// deeper than 256 levels borrows a buffer from a pool), and runs at several
// hundred megabytes per second on a single core.
package jsontext
