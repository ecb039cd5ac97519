//! SimplePS (the Inyo payments gateway): `POST /payments/{externalPaymentId}/refund`.
//!
//! Sources (`../shared/reference/providers.md` §5):
//! - [S] seed `simpleps-refund.md` = dev.inyoglobal.com …/pulling-funds/cards/refund (SP1):
//!   captured only (void otherwise), full or partial, multiple partials until fully refunded,
//!   error once fully refunded, no amount = full captured amount, `amount.total` ≤ remaining,
//!   `amount.currency` must match.
//! - SP2 …/domain-tables/payment-status: the 8-status machine.
//! - SP3 …/domain-tables/response-code: PAY_xxx codes and HTTP statuses.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::rules::Rules;
use crate::error::ProviderError;
use crate::error::{ErrorCode, RefundError};
use crate::id::Provider;
use crate::ledger::{AmountStage, Ledger, RefundState, Refundable};
use crate::machine::{Machine, PaymentEvent as P, ProviderMachines, Transition, transition as t};
use crate::money::{AmountProblem, Minor, Money};
use crate::plan::{
    Decision, Operation, Plan, PlanContext, ProviderCall, ProviderResponse, RefundDraft, Rule,
    ValidLedger, outline_refund, resolve_amount,
};
use crate::wire::{
    JsonNumber, WireDecimal, from_optional_json, from_options_json, positive_wire_money, raw_json,
    request_currency,
};

const PROVIDER: Provider = Provider::SimplePs;

/// The refund request body (SP1): absent, `{}`, or `{"amount":{"total":25.00,"currency":"USD"}}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// The amount object; both fields are optional in the provider's table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<RequestAmount>,
}

/// `amount` of the refund body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RequestAmount {
    /// `amount.total`, a JSON number (SP1: "number").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<WireDecimal>,
    /// `amount.currency`, must match the payment (SP1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
}

/// Every code a SimplePS plan or apply can return; each has a shared vector.
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
    ErrorCode::IdempotencyConflict,
    ErrorCode::InconsistentState,
    ErrorCode::IllegalTransition,
    ErrorCode::VersionConflict,
];

const STATES: &[&str] = &[
    "CHALLENGE",
    "AUTHORIZED",
    "VOIDED",
    "CAPTURED",
    "PARTIALLY_CAPTURED",
    "PARTIALLY_REFUNDED",
    "REFUNDED",
    "DECLINED",
];

/// The payment status table (SP2). `VOIDED`, `REFUNDED` and `DECLINED` are terminal.
const PAYMENT_TRANSITIONS: &[Transition<&str, P>] = &[
    t("CHALLENGE", P::Authorize, "AUTHORIZED"),
    t("CHALLENGE", P::Decline, "DECLINED"),
    t("AUTHORIZED", P::CaptureFull, "CAPTURED"),
    t("AUTHORIZED", P::CapturePartial, "PARTIALLY_CAPTURED"),
    t("AUTHORIZED", P::Void, "VOIDED"),
    t("CAPTURED", P::RefundPartial, "PARTIALLY_REFUNDED"),
    t("CAPTURED", P::RefundFull, "REFUNDED"),
    t("PARTIALLY_CAPTURED", P::RefundPartial, "PARTIALLY_REFUNDED"),
    t("PARTIALLY_CAPTURED", P::RefundFull, "REFUNDED"),
    t("PARTIALLY_REFUNDED", P::RefundPartial, "PARTIALLY_REFUNDED"),
    t("PARTIALLY_REFUNDED", P::RefundFull, "REFUNDED"),
];

/// SimplePS's tables. Refunds are synchronous (SP1 answers 200 with the new status), so a
/// refund is created `succeeded` and has no further moves.
pub const MACHINES: ProviderMachines = ProviderMachines {
    payment: Machine {
        name: "payment",
        states: STATES,
        transitions: PAYMENT_TRANSITIONS,
        // SimplePS exposes no settlement status.
        unaffected_by: &[P::Settle],
        source: "https://dev.inyoglobal.com/api-references/payments-gateway/apis/domain-tables/payment-status",
    },
    order: None,
    fulfillment: None,
    refund: Machine {
        name: "refund",
        states: &[RefundState::Succeeded],
        transitions: &[],
        unaffected_by: &[],
        source: "https://dev.inyoglobal.com/api-references/payments-gateway/apis/payment/pulling-funds/cards/refund",
    },
    refund_initial: &[RefundState::Succeeded],
    refunds_settled_only: false,
};

/// Parses the body; SimplePS has no merchant options.
pub fn parse(body: Option<&str>, options: Option<&str>) -> Result<(Request, ()), RefundError> {
    {
        let empty: serde_json::Map<String, serde_json::Value> =
            from_options_json(options, "/options")?;
        if !empty.is_empty() {
            return Err(RefundError::invalid_input(
                "/options",
                "simpleps has no options",
            ));
        }
    }
    let request: Request = from_optional_json(body, "/request")?;
    Ok((request, ()))
}

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
        .map_err(|p| RefundError::invalid_amount("/request", "", p))?;
    let step = if refunded_after == refundable.captured {
        P::RefundFull
    } else {
        P::RefundPartial
    };
    let status_after = MACHINES.advance_static(&ledger.status, step)?;
    let remaining = refundable
        .available
        .checked_sub(amount.minor)
        .map_err(|p| RefundError::invalid_amount("/request", "", p))?;
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
    };
    Ok((decision, requested))
}

/// Decides a SimplePS refund without rendering it.
pub fn decide(valid: &ValidLedger<'_>, request: &Request) -> Result<Decision, RefundError> {
    decide_refund(valid, request).map(|(decision, _)| decision)
}

/// Decides a SimplePS refund and renders it: the explanation, the call, the predicted response
/// and the event.
pub fn plan(ledger: &Ledger, request: &Request, ctx: &PlanContext) -> Result<Plan, RefundError> {
    let valid = ValidLedger::after_check(PROVIDER, ledger)?;
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

fn json_body(m: &Money) -> RefundBody {
    RefundBody {
        amount: BodyAmount {
            total: JsonNumber::from_money(m),
            currency: m.currency.code(),
        },
    }
}

#[derive(Serialize)]
struct RefundBody {
    amount: BodyAmount,
}

#[derive(Serialize)]
struct BodyAmount {
    total: JsonNumber,
    currency: &'static str,
}

/// The 200 body of SP1 (the fields the engine can predict).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SuccessBody {
    #[serde(skip_serializing_if = "Option::is_none")]
    external_payment_id: Option<String>,
    amount: JsonNumber,
    approved: bool,
    message: &'static str,
    automatic_reversed: bool,
    status: String,
    captured: bool,
    voided: bool,
}

/// `amount.total` is a JSON number (SP1); decimals beyond the currency are PAY_024 ([U] default).
fn parse_total(wire: &WireDecimal, ledger: &Ledger) -> Result<Money, RefundError> {
    const POINTER: &str = "/request/amount/total";
    wire.require_number(POINTER, "amount.total", "")?;
    // SP3 PAY_020: "Amount cannot be less or equal to zero".
    positive_wire_money(&wire.text, ledger.currency, PROVIDER, POINTER)
}

/// The SP3 code table for refunds. The error body shape is not published ([U] default:
/// `{"status":<http>,"code":"PAY_xxx","message":"…"}`).
pub fn provider_error(error: &RefundError) -> Option<ProviderError> {
    let (code, message) = match error {
        RefundError::InvalidAmount {
            problem: AmountProblem::Zero | AmountProblem::Negative,
            ..
        } => ("PAY_020", "Amount cannot be less or equal to zero"),
        RefundError::InvalidAmount { .. } => ("PAY_024", "Invalid requested amount"),
        RefundError::InvalidInput { pointer, .. } if pointer.starts_with("/request/amount") => {
            ("PAY_024", "Invalid requested amount")
        }
        RefundError::UnknownCurrency { .. } => ("PAY_021", "Invalid currency code"),
        RefundError::CurrencyMismatch { .. } => ("PAY_015", "Invalid currency"),
        RefundError::NotCaptured { .. } | RefundError::NotRefundableState { .. } => (
            "PAY_012",
            "No payment found to refund with external payment id",
        ),
        RefundError::AlreadyFullyRefunded { .. } | RefundError::ExceedsRefundable { .. } => {
            ("PAY_016", "Insufficient balance to refund")
        }
        _ => return None,
    };
    Some(ProviderError {
        http_status: 400,
        code: code.to_owned(),
        body: json!({ "status": 400, "code": code, "message": message }),
    })
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
    fn decide(
        valid: &ValidLedger<'_>,
        request: &Request,
        _options: &(),
        _ctx: &PlanContext,
    ) -> Result<Decision, RefundError> {
        decide(valid, request)
    }
    fn provider_error(error: &RefundError) -> Option<ProviderError> {
        provider_error(error)
    }
}
