//! Property tests: the engine's invariants over generated ledgers, requests and event sequences,
//! for every provider in `strategies::COVERED_PROVIDERS`.
//!
//! Each property runs 1,000 cases by default (spread over the five providers). For a long run:
//! `PROPTEST_CASES=100000 cargo test --release -p refund-rules --test properties`.
//!
//! Invariant (9), "successive partial allocations sum exactly to the original per bucket", is
//! here twice: over `allocation.rs` directly and end to end through Digital River plans.
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
    clippy::string_slice,
    reason = "test code"
)]

use std::collections::BTreeSet;

use proptest::prelude::*;
use refund_rules::event::EventKind;
use refund_rules::json::{Operation as JsonOp, Response, run};
use refund_rules::machine::{PaymentEvent, StatusMachine};
use refund_rules::strategies::test_config as config;
use refund_rules::strategies::{
    AmountPick, COVERED_PROVIDERS, PlanCase, Step, amount_pick, amount_request, amount_scope,
    amount_text_request, any_plan_case, breakdown_ledger, covered_provider, currencies, json_value,
    ledger, non_negative_minor, op, ops, over_precise_text, plan_case, plan_context, plan_now,
    replay, short_decimal,
};
use refund_rules::{
    AmountProblem, ErrorCode, Event, Ledger, Minor, Money, Operation, Provider, RefundError,
    RefundKind, RefundState, apply, format_decimal, parse_decimal, parse_money,
};
use serde_json::{Value, json};

/// The payment status a provider reports once everything captured is refunded, or `None` for
/// providers whose refund progress lives in the amounts only.
fn fully_refunded_status(provider: Provider) -> Option<&'static str> {
    match provider {
        // SP2 payment-status table.
        Provider::SimplePs => Some("REFUNDED"),
        // CL4 `payment_status` table: a full refund moves to `refunded`.
        Provider::CommerceLayer => Some("refunded"),
        // alternative_payments/tables.rs MACHINES: `paid --refund_full--> refunded`.
        Provider::AlternativePayments => Some("refunded"),
        // Commerce Hub has no REFUNDED state (fiserv/tables.rs MACHINES, FS4): the charge stays
        // SETTLED. Digital River keeps the order state for partial refunds and moves `complete`
        // to `returned` only (digital_river/tables.rs MACHINES): `returned` also takes partials.
        Provider::FiservCommerceHub | Provider::DigitalRiver => None,
    }
}

/// The ceiling: succeeded plus pending never exceeds what was captured, in total and per capture.
fn assert_within_captured(ledger: &Ledger) {
    ledger.check().unwrap();
    let r = ledger.refundable().unwrap();
    assert!(r.available.get() >= 0);
    assert_eq!(
        i128::from(r.refunded.get()) + i128::from(r.pending.get()) + i128::from(r.available.get()),
        i128::from(r.captured.get())
    );
    let naive: i128 = ledger
        .refunds
        .iter()
        .filter(|x| x.state == RefundState::Succeeded || x.state.reserves())
        .map(|x| i128::from(x.amount.get()))
        .sum();
    let captured: i128 = ledger
        .captures
        .iter()
        .map(|c| i128::from(c.amount.get()))
        .sum();
    assert!(
        naive <= captured,
        "{naive} refunded or pending > {captured} captured"
    );
    for c in &ledger.captures {
        let per = ledger.refundable_for_capture(&c.id).unwrap();
        assert!(per.available.get() >= 0);
    }
}

/// An event kind without the fields that later events move (a refund's state, a capture's
/// settlement): what a replay must match.
fn settled_fields_aside(kind: &EventKind) -> EventKind {
    let mut kind = kind.clone();
    match &mut kind {
        EventKind::RefundCreated { state, .. } => *state = RefundState::Succeeded,
        EventKind::PaymentCaptured { settled, .. } => *settled = false,
        _ => {}
    }
    kind
}

fn plan_request(
    provider: Provider,
    ledger: &Ledger,
    pick: Option<AmountPick>,
    refund_id: Option<String>,
) -> Result<refund_rules::Plan, RefundError> {
    let available = amount_scope(provider, ledger);
    let amount = pick.map(|p| Money::new(p.resolve(available), ledger.currency));
    PlanCase {
        provider,
        ledger: ledger.clone(),
        request: amount_request(provider, ledger, amount),
        now: plan_now(ledger),
    }
    .plan_with(&plan_context(ledger, refund_id))
}

/// Applies a refund plan's event and, when the refund is created pending, its success: the
/// ledger once the refund has gone through.
fn apply_through(provider: Provider, ledger: &Ledger, event: &Event) -> Ledger {
    let mut after = apply(provider, ledger, event).unwrap().ledger;
    if let EventKind::RefundCreated { refund_id, .. } = &event.kind
        && after
            .refunds
            .iter()
            .any(|r| &r.id == refund_id && r.state.reserves())
    {
        let done = Event {
            id: format!("{}.succeeded", event.id),
            expected_version: Some(after.version),
            kind: EventKind::RefundSucceeded {
                refund_id: refund_id.clone(),
            },
        };
        after = apply(provider, &after, &done).unwrap().ledger;
    }
    after
}

/// Checks a JSON surface answer: valid JSON, `ok` true with a value, or false with a stable code
/// whose family is the documented one and which matches the typed code.
fn assert_envelope(out: &Response) {
    let v: Value = serde_json::from_str(&out.json).unwrap_or_else(|e| panic!("{e}: {}", out.json));
    match v["ok"] {
        Value::Bool(true) => {
            assert!(out.error.is_none());
            assert!(v.get("value").is_some());
        }
        Value::Bool(false) => {
            let code = out.error.expect("typed code on failure");
            assert_eq!(v["error"]["code"], json!(code.as_str()));
            assert!(ErrorCode::ALL.contains(&code));
            assert_eq!(v["error"]["family"], json!(code.family()));
            assert!(v["error"]["message"].is_string());
        }
        _ => panic!("no ok flag: {}", out.json),
    }
}

#[derive(Debug, Clone)]
enum Action {
    /// Plan a refund (amount or none) and apply the plan's event.
    PlanApply(Option<AmountPick>),
    /// Apply a generated event directly (no plan).
    Direct(refund_rules::strategies::Op),
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        proptest::option::of(amount_pick()).prop_map(Action::PlanApply),
        op().prop_map(Action::Direct),
    ]
}

fn apply_doc(provider: Provider, ledger: &Ledger, event: &Event) -> String {
    json!({ "provider": provider, "ledger": ledger, "event": event }).to_string()
}

#[derive(Debug, Clone)]
enum Mutation {
    Remove,
    Replace(Value),
    Stringify,
    AddKey(String),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        Just(Mutation::Remove),
        json_value().prop_map(Mutation::Replace),
        Just(Mutation::Stringify),
        "[a-z_]{1,8}".prop_map(Mutation::AddKey),
    ]
}

fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                pointers(
                    child,
                    format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                pointers(child, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

fn mutate(doc: &mut Value, which: usize, m: &Mutation) {
    let mut all = Vec::new();
    pointers(doc, String::new(), &mut all);
    let target = all[which % all.len()].clone();
    match m {
        Mutation::Remove => {
            if let Some((parent, key)) = target.rsplit_once('/') {
                match doc.pointer_mut(parent) {
                    Some(Value::Object(o)) => {
                        o.remove(&key.replace("~1", "/").replace("~0", "~"));
                    }
                    Some(Value::Array(a)) => {
                        if let Ok(i) = key.parse::<usize>()
                            && i < a.len()
                        {
                            a.remove(i);
                        }
                    }
                    _ => {}
                }
            }
        }
        Mutation::Replace(v) => {
            if let Some(slot) = doc.pointer_mut(&target) {
                *slot = v.clone();
            }
        }
        Mutation::Stringify => {
            if let Some(slot) = doc.pointer_mut(&target) {
                *slot = match slot.take() {
                    Value::String(s) => serde_json::from_str(&s).unwrap_or(Value::String(s)),
                    other => Value::String(other.to_string()),
                };
            }
        }
        Mutation::AddKey(k) => {
            if let Some(Value::Object(o)) = doc.pointer_mut(&target) {
                o.insert(k.clone(), Value::Null);
            }
        }
    }
}

proptest! {
    #![proptest_config(config())]

    /// (1) No sequence of plans and applies (including events applied without a plan) ever
    /// refunds more than was captured, in total or per capture.
    #[test]
    fn no_sequence_refunds_more_than_captured(
        (provider, start, actions) in covered_provider().prop_flat_map(|p| {
            (Just(p), ledger(p), proptest::collection::vec(action(), 0..12))
        })
    ) {
        let mut ledger = start;
        assert_within_captured(&ledger);
        for (i, a) in actions.iter().enumerate() {
            let event = match a {
                Action::PlanApply(pick) => match plan_request(provider, &ledger, *pick, Some(format!("rf_{i}"))) {
                    Ok(plan) => {
                        if plan.operation == Operation::Refund {
                            prop_assert!(plan.amount.minor <= plan.refundable.available);
                        }
                        plan.event
                    }
                    Err(_) => None,
                },
                Action::Direct(op) => {
                    refund_rules::strategies::op_event(provider, &ledger, op, 1_000 + i)
                }
            };
            if let Some(event) = event
                && let Ok(applied) = apply(provider, &ledger, &event)
            {
                ledger = applied.ledger;
                assert_within_captured(&ledger);
            }
        }
    }

    /// (2) Pending refunds reserve balance, failed and expired ones release it, succeeded ones
    /// count as refunded: the generic breakdown over refunds in arbitrary states.
    #[test]
    fn pending_reserves_and_failed_releases(ledger in breakdown_ledger()) {
        let r = ledger.refundable().unwrap();
        let sum = |f: &dyn Fn(RefundState) -> bool| -> i128 {
            ledger.refunds.iter().filter(|x| f(x.state)).map(|x| i128::from(x.amount.get())).sum()
        };
        prop_assert_eq!(i128::from(r.refunded.get()), sum(&|s| s == RefundState::Succeeded));
        prop_assert_eq!(i128::from(r.pending.get()), sum(&RefundState::reserves));
        prop_assert_eq!(
            i128::from(r.available.get()),
            i128::from(r.captured.get()) - i128::from(r.refunded.get()) - i128::from(r.pending.get())
        );
        for (i, refund) in ledger.refunds.iter().enumerate() {
            let amount = i128::from(refund.amount.get());
            for to in RefundState::ALL {
                let mut moved = ledger.clone();
                moved.refunds[i].state = to;
                let held = |s: RefundState| s.reserves() || s == RefundState::Succeeded;
                match (held(refund.state), held(to)) {
                    (true, false) => {
                        // Releasing: exactly its amount becomes available again.
                        let after = moved.refundable().unwrap();
                        prop_assert_eq!(i128::from(after.available.get()), i128::from(r.available.get()) + amount);
                    }
                    (true, true) => {
                        let after = moved.refundable().unwrap();
                        prop_assert_eq!(after.available, r.available);
                        prop_assert_eq!(
                            i128::from(after.refunded.get()) + i128::from(after.pending.get()),
                            i128::from(r.refunded.get()) + i128::from(r.pending.get())
                        );
                    }
                    (false, true) => match moved.refundable() {
                        // Reserving again takes its amount, or is refused: never negative.
                        Ok(after) => prop_assert_eq!(i128::from(after.available.get()), i128::from(r.available.get()) - amount),
                        Err(e) => {
                            // Above what was captured; a sum past i64 is out of range.
                            prop_assert!(matches!(
                                e,
                                RefundError::InconsistentState { .. } | RefundError::Overflow { .. }
                            ), "{e}");
                            prop_assert!(amount > i128::from(r.available.get()));
                        }
                    },
                    (false, false) => prop_assert_eq!(moved.refundable().unwrap(), r),
                }
            }
        }
    }

    /// (3) A full refund leaves exactly zero available and, once it has gone through, the
    /// provider's fully-refunded status (where the provider has one); a partial one never does.
    /// Refunds only (a Fiserv cancel voids instead). The status needs the other refunds settled
    /// too: with one still pending, taking the rest is not yet everything refunded (plan.rs
    /// `outline_refund` counts succeeded refunds), so the status is only checked without pending
    /// refunds. Alternative Payments refunds in full only: its partial plans are refused.
    #[test]
    fn full_refund_empties_partial_never_does(
        (provider, ledger, share) in covered_provider().prop_flat_map(|p| (Just(p), ledger(p), any::<u16>()))
    ) {
        let full_status = fully_refunded_status(provider);
        let before = provider.refundable(&ledger).unwrap();
        let settled = before.pending.is_zero();
        if let Ok(plan) = plan_request(provider, &ledger, None, None)
            && plan.operation == Operation::Refund
        {
            // With a refund pending, Commerce Layer calls taking the rest partial ([S], CL rule
            // "with a refund pending, taking the rest is still partial").
            if settled || provider != Provider::CommerceLayer {
                prop_assert_eq!(plan.kind, RefundKind::Full);
            }
            prop_assert!(plan.remaining_after.minor.is_zero());
            let after = apply_through(provider, &ledger, plan.event.as_ref().unwrap());
            prop_assert!(provider.refundable(&after).unwrap().available.is_zero());
            if let Some(full) = full_status && settled {
                prop_assert_eq!(plan.status_after.payment.as_str(), full);
                prop_assert_eq!(after.status.payment.as_str(), full);
            }
        }
        let partial = plan_request(provider, &ledger, Some(AmountPick::Share(share)), None);
        if provider == Provider::AlternativePayments {
            // Full refunds only (seed, AP1): a smaller amount is refused, the whole is full.
            match &partial {
                Ok(plan) => prop_assert_eq!(plan.kind, RefundKind::Full),
                Err(e) => prop_assert!(e.code() != ErrorCode::InvalidInput, "{e}"),
            }
        }
        if let Ok(plan) = partial
            && plan.operation == Operation::Refund
        {
            // The plan's own scope: one capture for Commerce Layer (CL2), else the payment.
            if plan.amount.minor < plan.refundable.available {
                prop_assert_eq!(plan.kind, RefundKind::Partial);
                prop_assert!(plan.remaining_after.minor.is_positive());
                let after = apply_through(provider, &ledger, plan.event.as_ref().unwrap());
                prop_assert!(provider.refundable(&after).unwrap().available.is_positive());
                if let Some(full) = full_status {
                    prop_assert_ne!(plan.status_after.payment.as_str(), full);
                    prop_assert_ne!(after.status.payment.as_str(), full);
                }
            } else if plan.amount.minor == before.available
                && (settled || provider != Provider::CommerceLayer)
            {
                // Taking all of one Commerce Layer capture while others have money left, or the
                // rest with a refund pending, stays partial (as above).
                prop_assert_eq!(plan.kind, RefundKind::Full);
            }
        }
    }

    /// (4) Plan then apply agree: applying `plan.event` produces the planned remaining amount
    /// and, once the refund succeeds, the planned statuses. For refunds; a void, cancel or
    /// `_forward` plan's event (if any) applies cleanly and lands on the planned statuses.
    #[test]
    fn plan_then_apply_agree(case in any_plan_case()) {
        let Ok(plan) = case.plan() else { return Ok(()) };
        if plan.operation != Operation::Refund {
            if let Some(event) = &plan.event {
                let applied = apply(case.provider, &case.ledger, event).unwrap();
                prop_assert!(!applied.duplicate);
                assert_within_captured(&applied.ledger);
                prop_assert_eq!(&applied.ledger.status, &plan.status_after);
            } else {
                prop_assert_eq!(&case.ledger.status, &plan.status_after);
            }
            return Ok(());
        }
        let event = plan.event.clone().unwrap();
        // The scope the plan's amounts are measured in: the capture it refunds (Commerce Layer
        // capture refunds, CL2), else the provider's one maximum.
        let scope = |ledger: &Ledger| match &event.kind {
            EventKind::RefundCreated { capture_id: Some(c), .. } => ledger.refundable_for_capture(c).unwrap(),
            _ => case.provider.refundable(ledger).unwrap(),
        };
        let before = scope(&case.ledger);
        prop_assert_eq!(&plan.refundable, &before);
        prop_assert_eq!(plan.version, case.ledger.version);
        prop_assert!(plan.amount.minor.is_positive());
        prop_assert!(plan.amount.minor <= before.available);
        prop_assert_eq!(
            i128::from(plan.amount.minor.get()) + i128::from(plan.remaining_after.minor.get()),
            i128::from(before.available.get())
        );
        prop_assert_eq!(event.expected_version, Some(case.ledger.version));
        let applied = apply(case.provider, &case.ledger, &event).unwrap();
        prop_assert!(!applied.duplicate);
        let mut ledger = applied.ledger;
        prop_assert_eq!(scope(&ledger).available, plan.remaining_after.minor);
        if plan.refund_state.is_some_and(RefundState::reserves) {
            let EventKind::RefundCreated { refund_id, .. } = &event.kind else { panic!("{event:?}") };
            let done = Event {
                id: format!("{}.succeeded", event.id),
                expected_version: Some(ledger.version),
                kind: EventKind::RefundSucceeded { refund_id: refund_id.clone() },
            };
            ledger = apply(case.provider, &ledger, &done).unwrap().ledger;
        }
        prop_assert_eq!(&ledger.status, &plan.status_after);
        prop_assert_eq!(scope(&ledger).available, plan.remaining_after.minor);
    }

    /// (3b) One maximum: what `refundable` reports for the provider (per capture for Commerce
    /// Layer's capture refunds) is what `plan` accepts and `apply` lets through. Asking for it is
    /// never refused for its size; one minor unit more is never planned, and when the maximum
    /// itself plans, one more is `exceeds_refundable`.
    #[test]
    fn refundable_plan_and_apply_share_one_maximum(
        (provider, ledger) in covered_provider().prop_flat_map(|p| (Just(p), ledger(p)))
    ) {
        let available = amount_scope(provider, &ledger);
        // The JSON `refundable` operation reports the same number.
        let doc = json!({"provider": provider, "ledger": ledger});
        let out = run(JsonOp::Refundable, &doc.to_string());
        if out.error.is_none() && provider != Provider::CommerceLayer {
            let v: Value = serde_json::from_str(&out.json).unwrap();
            let shown = parse_money(v["value"]["available"].as_str().unwrap(), ledger.currency).unwrap();
            prop_assert_eq!(shown.minor, available);
        }
        let at = |minor: Minor| {
            let request = amount_request(provider, &ledger, Some(Money::new(minor, ledger.currency)));
            PlanCase { provider, ledger: ledger.clone(), request, now: plan_now(&ledger) }
                .plan_with(&plan_context(&ledger, None))
        };
        let exact = if available.is_positive() { Some(at(available)) } else { None };
        let size_codes = [ErrorCode::ExceedsRefundable, ErrorCode::AlreadyFullyRefunded, ErrorCode::PartialRefundNotSupported];
        if let Some(Err(e)) = &exact {
            prop_assert!(!size_codes.contains(&e.code()), "{provider}: the maximum {available:?} refused for its size: {e}");
        }
        let Ok(one_more) = available.checked_add(Minor::new(1)) else { return Ok(()) };
        match at(one_more) {
            Ok(plan) => prop_assert!(
                plan.operation != Operation::Refund,
                "{provider}: planned {} above the maximum {available:?}", plan.amount
            ),
            Err(e) => {
                if let Some(Ok(plan)) = &exact && plan.operation == Operation::Refund {
                    prop_assert_eq!(e.code(), ErrorCode::ExceedsRefundable, "{}", e);
                }
            }
        }
        if let Some(Ok(plan)) = exact && plan.operation == Operation::Refund {
            prop_assert_eq!(plan.amount.minor, available);
            let after = apply(provider, &ledger, plan.event.as_ref().unwrap());
            prop_assert!(after.is_ok(), "{provider}: apply refused its own plan: {:?}", after.err());
        }
    }

    /// (5) Re-applying any event is a no-op, right after it and at the end of the sequence.
    #[test]
    fn reapplying_an_event_is_a_no_op(
        (provider, start, seq) in covered_provider().prop_flat_map(|p| {
            (Just(p), refund_rules::strategies::fresh_ledger(p), ops(16))
        })
    ) {
        let (end, steps) = replay(provider, start, &seq);
        for step in &steps {
            if let Ok(after) = &step.outcome {
                let again = apply(provider, after, &step.event).unwrap();
                prop_assert!(again.duplicate);
                prop_assert_eq!(&again.ledger, after);
                let late = apply(provider, &end, &step.event).unwrap();
                prop_assert!(late.duplicate);
                prop_assert_eq!(&late.ledger, &end);
            }
        }
    }

    /// (5b) An event id names exactly one event: any other event (another type, subject or
    /// amount) under an id the ledger has applied is `idempotency_conflict`, never a no-op.
    #[test]
    fn a_reused_event_id_with_another_event_is_a_conflict(
        (provider, start, seq) in covered_provider().prop_flat_map(|p| {
            (Just(p), refund_rules::strategies::fresh_ledger(p), ops(16))
        })
    ) {
        let (end, steps) = replay(provider, start, &seq);
        let applied: Vec<&Step> = steps.iter().filter(|s| s.outcome.is_ok()).collect();
        for first in &applied {
            for other in &steps {
                let reused = Event { id: first.event.id.clone(), ..other.event.clone() };
                if settled_fields_aside(&other.event.kind) == settled_fields_aside(&first.event.kind) {
                    continue; // the same event (its refund state or settlement may move on): a replay
                }
                match apply(provider, &end, &reused) {
                    Ok(a) => prop_assert!(!a.duplicate, "{provider}: {:?} accepted as a replay of {:?}", reused, first.event),
                    Err(e) => prop_assert_eq!(e.code(), ErrorCode::IdempotencyConflict, "{}", e),
                }
            }
        }
    }

    /// (2b) Whatever `apply` produces, `plan` and `refundable` accept: no ledger reached by events
    /// is refused as inconsistent or malformed, and a plan on it applies.
    #[test]
    fn ledgers_from_apply_plan_and_report_cleanly(
        (provider, start, seq) in covered_provider().prop_flat_map(|p| {
            (Just(p), refund_rules::strategies::fresh_ledger(p), ops(16))
        })
    ) {
        let (_, steps) = replay(provider, start, &seq);
        for after in steps.iter().filter_map(|s| s.outcome.as_ref().ok()) {
            let out = run(JsonOp::Refundable, &json!({"provider": provider, "ledger": after}).to_string());
            prop_assert!(out.error.is_none(), "{provider}: {}", out.json);
            // The document apply writes is one plan reads back.
            let text = serde_json::to_string(after).unwrap();
            let doc: refund_rules::ledger::LedgerDoc = serde_json::from_str(&text).unwrap();
            prop_assert_eq!(&doc.into_ledger("/ledger").unwrap(), after);
            for pick in [None, Some(AmountPick::Share(u16::MAX / 3))] {
                match plan_request(provider, after, pick, None) {
                    Ok(plan) => {
                        if let Some(event) = &plan.event {
                            let applied = apply(provider, after, event);
                            prop_assert!(applied.is_ok(), "{provider}: {:?}", applied.err());
                        }
                    }
                    Err(e) => {
                        let ledger_fault = e.code() == ErrorCode::InconsistentState
                            || (e.code() == ErrorCode::InvalidInput
                                && e.pointer().is_some_and(|p| p.starts_with("/ledger")));
                        prop_assert!(!ledger_fault, "{provider}: apply produced a ledger plan refuses: {e}");
                    }
                }
            }
        }
    }

    /// (6) Two plans made on one version: whatever the order, at most one apply changes the
    /// ledger; the other is a version conflict (or, when both plans chose the same refund id, a
    /// duplicate no-op).
    #[test]
    fn concurrent_plans_let_at_most_one_apply_succeed(
        (provider, ledger, a, b, own_ids) in covered_provider().prop_flat_map(|p| {
            (Just(p), ledger(p), proptest::option::of(amount_pick()), proptest::option::of(amount_pick()), any::<bool>())
        })
    ) {
        let ids = |x: &str| own_ids.then(|| x.to_owned());
        let plans = [
            plan_request(provider, &ledger, a, ids("rf_a")),
            plan_request(provider, &ledger, b, ids("rf_b")),
        ];
        let events: Vec<Event> = plans.iter().filter_map(|p| p.as_ref().ok()?.event.clone()).collect();
        for order in [[0, 1], [1, 0]] {
            let mut current = ledger.clone();
            let mut changed = 0;
            for i in order {
                let Some(event) = events.get(i) else { continue };
                match apply(provider, &current, event) {
                    Ok(applied) if !applied.duplicate => {
                        changed += 1;
                        current = applied.ledger;
                    }
                    Ok(applied) => {
                        // Only a replay of the same refund: same id, amount, capture and key.
                        // (The request fingerprint may differ: Alternative Payments bodies with
                        // and without `amount` both refund the whole; event.rs
                        // `same_as_recorded` compares the money, not the fingerprint.)
                        let money = |e: &Event| match &e.kind {
                            EventKind::RefundCreated { refund_id, amount, capture_id, idempotency_key, .. } => {
                                Some((refund_id.clone(), *amount, capture_id.clone(), idempotency_key.clone()))
                            }
                            _ => None,
                        };
                        if events[0].kind != events[1].kind {
                            prop_assert!(money(&events[0]).is_some());
                            prop_assert_eq!(money(&events[0]), money(&events[1]));
                        }
                        prop_assert_eq!(&applied.ledger, &current);
                    }
                    Err(e) => prop_assert!(
                        matches!(e.code(), ErrorCode::VersionConflict | ErrorCode::IdempotencyConflict),
                        "{e}"
                    ),
                }
            }
            prop_assert!(changed <= 1, "{changed} applies succeeded");
            assert_within_captured(&current);
        }
    }

    /// (7) parse(format(x)) == x for every amount and currency, full or shortened decimals,
    /// through the library and the JSON surface.
    #[test]
    fn parse_of_format_is_identity(currency in currencies(), minor in non_negative_minor()) {
        let e = currency.exponent();
        let text = format_decimal(minor, e);
        prop_assert_eq!(parse_decimal(&text, e), Ok(minor));
        prop_assert_eq!(parse_money(&text, currency).map(|m| m.minor), Ok(minor));
        prop_assert_eq!(parse_decimal(&short_decimal(minor, e), e), Ok(minor));
        let out = run(JsonOp::ParseAmount, &format!(r#"{{"amount":{text},"currency":"{currency}"}}"#));
        assert_envelope(&out);
        let v: Value = serde_json::from_str(&out.json).unwrap();
        prop_assert_eq!(&v["value"]["minor"], &json!(minor.get().to_string()));
        prop_assert_eq!(&v["value"]["amount"], &json!(text));
        let back = run(JsonOp::FormatAmount, &format!(r#"{{"minor":{},"currency":"{currency}"}}"#, minor.get()));
        let v: Value = serde_json::from_str(&back.json).unwrap();
        prop_assert_eq!(&v["value"]["amount"], &json!(text));
    }

    /// (8) Amounts with more decimals than the currency allows are rejected, never rounded:
    /// by the parser and by a provider's plan.
    #[test]
    fn too_many_decimals_are_rejected_never_rounded(
        (provider, ledger, text) in covered_provider().prop_flat_map(|p| {
            ledger(p).prop_flat_map(move |l| {
                let e = l.currency.exponent();
                (Just(p), Just(l), over_precise_text(e))
            })
        })
    ) {
        let e = ledger.currency.exponent();
        prop_assert_eq!(parse_decimal(&text, e), Err(AmountProblem::TooManyDecimals));
        prop_assert_eq!(parse_money(&text, ledger.currency), Err(AmountProblem::TooManyDecimals));
        // Commerce Layer amounts are integer cents: any decimal point is too many decimals.
        let request = amount_text_request(provider, &ledger, &text);
        let case = PlanCase { provider, now: plan_now(&ledger), ledger, request };
        match case.plan() {
            Ok(plan) => prop_assert!(false, "planned {} from {text}", plan.amount),
            Err(RefundError::InvalidAmount { problem, .. }) => prop_assert!(
                problem == AmountProblem::TooManyDecimals
                    // Fiserv checks its 12-digit limit (807) first.
                    || (provider == Provider::FiservCommerceHub && problem == AmountProblem::TooManyDigits),
                "{problem:?}"
            ),
            // State refusals that come before the amount is read (Digital River checks "nothing
            // left" first): a refusal either way, never a rounding.
            Err(other) => prop_assert!(
                matches!(
                    other.code(),
                    ErrorCode::NotCaptured | ErrorCode::NotSettled | ErrorCode::NotRefundableState | ErrorCode::AlreadyFullyRefunded
                ),
                "{other}"
            ),
        }
    }

    /// (10, through apply) No event moves a ledger out of a terminal status.
    #[test]
    fn no_event_moves_a_terminal_status(
        (provider, ledger, more) in covered_provider().prop_flat_map(|p| (Just(p), ledger(p), ops(6)))
    ) {
        let m = provider.machines();
        let terminal = m
            .payment
            .states
            .iter()
            .find(|s| **s == ledger.status.payment)
            .is_some_and(|s| m.payment.is_terminal(s));
        if terminal {
            let (end, _) = replay(provider, ledger.clone(), &more);
            prop_assert_eq!(end.status, ledger.status);
        }
    }

    /// (11) The JSON surface never panics on arbitrary text: valid JSON out, ok or a stable code.
    #[test]
    fn json_surface_answers_arbitrary_text(text in prop_oneof![any::<String>(), ".{0,64}", "[{}\\[\\]\":,0-9a-z.e-]{0,64}"]) {
        for op in JsonOp::ALL {
            assert_envelope(&run(op, &text));
        }
    }

    /// (11) …on arbitrary JSON documents.
    #[test]
    fn json_surface_answers_arbitrary_documents(doc in json_value()) {
        let text = doc.to_string();
        for op in JsonOp::ALL {
            assert_envelope(&run(op, &text));
        }
    }

    /// (11) …on valid plan and apply documents with mutations (removed, replaced, stringified
    /// and added fields), and on truncations of them.
    #[test]
    fn json_surface_answers_mutated_documents(
        case in any_plan_case(),
        seq in ops(3),
        edits in proptest::collection::vec((any::<usize>(), mutation()), 1..4),
        cut in any::<usize>(),
    ) {
        let plan_doc: Value = serde_json::from_str(&case.to_json().unwrap()).unwrap();
        let (_, steps) = replay(case.provider, case.ledger.clone(), &seq);
        let mut docs = vec![(JsonOp::Plan, plan_doc)];
        if let Some(step) = steps.first() {
            docs.push((JsonOp::Apply, serde_json::from_str(&apply_doc(case.provider, &step.before, &step.event)).unwrap()));
        }
        for (op, mut doc) in docs {
            for (which, m) in &edits {
                mutate(&mut doc, *which, m);
            }
            let text = doc.to_string();
            assert_envelope(&run(op, &text));
            let cut_at = (0..=text.len()).filter(|i| text.is_char_boundary(*i)).nth(cut % (text.len() + 1)).unwrap_or(0);
            assert_envelope(&run(op, &text[..cut_at]));
        }
    }

    /// (12) The decision is the same through the typed API and the JSON surface.
    #[test]
    fn typed_api_and_json_surface_agree(case in any_plan_case()) {
        let typed = case.plan();
        let out = run(JsonOp::Plan, &case.to_json().unwrap());
        assert_envelope(&out);
        let v: Value = serde_json::from_str(&out.json).unwrap();
        match typed {
            Ok(plan) => {
                prop_assert!(out.error.is_none(), "{}", out.json);
                prop_assert_eq!(&v["value"], &serde_json::to_value(&plan).unwrap());
            }
            Err(e) => {
                prop_assert_eq!(out.error, Some(e.code()));
                prop_assert_eq!(&v["error"]["details"], &e.details());
            }
        }
        // And applying the plan's event agrees too.
        if let Ok(plan) = case.plan()
            && let Some(event) = &plan.event
        {
            let typed = apply(case.provider, &case.ledger, event).unwrap();
            let out = run(JsonOp::Apply, &apply_doc(case.provider, &case.ledger, event));
            assert_envelope(&out);
            let v: Value = serde_json::from_str(&out.json).unwrap();
            prop_assert_eq!(&v["value"]["ledger"], &serde_json::to_value(&typed.ledger).unwrap());
        }
    }
}

/// Cumulative steps adding up to `whole`: the differences between sorted distinct cut points.
fn steps_to(whole: u64, cuts: &BTreeSet<u64>) -> Vec<u64> {
    let mut last = 0;
    let mut steps = Vec::new();
    for c in cuts
        .iter()
        .copied()
        .filter(|c| *c > 0 && *c < whole)
        .chain([whole])
    {
        steps.push(c - last);
        last = c;
    }
    steps
}

/// A bucket total, weighted toward the `i64` edges (both signs: the allocator is
/// sign-symmetric).
fn bucket_total() -> impl Strategy<Value = i64> {
    prop_oneof![
        4 => 0_i64..=10_000,
        2 => any::<i64>(),
        1 => Just(i64::MAX),
        1 => Just(i64::MIN + 1),
        1 => (i64::MAX - 1_000)..=i64::MAX,
    ]
}

/// Half-up (away from zero) `total × num / den` in plain i128: the model of `share`.
fn naive_share(total: i64, num: i128, den: i128) -> i128 {
    let p = i128::from(total).abs() * num;
    let q = p / den + i128::from(2 * (p % den) >= den);
    if total < 0 { -q } else { q }
}

proptest! {
    #![proptest_config(config())]

    /// (9) Successive proportional refunds of every bucket (percentages, or fractions of an
    /// arbitrary denominator, adding up to 100 %) give parts that add up exactly to the bucket:
    /// at every prefix the sum is the naive half-up share of the cumulative fraction, never past
    /// the bucket, and at 100 % exactly the bucket.
    #[test]
    fn successive_shares_sum_exactly_to_each_bucket(
        buckets in proptest::collection::vec(bucket_total(), 1..6),
        den in prop_oneof![Just(10_000_u64), 1_u64..=1_000_000, Just(u64::from(u32::MAX))],
        cuts in proptest::collection::btree_set(any::<u64>(), 0..10),
    ) {
        use refund_rules::allocation::{Ratio, share, telescoping};
        let cuts: BTreeSet<u64> = cuts.into_iter().map(|c| c % den).collect();
        let steps = steps_to(den, &cuts);
        for total in &buckets {
            let mut before = Ratio::ZERO;
            let mut sum: i128 = 0;
            let mut position: u64 = 0;
            for step in &steps {
                position += step;
                let after = before.checked_add(Ratio::new(i128::from(*step), i128::from(den)).unwrap()).unwrap();
                let part = telescoping(*total, before, after).unwrap();
                // Each part has the bucket's sign (or is zero): never a give-back.
                prop_assert!(i128::from(part) * i128::from(total.signum()) >= 0, "{part} of {total}");
                sum += i128::from(part);
                prop_assert_eq!(sum, naive_share(*total, i128::from(position), i128::from(den)));
                prop_assert_eq!(i128::from(share(*total, after).unwrap()), sum);
                prop_assert!(sum.abs() <= i128::from(*total).abs());
                before = after;
            }
            prop_assert!(before.is_one());
            prop_assert_eq!(sum, i128::from(*total));
        }
    }

    /// (9) Successive fixed amounts adding up to the grand total, each split by largest
    /// remainder over what every bucket still has: parts add up to each amount, no bucket ever
    /// gives more than it has, and at the end every bucket has given exactly its original.
    #[test]
    fn successive_amounts_sum_exactly_to_each_bucket(
        buckets in proptest::collection::vec(
            prop_oneof![4 => 0_i64..=10_000, 1 => 0_i64..=i64::MAX / 8, 1 => Just(i64::MAX / 8)],
            1..6,
        ),
        cuts in proptest::collection::btree_set(any::<u64>(), 0..10),
    ) {
        use refund_rules::allocation::largest_remainder;
        let grand: i64 = buckets.iter().sum();
        prop_assume!(grand > 0);
        let whole = u64::try_from(grand).unwrap();
        let cuts: BTreeSet<u64> = cuts.into_iter().map(|c| c % whole).collect();
        let mut left = buckets.clone();
        for step in steps_to(whole, &cuts) {
            let amount = i64::try_from(step).unwrap();
            let parts = largest_remainder(amount, &left).unwrap();
            prop_assert_eq!(parts.iter().map(|p| i128::from(*p)).sum::<i128>(), i128::from(amount));
            for (l, p) in left.iter_mut().zip(&parts) {
                prop_assert!(*p >= 0 && *p <= *l, "{p} from {l}");
                *l -= p;
            }
        }
        prop_assert!(left.iter().all(|l| *l == 0), "{left:?} left of {buckets:?}");
    }

    /// (9, end to end) Digital River: successive percent refunds adding up to 100 %, each planned
    /// and applied, leave exactly zero available on every line, in amount and tax, and on the
    /// order. A step that rounds to zero in every bucket is refused (`invalid_amount`, DR rule
    /// 5) and its percentage carried into the next.
    #[test]
    fn digital_river_percents_to_100_empty_every_line(
        start in refund_rules::strategies::fresh_ledger(Provider::DigitalRiver),
        cuts in proptest::collection::btree_set(1_u64..10_000, 0..8),
        succeed in any::<bool>(),
    ) {
        use refund_rules::strategies::{Op, replay};
        const P: Provider = Provider::DigitalRiver;
        let (mut ledger, _) = replay(P, start, &[
            Op::Authorize,
            Op::Capture { pick: AmountPick::All, settled: true },
        ]);
        let r = ledger.refundable().unwrap();
        prop_assume!(r.captured == ledger.authorized && r.available == ledger.authorized);
        let mut carried = 0;
        for (i, step) in steps_to(10_000, &cuts).into_iter().enumerate() {
            let percent = step + carried;
            let body = format!(
                r#"{{"orderId":"pay_1","currency":"{}","percent":{}}}"#,
                ledger.currency,
                short_decimal(Minor::new(i64::try_from(percent).unwrap()), 2)
            );
            let case = PlanCase {
                provider: P,
                ledger: ledger.clone(),
                request: refund_rules::strategies::RequestDoc { body: Some(body), options: None },
                now: None,
            };
            match case.plan_with(&plan_context(&ledger, Some(format!("rf_{i}")))) {
                Ok(plan) => {
                    carried = 0;
                    let event = plan.event.unwrap();
                    ledger = if succeed {
                        apply_through(P, &ledger, &event)
                    } else {
                        apply(P, &ledger, &event).unwrap().ledger
                    };
                    ledger.check().unwrap();
                }
                Err(RefundError::InvalidAmount { problem: AmountProblem::Zero, .. }) => carried = percent,
                Err(e) if e.code() == ErrorCode::AlreadyFullyRefunded => {
                    prop_assert!(ledger.refundable().unwrap().available.is_zero());
                    carried = 0;
                }
                Err(e) => prop_assert!(false, "step {i} ({percent}): {e}"),
            }
        }
        prop_assert!(ledger.refundable().unwrap().available.is_zero());
        for line in &ledger.lines {
            let used = ledger.line_usage(&line.id).unwrap();
            prop_assert_eq!(used.amount, line.amount, "line {}", line.id);
            prop_assert_eq!(used.tax, line.tax, "line {}", line.id);
        }
    }
}

/// (10) Every state of every provider's tables is reachable from its start states (states no
/// transition enters) or is a start state, every transition names known states, and no event
/// moves a terminal state. Providers whose tables are still empty are skipped.
#[test]
fn every_state_is_reachable_and_terminal_states_stay() {
    const EVENTS: [PaymentEvent; 8] = [
        PaymentEvent::Authorize,
        PaymentEvent::Decline,
        PaymentEvent::CaptureFull,
        PaymentEvent::CapturePartial,
        PaymentEvent::Void,
        PaymentEvent::Settle,
        PaymentEvent::RefundPartial,
        PaymentEvent::RefundFull,
    ];
    fn check(provider: Provider, m: &StatusMachine) {
        for t in m.transitions {
            assert!(
                m.has_state(t.from) && m.has_state(t.to),
                "{provider} {}: {t:?}",
                m.name
            );
        }
        let mut reached: BTreeSet<&str> = m
            .states
            .iter()
            .copied()
            .filter(|s| !m.transitions.iter().any(|t| t.to == *s && t.from != *s))
            .chain(m.states.first().copied())
            .collect();
        assert!(!reached.is_empty(), "{provider} {}: no start state", m.name);
        loop {
            let next: Vec<&str> = m
                .transitions
                .iter()
                .filter(|t| reached.contains(t.from) && !reached.contains(t.to))
                .map(|t| t.to)
                .collect();
            if next.is_empty() {
                break;
            }
            reached.extend(next);
        }
        for s in m.states {
            assert!(
                reached.contains(s),
                "{provider} {}: `{s}` is unreachable",
                m.name
            );
            if m.is_terminal(s) {
                for e in EVENTS {
                    if let Ok(to) = m.next(s, e) {
                        assert_eq!(to, *s, "{provider} {}: `{e}` moves terminal `{s}`", m.name);
                    }
                }
            }
        }
    }
    let mut checked = 0;
    for provider in Provider::ALL {
        let m = provider.machines();
        if m.payment.states.is_empty() {
            continue;
        }
        checked += 1;
        check(provider, &m.payment);
        if let Some(o) = &m.order {
            check(provider, o);
        }
        if let Some(f) = &m.fulfillment {
            check(provider, f);
        }
        // Refund machine: every state reachable from the initial states.
        let mut reached: std::collections::HashSet<RefundState> =
            m.refund_initial.iter().copied().collect();
        assert!(!reached.is_empty(), "{provider}: no initial refund state");
        loop {
            let next: Vec<RefundState> = m
                .refund
                .transitions
                .iter()
                .filter(|t| reached.contains(&t.from) && !reached.contains(&t.to))
                .map(|t| t.to)
                .collect();
            if next.is_empty() {
                break;
            }
            reached.extend(next);
        }
        for s in m.refund.states {
            assert!(
                reached.contains(s),
                "{provider}: refund state `{s}` is unreachable"
            );
        }
    }
    assert!(checked >= COVERED_PROVIDERS.len());
}

/// The 60 + 60 race on a 100 capture, as a fixed case (hyperswitch#13182).
#[test]
fn two_concurrent_sixties_on_a_hundred() {
    let usd = refund_rules::Currency::from_code("USD").unwrap();
    let ledger: Ledger = serde_json::from_value::<refund_rules::ledger::LedgerDoc>(json!({
        "currency": "USD", "authorized": "100.00", "status": {"payment": "CAPTURED"},
        "captures": [{"id": "cap_1", "amount": "100.00"}], "version": 1
    }))
    .unwrap()
    .into_ledger("/ledger")
    .unwrap();
    let sixty = Some(AmountPick::Fixed(Minor::new(6000)));
    let a = plan_request(Provider::SimplePs, &ledger, sixty, Some("a".into())).unwrap();
    let b = plan_request(Provider::SimplePs, &ledger, sixty, Some("b".into())).unwrap();
    assert_eq!(a.amount, Money::new(Minor::new(6000), usd));
    let after = apply(Provider::SimplePs, &ledger, a.event.as_ref().unwrap())
        .unwrap()
        .ledger;
    let err = apply(Provider::SimplePs, &after, b.event.as_ref().unwrap()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::VersionConflict);
    let again = plan_request(Provider::SimplePs, &after, sixty, None).unwrap_err();
    assert_eq!(again.code(), ErrorCode::ExceedsRefundable);
}

/// The strategies cover what they claim: plan cases reach both decisions and several codes.
#[test]
fn strategies_reach_successes_and_rejections() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let mut codes = BTreeSet::new();
    for provider in COVERED_PROVIDERS {
        let s = plan_case(*provider);
        let (mut ok, mut full, mut partial) = (0, 0, 0);
        let mut own = std::collections::BTreeMap::new();
        for _ in 0..1_000 {
            let case = s.new_tree(&mut runner).unwrap().current();
            match case.plan() {
                Ok(plan) => {
                    ok += 1;
                    match plan.kind {
                        RefundKind::Full => full += 1,
                        RefundKind::Partial => partial += 1,
                    }
                }
                Err(e) => {
                    codes.insert(e.code().as_str());
                    *own.entry(e.code().as_str()).or_insert(0) += 1;
                }
            }
        }
        println!("{provider}: {ok} planned ({full} full, {partial} partial), refused with {own:?}");
        assert!(ok > 40, "{provider}: only {ok} plans succeeded");
        assert!(full > 10, "{provider}: only {full} full plans");
        if *provider != Provider::AlternativePayments {
            assert!(partial > 10, "{provider}: only {partial} partial plans");
        }
    }
    for code in [
        "exceeds_refundable",
        "invalid_amount",
        "already_fully_refunded",
        "not_captured",
        "currency_mismatch",
    ] {
        assert!(codes.contains(code), "never reached {code}: {codes:?}");
    }
}
