//! Events and `apply`: the only way a ledger moves.
//!
//! `apply` is pure: it returns a new ledger. It checks the event id (a re-applied event is a
//! no-op), the expected version (compare-and-swap), every amount ceiling, and the provider's
//! transition tables; it never lets a ledger refund more than was captured.

use serde::{Deserialize, Serialize, Serializer, ser::SerializeMap};

use crate::error::RefundError;
use crate::ledger::{Allocation, AllocationDoc, AppliedEvent, RefundState, ledger_amount};
use crate::money::{Currency, Money};
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
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "event")
)]
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
    #[cfg_attr(
        feature = "schema",
        schemars(with = "Option<crate::schema_types::Decimal>")
    )]
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
