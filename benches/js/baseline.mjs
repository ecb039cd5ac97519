// BASELINE ONLY — not part of refund-rules, not used by it.
//
// An idiomatic JavaScript implementation of the SimplePS refund rule with dinero.js (integer
// minor units), the kind of code the WASM package replaces. `bench.mjs` times it against the
// package. Same decision as crates/refund-rules/src/provider/simpleps.rs for valid input and
// the main rejections, plus the ledger checks a careful hand-written version would do. It
// does not build the provider response body, explanations or JSON-pointer errors.
//
// Caveat kept on purpose, because it is what idiomatic JS does: after JSON.parse,
// `amount.total` is a double (`25.00` arrives as `25`), so it is scaled with Math.round and a
// tolerance check. The engine reads the number's exact text instead.
import {
  dinero,
  add,
  subtract,
  equal,
  greaterThan,
  isZero,
  toDecimal,
  toSnapshot,
  USD,
  EUR,
  GBP,
  JPY,
  KWD,
} from 'dinero.js';

const CURRENCIES = { USD, EUR, GBP, JPY, KWD };

export class BaselineRejected extends Error {
  constructor(code, message = '') {
    super(`${code}: ${message}`);
    this.code = code;
  }
}

const DECIMAL = /^(0|[1-9][0-9]*)(?:\.([0-9]+))?$/;

/** Strict decimal text ("100.10") to integer minor units. */
function minorFromText(text, exponent, field) {
  const m = DECIMAL.exec(text);
  if (!m) throw new BaselineRejected('invalid_amount', `${field}: malformed`);
  const frac = m[2] ?? '';
  if (frac.length > exponent) throw new BaselineRejected('invalid_amount', `${field}: too many decimals`);
  const minor = Number(m[1] + frac.padEnd(exponent, '0'));
  if (!Number.isSafeInteger(minor)) throw new BaselineRejected('invalid_amount', `${field}: too large`);
  return minor;
}

/** A JSON number (a double after JSON.parse) to integer minor units. */
function minorFromNumber(value, exponent, field) {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new BaselineRejected('invalid_input', `${field} must be a JSON number`);
  }
  if (value < 0) throw new BaselineRejected('invalid_amount', `${field}: negative`);
  const scaled = value * 10 ** exponent;
  const minor = Math.round(scaled);
  if (Math.abs(scaled - minor) > 1e-6) throw new BaselineRejected('invalid_amount', `${field}: too many decimals`);
  return minor;
}

/** Plans a SimplePS refund from a parsed ledger and request body. */
export function decide(ledger, request) {
  const currency = CURRENCIES[ledger.currency];
  if (!currency) throw new BaselineRejected('unknown_currency', ledger.currency);
  const money = (amount) => dinero({ amount, currency });
  const exp = currency.exponent;
  const authorized = money(minorFromText(ledger.authorized, exp, 'authorized'));
  const captures = ledger.captures ?? [];
  const refunds = ledger.refunds ?? [];

  let captured = money(0);
  const captureIds = new Set();
  for (const c of captures) {
    const amount = minorFromText(c.amount, exp, 'capture amount');
    if (amount === 0) throw new BaselineRejected('invalid_amount', 'capture amount is zero');
    if (captureIds.has(c.id)) throw new BaselineRejected('inconsistent_state', 'capture id appears twice');
    captureIds.add(c.id);
    captured = add(captured, money(amount));
  }
  if (greaterThan(captured, authorized)) throw new BaselineRejected('inconsistent_state', 'captures exceed the authorization');
  let refunded = money(0);
  const refundIds = new Set();
  for (const r of refunds) {
    const amount = minorFromText(r.amount, exp, 'refund amount');
    if (amount === 0) throw new BaselineRejected('invalid_amount', 'refund amount is zero');
    if (refundIds.has(r.id)) throw new BaselineRejected('inconsistent_state', 'refund id appears twice');
    refundIds.add(r.id);
    if (r.state !== 'succeeded') throw new BaselineRejected('invalid_input', 'simpleps refunds are succeeded');
    refunded = add(refunded, money(amount));
  }
  const available = subtract(captured, refunded);
  if (toSnapshot(available).amount < 0) throw new BaselineRejected('inconsistent_state', 'refunds exceed the captures');

  const status = ledger.status.payment;
  if (status === 'AUTHORIZED' || status === 'CHALLENGE') throw new BaselineRejected('not_captured', status);
  if (status === 'VOIDED' || status === 'DECLINED') throw new BaselineRejected('not_refundable_state', status);
  if (captures.length === 0) throw new BaselineRejected('inconsistent_state', 'no captures');
  const implied = isZero(refunded)
    ? equal(captured, authorized) ? 'CAPTURED' : 'PARTIALLY_CAPTURED'
    : equal(refunded, captured) ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
  if (implied !== status) throw new BaselineRejected('inconsistent_state', `status ${status}, amounts say ${implied}`);

  const body = request?.amount ?? {};
  if (body.currency !== undefined && body.currency !== ledger.currency) {
    throw new BaselineRejected(CURRENCIES[body.currency] ? 'currency_mismatch' : 'unknown_currency', body.currency);
  }
  let amount;
  if (body.total === undefined || body.total === null) {
    if (isZero(available)) throw new BaselineRejected('already_fully_refunded');
    amount = available;
  } else {
    amount = money(minorFromNumber(body.total, exp, 'amount.total'));
    if (isZero(amount)) throw new BaselineRejected('invalid_amount', 'zero');
    if (isZero(available)) throw new BaselineRejected('already_fully_refunded');
    if (greaterThan(amount, available)) throw new BaselineRejected('exceeds_refundable');
  }
  const full = equal(amount, available);
  const statusAfter = equal(add(refunded, amount), captured) ? 'REFUNDED' : 'PARTIALLY_REFUNDED';

  let n = refunds.length + 1;
  while (refundIds.has(`refund_${n}`)) n += 1;
  const refundId = `refund_${n}`;
  const version = ledger.version ?? 0;
  const text = toDecimal(amount);
  return {
    operation: 'refund',
    kind: full ? 'full' : 'partial',
    amount: text,
    remaining_after: toDecimal(subtract(available, amount)),
    status_after: { payment: statusAfter },
    version,
    event: {
      id: `${refundId}.created`,
      type: 'refund_created',
      expected_version: version,
      refund_id: refundId,
      amount: text,
      state: 'succeeded',
    },
    provider_call: {
      method: 'POST',
      path: `/payments/${ledger.id ?? '{externalPaymentId}'}/refund`,
      body: body.total === undefined ? null : { amount: { total: body.total, currency: ledger.currency } },
    },
  };
}

/** From a `plan` JSON document. */
export function decideJson(text) {
  const doc = JSON.parse(text);
  if (doc.provider !== 'simpleps') throw new BaselineRejected('unknown_provider', String(doc.provider));
  return decide(doc.ledger, doc.request);
}
