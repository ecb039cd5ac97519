// The part of node:assert/strict the README quickstart uses (no @types/node in tools/node).
declare module 'node:assert/strict' {
  interface Assert {
    (value: unknown, message?: string): asserts value;
    ok(value: unknown, message?: string): asserts value;
    equal<T>(actual: unknown, expected: T, message?: string): asserts actual is T;
    deepEqual<T>(actual: unknown, expected: T, message?: string): asserts actual is T;
    fail(message?: string): never;
  }
  const assert: Assert;
  export default assert;
}
