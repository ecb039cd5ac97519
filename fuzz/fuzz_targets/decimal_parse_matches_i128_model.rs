//! Differential: `parse_decimal` against a naive i128 minor-units model, for exponents 0..=4.
//! Proves: every accepted text has exactly the model's value, every text the model accepts is
//! accepted, too many decimals is always `too_many_decimals` (never rounded), values past i64
//! are `out_of_range`, and formatting an accepted value parses back to it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use refund_rules::{AmountProblem, format_decimal, parse_decimal};

/// The grammar: digits, optionally `.` and digits; no sign, no leading zeros, nothing else.
/// `Err(true)` = grammatical but too many decimals; `Err(false)` = not grammatical / too large.
fn naive(text: &str, exponent: u32) -> Result<i128, bool> {
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (text, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || frac.is_some_and(|f| !digits(f)) || (int.len() > 1 && int.starts_with('0')) {
        return Err(false);
    }
    let frac = frac.unwrap_or("");
    if frac.len() > exponent as usize {
        return Err(true);
    }
    let mut value: i128 = 0;
    for b in int.bytes().chain(frac.bytes()) {
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(i128::from(b - b'0')))
            .ok_or(false)?;
    }
    for _ in frac.len()..exponent as usize {
        value = value.checked_mul(10).ok_or(false)?;
    }
    if value > i128::from(i64::MAX) {
        return Err(false);
    }
    Ok(value)
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let exponent = first % 5;
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let engine = parse_decimal(text, exponent);
    match (naive(text, u32::from(exponent)), engine) {
        (Ok(v), Ok(m)) => {
            assert_eq!(i128::from(m.get()), v, "{text:?} e={exponent}");
            let back = format_decimal(m, exponent);
            assert_eq!(parse_decimal(&back, exponent), Ok(m), "format {back:?}");
            assert_eq!(naive(&back, u32::from(exponent)), Ok(v));
        }
        (Ok(v), Err(p)) => panic!("{text:?} e={exponent}: model {v}, engine {p:?}"),
        (Err(_), Ok(m)) => panic!("{text:?} e={exponent}: model rejects, engine {m:?}"),
        (Err(true), Err(p)) => assert_eq!(p, AmountProblem::TooManyDecimals, "{text:?}"),
        (Err(false), Err(p)) => {
            // A grammatical plain decimal the model refused can only be too large.
            let plain = text
                .split_once('.')
                .map_or(true, |(i, f)| !i.is_empty() && !f.is_empty())
                && !text.is_empty()
                && text.bytes().all(|b| b.is_ascii_digit() || b == b'.')
                && text.bytes().filter(|b| *b == b'.').count() <= 1
                && !(text.len() > 1 && text.starts_with('0') && !text.starts_with("0."));
            if plain {
                assert_eq!(p, AmountProblem::OutOfRange, "{text:?}");
            }
        }
    }
});
