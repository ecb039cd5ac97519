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
        // Not covered yet: a new provider's ledgers go here.
        _ => &[],
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
