//! Fiserv Commerce Hub: refunds by `transactionId` or `orderId` in the URI, tagged refunds by
//! `referenceTransactionDetails`, and the cancel that replaces a refund before settlement.
//!
//! Sources (`../shared/reference/providers.md` §0 and §2; ids listed in its §6):
//! - [S] seed `fiserv-commerce-hub-refund.md` (S1): URI forms, settled-only (cancel otherwise),
//!   `amount` optional (omitted = full), `total` number of max length 12, `currency` ISO alpha-3,
//!   amount components must add up to `total`.
//! - FS1 `Fiserv/Commerce-Hub` @8f857386 `docs/Resources/API-Documents/Payments/{Refund,
//!   Refund-Tagged,Refund-URI,Cancel}.md`: tagged refunds, `merchantDetails`, cancels.
//! - FS2 same repo `docs/Resources/Master-Data/Amount-Components.md` (+ `Tax-Types.md`,
//!   `Price-Adjustments.md`): component fields; 12 digits including decimals (Nashville).
//! - FS3 same repo `docs/Resources/Master-Data/Currency-Code.md`: decimals = currency precision.
//! - FS4 same repo `docs/Resources/Master-Data/{Gateway-Response,Processor-Response-Details}.md`.
//! - FS5 same repo `docs/Resources/Guides/Response-Codes/{Error-Response,Error-Code}.md`.
//!
//! Page: `docs/providers/fiserv_commerce_hub.md`.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::rules::Rules;
use crate::error::ProviderError;
use crate::error::{ErrorCode, InputProblem, RefundError};
use crate::event::{Event, EventKind};
use crate::id::Provider;
use crate::ledger::{Ledger, RefundState, Refundable};
use crate::machine::{
    Machine, PaymentEvent as P, ProviderMachines, RefundEvent as R, Transition, transition as t,
};
use crate::money::{AmountProblem, Currency, Minor, Money, decimal_digit_count, parse_wire_money};
use crate::plan::{
    Operation, Plan, PlanContext, ProviderCall, ProviderResponse, RefundDraft, RefundKind,
    outline_refund, resolve_amount,
};
use crate::time::Timestamp;
use crate::wire::{
    JsonNumber, WireDecimal, dotted_field, from_optional_json, from_options_json,
    positive_wire_money, raw_json, request_currency,
};

const PROVIDER: Provider = Provider::FiservCommerceHub;

/// Refunds older than this many months are refused (FS5 814/815).
pub const REFUND_WINDOW_MONTHS: u32 = 12;

/// `amount.total` carries at most this many digits, decimals included (FS2, Nashville: 12+0,
/// 10+2, 9+3; the seed's "max length 12").
pub const MAX_TOTAL_DIGITS: usize = 12;

/// The refund body, in Fiserv's own field names (camelCase; unknown fields are refused).
///
/// With `referenceTransactionDetails` it is a tagged refund (`POST /payments/v1/refunds`, FS1);
/// without, it is the body of a URI refund (`POST /payments/v1/charges/{transactionId}/refund`
/// or `…/charges/orders/{orderId}/refund`, S1), chosen by [`Options::endpoint`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Request {
    /// The original transaction (tagged refunds only, FS1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_transaction_details: Option<ReferenceTransactionDetails>,
    /// The amount; omitted = the full remaining amount (S1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<RequestAmount>,
    /// Amount components that must add up to `amount.total` (S1, FS2). Boxed: the object is
    /// large and usually absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_components: Option<Box<AmountComponents>>,
    /// Merchant and terminal (required on tagged refunds, optional on URI refunds; FS1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merchant_details: Option<MerchantDetails>,
}

/// `referenceTransactionDetails` (FS1 Refund-Tagged): exactly one identifier.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReferenceTransactionDetails {
    /// Commerce Hub `transactionId` of the original charge (≤ 40 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_transaction_id: Option<String>,
    /// The merchant's `merchantTransactionId` of the original charge (≤ 128 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_merchant_transaction_id: Option<String>,
    /// The referenced transaction type; the only valid value is `CHARGES`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_transaction_type: Option<String>,
}

/// `merchantDetails` (FS1): both fields required when the object is sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MerchantDetails {
    /// Merchant id (≤ 40 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merchant_id: Option<String>,
    /// Terminal id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminal_id: Option<String>,
}

/// `amount`: `total` (a JSON number) and `currency`, both required when `amount` is sent (S1).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RequestAmount {
    /// `amount.total`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<WireDecimal>,
    /// `amount.currency`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
}

/// `amountComponents` (FS2, current and 2021 field sets).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(
    missing_docs,
    reason = "the fields are Fiserv's, documented on the provider page"
)]
pub struct AmountComponents {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_price: Option<WireDecimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_total: Option<WireDecimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vat_amount: Option<WireDecimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_tax: Option<WireDecimal>,
    #[serde(
        default,
        rename = "ITBISTaxAmount",
        skip_serializing_if = "Option::is_none"
    )]
    pub itbis_tax_amount: Option<WireDecimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_amounts: Option<Vec<TaxAmount>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_rate: Option<WireDecimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_amount: Option<WireDecimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub freight_rate: Option<WireDecimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub freight_amount: Option<WireDecimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub surcharge: Option<WireDecimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub convenience_fee: Option<WireDecimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tip: Option<WireDecimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cashback: Option<WireDecimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_adjustments: Option<Vec<PriceAdjustment>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub net_amount: Option<WireDecimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gross_amount: Option<WireDecimal>,
}

/// One `taxAmounts[]` entry (FS2 Tax-Types.md).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(
    missing_docs,
    reason = "the fields are Fiserv's, documented on the provider page"
)]
pub struct TaxAmount {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_rate: Option<WireDecimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_amount: Option<WireDecimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_exempt: Option<bool>,
}

/// One `priceAdjustments[]` entry (FS2 Price-Adjustments.md).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(
    missing_docs,
    reason = "the fields are Fiserv's, documented on the provider page"
)]
pub struct PriceAdjustment {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adjustment_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adjustment_description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adjustment_rate: Option<WireDecimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adjustment_amount: Option<WireDecimal>,
}

/// FS2 Tax-Types.md `taxType` values.
const TAX_TYPES: &[&str] = &[
    "FEDERAL",
    "STATE",
    "QUEBEC",
    "PROVINCE",
    "CITY",
    "LOCAL",
    "MUNICIPAL",
    "DUTY",
    "VAT",
    "HST",
    "ROOM",
    "OCCUPANCY",
    "ENERGY",
    "ALTERNATE",
    "OTHER",
    "UNKNOWN",
    "NOT_SUPPORTED",
];

/// FS2 Price-Adjustments.md `adjustmentType` values; `FEE` is charged, the others reduce.
const ADJUSTMENT_TYPES: &[&str] = &["DISCOUNT", "PROMOTION", "CREDIT", "COUPON", "FEE"];

/// Which endpoint a refund (or the cancel replacing it) is sent to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// `POST /payments/v1/charges/{transactionId}/refund`, the ledger `id` as `transactionId` (S1).
    Charge,
    /// `POST /payments/v1/charges/orders/{orderId}/refund` (S1).
    Order {
        /// The `orderId`.
        order_id: String,
    },
    /// `POST /payments/v1/refunds` (FS1), implied by `referenceTransactionDetails` in the body.
    Tagged,
}

/// Merchant options (JSON: `{"allow_unsettled_refund", "auto_cancel", "lenient_amount_strings",
/// "endpoint", "order_id"}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Refund captured-but-unsettled charges (FS1 2024 tagged-refund wording) instead of
    /// cancelling them (seed S1). Default `false`.
    pub allow_unsettled_refund: bool,
    /// Plan a cancel when a refund is not possible yet (S1 "otherwise submit a cancel request").
    /// With `false` the plan is refused with `not_captured` / `not_settled`. Default `true`.
    pub auto_cancel: bool,
    /// Accept decimal strings (`"1.50"`, as in the seed's examples) for amount fields typed
    /// *number*. Default `false`.
    pub lenient_amount_strings: bool,
    /// The endpoint (from `endpoint` + `order_id`, or the tagged body).
    pub endpoint: Endpoint,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            allow_unsettled_refund: false,
            auto_cancel: true,
            lenient_amount_strings: false,
            endpoint: Endpoint::Charge,
        }
    }
}

/// The JSON form of [`Options`].
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct OptionsDoc {
    #[serde(default)]
    allow_unsettled_refund: Option<bool>,
    #[serde(default)]
    auto_cancel: Option<bool>,
    #[serde(default)]
    lenient_amount_strings: Option<bool>,
    #[serde(default)]
    endpoint: Option<EndpointName>,
    #[serde(default)]
    order_id: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum EndpointName {
    Charge,
    Order,
}

/// Every code a Fiserv plan or apply can return; each has a shared vector.
pub const REACHABLE_ERRORS: &[ErrorCode] = &[
    ErrorCode::InvalidInput,
    ErrorCode::UnknownProvider,
    ErrorCode::UnknownCurrency,
    ErrorCode::InvalidAmount,
    ErrorCode::CurrencyMismatch,
    ErrorCode::NotCaptured,
    ErrorCode::NotSettled,
    ErrorCode::NotRefundableState,
    ErrorCode::AlreadyFullyRefunded,
    ErrorCode::ExceedsRefundable,
    ErrorCode::PartialRefundNotSupported,
    ErrorCode::AmountComponentsMismatch,
    ErrorCode::RefundWindowExpired,
    ErrorCode::IdempotencyConflict,
    ErrorCode::InconsistentState,
    ErrorCode::IllegalTransition,
    ErrorCode::VersionConflict,
];

const STATES: &[&str] = &["AUTHORIZED", "CAPTURED", "SETTLED", "VOIDED", "DECLINED"];

/// The original charge (providers.md §2.4, FS4 `transactionState` values plus `SETTLED`).
/// Commerce Hub has no REFUNDED state: refunds keep the charge where it is and the ledger
/// tracks the refunded amount ([U] default). `VOIDED` and `DECLINED` are terminal.
const PAYMENT_TRANSITIONS: &[Transition<&str, P>] = &[
    t("AUTHORIZED", P::CaptureFull, "CAPTURED"),
    t("AUTHORIZED", P::CapturePartial, "CAPTURED"),
    t("AUTHORIZED", P::Void, "VOIDED"),
    t("CAPTURED", P::Settle, "SETTLED"),
    t("CAPTURED", P::Void, "VOIDED"),
    // Refunds of unsettled captures happen only with `allow_unsettled_refund` (FS1 tagged).
    t("CAPTURED", P::RefundPartial, "CAPTURED"),
    t("CAPTURED", P::RefundFull, "CAPTURED"),
    t("SETTLED", P::RefundPartial, "SETTLED"),
    t("SETTLED", P::RefundFull, "SETTLED"),
];

/// Fiserv's tables. A refund answered `APPROVED` is created `succeeded`; one answered `WAITING`
/// (FS4 `approvalStatus`) is recorded `pending` and later succeeds or fails. A `DECLINED`
/// answer creates no refund.
pub const MACHINES: ProviderMachines = ProviderMachines {
    payment: Machine {
        name: "payment",
        states: STATES,
        transitions: PAYMENT_TRANSITIONS,
        unaffected_by: &[],
        source: "https://github.com/Fiserv/Commerce-Hub/blob/8f857386/docs/Resources/Master-Data/Gateway-Response.md",
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
        transitions: &[
            t(RefundState::Pending, R::Succeed, RefundState::Succeeded),
            t(RefundState::Pending, R::Fail, RefundState::Failed),
        ],
        unaffected_by: &[],
        source: "https://github.com/Fiserv/Commerce-Hub/blob/8f857386/docs/Resources/Master-Data/Processor-Response-Details.md",
    },
    refund_initial: &[RefundState::Succeeded, RefundState::Pending],
    // captured-unsettled refunds are a merchant option (`allow_unsettled_refund`), so apply allows them; plan decides.
    refunds_settled_only: false,
};

/// Parses the body and the options, and checks the body's structure (FS1).
pub fn parse(body: Option<&str>, options: Option<&str>) -> Result<(Request, Options), RefundError> {
    let doc: OptionsDoc = from_options_json(options, "/options")?;
    let request: Request = from_optional_json(body, "/request")?;
    check_structure(&request)?;
    let tagged = request.reference_transaction_details.is_some();
    let endpoint = match (tagged, doc.endpoint, doc.order_id) {
        (true, Some(_), _) => {
            return Err(RefundError::invalid_input(
                "/options/endpoint",
                "a body with `referenceTransactionDetails` is a tagged refund; `endpoint` chooses between the URI forms only",
            ));
        }
        (true, None, Some(_)) => {
            return Err(RefundError::invalid_input(
                "/options/order_id",
                "a tagged refund references the charge in `referenceTransactionDetails`, not by `order_id`",
            ));
        }
        (true, None, None) => Endpoint::Tagged,
        (false, None | Some(EndpointName::Charge), None) => Endpoint::Charge,
        (false, None | Some(EndpointName::Charge), Some(_)) => {
            return Err(RefundError::invalid_input(
                "/options/order_id",
                "`order_id` needs `\"endpoint\": \"order\"`",
            ));
        }
        (false, Some(EndpointName::Order), Some(order_id)) => {
            if order_id.is_empty() {
                return Err(RefundError::invalid_input(
                    "/options/order_id",
                    "`order_id` is empty",
                ));
            }
            Endpoint::Order { order_id }
        }
        (false, Some(EndpointName::Order), None) => {
            return Err(RefundError::input(
                InputProblem::Missing,
                "/options/order_id",
                "missing `order_id`, required by `\"endpoint\": \"order\"`",
            ));
        }
    };
    let defaults = Options::default();
    let options = Options {
        allow_unsettled_refund: doc
            .allow_unsettled_refund
            .unwrap_or(defaults.allow_unsettled_refund),
        auto_cancel: doc.auto_cancel.unwrap_or(defaults.auto_cancel),
        lenient_amount_strings: doc
            .lenient_amount_strings
            .unwrap_or(defaults.lenient_amount_strings),
        endpoint,
    };
    Ok((request, options))
}

/// A string field with a maximum length in characters (FS1 tables).
fn check_id(value: Option<&str>, pointer: &str, max: Option<usize>) -> Result<(), RefundError> {
    let Some(v) = value else {
        return Err(RefundError::input(
            InputProblem::Missing,
            pointer,
            format!("missing `{}`", field_name(pointer)),
        ));
    };
    if v.is_empty() {
        return Err(RefundError::invalid_input(
            pointer,
            format!("`{}` is empty", field_name(pointer)),
        ));
    }
    if let Some(max) = max
        && v.chars().count() > max
    {
        return Err(RefundError::invalid_input(
            pointer,
            format!("`{}` is longer than {max} characters", field_name(pointer)),
        ));
    }
    Ok(())
}

fn field_name(pointer: &str) -> &str {
    pointer.rsplit('/').next().unwrap_or(pointer)
}

/// FS1: exactly one reference id, `referenceTransactionType` = `CHARGES`, and `merchantDetails`
/// with `merchantId` (≤ 40) and `terminalId` on tagged refunds.
fn check_structure(request: &Request) -> Result<(), RefundError> {
    const REF: &str = "/request/referenceTransactionDetails";
    if let Some(r) = &request.reference_transaction_details {
        match (
            &r.reference_transaction_id,
            &r.reference_merchant_transaction_id,
        ) {
            (Some(id), None) => {
                check_id(Some(id), &format!("{REF}/referenceTransactionId"), Some(40))?
            }
            (None, Some(id)) => check_id(
                Some(id),
                &format!("{REF}/referenceMerchantTransactionId"),
                Some(128),
            )?,
            (Some(_), Some(_)) => {
                // FS1: "Only a single transaction identifier should be passed within the request."
                return Err(RefundError::invalid_input(
                    format!("{REF}/referenceMerchantTransactionId"),
                    "send only one of `referenceTransactionId` and `referenceMerchantTransactionId`",
                ));
            }
            (None, None) => {
                return Err(RefundError::input(
                    InputProblem::Missing,
                    REF,
                    "missing `referenceTransactionId` or `referenceMerchantTransactionId`",
                ));
            }
        }
        if let Some(kind) = &r.reference_transaction_type
            && kind != "CHARGES"
        {
            return Err(RefundError::invalid_input(
                format!("{REF}/referenceTransactionType"),
                format!("`referenceTransactionType` `{kind}` is not `CHARGES`"),
            ));
        }
        if request.merchant_details.is_none() {
            return Err(RefundError::input(
                InputProblem::Missing,
                "/request/merchantDetails",
                "missing `merchantDetails`, required on tagged refunds",
            ));
        }
    }
    if let Some(m) = &request.merchant_details {
        check_id(
            m.merchant_id.as_deref(),
            "/request/merchantDetails/merchantId",
            Some(40),
        )?;
        check_id(
            m.terminal_id.as_deref(),
            "/request/merchantDetails/terminalId",
            None,
        )?;
    }
    Ok(())
}

/// Where the charge is in its lifecycle, from the status and the captures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Authorized,
    CapturedUnsettled,
    Settled,
}

fn stage(ledger: &Ledger, why: &mut Vec<String>) -> Result<Stage, RefundError> {
    let status = ledger.status.payment.as_str();
    match status {
        // FS1 Cancel / FS5 837: nothing to refund on a voided or declined charge.
        "VOIDED" => Err(RefundError::not_refundable(
            status,
            "a cancelled charge has nothing to refund",
        )),
        "DECLINED" => Err(RefundError::not_refundable(
            status,
            "a declined charge has nothing to refund",
        )),
        "AUTHORIZED" => {
            if ledger.captures.is_empty() {
                Ok(Stage::Authorized)
            } else {
                Err(RefundError::inconsistent(
                    "/ledger/captures",
                    "status `AUTHORIZED` but the ledger has captures",
                ))
            }
        }
        _ => {
            if ledger.captures.is_empty() {
                return Err(RefundError::inconsistent(
                    "/ledger/captures",
                    format!("status `{status}` but no captures"),
                ));
            }
            let settled = ledger.all_settled();
            if status == "SETTLED" && !settled {
                return Err(RefundError::inconsistent(
                    "/ledger/captures",
                    "status `SETTLED` but a capture is not settled",
                ));
            }
            if status == "CAPTURED" && settled {
                why.push("every capture is settled: the charge counts as settled".to_owned());
            }
            Ok(if settled {
                Stage::Settled
            } else {
                Stage::CapturedUnsettled
            })
        }
    }
}

/// Decides a Fiserv refund, or the cancel that replaces it.
pub fn plan(
    ledger: &Ledger,
    request: &Request,
    options: &Options,
    ctx: &PlanContext,
) -> Result<Plan, RefundError> {
    let mut why = Vec::new();
    let stage = stage(ledger, &mut why)?;
    check_reference(ledger, request)?;
    let refundable = ledger.refundable()?;
    why.push(refundable.summary());
    let requested = body_amount(ledger, request, options, &mut why)?;
    match stage {
        Stage::Authorized => {
            // S1/FS1: not captured -> cancel the authorization.
            if !options.auto_cancel {
                return Err(RefundError::not_captured(
                    ledger.status.payment.as_str(),
                    Some(Operation::Cancel),
                ));
            }
            why.push(
                "not captured: cancel the authorization instead of refunding (S1, FS1 Cancel)"
                    .to_owned(),
            );
            plan_cancel(ledger, request, options, requested, refundable, why)
        }
        Stage::CapturedUnsettled if !options.allow_unsettled_refund => {
            // S1: "only if it is already been captured and settled, otherwise submit a cancel".
            if !options.auto_cancel {
                return Err(RefundError::NotSettled {
                    alternative: Some(Operation::Cancel),
                });
            }
            why.push(
                "captured but not settled: cancel instead of refunding (S1; allow_unsettled_refund is off)"
                    .to_owned(),
            );
            plan_cancel(ledger, request, options, requested, refundable, why)
        }
        Stage::CapturedUnsettled | Stage::Settled => {
            if stage == Stage::CapturedUnsettled {
                why.push(
                    "captured but not settled: refunded because allow_unsettled_refund is on (FS1 tagged refund)"
                        .to_owned(),
                );
            }
            plan_refund(ledger, request, options, ctx, requested, refundable, why)
        }
    }
}

/// A tagged refund naming a `referenceTransactionId` must name this ledger's charge.
fn check_reference(ledger: &Ledger, request: &Request) -> Result<(), RefundError> {
    let named = request
        .reference_transaction_details
        .as_ref()
        .and_then(|r| r.reference_transaction_id.as_deref());
    if let (Some(named), Some(id)) = (named, ledger.id.as_deref())
        && named != id
    {
        return Err(RefundError::inconsistent(
            "/request/referenceTransactionDetails/referenceTransactionId",
            format!("the request references `{named}` but the ledger is charge `{id}`"),
        ));
    }
    Ok(())
}

/// Reads `amount` and `amountComponents`; `None` when no amount is sent (= full, S1).
fn body_amount(
    ledger: &Ledger,
    request: &Request,
    options: &Options,
    why: &mut Vec<String>,
) -> Result<Option<Money>, RefundError> {
    let Some(amount) = &request.amount else {
        if request.amount_components.is_some() {
            // FS5 106: components describe a total, which must be sent.
            return Err(RefundError::input(
                InputProblem::Missing,
                "/request/amount",
                "missing `amount`, required with `amountComponents`",
            ));
        }
        why.push("no amount: the whole remaining amount (S1)".to_owned());
        return Ok(None);
    };
    // S1: both `total` and `currency` are required in `amount` (FS5 106 when missing).
    let Some(total) = &amount.total else {
        return Err(RefundError::input(
            InputProblem::Missing,
            "/request/amount",
            "missing `total` in `amount`",
        ));
    };
    let Some(code) = &amount.currency else {
        return Err(RefundError::input(
            InputProblem::Missing,
            "/request/amount",
            "missing `currency` in `amount`",
        ));
    };
    // S1/FS3: ISO 4217 alpha-3, and the original charge's currency (FS5 804).
    request_currency(code, "/request/amount/currency", ledger.currency)?;
    const TOTAL: &str = "/request/amount/total";
    require_number(total, TOTAL, options)?;
    // FS5 836 "Amount Must Be >$0". (A zero the grammar accepts has at most five digits, so
    // refusing it before the digit count below gives the same answer.)
    let money = positive_wire_money(&total.text, ledger.currency, PROVIDER, TOTAL)?;
    // FS2 (Nashville) / S1 "max length 12": 12 digits including decimals, never rounded.
    let digits = decimal_digit_count(&total.text)
        .map_err(|p| RefundError::invalid_amount(TOTAL, &total.text, p))?;
    if digits > MAX_TOTAL_DIGITS {
        return Err(RefundError::invalid_amount(
            TOTAL,
            &total.text,
            AmountProblem::TooManyDigits,
        ));
    }
    if let Some(components) = &request.amount_components {
        match components_sum(components, ledger.currency, options)? {
            Some(sum) if sum != money.minor => {
                // S1/FS2: "Subcomponent values must add up to total amount" (FS5 806).
                return Err(RefundError::AmountComponentsMismatch {
                    total: money,
                    components: Money::new(sum, ledger.currency),
                });
            }
            Some(_) => why.push(format!("amountComponents add up to {money} (FS2)")),
            None => {
                why.push("amountComponents carry no additive field: nothing to add up".to_owned())
            }
        }
    }
    Ok(Some(money))
}

/// Money fields are typed *number* (S1/FS1); strings only with `lenient_amount_strings`.
fn require_number(wire: &WireDecimal, pointer: &str, options: &Options) -> Result<(), RefundError> {
    if options.lenient_amount_strings {
        return Ok(());
    }
    wire.require_number(
        pointer,
        field_name(pointer),
        " (set lenient_amount_strings to accept strings)",
    )
}

/// A money field (see [`require_number`]). Decimals are the currency's precision (FS3); more is
/// `invalid_amount`, never rounded.
fn wire_money(
    wire: &WireDecimal,
    currency: Currency,
    pointer: &str,
    options: &Options,
) -> Result<Money, RefundError> {
    require_number(wire, pointer, options)?;
    parse_wire_money(&wire.text, currency, PROVIDER)
        .map_err(|p| RefundError::invalid_amount(pointer, &wire.text, p))
}

/// A rate (percent) field: a plain non-negative decimal, never added.
fn check_rate(wire: &WireDecimal, pointer: &str, options: &Options) -> Result<(), RefundError> {
    if wire.quoted && !options.lenient_amount_strings {
        return Err(RefundError::invalid_input(
            pointer,
            format!("`{}` must be a JSON number", field_name(pointer)),
        ));
    }
    // Rates are not money: any number of decimals, only the plain-decimal grammar matters.
    decimal_digit_count(&wire.text)
        .map(|_| ())
        .map_err(|p| RefundError::invalid_amount(pointer, &wire.text, p))
}

/// The documented formula (providers.md §2.3 [U] default, FS2):
/// `subTotal + Σ taxAmounts[].taxAmount + vatAmount + localTax + ITBISTaxAmount +
/// shippingAmount + freightAmount + surcharge + convenienceFee + tip + cashback
/// − Σ priceAdjustments[].adjustmentAmount` (a `FEE` adjustment adds), over the fields present.
/// `unitPrice`, `netAmount`, `grossAmount` and the rates are checked but not added.
/// `None` when no additive field is present.
fn components_sum(
    c: &AmountComponents,
    currency: Currency,
    options: &Options,
) -> Result<Option<Minor>, RefundError> {
    const BASE: &str = "/request/amountComponents";
    let overflow = |p| RefundError::invalid_amount(BASE, "", p);
    let additive = [
        ("subTotal", &c.sub_total),
        ("vatAmount", &c.vat_amount),
        ("localTax", &c.local_tax),
        ("ITBISTaxAmount", &c.itbis_tax_amount),
        ("shippingAmount", &c.shipping_amount),
        ("freightAmount", &c.freight_amount),
        ("surcharge", &c.surcharge),
        ("convenienceFee", &c.convenience_fee),
        ("tip", &c.tip),
        ("cashback", &c.cashback),
    ];
    let mut sum = Minor::ZERO;
    let mut any = false;
    for (name, field) in additive {
        if let Some(w) = field {
            let m = wire_money(w, currency, &format!("{BASE}/{name}"), options)?;
            sum = sum.checked_add(m.minor).map_err(overflow)?;
            any = true;
        }
    }
    for (name, field) in [
        ("unitPrice", &c.unit_price),
        ("netAmount", &c.net_amount),
        ("grossAmount", &c.gross_amount),
    ] {
        if let Some(w) = field {
            wire_money(w, currency, &format!("{BASE}/{name}"), options)?;
        }
    }
    for (name, field) in [
        ("shippingRate", &c.shipping_rate),
        ("freightRate", &c.freight_rate),
    ] {
        if let Some(w) = field {
            check_rate(w, &format!("{BASE}/{name}"), options)?;
        }
    }
    for (i, tax) in c.tax_amounts.iter().flatten().enumerate() {
        let at = format!("{BASE}/taxAmounts/{i}");
        if let Some(kind) = &tax.tax_type
            && !TAX_TYPES.contains(&kind.as_str())
        {
            return Err(RefundError::invalid_input(
                format!("{at}/taxType"),
                format!("unknown `taxType` `{kind}`"),
            ));
        }
        if let Some(rate) = &tax.tax_rate {
            check_rate(rate, &format!("{at}/taxRate"), options)?;
        }
        if let Some(w) = &tax.tax_amount {
            let m = wire_money(w, currency, &format!("{at}/taxAmount"), options)?;
            sum = sum.checked_add(m.minor).map_err(overflow)?;
            any = true;
        }
    }
    for (i, adj) in c.price_adjustments.iter().flatten().enumerate() {
        let at = format!("{BASE}/priceAdjustments/{i}");
        let fee = match adj.adjustment_type.as_deref() {
            Some(kind) if !ADJUSTMENT_TYPES.contains(&kind) => {
                return Err(RefundError::invalid_input(
                    format!("{at}/adjustmentType"),
                    format!("unknown `adjustmentType` `{kind}`"),
                ));
            }
            Some(kind) => kind == "FEE",
            None => false,
        };
        if let Some(rate) = &adj.adjustment_rate {
            check_rate(rate, &format!("{at}/adjustmentRate"), options)?;
        }
        if let Some(w) = &adj.adjustment_amount {
            let m = wire_money(w, currency, &format!("{at}/adjustmentAmount"), options)?;
            sum = if fee {
                sum.checked_add(m.minor)
            } else {
                sum.checked_sub(m.minor)
            }
            .map_err(overflow)?;
            any = true;
        }
    }
    Ok(any.then_some(sum))
}

/// FS5 814/815: no refund of a transaction older than 12 months, measured from the ledger's
/// `created_at` (else the first capture's `captured_at`) to the caller's `now`. Exactly 12
/// calendar months is still allowed.
fn check_window(
    ledger: &Ledger,
    ctx: &PlanContext,
    why: &mut Vec<String>,
) -> Result<(), RefundError> {
    let reference = ledger
        .created_at
        .or_else(|| ledger.captures.iter().filter_map(|c| c.captured_at).min());
    let Some(reference) = reference else {
        why.push(
            "no created_at or captured_at in the ledger: the 12-month window cannot be checked"
                .to_owned(),
        );
        return Ok(());
    };
    let now = ctx.now.ok_or_else(|| {
        RefundError::input(
            InputProblem::Missing,
            "/now",
            "missing `now`, required for the 12-month refund window",
        )
    })?;
    // A `now` before the payment existed contradicts the ledger; passing the window check with
    // it would be a wrong "yes" (e.g. a clock or time-zone bug upstream).
    if now < reference {
        return Err(RefundError::inconsistent(
            "/now",
            format!("`now` {now} is before the payment was made ({reference})"),
        ));
    }
    let months = i32::try_from(REFUND_WINDOW_MONTHS)
        .map_err(|_| RefundError::invalid_input("/now", "window out of range"))?;
    let limit: Timestamp = reference
        .checked_add_months(months)
        .ok_or_else(|| RefundError::invalid_input("/ledger/created_at", "date out of range"))?;
    if now > limit {
        return Err(RefundError::RefundWindowExpired {
            reference,
            now,
            window_months: REFUND_WINDOW_MONTHS,
        });
    }
    why.push(format!(
        "within the {REFUND_WINDOW_MONTHS}-month window: {reference} + {REFUND_WINDOW_MONTHS} months = {limit} >= {now}"
    ));
    Ok(())
}

fn plan_refund(
    ledger: &Ledger,
    request: &Request,
    options: &Options,
    ctx: &PlanContext,
    requested: Option<Money>,
    refundable: Refundable,
    mut why: Vec<String>,
) -> Result<Plan, RefundError> {
    check_window(ledger, ctx, &mut why)?;
    // S1: partial or full; [U] default: repeated partials while the total stays within the
    // captured amount (FS5 810 beyond it).
    let (amount, kind) = resolve_amount(requested, &refundable, "/request/amount/total")?;
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
        "{} refund of {amount}; the charge stays {}",
        kind.as_str(),
        outline.status_after.payment
    ));
    let (path, http_status) = target(ledger, &options.endpoint, "refund");
    let body = RefundCallBody {
        reference_transaction_details: request.reference_transaction_details.as_ref(),
        amount: requested.map(|m| BodyAmount::from_money(&m)),
        amount_components: request.amount_components.as_deref().map(as_numbers),
        merchant_details: request.merchant_details.as_ref(),
    };
    let call_body = (!body.is_empty()).then(|| raw_json(&body));
    let response = ProviderResponse {
        http_status,
        body: raw_json(&SuccessBody {
            gateway_response: GatewayResponse {
                transaction_type: "REFUND",
                // FS1 examples answer an approved refund with `AUTHORIZED`.
                transaction_state: "AUTHORIZED",
            },
            payment_receipt: PaymentReceipt {
                approved_amount: BodyAmount::from_money(&amount),
                processor_response_details: ProcessorResponseDetails {
                    approval_status: "APPROVED",
                },
            },
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

fn plan_cancel(
    ledger: &Ledger,
    request: &Request,
    options: &Options,
    requested: Option<Money>,
    refundable: Refundable,
    mut why: Vec<String>,
) -> Result<Plan, RefundError> {
    // What the cancel releases: the authorization, or what is left of the unsettled capture.
    let authorized_only = ledger.captures.is_empty();
    let cancellable = if authorized_only {
        Refundable {
            currency: ledger.currency,
            captured: ledger.authorized,
            refunded: Minor::ZERO,
            pending: Minor::ZERO,
            available: ledger.authorized,
        }
    } else {
        refundable
    };
    let full = cancellable.available_money();
    if !full.minor.is_positive() {
        return Err(RefundError::AlreadyFullyRefunded { refundable });
    }
    // FS1 Cancel: a cancel reverses the whole transaction (partial cancels only on some
    // settlement set-ups, FS1; otherwise FS5 827 "Unable to Cancel"). After a refund of the
    // unsettled capture, a cancel would return the refunded part a second time: refuse, and let
    // the rest be refunded once the capture settles.
    if !(authorized_only || refundable.refunded.is_zero() && refundable.pending.is_zero()) {
        return Err(RefundError::not_refundable(
            ledger.status.payment.clone(),
            format!(
                "the capture is not settled, so only a cancel is possible, and a cancel reverses \
                 the whole charge although {} of it is already refunded or pending; refund the \
                 rest once the capture settles",
                Money::new(
                    refundable
                        .refunded
                        .checked_add(refundable.pending)
                        .unwrap_or(refundable.captured),
                    ledger.currency
                )
            ),
        ));
    }
    if let Some(m) = requested {
        if m.minor > full.minor {
            return Err(RefundError::ExceedsRefundable {
                requested: m,
                refundable: cancellable,
            });
        }
        if m.minor < full.minor {
            // FS1: partial cancels exist only for some settlement set-ups; this model cancels in
            // full (FS5 827 "Unable to Cancel").
            return Err(RefundError::PartialRefundNotSupported {
                requested: m,
                refundable: cancellable,
            });
        }
    }
    let status_after = MACHINES.advance(&ledger.status, P::Void)?;
    why.push(format!(
        "cancel of {full}; the charge becomes {}",
        status_after.payment
    ));
    let (path, http_status) = target(ledger, &options.endpoint, "cancel");
    let body = raw_json(&CancelBody {
        // Only the tagged cancel names the original transaction in its body (FS1).
        reference_transaction_details: match options.endpoint {
            Endpoint::Tagged => request.reference_transaction_details.as_ref(),
            Endpoint::Charge | Endpoint::Order { .. } => None,
        },
        merchant_details: request.merchant_details.as_ref(),
        transaction_details: TransactionDetails {
            reversal_reason_code: "VOID",
        },
    });
    let response = ProviderResponse {
        http_status,
        body: raw_json(&SuccessBody {
            gateway_response: GatewayResponse {
                transaction_type: "CANCEL",
                transaction_state: "VOIDED",
            },
            payment_receipt: PaymentReceipt {
                approved_amount: BodyAmount::from_money(&full),
                processor_response_details: ProcessorResponseDetails {
                    approval_status: "APPROVED",
                },
            },
        }),
    };
    Ok(Plan {
        provider: PROVIDER,
        operation: Operation::Cancel,
        kind: RefundKind::Full,
        amount: full,
        refundable,
        remaining_after: Money::new(Minor::ZERO, ledger.currency),
        status_after,
        refund_state: None,
        version: ledger.version,
        event: Some(Event {
            id: format!("{}.voided", ledger.id.as_deref().unwrap_or("payment")),
            expected_version: Some(ledger.version),
            kind: EventKind::PaymentVoided,
        }),
        provider_call: ProviderCall {
            method: "POST",
            path,
            body: Some(body),
        },
        provider_response: Some(response),
        replay: false,
        explanation: why,
    })
}

/// The URI and success status of a `refund` or `cancel` at the chosen endpoint: the charge or
/// order URI forms answer 200 (S1), the tagged `/payments/v1/refunds` and `/cancels` 201 (FS1).
fn target(ledger: &Ledger, endpoint: &Endpoint, action: &str) -> (String, u16) {
    match endpoint {
        Endpoint::Charge => (
            format!(
                "/payments/v1/charges/{}/{action}",
                ledger.id.as_deref().unwrap_or("{transactionId}")
            ),
            200,
        ),
        Endpoint::Order { order_id } => (
            format!("/payments/v1/charges/orders/{order_id}/{action}"),
            200,
        ),
        Endpoint::Tagged => (format!("/payments/v1/{action}s"), 201),
    }
}

/// The component object with every amount written as a JSON number.
fn as_numbers(c: &AmountComponents) -> AmountComponents {
    let n = |w: &Option<WireDecimal>| w.as_ref().map(|w| WireDecimal::number(w.text.clone()));
    AmountComponents {
        unit_price: n(&c.unit_price),
        sub_total: n(&c.sub_total),
        vat_amount: n(&c.vat_amount),
        local_tax: n(&c.local_tax),
        itbis_tax_amount: n(&c.itbis_tax_amount),
        tax_amounts: c.tax_amounts.as_ref().map(|v| {
            v.iter()
                .map(|t| TaxAmount {
                    tax_type: t.tax_type.clone(),
                    tax_rate: n(&t.tax_rate),
                    tax_amount: n(&t.tax_amount),
                    tax_exempt: t.tax_exempt,
                })
                .collect()
        }),
        shipping_rate: n(&c.shipping_rate),
        shipping_amount: n(&c.shipping_amount),
        freight_rate: n(&c.freight_rate),
        freight_amount: n(&c.freight_amount),
        surcharge: n(&c.surcharge),
        convenience_fee: n(&c.convenience_fee),
        tip: n(&c.tip),
        cashback: n(&c.cashback),
        price_adjustments: c.price_adjustments.as_ref().map(|v| {
            v.iter()
                .map(|p| PriceAdjustment {
                    adjustment_type: p.adjustment_type.clone(),
                    adjustment_description: p.adjustment_description.clone(),
                    adjustment_rate: n(&p.adjustment_rate),
                    adjustment_amount: n(&p.adjustment_amount),
                })
                .collect()
        }),
        net_amount: n(&c.net_amount),
        gross_amount: n(&c.gross_amount),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RefundCallBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    reference_transaction_details: Option<&'a ReferenceTransactionDetails>,
    #[serde(skip_serializing_if = "Option::is_none")]
    amount: Option<BodyAmount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    amount_components: Option<AmountComponents>,
    #[serde(skip_serializing_if = "Option::is_none")]
    merchant_details: Option<&'a MerchantDetails>,
}

impl RefundCallBody<'_> {
    fn is_empty(&self) -> bool {
        self.reference_transaction_details.is_none()
            && self.amount.is_none()
            && self.amount_components.is_none()
            && self.merchant_details.is_none()
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CancelBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    reference_transaction_details: Option<&'a ReferenceTransactionDetails>,
    #[serde(skip_serializing_if = "Option::is_none")]
    merchant_details: Option<&'a MerchantDetails>,
    transaction_details: TransactionDetails,
}

/// FS1 Cancel: `transactionDetails.reversalReasonCode` (`VOID` = full reversal).
#[derive(Serialize, Clone, Copy)]
#[serde(rename_all = "camelCase")]
struct TransactionDetails {
    reversal_reason_code: &'static str,
}

/// `{total, currency}` with `total` an exact JSON number in the currency's precision (FS3).
#[derive(Serialize)]
struct BodyAmount {
    total: JsonNumber,
    currency: &'static str,
}

impl BodyAmount {
    fn from_money(m: &Money) -> Self {
        Self {
            total: JsonNumber::from_money(m),
            currency: m.currency.code(),
        }
    }
}

/// The success body (FS1, FS4): the fields the engine can predict.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SuccessBody {
    gateway_response: GatewayResponse,
    payment_receipt: PaymentReceipt,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GatewayResponse {
    transaction_type: &'static str,
    transaction_state: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PaymentReceipt {
    approved_amount: BodyAmount,
    processor_response_details: ProcessorResponseDetails,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ProcessorResponseDetails {
    approval_status: &'static str,
}

/// The FS5 code for a malformed request body.
fn input_code(pointer: &str, problem: InputProblem) -> (&'static str, &'static str) {
    let missing = problem == InputProblem::Missing;
    if problem == InputProblem::UnknownField {
        ("101", "Unknown Field Data in Object")
    } else if pointer == "/request/referenceTransactionDetails" && missing {
        ("131", "Missing Referenced Transaction")
    } else if pointer.starts_with("/request/amount/") {
        ("105", "Invalid Amount or Currency")
    } else if pointer == "/request/amount" && missing {
        ("106", "Amount or currency missing")
    } else if missing {
        ("107", "Missing Required Field")
    } else {
        ("100", "Invalid or Missing Field Data")
    }
}

/// The FS5 error for a rejection, in Fiserv's error body (FS5 Error-Response.md):
/// `{"errorResponse":{"gatewayResponse":{"transactionType","transactionState":"DECLINED"},
/// "error":[{"type":"GATEWAY","code","field"?,"message"}]}}`. FS5 does not tie codes to HTTP
/// statuses; every one here is a 400 ([U] default).
pub fn provider_error(error: &RefundError) -> Option<ProviderError> {
    let on_request = |p: &str| p == "/request" || p.starts_with("/request/");
    let (code, message, transaction_type) = match error {
        RefundError::InvalidInput {
            pointer, problem, ..
        } if on_request(pointer) => {
            let (c, m) = input_code(pointer, *problem);
            (c, m, "REFUND")
        }
        RefundError::UnknownCurrency { pointer, .. } if on_request(pointer) => {
            ("105", "Invalid Amount or Currency", "REFUND")
        }
        RefundError::InvalidAmount {
            pointer, problem, ..
        } if on_request(pointer) => match problem {
            AmountProblem::Zero | AmountProblem::Negative => {
                ("836", "Amount Must Be >$0", "REFUND")
            }
            AmountProblem::TooManyDigits | AmountProblem::OutOfRange => {
                ("807", "Amount Too Large", "REFUND")
            }
            _ => ("105", "Invalid Amount or Currency", "REFUND"),
        },
        RefundError::CurrencyMismatch { pointer, .. } if on_request(pointer) => {
            ("804", "Currency Mismatch", "REFUND")
        }
        RefundError::AmountComponentsMismatch { .. } => ("806", "Amount Total Mismatch", "REFUND"),
        RefundError::ExceedsRefundable { .. } | RefundError::AlreadyFullyRefunded { .. } => {
            ("810", "Amount is Greater Than Refund/Void", "REFUND")
        }
        RefundError::RefundWindowExpired { .. } => (
            "814",
            "Unable to Refund: Transaction Older Than 12 Months",
            "REFUND",
        ),
        RefundError::NotRefundableState { .. } => (
            "837",
            "Unable to Refund: Transaction Not in a Captured or Authorized Status",
            "REFUND",
        ),
        RefundError::NotCaptured { .. } | RefundError::NotSettled { .. } => {
            ("812", "Unable to Refund", "REFUND")
        }
        RefundError::PartialRefundNotSupported { .. } => ("827", "Unable to Cancel", "CANCEL"),
        _ => return None,
    };
    let mut entry = json!({ "type": "GATEWAY", "code": code, "message": message });
    if let (Some(field), Some(map)) = (
        // Fiserv names fields in the dotted form (`amountComponents.taxAmounts[0].taxAmount`).
        error.pointer().and_then(dotted_field),
        entry.as_object_mut(),
    ) {
        map.insert("field".to_owned(), json!(field));
    }
    Some(ProviderError {
        http_status: 400,
        code: code.to_owned(),
        body: json!({
            "errorResponse": {
                "gatewayResponse": {
                    "transactionType": transaction_type,
                    "transactionState": "DECLINED",
                },
                "error": [entry],
            }
        }),
    })
}

/// The FiservCommerceHub rules, registered in `provider/mod.rs`.
#[derive(Debug)]
pub struct FiservCommerceHubRules;

impl Rules for FiservCommerceHubRules {
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

    #[test]
    fn options_default_to_the_seed() {
        let o = Options::default();
        assert!(!o.allow_unsettled_refund && o.auto_cancel && !o.lenient_amount_strings);
        assert_eq!(o.endpoint, Endpoint::Charge);
    }
}
