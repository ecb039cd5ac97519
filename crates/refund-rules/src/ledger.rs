//! The canonical, provider-neutral payment ledger and its [`Refundable`] breakdown.
//!
//! A ledger is what a caller persists per payment: captures, refunds with their states, the
//! provider statuses, and a `version` for compare-and-swap. Pending refunds reserve balance;
//! failed and expired ones release it.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize, Serializer};

use crate::allocation::Percent;
pub use crate::breakdown::{AmountStage, Refundable};
use crate::error::RefundError;
use crate::money::{AmountProblem, Currency, Minor, Money, format_decimal, parse_money};
use crate::time::Timestamp;

/// The canonical refund states. Providers map their native states onto these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "refund_state")
)]
#[serde(rename_all = "snake_case")]
pub enum RefundState {
    /// Waiting for the customer to supply data (Digital River async methods). Reserves.
    PendingInformation,
    /// Sent, not yet confirmed. Reserves.
    Pending,
    /// Money returned. Counts as refunded.
    Succeeded,
    /// Failed. Releases its reservation.
    Failed,
    /// Expired before completion. Releases its reservation.
    Expired,
}

impl RefundState {
    /// All states.
    pub const ALL: [RefundState; 5] = [
        Self::PendingInformation,
        Self::Pending,
        Self::Succeeded,
        Self::Failed,
        Self::Expired,
    ];

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PendingInformation => "pending_information",
            Self::Pending => "pending",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Expired => "expired",
        }
    }

    /// True for states that hold back balance until they resolve.
    pub fn reserves(self) -> bool {
        matches!(self, Self::PendingInformation | Self::Pending)
    }
}

impl core::fmt::Display for RefundState {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The provider's own statuses for the payment (and, where the provider has them, the order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "statuses")
)]
#[serde(deny_unknown_fields)]
pub struct Statuses {
    /// The payment status in the provider's own words (`CAPTURED`, `paid`…).
    pub payment: String,
    /// The order status, for providers with orders (Commerce Layer `status`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<String>,
    /// The fulfillment status, for providers that move it on refunds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fulfillment: Option<String>,
}

/// A capture of funds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capture {
    /// The capture id.
    pub id: String,
    /// The captured amount.
    pub amount: Minor,
    /// True once the capture is settled (batched) at the provider.
    pub settled: bool,
    /// When it was captured, if known.
    pub captured_at: Option<Timestamp>,
}

/// What an order line is: the goods themselves or one of the charges around them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "line_kind")
)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    /// Goods (an order item).
    Product,
    /// A shipping charge.
    Shipping,
    /// A customs duty.
    Duty,
    /// An importer tax.
    ImporterTax,
    /// A regulatory fee.
    Fees,
}

impl LineKind {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Product => "product",
            Self::Shipping => "shipping",
            Self::Duty => "duty",
            Self::ImporterTax => "importer_tax",
            Self::Fees => "fees",
        }
    }
}

/// One line (bucket) of the order, for providers that refund by item or by charge type.
/// Every line has two buckets: its `amount` and the `tax` on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The line id (the provider's item id for products).
    pub id: String,
    /// What the line is.
    pub kind: LineKind,
    /// For a charge that belongs to one item (its shipping, duty, fees), that item's line id.
    pub item_id: Option<String>,
    /// Units ordered (1 for charges).
    pub quantity: u64,
    /// The line amount, tax excluded.
    pub amount: Minor,
    /// The tax on the line.
    pub tax: Minor,
}

/// How much of one line a refund took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allocation {
    /// The line.
    pub line_id: String,
    /// Taken from the line amount.
    pub amount: Minor,
    /// Taken from the line's tax.
    pub tax: Minor,
    /// For a refund sized as a percentage of the line's original, that percentage: it moves the
    /// line's cumulative position (see [`crate::allocation`]).
    pub percent: Option<Percent>,
    /// For a refund sized in units of the line, the units: they move the position by
    /// `quantity / line quantity`.
    pub quantity: Option<u64>,
}

/// What the counting refunds (succeeded and pending) took from one line so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineUsage {
    /// Taken from the amount.
    pub amount: Minor,
    /// Taken from the tax.
    pub tax: Minor,
    /// Sum of the percentages of proportional refunds, in hundredths of a percent.
    pub percent_hundredths: u64,
    /// Sum of the units of refunds sized in units.
    pub quantity: u64,
    /// Of `amount`, what pending refunds hold (not refunded yet).
    pub pending_amount: Minor,
    /// Of `tax`, what pending refunds hold.
    pub pending_tax: Minor,
}

/// A refund against the payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refund {
    /// The refund id.
    pub id: String,
    /// The refund amount.
    pub amount: Minor,
    /// The canonical state.
    pub state: RefundState,
    /// The capture it refunds, for per-capture providers.
    pub capture_id: Option<String>,
    /// The idempotency key it was created with, if the provider has keys.
    pub idempotency_key: Option<String>,
    /// A canonical rendering of the request that created it (to detect key reuse).
    pub fingerprint: Option<String>,
    /// The return it refunds, for providers that refund from returns (Commerce Layer).
    pub return_id: Option<String>,
    /// How the refund is spread over the order lines (empty when the ledger has no lines).
    pub allocations: Vec<Allocation>,
}

/// A return of goods that can be refunded (Commerce Layer returns). The engine only moves a
/// return's status when a refund of it succeeds; other return moves are recorded by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Return {
    /// The return id.
    pub id: String,
    /// The return status in the provider's own words (`received`, `refunded`…).
    pub status: String,
    /// The capture its refund goes to (Commerce Layer `reference_capture`), if set.
    pub capture_id: Option<String>,
}

/// The payment ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ledger {
    /// The payment's id at the provider (used in the provider call path), if known.
    pub id: Option<String>,
    /// The payment currency.
    pub currency: Currency,
    /// The authorized amount.
    pub authorized: Minor,
    /// The provider statuses.
    pub status: Statuses,
    /// When the payment was made, if known (refund windows are measured from it).
    pub created_at: Option<Timestamp>,
    /// Captures.
    pub captures: Vec<Capture>,
    /// Refunds, in creation order.
    pub refunds: Vec<Refund>,
    /// Returns (empty for providers without returns).
    pub returns: Vec<Return>,
    /// The order lines, for providers that refund by item or charge type (else empty).
    pub lines: Vec<Line>,
    /// Bumped by every applied event; callers persist with compare-and-swap on it.
    pub version: u64,
    /// The events already applied (re-applying one is a no-op; another event under a used id
    /// is a conflict).
    pub applied_events: Vec<AppliedEvent>,
}

/// The event type names of the JSON form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "event_type")
)]
#[serde(rename_all = "snake_case")]
pub enum EventType {
    /// [`crate::event::EventKind::RefundCreated`]
    RefundCreated,
    /// [`crate::event::EventKind::RefundSucceeded`]
    RefundSucceeded,
    /// [`crate::event::EventKind::RefundFailed`]
    RefundFailed,
    /// [`crate::event::EventKind::RefundExpired`]
    RefundExpired,
    /// [`crate::event::EventKind::PaymentAuthorized`]
    PaymentAuthorized,
    /// [`crate::event::EventKind::PaymentDeclined`]
    PaymentDeclined,
    /// [`crate::event::EventKind::PaymentCaptured`]
    PaymentCaptured,
    /// [`crate::event::EventKind::CaptureSettled`]
    CaptureSettled,
    /// [`crate::event::EventKind::PaymentVoided`]
    PaymentVoided,
    /// [`crate::event::EventKind::OrderApproved`]
    OrderApproved,
}

impl EventType {
    /// The name in documents.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RefundCreated => "refund_created",
            Self::RefundSucceeded => "refund_succeeded",
            Self::RefundFailed => "refund_failed",
            Self::RefundExpired => "refund_expired",
            Self::PaymentAuthorized => "payment_authorized",
            Self::PaymentDeclined => "payment_declined",
            Self::PaymentCaptured => "payment_captured",
            Self::CaptureSettled => "capture_settled",
            Self::PaymentVoided => "payment_voided",
            Self::OrderApproved => "order_approved",
        }
    }
}

/// An applied event as the ledger remembers it: its id, its type and what it named, so that a
/// replay can be told from another event re-using the id (a `payment_voided` webhook under a
/// `payment_captured` id is a conflict, not a no-op).
///
/// JSON: `{"id":"ev_1","type":"refund_created","refund_id":"refund_1"}`. A bare id string (the
/// form before types were recorded) is still read; its type is unknown, so only a creation
/// that matches its recorded refund or capture field for field replays against it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedEvent {
    /// The event id.
    pub id: String,
    /// The event type; `None` for a bare id recorded before types were.
    pub event_type: Option<EventType>,
    /// The refund it named (refund events).
    pub refund_id: Option<String>,
    /// The capture it named (capture events).
    pub capture_id: Option<String>,
}

/// The object form of [`AppliedEvent`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "applied_event_record")
)]
#[serde(deny_unknown_fields)]
struct AppliedEventDoc {
    id: String,
    #[serde(rename = "type")]
    event_type: EventType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refund_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    capture_id: Option<String>,
}

/// A bare id string (the form before types were recorded) or the object form.
#[cfg(feature = "schema")]
impl schemars::JsonSchema for AppliedEvent {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "applied_event".into()
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let object = g.subschema_for::<AppliedEventDoc>();
        schemars::json_schema!({ "oneOf": [{ "type": "string" }, object] })
    }
}

impl Serialize for AppliedEvent {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.event_type {
            None => s.serialize_str(&self.id),
            Some(event_type) => AppliedEventDoc {
                id: self.id.clone(),
                event_type,
                refund_id: self.refund_id.clone(),
                capture_id: self.capture_id.clone(),
            }
            .serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for AppliedEvent {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = AppliedEvent;
            fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str("an applied event `{\"id\",\"type\",…}` or an event id")
            }
            fn visit_str<E: serde::de::Error>(self, id: &str) -> Result<Self::Value, E> {
                Ok(AppliedEvent {
                    id: id.to_owned(),
                    event_type: None,
                    refund_id: None,
                    capture_id: None,
                })
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<Self::Value, A::Error> {
                let doc = AppliedEventDoc::deserialize(
                    serde::de::value::MapAccessDeserializer::new(map),
                )?;
                Ok(AppliedEvent {
                    id: doc.id,
                    event_type: Some(doc.event_type),
                    refund_id: doc.refund_id,
                    capture_id: doc.capture_id,
                })
            }
        }
        d.deserialize_any(Visit)
    }
}

fn overflow(pointer: &str) -> RefundError {
    RefundError::overflow(pointer)
}

/// Succeeded and pending refunds of one scope, added in refund order.
#[derive(Debug, Clone, Copy, Default)]
struct Sums {
    refunded: Minor,
    pending: Minor,
    /// An addition overflowed (the scope's breakdown is an error).
    overflow: bool,
}

impl Sums {
    fn add(&mut self, r: &Refund) {
        let slot = match r.state {
            RefundState::Succeeded => &mut self.refunded,
            s if s.reserves() => &mut self.pending,
            _ => return,
        };
        match slot.checked_add(r.amount) {
            Ok(v) => *slot = v,
            Err(_) => self.overflow = true,
        }
    }
}

impl Ledger {
    /// A new payment with nothing captured or refunded yet, at version 0.
    pub fn new(currency: Currency, authorized: Minor, status: Statuses) -> Self {
        Self {
            id: None,
            currency,
            authorized,
            status,
            created_at: None,
            captures: Vec::new(),
            refunds: Vec::new(),
            version: 0,
            applied_events: Vec::new(),
            lines: Vec::new(),
            returns: Vec::new(),
        }
    }

    /// The refundable breakdown over all captures.
    pub fn refundable(&self) -> Result<Refundable, RefundError> {
        self.breakdown(|_| true, self.captured_total()?)
    }

    /// The refundable breakdown counting only settled captures as captured (for providers that
    /// refund settled money only).
    pub fn refundable_settled(&self) -> Result<Refundable, RefundError> {
        let settled =
            Minor::checked_sum(self.captures.iter().filter(|c| c.settled).map(|c| c.amount))
                .map_err(|_| overflow("/ledger/captures"))?;
        self.breakdown(|_| true, settled)
    }

    /// The refundable breakdown of one capture (refunds that name it).
    pub fn refundable_for_capture(&self, capture_id: &str) -> Result<Refundable, RefundError> {
        let capture = self
            .captures
            .iter()
            .find(|c| c.id == capture_id)
            .ok_or_else(|| {
                RefundError::inconsistent("/ledger/captures", format!("no capture `{capture_id}`"))
            })?;
        self.breakdown(
            |r| r.capture_id.as_deref() == Some(capture_id),
            capture.amount,
        )
    }

    /// [`Ledger::refundable_for_capture`] of every capture, in capture order, in one pass over
    /// the refunds (one call per capture would be quadratic). The first capture whose breakdown
    /// fails gives the error, as a loop over the captures would.
    pub fn capture_breakdowns(&self) -> Result<Vec<Refundable>, RefundError> {
        // A repeated id means the first capture with it, as `refundable_for_capture` finds.
        let mut first = HashMap::with_capacity(self.captures.len());
        for (i, c) in self.captures.iter().enumerate() {
            first.entry(c.id.as_str()).or_insert(i);
        }
        let mut sums = vec![Sums::default(); self.captures.len()];
        for r in &self.refunds {
            let slot = r
                .capture_id
                .as_deref()
                .and_then(|id| first.get(id))
                .and_then(|&i| sums.get_mut(i));
            if let Some(s) = slot {
                s.add(r);
            }
        }
        self.captures
            .iter()
            .map(|c| {
                let i = first.get(c.id.as_str()).copied().unwrap_or_default();
                let sum = sums.get(i).copied().unwrap_or_default();
                let amount = self.captures.get(i).map_or(c.amount, |o| o.amount);
                self.finish_breakdown(sum, amount)
            })
            .collect()
    }

    fn breakdown(
        &self,
        include: impl Fn(&Refund) -> bool,
        captured: Minor,
    ) -> Result<Refundable, RefundError> {
        let mut sum = Sums::default();
        for r in self.refunds.iter().filter(|r| include(r)) {
            sum.add(r);
            if sum.overflow {
                break;
            }
        }
        self.finish_breakdown(sum, captured)
    }

    fn finish_breakdown(&self, sum: Sums, captured: Minor) -> Result<Refundable, RefundError> {
        if sum.overflow {
            return Err(overflow("/ledger/refunds"));
        }
        let Sums {
            refunded, pending, ..
        } = sum;
        let committed = refunded
            .checked_add(pending)
            .map_err(|_| overflow("/ledger/refunds"))?;
        let available = captured
            .checked_sub(committed)
            .map_err(|_| overflow("/ledger"))?;
        if available.get() < 0 {
            return Err(RefundError::inconsistent(
                "/ledger/refunds",
                format!(
                    "refunds of {} (succeeded plus pending) exceed the captured {}",
                    Money::new(committed, self.currency),
                    Money::new(captured, self.currency)
                ),
            ));
        }
        Ok(Refundable {
            currency: self.currency,
            captured,
            refunded,
            pending,
            available,
        })
    }

    /// The sum of all captures.
    pub fn captured_total(&self) -> Result<Minor, RefundError> {
        Minor::checked_sum(self.captures.iter().map(|c| c.amount))
            .map_err(|_| overflow("/ledger/captures"))
    }

    /// True when at least one capture exists and every capture is settled.
    pub fn all_settled(&self) -> bool {
        !self.captures.is_empty() && self.captures.iter().all(|c| c.settled)
    }

    /// Looks up a refund by id.
    pub fn refund(&self, id: &str) -> Option<&Refund> {
        self.refunds.iter().find(|r| r.id == id)
    }

    /// Checks that the ledger does not contradict itself.
    ///
    /// Captures and refunds are positive with unique ids; captures add up to at most the
    /// authorized amount; refunds name existing captures; succeeded plus pending refunds stay
    /// within what was captured, per capture and in total.
    pub fn check(&self) -> Result<(), RefundError> {
        if self.authorized.get() < 0 {
            return Err(RefundError::invalid_amount(
                "/ledger/authorized",
                format_decimal(self.authorized, self.currency.exponent()),
                AmountProblem::Negative,
            ));
        }
        // Ids seen so far, for uniqueness and for the lookups below (a scan per item would be
        // quadratic in captures).
        let mut capture_ids = HashSet::with_capacity(self.captures.len());
        for (i, c) in self.captures.iter().enumerate() {
            if !c.amount.is_positive() {
                return Err(RefundError::invalid_amount(
                    format!("/ledger/captures/{i}/amount"),
                    format_decimal(c.amount, self.currency.exponent()),
                    AmountProblem::Zero,
                ));
            }
            if !capture_ids.insert(c.id.as_str()) {
                return Err(RefundError::inconsistent(
                    format!("/ledger/captures/{i}/id"),
                    format!("capture id `{}` appears twice", c.id),
                ));
            }
        }
        let captured = self.captured_total()?;
        if captured > self.authorized {
            return Err(RefundError::inconsistent(
                "/ledger/captures",
                format!(
                    "captures of {} exceed the authorized {}",
                    Money::new(captured, self.currency),
                    Money::new(self.authorized, self.currency)
                ),
            ));
        }
        for (i, r) in self.refunds.iter().enumerate() {
            if !r.amount.is_positive() {
                return Err(RefundError::invalid_amount(
                    format!("/ledger/refunds/{i}/amount"),
                    format_decimal(r.amount, self.currency.exponent()),
                    AmountProblem::Zero,
                ));
            }
            if let Some(cid) = &r.capture_id
                && !capture_ids.contains(cid.as_str())
            {
                return Err(RefundError::inconsistent(
                    format!("/ledger/refunds/{i}/capture_id"),
                    format!("refund `{}` names the unknown capture `{cid}`", r.id),
                ));
            }
        }
        if let Some(i) = first_duplicate(self.refunds.iter().map(|r| r.id.as_str())) {
            return Err(RefundError::inconsistent(
                format!("/ledger/refunds/{i}/id"),
                "refund id appears twice",
            ));
        }
        self.check_returns(&capture_ids)?;
        self.check_lines()?;
        self.capture_breakdowns()?;
        self.refundable().map(|_| ())
    }
}

impl Ledger {
    /// Looks up a return by id.
    pub fn return_by_id(&self, id: &str) -> Option<&Return> {
        self.returns.iter().find(|r| r.id == id)
    }

    /// Returns have unique ids and name existing captures; refunds name existing returns.
    fn check_returns(&self, capture_ids: &HashSet<&str>) -> Result<(), RefundError> {
        let mut return_ids = HashSet::with_capacity(self.returns.len());
        if let Some(i) = self
            .returns
            .iter()
            .position(|r| !return_ids.insert(r.id.as_str()))
        {
            return Err(RefundError::inconsistent(
                format!("/ledger/returns/{i}/id"),
                "return id appears twice",
            ));
        }
        for (i, r) in self.returns.iter().enumerate() {
            if let Some(cid) = &r.capture_id
                && !capture_ids.contains(cid.as_str())
            {
                return Err(RefundError::inconsistent(
                    format!("/ledger/returns/{i}/capture_id"),
                    format!("return `{}` names the unknown capture `{cid}`", r.id),
                ));
            }
        }
        for (i, r) in self.refunds.iter().enumerate() {
            if let Some(rid) = &r.return_id
                && !return_ids.contains(rid.as_str())
            {
                return Err(RefundError::inconsistent(
                    format!("/ledger/refunds/{i}/return_id"),
                    format!("refund `{}` names the unknown return `{rid}`", r.id),
                ));
            }
        }
        Ok(())
    }
}

impl Ledger {
    /// The line with this id.
    pub fn line(&self, id: &str) -> Option<&Line> {
        self.lines.iter().find(|l| l.id == id)
    }

    /// What succeeded and pending refunds took from a line (failed and expired ones released it).
    pub fn line_usage(&self, line_id: &str) -> Result<LineUsage, RefundError> {
        let mut usage = Some(LineUsage::ZERO);
        for (a, pending) in self
            .counted_allocations()
            .filter(|(a, _)| a.line_id == line_id)
        {
            usage = usage.and_then(|u| u.plus(a, pending));
        }
        usage.ok_or_else(|| overflow("/ledger/refunds"))
    }

    /// Allocations of the refunds that hold their lines (succeeded and pending), in order.
    /// The allocations of succeeded and pending refunds, each with "is it pending".
    fn counted_allocations(&self) -> impl Iterator<Item = (&Allocation, bool)> {
        self.refunds
            .iter()
            .filter(|r| r.state == RefundState::Succeeded || r.state.reserves())
            .flat_map(|r| r.allocations.iter().map(|a| (a, r.state.reserves())))
    }

    /// Lines and allocations: unique line ids, non-negative buckets, allocations that name a
    /// line, add up to their refund and, over succeeded and pending refunds, never take more
    /// than a bucket holds nor move a line past 100 %.
    fn check_lines(&self) -> Result<(), RefundError> {
        let index = LineIndex::new(self);
        for (i, l) in self.lines.iter().enumerate() {
            let at = |f: &str| format!("/ledger/lines/{i}/{f}");
            // The index keeps the first line of an id: another index means a repeat.
            if index.position(&l.id) != Some(i) {
                return Err(RefundError::inconsistent(
                    at("id"),
                    format!("line id `{}` appears twice", l.id),
                ));
            }
            for (field, value) in [("amount", l.amount), ("tax", l.tax)] {
                if value.get() < 0 {
                    return Err(RefundError::invalid_amount(
                        at(field),
                        format_decimal(value, self.currency.exponent()),
                        AmountProblem::Negative,
                    ));
                }
            }
            if l.quantity == 0 {
                return Err(RefundError::invalid_input(
                    at("quantity"),
                    "a line has at least one unit",
                ));
            }
        }
        // The last refund that allocated each line: a repeat within one refund without a set
        // per refund.
        let mut last_refund = vec![usize::MAX; self.lines.len()];
        for (i, r) in self.refunds.iter().enumerate() {
            if r.allocations.is_empty() {
                continue;
            }
            let mut total = Minor::ZERO;
            for (j, a) in r.allocations.iter().enumerate() {
                let at = format!("/ledger/refunds/{i}/allocations/{j}");
                let Some(slot) = index
                    .position(&a.line_id)
                    .and_then(|k| last_refund.get_mut(k))
                else {
                    return Err(RefundError::inconsistent(
                        format!("{at}/line_id"),
                        format!("no line `{}`", a.line_id),
                    ));
                };
                if *slot == i {
                    return Err(RefundError::inconsistent(
                        format!("{at}/line_id"),
                        format!("line `{}` is allocated twice", a.line_id),
                    ));
                }
                *slot = i;
                if a.amount.get() < 0 || a.tax.get() < 0 {
                    return Err(RefundError::invalid_amount(at, "", AmountProblem::Negative));
                }
                total = total
                    .checked_add(a.amount)
                    .and_then(|t| t.checked_add(a.tax))
                    .map_err(|_| overflow("/ledger/refunds"))?;
            }
            if total != r.amount {
                return Err(refund_allocation_total(i, total, r.amount, self.currency));
            }
        }
        for (i, l) in self.lines.iter().enumerate() {
            let u = index.usage(i)?;
            if !line_holds(l, &u) {
                return Err(line_over(i, l));
            }
        }
        Ok(())
    }
}

impl LineUsage {
    const ZERO: Self = Self {
        amount: Minor::ZERO,
        tax: Minor::ZERO,
        percent_hundredths: 0,
        quantity: 0,
        pending_amount: Minor::ZERO,
        pending_tax: Minor::ZERO,
    };

    /// With one more allocation of the line (of a pending refund when `pending`); `None` when a
    /// sum overflows.
    pub(crate) fn plus(self, a: &Allocation, pending: bool) -> Option<Self> {
        let percent = a.percent.map_or(0, |p| u64::from(p.hundredths()));
        let (pa, pt) = if pending {
            (a.amount, a.tax)
        } else {
            (Minor::ZERO, Minor::ZERO)
        };
        Some(Self {
            amount: self.amount.checked_add(a.amount).ok()?,
            tax: self.tax.checked_add(a.tax).ok()?,
            percent_hundredths: self.percent_hundredths.checked_add(percent)?,
            quantity: self.quantity.checked_add(a.quantity.unwrap_or(0))?,
            pending_amount: self.pending_amount.checked_add(pa).ok()?,
            pending_tax: self.pending_tax.checked_add(pt).ok()?,
        })
    }
}

/// The lines by id and what counting refunds took from each, built in one pass: looking lines
/// up, or summing their usage, once per line or item would be quadratic.
#[derive(Debug)]
pub(crate) struct LineIndex<'a> {
    lines: &'a [Line],
    /// The first line with each id (as [`Ledger::line`] finds it).
    by_id: HashMap<&'a str, usize>,
    /// Usage per first line of an id; `None` when a sum overflowed.
    usage: Vec<Option<LineUsage>>,
}

impl<'a> LineIndex<'a> {
    pub(crate) fn new(ledger: &'a Ledger) -> Self {
        let mut by_id = HashMap::with_capacity(ledger.lines.len());
        for (i, l) in ledger.lines.iter().enumerate() {
            by_id.entry(l.id.as_str()).or_insert(i);
        }
        let mut usage = vec![Some(LineUsage::ZERO); ledger.lines.len()];
        for (a, pending) in ledger.counted_allocations() {
            if let Some(u) = by_id
                .get(a.line_id.as_str())
                .and_then(|&k| usage.get_mut(k))
            {
                *u = u.and_then(|u| u.plus(a, pending));
            }
        }
        Self {
            lines: &ledger.lines,
            by_id,
            usage,
        }
    }

    /// The index of the first line with this id.
    pub(crate) fn position(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    /// The line at `i`.
    pub(crate) fn at(&self, i: usize) -> Option<&'a Line> {
        self.lines.get(i)
    }

    /// The first line with this id ([`Ledger::line`]).
    pub(crate) fn line(&self, id: &str) -> Option<&'a Line> {
        self.position(id).and_then(|i| self.at(i))
    }

    /// [`Ledger::line_usage`] of the line at `i`.
    pub(crate) fn usage(&self, i: usize) -> Result<LineUsage, RefundError> {
        self.lines
            .get(i)
            .and_then(|l| self.position(&l.id))
            .and_then(|k| self.usage.get(k).copied().flatten())
            .ok_or_else(|| overflow("/ledger/refunds"))
    }
}

/// The index of the first repeated item, in O(n log n).
fn first_duplicate<'a>(items: impl Iterator<Item = &'a str>) -> Option<usize> {
    // Expected O(n): a hash set (SipHash, randomly keyed, so no hash flooding) sized once. A
    // `BTreeSet` here was ~70% of a plan on 100,000 refunds (benches/README.md).
    let mut seen = std::collections::HashSet::with_capacity(items.size_hint().0);
    items
        .enumerate()
        .find_map(|(i, s)| (!seen.insert(s)).then_some(i))
}

/// The JSON form of a [`Ledger`]: amounts are decimal strings in major units (`"100.10"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "ledger")
)]
#[serde(deny_unknown_fields)]
pub struct LedgerDoc {
    /// Payment id at the provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// ISO 4217 code.
    #[cfg_attr(feature = "schema", schemars(with = "crate::money::Currency"))]
    pub currency: String,
    /// Authorized amount.
    #[cfg_attr(feature = "schema", schemars(with = "crate::schema_types::Decimal"))]
    pub authorized: String,
    /// Provider statuses.
    pub status: Statuses,
    /// RFC 3339 creation time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// Captures.
    #[serde(default)]
    pub captures: Vec<CaptureDoc>,
    /// Refunds.
    #[serde(default)]
    pub refunds: Vec<RefundDoc>,
    /// Returns (Commerce Layer); absent means none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub returns: Vec<ReturnDoc>,
    /// Order lines (providers that refund by item or charge type).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<LineDoc>,
    /// Version.
    #[serde(default)]
    pub version: u64,
    /// Applied events.
    #[serde(default)]
    pub applied_events: Vec<AppliedEvent>,
}

/// The JSON form of a [`Capture`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "capture")
)]
#[serde(deny_unknown_fields)]
pub struct CaptureDoc {
    /// Id.
    pub id: String,
    /// Decimal amount.
    #[cfg_attr(feature = "schema", schemars(with = "crate::schema_types::Decimal"))]
    pub amount: String,
    /// Settled flag.
    #[serde(default)]
    pub settled: bool,
    /// RFC 3339 capture time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub captured_at: Option<Timestamp>,
}

/// The JSON form of a [`Refund`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "refund")
)]
#[serde(deny_unknown_fields)]
pub struct RefundDoc {
    /// Id.
    pub id: String,
    /// Decimal amount.
    #[cfg_attr(feature = "schema", schemars(with = "crate::schema_types::Decimal"))]
    pub amount: String,
    /// State.
    pub state: RefundState,
    /// Capture id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capture_id: Option<String>,
    /// Idempotency key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotency_key: Option<String>,
    /// Request fingerprint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// Return id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_id: Option<String>,
    /// Allocations over the order lines.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allocations: Vec<AllocationDoc>,
}
fn one() -> u64 {
    1
}

fn is_one(n: &u64) -> bool {
    *n == 1
}

/// The JSON form of a [`Line`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "line")
)]
#[serde(deny_unknown_fields)]
pub struct LineDoc {
    /// Id.
    pub id: String,
    /// Kind.
    pub kind: LineKind,
    /// The item a charge belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_id: Option<String>,
    /// Units ordered (default 1).
    #[serde(default = "one", skip_serializing_if = "is_one")]
    #[cfg_attr(feature = "schema", schemars(range(min = 1)))]
    pub quantity: u64,
    /// Decimal amount, tax excluded.
    #[cfg_attr(feature = "schema", schemars(with = "crate::schema_types::Decimal"))]
    pub amount: String,
    /// Decimal tax (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "schema",
        schemars(with = "Option<crate::schema_types::Decimal>")
    )]
    pub tax: Option<String>,
}

/// The JSON form of an [`Allocation`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "allocation")
)]
#[serde(deny_unknown_fields)]
pub struct AllocationDoc {
    /// Line id.
    pub line_id: String,
    /// Decimal amount taken from the line amount.
    #[cfg_attr(feature = "schema", schemars(with = "crate::schema_types::Decimal"))]
    pub amount: String,
    /// Decimal amount taken from the line tax (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "schema",
        schemars(with = "Option<crate::schema_types::Decimal>")
    )]
    pub tax: Option<String>,
    /// Percentage of the line's original this refund was sized as (`"33.33"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent: Option<Percent>,
    /// Units of the line this refund was sized as.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(range(min = 1)))]
    pub quantity: Option<u64>,
}

impl AllocationDoc {
    /// Converts to a typed allocation; `base` is this document's pointer.
    pub fn into_allocation(
        self,
        currency: Currency,
        base: &str,
    ) -> Result<Allocation, RefundError> {
        Ok(Allocation {
            amount: ledger_amount(&self.amount, currency, &format!("{base}/amount"))?,
            tax: match &self.tax {
                Some(t) => ledger_amount(t, currency, &format!("{base}/tax"))?,
                None => Minor::ZERO,
            },
            line_id: self.line_id,
            percent: self.percent,
            quantity: self.quantity,
        })
    }

    /// The JSON form of a typed allocation.
    pub fn from_allocation(a: &Allocation, currency: Currency) -> Self {
        let fmt = |m: Minor| format_decimal(m, currency.exponent());
        AllocationDoc {
            line_id: a.line_id.clone(),
            amount: fmt(a.amount),
            tax: Some(fmt(a.tax)),
            percent: a.percent,
            quantity: a.quantity,
        }
    }
}

/// The JSON form of a [`Return`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "return")
)]
#[serde(deny_unknown_fields)]
pub struct ReturnDoc {
    /// Id.
    pub id: String,
    /// Status.
    pub status: String,
    /// Capture id (`reference_capture`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capture_id: Option<String>,
}

/// Parses a decimal ledger amount, naming the field on error.
pub(crate) fn ledger_amount(
    text: &str,
    currency: Currency,
    pointer: &str,
) -> Result<Minor, RefundError> {
    parse_money(text, currency)
        .map(|m| m.minor)
        .map_err(|p| RefundError::invalid_amount(pointer, text, p))
}

impl LedgerDoc {
    /// Converts to a typed ledger; `base` is the pointer of this document (e.g. `/ledger`).
    pub fn into_ledger(self, base: &str) -> Result<Ledger, RefundError> {
        let currency = Currency::from_code(&self.currency).map_err(|problem| {
            RefundError::UnknownCurrency {
                pointer: format!("{base}/currency"),
                problem,
            }
        })?;
        let authorized = ledger_amount(&self.authorized, currency, &format!("{base}/authorized"))?;
        let captures = self
            .captures
            .into_iter()
            .enumerate()
            .map(|(i, c)| {
                Ok(Capture {
                    amount: ledger_amount(
                        &c.amount,
                        currency,
                        &format!("{base}/captures/{i}/amount"),
                    )?,
                    id: c.id,
                    settled: c.settled,
                    captured_at: c.captured_at,
                })
            })
            .collect::<Result<Vec<_>, RefundError>>()?;
        let refunds = self
            .refunds
            .into_iter()
            .enumerate()
            .map(|(i, r)| {
                Ok(Refund {
                    // The pointer is formatted only on error: one allocation less per refund.
                    amount: parse_money(&r.amount, currency)
                        .map(|m| m.minor)
                        .map_err(|p| {
                            RefundError::invalid_amount(
                                format!("{base}/refunds/{i}/amount"),
                                &r.amount,
                                p,
                            )
                        })?,
                    id: r.id,
                    state: r.state,
                    capture_id: r.capture_id,
                    idempotency_key: r.idempotency_key,
                    fingerprint: r.fingerprint,
                    return_id: r.return_id,
                    allocations: r
                        .allocations
                        .into_iter()
                        .enumerate()
                        .map(|(j, a)| {
                            a.into_allocation(
                                currency,
                                &format!("{base}/refunds/{i}/allocations/{j}"),
                            )
                        })
                        .collect::<Result<Vec<_>, RefundError>>()?,
                })
            })
            .collect::<Result<Vec<_>, RefundError>>()?;
        let lines = self
            .lines
            .into_iter()
            .enumerate()
            .map(|(i, l)| {
                Ok(Line {
                    amount: ledger_amount(
                        &l.amount,
                        currency,
                        &format!("{base}/lines/{i}/amount"),
                    )?,
                    tax: match &l.tax {
                        Some(t) => ledger_amount(t, currency, &format!("{base}/lines/{i}/tax"))?,
                        None => Minor::ZERO,
                    },
                    id: l.id,
                    kind: l.kind,
                    item_id: l.item_id,
                    quantity: l.quantity,
                })
            })
            .collect::<Result<Vec<_>, RefundError>>()?;

        let returns = self
            .returns
            .into_iter()
            .map(|r| Return {
                id: r.id,
                status: r.status,
                capture_id: r.capture_id,
            })
            .collect();
        Ok(Ledger {
            id: self.id,
            currency,
            authorized,
            status: self.status,
            created_at: self.created_at,
            captures,
            refunds,
            returns,
            lines,
            version: self.version,
            applied_events: self.applied_events,
        })
    }
}

impl From<&Ledger> for LedgerDoc {
    fn from(l: &Ledger) -> Self {
        let fmt = |m: Minor| format_decimal(m, l.currency.exponent());
        LedgerDoc {
            id: l.id.clone(),
            currency: l.currency.code().to_owned(),
            authorized: fmt(l.authorized),
            status: l.status.clone(),
            created_at: l.created_at,
            captures: l
                .captures
                .iter()
                .map(|c| CaptureDoc {
                    id: c.id.clone(),
                    amount: fmt(c.amount),
                    settled: c.settled,
                    captured_at: c.captured_at,
                })
                .collect(),
            refunds: l
                .refunds
                .iter()
                .map(|r| RefundDoc {
                    id: r.id.clone(),
                    amount: fmt(r.amount),
                    state: r.state,
                    capture_id: r.capture_id.clone(),
                    idempotency_key: r.idempotency_key.clone(),
                    fingerprint: r.fingerprint.clone(),
                    return_id: r.return_id.clone(),
                    allocations: r
                        .allocations
                        .iter()
                        .map(|a| AllocationDoc::from_allocation(a, l.currency))
                        .collect(),
                })
                .collect(),
            lines: l
                .lines
                .iter()
                .map(|line| LineDoc {
                    id: line.id.clone(),
                    kind: line.kind,
                    item_id: line.item_id.clone(),
                    quantity: line.quantity,
                    amount: fmt(line.amount),
                    tax: Some(fmt(line.tax)),
                })
                .collect(),
            returns: l
                .returns
                .iter()
                .map(|r| ReturnDoc {
                    id: r.id.clone(),
                    status: r.status.clone(),
                    capture_id: r.capture_id.clone(),
                })
                .collect(),
            version: l.version,
            applied_events: l.applied_events.clone(),
        }
    }
}

impl Serialize for Ledger {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        LedgerDoc::from(self).serialize(s)
    }
}

/// Succeeded and pending refunds of one scope (a capture, or the whole payment), kept running
/// by the incremental `apply` instead of summed again.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Totals {
    /// Succeeded refunds.
    pub(crate) refunded: Minor,
    /// Pending refunds.
    pub(crate) pending: Minor,
}

impl Totals {
    /// The totals with a refund of `amount` moved from state `from` to state `to` (`None`:
    /// not counted before, a new refund). `None` when a sum overflows: amounts are positive,
    /// so a running total overflows exactly when the sum over all refunds does.
    pub(crate) fn moved(
        self,
        amount: Minor,
        from: Option<RefundState>,
        to: RefundState,
    ) -> Option<Self> {
        let mut t = self;
        match from {
            Some(RefundState::Succeeded) => t.refunded = t.refunded.checked_sub(amount).ok()?,
            Some(s) if s.reserves() => t.pending = t.pending.checked_sub(amount).ok()?,
            _ => {}
        }
        match to {
            RefundState::Succeeded => t.refunded = t.refunded.checked_add(amount).ok()?,
            s if s.reserves() => t.pending = t.pending.checked_add(amount).ok()?,
            _ => {}
        }
        Some(t)
    }
}

/// What `apply` needs to look up and re-check on a checked ledger without walking it: the
/// position of every id (captures, refunds, returns, lines, applied events) and the running
/// totals (per capture, overall, settled captures, per line). Built once in one pass over a
/// ledger that passed `check_ledger`; every incremental `apply` updates it in
/// O(items the event touches).
#[derive(Debug, Clone, Default)]
pub(crate) struct LedgerIndex {
    captures: HashMap<String, usize>,
    refunds: HashMap<String, usize>,
    returns: HashMap<String, usize>,
    lines: HashMap<String, usize>,
    /// The first applied event with each id (as `apply`'s scan finds it).
    events: HashMap<String, usize>,
    /// Per capture, in capture order.
    per_capture: Vec<Totals>,
    /// Over every refund.
    overall: Totals,
    /// The sum of the captures.
    captured: Minor,
    /// The sum of the settled captures.
    settled: Minor,
    /// What counting refunds took from each line, in line order.
    line_usage: Vec<LineUsage>,
}

fn first_positions<'a>(ids: impl Iterator<Item = &'a str>) -> HashMap<String, usize> {
    let mut map = HashMap::with_capacity(ids.size_hint().0);
    for (i, id) in ids.enumerate() {
        map.entry(id.to_owned()).or_insert(i);
    }
    map
}

impl LedgerIndex {
    /// The index of a ledger that passed `check_ledger` (unique ids, breakdowns that hold);
    /// fails only where `check_ledger` would have.
    pub(crate) fn new(ledger: &Ledger) -> Result<Self, RefundError> {
        let captures = first_positions(ledger.captures.iter().map(|c| c.id.as_str()));
        let mut per_capture = vec![Totals::default(); ledger.captures.len()];
        let mut overall = Totals::default();
        let sums = || overflow("/ledger/refunds");
        for r in &ledger.refunds {
            overall = overall.moved(r.amount, None, r.state).ok_or_else(sums)?;
            if let Some(t) = r
                .capture_id
                .as_deref()
                .and_then(|id| captures.get(id))
                .and_then(|&i| per_capture.get_mut(i))
            {
                *t = t.moved(r.amount, None, r.state).ok_or_else(sums)?;
            }
        }
        let line_index = LineIndex::new(ledger);
        let line_usage = (0..ledger.lines.len())
            .map(|i| line_index.usage(i))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            captures,
            refunds: first_positions(ledger.refunds.iter().map(|r| r.id.as_str())),
            returns: first_positions(ledger.returns.iter().map(|r| r.id.as_str())),
            lines: first_positions(ledger.lines.iter().map(|l| l.id.as_str())),
            events: first_positions(ledger.applied_events.iter().map(|a| a.id.as_str())),
            per_capture,
            overall,
            captured: ledger.captured_total()?,
            settled: Minor::checked_sum(
                ledger
                    .captures
                    .iter()
                    .filter(|c| c.settled)
                    .map(|c| c.amount),
            )
            .map_err(|_| overflow("/ledger/captures"))?,
            line_usage,
        })
    }

    /// The position of the capture with this id.
    pub(crate) fn capture(&self, id: &str) -> Option<usize> {
        self.captures.get(id).copied()
    }

    /// The position of the refund with this id.
    pub(crate) fn refund(&self, id: &str) -> Option<usize> {
        self.refunds.get(id).copied()
    }

    /// The position of the return with this id.
    pub(crate) fn return_position(&self, id: &str) -> Option<usize> {
        self.returns.get(id).copied()
    }

    /// The position of the line with this id.
    pub(crate) fn line(&self, id: &str) -> Option<usize> {
        self.lines.get(id).copied()
    }

    /// The position of the first applied event with this id.
    pub(crate) fn event(&self, id: &str) -> Option<usize> {
        self.events.get(id).copied()
    }

    /// The totals of the capture at `i`.
    pub(crate) fn capture_totals(&self, i: usize) -> Option<Totals> {
        self.per_capture.get(i).copied()
    }

    /// The totals over every refund.
    pub(crate) fn overall(&self) -> Totals {
        self.overall
    }

    /// The sum of the captures.
    pub(crate) fn captured(&self) -> Minor {
        self.captured
    }

    /// The sum of the settled captures.
    pub(crate) fn settled(&self) -> Minor {
        self.settled
    }

    /// What counting refunds took from the line at `i`.
    pub(crate) fn usage(&self, i: usize) -> Option<LineUsage> {
        self.line_usage.get(i).copied()
    }

    /// Records a new refund at position `i` (its totals through [`LedgerIndex::set_totals`]).
    pub(crate) fn record_refund(&mut self, id: &str, i: usize) {
        self.refunds.entry(id.to_owned()).or_insert(i);
    }

    /// Records a new capture at position `i` (its sums through [`LedgerIndex::set_sums`]).
    pub(crate) fn record_capture(&mut self, id: &str, i: usize) {
        self.captures.entry(id.to_owned()).or_insert(i);
        self.per_capture.push(Totals::default());
    }

    /// Sets the captured and settled sums (already checked).
    pub(crate) fn set_sums(&mut self, captured: Minor, settled: Minor) {
        self.captured = captured;
        self.settled = settled;
    }

    /// Records an applied event at position `i`.
    pub(crate) fn record_event(&mut self, id: &str, i: usize) {
        self.events.entry(id.to_owned()).or_insert(i);
    }

    /// Sets the running totals after a refund moved (already checked).
    pub(crate) fn set_totals(&mut self, overall: Totals, capture: Option<(usize, Totals)>) {
        self.overall = overall;
        if let Some((i, t)) = capture
            && let Some(slot) = self.per_capture.get_mut(i)
        {
            *slot = t;
        }
    }

    /// Sets the usage of the line at `i` (already checked).
    pub(crate) fn set_usage(&mut self, i: usize, usage: LineUsage) {
        if let Some(slot) = self.line_usage.get_mut(i) {
            *slot = usage;
        }
    }
}

impl Ledger {
    /// The breakdown of a scope from its running totals: the same figures and the same errors
    /// as summing its refunds ([`Ledger::refundable`], [`Ledger::refundable_for_capture`]);
    /// `None` totals mean a sum overflowed.
    pub(crate) fn breakdown_of(
        &self,
        totals: Option<Totals>,
        captured: Minor,
    ) -> Result<Refundable, RefundError> {
        let sum = match totals {
            Some(t) => Sums {
                refunded: t.refunded,
                pending: t.pending,
                overflow: false,
            },
            None => Sums {
                overflow: true,
                ..Sums::default()
            },
        };
        self.finish_breakdown(sum, captured)
    }

    /// The allocation checks of `check` on the one refund `r` at position `i` (lines found
    /// through `line`): each names a line once, takes nothing negative, and together they add
    /// up to the refund. The same errors, in the same order, as the full check.
    pub(crate) fn check_refund_allocations(
        &self,
        i: usize,
        r: &Refund,
        line: impl Fn(&str) -> Option<usize>,
    ) -> Result<(), RefundError> {
        if r.allocations.is_empty() {
            return Ok(());
        }
        // A refund has few allocations: a scan beats a set, up to a point (a set past it, so
        // a refund over thousands of lines stays linear).
        const SCAN: usize = 16;
        let mut seen: Vec<usize> = Vec::with_capacity(r.allocations.len().min(SCAN));
        let mut seen_many: std::collections::HashSet<usize> = std::collections::HashSet::new();
        let mut total = Minor::ZERO;
        for (j, a) in r.allocations.iter().enumerate() {
            let at = || format!("/ledger/refunds/{i}/allocations/{j}");
            let Some(k) = line(&a.line_id) else {
                return Err(RefundError::inconsistent(
                    format!("{}/line_id", at()),
                    format!("no line `{}`", a.line_id),
                ));
            };
            let repeated = if j < SCAN {
                seen.contains(&k)
            } else {
                if seen_many.is_empty() {
                    seen_many.extend(seen.iter().copied());
                }
                !seen_many.insert(k)
            };
            if repeated {
                return Err(RefundError::inconsistent(
                    format!("{}/line_id", at()),
                    format!("line `{}` is allocated twice", a.line_id),
                ));
            }
            if j < SCAN {
                seen.push(k);
            }
            if a.amount.get() < 0 || a.tax.get() < 0 {
                return Err(RefundError::invalid_amount(
                    at(),
                    "",
                    AmountProblem::Negative,
                ));
            }
            total = total
                .checked_add(a.amount)
                .and_then(|t| t.checked_add(a.tax))
                .map_err(|_| overflow("/ledger/refunds"))?;
        }
        if total != r.amount {
            return Err(refund_allocation_total(i, total, r.amount, self.currency));
        }
        Ok(())
    }

    /// The usage check of `check` on the line at `i` with usage `u` (`None`: a sum overflowed).
    pub(crate) fn check_line_usage(
        &self,
        i: usize,
        u: Option<LineUsage>,
    ) -> Result<(), RefundError> {
        let u = u.ok_or_else(|| overflow("/ledger/refunds"))?;
        match self.lines.get(i) {
            Some(l) if !line_holds(l, &u) => Err(line_over(i, l)),
            _ => Ok(()),
        }
    }
}

fn refund_allocation_total(
    i: usize,
    total: Minor,
    amount: Minor,
    currency: Currency,
) -> RefundError {
    RefundError::inconsistent(
        format!("/ledger/refunds/{i}/allocations"),
        format!(
            "allocations add up to {}, not to the refund amount {}",
            Money::new(total, currency),
            Money::new(amount, currency)
        ),
    )
}

/// True when the counting refunds' usage `u` stays within line `l`: its amount, its tax and
/// 100 % of its position (percentages and units both count).
fn line_holds(l: &Line, u: &LineUsage) -> bool {
    // Position in units of 1 / (10 000 × quantity).
    let position = u128::from(u.percent_hundredths)
        .checked_mul(u128::from(l.quantity))
        .zip(u128::from(u.quantity).checked_mul(10_000))
        .and_then(|(p, q)| p.checked_add(q));
    let full = u128::from(l.quantity).checked_mul(10_000);
    let past_full = match (position, full) {
        (Some(p), Some(f)) => p > f,
        _ => true,
    };
    !(u.amount > l.amount || u.tax > l.tax || past_full)
}

fn line_over(i: usize, l: &Line) -> RefundError {
    RefundError::inconsistent(
        format!("/ledger/lines/{i}"),
        format!(
            "succeeded and pending refunds take more than line `{}` holds",
            l.id
        ),
    )
}

impl LineUsage {
    /// With one allocation of a counting refund (pending when `pending`) taken out again:
    /// the inverse of `plus`.
    pub(crate) fn minus(self, a: &Allocation, pending: bool) -> Option<Self> {
        let percent = a.percent.map_or(0, |p| u64::from(p.hundredths()));
        let (pa, pt) = if pending {
            (a.amount, a.tax)
        } else {
            (Minor::ZERO, Minor::ZERO)
        };
        Some(Self {
            amount: self.amount.checked_sub(a.amount).ok()?,
            tax: self.tax.checked_sub(a.tax).ok()?,
            percent_hundredths: self.percent_hundredths.checked_sub(percent)?,
            quantity: self.quantity.checked_sub(a.quantity.unwrap_or(0))?,
            pending_amount: self.pending_amount.checked_sub(pa).ok()?,
            pending_tax: self.pending_tax.checked_sub(pt).ok()?,
        })
    }
}
