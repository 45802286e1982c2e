// Per-worker state: setup() runs once in each worker before its first element, teardown() once at
// the end. Here setup builds a lookup table the map function uses for every element.
//   jsmap scripts/lookup.js testdata/orders.json
let prices

module.exports = {
  setup() {
    prices = new Map([
      ['apple', 0.5],
      ['bread', 2.25],
      ['cheese', 7.8],
      ['dates', 4.1],
    ])
  },

  map(order) {
    let total = 0
    const unknown = []
    for (const item of order.items) {
      const price = prices.get(item.sku)
      if (price === undefined) unknown.push(item.sku)
      else total += price * item.qty
    }
    return { order: order.id, total: Math.round(total * 100) / 100, unknown }
  },

  teardown() {
    prices = undefined
  },
}
