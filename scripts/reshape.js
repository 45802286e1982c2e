// Reshape records: pick, rename, combine and normalise fields.
//   jsmap scripts/reshape.js testdata/users.json
module.exports = (u) => ({
  id: u.id,
  name: `${u.first} ${u.last}`,
  email: u.email.trim().toLowerCase(),
  country: u.address?.country ?? null,
  tags: (u.tags ?? []).map((t) => t.toLowerCase()).sort(),
})
