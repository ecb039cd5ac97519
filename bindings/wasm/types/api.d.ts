// Declarations of the refund-rules WebAssembly package (checked by `tsc --strict --noEmit` in
// scripts/test-wasm). The documents (every input of every provider, every result, the error
// body, the literal unions) are generated from the schema into ./documents.d.ts by
// scripts/gen-types; this file declares the functions and classes. Documents use the core's
// snake_case JSON (as the CLI and vectors do). Amounts are decimal strings in major units
// ("25.00"); minor units are strings too.

import type {
  AmountResult,
  Applied,
  ApplyInput,
  Decision,
  ErrorBody,
  ErrorCode,
  ErrorFamily,
  FormatAmountInput,
  JsonNumber,
  OptionsInput,
  ParseAmountInput,
  Plan,
  PlanInput,
  Refundable,
  RefundableInput,
  RefundOptions,
  RequestBody,
  RequestBodyInput,
} from './documents.js';

export * from './documents.js';

/** The error the provider itself would answer with: its HTTP status, its code, its body. */
export type ProviderError = NonNullable<ErrorBody['provider_error']>;

export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ErrorBody };

/** An operation: the JS name (camelCase) or the core's (snake_case); the core decides which exist. */
export type OperationName =
  | 'plan'
  | 'apply'
  | 'refundable'
  | 'options'
  | 'requestBody'
  | 'request_body'
  | 'parseAmount'
  | 'formatAmount'
  | 'parse_amount'
  | 'format_amount'
  | (string & {});

/**
 * The document of an operation: an object, its JSON text (numbers keep their exact text), or
 * its bytes (`Uint8Array`, checked to be UTF-8 by the engine, as the CLI does). Text holding a
 * lone surrogate is not Unicode text: it is refused as the CLI refuses the same bytes.
 */
export type Document<T> = T | string | Uint8Array;

/** An engine error; `code` is stable, `details.refundable` carries the breakdown for amount errors. */
export declare class RefundError extends Error {
  constructor(body: ErrorBody);
  readonly name: 'RefundError';
  readonly code: ErrorCode;
  readonly family: ErrorFamily;
  readonly details: ErrorBody['details'];
  /** JSON pointer into the input document, or null. */
  readonly pointer: string | null;
  /** The error body the provider itself would answer with, or null. */
  readonly providerError: ProviderError | null;
  /** Shorthand for `details.refundable`. */
  readonly refundable: Refundable | undefined;
  toJSON(): ErrorBody;
}

/** `jsonNumber("25.00")`: the JSON number `25.00`, exactly (JS numbers cannot keep trailing zeros). */
export declare function jsonNumber(text: string): JsonNumber;

/** Decides a refund without rendering it (`render: "decision"`): no explanation, bodies or event. */
export declare function plan(document: PlanInput & { render: 'decision' }): Decision;
/** Plans a refund; throws `RefundError` when it is refused. */
export declare function plan(document: Document<PlanInput>): Plan;
/** `plan` with `"render": "decision"`: the decision only (cheaper); the same refusals as `plan`. */
export declare function decide(document: Document<PlanInput>): Decision;
/** Applies an event to a ledger; throws `RefundError` on an illegal move or a version conflict. */
export declare function apply(document: Document<ApplyInput>): Applied;
/** The refundable breakdown of a ledger (optionally for one capture). */
export declare function refundable(document: Document<RefundableInput>): Refundable;
/** What can be refunded now and how: max, min, full_only, operation, blocked, until, scopes. */
export declare function options(document: Document<OptionsInput>): RefundOptions;
/** The provider's own request body for `amount` (a decimal string of the ledger's currency;
 * absent = everything available) of `scope` (absent = the whole payment), written by the core in
 * the provider's wire form: pass `request` as a plan document's `request` (`null` = no body). */
export declare function requestBody(document: Document<RequestBodyInput>): RequestBody;
/** Parses a decimal amount into minor units (strict: no rounding, no exponent). */
export declare function parseAmount(document: Document<ParseAmountInput>): AmountResult;
/** Formats minor units as a decimal amount. */
export declare function formatAmount(document: Document<FormatAmountInput>): AmountResult;
/** Runs any operation by name: its value, or a thrown `RefundError`. */
export declare function invoke(operation: OperationName, document: Document<object>): unknown;
/** Runs an operation by name and returns the envelope; never throws for engine errors. */
export declare function run(operation: OperationName, document: Document<object>): Envelope<unknown>;
/** Like `run` but returns the envelope's JSON text, where provider-body numbers keep their exact text. */
export declare function runJson(operation: OperationName, document: Document<object>): string;
/** The engine version inside the module. */
export declare function engineVersion(): string;
