// Copies examples/<provider>/*.json into the preview's served folder and writes index.json
// ({provider: [{name, file, operation}]}) so the page can offer them without any network or listing
// API. `operation` is the engine operation the example is for, named by its file as the CLI test
// reads it (crates/refund-rules-cli/tests/cli.rs): `apply-…`, `refundable…`, `validate-list-query…`,
// else `plan`.
// Usage: node bundle-examples.mjs EXAMPLES_DIR OUT_DIR
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [src, out] = process.argv.slice(2);
if (!src || !out) {
  console.error('usage: node bundle-examples.mjs EXAMPLES_DIR OUT_DIR');
  process.exit(2);
}
const index = {};
if (existsSync(src)) {
  for (const provider of readdirSync(src).sort()) {
    const dir = join(src, provider);
    if (!statSync(dir).isDirectory()) continue;
    const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
    if (files.length === 0) continue;
    mkdirSync(join(out, provider), { recursive: true });
    index[provider] = files.map((file) => {
      copyFileSync(join(dir, file), join(out, provider, file));
      const op = ['apply', 'refundable', 'validate-list-query'].find((prefix) => file.startsWith(prefix)) || 'plan';
      return { name: file.replace(/\.json$/, ''), file: `${provider}/${file}`, operation: op.replace(/-/g, '_') };
    });
  }
}
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'index.json'), JSON.stringify(index, null, 2) + '\n');
console.log(`bundled examples: ${Object.entries(index).map(([p, l]) => `${p} (${l.length})`).join(', ') || 'none'}`);
