//! The JSON:API `PATCH` body (`{"data":{"type","id","attributes"}}`) and the merchant options:
//! types and parsing, the trigger attributes each resource takes, `_refund_amount_cents`.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::error::{InputProblem, RefundError};
use crate::money::{AmountProblem, Minor, parse_decimal};
use crate::wire::{WireDecimal, from_json_text, from_options_json};

pub(super) const ATTRIBUTES: &str = "/request/data/attributes";
pub(super) const AMOUNT_POINTER: &str = "/request/data/attributes/_refund_amount_cents";
pub(super) const REFUND_POINTER: &str = "/request/data/attributes/_refund";
const FORWARD_POINTER: &str = "/request/data/attributes/_forward";
pub(super) const ID_POINTER: &str = "/request/data/id";
/// Message prefix of an attribute the resource does not have (CL6: 400 "unsupported parameter").
const UNSUPPORTED: &str = "unsupported parameter";

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
    /// `PATCH /api/refunds/:id` `{"_forward":true}`: unblock a stuck refund (CL3, \[S\]).
    Forward {
        /// The refund id.
        id: String,
    },
}

/// Merchant options.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "commerce_layer_options")
)]
#[serde(deny_unknown_fields)]
pub struct Options {
    /// Refund orders whose payment status is `partially_paid` (§1.5 \[U\] default: true, there is
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

/// `{"data":{"type","id","attributes"}}` (CL2).
#[derive(Debug, Deserialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "commerce_layer_request")
)]
#[serde(deny_unknown_fields)]
struct Document {
    data: Data,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "commerce_layer_data")
)]
#[serde(deny_unknown_fields)]
struct Data {
    #[serde(rename = "type")]
    kind: String,
    id: String,
    /// Raw values, so amounts keep their exact text; a repeated key is refused.
    #[cfg_attr(
        feature = "schema",
        schemars(with = "crate::wire::UniqueMap<crate::schema_types::AnyJson>")
    )]
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

/// `_refund_amount_cents` is an integer in ISO minor units (CL1, CL2; §0.2 \[U\] default also for
/// 0-exponent currencies: 100 JPY is `100`). Not a string, no decimals, no sign, not zero
/// (§1.3 \[U\] default: 422).
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

/// Registers this module's documents in the schema generator (feature `schema`).
#[cfg(feature = "schema")]
pub(crate) fn schema_roots(g: &mut schemars::SchemaGenerator) {
    g.subschema_for::<Document>();
    g.subschema_for::<Options>();
}
