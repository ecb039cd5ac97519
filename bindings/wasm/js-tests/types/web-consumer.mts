// Type-checks a consumer of the web build (never run; tsc --noEmit only).
import init, { initSync, plan, RefundError, type Plan } from 'refund-rules/web';

export async function main(bytes: Uint8Array): Promise<Plan | string> {
  await init();
  await init({ module_or_path: new URL('./refund_rules_wasm_bg.wasm', import.meta.url) });
  initSync({ module: bytes });
  try {
    return plan({ provider: 'simpleps', ledger: { currency: 'USD', authorized: '1.00', status: { payment: 'CAPTURED' } } });
  } catch (e) {
    return e instanceof RefundError ? e.code : 'unknown';
  }
}
