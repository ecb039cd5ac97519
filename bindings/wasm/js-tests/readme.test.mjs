// Executes every ```js block of bindings/wasm/README.md and README.md against the built package, the way a
// user would: a fresh folder whose node_modules/refund-rules is the package.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
// The package README and the repository README: every js block of both.
const jsBlocks = (url) =>
  [...readFileSync(url, 'utf8').matchAll(/^```js\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
const own = jsBlocks(new URL('../README.md', import.meta.url));
const top = jsBlocks(new URL('../../../README.md', import.meta.url));
const blocks = [...own, ...top];

test('the READMEs have js blocks', () => {
  assert.ok(own.length >= 2, `bindings/wasm/README.md: found ${own.length}`);
  assert.ok(top.length >= 1, `README.md: found ${top.length}`);
});

const dir = mkdtempSync(join(tmpdir(), 'refund-rules-readme-'));
mkdirSync(join(dir, 'node_modules'));
symlinkSync(dirname(require.resolve('refund-rules/package.json')), join(dir, 'node_modules', 'refund-rules'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

blocks.forEach((code, i) => {
  test(`README js block ${i + 1}`, () => {
    const file = join(dir, `block-${i + 1}.${/\brequire\(/.test(code) ? 'cjs' : 'mjs'}`);
    writeFileSync(file, code);
    try {
      execFileSync(process.execPath, [file], { cwd: dir, stdio: 'pipe' });
    } catch (e) {
      assert.fail(`README block ${i + 1} failed:\n${e.stderr}\n--- block ---\n${code}`);
    }
  });
});
