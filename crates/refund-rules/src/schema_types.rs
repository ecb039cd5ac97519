//! Hand-written `JsonSchema` for the types with their own serde code, and the schema-only
//! marker types that document fields use in `#[schemars(with = "…")]` (feature `schema`). The
//! generated schema itself: `crate::schema`.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

use crate::allocation::Percent;
use crate::id::Provider;
use crate::money::Currency;
use crate::strict::RawField;
use crate::time::Timestamp;

/// `impl JsonSchema` with a name and a fixed schema.
macro_rules! named_schema {
    ($ty:ty, $name:literal, $schema:tt) => {
        impl schemars::JsonSchema for $ty {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                $name.into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!($schema)
            }
        }
    };
}
pub(crate) use named_schema;

/// A decimal amount in major units written as a JSON string (`"100.10"`): ledger and event
/// amounts, options in money.
#[derive(Debug)]
pub(crate) struct Decimal;

named_schema!(Decimal, "decimal", {
    "type": "string",
    "pattern": "^(0|[1-9][0-9]*)(\\.[0-9]+)?$",
    "description": "Decimal amount in major units, no sign, no exponent, at most the currency's decimals (checked by the engine)."
});

/// A provider name (`simpleps`, …).
#[derive(Debug)]
pub(crate) struct ProviderName;

impl JsonSchema for ProviderName {
    fn schema_name() -> Cow<'static, str> {
        "provider".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let names: Vec<&str> = Provider::ALL.iter().map(|p| p.as_str()).collect();
        json_schema!({ "enum": names })
    }
}

/// A [`WireDecimal`] field that takes a JSON number only.
#[derive(Debug)]
pub(crate) struct WireNumber;

named_schema!(WireNumber, "wire_number", {
    "type": "number",
    "description": "A JSON number; its exact text is kept (never read as a float)."
});

/// An integer in minor units: a JSON integer or a string of digits (`format_amount`).
#[derive(Debug)]
pub(crate) struct MinorUnits;

impl JsonSchema for MinorUnits {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "minor_units".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": ["string", "integer"] })
    }
}

/// An amount to parse: a JSON number or a string (`parse_amount`).
#[derive(Debug)]
pub(crate) struct MinorUnitsOrDecimal;

impl JsonSchema for MinorUnitsOrDecimal {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "amount_text".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": ["string", "number"] })
    }
}

/// Any JSON value (raw pass-through fields).
#[derive(Debug)]
pub(crate) struct AnyJson;

impl JsonSchema for AnyJson {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "any".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({})
    }
}

named_schema!(Timestamp, "timestamp", {
    "type": "string",
    "description": "RFC 3339 instant, e.g. 2024-04-22T16:22:06Z."
});

named_schema!(Currency, "currency", {
    "type": "string",
    "pattern": "^[A-Z]{3}$",
    "description": "ISO 4217 alpha-3 code with a minor unit."
});

impl JsonSchema for Percent {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "percent".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": "^(0|[1-9][0-9]*)(\\.[0-9]{1,2})?$",
            "description": "Percentage, at most two decimals (0.01 to 100.00)."
        })
    }
}

impl JsonSchema for RawField {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "raw".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({})
    }
}
