//! The two places that know each provider's wire form of an amount agree: every amount
//! [`Provider::request_body`] writes (each provider, every scope of random ledgers, with and
//! without an amount) sits at a place [`amount_form`] lists, in the JSON type that table names,
//! and no other member is an amount.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "test code"
)]

use proptest::prelude::*;
use refund_rules::json::amounts::{AmountForm, amount_form, is_amount_key};
use refund_rules::provider::RequestScope;
use refund_rules::strategies::test_config as config;
use refund_rules::strategies::{covered_provider, ledger};
use refund_rules::{Ledger, Minor, Provider};
use serde_json::Value;

/// Every scope of `ledger` a provider might refund by.
fn scopes(ledger: &Ledger) -> Vec<RequestScope<'_>> {
    let mut out = vec![RequestScope::Whole, RequestScope::Order];
    out.extend(ledger.captures.iter().map(|c| RequestScope::Capture(&c.id)));
    out.extend(ledger.returns.iter().map(|r| RequestScope::Return(&r.id)));
    out.extend(ledger.lines.iter().map(|l| RequestScope::Line(&l.id)));
    out.extend(["shipping", "tax"].map(RequestScope::Type));
    out
}

/// Checks every member of `value` at `path` (pointer segments from the document root).
fn check(provider: Provider, path: &mut Vec<String>, value: &Value, amounts: &mut usize) {
    match value {
        Value::Object(members) => {
            for (k, v) in members {
                path.push(k.clone());
                check(provider, path, v, amounts);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                path.push(i.to_string());
                check(provider, path, v, amounts);
                path.pop();
            }
        }
        leaf => {
            let segments: Vec<&str> = path.iter().map(String::as_str).collect();
            let Some(form) = amount_form(Some(provider), &segments) else {
                let key = segments.last().copied().unwrap_or_default();
                assert!(
                    !(is_amount_key(key) && leaf.is_number()),
                    "{provider}: {segments:?} = {leaf} looks like an amount the table does not list"
                );
                return;
            };
            *amounts += 1;
            let fits = match form {
                AmountForm::DecimalString => leaf.is_string(),
                AmountForm::DecimalNumber => leaf.is_number(),
                AmountForm::MinorUnits => leaf.is_u64() || leaf.is_i64(),
            };
            assert!(
                fits,
                "{provider}: {segments:?} = {leaf}, the table says {form:?}"
            );
        }
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn request_bodies_write_amounts_where_and_how_the_amount_table_says(
        (provider, ledger, minor) in covered_provider()
            .prop_flat_map(|p| (Just(p), ledger(p), 1_i64..1_000_000))
    ) {
        let mut written = 0;
        for scope in scopes(&ledger) {
            for amount in [None, Some(Minor::new(minor))] {
                let Ok(Some(body)) = provider.request_body(&ledger, scope, amount) else { continue };
                let value: Value = serde_json::from_str(&body).unwrap();
                let mut amounts = 0;
                check(provider, &mut vec!["request".to_owned()], &value, &mut amounts);
                prop_assert_eq!(amounts, usize::from(amount.is_some()), "{}: {}", provider, body);
                written += amounts;
            }
        }
        // Every provider writes an amount for some scope of every ledger (Commerce Layer sizes
        // captures and returns only).
        let sizable = provider != Provider::CommerceLayer
            || !ledger.captures.is_empty()
            || !ledger.returns.is_empty();
        prop_assert!(written > 0 || !sizable, "{}: no amount written", provider);
    }
}
