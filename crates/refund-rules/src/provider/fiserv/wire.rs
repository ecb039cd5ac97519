//! Fiserv Commerce Hub's wire shapes: the refund body (FS1, FS2), the merchant options and
//! their parsing, and the checks on the body's shape and amount fields.

use serde::{Deserialize, Serialize};

use super::PROVIDER;
use crate::error::{Field, InputProblem, RefundError};
use crate::money::{Currency, Minor, Money, decimal_digit_count, parse_wire_money};
use crate::wire::{WireDecimal, from_optional_json, from_options_json};

/// `amount.total` carries at most this many digits, decimals included (FS2, Nashville: 12+0,
/// 10+2, 9+3; the seed's "max length 12").
pub const MAX_TOTAL_DIGITS: usize = 12;

/// The refund body, in Fiserv's own field names (camelCase; unknown fields are refused).
///
/// With `referenceTransactionDetails` it is a tagged refund (`POST /payments/v1/refunds`, FS1);
/// without, it is the body of a URI refund (`POST /payments/v1/charges/{transactionId}/refund`
/// or `…/charges/orders/{orderId}/refund`, S1), chosen by [`Options::endpoint`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "fiserv_request")
)]
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
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "fiserv_reference_transaction")
)]
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
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "fiserv_merchant_details")
)]
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
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "fiserv_amount")
)]
#[serde(deny_unknown_fields)]
pub struct RequestAmount {
    /// `amount.total`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<WireDecimal>,
    /// `amount.currency`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<crate::money::Currency>"))]
    pub currency: Option<String>,
}

/// `amountComponents` (FS2, current and 2021 field sets).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "fiserv_amount_components")
)]
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
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "fiserv_tax_amount")
)]
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
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "fiserv_price_adjustment")
)]
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
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "fiserv_options")
)]
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
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "fiserv_endpoint")
)]
#[serde(rename_all = "snake_case")]
enum EndpointName {
    Charge,
    Order,
}

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
            (Some(id), None) => check_id(
                Some(id),
                &Field::at(REF).field("referenceTransactionId").pointer(),
                Some(40),
            )?,
            (None, Some(id)) => check_id(
                Some(id),
                &Field::at(REF)
                    .field("referenceMerchantTransactionId")
                    .pointer(),
                Some(128),
            )?,
            (Some(_), Some(_)) => {
                // FS1: "Only a single transaction identifier should be passed within the request."
                return Err(RefundError::invalid_input(
                    Field::at(REF).field("referenceMerchantTransactionId"),
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
                Field::at(REF).field("referenceTransactionType"),
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

/// Money fields are typed *number* (S1/FS1); strings only with `lenient_amount_strings`.
pub(super) fn require_number(
    wire: &WireDecimal,
    pointer: &str,
    options: &Options,
) -> Result<(), RefundError> {
    if options.lenient_amount_strings || !wire.quoted {
        return Ok(());
    }
    wire.require_number(
        pointer,
        field_name(pointer),
        " (set lenient_amount_strings to accept strings)",
    )
}

/// `amountComponents` and its lists.
const COMPONENTS: &str = "/request/amountComponents";
const TAX_AMOUNTS: &str = "/request/amountComponents/taxAmounts";
const PRICE_ADJUSTMENTS: &str = "/request/amountComponents/priceAdjustments";

/// A money field (see [`require_number`]). Decimals are the currency's precision (FS3); more is
/// `invalid_amount`, never rounded.
fn wire_money(
    wire: &WireDecimal,
    currency: Currency,
    at: Field,
    options: &Options,
) -> Result<Money, RefundError> {
    if wire.quoted && !options.lenient_amount_strings {
        require_number(wire, &at.pointer(), options)?;
    }
    parse_wire_money(&wire.text, currency, PROVIDER)
        .map_err(|p| RefundError::invalid_amount(at.pointer(), &wire.text, p))
}

/// A rate (percent) field: a plain non-negative decimal, never added.
fn check_rate(wire: &WireDecimal, at: Field, options: &Options) -> Result<(), RefundError> {
    if wire.quoted && !options.lenient_amount_strings {
        return Err(RefundError::invalid_input(
            at.pointer(),
            format!("`{}` must be a JSON number", at.name()),
        ));
    }
    // Rates are not money: any number of decimals, only the plain-decimal grammar matters.
    decimal_digit_count(&wire.text)
        .map(|_| ())
        .map_err(|p| RefundError::invalid_amount(at.pointer(), &wire.text, p))
}

/// The documented formula (providers.md §2.3 \[U\] default, FS2):
/// `subTotal + Σ taxAmounts[].taxAmount + vatAmount + localTax + ITBISTaxAmount +
/// shippingAmount + freightAmount + surcharge + convenienceFee + tip + cashback
/// − Σ priceAdjustments[].adjustmentAmount` (a `FEE` adjustment adds), over the fields present.
/// `unitPrice`, `netAmount`, `grossAmount` and the rates are checked but not added.
/// `None` when no additive field is present.
pub(super) fn components_sum(
    c: &AmountComponents,
    currency: Currency,
    options: &Options,
) -> Result<Option<Minor>, RefundError> {
    let overflow = |_| RefundError::overflow(COMPONENTS);
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
            let m = wire_money(w, currency, Field::at(COMPONENTS).field(name), options)?;
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
            wire_money(w, currency, Field::at(COMPONENTS).field(name), options)?;
        }
    }
    for (name, field) in [
        ("shippingRate", &c.shipping_rate),
        ("freightRate", &c.freight_rate),
    ] {
        if let Some(w) = field {
            check_rate(w, Field::at(COMPONENTS).field(name), options)?;
        }
    }
    for (i, tax) in c.tax_amounts.iter().flatten().enumerate() {
        let at = |name| Field::at(TAX_AMOUNTS).item(i).field(name);
        if let Some(kind) = &tax.tax_type
            && !TAX_TYPES.contains(&kind.as_str())
        {
            return Err(RefundError::invalid_input(
                at("taxType").pointer(),
                format!("unknown `taxType` `{kind}`"),
            ));
        }
        if let Some(rate) = &tax.tax_rate {
            check_rate(rate, at("taxRate"), options)?;
        }
        if let Some(w) = &tax.tax_amount {
            let m = wire_money(w, currency, at("taxAmount"), options)?;
            sum = sum.checked_add(m.minor).map_err(overflow)?;
            any = true;
        }
    }
    for (i, adj) in c.price_adjustments.iter().flatten().enumerate() {
        let at = |name| Field::at(PRICE_ADJUSTMENTS).item(i).field(name);
        let fee = match adj.adjustment_type.as_deref() {
            Some(kind) if !ADJUSTMENT_TYPES.contains(&kind) => {
                return Err(RefundError::invalid_input(
                    at("adjustmentType").pointer(),
                    format!("unknown `adjustmentType` `{kind}`"),
                ));
            }
            Some(kind) => kind == "FEE",
            None => false,
        };
        if let Some(rate) = &adj.adjustment_rate {
            check_rate(rate, at("adjustmentRate"), options)?;
        }
        if let Some(w) = &adj.adjustment_amount {
            let m = wire_money(w, currency, at("adjustmentAmount"), options)?;
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

/// Registers this module's documents in the schema generator (feature `schema`).
#[cfg(feature = "schema")]
pub(crate) fn schema_roots(g: &mut schemars::SchemaGenerator) {
    g.subschema_for::<Request>();
    g.subschema_for::<OptionsDoc>();
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
