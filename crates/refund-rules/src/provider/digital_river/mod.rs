//! Digital River: `POST /refunds` with a `RefundRequest` (API 2020-12-17 guides, SDK "2023").
//!
//! Sources (`../shared/reference/providers.md` §0 and §4, ids at its end):
//! - \[S\] seed `digital-river-refunds.md`: full or partial refunds of products, shipping, taxes,
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
//!
//! This folder: the decision is here (sizing over the lines in `sizing.rs`); `wire.rs` reads
//! the request and options, `tables.rs` holds the state tables, `render.rs` the call and response
//! bodies, `errors.rs` Digital River's error bodies.

mod errors;
mod render;
mod sizing;
mod tables;
mod wire;

#[cfg(feature = "schema")]
pub(crate) use wire::schema_roots;

pub use errors::provider_error;
pub use tables::{MACHINES, REACHABLE_ERRORS};
pub use wire::{
    ItemRefundType, ItemRequest, Options, OrderRefundType, PercentBasis, Request, parse,
};

use super::rules::Rules;
use crate::error::ProviderError;
use crate::error::{ErrorCode, Field, RefundError};
use crate::event::EventKind;
use crate::id::Provider;
use crate::ledger::{Allocation, Ledger, LineIndex, LineKind, RefundState, Refundable};
use crate::machine::ProviderMachines;
use crate::money::{AmountProblem, Money};
use crate::plan::{
    Decision, NoNotes, Notes, Operation, Plan, PlanContext, RefundDraft, RefundKind, Rule,
    ValidLedger, outline_refund, refund_decision,
};
use crate::wire::request_currency;
use sizing::{size, sum};
use wire::parse_amount;

const PROVIDER: Provider = Provider::DigitalRiver;

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
                    Field::at("/ledger/lines").item(i).field("item_id"),
                    "`item_id` ties a shipping, duty or fees line to a product line",
                ));
            }
        }
    }
    Ok(())
}

/// DR1, where the refund rules come from.
const DR1: &str = "https://docs.digitalriver.com/digital-river-api/order-management/returns-and-refunds-1/refunds/issuing-refunds";

/// The rules a Digital River refund passes, in order.
const REFUND_RULES: &[Rule] = &[
    Rule {
        id: "digital_river.currency_of_the_order",
        source: DR1,
    },
    Rule {
        id: "digital_river.a_capture_is_complete",
        source: DR1,
    },
    Rule {
        id: "digital_river.sized_over_the_lines",
        source: DR1,
    },
    Rule {
        id: "digital_river.within_available_to_refund",
        source: DR1,
    },
];

/// Decides a Digital River refund without rendering; also returns its spread over the order
/// lines (empty without lines). `why` collects the explanation when a plan is rendered
/// ([`NoNotes`] otherwise). Without order lines nothing is allocated; sizing over lines builds
/// the line index and the allocations (see `benches/README.md`).
fn decide_inner(
    valid: &ValidLedger<'_>,
    request: &Request,
    options: &Options,
    why: &mut impl Notes,
) -> Result<(Decision, Vec<Allocation>), RefundError> {
    let ledger = valid.ledger();
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
    // DR1: `availableToRefundAmount`, the provider's one maximum (complete captures).
    let refundable = valid.maximum();
    why.note(|| {
        format!(
            "captured (complete) {}, refunded {}, pending {}, available {}",
            refundable.captured_money(),
            refundable.refunded_money(),
            refundable.pending_money(),
            refundable.available_money()
        )
    });
    if !refundable.available.is_positive() {
        return Err(RefundError::AlreadyFullyRefunded { refundable });
    }
    let allocations = size(ledger, &index, request, options, why)?;
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
    let decision = refund_decision(
        &MACHINES,
        valid,
        refundable,
        (amount, kind, state),
        REFUND_RULES,
    )?;
    Ok((decision, allocations))
}

/// Decides a Digital River refund without rendering it.
#[inline]
pub fn decide(
    valid: &ValidLedger<'_>,
    request: &Request,
    options: &Options,
) -> Result<Decision, RefundError> {
    decide_inner(valid, request, options, &mut NoNotes).map(|(decision, _)| decision)
}

/// Decides a Digital River refund and renders it.
pub fn plan(
    ledger: &Ledger,
    request: &Request,
    options: &Options,
    ctx: &PlanContext,
) -> Result<Plan, RefundError> {
    let valid = ValidLedger::after_check(PROVIDER, &MACHINES, ledger)?;
    let mut why = Vec::new();
    let (decision, allocations) = decide_inner(&valid, request, options, &mut why)?;
    let Decision {
        amount,
        kind,
        refundable,
        refund_state,
        ..
    } = decision;
    let state = refund_state.unwrap_or(RefundState::Pending);
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
    let call = render::call(request, ledger.currency, options)?;
    let response = render::created(request, ledger.currency, refund_id, amount, state);
    Ok(Plan::from_outline(
        PROVIDER,
        ledger,
        outline,
        state,
        call,
        Some(response),
        why,
    ))
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
    fn request_body(
        ledger: &Ledger,
        scope: crate::provider::rules::RequestScope<'_>,
        amount: Option<crate::money::Minor>,
    ) -> Result<Option<String>, crate::provider::rules::NoSuchRequest> {
        render::request_body(ledger, scope, amount)
    }
    #[inline]
    fn decide(
        valid: &ValidLedger<'_>,
        request: &Request,
        options: &Options,
        _ctx: &PlanContext,
    ) -> Result<Decision, RefundError> {
        decide(valid, request, options)
    }
    fn provider_error(error: &RefundError) -> Option<ProviderError> {
        provider_error(error)
    }
    fn check_ledger(ledger: &Ledger) -> Result<(), RefundError> {
        check_lines(ledger, &LineIndex::new(ledger))
    }
}
