//! The engine: `plan`, `apply` and `refundable` as every surface calls them. It validates the
//! ledger (generic rules, the provider's tables and its own rules), lets the provider decide,
//! and checks every plan's money effect itself. Nothing below this layer calls it.

use serde::Serialize;

use crate::error::RefundError;
use crate::event::{Event, EventKind};
use crate::id::{Operation, Provider};
use crate::ledger::{
    AppliedEvent, Capture, Ledger, LineUsage, Refund, RefundState, Refundable, Statuses, Totals,
};
use crate::machine::{PaymentEvent, RefundEvent};
use crate::money::{AmountProblem, Minor, Money};
use crate::plan::{AppliedStep, Decision, Plan, PlanContext, ValidLedger, ValidatedLedger};
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

/// Applies `event` to `ledger` under `provider`'s rules and tables: the ledger is validated
/// once ([`ValidatedLedger::new`]), the event applied with the checks of what it changes
/// ([`ValidatedLedger::apply`]), and the next ledger checked in full again, so whatever `apply`
/// writes, `plan` reads. For a stream of events keep the [`ValidatedLedger`] instead: each
/// step then costs what the event changes, not the ledger.
pub fn apply(provider: Provider, ledger: &Ledger, event: &Event) -> Result<Applied, RefundError> {
    let mut validated = ValidatedLedger::new(provider, ledger.clone())?;
    let step = validated.apply(event)?;
    let next = validated.into_ledger();
    if !step.duplicate {
        check_ledger(provider, &next)?;
    }
    Ok(Applied {
        ledger: next,
        duplicate: step.duplicate,
        status_before: step.status_before,
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

/// [`same_as_recorded`] with the refund and capture lookups given (by scan, or by index on a
/// [`ValidatedLedger`], whose ids are unique).
fn same_as_recorded_in<'l>(
    recorded: &AppliedEvent,
    kind: &EventKind,
    refund: impl Fn(&str) -> Option<&'l Refund>,
    capture: impl Fn(&str) -> Option<&'l Capture>,
) -> bool {
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
            } => refund(refund_id).is_some_and(|r| {
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
            } => capture(capture_id)
                .is_some_and(|c| c.amount == amount.minor && &c.captured_at == captured_at),
            _ => true,
        }
}

/// What an event does to a [`ValidatedLedger`], computed and checked before anything is
/// written: `apply` either commits all of it or none.
#[derive(Debug)]
struct Change {
    what: Changed,
    /// The statuses after the event, when they move.
    status: Option<Statuses>,
    /// The return whose status moves: its position and new status.
    ret: Option<(usize, &'static str)>,
    /// The running totals after the event (overall, and the touched capture's), when they move.
    totals: Option<(Totals, Option<(usize, Totals)>)>,
    /// The lines whose usage moves, with their new usage.
    lines: Vec<(usize, LineUsage)>,
    /// The captured and settled sums after the event, when they move.
    sums: Option<(Minor, Minor)>,
    /// The next version.
    version: u64,
}

#[derive(Debug)]
enum Changed {
    Nothing,
    NewRefund(Refund),
    MoveRefund(usize, RefundState),
    NewCapture(Capture),
    Settle(usize),
}

impl ValidatedLedger {
    /// The borrowed view [`decide`] takes: decide on the ledger as it stands now, without
    /// validating or summing again (the statuses and a time-bound rule's last instant are read
    /// as [`validate`] reads them). Fails where [`ValidatedLedger::maximum`] does.
    pub fn view(&self) -> Result<ValidLedger<'_>, RefundError> {
        let ledger = self.ledger();
        let statuses = self
            .provider()
            .machines()
            .statuses_as_static(&ledger.status)
            .ok_or_else(|| {
                RefundError::inconsistent(
                    "/ledger/status",
                    "a status is not in the provider's tables",
                )
            })?;
        let valid = ValidLedger::from_parts(
            ledger,
            self.provider(),
            self.refundable_all()?,
            self.maximum()?,
            statuses,
        );
        Ok(match self.provider().valid_until(ledger) {
            Ok(Some(end)) => valid.with_window_end(end),
            _ => valid,
        })
    }

    /// Validates `ledger` once for `provider` (the full check [`apply`] runs: generic
    /// invariants, the provider's tables and its own rules) and indexes it for incremental
    /// [`ValidatedLedger::apply`].
    pub fn new(provider: Provider, ledger: Ledger) -> Result<Self, RefundError> {
        check_ledger(provider, &ledger)?;
        Self::after_check(provider, ledger)
    }

    /// Applies `event`: the same answer as [`apply`] on [`ValidatedLedger::ledger`] (the same
    /// next ledger, or the same error), with checks proportional to what the event changes
    /// (the refund, capture or return it touches, the lines of that refund, the running
    /// totals) instead of to the ledger. On an error nothing changed.
    pub fn apply(&mut self, event: &Event) -> Result<AppliedStep, RefundError> {
        let status_before = self.ledger.status.clone();
        let Some(change) = self.prepare(event)? else {
            return Ok(AppliedStep {
                duplicate: true,
                status_before,
            });
        };
        self.commit(change, event);
        Ok(AppliedStep {
            duplicate: false,
            status_before,
        })
    }

    /// Applies `event` and returns the next validated ledger (or the error, dropping this one:
    /// use [`ValidatedLedger::apply`] to keep it).
    pub fn then(mut self, event: &Event) -> Result<Self, RefundError> {
        self.apply(event)?;
        Ok(self)
    }

    /// Every check of [`apply`] on the event, in the same order, nothing written: `None` for a
    /// replayed event id.
    fn prepare(&self, event: &Event) -> Result<Option<Change>, RefundError> {
        let provider = self.provider;
        let machines = provider.machines();
        let ledger = &self.ledger;
        let index = &self.index;
        if let Some(recorded) = index
            .event(&event.id)
            .and_then(|i| ledger.applied_events.get(i))
        {
            let same = same_as_recorded_in(
                recorded,
                &event.kind,
                |id| index.refund(id).and_then(|i| ledger.refunds.get(i)),
                |id| index.capture(id).and_then(|i| ledger.captures.get(i)),
            );
            if !same {
                return Err(RefundError::IdempotencyConflict {
                    key: event.id.clone(),
                });
            }
            return Ok(None);
        }
        if let Some(expected) = event.expected_version
            && expected != ledger.version
        {
            return Err(RefundError::VersionConflict {
                expected,
                actual: ledger.version,
            });
        }
        let mut change = Change {
            what: Changed::Nothing,
            status: None,
            ret: None,
            totals: None,
            lines: Vec::new(),
            sums: None,
            version: ledger.version,
        };
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
                if index.refund(refund_id).is_some() {
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
                        let i = index.capture(cid).ok_or_else(|| {
                            RefundError::inconsistent(
                                "/event/capture_id",
                                format!("no capture `{cid}` in the ledger"),
                            )
                        })?;
                        self.capture_breakdown(i)?
                    }
                    None => self.refundable_all()?,
                };
                let overall = self.maximum()?;
                for bound in [within, overall] {
                    if amount.minor > bound.available {
                        return Err(RefundError::ExceedsRefundable {
                            requested: *amount,
                            refundable: bound,
                        });
                    }
                }
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
                let moved_return = self.move_return(return_id.as_deref(), step)?;
                let moved = machines.advance(&ledger.status, step)?;
                if *state == RefundState::Succeeded {
                    change.status = Some(moved);
                    change.ret = moved_return;
                }
                change.what = Changed::NewRefund(Refund {
                    id: refund_id.clone(),
                    amount: amount.minor,
                    state: *state,
                    capture_id: capture_id.clone(),
                    idempotency_key: idempotency_key.clone(),
                    fingerprint: fingerprint.clone(),
                    return_id: return_id.clone(),
                    allocations: allocations.clone(),
                });
            }
            EventKind::RefundSucceeded { refund_id } => {
                let (i, refund) = self.refund_at(refund_id)?;
                let to = machines.refund.next(refund.state, RefundEvent::Succeed)?;
                // `refund_event` on the next ledger: its breakdown over all captures.
                let after = self
                    .index
                    .overall()
                    .moved(refund.amount, Some(refund.state), to);
                let all = ledger.breakdown_of(after, index.captured())?;
                let sized = if all.refunded == all.captured {
                    PaymentEvent::RefundFull
                } else {
                    PaymentEvent::RefundPartial
                };
                let step = if refund.return_id.is_some() {
                    sized.for_return()
                } else {
                    sized
                };
                change.ret = self.move_return(refund.return_id.as_deref(), step)?;
                change.status = Some(machines.advance(&ledger.status, step)?);
                change.what = Changed::MoveRefund(i, to);
            }
            EventKind::RefundFailed { refund_id } | EventKind::RefundExpired { refund_id } => {
                let (i, refund) = self.refund_at(refund_id)?;
                let move_event = match &event.kind {
                    EventKind::RefundFailed { .. } => RefundEvent::Fail,
                    _ => RefundEvent::Expire,
                };
                let to = machines.refund.next(refund.state, move_event)?;
                change.what = Changed::MoveRefund(i, to);
            }
            EventKind::PaymentAuthorized => {
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
                change.status = Some(machines.advance(&ledger.status, step)?);
            }
            EventKind::PaymentDeclined => {
                change.status = Some(machines.advance(&ledger.status, PaymentEvent::Decline)?);
            }
            EventKind::PaymentVoided => {
                change.status = Some(machines.advance(&ledger.status, PaymentEvent::Void)?);
            }
            EventKind::OrderApproved => {
                change.status = Some(machines.advance(&ledger.status, PaymentEvent::Approve)?);
            }
            EventKind::PaymentCaptured {
                capture_id,
                amount,
                settled,
                captured_at,
            } => {
                same_currency(ledger, *amount)?;
                if index.capture(capture_id).is_some() {
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
                let total = index
                    .captured()
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
                change.status = Some(machines.advance(&ledger.status, step)?);
                let settled_sum = if *settled {
                    index
                        .settled()
                        .checked_add(amount.minor)
                        .map_err(|_| RefundError::overflow("/ledger/captures"))?
                } else {
                    index.settled()
                };
                change.sums = Some((total, settled_sum));
                change.what = Changed::NewCapture(Capture {
                    id: capture_id.clone(),
                    amount: amount.minor,
                    settled: *settled,
                    captured_at: *captured_at,
                });
            }
            EventKind::CaptureSettled { capture_id } => {
                let i = index.capture(capture_id).ok_or_else(|| {
                    RefundError::invalid_input(
                        "/event/capture_id",
                        format!("no capture `{capture_id}` in the ledger"),
                    )
                })?;
                if ledger.captures.get(i).is_none_or(|c| c.settled) {
                    return Err(RefundError::IllegalTransition {
                        machine: "capture".to_owned(),
                        from: "settled".to_owned(),
                        event: "settle".to_owned(),
                    });
                }
                change.status = Some(machines.advance(&ledger.status, PaymentEvent::Settle)?);
                let settled_sum = index
                    .settled()
                    .checked_add(ledger.captures.get(i).map_or(Minor::ZERO, |c| c.amount))
                    .map_err(|_| RefundError::overflow("/ledger/captures"))?;
                change.sums = Some((index.captured(), settled_sum));
                change.what = Changed::Settle(i);
            }
        }
        change.version = ledger
            .version
            .checked_add(1)
            .ok_or_else(|| RefundError::inconsistent("/ledger/version", "version overflow"))?;
        self.check_change(&mut change)?;
        Ok(Some(change))
    }

    /// `check_ledger` on the ledger after `change`, on what it touches only (the rest passed
    /// before and did not move): the same first error, in the same order. Fills in the totals
    /// and line usages the change leads to.
    fn check_change(&self, change: &mut Change) -> Result<(), RefundError> {
        let provider = self.provider;
        let machines = provider.machines();
        let ledger = &self.ledger;
        let index = &self.index;
        // The refund the change adds or moves: position, refund, state before (None: new), after.
        let touched = match &change.what {
            Changed::NewRefund(r) => Some((ledger.refunds.len(), r, None, r.state)),
            Changed::MoveRefund(i, to) => {
                ledger.refunds.get(*i).map(|r| (*i, r, Some(r.state), *to))
            }
            _ => None,
        };
        // `Ledger::check`: the captures and the authorized amount only change through
        // `payment_captured`, whose bounds `prepare` checked.
        let captured = change.sums.map_or(index.captured(), |(c, _)| c);
        if let Some((i, r, before, after)) = touched {
            if before.is_none() {
                self.check_new_refund(i, r)?;
            }
            // The lines of the refund, in line order.
            let counts = |s: RefundState| s == RefundState::Succeeded || s.reserves();
            let mut lines = Vec::with_capacity(r.allocations.len());
            for a in &r.allocations {
                let Some(k) = index.line(&a.line_id) else {
                    continue;
                };
                let mut u = index.usage(k);
                if let Some(b) = before.filter(|b| counts(*b)) {
                    u = u.and_then(|u| u.minus(a, b.reserves()));
                }
                if counts(after) {
                    u = u.and_then(|u| u.plus(a, after.reserves()));
                }
                lines.push((k, u));
            }
            lines.sort_by_key(|(k, _)| *k);
            for (k, u) in &lines {
                ledger.check_line_usage(*k, *u)?;
            }
            change.lines = lines
                .into_iter()
                .filter_map(|(k, u)| u.map(|u| (k, u)))
                .collect();
            // The touched capture's breakdown, then the overall one.
            let capture = match &r.capture_id {
                Some(cid) => {
                    let c = index.capture(cid).ok_or_else(|| {
                        RefundError::inconsistent("/ledger/refunds", format!("no capture `{cid}`"))
                    })?;
                    let t = index
                        .capture_totals(c)
                        .and_then(|t| t.moved(r.amount, before, after));
                    let amount = ledger.captures.get(c).map_or(Minor::ZERO, |c| c.amount);
                    ledger.breakdown_of(t, amount)?;
                    t.map(|t| (c, t))
                }
                None => None,
            };
            let overall = index.overall().moved(r.amount, before, after);
            ledger.breakdown_of(overall, captured)?;
            if let Some(o) = overall {
                change.totals = Some((o, capture));
            }
            // The provider's own rules on the refund.
            provider.check_own_refund_rules(i, r)?;
        } else {
            // A new capture holds no refunds yet; the overall breakdown grows with it.
            ledger.breakdown_of(Some(index.overall()), captured)?;
        }
        if let Some(status) = &change.status {
            machines.check_statuses(status, "/ledger/status")?;
        }
        if let Some((k, status)) = change.ret {
            match provider.return_machine() {
                Some(m) if m.states.contains(&status) => {}
                Some(m) => {
                    return Err(RefundError::invalid_input(
                        format!("/ledger/returns/{k}/status"),
                        format!(
                            "unknown return status `{status}`; expected one of {}",
                            m.states.join(", ")
                        ),
                    ));
                }
                None => {
                    return Err(RefundError::invalid_input(
                        format!("/ledger/returns/{k}/status"),
                        format!("{provider} has no returns"),
                    ));
                }
            }
        }
        if let Some((i, _, _, after)) = touched
            && !machines.refund.has_state(after)
        {
            return Err(RefundError::invalid_input(
                format!("/ledger/refunds/{i}/state"),
                format!("{provider} refunds are never `{after}`"),
            ));
        }
        Ok(())
    }

    /// `Ledger::check` on a new refund at position `i`: positive, a known capture, a new id, a
    /// known return, allocations that hold together.
    fn check_new_refund(&self, i: usize, r: &Refund) -> Result<(), RefundError> {
        let (ledger, index) = (&self.ledger, &self.index);
        if !r.amount.is_positive() {
            return Err(RefundError::invalid_amount(
                format!("/ledger/refunds/{i}/amount"),
                crate::money::format_decimal(r.amount, ledger.currency.exponent()),
                AmountProblem::Zero,
            ));
        }
        if let Some(cid) = &r.capture_id
            && index.capture(cid).is_none()
        {
            return Err(RefundError::inconsistent(
                format!("/ledger/refunds/{i}/capture_id"),
                format!("refund `{}` names the unknown capture `{cid}`", r.id),
            ));
        }
        if index.refund(&r.id).is_some() {
            return Err(RefundError::inconsistent(
                format!("/ledger/refunds/{i}/id"),
                "refund id appears twice",
            ));
        }
        if let Some(rid) = &r.return_id
            && index.return_position(rid).is_none()
        {
            return Err(RefundError::inconsistent(
                format!("/ledger/refunds/{i}/return_id"),
                format!("refund `{}` names the unknown return `{rid}`", r.id),
            ));
        }
        ledger.check_refund_allocations(i, r, |id| index.line(id))
    }

    /// The breakdown of the capture at `i`, from the running totals.
    fn capture_breakdown(&self, i: usize) -> Result<Refundable, RefundError> {
        let amount = self
            .ledger
            .captures
            .get(i)
            .map_or(Minor::ZERO, |c| c.amount);
        self.ledger
            .breakdown_of(self.index.capture_totals(i), amount)
    }

    /// The refund with this id and its position.
    fn refund_at(&self, refund_id: &str) -> Result<(usize, &Refund), RefundError> {
        self.index
            .refund(refund_id)
            .and_then(|i| self.ledger.refunds.get(i).map(|r| (i, r)))
            .ok_or_else(|| {
                RefundError::invalid_input(
                    "/event/refund_id",
                    format!("no refund `{refund_id}` in the ledger"),
                )
            })
    }

    /// [`move_return`] through the index: the return's position and status after `step`.
    fn move_return(
        &self,
        return_id: Option<&str>,
        step: PaymentEvent,
    ) -> Result<Option<(usize, &'static str)>, RefundError> {
        let Some(rid) = return_id else {
            return Ok(None);
        };
        let provider = self.provider;
        let machine = provider.return_machine().ok_or_else(|| {
            RefundError::invalid_input(
                "/event/return_id",
                format!("{provider} refunds do not refund returns"),
            )
        })?;
        let (k, ret) = self
            .index
            .return_position(rid)
            .and_then(|k| self.ledger.returns.get(k).map(|r| (k, r)))
            .ok_or_else(|| {
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
        Ok(Some((k, machine.next(from, step)?)))
    }

    /// Writes a checked change.
    fn commit(&mut self, change: Change, event: &Event) {
        let Change {
            what,
            status,
            ret,
            totals,
            lines,
            sums,
            version,
        } = change;
        let (ledger, index) = (&mut self.ledger, &mut self.index);
        match what {
            Changed::Nothing => {}
            Changed::NewRefund(r) => {
                index.record_refund(&r.id, ledger.refunds.len());
                ledger.refunds.push(r);
            }
            Changed::MoveRefund(i, to) => {
                if let Some(r) = ledger.refunds.get_mut(i) {
                    r.state = to;
                }
            }
            Changed::NewCapture(c) => {
                index.record_capture(&c.id, ledger.captures.len());
                ledger.captures.push(c);
            }
            Changed::Settle(i) => {
                if let Some(c) = ledger.captures.get_mut(i) {
                    c.settled = true;
                }
            }
        }
        if let Some((captured, settled)) = sums {
            index.set_sums(captured, settled);
        }
        if let Some((overall, capture)) = totals {
            index.set_totals(overall, capture);
        }
        for (k, u) in lines {
            index.set_usage(k, u);
        }
        if let Some(s) = status {
            ledger.status = s;
        }
        if let Some((k, s)) = ret
            && let Some(r) = ledger.returns.get_mut(k)
        {
            s.clone_into(&mut r.status);
        }
        ledger.version = version;
        index.record_event(&event.id, ledger.applied_events.len());
        ledger
            .applied_events
            .push(event.kind.recorded_as(&event.id));
    }
}
