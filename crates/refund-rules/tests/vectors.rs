//! Runs every shared vector in `vectors/` through the JSON surface, and checks that each
//! provider's vectors cover every transition of its tables and every error it can return.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]
#![allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "test code"
)]

use std::collections::BTreeSet;
use std::path::Path;

use refund_rules::json::run_named;
use refund_rules::{ErrorCode, Provider};
use refund_rules_vectors::{Vector, load, subset};
use serde_json::Value;

fn run(v: &Vector) -> (Value, Option<ErrorCode>) {
    let out = run_named(&v.operation, &v.input);
    (serde_json::from_str(&out.json).unwrap(), out.error)
}

#[test]
fn every_vector_passes_through_the_json_surface() {
    let cases = load().unwrap();
    assert!(
        cases.len() > 100,
        "expected the shared vectors, found {}",
        cases.len()
    );
    let mut failures = Vec::new();
    for v in &cases {
        let (actual, code) = run(v);
        if let Err(e) = subset(&v.expected, &actual) {
            failures.push(format!("{} :: {}: {e}", v.file.display(), v.name));
        }
        assert_eq!(
            code.map(ErrorCode::as_str),
            actual["error"]["code"].as_str()
        );
    }
    assert!(
        failures.is_empty(),
        "{} failing vectors:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn vectors_cover_every_transition_and_error_of_every_provider() {
    let cases = load().unwrap();
    for provider in Provider::ALL {
        let mine: Vec<&Vector> = cases
            .iter()
            .filter(|c| c.dir == provider.as_str())
            .collect();
        let seen: BTreeSet<&str> = mine
            .iter()
            .filter_map(|c| c.expected["error"]["code"].as_str())
            .collect();
        for code in provider.reachable_errors() {
            assert!(
                seen.contains(code.as_str()),
                "{provider}: no vector expects `{code}`"
            );
        }
        let mut moved: BTreeSet<(String, String, String)> = BTreeSet::new();
        let mut refund_moves: BTreeSet<(String, String)> = BTreeSet::new();
        let mut created: BTreeSet<String> = BTreeSet::new();
        for v in mine.iter().filter(|v| v.operation == "apply") {
            let (out, _) = run(v);
            if out["ok"] != Value::Bool(true) || out["value"]["duplicate"] == Value::Bool(true) {
                continue;
            }
            let (before, after) = (
                &out["value"]["status_before"],
                &out["value"]["ledger"]["status"],
            );
            for slot in ["payment", "order", "fulfillment"] {
                if let (Some(b), Some(a)) = (before[slot].as_str(), after[slot].as_str()) {
                    moved.insert((slot.to_owned(), b.to_owned(), a.to_owned()));
                }
            }
            let input: Value = serde_json::from_str(&v.input).unwrap();
            let rid = input["event"]["refund_id"].as_str().unwrap_or_default();
            let state_in = |ledger: &Value| {
                ledger["refunds"]
                    .as_array()
                    .and_then(|rs| rs.iter().find(|r| r["id"] == rid))
                    .and_then(|r| r["state"].as_str().map(str::to_owned))
            };
            match input["event"]["type"].as_str() {
                Some("refund_created") => created.extend(state_in(&out["value"]["ledger"])),
                Some("refund_succeeded" | "refund_failed" | "refund_expired") => {
                    if let (Some(b), Some(a)) = (
                        state_in(&input["ledger"]),
                        state_in(&out["value"]["ledger"]),
                    ) {
                        refund_moves.insert((b, a));
                    }
                }
                _ => {}
            }
        }
        let m = provider.machines();
        let slots = [
            ("payment", Some(&m.payment)),
            ("order", m.order.as_ref()),
            ("fulfillment", m.fulfillment.as_ref()),
        ];
        for (slot, machine) in slots {
            for t in machine.map_or(&[][..], |m| m.transitions) {
                let key = (slot.to_owned(), t.from.to_owned(), t.to.to_owned());
                assert!(
                    moved.contains(&key),
                    "{provider}: no apply vector moves {slot} `{}` -> `{}`",
                    t.from,
                    t.to
                );
            }
        }
        for t in m.refund.transitions {
            let pair = (t.from.as_str().to_owned(), t.to.as_str().to_owned());
            assert!(
                refund_moves.contains(&pair),
                "{provider}: no vector moves a refund {pair:?}"
            );
        }
        for s in m.refund_initial {
            assert!(
                created.contains(s.as_str()),
                "{provider}: no vector creates a `{s}` refund"
            );
        }
    }
}

#[test]
fn every_error_code_is_documented() {
    let doc = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/errors.md");
    let doc = std::fs::read_to_string(doc).unwrap();
    for code in ErrorCode::ALL {
        assert!(
            doc.contains(&format!("`{}`", code.as_str())),
            "docs/errors.md lacks `{code}`"
        );
    }
}
