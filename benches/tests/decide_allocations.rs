//! `decide` allocates nothing: on a validated SimplePS ledger it returns its decision without
//! touching the heap, whatever the number of prior refunds (the running totals were taken once,
//! by `validate`). Counted with a counting global allocator; no timing.
#![allow(clippy::unwrap_used, reason = "test code")]

use std::alloc::System;
use std::hint::black_box;

use refund_rules::{PlanContext, Provider};
use refund_rules_benches::{simpleps_ledger, simpleps_request};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

#[test]
fn decide_allocates_nothing() {
    let request = simpleps_request().unwrap();
    let ctx = PlanContext::default();
    for n in [0, 10, 1_000] {
        let ledger = simpleps_ledger(n).unwrap();
        let valid = refund_rules::validate(Provider::SimplePs, &ledger).unwrap();
        // Warm-up, then the measured call.
        refund_rules::decide(&valid, &request, &ctx).unwrap();
        let region = Region::new(GLOBAL);
        let decision = refund_rules::decide(black_box(&valid), black_box(&request), &ctx);
        let stats = region.change();
        assert!(decision.is_ok());
        assert_eq!(
            (stats.allocations, stats.bytes_allocated),
            (0, 0),
            "decide at {n} refunds allocated"
        );
        // The rendered plan, by contrast, allocates (explanation, bodies, event).
        let region = Region::new(GLOBAL);
        black_box(refund_rules::plan(&ledger, &request, &ctx).unwrap());
        assert!(region.change().allocations > 0);
    }
}
