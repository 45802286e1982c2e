// Reference implementation for the jsbridge tests: reads NDJSON requests {"expr", "input", "index"}
// on stdin and writes one NDJSON answer per request, {"out": "<JSON text>"} or {"err": "<message>"}.
// out is JSON.stringify(f(JSON.parse(input), index)), with a returned Promise awaited and a top-level
// undefined written as null, which is what jsbridge produces.
'use strict';
const readline = require('readline');

const fns = new Map();
function compile(expr) {
  let f = fns.get(expr);
  if (f === undefined) {
    f = (0, eval)('(' + expr + '\n)');
    fns.set(expr, f);
  }
  return f;
}

async function answer(req) {
  try {
    let v = compile(req.expr)(JSON.parse(req.input), req.index || 0);
    if (v instanceof Promise) v = await v;
    const out = JSON.stringify(v);
    return { out: out === undefined ? 'null' : out };
  } catch (e) {
    return { err: e instanceof Error ? e.name + ': ' + e.message : 'Uncaught ' + String(e) };
  }
}

async function main() {
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  const out = [];
  for await (const line of rl) {
    if (line === '') continue;
    out.push(JSON.stringify(await answer(JSON.parse(line))));
    if (out.length >= 256) {
      process.stdout.write(out.join('\n') + '\n');
      out.length = 0;
    }
  }
  if (out.length > 0) process.stdout.write(out.join('\n') + '\n');
}

main();
