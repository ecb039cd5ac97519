//! Alternative Payments' tables: the payment and refund transition tables (each row with its
//! source) and the error codes a plan or apply can return.

use crate::error::ErrorCode;
use crate::ledger::RefundState;
use crate::machine::{
    Machine, PaymentEvent as P, ProviderMachines, RefundEvent as R, Transition, transition as t,
};

/// Every code an Alternative Payments plan or apply can return; each has a shared vector.
/// `currency_mismatch` is absent: the request has no currency (seed), and apply reads event
/// amounts in the ledger currency.
pub const REACHABLE_ERRORS: &[ErrorCode] = &[
    ErrorCode::InvalidInput,
    ErrorCode::UnknownProvider,
    ErrorCode::UnknownCurrency,
    ErrorCode::InvalidAmount,
    ErrorCode::NotCaptured,
    ErrorCode::NotSettled,
    ErrorCode::NotRefundableState,
    ErrorCode::AlreadyFullyRefunded,
    ErrorCode::ExceedsRefundable,
    ErrorCode::PartialRefundNotSupported,
    ErrorCode::InvalidReason,
    ErrorCode::RefundLimitExceeded,
    ErrorCode::IdempotencyConflict,
    ErrorCode::InconsistentState,
    ErrorCode::IllegalTransition,
    ErrorCode::VersionConflict,
];

/// The payment table (§3.4 model; AP3 publishes no enum, so the names are ours).
/// An invoice payment is paid in one go (\[U\]: no partial capture); `refunded` is terminal.
/// `paid --refund_partial--> paid` exists because the core checks a `pending` refund against
/// the status as a refund that leaves money unrefunded; [`plan`](super::plan) never plans a partial refund.
const PAYMENT_TRANSITIONS: &[Transition<&str, P>] = &[
    t("unpaid", P::CaptureFull, "paid"),
    t("paid", P::RefundFull, "refunded"),
];

/// Refunds are asynchronous (AP1: 3–5 business days; seed: 201 "being processed"): created
/// `pending`, then `succeeded` or `failed` (\[U\]; a failed one releases the amount).
const REFUND_TRANSITIONS: &[Transition<RefundState, R>] = &[
    t(RefundState::Pending, R::Succeed, RefundState::Succeeded),
    t(RefundState::Pending, R::Fail, RefundState::Failed),
];

/// Alternative Payments' tables.
pub static MACHINES: ProviderMachines = ProviderMachines {
    payment: Machine {
        name: "payment",
        states: &["unpaid", "paid", "refunded"],
        transitions: PAYMENT_TRANSITIONS,
        // Settlement is tracked on the captures (`settled`), not in the status (AP1).
        unaffected_by: &[P::Settle],
        source: "https://help.alternativepayments.io/payments-and-invoicing/payments-and-payouts/refund-management",
    },
    order: None,
    fulfillment: None,
    refund: Machine {
        name: "refund",
        states: &[
            RefundState::Pending,
            RefundState::Succeeded,
            RefundState::Failed,
        ],
        transitions: REFUND_TRANSITIONS,
        unaffected_by: &[],
        source: "https://help.alternativepayments.io/payments-and-invoicing/payments-and-payouts/refund-management",
    },
    refund_initial: &[RefundState::Pending],
    // AP1: only fully settled payments are refunded.
    refunds_settled_only: true,
};
