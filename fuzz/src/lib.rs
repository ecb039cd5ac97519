//! Shared checks and inputs for the fuzz targets.

use refund_rules::json::Response;
use refund_rules::{ErrorCode, Ledger, Provider};
use serde_json::Value;

/// Providers the targets exercise (the same list the property tests use).
pub use refund_rules::strategies::COVERED_PROVIDERS;

/// A JSON surface answer is valid JSON with `ok`, and on failure a stable code whose family
/// is the documented one and matches the typed code.
pub fn assert_envelope(out: &Response) {
    let v: Value = match serde_json::from_str(&out.json) {
        Ok(v) => v,
        Err(e) => panic!("not JSON ({e}): {}", out.json),
    };
    match v.get("ok") {
        Some(Value::Bool(true)) => {
            assert!(out.error.is_none(), "ok with an error code: {}", out.json);
            assert!(v.get("value").is_some(), "ok without value: {}", out.json);
        }
        Some(Value::Bool(false)) => {
            let code = out
                .error
                .unwrap_or_else(|| panic!("no typed code: {}", out.json));
            assert!(ErrorCode::ALL.contains(&code));
            assert_eq!(
                v["error"]["code"].as_str(),
                Some(code.as_str()),
                "{}",
                out.json
            );
            assert_eq!(
                v["error"]["family"],
                serde_json::to_value(code.family()).unwrap_or(Value::Null)
            );
        }
        _ => panic!("no ok flag: {}", out.json),
    }
}

/// Ledgers (as JSON) a provider's request bodies are planned against.
pub fn seed_ledgers(provider: Provider) -> &'static [&'static str] {
    match provider {
        Provider::SimplePs => &[
            r#"{"id":"order-1","currency":"USD","authorized":"100.10","status":{"payment":"CAPTURED"},"captures":[{"id":"cap_1","amount":"100.10","settled":true}],"version":3}"#,
            r#"{"id":"order-1","currency":"USD","authorized":"100.10","status":{"payment":"PARTIALLY_REFUNDED"},"captures":[{"id":"cap_1","amount":"100.10"}],"refunds":[{"id":"refund_1","amount":"25.00","state":"succeeded"}],"version":4,"applied_events":["refund_1.created"]}"#,
            r#"{"currency":"JPY","authorized":"5800","status":{"payment":"CAPTURED"},"captures":[{"id":"cap_1","amount":"5800"}]}"#,
            r#"{"currency":"KWD","authorized":"10.000","status":{"payment":"PARTIALLY_CAPTURED"},"captures":[{"id":"cap_1","amount":"9.999"}]}"#,
            r#"{"currency":"CLF","authorized":"922337203685477.5807","status":{"payment":"CAPTURED"},"captures":[{"id":"cap_1","amount":"922337203685477.5807"}]}"#,
            r#"{"currency":"USD","authorized":"100.00","status":{"payment":"REFUNDED"},"captures":[{"id":"cap_1","amount":"100.00"}],"refunds":[{"id":"r","amount":"100.00","state":"succeeded"}]}"#,
            r#"{"currency":"USD","authorized":"100.00","status":{"payment":"AUTHORIZED"}}"#,
        ],
        // From vectors/fiserv_commerce_hub/ (SETTLED USD, JPY, AUTHORIZED, CAPTURED unsettled, after an unsettled partial, no created_at, partially refunded).
        Provider::FiservCommerceHub => &[
            r#"{"id":"84356531348","currency":"USD","authorized":"100.00","status":{"payment":"SETTLED"},"created_at":"2024-04-22T16:22:06Z","captures":[{"id":"cap_1","amount":"100.00","settled":true,"captured_at":"2024-04-22T16:22:06Z"}],"refunds":[],"version":2,"applied_events":["e1","e2"]}"#,
            r#"{"id":"84356531348","currency":"JPY","authorized":"5800","status":{"payment":"SETTLED"},"created_at":"2024-04-22T16:22:06Z","captures":[{"id":"cap_1","amount":"5800","settled":true,"captured_at":"2024-04-22T16:22:06Z"}],"refunds":[],"version":2,"applied_events":["e1","e2"]}"#,
            r#"{"id":"84356531348","currency":"USD","authorized":"100.00","status":{"payment":"AUTHORIZED"},"created_at":"2024-04-22T16:22:06Z","captures":[],"refunds":[],"version":1,"applied_events":["e1"]}"#,
            r#"{"id":"84356531348","currency":"USD","authorized":"100.00","status":{"payment":"CAPTURED"},"created_at":"2024-04-22T16:22:06Z","captures":[{"id":"cap_1","amount":"100.00","settled":false,"captured_at":"2024-04-22T16:22:06Z"}],"refunds":[],"version":2,"applied_events":["e1","e2"]}"#,
            r#"{"id":"84356531348","currency":"USD","authorized":"100.00","status":{"payment":"CAPTURED"},"created_at":"2024-04-22T16:22:06Z","captures":[{"id":"cap_1","amount":"100.00","settled":false,"captured_at":"2024-04-22T16:22:06Z"}],"refunds":[{"id":"refund_1","amount":"10.00","state":"succeeded"}],"version":3,"applied_events":["e1","e2","e3"]}"#,
            r#"{"id":"84356531348","currency":"USD","authorized":"100.00","status":{"payment":"SETTLED"},"captures":[{"id":"cap_1","amount":"100.00","settled":true,"captured_at":"2024-06-01T00:00:00Z"}],"refunds":[],"version":2,"applied_events":["e1","e2"]}"#,
            r#"{"id":"84356531348","currency":"USD","authorized":"100.00","status":{"payment":"SETTLED"},"created_at":"2024-04-22T16:22:06Z","captures":[{"id":"cap_1","amount":"100.00","settled":true,"captured_at":"2024-04-22T16:22:06Z"}],"refunds":[{"id":"refund_1","amount":"30.00","state":"succeeded"}],"version":3,"applied_events":["e1","e2","e3"]}"#,
        ],
        // From vectors/alternative_payments/ (USD, JPY, KWD, at the 10,000 limit, failed refund, pending with a key, refunded).
        Provider::AlternativePayments => &[
            r#"{"id":"pay_1","currency":"USD","authorized":"250.00","status":{"payment":"paid"},"captures":[{"id":"cap_1","amount":"250.00","settled":true}],"refunds":[],"version":2,"applied_events":["cap_1.captured"]}"#,
            r#"{"id":"pay_1","currency":"JPY","authorized":"5800","status":{"payment":"paid"},"captures":[{"id":"cap_1","amount":"5800","settled":true}],"refunds":[],"version":2,"applied_events":["cap_1.captured"]}"#,
            r#"{"id":"pay_1","currency":"KWD","authorized":"12.345","status":{"payment":"paid"},"captures":[{"id":"cap_1","amount":"12.345","settled":true}],"refunds":[],"version":2,"applied_events":["cap_1.captured"]}"#,
            r#"{"id":"pay_1","currency":"USD","authorized":"10000.00","status":{"payment":"paid"},"captures":[{"id":"cap_1","amount":"10000.00","settled":true}],"refunds":[],"version":2,"applied_events":["cap_1.captured"]}"#,
            r#"{"id":"pay_1","currency":"USD","authorized":"10000.01","status":{"payment":"paid"},"captures":[{"id":"cap_1","amount":"10000.01","settled":true}],"refunds":[],"version":2,"applied_events":["cap_1.captured"]}"#,
            r#"{"id":"pay_1","currency":"USD","authorized":"250.00","status":{"payment":"paid"},"captures":[{"id":"cap_1","amount":"250.00","settled":true}],"refunds":[{"id":"refund_1","amount":"250.00","state":"failed"}],"version":4,"applied_events":["cap_1.captured"]}"#,
            r#"{"id":"pay_1","currency":"USD","authorized":"250.00","status":{"payment":"paid"},"captures":[{"id":"cap_1","amount":"250.00","settled":true}],"refunds":[{"id":"refund_1","amount":"250.00","state":"pending","idempotency_key":"key-1","fingerprint":"{\"payment_id\":\"pay_1\",\"amount\":\"250.00\",\"reason\":{\"type\":\"Duplicate\"}}"}],"version":3,"applied_events":["cap_1.captured","refund_1.created"]}"#,
        ],
        // From vectors/digital_river/ (27.01 one line, 73.85 product+shipping+tax, no lines, accepted with a partial capture, JPY, fees, importer tax).
        Provider::DigitalRiver => &[
            r#"{"id":"240123450336","currency":"USD","authorized":"27.01","status":{"payment":"complete"},"captures":[{"id":"cap_1","amount":"27.01","settled":true}],"lines":[{"id":"li_1","kind":"product","amount":"25.00","tax":"2.01"}],"refunds":[],"version":3}"#,
            r#"{"id":"240123450336","currency":"USD","authorized":"73.85","status":{"payment":"complete"},"captures":[{"id":"cap_1","amount":"73.85","settled":true}],"lines":[{"id":"li_1","kind":"product","amount":"60.00","tax":"4.80","quantity":3},{"id":"sh_1","kind":"shipping","amount":"5.00","tax":"0.40"},{"id":"du_1","kind":"duty","amount":"2.03","tax":"0.00"},{"id":"fe_1","kind":"fees","amount":"1.50","tax":"0.12"}],"refunds":[],"version":3}"#,
            r#"{"id":"240123450336","currency":"USD","authorized":"73.85","status":{"payment":"complete"},"captures":[{"id":"cap_1","amount":"73.85","settled":true}],"lines":[{"id":"li_1","kind":"product","amount":"60.00","tax":"4.80","quantity":3},{"id":"sh_1","kind":"shipping","amount":"5.00","tax":"0.40"},{"id":"du_1","kind":"duty","amount":"2.03","tax":"0.00"},{"id":"fe_1","kind":"fees","amount":"1.50","tax":"0.12"}],"refunds":[{"id":"re_1","amount":"10.00","state":"succeeded","allocations":[{"line_id":"li_1","amount":"8.31","tax":"0.66"},{"line_id":"sh_1","amount":"0.69","tax":"0.06"},{"line_id":"du_1","amount":"0.28","tax":"0.00"}]}],"version":3}"#,
            r#"{"id":"240123450336","currency":"USD","authorized":"50.00","status":{"payment":"complete"},"captures":[{"id":"cap_1","amount":"50.00","settled":true}],"lines":[],"refunds":[],"version":3}"#,
            r#"{"id":"240123450336","currency":"USD","authorized":"100.00","status":{"payment":"accepted"},"captures":[{"id":"cap_1","amount":"40.00","settled":true}],"lines":[{"id":"li_1","kind":"product","amount":"100.00","tax":"0.00"}],"refunds":[],"version":3}"#,
            r#"{"id":"240123450336","currency":"USD","authorized":"73.85","status":{"payment":"complete"},"captures":[{"id":"cap_1","amount":"73.85","settled":true}],"lines":[{"id":"li_1","kind":"product","amount":"60.00","tax":"4.80","quantity":3},{"id":"sh_1","kind":"shipping","amount":"5.00","tax":"0.40"},{"id":"du_1","kind":"duty","amount":"2.03","tax":"0.00"},{"id":"fe_1","kind":"fees","amount":"1.50","tax":"0.12"}],"refunds":[{"id":"re_1","amount":"21.60","state":"succeeded","allocations":[{"line_id":"li_1","amount":"20.00","tax":"1.60","quantity":1}]},{"id":"re_2","amount":"21.60","state":"succeeded","allocations":[{"line_id":"li_1","amount":"20.00","tax":"1.60","quantity":1}]}],"version":3}"#,
            r#"{"id":"240123450336","currency":"USD","authorized":"27.01","status":{"payment":"returned"},"captures":[{"id":"cap_1","amount":"27.01","settled":true}],"lines":[{"id":"li_1","kind":"product","amount":"25.00","tax":"2.01"}],"refunds":[{"id":"re_1","amount":"13.51","state":"succeeded","allocations":[{"line_id":"li_1","amount":"12.50","tax":"1.01","percent":"50.00"}]}],"version":3}"#,
        ],
        // From vectors/commerce_layer/ (paid, partially refunded, two captures, JPY, a stuck refund, a received return, partially_paid).
        Provider::CommerceLayer => &[
            r#"{"id":"ord_1","currency":"EUR","authorized":"15.00","status":{"payment":"paid","order":"approved","fulfillment":"in_progress"},"captures":[{"id":"cap_1","amount":"15.00"}],"refunds":[],"version":3}"#,
            r#"{"id":"ord_1","currency":"EUR","authorized":"15.00","status":{"payment":"partially_refunded","order":"approved","fulfillment":"in_progress"},"captures":[{"id":"cap_1","amount":"15.00"}],"refunds":[{"id":"refund_1","amount":"5.00","state":"succeeded","capture_id":"cap_1"}],"version":3}"#,
            r#"{"id":"ord_1","currency":"EUR","authorized":"15.00","status":{"payment":"paid","order":"approved","fulfillment":"in_progress"},"captures":[{"id":"cap_1","amount":"10.00"},{"id":"cap_2","amount":"5.00"}],"refunds":[],"version":3}"#,
            r#"{"id":"ord_1","currency":"EUR","authorized":"15.00","status":{"payment":"partially_refunded","order":"approved","fulfillment":"in_progress"},"captures":[{"id":"cap_1","amount":"10.00"},{"id":"cap_2","amount":"5.00"}],"refunds":[{"id":"refund_1","amount":"10.00","state":"succeeded","capture_id":"cap_1"}],"version":3}"#,
            r#"{"id":"ord_1","currency":"JPY","authorized":"5800","status":{"payment":"paid","order":"approved","fulfillment":"in_progress"},"captures":[{"id":"cap_1","amount":"5800"}],"refunds":[],"version":3}"#,
            r#"{"id":"ord_1","currency":"EUR","authorized":"15.00","status":{"payment":"paid","order":"placed","fulfillment":"in_progress"},"captures":[{"id":"cap_1","amount":"15.00"}],"refunds":[{"id":"refund_1","amount":"15.00","state":"pending","capture_id":"cap_1"}],"version":3}"#,
            r#"{"id":"ord_1","currency":"EUR","authorized":"15.00","status":{"payment":"paid","order":"placed","fulfillment":"in_progress"},"captures":[{"id":"cap_1","amount":"15.00"}],"refunds":[],"version":3}"#,
        ],
    }
}

/// Merchant options a provider's bodies are also planned with (the fuzz input picks one, or none).
pub fn seed_options(provider: Provider) -> &'static [&'static str] {
    match provider {
        Provider::SimplePs => &[],
        Provider::FiservCommerceHub => &[
            r#"{"allow_unsettled_refund":true}"#,
            r#"{"auto_cancel":false}"#,
            r#"{"lenient_amount_strings":true}"#,
            r#"{"endpoint":"order","order_id":"ord_1"}"#,
        ],
        Provider::AlternativePayments => &[
            r#"{"refund_limit":"100"}"#,
            r#"{"other_requires_description":false}"#,
        ],
        Provider::DigitalRiver => &[
            r#"{"percent_of":"available"}"#,
            r#"{"accept_string_amounts":true}"#,
            r#"{"async_payment_method":true}"#,
        ],
        Provider::CommerceLayer => &[r#"{"partially_paid_refundable":false}"#],
    }
}

/// Parses a ledger JSON text (panics on the fixed seeds only).
pub fn ledger_from(text: &str) -> Ledger {
    match serde_json::from_str::<refund_rules::ledger::LedgerDoc>(text)
        .map_err(|e| e.to_string())
        .and_then(|d| d.into_ledger("/ledger").map_err(|e| e.to_string()))
    {
        Ok(l) => l,
        Err(e) => panic!("bad seed ledger {text}: {e}"),
    }
}

/// The ceiling: succeeded plus pending refunds never exceed what was captured.
pub fn assert_within_captured(ledger: &Ledger) {
    if let Err(e) = ledger.check() {
        panic!("ledger from apply fails its own check: {e}\n{ledger:?}");
    }
    let r = match ledger.refundable() {
        Ok(r) => r,
        Err(e) => panic!("no breakdown: {e}"),
    };
    let total = i128::from(r.refunded.get()) + i128::from(r.pending.get());
    assert!(
        total <= i128::from(r.captured.get()),
        "over-refunded: {r:?}"
    );
    assert!(r.available.get() >= 0);
}
