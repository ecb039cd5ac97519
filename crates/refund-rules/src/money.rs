//! Money: ISO 4217 currencies, integer minor units, and exact decimal parsing at the boundary.
//!
//! Amounts inside the engine are [`Minor`] (an `i64` count of the currency's minor unit) and every
//! operation on them is checked. Decimal text from the wire (`"25.00"`, a JSON number `100.10`) is
//! parsed by [`parse_decimal`], which never rounds: more decimals than the currency has is an error.

use core::fmt;
use core::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::id::Provider;

/// A currency that can carry payments: an active ISO 4217 code with a minor-unit exponent.
///
/// Codes are matched exactly (upper-case alpha-3). Codes that ISO lists without a minor unit
/// (`XAU`, `XXX`, `XDR`…) are refused: they are not payment currencies.
///
/// ```
/// use refund_rules::Currency;
/// # fn main() -> Result<(), refund_rules::money::CurrencyError> {
/// assert_eq!(Currency::from_code("JPY")?.exponent(), 0);
/// assert_eq!(Currency::from_code("KWD")?.exponent(), 3);
/// assert!(Currency::from_code("usd").is_err());
/// assert!(Currency::from_code("XAU").is_err());
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency {
    iso: iso_currency::Currency,
    exponent: u8,
}

impl Currency {
    /// Looks up an ISO 4217 alpha-3 code; fails closed on anything else.
    pub fn from_code(code: &str) -> Result<Self, CurrencyError> {
        let well_formed = code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase());
        if !well_formed {
            return Err(CurrencyError::Malformed(code.to_owned()));
        }
        let iso = iso_currency::Currency::from_code(code)
            .ok_or_else(|| CurrencyError::Unknown(code.to_owned()))?;
        let exponent = iso
            .exponent()
            .and_then(|e| u8::try_from(e).ok())
            .ok_or_else(|| CurrencyError::NoMinorUnit(code.to_owned()))?;
        Ok(Self { iso, exponent })
    }

    /// The alpha-3 code, e.g. `"USD"`.
    pub fn code(&self) -> &'static str {
        self.iso.code()
    }

    /// The ISO 4217 minor-unit exponent (USD 2, JPY 0, KWD 3, CLF 4).
    pub fn exponent(&self) -> u8 {
        self.exponent
    }

    /// The exponent a provider uses on the wire for this currency (ISO unless an override exists).
    pub fn wire_exponent(&self, provider: Provider) -> u8 {
        EXPONENT_OVERRIDES
            .iter()
            .find(|o| o.provider == provider && o.currency == self.code())
            .map_or(self.exponent, |o| o.exponent)
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Currency {
    type Err = CurrencyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_code(s)
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        Self::from_code(&code).map_err(serde::de::Error::custom)
    }
}

/// Why a currency code was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CurrencyError {
    /// Not three upper-case ASCII letters.
    #[error("currency `{0}` is not an upper-case ISO 4217 alpha-3 code")]
    Malformed(String),
    /// Well-formed but not in ISO 4217.
    #[error("currency `{0}` is not an ISO 4217 code")]
    Unknown(String),
    /// ISO 4217 lists no minor unit for it (precious metals, testing, no-currency codes).
    #[error("currency `{0}` has no minor unit in ISO 4217 and cannot carry payments")]
    NoMinorUnit(String),
}

impl CurrencyError {
    /// The code as it was given.
    pub fn code_text(&self) -> &str {
        match self {
            Self::Malformed(c) | Self::Unknown(c) | Self::NoMinorUnit(c) => c,
        }
    }
}

/// A provider whose wire exponent for a currency differs from ISO 4217.
#[derive(Debug, Clone, Copy)]
pub struct ExponentOverride {
    /// The provider.
    pub provider: Provider,
    /// The alpha-3 code.
    pub currency: &'static str,
    /// The exponent that provider uses on the wire.
    pub exponent: u8,
    /// Where the provider documents it.
    pub source: &'static str,
}

/// Per-provider exponent overrides, kept as data.
///
/// Empty on purpose: all five providers document ISO 4217 precision (Fiserv's currency table
/// FS3 matches ISO; the others give no table and are assumed to follow ISO, see
/// `docs/money.md`). An entry here changes only how that provider's wire amounts are read;
/// ledgers always hold ISO minor units.
pub const EXPONENT_OVERRIDES: &[ExponentOverride] = &[];

/// An amount in a currency's minor unit (cents for USD, yen for JPY, fils for KWD).
///
/// All arithmetic is checked; overflow is an [`AmountProblem::OutOfRange`] error, never a wrap.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Debug)]
pub struct Minor(i64);

impl Minor {
    /// Zero.
    pub const ZERO: Minor = Minor(0);

    /// Wraps a count of minor units.
    pub const fn new(units: i64) -> Self {
        Self(units)
    }

    /// The count of minor units.
    pub const fn get(self) -> i64 {
        self.0
    }

    /// `self + other`, or an out-of-range error.
    pub fn checked_add(self, other: Minor) -> Result<Minor, AmountProblem> {
        self.0
            .checked_add(other.0)
            .map(Minor)
            .ok_or(AmountProblem::OutOfRange)
    }

    /// `self - other`, or an out-of-range error.
    pub fn checked_sub(self, other: Minor) -> Result<Minor, AmountProblem> {
        self.0
            .checked_sub(other.0)
            .map(Minor)
            .ok_or(AmountProblem::OutOfRange)
    }

    /// `self - other`, floored at zero (for "what is left" figures).
    pub fn saturating_sub_floor_zero(self, other: Minor) -> Minor {
        Minor(self.0.saturating_sub(other.0).max(0))
    }

    /// True when strictly greater than zero.
    pub const fn is_positive(self) -> bool {
        self.0 > 0
    }

    /// True when zero.
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// Sums minor amounts with overflow checking.
    pub fn checked_sum<I: IntoIterator<Item = Minor>>(items: I) -> Result<Minor, AmountProblem> {
        items
            .into_iter()
            .try_fold(Minor::ZERO, |acc, m| acc.checked_add(m))
    }
}

/// An amount with its currency.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Money {
    /// The amount in minor units.
    pub minor: Minor,
    /// The currency.
    pub currency: Currency,
}

impl Money {
    /// Pairs an amount with its currency.
    pub const fn new(minor: Minor, currency: Currency) -> Self {
        Self { minor, currency }
    }

    /// The decimal text in major units with exactly the currency's decimals (`"25.00"`, `"5800"`).
    pub fn to_decimal_string(&self) -> String {
        format_decimal(self.minor, self.currency.exponent())
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.to_decimal_string(), self.currency)
    }
}

/// What is wrong with an amount's text or value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AmountProblem {
    /// The empty string.
    Empty,
    /// Not a plain decimal (`1,5`, `.5`, `5.`, `+5`, `0x10`, `1_000`, leading zeros, spaces).
    Malformed,
    /// Exponent notation such as `1e2` or `2.5E-1`.
    ExponentNotation,
    /// `NaN`, `Infinity` and the like.
    NotFinite,
    /// A minus sign where only non-negative amounts exist.
    Negative,
    /// Zero where the amount must be positive.
    Zero,
    /// More decimal places than the currency's exponent.
    TooManyDecimals,
    /// Too large to represent in minor units (or a sum that overflows).
    OutOfRange,
    /// More digits than the provider's field allows.
    TooManyDigits,
}

impl AmountProblem {
    /// A short lower-case description.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Empty => "the amount is empty",
            Self::Malformed => "the amount is not a plain decimal number",
            Self::ExponentNotation => "exponent notation is not accepted for amounts",
            Self::NotFinite => "the amount is not a finite number",
            Self::Negative => "the amount is negative",
            Self::Zero => "the amount must be greater than zero",
            Self::TooManyDecimals => "the amount has more decimal places than the currency allows",
            Self::OutOfRange => "the amount is out of range",
            Self::TooManyDigits => "the amount has more digits than the field allows",
        }
    }
}

impl fmt::Display for AmountProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

impl std::error::Error for AmountProblem {}

/// Parses decimal text in major units into minor units with the given exponent, exactly.
///
/// Accepts `digits` or `digits.digits` with no sign, no exponent, no leading zeros (other than a
/// single `0` before the point) and at most `exponent` decimals. Zero is accepted here; whether
/// zero is allowed is a rule of the caller.
///
/// ```
/// use refund_rules::{parse_decimal, Minor, AmountProblem};
/// assert_eq!(parse_decimal("100.10", 2), Ok(Minor::new(10010)));
/// assert_eq!(parse_decimal("5800", 0), Ok(Minor::new(5800)));
/// assert_eq!(parse_decimal("0.1", 2), Ok(Minor::new(10)));
/// assert_eq!(parse_decimal("1.005", 2), Err(AmountProblem::TooManyDecimals));
/// assert_eq!(parse_decimal("1e2", 2), Err(AmountProblem::ExponentNotation));
/// assert_eq!(parse_decimal("-1.00", 2), Err(AmountProblem::Negative));
/// ```
pub fn parse_decimal(text: &str, exponent: u8) -> Result<Minor, AmountProblem> {
    if let Some(minor) = plain_minor(text, exponent) {
        return Ok(minor);
    }
    let (int_part, frac_part) = split_plain_decimal(text)?;
    if frac_part.map_or(0, str::len) > usize::from(exponent) {
        return Err(AmountProblem::TooManyDecimals);
    }
    // The grammar is settled. Amounts that fit an i64 are scaled digit by digit (exact, and
    // the common case); anything larger goes through rust_decimal, which classifies the range.
    if exponent <= 18
        && let Some(minor) = digits_to_minor(int_part, frac_part.unwrap_or(""), exponent)
    {
        return Ok(Minor(minor));
    }
    let value = Decimal::from_str_exact(text).map_err(|_| AmountProblem::OutOfRange)?;
    let scale = 10_i128
        .checked_pow(u32::from(exponent))
        .and_then(|p| Decimal::try_from_i128_with_scale(p, 0).ok())
        .ok_or(AmountProblem::OutOfRange)?;
    let scaled = value.checked_mul(scale).ok_or(AmountProblem::OutOfRange)?;
    let normalized = scaled.normalize();
    if normalized.scale() != 0 {
        // Cannot happen after the decimals check; refuse rather than round.
        return Err(AmountProblem::TooManyDecimals);
    }
    i64::try_from(normalized.mantissa())
        .map(Minor)
        .map_err(|_| AmountProblem::OutOfRange)
}

/// The common shape in one pass: `int[.frac]` of digits (no leading zero, `frac` no longer than
/// `exponent` ≤ 18) whose value fits an i64, as minor units. `None` for anything else, which
/// the full grammar then reads (and names the problem of). Same answers, without splitting and
/// re-reading the text.
fn plain_minor(text: &str, exponent: u8) -> Option<Minor> {
    if exponent > 18 {
        return None;
    }
    let mut minor: i64 = 0;
    let mut int_len: usize = 0;
    let mut frac_len: Option<usize> = None;
    for b in text.bytes() {
        match b {
            b'0'..=b'9' => {
                minor = minor
                    .checked_mul(10)?
                    .checked_add(i64::from(b.checked_sub(b'0')?))?;
                match &mut frac_len {
                    Some(n) => *n = n.checked_add(1)?,
                    None => int_len = int_len.checked_add(1)?,
                }
            }
            b'.' if frac_len.is_none() => frac_len = Some(0),
            _ => return None,
        }
    }
    let leading_zero = int_len > 1 && text.starts_with('0');
    if int_len == 0 || frac_len == Some(0) || leading_zero {
        return None;
    }
    let padding = usize::from(exponent).checked_sub(frac_len.unwrap_or(0))?;
    let factor = 10_i64.checked_pow(u32::try_from(padding).ok()?)?;
    minor.checked_mul(factor).map(Minor)
}

/// `int.frac` (grammar already checked, `frac` no longer than `exponent`) as minor units, or
/// `None` when it does not fit an i64.
fn digits_to_minor(int: &str, frac: &str, exponent: u8) -> Option<i64> {
    let padding = usize::from(exponent).checked_sub(frac.len())?;
    let mut minor: i64 = 0;
    let digits = int.bytes().chain(frac.bytes());
    for b in digits.chain(core::iter::repeat_n(b'0', padding)) {
        let digit = i64::from(b.checked_sub(b'0')?);
        minor = minor.checked_mul(10)?.checked_add(digit)?;
    }
    Some(minor)
}

/// Checks the plain-decimal grammar and returns the integer and fraction digits.
fn split_plain_decimal(text: &str) -> Result<(&str, Option<&str>), AmountProblem> {
    if text.is_empty() {
        return Err(AmountProblem::Empty);
    }
    // Digits and points only (the common case): no sign, word or exponent to look for.
    if text.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return split_unsigned(text);
    }
    let bare = text.trim_start_matches(['-', '+']);
    if ["nan", "inf", "infinity"]
        .iter()
        .any(|word| bare.eq_ignore_ascii_case(word))
    {
        return Err(AmountProblem::NotFinite);
    }
    if let Some(rest) = text.strip_prefix('-') {
        // Report the sign only when the rest is a well-formed number. One sign only, checked
        // without recursion: a long run of `-` must not overflow the stack (found by fuzzing).
        return match split_unsigned(rest) {
            Ok(_) => Err(AmountProblem::Negative),
            Err(other) => Err(other),
        };
    }
    split_unsigned(text)
}

/// The plain-decimal grammar without a sign.
fn split_unsigned(text: &str) -> Result<(&str, Option<&str>), AmountProblem> {
    if text.is_empty() {
        return Err(AmountProblem::Empty);
    }
    if text.bytes().any(|b| b == b'e' || b == b'E')
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
    {
        return Err(AmountProblem::ExponentNotation);
    }
    let (int_part, frac_part) = match text.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (text, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(int_part) || frac_part.is_some_and(|f| !digits(f)) {
        return Err(AmountProblem::Malformed);
    }
    if int_part.len() > 1 && int_part.starts_with('0') {
        return Err(AmountProblem::Malformed);
    }
    Ok((int_part, frac_part))
}

/// Counts the digits of a plain decimal (integer plus fraction digits), for length-limited fields.
pub fn decimal_digit_count(text: &str) -> Result<usize, AmountProblem> {
    let (int_part, frac_part) = split_plain_decimal(text)?;
    Ok(int_part.len().saturating_add(frac_part.map_or(0, str::len)))
}

/// Formats minor units as decimal text with exactly `exponent` decimals.
///
/// ```
/// use refund_rules::{format_decimal, Minor};
/// assert_eq!(format_decimal(Minor::new(10010), 2), "100.10");
/// assert_eq!(format_decimal(Minor::new(5800), 0), "5800");
/// assert_eq!(format_decimal(Minor::new(5), 3), "0.005");
/// ```
pub fn format_decimal(minor: Minor, exponent: u8) -> String {
    match Decimal::try_from_i128_with_scale(i128::from(minor.get()), u32::from(exponent)) {
        Ok(d) => d.to_string(),
        // Beyond rust_decimal's 28 places (no currency has that many): place the point by hand.
        Err(_) => {
            let digits = minor.get().unsigned_abs().to_string();
            let places = usize::from(exponent);
            let padded = format!("{digits:0>width$}", width = places.saturating_add(1));
            let (int_part, frac_part) = padded.split_at(padded.len().saturating_sub(places));
            let sign = if minor.get() < 0 { "-" } else { "" };
            format!("{sign}{int_part}.{frac_part}")
        }
    }
}

/// Parses a decimal amount for a currency (ISO exponent).
pub fn parse_money(text: &str, currency: Currency) -> Result<Money, AmountProblem> {
    parse_decimal(text, currency.exponent()).map(|minor| Money::new(minor, currency))
}

/// Parses a provider's wire amount: the provider's exponent for the text, ISO minor units out.
///
/// With no override this is [`parse_money`]. With a wider provider exponent, the extra digits
/// must be zero (nothing is rounded); with a narrower one, the ISO value is scaled up.
pub fn parse_wire_money(
    text: &str,
    currency: Currency,
    provider: Provider,
) -> Result<Money, AmountProblem> {
    let wire = currency.wire_exponent(provider);
    let iso = currency.exponent();
    let parsed = parse_decimal(text, wire)?;
    let minor = match wire.cmp(&iso) {
        core::cmp::Ordering::Equal => parsed,
        core::cmp::Ordering::Greater => {
            let factor = 10_i64.pow(u32::from(wire.saturating_sub(iso)));
            if parsed.get().checked_rem(factor) != Some(0) {
                return Err(AmountProblem::TooManyDecimals);
            }
            Minor(
                parsed
                    .get()
                    .checked_div(factor)
                    .ok_or(AmountProblem::OutOfRange)?,
            )
        }
        core::cmp::Ordering::Less => {
            let factor = 10_i64.pow(u32::from(iso.saturating_sub(wire)));
            Minor(
                parsed
                    .get()
                    .checked_mul(factor)
                    .ok_or(AmountProblem::OutOfRange)?,
            )
        }
    };
    Ok(Money::new(minor, currency))
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&format_decimal(self.minor, self.currency.exponent()))
    }
}
