exports.twice = (x) => x * 2;
// A package is found in the node_modules folder of a parent folder.
exports.pkgName = require('pkg').name;
