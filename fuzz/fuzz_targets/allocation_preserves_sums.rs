//! Differential and exact-sum checks of `refund_rules::allocation` (the Digital River allocator).
//! Buckets are arbitrary `i64`s (both signs for the proportional tools, non-negative where a
//! bucket is "what is left"); steps are percentages, fractions of an arbitrary denominator and
//! fixed amounts, in any mix. Proves:
//! - `share` equals a naive i128 half-up (away from zero) model, for any bucket and fraction;
//! - successive `telescoping` parts of one bucket add up, at every prefix, to the model's share
//!   of the cumulative fraction (never past the bucket), and to exactly the bucket at 100 %;
//! - `largest_remainder` parts add up to the amount, none exceeds its weight, and successive
//!   fixed amounts adding up to the total empty every bucket exactly;
//! - mixing fixed amounts with cumulative percentages (`catch_up`, DR rule 1) never takes more
//!   than a bucket holds and at 100 % leaves every bucket exactly empty.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use refund_rules::allocation::{Ratio, catch_up, largest_remainder, share, telescoping};

#[derive(Debug, Arbitrary)]
enum Step {
    /// Hundredths of a percent (the position is capped at 100 %).
    Percent(u16),
    /// A fixed amount (capped at what is left).
    Amount(u64),
}

#[derive(Debug, Arbitrary)]
struct Input {
    buckets: Vec<i64>,
    den: u64,
    cuts: Vec<u64>,
    steps: Vec<Step>,
}

/// Half-up (away from zero) `total × num / den` in plain i128.
fn naive_share(total: i64, num: i128, den: i128) -> i128 {
    let p = i128::from(total).abs() * num;
    let q = p / den + i128::from(2 * (p % den) >= den);
    if total < 0 { -q } else { q }
}

fuzz_target!(|input: Input| {
    let buckets: Vec<i64> = input.buckets.iter().copied().take(8).collect();
    if buckets.is_empty() {
        return;
    }

    // 1. Telescoping fractions of an arbitrary denominator, adding up to one.
    let den = input.den.max(1);
    let mut cuts: Vec<u64> = input.cuts.iter().take(16).map(|c| c % den).collect();
    cuts.push(den);
    cuts.sort_unstable();
    cuts.dedup();
    for total in &buckets {
        let mut before = Ratio::ZERO;
        let mut prev = 0_u64;
        let mut sum: i128 = 0;
        for cut in &cuts {
            let after = Ratio::new(i128::from(*cut), i128::from(den)).unwrap();
            let part = telescoping(*total, before, after).unwrap();
            assert!(
                i128::from(part) * i128::from(total.signum()) >= 0,
                "{part} of {total}"
            );
            sum += i128::from(part);
            let model = naive_share(*total, i128::from(*cut), i128::from(den));
            assert_eq!(i128::from(share(*total, after).unwrap()), model);
            assert_eq!(sum, model, "prefix {cut}/{den} of {total}");
            assert!(sum.abs() <= i128::from(*total).abs());
            // Cumulative through checked_add lands on the same fraction.
            let step = Ratio::new(i128::from(*cut - prev), i128::from(den)).unwrap();
            let via_add = before.checked_add(step).unwrap();
            assert_eq!(
                share(*total, via_add).unwrap(),
                share(*total, after).unwrap()
            );
            prev = *cut;
            before = after;
        }
        assert_eq!(sum, i128::from(*total));
    }

    // 2. Fixed amounts and cumulative percentages mixed, over non-negative buckets whose sum
    //    fits in i64 (what an order's lines are).
    let totals: Vec<i64> = buckets
        .iter()
        .map(|b| b.checked_abs().unwrap_or(i64::MAX) / 8)
        .collect();
    let Some(grand) = totals.iter().try_fold(0_i64, |a, b| a.checked_add(*b)) else {
        return;
    };
    let mut taken = vec![0_i64; totals.len()];
    let mut position: u32 = 0;
    let mut only_percent = true;
    for step in input.steps.iter().take(32).chain([&Step::Percent(10_000)]) {
        match step {
            Step::Percent(h) => {
                let before = position;
                position = (position + u32::from(*h)).min(10_000);
                let after = Ratio::new(i128::from(position), 10_000).unwrap();
                for (i, total) in totals.iter().enumerate() {
                    let part = catch_up(*total, taken[i], after).unwrap();
                    assert!(part >= 0);
                    if only_percent {
                        // Nothing but percentages so far: catch-up is exactly telescoping.
                        let b = Ratio::new(i128::from(before), 10_000).unwrap();
                        assert_eq!(part, telescoping(*total, b, after).unwrap());
                    }
                    taken[i] += part;
                    assert!(taken[i] <= *total, "bucket {i}: {} > {total}", taken[i]);
                }
            }
            Step::Amount(a) => {
                let left: Vec<i64> = totals.iter().zip(&taken).map(|(t, k)| t - k).collect();
                let room: i64 = left.iter().sum();
                let amount = i64::try_from(*a % (u64::try_from(room).unwrap() + 1)).unwrap();
                if amount == 0 {
                    continue;
                }
                only_percent = false;
                let parts = largest_remainder(amount, &left).unwrap();
                assert_eq!(
                    parts.iter().map(|p| i128::from(*p)).sum::<i128>(),
                    i128::from(amount)
                );
                for (i, p) in parts.iter().enumerate() {
                    assert!(*p >= 0 && *p <= left[i], "part {p} of {}", left[i]);
                    taken[i] += p;
                }
            }
        }
    }
    assert_eq!(position, 10_000);
    assert_eq!(
        taken, totals,
        "100 % must empty every bucket exactly (grand total {grand})"
    );
});
