//! SimplePS wire shapes: the refund body and its parsing (SP1).

use serde::{Deserialize, Serialize};

use super::PROVIDER;
use crate::error::RefundError;
use crate::ledger::Ledger;
use crate::money::Money;
use crate::wire::{WireDecimal, from_optional_json, from_options_json, positive_wire_money};

/// The refund request body (SP1): absent, `{}`, or `{"amount":{"total":25.00,"currency":"USD"}}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "simpleps_request")
)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// The amount object; both fields are optional in the provider's table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<RequestAmount>,
}

/// `amount` of the refund body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "simpleps_amount")
)]
#[serde(deny_unknown_fields)]
pub struct RequestAmount {
    /// `amount.total`, a JSON number (SP1: "number").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "schema",
        schemars(with = "Option<crate::schema_types::WireNumber>")
    )]
    pub total: Option<WireDecimal>,
    /// `amount.currency`, must match the payment (SP1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<crate::money::Currency>"))]
    pub currency: Option<String>,
}

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

/// `amount.total` is a JSON number (SP1); decimals beyond the currency are PAY_024 (\[U\] default).
pub(super) fn parse_total(wire: &WireDecimal, ledger: &Ledger) -> Result<Money, RefundError> {
    const POINTER: &str = "/request/amount/total";
    wire.require_number(POINTER, "amount.total", "")?;
    // SP3 PAY_020: "Amount cannot be less or equal to zero".
    positive_wire_money(&wire.text, ledger.currency, PROVIDER, POINTER)
}

/// Registers this module's documents in the schema generator (feature `schema`).
#[cfg(feature = "schema")]
pub(crate) fn schema_roots(g: &mut schemars::SchemaGenerator) {
    g.subschema_for::<Request>();
}
