//! Reading and writing provider wire bodies exactly: JSON numbers keep their text.
//!
//! `serde_json` without `arbitrary_precision` turns numbers into `f64`. Amount fields are read as
//! [`WireDecimal`] (the number's own text, via `RawValue`) and written as [`JsonNumber`], so
//! `100.10` is never a float anywhere in the engine.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

use crate::error::RefundError;

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
