//! The `options` invariant (issue 14), over all five providers: `plan` with `options.max`
//! succeeds, `plan` with `max` + 1 minor unit is rejected, and when `blocked` is set `plan` of
//! the everything-available request is rejected with the same code. Per capture too, for
//! Commerce Layer. 1,000 cases unless `PROPTEST_CASES` says otherwise.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

use proptest::prelude::*;
use proptest::sample::select;
use refund_rules::options::{ScopeKind, options};
use refund_rules::strategies::test_config as config;
use refund_rules::strategies::{
    COVERED_PROVIDERS, PlanCase, RequestDoc, amount_request, ledger, plan_context, plan_now,
};
use refund_rules::{ErrorFamily, Ledger, Minor, Money, Operation, Plan, Provider, RefundError};

fn plan(provider: Provider, ledger: &Ledger, request: RequestDoc) -> Result<Plan, RefundError> {
    PlanCase {
        provider,
        ledger: ledger.clone(),
        request,
        now: plan_now(ledger),
    }
    .plan_with(&plan_context(ledger, None))
}

/// A Commerce Layer capture `_refund` of `minor` cents.
fn capture_request(id: &str, minor: Minor) -> RequestDoc {
    RequestDoc {
        body: Some(format!(
            r#"{{"data":{{"type":"captures","id":{},"attributes":{{"_refund":true,"_refund_amount_cents":{}}}}}}}"#,
            serde_json::to_string(id).unwrap(),
            minor.get()
        )),
        options: None,
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn plan_accepts_options_max_and_refuses_one_unit_more(
        (provider, ledger) in select(COVERED_PROVIDERS.to_vec()).prop_flat_map(|p| (Just(p), ledger(p)))
    ) {
        let answer = match options(provider, &ledger, None, plan_now(&ledger)) {
            Ok(a) => a,
            Err(e) => {
                // Bad input for options is bad input for plan too.
                prop_assert_eq!(e.code().family(), ErrorFamily::InvalidInput, "{}", e);
                let p = plan(provider, &ledger, amount_request(provider, &ledger, None));
                prop_assert!(p.is_err());
                return Ok(());
            }
        };
        let currency = ledger.currency;
        if let Some(blocked) = &answer.blocked {
            prop_assert!(answer.max.minor.is_zero() && answer.operation.is_none());
            let p = plan(provider, &ledger, amount_request(provider, &ledger, None));
            match p {
                Ok(p) => prop_assert!(false, "{provider}: blocked {:?} but plan gave {}", blocked.code, p.amount),
                Err(e) => prop_assert_eq!(e.code(), blocked.code, "{}", e),
            }
        } else {
            let max = answer.max.minor;
            prop_assert!(max.is_positive());
            prop_assert!(answer.min.minor <= max && answer.min.minor.is_positive());
            // At the top of the range there is no "one more" to send.
            let Ok(one_more) = max.checked_add(Minor::new(1)) else { return Ok(()) };
            match (provider, answer.operation) {
                (Provider::CommerceLayer, _) => {
                    // One request refunds one capture: each capture scope holds on its own.
                    let mut best = Minor::ZERO;
                    for s in answer.scopes.iter().filter(|s| s.kind == ScopeKind::Capture) {
                        if s.blocked.is_some() {
                            continue;
                        }
                        best = best.max(s.max.minor);
                        let ok = plan(provider, &ledger, capture_request(&s.id, s.max.minor));
                        prop_assert!(ok.is_ok(), "capture {}: max {} refused: {:?}", s.id, s.max, ok.err());
                        if let Ok(more) = s.max.minor.checked_add(Minor::new(1)) {
                            prop_assert!(plan(provider, &ledger, capture_request(&s.id, more)).is_err());
                        }
                    }
                    prop_assert_eq!(best, max);
                }
                (_, Some(Operation::Cancel | Operation::Void)) => {
                    prop_assert!(answer.full_only);
                    let p = plan(provider, &ledger, amount_request(provider, &ledger, None));
                    let p = p.map_err(|e| TestCaseError::fail(format!("{provider}: {e}")))?;
                    prop_assert_eq!(Some(p.operation), answer.operation);
                    prop_assert_eq!(p.amount.minor, max);
                    let more = plan(provider, &ledger, amount_request(provider, &ledger, Some(Money::new(one_more, currency))));
                    prop_assert!(more.is_err(), "{provider}: {} planned above the {} maximum", one_more.get(), max.get());
                }
                _ => {
                    let at = plan(provider, &ledger, amount_request(provider, &ledger, Some(answer.max)));
                    // Only the amount's wire format may refuse it (Fiserv: at most 12 digits,
                    // where the amount-free form still refunds it), never a size rule.
                    if let Err(e) = &at {
                        prop_assert_eq!(e.code(), refund_rules::ErrorCode::InvalidAmount, "{}: options.max {} refused: {}", provider, answer.max, e);
                        return Ok(());
                    }
                    let more = plan(provider, &ledger, amount_request(provider, &ledger, Some(Money::new(one_more, currency))));
                    prop_assert!(more.is_err(), "{provider}: {} planned above the maximum {}", one_more.get(), answer.max);
                    if !answer.full_only {
                        let min = plan(provider, &ledger, amount_request(provider, &ledger, Some(answer.min)));
                        prop_assert!(min.is_ok(), "{provider}: options.min {} refused: {:?}", answer.min, min.err());
                    }
                }
            }
        }
    }
}
