// Package modresolve implements the module resolution behind require() in
// jsmap scripts.
//
// It follows the Node.js CommonJS algorithm (relative and absolute paths,
// LOAD_AS_FILE, LOAD_AS_DIRECTORY with package.json "main", node_modules
// lookup from the requiring module's folder upward, package.json "exports"
// and package self-reference), but confines every lookup to a fixed set of
// roots: the script's folder and the node_modules folders found in it and in
// its parent folders when the Resolver is created. Roots are compared by real
// path.
//
// Confinement is enforced while resolving paths, not after: a candidate whose
// path lies outside every root is never stat'ed, and symbolic links are
// followed one component at a time so that nothing outside the roots is
// examined. A candidate that leads outside the roots, whether through "..",
// an absolute path, package.json or a symbolic link, is refused with an error
// instead of being skipped in favour of another candidate.
//
// Node.js built-in modules ("fs", "node:path", ...) are refused with an error
// that explains that jsmap scripts have no filesystem, network or process
// access. Package imports ("#name" specifiers) and native addons (.node files)
// are not supported.
package modresolve
