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

/// The counter is global, and libtest runs tests (and reports them) on other threads: one
/// test runs the three checks in turn, so that no other thread allocates while one counts.
#[test]
fn decide_allocates_nothing() {
    the_counter_sees_allocations();
    decide_allocates_nothing_for_any_provider();
    decide_allocates_nothing_on_the_shared_vectors();
}

/// Every provider's own ledger at 0, 10 and 1,000 prior refunds.
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
fn the_counter_sees_allocations() {
    let call = decide_call(Provider::SimplePs, 10).unwrap();
    let valid = refund_rules::validate(Provider::SimplePs, &call.ledger).unwrap();
    let decision = refund_rules::decide(&valid, &call.request, &call.context).unwrap();
    let region = Region::new(GLOBAL);
    black_box(serde_json::to_string(&decision).unwrap());
    assert!(region.change().allocations > 0);
}

/// Every shared `plan` vector that decides, decided again with the allocations counted: zero,
/// but for the documented exceptions (`benches/README.md`): Digital River sizing over order
/// lines (the line index and the allocations), an idempotent replay (the request's fingerprint,
/// built to compare with the first one's) and a Commerce Layer `_forward` whose third guard
/// fails (the table's refusal names the move in text).
fn decide_allocates_nothing_on_the_shared_vectors() {
    let vectors = refund_rules_vectors::load().unwrap();
    let (mut counted, mut excepted) = (0_usize, 0_usize);
    let mut allocating = Vec::new();
    for v in vectors.iter().filter(|v| v.operation == "plan") {
        let Ok(call) = refund_rules::json::parse_plan_input(&v.input) else {
            continue;
        };
        let Ok(valid) = refund_rules::validate(call.request.provider(), &call.ledger) else {
            continue;
        };
        let Ok(decision) = refund_rules::decide(&valid, &call.request, &call.context) else {
            continue;
        };
        let region = Region::new(GLOBAL);
        let again =
            refund_rules::decide(black_box(&valid), black_box(&call.request), &call.context);
        let stats = region.change();
        assert_eq!(again.unwrap(), decision);
        let exception = (decision.provider == Provider::DigitalRiver
            && !call.ledger.lines.is_empty())
            || decision.replay
            || (decision.operation == refund_rules::Operation::Forward
                && decision.refund_state != Some(refund_rules::RefundState::Succeeded));
        if exception {
            excepted = excepted.saturating_add(1);
        } else {
            counted = counted.saturating_add(1);
            if stats.allocations > 0 {
                allocating.push(format!("{} :: {}", v.file.display(), v.name));
            }
        }
    }
    eprintln!("{counted} decisions counted, {excepted} excepted");
    assert!(
        allocating.is_empty(),
        "decide allocated on: {allocating:#?}"
    );
    assert!(
        counted > 50 && excepted > 0,
        "{counted} counted, {excepted} excepted"
    );
}
