//! Typed `refund_rules::plan` on a SimplePS ledger with 0, 10, 1,000 and 100,000 prior refunds.
//! Targets: ≤ 100 ns at 10 refunds; linear in refunds (≤ 5 ms at 100,000).
#![allow(
    clippy::unwrap_used,
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    clippy::as_conversions,
    reason = "bench code"
)]

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use refund_rules::{PlanContext, Provider};
use refund_rules_benches::{decide_call, simpleps_ledger, simpleps_ledger_from, simpleps_request};

fn plan(c: &mut Criterion) {
    let mut group = c.benchmark_group("plan_typed");
    let request = simpleps_request().unwrap();
    let ctx = PlanContext::default();
    // SIZES plus 10,000, to show where the cost per refund starts to rise (caches).
    for n in [0, 10, 1_000, 10_000, 100_000] {
        let ledger = simpleps_ledger(n).unwrap();
        // Sanity: every measured call decides (no early rejection).
        refund_rules::plan(&ledger, &request, &ctx).unwrap();
        group.throughput(Throughput::Elements(u64::try_from(n.max(1)).unwrap()));
        group.bench_with_input(BenchmarkId::new("simpleps", n), &ledger, |b, ledger| {
            b.iter(|| refund_rules::plan(black_box(ledger), black_box(&request), &ctx));
        });
    }
    group.finish();
}

/// Where a plan's time goes: the ledger validation every plan runs first, one refundable
/// breakdown, and the Display of one amount (a plan renders several for its explanation and
/// provider bodies).
fn plan_parts(c: &mut Criterion) {
    let mut group = c.benchmark_group("plan_parts");
    for n in [10, 100_000] {
        let ledger = simpleps_ledger(n).unwrap();
        group.bench_with_input(BenchmarkId::new("check_ledger", n), &ledger, |b, ledger| {
            b.iter(|| refund_rules::provider::check_ledger(Provider::SimplePs, black_box(ledger)));
        });
        group.bench_with_input(BenchmarkId::new("refundable", n), &ledger, |b, ledger| {
            b.iter(|| black_box(ledger).refundable());
        });
    }
    let amount = simpleps_ledger(10)
        .unwrap()
        .refundable()
        .unwrap()
        .available_money();
    group.bench_function("money_to_string", |b| {
        b.iter(|| black_box(amount).to_string());
    });
    group.finish();
}

/// Ledgers whose refund ids take `refund_{n+1}`… (the ids a plan tries first): the default id
/// search must stay linear.
fn plan_taken_ids(c: &mut Criterion) {
    let mut group = c.benchmark_group("plan_typed_taken_ids");
    let request = simpleps_request().unwrap();
    let ctx = PlanContext::default();
    for n in [1_000, 10_000] {
        let ledger = simpleps_ledger_from(n, n + 1).unwrap();
        refund_rules::plan(&ledger, &request, &ctx).unwrap();
        group.throughput(Throughput::Elements(u64::try_from(n).unwrap()));
        group.bench_with_input(BenchmarkId::new("simpleps", n), &ledger, |b, ledger| {
            b.iter(|| refund_rules::plan(black_box(ledger), black_box(&request), &ctx));
        });
    }
    group.finish();
}

/// The decide-only path against the floor it is measured by, in one group: a flat loop that
/// sums the same refund amounts as `i64` and compares the request with what remains. Targets
/// (issue "one layered core"): `decide` ≤ 3× the floor at 10 refunds, the rendered `plan` ≤ 25×,
/// and `decide` on a validated ledger of 100,000 refunds ≤ 2 ms. `decide/<provider>/10` is each
/// provider's decision on its ledger of 10 prior refunds (`decide_document`), in the same run.
fn decide(c: &mut Criterion) {
    let mut group = c.benchmark_group("decide_vs_floor");
    let request = simpleps_request().unwrap();
    let ctx = PlanContext::default();
    for n in [10, 100_000] {
        let ledger = simpleps_ledger(n).unwrap();
        let valid = refund_rules::validate(Provider::SimplePs, &ledger).unwrap();
        refund_rules::decide(&valid, &request, &ctx).unwrap();
        let captured: i64 = 100_000_000;
        let refunds: Vec<i64> = vec![100; n];
        let asked: i64 = 2_500;
        group.bench_with_input(
            BenchmarkId::new("floor_flat_i64_loop", n),
            &refunds,
            |b, refunds| {
                b.iter(|| {
                    let refunded: i64 = black_box(refunds).iter().sum();
                    black_box(asked) <= captured - refunded
                });
            },
        );
        group.bench_with_input(BenchmarkId::new("decide", n), &valid, |b, valid| {
            b.iter(|| refund_rules::decide(black_box(valid), black_box(&request), &ctx));
        });
        group.bench_with_input(BenchmarkId::new("plan", n), &ledger, |b, ledger| {
            b.iter(|| refund_rules::plan(black_box(ledger), black_box(&request), &ctx));
        });
    }
    for provider in Provider::ALL {
        let call = decide_call(provider, 10).unwrap();
        let valid = refund_rules::validate(provider, &call.ledger).unwrap();
        refund_rules::decide(&valid, &call.request, &call.context).unwrap();
        group.bench_with_input(
            BenchmarkId::new(format!("decide/{provider}"), 10),
            &valid,
            |b, valid| {
                b.iter(|| {
                    refund_rules::decide(black_box(valid), black_box(&call.request), &call.context)
                });
            },
        );
    }
    group.finish();
}

criterion_group!(benches, plan, plan_parts, plan_taken_ids, decide);
criterion_main!(benches);
