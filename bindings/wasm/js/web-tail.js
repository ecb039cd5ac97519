
// --- web build ---
let initialized = false;

/** Loads the wasm module (by default `refund_rules_wasm_bg.wasm` next to this file). */
export default async function init(options) {
  if (!initialized) {
    await (options === undefined ? glueInit() : glueInit(options));
    initialized = true;
  }
}

/** Instantiates synchronously from a compiled `WebAssembly.Module` or bytes: `initSync({module})`. */
export function initSync(options) {
  if (!initialized) {
    glueInitSync(options);
    initialized = true;
  }
}

const api = createApi({
  runJson: glueRunJson,
  runJsonBytes: glueRunJsonBytes,
  internalErrorJson: glueInternalErrorJson,
  engineVersion: glueEngineVersion,
  reset: glueReset,
  ready: () => {
    if (!initialized) throw new Error('refund-rules: call `await init()` before using the web build');
  },
});

export const { plan, decide, apply, refundable, options, requestBody, parseAmount, formatAmount, invoke, run, runJson, engineVersion } = api;
export { RefundError, JsonNumber, jsonNumber };
