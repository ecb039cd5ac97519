// The JS API of the built package: entry points, error objects, the number rule, recovery.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import * as rr from 'refund-rules';
import * as viaNodejs from 'refund-rules/nodejs';

const require = createRequire(import.meta.url);

const LEDGER = {
  id: 'order-12345',
  currency: 'USD',
  authorized: '100.10',
  status: { payment: 'CAPTURED' },
  captures: [{ id: 'cap_1', amount: '100.10', settled: true }],
  refunds: [],
  version: 3,
};
const planDoc = (total) => ({
  provider: 'simpleps',
  ledger: LEDGER,
  request: { amount: { total, currency: 'USD' } },
});

test('every subpath loads, and require and import share one instance', async () => {
  const cjs = require('refund-rules');
  const cjsNode = require('refund-rules/nodejs');
  assert.equal(cjs.RefundError, rr.RefundError);
  assert.equal(cjsNode.RefundError, rr.RefundError);
  assert.equal(viaNodejs.RefundError, rr.RefundError);
  assert.equal(rr.default.plan, rr.plan);
  assert.match(rr.engineVersion(), /^\d+\.\d+\.\d+/);
  const pkg = require('refund-rules/package.json');
  assert.equal(pkg.version, rr.engineVersion());

  // The web build in node: initSync with the module bytes (browsers use `await init()`).
  const web = await import('refund-rules/web');
  assert.throws(() => web.plan(planDoc(25)), /call `await init\(\)`/);
  const bytes = readFileSync(require.resolve('refund-rules/web/refund_rules_wasm_bg.wasm'));
  web.initSync({ module: bytes });
  assert.equal(web.plan(planDoc(25)).amount, '25.00');
  assert.notEqual(web.RefundError, rr.RefundError); // separate build, separate class
});

test('plan takes an object or JSON text and returns plain objects with decimal strings', () => {
  const fromObject = rr.plan(planDoc(25));
  const fromText = rr.plan(JSON.stringify(planDoc(25)));
  assert.deepEqual(fromObject, fromText);
  assert.equal(Object.getPrototypeOf(fromObject), Object.prototype);
  assert.equal(fromObject.kind, 'partial');
  assert.equal(fromObject.amount, '25.00');
  assert.equal(fromObject.remaining_after, '75.10');
  assert.deepEqual(fromObject.status_after, { payment: 'PARTIALLY_REFUNDED' });
  assert.deepEqual(fromObject.refundable, {
    currency: 'USD',
    captured: '100.10',
    refunded: '0.00',
    pending: '0.00',
    available: '100.10',
  });
  const full = rr.plan({ provider: 'simpleps', ledger: LEDGER });
  assert.equal(full.kind, 'full');
  assert.equal(full.amount, '100.10');
});

test('options: max, min, full_only, operation, blocked (a plan document is accepted as is)', () => {
  const o = rr.options({ provider: 'simpleps', ledger: LEDGER });
  assert.equal(o.max, '100.10');
  assert.equal(o.min, '0.01');
  assert.equal(o.full_only, false);
  assert.equal(o.operation, 'refund');
  assert.equal(o.blocked, null);
  assert.deepEqual(rr.options(planDoc(25)), o);
  assert.equal(rr.options(planDoc(25)).max, rr.invoke('options', planDoc(25)).max);
  assert.equal(rr.plan({ ...planDoc(0), request: { amount: { total: rr.jsonNumber(o.max), currency: 'USD' } } }).kind, 'full');
});

test('refundable, apply, parseAmount and formatAmount', () => {
  assert.equal(rr.refundable({ ledger: LEDGER, provider: 'simpleps' }).available, '100.10');
  const planned = rr.plan(planDoc(25));
  const applied = rr.apply({ provider: 'simpleps', ledger: LEDGER, event: { id: 'refund_1.created', ...planned.event } });
  assert.equal(applied.ledger.version, 4);
  assert.equal(applied.refundable.available, '75.10');
  assert.equal(applied.ledger.status.payment, 'PARTIALLY_REFUNDED');

  assert.deepEqual(rr.parseAmount({ amount: '25.00', currency: 'USD' }), {
    currency: 'USD',
    exponent: 2,
    minor: '2500',
    amount: '25.00',
  });
  assert.equal(rr.parseAmount({ amount: '1000', currency: 'JPY' }).minor, '1000');
  // Minor units stay strings, also beyond 2^53; bigint crosses exactly.
  const big = rr.formatAmount({ minor: 9007199254740993n, currency: 'USD' });
  assert.deepEqual(big, { currency: 'USD', exponent: 2, minor: '9007199254740993', amount: '90071992547409.93' });
  assert.equal(rr.formatAmount({ minor: '2500', currency: 'USD' }).amount, '25.00');
});

test('errors are RefundError objects with code, family, details, pointer and providerError', () => {
  let caught;
  try {
    rr.plan(planDoc(200));
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof rr.RefundError);
  assert.ok(caught instanceof Error);
  assert.equal(caught.name, 'RefundError');
  assert.equal(caught.code, 'exceeds_refundable');
  assert.equal(caught.family, 'rule_rejected');
  assert.match(caught.message, /100\.10/);
  assert.equal(typeof caught.stack, 'string');
  assert.equal(caught.details.refundable.available, '100.10');
  assert.deepEqual(caught.refundable, caught.details.refundable);
  assert.equal(caught.pointer, null); // a rule decision, not a place in the input
  assert.throws(() => rr.plan(planDoc(25.001)), (e) => e.code === 'invalid_amount' && e.pointer === '/request/amount/total');
  assert.ok(caught.providerError && typeof caught.providerError === 'object');
  assert.equal(caught.toJSON().code, 'exceeds_refundable');
  assert.equal(caught.toJSON().provider_error.code, 'PAY_016');

  const env = rr.run('plan', planDoc(200));
  assert.equal(env.ok, false);
  assert.equal(env.error.code, 'exceeds_refundable');
  assert.deepEqual(env.error, caught.toJSON());
});

test('run accepts JS and core operation names and never throws for bad documents', () => {
  assert.equal(rr.run('parseAmount', { amount: '1.50', currency: 'EUR' }).value.minor, '150');
  assert.equal(rr.run('parse_amount', '{"amount":"1.50","currency":"EUR"}').value.minor, '150');
  for (const [op, doc] of [
    ['nope', {}],
    ['plan', 42],
    ['plan', null],
    ['plan', ['x']],
    ['plan', '{not json'],
    ['plan', { provider: 'nope', ledger: LEDGER }],
  ]) {
    const env = rr.run(op, doc);
    assert.equal(env.ok, false, `${op} ${JSON.stringify(doc)}`);
    assert.ok(['invalid_input', 'unknown_provider'].includes(env.error.code), env.error.code);
  }
  assert.throws(() => rr.plan('{not json'), (e) => e instanceof rr.RefundError && e.code === 'invalid_input');
  // invoke: any operation by name (camelCase or the core's snake_case); the core decides which exist.
  assert.equal(rr.invoke('parseAmount', { amount: '1.50', currency: 'EUR' }).minor, '150');
  assert.equal(rr.invoke('format_amount', { minor: '150', currency: 'EUR' }).amount, '1.50');
  assert.throws(() => rr.invoke('nope', {}), (e) => e instanceof rr.RefundError && e.code === 'invalid_input' && /nope/.test(e.message));
  assert.throws(() => rr.invoke(7, {}), (e) => e instanceof rr.RefundError && e.code === 'invalid_input');
});

test('an error leaves the instance working (bad input, then good input)', () => {
  const bad = [
    '',
    '{',
    '{"provider":"simpleps","ledger":{"currency":"USD"}}',
    'x'.repeat(9 * 1024 * 1024), // over the core's 8 MiB input limit
    JSON.stringify(planDoc(-1)),
    '[' .repeat(10000),
  ];
  for (const text of bad) {
    assert.throws(() => rr.plan(text), rr.RefundError);
    assert.equal(rr.plan(planDoc(25)).amount, '25.00');
  }
});

test('number rule: exact JS numbers pass as written; inexact ones are refused', () => {
  // Up to 15 significant digits a JS number holds the decimal you wrote.
  assert.equal(rr.plan(planDoc(25.1)).amount, '25.10');
  assert.equal(rr.plan(planDoc(0.3)).amount, '0.30');
  // Too many decimals is the core's decision, not a silent rounding.
  assert.throws(() => rr.plan(planDoc(25.001)), (e) => e.code === 'invalid_amount');
  // 0.1 + 0.2 is 0.30000000000000004: refused with a pointer, never guessed.
  for (const n of [0.1 + 0.2, 2 ** 53, 1e21, 1e-7, Number.NaN, Infinity]) {
    assert.throws(
      () => rr.plan(planDoc(n)),
      (e) => e instanceof rr.RefundError && e.code === 'invalid_input' && e.pointer === '/request/amount/total',
      String(n),
    );
  }
  assert.throws(() => rr.formatAmount({ minor: 2 ** 60, currency: 'USD' }), (e) => e.pointer === '/minor');
  // The advice works where it is given: jsonNumber for a JSON-number field, a string for a string one.
  assert.throws(() => rr.plan(planDoc(0.1 + 0.2)), (e) => /jsonNumber\("…"\) where the field is a JSON number/.test(e.message));
  assert.equal(rr.plan(planDoc(rr.jsonNumber('0.3'))).amount, '0.30');
  assert.throws(() => rr.plan({ ...planDoc(25), ledger: { ...LEDGER, authorized: 0.1 + 0.2 } }), (e) => e.pointer === '/ledger/authorized');
  // Exact number text: jsonNumber(), or the document as JSON text.
  assert.equal(rr.plan(planDoc(rr.jsonNumber('25.00'))).amount, '25.00');
  assert.throws(() => rr.plan(planDoc(rr.jsonNumber('25.001'))), (e) => e.code === 'invalid_amount');
  assert.throws(() => rr.jsonNumber('25,00'), TypeError);
  // A provider that requires a JSON number refuses a string (the core's rule, SimplePS SP1).
  assert.throws(() => rr.plan(planDoc('25.00')), (e) => e.code === 'invalid_input' && /JSON number/.test(e.message));
  // runJson keeps the provider body's number text exactly.
  const text = rr.runJson('plan', JSON.stringify(planDoc(0)).replace('"total":0', '"total":25.00'));
  assert.match(text, /"total":25\.00/);
});

test('cycles and deep nesting are input errors', () => {
  const doc = planDoc(25);
  const loop = { ...doc, request: {} };
  loop.request.self = loop.request;
  assert.throws(() => rr.plan(loop), (e) => e.code === 'invalid_input' && /deeper/.test(e.message));
  // Like JSON.stringify, keys holding undefined/functions/symbols are left out...
  assert.equal(rr.plan({ ...doc, now: undefined, extra: () => 1 }).amount, '25.00');
  // ...but an array hole cannot be written.
  assert.throws(
    () => rr.plan({ ...doc, ledger: { ...LEDGER, captures: [undefined] } }),
    (e) => e.code === 'invalid_input' && e.pointer === '/ledger/captures/0',
  );
});

test('decide: the decision only, from an object, JSON text or bytes; refusals as plan refuses', () => {
  const full = rr.plan(planDoc(25));
  const fromObject = rr.decide(planDoc(25));
  const text = JSON.stringify(planDoc(25));
  assert.deepEqual(rr.decide(text), fromObject);
  assert.deepEqual(rr.decide(`  \n${text}`), fromObject);
  assert.deepEqual(rr.decide(new TextEncoder().encode(` ${text}`)), fromObject);
  for (const key of ['provider', 'operation', 'kind', 'amount', 'refundable', 'remaining_after', 'status_after', 'replay']) {
    assert.deepEqual(fromObject[key], full[key], key);
  }
  for (const key of ['explanation', 'provider_call', 'event']) assert.ok(!(key in fromObject), key);
  // The caller's own `render` does not turn decide into a full plan.
  assert.deepEqual(rr.decide({ ...planDoc(25), render: 'full' }), fromObject);
  // JSON text that has its own `render` is refused as a duplicate field, never half-applied.
  assert.throws(
    () => rr.decide(JSON.stringify({ ...planDoc(25), render: 'full' })),
    (e) => e.code === 'invalid_input' && /`render` is given twice/.test(e.message),
  );
  // Same refusals as plan, with the same code, pointer and provider error.
  for (const doc of [planDoc(200), planDoc(25.001), { ...planDoc(25), ledger: { ...LEDGER, currency: 'XXX1' } }]) {
    let planned;
    let decided;
    try { rr.plan(doc); } catch (e) { planned = e; }
    try { rr.decide(doc); } catch (e) { decided = e; }
    assert.ok(planned instanceof rr.RefundError && decided instanceof rr.RefundError);
    assert.deepEqual(decided.toJSON(), planned.toJSON());
  }
  // Not an object: refused as plan refuses it.
  assert.throws(() => rr.decide('[]'), (e) => e.code === 'invalid_input');
  assert.throws(() => rr.decide('{}'), (e) => e.code === 'invalid_input');
});

test('plain objects take the native JSON writer; other values keep the exact writer', () => {
  const doc = planDoc(25);
  // Null-prototype objects and nested plain data: the same answer as the JSON text.
  const bare = Object.assign(Object.create(null), doc);
  assert.equal(rr.runJson('plan', bare), rr.runJson('plan', JSON.stringify(doc)));
  // A boxed string is an object to the exact writer (JSON.stringify would unbox it).
  assert.throws(() => rr.plan({ ...doc, refund_id: new String('r1') }), (e) => e.pointer === '/refund_id');
  // An inherited enumerable key is not the caller's document: it is not written.
  const child = Object.create({ extra: 1 });
  Object.assign(child, doc);
  assert.equal(rr.plan(child).amount, '25.00');
});

test('requestBody: the core writes the provider body for an amount; plan sizes it exactly', () => {
  const body = rr.requestBody({ provider: 'simpleps', ledger: LEDGER, amount: '12.34' });
  assert.deepEqual(JSON.parse(JSON.stringify(body.request)), { amount: { total: 12.34, currency: 'USD' } });
  const planned = rr.plan({ provider: 'simpleps', ledger: LEDGER, request: body.request });
  assert.equal(planned.amount, '12.34');
  // No amount: no body (SimplePS refunds everything available without one).
  assert.equal(rr.requestBody({ provider: 'simpleps', ledger: LEDGER }).request, null);
  // A scope the provider does not have is a typed error naming the field.
  assert.throws(
    () => rr.requestBody({ provider: 'simpleps', ledger: LEDGER, scope: { kind: 'capture', id: 'cap_1' } }),
    (e) => e instanceof rr.RefundError && e.code === 'invalid_input' && e.pointer === '/scope/kind',
  );
});
