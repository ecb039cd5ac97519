//! Digital River's exact allocation (`refund_rules::allocation`): telescoping proportional
//! shares, and largest-remainder splits over 3…1,000 buckets.
#![allow(
    clippy::unwrap_used,
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    clippy::as_conversions,
    reason = "bench code"
)]

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use refund_rules::allocation::{Ratio, largest_remainder, share, telescoping};

fn allocation(c: &mut Criterion) {
    let mut group = c.benchmark_group("allocation");
    let half = Ratio::new(1, 2).unwrap();
    let whole = Ratio::new(1, 1).unwrap();
    assert_eq!(telescoping(2701, Ratio::ZERO, half), Ok(1351));
    group.bench_function("share/2701x1/2", |b| {
        b.iter(|| share(black_box(2701), black_box(half)));
    });
    group.bench_function("telescoping/2701_1/2..1", |b| {
        b.iter(|| telescoping(black_box(2701), black_box(half), black_box(whole)));
    });
    // Ten successive 10% refunds of one bucket: they must add up to the bucket exactly.
    let tenths: Vec<Ratio> = (0..=10).map(|k| Ratio::new(k, 10).unwrap()).collect();
    let total: i64 = tenths
        .windows(2)
        .map(|w| telescoping(99_999, w[0], w[1]).unwrap())
        .sum();
    assert_eq!(total, 99_999);
    group.bench_function("telescoping_sequence/10", |b| {
        b.iter(|| {
            black_box(&tenths)
                .windows(2)
                .map(|w| telescoping(black_box(99_999), w[0], w[1]))
                .sum::<Result<i64, _>>()
        });
    });
    for buckets in [3_usize, 10, 100, 1_000] {
        let weights: Vec<i64> = (1..=buckets as i64).map(|k| 1_000 + 37 * k).collect();
        let amount = weights.iter().sum::<i64>() / 3;
        let parts = largest_remainder(amount, &weights).unwrap();
        assert_eq!(parts.iter().sum::<i64>(), amount);
        group.throughput(Throughput::Elements(buckets as u64));
        group.bench_with_input(
            BenchmarkId::new("largest_remainder", buckets),
            &weights,
            |b, weights| b.iter(|| largest_remainder(black_box(amount), black_box(weights))),
        );
    }
    group.finish();
}

criterion_group!(benches, allocation);
criterion_main!(benches);
