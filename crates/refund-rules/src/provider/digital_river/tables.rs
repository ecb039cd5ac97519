//! Digital River's state tables and reachable error codes.

use crate::error::ErrorCode;
use crate::ledger::RefundState;
use crate::machine::{
    Machine, PaymentEvent as P, ProviderMachines, RefundEvent as R, Transition, transition as t,
};

/// Every code a Digital River plan or apply can return; each has a shared vector.
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
    ErrorCode::PartialRefundNotSupported,
    ErrorCode::IdempotencyConflict,
    ErrorCode::InconsistentState,
    ErrorCode::IllegalTransition,
    ErrorCode::VersionConflict,
];

/// Order states (DR3, DR4).
const STATES: &[&str] = &[
    "pending_payment",
    "in_review",
    "accepted",
    "blocked",
    "cancelled",
    "fulfilled",
    "complete",
    "returned",
    "dispute",
];

/// The order state table (DR3 happy path `pending_payment → in_review → accepted → fulfilled →
/// complete`, `returned` after refunds). DR has no refunded state, so partial refunds leave the
/// state as it is and progress lives in the amounts (\[U\] providers.md §4.6).
const ORDER_TRANSITIONS: &[Transition<&str, P>] = &[
    t("pending_payment", P::Authorize, "accepted"),
    // [U] a failed payment cancels the order.
    t("pending_payment", P::Decline, "cancelled"),
    t("in_review", P::Authorize, "accepted"),
    // DR3: an order that fails fraud review is blocked.
    t("in_review", P::Decline, "blocked"),
    // DR1: before capture, cancel through the Fulfillments API.
    t("accepted", P::Void, "cancelled"),
    // DR3: a partially fulfilled order stays accepted; all captured = complete.
    t("accepted", P::CapturePartial, "accepted"),
    t("accepted", P::CaptureFull, "complete"),
    t("fulfilled", P::CapturePartial, "fulfilled"),
    t("fulfilled", P::CaptureFull, "complete"),
    // DR1: refunds need one completed capture; they do not move these states.
    t("accepted", P::RefundPartial, "accepted"),
    t("accepted", P::RefundFull, "accepted"),
    t("fulfilled", P::RefundPartial, "fulfilled"),
    t("fulfilled", P::RefundFull, "fulfilled"),
    t("complete", P::RefundPartial, "complete"),
    // DR3: `returned` once everything was returned or refunded (event `order.refunded`).
    t("complete", P::RefundFull, "returned"),
    t("returned", P::RefundPartial, "returned"),
    t("returned", P::RefundFull, "returned"),
];

/// The refund lifecycle (DR4 `state` enum, DR1/DR2 events; providers.md §4.6).
const REFUND_TRANSITIONS: &[Transition<RefundState, R>] = &[
    // DR2: the customer supplies bank data; the refund then completes or fails.
    t(
        RefundState::PendingInformation,
        R::Succeed,
        RefundState::Succeeded,
    ),
    t(
        RefundState::PendingInformation,
        R::Fail,
        RefundState::Failed,
    ),
    // [U] inferred from the enum and `tokenInformation.expiresTime`.
    t(
        RefundState::PendingInformation,
        R::Expire,
        RefundState::Expired,
    ),
    // DR1: `refund.complete` / `refund.failed`.
    t(RefundState::Pending, R::Succeed, RefundState::Succeeded),
    t(RefundState::Pending, R::Fail, RefundState::Failed),
];

/// Digital River's tables. The payment slot holds the order state; capture completion is the
/// capture's `settled` flag (a DR capture in state `complete`), so `settle` moves no state.
pub static MACHINES: ProviderMachines = ProviderMachines {
    payment: Machine {
        name: "order",
        states: STATES,
        transitions: ORDER_TRANSITIONS,
        unaffected_by: &[P::Settle],
        source: "https://docs.digitalriver.com/digital-river-api/order-management/orders/the-order-lifecycle",
    },
    order: None,
    fulfillment: None,
    refund: Machine {
        name: "refund",
        states: &RefundState::ALL,
        transitions: REFUND_TRANSITIONS,
        unaffected_by: &[],
        source: "https://docs.digitalriver.com/digital-river-api/order-management/returns-and-refunds-1/refunds",
    },
    // DR1: 201 with `pending`; DR2: `pending_information` for asynchronous methods.
    refund_initial: &[RefundState::Pending, RefundState::PendingInformation],
    // DR1: refunds draw on charges whose capture is `complete`.
    refunds_settled_only: true,
};
