//! Each covered provider's request body (arbitrary text) planned against fixed ledgers, through
//! the typed API and the JSON surface. Proves: no panic; the surface answers ok or a stable code
//! and agrees with the typed API; every plan stays within the refundable amount, and applying
//! its event yields the planned remaining amount and statuses.
#![no_main]

use libfuzzer_sys::fuzz_target;
use refund_rules::json::{Operation, run};
use refund_rules::{ProviderRequest, apply, event::EventKind};
use refund_rules_fuzz::{COVERED_PROVIDERS, assert_envelope, ledger_from, seed_ledgers};

fuzz_target!(|data: &[u8]| {
    let [p, l, rest @ ..] = data else { return };
    let provider = COVERED_PROVIDERS[usize::from(*p) % COVERED_PROVIDERS.len()];
    let ledgers = seed_ledgers(provider);
    if ledgers.is_empty() {
        return;
    }
    let ledger_text = ledgers[usize::from(*l) % ledgers.len()];
    let Ok(body) = std::str::from_utf8(rest) else {
        return;
    };
    let ledger = ledger_from(ledger_text);

    let typed = ProviderRequest::from_json(provider, Some(body), None)
        .and_then(|r| refund_rules::plan(&ledger, &r, &Default::default()));
    let doc = format!(r#"{{"provider":"{provider}","ledger":{ledger_text},"request":{body}}}"#);
    let out = run(Operation::Plan, &doc);
    assert_envelope(&out);
    // The body alone is one JSON value: the document is exactly ledger + that request.
    let standalone = serde_json::from_str::<&serde_json::value::RawValue>(body).is_ok();
    match &typed {
        Ok(plan) => {
            if standalone {
                assert!(out.error.is_none(), "typed ok, surface {}", out.json);
            }
            let before = ledger.refundable().unwrap();
            assert!(plan.amount.minor.is_positive());
            assert!(plan.amount.minor <= before.available);
            assert_eq!(
                i128::from(plan.amount.minor.get()) + i128::from(plan.remaining_after.minor.get()),
                i128::from(before.available.get())
            );
            let event = plan.event.as_ref().unwrap();
            let after = apply(provider, &ledger, event).unwrap().ledger;
            assert_eq!(
                after.refundable().unwrap().available,
                plan.remaining_after.minor
            );
            let succeeded =
                matches!(&event.kind, EventKind::RefundCreated { state, .. } if !state.reserves());
            if succeeded {
                assert_eq!(after.status, plan.status_after);
            }
        }
        Err(e) => {
            if standalone {
                assert_eq!(out.error, Some(e.code()), "{}", out.json);
            }
        }
    }
});
