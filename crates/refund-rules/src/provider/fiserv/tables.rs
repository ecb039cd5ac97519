//! Fiserv Commerce Hub's tables: the charge and refund transition tables (each row with its
//! source) and the error codes a plan or apply can return.

use crate::error::ErrorCode;
use crate::ledger::RefundState;
use crate::machine::{
    Machine, PaymentEvent as P, ProviderMachines, RefundEvent as R, Transition, transition as t,
};

/// Every code a Fiserv plan or apply can return; each has a shared vector.
pub const REACHABLE_ERRORS: &[ErrorCode] = &[
    ErrorCode::InvalidInput,
    ErrorCode::UnknownProvider,
    ErrorCode::UnknownCurrency,
    ErrorCode::InvalidAmount,
    ErrorCode::CurrencyMismatch,
    ErrorCode::NotCaptured,
    ErrorCode::NotSettled,
    ErrorCode::NotRefundableState,
    ErrorCode::AlreadyFullyRefunded,
    ErrorCode::ExceedsRefundable,
    ErrorCode::PartialRefundNotSupported,
    ErrorCode::AmountComponentsMismatch,
    ErrorCode::RefundWindowExpired,
    ErrorCode::IdempotencyConflict,
    ErrorCode::InconsistentState,
    ErrorCode::IllegalTransition,
    ErrorCode::VersionConflict,
];

const STATES: &[&str] = &["AUTHORIZED", "CAPTURED", "SETTLED", "VOIDED", "DECLINED"];

/// The original charge (providers.md §2.4, FS4 `transactionState` values plus `SETTLED`).
/// Commerce Hub has no REFUNDED state: refunds keep the charge where it is and the ledger
/// tracks the refunded amount (\[U\] default). `VOIDED` and `DECLINED` are terminal.
const PAYMENT_TRANSITIONS: &[Transition<&str, P>] = &[
    t("AUTHORIZED", P::CaptureFull, "CAPTURED"),
    t("AUTHORIZED", P::CapturePartial, "CAPTURED"),
    t("AUTHORIZED", P::Void, "VOIDED"),
    t("CAPTURED", P::Settle, "SETTLED"),
    t("CAPTURED", P::Void, "VOIDED"),
    // Refunds of unsettled captures happen only with `allow_unsettled_refund` (FS1 tagged).
    t("CAPTURED", P::RefundPartial, "CAPTURED"),
    t("CAPTURED", P::RefundFull, "CAPTURED"),
    t("SETTLED", P::RefundPartial, "SETTLED"),
    t("SETTLED", P::RefundFull, "SETTLED"),
];

/// Fiserv's tables. A refund answered `APPROVED` is created `succeeded`; one answered `WAITING`
/// (FS4 `approvalStatus`) is recorded `pending` and later succeeds or fails. A `DECLINED`
/// answer creates no refund.
pub static MACHINES: ProviderMachines = ProviderMachines {
    payment: Machine {
        name: "payment",
        states: STATES,
        transitions: PAYMENT_TRANSITIONS,
        unaffected_by: &[],
        source: "https://github.com/Fiserv/Commerce-Hub/blob/8f857386/docs/Resources/Master-Data/Gateway-Response.md",
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
        transitions: &[
            t(RefundState::Pending, R::Succeed, RefundState::Succeeded),
            t(RefundState::Pending, R::Fail, RefundState::Failed),
        ],
        unaffected_by: &[],
        source: "https://github.com/Fiserv/Commerce-Hub/blob/8f857386/docs/Resources/Master-Data/Processor-Response-Details.md",
    },
    refund_initial: &[RefundState::Succeeded, RefundState::Pending],
    // captured-unsettled refunds are a merchant option (`allow_unsettled_refund`), so apply allows them; plan decides.
    refunds_settled_only: false,
};
