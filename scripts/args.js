// args holds the --arg (strings) and --argjson (JSON values) given on the command line.
//   jsmap scripts/args.js --arg country=FR --argjson minAge=30 testdata/users.json
module.exports = (u) => ({
  id: u.id,
  match: u.address?.country === args.country && u.age >= (args.minAge ?? 0),
})
