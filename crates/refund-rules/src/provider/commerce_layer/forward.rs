//! `_forward`: unblocking a stuck refund (CL3).

use serde_json::json;

use super::render::{call, cents, ok_response};
use super::tables::MACHINES;
use super::{CL3, PROVIDER, not_found, status_text};
use crate::error::RefundError;
use crate::event::{Event, EventKind};
use crate::ledger::{Refund, RefundState};
use crate::machine::PaymentEvent as P;
use crate::money::{Minor, Money};
use crate::plan::{Decision, Notes, Operation, Plan, RefundKind, Rule, ValidLedger};

/// The rules of a `_forward`: its three guards.
const FORWARD_RULES: &[Rule] = &[Rule {
    id: "commerce_layer.forward_guards",
    source: CL3,
}];

/// The guard that failed.
enum Failed {
    /// Guard 1: the relative balance is not positive.
    Balance(Minor),
    /// Guard 2: the refund is not pending.
    NotPending(RefundState),
    /// Guard 3: the payment status cannot move (the table's error).
    Status(RefundError),
}

/// `PATCH /api/refunds/:id` `_forward` (CL3), decided: when a guard fails, Commerce Layer does
/// nothing and returns no error; the decision keeps the statuses and the refund's state. The
/// explanation (`why`) says which guard failed.
pub(super) fn decide_forward<'a>(
    valid: &ValidLedger<'a>,
    id: &str,
    why: &mut impl Notes,
) -> Result<(Decision, &'a Refund), RefundError> {
    let ledger = valid.ledger();
    let refund = ledger.refund(id).ok_or_else(|| not_found("refund", id))?;
    let breakdown = match &refund.capture_id {
        Some(cid) => ledger.refundable_for_capture(cid)?,
        None => valid.refundable_all(),
    };
    let overall = valid.refundable_all();
    let amount = Money::new(refund.amount, ledger.currency);
    // The order's refunded total once this refund succeeds (what `apply` sizes the move by).
    let counted = if refund.state == RefundState::Succeeded {
        overall.refunded
    } else {
        overall
            .refunded
            .checked_add(refund.amount)
            .map_err(|_| RefundError::overflow("/ledger/refunds"))?
    };
    let kind = if counted == overall.captured {
        RefundKind::Full
    } else {
        RefundKind::Partial
    };
    why.note(|| format!(
        "`_forward` on refund `{id}` of {amount} ({} cents); guards (CL3): relative balance positive, `succeeded` false, payment status can move forward",
        cents(refund.amount)
    ));
    // Guard 1: the transaction's relative balance (its capture less successful refunds).
    let balance = breakdown
        .captured
        .checked_sub(breakdown.refunded)
        .map_err(|_| RefundError::overflow("/ledger/refunds"))?;
    let mut failed = if balance.is_positive() {
        None
    } else {
        Some(Failed::Balance(balance))
    };
    // Guard 2: `succeeded` must be false (pending).
    if failed.is_none() && refund.state != RefundState::Pending {
        failed = Some(Failed::NotPending(refund.state));
    }
    // Guard 3: the order's payment status must legally move forward. The success event moves
    // the statuses by the refund's size (the return variant for a refund of a return), through
    // the tables, as `apply` would.
    let step = if kind == RefundKind::Full {
        P::RefundFull
    } else {
        P::RefundPartial
    };
    let mut moved = None;
    if failed.is_none() {
        let sized = if refund.return_id.is_some() {
            step.for_return()
        } else {
            step
        };
        match MACHINES.advance_from(valid.statuses(), sized) {
            Ok(after) => moved = Some(after),
            Err(e @ RefundError::IllegalTransition { .. }) => failed = Some(Failed::Status(e)),
            Err(other) => return Err(other),
        }
    }
    let status_after = match moved {
        Some(after) => after,
        None => MACHINES.statuses_as_static(&ledger.status).ok_or_else(|| {
            RefundError::inconsistent("/ledger/status", "a status left the provider's tables")
        })?,
    };
    match &failed {
        Some(reason) => {
            why.note(|| match reason {
                Failed::Balance(balance) => format!(
                    "guard 1 fails: the relative balance is {} (not positive)",
                    Money::new(*balance, ledger.currency)
                ),
                Failed::NotPending(state) => {
                    format!("guard 2 fails: the refund is already `{state}` (`succeeded` is true)")
                }
                Failed::Status(RefundError::IllegalTransition {
                    machine,
                    from,
                    event,
                }) => {
                    format!("guard 3 fails: the {machine} status `{from}` cannot move on `{event}`")
                }
                Failed::Status(other) => format!("guard 3 fails: {other}"),
            });
            why.note(|| {
                "Commerce Layer performs no action and returns no error (200): nothing to apply"
                    .to_owned()
            });
        }
        None => why.note(|| {
            format!(
                "all guards pass: the refund becomes `succeeded` ({step}); {}",
                status_text(&status_after.to_statuses())
            )
        }),
    }
    let state_after = if failed.is_none() {
        RefundState::Succeeded
    } else {
        refund.state
    };
    let decision = Decision {
        provider: PROVIDER,
        operation: Operation::Forward,
        kind,
        amount,
        refundable: breakdown,
        remaining_after: breakdown.available_money(),
        status_after,
        refund_state: Some(state_after),
        rules: FORWARD_RULES,
        replay: false,
    };
    Ok((decision, refund))
}

/// `PATCH /api/refunds/:id` `_forward` (CL3), rendered; the plan carries the success event only
/// when every guard passes.
pub(super) fn plan_forward(valid: &ValidLedger<'_>, id: &str) -> Result<Plan, RefundError> {
    let ledger = valid.ledger();
    let mut why = Vec::new();
    let (decision, refund) = decide_forward(valid, id, &mut why)?;
    let succeeded = decision.refund_state == Some(RefundState::Succeeded)
        && refund.state != RefundState::Succeeded;
    let event = Event {
        id: format!("{id}.forwarded"),
        expected_version: Some(ledger.version),
        kind: EventKind::RefundSucceeded {
            refund_id: id.to_owned(),
        },
    };
    Ok(Plan {
        provider: PROVIDER,
        operation: Operation::Forward,
        kind: decision.kind,
        amount: decision.amount,
        refundable: decision.refundable,
        remaining_after: decision.remaining_after,
        status_after: decision.status_after.to_statuses(),
        refund_state: decision.refund_state,
        version: ledger.version,
        event: succeeded.then_some(event),
        provider_call: call("refunds", id, json!({ "_forward": true })),
        provider_response: Some(ok_response(
            "refunds",
            id,
            json!({
                "currency_code": ledger.currency.code(),
                "amount_cents": cents(refund.amount),
                "succeeded": decision.refund_state == Some(RefundState::Succeeded),
            }),
        )),
        replay: false,
        explanation: why,
    })
}
