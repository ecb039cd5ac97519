//! Each covered provider's request body (arbitrary text), with no options or one of the
//! provider's options, planned against fixed ledgers copied from its vectors, through the typed
//! API and the JSON surface, at a `now` inside Fiserv's 12-month window. Proves: no panic; the
//! surface answers ok or a stable code and agrees with the typed API; every refund plan is
//! positive, within what the plan and the ledger have available,
//! `amount + remaining_after = refundable.available`, and applying its event takes exactly the
//! amount off the ledger and (for refunds created succeeded) lands on `status_after`; a void,
//! cancel or `_forward` plan's event applies cleanly.
//!
//! Input: byte 0 = provider, byte 1 = ledger, byte 2 = options (0 = none), then the body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use refund_rules::json::{Operation as JsonOp, run};
use refund_rules::strategies::plan_context;
use refund_rules::{Operation, ProviderRequest, apply, event::EventKind};
use refund_rules_fuzz::{
    COVERED_PROVIDERS, assert_envelope, assert_within_captured, ledger_from, seed_ledgers,
    seed_options,
};

fuzz_target!(|data: &[u8]| {
    let [p, l, o, rest @ ..] = data else { return };
    let provider = COVERED_PROVIDERS[usize::from(*p) % COVERED_PROVIDERS.len()];
    let ledgers = seed_ledgers(provider);
    if ledgers.is_empty() {
        return;
    }
    let ledger_text = ledgers[usize::from(*l) % ledgers.len()];
    let options = seed_options(provider);
    let option = match usize::from(*o) % (options.len() + 1) {
        0 => None,
        i => options.get(i - 1).copied(),
    };
    let Ok(body) = std::str::from_utf8(rest) else {
        return;
    };
    let ledger = ledger_from(ledger_text);
    let ctx = plan_context(&ledger, None);

    let typed = ProviderRequest::from_json(provider, Some(body), option)
        .and_then(|r| refund_rules::plan(&ledger, &r, &ctx));
    let mut doc = format!(r#"{{"provider":"{provider}","ledger":{ledger_text},"request":{body}"#);
    if let Some(o) = option {
        doc.push_str(&format!(r#","options":{o}"#));
    }
    if let Some(now) = ctx.now {
        doc.push_str(&format!(r#","now":"{now}""#));
    }
    doc.push('}');
    let out = run(JsonOp::Plan, &doc);
    assert_envelope(&out);
    // The body alone is one JSON value: the document is exactly ledger + that request.
    let standalone = serde_json::from_str::<&serde_json::value::RawValue>(body).is_ok();
    match &typed {
        Ok(plan) => {
            if standalone {
                assert!(out.error.is_none(), "typed ok, surface {}", out.json);
            }
            let Some(event) = plan.event.as_ref() else {
                // An idempotent replay or a `_forward` whose guard failed: nothing to apply.
                assert!(
                    plan.replay || plan.operation == Operation::Forward,
                    "{plan:?}"
                );
                return;
            };
            let applied = apply(provider, &ledger, event).unwrap();
            assert!(!applied.duplicate);
            let after = applied.ledger;
            assert_within_captured(&after);
            if plan.operation != Operation::Refund {
                return;
            }
            let before = ledger.refundable().unwrap();
            assert!(plan.amount.minor.is_positive());
            assert!(plan.amount.minor <= plan.refundable.available);
            assert!(plan.amount.minor <= before.available);
            assert_eq!(
                i128::from(plan.amount.minor.get()) + i128::from(plan.remaining_after.minor.get()),
                i128::from(plan.refundable.available.get())
            );
            assert_eq!(
                i128::from(after.refundable().unwrap().available.get()),
                i128::from(before.available.get()) - i128::from(plan.amount.minor.get())
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
