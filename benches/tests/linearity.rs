//! "Nothing is quadratic", checked by counting, not timing: the heap allocations (blocks and
//! bytes) of `plan` and `apply`, typed and through the JSON surface, on ledgers with 1,000 and
//! 10,000 prior refunds. Ten times the refunds may cost at most 12 times the allocation count
//! and 20 times the allocated bytes; a quadratic step would show ~100 times.
//!
//! Allocations cannot see a quadratic loop that does not allocate (an id scan per capture), so
//! every collection the engine walks (captures, lines, returns, allocations, applied events,
//! request items) is also checked by counting the instructions of one JSON call, in a child
//! process under `valgrind --tool=cachegrind` (deterministic, unlike time): 10× the items may
//! cost at most 12× the instructions. And unclosed nesting may allocate at most a few bytes
//! per input byte.
//!
//! The tests hold one lock, so no other test thread allocates while a region is open.
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
use std::process::Command;
use std::sync::Mutex;

use refund_rules::json::{Operation, run};
use refund_rules::{PlanContext, Provider};
use refund_rules_benches::{
    apply_document, collection_cases, plan_document, refund_created, simpleps_ledger,
    simpleps_request,
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

/// Held by every test: a region counts the allocations of all threads.
static SERIAL: Mutex<()> = Mutex::new(());

#[test]
fn plan_and_apply_allocations_grow_linearly_with_refunds() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
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

/// Instructions of `linearity-probe <case> <n>` (the whole process: fixture, parse, call).
fn instructions(case: &str, n: usize) -> u64 {
    let out = Command::new("valgrind")
        .args([
            "--tool=cachegrind",
            "--cache-sim=no",
            "--cachegrind-out-file=/dev/null",
            env!("CARGO_BIN_EXE_linearity-probe"),
            case,
            &n.to_string(),
        ])
        .output()
        .expect("valgrind runs (apt-get install valgrind; scripts/test-benches installs it)");
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{case} at {n}: {log}");
    let refs = log
        .lines()
        .find_map(|l| l.split_once("I   refs:"))
        .map(|(_, v)| v.trim().replace(',', ""))
        .unwrap_or_else(|| panic!("no instruction count for {case}: {log}"));
    refs.parse().unwrap()
}

/// 10× the items; the instruction count of linear code grows ~10×, of quadratic code ~100×.
const MAX_INSTRUCTIONS_RATIO: f64 = 12.0;

/// The incremental `apply` on a [`refund_rules::ValidatedLedger`]: the allocations of 50 events
/// do not grow with the ledger (1,000 vs 10,000 prior refunds): each step touches what the event
/// changes, not the ledger. Bytes are printed, not bounded: one doubling of the refunds `Vec`
/// may fall inside the window (amortized O(1), but 10× the bytes at 10× the refunds).
#[test]
fn incremental_apply_allocations_do_not_grow_with_the_ledger() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    const EVENTS: usize = 50;
    let measure = |n: usize| {
        let ledger = simpleps_ledger(n).unwrap();
        let events: Vec<_> = (1..=EVENTS)
            .map(|k| refund_created(n + k, "1.00", ledger.version + k as u64 - 1).unwrap())
            .collect();
        let mut valid = refund_rules::ValidatedLedger::new(Provider::SimplePs, ledger).unwrap();
        let region = Region::new(GLOBAL);
        for event in &events {
            black_box(valid.apply(event).unwrap());
        }
        let stats = region.change();
        assert_eq!(valid.ledger().refunds.len(), n + EVENTS);
        (stats.allocations, stats.bytes_allocated)
    };
    let (small_blocks, small_bytes) = measure(SMALL);
    let (large_blocks, large_bytes) = measure(LARGE);
    let ratio = large_blocks as f64 / small_blocks as f64;
    println!(
        "incremental apply, {EVENTS} events: blocks {small_blocks} -> {large_blocks} (x{ratio:.2}), bytes {small_bytes} -> {large_bytes}"
    );
    assert!(
        ratio <= 1.2,
        "{EVENTS} incremental applies allocate {small_blocks} blocks on {SMALL} refunds but {large_blocks} on {LARGE}"
    );
}

#[test]
fn every_collection_costs_linear_instructions() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let cases = collection_cases();
    // Two at a time: each child is single-threaded and cachegrind is slow.
    let results: Vec<(String, u64, u64)> = std::thread::scope(|s| {
        let (even, odd): (Vec<_>, Vec<_>) = cases.iter().enumerate().partition(|(i, _)| i % 2 == 0);
        let handles: Vec<_> = [even, odd]
            .into_iter()
            .map(|half| {
                s.spawn(move || {
                    half.into_iter()
                        .map(|(_, c)| {
                            (
                                c.name.to_owned(),
                                instructions(c.name, SMALL),
                                instructions(c.name, LARGE),
                            )
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let mut report = Vec::new();
    let mut failures = Vec::new();
    for (name, small, large) in &results {
        let ratio = *large as f64 / (*small).max(1) as f64;
        report.push(format!(
            "{name}: instructions {small} -> {large} (x{ratio:.2})"
        ));
        if ratio > MAX_INSTRUCTIONS_RATIO {
            failures.push(name.clone());
        }
    }
    println!("{SMALL} -> {LARGE} items:\n{}", report.join("\n"));
    assert!(
        failures.is_empty(),
        "superlinear instructions in {failures:?}:\n{}",
        report.join("\n")
    );
}

/// Allocated bytes per input byte for a document that fails on unclosed nesting.
const MAX_BYTES_PER_INPUT_BYTE: f64 = 8.0;

#[test]
fn unclosed_nesting_allocates_a_small_multiple_of_the_input() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    const SIZE: usize = 1 << 20;
    let ledger = r#"{"currency":"USD","authorized":"10.00","status":{"payment":"complete"},"captures":[{"id":"c","amount":"10.00","settled":true}]}"#;
    let request = r#"{"orderId":"o","currency":"USD","amount":1,"metadata":"#;
    let pad = |head: String, unit: &str, tail: &str| {
        let n = SIZE.saturating_sub(head.len() + tail.len()) / unit.len();
        format!("{head}{}{tail}", unit.repeat(n))
    };
    let half = |head: String, tail: &str| {
        let n = SIZE.saturating_sub(head.len() + tail.len()) / 2;
        format!("{head}{}{}{tail}", "[".repeat(n), "]".repeat(n))
    };
    let head =
        |field: &str| format!(r#"{{"provider":"digital_river","ledger":{ledger},"{field}":"#);
    let documents = [
        (
            "[[[… in request metadata",
            pad(format!("{}{request}", head("request")), "[", ""),
        ),
        (
            r#"{"a":… in request metadata"#,
            pad(format!("{}{request}", head("request")), r#"{"a":"#, ""),
        ),
        ("[[[… in options", pad(head("options"), "[", "")),
        // Closed, so the envelope parses; the provider body's error is located inside it.
        (
            "deep metadata, then an unknown field",
            half(format!("{}{request}", head("request")), r#","bogus":1}}"#),
        ),
    ];
    let mut report = Vec::new();
    let mut failures = Vec::new();
    for (name, text) in &documents {
        let (_, bytes) = count(|| {
            let out = run(Operation::Plan, text);
            assert!(out.error.is_some(), "{name}: {}", out.json);
            black_box(out);
        });
        let per_byte = bytes as f64 / text.len() as f64;
        report.push(format!(
            "{name}: {bytes} bytes allocated for {} input bytes (x{per_byte:.1})",
            text.len()
        ));
        if per_byte > MAX_BYTES_PER_INPUT_BYTE {
            failures.push(*name);
        }
    }
    println!("{}", report.join("\n"));
    assert!(
        failures.is_empty(),
        "memory grows with nesting in {failures:?}:\n{}",
        report.join("\n")
    );
}
