//! Amount parsing and formatting (`parse_decimal`, `format_decimal`).
#![allow(
    clippy::unwrap_used,
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    clippy::as_conversions,
    reason = "bench code"
)]

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use refund_rules::{Minor, format_decimal, parse_decimal};

fn money(c: &mut Criterion) {
    let mut group = c.benchmark_group("money");
    for (text, exponent) in [("25.00", 2), ("1000000.00", 2), ("5800", 0), ("12.345", 3)] {
        parse_decimal(text, exponent).unwrap();
        group.bench_with_input(BenchmarkId::new("parse_decimal", text), &text, |b, text| {
            b.iter(|| parse_decimal(black_box(text), black_box(exponent)));
        });
    }
    // Rejections must be as cheap as acceptances (no rounding path).
    for (text, exponent) in [("1.005", 2), ("1e2", 2)] {
        parse_decimal(text, exponent).unwrap_err();
        group.bench_with_input(
            BenchmarkId::new("parse_decimal_reject", text),
            &text,
            |b, text| b.iter(|| parse_decimal(black_box(text), black_box(exponent))),
        );
    }
    for (minor, exponent) in [(2_500_i64, 2_u8), (100_000_000, 2), (5_800, 0)] {
        group.bench_with_input(
            BenchmarkId::new("format_decimal", format!("{minor}e-{exponent}")),
            &minor,
            |b, minor| {
                b.iter(|| format_decimal(Minor::new(black_box(*minor)), black_box(exponent)))
            },
        );
    }
    group.finish();
}

criterion_group!(benches, money);
criterion_main!(benches);
