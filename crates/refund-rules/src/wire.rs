//! Reading and writing provider wire bodies exactly: JSON numbers keep their text.
//!
//! `serde_json` without `arbitrary_precision` turns numbers into `f64`. Amount fields are read as
//! [`WireDecimal`] (the number's own text, via `RawValue`) and written as [`JsonNumber`], so
//! `100.10` is never a float anywhere in the engine.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

use crate::error::RefundError;
use crate::money::{AmountProblem, Currency, Money, parse_wire_money};
use crate::provider::Provider;

/// A decimal as it appeared on the wire: its exact text and whether it was a JSON string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireDecimal {
    /// The number's text (`"25.00"`), or the string's contents.
    pub text: String,
    /// True when the wire value was a JSON string (`"25.00"`) rather than a number (`25.00`).
    pub quoted: bool,
}

impl WireDecimal {
    /// A JSON number with this text.
    pub fn number(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            quoted: false,
        }
    }

    /// A JSON string with this text.
    pub fn string(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            quoted: true,
        }
    }

    /// Refuses a JSON string where the provider types the field as a number: `invalid_input` at
    /// `pointer`, "`field` must be a JSON number, not the string `"…"`" followed by `hint`.
    pub fn require_number(
        &self,
        pointer: &str,
        field: &str,
        hint: &str,
    ) -> Result<(), RefundError> {
        if self.quoted {
            return Err(RefundError::invalid_input(
                pointer,
                format!(
                    "`{field}` must be a JSON number, not the string `\"{}\"`{hint}",
                    self.text
                ),
            ));
        }
        Ok(())
    }
}

/// Reads a positive amount of `currency` from a provider's wire text, exactly (the provider's
/// exponent, nothing rounded). Bad text, and zero, are `invalid_amount` at `pointer`.
pub fn positive_wire_money(
    text: &str,
    currency: Currency,
    provider: Provider,
    pointer: &str,
) -> Result<Money, RefundError> {
    let money = parse_wire_money(text, currency, provider)
        .map_err(|p| RefundError::invalid_amount(pointer, text, p))?;
    if money.minor.is_zero() {
        return Err(RefundError::invalid_amount(
            pointer,
            text,
            AmountProblem::Zero,
        ));
    }
    Ok(money)
}

/// Reads a request's currency code at `pointer` and checks it is the payment's `expected` one:
/// `unknown_currency` for a code that is not ISO 4217, `currency_mismatch` for another currency.
pub fn request_currency(
    code: &str,
    pointer: &str,
    expected: Currency,
) -> Result<Currency, RefundError> {
    let found = Currency::from_code(code).map_err(|problem| RefundError::UnknownCurrency {
        pointer: pointer.to_owned(),
        problem,
    })?;
    if found != expected {
        return Err(RefundError::CurrencyMismatch {
            pointer: pointer.to_owned(),
            expected,
            found,
        });
    }
    Ok(found)
}

impl<'de> Deserialize<'de> for WireDecimal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(d)?;
        let text = raw.get();
        if text.starts_with('"') {
            let inner: String = serde_json::from_str(text).map_err(serde::de::Error::custom)?;
            Ok(Self::string(inner))
        } else if text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
            Ok(Self::number(text))
        } else {
            Err(serde::de::Error::custom(format!(
                "expected a decimal number, found `{}`",
                truncate(text, 40)
            )))
        }
    }
}

impl Serialize for WireDecimal {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.quoted {
            s.serialize_str(&self.text)
        } else {
            JsonNumber::new(&self.text)
                .map_err(serde::ser::Error::custom)?
                .serialize(s)
        }
    }
}

/// A JSON number written from exact decimal text.
#[derive(Debug, Clone)]
pub struct JsonNumber(Box<RawValue>);

impl JsonNumber {
    /// Wraps decimal text (`"25.00"`); fails if it is not a JSON number.
    pub fn new(text: &str) -> Result<Self, RefundError> {
        let ok = !text.is_empty()
            && text
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-');
        let raw = RawValue::from_string(text.to_owned())
            .ok()
            .filter(|_| ok)
            .ok_or_else(|| RefundError::invalid_input("", format!("`{text}` is not a number")))?;
        Ok(Self(raw))
    }

    /// From money: its decimal text.
    pub fn from_money(m: &crate::money::Money) -> Self {
        // A formatted amount is always a valid JSON number.
        Self::new(&m.to_decimal_string()).unwrap_or_else(|_| Self(RawValue::NULL.to_owned()))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        self.0.get()
    }
}

impl Serialize for JsonNumber {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

/// Serializes a body that may contain [`JsonNumber`]s into raw JSON.
pub fn raw_json<T: Serialize>(body: &T) -> Box<RawValue> {
    serde_json::value::to_raw_value(body).unwrap_or_else(|_| RawValue::NULL.to_owned())
}

fn truncate(text: &str, max: usize) -> String {
    let mut out: String = text.chars().take(max).collect();
    if text.chars().nth(max).is_some() {
        out.push('…');
    }
    out
}

/// Converts a serde path into a JSON pointer under `base`.
fn pointer_of(base: &str, path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = base.to_owned();
    for seg in path.iter() {
        match seg {
            Segment::Seq { index } => {
                out.push('/');
                out.push_str(&index.to_string());
            }
            Segment::Map { key } => {
                out.push('/');
                out.push_str(&key.replace('~', "~0").replace('/', "~1"));
            }
            Segment::Enum { .. } | Segment::Unknown => {}
        }
    }
    out
}

/// A JSON pointer under `/request` in the dotted form providers name fields with
/// (`/request/items/0/amount` → `items[0].amount`); `None` for other documents.
pub fn dotted_field(pointer: &str) -> Option<String> {
    let rest = pointer.strip_prefix("/request/")?;
    let mut out = String::new();
    for seg in rest.split('/') {
        if !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()) {
            out.push('[');
            out.push_str(seg);
            out.push(']');
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(seg);
        }
    }
    Some(out)
}

/// Parses an optional JSON document (`None`, or JSON `null`, gives `T::default()`), reporting
/// the failing field as a JSON pointer under `base`.
pub fn from_optional_json<T: DeserializeOwned + Default>(
    text: Option<&str>,
    base: &str,
) -> Result<T, RefundError> {
    match text {
        None => Ok(T::default()),
        Some(text) => Ok(from_json_text::<Option<T>>(text, base)?.unwrap_or_default()),
    }
}

/// Parses JSON text into `T`, reporting the failing field as a JSON pointer under `base`.
pub fn from_json_text<T: DeserializeOwned>(text: &str, base: &str) -> Result<T, RefundError> {
    // Valid input takes the plain parser: path tracking costs ~15-20% of a JSON plan
    // (benches/README.md). Only a failure is parsed again, with tracking, for its pointer, so
    // every result is the one the tracked parse alone would give.
    if let Ok(value) = serde_json::from_str::<T>(text) {
        return Ok(value);
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let pointer = pointer_of(base, e.path());
        RefundError::invalid_input(pointer, e.inner().to_string())
    })?;
    de.end()
        .map_err(|e| RefundError::invalid_input(base, e.to_string()))?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_dotted() {
        assert_eq!(
            dotted_field("/request/amountComponents/taxAmounts/0/taxAmount").as_deref(),
            Some("amountComponents.taxAmounts[0].taxAmount")
        );
        assert_eq!(
            dotted_field("/request/amount/total").as_deref(),
            Some("amount.total")
        );
        assert_eq!(dotted_field("/ledger/currency"), None);
    }
}

/// A JSON object whose keys must be unique: `{"a":1,"a":2}` is an error, not "the last one wins".
///
/// Use it wherever a body is read as a map rather than a struct (structs already refuse
/// duplicate fields): an ambiguous amount must never be resolved silently.
#[derive(Debug, Clone, Default)]
pub struct UniqueMap<V>(pub std::collections::BTreeMap<String, V>);

impl<'de, V: Deserialize<'de>> Deserialize<'de> for UniqueMap<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit<V>(core::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> serde::de::Visitor<'de> for Visit<V> {
            type Value = UniqueMap<V>;
            fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut a: A,
            ) -> Result<Self::Value, A::Error> {
                let mut out = std::collections::BTreeMap::new();
                while let Some(key) = a.next_key::<String>()? {
                    let value = a.next_value::<V>()?;
                    if out.contains_key(&key) {
                        return Err(serde::de::Error::custom(format!("duplicate field `{key}`")));
                    }
                    out.insert(key, value);
                }
                Ok(UniqueMap(out))
            }
        }
        d.deserialize_map(Visit(core::marker::PhantomData))
    }
}
