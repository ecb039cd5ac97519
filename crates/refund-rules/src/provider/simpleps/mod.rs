//! SimplePS (the Inyo payments gateway): `POST /payments/{externalPaymentId}/refund`.
//!
//! Sources (`../shared/reference/providers.md` §5):
//! - \[S\] seed `simpleps-refund.md` = dev.inyoglobal.com …/pulling-funds/cards/refund (SP1):
//!   captured only (void otherwise), full or partial, multiple partials until fully refunded,
//!   error once fully refunded, no amount = full captured amount, `amount.total` ≤ remaining,
//!   `amount.currency` must match.
//! - SP2 …/domain-tables/payment-status: the 8-status machine.
//! - SP3 …/domain-tables/response-code: PAY_xxx codes and HTTP statuses.

//!
//! Files: `wire.rs` (body and parsing), `tables.rs` (SP2 machine, reachable codes), `render.rs`
//! (call and response bodies), `errors.rs` (SP3 codes); the decision is here.

mod errors;
mod render;
mod tables;
mod wire;

#[cfg(feature = "schema")]
pub(crate) use wire::schema_roots;

pub use errors::provider_error;
pub use tables::{MACHINES, REACHABLE_ERRORS};
pub use wire::{Request, RequestAmount, parse};

use render::{SuccessBody, json_body};
use wire::parse_total;

use super::rules::Rules;
use crate::error::{ErrorCode, ProviderError, RefundError};
use crate::id::Provider;
use crate::ledger::{AmountStage, Ledger, RefundState, Refundable};
use crate::machine::{PaymentEvent as P, ProviderMachines};
use crate::money::{Minor, Money};
use crate::plan::{
    Decision, Operation, Plan, PlanContext, ProviderCall, ProviderResponse, RefundDraft, Rule,
    ValidLedger, outline_refund, resolve_amount,
};
use crate::wire::{JsonNumber, raw_json, request_currency};

const PROVIDER: Provider = Provider::SimplePs;

/// The captured-side status the amounts imply (SP2 statuses after capture and refunds).
fn implied_captured_status(refundable: &Refundable, authorized: Minor) -> &'static str {
    match refundable.stage(authorized) {
        AmountStage::Captured => "CAPTURED",
        AmountStage::PartiallyCaptured => "PARTIALLY_CAPTURED",
        AmountStage::PartiallyRefunded => "PARTIALLY_REFUNDED",
        AmountStage::Refunded => "REFUNDED",
    }
}

const SP1: &str = "https://dev.inyoglobal.com/api-references/payments-gateway/apis/payment/pulling-funds/cards/refund";

/// The rules a SimplePS refund passes, in order.
const REFUND_RULES: &[Rule] = &[
    Rule {
        id: "simpleps.captured_only",
        source: SP1,
    },
    Rule {
        id: "simpleps.currency_of_the_payment",
        source: SP1,
    },
    Rule {
        id: "simpleps.amount_within_what_remains",
        source: SP1,
    },
];

/// Decides a SimplePS refund on a validated ledger, allocating nothing on success; also returns
/// the amount the body asked for (`None`: the whole remaining amount).
#[inline]
fn decide_refund(
    valid: &ValidLedger<'_>,
    request: &Request,
) -> Result<(Decision, Option<Money>), RefundError> {
    let ledger = valid.ledger();
    let status = ledger.status.payment.as_str();
    // SP2: these statuses come before (or instead of) a capture; captures contradict them.
    let uncaptured = matches!(status, "CHALLENGE" | "AUTHORIZED" | "VOIDED" | "DECLINED");
    if uncaptured && !ledger.captures.is_empty() {
        return Err(RefundError::inconsistent(
            "/ledger/status/payment",
            format!("status `{status}` but the ledger has captures"),
        ));
    }
    // SP1: "Only possible for captured payments (use Void for uncaptured authorizations)".
    match status {
        "AUTHORIZED" => return Err(RefundError::not_captured(status, Some(Operation::Void))),
        "CHALLENGE" => return Err(RefundError::not_captured(status, None)),
        "VOIDED" => {
            return Err(RefundError::not_refundable(
                status,
                "a voided authorization has nothing to refund",
            ));
        }
        "DECLINED" => {
            return Err(RefundError::not_refundable(
                status,
                "a declined payment has nothing to refund",
            ));
        }
        _ => {}
    }
    if ledger.captures.is_empty() {
        return Err(RefundError::inconsistent(
            "/ledger/captures",
            format!("status `{status}` but no captures"),
        ));
    }
    let refundable = valid.refundable_all();
    let implied = implied_captured_status(&refundable, ledger.authorized);
    if implied != status {
        return Err(RefundError::inconsistent(
            "/ledger/status/payment",
            format!("status `{status}` but the amounts say `{implied}`"),
        ));
    }
    let (currency, total) = match &request.amount {
        Some(a) => (a.currency.as_deref(), a.total.as_ref()),
        None => (None, None),
    };
    // SP1: `amount.currency` must match the original payment.
    if let Some(code) = currency {
        request_currency(code, "/request/amount/currency", ledger.currency)?;
    }
    let requested = total.map(|wire| parse_total(wire, ledger)).transpose()?;
    // SP1: no amount refunds the full captured amount; after partials, what remains ([U] default).
    let (amount, kind) = resolve_amount(requested, &refundable, "/request/amount/total")?;
    let refunded_after = refundable
        .refunded
        .checked_add(amount.minor)
        .map_err(|_| RefundError::overflow("/request"))?;
    let step = if refunded_after == refundable.captured {
        P::RefundFull
    } else {
        P::RefundPartial
    };
    let status_after = MACHINES.advance_from(valid.statuses(), step)?;
    let remaining = refundable
        .available
        .checked_sub(amount.minor)
        .map_err(|_| RefundError::overflow("/request"))?;
    let decision = Decision {
        provider: PROVIDER,
        operation: Operation::Refund,
        kind,
        amount,
        refundable,
        remaining_after: Money::new(remaining, ledger.currency),
        status_after,
        refund_state: Some(RefundState::Succeeded),
        rules: REFUND_RULES,
        replay: false,
    };
    Ok((decision, requested))
}

/// Decides a SimplePS refund without rendering it.
#[inline]
pub fn decide(valid: &ValidLedger<'_>, request: &Request) -> Result<Decision, RefundError> {
    decide_refund(valid, request).map(|(decision, _)| decision)
}

/// Decides a SimplePS refund and renders it: the explanation, the call, the predicted response
/// and the event.
pub fn plan(ledger: &Ledger, request: &Request, ctx: &PlanContext) -> Result<Plan, RefundError> {
    let valid = ValidLedger::after_check(PROVIDER, &MACHINES, ledger)?;
    let (decision, requested) = decide_refund(&valid, request)?;
    let Decision {
        amount,
        kind,
        refundable,
        ..
    } = decision;
    let mut why = vec![format!(
        "captured {}, refunded {}, available {}",
        refundable.captured_money(),
        refundable.refunded_money(),
        refundable.available_money()
    )];
    if requested.is_none() {
        why.push("no amount: the whole remaining captured amount".to_owned());
    }
    let outline = outline_refund(
        &MACHINES,
        ledger,
        ctx,
        refundable,
        RefundDraft {
            amount,
            kind,
            state: RefundState::Succeeded,
            capture_id: None,
        },
    )?;
    why.push(format!(
        "{} refund of {amount}; status becomes {}",
        kind.as_str(),
        outline.status_after.payment
    ));
    let path = format!(
        "/payments/{}/refund",
        ledger.id.as_deref().unwrap_or("{externalPaymentId}")
    );
    let call_body = requested.map(|m| raw_json(&json_body(&m)));
    let response = ProviderResponse {
        http_status: 200,
        body: raw_json(&SuccessBody {
            external_payment_id: ledger.id.clone(),
            amount: JsonNumber::from_money(&amount),
            approved: true,
            message: "Payment Approved",
            automatic_reversed: false,
            status: outline.status_after.payment.clone(),
            captured: true,
            voided: false,
        }),
    };
    Ok(Plan::from_outline(
        PROVIDER,
        ledger,
        outline,
        RefundState::Succeeded,
        ProviderCall {
            method: "POST",
            path,
            body: call_body,
        },
        Some(response),
        why,
    ))
}

/// The SimplePs rules, registered in `provider/mod.rs`.
#[derive(Debug)]
pub struct SimplePsRules;

impl Rules for SimplePsRules {
    const PROVIDER: Provider = PROVIDER;
    type Request = Request;
    type Options = ();
    fn machines() -> &'static ProviderMachines {
        &MACHINES
    }
    fn reachable_errors() -> &'static [ErrorCode] {
        REACHABLE_ERRORS
    }
    fn parse(body: Option<&str>, options: Option<&str>) -> Result<(Request, ()), RefundError> {
        parse(body, options)
    }
    fn plan(
        ledger: &Ledger,
        request: &Request,
        _options: &(),
        ctx: &PlanContext,
    ) -> Result<Plan, RefundError> {
        plan(ledger, request, ctx)
    }
    #[inline]
    fn decide(
        valid: &ValidLedger<'_>,
        request: &Request,
        _options: &(),
        _ctx: &PlanContext,
    ) -> Result<Decision, RefundError> {
        decide(valid, request)
    }
    fn request_body(
        ledger: &Ledger,
        scope: crate::provider::rules::RequestScope<'_>,
        amount: Option<crate::money::Minor>,
    ) -> Result<Option<String>, crate::provider::rules::NoSuchRequest> {
        crate::provider::rules::amount_total_body(ledger, scope, amount)
    }
    fn provider_error(error: &RefundError) -> Option<ProviderError> {
        provider_error(error)
    }
}
