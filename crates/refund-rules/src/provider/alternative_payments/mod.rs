//! Alternative Payments: `POST /refunds` with a `CreateRefundRequest` body.
//!
//! Sources (`../shared/reference/providers.md` §0 and §3; ids listed at its end):
//! - \[S\] seed `alternative-payments-refunds.md` = docs.alternativepayments.io/api-reference/refunds
//!   (OpenAPI 1.1.0): "Create a full refund for a payment. Partial refunds are not supported.",
//!   the body schema, `201` "Refund is being processed!", `HttpError`, 400/404/422/500, and the
//!   list endpoint's query parameters.
//! - AP1 help.alternativepayments.io …/refund-management: invoice must be Paid, payment fully
//!   settled, same currency, full only, $10,000 default partner limit, 3–5 business days.
//! - AP2 docs.alternativepayments.io/getting-started/troubleshooting: 404 / 422 ("business-rule
//!   failure") meanings.
//! - AP3 docs.alternativepayments.io/transactions: no published payment status enum.
//!
//! Statuses (the provider publishes none, AP3): `unpaid`, `paid`, `refunded`. Settlement is the
//! captures' `settled` flag; "refund processing" (§3.4) is `paid` with a `pending` refund.
//!
//! The folder: `wire.rs` (body, options, list query, parsing), `tables.rs` (transition tables,
//! reachable errors), `render.rs` (the call and its answer), `errors.rs` (`HttpError` bodies);
//! this file holds the decision and the [`Rules`] registration.

use super::rules::Rules;
use crate::error::ProviderError;
use crate::error::{ErrorCode, InputProblem, RefundError};
use crate::event::EventKind;
use crate::id::Provider;
use crate::ledger::{Ledger, Refund, RefundState};
use crate::machine::{PaymentEvent as P, ProviderMachines};
use crate::money::Money;
use crate::plan::{
    Decision, NoNotes, Notes, Operation, Plan, PlanContext, RefundDraft, RefundKind, Rule,
    ValidLedger, outline_refund, refund_decision,
};

mod errors;
mod render;
mod tables;
mod wire;

#[cfg(feature = "schema")]
pub(crate) use wire::schema_roots;

pub use errors::provider_error;
pub use render::SUCCESS_MESSAGE;
use render::{call, created};
pub use tables::{MACHINES, REACHABLE_ERRORS};
pub use wire::{
    DEFAULT_REFUND_LIMIT, LIST_LIMIT_DEFAULT, LIST_LIMIT_MAX, LIST_LIMIT_MIN, ListQuery, Options,
    PaymentMethod, Reason, ReasonType, Request, parse, validate_list_query,
};
use wire::{fingerprint, parse_amount, parse_limit};

const PROVIDER: Provider = Provider::AlternativePayments;

/// Message prefix of the `payment_id` mismatch, which the provider answers with 404.
const NOT_FOUND_PREFIX: &str = "no payment ";

/// AP1, where the refund rules come from.
const AP1: &str = "https://help.alternativepayments.io/payments-and-invoicing/payments-and-payouts/refund-management";
/// The seed's OpenAPI page (full refunds only, the `payment_id`).
const SEED: &str = "https://docs.alternativepayments.io/api-reference/refunds";

/// The rules a new Alternative Payments refund passes, in order.
const REFUND_RULES: &[Rule] = &[
    Rule {
        id: "alternative_payments.payment_exists",
        source: SEED,
    },
    Rule {
        id: "alternative_payments.paid_and_settled",
        source: AP1,
    },
    Rule {
        id: "alternative_payments.full_refunds_only",
        source: SEED,
    },
    Rule {
        id: "alternative_payments.partner_refund_limit",
        source: AP1,
    },
];

/// The rules of an idempotent replay.
const REPLAY_RULES: &[Rule] = &[
    Rule {
        id: "alternative_payments.payment_exists",
        source: SEED,
    },
    Rule {
        id: "alternative_payments.same_key_same_body_replays",
        source: SEED,
    },
];

/// What the rules decided, with what rendering needs besides the decision.
struct Decided<'a> {
    decision: Decision,
    /// The amount the body asked for (`None`: the full amount).
    requested: Option<Money>,
    /// For a replay: the refund the key created first, and the key.
    replay_of: Option<(&'a Refund, &'a str)>,
}

/// Decides an Alternative Payments refund without rendering; `why` collects the explanation
/// when a plan is rendered ([`NoNotes`] otherwise). Nothing is allocated unless a key repeats
/// (its body's fingerprint is then built to compare).
fn decide_inner<'a>(
    valid: &ValidLedger<'a>,
    request: &'a Request,
    options: &Options,
    why: &mut impl Notes,
) -> Result<Decided<'a>, RefundError> {
    let ledger = valid.ledger();
    // Seed 404: the payment must exist; here, it must be the ledger's payment.
    if let Some(id) = &ledger.id
        && *id != request.payment_id
    {
        return Err(RefundError::input(
            InputProblem::NotFound,
            "/request/payment_id",
            format!(
                "{NOT_FOUND_PREFIX}`{}`: the ledger is payment `{id}`",
                request.payment_id
            ),
        ));
    }
    // Body validation (400) comes before business rules (422).
    let requested = request
        .amount
        .as_deref()
        .map(|text| parse_amount(text, ledger))
        .transpose()?;
    let limit = parse_limit(options, ledger)?;

    // [U] default (providers.md §3.3): same key + same body = the first outcome, nothing new;
    // same key + another body = 422.
    if let Some(key) = &request.idempotency_key
        && let Some(first) = ledger
            .refunds
            .iter()
            .find(|r| r.idempotency_key.as_deref() == Some(key))
    {
        let print = fingerprint(request, requested);
        if first.fingerprint.as_deref() != Some(print.as_str()) {
            return Err(RefundError::IdempotencyConflict { key: key.clone() });
        }
        return Ok(Decided {
            decision: replay_decision(valid, first)?,
            requested,
            replay_of: Some((first, key)),
        });
    }

    let status = ledger.status.payment.as_str();
    // All captures: AP1 refunds only fully settled payments (checked below), where this is
    // also `PROVIDER.refundable`; an unsettled payment is `not_settled`, not inconsistent.
    let refundable = valid.refundable_all();
    check_amounts(ledger, status, &refundable)?;
    match status {
        // AP1: only payments whose invoice is Paid.
        "unpaid" => return Err(RefundError::not_captured(status, None)),
        // §3.4: a refunded payment cannot be refunded again.
        "refunded" => return Err(RefundError::AlreadyFullyRefunded { refundable }),
        _ => {}
    }
    // §3.4: RefundProcessing (a pending refund) rejects any new create.
    if let Some(p) = ledger
        .refunds
        .iter()
        .find(|r| r.state == RefundState::Pending)
    {
        return Err(RefundError::not_refundable(
            status,
            format!(
                "refund `{}` of {} is being processed (3–5 business days)",
                p.id,
                Money::new(p.amount, ledger.currency)
            ),
        ));
    }
    // AP1: "the original payment must be fully settled".
    if !ledger.all_settled() {
        return Err(RefundError::NotSettled { alternative: None });
    }
    why.note(|| {
        format!(
            "paid and settled: captured {}, refunded {}, available {}",
            refundable.captured_money(),
            refundable.refunded_money(),
            refundable.available_money()
        )
    });
    let full = refundable.available_money();
    // Seed + AP1: full refunds only; [U] `amount` optional, equal to the full amount if sent.
    match requested {
        None => why.note(|| format!("no amount: the full {full}")),
        Some(m) if m.minor < full.minor => {
            return Err(RefundError::PartialRefundNotSupported {
                reason: "Alternative Payments refunds the whole payment only",
                requested: m,
                refundable,
            });
        }
        Some(m) if m.minor > full.minor => {
            return Err(RefundError::ExceedsRefundable {
                requested: m,
                refundable,
            });
        }
        Some(_) => why.note(|| format!("amount equals the full {full}")),
    }
    // AP1: partner refund limit ($10,000 by default, can be raised); the currency is the
    // payment's because the request has none (seed).
    if full.minor > limit.minor {
        return Err(RefundError::RefundLimitExceeded {
            requested: full,
            limit,
            refundable,
        });
    }
    why.note(|| format!("within the refund limit of {limit}"));
    let decision = refund_decision(
        &MACHINES,
        valid,
        refundable,
        (full, RefundKind::Full, RefundState::Pending),
        REFUND_RULES,
    )?;
    Ok(Decided {
        decision,
        requested,
        replay_of: None,
    })
}

/// Decides an Alternative Payments refund without rendering it.
#[inline]
pub fn decide(
    valid: &ValidLedger<'_>,
    request: &Request,
    options: &Options,
) -> Result<Decision, RefundError> {
    decide_inner(valid, request, options, &mut NoNotes).map(|d| d.decision)
}

/// Decides an Alternative Payments refund and renders it.
pub fn plan(
    ledger: &Ledger,
    request: &Request,
    options: &Options,
    ctx: &PlanContext,
) -> Result<Plan, RefundError> {
    let valid = ValidLedger::after_check(PROVIDER, &MACHINES, ledger)?;
    let mut why = Vec::new();
    let Decided {
        decision,
        requested,
        replay_of,
    } = decide_inner(&valid, request, options, &mut why)?;
    if let Some((first, key)) = replay_of {
        return Ok(replay(ledger, request, first, key, &decision));
    }
    let full = decision.amount;
    let mut outline = outline_refund(
        &MACHINES,
        ledger,
        ctx,
        decision.refundable,
        RefundDraft {
            amount: full,
            kind: RefundKind::Full,
            state: RefundState::Pending,
            capture_id: None,
        },
    )?;
    if let EventKind::RefundCreated {
        idempotency_key,
        fingerprint: print,
        ..
    } = &mut outline.event.kind
    {
        idempotency_key.clone_from(&request.idempotency_key);
        *print = Some(fingerprint(request, requested));
    }
    why.push(format!(
        "full refund of {full} ({}) created pending; refunded in 3–5 business days, then status `{}`",
        request.reason.kind.as_str(),
        outline.status_after.payment
    ));
    Ok(Plan::from_outline(
        PROVIDER,
        ledger,
        outline,
        RefundState::Pending,
        call(request, full),
        Some(created()),
        why,
    ))
}

/// Checks that the status and the amounts agree (full refunds only, one-go payments).
fn check_amounts(
    ledger: &Ledger,
    status: &str,
    r: &crate::ledger::Refundable,
) -> Result<(), RefundError> {
    let bad = |message: String| -> Result<(), RefundError> {
        Err(RefundError::inconsistent("/ledger/status/payment", message))
    };
    match status {
        "unpaid" if !ledger.captures.is_empty() => {
            bad("status `unpaid` but the ledger has captures".to_owned())
        }
        "paid" | "refunded" if ledger.captures.is_empty() => {
            bad(format!("status `{status}` but no captures"))
        }
        "paid" | "refunded" if r.captured != ledger.authorized => bad(format!(
            "status `{status}` but captured {} of {}: payments are paid in full",
            r.captured_money(),
            Money::new(ledger.authorized, ledger.currency)
        )),
        "paid" if r.refunded == r.captured => {
            bad("status `paid` but the amounts say `refunded`".to_owned())
        }
        "paid" if r.refunded.is_positive() => bad(format!(
            "status `paid` with {} refunded: refunds are full only",
            r.refunded_money()
        )),
        "refunded" if r.refunded != r.captured => {
            bad("status `refunded` but the amounts say `paid`".to_owned())
        }
        _ => Ok(()),
    }
}

/// The first decision again, for a repeated key with the same body: nothing new to apply.
fn replay_decision(valid: &ValidLedger<'_>, first: &Refund) -> Result<Decision, RefundError> {
    let ledger = valid.ledger();
    let amount = Money::new(first.amount, ledger.currency);
    // AP1: settled money only, as `Provider::refundable` counts it for this provider.
    let refundable = valid.maximum();
    let unmoved = || {
        MACHINES
            .statuses_as_static(&ledger.status)
            .ok_or_else(|| RefundError::inconsistent("/ledger/status", "a status left the tables"))
    };
    let status_after = match first.state {
        RefundState::Pending => match MACHINES.advance_from(valid.statuses(), P::RefundFull) {
            Ok(moved) => moved,
            Err(_) => unmoved()?,
        },
        _ => unmoved()?,
    };
    Ok(Decision {
        provider: PROVIDER,
        operation: Operation::Refund,
        kind: RefundKind::Full,
        amount,
        refundable,
        remaining_after: refundable.available_money(),
        status_after,
        refund_state: Some(first.state),
        rules: REPLAY_RULES,
        replay: true,
    })
}

/// The replay's plan: the first refund's call and answer, and no event.
fn replay(
    ledger: &Ledger,
    request: &Request,
    first: &Refund,
    key: &str,
    decision: &Decision,
) -> Plan {
    let amount = decision.amount;
    Plan {
        provider: PROVIDER,
        operation: Operation::Refund,
        kind: RefundKind::Full,
        amount,
        refundable: decision.refundable,
        remaining_after: decision.remaining_after,
        status_after: decision.status_after.to_statuses(),
        refund_state: Some(first.state),
        version: ledger.version,
        event: None,
        provider_call: call(request, amount),
        provider_response: Some(created()),
        replay: true,
        explanation: vec![format!(
            "idempotency key `{key}` already created refund `{}` ({}, now {}) with the same request: the first decision is replayed and nothing new is created",
            first.id, amount, first.state
        )],
    }
}

/// The AlternativePayments rules, registered in `provider/mod.rs`.
#[derive(Debug)]
pub struct AlternativePaymentsRules;

impl Rules for AlternativePaymentsRules {
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
}
