// web build (ES module): call `await init()` (or `initSync({module})`) once before anything else.
import glueInit, {
  initSync as glueInitSync,
  runJson as glueRunJson,
  runJsonBytes as glueRunJsonBytes,
  internalErrorJson as glueInternalErrorJson,
  engineVersion as glueEngineVersion,
  __wbg_reset_state as glueReset,
} from './refund_rules_wasm.js';

