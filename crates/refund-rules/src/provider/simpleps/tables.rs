//! SimplePS tables: the payment status machine (SP2) and the codes plan and apply can return.

use crate::error::ErrorCode;
use crate::ledger::RefundState;
use crate::machine::{Machine, PaymentEvent as P, ProviderMachines, Transition, transition as t};

/// Every code a SimplePS plan or apply can return; each has a shared vector.
pub const REACHABLE_ERRORS: &[ErrorCode] = &[
    ErrorCode::InvalidInput,
    ErrorCode::UnknownProvider,
    ErrorCode::UnknownCurrency,
    ErrorCode::InvalidAmount,
    ErrorCode::CurrencyMismatch,
    ErrorCode::NotCaptured,
    ErrorCode::NotRefundableState,
    ErrorCode::AlreadyFullyRefunded,
    ErrorCode::ExceedsRefundable,
    ErrorCode::IdempotencyConflict,
    ErrorCode::InconsistentState,
    ErrorCode::IllegalTransition,
    ErrorCode::VersionConflict,
];

const STATES: &[&str] = &[
    "CHALLENGE",
    "AUTHORIZED",
    "VOIDED",
    "CAPTURED",
    "PARTIALLY_CAPTURED",
    "PARTIALLY_REFUNDED",
    "REFUNDED",
    "DECLINED",
];

/// The payment status table (SP2). `VOIDED`, `REFUNDED` and `DECLINED` are terminal.
const PAYMENT_TRANSITIONS: &[Transition<&str, P>] = &[
    t("CHALLENGE", P::Authorize, "AUTHORIZED"),
    t("CHALLENGE", P::Decline, "DECLINED"),
    t("AUTHORIZED", P::CaptureFull, "CAPTURED"),
    t("AUTHORIZED", P::CapturePartial, "PARTIALLY_CAPTURED"),
    t("AUTHORIZED", P::Void, "VOIDED"),
    t("CAPTURED", P::RefundPartial, "PARTIALLY_REFUNDED"),
    t("CAPTURED", P::RefundFull, "REFUNDED"),
    t("PARTIALLY_CAPTURED", P::RefundPartial, "PARTIALLY_REFUNDED"),
    t("PARTIALLY_CAPTURED", P::RefundFull, "REFUNDED"),
    t("PARTIALLY_REFUNDED", P::RefundPartial, "PARTIALLY_REFUNDED"),
    t("PARTIALLY_REFUNDED", P::RefundFull, "REFUNDED"),
];

/// SimplePS's tables. Refunds are synchronous (SP1 answers 200 with the new status), so a
/// refund is created `succeeded` and has no further moves.
pub static MACHINES: ProviderMachines = ProviderMachines {
    payment: Machine {
        name: "payment",
        states: STATES,
        transitions: PAYMENT_TRANSITIONS,
        // SimplePS exposes no settlement status.
        unaffected_by: &[P::Settle],
        source: "https://dev.inyoglobal.com/api-references/payments-gateway/apis/domain-tables/payment-status",
    },
    order: None,
    fulfillment: None,
    refund: Machine {
        name: "refund",
        states: &[RefundState::Succeeded],
        transitions: &[],
        unaffected_by: &[],
        source: "https://dev.inyoglobal.com/api-references/payments-gateway/apis/payment/pulling-funds/cards/refund",
    },
    refund_initial: &[RefundState::Succeeded],
    refunds_settled_only: false,
};
