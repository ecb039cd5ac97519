//! The JSON surface: `json::run(Operation::Plan, text)` on the same inputs as `plan_typed`,
//! beside `serde_json::from_str::<Value>` of the same bytes (the floor of any JSON-in API).
//! Target: JSON plan ≤ 2× the `Value` parse.
#![allow(
    clippy::unwrap_used,
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    clippy::as_conversions,
    reason = "bench code"
)]

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use refund_rules::json::{Operation, run};
use refund_rules_benches::{SIZES, apply_document, plan_document};

fn plan_json(c: &mut Criterion) {
    let mut group = c.benchmark_group("plan_json");
    for n in SIZES {
        let text = plan_document(n).unwrap();
        assert!(run(Operation::Plan, &text).error.is_none());
        group.throughput(Throughput::Bytes(u64::try_from(text.len()).unwrap()));
        group.bench_with_input(BenchmarkId::new("json_run_plan", n), &text, |b, text| {
            b.iter(|| run(Operation::Plan, black_box(text)));
        });
        group.bench_with_input(
            BenchmarkId::new("serde_value_parse", n),
            &text,
            |b, text| {
                b.iter(|| serde_json::from_str::<serde_json::Value>(black_box(text)).unwrap());
            },
        );
    }
    group.finish();
}

fn apply_json(c: &mut Criterion) {
    let mut group = c.benchmark_group("apply_json");
    for n in [0, 10, 1_000] {
        let text = apply_document(n).unwrap();
        assert!(run(Operation::Apply, &text).error.is_none());
        group.throughput(Throughput::Bytes(u64::try_from(text.len()).unwrap()));
        group.bench_with_input(BenchmarkId::new("json_run_apply", n), &text, |b, text| {
            b.iter(|| run(Operation::Apply, black_box(text)));
        });
        group.bench_with_input(
            BenchmarkId::new("serde_value_parse", n),
            &text,
            |b, text| {
                b.iter(|| serde_json::from_str::<serde_json::Value>(black_box(text)).unwrap());
            },
        );
    }
    group.finish();
}

criterion_group!(benches, plan_json, apply_json);
criterion_main!(benches);
