//! Alternative Payments: `POST /refunds` with a `CreateRefundRequest` body.
//!
//! Sources (`../shared/reference/providers.md` §0 and §3; ids listed at its end):
//! - [S] seed `alternative-payments-refunds.md` = docs.alternativepayments.io/api-reference/refunds
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

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::rules::Rules;
use crate::error::ProviderError;
use crate::error::{ErrorCode, InputProblem, RefundError};
use crate::event::EventKind;
use crate::id::Provider;
use crate::ledger::{Ledger, Refund, RefundState};
use crate::machine::{
    Machine, PaymentEvent as P, ProviderMachines, RefundEvent as R, Transition, transition as t,
};
use crate::money::{AmountProblem, Money, parse_money};
use crate::plan::{
    Operation, Plan, PlanContext, ProviderCall, ProviderResponse, RefundDraft, RefundKind,
    outline_refund,
};
use crate::time::Timestamp;
use crate::wire::{WireDecimal, from_json_text, from_options_json, positive_wire_money, raw_json};

const PROVIDER: Provider = Provider::AlternativePayments;

/// The 201 body of `createRefund` (seed): a JSON string.
pub const SUCCESS_MESSAGE: &str = "Refund is being processed!";

/// Default partner refund limit in major units of the payment currency (AP1: "$10,000").
pub const DEFAULT_REFUND_LIMIT: &str = "10000";

/// Message prefix of the `payment_id` mismatch, which the provider answers with 404.
const NOT_FOUND_PREFIX: &str = "no payment ";

/// `RefundReasonDetail.type` (seed enum `refunds_api.RefundType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ReasonType {
    /// `Customer Request`.
    #[serde(rename = "Customer Request")]
    CustomerRequest,
    /// `Duplicate`.
    Duplicate,
    /// `Fraud`.
    Fraud,
    /// `Other`: the seed asks for a `description`.
    Other,
}

impl ReasonType {
    /// Every type, in the seed's order.
    pub const ALL: [ReasonType; 4] = [
        Self::CustomerRequest,
        Self::Duplicate,
        Self::Fraud,
        Self::Other,
    ];

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CustomerRequest => "Customer Request",
            Self::Duplicate => "Duplicate",
            Self::Fraud => "Fraud",
            Self::Other => "Other",
        }
    }

    fn from_wire(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == text)
    }
}

/// `RefundReasonDetail`, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    /// `reason.type`.
    #[serde(rename = "type")]
    pub kind: ReasonType,
    /// `reason.description`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A validated `CreateRefundRequest` (seed). Required here: the body itself (seed
/// `requestBody.required`), `payment_id` (the endpoint has no path id) and `reason.type`
/// ([U] default). Optional: `amount` ([U] default) and `idempotency_key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// `payment_id`: must be the ledger's payment when the ledger has an id.
    pub payment_id: String,
    /// `amount` as sent (a JSON string, seed); read in the payment currency by [`plan`].
    pub amount: Option<String>,
    /// `idempotency_key` (seed); the ledger remembers it on the refund it created.
    pub idempotency_key: Option<String>,
    /// `reason` (seed `RefundReasonDetail`).
    pub reason: Reason,
}

/// The wire form of the body, before validation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestDoc {
    #[serde(default)]
    amount: Option<WireDecimal>,
    #[serde(default)]
    idempotency_key: Option<String>,
    #[serde(default)]
    payment_id: Option<String>,
    #[serde(default)]
    reason: Option<ReasonDoc>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReasonDoc {
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

/// Merchant options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The partner refund limit, a decimal in major units of the payment currency
    /// (AP1: $10,000 by default, "can be raised"). Default [`DEFAULT_REFUND_LIMIT`].
    pub refund_limit: String,
    /// Whether `Other` needs a non-empty `description` (seed wording; [U] default `true`).
    pub other_requires_description: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            refund_limit: DEFAULT_REFUND_LIMIT.to_owned(),
            other_requires_description: true,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct OptionsDoc {
    #[serde(default)]
    refund_limit: Option<String>,
    #[serde(default)]
    other_requires_description: Option<bool>,
}

/// Every code an Alternative Payments plan or apply can return; each has a shared vector.
/// `currency_mismatch` is absent: the request has no currency (seed), and apply reads event
/// amounts in the ledger currency.
pub const REACHABLE_ERRORS: &[ErrorCode] = &[
    ErrorCode::InvalidInput,
    ErrorCode::UnknownProvider,
    ErrorCode::UnknownCurrency,
    ErrorCode::InvalidAmount,
    ErrorCode::NotCaptured,
    ErrorCode::NotSettled,
    ErrorCode::NotRefundableState,
    ErrorCode::AlreadyFullyRefunded,
    ErrorCode::ExceedsRefundable,
    ErrorCode::PartialRefundNotSupported,
    ErrorCode::InvalidReason,
    ErrorCode::RefundLimitExceeded,
    ErrorCode::IdempotencyConflict,
    ErrorCode::InconsistentState,
    ErrorCode::IllegalTransition,
    ErrorCode::VersionConflict,
];

/// The payment table (§3.4 model; AP3 publishes no enum, so the names are ours).
/// An invoice payment is paid in one go ([U]: no partial capture); `refunded` is terminal.
/// `paid --refund_partial--> paid` exists because the core checks a `pending` refund against
/// the status as a refund that leaves money unrefunded; [`plan`] never plans a partial refund.
const PAYMENT_TRANSITIONS: &[Transition<&str, P>] = &[
    t("unpaid", P::CaptureFull, "paid"),
    t("paid", P::RefundFull, "refunded"),
];

/// Refunds are asynchronous (AP1: 3–5 business days; seed: 201 "being processed"): created
/// `pending`, then `succeeded` or `failed` ([U]; a failed one releases the amount).
const REFUND_TRANSITIONS: &[Transition<RefundState, R>] = &[
    t(RefundState::Pending, R::Succeed, RefundState::Succeeded),
    t(RefundState::Pending, R::Fail, RefundState::Failed),
];

/// Alternative Payments' tables.
pub const MACHINES: ProviderMachines = ProviderMachines {
    payment: Machine {
        name: "payment",
        states: &["unpaid", "paid", "refunded"],
        transitions: PAYMENT_TRANSITIONS,
        // Settlement is tracked on the captures (`settled`), not in the status (AP1).
        unaffected_by: &[P::Settle],
        source: "https://help.alternativepayments.io/payments-and-invoicing/payments-and-payouts/refund-management",
    },
    order: None,
    fulfillment: None,
    refund: Machine {
        name: "refund",
        states: &[
            RefundState::Pending,
            RefundState::Succeeded,
            RefundState::Failed,
        ],
        transitions: REFUND_TRANSITIONS,
        unaffected_by: &[],
        source: "https://help.alternativepayments.io/payments-and-invoicing/payments-and-payouts/refund-management",
    },
    refund_initial: &[RefundState::Pending],
    // AP1: only fully settled payments are refunded.
    refunds_settled_only: true,
};

fn parse_options(options: Option<&str>) -> Result<Options, RefundError> {
    let doc: OptionsDoc = from_options_json(options, "/options")?;
    let defaults = Options::default();
    Ok(Options {
        refund_limit: doc.refund_limit.unwrap_or(defaults.refund_limit),
        other_requires_description: doc
            .other_requires_description
            .unwrap_or(defaults.other_requires_description),
    })
}

/// Parses and validates the body and options (shape, types, reason); amounts are read against
/// the ledger's currency by [`plan`].
pub fn parse(body: Option<&str>, options: Option<&str>) -> Result<(Request, Options), RefundError> {
    let options = parse_options(options)?;
    // Seed: `requestBody.required: true`.
    let doc: Option<RequestDoc> = match body {
        None => None,
        Some(text) => from_json_text(text, "/request")?,
    };
    let doc =
        doc.ok_or_else(|| RefundError::invalid_input("/request", "the request body is required"))?;
    let payment_id = match doc.payment_id {
        None => {
            return Err(RefundError::invalid_input(
                "/request/payment_id",
                "`payment_id` is required",
            ));
        }
        Some(id) if id.is_empty() => {
            return Err(RefundError::invalid_input(
                "/request/payment_id",
                "`payment_id` must not be empty",
            ));
        }
        Some(id) => id,
    };
    // Seed: `amount` is a JSON string.
    let amount = match doc.amount {
        None => None,
        Some(wire) if !wire.quoted => {
            return Err(RefundError::invalid_input(
                "/request/amount",
                format!(
                    "`amount` must be a JSON string such as `\"{}\"`, not a number",
                    wire.text
                ),
            ));
        }
        Some(wire) => Some(wire.text),
    };
    if doc.idempotency_key.as_deref() == Some("") {
        return Err(RefundError::invalid_input(
            "/request/idempotency_key",
            "`idempotency_key` must not be empty",
        ));
    }
    let reason = parse_reason(doc.reason, &options)?;
    Ok((
        Request {
            payment_id,
            amount,
            idempotency_key: doc.idempotency_key,
            reason,
        },
        options,
    ))
}

/// Seed: `type` ∈ `Customer Request`, `Duplicate`, `Fraud`, `Other`; "If 'Other', please
/// specify the reason in more detail" ([U] default: required, option
/// `other_requires_description`).
fn parse_reason(doc: Option<ReasonDoc>, options: &Options) -> Result<Reason, RefundError> {
    let doc = doc.ok_or_else(|| RefundError::InvalidReason {
        pointer: "/request/reason".to_owned(),
        message: "`reason` is required".to_owned(),
    })?;
    let text = doc.kind.ok_or_else(|| RefundError::InvalidReason {
        pointer: "/request/reason/type".to_owned(),
        message: "`reason.type` is required".to_owned(),
    })?;
    let kind = ReasonType::from_wire(&text).ok_or_else(|| RefundError::InvalidReason {
        pointer: "/request/reason/type".to_owned(),
        message: format!(
            "unknown reason type `{text}`; expected one of Customer Request, Duplicate, Fraud, Other"
        ),
    })?;
    let blank = doc
        .description
        .as_deref()
        .is_none_or(|d| d.trim().is_empty());
    if kind == ReasonType::Other && options.other_requires_description && blank {
        return Err(RefundError::InvalidReason {
            pointer: "/request/reason/description".to_owned(),
            message: "`reason.description` is required when the type is `Other`".to_owned(),
        });
    }
    Ok(Reason {
        kind,
        description: doc.description,
    })
}

/// The canonical rendering of a parsed request, stored as the refund's `fingerprint`: fixed key
/// order, the amount normalized to the currency's decimals, the key itself left out.
#[derive(Serialize)]
struct Fingerprint<'a> {
    payment_id: &'a str,
    amount: Option<String>,
    reason: &'a Reason,
}

fn fingerprint(request: &Request, amount: Option<Money>) -> String {
    serde_json::to_string(&Fingerprint {
        payment_id: &request.payment_id,
        amount: amount.map(|m| m.to_decimal_string()),
        reason: &request.reason,
    })
    .unwrap_or_default()
}

/// The `amount` string in the payment currency (§0.1: no more decimals than the exponent).
fn parse_amount(text: &str, ledger: &Ledger) -> Result<Money, RefundError> {
    positive_wire_money(text, ledger.currency, PROVIDER, "/request/amount")
}

/// The limit option in the payment currency; zero is refused (it would forbid every refund).
fn parse_limit(options: &Options, ledger: &Ledger) -> Result<Money, RefundError> {
    const POINTER: &str = "/options/refund_limit";
    let text = options.refund_limit.as_str();
    let limit = parse_money(text, ledger.currency)
        .map_err(|p| RefundError::invalid_amount(POINTER, text, p))?;
    if !limit.minor.is_positive() {
        return Err(RefundError::invalid_amount(
            POINTER,
            text,
            AmountProblem::Zero,
        ));
    }
    Ok(limit)
}

/// The body the engine sends: the request with the amount spelled out in full.
#[derive(Serialize)]
struct CallBody<'a> {
    amount: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    idempotency_key: Option<&'a str>,
    payment_id: &'a str,
    reason: &'a Reason,
}

fn call(request: &Request, amount: Money) -> ProviderCall {
    ProviderCall {
        method: "POST",
        path: "/refunds".to_owned(),
        body: Some(raw_json(&CallBody {
            amount: amount.to_decimal_string(),
            idempotency_key: request.idempotency_key.as_deref(),
            payment_id: &request.payment_id,
            reason: &request.reason,
        })),
    }
}

fn created() -> ProviderResponse {
    // Seed: `201`, body schema `{"type":"string"}`, "Refund is being processed!".
    ProviderResponse {
        http_status: 201,
        body: raw_json(&SUCCESS_MESSAGE),
    }
}

/// Decides an Alternative Payments refund.
pub fn plan(
    ledger: &Ledger,
    request: &Request,
    options: &Options,
    ctx: &PlanContext,
) -> Result<Plan, RefundError> {
    let mut why = Vec::new();
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
    let print = fingerprint(request, requested);

    // [U] default (providers.md §3.3): same key + same body = the first outcome, nothing new;
    // same key + another body = 422.
    if let Some(key) = &request.idempotency_key
        && let Some(first) = ledger
            .refunds
            .iter()
            .find(|r| r.idempotency_key.as_deref() == Some(key))
    {
        if first.fingerprint.as_deref() != Some(print.as_str()) {
            return Err(RefundError::IdempotencyConflict { key: key.clone() });
        }
        return replay(ledger, request, first, key);
    }

    let status = ledger.status.payment.as_str();
    // All captures: AP1 refunds only fully settled payments (checked below), where this is
    // also `PROVIDER.refundable`; an unsettled payment is `not_settled`, not inconsistent.
    let refundable = ledger.refundable()?;
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
    why.push(format!(
        "paid and settled: captured {}, refunded {}, available {}",
        refundable.captured_money(),
        refundable.refunded_money(),
        refundable.available_money()
    ));
    let full = refundable.available_money();
    // Seed + AP1: full refunds only; [U] `amount` optional, equal to the full amount if sent.
    match requested {
        None => why.push(format!("no amount: the full {full}")),
        Some(m) if m.minor < full.minor => {
            return Err(RefundError::PartialRefundNotSupported {
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
        Some(_) => why.push(format!("amount equals the full {full}")),
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
    why.push(format!("within the refund limit of {limit}"));
    let mut outline = outline_refund(
        &MACHINES,
        ledger,
        ctx,
        refundable,
        RefundDraft {
            amount: full,
            kind: RefundKind::Full,
            state: RefundState::Pending,
            capture_id: None,
        },
    )?;
    if let EventKind::RefundCreated {
        idempotency_key,
        fingerprint,
        ..
    } = &mut outline.event.kind
    {
        idempotency_key.clone_from(&request.idempotency_key);
        *fingerprint = Some(print);
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
fn replay(
    ledger: &Ledger,
    request: &Request,
    first: &Refund,
    key: &str,
) -> Result<Plan, RefundError> {
    let amount = Money::new(first.amount, ledger.currency);
    let refundable = PROVIDER.refundable(ledger)?;
    let status_after = match first.state {
        RefundState::Pending => PROVIDER
            .machines()
            .advance(&ledger.status, P::RefundFull)
            .unwrap_or_else(|_| ledger.status.clone()),
        _ => ledger.status.clone(),
    };
    Ok(Plan {
        provider: PROVIDER,
        operation: Operation::Refund,
        kind: RefundKind::Full,
        amount,
        refundable,
        remaining_after: refundable.available_money(),
        status_after,
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
    })
}

/// `payment_method` of `GET /refunds` (seed enum).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    /// `card`.
    Card,
    /// `standard_ach`.
    StandardAch,
    /// `same_day_ach`.
    SameDayAch,
    /// `manual`.
    Manual,
}

/// The smallest `limit` accepted ([U]).
pub const LIST_LIMIT_MIN: u32 = 1;
/// The largest `limit` accepted ([U]: the seed's default, 100, is taken as the page maximum).
pub const LIST_LIMIT_MAX: u32 = 100;
/// The seed's default `limit`.
pub const LIST_LIMIT_DEFAULT: u32 = 100;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQueryDoc {
    #[serde(default)]
    limit: Option<WireDecimal>,
    #[serde(default)]
    after: Option<String>,
    #[serde(default)]
    before: Option<String>,
    #[serde(default)]
    customer_id: Option<String>,
    #[serde(default)]
    invoice_id: Option<String>,
    #[serde(default)]
    payment_method: Option<PaymentMethod>,
    #[serde(default)]
    created_at_start: Option<String>,
    #[serde(default)]
    created_at_end: Option<String>,
}

/// A validated, normalized `GET /refunds` query (seed `listRefunds` parameters).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListQuery {
    /// Page size, default 100, within `LIST_LIMIT_MIN..=LIST_LIMIT_MAX`.
    pub limit: u32,
    /// Forward cursor (`end_cursor` of the previous page).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// Backward cursor (`start_cursor` of the next page).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    /// Customer filter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
    /// Invoice filter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoice_id: Option<String>,
    /// Payment method filter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_method: Option<PaymentMethod>,
    /// Creation time lower bound, as UTC RFC 3339 (fraction kept).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at_start: Option<String>,
    /// Creation time upper bound, as UTC RFC 3339 (fraction kept).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at_end: Option<String>,
}

/// An RFC 3339 instant with its exact fraction: `(seconds, fraction digits without trailing
/// zeros)`. Comparing the pairs (digits lexicographically) orders instants exactly.
fn instant(text: &str, field: &str) -> Result<(Timestamp, String), RefundError> {
    let ts: Timestamp = text.parse().map_err(|e: crate::time::TimestampError| {
        RefundError::invalid_input(format!("/query/{field}"), e.to_string())
    })?;
    let fraction: String = match text.get(19..) {
        Some(rest) if rest.starts_with('.') => rest
            .chars()
            .skip(1)
            .take_while(char::is_ascii_digit)
            .collect(),
        _ => String::new(),
    };
    Ok((ts, fraction.trim_end_matches('0').to_owned()))
}

fn render_instant((ts, fraction): &(Timestamp, String)) -> String {
    let whole = ts.to_string();
    match whole.strip_suffix('Z') {
        Some(base) if !fraction.is_empty() => format!("{base}.{fraction}Z"),
        _ => whole,
    }
}

fn non_empty(value: Option<String>, field: &str) -> Result<Option<String>, RefundError> {
    match value {
        Some(v) if v.is_empty() => Err(RefundError::invalid_input(
            format!("/query/{field}"),
            format!("`{field}` must not be empty"),
        )),
        other => Ok(other),
    }
}

/// Validates the query of `GET /refunds` (seed): `limit` integer (JSON number or digit string)
/// default 100 within 1..=100 ([U] bounds); `after`/`before` cursors, not both ([U]; an empty
/// cursor means "first page", seed, and is dropped); `customer_id`, `invoice_id` non-empty;
/// `payment_method` ∈ card | standard_ach | same_day_ach | manual; `created_at_start` /
/// `created_at_end` RFC 3339 with start ≤ end. Errors are `invalid_input` under `/query`.
pub fn validate_list_query(query: &str) -> Result<ListQuery, RefundError> {
    let doc: ListQueryDoc = from_json_text(query, "/query")?;
    let limit = match doc.limit {
        None => LIST_LIMIT_DEFAULT,
        Some(wire) => {
            let digits = !wire.text.is_empty() && wire.text.bytes().all(|b| b.is_ascii_digit());
            let value = if digits {
                wire.text.parse::<u32>().ok()
            } else {
                None
            };
            match value {
                Some(n) if (LIST_LIMIT_MIN..=LIST_LIMIT_MAX).contains(&n) => n,
                _ => {
                    return Err(RefundError::invalid_input(
                        "/query/limit",
                        format!(
                            "`limit` must be an integer from {LIST_LIMIT_MIN} to {LIST_LIMIT_MAX}, not `{}`",
                            wire.text
                        ),
                    ));
                }
            }
        }
    };
    let after = doc.after.filter(|c| !c.is_empty());
    let before = doc.before.filter(|c| !c.is_empty());
    if after.is_some() && before.is_some() {
        return Err(RefundError::invalid_input(
            "/query/before",
            "`after` and `before` cannot both be given: page forward or backward",
        ));
    }
    let start = doc
        .created_at_start
        .as_deref()
        .map(|t| instant(t, "created_at_start"))
        .transpose()?;
    let end = doc
        .created_at_end
        .as_deref()
        .map(|t| instant(t, "created_at_end"))
        .transpose()?;
    if let (Some(s), Some(e)) = (&start, &end)
        && s > e
    {
        return Err(RefundError::invalid_input(
            "/query/created_at_end",
            format!(
                "`created_at_end` {} is before `created_at_start` {}",
                render_instant(e),
                render_instant(s)
            ),
        ));
    }
    Ok(ListQuery {
        limit,
        after,
        before,
        customer_id: non_empty(doc.customer_id, "customer_id")?,
        invoice_id: non_empty(doc.invoice_id, "invoice_id")?,
        payment_method: doc.payment_method,
        created_at_start: start.as_ref().map(render_instant),
        created_at_end: end.as_ref().map(render_instant),
    })
}

/// `/request/reason/type` → `reason.type`; `/request` → `body`.
fn field_of(pointer: &str) -> String {
    let rest = pointer
        .strip_prefix("/request")
        .or_else(|| pointer.strip_prefix("/query"))
        .unwrap_or(pointer);
    let field = rest.trim_start_matches('/').replace('/', ".");
    if field.is_empty() {
        "body".to_owned()
    } else {
        field
    }
}

fn http_error(status: u16, code: &str, message: String, field: Option<String>) -> ProviderError {
    let mut errors = Map::new();
    if let Some(f) = field {
        errors.insert(f, Value::String(message.clone()));
    }
    ProviderError {
        http_status: status,
        code: code.to_owned(),
        body: json!({ "code": code, "message": message, "validation_errors": errors }),
    }
}

/// The seed's `HttpError {code, message, validation_errors}` for a rejection. The seed gives
/// statuses but no code vocabulary ([U] default: the status name in snake_case): 400
/// `bad_request` for body/query validation (with `validation_errors`), 404 `not_found` for a
/// payment that is not the ledger's, 422 `unprocessable_entity` for business rules (AP2).
/// Errors about the caller's ledger, options or events have no provider counterpart.
pub fn provider_error(error: &RefundError) -> Option<ProviderError> {
    let message = error.to_string();
    let from_client = |p: &str| p.starts_with("/request") || p.starts_with("/query");
    let unprocessable = |field: Option<&str>| {
        Some(http_error(
            422,
            "unprocessable_entity",
            message.clone(),
            field.map(str::to_owned),
        ))
    };
    match error {
        RefundError::InvalidInput {
            pointer,
            problem: InputProblem::NotFound,
            ..
        } if pointer == "/request/payment_id" => Some(http_error(404, "not_found", message, None)),
        RefundError::InvalidInput { pointer, .. }
        | RefundError::InvalidAmount { pointer, .. }
        | RefundError::InvalidReason { pointer, .. }
            if from_client(pointer) =>
        {
            Some(http_error(
                400,
                "bad_request",
                message,
                Some(field_of(pointer)),
            ))
        }
        RefundError::NotCaptured { .. }
        | RefundError::NotSettled { .. }
        | RefundError::NotRefundableState { .. }
        | RefundError::AlreadyFullyRefunded { .. } => unprocessable(Some("payment_id")),
        RefundError::PartialRefundNotSupported { .. }
        | RefundError::ExceedsRefundable { .. }
        | RefundError::RefundLimitExceeded { .. } => unprocessable(Some("amount")),
        RefundError::IdempotencyConflict { .. } => unprocessable(Some("idempotency_key")),
        _ => None,
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
    fn provider_error(error: &RefundError) -> Option<ProviderError> {
        provider_error(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    fn request(body: &str, options: Option<&str>) -> Result<(Request, Options), RefundError> {
        parse(Some(body), options)
    }

    #[test]
    fn reason_types_round_trip_their_wire_spelling() -> TestResult {
        for t in ReasonType::ALL {
            assert_eq!(ReasonType::from_wire(t.as_str()), Some(t));
            let json = serde_json::to_string(&t)?;
            assert_eq!(json, format!("\"{}\"", t.as_str()));
        }
        assert_eq!(ReasonType::from_wire("other"), None);
        Ok(())
    }

    #[test]
    fn fingerprint_ignores_key_and_field_order() -> TestResult {
        let (a, _) = request(
            r#"{"payment_id":"p","amount":"1.0","idempotency_key":"k1","reason":{"type":"Fraud"}}"#,
            None,
        )?;
        let (b, _) = request(
            r#"{"reason":{"type":"Fraud"},"idempotency_key":"k2","amount":"1.00","payment_id":"p"}"#,
            None,
        )?;
        let usd = crate::money::Currency::from_code("USD")?;
        let one = parse_money("1", usd)?;
        assert_eq!(fingerprint(&a, Some(one)), fingerprint(&b, Some(one)));
        assert_ne!(fingerprint(&a, Some(one)), fingerprint(&a, None));
        Ok(())
    }

    #[test]
    fn options_default_and_override() -> TestResult {
        let (_, o) = request(r#"{"payment_id":"p","reason":{"type":"Fraud"}}"#, None)?;
        assert_eq!(o, Options::default());
        let (_, o) = request(
            r#"{"payment_id":"p","reason":{"type":"Other"}}"#,
            Some(r#"{"other_requires_description":false,"refund_limit":"5"}"#),
        )?;
        assert!(!o.other_requires_description);
        assert_eq!(o.refund_limit, "5");
        Ok(())
    }

    #[test]
    fn list_query_instants_compare_with_fractions() -> TestResult {
        let q = validate_list_query(
            r#"{"created_at_start":"2024-01-01T00:00:00.1Z","created_at_end":"2024-01-01T00:00:00.10Z"}"#,
        )?;
        assert_eq!(
            q.created_at_start.as_deref(),
            Some("2024-01-01T00:00:00.1Z")
        );
        assert_eq!(q.limit, LIST_LIMIT_DEFAULT);
        let late = validate_list_query(
            r#"{"created_at_start":"2024-01-01T00:00:01Z","created_at_end":"2024-01-01T00:00:00.999Z"}"#,
        );
        assert_eq!(late.map_err(|e| e.code()), Err(ErrorCode::InvalidInput));
        Ok(())
    }

    #[test]
    fn provider_error_maps_statuses() -> TestResult {
        let e = RefundError::NotSettled { alternative: None };
        assert_eq!(provider_error(&e).map(|p| p.http_status), Some(422));
        let e = RefundError::invalid_input("/ledger/status/payment", "x");
        assert!(provider_error(&e).is_none());
        let e = RefundError::invalid_input("/request", "the request body is required");
        let p = provider_error(&e).ok_or("no provider error")?;
        assert_eq!(p.http_status, 400);
        assert!(p.body["validation_errors"]["body"].is_string());
        Ok(())
    }
}
