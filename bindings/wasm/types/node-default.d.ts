
// --- nodejs build: the default export is the whole API object ---
declare const api: {
  plan: typeof plan;
  decide: typeof decide;
  apply: typeof apply;
  refundable: typeof refundable;
  options: typeof options;
  requestBody: typeof requestBody;
  parseAmount: typeof parseAmount;
  formatAmount: typeof formatAmount;
  invoke: typeof invoke;
  run: typeof run;
  runJson: typeof runJson;
  engineVersion: typeof engineVersion;
  RefundError: typeof RefundError;
  JsonNumber: typeof JsonNumber;
  jsonNumber: typeof jsonNumber;
};
export default api;
