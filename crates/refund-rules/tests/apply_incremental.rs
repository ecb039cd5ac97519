//! The incremental `apply` on a [`ValidatedLedger`] checks exactly what the full ledger check
//! checks (issue #11's guarantee, issue #12 item 4): for random ledgers of all five providers and
//! random event sequences (including events twisted to break the ledger's rules: a reused id, a
//! wrong state, a missing capture, allocations that do not add up), every step gives the same
//! next ledger or the same error as [`refund_rules::apply`] — which validates from scratch and
//! runs the full check on its result, so an incremental check that lets something through shows
//! as a difference here — the ledger it produces passes the full check, and its running totals
//! equal the totals summed from scratch. The shared vectors pin the answers themselves.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "test code"
)]

use proptest::prelude::*;
use refund_rules::provider::check_ledger;
use refund_rules::strategies::test_config as config;
use refund_rules::strategies::{Op, amount_pick, covered_provider, ledger, op, op_event};
use refund_rules::{
    Event, EventKind, Ledger, Minor, Provider, ProviderRequest, RefundState, ValidatedLedger,
    apply, decide, validate,
};

/// How a generated event is bent before it is applied, so that the checks that only a broken
/// event reaches run too.
#[derive(Debug, Clone, Copy)]
enum Twist {
    /// As generated.
    None,
    /// Under the id of an earlier event (a replay or a conflict).
    ReuseId(usize),
    /// Without its expected version.
    NoVersion,
    /// A refund created in another state (maybe not an initial one).
    State(usize),
    /// A refund without its capture (Commerce Layer refunds always name one).
    NoCapture,
    /// A refund whose allocations lose one (0), take one minor unit more (1), or take one minor
    /// unit more of a line with the refund one more too (2: past what the line holds when the
    /// refund took all of it).
    Allocations(u8),
    /// A refund of one minor unit more.
    OneMore,
    /// A new refund taking the same amount and lines as an earlier refund's creation (its lines
    /// taken twice: past what a line holds when the earlier one took all of it).
    Repeat(usize),
    /// A refund whose allocations move every line's amount onto the first line (the same
    /// total: past what that line holds when it is large enough).
    Concentrate,
}

fn twist() -> BoxedStrategy<Twist> {
    prop_oneof![
        10 => Just(Twist::None),
        1 => (0_usize..32).prop_map(Twist::ReuseId),
        1 => Just(Twist::NoVersion),
        1 => (0_usize..5).prop_map(Twist::State),
        1 => Just(Twist::NoCapture),
        2 => (0_u8..3).prop_map(Twist::Allocations),
        1 => Just(Twist::OneMore),
        2 => (0_usize..32).prop_map(Twist::Repeat),
        2 => Just(Twist::Concentrate),
    ]
    .boxed()
}

fn bend(mut event: Event, twist: Twist, earlier: &[Event]) -> Event {
    match (twist, &mut event.kind) {
        (Twist::ReuseId(n), _) if !earlier.is_empty() => {
            event.id = earlier[n % earlier.len()].id.clone();
        }
        (Twist::NoVersion, _) => event.expected_version = None,
        (Twist::State(n), EventKind::RefundCreated { state, .. }) => {
            *state = RefundState::ALL[n % RefundState::ALL.len()];
        }
        (Twist::NoCapture, EventKind::RefundCreated { capture_id, .. }) => *capture_id = None,
        (
            Twist::Allocations(how),
            EventKind::RefundCreated {
                allocations,
                amount,
                ..
            },
        ) => {
            if how == 0 {
                allocations.pop();
            } else if let Some(a) = allocations.first_mut() {
                a.amount = Minor::new(a.amount.get().saturating_add(1));
                if how == 2 {
                    amount.minor = Minor::new(amount.minor.get().saturating_add(1));
                }
            }
        }
        (Twist::OneMore, EventKind::RefundCreated { amount, .. })
        | (Twist::OneMore, EventKind::PaymentCaptured { amount, .. }) => {
            amount.minor = Minor::new(amount.minor.get().saturating_add(1));
        }
        (Twist::Concentrate, EventKind::RefundCreated { allocations, .. }) => {
            let rest: i64 = allocations.iter().skip(1).map(|a| a.amount.get()).sum();
            for a in allocations.iter_mut().skip(1) {
                a.amount = Minor::ZERO;
            }
            if let Some(a) = allocations.first_mut() {
                a.amount = Minor::new(a.amount.get().saturating_add(rest));
            }
        }
        (Twist::Repeat(n), EventKind::RefundCreated { .. }) => {
            let created: Vec<&Event> = earlier
                .iter()
                .filter(|e| matches!(e.kind, EventKind::RefundCreated { .. }))
                .collect();
            if let (
                Some(Event {
                    kind:
                        EventKind::RefundCreated {
                            amount: a0,
                            allocations: l0,
                            capture_id: c0,
                            ..
                        },
                    ..
                }),
                EventKind::RefundCreated {
                    amount,
                    allocations,
                    capture_id,
                    ..
                },
            ) = (created.get(n % created.len().max(1)), &mut event.kind)
            {
                *amount = *a0;
                allocations.clone_from(l0);
                capture_id.clone_from(c0);
            }
        }
        _ => {}
    }
    event
}

/// The carried totals equal the totals summed from scratch, and the full check accepts.
fn same_totals(provider: Provider, valid: &ValidatedLedger) -> Result<(), TestCaseError> {
    let ledger = valid.ledger();
    prop_assert_eq!(check_ledger(provider, ledger), Ok(()));
    prop_assert_eq!(valid.refundable_all(), ledger.refundable());
    prop_assert_eq!(valid.maximum(), provider.refundable(ledger));
    for c in &ledger.captures {
        prop_assert_eq!(
            valid.capture_refundable(&c.id),
            Some(ledger.refundable_for_capture(&c.id))
        );
    }
    for l in &ledger.lines {
        prop_assert_eq!(valid.line_usage(&l.id), ledger.line_usage(&l.id).ok());
    }
    // The borrowed view decides on the same totals as validating again.
    if let (Ok(view), Ok(again)) = (valid.view(), validate(provider, ledger)) {
        prop_assert_eq!(view.refundable_all(), again.refundable_all());
        prop_assert_eq!(view.maximum(), again.maximum());
    }
    Ok(())
}

/// An [`Op`], with more refunds planned through the provider's own request (allocations,
/// keys, captures) than [`op`] draws.
fn step() -> BoxedStrategy<Op> {
    prop_oneof![
        3 => op(),
        1 => proptest::option::of(amount_pick()).prop_map(|pick| Op::PlanRefund { pick }),
    ]
    .boxed()
}

/// Event ids of the steps: after the ones the generated ledger already holds (`ev_<n>`).
const FIRST_SEQ: usize = 1_000;

fn case() -> impl Strategy<Value = (Provider, Ledger, Vec<(Op, Twist)>)> {
    covered_provider().prop_flat_map(|p| {
        (
            Just(p),
            ledger(p),
            proptest::collection::vec((step(), twist()), 0..=24),
        )
    })
}

proptest! {
    #![proptest_config(config())]

    /// Incremental apply == full apply, step by step, for all five providers; the carried
    /// totals equal the recomputed ones after every step.
    #[test]
    fn incremental_apply_is_full_apply((provider, start, steps) in case()) {
        let mut valid = match ValidatedLedger::new(provider, start.clone()) {
            Ok(v) => v,
            Err(e) => {
                // Refused up front exactly as `apply` refuses any event on it.
                let probe = Event { id: "probe".into(), expected_version: None, kind: EventKind::PaymentAuthorized };
                prop_assert_eq!(apply(provider, &start, &probe).err(), Some(e));
                return Ok(());
            }
        };
        same_totals(provider, &valid)?;
        let mut full = start;
        let mut earlier: Vec<Event> = Vec::new();
        for (seq, (op, twist)) in steps.iter().enumerate() {
            let Some(event) = op_event(provider, &full, op, FIRST_SEQ + seq) else { continue };
            let event = bend(event, *twist, &earlier);
            let expected = apply(provider, &full, &event);
            let before = valid.ledger().clone();
            let got = valid.apply(&event);
            match (&expected, &got) {
                (Ok(e), Ok(g)) => {
                    prop_assert_eq!(&e.ledger, valid.ledger(), "{:?}", event);
                    prop_assert_eq!(e.duplicate, g.duplicate);
                    prop_assert_eq!(&e.status_before, &g.status_before);
                    full = e.ledger.clone();
                }
                (Err(e), Err(g)) => {
                    prop_assert_eq!(e, g, "{:?}", event);
                    prop_assert_eq!(valid.ledger(), &before, "a refused event changed the ledger");
                }
                _ => prop_assert!(false, "{provider}: full {:?} but incremental {:?} on {:?}", expected, got, event),
            }
            same_totals(provider, &valid)?;
            earlier.push(event);
        }
    }

    /// A decision on the running ledger (the borrowed view) is the decision on a ledger
    /// validated from scratch: the stream and the decide path agree.
    #[test]
    fn decide_on_the_view_is_decide_on_a_fresh_validation(
        (provider, start, steps) in case(),
    ) {
        let Ok(mut valid) = ValidatedLedger::new(provider, start) else { return Ok(()) };
        for (seq, (op, _)) in steps.iter().enumerate() {
            let Some(event) = op_event(provider, valid.ledger(), op, FIRST_SEQ + seq) else { continue };
            let _ = valid.apply(&event);
        }
        let ledger = valid.ledger().clone();
        let doc = refund_rules::strategies::amount_request(provider, &ledger, None);
        let Ok(request) = ProviderRequest::from_json(provider, doc.body.as_deref(), doc.options.as_deref()) else {
            return Ok(());
        };
        let ctx = refund_rules::strategies::plan_context(&ledger, None);
        match (valid.view(), validate(provider, &ledger)) {
            (Ok(view), Ok(fresh)) => {
                prop_assert_eq!(decide(&view, &request, &ctx), decide(&fresh, &request, &ctx));
            }
            (view, fresh) => prop_assert_eq!(view.err(), fresh.err()),
        }
    }
}

/// The lifecycle of the benchmark, event by event: the same ledgers on both paths.
#[test]
fn the_benchmark_lifecycle_is_the_same_on_both_paths() {
    use refund_rules::{Money, Statuses, parse_money};
    let usd = refund_rules::Currency::from_code("USD").unwrap();
    let status = Statuses {
        payment: "AUTHORIZED".into(),
        order: None,
        fulfillment: None,
    };
    let start = Ledger::new(usd, parse_money("100.00", usd).unwrap().minor, status);
    let mut full = start.clone();
    let mut valid = ValidatedLedger::new(Provider::SimplePs, start).unwrap();
    let capture = Event {
        id: "cap".into(),
        expected_version: Some(0),
        kind: EventKind::PaymentCaptured {
            capture_id: "cap_1".into(),
            amount: parse_money("100.00", usd).unwrap(),
            settled: true,
            captured_at: None,
        },
    };
    let mut events = vec![capture];
    for k in 1..=100_u64 {
        events.push(Event {
            id: format!("refund_{k}.created"),
            expected_version: Some(k),
            kind: EventKind::RefundCreated {
                refund_id: format!("refund_{k}"),
                amount: Money::new(Minor::new(100), usd),
                state: RefundState::Succeeded,
                capture_id: None,
                idempotency_key: None,
                fingerprint: None,
                return_id: None,
                allocations: Vec::new(),
            },
        });
    }
    for event in &events {
        let expected = apply(Provider::SimplePs, &full, event).map(|a| a.ledger);
        let got = valid.apply(event).map(|_| valid.ledger().clone());
        assert_eq!(expected, got);
        if let Ok(next) = expected {
            full = next;
        }
    }
    assert_eq!(full.status.payment, "REFUNDED");
    // The 101st refund finds nothing left, on both paths.
    assert_eq!(valid.ledger().refunds.len(), 100);
}
