// Type-checks a document of every provider against the generated declarations
// (types/documents.d.ts, from the schema) under --strict (never run; tsc --noEmit only).
// Each `@ts-expect-error` is a rejection the declarations must keep: tsc fails on an unused one.
import {
  apply,
  jsonNumber,
  options,
  plan,
  run,
  type Applied,
  type CommerceLayerRequest,
  type Decision,
  type DigitalRiverRequest,
  type Envelope,
  type ErrorCode,
  type ErrorFamily,
  type EventType,
  type FiservRequest,
  type Kind,
  type LedgerDoc,
  type LineKind,
  type Operation,
  type Plan,
  type PlanInput,
  type PlanResult,
  type RefundState,
  type ScopeKind,
} from 'refund-rules';

const simpleps: PlanInput = {
  provider: 'simpleps',
  ledger: {
    currency: 'USD',
    authorized: '100.10',
    status: { payment: 'CAPTURED' },
    captures: [{ id: 'cap_1', amount: '100.10', settled: true }],
  },
  request: { amount: { total: jsonNumber('25.00'), currency: 'USD' } },
  options: {},
};

const fiservBody: FiservRequest = {
  amount: { total: 12.5, currency: 'USD' },
  merchantDetails: { merchantId: 'M1', terminalId: 'T1' },
  referenceTransactionDetails: { referenceTransactionId: 'txn_1', referenceTransactionType: 'CHARGES' },
};
const fiserv: PlanInput = {
  provider: 'fiserv_commerce_hub',
  ledger: {
    id: 'txn_1',
    currency: 'USD',
    authorized: '50.00',
    status: { payment: 'CAPTURED' },
    captures: [{ id: 'txn_1', amount: '50.00', settled: true, captured_at: '2024-05-01T10:00:00Z' }],
  },
  request: fiservBody,
  options: { auto_cancel: false, lenient_amount_strings: true },
};

const alternativePayments: PlanInput = {
  provider: 'alternative_payments',
  ledger: {
    id: 'pay_1',
    currency: 'USD',
    authorized: '250.00',
    status: { payment: 'paid' },
    captures: [{ id: 'cap_1', amount: '250.00' }],
    refunds: [{ id: 'ref_0', amount: '10.00', state: 'pending', idempotency_key: 'k0' }],
  },
  request: { payment_id: 'pay_1', amount: '20.00', reason: { type: 'Customer Request' }, idempotency_key: 'k1' },
  options: { refund_limit: '1000', other_requires_description: true },
  now: '2024-05-01T10:00:00Z',
};

// A Digital River order with lines: one product line (quantity 2) and its shipping charge,
// refunded by item, with an earlier refund allocated over the lines.
const drLedger: LedgerDoc = {
  id: 'ord_1',
  currency: 'USD',
  authorized: '55.00',
  status: { payment: 'complete', order: 'complete' },
  captures: [{ id: 'cap_1', amount: '55.00', settled: true }],
  lines: [
    { id: 'item_1', kind: 'product', amount: '40.00', tax: '4.00', quantity: 2 },
    { id: 'ship_1', kind: 'shipping', amount: '10.00', tax: '1.00', item_id: 'item_1' },
  ],
  refunds: [
    {
      id: 're_0',
      amount: '11.00',
      state: 'succeeded',
      allocations: [{ line_id: 'ship_1', amount: '10.00', tax: '1.00', percent: '100' }],
    },
  ],
};
const drBody: DigitalRiverRequest = {
  orderId: 'ord_1',
  currency: 'USD',
  items: [{ itemId: 'item_1', quantity: 1 }],
  reason: 'damaged',
};
const digitalRiver: PlanInput = {
  provider: 'digital_river',
  ledger: drLedger,
  request: drBody,
  options: { percent_of: 'available', async_payment_method: false },
};

// A Commerce Layer return refund: the return is in the ledger, the body names it.
const clBody: CommerceLayerRequest = {
  data: { type: 'returns', id: 'ret_1', attributes: { _refund: true, _refund_amount_cents: 500 } },
};
const commerceLayer: PlanInput = {
  provider: 'commerce_layer',
  ledger: {
    id: 'ord_1',
    currency: 'EUR',
    authorized: '15.00',
    status: { payment: 'paid', order: 'approved', fulfillment: 'fulfilled' },
    captures: [{ id: 'cap_1', amount: '15.00' }],
    returns: [{ id: 'ret_1', status: 'received', capture_id: 'cap_1' }],
    version: 3,
  },
  request: clBody,
  options: { partially_paid_refundable: true },
};

// Results: literal unions all the way down.
function describe(p: Plan): string {
  const kind: Kind = p.kind;
  const operation: Operation = p.operation;
  const state: RefundState | null | undefined = p.refund_state;
  const eventType: EventType | undefined = p.event?.type;
  const returnId: string | undefined = p.event?.return_id;
  const lines: string[] = (p.event?.allocations ?? []).map((a) => `${a.line_id}:${a.amount}`);
  return [kind, operation, state, eventType, returnId, ...lines].join(' ');
}
const planned: string[] = [simpleps, fiserv, alternativePayments, digitalRiver, commerceLayer].map((d) => describe(plan(d)));

const applied: Applied = apply({
  provider: 'commerce_layer',
  ledger: commerceLayer.ledger,
  event: { id: 'refund_1.created', type: 'refund_created', refund_id: 'refund_1', amount: '5.00', state: 'succeeded', return_id: 'ret_1' },
});
// A ledger the engine returns is a ledger it takes.
const again: Plan = plan({ provider: 'commerce_layer', ledger: applied.ledger, request: clBody });
const returnIds: (string | undefined)[] = applied.ledger.refunds.map((r) => r.return_id);
const lineKinds: LineKind[] = (applied.ledger.lines ?? []).map((l) => l.kind);

const scopes: ScopeKind[] = options({ provider: 'digital_river', ledger: drLedger }).scopes.map((s) => s.kind);

const decision: Decision = plan({ ...digitalRiver, render: 'decision' });
const rules: string[] = decision.rules;
const env = run('plan', { ...digitalRiver, render: 'decision' }) as PlanResult;
if (env.ok) {
  const value: Plan | Decision = env.value;
  void value;
} else {
  const code: ErrorCode = env.error.code;
  const family: ErrorFamily = env.error.family;
  void [code, family];
}
const untyped: Envelope<unknown> = run('refundable', { ledger: drLedger });

// --- rejections ---------------------------------------------------------------------------
// @ts-expect-error 'refnd' is not a refund state
const badState: RefundState = 'refnd';
// @ts-expect-error a line kind outside the schema's enum
const badLine: LedgerDoc = { currency: 'USD', authorized: '1.00', status: { payment: 'x' }, lines: [{ id: 'l', kind: 'gift', amount: '1.00' }] };
// @ts-expect-error Commerce Layer return refunds need `_refund_amount_cents`
const badReturn: CommerceLayerRequest = { data: { type: 'returns', id: 'ret_1', attributes: { _refund: true } } };
// @ts-expect-error a Digital River body names the order or the invoice, not both
const badTarget: DigitalRiverRequest = { orderId: 'o', invoiceId: 'i', currency: 'USD', amount: 1 };
// @ts-expect-error Alternative Payments needs a body with a reason
const badAp: PlanInput = { provider: 'alternative_payments', ledger: drLedger };
// @ts-expect-error the request body is the provider's own: SimplePS has no `items`
const badBody: PlanInput = { provider: 'simpleps', ledger: drLedger, request: { items: [] } };
// @ts-expect-error an unknown provider
const badProvider: PlanInput = { provider: 'stripe', ledger: drLedger };
// @ts-expect-error `operation` of a plan is a literal union, not any string
const badOperation: Plan['operation'] = 'refund_all';

void [rules, planned, again, returnIds, lineKinds, scopes, untyped, badState, badLine, badReturn, badTarget, badAp, badBody, badProvider, badOperation];
