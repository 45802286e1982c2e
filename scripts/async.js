// Async functions work: the returned Promise is awaited before the result is written.
// (Scripts have no timers or I/O, so await is for code that is written with Promises.)
//   jsmap scripts/async.js testdata/numbers.json
async function double(x) {
  return 2 * x
}

module.exports = async (x) => {
  const d = await double(x)
  const parts = await Promise.all([d, Promise.resolve(x)])
  return { x, double: parts[0], sum: parts[0] + parts[1] }
}
