// One input, many outputs: with --flat a returned array contributes its elements (none for []).
//   jsmap --flat scripts/flatmap.js testdata/orders.json
module.exports = (order) =>
  order.items.map((item) => ({ order: order.id, sku: item.sku, total: item.qty * item.price }))
