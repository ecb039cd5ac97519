//! `_forward`: unblocking a stuck refund (CL3).

use serde_json::json;

use super::render::{call, cents, ok_response};
use super::tables::MACHINES;
use super::{PROVIDER, not_found, status_text};
use crate::error::RefundError;
use crate::event::{Event, EventKind};
use crate::ledger::{Ledger, RefundState};
use crate::machine::{PaymentEvent as P, refund_event};
use crate::money::Money;
use crate::plan::{Operation, Plan, RefundKind};

/// `PATCH /api/refunds/:id` `_forward` (CL3): when a guard fails, Commerce Layer does nothing and
/// returns no error; the plan says which guard failed and carries no event.
pub(super) fn plan_forward(ledger: &Ledger, id: &str) -> Result<Plan, RefundError> {
    let refund = ledger.refund(id).ok_or_else(|| not_found("refund", id))?;
    let breakdown = match &refund.capture_id {
        Some(cid) => ledger.refundable_for_capture(cid)?,
        None => ledger.refundable()?,
    };
    let overall = ledger.refundable()?;
    let amount = Money::new(refund.amount, ledger.currency);
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
    let mut why = vec![format!(
        "`_forward` on refund `{id}` of {amount} ({} cents); guards (CL3): relative balance positive, `succeeded` false, payment status can move forward",
        cents(refund.amount)
    )];
    // Guard 1: the transaction's relative balance (its capture less successful refunds).
    let balance = breakdown
        .captured
        .checked_sub(breakdown.refunded)
        .map_err(|_| RefundError::overflow("/ledger/refunds"))?;
    let mut failed = if balance.is_positive() {
        None
    } else {
        Some(format!(
            "guard 1 fails: the relative balance is {} (not positive)",
            Money::new(balance, ledger.currency)
        ))
    };
    // Guard 2: `succeeded` must be false (pending).
    if failed.is_none() && refund.state != RefundState::Pending {
        failed = Some(format!(
            "guard 2 fails: the refund is already `{}` (`succeeded` is true)",
            refund.state
        ));
    }
    // Guard 3: the order's payment status must legally move forward.
    let event = Event {
        id: format!("{id}.forwarded"),
        expected_version: Some(ledger.version),
        kind: EventKind::RefundSucceeded {
            refund_id: id.to_owned(),
        },
    };
    let mut status_after = ledger.status.clone();
    if failed.is_none() {
        // The statuses the success event moves to, through the tables (as `apply` would).
        let step = refund_event_after(ledger, id).map(|s| {
            if refund.return_id.is_some() {
                s.for_return()
            } else {
                s
            }
        });
        match step.and_then(|step| MACHINES.advance(&ledger.status, step)) {
            Ok(moved) => status_after = moved,
            Err(RefundError::IllegalTransition {
                machine,
                from,
                event,
            }) => {
                failed = Some(format!(
                    "guard 3 fails: the {machine} status `{from}` cannot move on `{event}`"
                ));
            }
            Err(other) => return Err(other),
        }
    }
    let succeeded = failed.is_none();
    match &failed {
        Some(reason) => {
            why.push(reason.clone());
            why.push(
                "Commerce Layer performs no action and returns no error (200): nothing to apply"
                    .to_owned(),
            );
        }
        None => {
            // Only for the explanation: what the success event is made of.
            let step = refund_event_after(ledger, id)?;
            why.push(format!(
                "all guards pass: the refund becomes `succeeded` ({step}); {}",
                status_text(&status_after)
            ));
        }
    }
    let state_after = if succeeded {
        RefundState::Succeeded
    } else {
        refund.state
    };
    Ok(Plan {
        provider: PROVIDER,
        operation: Operation::Forward,
        kind,
        amount,
        refundable: breakdown,
        remaining_after: breakdown.available_money(),
        status_after,
        refund_state: Some(state_after),
        version: ledger.version,
        event: succeeded.then_some(event),
        provider_call: call("refunds", id, json!({ "_forward": true })),
        provider_response: Some(ok_response(
            "refunds",
            id,
            json!({
                "currency_code": ledger.currency.code(),
                "amount_cents": cents(refund.amount),
                "succeeded": state_after == RefundState::Succeeded,
            }),
        )),
        replay: false,
        explanation: why,
    })
}

/// The status event a refund's success would be (for explanations).
fn refund_event_after(ledger: &Ledger, id: &str) -> Result<P, RefundError> {
    let mut next = ledger.clone();
    if let Some(r) = next.refunds.iter_mut().find(|r| r.id == id) {
        r.state = RefundState::Succeeded;
    }
    refund_event(&next)
}
