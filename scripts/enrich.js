// require() loads helpers next to the script (and packages from node_modules), and .json data.
//   jsmap scripts/enrich.js testdata/users.json
const { slug } = require('./lib/slug')
const countries = require('./data/countries.json')

module.exports = (u) => ({
  id: u.id,
  handle: slug(`${u.first} ${u.last}`),
  country: countries[u.address?.country] ?? 'unknown',
})
