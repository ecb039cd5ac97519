// Node benchmark: the refund-rules WASM package (nodejs build) vs an idiomatic dinero.js
// baseline (baseline.mjs), per call. Targets (issue #13): wasm ÷ baseline <= 1.0x at 10 refunds
// (aim 0.5x), measured in this one run; `plan` renders the whole plan, `decide` the decision only.
//
//   scripts/test-wasm --build-only          # builds bindings/wasm/pkg
//   (cd benches/js && npm ci)               # dinero.js for the baseline
//   node benches/js/bench.mjs [--quick] [--wall]
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

import { createRequire } from 'node:module';

let rr;
try {
  rr = await import(pkgUrl.href);
} catch (e) {
  console.error(`refund-rules WASM package not found at ${pkgUrl.pathname} (${e.code ?? e.message}).`);
  console.error('Build it with `scripts/test-wasm --build-only`, or set REFUND_RULES_PKG.');
  process.exit(2);
}

// The wasm-bindgen glue under the package's JS layer (nodejs build), for the "engine only" rows.
let glue = null;
try {
  glue = createRequire(pkgUrl)('./refund_rules_wasm.js');
} catch {
  glue = null;
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

/**
 * Best seconds per call of each function: each is warmed up (JIT tiers, wasm tier-up) for about
 * `budget` seconds and its loop sized to ~`budget`, then the loops run interleaved (A, B, C, A,
 * B, C, …) `repeat` times and each keeps its best. Interleaving puts the baseline and the
 * package under the same machine load, so their ratio holds on a busy machine.
 */
// The clock: this process's CPU time (user + system, all its threads) by default, so the time
// other jobs on a shared machine hold the cores is not counted; `--wall` uses wall time.
const wall = process.argv.includes('--wall');
const now = wall
  ? () => performance.now()
  : () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1e3;
    };

function perCallAll(fns, repeat, budget) {
  const numbers = fns.map((fn) => {
    const t0 = now();
    let calls = 0;
    while (now() - t0 < budget * 1e3) {
      fn();
      calls += 1;
    }
    const once = Math.max((now() - t0) / 1e3 / calls, 1e-7);
    return Math.max(1, Math.floor(budget / once));
  });
  const best = fns.map(() => Infinity);
  for (let r = 0; r < repeat; r += 1) {
    fns.forEach((fn, k) => {
      const t0 = now();
      for (let i = 0; i < numbers[k]; i += 1) fn();
      best[k] = Math.min(best[k], (now() - t0) / 1e3 / numbers[k]);
    });
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

// A package from before `decide` existed (REFUND_RULES_PKG) is measured without its rows.
const hasDecide = typeof rr.decide === 'function';

function checkDecision(n) {
  const mine = decideJson(planText(n));
  for (const theirs of [rr.decide(planText(n)), rr.decide(docOf(n))]) {
    for (const key of ['kind', 'amount', 'remaining_after']) {
      if (String(mine[key]) !== String(theirs[key])) throw new Error(`decide n=${n} ${key}: ${mine[key]} vs ${theirs[key]}`);
    }
    if (mine.status_after.payment !== theirs.status_after.payment) throw new Error(`decide n=${n} status_after`);
    if ('explanation' in theirs || 'provider_call' in theirs) throw new Error(`decide n=${n} rendered the whole plan`);
  }
}

// Ledger amounts are strings; SimplePS types amount.total as a JSON number (25). The baseline
// reads the same object.
const docOf = (n) => ({ provider: 'simpleps', ledger: ledger(n), request: { amount: { total: 25, currency: 'USD' } } });

const [repeat, budget] = quick ? [3, 0.05] : [7, 0.25];
const rows = [];
// ratio = wasm ÷ baseline (lower is better); target <= 1.0x at 10 refunds.
const row = (setting, n, base, binding, target) => {
  const ratio = binding / base;
  rows.push([setting, String(n), fmt(base), fmt(binding), `${ratio.toFixed(2)}x`, target ? '<= 1.0x' : '', target ? (ratio <= 1.0 ? 'met' : 'MISSED') : '']);
};

console.log(`clock: ${wall ? 'wall time' : 'process CPU time'}; node ${process.version}, nproc ${os.availableParallelism?.() ?? os.cpus().length}, ${os.cpus()[0]?.model ?? ''}`);
const sizes = quick ? [0, 10, 1000] : [0, 10, 1000, 100000];
for (const n of sizes) {
  checkSame(n);
  if (hasDecide) checkDecision(n);
  const text = planText(n);
  const decisionText = `{"render":"decision",${text.slice(1)}`;
  const doc = docOf(n);
  const r = n < 100000 ? repeat : 3;
  const target = n === 10;
  const fns = [
    ['JSON text -> object: plan(text)', 'text', () => rr.plan(text)],
    ['JSON text -> text: runJson("plan")', 'text', () => rr.runJson('plan', text)],
    ['JSON text -> decision: decide(text)', 'text', () => rr.decide(text)],
    ['object -> object: plan(doc)', 'object', () => rr.plan(doc)],
    ['object -> decision: decide(doc)', 'object', () => rr.decide(doc)],
    // The engine alone: the glue's runJson on the text, no JS layer (no JSON.parse of the answer).
    ['engine only: glue runJson("plan", text)', 'text', () => glue.runJson('plan', text)],
    ['engine only: glue runJson, render decision', 'text', () => glue.runJson('plan', decisionText)],
  ]
    .filter(([name]) => hasDecide || !name.includes('decide'))
    .filter(([name]) => glue || !name.startsWith('engine only'));
  const [base, baseObj, ...times] = perCallAll(
    [() => decideJson(text), () => decide(doc.ledger, doc.request), ...fns.map(([, , fn]) => fn)],
    r,
    budget,
  );
  fns.forEach(([name, input], k) => row(name, n, input === 'text' ? base : baseObj, times[k], target));
}
const tiny = { minor: '2500', currency: 'USD' };
const [emptyCall] = perCallAll([() => rr.formatAmount(tiny)], repeat, budget);
console.log(`almost empty call, formatAmount({minor: "2500", currency: "USD"}): ${fmt(emptyCall)}`);

const header = ['setting', 'prior refunds', 'dinero.js baseline', 'wasm', 'wasm ÷ baseline', 'target', ''];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
for (const line of [header, widths.map((w) => '-'.repeat(w)), ...rows]) {
  console.log(line.map((c, i) => c.padEnd(widths[i])).join(' | '));
}
