// Type-checks a CommonJS consumer of the nodejs build (never run; tsc --noEmit only).
import rr = require('refund-rules');
import rrNode = require('refund-rules/nodejs');

const p: rr.Plan = rr.plan({
  provider: 'simpleps',
  ledger: { currency: 'USD', authorized: '1.00', status: { payment: 'CAPTURED' } },
});
const same: typeof rr.RefundError = rrNode.RefundError;
const err = new rr.RefundError({ code: 'invalid_input', family: 'invalid_input', message: 'x', details: {} });
const isError: Error = err;
void [p, same, isError];
