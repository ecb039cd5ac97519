//! `decide` allocates nothing: on a validated ledger of every provider it returns its decision
//! without touching the heap, whatever the number of prior refunds (the running totals were
//! taken once, by `validate`). Counted with a counting global allocator; no timing.
#![allow(clippy::unwrap_used, reason = "test code")]

use std::alloc::System;
use std::hint::black_box;

use refund_rules::Provider;
use refund_rules_benches::decide_call;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

#[test]
fn decide_allocates_nothing_for_any_provider() {
    for provider in Provider::ALL {
        for n in [0, 10, 1_000] {
            let call = decide_call(provider, n).unwrap();
            let valid = refund_rules::validate(provider, &call.ledger).unwrap();
            // Warm-up, then the measured call.
            refund_rules::decide(&valid, &call.request, &call.context).unwrap();
            let region = Region::new(GLOBAL);
            let decision =
                refund_rules::decide(black_box(&valid), black_box(&call.request), &call.context);
            let stats = region.change();
            let decision = decision.unwrap();
            assert_eq!(decision.provider, provider);
            assert!(!decision.rules.is_empty(), "{provider}: no rule named");
            assert_eq!(
                (stats.allocations, stats.bytes_allocated),
                (0, 0),
                "decide for {provider} at {n} refunds allocated"
            );
            // The rendered plan, by contrast, allocates (explanation, bodies, event).
            let region = Region::new(GLOBAL);
            black_box(refund_rules::plan(&call.ledger, &call.request, &call.context).unwrap());
            assert!(region.change().allocations > 0);
        }
    }
}

/// The counter counts: a decision that renders (the JSON of a `Decision` builds its rule list)
/// does allocate, so a zero above is not an allocator that sees nothing.
#[test]
fn the_counter_sees_allocations() {
    let call = decide_call(Provider::SimplePs, 10).unwrap();
    let valid = refund_rules::validate(Provider::SimplePs, &call.ledger).unwrap();
    let decision = refund_rules::decide(&valid, &call.request, &call.context).unwrap();
    let region = Region::new(GLOBAL);
    black_box(serde_json::to_string(&decision).unwrap());
    assert!(region.change().allocations > 0);
}
