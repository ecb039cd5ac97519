// nodejs build, ES-module entry: the same instance (and RefundError class) as the require entry.
import api from './index.cjs';

export const {
  plan,
  decide,
  apply,
  refundable,
  options,
  requestBody,
  parseAmount,
  formatAmount,
  invoke,
  run,
  runJson,
  engineVersion,
  RefundError,
  JsonNumber,
  jsonNumber,
} = api;

export default api;
