//! "Nothing is quadratic", checked by counting, not timing: the heap allocations (blocks and
//! bytes) of `plan` and `apply`, typed and through the JSON surface, on ledgers with 1,000 and
//! 10,000 prior refunds. Ten times the refunds may cost at most 12 times the allocation count
//! and 20 times the allocated bytes; a quadratic step would show ~100 times.
//!
//! One `#[test]` only, so no other test thread allocates while a region is open.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]
#![allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::as_conversions,
    clippy::float_arithmetic,
    reason = "test code"
)]

use std::alloc::System;
use std::hint::black_box;

use refund_rules::json::{Operation, run};
use refund_rules::{PlanContext, Provider};
use refund_rules_benches::{
    apply_document, plan_document, refund_created, simpleps_ledger, simpleps_request,
};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const SMALL: usize = 1_000;
const LARGE: usize = 10_000;
/// 10× the input; 12× leaves room for the log n extra blocks of amortized growth.
const MAX_BLOCKS_RATIO: f64 = 12.0;
/// Bytes follow capacities, which double: a `Vec` of 1,000 items ends at capacity 1,024 and
/// one of 10,000 at 16,384, so linear code can show up to 16× here. Quadratic would be ~100×.
const MAX_BYTES_RATIO: f64 = 20.0;

/// Allocations (blocks, bytes) of one call of `f`, after one unmeasured warm-up call.
fn count(mut f: impl FnMut()) -> (usize, usize) {
    f();
    let region = Region::new(GLOBAL);
    f();
    let stats = region.change();
    (stats.allocations, stats.bytes_allocated)
}

struct Case {
    name: &'static str,
    run: fn(usize) -> Box<dyn FnMut()>,
}

fn typed_plan(n: usize) -> Box<dyn FnMut()> {
    let ledger = simpleps_ledger(n).unwrap();
    let request = simpleps_request().unwrap();
    Box::new(move || {
        black_box(refund_rules::plan(&ledger, &request, &PlanContext::default()).unwrap());
    })
}

fn json_plan(n: usize) -> Box<dyn FnMut()> {
    let text = plan_document(n).unwrap();
    Box::new(move || {
        let out = run(Operation::Plan, &text);
        assert!(out.error.is_none(), "{}", out.json);
        black_box(out);
    })
}

fn typed_apply(n: usize) -> Box<dyn FnMut()> {
    let ledger = simpleps_ledger(n).unwrap();
    let event = refund_created(n + 1, "25.00", ledger.version).unwrap();
    Box::new(move || {
        black_box(refund_rules::apply(Provider::SimplePs, &ledger, &event).unwrap());
    })
}

fn json_apply(n: usize) -> Box<dyn FnMut()> {
    let text = apply_document(n).unwrap();
    Box::new(move || {
        let out = run(Operation::Apply, &text);
        assert!(out.error.is_none(), "{}", out.json);
        black_box(out);
    })
}

#[test]
fn plan_and_apply_allocations_grow_linearly_with_refunds() {
    let cases = [
        Case {
            name: "typed plan",
            run: typed_plan,
        },
        Case {
            name: "json plan",
            run: json_plan,
        },
        Case {
            name: "typed apply",
            run: typed_apply,
        },
        Case {
            name: "json apply",
            run: json_apply,
        },
    ];
    let mut report = Vec::new();
    let mut failures = Vec::new();
    for case in &cases {
        let (small_blocks, small_bytes) = count((case.run)(SMALL));
        let (large_blocks, large_bytes) = count((case.run)(LARGE));
        assert!(small_blocks > 0, "{}: the counter saw nothing", case.name);
        let blocks = large_blocks as f64 / small_blocks as f64;
        let bytes = large_bytes as f64 / small_bytes.max(1) as f64;
        report.push(format!(
            "{}: blocks {small_blocks} -> {large_blocks} (x{blocks:.2}), bytes {small_bytes} -> {large_bytes} (x{bytes:.2})",
            case.name
        ));
        if blocks > MAX_BLOCKS_RATIO || bytes > MAX_BYTES_RATIO {
            failures.push(case.name);
        }
    }
    // The fixed cost of one typed plan (what bounds it from below, see benches/README.md).
    let (blocks, bytes) = count(typed_plan(10));
    report.push(format!(
        "one typed plan at 10 refunds: {blocks} allocations, {bytes} bytes"
    ));
    // Visible with `--nocapture`; the README quotes these.
    println!("{SMALL} -> {LARGE} prior refunds:\n{}", report.join("\n"));
    assert!(
        failures.is_empty(),
        "superlinear allocations in {failures:?}:\n{}",
        report.join("\n")
    );
}
