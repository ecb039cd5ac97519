//! `parse_decimal` and `format_decimal` are integer-only; this checks them against the
//! `rust_decimal` implementation they replaced, on edge cases and a deterministic sweep.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::as_conversions,
    reason = "test code"
)]

use refund_rules::{AmountProblem, Minor, format_decimal, parse_decimal};
use rust_decimal::Decimal;

/// The former `parse_decimal` after the grammar and decimals checks (which are unchanged).
fn reference_parse(text: &str, exponent: u8) -> Result<Minor, AmountProblem> {
    let value = Decimal::from_str_exact(text).map_err(|_| AmountProblem::OutOfRange)?;
    let scale = Decimal::from_i128_with_scale(10_i128.pow(u32::from(exponent)), 0);
    let scaled = value
        .checked_mul(scale)
        .ok_or(AmountProblem::OutOfRange)?
        .normalize();
    assert_eq!(scaled.scale(), 0, "{text}");
    i64::try_from(scaled.mantissa())
        .map(Minor::new)
        .map_err(|_| AmountProblem::OutOfRange)
}

fn reference_format(minor: Minor, exponent: u8) -> String {
    Decimal::from_i128_with_scale(i128::from(minor.get()), u32::from(exponent)).to_string()
}

/// A small deterministic generator (no dependency, same sequence every run).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 11
    }
}

fn check_parse(text: &str, exponent: u8) {
    let got = parse_decimal(text, exponent);
    let frac = text.split_once('.').map_or(0, |(_, f)| f.len());
    // Grammar and decimals errors come before the scaling and are unchanged; compare the rest.
    if frac <= usize::from(exponent) && got != Err(AmountProblem::Malformed) {
        assert_eq!(
            got,
            reference_parse(text, exponent),
            "parse {text:?} e{exponent}"
        );
    }
}

#[test]
fn parse_matches_rust_decimal() {
    let edges = [
        "0",
        "0.0",
        "0.00",
        "1",
        "1.5",
        "1.50",
        "25.00",
        "100.10",
        "0.005",
        "12.345",
        "9223372036854775807",
        "9223372036854775808",
        "92233720368547758.07",
        "92233720368547758.08",
        "922337203685477580.7",
        "99999999999999999999999999999",
        "0.0000",
        "10",
        "1000000.00",
    ];
    for text in edges {
        for exponent in 0..=4 {
            check_parse(text, exponent);
        }
    }
    let mut rng = Lcg(42);
    for _ in 0..20_000 {
        let exponent = (rng.next() % 5) as u8;
        let int_digits = 1 + rng.next() % 19;
        let mut text = (rng.next() % 10).to_string();
        if text != "0" {
            for _ in 1..int_digits {
                text.push_str(&(rng.next() % 10).to_string());
            }
        }
        let frac_digits = rng.next() % 6;
        if frac_digits > 0 {
            text.push('.');
            for _ in 0..frac_digits {
                text.push_str(&(rng.next() % 10).to_string());
            }
        }
        check_parse(&text, exponent);
    }
}

#[test]
fn format_matches_rust_decimal() {
    let edges = [
        0,
        1,
        -1,
        5,
        9,
        10,
        99,
        100,
        101,
        2_500,
        10_010,
        -10_010,
        100_000_000,
        i64::MAX,
        i64::MIN,
        i64::MIN + 1,
    ];
    let mut rng = Lcg(7);
    let sweep = (0..20_000).map(|_| {
        let v = (rng.next() as i64) >> (rng.next() % 60);
        if rng.next() % 2 == 0 { v } else { -v }
    });
    for minor in edges.into_iter().chain(sweep) {
        for exponent in 0..=8 {
            let minor = Minor::new(minor);
            assert_eq!(
                format_decimal(minor, exponent),
                reference_format(minor, exponent),
                "format {minor:?} e{exponent}"
            );
        }
    }
}

#[test]
fn round_trip() {
    let mut rng = Lcg(1);
    for _ in 0..20_000 {
        let minor = Minor::new((rng.next() >> (rng.next() % 50)) as i64);
        for exponent in 0..=4 {
            assert_eq!(
                parse_decimal(&format_decimal(minor, exponent), exponent),
                Ok(minor)
            );
        }
    }
}
