//! Typed `refund_rules::apply`: one `refund_created` on ledgers with 0…100,000 prior refunds,
//! and whole event sequences (capture, partial refunds, final refund) from an authorized payment,
//! on the full path (`apply` per event: `lifecycle`) and the validated one (validate once, then
//! `ValidatedLedger::apply` per event: `lifecycle_validated`), in one group.
#![allow(
    clippy::unwrap_used,
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    clippy::as_conversions,
    reason = "bench code"
)]

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use refund_rules::Provider;
use refund_rules_benches::{
    SIZES, apply_all, apply_all_validated, authorized_ledger, lifecycle, refund_created,
    simpleps_ledger,
};

fn apply_one(c: &mut Criterion) {
    let mut group = c.benchmark_group("apply_typed");
    for n in SIZES {
        let ledger = simpleps_ledger(n).unwrap();
        let event = refund_created(n + 1, "25.00", ledger.version).unwrap();
        refund_rules::apply(Provider::SimplePs, &ledger, &event).unwrap();
        group.throughput(Throughput::Elements(u64::try_from(n.max(1)).unwrap()));
        group.bench_with_input(
            BenchmarkId::new("refund_created", n),
            &ledger,
            |b, ledger| {
                b.iter(|| refund_rules::apply(Provider::SimplePs, black_box(ledger), &event));
            },
        );
    }
    group.finish();
}

fn apply_sequence(c: &mut Criterion) {
    let mut group = c.benchmark_group("apply_sequence");
    let start = authorized_ledger().unwrap();
    for len in [2, 10, 100] {
        let events = lifecycle(len).unwrap();
        let end = apply_all(&start, &events).unwrap();
        assert_eq!(end.status.payment, "REFUNDED");
        group.throughput(Throughput::Elements(u64::try_from(len).unwrap()));
        assert_eq!(apply_all_validated(&start, &events).unwrap(), end);
        group.bench_with_input(BenchmarkId::new("lifecycle", len), &events, |b, events| {
            b.iter(|| apply_all(black_box(&start), black_box(events)));
        });
        // Validate once, then apply each event incrementally (`ValidatedLedger::apply`).
        group.bench_with_input(
            BenchmarkId::new("lifecycle_validated", len),
            &events,
            |b, events| {
                b.iter(|| apply_all_validated(black_box(&start), black_box(events)));
            },
        );
    }
    group.finish();
}

criterion_group!(benches, apply_one, apply_sequence);
criterion_main!(benches);
