//! Commerce Layer's status tables (payment, order, fulfillment, refund, return) and reachable
//! error codes.

use crate::error::ErrorCode;
use crate::ledger::RefundState;
use crate::machine::{
    Machine, PaymentEvent as P, ProviderMachines, RefundEvent as R, StatusMachine, Transition,
    transition as t,
};

/// Every code a Commerce Layer plan or apply can return; each has a shared vector.
pub const REACHABLE_ERRORS: &[ErrorCode] = &[
    ErrorCode::InvalidInput,
    ErrorCode::UnknownProvider,
    ErrorCode::UnknownCurrency,
    ErrorCode::InvalidAmount,
    ErrorCode::NotCaptured,
    ErrorCode::NotRefundableState,
    ErrorCode::AlreadyFullyRefunded,
    ErrorCode::ExceedsRefundable,
    ErrorCode::IdempotencyConflict,
    ErrorCode::InconsistentState,
    ErrorCode::IllegalTransition,
    ErrorCode::VersionConflict,
];

/// Order `payment_status` values (CL1).
const PAYMENT_STATES: &[&str] = &[
    "unpaid",
    "authorized",
    "partially_authorized",
    "paid",
    "partially_paid",
    "voided",
    "partially_voided",
    "refunded",
    "partially_refunded",
    "free",
];

/// `payment_status` moves. CL4 rows place/capture/cancel/refunds; \[S\] partial/full refunds;
/// \[U\] defaults: partial captures give `partially_paid`, which refunds like `paid`, and a return
/// refund moves the payment status by amounts like any refund.
const PAYMENT_TRANSITIONS: &[Transition<&str, P>] = &[
    t("unpaid", P::Authorize, "authorized"), // CL4 place
    t("unpaid", P::AuthorizeFree, "free"),   // CL4: a zero total order is `free`
    t("authorized", P::CaptureFull, "paid"), // CL4 capture
    t("authorized", P::CapturePartial, "partially_paid"), // [U]
    t("partially_paid", P::CaptureFull, "paid"), // [U]
    t("partially_paid", P::CapturePartial, "partially_paid"), // [U]
    t("authorized", P::Void, "voided"),      // CL4 cancel
    t("paid", P::RefundPartial, "partially_refunded"), // [S], CL4
    t("paid", P::RefundFull, "refunded"),    // [S], CL4
    t("partially_paid", P::RefundPartial, "partially_refunded"), // [U]
    t("partially_paid", P::RefundFull, "refunded"), // [U]
    t("partially_refunded", P::RefundPartial, "partially_refunded"), // §1.5 [U] implied
    t("partially_refunded", P::RefundFull, "refunded"), // §1.5 [U] implied
    t("paid", P::ReturnRefundPartial, "partially_refunded"), // CL5
    t("paid", P::ReturnRefundFull, "refunded"), // CL5 [U]
    t(
        "partially_paid",
        P::ReturnRefundPartial,
        "partially_refunded",
    ), // [U]
    t("partially_paid", P::ReturnRefundFull, "refunded"), // [U]
    t(
        "partially_refunded",
        P::ReturnRefundPartial,
        "partially_refunded",
    ), // CL5
    t("partially_refunded", P::ReturnRefundFull, "refunded"), // CL5 [U]
];

/// Order `status` values (CL1).
const ORDER_STATES: &[&str] = &[
    "draft",
    "pending",
    "editing",
    "placing",
    "placed",
    "approved",
    "cancelled",
];

/// Order `status` moves (CL4 table; CL1 `_place`, `_approve`, `_approve_and_capture`, `_cancel`).
/// A partial refund leaves the order as it is; a full refund cancels it \[S\].
const ORDER_TRANSITIONS: &[Transition<&str, P>] = &[
    t("pending", P::Authorize, "placed"),         // CL4 place
    t("pending", P::AuthorizeFree, "placed"),     // CL4 place (zero total)
    t("placing", P::AuthorizeFree, "placed"),     // CL1 `_place` (zero total)
    t("placing", P::Authorize, "placed"),         // CL1 `_place` from `placing`
    t("placed", P::Approve, "approved"),          // CL4 approve
    t("placed", P::Void, "cancelled"),            // CL4 cancel
    t("approved", P::Void, "cancelled"),          // CL4 cancel (CL1 `_cancel` on approved)
    t("placed", P::CaptureFull, "approved"),      // CL4 capture (`_approve_and_capture`)
    t("placed", P::CapturePartial, "approved"),   // [U] as a full capture
    t("approved", P::CaptureFull, "approved"),    // CL4 capture
    t("approved", P::CapturePartial, "approved"), // [U]
    t("approved", P::RefundFull, "cancelled"),    // [S], CL4 full refund
];

/// Order `fulfillment_status` values (CL1).
const FULFILLMENT_STATES: &[&str] = &["unfulfilled", "in_progress", "fulfilled", "not_required"];

/// `fulfillment_status` moves (CL4): capture starts fulfillment; a full refund gives
/// `unfulfilled` if it was `in_progress`, else `fulfilled` (read literally).
const FULFILLMENT_TRANSITIONS: &[Transition<&str, P>] = &[
    t("unfulfilled", P::CaptureFull, "in_progress"), // CL4 capture
    t("unfulfilled", P::CapturePartial, "in_progress"), // [U]
    t("in_progress", P::CaptureFull, "in_progress"), // [U] a later capture
    t("in_progress", P::CapturePartial, "in_progress"), // [U]
    t("not_required", P::CaptureFull, "not_required"), // [U] nothing to ship
    t("not_required", P::CapturePartial, "not_required"), // [U]
    t("in_progress", P::RefundFull, "unfulfilled"),  // CL4 full refund
    t("fulfilled", P::RefundFull, "fulfilled"),      // CL4 "else fulfilled"
    t("not_required", P::RefundFull, "fulfilled"),   // CL4 "else fulfilled"
    t("unfulfilled", P::RefundFull, "fulfilled"),    // CL4 "else fulfilled"
];

/// Return `status` values (CL1).
const RETURN_STATES: &[&str] = &[
    "draft",
    "requested",
    "approved",
    "cancelled",
    "shipped",
    "rejected",
    "received",
    "refunded",
];

/// The return moves the engine makes: a refund of a `received` return makes it `refunded` (CL5).
/// The rest of the return lifecycle (draft → requested → approved → shipped → received;
/// cancelled; rejected) is recorded by the caller in the ledger.
const RETURN_TRANSITIONS: &[Transition<&str, P>] = &[
    t("received", P::ReturnRefundPartial, "refunded"), // CL5
    t("received", P::ReturnRefundFull, "refunded"),    // CL5
];

/// The return status table (CL1 states, CL5 refund move).
pub static RETURN_MACHINE: StatusMachine = Machine {
    name: "return",
    states: RETURN_STATES,
    transitions: RETURN_TRANSITIONS,
    unaffected_by: &[],
    source: "https://docs.commercelayer.io/data-model/orders/returns-management",
};

/// Commerce Layer's tables. Refunds have no status, only `succeeded` (CL1): `false` is
/// `pending`, `true` is `succeeded`; `_forward` or a `succeeded` update moves one to the other.
pub static MACHINES: ProviderMachines = ProviderMachines {
    payment: Machine {
        name: "payment",
        states: PAYMENT_STATES,
        transitions: PAYMENT_TRANSITIONS,
        // Approval keeps the payment `authorized` (CL4); there is no settlement status.
        unaffected_by: &[P::Approve, P::Settle],
        source: "https://docs.commercelayer.io/core/v/api-reference/orders",
    },
    order: Some(Machine {
        name: "order",
        states: ORDER_STATES,
        transitions: ORDER_TRANSITIONS,
        // Partial refunds leave the order unchanged (CL4); return refunds never cancel it (CL5).
        unaffected_by: &[
            P::RefundPartial,
            P::ReturnRefundPartial,
            P::ReturnRefundFull,
            P::Settle,
        ],
        source: "https://docs.commercelayer.io/core/v/api-reference/orders",
    }),
    fulfillment: Some(Machine {
        name: "fulfillment",
        states: FULFILLMENT_STATES,
        transitions: FULFILLMENT_TRANSITIONS,
        // Place, approve and cancel leave fulfillment `unfulfilled`; partial and return refunds
        // leave it unchanged (CL4, CL5).
        unaffected_by: &[
            P::Authorize,
            P::AuthorizeFree,
            P::Approve,
            P::Void,
            P::Settle,
            P::RefundPartial,
            P::ReturnRefundPartial,
            P::ReturnRefundFull,
        ],
        source: "https://docs.commercelayer.io/core/v/api-reference/orders",
    }),
    refund: Machine {
        name: "refund",
        states: &[RefundState::Pending, RefundState::Succeeded],
        transitions: &[t(RefundState::Pending, R::Succeed, RefundState::Succeeded)],
        unaffected_by: &[],
        source: "https://docs.commercelayer.io/core-api-reference/transactions",
    },
    refund_initial: &[RefundState::Pending, RefundState::Succeeded],
    refunds_settled_only: false,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_machine_states_are_known() {
        for t in RETURN_TRANSITIONS {
            assert!(RETURN_MACHINE.has_state(t.from) && RETURN_MACHINE.has_state(t.to));
        }
    }
}
