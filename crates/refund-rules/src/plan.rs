//! The decision: what to send to the provider, for how much, and what the payment becomes.

use serde::Serialize;
use serde_json::value::RawValue;

use crate::error::RefundError;
use crate::event::{Event, EventKind};
use crate::id::Provider;
use crate::ledger::{Ledger, LedgerIndex, LineUsage, RefundState, Refundable, Statuses};
use crate::machine::{PaymentEvent, ProviderMachines, StatusesAfter};
use crate::money::{AmountProblem, Money};
use crate::time::Timestamp;

pub use crate::id::{Operation, RefundKind};

/// The HTTP call to make at the provider.
#[derive(Debug, Clone, Serialize)]
pub struct ProviderCall {
    /// HTTP method.
    pub method: &'static str,
    /// Path, with the payment id filled in where the ledger has one.
    pub path: String,
    /// The body to send (amounts as exact JSON numbers), if any.
    pub body: Option<Box<RawValue>>,
}

/// A response in the provider's own shape.
#[derive(Debug, Clone, Serialize)]
pub struct ProviderResponse {
    /// HTTP status.
    pub http_status: u16,
    /// The body (amounts as exact JSON numbers).
    pub body: Box<RawValue>,
}

/// Caller inputs that are not part of the provider's request body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanContext {
    /// The current instant, for time-bound rules. Never read from a clock.
    pub now: Option<Timestamp>,
    /// The id to give the new refund (default: `refund_<n>`, the first unused).
    pub refund_id: Option<String>,
}

/// A planned refund (or the void/cancel that replaces it).
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// The provider.
    pub provider: Provider,
    /// The operation to send.
    pub operation: Operation,
    /// Full or partial.
    pub kind: RefundKind,
    /// The amount.
    pub amount: Money,
    /// The breakdown before the refund.
    pub refundable: Refundable,
    /// What stays available once this refund succeeds.
    pub remaining_after: Money,
    /// The provider statuses once this refund succeeds.
    pub status_after: Statuses,
    /// The state the new refund starts in.
    pub refund_state: Option<RefundState>,
    /// The ledger version the plan was made on.
    pub version: u64,
    /// The event to apply once the provider accepts the call (carries `expected_version`).
    pub event: Option<Event>,
    /// The call to make.
    pub provider_call: ProviderCall,
    /// What the provider answers on success.
    pub provider_response: Option<ProviderResponse>,
    /// True when this repeats an earlier decision (idempotent replay): nothing new to apply.
    pub replay: bool,
    /// Which rules decided, in order.
    pub explanation: Vec<String>,
}

/// Resolves the refund amount against the breakdown.
///
/// No amount means the whole available amount. Zero is refused, nothing available is
/// `already_fully_refunded`, and above the available amount is `exceeds_refundable`.
#[inline]
pub(crate) fn resolve_amount(
    requested: Option<Money>,
    refundable: &Refundable,
    amount_pointer: &str,
) -> Result<(Money, RefundKind), RefundError> {
    let available = refundable.available_money();
    let amount = match requested {
        None => {
            if !available.minor.is_positive() {
                return Err(RefundError::AlreadyFullyRefunded {
                    refundable: *refundable,
                });
            }
            available
        }
        Some(m) => {
            if !m.minor.is_positive() {
                return Err(RefundError::invalid_amount(
                    amount_pointer,
                    m.to_decimal_string(),
                    AmountProblem::Zero,
                ));
            }
            if !available.minor.is_positive() {
                return Err(RefundError::AlreadyFullyRefunded {
                    refundable: *refundable,
                });
            }
            if m.minor > available.minor {
                return Err(RefundError::ExceedsRefundable {
                    requested: m,
                    refundable: *refundable,
                });
            }
            m
        }
    };
    let kind = if amount.minor == available.minor {
        RefundKind::Full
    } else {
        RefundKind::Partial
    };
    Ok((amount, kind))
}

/// The caller's refund id, or the first `refund_<n>` that is unused. A refund id names one
/// refund: a caller's id that the ledger already has (as a refund, or as the `<id>.created`
/// event the plan would emit) is `idempotency_conflict`, never a plan whose event cannot apply.
pub(crate) fn new_refund_id(ledger: &Ledger, ctx: &PlanContext) -> Result<String, RefundError> {
    let event_taken = |id: &str| {
        let event = created_event_id(id);
        ledger.applied_events.iter().any(|a| a.id == event)
    };
    if let Some(id) = &ctx.refund_id {
        if ledger.refund(id).is_some() || event_taken(id) {
            return Err(RefundError::IdempotencyConflict { key: id.clone() });
        }
        return Ok(id.clone());
    }
    let mut n = ledger.refunds.len().saturating_add(1);
    let first = format!("refund_{n}");
    if ledger.refund(&first).is_none() && !event_taken(&first) {
        return Ok(first);
    }
    // Taken (ids the engine did not choose): probe sets, not the lists, so that ledgers holding
    // ids `refund_{len+1}`… stay linear instead of one scan per probe.
    let refunds: std::collections::HashSet<&str> =
        ledger.refunds.iter().map(|r| r.id.as_str()).collect();
    let events: std::collections::HashSet<&str> = ledger
        .applied_events
        .iter()
        .map(|a| a.id.as_str())
        .collect();
    loop {
        n = n.saturating_add(1);
        let candidate = format!("refund_{n}");
        if !refunds.contains(candidate.as_str())
            && !events.contains(created_event_id(&candidate).as_str())
        {
            return Ok(candidate);
        }
    }
}

/// The id of the `refund_created` event a plan emits for refund `refund_id`.
pub(crate) fn created_event_id(refund_id: &str) -> String {
    format!("{refund_id}.created")
}

/// The parts of a refund plan that every provider computes the same way.
#[derive(Debug, Clone)]
pub(crate) struct RefundOutline {
    /// The amount and full/partial.
    pub amount: Money,
    /// Full or partial.
    pub kind: RefundKind,
    /// The breakdown before.
    pub refundable: Refundable,
    /// Available after success.
    pub remaining_after: Money,
    /// Statuses after success.
    pub status_after: Statuses,
    /// The event to apply.
    pub event: Event,
}

/// What a provider decided about a new refund, before the common bookkeeping.
#[derive(Debug, Clone)]
pub(crate) struct RefundDraft {
    /// The amount.
    pub amount: Money,
    /// Full or partial.
    pub kind: RefundKind,
    /// The state the refund is created in.
    pub state: RefundState,
    /// The capture it refunds, for per-capture providers.
    pub capture_id: Option<String>,
}

/// Outlines a refund of `amount` created in `state`: remaining amount, statuses after success
/// (through the provider's tables) and the `refund_created` event to apply.
pub(crate) fn outline_refund(
    machines: &ProviderMachines,
    ledger: &Ledger,
    ctx: &PlanContext,
    refundable: Refundable,
    draft: RefundDraft,
) -> Result<RefundOutline, RefundError> {
    let RefundDraft {
        amount,
        kind,
        state,
        capture_id,
    } = draft;
    let overall = ledger.refundable()?;
    let refunded_after = overall
        .refunded
        .checked_add(amount.minor)
        .map_err(|_| RefundError::overflow("/request"))?;
    let step = if refunded_after == overall.captured {
        PaymentEvent::RefundFull
    } else {
        PaymentEvent::RefundPartial
    };
    let status_after = machines.advance(&ledger.status, step)?;
    let remaining = refundable
        .available
        .checked_sub(amount.minor)
        .map_err(|_| RefundError::overflow("/request"))?;
    let refund_id = new_refund_id(ledger, ctx)?;
    let event = Event {
        id: created_event_id(&refund_id),
        expected_version: Some(ledger.version),
        kind: EventKind::RefundCreated {
            refund_id,
            amount,
            state,
            capture_id,
            idempotency_key: None,
            fingerprint: None,
            return_id: None,
            allocations: Vec::new(),
        },
    };
    Ok(RefundOutline {
        amount,
        kind,
        refundable,
        remaining_after: Money::new(remaining, ledger.currency),
        status_after,
        event,
    })
}

impl Plan {
    /// A refund plan from an outline.
    pub(crate) fn from_outline(
        provider: Provider,
        ledger: &Ledger,
        outline: RefundOutline,
        state: RefundState,
        provider_call: ProviderCall,
        provider_response: Option<ProviderResponse>,
        explanation: Vec<String>,
    ) -> Self {
        Plan {
            provider,
            operation: Operation::Refund,
            kind: outline.kind,
            amount: outline.amount,
            refundable: outline.refundable,
            remaining_after: outline.remaining_after,
            status_after: outline.status_after,
            refund_state: Some(state),
            version: ledger.version,
            event: Some(outline.event),
            provider_call,
            provider_response,
            replay: false,
            explanation,
        }
    }
}

/// A ledger that passed every check of one provider, with its running totals: whoever holds
/// one decides without validating or summing the refunds again. Only the engine makes one
/// (`engine::validate`), right after the provider's full ledger check.
#[derive(Debug, Clone, Copy)]
pub struct ValidLedger<'a> {
    ledger: &'a Ledger,
    provider: Provider,
    all: Refundable,
    maximum: Refundable,
    /// The current statuses as the provider's tables name them.
    statuses: StatusesAfter,
    /// The last instant the provider's time-bound rule lets a refund through, when `validate`
    /// measured one ([`crate::provider::Provider::valid_until`]).
    window_end: Option<Timestamp>,
}

impl<'a> ValidLedger<'a> {
    /// Totals of a ledger the caller has just checked for `provider` with its `machines` (the
    /// engine, or a provider's `plan`, which the engine only calls on checked ledgers).
    pub(crate) fn after_check(
        provider: Provider,
        machines: &'static ProviderMachines,
        ledger: &'a Ledger,
    ) -> Result<Self, RefundError> {
        let all = ledger.refundable()?;
        let maximum = if machines.refunds_settled_only {
            ledger.refundable_settled()?
        } else {
            all
        };
        let statuses = machines.statuses_as_static(&ledger.status).ok_or_else(|| {
            RefundError::inconsistent("/ledger/status", "a status is not in the provider's tables")
        })?;
        Ok(Self {
            ledger,
            provider,
            all,
            maximum,
            statuses,
            window_end: None,
        })
    }

    /// The same ledger with its time-bound rule's last instant, measured once by the engine.
    pub(crate) fn with_window_end(self, end: Timestamp) -> Self {
        Self {
            window_end: Some(end),
            ..self
        }
    }

    /// The last instant the provider's time-bound rule (Fiserv's 12-month window) lets a
    /// refund of this ledger through, when `validate` measured one; `None` otherwise.
    #[inline]
    pub fn window_end(&self) -> Option<Timestamp> {
        self.window_end
    }

    /// The ledger.
    #[inline]
    pub fn ledger(&self) -> &'a Ledger {
        self.ledger
    }

    /// The provider it was checked for.
    #[inline]
    pub fn provider(&self) -> Provider {
        self.provider
    }

    /// The breakdown over all captures.
    #[inline]
    pub fn refundable_all(&self) -> Refundable {
        self.all
    }

    /// The provider's one maximum (settled captures only where the provider refunds settled
    /// money only): what `Provider::refundable` reports.
    #[inline]
    pub fn maximum(&self) -> Refundable {
        self.maximum
    }

    /// The ledger's statuses as the provider's tables name them: the tables step from these
    /// without looking states up by name ([`ProviderMachines::advance_from`]).
    #[inline]
    pub fn statuses(&self) -> StatusesAfter {
        self.statuses
    }
}

impl<'a> ValidLedger<'a> {
    /// A view of a ledger whose totals the caller already holds (an owned
    /// [`ValidatedLedger`]).
    pub(crate) fn from_parts(
        ledger: &'a Ledger,
        provider: Provider,
        all: Refundable,
        maximum: Refundable,
        statuses: StatusesAfter,
    ) -> Self {
        Self {
            ledger,
            provider,
            all,
            maximum,
            statuses,
            window_end: None,
        }
    }
}

/// The owned form of [`ValidLedger`] for a stream of events: a ledger that passed every check of
/// one provider, with the indexes (ids → positions) and running totals (per capture, overall,
/// settled, per line) that let [`ValidatedLedger::apply`] re-check only what an event changes.
///
/// It can only exist validated: [`ValidatedLedger::new`] runs the provider's full ledger check
/// once, and `apply` either moves it to the next ledger that the full check accepts (with the
/// same totals, property `tests/apply_incremental.rs`) or refuses the event and leaves it as it
/// was. Each step costs O(what the event touches), so a sequence of n events costs O(n) instead
/// of the O(n²) of calling [`crate::engine::apply`] on each ledger in turn.
///
/// ```
/// use refund_rules::{Event, EventKind, Ledger, Money, Provider, Statuses, ValidatedLedger};
/// use refund_rules::money::Currency;
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let usd = Currency::from_code("USD")?;
/// let status = Statuses { payment: "AUTHORIZED".into(), order: None, fulfillment: None };
/// let ledger = Ledger::new(usd, refund_rules::parse_money("100.00", usd)?.minor, status);
/// let mut valid = ValidatedLedger::new(Provider::SimplePs, ledger)?;
/// let capture = Event {
///     id: "ev_1".into(),
///     expected_version: Some(0),
///     kind: EventKind::PaymentCaptured {
///         capture_id: "cap_1".into(),
///         amount: refund_rules::parse_money("100.00", usd)?,
///         settled: true,
///         captured_at: None,
///     },
/// };
/// let step = valid.apply(&capture)?;
/// assert!(!step.duplicate);
/// assert_eq!(valid.ledger().status.payment, "CAPTURED");
/// assert_eq!(valid.refundable_all()?.available, refund_rules::parse_money("100.00", usd)?.minor);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct ValidatedLedger {
    pub(crate) ledger: Ledger,
    pub(crate) provider: Provider,
    pub(crate) index: LedgerIndex,
}

impl ValidatedLedger {
    /// Indexes a ledger the caller has just checked for `provider`.
    pub(crate) fn after_check(provider: Provider, ledger: Ledger) -> Result<Self, RefundError> {
        let index = LedgerIndex::new(&ledger)?;
        Ok(Self {
            ledger,
            provider,
            index,
        })
    }

    /// The ledger.
    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// The ledger, to persist.
    pub fn into_ledger(self) -> Ledger {
        self.ledger
    }

    /// The provider it was checked for.
    pub fn provider(&self) -> Provider {
        self.provider
    }

    /// The breakdown over all captures ([`Ledger::refundable`]), from the running totals.
    pub fn refundable_all(&self) -> Result<Refundable, RefundError> {
        self.ledger
            .breakdown_of(Some(self.index.overall()), self.index.captured())
    }

    /// The provider's one maximum ([`Provider::refundable`]), from the running totals. An error
    /// where the provider refunds settled money only and the refunds exceed the settled
    /// captures.
    pub fn maximum(&self) -> Result<Refundable, RefundError> {
        let captured = if self.provider.machines().refunds_settled_only {
            self.index.settled()
        } else {
            self.index.captured()
        };
        self.ledger
            .breakdown_of(Some(self.index.overall()), captured)
    }

    /// The breakdown of one capture ([`Ledger::refundable_for_capture`]), from the running
    /// totals; `None` when the ledger has no such capture.
    pub fn capture_refundable(&self, capture_id: &str) -> Option<Result<Refundable, RefundError>> {
        let i = self.index.capture(capture_id)?;
        let amount = self.ledger.captures.get(i)?.amount;
        Some(
            self.ledger
                .breakdown_of(self.index.capture_totals(i), amount),
        )
    }

    /// What succeeded and pending refunds took from a line ([`Ledger::line_usage`]), from the
    /// running totals; `None` when the ledger has no such line.
    pub fn line_usage(&self, line_id: &str) -> Option<LineUsage> {
        self.index.line(line_id).and_then(|i| self.index.usage(i))
    }
}

/// What [`ValidatedLedger::apply`] did (the ledger itself moved in place).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedStep {
    /// True when the event id had already been applied: nothing changed.
    pub duplicate: bool,
    /// The statuses before the event.
    pub status_before: Statuses,
}

/// A rule that fired in a decision: a static identifier (`"SP1.captured_only"`) and its source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// Stable identifier.
    pub id: &'static str,
    /// The provider page (or research note) it comes from.
    pub source: &'static str,
}

/// What `plan` decides, before anything is rendered: no text, no bodies, no event, no heap
/// allocation. `engine::decide` returns it; `plan` renders a [`Plan`] from the same decision.
/// JSON (`"render": "decision"`): the fields by name, `rules` as their ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// The provider.
    pub provider: Provider,
    /// What to send.
    pub operation: Operation,
    /// Full or partial.
    pub kind: RefundKind,
    /// The amount.
    pub amount: Money,
    /// The breakdown the amount was measured in.
    pub refundable: Refundable,
    /// What stays available after it.
    pub remaining_after: Money,
    /// The statuses after success.
    pub status_after: StatusesAfter,
    /// The refund's state after the call, for refunds.
    pub refund_state: Option<RefundState>,
    /// The rules that fired, in order.
    pub rules: &'static [Rule],
    /// True when this is an earlier refund answered again (an idempotent replay): nothing new
    /// moves.
    pub replay: bool,
}

impl Decision {
    /// The decision inside a rendered plan (what `decide` returns, but `rules`, which a plan
    /// does not keep): tests compare the two.
    pub fn of_plan(plan: &Plan, machines: &'static ProviderMachines) -> Result<Self, RefundError> {
        let status_after = machines
            .statuses_as_static(&plan.status_after)
            .ok_or_else(|| {
                RefundError::inconsistent("/ledger/status", "a plan left the provider's tables")
            })?;
        Ok(Self {
            provider: plan.provider,
            operation: plan.operation,
            kind: plan.kind,
            amount: plan.amount,
            refundable: plan.refundable,
            remaining_after: plan.remaining_after,
            status_after,
            refund_state: plan.refund_state,
            rules: &[],
            replay: plan.replay,
        })
    }
}

impl Serialize for Decision {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Decision", 10)?;
        st.serialize_field("provider", &self.provider)?;
        st.serialize_field("operation", &self.operation)?;
        st.serialize_field("kind", &self.kind)?;
        st.serialize_field("amount", &self.amount)?;
        st.serialize_field("refundable", &self.refundable)?;
        st.serialize_field("remaining_after", &self.remaining_after)?;
        st.serialize_field("status_after", &self.status_after.to_statuses())?;
        st.serialize_field("refund_state", &self.refund_state)?;
        let rules: Vec<&str> = self.rules.iter().map(|r| r.id).collect();
        st.serialize_field("rules", &rules)?;
        st.serialize_field("replay", &self.replay)?;
        st.end()
    }
}

/// Where a provider's rules write the lines of a plan's explanation. A plan collects them
/// (`Vec<String>`); a decision passes [`NoNotes`], so the closures never run and nothing is
/// formatted or allocated. One set of rules serves both.
pub(crate) trait Notes {
    /// Adds the line `line` builds (only built when the lines are kept).
    fn note(&mut self, line: impl FnOnce() -> String);
}

impl Notes for Vec<String> {
    fn note(&mut self, line: impl FnOnce() -> String) {
        self.push(line());
    }
}

/// Explanation lines nobody reads: [`Notes`] for `decide`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct NoNotes;

impl Notes for NoNotes {
    fn note(&mut self, _line: impl FnOnce() -> String) {}
}

/// The decision part of [`outline_refund`], allocating nothing: the same status step (sized by
/// the breakdown over all captures), the same statuses after and the same remaining amount,
/// with the same errors.
#[inline]
pub(crate) fn refund_decision(
    machines: &'static ProviderMachines,
    valid: &ValidLedger<'_>,
    refundable: Refundable,
    draft: (Money, RefundKind, RefundState),
    rules: &'static [Rule],
) -> Result<Decision, RefundError> {
    let (amount, kind, state) = draft;
    let overall = valid.refundable_all();
    let refunded_after = overall
        .refunded
        .checked_add(amount.minor)
        .map_err(|_| RefundError::overflow("/request"))?;
    let step = if refunded_after == overall.captured {
        PaymentEvent::RefundFull
    } else {
        PaymentEvent::RefundPartial
    };
    let status_after = machines.advance_from(valid.statuses(), step)?;
    let remaining = refundable
        .available
        .checked_sub(amount.minor)
        .map_err(|_| RefundError::overflow("/request"))?;
    Ok(Decision {
        provider: valid.provider(),
        operation: Operation::Refund,
        kind,
        amount,
        refundable,
        remaining_after: Money::new(remaining, refundable.currency),
        status_after,
        refund_state: Some(state),
        rules,
        replay: false,
    })
}
