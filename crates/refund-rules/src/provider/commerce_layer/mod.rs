//! Commerce Layer: refunds are JSON:API trigger attributes on captures, orders and returns, and a
//! stuck refund is unblocked with `_forward`. Per-capture partial refunds, whole-order full
//! refunds, return refunds; paid states only.
//!
//! Sources (`../shared/reference/providers.md` §0, §1; ids at its end):
//! - \[S\] seed `commerce-layer-refunds.md` (docs.commercelayer.io/core-api-reference/refunds):
//!   captured only; refunds ≤ captured; equal = full (order `cancelled`, payment `refunded`),
//!   less = partial (payment `partially_refunded`); `_forward` unblocks a stuck refund.
//! - CL1 commercelayer-sdk `src/resources/{orders,captures,refunds,returns}.ts`: trigger
//!   attributes, status enums, `succeeded` flag (no refund status enum).
//! - CL2 commercelayer-docs-resources `captures/update.md`: `_refund_amount_cents` in cents,
//!   `refund_amount_cents` / `refund_balance_cents`.
//! - CL3 docs …/core-api-reference/transactions: the three `_forward` guards, no error on failure.
//! - CL4 docs …/orders: the status / payment_status / fulfillment_status table, `free`.
//! - CL5 docs …/data-model/orders/returns-management: `received` → `refunded`, the most recent
//!   capture or `reference_capture`, the order is not cancelled.
//! - CL6 handling-errors: JSON:API error body, HTTP statuses.
//!
//! This folder: the capture, order and return decisions are here, `_forward` in `forward.rs`;
//! `wire.rs` reads the JSON:API body and the options, `tables.rs` holds the status tables,
//! `render.rs` the JSON:API call and response documents, `errors.rs` Commerce Layer's error
//! bodies.

mod errors;
mod forward;
mod render;
mod tables;
mod wire;

#[cfg(feature = "schema")]
pub(crate) use wire::schema_roots;

pub use errors::provider_error;
pub use tables::{MACHINES, REACHABLE_ERRORS, RETURN_MACHINE};
pub use wire::{Options, Request, parse};

use serde_json::json;

use super::rules::Rules;
use crate::error::ProviderError;
use crate::error::{ErrorCode, Field, InputProblem, RefundError};
use crate::event::EventKind;
use crate::id::Provider;
use crate::ledger::{AmountStage, Capture, Ledger, Refund, RefundState, Refundable};
use crate::machine::{PaymentEvent as P, ProviderMachines, StatusMachine};
use crate::money::{Minor, Money};
use crate::plan::{
    Decision, NoNotes, Notes, Operation, Plan, PlanContext, RefundDraft, RefundKind, RefundOutline,
    Rule, ValidLedger, outline_refund, refund_decision, resolve_amount,
};
use forward::{decide_forward, plan_forward};
use render::{call, cents, ok_response};
use wire::{AMOUNT_POINTER, ID_POINTER, REFUND_POINTER};

const PROVIDER: Provider = Provider::CommerceLayer;

/// Message prefix of an id the ledger does not hold (CL6: 404 `RECORD_NOT_FOUND`).
const NOT_FOUND: &str = "no record:";

/// The seed page (captured only, refunds within what was captured, full or partial).
const SEED: &str = "https://docs.commercelayer.io/core-api-reference/refunds";
/// CL5, return refunds.
const CL5: &str = "https://docs.commercelayer.io/data-model/orders/returns-management";
/// CL3, `_forward`'s guards.
pub(super) const CL3: &str = "https://docs.commercelayer.io/core-api-reference/transactions";

/// The rules a capture refund passes, in order.
const CAPTURE_RULES: &[Rule] = &[
    Rule {
        id: "commerce_layer.paid_states_only",
        source: SEED,
    },
    Rule {
        id: "commerce_layer.within_the_capture_balance",
        source: SEED,
    },
];

/// The rules a whole-order refund passes, in order.
const ORDER_RULES: &[Rule] = &[
    Rule {
        id: "commerce_layer.paid_states_only",
        source: SEED,
    },
    Rule {
        id: "commerce_layer.order_refund_is_full_on_one_capture",
        source: SEED,
    },
];

/// The rules a return refund passes, in order.
const RETURN_RULES: &[Rule] = &[
    Rule {
        id: "commerce_layer.paid_states_only",
        source: SEED,
    },
    Rule {
        id: "commerce_layer.received_returns_only",
        source: CL5,
    },
    Rule {
        id: "commerce_layer.within_the_capture_balance",
        source: SEED,
    },
];

/// Decides a Commerce Layer refund or `_forward` without rendering, on a validated ledger.
#[inline]
pub fn decide(
    valid: &ValidLedger<'_>,
    request: &Request,
    options: &Options,
) -> Result<Decision, RefundError> {
    let why = &mut NoNotes;
    Ok(match request {
        Request::Capture { id, amount } => decide_capture(valid, id, *amount, options, why)?.0,
        Request::Order { id } => decide_order(valid, id, options, why)?.0,
        Request::Return { id, amount } => decide_return(valid, id, *amount, options, why)?.0,
        Request::Forward { id } => decide_forward(valid, id, why)?.0,
    })
}

/// Decides a Commerce Layer refund or `_forward` and renders it.
pub fn plan(
    ledger: &Ledger,
    request: &Request,
    options: &Options,
    ctx: &PlanContext,
) -> Result<Plan, RefundError> {
    refunds_name_captures(ledger)?;
    let valid = ValidLedger::after_check(PROVIDER, &MACHINES, ledger)?;
    match request {
        Request::Capture { id, amount } => plan_capture(&valid, id, *amount, options, ctx),
        Request::Order { id } => plan_order(&valid, id, options, ctx),
        Request::Return { id, amount } => plan_return(&valid, id, *amount, options, ctx),
        Request::Forward { id } => plan_forward(&valid, id),
    }
}

/// Refund transactions always reference a capture (CL1 `reference_capture`; CL3 refunds happen
/// "when a capture is refunded"), so per-capture balances add up to the order's.
fn refunds_name_captures(ledger: &Ledger) -> Result<(), RefundError> {
    ledger
        .refunds
        .iter()
        .enumerate()
        .try_for_each(|(i, r)| refund_names_capture(i, r))
}

/// [`refunds_name_captures`] for the one refund at position `i`.
fn refund_names_capture(i: usize, refund: &Refund) -> Result<(), RefundError> {
    match refund.capture_id {
        Some(_) => Ok(()),
        None => Err(RefundError::inconsistent(
            Field::at("/ledger/refunds").item(i).field("capture_id"),
            "commerce_layer refunds always reference a capture",
        )),
    }
}

fn not_found(kind: &str, id: &str) -> RefundError {
    RefundError::input(
        InputProblem::NotFound,
        ID_POINTER,
        format!("{NOT_FOUND} the ledger has no {kind} `{id}`"),
    )
}

/// Refunds only from paid states (\[S\] captured only; §1.5 \[U\] defaults), with amounts that agree
/// with the payment status.
fn precheck(
    valid: &ValidLedger<'_>,
    options: &Options,
    why: &mut impl Notes,
) -> Result<Refundable, RefundError> {
    let ledger = valid.ledger();
    let status = ledger.status.payment.as_str();
    match status {
        "paid" | "partially_refunded" | "refunded" => {}
        "partially_paid" if options.partially_paid_refundable => {
            why.note(|| "`partially_paid` refunds like `paid` (option partially_paid_refundable, §1.5 [U] default)".to_owned());
        }
        "partially_paid" => {
            return Err(RefundError::not_refundable(
                status,
                "refunds of partially paid orders are disabled (option partially_paid_refundable)",
            ));
        }
        // CL1, CL4: cancelling a placed order voids its authorization instead.
        "authorized" | "partially_authorized" => {
            return Err(RefundError::not_captured(status, Some(Operation::Cancel)));
        }
        "unpaid" => return Err(RefundError::not_captured(status, None)),
        "free" => {
            return Err(RefundError::not_refundable(
                status,
                "a free order (total 0) was never charged",
            ));
        }
        _ => {
            return Err(RefundError::not_refundable(
                status,
                "a voided authorization has nothing to refund",
            ));
        }
    }
    if ledger.captures.is_empty() {
        return Err(RefundError::inconsistent(
            "/ledger/captures",
            format!("payment status `{status}` but no captures"),
        ));
    }
    let r = valid.refundable_all();
    let implied = match r.stage(ledger.authorized) {
        AmountStage::Captured => "paid",
        AmountStage::PartiallyCaptured => "partially_paid",
        AmountStage::PartiallyRefunded => "partially_refunded",
        AmountStage::Refunded => "refunded",
    };
    if implied != status {
        return Err(RefundError::inconsistent(
            "/ledger/status/payment",
            format!("payment status `{status}` but the amounts say `{implied}`"),
        ));
    }
    why.note(|| format!("order: {}", r.summary()));
    Ok(r)
}

/// §1.3 \[U\] default: full ⇔ the order's successful refunds reach its captured total.
fn order_kind(overall: &Refundable, amount: Money) -> Result<RefundKind, RefundError> {
    let after = overall
        .refunded
        .checked_add(amount.minor)
        .map_err(|_| RefundError::overflow(AMOUNT_POINTER))?;
    Ok(if after == overall.captured {
        RefundKind::Full
    } else {
        RefundKind::Partial
    })
}

fn status_text(s: &crate::ledger::Statuses) -> String {
    format!(
        "status `{}`, payment_status `{}`, fulfillment_status `{}`",
        s.order.as_deref().unwrap_or("-"),
        s.payment,
        s.fulfillment.as_deref().unwrap_or("-")
    )
}

/// `PATCH /api/captures/:id` `_refund` (CL1, CL2): the decision and the capture.
fn decide_capture<'a>(
    valid: &ValidLedger<'a>,
    id: &str,
    amount: Option<Minor>,
    options: &Options,
    why: &mut impl Notes,
) -> Result<(Decision, &'a Capture), RefundError> {
    let ledger = valid.ledger();
    let overall = precheck(valid, options, why)?;
    let capture = ledger
        .captures
        .iter()
        .find(|c| c.id == id)
        .ok_or_else(|| not_found("capture", id))?;
    // [S]: the sum of refunds on a capture is at most the captured amount.
    let breakdown = ledger.refundable_for_capture(id)?;
    why.note(|| {
        format!(
            "capture `{id}`: captured {}, refunded {}, pending {}, refund balance {}",
            breakdown.captured_money(),
            breakdown.refunded_money(),
            breakdown.pending_money(),
            breakdown.available_money()
        )
    });
    let requested = amount.map(|m| Money::new(m, ledger.currency));
    if requested.is_none() {
        // CL2: `_refund_amount_cents` only overwrites the amount; without it the balance.
        why.note(|| "no `_refund_amount_cents`: the capture's whole refund balance".to_owned());
    }
    let (money, _) = resolve_amount(requested, &breakdown, AMOUNT_POINTER)?;
    let decision = capture_refund_decision(valid, &overall, breakdown, money, CAPTURE_RULES)?;
    Ok((decision, capture))
}

/// `PATCH /api/captures/:id` `_refund`, rendered.
fn plan_capture(
    valid: &ValidLedger<'_>,
    id: &str,
    amount: Option<Minor>,
    options: &Options,
    ctx: &PlanContext,
) -> Result<Plan, RefundError> {
    let ledger = valid.ledger();
    let mut why = Vec::new();
    let (decision, capture) = decide_capture(valid, id, amount, options, &mut why)?;
    let money = decision.amount;
    let outline = outline_capture_refund(
        ledger,
        ctx,
        &valid.refundable_all(),
        decision.refundable,
        money,
        &capture.id,
    )?;
    why.push(outline_text(&outline));
    let mut attrs = json!({ "_refund": true });
    if let (Some(m), Some(map)) = (amount, attrs.as_object_mut()) {
        map.insert("_refund_amount_cents".to_owned(), json!(cents(m)));
    }
    let response = ok_response(
        "captures",
        id,
        json!({
            "currency_code": ledger.currency.code(),
            "amount_cents": cents(capture.amount),
            "refund_amount_cents": cents(money.minor),
            "refund_balance_cents": cents(outline.remaining_after.minor),
            "succeeded": true,
        }),
    );
    Ok(Plan::from_outline(
        PROVIDER,
        ledger,
        outline,
        RefundState::Succeeded,
        call("captures", id, attrs),
        Some(response),
        why,
    ))
}

/// The decision part of [`outline_capture_refund`]: the same kind, statuses and remaining.
fn capture_refund_decision(
    valid: &ValidLedger<'_>,
    overall: &Refundable,
    breakdown: Refundable,
    money: Money,
    rules: &'static [Rule],
) -> Result<Decision, RefundError> {
    let kind = order_kind(overall, money)?;
    refund_decision(
        &MACHINES,
        valid,
        breakdown,
        (money, kind, RefundState::Succeeded),
        rules,
    )
}

/// A succeeded refund of `money` on one capture, full or partial by the order's totals (CL1:
/// refunds are synchronous and always name a capture).
fn outline_capture_refund(
    ledger: &Ledger,
    ctx: &PlanContext,
    overall: &Refundable,
    breakdown: Refundable,
    money: Money,
    capture_id: &str,
) -> Result<RefundOutline, RefundError> {
    outline_refund(
        &MACHINES,
        ledger,
        ctx,
        breakdown,
        RefundDraft {
            amount: money,
            kind: order_kind(overall, money)?,
            state: RefundState::Succeeded,
            capture_id: Some(capture_id.to_owned()),
        },
    )
}

/// `full refund of 15.00 EUR (1500 cents); status …` for explanations.
fn outline_text(outline: &RefundOutline) -> String {
    format!(
        "{} refund of {} ({} cents); {}",
        outline.kind.as_str(),
        outline.amount,
        cents(outline.amount.minor),
        status_text(&outline.status_after)
    )
}

/// Up to this many captures, the capture holding an order's refund balance is found without
/// allocating (one pass over the refunds per capture); above it, in one pass with a table.
const SCAN_CAPTURES: usize = 8;

/// The one capture holding a refund balance, or how many hold one (not one).
fn capture_with_balance(ledger: &Ledger) -> Result<Result<&Capture, usize>, RefundError> {
    let mut found = None;
    let mut count = 0_usize;
    if ledger.captures.len() <= SCAN_CAPTURES {
        for c in &ledger.captures {
            if ledger
                .refundable_for_capture(&c.id)?
                .available
                .is_positive()
            {
                count = count.saturating_add(1);
                found = found.or(Some(c));
            }
        }
    } else {
        // One pass over the refunds for every capture (one per capture would be quadratic).
        let breakdowns = ledger.capture_breakdowns()?;
        for (c, b) in ledger.captures.iter().zip(&breakdowns) {
            if b.available.is_positive() {
                count = count.saturating_add(1);
                found = found.or(Some(c));
            }
        }
    }
    Ok(match found {
        Some(c) if count == 1 => Ok(c),
        _ => Err(count),
    })
}

/// `PATCH /api/orders/:id` `_refund`: refunds what the order still has, in full (CL1).
fn decide_order<'a>(
    valid: &ValidLedger<'a>,
    id: &str,
    options: &Options,
    why: &mut impl Notes,
) -> Result<(Decision, &'a Capture), RefundError> {
    let ledger = valid.ledger();
    if ledger.id.as_deref().is_some_and(|own| own != id) {
        return Err(not_found("order", id));
    }
    let overall = precheck(valid, options, why)?;
    let (money, _) = resolve_amount(None, &overall, REFUND_POINTER)?;
    // [U] default: the order trigger refunds the order's capture; when the balance sits on
    // several captures, each is refunded through its own capture.
    let capture = match capture_with_balance(ledger)? {
        Ok(one) => one,
        Err(many) => {
            return Err(RefundError::not_refundable(
                ledger.status.payment.as_str(),
                format!(
                    "the refund balance is spread over {many} captures; refund each with `PATCH /api/captures/:id`"
                ),
            ));
        }
    };
    why.note(|| {
        format!(
            "whole-order refund: full only, no amount attribute (CL1); capture `{}`",
            capture.id
        )
    });
    let breakdown = ledger.refundable_for_capture(&capture.id)?;
    let decision = capture_refund_decision(valid, &overall, breakdown, money, ORDER_RULES)?;
    Ok((decision, capture))
}

/// `PATCH /api/orders/:id` `_refund`, rendered.
fn plan_order(
    valid: &ValidLedger<'_>,
    id: &str,
    options: &Options,
    ctx: &PlanContext,
) -> Result<Plan, RefundError> {
    let ledger = valid.ledger();
    let mut why = Vec::new();
    let (decision, capture) = decide_order(valid, id, options, &mut why)?;
    let outline = outline_capture_refund(
        ledger,
        ctx,
        &valid.refundable_all(),
        decision.refundable,
        decision.amount,
        &capture.id,
    )?;
    why.push(outline_text(&outline));
    let response = ok_response(
        "orders",
        id,
        json!({
            "status": outline.status_after.order,
            "payment_status": outline.status_after.payment,
            "fulfillment_status": outline.status_after.fulfillment,
        }),
    );
    Ok(Plan::from_outline(
        PROVIDER,
        ledger,
        outline,
        RefundState::Succeeded,
        call("orders", id, json!({ "_refund": true })),
        Some(response),
        why,
    ))
}

/// `PATCH /api/returns/:id` `_refund` (CL1, CL5): the decision and the capture it refunds.
fn decide_return<'a>(
    valid: &ValidLedger<'a>,
    id: &str,
    amount: Minor,
    options: &Options,
    why: &mut impl Notes,
) -> Result<(Decision, &'a str), RefundError> {
    let ledger = valid.ledger();
    let ret = ledger
        .return_by_id(id)
        .ok_or_else(|| not_found("return", id))?;
    let overall = precheck(valid, options, why)?;
    // CL5: only a `received` return can be refunded.
    if ret.status != "received" {
        return Err(RefundError::not_refundable(
            ledger.status.payment.as_str(),
            format!(
                "return `{id}` is `{}`; only a `received` return can be refunded",
                ret.status
            ),
        ));
    }
    if ledger
        .refunds
        .iter()
        .any(|r| r.return_id.as_deref() == Some(id) && r.state.reserves())
    {
        return Err(RefundError::not_refundable(
            ledger.status.payment.as_str(),
            format!("a refund of return `{id}` is already pending"),
        ));
    }
    // CL5: the return's `reference_capture`, else the most recent successful capture (the
    // ledger keeps captures in capture order).
    let capture = match &ret.capture_id {
        Some(cid) => {
            why.note(|| format!("return `{id}` refunds its reference_capture `{cid}`"));
            cid.as_str()
        }
        None => {
            let last = ledger.captures.last().ok_or_else(|| {
                RefundError::inconsistent("/ledger/captures", "no capture to refund")
            })?;
            why.note(|| {
                format!(
                    "return `{id}` refunds the most recent capture `{}`",
                    last.id
                )
            });
            last.id.as_str()
        }
    };
    let breakdown = ledger.refundable_for_capture(capture)?;
    let money = Money::new(amount, ledger.currency);
    let (money, _) = resolve_amount(Some(money), &breakdown, AMOUNT_POINTER)?;
    let kind = order_kind(&overall, money)?;
    let step = if kind == RefundKind::Full {
        P::ReturnRefundFull
    } else {
        P::ReturnRefundPartial
    };
    // CL5: the return becomes `refunded`; the order is not cancelled.
    RETURN_MACHINE.next("received", step)?;
    // The plain refund step must be in the tables too (as a rendered plan's outline checks).
    let mut decision = refund_decision(
        &MACHINES,
        valid,
        breakdown,
        (money, kind, RefundState::Succeeded),
        RETURN_RULES,
    )?;
    decision.status_after = MACHINES.advance_from(valid.statuses(), step)?;
    Ok((decision, capture))
}

/// `PATCH /api/returns/:id` `_refund`, rendered.
fn plan_return(
    valid: &ValidLedger<'_>,
    id: &str,
    amount: Minor,
    options: &Options,
    ctx: &PlanContext,
) -> Result<Plan, RefundError> {
    let ledger = valid.ledger();
    let mut why = Vec::new();
    let (decision, capture) = decide_return(valid, id, amount, options, &mut why)?;
    let Decision {
        amount: money,
        kind,
        refundable: breakdown,
        ..
    } = decision;
    let mut outline = outline_refund(
        &MACHINES,
        ledger,
        ctx,
        breakdown,
        RefundDraft {
            amount: money,
            kind,
            state: RefundState::Succeeded,
            capture_id: Some(capture.to_owned()),
        },
    )?;
    outline.status_after = decision.status_after.to_statuses();
    if let EventKind::RefundCreated { return_id, .. } = &mut outline.event.kind {
        *return_id = Some(id.to_owned());
    }
    why.push(format!(
        "{} refund of {money} ({} cents); return `{id}` becomes `refunded`, the order is not cancelled (CL5); {}",
        kind.as_str(),
        cents(money.minor),
        status_text(&outline.status_after)
    ));
    let response = ok_response(
        "returns",
        id,
        json!({ "status": "refunded", "refund_amount_cents": cents(money.minor) }),
    );
    Ok(Plan::from_outline(
        PROVIDER,
        ledger,
        outline,
        RefundState::Succeeded,
        call(
            "returns",
            id,
            json!({ "_refund": true, "_refund_amount_cents": cents(amount) }),
        ),
        Some(response),
        why,
    ))
}

/// The CommerceLayer rules, registered in `provider/mod.rs`.
#[derive(Debug)]
pub struct CommerceLayerRules;

impl Rules for CommerceLayerRules {
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
    fn return_machine() -> Option<&'static StatusMachine> {
        Some(&RETURN_MACHINE)
    }
    fn check_ledger(ledger: &Ledger) -> Result<(), RefundError> {
        refunds_name_captures(ledger)
    }
    fn check_refund(i: usize, refund: &Refund) -> Result<(), RefundError> {
        refund_names_capture(i, refund)
    }
}
