//! The strategies generate realistic mixes (measured shares per provider) and find a planted
//! "forgot pending refunds" bug within 200 examples.
#![allow(clippy::arithmetic_side_effects, clippy::panic, reason = "test code")]

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use refund_rules::strategies::{COVERED_PROVIDERS, ledger};
use refund_rules::{Ledger, Provider, RefundState};

/// Samples per provider for the mix measurement.
const SAMPLES: u32 = 1_000;

/// Shares of generated ledgers with each feature, in percent.
#[derive(Debug, Default)]
struct Mix {
    refund: u32,
    two_refunds: u32,
    pending: u32,
    failed: u32,
    captures2: u32,
    lines: u32,
    returns: u32,
    full: u32,
    one_left: u32,
    exp0: u32,
    exp3: u32,
    huge: u32,
    refundable: u32,
}

fn measure(provider: Provider) -> Mix {
    let mut runner = TestRunner::deterministic();
    let s = ledger(provider);
    let mut m = Mix::default();
    for _ in 0..SAMPLES {
        let Ok(tree) = s.new_tree(&mut runner) else {
            continue;
        };
        let l: Ledger = tree.current();
        let count = |b: bool| u32::from(b);
        m.refund += count(!l.refunds.is_empty());
        m.two_refunds += count(l.refunds.len() >= 2);
        m.pending += count(l.refunds.iter().any(|r| r.state.reserves()));
        m.failed += count(
            l.refunds
                .iter()
                .any(|r| matches!(r.state, RefundState::Failed | RefundState::Expired)),
        );
        m.captures2 += count(l.captures.len() >= 2);
        m.lines += count(!l.lines.is_empty());
        m.returns += count(!l.returns.is_empty());
        m.exp0 += count(l.currency.exponent() == 0);
        m.exp3 += count(l.currency.exponent() == 3);
        m.huge += count(l.authorized.get() > i64::MAX / 2);
        if let Ok(r) = provider.refundable(&l) {
            m.full += count(r.captured.is_positive() && !r.available.is_positive());
            m.one_left += count(r.available.get() == 1);
            m.refundable += count(r.available.is_positive());
        }
    }
    let pct = |n: u32| n.saturating_mul(100) / SAMPLES;
    Mix {
        refund: pct(m.refund),
        two_refunds: pct(m.two_refunds),
        pending: pct(m.pending),
        failed: pct(m.failed),
        captures2: pct(m.captures2),
        lines: pct(m.lines),
        returns: pct(m.returns),
        full: pct(m.full),
        one_left: pct(m.one_left),
        exp0: pct(m.exp0),
        exp3: pct(m.exp3),
        huge: pct(m.huge),
        refundable: pct(m.refundable),
    }
}

/// Minimum shares (percent) of generated ledgers, per provider; see the module docs of
/// `refund_rules::strategies` for the measured values.
#[test]
fn ledger_mixes() {
    for provider in COVERED_PROVIDERS {
        let p = *provider;
        let m = measure(p);
        println!("{p}: {m:?}");
        let states = p.machines().refund.states;
        let has_pending = states.iter().any(|s| s.reserves());
        let several_captures = matches!(p, Provider::DigitalRiver | Provider::CommerceLayer);
        assert!(m.refund >= 30, "{p}: {}% with a refund", m.refund);
        assert!(m.refundable >= 25, "{p}: {}% refundable", m.refundable);
        assert!(m.full >= 10, "{p}: {}% fully refunded", m.full);
        assert!(m.exp0 >= 10 && m.exp3 >= 10, "{p}: currencies {m:?}");
        assert!(m.huge >= 3, "{p}: {}% near the i64 edge", m.huge);
        if has_pending {
            assert!(m.pending >= 10, "{p}: {}% with a pending refund", m.pending);
        } else {
            assert_eq!(m.pending, 0, "{p}: pending refunds it has no state for");
        }
        if p != Provider::AlternativePayments {
            // Alternative Payments refunds are full only (AP1): never one unit left.
            assert!(
                m.one_left >= 3,
                "{p}: {}% with one minor unit left",
                m.one_left
            );
            assert!(
                m.two_refunds >= 10,
                "{p}: {}% with two refunds",
                m.two_refunds
            );
        }
        if states.contains(&RefundState::Failed) {
            assert!(m.failed >= 2, "{p}: {}% with a failed refund", m.failed);
        }
        if several_captures {
            assert!(m.captures2 >= 10, "{p}: {}% with 2+ captures", m.captures2);
        }
        if p == Provider::DigitalRiver {
            assert!(m.lines >= 10, "{p}: {}% with lines", m.lines);
        }
        if p == Provider::CommerceLayer {
            assert!(m.returns >= 10, "{p}: {}% with returns", m.returns);
        }
    }
}

/// What a refund service thinks is still refundable, computed from the ledger by hand:
/// captured (settled only where the provider refunds settled money only) minus succeeded
/// refunds, minus pending ones unless `forget_pending` (the planted bug).
fn toy_available(provider: Provider, l: &Ledger, forget_pending: bool) -> i128 {
    let settled_only = provider.machines().refunds_settled_only;
    let captured: i128 = l
        .captures
        .iter()
        .filter(|c| c.settled || !settled_only)
        .map(|c| i128::from(c.amount.get()))
        .sum();
    let held: i128 = l
        .refunds
        .iter()
        .filter(|r| r.state == RefundState::Succeeded || (!forget_pending && r.state.reserves()))
        .map(|r| i128::from(r.amount.get()))
        .sum();
    (captured - held).max(0)
}

/// Runs "the toy agrees with the engine's `Provider::refundable`" over 200 generated ledgers
/// with a fixed seed: `Ok(cases)` when it held, `Err(case)` with the 1-based case that first
/// failed.
fn run_toy(provider: Provider, forget_pending: bool) -> Result<u32, u32> {
    let config = Config {
        cases: 200,
        failure_persistence: None,
        rng_algorithm: RngAlgorithm::ChaCha,
        ..Config::default()
    };
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[13; 32]);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let seen = std::cell::Cell::new(0_u32);
    let first_failure = std::cell::Cell::new(None::<u32>);
    let result = runner.run(&ledger(provider), |l| {
        if first_failure.get().is_none() {
            seen.set(seen.get() + 1);
        }
        let Ok(engine) = provider.refundable(&l) else {
            return Ok(());
        };
        let toy = toy_available(provider, &l, forget_pending);
        if toy != i128::from(engine.available.get()) {
            first_failure
                .get()
                .is_none()
                .then(|| first_failure.set(Some(seen.get())));
            return Err(TestCaseError::fail(format!(
                "toy says {toy}, the engine {}",
                engine.available.get()
            )));
        }
        Ok(())
    });
    match result {
        Ok(()) => Ok(seen.get()),
        Err(TestError::Fail(..)) => Err(first_failure.get().unwrap_or(0)),
        Err(e) => panic!("{provider}: {e}"),
    }
}

/// The planted bug: a refund function that forgets pending refunds is caught within 200
/// generated ledgers for every provider that has pending refunds; the same function counting
/// them passes. SimplePS refunds are synchronous (created `succeeded`, SP1): there is no
/// pending refund to forget, so there the two functions agree and the toy must pass.
#[test]
fn planted_forgot_pending_bug_is_caught() {
    for provider in COVERED_PROVIDERS {
        let p = *provider;
        let has_pending = p.machines().refund.states.iter().any(|s| s.reserves());
        assert_eq!(run_toy(p, false), Ok(200), "{p}: the correct toy must pass");
        let buggy = run_toy(p, true);
        println!("{p}: forgot-pending toy {buggy:?}");
        if has_pending {
            assert!(
                buggy.is_err(),
                "{p}: forgot-pending bug not caught in 200 cases"
            );
        } else {
            assert_eq!(buggy, Ok(200), "{p}: no pending state, the toy is correct");
        }
    }
}
