//! Money parsing and formatting edges.
#![allow(clippy::unwrap_used, reason = "test code")]

use refund_rules::{AmountProblem, Currency, Minor, Money, parse_decimal, parse_money};

#[test]
fn grammar_rejections_are_typed() {
    let cases = [
        ("", AmountProblem::Empty),
        (" 1", AmountProblem::Malformed),
        ("1 ", AmountProblem::Malformed),
        ("+1", AmountProblem::Malformed),
        (".5", AmountProblem::Malformed),
        ("5.", AmountProblem::Malformed),
        ("1,50", AmountProblem::Malformed),
        ("1_000", AmountProblem::Malformed),
        ("007", AmountProblem::Malformed),
        ("0x10", AmountProblem::Malformed),
        ("1e2", AmountProblem::ExponentNotation),
        ("2.5E-1", AmountProblem::ExponentNotation),
        ("NaN", AmountProblem::NotFinite),
        ("-Infinity", AmountProblem::NotFinite),
        ("--1", AmountProblem::Malformed),
        ("-", AmountProblem::Empty),
        ("-1e2", AmountProblem::ExponentNotation),
        ("-0.01", AmountProblem::Negative),
        ("1.001", AmountProblem::TooManyDecimals),
        ("99999999999999999999", AmountProblem::OutOfRange),
    ];
    for (text, want) in cases {
        assert_eq!(parse_decimal(text, 2), Err(want), "{text:?}");
    }
}

#[test]
fn exponents_follow_iso() {
    let yen = Currency::from_code("JPY").unwrap();
    assert_eq!(parse_money("5800", yen).unwrap().minor, Minor::new(5800));
    assert_eq!(
        parse_money("58.00", yen),
        Err(AmountProblem::TooManyDecimals)
    );
    let kwd = Currency::from_code("KWD").unwrap();
    assert_eq!(parse_money("1.234", kwd).unwrap().minor, Minor::new(1234));
    assert_eq!(Money::new(Minor::new(1234), kwd).to_string(), "1.234 KWD");
}

#[test]
fn currencies_fail_closed() {
    for code in ["usd", "US", "USDD", "AAA", "XAU", "XXX", "XDR", ""] {
        assert!(Currency::from_code(code).is_err(), "{code}");
    }
}

#[test]
fn i64_edges() {
    let max = i64::MAX.to_string();
    assert_eq!(parse_decimal(&max, 0), Ok(Minor::new(i64::MAX)));
    assert_eq!(
        parse_decimal("9223372036854775808", 0),
        Err(AmountProblem::OutOfRange)
    );
    assert_eq!(
        parse_decimal("92233720368547758.08", 2),
        Err(AmountProblem::OutOfRange)
    );
    assert!(Minor::new(i64::MAX).checked_add(Minor::new(1)).is_err());
}

#[test]
fn a_long_run_of_signs_is_malformed_not_a_stack_overflow() {
    let text = format!("{}1", "-".repeat(1_000_000));
    assert_eq!(parse_decimal(&text, 2), Err(AmountProblem::Malformed));
}

#[test]
fn exponents_beyond_rust_decimal_are_errors_or_exact_text_never_panics() {
    assert_eq!(parse_decimal("1", 29), Err(AmountProblem::OutOfRange));
    assert_eq!(parse_decimal("1", 40), Err(AmountProblem::OutOfRange));
    assert_eq!(parse_decimal("1", 255), Err(AmountProblem::OutOfRange));
    assert_eq!(
        refund_rules::format_decimal(Minor::new(1), 29),
        format!("0.{}1", "0".repeat(28))
    );
    assert_eq!(
        refund_rules::format_decimal(Minor::new(-12), 30),
        format!("-0.{}12", "0".repeat(28))
    );
    assert_eq!(
        refund_rules::format_decimal(Minor::new(i64::MIN), 255).len(),
        1 + 2 + 255
    );
}

/// The reading of a plain decimal, written from the grammar alone: `0` or digits without a
/// leading zero, then optionally a point and at least one digit; no more decimals than the
/// exponent; the value must fit an i64 of minor units. `None` = outside the grammar.
fn spec_minor(text: &str, exponent: u8) -> Option<Result<i64, AmountProblem>> {
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (text, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || frac.is_some_and(|f| !digits(f)) || (int.len() > 1 && int.starts_with('0')) {
        return None;
    }
    let frac = frac.unwrap_or("");
    if frac.len() > usize::from(exponent) {
        return Some(Err(AmountProblem::TooManyDecimals));
    }
    let padded = format!(
        "{int}{frac}{}",
        "0".repeat(usize::from(exponent).saturating_sub(frac.len()))
    );
    Some(
        padded
            .trim_start_matches('0')
            .parse::<i64>()
            .or_else(|e| {
                if padded.bytes().all(|b| b == b'0') {
                    Ok(0)
                } else {
                    Err(e)
                }
            })
            .map_err(|_| AmountProblem::OutOfRange),
    )
}

proptest::proptest! {
    #![proptest_config(refund_rules::strategies::test_config())]

    /// `parse_decimal` (its one-pass path for the common shape and the full grammar behind it)
    /// reads every text as the grammar says: the same minor units, `too_many_decimals` past the
    /// exponent, out of range beyond an i64, and an error for anything outside the grammar.
    #[test]
    fn parse_decimal_reads_what_the_grammar_says(
        text in proptest::prop_oneof![
            "[0-9.]{0,24}",
            "(0|[1-9][0-9]{0,19})(\\.[0-9]{1,6})?",
            "[0-9]{1,4}\\.[0-9]{2}[.e0-9+-]{0,2}",
        ],
        exponent in proptest::prop_oneof![0_u8..=4, 17_u8..=19],
    ) {
        let got = parse_decimal(&text, exponent).map(|m| m.get());
        match spec_minor(&text, exponent) {
            Some(expected) => proptest::prop_assert_eq!(got, expected, "{}", text),
            None => proptest::prop_assert!(got.is_err(), "{} read as {:?}", text, got),
        }
    }
}
