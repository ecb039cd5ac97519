// Must NOT type-check: check.mjs requires tsc to fail here, once per `expect:` line, with that text.
import { plan, type LedgerDoc, type Plan } from 'refund-rules';

const ledger: LedgerDoc = { currency: 'USD', authorized: '1.00', status: { payment: 'CAPTURED' } };
// expect: Type '"refnd"' is not assignable to type 'RefundState'
ledger.refunds = [{ id: 'r1', amount: '1.00', state: 'refnd' }];
// expect: Type '"gift"' is not assignable to type 'LineKind'
ledger.lines = [{ id: 'l1', kind: 'gift', amount: '1.00' }];
// expect: Type '"stripe"' is not assignable to type
plan({ provider: 'stripe', ledger });
// expect: Property '_refund_amount_cents' is missing
plan({ provider: 'commerce_layer', ledger, request: { data: { type: 'returns', id: 'ret_1', attributes: { _refund: true } } } });
// expect: Type '"full_refund"' is not assignable to type 'Kind'
const kind: Plan['kind'] = 'full_refund';
void kind;
