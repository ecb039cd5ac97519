//! The engine: `plan`, `apply` and `refundable` as every surface calls them. It validates the
//! ledger (generic rules, the provider's tables and its own rules), lets the provider decide,
//! and checks every plan's money effect itself. Nothing below this layer calls it.

use serde::Serialize;

use crate::error::RefundError;
use crate::event::{Event, EventKind};
use crate::id::{Operation, Provider};
use crate::ledger::{AppliedEvent, Capture, Ledger, Refund, RefundState, Refundable, Statuses};
use crate::machine::{PaymentEvent, RefundEvent, refund_event};
use crate::money::{AmountProblem, Minor, Money};
use crate::plan::{Decision, Plan, PlanContext, ValidLedger};
use crate::provider::{ProviderRequest, check_ledger};

/// Validates a ledger once for `provider` (generic invariants, the provider's tables and its
/// own ledger rules) and keeps its running totals: the value [`decide`] takes, so a caller that
/// decides many requests on one ledger validates it once.
pub fn validate(provider: Provider, ledger: &Ledger) -> Result<ValidLedger<'_>, RefundError> {
    check_ledger(provider, ledger)?;
    let valid = ValidLedger::after_check(provider, provider.machines(), ledger)?;
    // A time-bound rule's last instant is measured once too (a failure is left to the rule,
    // which reports it where it checks).
    Ok(match provider.valid_until(ledger) {
        Ok(Some(end)) => valid.with_window_end(end),
        _ => valid,
    })
}

/// Decides a refund on a validated ledger without rendering anything (no explanation text, no
/// provider bodies, no event): the small [`Decision`] a refund screen or a batch job needs. The
/// same money guard as [`plan`] runs on it. [`plan`] renders the full document from the same
/// rules.
#[inline]
pub fn decide(
    valid: &ValidLedger<'_>,
    request: &ProviderRequest,
    ctx: &PlanContext,
) -> Result<Decision, RefundError> {
    if request.provider() != valid.provider() {
        return Err(RefundError::invalid_input(
            "/provider",
            format!(
                "the ledger was validated for {}, the request is for {}",
                valid.provider(),
                request.provider()
            ),
        ));
    }
    let decision = request.decide_checked(valid, ctx)?;
    check_decision(valid, &decision)?;
    Ok(decision)
}

/// The money guard of [`check_money_effect`] on a decision: a refund within its own scope and
/// the provider's maximum; a void or cancel only while nothing is refunded or pending.
#[inline]
fn check_decision(valid: &ValidLedger<'_>, d: &Decision) -> Result<(), RefundError> {
    if d.replay {
        return Ok(());
    }
    let overall = valid.maximum();
    match d.operation {
        Operation::Refund => {
            for bound in [d.refundable, overall] {
                if !d.amount.minor.is_positive() || d.amount.minor > bound.available {
                    return Err(RefundError::ExceedsRefundable {
                        requested: d.amount,
                        refundable: bound,
                    });
                }
            }
            Ok(())
        }
        Operation::Forward => Ok(()),
        Operation::Void | Operation::Cancel => {
            if overall.refunded.is_zero() && overall.pending.is_zero() {
                Ok(())
            } else {
                Err(RefundError::not_refundable(
                    valid.ledger().status.payment.clone(),
                    "a void or cancel reverses the whole charge, but part of it is already refunded or pending",
                ))
            }
        }
    }
}

/// The provider's one maximum on a ledger it accepts: what `plan` and `apply` allow in total.
pub fn refundable(provider: Provider, ledger: &Ledger) -> Result<Refundable, RefundError> {
    check_ledger(provider, ledger)?;
    provider.refundable(ledger)
}

/// Plans a refund: validates the ledger, then lets the provider's rules decide.
pub fn plan(
    ledger: &Ledger,
    request: &ProviderRequest,
    ctx: &PlanContext,
) -> Result<Plan, RefundError> {
    let provider = request.provider();
    check_ledger(provider, ledger)?;
    let plan = request.plan_checked(ledger, ctx)?;
    check_money_effect(provider, ledger, &plan)?;
    Ok(plan)
}

/// The engine's own guard on every plan, whatever the provider rules decided: no money moves
/// twice. A refund takes at most what is still available in its scope (the capture it names, or
/// the provider's one maximum); a void or cancel reverses the whole charge, so it is planned only
/// while nothing of it has been refunded or is pending, and releases at most what is left. A
/// replay of an earlier refund moves nothing. A violation is an error, never a plan.
pub fn check_money_effect(
    provider: Provider,
    ledger: &Ledger,
    plan: &Plan,
) -> Result<(), RefundError> {
    if plan.replay {
        return Ok(());
    }
    let overall = provider.refundable(ledger)?;
    let scope = match &plan.event {
        Some(Event {
            kind:
                EventKind::RefundCreated {
                    capture_id: Some(c),
                    ..
                },
            ..
        }) => ledger.refundable_for_capture(c)?,
        _ => overall,
    };
    let status = ledger.status.payment.clone();
    match plan.operation {
        Operation::Refund => {
            if !plan.amount.minor.is_positive() || plan.amount.currency != ledger.currency {
                return Err(RefundError::inconsistent(
                    "/request",
                    format!("a refund of {} cannot be planned", plan.amount),
                ));
            }
            for bound in [scope, overall] {
                if plan.amount.minor > bound.available {
                    return Err(RefundError::ExceedsRefundable {
                        requested: plan.amount,
                        refundable: bound,
                    });
                }
            }
        }
        // Pushes a refund that already holds its money (pending) to succeeded: nothing new moves.
        Operation::Forward => {}
        Operation::Void | Operation::Cancel => {
            let touched = overall.refunded.checked_add(overall.pending).ok();
            if touched != Some(Minor::ZERO) {
                return Err(RefundError::not_refundable(
                    status,
                    format!(
                        "a {} reverses the whole charge, but {} of it is already refunded or pending: \
                         that money would be returned twice; refund the rest once it settles",
                        plan.operation.as_str(),
                        Money::new(touched.unwrap_or(Minor::ZERO), ledger.currency)
                    ),
                ));
            }
            let releasable = if ledger.captures.is_empty() {
                ledger.authorized
            } else {
                overall.available
            };
            if plan.amount.minor > releasable {
                return Err(RefundError::ExceedsRefundable {
                    requested: plan.amount,
                    refundable: overall,
                });
            }
        }
    }
    Ok(())
}

/// The result of [`apply`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Applied {
    /// The ledger after the event (the same ledger when `duplicate`).
    pub ledger: Ledger,
    /// True when the event id had already been applied: nothing changed.
    pub duplicate: bool,
    /// The statuses before the event.
    pub status_before: Statuses,
}

/// Applies `event` to `ledger` under `provider`'s rules and tables.
pub fn apply(provider: Provider, ledger: &Ledger, event: &Event) -> Result<Applied, RefundError> {
    let machines = provider.machines();
    check_ledger(provider, ledger)?;
    if let Some(recorded) = ledger.applied_events.iter().find(|a| a.id == event.id) {
        // The id names exactly one event: another type, another subject or any other recorded
        // field (e.g. two concurrent plans both named `refund_1`) is a conflict, not a replay.
        if !same_as_recorded(ledger, recorded, &event.kind) {
            return Err(RefundError::IdempotencyConflict {
                key: event.id.clone(),
            });
        }
        return Ok(Applied {
            ledger: ledger.clone(),
            duplicate: true,
            status_before: ledger.status.clone(),
        });
    }
    if let Some(expected) = event.expected_version
        && expected != ledger.version
    {
        return Err(RefundError::VersionConflict {
            expected,
            actual: ledger.version,
        });
    }
    let mut next = ledger.clone();
    match &event.kind {
        EventKind::RefundCreated {
            refund_id,
            amount,
            state,
            capture_id,
            idempotency_key,
            fingerprint,
            return_id,
            allocations,
        } => {
            same_currency(ledger, *amount)?;
            if ledger.refund(refund_id).is_some() {
                return Err(RefundError::IdempotencyConflict {
                    key: refund_id.clone(),
                });
            }
            if !machines.refund_initial.contains(state) {
                return Err(RefundError::IllegalTransition {
                    machine: "refund".to_owned(),
                    from: "new".to_owned(),
                    event: format!("create_{state}"),
                });
            }
            if !amount.minor.is_positive() {
                return Err(RefundError::invalid_amount(
                    "/event/amount",
                    amount.to_decimal_string(),
                    AmountProblem::Zero,
                ));
            }
            let within = match capture_id {
                Some(cid) => {
                    if !ledger.captures.iter().any(|c| &c.id == cid) {
                        return Err(RefundError::inconsistent(
                            "/event/capture_id",
                            format!("no capture `{cid}` in the ledger"),
                        ));
                    }
                    ledger.refundable_for_capture(cid)?
                }
                None => ledger.refundable()?,
            };
            let overall = provider.refundable(ledger)?;
            for bound in [within, overall] {
                if amount.minor > bound.available {
                    return Err(RefundError::ExceedsRefundable {
                        requested: *amount,
                        refundable: bound,
                    });
                }
            }
            next.refunds.push(Refund {
                id: refund_id.clone(),
                amount: amount.minor,
                state: *state,
                capture_id: capture_id.clone(),
                idempotency_key: idempotency_key.clone(),
                fingerprint: fingerprint.clone(),
                return_id: return_id.clone(),
                // Checked by `next.check()` below: lines exist, parts add up, buckets hold.
                allocations: allocations.clone(),
            });
            // The statuses move when money is returned. A pending refund is checked against the
            // move its success would make (a full-only provider refuses a pending partial too),
            // and so is its return's status.
            let refunded_after = overall
                .refunded
                .checked_add(amount.minor)
                .map_err(|_| RefundError::overflow("/event/amount"))?;
            let sized = if refunded_after == overall.captured {
                PaymentEvent::RefundFull
            } else {
                PaymentEvent::RefundPartial
            };
            let step = if return_id.is_some() {
                sized.for_return()
            } else {
                sized
            };
            let moved_return = move_return(provider, ledger, return_id.as_deref(), step)?;
            let moved = machines.advance(&ledger.status, step)?;
            if *state == RefundState::Succeeded {
                next.status = moved;
                set_return_status(&mut next, moved_return);
            }
        }
        EventKind::RefundSucceeded { refund_id } => {
            let idx = refund_index(ledger, refund_id)?;
            move_refund(&mut next, idx, RefundEvent::Succeed, provider)?;
            let return_id = ledger.refunds.get(idx).and_then(|r| r.return_id.clone());
            let step = refund_step(&next, return_id.as_deref())?;
            let moved_return = move_return(provider, ledger, return_id.as_deref(), step)?;
            next.status = machines.advance(&ledger.status, step)?;
            set_return_status(&mut next, moved_return);
        }
        EventKind::RefundFailed { refund_id } => {
            let idx = refund_index(ledger, refund_id)?;
            move_refund(&mut next, idx, RefundEvent::Fail, provider)?;
        }
        EventKind::RefundExpired { refund_id } => {
            let idx = refund_index(ledger, refund_id)?;
            move_refund(&mut next, idx, RefundEvent::Expire, provider)?;
        }
        EventKind::PaymentAuthorized => {
            // CL4: an order whose total is zero is placed `free`, where the provider has it.
            let free = ledger.authorized.is_zero()
                && machines
                    .payment
                    .transitions
                    .iter()
                    .any(|t| t.event == PaymentEvent::AuthorizeFree);
            let step = if free {
                PaymentEvent::AuthorizeFree
            } else {
                PaymentEvent::Authorize
            };
            next.status = machines.advance(&ledger.status, step)?;
        }
        EventKind::PaymentDeclined => {
            next.status = machines.advance(&ledger.status, PaymentEvent::Decline)?;
        }
        EventKind::PaymentVoided => {
            next.status = machines.advance(&ledger.status, PaymentEvent::Void)?;
        }
        EventKind::OrderApproved => {
            next.status = machines.advance(&ledger.status, PaymentEvent::Approve)?;
        }
        EventKind::PaymentCaptured {
            capture_id,
            amount,
            settled,
            captured_at,
        } => {
            same_currency(ledger, *amount)?;
            if ledger.captures.iter().any(|c| &c.id == capture_id) {
                return Err(RefundError::IdempotencyConflict {
                    key: capture_id.clone(),
                });
            }
            if !amount.minor.is_positive() {
                return Err(RefundError::invalid_amount(
                    "/event/amount",
                    amount.to_decimal_string(),
                    AmountProblem::Zero,
                ));
            }
            let total = ledger
                .captured_total()?
                .checked_add(amount.minor)
                .map_err(|_| RefundError::overflow("/event/amount"))?;
            if total > ledger.authorized {
                return Err(RefundError::inconsistent(
                    "/event/amount",
                    format!(
                        "captures would total {}, above the authorized {}",
                        Money::new(total, ledger.currency),
                        Money::new(ledger.authorized, ledger.currency)
                    ),
                ));
            }
            let step = if total == ledger.authorized {
                PaymentEvent::CaptureFull
            } else {
                PaymentEvent::CapturePartial
            };
            next.status = machines.advance(&ledger.status, step)?;
            next.captures.push(Capture {
                id: capture_id.clone(),
                amount: amount.minor,
                settled: *settled,
                captured_at: *captured_at,
            });
        }
        EventKind::CaptureSettled { capture_id } => {
            let capture = next
                .captures
                .iter_mut()
                .find(|c| &c.id == capture_id)
                .ok_or_else(|| {
                    RefundError::invalid_input(
                        "/event/capture_id",
                        format!("no capture `{capture_id}` in the ledger"),
                    )
                })?;
            if capture.settled {
                return Err(RefundError::IllegalTransition {
                    machine: "capture".to_owned(),
                    from: "settled".to_owned(),
                    event: "settle".to_owned(),
                });
            }
            capture.settled = true;
            next.status = machines.advance(&ledger.status, PaymentEvent::Settle)?;
        }
    }
    next.version = ledger
        .version
        .checked_add(1)
        .ok_or_else(|| RefundError::inconsistent("/ledger/version", "version overflow"))?;
    next.applied_events.push(event.kind.recorded_as(&event.id));
    // The ledger was valid before, so a problem now is the event's: plan must accept whatever
    // apply produces.
    check_ledger(provider, &next)?;
    Ok(Applied {
        ledger: next,
        duplicate: false,
        status_before: ledger.status.clone(),
    })
}

fn same_currency(ledger: &Ledger, amount: Money) -> Result<(), RefundError> {
    if amount.currency == ledger.currency {
        Ok(())
    } else {
        Err(RefundError::CurrencyMismatch {
            pointer: "/event/amount".to_owned(),
            expected: ledger.currency,
            found: amount.currency,
        })
    }
}

/// The status event of a refund's success: the return-refund variant for refunds of a return.
fn refund_step(ledger: &Ledger, return_id: Option<&str>) -> Result<PaymentEvent, RefundError> {
    let step = refund_event(ledger)?;
    Ok(if return_id.is_some() {
        step.for_return()
    } else {
        step
    })
}

/// The return's status after a refund of it succeeds, through the provider's return table.
fn move_return(
    provider: Provider,
    ledger: &Ledger,
    return_id: Option<&str>,
    step: PaymentEvent,
) -> Result<Option<(String, String)>, RefundError> {
    let Some(rid) = return_id else {
        return Ok(None);
    };
    let machine = provider.return_machine().ok_or_else(|| {
        RefundError::invalid_input(
            "/event/return_id",
            format!("{provider} refunds do not refund returns"),
        )
    })?;
    let ret = ledger.return_by_id(rid).ok_or_else(|| {
        RefundError::inconsistent(
            "/event/return_id",
            format!("no return `{rid}` in the ledger"),
        )
    })?;
    let from = machine
        .states
        .iter()
        .find(|s| **s == ret.status)
        .copied()
        .ok_or_else(|| RefundError::IllegalTransition {
            machine: machine.name.to_owned(),
            from: ret.status.clone(),
            event: step.to_string(),
        })?;
    let to = machine.next(from, step)?;
    Ok(Some((rid.to_owned(), to.to_owned())))
}

fn set_return_status(ledger: &mut Ledger, moved: Option<(String, String)>) {
    if let Some((rid, status)) = moved
        && let Some(r) = ledger.returns.iter_mut().find(|r| r.id == rid)
    {
        r.status = status;
    }
}

fn refund_index(ledger: &Ledger, refund_id: &str) -> Result<usize, RefundError> {
    ledger
        .refunds
        .iter()
        .position(|r| r.id == refund_id)
        .ok_or_else(|| {
            RefundError::invalid_input(
                "/event/refund_id",
                format!("no refund `{refund_id}` in the ledger"),
            )
        })
}

fn move_refund(
    ledger: &mut Ledger,
    idx: usize,
    event: RefundEvent,
    provider: Provider,
) -> Result<(), RefundError> {
    let machine = provider.machines().refund;
    let refund = ledger.refunds.get_mut(idx).ok_or_else(|| {
        RefundError::invalid_input("/event/refund_id", "no such refund in the ledger")
    })?;
    refund.state = machine.next(refund.state, event)?;
    Ok(())
}

/// For an already-applied event id: is `kind` the event the ledger recorded under it? Its type
/// and subject must match, and a creation must match its refund or capture field for field
/// (everything but the refund state, which may have moved on since). A bare id recorded before
/// types were (`event_type: None`) proves nothing by itself: only a matching creation replays.
fn same_as_recorded(ledger: &Ledger, recorded: &AppliedEvent, kind: &EventKind) -> bool {
    let now = kind.recorded_as(&recorded.id);
    let same_identity = match recorded.event_type {
        Some(_) => *recorded == now,
        None => matches!(
            kind,
            EventKind::RefundCreated { .. } | EventKind::PaymentCaptured { .. }
        ),
    };
    same_identity
        && match kind {
            EventKind::RefundCreated {
                refund_id,
                amount,
                state: _,
                capture_id,
                idempotency_key,
                fingerprint,
                return_id,
                allocations,
            } => ledger.refund(refund_id).is_some_and(|r| {
                r.amount == amount.minor
                    && &r.capture_id == capture_id
                    && &r.idempotency_key == idempotency_key
                    && &r.fingerprint == fingerprint
                    && &r.return_id == return_id
                    && &r.allocations == allocations
            }),
            EventKind::PaymentCaptured {
                capture_id,
                amount,
                settled: _,
                captured_at,
            } => ledger.captures.iter().any(|c| {
                &c.id == capture_id && c.amount == amount.minor && &c.captured_at == captured_at
            }),
            _ => true,
        }
}
