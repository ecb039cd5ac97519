// Text that is not Unicode (lone surrogates) and bytes: refused exactly as the CLI refuses the
// same bytes, never repaired into U+FFFD and planned.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import * as rr from 'refund-rules';

const require = createRequire(import.meta.url);

const LEDGER =
  '{"currency":"USD","authorized":"100.00","status":{"payment":"CAPTURED"},' +
  '"captures":[{"id":"cap_1","amount":"100.00"}]}';
const planText = (captureId) =>
  `{"provider":"simpleps","ledger":${LEDGER.replace('cap_1', captureId)},` +
  '"request":{"amount":{"total":25.00,"currency":"USD"}}}';
const DR_PLAN = (metadata) =>
  '{"provider":"digital_river","ledger":{"id":"o1","currency":"USD","authorized":"27.01",' +
  '"status":{"payment":"complete"},"captures":[{"id":"cap_1","amount":"27.01","settled":true}],' +
  '"lines":[{"id":"li_1","kind":"product","amount":"25.00","tax":"2.01"}],"refunds":[],"version":3},' +
  `"request":{"orderId":"o1","currency":"USD","percent":50,"metadata":${metadata}}}`;

/** WTF-8 bytes of a JS string (what the CLI reads from a file holding it), written out by hand. */
function wtf8(text) {
  const bytes = [];
  for (let i = 0; i < text.length; i += 1) {
    let c = text.charCodeAt(i);
    const d = text.charCodeAt(i + 1);
    if (c >= 0xd800 && c < 0xdc00 && d >= 0xdc00 && d < 0xe000) {
      c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
      i += 1;
    }
    if (c < 0x80) bytes.push(c);
    else if (c < 0x800) bytes.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) bytes.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else bytes.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return new Uint8Array(bytes);
}

const LONE = ['\ud800', '\udbff', '\udc00', '\udfff', 'a\udc00\ud800b'];

test('a lone surrogate in JSON text is refused as not UTF-8, not planned with U+FFFD', () => {
  for (const s of LONE) {
    const text = planText(`cap_${s}`);
    const envelope = JSON.parse(rr.runJson('plan', text));
    assert.equal(envelope.ok, false, `${JSON.stringify(s)} was planned`);
    assert.equal(envelope.error.code, 'invalid_input');
    assert.equal(envelope.error.family, 'invalid_input');
    assert.equal(envelope.error.pointer, '');
    // The byte index is that of the surrogate in the WTF-8 bytes, as the CLI reports it.
    const index = Buffer.byteLength(text.slice(0, text.indexOf(s[0] === 'a' ? s[1] : s)), 'utf8');
    assert.match(envelope.error.message, new RegExp(`the input is not UTF-8: invalid utf-8 sequence of 1 bytes from index ${index}$`));
    // The same document as bytes gets the identical envelope text.
    assert.equal(rr.runJson('plan', text), rr.runJson('plan', wtf8(text)));
    // The repaired text (what wasm-bindgen's string conversion made of it) would plan.
    assert.equal(rr.run('plan', text.replace(/[\ud800-\udfff]/g, '\ufffd')).ok, true);
  }
});

test('a lone surrogate anywhere: pass-through fields, keys, the first byte', () => {
  for (const text of [DR_PLAN('{"note":"\ud800"}'), DR_PLAN('{"\udc00":1}'), `\udfff${planText('cap_1')}`]) {
    const envelope = rr.run('plan', text);
    assert.equal(envelope.ok, false);
    assert.match(envelope.error.message, /not UTF-8/);
    assert.throws(() => rr.plan(text), (e) => e instanceof rr.RefundError && e.code === 'invalid_input');
    assert.equal(rr.runJson('plan', text), rr.runJson('plan', wtf8(text)));
  }
  // A well-formed pair is ordinary text.
  assert.equal(rr.run('plan', planText('cap_\ud83d\ude00')).ok, true);
});

test('an escaped lone surrogate is refused by the engine reader where it is read', () => {
  const envelope = rr.run('parse_amount', '{"amount":"25.00","currency":"US\\ud800"}');
  assert.equal(envelope.ok, false);
  assert.equal(envelope.error.code, 'invalid_input');
  assert.equal(envelope.error.pointer, '/currency');
});

test('Uint8Array documents are read as the CLI reads bytes', () => {
  const text = planText('cap_1');
  const bytes = new TextEncoder().encode(text);
  assert.equal(rr.runJson('plan', bytes), rr.runJson('plan', text));
  assert.equal(rr.plan(bytes).amount, '25.00');
  for (const bad of [[0xff], [0xc0, 0xaf], [0xe2, 0x82], [0xed, 0xa0, 0x80]]) {
    const envelope = rr.run('plan', new Uint8Array([...bytes, ...bad]));
    assert.equal(envelope.ok, false);
    assert.match(envelope.error.message, new RegExp(`not UTF-8: .* from index ${bytes.length}$`));
  }
  // A BOM is a byte of the document, refused as the CLI refuses it (not silently stripped).
  const bom = rr.run('plan', new Uint8Array([0xef, 0xbb, 0xbf, ...bytes]));
  assert.equal(bom.ok, false);
  assert.equal(rr.runJson('plan', `\ufeff${text}`), JSON.stringify(bom));
  // Over the limit: the size answer, before the UTF-8 check, as the CLI gives it.
  const big = new Uint8Array(8 * 1024 * 1024 + 1).fill(0xff);
  assert.match(rr.run('plan', big).error.message, /the input is 8388609 bytes; the limit is 8388608 bytes/);
});

test('the web build (initSync) answers lone surrogates as the nodejs build does', async () => {
  const web = await import('refund-rules/web');
  web.initSync({ module: readFileSync(require.resolve('refund-rules/web/refund_rules_wasm_bg.wasm')) });
  const text = planText('cap_\ud800');
  assert.equal(web.runJson('plan', text), rr.runJson('plan', text));
  assert.equal(web.runJson('plan', wtf8(text)), rr.runJson('plan', text));
});
