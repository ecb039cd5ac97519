
// --- nodejs build (CommonJS): the wasm module is compiled synchronously on require. ---
const glue = require('./refund_rules_wasm.js');

const api = createApi({
  runJson: glue.runJson,
  runJsonBytes: glue.runJsonBytes,
  internalErrorJson: glue.internalErrorJson,
  engineVersion: glue.engineVersion,
  reset: glue.__wbg_reset_state,
  ready: () => {},
});

module.exports = {
  ...api,
  RefundError,
  JsonNumber,
  jsonNumber,
};
