//! `decide` and `plan` are one set of rules: for every provider, on generated cases, the
//! decision `decide` returns is the decision inside the plan `plan` renders, and both refuse
//! the same requests with the same code.
#![allow(clippy::unwrap_used, reason = "test code")]

use proptest::prelude::*;
use refund_rules::strategies::any_plan_case;
use refund_rules::strategies::test_config as config;
use refund_rules::{Decision, ProviderRequest, RefundError};

proptest! {
    #![proptest_config(config())]

    #[test]
    fn decide_is_the_decision_plan_renders(case in any_plan_case()) {
        let planned = case.plan();
        let ctx = refund_rules::PlanContext { now: case.now, refund_id: None };
        let decided = ProviderRequest::from_json(
            case.provider,
            case.request.body.as_deref(),
            case.request.options.as_deref(),
        )
        .and_then(|request| {
            refund_rules::validate(case.provider, &case.ledger)
                .and_then(|valid| refund_rules::decide(&valid, &request, &ctx))
        });
        match (planned, decided) {
            (Ok(plan), Ok(decision)) => {
                let inside = Decision::of_plan(&plan, case.provider.machines()).unwrap();
                prop_assert_eq!(Decision { rules: &[], ..decision }, inside);
                // The JSON surface renders the same decision when asked for it alone.
                // (Edited as text: a `Value` would read amounts through f64.)
                let text = case.to_json().unwrap();
                let doc = format!("{{\"render\":\"decision\",{}", text.strip_prefix('{').unwrap());
                let out = refund_rules::json::run(refund_rules::json::Operation::Plan, &doc);
                let v: serde_json::Value = serde_json::from_str(&out.json).unwrap();
                prop_assert_eq!(&v["value"], &serde_json::to_value(decision).unwrap(), "{}", out.json);
            }
            (Err(p), Err(d)) => prop_assert_eq!(p.code(), d.code(), "{} / {}", p, d),
            (p, d) => prop_assert!(false, "plan {:?} but decide {:?}", p.map(|p| p.amount), d.map(|d| d.amount)),
        }
    }
}

/// The property above sees decisions as well as refusals for every provider, and the rarer
/// operations (Fiserv's cancel, Commerce Layer's `_forward`): a generator that only produced
/// refusals would let `decide` drift from `plan` unnoticed. (Replays, which it does not
/// generate, are in the shared vectors: see the next test.)
#[test]
fn the_cases_reach_every_provider_and_operation() {
    use proptest::strategy::{Strategy, ValueTree};
    use std::collections::HashSet;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = any_plan_case();
    let mut seen = HashSet::new();
    for _ in 0..2_000 {
        let case = strategy.new_tree(&mut runner).unwrap().current();
        if let Ok(plan) = case.plan() {
            seen.insert((case.provider, plan.operation, plan.replay));
        }
    }
    use refund_rules::{Operation, Provider};
    for provider in Provider::ALL {
        assert!(
            seen.iter().any(|(p, _, _)| *p == provider),
            "no case of {provider} decides: {seen:?}"
        );
    }
    for wanted in [
        (Provider::FiservCommerceHub, Operation::Cancel, false),
        (Provider::CommerceLayer, Operation::Forward, false),
    ] {
        assert!(
            seen.contains(&wanted),
            "no case decides {wanted:?}: {seen:?}"
        );
    }
}

/// Every shared `plan` vector, decided: the same decision as the plan (replays, cancels,
/// forwards and line-sized refunds included), or the same error code. The vectors hold the cases
/// the generators reach rarely or never (an Alternative Payments replay, for one).
#[test]
fn decide_agrees_with_plan_on_every_shared_vector() {
    let vectors = refund_rules_vectors::load().unwrap();
    let (mut decided, mut refused, mut replays) = (0, 0, 0);
    for v in vectors.iter().filter(|v| v.operation == "plan") {
        let Ok(call) = refund_rules::json::parse_plan_input(&v.input) else {
            continue;
        };
        let name = format!("{} :: {}", v.file.display(), v.name);
        let planned = refund_rules::plan(&call.ledger, &call.request, &call.context);
        let decided_now = refund_rules::validate(call.request.provider(), &call.ledger)
            .and_then(|valid| refund_rules::decide(&valid, &call.request, &call.context));
        match (planned, decided_now) {
            (Ok(plan), Ok(decision)) => {
                let inside = Decision::of_plan(&plan, plan.provider.machines()).unwrap();
                assert_eq!(
                    Decision {
                        rules: &[],
                        ..decision
                    },
                    inside,
                    "{name}"
                );
                assert!(!decision.rules.is_empty(), "{name}: no rule named");
                decided += 1;
                replays += usize::from(plan.replay);
            }
            (Err(p), Err(d)) => {
                assert_eq!(p.code(), d.code(), "{name}: {p} / {d}");
                refused += 1;
            }
            (Err(RefundError::IdempotencyConflict { .. }), Ok(_))
                if call.context.refund_id.is_some() =>
            {
                // The caller's refund id is taken: only a rendered plan names the new refund.
            }
            (p, d) => panic!("{name}: plan {:?} but decide {:?}", p.map(|p| p.amount), d),
        }
    }
    assert!(
        decided > 100 && refused > 100 && replays > 0,
        "{decided} / {refused} / {replays}"
    );
}
