//! Property tests: the engine's invariants over generated ledgers, requests and event sequences,
//! for every provider in `strategies::COVERED_PROVIDERS`.
//!
//! Each property runs 1,000 cases by default. For a long run:
//! `PROPTEST_CASES=100000 cargo test --release -p refund-rules --test properties`.
//!
//! Not here: invariant (9), "successive partial allocations sum exactly to the original per
//! bucket". The allocation module is being written with Digital River; its property belongs
//! next to it once it exists.
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
use proptest::test_runner::Config;
use refund_rules::event::EventKind;
use refund_rules::json::{Operation as JsonOp, Response, run};
use refund_rules::machine::{PaymentEvent, StatusMachine};
use refund_rules::strategies::{
    AmountPick, COVERED_PROVIDERS, PlanCase, RequestDoc, amount_pick, amount_request,
    any_plan_case, breakdown_ledger, covered_provider, currencies, json_value, ledger,
    non_negative_minor, op, ops, over_precise_text, plan_case, replay, short_decimal,
};
use refund_rules::{
    AmountProblem, ErrorCode, Event, Ledger, Minor, Money, PlanContext, Provider, RefundError,
    RefundKind, RefundState, apply, format_decimal, parse_decimal, parse_money,
};
use serde_json::{Value, json};

/// 1,000 cases unless `PROPTEST_CASES` says otherwise.
fn config() -> Config {
    let mut c = Config::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        c.cases = 1_000;
    }
    c
}

/// The payment status a provider reports once everything captured is refunded.
fn fully_refunded_status(provider: Provider) -> &'static str {
    match provider {
        // SP2 payment-status table.
        Provider::SimplePs => "REFUNDED",
        other => panic!("{other} is not covered yet: add its fully-refunded status"),
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

fn plan_request(
    provider: Provider,
    ledger: &Ledger,
    pick: Option<AmountPick>,
    refund_id: Option<String>,
) -> Result<refund_rules::Plan, RefundError> {
    let available = ledger.refundable()?.available;
    let amount = pick.map(|p| Money::new(p.resolve(available), ledger.currency));
    PlanCase {
        provider,
        ledger: ledger.clone(),
        request: amount_request(provider, amount),
    }
    .plan_with(&PlanContext {
        now: None,
        refund_id,
    })
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
                        prop_assert!(plan.amount.minor <= plan.refundable.available);
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
                                RefundError::InconsistentState { .. }
                                    | RefundError::InvalidAmount { problem: AmountProblem::OutOfRange, .. }
                            ), "{e}");
                            prop_assert!(amount > i128::from(r.available.get()));
                        }
                    },
                    (false, false) => prop_assert_eq!(moved.refundable().unwrap(), r),
                }
            }
        }
    }

    /// (3) A full refund leaves exactly zero available and the provider's fully-refunded
    /// status; a partial one never does.
    #[test]
    fn full_refund_empties_partial_never_does(
        (provider, ledger, share) in covered_provider().prop_flat_map(|p| (Just(p), ledger(p), any::<u16>()))
    ) {
        let full_status = fully_refunded_status(provider);
        if let Ok(plan) = plan_request(provider, &ledger, None, None) {
            prop_assert_eq!(plan.kind, RefundKind::Full);
            prop_assert!(plan.remaining_after.minor.is_zero());
            prop_assert_eq!(plan.status_after.payment.as_str(), full_status);
            let after = apply(provider, &ledger, plan.event.as_ref().unwrap()).unwrap().ledger;
            prop_assert!(after.refundable().unwrap().available.is_zero());
            prop_assert_eq!(after.status.payment.as_str(), full_status);
        }
        if let Ok(plan) = plan_request(provider, &ledger, Some(AmountPick::Share(share)), None) {
            let available = ledger.refundable().unwrap().available;
            if plan.amount.minor < available {
                prop_assert_eq!(plan.kind, RefundKind::Partial);
                prop_assert!(plan.remaining_after.minor.is_positive());
                prop_assert_ne!(plan.status_after.payment.as_str(), full_status);
                let after = apply(provider, &ledger, plan.event.as_ref().unwrap()).unwrap().ledger;
                prop_assert!(after.refundable().unwrap().available.is_positive());
                prop_assert_ne!(after.status.payment.as_str(), full_status);
            } else {
                prop_assert_eq!(plan.kind, RefundKind::Full);
            }
        }
    }

    /// (4) Plan then apply agree: applying `plan.event` produces the planned remaining amount
    /// and, once the refund succeeds, the planned statuses.
    #[test]
    fn plan_then_apply_agree(case in any_plan_case()) {
        let Ok(plan) = case.plan() else { return Ok(()) };
        let before = case.ledger.refundable().unwrap();
        prop_assert_eq!(plan.version, case.ledger.version);
        prop_assert!(plan.amount.minor.is_positive());
        prop_assert!(plan.amount.minor <= before.available);
        prop_assert_eq!(
            i128::from(plan.amount.minor.get()) + i128::from(plan.remaining_after.minor.get()),
            i128::from(before.available.get())
        );
        let event = plan.event.clone().unwrap();
        prop_assert_eq!(event.expected_version, Some(case.ledger.version));
        let applied = apply(case.provider, &case.ledger, &event).unwrap();
        prop_assert!(!applied.duplicate);
        let mut ledger = applied.ledger;
        prop_assert_eq!(ledger.refundable().unwrap().available, plan.remaining_after.minor);
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
        prop_assert_eq!(ledger.refundable().unwrap().available, plan.remaining_after.minor);
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
                        // Only a true replay: both plans asked for the very same refund.
                        prop_assert_eq!(&events[0].kind, &events[1].kind);
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
        let body = match provider {
            Provider::SimplePs => format!(r#"{{"amount":{{"total":{text}}}}}"#),
            other => panic!("{other}: add its amount body"),
        };
        let case = PlanCase { provider, ledger, request: RequestDoc { body: Some(body), options: None } };
        match case.plan() {
            Ok(plan) => prop_assert!(false, "planned {} from {text}", plan.amount),
            Err(RefundError::InvalidAmount { problem, .. }) => prop_assert_eq!(problem, AmountProblem::TooManyDecimals),
            Err(other) => prop_assert!(
                matches!(other.code(), ErrorCode::NotCaptured | ErrorCode::NotRefundableState),
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
    let mut ok = 0;
    for provider in COVERED_PROVIDERS {
        let s = plan_case(*provider);
        for _ in 0..2_000 {
            let case = s.new_tree(&mut runner).unwrap().current();
            match case.plan() {
                Ok(_) => ok += 1,
                Err(e) => {
                    codes.insert(e.code().as_str());
                }
            }
        }
    }
    assert!(ok > 200, "only {ok} plans succeeded");
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
