// Hand-written declarations of the refund-rules WebAssembly package (checked by `tsc --noEmit`
// in scripts/test-wasm). Documents use the core's snake_case JSON (as the CLI and vectors do).
// Amounts are decimal strings in major units ("25.00"); minor units are strings too.

/** A decimal amount in major units, as text: `"25.00"`. */
export type Decimal = string;
/** An RFC 3339 timestamp. */
export type Timestamp = string;

export type ProviderName =
  | 'simpleps'
  | 'fiserv_commerce_hub'
  | 'alternative_payments'
  | 'digital_river'
  | 'commerce_layer';

/** Stable error codes (see docs/errors.md); open-ended so new codes do not break callers. */
export type ErrorCode =
  | 'invalid_input'
  | 'unknown_provider'
  | 'unknown_currency'
  | 'invalid_amount'
  | 'currency_mismatch'
  | 'not_captured'
  | 'not_settled'
  | 'not_refundable_state'
  | 'already_fully_refunded'
  | 'exceeds_refundable'
  | 'partial_refund_not_supported'
  | 'invalid_reason'
  | 'amount_components_mismatch'
  | 'refund_window_expired'
  | 'refund_limit_exceeded'
  | 'idempotency_conflict'
  | 'inconsistent_state'
  | 'illegal_transition'
  | 'version_conflict'
  | (string & {});

export type ErrorFamily =
  | 'invalid_input'
  | 'rule_rejected'
  | 'illegal_transition'
  | 'conflict'
  | (string & {});

export type RefundState = 'pending_information' | 'pending' | 'succeeded' | 'failed' | 'expired';

/**
 * A value inside an object document. Numbers must be exact: at most 15 significant digits and
 * within 2^53 (otherwise `invalid_input`); use a string, `jsonNumber("25.00")` or JSON text
 * when the number's text matters.
 */
export type JsonInput =
  | null
  | boolean
  | number
  | bigint
  | string
  | JsonNumber
  | readonly JsonInput[]
  | { readonly [key: string]: JsonInput | undefined };

/** A JSON value in a result (provider bodies keep the provider's own wire shape). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface Statuses {
  payment: string;
  order?: string;
  fulfillment?: string;
}

export interface CaptureDoc {
  id: string;
  amount: Decimal;
  settled?: boolean;
  captured_at?: Timestamp;
}

export interface RefundDoc {
  id: string;
  amount: Decimal;
  state: RefundState;
  capture_id?: string;
  idempotency_key?: string;
  fingerprint?: string;
}

/** A payment ledger: what was authorized, captured and refunded, and the provider statuses. */
export interface LedgerDoc {
  id?: string;
  currency: string;
  authorized: Decimal;
  status: Statuses;
  created_at?: Timestamp;
  captures?: CaptureDoc[];
  refunds?: RefundDoc[];
  version?: number;
  applied_events?: string[];
}

/** A ledger as the engine returns it (defaults filled in). */
export interface Ledger extends LedgerDoc {
  captures: CaptureDoc[];
  refunds: RefundDoc[];
  version: number;
  applied_events: string[];
}

export interface EventDoc {
  id: string;
  type: string;
  expected_version?: number;
  refund_id?: string;
  capture_id?: string;
  amount?: Decimal;
  state?: RefundState;
  settled?: boolean;
  captured_at?: Timestamp;
  idempotency_key?: string;
  fingerprint?: string;
}

export interface PlanInput {
  provider: ProviderName | (string & {});
  ledger: LedgerDoc;
  /** The provider's own refund request body (its wire shape); absent = refund all that remains. */
  request?: JsonInput;
  options?: JsonInput;
  now?: Timestamp;
  refund_id?: string;
}

export interface ApplyInput {
  provider: ProviderName | (string & {});
  ledger: LedgerDoc;
  event: EventDoc;
}

export interface RefundableInput {
  ledger: LedgerDoc;
  provider?: ProviderName | (string & {});
  capture_id?: string;
}

/** `options` input; a whole plan document is accepted too (its `request` and `refund_id` are ignored). */
export interface OptionsInput {
  provider: ProviderName | (string & {});
  ledger: LedgerDoc;
  options?: JsonInput;
  now?: Timestamp;
  request?: JsonInput;
  refund_id?: string;
}

export interface ParseAmountInput {
  /** A decimal string (`"25.00"`) or an exact JSON number. */
  amount: Decimal | number | JsonNumber;
  currency: string;
  provider?: ProviderName | (string & {});
}

export interface FormatAmountInput {
  /** Minor units: a digit string (`"2500"`), a safe integer or a bigint. */
  minor: string | number | bigint | JsonNumber;
  currency: string;
}

/** What can be refunded: captured − refunded − pending = available. */
export interface Refundable {
  currency: string;
  captured: Decimal;
  refunded: Decimal;
  pending: Decimal;
  available: Decimal;
}

export interface ProviderCall {
  method: string;
  path: string;
  body?: JsonValue;
}

export interface ProviderResponse {
  http_status: number;
  body: JsonValue;
}

/** A refund decision. */
export interface Plan {
  provider: ProviderName | (string & {});
  /** `refund`, or `void` / `cancel` where the provider requires it. */
  operation: 'refund' | 'void' | 'cancel' | (string & {});
  kind: 'full' | 'partial';
  amount: Decimal;
  refundable: Refundable;
  remaining_after: Decimal;
  status_after: Statuses;
  refund_state?: RefundState | null;
  version: number;
  event?: EventDoc | null;
  provider_call: ProviderCall;
  provider_response?: ProviderResponse | null;
  replay: boolean;
  explanation: string[];
}

/** The rule that forbids any refund now: the rejection `plan` gives for the everything-available request. */
export interface Blocked {
  code: ErrorCode;
  message: string;
  details: { [key: string]: unknown };
  /** The provider's page the rule comes from. */
  source: string;
  /** The provider's own error for it, where it has one. */
  provider_error?: JsonValue;
  /** For an expired refund window: the last instant a refund was possible. */
  expired_at?: Timestamp;
}

/** One scope a provider refunds by (Commerce Layer captures/order/returns, Digital River lines/types). */
export interface ScopeOptions {
  kind: 'capture' | 'order' | 'return' | 'line' | 'type' | (string & {});
  id: string;
  refundable?: Refundable | null;
  max: Decimal;
  min: Decimal;
  full_only: boolean;
  operation?: 'refund' | 'void' | 'cancel' | (string & {}) | null;
  blocked: Blocked | null;
}

/** What a refund request can carry right now, and how (the `options` operation). */
export interface RefundOptions {
  provider: ProviderName | (string & {});
  refundable: Refundable;
  /** The largest amount one request can carry now (zero when `blocked`). */
  max: Decimal;
  /** The smallest amount (one minor unit, or `max` when `full_only`; zero when `blocked`). */
  min: Decimal;
  full_only: boolean;
  /** What must be sent for `max`; null when `blocked`. */
  operation: 'refund' | 'void' | 'cancel' | (string & {}) | null;
  constraints: string[];
  blocked: Blocked | null;
  /** The last instant this answer holds, where a rule is time-bound; null otherwise. */
  until: Timestamp | null;
  scopes: ScopeOptions[];
}

export interface Applied {
  ledger: Ledger;
  duplicate: boolean;
  status_before: Statuses;
  refundable: Refundable;
}

export interface AmountResult {
  currency: string;
  exponent: number;
  /** Minor units as a string (JS numbers are exact only to 2^53). */
  minor: string;
  amount: Decimal;
}

/** The core's error body (snake_case), as in `run` envelopes and `RefundError.toJSON()`. */
export interface ErrorBody {
  code: ErrorCode;
  family: ErrorFamily;
  message: string;
  pointer?: string;
  details: { refundable?: Refundable; [key: string]: unknown };
  provider_error?: JsonValue;
}

export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ErrorBody };

/** An operation: the JS name (camelCase) or the core's (snake_case); the core decides which exist. */
export type OperationName =
  | 'plan'
  | 'apply'
  | 'refundable'
  | 'options'
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
  readonly details: { refundable?: Refundable; [key: string]: unknown };
  /** JSON pointer into the input document, or null. */
  readonly pointer: string | null;
  /** The error body the provider itself would answer with, or null. */
  readonly providerError: JsonValue | null;
  /** Shorthand for `details.refundable`. */
  readonly refundable: Refundable | undefined;
  toJSON(): ErrorBody;
}

/** A JSON number written exactly as its text inside an object document. */
export declare class JsonNumber {
  constructor(text: string);
  readonly text: string;
  toString(): string;
  toJSON(): string;
}

/** `jsonNumber("25.00")`: the JSON number `25.00`, exactly (JS numbers cannot keep trailing zeros). */
export declare function jsonNumber(text: string): JsonNumber;

/** Plans a refund; throws `RefundError` when it is refused. */
export declare function plan(document: Document<PlanInput>): Plan;
/** What `decide` answers: the plan's decision, without explanation, provider bodies or event. */
export type Decision = Pick<Plan, 'provider' | 'operation' | 'kind' | 'amount' | 'refundable' | 'remaining_after' | 'status_after' | 'refund_state' | 'replay'> & {
  /** The rules that fired, in order. */
  rules: string[];
};
/** `plan` with `"render": "decision"`: the decision only (cheaper); the same refusals as `plan`. */
export declare function decide(document: Document<PlanInput>): Decision;
/** Applies an event to a ledger; throws `RefundError` on an illegal move or a version conflict. */
export declare function apply(document: Document<ApplyInput>): Applied;
/** The refundable breakdown of a ledger (optionally for one capture). */
export declare function refundable(document: Document<RefundableInput>): Refundable;
/** What can be refunded now and how: max, min, full_only, operation, blocked, until, scopes. */
export declare function options(document: Document<OptionsInput>): RefundOptions;
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
