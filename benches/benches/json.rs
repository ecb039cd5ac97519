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

/// One group: the JSON-surface operation on each document beside `serde_json`'s `Value` parse of
/// the same bytes (the floor for any JSON-in API).
fn json_group(c: &mut Criterion, name: &str, op: Operation, docs: Vec<(usize, String)>) {
    let mut group = c.benchmark_group(name);
    for (n, text) in docs {
        assert!(run(op, &text).error.is_none());
        group.throughput(Throughput::Bytes(u64::try_from(text.len()).unwrap()));
        group.bench_with_input(
            BenchmarkId::new(format!("json_run_{}", op.as_str()), n),
            &text,
            |b, text| {
                b.iter(|| run(op, black_box(text)));
            },
        );
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

fn plan_json(c: &mut Criterion) {
    let docs = SIZES
        .into_iter()
        .map(|n| (n, plan_document(n).unwrap()))
        .collect();
    json_group(c, "plan_json", Operation::Plan, docs);
}

/// The same documents asking for the decision only (`"render": "decision"`): the JSON surface
/// rendering what its caller asks for.
fn plan_json_decision(c: &mut Criterion) {
    let docs = [0, 10]
        .into_iter()
        .map(|n| {
            let text = plan_document(n).unwrap();
            let rest = text.strip_prefix('{').unwrap();
            (n, format!(r#"{{"render":"decision",{rest}"#))
        })
        .collect();
    json_group(c, "plan_json_decision", Operation::Plan, docs);
}

fn apply_json(c: &mut Criterion) {
    let docs = [0, 10, 1_000]
        .into_iter()
        .map(|n| (n, apply_document(n).unwrap()))
        .collect();
    json_group(c, "apply_json", Operation::Apply, docs);
}

criterion_group!(benches, plan_json, plan_json_decision, apply_json);
criterion_main!(benches);
