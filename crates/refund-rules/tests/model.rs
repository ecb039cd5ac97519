//! Model-based test: a deliberately naive reference model of a SimplePS payment (plain `i128`
//! minor units, a `Vec` of refunds, a status string) runs side by side with the engine over
//! generated operation sequences. After every step the two must agree on what is available,
//! what is refunded, the status, the version, and the error code (and so its family).
//!
//! 1,000 sequences by default; `PROPTEST_CASES=100000 cargo test --release -p refund-rules
//! --test model` for a long run.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]
#![allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "test code"
)]

use proptest::prelude::*;
use refund_rules::event::EventKind;
use refund_rules::strategies::test_config as config;
use refund_rules::strategies::{
    AmountPick, PlanCase, amount_pick, amount_request, currencies, positive_minor,
};
use refund_rules::{
    Currency, ErrorCode, Event, Ledger, Minor, Money, PlanContext, Provider, Statuses, apply,
};

const P: Provider = Provider::SimplePs;

/// One operation of the generated sequence.
#[derive(Debug, Clone)]
enum Op {
    /// Plan a refund (amount or none) and apply the plan's event.
    PlanApply(Option<AmountPick>),
    /// Plan, then apply the event with a version that is `ahead` away from the ledger's.
    Stale(Option<AmountPick>, u8),
    /// Apply a `refund_created` event with no plan and no expected version.
    RawRefund(AmountPick),
    /// Re-apply the n-th event applied so far (modulo).
    Duplicate(usize),
    /// Capture against the uncaptured authorization.
    Capture(AmountPick),
    Authorize,
    Decline,
    Void,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => proptest::option::of(amount_pick()).prop_map(Op::PlanApply),
        1 => (proptest::option::of(amount_pick()), 1_u8..3).prop_map(|(p, a)| Op::Stale(p, a)),
        2 => amount_pick().prop_map(Op::RawRefund),
        2 => any::<usize>().prop_map(Op::Duplicate),
        3 => amount_pick().prop_map(Op::Capture),
        1 => Just(Op::Authorize),
        1 => Just(Op::Decline),
        1 => Just(Op::Void),
    ]
}

/// The naive model.
#[derive(Debug, Clone)]
struct Model {
    authorized: i128,
    captures: Vec<i128>,
    refunds: Vec<i128>,
    status: &'static str,
    version: u64,
    applied: Vec<String>,
}

impl Model {
    fn captured(&self) -> i128 {
        self.captures.iter().sum()
    }
    fn refunded(&self) -> i128 {
        self.refunds.iter().sum()
    }
    fn available(&self) -> i128 {
        self.captured() - self.refunded()
    }

    /// SimplePS plan: status first, then the amount (SP1).
    fn plan(&self, amount: Option<i128>) -> Result<i128, ErrorCode> {
        match self.status {
            "AUTHORIZED" | "CHALLENGE" => return Err(ErrorCode::NotCaptured),
            "VOIDED" | "DECLINED" => return Err(ErrorCode::NotRefundableState),
            _ => {}
        }
        if amount.is_some_and(|a| a <= 0) {
            return Err(ErrorCode::InvalidAmount);
        }
        if self.available() <= 0 {
            return Err(ErrorCode::AlreadyFullyRefunded);
        }
        match amount {
            None => Ok(self.available()),
            Some(a) if a > self.available() => Err(ErrorCode::ExceedsRefundable),
            Some(a) => Ok(a),
        }
    }

    /// Applies a succeeded refund of `amount` (already checked).
    fn refund(&mut self, amount: i128, id: String) -> Result<(), ErrorCode> {
        if amount <= 0 {
            return Err(ErrorCode::InvalidAmount);
        }
        if amount > self.available() {
            return Err(ErrorCode::ExceedsRefundable);
        }
        self.refunds.push(amount);
        self.status = if self.refunded() == self.captured() {
            "REFUNDED"
        } else {
            "PARTIALLY_REFUNDED"
        };
        self.bump(id);
        Ok(())
    }

    fn capture(&mut self, amount: i128, id: String) -> Result<(), ErrorCode> {
        if amount <= 0 {
            return Err(ErrorCode::InvalidAmount);
        }
        let total = self.captured() + amount;
        // Engine amounts are i64 minor units: a total past that is out of range.
        if total > i128::from(i64::MAX) {
            return Err(ErrorCode::InvalidAmount);
        }
        if total > self.authorized {
            return Err(ErrorCode::InconsistentState);
        }
        if self.status != "AUTHORIZED" {
            return Err(ErrorCode::IllegalTransition);
        }
        self.captures.push(amount);
        self.status = if total == self.authorized {
            "CAPTURED"
        } else {
            "PARTIALLY_CAPTURED"
        };
        self.bump(id);
        Ok(())
    }

    fn status_event(&mut self, from: &str, to: &'static str, id: String) -> Result<(), ErrorCode> {
        if self.status != from {
            return Err(ErrorCode::IllegalTransition);
        }
        self.status = to;
        self.bump(id);
        Ok(())
    }

    fn bump(&mut self, id: String) {
        self.version += 1;
        self.applied.push(id);
    }
}

fn check(model: &Model, ledger: &Ledger, step: usize, op: &Op) {
    let r = ledger.refundable().unwrap();
    let ctx = format!("step {step} {op:?}\nmodel {model:?}\nledger {ledger:?}");
    assert_eq!(
        i128::from(r.available.get()),
        model.available(),
        "available: {ctx}"
    );
    assert_eq!(
        i128::from(r.refunded.get()),
        model.refunded(),
        "refunded: {ctx}"
    );
    assert_eq!(
        i128::from(r.captured.get()),
        model.captured(),
        "captured: {ctx}"
    );
    assert_eq!(ledger.status.payment, model.status, "status: {ctx}");
    assert_eq!(ledger.version, model.version, "version: {ctx}");
    let applied: Vec<&String> = ledger.applied_events.iter().map(|a| &a.id).collect();
    let modelled: Vec<&String> = model.applied.iter().collect();
    assert_eq!(applied, modelled, "applied: {ctx}");
}

fn same_outcome(engine: Result<(), ErrorCode>, model: Result<(), ErrorCode>, step: usize, op: &Op) {
    assert_eq!(engine, model, "step {step} {op:?}: engine vs model");
    if let (Err(e), Err(m)) = (engine, model) {
        assert_eq!(e.family(), m.family());
    }
}

fn run(currency: Currency, authorized: Minor, start: &'static str, ops: &[Op]) {
    let mut ledger = Ledger {
        id: Some("order-1".to_owned()),
        currency,
        authorized,
        status: Statuses {
            payment: start.to_owned(),
            order: None,
            fulfillment: None,
        },
        created_at: None,
        captures: Vec::new(),
        refunds: Vec::new(),
        version: 0,
        applied_events: Vec::new(),
        lines: Vec::new(),
        returns: Vec::new(),
    };
    let mut model = Model {
        authorized: i128::from(authorized.get()),
        captures: Vec::new(),
        refunds: Vec::new(),
        status: start,
        version: 0,
        applied: Vec::new(),
    };
    let mut history: Vec<Event> = Vec::new();
    let available = |l: &Ledger| l.refundable().unwrap().available;
    for (i, op) in ops.iter().enumerate() {
        let mut apply_ok = |ledger: &mut Ledger, event: Event| -> Result<(), ErrorCode> {
            let applied = apply(P, ledger, &event).map_err(|e| e.code())?;
            assert!(!applied.duplicate);
            *ledger = applied.ledger;
            history.push(event);
            Ok(())
        };
        match op {
            Op::PlanApply(pick) | Op::Stale(pick, _) => {
                let amount = pick.map(|p| Money::new(p.resolve(available(&ledger)), currency));
                let case = PlanCase {
                    provider: P,
                    ledger: ledger.clone(),
                    request: amount_request(P, &ledger, amount),
                    now: None,
                };
                let refund_id = format!("r{i}");
                let planned = case.plan_with(&PlanContext {
                    now: None,
                    refund_id: Some(refund_id.clone()),
                });
                let expected = model.plan(amount.map(|m| i128::from(m.minor.get())));
                match (&planned, expected) {
                    (Ok(plan), Ok(amount)) => {
                        assert_eq!(i128::from(plan.amount.minor.get()), amount, "step {i}");
                        let mut event = plan.event.clone().unwrap();
                        if let Op::Stale(_, ahead) = op {
                            event.expected_version = Some(ledger.version + u64::from(*ahead));
                            let got = apply(P, &ledger, &event).map(|_| ()).map_err(|e| e.code());
                            same_outcome(got, Err(ErrorCode::VersionConflict), i, op);
                        } else {
                            let got = apply_ok(&mut ledger, event.clone());
                            let want = model.refund(amount, event.id);
                            same_outcome(got, want, i, op);
                        }
                    }
                    (got, want) => same_outcome(
                        got.as_ref().map(|_| ()).map_err(|e| e.code()),
                        want.map(|_| ()),
                        i,
                        op,
                    ),
                }
            }
            Op::RawRefund(pick) => {
                let amount = pick.resolve(available(&ledger));
                let event = Event {
                    id: format!("raw{i}"),
                    expected_version: None,
                    kind: EventKind::RefundCreated {
                        refund_id: format!("raw_refund_{i}"),
                        amount: Money::new(amount, currency),
                        state: refund_rules::RefundState::Succeeded,
                        capture_id: None,
                        idempotency_key: None,
                        fingerprint: None,
                        return_id: None,
                        allocations: Vec::new(),
                    },
                };
                let got = apply_ok(&mut ledger, event.clone());
                let want = model.refund(i128::from(amount.get()), event.id);
                same_outcome(got, want, i, op);
            }
            Op::Duplicate(n) => {
                if history.is_empty() {
                    continue;
                }
                let event = history[n % history.len()].clone();
                assert!(model.applied.contains(&event.id));
                let applied = apply(P, &ledger, &event).unwrap();
                assert!(
                    applied.duplicate,
                    "step {i}: re-applied {} was not a duplicate",
                    event.id
                );
                assert_eq!(applied.ledger, ledger);
            }
            Op::Capture(pick) => {
                let captured = ledger.captured_total().unwrap();
                let open = authorized.saturating_sub_floor_zero(captured);
                let amount = pick.resolve(open);
                let event = Event {
                    id: format!("cap_ev{i}"),
                    expected_version: Some(ledger.version),
                    kind: EventKind::PaymentCaptured {
                        capture_id: format!("cap_{i}"),
                        amount: Money::new(amount, currency),
                        settled: true,
                        captured_at: None,
                    },
                };
                let got = apply_ok(&mut ledger, event.clone());
                let want = model.capture(i128::from(amount.get()), event.id);
                same_outcome(got, want, i, op);
            }
            Op::Authorize | Op::Decline | Op::Void => {
                let (kind, from, to) = match op {
                    Op::Authorize => (EventKind::PaymentAuthorized, "CHALLENGE", "AUTHORIZED"),
                    Op::Decline => (EventKind::PaymentDeclined, "CHALLENGE", "DECLINED"),
                    _ => (EventKind::PaymentVoided, "AUTHORIZED", "VOIDED"),
                };
                let event = Event {
                    id: format!("st{i}"),
                    expected_version: Some(ledger.version),
                    kind,
                };
                let got = apply_ok(&mut ledger, event.clone());
                let want = model.status_event(from, to, event.id);
                same_outcome(got, want, i, op);
            }
        }
        check(&model, &ledger, i, op);
    }
}

proptest! {
    #![proptest_config(config())]

    /// The engine and the naive model agree after every operation of every sequence.
    #[test]
    fn simpleps_engine_matches_naive_model(
        currency in currencies(),
        authorized in positive_minor(),
        start in prop_oneof![Just("AUTHORIZED"), Just("CHALLENGE")],
        ops in proptest::collection::vec(op(), 0..30),
    ) {
        run(currency, authorized, start, &ops);
    }
}

/// A fixed sequence that walks the common path, so a broken model cannot pass vacuously.
#[test]
fn model_walks_capture_partials_and_full() {
    let usd = Currency::from_code("USD").unwrap();
    let ops = [
        Op::Capture(AmountPick::All),
        Op::PlanApply(Some(AmountPick::Fixed(Minor::new(2500)))),
        Op::Duplicate(1),
        Op::Stale(Some(AmountPick::One), 1),
        Op::RawRefund(AmountPick::OneOver),
        Op::PlanApply(Some(AmountPick::OneOver)),
        Op::PlanApply(None),
        Op::PlanApply(None),
        Op::Void,
    ];
    run(usd, Minor::new(10_010), "AUTHORIZED", &ops);
}
