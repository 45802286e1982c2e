// A predicate for --filter: the elements it returns a truthy value for are written unchanged
// (their original bytes, not a re-encoding).
//   jsmap --filter scripts/filter.js testdata/users.json
module.exports = (u) => u.active && u.age >= 18
