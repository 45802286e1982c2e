// Requires a relative file, a .json file, packages from node_modules and a require cycle.
const util = require('./lib/util');
const data = require('./data.json');
const pkg = require('pkg');
const plain = require('plain');
const cycle = require('./cycle/a');

module.exports = (x) => ({
  twice: util.twice(x),
  fromLib: util.pkgName,
  data,
  pkg,
  plain,
  cycle,
  sameModule: require('./lib/util.js') === util,
  sameJSON: require('./data') === data,
});
