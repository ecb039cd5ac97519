//! Commerce Layer: refunds are JSON:API trigger attributes on captures, orders and returns, and a
//! stuck refund is unblocked with `_forward`. Per-capture partial refunds, whole-order full
//! refunds, return refunds; paid states only.
//!
//! Sources (`../shared/reference/providers.md` §0, §1; ids at its end):
//! - [S] seed `commerce-layer-refunds.md` (docs.commercelayer.io/core-api-reference/refunds):
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

use serde::{Deserialize, Serialize};
use serde_json::json;
use serde_json::value::RawValue;

use super::rules::Rules;
use crate::error::ProviderError;
use crate::error::{ErrorCode, InputProblem, RefundError};
use crate::event::{Event, EventKind};
use crate::id::Provider;
use crate::ledger::{AmountStage, Ledger, RefundState, Refundable};
use crate::machine::refund_event;
use crate::machine::{
    Machine, PaymentEvent as P, ProviderMachines, RefundEvent as R, StatusMachine, Transition,
    transition as t,
};
use crate::money::{AmountProblem, Minor, Money, parse_decimal};
use crate::plan::{
    Operation, Plan, PlanContext, ProviderCall, ProviderResponse, RefundDraft, RefundKind,
    RefundOutline, outline_refund, resolve_amount,
};
use crate::wire::{WireDecimal, from_json_text, from_options_json, raw_json};

const PROVIDER: Provider = Provider::CommerceLayer;

const ATTRIBUTES: &str = "/request/data/attributes";
const AMOUNT_POINTER: &str = "/request/data/attributes/_refund_amount_cents";
const REFUND_POINTER: &str = "/request/data/attributes/_refund";
const FORWARD_POINTER: &str = "/request/data/attributes/_forward";
const ID_POINTER: &str = "/request/data/id";
/// Message prefix of an attribute the resource does not have (CL6: 400 "unsupported parameter").
const UNSUPPORTED: &str = "unsupported parameter";
/// Message prefix of an id the ledger does not hold (CL6: 404 `RECORD_NOT_FOUND`).
const NOT_FOUND: &str = "no record:";

/// A Commerce Layer refund request: one JSON:API `PATCH` body (CL1, CL2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// `PATCH /api/captures/:id` `{"_refund":true,"_refund_amount_cents"?:n}` (CL1, CL2).
    Capture {
        /// The capture id.
        id: String,
        /// `_refund_amount_cents` in ISO minor units; absent = the capture's whole balance.
        amount: Option<Minor>,
    },
    /// `PATCH /api/orders/:id` `{"_refund":true}`: full only, no amount attribute (CL1).
    Order {
        /// The order id.
        id: String,
    },
    /// `PATCH /api/returns/:id` `{"_refund":true,"_refund_amount_cents":n}` (CL1, CL5).
    Return {
        /// The return id.
        id: String,
        /// `_refund_amount_cents` in ISO minor units (required: CL5 gives it explicitly).
        amount: Minor,
    },
    /// `PATCH /api/refunds/:id` `{"_forward":true}`: unblock a stuck refund (CL3, [S]).
    Forward {
        /// The refund id.
        id: String,
    },
}

/// Merchant options.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    /// Refund orders whose payment status is `partially_paid` (§1.5 [U] default: true, there is
    /// captured money). `false` rejects them as `not_refundable_state`.
    #[serde(default = "yes")]
    pub partially_paid_refundable: bool,
}

fn yes() -> bool {
    true
}

impl Default for Options {
    fn default() -> Self {
        Self {
            partially_paid_refundable: true,
        }
    }
}

/// Every code a Commerce Layer plan or apply can return; each has a shared vector.
pub const REACHABLE_ERRORS: &[ErrorCode] = &[
    ErrorCode::InvalidInput,
    ErrorCode::UnknownProvider,
    ErrorCode::UnknownCurrency,
    ErrorCode::InvalidAmount,
    ErrorCode::NotCaptured,
    ErrorCode::NotRefundableState,
    ErrorCode::AlreadyFullyRefunded,
    ErrorCode::ExceedsRefundable,
    ErrorCode::IdempotencyConflict,
    ErrorCode::InconsistentState,
    ErrorCode::IllegalTransition,
    ErrorCode::VersionConflict,
];

/// Order `payment_status` values (CL1).
const PAYMENT_STATES: &[&str] = &[
    "unpaid",
    "authorized",
    "partially_authorized",
    "paid",
    "partially_paid",
    "voided",
    "partially_voided",
    "refunded",
    "partially_refunded",
    "free",
];

/// `payment_status` moves. CL4 rows place/capture/cancel/refunds; [S] partial/full refunds;
/// [U] defaults: partial captures give `partially_paid`, which refunds like `paid`, and a return
/// refund moves the payment status by amounts like any refund.
const PAYMENT_TRANSITIONS: &[Transition<&str, P>] = &[
    t("unpaid", P::Authorize, "authorized"), // CL4 place
    t("unpaid", P::AuthorizeFree, "free"),   // CL4: a zero total order is `free`
    t("authorized", P::CaptureFull, "paid"), // CL4 capture
    t("authorized", P::CapturePartial, "partially_paid"), // [U]
    t("partially_paid", P::CaptureFull, "paid"), // [U]
    t("partially_paid", P::CapturePartial, "partially_paid"), // [U]
    t("authorized", P::Void, "voided"),      // CL4 cancel
    t("paid", P::RefundPartial, "partially_refunded"), // [S], CL4
    t("paid", P::RefundFull, "refunded"),    // [S], CL4
    t("partially_paid", P::RefundPartial, "partially_refunded"), // [U]
    t("partially_paid", P::RefundFull, "refunded"), // [U]
    t("partially_refunded", P::RefundPartial, "partially_refunded"), // §1.5 [U] implied
    t("partially_refunded", P::RefundFull, "refunded"), // §1.5 [U] implied
    t("paid", P::ReturnRefundPartial, "partially_refunded"), // CL5
    t("paid", P::ReturnRefundFull, "refunded"), // CL5 [U]
    t(
        "partially_paid",
        P::ReturnRefundPartial,
        "partially_refunded",
    ), // [U]
    t("partially_paid", P::ReturnRefundFull, "refunded"), // [U]
    t(
        "partially_refunded",
        P::ReturnRefundPartial,
        "partially_refunded",
    ), // CL5
    t("partially_refunded", P::ReturnRefundFull, "refunded"), // CL5 [U]
];

/// Order `status` values (CL1).
const ORDER_STATES: &[&str] = &[
    "draft",
    "pending",
    "editing",
    "placing",
    "placed",
    "approved",
    "cancelled",
];

/// Order `status` moves (CL4 table; CL1 `_place`, `_approve`, `_approve_and_capture`, `_cancel`).
/// A partial refund leaves the order as it is; a full refund cancels it [S].
const ORDER_TRANSITIONS: &[Transition<&str, P>] = &[
    t("pending", P::Authorize, "placed"),         // CL4 place
    t("pending", P::AuthorizeFree, "placed"),     // CL4 place (zero total)
    t("placing", P::AuthorizeFree, "placed"),     // CL1 `_place` (zero total)
    t("placing", P::Authorize, "placed"),         // CL1 `_place` from `placing`
    t("placed", P::Approve, "approved"),          // CL4 approve
    t("placed", P::Void, "cancelled"),            // CL4 cancel
    t("approved", P::Void, "cancelled"),          // CL4 cancel (CL1 `_cancel` on approved)
    t("placed", P::CaptureFull, "approved"),      // CL4 capture (`_approve_and_capture`)
    t("placed", P::CapturePartial, "approved"),   // [U] as a full capture
    t("approved", P::CaptureFull, "approved"),    // CL4 capture
    t("approved", P::CapturePartial, "approved"), // [U]
    t("approved", P::RefundFull, "cancelled"),    // [S], CL4 full refund
];

/// Order `fulfillment_status` values (CL1).
const FULFILLMENT_STATES: &[&str] = &["unfulfilled", "in_progress", "fulfilled", "not_required"];

/// `fulfillment_status` moves (CL4): capture starts fulfillment; a full refund gives
/// `unfulfilled` if it was `in_progress`, else `fulfilled` (read literally).
const FULFILLMENT_TRANSITIONS: &[Transition<&str, P>] = &[
    t("unfulfilled", P::CaptureFull, "in_progress"), // CL4 capture
    t("unfulfilled", P::CapturePartial, "in_progress"), // [U]
    t("in_progress", P::CaptureFull, "in_progress"), // [U] a later capture
    t("in_progress", P::CapturePartial, "in_progress"), // [U]
    t("not_required", P::CaptureFull, "not_required"), // [U] nothing to ship
    t("not_required", P::CapturePartial, "not_required"), // [U]
    t("in_progress", P::RefundFull, "unfulfilled"),  // CL4 full refund
    t("fulfilled", P::RefundFull, "fulfilled"),      // CL4 "else fulfilled"
    t("not_required", P::RefundFull, "fulfilled"),   // CL4 "else fulfilled"
    t("unfulfilled", P::RefundFull, "fulfilled"),    // CL4 "else fulfilled"
];

/// Return `status` values (CL1).
const RETURN_STATES: &[&str] = &[
    "draft",
    "requested",
    "approved",
    "cancelled",
    "shipped",
    "rejected",
    "received",
    "refunded",
];

/// The return moves the engine makes: a refund of a `received` return makes it `refunded` (CL5).
/// The rest of the return lifecycle (draft → requested → approved → shipped → received;
/// cancelled; rejected) is recorded by the caller in the ledger.
const RETURN_TRANSITIONS: &[Transition<&str, P>] = &[
    t("received", P::ReturnRefundPartial, "refunded"), // CL5
    t("received", P::ReturnRefundFull, "refunded"),    // CL5
];

/// The return status table (CL1 states, CL5 refund move).
pub const RETURN_MACHINE: StatusMachine = Machine {
    name: "return",
    states: RETURN_STATES,
    transitions: RETURN_TRANSITIONS,
    unaffected_by: &[],
    source: "https://docs.commercelayer.io/data-model/orders/returns-management",
};

/// Commerce Layer's tables. Refunds have no status, only `succeeded` (CL1): `false` is
/// `pending`, `true` is `succeeded`; `_forward` or a `succeeded` update moves one to the other.
pub const MACHINES: ProviderMachines = ProviderMachines {
    payment: Machine {
        name: "payment",
        states: PAYMENT_STATES,
        transitions: PAYMENT_TRANSITIONS,
        // Approval keeps the payment `authorized` (CL4); there is no settlement status.
        unaffected_by: &[P::Approve, P::Settle],
        source: "https://docs.commercelayer.io/core/v/api-reference/orders",
    },
    order: Some(Machine {
        name: "order",
        states: ORDER_STATES,
        transitions: ORDER_TRANSITIONS,
        // Partial refunds leave the order unchanged (CL4); return refunds never cancel it (CL5).
        unaffected_by: &[
            P::RefundPartial,
            P::ReturnRefundPartial,
            P::ReturnRefundFull,
            P::Settle,
        ],
        source: "https://docs.commercelayer.io/core/v/api-reference/orders",
    }),
    fulfillment: Some(Machine {
        name: "fulfillment",
        states: FULFILLMENT_STATES,
        transitions: FULFILLMENT_TRANSITIONS,
        // Place, approve and cancel leave fulfillment `unfulfilled`; partial and return refunds
        // leave it unchanged (CL4, CL5).
        unaffected_by: &[
            P::Authorize,
            P::AuthorizeFree,
            P::Approve,
            P::Void,
            P::Settle,
            P::RefundPartial,
            P::ReturnRefundPartial,
            P::ReturnRefundFull,
        ],
        source: "https://docs.commercelayer.io/core/v/api-reference/orders",
    }),
    refund: Machine {
        name: "refund",
        states: &[RefundState::Pending, RefundState::Succeeded],
        transitions: &[t(RefundState::Pending, R::Succeed, RefundState::Succeeded)],
        unaffected_by: &[],
        source: "https://docs.commercelayer.io/core-api-reference/transactions",
    },
    refund_initial: &[RefundState::Pending, RefundState::Succeeded],
    refunds_settled_only: false,
};

// ---------------------------------------------------------------------------------------------
// Parsing

/// `{"data":{"type","id","attributes"}}` (CL2).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    data: Data,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Data {
    #[serde(rename = "type")]
    kind: String,
    id: String,
    /// Raw values, so amounts keep their exact text; a repeated key is refused.
    attributes: crate::wire::UniqueMap<Box<RawValue>>,
}

/// The trigger attributes the engine knows (CL1).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Attributes {
    #[serde(default, rename = "_refund")]
    refund: Option<bool>,
    #[serde(default, rename = "_refund_amount_cents")]
    refund_amount_cents: Option<WireDecimal>,
    #[serde(default, rename = "_forward")]
    forward: Option<bool>,
}

/// Parses the JSON:API body and the options.
pub fn parse(body: Option<&str>, options: Option<&str>) -> Result<(Request, Options), RefundError> {
    let options: Options = from_options_json(options, "/options")?;
    let doc = match body {
        None => None,
        Some(text) => from_json_text::<Option<Document>>(text, "/request")?,
    }
    .ok_or_else(|| {
        RefundError::invalid_input(
            "/request",
            "commerce_layer needs a JSON:API body `{\"data\":{\"type\",\"id\",\"attributes\"}}`",
        )
    })?;
    Ok((request_of(doc.data)?, options))
}

fn request_of(data: Data) -> Result<Request, RefundError> {
    // Which trigger attributes each resource has (CL1).
    let allowed: &[&str] = match data.kind.as_str() {
        "captures" | "returns" => &["_refund", "_refund_amount_cents"],
        "orders" => &["_refund"],
        "refunds" => &["_forward"],
        other => {
            return Err(RefundError::invalid_input(
                "/request/data/type",
                format!("`{other}` cannot refund; expected captures, orders, returns or refunds"),
            ));
        }
    };
    if let Some(key) = data
        .attributes
        .0
        .keys()
        .find(|k| !allowed.contains(&k.as_str()))
    {
        return Err(RefundError::input(
            InputProblem::Unsupported,
            format!("{ATTRIBUTES}/{key}"),
            format!(
                "{UNSUPPORTED}: `{}` has no `{key}` attribute; it takes {}",
                data.kind,
                allowed.join(", ")
            ),
        ));
    }
    let mut text = String::from("{");
    for (i, (key, value)) in data.attributes.0.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        text.push_str(&serde_json::Value::String(key.clone()).to_string());
        text.push(':');
        text.push_str(value.get());
    }
    text.push('}');
    let attrs: Attributes = from_json_text(&text, ATTRIBUTES)?;
    let id = data.id;
    if data.kind == "refunds" {
        // CL3: `_forward: true` is the trigger.
        must_be_true(attrs.forward, FORWARD_POINTER, "_forward")?;
        return Ok(Request::Forward { id });
    }
    // CL1: `_refund: true` is the trigger.
    must_be_true(attrs.refund, REFUND_POINTER, "_refund")?;
    let amount = attrs
        .refund_amount_cents
        .as_ref()
        .map(parse_cents)
        .transpose()?;
    Ok(match data.kind.as_str() {
        "captures" => Request::Capture { id, amount },
        "returns" => Request::Return {
            id,
            // CL5: the refund amount of a return is given explicitly.
            amount: amount.ok_or_else(|| {
                RefundError::invalid_input(
                    AMOUNT_POINTER,
                    "a return refund needs `_refund_amount_cents`",
                )
            })?,
        },
        _ => Request::Order { id },
    })
}

fn must_be_true(value: Option<bool>, pointer: &str, name: &str) -> Result<(), RefundError> {
    match value {
        Some(true) => Ok(()),
        Some(false) => Err(RefundError::invalid_input(
            pointer,
            format!("`{name}` must be true"),
        )),
        None => Err(RefundError::invalid_input(
            pointer,
            format!("`{name}: true` is required"),
        )),
    }
}

/// `_refund_amount_cents` is an integer in ISO minor units (CL1, CL2; §0.2 [U] default also for
/// 0-exponent currencies: 100 JPY is `100`). Not a string, no decimals, no sign, not zero
/// (§1.3 [U] default: 422).
fn parse_cents(wire: &WireDecimal) -> Result<Minor, RefundError> {
    if wire.quoted {
        return Err(RefundError::invalid_input(
            AMOUNT_POINTER,
            format!(
                "`_refund_amount_cents` must be an integer, not the string `\"{}\"`",
                wire.text
            ),
        ));
    }
    let minor = parse_decimal(&wire.text, 0)
        .map_err(|p| RefundError::invalid_amount(AMOUNT_POINTER, &wire.text, p))?;
    if minor.is_zero() {
        return Err(RefundError::invalid_amount(
            AMOUNT_POINTER,
            &wire.text,
            AmountProblem::Zero,
        ));
    }
    Ok(minor)
}

// ---------------------------------------------------------------------------------------------
// Decisions

/// Decides a Commerce Layer refund or `_forward`.
pub fn plan(
    ledger: &Ledger,
    request: &Request,
    options: &Options,
    ctx: &PlanContext,
) -> Result<Plan, RefundError> {
    refunds_name_captures(ledger)?;
    match request {
        Request::Capture { id, amount } => plan_capture(ledger, id, *amount, options, ctx),
        Request::Order { id } => plan_order(ledger, id, options, ctx),
        Request::Return { id, amount } => plan_return(ledger, id, *amount, options, ctx),
        Request::Forward { id } => plan_forward(ledger, id),
    }
}

/// Refund transactions always reference a capture (CL1 `reference_capture`; CL3 refunds happen
/// "when a capture is refunded"), so per-capture balances add up to the order's.
fn refunds_name_captures(ledger: &Ledger) -> Result<(), RefundError> {
    match ledger.refunds.iter().position(|r| r.capture_id.is_none()) {
        Some(i) => Err(RefundError::inconsistent(
            format!("/ledger/refunds/{i}/capture_id"),
            "commerce_layer refunds always reference a capture",
        )),
        None => Ok(()),
    }
}

fn not_found(kind: &str, id: &str) -> RefundError {
    RefundError::input(
        InputProblem::NotFound,
        ID_POINTER,
        format!("{NOT_FOUND} the ledger has no {kind} `{id}`"),
    )
}

/// Refunds only from paid states ([S] captured only; §1.5 [U] defaults), with amounts that agree
/// with the payment status.
fn precheck(
    ledger: &Ledger,
    options: &Options,
    why: &mut Vec<String>,
) -> Result<Refundable, RefundError> {
    let status = ledger.status.payment.as_str();
    match status {
        "paid" | "partially_refunded" | "refunded" => {}
        "partially_paid" if options.partially_paid_refundable => {
            why.push("`partially_paid` refunds like `paid` (option partially_paid_refundable, §1.5 [U] default)".to_owned());
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
    let r = ledger.refundable()?;
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
    why.push(format!("order: {}", r.summary()));
    Ok(r)
}

/// §1.3 [U] default: full ⇔ the order's successful refunds reach its captured total.
fn order_kind(overall: &Refundable, amount: Money) -> Result<RefundKind, RefundError> {
    let after = overall
        .refunded
        .checked_add(amount.minor)
        .map_err(|p| RefundError::invalid_amount(AMOUNT_POINTER, "", p))?;
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

fn cents(m: Minor) -> i64 {
    m.get()
}

/// A JSON:API resource object: `{"type","id","attributes"}` in that order (CL2).
#[derive(Serialize)]
struct Resource<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    id: &'a str,
    attributes: serde_json::Value,
}

/// A JSON:API document `{"data":…}`.
#[derive(Serialize)]
struct JsonApi<'a> {
    data: Resource<'a>,
}

fn document(kind: &str, id: &str, attributes: serde_json::Value) -> Box<RawValue> {
    raw_json(&JsonApi {
        data: Resource {
            kind,
            id,
            attributes,
        },
    })
}

fn call(kind: &str, id: &str, attributes: serde_json::Value) -> ProviderCall {
    ProviderCall {
        method: "PATCH",
        path: format!("/api/{kind}/{id}"),
        body: Some(document(kind, id, attributes)),
    }
}

fn ok_response(kind: &str, id: &str, attributes: serde_json::Value) -> ProviderResponse {
    ProviderResponse {
        http_status: 200,
        body: document(kind, id, attributes),
    }
}

/// `PATCH /api/captures/:id` `_refund` (CL1, CL2).
fn plan_capture(
    ledger: &Ledger,
    id: &str,
    amount: Option<Minor>,
    options: &Options,
    ctx: &PlanContext,
) -> Result<Plan, RefundError> {
    let mut why = Vec::new();
    let overall = precheck(ledger, options, &mut why)?;
    let capture = ledger
        .captures
        .iter()
        .find(|c| c.id == id)
        .ok_or_else(|| not_found("capture", id))?;
    // [S]: the sum of refunds on a capture is at most the captured amount.
    let breakdown = ledger.refundable_for_capture(id)?;
    why.push(format!(
        "capture `{id}`: captured {}, refunded {}, pending {}, refund balance {}",
        breakdown.captured_money(),
        breakdown.refunded_money(),
        breakdown.pending_money(),
        breakdown.available_money()
    ));
    let requested = amount.map(|m| Money::new(m, ledger.currency));
    if requested.is_none() {
        // CL2: `_refund_amount_cents` only overwrites the amount; without it the balance.
        why.push("no `_refund_amount_cents`: the capture's whole refund balance".to_owned());
    }
    let (money, _) = resolve_amount(requested, &breakdown, AMOUNT_POINTER)?;
    let outline = outline_capture_refund(ledger, ctx, &overall, breakdown, money, &capture.id)?;
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

/// `PATCH /api/orders/:id` `_refund`: refunds what the order still has, in full (CL1).
fn plan_order(
    ledger: &Ledger,
    id: &str,
    options: &Options,
    ctx: &PlanContext,
) -> Result<Plan, RefundError> {
    if ledger.id.as_deref().is_some_and(|own| own != id) {
        return Err(not_found("order", id));
    }
    let mut why = Vec::new();
    let overall = precheck(ledger, options, &mut why)?;
    let (money, _) = resolve_amount(None, &overall, REFUND_POINTER)?;
    // [U] default: the order trigger refunds the order's capture; when the balance sits on
    // several captures, each is refunded through its own capture.
    // One pass over the refunds for every capture (one per capture would be quadratic).
    let breakdowns = ledger.capture_breakdowns()?;
    let with_balance: Vec<_> = ledger
        .captures
        .iter()
        .zip(&breakdowns)
        .filter(|(_, b)| b.available.is_positive())
        .map(|(c, _)| c)
        .collect();
    let capture = match with_balance.as_slice() {
        [one] => *one,
        many => {
            return Err(RefundError::not_refundable(
                ledger.status.payment.as_str(),
                format!(
                    "the refund balance is spread over {} captures; refund each with `PATCH /api/captures/:id`",
                    many.len()
                ),
            ));
        }
    };
    why.push(format!(
        "whole-order refund: full only, no amount attribute (CL1); capture `{}`",
        capture.id
    ));
    let breakdown = ledger.refundable_for_capture(&capture.id)?;
    let outline = outline_capture_refund(ledger, ctx, &overall, breakdown, money, &capture.id)?;
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

/// `PATCH /api/returns/:id` `_refund` (CL1, CL5).
fn plan_return(
    ledger: &Ledger,
    id: &str,
    amount: Minor,
    options: &Options,
    ctx: &PlanContext,
) -> Result<Plan, RefundError> {
    let mut why = Vec::new();
    let ret = ledger
        .return_by_id(id)
        .ok_or_else(|| not_found("return", id))?;
    let overall = precheck(ledger, options, &mut why)?;
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
            why.push(format!(
                "return `{id}` refunds its reference_capture `{cid}`"
            ));
            cid.clone()
        }
        None => {
            let last = ledger.captures.last().ok_or_else(|| {
                RefundError::inconsistent("/ledger/captures", "no capture to refund")
            })?;
            why.push(format!(
                "return `{id}` refunds the most recent capture `{}`",
                last.id
            ));
            last.id.clone()
        }
    };
    let breakdown = ledger.refundable_for_capture(&capture)?;
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
    let mut outline = outline_refund(
        &MACHINES,
        ledger,
        ctx,
        breakdown,
        RefundDraft {
            amount: money,
            kind,
            state: RefundState::Succeeded,
            capture_id: Some(capture),
        },
    )?;
    outline.status_after = MACHINES.advance(&ledger.status, step)?;
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

/// `PATCH /api/refunds/:id` `_forward` (CL3): when a guard fails, Commerce Layer does nothing and
/// returns no error; the plan says which guard failed and carries no event.
fn plan_forward(ledger: &Ledger, id: &str) -> Result<Plan, RefundError> {
    let refund = ledger.refund(id).ok_or_else(|| not_found("refund", id))?;
    let breakdown = match &refund.capture_id {
        Some(cid) => ledger.refundable_for_capture(cid)?,
        None => ledger.refundable()?,
    };
    let overall = ledger.refundable()?;
    let amount = Money::new(refund.amount, ledger.currency);
    let counted = if refund.state == RefundState::Succeeded {
        overall.refunded
    } else {
        overall
            .refunded
            .checked_add(refund.amount)
            .map_err(|p| RefundError::invalid_amount("/ledger/refunds", "", p))?
    };
    let kind = if counted == overall.captured {
        RefundKind::Full
    } else {
        RefundKind::Partial
    };
    let mut why = vec![format!(
        "`_forward` on refund `{id}` of {amount} ({} cents); guards (CL3): relative balance positive, `succeeded` false, payment status can move forward",
        cents(refund.amount)
    )];
    // Guard 1: the transaction's relative balance (its capture less successful refunds).
    let balance = breakdown
        .captured
        .checked_sub(breakdown.refunded)
        .map_err(|p| RefundError::invalid_amount("/ledger/refunds", "", p))?;
    let mut failed = if balance.is_positive() {
        None
    } else {
        Some(format!(
            "guard 1 fails: the relative balance is {} (not positive)",
            Money::new(balance, ledger.currency)
        ))
    };
    // Guard 2: `succeeded` must be false (pending).
    if failed.is_none() && refund.state != RefundState::Pending {
        failed = Some(format!(
            "guard 2 fails: the refund is already `{}` (`succeeded` is true)",
            refund.state
        ));
    }
    // Guard 3: the order's payment status must legally move forward.
    let event = Event {
        id: format!("{id}.forwarded"),
        expected_version: Some(ledger.version),
        kind: EventKind::RefundSucceeded {
            refund_id: id.to_owned(),
        },
    };
    let mut status_after = ledger.status.clone();
    if failed.is_none() {
        // The statuses the success event moves to, through the tables (as `apply` would).
        let step = refund_event_after(ledger, id).map(|s| {
            if refund.return_id.is_some() {
                s.for_return()
            } else {
                s
            }
        });
        match step.and_then(|step| MACHINES.advance(&ledger.status, step)) {
            Ok(moved) => status_after = moved,
            Err(RefundError::IllegalTransition {
                machine,
                from,
                event,
            }) => {
                failed = Some(format!(
                    "guard 3 fails: the {machine} status `{from}` cannot move on `{event}`"
                ));
            }
            Err(other) => return Err(other),
        }
    }
    let succeeded = failed.is_none();
    match &failed {
        Some(reason) => {
            why.push(reason.clone());
            why.push(
                "Commerce Layer performs no action and returns no error (200): nothing to apply"
                    .to_owned(),
            );
        }
        None => {
            // Only for the explanation: what the success event is made of.
            let step = refund_event_after(ledger, id)?;
            why.push(format!(
                "all guards pass: the refund becomes `succeeded` ({step}); {}",
                status_text(&status_after)
            ));
        }
    }
    let state_after = if succeeded {
        RefundState::Succeeded
    } else {
        refund.state
    };
    Ok(Plan {
        provider: PROVIDER,
        operation: Operation::Forward,
        kind,
        amount,
        refundable: breakdown,
        remaining_after: breakdown.available_money(),
        status_after,
        refund_state: Some(state_after),
        version: ledger.version,
        event: succeeded.then_some(event),
        provider_call: call("refunds", id, json!({ "_forward": true })),
        provider_response: Some(ok_response(
            "refunds",
            id,
            json!({
                "currency_code": ledger.currency.code(),
                "amount_cents": cents(refund.amount),
                "succeeded": state_after == RefundState::Succeeded,
            }),
        )),
        replay: false,
        explanation: why,
    })
}

/// The status event a refund's success would be (for explanations).
fn refund_event_after(ledger: &Ledger, id: &str) -> Result<P, RefundError> {
    let mut next = ledger.clone();
    if let Some(r) = next.refunds.iter_mut().find(|r| r.id == id) {
        r.state = RefundState::Succeeded;
    }
    refund_event(&next)
}

// ---------------------------------------------------------------------------------------------
// Errors

/// The JSON:API error Commerce Layer answers with (CL6). Codes and statuses beyond CL6's
/// examples are the §1.6 [U] default: 422 `VALIDATION_ERROR` pointing at the trigger attribute.
pub fn provider_error(error: &RefundError) -> Option<ProviderError> {
    let (status, code, title, pointer) = match error {
        RefundError::InvalidInput {
            pointer,
            problem: InputProblem::NotFound,
            ..
        } if pointer == ID_POINTER => (404, "RECORD_NOT_FOUND", "Record not found", None),
        RefundError::InvalidInput {
            pointer, problem, ..
        } if pointer.starts_with("/request")
            && (matches!(
                problem,
                InputProblem::Unsupported | InputProblem::UnknownField
            ) || !pointer.starts_with(ATTRIBUTES)) =>
        {
            // CL6: 400 "often due to sending an unsupported parameter"; malformed bodies too.
            (
                400,
                "BAD_REQUEST",
                "Bad request",
                pointer.strip_prefix("/request").map(str::to_owned),
            )
        }
        RefundError::InvalidInput { pointer, .. } | RefundError::InvalidAmount { pointer, .. }
            if pointer.starts_with(ATTRIBUTES) =>
        {
            (
                422,
                "VALIDATION_ERROR",
                "is invalid",
                pointer.strip_prefix("/request").map(str::to_owned),
            )
        }
        RefundError::ExceedsRefundable { .. } => (
            422,
            "VALIDATION_ERROR",
            "exceeds the refund balance",
            Some("/data/attributes/_refund_amount_cents".to_owned()),
        ),
        RefundError::AlreadyFullyRefunded { .. } => (
            422,
            "VALIDATION_ERROR",
            "nothing left to refund",
            Some("/data/attributes/_refund".to_owned()),
        ),
        RefundError::NotCaptured { .. } | RefundError::NotRefundableState { .. } => (
            422,
            "VALIDATION_ERROR",
            "cannot be refunded",
            Some("/data/attributes/_refund".to_owned()),
        ),
        _ => return None,
    };
    let mut item = json!({
        "title": title,
        "detail": error.to_string(),
        "code": code,
        "status": status.to_string(),
    });
    if let (Some(p), Some(map)) = (pointer, item.as_object_mut()) {
        map.insert("source".to_owned(), json!({ "pointer": p }));
    }
    Some(ProviderError {
        http_status: status,
        code: code.to_owned(),
        body: json!({ "errors": [item] }),
    })
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
    fn provider_error(error: &RefundError) -> Option<ProviderError> {
        provider_error(error)
    }
    fn return_machine() -> Option<&'static crate::machine::StatusMachine> {
        Some(&RETURN_MACHINE)
    }
    fn check_ledger(ledger: &Ledger) -> Result<(), RefundError> {
        refunds_name_captures(ledger)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_machine_states_are_known() {
        for t in RETURN_TRANSITIONS {
            assert!(RETURN_MACHINE.has_state(t.from) && RETURN_MACHINE.has_state(t.to));
        }
    }
}
