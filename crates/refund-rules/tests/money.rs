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
