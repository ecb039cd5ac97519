
// --- web build only ---
export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

/** Loads the wasm module once (default: `refund_rules_wasm_bg.wasm` next to `index.js`). */
export default function init(options?: { module_or_path: InitInput | Promise<InitInput> }): Promise<void>;
/** Instantiates synchronously from bytes or a compiled module. */
export declare function initSync(options: { module: BufferSource | WebAssembly.Module }): void;
