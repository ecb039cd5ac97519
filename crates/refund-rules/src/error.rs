//! Every rejection as a typed error with a stable snake_case code.
//!
//! The codes are a public contract shared by Rust, the JSON surface, the CLI, Python and WASM;
//! `docs/errors.md` documents each one. Messages are lower-case, put user input in backticks and
//! never name Rust types.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::breakdown::Refundable;
use crate::id::Operation;
use crate::money::{AmountProblem, Currency, Money};
use crate::time::Timestamp;

/// The stable code of an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The input document is malformed; `pointer` names the field.
    InvalidInput,
    /// The provider name is not one of the five.
    UnknownProvider,
    /// The currency code is not an ISO 4217 payment currency.
    UnknownCurrency,
    /// The amount text or value is not acceptable (format, decimals, sign, zero, range).
    InvalidAmount,
    /// The request currency differs from the payment currency.
    CurrencyMismatch,
    /// Nothing has been captured; the alternative operation (void/cancel) is named.
    NotCaptured,
    /// The capture is not settled yet and the provider refunds only settled payments.
    NotSettled,
    /// The payment's status does not allow a refund.
    NotRefundableState,
    /// Nothing is left to refund.
    AlreadyFullyRefunded,
    /// The amount is above what is refundable.
    ExceedsRefundable,
    /// The provider refunds in full only.
    PartialRefundNotSupported,
    /// The refund reason is missing, unknown, or lacks a required description.
    InvalidReason,
    /// Amount components do not add up to the total.
    AmountComponentsMismatch,
    /// The payment is older than the provider's refund window.
    RefundWindowExpired,
    /// The amount is above a configured refund limit.
    RefundLimitExceeded,
    /// An idempotency key or refund id was reused with a different request.
    IdempotencyConflict,
    /// The input contradicts itself (e.g. refunds above captures).
    InconsistentState,
    /// The state machine does not allow this event in this state.
    IllegalTransition,
    /// The ledger version is not the one the caller planned on.
    VersionConflict,
}

/// The families that bindings map to exception classes and the CLI to exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorFamily {
    /// Bad input: the caller sent something malformed (CLI exit 2).
    InvalidInput,
    /// A refund rule rejected a well-formed request (CLI exit 1).
    RuleRejected,
    /// A state machine refused an event (CLI exit 1).
    IllegalTransition,
    /// A concurrent change or a reused key (CLI exit 1).
    Conflict,
}

impl ErrorCode {
    /// Every code, in documentation order.
    pub const ALL: [ErrorCode; 19] = [
        Self::InvalidInput,
        Self::UnknownProvider,
        Self::UnknownCurrency,
        Self::InvalidAmount,
        Self::CurrencyMismatch,
        Self::NotCaptured,
        Self::NotSettled,
        Self::NotRefundableState,
        Self::AlreadyFullyRefunded,
        Self::ExceedsRefundable,
        Self::PartialRefundNotSupported,
        Self::InvalidReason,
        Self::AmountComponentsMismatch,
        Self::RefundWindowExpired,
        Self::RefundLimitExceeded,
        Self::IdempotencyConflict,
        Self::InconsistentState,
        Self::IllegalTransition,
        Self::VersionConflict,
    ];

    /// The snake_case code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidInput => "invalid_input",
            Self::UnknownProvider => "unknown_provider",
            Self::UnknownCurrency => "unknown_currency",
            Self::InvalidAmount => "invalid_amount",
            Self::CurrencyMismatch => "currency_mismatch",
            Self::NotCaptured => "not_captured",
            Self::NotSettled => "not_settled",
            Self::NotRefundableState => "not_refundable_state",
            Self::AlreadyFullyRefunded => "already_fully_refunded",
            Self::ExceedsRefundable => "exceeds_refundable",
            Self::PartialRefundNotSupported => "partial_refund_not_supported",
            Self::InvalidReason => "invalid_reason",
            Self::AmountComponentsMismatch => "amount_components_mismatch",
            Self::RefundWindowExpired => "refund_window_expired",
            Self::RefundLimitExceeded => "refund_limit_exceeded",
            Self::IdempotencyConflict => "idempotency_conflict",
            Self::InconsistentState => "inconsistent_state",
            Self::IllegalTransition => "illegal_transition",
            Self::VersionConflict => "version_conflict",
        }
    }

    /// The family of the code.
    pub fn family(self) -> ErrorFamily {
        match self {
            Self::InvalidInput
            | Self::UnknownProvider
            | Self::UnknownCurrency
            | Self::InvalidAmount
            | Self::InconsistentState => ErrorFamily::InvalidInput,
            Self::IllegalTransition => ErrorFamily::IllegalTransition,
            Self::VersionConflict | Self::IdempotencyConflict => ErrorFamily::Conflict,
            Self::CurrencyMismatch
            | Self::NotCaptured
            | Self::NotSettled
            | Self::NotRefundableState
            | Self::AlreadyFullyRefunded
            | Self::ExceedsRefundable
            | Self::PartialRefundNotSupported
            | Self::InvalidReason
            | Self::AmountComponentsMismatch
            | Self::RefundWindowExpired
            | Self::RefundLimitExceeded => ErrorFamily::RuleRejected,
        }
    }
}

impl core::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What is wrong with an input field. Code that reacts to an input error (a provider's own error
/// body, a binding's exception) matches on this, never on the message text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InputProblem {
    /// Not JSON, or not UTF-8.
    Syntax,
    /// A field the document does not have.
    UnknownField,
    /// A required field is absent.
    Missing,
    /// A value of the wrong JSON type (an array where an object belongs, a string for a number…).
    WrongType,
    /// `null` where the schema has none.
    Null,
    /// A key given twice.
    Duplicate,
    /// Values nested deeper than the limit.
    TooDeep,
    /// The input is larger than the limit.
    TooLarge,
    /// An id the ledger does not hold.
    NotFound,
    /// A parameter the provider does not take on this resource.
    Unsupported,
    /// A value the field's rules refuse.
    Invalid,
}

impl InputProblem {
    /// The snake_case name (`details.problem`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Syntax => "syntax",
            Self::UnknownField => "unknown_field",
            Self::Missing => "missing",
            Self::WrongType => "wrong_type",
            Self::Null => "null",
            Self::Duplicate => "duplicate",
            Self::TooDeep => "too_deep",
            Self::TooLarge => "too_large",
            Self::NotFound => "not_found",
            Self::Unsupported => "unsupported",
            Self::Invalid => "invalid",
        }
    }
}

/// Why a refund could not be planned or an event could not be applied.
///
/// Deliberately not `#[non_exhaustive]`: a new rejection should break callers' matches.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RefundError {
    /// The input document is malformed.
    #[error("invalid input {}: {message}", place(pointer))]
    InvalidInput {
        /// JSON pointer to the offending field (`""` for the whole document).
        pointer: String,
        /// What kind of problem it is: what code (provider error mapping) reads.
        problem: InputProblem,
        /// What is wrong, for people.
        message: String,
    },
    /// Unknown provider name.
    #[error(
        "unknown provider `{name}`; expected one of simpleps, fiserv_commerce_hub, alternative_payments, digital_river, commerce_layer"
    )]
    UnknownProvider {
        /// The name as given.
        name: String,
    },
    /// The currency code is not usable.
    #[error("{problem} (at `{pointer}`)")]
    UnknownCurrency {
        /// JSON pointer to the field.
        pointer: String,
        /// The code and why it was refused.
        problem: crate::money::CurrencyError,
    },
    /// The amount is not acceptable.
    #[error("invalid amount `{text}` at `{pointer}`: {}", problem.describe())]
    InvalidAmount {
        /// JSON pointer to the field.
        pointer: String,
        /// The amount text as given.
        text: String,
        /// What is wrong with it.
        problem: AmountProblem,
    },
    /// Amounts that add up beyond what minor units can hold (an `i64`): the sum, not one
    /// field's text, is at fault.
    #[error("amounts at `{pointer}` add up beyond the range of the engine's minor units")]
    Overflow {
        /// JSON pointer to the collection or field whose sum overflowed.
        pointer: String,
    },
    /// The request currency is not the payment's.
    #[error("currency `{found}` does not match the payment currency `{expected}`")]
    CurrencyMismatch {
        /// JSON pointer to the field.
        pointer: String,
        /// The payment currency.
        expected: Currency,
        /// The currency in the request.
        found: Currency,
    },
    /// Nothing captured yet.
    #[error("the payment is `{status}` and has no captured funds to refund{}", alternative.map(|o| format!("; use {} instead", o.as_str())).unwrap_or_default())]
    NotCaptured {
        /// The payment status.
        status: String,
        /// The operation to use instead, if any.
        alternative: Option<Operation>,
    },
    /// Captured but not settled.
    #[error("the capture is not settled yet{}", alternative.map(|o| format!("; use {} instead", o.as_str())).unwrap_or_default())]
    NotSettled {
        /// The operation to use instead, if any.
        alternative: Option<Operation>,
    },
    /// The status forbids refunds.
    #[error("the payment is `{status}`: {reason}")]
    NotRefundableState {
        /// The payment status.
        status: String,
        /// Why that status forbids refunds.
        reason: String,
    },
    /// Nothing left.
    #[error("the payment is already fully refunded ({} of {} captured)", refundable.refunded_money(), refundable.captured_money())]
    AlreadyFullyRefunded {
        /// The breakdown.
        refundable: Refundable,
    },
    /// Above the refundable amount.
    #[error("refund of {requested} exceeds the refundable {}", refundable.available_money())]
    ExceedsRefundable {
        /// The amount asked for.
        requested: Money,
        /// The breakdown.
        refundable: Refundable,
    },
    /// Full refunds only.
    #[error("partial refunds are not supported ({reason}): {requested} asked, the full refund is {}", refundable.available_money())]
    PartialRefundNotSupported {
        /// Why only the full amount is possible here, in the provider's terms.
        reason: &'static str,
        /// The amount asked for.
        requested: Money,
        /// The breakdown.
        refundable: Refundable,
    },
    /// Reason rejected.
    #[error("invalid refund reason at `{pointer}`: {message}")]
    InvalidReason {
        /// JSON pointer to the field.
        pointer: String,
        /// What is wrong.
        message: String,
    },
    /// Components do not add up.
    #[error("amount components add up to {components}, not to the total {total}")]
    AmountComponentsMismatch {
        /// The `total`.
        total: Money,
        /// The sum of the components by the documented formula.
        components: Money,
    },
    /// Too old.
    #[error(
        "the payment of {reference} is older than the {window_months}-month refund window at {now}"
    )]
    RefundWindowExpired {
        /// The instant the window is measured from.
        reference: Timestamp,
        /// The caller's `now`.
        now: Timestamp,
        /// The window length in months.
        window_months: u32,
    },
    /// Above a limit.
    #[error("refund of {requested} exceeds the refund limit of {limit}")]
    RefundLimitExceeded {
        /// The amount asked for.
        requested: Money,
        /// The configured limit.
        limit: Money,
        /// The breakdown.
        refundable: Refundable,
    },
    /// Reused key with a different request.
    #[error("`{key}` was already used for a different request")]
    IdempotencyConflict {
        /// The idempotency key or refund id.
        key: String,
    },
    /// Contradictory input.
    #[error("inconsistent state at `{pointer}`: {message}")]
    InconsistentState {
        /// JSON pointer to the field.
        pointer: String,
        /// The contradiction.
        message: String,
    },
    /// The transition table has no such move.
    #[error("the {machine} state machine does not allow `{event}` in state `{from}`")]
    IllegalTransition {
        /// Which machine (`payment`, `order`, `fulfillment`, `refund`…).
        machine: String,
        /// The current state.
        from: String,
        /// The event.
        event: String,
    },
    /// Stale ledger.
    #[error(
        "the ledger is at version {actual}, not the expected version {expected}; re-plan on the current ledger"
    )]
    VersionConflict {
        /// The version the caller planned on.
        expected: u64,
        /// The ledger's version.
        actual: u64,
    },
}

impl RefundError {
    /// The stable code.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::InvalidInput { .. } => ErrorCode::InvalidInput,
            Self::UnknownProvider { .. } => ErrorCode::UnknownProvider,
            Self::UnknownCurrency { .. } => ErrorCode::UnknownCurrency,
            Self::InvalidAmount { .. } | Self::Overflow { .. } => ErrorCode::InvalidAmount,
            Self::CurrencyMismatch { .. } => ErrorCode::CurrencyMismatch,
            Self::NotCaptured { .. } => ErrorCode::NotCaptured,
            Self::NotSettled { .. } => ErrorCode::NotSettled,
            Self::NotRefundableState { .. } => ErrorCode::NotRefundableState,
            Self::AlreadyFullyRefunded { .. } => ErrorCode::AlreadyFullyRefunded,
            Self::ExceedsRefundable { .. } => ErrorCode::ExceedsRefundable,
            Self::PartialRefundNotSupported { .. } => ErrorCode::PartialRefundNotSupported,
            Self::InvalidReason { .. } => ErrorCode::InvalidReason,
            Self::AmountComponentsMismatch { .. } => ErrorCode::AmountComponentsMismatch,
            Self::RefundWindowExpired { .. } => ErrorCode::RefundWindowExpired,
            Self::RefundLimitExceeded { .. } => ErrorCode::RefundLimitExceeded,
            Self::IdempotencyConflict { .. } => ErrorCode::IdempotencyConflict,
            Self::InconsistentState { .. } => ErrorCode::InconsistentState,
            Self::IllegalTransition { .. } => ErrorCode::IllegalTransition,
            Self::VersionConflict { .. } => ErrorCode::VersionConflict,
        }
    }

    /// The JSON pointer of the offending field, where one applies.
    pub fn pointer(&self) -> Option<&str> {
        match self {
            Self::InvalidInput { pointer, .. }
            | Self::UnknownCurrency { pointer, .. }
            | Self::InvalidAmount { pointer, .. }
            | Self::Overflow { pointer }
            | Self::CurrencyMismatch { pointer, .. }
            | Self::InvalidReason { pointer, .. }
            | Self::InconsistentState { pointer, .. } => Some(pointer),
            _ => None,
        }
    }

    /// The refundable breakdown, on every amount rejection.
    pub fn refundable(&self) -> Option<&Refundable> {
        match self {
            Self::AlreadyFullyRefunded { refundable }
            | Self::ExceedsRefundable { refundable, .. }
            | Self::PartialRefundNotSupported { refundable, .. }
            | Self::RefundLimitExceeded { refundable, .. } => Some(refundable),
            _ => None,
        }
    }

    /// Machine-readable details (amounts as decimal strings).
    pub fn details(&self) -> Value {
        let mut d = match self {
            Self::InvalidInput { problem, .. } => json!({ "problem": problem }),
            Self::Overflow { .. } => {
                json!({ "problem": AmountProblem::OutOfRange, "overflow": true })
            }
            Self::InvalidReason { .. } => json!({}),
            Self::InconsistentState { .. } => json!({}),
            Self::UnknownProvider { name } => json!({ "provider": name }),
            Self::UnknownCurrency { problem, .. } => json!({ "currency": problem.code_text() }),
            Self::InvalidAmount { text, problem, .. } => {
                json!({ "amount": text, "problem": problem })
            }
            Self::CurrencyMismatch {
                expected, found, ..
            } => json!({ "expected": expected, "found": found }),
            Self::NotCaptured {
                status,
                alternative,
            } => json!({ "status": status, "alternative": alternative }),
            Self::NotSettled { alternative } => json!({ "alternative": alternative }),
            Self::NotRefundableState { status, .. } => json!({ "status": status }),
            Self::AlreadyFullyRefunded { .. } => json!({}),
            Self::ExceedsRefundable { requested, .. } => json!({ "requested": requested }),
            Self::PartialRefundNotSupported {
                requested, reason, ..
            } => json!({ "requested": requested, "reason": reason }),
            Self::AmountComponentsMismatch { total, components } => {
                json!({ "total": total, "components": components })
            }
            Self::RefundWindowExpired {
                reference,
                now,
                window_months,
            } => json!({ "reference": reference, "now": now, "window_months": window_months }),
            Self::RefundLimitExceeded {
                requested, limit, ..
            } => json!({ "requested": requested, "limit": limit }),
            Self::IdempotencyConflict { key } => json!({ "key": key }),
            Self::IllegalTransition {
                machine,
                from,
                event,
            } => json!({ "machine": machine, "from": from, "event": event }),
            Self::VersionConflict { expected, actual } => {
                json!({ "expected": expected, "actual": actual })
            }
        };
        if let (Some(r), Value::Object(map)) = (self.refundable(), &mut d) {
            map.insert("refundable".to_owned(), json!(r));
        }
        d
    }

    /// Shorthand for [`RefundError::InvalidInput`].
    pub fn invalid_input(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self::input(InputProblem::Invalid, pointer, message)
    }

    /// Shorthand for [`RefundError::Overflow`].
    pub fn overflow(pointer: impl Into<String>) -> Self {
        Self::Overflow {
            pointer: pointer.into(),
        }
    }

    /// An [`RefundError::InvalidInput`] of a given kind.
    pub fn input(
        problem: InputProblem,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self::InvalidInput {
            problem,
            pointer: pointer.into(),
            message: message.into(),
        }
    }

    /// Shorthand for [`RefundError::InconsistentState`].
    pub fn inconsistent(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self::InconsistentState {
            pointer: pointer.into(),
            message: message.into(),
        }
    }

    /// Shorthand for [`RefundError::NotCaptured`].
    pub fn not_captured(status: impl Into<String>, alternative: Option<Operation>) -> Self {
        Self::NotCaptured {
            status: status.into(),
            alternative,
        }
    }

    /// Shorthand for [`RefundError::NotRefundableState`].
    pub fn not_refundable(status: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::NotRefundableState {
            status: status.into(),
            reason: reason.into(),
        }
    }

    /// Shorthand for [`RefundError::InvalidAmount`].
    pub fn invalid_amount(
        pointer: impl Into<String>,
        text: impl Into<String>,
        problem: AmountProblem,
    ) -> Self {
        Self::InvalidAmount {
            pointer: pointer.into(),
            text: text.into(),
            problem,
        }
    }
}

/// A rejection in the provider's own words.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProviderError {
    /// The HTTP status the provider answers with.
    pub http_status: u16,
    /// The provider's own error code.
    pub code: String,
    /// The body in the provider's documented error shape.
    pub body: Value,
}

/// Where an input error is, for its message: the field, or the document as a whole.
fn place(pointer: &str) -> String {
    if pointer.is_empty() {
        "in the document".to_owned()
    } else {
        format!("at `{pointer}`")
    }
}

/// A field of an input document, named by its path: a static base (`/request/items`), then
/// optionally an element's index and a field name (`/request/items/0/amount`). Rules name the
/// fields of their errors with it instead of writing pointer text; the JSON pointer is written
/// when an error is made (every constructor that takes a pointer takes a `Field`), so checking
/// a field that turns out fine costs no text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    base: &'static str,
    index: Option<usize>,
    name: Option<&'static str>,
}

impl Field {
    /// The field (or list) at the static pointer `base`, e.g. `/ledger/lines`.
    pub const fn at(base: &'static str) -> Self {
        Self {
            base,
            index: None,
            name: None,
        }
    }

    /// Element `index` of the list this field is.
    pub const fn item(self, index: usize) -> Self {
        Self {
            index: Some(index),
            ..self
        }
    }

    /// The field `name` below this one (below the element, after [`Field::item`]).
    pub const fn field(self, name: &'static str) -> Self {
        Self {
            name: Some(name),
            ..self
        }
    }

    /// The last segment's name (`amount` for `/request/items/0/amount`).
    pub fn name(self) -> &'static str {
        match self.name {
            Some(name) => name,
            None => self.base.rsplit('/').next().unwrap_or(self.base),
        }
    }

    /// The JSON pointer (`/request/items/0/amount`).
    pub fn pointer(self) -> String {
        let mut out = String::from(self.base);
        if let Some(i) = self.index {
            out.push('/');
            out.push_str(&i.to_string());
        }
        if let Some(name) = self.name {
            out.push('/');
            out.push_str(name);
        }
        out
    }
}

impl From<Field> for String {
    fn from(field: Field) -> String {
        field.pointer()
    }
}

impl core::fmt::Display for Field {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.pointer())
    }
}

#[cfg(test)]
mod tests {
    use super::Field;

    #[test]
    fn a_field_renders_the_pointer_it_names() {
        let items = Field::at("/request/items");
        assert_eq!(
            items.item(3).field("amount").pointer(),
            "/request/items/3/amount"
        );
        assert_eq!(items.item(0).pointer(), "/request/items/0");
        assert_eq!(
            Field::at("/request/amountComponents")
                .field("tip")
                .pointer(),
            "/request/amountComponents/tip"
        );
        assert_eq!(Field::at("/request").pointer(), "/request");
        assert_eq!(items.item(3).field("amount").name(), "amount");
        assert_eq!(items.name(), "items");
    }
}
