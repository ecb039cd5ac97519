// The npm tarball as `npm pack` would publish it: one WebAssembly module, shared by the nodejs
// and web builds, and every file the package.json exports points at.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

const require = createRequire(import.meta.url);
const PKG = dirname(require.resolve('refund-rules/package.json'));

function packedFiles() {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: PKG,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [report] = JSON.parse(out);
  return report.files.map((f) => f.path);
}

function exportTargets(node, out = []) {
  if (typeof node === 'string') out.push(node.replace(/^\.\//, ''));
  else if (node && typeof node === 'object') for (const v of Object.values(node)) exportTargets(v, out);
  return out;
}

test('npm pack ships exactly one .wasm, used by both the nodejs and the web build', () => {
  const files = packedFiles();
  const wasm = files.filter((f) => f.endsWith('.wasm'));
  assert.deepEqual(wasm, ['web/refund_rules_wasm_bg.wasm'], `packed files: ${files.join(', ')}`);
  // Every export target is in the tarball (none points at a module that is no longer shipped).
  const pkg = require('refund-rules/package.json');
  for (const target of exportTargets(pkg.exports)) {
    assert.ok(files.includes(target), `exports names ${target}, which npm pack leaves out`);
  }
});
