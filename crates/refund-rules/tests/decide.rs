//! `decide` and `plan` are one set of rules: for every provider, on generated cases, the
//! decision `decide` returns is the decision inside the plan `plan` renders, and both refuse
//! the same requests with the same code.
#![allow(clippy::unwrap_used, reason = "test code")]

use proptest::prelude::*;
use refund_rules::strategies::any_plan_case;
use refund_rules::strategies::test_config as config;
use refund_rules::{Decision, ProviderRequest};

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
