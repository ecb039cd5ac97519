// nodejs build, ES-module entry: the same instance (and RefundError class) as the require entry.
import api from './index.cjs';

export const {
  plan,
  apply,
  refundable,
  parseAmount,
  formatAmount,
  run,
  runJson,
  engineVersion,
  RefundError,
  JsonNumber,
  jsonNumber,
  OPERATION_NAMES,
} = api;

export default api;
