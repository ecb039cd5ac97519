// Type-checks an ES-module consumer of the nodejs build (never run; tsc --noEmit only).
import rrDefault, {
  plan,
  decide,
  apply,
  refundable,
  options,
  parseAmount,
  formatAmount,
  run,
  runJson,
  engineVersion,
  RefundError,
  jsonNumber,
  type Plan,
  type Decision,
  type Applied,
  type Refundable,
  type RefundOptions,
  type AmountResult,
  type Envelope,
  type LedgerDoc,
  type ErrorCode,
} from 'refund-rules';
import * as viaNodejs from 'refund-rules/nodejs';

const ledger: LedgerDoc = {
  currency: 'USD',
  authorized: '100.10',
  status: { payment: 'CAPTURED' },
  captures: [{ id: 'cap_1', amount: '100.10', settled: true }],
};
const p: Plan = plan({ provider: 'simpleps', ledger, request: { amount: { total: 25.1, currency: 'USD' } } });
const kind: 'full' | 'partial' = p.kind;
const d: Decision = decide({ provider: 'simpleps', ledger, request: { amount: { total: 25.1, currency: 'USD' } } });
const dRules: string[] = d.rules;
const dAmount: string = rrDefault.decide('{}').amount;
void [dRules, dAmount, d.status_after, d.replay];
const remaining: string = p.remaining_after;
const fromText: Plan = viaNodejs.plan('{"provider":"simpleps","ledger":{}}');
const exact: Plan = rrDefault.plan({ provider: 'simpleps', ledger, request: { amount: { total: jsonNumber('25.00') } } });
const a: Applied = apply({ provider: 'simpleps', ledger, event: { id: 'e1', type: 'refund_created', amount: '1.00' } });
const r: Refundable = refundable({ ledger, provider: 'simpleps' });
const o: RefundOptions = options({ provider: 'simpleps', ledger, now: '2024-05-01T10:00:00Z' });
const oMax: string = o.max;
const oBlocked: string | undefined = o.blocked?.code;
const oScopes: string[] = o.scopes.map((s) => `${s.kind}:${s.id}:${s.max}`);
void [oMax, oBlocked, oScopes, o.until, o.full_only, o.operation];
const m: AmountResult = parseAmount({ amount: '25.00', currency: 'USD' });
const minor: string = m.minor;
const f: AmountResult = formatAmount({ minor: 2500n, currency: 'USD' });
const env: Envelope<unknown> = run('parseAmount', { amount: '1', currency: 'EUR' });
if (env.ok) {
  const v: unknown = env.value;
  void v;
} else {
  const code: ErrorCode = env.error.code;
  void code;
}
const text: string = runJson('plan', '{}');
const anyOp: unknown = rrDefault.invoke('validateListQuery', { query: {} });
const v: string = engineVersion();

try {
  plan('{}');
} catch (e) {
  if (e instanceof RefundError) {
    const code: ErrorCode = e.code;
    const available: string | undefined = e.details.refundable?.available ?? e.refundable?.available;
    const pointer: string | null = e.pointer;
    const message: string = e.message;
    void [code, available, pointer, message, e.providerError, e.toJSON().family];
  }
}

// @ts-expect-error amounts in a ledger are decimal strings, not numbers
const wrong: LedgerDoc = { currency: 'USD', authorized: 100.1, status: { payment: 'CAPTURED' } };

void [anyOp, kind, remaining, fromText, exact, a, r, minor, f, text, v, wrong];
