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
use refund_rules::json::{Operation as JsonOperation, run};
use refund_rules::options::{ScopeKind, options};
use refund_rules::provider::RequestScope;
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

/// A Commerce Layer capture `_refund` of `minor` cents, as the core writes it.
fn capture_request(ledger: &Ledger, id: &str, minor: Minor) -> RequestDoc {
    RequestDoc {
        body: Provider::CommerceLayer
            .request_body(ledger, RequestScope::Capture(id), Some(minor))
            .unwrap(),
        options: None,
    }
}

/// A scope (`None`: the whole payment) with its `max`, `full_only` and operation.
type Target<'a> = (Option<(ScopeKind, &'a str)>, Money, bool, Option<Operation>);

/// The JSON surface: `request_body` for `amount` of `scope` (`None`: the whole payment or
/// order), then `plan` of that body. The planned amount, or the plan's error code.
fn plan_through_json(
    provider: Provider,
    ledger: &Ledger,
    scope: Option<(ScopeKind, &str)>,
    amount: Option<Money>,
) -> Result<Minor, String> {
    let ledger_json = serde_json::to_string(ledger).unwrap();
    let scope_json = match scope {
        None => String::new(),
        Some((ScopeKind::Order, _)) => r#","scope":{"kind":"order"}"#.to_owned(),
        Some((kind, id)) => format!(
            r#","scope":{{"kind":{},"id":{}}}"#,
            serde_json::to_string(&kind).unwrap(),
            serde_json::to_string(id).unwrap()
        ),
    };
    let amount_json = amount
        .map(|m| format!(r#","amount":"{}""#, m.to_decimal_string()))
        .unwrap_or_default();
    let text =
        format!(r#"{{"provider":"{provider}","ledger":{ledger_json}{scope_json}{amount_json}}}"#);
    // Read the body as raw text: a `Value` would turn large amounts into doubles.
    #[derive(serde::Deserialize)]
    struct Body<'a> {
        #[serde(borrow)]
        request: &'a serde_json::value::RawValue,
    }
    #[derive(serde::Deserialize)]
    struct Out<'a> {
        ok: bool,
        #[serde(borrow)]
        value: Option<Body<'a>>,
    }
    let response = run(JsonOperation::RequestBody, &text).json;
    let out: Out<'_> = serde_json::from_str(&response).unwrap();
    assert!(out.ok, "request_body refused {text}: {response}");
    let body = out.value.unwrap().request.get();
    let mut plan_doc = format!(r#"{{"provider":"{provider}","ledger":{ledger_json}"#);
    if body != "null" {
        plan_doc.push_str(&format!(r#","request":{body}"#));
    }
    if let Some(now) = plan_now(ledger) {
        plan_doc.push_str(&format!(r#","now":"{now}""#));
    }
    plan_doc.push('}');
    let planned: serde_json::Value =
        serde_json::from_str(&run(JsonOperation::Plan, &plan_doc).json).unwrap();
    let field = |path: &str| {
        planned
            .pointer(path)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
    };
    if planned.get("ok") == Some(&serde_json::Value::Bool(true)) {
        let text = field("/value/amount");
        Ok(refund_rules::parse_money(text, ledger.currency)
            .unwrap()
            .minor)
    } else {
        Err(format!("{} for {body}", field("/error/code")))
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
                        let ok = plan(provider, &ledger, capture_request(&ledger, &s.id, s.max.minor));
                        prop_assert!(ok.is_ok(), "capture {}: max {} refused: {:?}", s.id, s.max, ok.err());
                        if let Ok(more) = s.max.minor.checked_add(Minor::new(1)) {
                            prop_assert!(plan(provider, &ledger, capture_request(&ledger, &s.id, more)).is_err());
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

    /// The JSON `request_body` writes, for every open scope (and the whole payment where the
    /// provider refunds it whole), a body that `plan` sizes at exactly `options.max`; one minor
    /// unit more is refused. One amount rule for every surface: the bindings send these bodies.
    #[test]
    fn request_body_plans_each_scope_max_and_not_one_unit_more(
        (provider, ledger) in select(COVERED_PROVIDERS.to_vec()).prop_flat_map(|p| (Just(p), ledger(p)))
    ) {
        let Ok(answer) = options(provider, &ledger, None, plan_now(&ledger)) else { return Ok(()) };
        let currency = ledger.currency;
        let mut targets: Vec<Target<'_>> = answer
            .scopes
            .iter()
            .filter(|s| s.blocked.is_none())
            .map(|s| (Some((s.kind, s.id.as_str())), s.max, s.full_only, s.operation))
            .collect();
        if provider != Provider::CommerceLayer && answer.blocked.is_none() {
            targets.push((None, answer.max, answer.full_only, answer.operation));
        }
        for (scope, max, full_only, operation) in targets {
            // The whole-order trigger and cancels/voids take no amount: their body is the
            // amount-free form, which plans the scope's maximum.
            let amount_free = matches!(scope, Some((ScopeKind::Order, _)))
                || matches!(operation, Some(Operation::Cancel | Operation::Void))
                || full_only;
            let sent = if amount_free { None } else { Some(max) };
            let planned = plan_through_json(provider, &ledger, scope, sent);
            // Only the amount's wire format may refuse it (Fiserv: at most 12 digits).
            if planned.as_ref().is_err_and(|code| code.starts_with("invalid_amount")) {
                continue;
            }
            prop_assert_eq!(planned.clone(), Ok(max.minor), "{} {:?}: {:?}", provider, scope, planned);
            if let (false, Ok(more)) = (amount_free, max.minor.checked_add(Minor::new(1))) {
                let over = plan_through_json(provider, &ledger, scope, Some(Money::new(more, currency)));
                prop_assert!(over.is_err(), "{} {:?}: {} planned above the maximum", provider, scope, more.get());
            }
        }
    }
}
