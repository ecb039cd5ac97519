// The consumer type tests of scripts/test-wasm (needs the built package: node_modules/refund-rules):
// 1. the README quickstart is written out as readme-quickstart.mts;
// 2. `tsc --strict --noEmit -p tsconfig.json` must pass: the consumers, a document of every
//    provider (documents.mts) and the README quickstart;
// 3. `tsc -p rejects/tsconfig.json` must FAIL, with each `// expect:` message of rejects/*.mts
//    reported on the line below it (a wrong literal is an error).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const tsc = join(here, '../../../../tools/node/node_modules/.bin/tsc');
const readme = readFileSync(join(here, '../../README.md'), 'utf8');
const quickstart = /^## Quickstart[^\n]*\n[\s\S]*?^```js\n([\s\S]*?)^```$/m.exec(readme);
if (!quickstart) throw new Error('bindings/wasm/README.md: no ```js block under "## Quickstart"');
writeFileSync(join(here, 'readme-quickstart.mts'), `// written by check.mjs from bindings/wasm/README.md\n${quickstart[1]}`);

const run = (project) => {
  try {
    return { ok: true, out: execFileSync(tsc, ['--noEmit', '-p', project], { cwd: here, encoding: 'utf8' }) };
  } catch (e) {
    return { ok: false, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
};

const good = run('tsconfig.json');
if (!good.ok) {
  console.error(good.out);
  throw new Error('tsc --strict rejected the consumers, documents.mts or the README quickstart');
}
console.log('tsc --strict: consumers, a document of every provider and the README quickstart type-check');

const bad = run('rejects/tsconfig.json');
if (bad.ok) throw new Error('tsc accepted rejects/: the declarations let wrong documents through');
const file = 'wrong-literals.mts';
const lines = readFileSync(join(here, 'rejects', file), 'utf8').split('\n');
// One entry per error: its first line and the indented lines that explain it.
const errors = bad.out.split(/\n(?=\S)/);
let expected = 0;
lines.forEach((line, i) => {
  const m = /^\/\/ expect: (.*)$/.exec(line);
  if (!m) return;
  expected += 1;
  const at = `${file}(${i + 2},`;
  const hit = errors.some((e) => e.includes(at) && e.includes(m[1]));
  if (!hit) throw new Error(`rejects/${file}:${i + 2}: expected an error "${m[1]}"; tsc said:\n${bad.out}`);
});
if (expected < 5) throw new Error(`rejects/${file}: only ${expected} expectations`);
console.log(`tsc rejects rejects/${file} with the ${expected} expected errors`);
