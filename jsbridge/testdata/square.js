// Used by the package example: squares each number and keeps its index.
module.exports = (n, index) => ({index, square: n * n});
