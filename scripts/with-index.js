// The index variant: the function's second argument is the element's position in the whole input
// (counting on across several input files).
//   jsmap scripts/with-index.js testdata/numbers.json
module.exports = (x, i) => ({ i, x, even: i % 2 === 0 })
