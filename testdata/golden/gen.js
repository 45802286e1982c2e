// Writes the golden outputs of the example scripts by running them in Node.js, the reference for
// JavaScript semantics, with jsmap's contract emulated: one array in, an array with one element per
// line out (NDJSON in, NDJSON out), --filter writes the original elements, --flat spreads arrays.
//   node testdata/golden/gen.js      (from the project root)
'use strict'
const fs = require('fs')
const path = require('path')

const root = path.join(__dirname, '..', '..')
const cases = JSON.parse(fs.readFileSync(path.join(__dirname, 'cases.json'), 'utf8'))

async function main() {
  for (const c of cases) {
    const flags = { filter: false, flat: false, args: {} }
    const rest = []
    for (let i = 0; i < c.args.length; i++) {
      const a = c.args[i]
      if (a === '--filter') flags.filter = true
      else if (a === '--flat') flags.flat = true
      else if (a === '--arg' || a === '--argjson') {
        const [k, v] = c.args[++i].split(/=(.*)/s)
        flags.args[k] = a === '--arg' ? v : JSON.parse(v)
      } else rest.push(a)
    }
    const [script, ...inputs] = rest
    globalThis.args = flags.args
    const scriptPath = path.join(root, script)
    delete require.cache[require.resolve(scriptPath)]
    const mod = require(scriptPath)
    const fn = typeof mod === 'function' ? mod : mod.map.bind(mod)
    if (typeof mod === 'object' && mod.setup) await mod.setup()
    let items = []
    let ndjson = null
    for (const input of inputs) {
      const text = fs.readFileSync(path.join(root, input), 'utf8')
      const isArray = text.trimStart().startsWith('[')
      if (ndjson === null) ndjson = !isArray
      items = items.concat(isArray ? JSON.parse(text) : text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l)))
    }
    const out = []
    for (let i = 0; i < items.length; i++) {
      const original = JSON.stringify(items[i])
      let r = await fn(items[i], i)
      if (flags.filter) {
        if (r) out.push(original)
      } else if (flags.flat && Array.isArray(r)) {
        for (const e of r) out.push(JSON.stringify(e === undefined ? null : e))
      } else {
        out.push(r === undefined ? 'null' : JSON.stringify(r))
      }
    }
    if (typeof mod === 'object' && mod.teardown) await mod.teardown()
    const text = ndjson ? out.map((l) => l + '\n').join('') : out.length ? '[\n' + out.join(',\n') + '\n]\n' : '[]\n'
    fs.writeFileSync(path.join(__dirname, c.name + '.out'), text)
  }
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
