// Node benchmark: the refund-rules WASM package (nodejs build) vs an idiomatic dinero.js
// baseline (baseline.mjs), per call of `plan`. Target: <= 10 µs per plan (0 and 10 refunds).
//
//   scripts/test-wasm --build-only          # builds bindings/wasm/pkg
//   (cd benches/js && npm ci)               # dinero.js for the baseline
//   node benches/js/bench.mjs [--quick]
//
// REFUND_RULES_PKG=/path/to/pkg/node/index.mjs overrides where the package is loaded from.
// Inputs are the SimplePS ledgers of the Rust benches: one capture of 1,000,000.00 USD, n
// succeeded refunds of 1.00, a request for 25.00 USD.
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { decide, decideJson } from './baseline.mjs';

const quick = process.argv.includes('--quick');
const pkgUrl = process.env.REFUND_RULES_PKG
  ? new URL(`file://${process.env.REFUND_RULES_PKG}`)
  : new URL('../../bindings/wasm/pkg/node/index.mjs', import.meta.url);

let rr;
try {
  rr = await import(pkgUrl.href);
} catch (e) {
  console.error(`refund-rules WASM package not found at ${pkgUrl.pathname} (${e.code ?? e.message}).`);
  console.error('Build it with `scripts/test-wasm --build-only`, or set REFUND_RULES_PKG.');
  process.exit(2);
}

const CAPTURED = '1000000.00';

function ledger(n) {
  const refunds = [];
  const events = ['cap_1.captured'];
  for (let k = 1; k <= n; k += 1) {
    refunds.push({ id: `refund_${k}`, amount: '1.00', state: 'succeeded' });
    events.push(`refund_${k}.created`);
  }
  return {
    id: 'order-12345',
    currency: 'USD',
    authorized: CAPTURED,
    status: { payment: n === 0 ? 'CAPTURED' : 'PARTIALLY_REFUNDED' },
    captures: [{ id: 'cap_1', amount: CAPTURED, settled: true }],
    refunds,
    version: n + 1,
    applied_events: events,
  };
}

const planText = (n) =>
  `{"provider":"simpleps","ledger":${JSON.stringify(ledger(n))},"request":{"amount":{"total":25.00,"currency":"USD"}}}`;

/** Best seconds per call: loops sized to ~budget seconds, best of `repeat`. */
function perCall(fn, repeat, budget) {
  // Warm-up (JIT tiers, wasm tier-up) for about one budget, then size the loop.
  let t0 = performance.now();
  let calls = 0;
  while (performance.now() - t0 < budget * 1e3) {
    fn();
    calls += 1;
  }
  const once = Math.max((performance.now() - t0) / 1e3 / calls, 1e-7);
  const number = Math.max(1, Math.floor(budget / once));
  let best = Infinity;
  for (let r = 0; r < repeat; r += 1) {
    t0 = performance.now();
    for (let i = 0; i < number; i += 1) fn();
    best = Math.min(best, (performance.now() - t0) / 1e3 / number);
  }
  return best;
}

const fmt = (s) => (s < 1e-3 ? `${(s * 1e6).toFixed(2)} µs` : `${(s * 1e3).toFixed(2)} ms`);

function checkSame(n) {
  const mine = decideJson(planText(n));
  const theirs = rr.plan(planText(n));
  for (const key of ['kind', 'amount', 'remaining_after']) {
    if (String(mine[key]) !== String(theirs[key])) throw new Error(`n=${n} ${key}: ${mine[key]} vs ${theirs[key]}`);
  }
  if (mine.status_after.payment !== theirs.status_after.payment) throw new Error(`n=${n} status_after`);
  if (mine.event.refund_id !== theirs.event.refund_id) throw new Error(`n=${n} refund_id`);
}

const [repeat, budget] = quick ? [3, 0.05] : [7, 0.25];
const rows = [];
const row = (setting, n, base, binding, target, ok) =>
  rows.push([setting, String(n), fmt(base), fmt(binding), `${(base / binding).toFixed(2)}x`, target, ok === null ? '' : ok ? 'met' : 'MISSED']);

console.log(`node ${process.version}, nproc ${os.availableParallelism?.() ?? os.cpus().length}, ${os.cpus()[0]?.model ?? ''}`);
for (const n of [0, 10, 1000, 100000]) {
  checkSame(n);
  const text = planText(n);
  const doc = { provider: 'simpleps', ledger: ledger(n), request: { amount: { total: 25, currency: 'USD' } } };
  const r = n < 100000 ? repeat : 2;
  const target = n <= 10 ? '<= 10 µs' : '';
  const base = perCall(() => decideJson(text), r, budget);
  const fromText = perCall(() => rr.plan(text), r, budget);
  row('JSON text -> object: plan(text)', n, base, fromText, target, n <= 10 ? fromText <= 10e-6 : null);
  const envelope = perCall(() => rr.runJson('plan', text), r, budget);
  row('JSON text -> text: runJson("plan")', n, base, envelope, target, n <= 10 ? envelope <= 10e-6 : null);
  const baseObj = perCall(() => decide(doc.ledger, doc.request), r, budget);
  const fromObj = perCall(() => rr.plan(doc), r, budget);
  row('object -> object: plan(doc)', n, baseObj, fromObj, target, n <= 10 ? fromObj <= 10e-6 : null);
}

const header = ['setting', 'prior refunds', 'dinero.js baseline', 'wasm', 'speedup', 'target', ''];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
for (const line of [header, widths.map((w) => '-'.repeat(w)), ...rows]) {
  console.log(line.map((c, i) => c.padEnd(widths[i])).join(' | '));
}
