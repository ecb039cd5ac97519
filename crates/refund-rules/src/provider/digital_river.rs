//! Digital River: `POST /refunds` with a `RefundRequest` (API 2020-12-17 guides, SDK "2023").
//!
//! Sources (`../shared/reference/providers.md` §0 and §4, ids at its end):
//! - [S] seed `digital-river-refunds.md`: full or partial refunds of products, shipping, taxes,
//!   duties and fees; the same charge many times; never above the order's charges.
//! - DR1 …/refunds/issuing-refunds: request sizing (`amount`, `percent`, `items[]`, `type`),
//!   `availableToRefundAmount`, item level = item amount + its tax, `type` refunds, full tax
//!   only, the 50 % of 27.01 example, preconditions and the three documented error bodies.
//! - DR2 …/refunds/README + async methods: `pending_information`, refunds to the original
//!   method, many refunds per charge.
//! - DR3 …/orders/the-order-lifecycle, …/payment-charges: order states, capture `complete`.
//! - DR4 DigitalRiver/digital-river-php @04044e1a: `RefundRequest`, `RefundItemRequest`,
//!   `OrderRefund` fields and enums, refund `state` enum, `Errors` body.
//! - DR5 API reference 2020-01-07 / 2020-09-30 refunds.
//!
//! Money is spread over the order lines (`ledger.lines`) exactly, see
//! [`crate::allocation`] and `docs/providers/digital_river.md`.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use serde_json::json;
use serde_json::value::RawValue;

use super::rules::Rules;
use crate::allocation::{
    AllocationError, Percent, PercentError, Ratio, catch_up, largest_remainder, share,
};
use crate::error::ProviderError;
use crate::error::{ErrorCode, RefundError};
use crate::event::EventKind;
use crate::id::Provider;
use crate::ledger::{
    Allocation, Ledger, Line, LineIndex, LineKind, LineUsage, RefundState, Refundable,
};
use crate::machine::{
    Machine, PaymentEvent as P, ProviderMachines, RefundEvent as R, Transition, transition as t,
};
use crate::money::{AmountProblem, Currency, Minor, Money};
use crate::plan::{
    Operation, Plan, PlanContext, ProviderCall, ProviderResponse, RefundDraft, RefundKind,
    outline_refund,
};
use crate::wire::{
    JsonNumber, WireDecimal, dotted_field, from_json_text, from_options_json, positive_wire_money,
    raw_json, request_currency,
};

const PROVIDER: Provider = Provider::DigitalRiver;

/// Order-level `type` (DR4 `RefundRequest.type` enum; DR1 also uses `fees` at order level).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderRefundType {
    /// The shipping charge and its tax.
    Shipping,
    /// The whole unrefunded tax (full tax refunds only, DR1).
    Tax,
    /// Duties and their tax.
    Duty,
    /// Importer tax.
    ImporterTax,
    /// Regulatory fees and their tax.
    Fees,
}

/// `items[].type` (DR4 `RefundItemRequest.type` enum).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemRefundType {
    /// The item's shipping and its tax.
    Shipping,
    /// The item's fees and their tax.
    Fees,
    /// The item's duty and its tax.
    Duty,
}

/// The `RefundRequest` body (DR4, DR1).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Request {
    /// The order to refund (this or `invoiceId`).
    #[serde(default)]
    pub order_id: Option<String>,
    /// The invoice to refund (this or `orderId`).
    #[serde(default)]
    pub invoice_id: Option<String>,
    /// ISO 4217 code; must equal the order currency (DR1).
    pub currency: String,
    /// Major units, a JSON number (DR1, DR4).
    #[serde(default)]
    pub amount: Option<WireDecimal>,
    /// 0.01 to 100.00, at most two decimals (DR1).
    #[serde(default)]
    pub percent: Option<WireDecimal>,
    /// Item-level refunds (DR1, DR4).
    #[serde(default)]
    pub items: Option<Vec<ItemRequest>>,
    /// Order-level refund type; absent = product refund (DR1).
    #[serde(default, rename = "type")]
    pub refund_type: Option<OrderRefundType>,
    /// Free-text reason (DR4).
    #[serde(default)]
    pub reason: Option<String>,
    /// Merchant metadata, forwarded as is (DR4).
    #[serde(default)]
    pub metadata: Option<Box<RawValue>>,
}

/// One `items[]` entry (`RefundItemRequest`, DR4).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ItemRequest {
    /// The order item (a product line id).
    pub item_id: String,
    /// The SKU, forwarded as is.
    #[serde(default)]
    pub sku_id: Option<String>,
    /// Units; at most the ordered quantity (DR1).
    #[serde(default)]
    pub quantity: Option<u64>,
    /// Major units, a JSON number.
    #[serde(default)]
    pub amount: Option<WireDecimal>,
    /// 0.01 to 100.00 of the item.
    #[serde(default)]
    pub percent: Option<WireDecimal>,
    /// The item's charge to refund instead of the product.
    #[serde(default, rename = "type")]
    pub item_type: Option<ItemRefundType>,
}

impl ItemRefundType {
    /// The order line that holds this charge of an item.
    fn line_kind(self) -> LineKind {
        match self {
            Self::Shipping => LineKind::Shipping,
            Self::Fees => LineKind::Fees,
            Self::Duty => LineKind::Duty,
        }
    }
}

/// What `percent` is a percentage of ([U]: DR1 is ambiguous).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PercentBasis {
    /// Of each bucket's original amount, cumulatively: successive percentages that add up to
    /// 100 refund exactly the original (telescoping, see [`crate::allocation`]).
    #[default]
    Original,
    /// Of what is still available in the scope when the refund is made.
    Available,
}

/// Merchant options.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    /// What `percent` refers to (default `original`).
    #[serde(default)]
    pub percent_of: PercentBasis,
    /// Accept `"amount": "27.01"` (a JSON string), as in one DR1 curl example (default false).
    #[serde(default)]
    pub accept_string_amounts: bool,
    /// The order was paid with an asynchronous method (wire transfer, online banking, Konbini):
    /// refunds start `pending_information` instead of `pending` (DR2; default false).
    #[serde(default)]
    pub async_payment_method: bool,
}

/// Every code a Digital River plan or apply can return; each has a shared vector.
pub const REACHABLE_ERRORS: &[ErrorCode] = &[
    ErrorCode::InvalidInput,
    ErrorCode::UnknownProvider,
    ErrorCode::UnknownCurrency,
    ErrorCode::InvalidAmount,
    ErrorCode::CurrencyMismatch,
    ErrorCode::NotCaptured,
    ErrorCode::NotRefundableState,
    ErrorCode::AlreadyFullyRefunded,
    ErrorCode::ExceedsRefundable,
    ErrorCode::PartialRefundNotSupported,
    ErrorCode::IdempotencyConflict,
    ErrorCode::InconsistentState,
    ErrorCode::IllegalTransition,
    ErrorCode::VersionConflict,
];

/// Order states (DR3, DR4).
const STATES: &[&str] = &[
    "pending_payment",
    "in_review",
    "accepted",
    "blocked",
    "cancelled",
    "fulfilled",
    "complete",
    "returned",
    "dispute",
];

/// The order state table (DR3 happy path `pending_payment → in_review → accepted → fulfilled →
/// complete`, `returned` after refunds). DR has no refunded state, so partial refunds leave the
/// state as it is and progress lives in the amounts ([U] providers.md §4.6).
const ORDER_TRANSITIONS: &[Transition<&str, P>] = &[
    t("pending_payment", P::Authorize, "accepted"),
    // [U] a failed payment cancels the order.
    t("pending_payment", P::Decline, "cancelled"),
    t("in_review", P::Authorize, "accepted"),
    // DR3: an order that fails fraud review is blocked.
    t("in_review", P::Decline, "blocked"),
    // DR1: before capture, cancel through the Fulfillments API.
    t("accepted", P::Void, "cancelled"),
    // DR3: a partially fulfilled order stays accepted; all captured = complete.
    t("accepted", P::CapturePartial, "accepted"),
    t("accepted", P::CaptureFull, "complete"),
    t("fulfilled", P::CapturePartial, "fulfilled"),
    t("fulfilled", P::CaptureFull, "complete"),
    // DR1: refunds need one completed capture; they do not move these states.
    t("accepted", P::RefundPartial, "accepted"),
    t("accepted", P::RefundFull, "accepted"),
    t("fulfilled", P::RefundPartial, "fulfilled"),
    t("fulfilled", P::RefundFull, "fulfilled"),
    t("complete", P::RefundPartial, "complete"),
    // DR3: `returned` once everything was returned or refunded (event `order.refunded`).
    t("complete", P::RefundFull, "returned"),
    t("returned", P::RefundPartial, "returned"),
    t("returned", P::RefundFull, "returned"),
];

/// The refund lifecycle (DR4 `state` enum, DR1/DR2 events; providers.md §4.6).
const REFUND_TRANSITIONS: &[Transition<RefundState, R>] = &[
    // DR2: the customer supplies bank data; the refund then completes or fails.
    t(
        RefundState::PendingInformation,
        R::Succeed,
        RefundState::Succeeded,
    ),
    t(
        RefundState::PendingInformation,
        R::Fail,
        RefundState::Failed,
    ),
    // [U] inferred from the enum and `tokenInformation.expiresTime`.
    t(
        RefundState::PendingInformation,
        R::Expire,
        RefundState::Expired,
    ),
    // DR1: `refund.complete` / `refund.failed`.
    t(RefundState::Pending, R::Succeed, RefundState::Succeeded),
    t(RefundState::Pending, R::Fail, RefundState::Failed),
];

/// Digital River's tables. The payment slot holds the order state; capture completion is the
/// capture's `settled` flag (a DR capture in state `complete`), so `settle` moves no state.
pub const MACHINES: ProviderMachines = ProviderMachines {
    payment: Machine {
        name: "order",
        states: STATES,
        transitions: ORDER_TRANSITIONS,
        unaffected_by: &[P::Settle],
        source: "https://docs.digitalriver.com/digital-river-api/order-management/orders/the-order-lifecycle",
    },
    order: None,
    fulfillment: None,
    refund: Machine {
        name: "refund",
        states: &RefundState::ALL,
        transitions: REFUND_TRANSITIONS,
        unaffected_by: &[],
        source: "https://docs.digitalriver.com/digital-river-api/order-management/returns-and-refunds-1/refunds",
    },
    // DR1: 201 with `pending`; DR2: `pending_information` for asynchronous methods.
    refund_initial: &[RefundState::Pending, RefundState::PendingInformation],
    // DR1: refunds draw on charges whose capture is `complete`.
    refunds_settled_only: true,
};

/// Parses the body (required) and options, and checks the body's shape.
pub fn parse(body: Option<&str>, options: Option<&str>) -> Result<(Request, Options), RefundError> {
    let options: Options = from_options_json(options, "/options")?;
    let text = body.ok_or_else(|| {
        RefundError::invalid_input(
            "/request",
            "a Digital River refund needs a `RefundRequest` body",
        )
    })?;
    let request: Request = from_json_text(text, "/request")?;
    check_shape(&request)?;
    Ok((request, options))
}

/// DR4/DR1: one of `orderId`/`invoiceId`; exactly one of `amount`, `percent`, `items`.
fn check_shape(r: &Request) -> Result<(), RefundError> {
    if r.order_id.is_some() == r.invoice_id.is_some() {
        return Err(RefundError::invalid_input(
            "/request",
            "give exactly one of `orderId` and `invoiceId`",
        ));
    }
    let ways = [r.amount.is_some(), r.percent.is_some(), r.items.is_some()];
    if ways.iter().filter(|w| **w).count() != 1 {
        return Err(RefundError::invalid_input(
            "/request",
            "give exactly one of `amount`, `percent` and `items`",
        ));
    }
    if let Some(items) = &r.items {
        if items.is_empty() {
            return Err(RefundError::invalid_input(
                "/request/items",
                "`items` needs at least one item",
            ));
        }
        // DR1: `type` is order level; item charges use `items[].type`.
        if r.refund_type.is_some() {
            return Err(RefundError::invalid_input(
                "/request/type",
                "an order-level `type` cannot be combined with `items`; use `items[].type`",
            ));
        }
        // Items seen so far: a scan per item would be quadratic in items.
        let mut seen = HashSet::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let at = |f: &str| format!("/request/items/{i}/{f}");
            if item.amount.is_some() && item.percent.is_some() {
                return Err(RefundError::invalid_input(
                    at("percent"),
                    "give at most one of `amount` and `percent` per item",
                ));
            }
            if item.quantity == Some(0) {
                return Err(RefundError::invalid_input(
                    at("quantity"),
                    "`quantity` must be at least 1",
                ));
            }
            // [U] units only make sense for the goods themselves.
            if item.quantity.is_some() && item.item_type.is_some() {
                return Err(RefundError::invalid_input(
                    at("quantity"),
                    "`quantity` applies to product items, not to an item's charges",
                ));
            }
            if !seen.insert((item.item_id.as_str(), item.item_type)) {
                return Err(RefundError::invalid_input(
                    at("itemId"),
                    format!("item `{}` is listed twice", item.item_id),
                ));
            }
        }
    }
    Ok(())
}

/// One line of the refund's scope, with what is left of it.
#[derive(Debug, Clone)]
struct Bucket<'a> {
    line: &'a Line,
    usage: LineUsage,
    /// True when the line amount is in scope (false for tax-only refunds).
    amount: bool,
    /// True when the line tax is in scope.
    tax: bool,
}

impl Bucket<'_> {
    fn available_amount(&self) -> Result<Minor, RefundError> {
        if !self.amount {
            return Ok(Minor::ZERO);
        }
        self.line
            .amount
            .checked_sub(self.usage.amount)
            .map_err(|p| RefundError::invalid_amount("/ledger/lines", "", p))
    }

    fn available_tax(&self) -> Result<Minor, RefundError> {
        if !self.tax {
            return Ok(Minor::ZERO);
        }
        self.line
            .tax
            .checked_sub(self.usage.tax)
            .map_err(|p| RefundError::invalid_amount("/ledger/lines", "", p))
    }

    /// The line's cumulative position over `10 000 × quantity`: percentages and units.
    fn position(&self) -> Result<(i128, i128), RefundError> {
        let q = i128::from(self.line.quantity);
        let num = i128::from(self.usage.percent_hundredths)
            .checked_mul(q)
            .zip(i128::from(self.usage.quantity).checked_mul(Percent::SCALE))
            .and_then(|(a, b)| a.checked_add(b))
            .ok_or_else(overflow)?;
        let den = q.checked_mul(Percent::SCALE).ok_or_else(overflow)?;
        Ok((num, den))
    }
}

fn overflow() -> RefundError {
    RefundError::invalid_amount("/request", "", AmountProblem::OutOfRange)
}

fn alloc_err(e: AllocationError) -> RefundError {
    match e {
        AllocationError::Overflow => overflow(),
        other => RefundError::inconsistent("/ledger/lines", other.to_string()),
    }
}

fn sum(items: impl IntoIterator<Item = Minor>) -> Result<Minor, RefundError> {
    Minor::checked_sum(items).map_err(|p| RefundError::invalid_amount("/request", "", p))
}

/// What a scope holds: originals, taken, available.
fn scope_refundable(buckets: &[Bucket<'_>], currency: Currency) -> Result<Refundable, RefundError> {
    let mut original = Vec::new();
    let mut refunded = Vec::new();
    let mut pending = Vec::new();
    let mut available = Vec::new();
    // Pending refunds are pending here too, as in `refundable` (not counted as refunded).
    let done = |taken: Minor, held: Minor| {
        taken
            .checked_sub(held)
            .map_err(|p| RefundError::invalid_amount("/ledger/refunds", "", p))
    };
    for b in buckets {
        if b.amount {
            original.push(b.line.amount);
            refunded.push(done(b.usage.amount, b.usage.pending_amount)?);
            pending.push(b.usage.pending_amount);
        }
        if b.tax {
            original.push(b.line.tax);
            refunded.push(done(b.usage.tax, b.usage.pending_tax)?);
            pending.push(b.usage.pending_tax);
        }
        available.push(b.available_amount()?);
        available.push(b.available_tax()?);
    }
    Ok(Refundable {
        currency,
        captured: sum(original)?,
        refunded: sum(refunded)?,
        pending: sum(pending)?,
        available: sum(available)?,
    })
}

/// How one scope was sized.
enum Sizing {
    /// A fixed amount, split over what is available (largest remainder).
    Amount(Money),
    /// A percentage of each bucket's original (cumulative) or of what is available.
    Percent(Percent, PercentBasis),
    /// Units of one product line (cumulative, like a percentage of `quantity / ordered`).
    Quantity(u64),
    /// Everything still available in the scope.
    Everything,
}

/// Splits a scope into per-line allocations. `pointer` names the request field that sized it.
fn allocate(
    buckets: &[Bucket<'_>],
    sizing: &Sizing,
    currency: Currency,
    pointer: &str,
) -> Result<Vec<Allocation>, RefundError> {
    let scope = scope_refundable(buckets, currency)?;
    if !scope.available.is_positive() {
        return Err(RefundError::AlreadyFullyRefunded { refundable: scope });
    }
    match sizing {
        Sizing::Everything | Sizing::Percent(Percent::HUNDRED, _) => {
            // DR1: "percent 100 … refunds everything available".
            split(buckets, scope.available)
        }
        Sizing::Amount(m) => {
            // DR1: `amount` ≤ `availableToRefundAmount` of the order or item.
            if m.minor > scope.available {
                return Err(RefundError::ExceedsRefundable {
                    requested: *m,
                    refundable: scope,
                });
            }
            split(buckets, m.minor)
        }
        Sizing::Percent(p, PercentBasis::Available) => {
            let amount =
                crate::allocation::share(scope.available.get(), p.ratio()).map_err(alloc_err)?;
            split(buckets, Minor::new(amount))
        }
        Sizing::Percent(p, PercentBasis::Original) => {
            cumulative(buckets, scope, currency, pointer, |b| {
                let q = i128::from(b.line.quantity);
                i128::from(p.hundredths())
                    .checked_mul(q)
                    .ok_or_else(overflow)
            })
            .map(|mut allocs| {
                for a in &mut allocs {
                    a.percent = Some(*p);
                }
                allocs
            })
        }
        Sizing::Quantity(units) => cumulative(buckets, scope, currency, pointer, |_| {
            i128::from(*units)
                .checked_mul(Percent::SCALE)
                .ok_or_else(overflow)
        })
        .map(|mut allocs| {
            for a in &mut allocs {
                a.quantity = Some(*units);
            }
            allocs
        }),
    }
}

/// Largest remainder of `amount` over the available buckets (amount and tax of each line, in
/// line order), so no bucket gives more than it has.
fn split(buckets: &[Bucket<'_>], amount: Minor) -> Result<Vec<Allocation>, RefundError> {
    let mut weights = Vec::new();
    for b in buckets {
        weights.push(b.available_amount()?.get());
        weights.push(b.available_tax()?.get());
    }
    let parts = largest_remainder(amount.get(), &weights).map_err(alloc_err)?;
    let mut out = Vec::new();
    for (b, pair) in buckets.iter().zip(parts.chunks(2)) {
        let a = Minor::new(pair.first().copied().unwrap_or_default());
        let t = Minor::new(pair.get(1).copied().unwrap_or_default());
        if a.is_positive() || t.is_positive() {
            out.push(Allocation {
                line_id: b.line.id.clone(),
                amount: a,
                tax: t,
                percent: None,
                quantity: None,
            });
        }
    }
    Ok(out)
}

/// Cumulative allocation: each line moves its position by `step(line)` (over
/// `10 000 × quantity`) and each bucket gives `share(original, position after) − taken`, never
/// below zero (see [`catch_up`]). A line pushed past 100 % is `exceeds_refundable`.
fn cumulative(
    buckets: &[Bucket<'_>],
    scope: Refundable,
    currency: Currency,
    pointer: &str,
    step: impl Fn(&Bucket<'_>) -> Result<i128, RefundError>,
) -> Result<Vec<Allocation>, RefundError> {
    let mut out = Vec::new();
    let mut requested = Minor::ZERO;
    // What the steps ask for on their own, reported when they go past the whole line.
    let mut asked = Minor::ZERO;
    let mut past_full = false;
    for b in buckets {
        let (num, den) = b.position()?;
        let this_step = step(b)?;
        let step_ratio = Ratio::new(this_step, den).map_err(alloc_err)?;
        for (on, total) in [(b.amount, b.line.amount), (b.tax, b.line.tax)] {
            if on {
                let part = share(total.get(), step_ratio).map_err(alloc_err)?;
                asked = asked
                    .checked_add(Minor::new(part))
                    .map_err(|p| RefundError::invalid_amount(pointer, "", p))?;
            }
        }
        let after_num = num.checked_add(this_step).ok_or_else(overflow)?;
        let after = Ratio::new(after_num.min(den), den).map_err(alloc_err)?;
        past_full |= after_num > den;
        let give = |on: bool, total: Minor, taken: Minor| -> Result<Minor, RefundError> {
            if !on {
                return Ok(Minor::ZERO);
            }
            catch_up(total.get(), taken.get(), after)
                .map(Minor::new)
                .map_err(alloc_err)
        };
        let a = give(b.amount, b.line.amount, b.usage.amount)?;
        let t = give(b.tax, b.line.tax, b.usage.tax)?;
        requested = requested
            .checked_add(a)
            .and_then(|r| r.checked_add(t))
            .map_err(|p| RefundError::invalid_amount(pointer, "", p))?;
        out.push(Allocation {
            line_id: b.line.id.clone(),
            amount: a,
            tax: t,
            percent: None,
            quantity: None,
        });
    }
    if past_full {
        // Percentages (or units) of a line may not add up to more than the whole line.
        return Err(RefundError::ExceedsRefundable {
            requested: Money::new(asked, currency),
            refundable: scope,
        });
    }
    Ok(out)
}

/// `amount` fields: a JSON number in major units (DR1, DR4); the DR1 curl example's string form
/// only with `accept_string_amounts`.
fn parse_amount(
    wire: &WireDecimal,
    currency: Currency,
    options: &Options,
    pointer: &str,
) -> Result<Money, RefundError> {
    if !options.accept_string_amounts {
        wire.require_number(
            pointer,
            "amount",
            " (see the `accept_string_amounts` option)",
        )?;
    }
    positive_wire_money(&wire.text, currency, PROVIDER, pointer)
}

/// `percent`: a JSON number from 0.01 to 100.00 inclusive with at most two decimals (DR1).
fn parse_percent(wire: &WireDecimal, pointer: &str) -> Result<Percent, RefundError> {
    wire.require_number(pointer, "percent", "")?;
    Percent::parse(&wire.text).map_err(|e| {
        let problem = match e {
            PercentError::Amount(p) => p,
            PercentError::OutOfRange => {
                if wire.text.bytes().all(|b| b == b'0' || b == b'.') {
                    AmountProblem::Zero
                } else {
                    AmountProblem::OutOfRange
                }
            }
        };
        RefundError::invalid_amount(pointer, &wire.text, problem)
    })
}

/// The order state allows a refund (DR1: at least one capture `complete`, i.e. settled).
fn check_state(ledger: &Ledger) -> Result<(), RefundError> {
    let status = ledger.status.payment.as_str();
    match status {
        "pending_payment" | "in_review" => return Err(RefundError::not_captured(status, None)),
        "blocked" | "cancelled" => {
            return Err(RefundError::not_refundable(
                status,
                "the order was never paid for",
            ));
        }
        // [U] a disputed order is not refunded while the dispute is open.
        "dispute" => {
            return Err(RefundError::not_refundable(
                status,
                "the order is disputed; the dispute decides the money",
            ));
        }
        _ => {}
    }
    if ledger.captures.is_empty() && matches!(status, "complete" | "returned") {
        return Err(RefundError::inconsistent(
            "/ledger/captures",
            format!("order `{status}` but no captures"),
        ));
    }
    if !ledger.captures.iter().any(|c| c.settled) {
        // DR1: "before capture, cancel via the Fulfillments API".
        return Err(RefundError::not_captured(status, Some(Operation::Cancel)));
    }
    Ok(())
}

/// DR1: `availableToRefundAmount = captured − (completed + pending refunds)`, where captured
/// counts captures in state `complete` (settled): the provider's one maximum.
fn order_refundable(ledger: &Ledger) -> Result<Refundable, RefundError> {
    PROVIDER.refundable(ledger)
}

/// The lines describe the whole order: they add up to the authorized total, and an item's
/// charges name a product line.
fn check_lines(ledger: &Ledger, index: &LineIndex<'_>) -> Result<(), RefundError> {
    if ledger.lines.is_empty() {
        return Ok(());
    }
    let total = sum(ledger.lines.iter().flat_map(|l| [l.amount, l.tax]))?;
    if total != ledger.authorized {
        return Err(RefundError::inconsistent(
            "/ledger/lines",
            format!(
                "the lines add up to {}, not to the order total {}",
                Money::new(total, ledger.currency),
                Money::new(ledger.authorized, ledger.currency)
            ),
        ));
    }
    for (i, l) in ledger.lines.iter().enumerate() {
        if let Some(item) = &l.item_id {
            let parent = index.line(item).map(|p| p.kind);
            if l.kind == LineKind::Product || parent != Some(LineKind::Product) {
                return Err(RefundError::inconsistent(
                    format!("/ledger/lines/{i}/item_id"),
                    "`item_id` ties a shipping, duty or fees line to a product line",
                ));
            }
        }
    }
    Ok(())
}

/// The buckets of `lines` (indices into the ledger's lines, in line order).
fn buckets<'a>(
    index: &LineIndex<'a>,
    lines: impl IntoIterator<Item = usize>,
    amount: bool,
    tax: bool,
) -> Result<Vec<Bucket<'a>>, RefundError> {
    lines
        .into_iter()
        .filter_map(|i| index.at(i).map(|line| (i, line)))
        .map(|(i, line)| {
            Ok(Bucket {
                line,
                usage: index.usage(i)?,
                amount,
                tax,
            })
        })
        .collect()
}

/// The indices of the ledger's lines that `select` keeps.
fn select(ledger: &Ledger, keep: impl Fn(&Line) -> bool) -> Vec<usize> {
    ledger
        .lines
        .iter()
        .enumerate()
        .filter(|(_, l)| keep(l))
        .map(|(i, _)| i)
        .collect()
}

/// An item's charge lines (shipping, fees, duty), by kind and item id, in line order: built
/// once, so that sizing many items does not scan every line per item.
fn charges_by_item(ledger: &Ledger) -> HashMap<(LineKind, &str), Vec<usize>> {
    let mut out: HashMap<(LineKind, &str), Vec<usize>> = HashMap::new();
    for (i, l) in ledger.lines.iter().enumerate() {
        if let Some(item) = &l.item_id {
            out.entry((l.kind, item.as_str())).or_default().push(i);
        }
    }
    out
}

fn need_lines(ledger: &Ledger, what: &str) -> Result<(), RefundError> {
    if ledger.lines.is_empty() {
        return Err(RefundError::invalid_input(
            "/ledger/lines",
            format!("{what} needs the order lines in the ledger"),
        ));
    }
    Ok(())
}

/// Decides the allocations of a request, with notes for the explanation.
fn size(
    ledger: &Ledger,
    index: &LineIndex<'_>,
    request: &Request,
    options: &Options,
    why: &mut Vec<String>,
) -> Result<Vec<Allocation>, RefundError> {
    let currency = ledger.currency;
    let amount = request
        .amount
        .as_ref()
        .map(|w| parse_amount(w, currency, options, "/request/amount"))
        .transpose()?;
    let percent = request
        .percent
        .as_ref()
        .map(|w| parse_percent(w, "/request/percent"))
        .transpose()?;
    let order_sizing = |pointer: &str| match (amount, percent) {
        (Some(m), _) => Ok((Sizing::Amount(m), "/request/amount")),
        (None, Some(p)) => Ok((Sizing::Percent(p, options.percent_of), "/request/percent")),
        (None, None) => Err(RefundError::invalid_input(pointer, "no size given")),
    };
    if let Some(items) = &request.items {
        need_lines(ledger, "an item-level refund")?;
        let charges = charges_by_item(ledger);
        let mut all = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let at = |f: &str| format!("/request/items/{i}/{f}");
            let scope = match item.item_type {
                // DR1: item level = the item amount and its tax only.
                None => {
                    let found = index
                        .position(&item.item_id)
                        .and_then(|k| index.at(k).map(|l| (k, l)))
                        .filter(|(_, l)| l.kind == LineKind::Product);
                    let (k, line) = found.ok_or_else(|| {
                        RefundError::invalid_input(
                            at("itemId"),
                            format!("the order has no item `{}`", item.item_id),
                        )
                    })?;
                    // DR1: `items[].quantity` ≤ the ordered quantity.
                    if let Some(q) = item.quantity
                        && q > line.quantity
                    {
                        return Err(RefundError::invalid_input(
                            at("quantity"),
                            format!(
                                "`quantity` {q} is more than the {} ordered of item `{}`",
                                line.quantity, line.id
                            ),
                        ));
                    }
                    // Line ids are unique (checked with the ledger): the one line.
                    buckets(index, [k], true, true)?
                }
                // DR1: `items[].type` shipping/fees/duty refunds that charge of the item plus
                // its tax.
                Some(kind) => {
                    let kind = kind.line_kind();
                    let lines = charges
                        .get(&(kind, item.item_id.as_str()))
                        .map(Vec::as_slice)
                        .unwrap_or_default();
                    let found = buckets(index, lines.iter().copied(), true, true)?;
                    if found.is_empty() {
                        return Err(RefundError::invalid_input(
                            at("itemId"),
                            format!("item `{}` has no {} charge", item.item_id, kind.as_str()),
                        ));
                    }
                    found
                }
            };
            let amount_pointer = at("amount");
            let percent_pointer = at("percent");
            let (sizing, pointer) = match (&item.amount, &item.percent, item.quantity) {
                (Some(w), _, _) => (
                    Sizing::Amount(parse_amount(w, currency, options, &amount_pointer)?),
                    amount_pointer.clone(),
                ),
                (None, Some(w), _) => (
                    Sizing::Percent(parse_percent(w, &percent_pointer)?, options.percent_of),
                    percent_pointer.clone(),
                ),
                // [U] units alone refund `quantity / ordered` of the item.
                (None, None, Some(q)) => (Sizing::Quantity(q), at("quantity")),
                // [U] nothing else: the whole item that is still available.
                (None, None, None) => (Sizing::Everything, at("itemId")),
            };
            let allocs = allocate(&scope, &sizing, currency, &pointer)?;
            why.push(format!(
                "item `{}`{}: {}",
                item.item_id,
                item.item_type
                    .map(|k| format!(" ({})", k.line_kind().as_str()))
                    .unwrap_or_default(),
                describe(&allocs, currency)
            ));
            all.extend(allocs);
        }
        return Ok(all);
    }
    match request.refund_type {
        // DR1: `type: tax` is order level, full only: percent 100 or the whole unrefunded tax.
        Some(OrderRefundType::Tax) => {
            need_lines(ledger, "a tax refund")?;
            let scope = buckets(index, select(ledger, |_| true), false, true)?;
            let tax = scope_refundable(&scope, currency)?;
            if !tax.available.is_positive() {
                return Err(RefundError::AlreadyFullyRefunded { refundable: tax });
            }
            let requested = match (amount, percent) {
                (Some(m), _) if m.minor > tax.available => {
                    return Err(RefundError::ExceedsRefundable {
                        requested: m,
                        refundable: tax,
                    });
                }
                (Some(m), _) => m.minor,
                (None, Some(p)) => Minor::new(
                    crate::allocation::share(tax.available.get(), p.ratio()).map_err(alloc_err)?,
                ),
                (None, None) => tax.available,
            };
            if requested != tax.available {
                return Err(RefundError::PartialRefundNotSupported {
                    requested: Money::new(requested, currency),
                    refundable: tax,
                });
            }
            why.push("type tax: the whole unrefunded tax (full tax refunds only)".to_owned());
            allocate(&scope, &Sizing::Everything, currency, "/request")
        }
        // DR1: `type` shipping/fees/duty (and importer_tax, DR4) refund that component plus its
        // tax, proportionally.
        Some(t) => {
            need_lines(ledger, "a typed refund")?;
            let kind = match t {
                OrderRefundType::Shipping => LineKind::Shipping,
                OrderRefundType::Duty => LineKind::Duty,
                OrderRefundType::ImporterTax => LineKind::ImporterTax,
                OrderRefundType::Fees | OrderRefundType::Tax => LineKind::Fees,
            };
            let scope = buckets(index, select(ledger, |l| l.kind == kind), true, true)?;
            if scope.is_empty() {
                return Err(RefundError::invalid_input(
                    "/request/type",
                    format!("the order has no {} charge", kind.as_str()),
                ));
            }
            let (sizing, pointer) = order_sizing("/request")?;
            let allocs = allocate(&scope, &sizing, currency, pointer)?;
            why.push(format!(
                "type {}: {}",
                kind.as_str(),
                describe(&allocs, currency)
            ));
            Ok(allocs)
        }
        // DR1: an order-level product refund spreads over product, shipping, duties and taxes;
        // it never refunds regulatory fees.
        None => {
            if ledger.lines.is_empty() {
                if amount.is_none() {
                    need_lines(ledger, "a percentage refund")?;
                }
                return Ok(Vec::new());
            }
            let scope = buckets(
                index,
                select(ledger, |l| l.kind != LineKind::Fees),
                true,
                true,
            )?;
            let (mut sizing, pointer) = order_sizing("/request")?;
            // DR1: "percent 100 … refunds everything available", and available is
            // `availableToRefundAmount`, which counts completed captures only. While some
            // captures are not complete that is less than the lines hold: refund exactly it,
            // spread over the lines as an amount (the lines stay below 100 %).
            if let Sizing::Percent(Percent::HUNDRED, _) = sizing {
                let order = order_refundable(ledger)?.available;
                let lines = scope_refundable(&scope, currency)?.available;
                if order < lines {
                    why.push(format!(
                        "percent 100 while captures are incomplete: everything available, {}",
                        Money::new(order, currency)
                    ));
                    sizing = Sizing::Amount(Money::new(order, currency));
                }
            }
            let allocs = allocate(&scope, &sizing, currency, pointer)?;
            why.push(format!(
                "order-level product refund over every line but fees: {}",
                describe(&allocs, currency)
            ));
            Ok(allocs)
        }
    }
}

fn describe(allocs: &[Allocation], currency: Currency) -> String {
    let parts: Vec<String> = allocs
        .iter()
        .map(|a| {
            format!(
                "{} {} + tax {}",
                a.line_id,
                Money::new(a.amount, currency).to_decimal_string(),
                Money::new(a.tax, currency).to_decimal_string()
            )
        })
        .collect();
    parts.join(", ")
}

/// Decides a Digital River refund.
pub fn plan(
    ledger: &Ledger,
    request: &Request,
    options: &Options,
    ctx: &PlanContext,
) -> Result<Plan, RefundError> {
    let mut why = Vec::new();
    // DR1: `currency` must equal the order currency ("Currency EUR is not supported.").
    let currency = request_currency(&request.currency, "/request/currency", ledger.currency)?;
    if let (Some(asked), Some(id)) = (&request.order_id, &ledger.id)
        && asked != id
    {
        return Err(RefundError::invalid_input(
            "/request/orderId",
            format!("the ledger is order `{id}`, not `{asked}`"),
        ));
    }
    check_state(ledger)?;
    let index = LineIndex::new(ledger);
    check_lines(ledger, &index)?;
    let refundable = order_refundable(ledger)?;
    why.push(format!(
        "captured (complete) {}, refunded {}, pending {}, available {}",
        refundable.captured_money(),
        refundable.refunded_money(),
        refundable.pending_money(),
        refundable.available_money()
    ));
    if !refundable.available.is_positive() {
        return Err(RefundError::AlreadyFullyRefunded { refundable });
    }
    let allocations = size(ledger, &index, request, options, &mut why)?;
    let amount = if ledger.lines.is_empty() {
        // No lines: an order-level amount against the order's available amount.
        match &request.amount {
            Some(w) => parse_amount(w, currency, options, "/request/amount")?,
            None => return Err(RefundError::invalid_input("/request", "no amount")),
        }
    } else {
        Money::new(
            sum(allocations.iter().flat_map(|a| [a.amount, a.tax]))?,
            currency,
        )
    };
    if amount.minor.is_zero() {
        // A percentage so small that every bucket rounds to nothing.
        return Err(RefundError::invalid_amount(
            "/request",
            "0",
            AmountProblem::Zero,
        ));
    }
    // DR1: never above the order's `availableToRefundAmount`.
    if amount.minor > refundable.available {
        return Err(RefundError::ExceedsRefundable {
            requested: amount,
            refundable,
        });
    }
    let kind = if amount.minor == refundable.available {
        RefundKind::Full
    } else {
        RefundKind::Partial
    };
    // DR1: created `pending`; DR2: `pending_information` for asynchronous methods.
    let state = if options.async_payment_method {
        RefundState::PendingInformation
    } else {
        RefundState::Pending
    };
    let mut outline = outline_refund(
        &MACHINES,
        ledger,
        ctx,
        refundable,
        RefundDraft {
            amount,
            kind,
            state,
            capture_id: None,
        },
    )?;
    let mut refund_id = String::new();
    if let EventKind::RefundCreated {
        allocations: slot,
        refund_id: id,
        ..
    } = &mut outline.event.kind
    {
        *slot = allocations;
        refund_id.clone_from(id);
    }
    why.push(format!(
        "{} refund of {amount}, created {state}; order stays `{}` until it succeeds, then `{}`",
        kind.as_str(),
        ledger.status.payment,
        outline.status_after.payment
    ));
    let call_body = raw_json(&call_body(request, ledger.currency, options)?);
    let response = ProviderResponse {
        http_status: 201,
        body: raw_json(&CreatedBody {
            id: refund_id,
            order_id: request.order_id.clone(),
            invoice_id: request.invoice_id.clone(),
            currency: ledger.currency.code(),
            refund_type: request.refund_type,
            amount: JsonNumber::from_money(&amount),
            refunded_amount: JsonNumber::from_money(&Money::new(Minor::ZERO, ledger.currency)),
            state,
            reason: request.reason.clone(),
        }),
    };
    Ok(Plan::from_outline(
        PROVIDER,
        ledger,
        outline,
        state,
        ProviderCall {
            method: "POST",
            path: "/refunds".to_owned(),
            body: Some(call_body),
        },
        Some(response),
        why,
    ))
}

/// The body sent: the request with amounts as exact JSON numbers.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CallBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    order_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    invoice_id: Option<&'a str>,
    currency: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    amount: Option<JsonNumber>,
    #[serde(skip_serializing_if = "Option::is_none")]
    percent: Option<JsonNumber>,
    #[serde(skip_serializing_if = "Option::is_none")]
    items: Option<Vec<CallItem<'a>>>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    refund_type: Option<OrderRefundType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    metadata: Option<&'a RawValue>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CallItem<'a> {
    item_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    sku_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    quantity: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    amount: Option<JsonNumber>,
    #[serde(skip_serializing_if = "Option::is_none")]
    percent: Option<JsonNumber>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    item_type: Option<ItemRefundType>,
}

fn call_body<'a>(
    r: &'a Request,
    currency: Currency,
    options: &Options,
) -> Result<CallBody<'a>, RefundError> {
    let money = |w: &WireDecimal, at: &str| {
        parse_amount(w, currency, options, at).map(|m| JsonNumber::from_money(&m))
    };
    let percent = |w: &WireDecimal, at: &str| {
        parse_percent(w, at).and_then(|p| JsonNumber::new(&p.to_string()))
    };
    let items = r
        .items
        .as_ref()
        .map(|items| {
            items
                .iter()
                .enumerate()
                .map(|(i, it)| {
                    Ok(CallItem {
                        item_id: &it.item_id,
                        sku_id: it.sku_id.as_deref(),
                        quantity: it.quantity,
                        amount: it
                            .amount
                            .as_ref()
                            .map(|w| money(w, &format!("/request/items/{i}/amount")))
                            .transpose()?,
                        percent: it
                            .percent
                            .as_ref()
                            .map(|w| percent(w, &format!("/request/items/{i}/percent")))
                            .transpose()?,
                        item_type: it.item_type,
                    })
                })
                .collect::<Result<Vec<_>, RefundError>>()
        })
        .transpose()?;
    Ok(CallBody {
        order_id: r.order_id.as_deref(),
        invoice_id: r.invoice_id.as_deref(),
        currency: currency.code(),
        amount: r
            .amount
            .as_ref()
            .map(|w| money(w, "/request/amount"))
            .transpose()?,
        percent: r
            .percent
            .as_ref()
            .map(|w| percent(w, "/request/percent"))
            .transpose()?,
        items,
        refund_type: r.refund_type,
        reason: r.reason.as_deref(),
        metadata: r.metadata.as_deref(),
    })
}

/// The 201 `OrderRefund` body (DR1, DR4): the fields the engine can predict.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreatedBody {
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    order_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    invoice_id: Option<String>,
    currency: &'static str,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    refund_type: Option<OrderRefundType>,
    amount: JsonNumber,
    refunded_amount: JsonNumber,
    state: RefundState,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

/// Digital River's error body `{"type","errors":[{"code","parameter","message"}]}` (DR1, DR4).
/// The three documented refund errors are 400 `invalid_parameter` on `amountRequested`,
/// `currency` and `percentRequested` (DR1); the rest are [U] defaults.
pub fn provider_error(error: &RefundError) -> Option<ProviderError> {
    let bad = |parameter: Option<String>, message: String| {
        (400, "bad_request", "invalid_parameter", parameter, message)
    };
    let (status, kind, code, parameter, message) = match error {
        RefundError::ExceedsRefundable { .. } | RefundError::AlreadyFullyRefunded { .. } => bad(
            Some("amountRequested".to_owned()),
            "The requested refund amount is greater than the available amount.".to_owned(),
        ),
        RefundError::CurrencyMismatch { found, .. } => bad(
            Some("currency".to_owned()),
            format!("Currency {found} is not supported."),
        ),
        RefundError::UnknownCurrency { problem, .. } => bad(
            Some("currency".to_owned()),
            format!("Currency {} is not supported.", problem.code_text()),
        ),
        RefundError::PartialRefundNotSupported { .. } => bad(
            Some("percentRequested".to_owned()),
            "Only full tax refunds are supported.".to_owned(),
        ),
        // [U] malformed fields: 400 `invalid_parameter` naming the field.
        RefundError::InvalidAmount { pointer, .. } | RefundError::InvalidInput { pointer, .. }
            if pointer.starts_with("/request") =>
        {
            // `parameter` is the dotted field (`items[0].amount`).
            bad(dotted_field(pointer), error.to_string())
        }
        // [U] providers.md §4.7: no completed capture → 409 conflict.
        RefundError::NotCaptured { .. } => (
            409,
            "conflict",
            "conflict",
            Some("orderId".to_owned()),
            "The order has no completed charge capture to refund.".to_owned(),
        ),
        RefundError::NotRefundableState { status, .. } => (
            409,
            "conflict",
            "conflict",
            Some("orderId".to_owned()),
            format!("An order in state {status} cannot be refunded."),
        ),
        _ => return None,
    };
    let mut entry = serde_json::Map::new();
    entry.insert("code".to_owned(), json!(code));
    if let Some(p) = parameter {
        entry.insert("parameter".to_owned(), json!(p));
    }
    entry.insert("message".to_owned(), json!(message));
    Some(ProviderError {
        http_status: status,
        code: code.to_owned(),
        body: json!({ "type": kind, "errors": [entry] }),
    })
}

/// The DigitalRiver rules, registered in `provider/mod.rs`.
#[derive(Debug)]
pub struct DigitalRiverRules;

impl Rules for DigitalRiverRules {
    const PROVIDER: Provider = PROVIDER;
    type Request = Request;
    type Options = Options;
    fn machines() -> &'static ProviderMachines {
        &MACHINES
    }
    fn reachable_errors() -> &'static [ErrorCode] {
        REACHABLE_ERRORS
    }
    fn parse(body: Option<&str>, options: Option<&str>) -> Result<(Request, Options), RefundError> {
        parse(body, options)
    }
    fn plan(
        ledger: &Ledger,
        request: &Request,
        options: &Options,
        ctx: &PlanContext,
    ) -> Result<Plan, RefundError> {
        plan(ledger, request, options, ctx)
    }
    fn provider_error(error: &RefundError) -> Option<ProviderError> {
        provider_error(error)
    }
    fn check_ledger(ledger: &Ledger) -> Result<(), RefundError> {
        check_lines(ledger, &LineIndex::new(ledger))
    }
}
