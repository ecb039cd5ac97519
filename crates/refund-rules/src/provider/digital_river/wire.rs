//! The `RefundRequest` body and the merchant options: types, parsing and the checks of the
//! body's shape; the `amount` and `percent` fields.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::PROVIDER;
use crate::allocation::{Percent, PercentError};
use crate::error::{Field, RefundError};
use crate::ledger::LineKind;
use crate::money::{AmountProblem, Currency, Money};
use crate::wire::{WireDecimal, from_json_text, from_options_json, positive_wire_money};

/// Order-level `type` (DR4 `RefundRequest.type` enum; DR1 also uses `fees` at order level).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "digital_river_order_refund_type")
)]
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
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "digital_river_item_refund_type")
)]
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
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "digital_river_request")
)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Request {
    /// The order to refund (this or `invoiceId`).
    #[serde(default)]
    pub order_id: Option<String>,
    /// The invoice to refund (this or `orderId`).
    #[serde(default)]
    pub invoice_id: Option<String>,
    /// ISO 4217 code; must equal the order currency (DR1).
    #[cfg_attr(feature = "schema", schemars(with = "crate::money::Currency"))]
    pub currency: String,
    /// Major units, a JSON number (DR1, DR4).
    #[serde(default)]
    pub amount: Option<WireDecimal>,
    /// 0.01 to 100.00, at most two decimals (DR1).
    #[serde(default)]
    #[cfg_attr(
        feature = "schema",
        schemars(with = "Option<crate::schema_types::WireNumber>")
    )]
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
    #[cfg_attr(
        feature = "schema",
        schemars(with = "Option<crate::schema_types::AnyJson>")
    )]
    pub metadata: Option<Box<RawValue>>,
}

/// One `items[]` entry (`RefundItemRequest`, DR4).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "digital_river_item")
)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ItemRequest {
    /// The order item (a product line id).
    pub item_id: String,
    /// The SKU, forwarded as is.
    #[serde(default)]
    pub sku_id: Option<String>,
    /// Units; at most the ordered quantity (DR1).
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(range(min = 1)))]
    pub quantity: Option<u64>,
    /// Major units, a JSON number.
    #[serde(default)]
    pub amount: Option<WireDecimal>,
    /// 0.01 to 100.00 of the item.
    #[serde(default)]
    #[cfg_attr(
        feature = "schema",
        schemars(with = "Option<crate::schema_types::WireNumber>")
    )]
    pub percent: Option<WireDecimal>,
    /// The item's charge to refund instead of the product.
    #[serde(default, rename = "type")]
    pub item_type: Option<ItemRefundType>,
}

impl ItemRefundType {
    /// The order line that holds this charge of an item.
    pub(super) fn line_kind(self) -> LineKind {
        match self {
            Self::Shipping => LineKind::Shipping,
            Self::Fees => LineKind::Fees,
            Self::Duty => LineKind::Duty,
        }
    }
}

/// What `percent` is a percentage of (\[U\]: DR1 is ambiguous).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "digital_river_percent_basis")
)]
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
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "digital_river_options")
)]
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
            let at = |f| Field::at("/request/items").item(i).field(f);
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

/// `amount` fields: a JSON number in major units (DR1, DR4); the DR1 curl example's string form
/// only with `accept_string_amounts`.
pub(super) fn parse_amount(
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
pub(super) fn parse_percent(wire: &WireDecimal, pointer: &str) -> Result<Percent, RefundError> {
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

/// Registers this module's documents in the schema generator (feature `schema`).
#[cfg(feature = "schema")]
pub(crate) fn schema_roots(g: &mut schemars::SchemaGenerator) {
    g.subschema_for::<Request>();
    g.subschema_for::<Options>();
}
