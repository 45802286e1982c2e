// The simplest map: square every number.
//   jsmap scripts/square.js testdata/numbers.json
module.exports = (x) => x * x
