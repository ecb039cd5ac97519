// Every shared vector (vectors/**/*.json) through the BUILT nodejs package, imported by name
// through its package.json exports: the same answers as the Rust engine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as rr from 'refund-rules';
import { loadVectors, numbersExact, subsetMismatch } from './support.mjs';

const THROWING = {
  plan: rr.plan,
  apply: rr.apply,
  refundable: rr.refundable,
  parse_amount: rr.parseAmount,
  format_amount: rr.formatAmount,
};

const cases = loadVectors();

test('vectors were found', () => {
  assert.ok(cases.length > 0, 'no vectors under vectors/');
});

for (const c of cases) {
  test(`${c.file}: ${c.name}`, () => {
    // 1. run(): the envelope, from the document's JSON text.
    const envelope = rr.run(c.operation, c.text);
    const m = subsetMismatch(c.expected, envelope);
    assert.equal(m, null, `${m}\nenvelope: ${JSON.stringify(envelope)}`);

    // 2. The throwing API with the same text: a value, or a RefundError with the expected code
    //    (the named function where there is one, else `invoke` for operations added later).
    const fn = THROWING[c.operation] || ((doc) => rr.invoke(c.operation, doc));
    if (c.expected.ok === false) {
      assert.throws(() => fn(c.text), (e) => {
        assert.ok(e instanceof rr.RefundError && e instanceof Error, String(e));
        const em = subsetMismatch(c.expected.error || {}, e.toJSON());
        assert.equal(em, null, `${em}\nerror: ${JSON.stringify(e.toJSON())}`);
        return true;
      });
    } else {
      const value = fn(c.text);
      if (c.expected.value !== undefined) {
        const vm = subsetMismatch(c.expected.value, value);
        assert.equal(vm, null, vm);
      }
    }

    // 3. The same document as a JS object (only where the object is the whole document).
    if (!c.hasText && c.input && typeof c.input === 'object' && !Array.isArray(c.input)) {
      if (numbersExact(c.input)) {
        const om = subsetMismatch(c.expected, rr.run(c.operation, c.input));
        assert.equal(om, null, `object input: ${om}`);
      } else {
        // The documented rule: an inexact JS number is refused, never guessed.
        assert.throws(() => fn(c.input), (e) => e instanceof rr.RefundError && e.code === 'invalid_input');
      }
    }
  });
}
