//! Events and `apply`: the only way a ledger moves.
//!
//! `apply` is pure: it returns a new ledger. It checks the event id (a re-applied event is a
//! no-op), the expected version (compare-and-swap), every amount ceiling, and the provider's
//! transition tables; it never lets a ledger refund more than was captured.

use serde::{Deserialize, Serialize, Serializer, ser::SerializeMap};

use crate::error::RefundError;
use crate::ledger::{
    Allocation, AllocationDoc, AppliedEvent, Capture, Ledger, Refund, RefundState, Statuses,
    ledger_amount,
};
use crate::machine::{PaymentEvent, RefundEvent};
use crate::money::{AmountProblem, Currency, Money};
use crate::provider::Provider;
use crate::time::Timestamp;

/// Something that happened to a payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Unique event id; applying the same id twice is a no-op.
    pub id: String,
    /// The ledger version the event was planned on; a different version is a conflict.
    pub expected_version: Option<u64>,
    /// What happened.
    pub kind: EventKind,
}

/// The kinds of event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    /// A refund was created at the provider.
    RefundCreated {
        /// New refund id.
        refund_id: String,
        /// Amount.
        amount: Money,
        /// The state it was created in.
        state: RefundState,
        /// The capture it refunds, if per-capture.
        capture_id: Option<String>,
        /// Idempotency key it was created with.
        idempotency_key: Option<String>,
        /// Canonical request rendering (for key-reuse checks).
        fingerprint: Option<String>,
        /// The return it refunds (Commerce Layer returns).
        return_id: Option<String>,
        /// How the refund is spread over the order lines (empty when the ledger has none).
        allocations: Vec<Allocation>,
    },
    /// A refund succeeded.
    RefundSucceeded {
        /// Refund id.
        refund_id: String,
    },
    /// A refund failed.
    RefundFailed {
        /// Refund id.
        refund_id: String,
    },
    /// A refund expired.
    RefundExpired {
        /// Refund id.
        refund_id: String,
    },
    /// Authentication passed (e.g. SimplePS `CHALLENGE` → `AUTHORIZED`).
    PaymentAuthorized,
    /// Authorization declined.
    PaymentDeclined,
    /// Funds captured.
    PaymentCaptured {
        /// Capture id.
        capture_id: String,
        /// Amount.
        amount: Money,
        /// Already settled.
        settled: bool,
        /// When.
        captured_at: Option<Timestamp>,
    },
    /// A capture settled.
    CaptureSettled {
        /// Capture id.
        capture_id: String,
    },
    /// The authorization was voided.
    PaymentVoided,
    /// The merchant approved the order (Commerce Layer `placed` → `approved`).
    OrderApproved,
}

pub use crate::ledger::EventType;

/// The JSON form of an [`Event`]: one flat object with a `type`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventDoc {
    /// Event id.
    pub id: String,
    /// Event type.
    #[serde(rename = "type")]
    pub event_type: EventType,
    /// Expected ledger version.
    #[serde(default)]
    pub expected_version: Option<u64>,
    /// Refund id (refund events).
    #[serde(default)]
    pub refund_id: Option<String>,
    /// Capture id (capture events; optional on `refund_created`).
    #[serde(default)]
    pub capture_id: Option<String>,
    /// Decimal amount (`refund_created`, `payment_captured`).
    #[serde(default)]
    pub amount: Option<String>,
    /// Initial refund state (`refund_created`).
    #[serde(default)]
    pub state: Option<RefundState>,
    /// Settled flag (`payment_captured`).
    #[serde(default)]
    pub settled: Option<bool>,
    /// Capture time (`payment_captured`).
    #[serde(default)]
    pub captured_at: Option<Timestamp>,
    /// Idempotency key (`refund_created`).
    #[serde(default)]
    pub idempotency_key: Option<String>,
    /// Request fingerprint (`refund_created`).
    #[serde(default)]
    pub fingerprint: Option<String>,
    /// Return id (`refund_created`, for refunds of a return).
    #[serde(default)]
    pub return_id: Option<String>,
    /// Allocations over the order lines (`refund_created`).
    #[serde(default)]
    pub allocations: Option<Vec<AllocationDoc>>,
}

impl EventDoc {
    /// Converts to a typed event in the ledger's currency; `base` is this document's pointer.
    pub fn into_event(self, currency: Currency, base: &str) -> Result<Event, RefundError> {
        let t = self.event_type;
        let name = serde_json::to_value(t)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let need = |v: Option<String>, field: &str| {
            v.ok_or_else(|| {
                RefundError::invalid_input(
                    format!("{base}/{field}"),
                    format!("`{field}` is required for `{name}` events"),
                )
            })
        };
        let forbid = |present: bool, field: &str| {
            if present {
                Err(RefundError::invalid_input(
                    format!("{base}/{field}"),
                    format!("`{field}` does not apply to `{name}` events"),
                ))
            } else {
                Ok(())
            }
        };
        let money = |text: String, field: &str| {
            ledger_amount(&text, currency, &format!("{base}/{field}"))
                .map(|m| Money::new(m, currency))
        };
        let refund_only = matches!(t, EventType::RefundCreated);
        forbid(self.state.is_some() && !refund_only, "state")?;
        forbid(
            self.idempotency_key.is_some() && !refund_only,
            "idempotency_key",
        )?;
        forbid(self.fingerprint.is_some() && !refund_only, "fingerprint")?;
        forbid(self.return_id.is_some() && !refund_only, "return_id")?;
        forbid(self.allocations.is_some() && !refund_only, "allocations")?;
        let capture_event = matches!(t, EventType::PaymentCaptured);
        forbid(self.settled.is_some() && !capture_event, "settled")?;
        forbid(self.captured_at.is_some() && !capture_event, "captured_at")?;
        forbid(
            self.amount.is_some() && !(refund_only || capture_event),
            "amount",
        )?;
        let refund_event = matches!(
            t,
            EventType::RefundCreated
                | EventType::RefundSucceeded
                | EventType::RefundFailed
                | EventType::RefundExpired
        );
        forbid(self.refund_id.is_some() && !refund_event, "refund_id")?;
        let takes_capture = matches!(
            t,
            EventType::RefundCreated | EventType::PaymentCaptured | EventType::CaptureSettled
        );
        forbid(self.capture_id.is_some() && !takes_capture, "capture_id")?;
        let kind = match t {
            EventType::RefundCreated => EventKind::RefundCreated {
                refund_id: need(self.refund_id, "refund_id")?,
                amount: money(need(self.amount, "amount")?, "amount")?,
                state: self.state.ok_or_else(|| {
                    RefundError::invalid_input(
                        format!("{base}/state"),
                        "`state` is required for `refund_created` events",
                    )
                })?,
                capture_id: self.capture_id,
                idempotency_key: self.idempotency_key,
                fingerprint: self.fingerprint,
                return_id: self.return_id,
                allocations: self
                    .allocations
                    .unwrap_or_default()
                    .into_iter()
                    .enumerate()
                    .map(|(i, a)| a.into_allocation(currency, &format!("{base}/allocations/{i}")))
                    .collect::<Result<Vec<_>, RefundError>>()?,
            },
            EventType::RefundSucceeded => EventKind::RefundSucceeded {
                refund_id: need(self.refund_id, "refund_id")?,
            },
            EventType::RefundFailed => EventKind::RefundFailed {
                refund_id: need(self.refund_id, "refund_id")?,
            },
            EventType::RefundExpired => EventKind::RefundExpired {
                refund_id: need(self.refund_id, "refund_id")?,
            },
            EventType::PaymentAuthorized => EventKind::PaymentAuthorized,
            EventType::PaymentDeclined => EventKind::PaymentDeclined,
            EventType::PaymentCaptured => EventKind::PaymentCaptured {
                capture_id: need(self.capture_id, "capture_id")?,
                amount: money(need(self.amount, "amount")?, "amount")?,
                settled: self.settled.unwrap_or(false),
                captured_at: self.captured_at,
            },
            EventType::CaptureSettled => EventKind::CaptureSettled {
                capture_id: need(self.capture_id, "capture_id")?,
            },
            EventType::PaymentVoided => EventKind::PaymentVoided,
            EventType::OrderApproved => EventKind::OrderApproved,
        };
        Ok(Event {
            id: self.id,
            expected_version: self.expected_version,
            kind,
        })
    }
}

impl EventKind {
    /// The JSON type name.
    pub fn event_type(&self) -> EventType {
        match self {
            Self::RefundCreated { .. } => EventType::RefundCreated,
            Self::RefundSucceeded { .. } => EventType::RefundSucceeded,
            Self::RefundFailed { .. } => EventType::RefundFailed,
            Self::RefundExpired { .. } => EventType::RefundExpired,
            Self::PaymentAuthorized => EventType::PaymentAuthorized,
            Self::PaymentDeclined => EventType::PaymentDeclined,
            Self::PaymentCaptured { .. } => EventType::PaymentCaptured,
            Self::CaptureSettled { .. } => EventType::CaptureSettled,
            Self::PaymentVoided => EventType::PaymentVoided,
            Self::OrderApproved => EventType::OrderApproved,
        }
    }
}

impl Serialize for Event {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("id", &self.id)?;
        m.serialize_entry("type", &self.kind.event_type())?;
        if let Some(v) = self.expected_version {
            m.serialize_entry("expected_version", &v)?;
        }
        match &self.kind {
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
                m.serialize_entry("refund_id", refund_id)?;
                m.serialize_entry("amount", amount)?;
                m.serialize_entry("state", state)?;
                if let Some(c) = capture_id {
                    m.serialize_entry("capture_id", c)?;
                }
                if let Some(k) = idempotency_key {
                    m.serialize_entry("idempotency_key", k)?;
                }
                if let Some(f) = fingerprint {
                    m.serialize_entry("fingerprint", f)?;
                }
                if let Some(r) = return_id {
                    m.serialize_entry("return_id", r)?;
                }
                if !allocations.is_empty() {
                    let docs: Vec<AllocationDoc> = allocations
                        .iter()
                        .map(|a| AllocationDoc::from_allocation(a, amount.currency))
                        .collect();
                    m.serialize_entry("allocations", &docs)?;
                }
            }
            EventKind::RefundSucceeded { refund_id }
            | EventKind::RefundFailed { refund_id }
            | EventKind::RefundExpired { refund_id } => {
                m.serialize_entry("refund_id", refund_id)?;
            }
            EventKind::PaymentCaptured {
                capture_id,
                amount,
                settled,
                captured_at,
            } => {
                m.serialize_entry("capture_id", capture_id)?;
                m.serialize_entry("amount", amount)?;
                m.serialize_entry("settled", settled)?;
                if let Some(t) = captured_at {
                    m.serialize_entry("captured_at", t)?;
                }
            }
            EventKind::CaptureSettled { capture_id } => {
                m.serialize_entry("capture_id", capture_id)?;
            }
            EventKind::PaymentAuthorized
            | EventKind::PaymentDeclined
            | EventKind::PaymentVoided
            | EventKind::OrderApproved => {}
        }
        m.end()
    }
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
    crate::provider::check_ledger(provider, ledger)?;
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
                .map_err(|p| RefundError::invalid_amount("/event/amount", "", p))?;
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
                .map_err(|p| RefundError::invalid_amount("/event/amount", "", p))?;
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
    crate::provider::check_ledger(provider, &next)?;
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

/// `RefundFull` when, counting succeeded refunds, nothing captured is left; else `RefundPartial`.
pub(crate) fn refund_event(ledger: &Ledger) -> Result<PaymentEvent, RefundError> {
    let r = ledger.refundable()?;
    Ok(if r.refunded == r.captured {
        PaymentEvent::RefundFull
    } else {
        PaymentEvent::RefundPartial
    })
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

impl EventKind {
    /// How the ledger records this event under `id`.
    pub fn recorded_as(&self, id: &str) -> AppliedEvent {
        let (refund_id, capture_id) = match self {
            Self::RefundCreated {
                refund_id,
                capture_id,
                ..
            } => (Some(refund_id.clone()), capture_id.clone()),
            Self::RefundSucceeded { refund_id }
            | Self::RefundFailed { refund_id }
            | Self::RefundExpired { refund_id } => (Some(refund_id.clone()), None),
            Self::PaymentCaptured { capture_id, .. } | Self::CaptureSettled { capture_id } => {
                (None, Some(capture_id.clone()))
            }
            Self::PaymentAuthorized
            | Self::PaymentDeclined
            | Self::PaymentVoided
            | Self::OrderApproved => (None, None),
        };
        AppliedEvent {
            id: id.to_owned(),
            event_type: Some(self.event_type()),
            refund_id,
            capture_id,
        }
    }
}
