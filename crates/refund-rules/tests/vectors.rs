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
use std::path::{Path, PathBuf};

use refund_rules::json::run_named;
use refund_rules::machine::StatusMachine;
use refund_rules::{ErrorCode, Provider, RefundState};
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VectorFile {
    #[expect(dead_code, reason = "documentation only")]
    description: String,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    rule: String,
    source: String,
    operation: String,
    #[serde(default)]
    input: Option<Box<RawValue>>,
    #[serde(default)]
    input_text: Option<String>,
    expected: Value,
}

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../vectors")
}

fn files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![vectors_dir()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "json") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// `expected` is a subset of `actual`: objects by key, arrays element-wise with equal length,
/// numbers by value.
fn subset(expected: &Value, actual: &Value, path: &str) -> Result<(), String> {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                let av = a
                    .get(k)
                    .ok_or_else(|| format!("{path}/{k}: missing in {actual}"))?;
                subset(ev, av, &format!("{path}/{k}"))?;
            }
            Ok(())
        }
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                return Err(format!(
                    "{path}: expected {} items, got {}",
                    e.len(),
                    a.len()
                ));
            }
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                subset(ev, av, &format!("{path}/{i}"))?;
            }
            Ok(())
        }
        (Value::Number(e), Value::Number(a)) if e.as_f64() == a.as_f64() => Ok(()),
        (e, a) if e == a => Ok(()),
        (e, a) => Err(format!("{path}: expected {e}, got {a}")),
    }
}

struct Loaded {
    dir: String,
    file: PathBuf,
    case: Case,
    input: String,
}

fn load() -> Vec<Loaded> {
    let mut all = Vec::new();
    for f in files() {
        let text = std::fs::read_to_string(&f).unwrap();
        let vf: VectorFile =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let dir = f
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        for case in vf.cases {
            let input = match (&case.input, &case.input_text) {
                (Some(raw), None) => raw.get().to_owned(),
                (None, Some(t)) => t.clone(),
                _ => panic!(
                    "{}: `{}` needs exactly one of input/input_text",
                    f.display(),
                    case.name
                ),
            };
            assert!(
                !case.rule.is_empty() && !case.source.is_empty(),
                "{}: rule and source",
                case.name
            );
            all.push(Loaded {
                dir: dir.clone(),
                file: f.clone(),
                case,
                input,
            });
        }
    }
    all
}

#[test]
fn every_vector_passes_through_the_json_surface() {
    let cases = load();
    assert!(
        cases.len() > 100,
        "expected the shared vectors, found {}",
        cases.len()
    );
    let mut failures = Vec::new();
    for c in &cases {
        let out = run_named(&c.case.operation, &c.input);
        let actual: Value = serde_json::from_str(&out.json).unwrap();
        if let Err(e) = subset(&c.case.expected, &actual, "") {
            failures.push(format!("{} :: {}: {e}", c.file.display(), c.case.name));
        }
        // The code in the envelope and the typed code agree.
        assert_eq!(
            out.error.map(|e| e.as_str().to_owned()),
            actual["error"]["code"].as_str().map(str::to_owned)
        );
    }
    assert!(
        failures.is_empty(),
        "{} failing vectors:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn machine_pairs(m: &StatusMachine) -> BTreeSet<(String, String)> {
    m.transitions
        .iter()
        .map(|t| (t.from.to_owned(), t.to.to_owned()))
        .collect()
}

#[test]
fn vectors_cover_every_transition_and_error_of_every_provider() {
    let cases = load();
    for provider in Provider::ALL {
        let mine: Vec<&Loaded> = cases
            .iter()
            .filter(|c| c.dir == provider.as_str())
            .collect();
        // Error codes.
        let seen: BTreeSet<String> = mine
            .iter()
            .filter_map(|c| c.case.expected["error"]["code"].as_str().map(str::to_owned))
            .collect();
        for code in provider.reachable_errors() {
            assert!(
                seen.contains(code.as_str()),
                "{provider}: no vector expects `{code}`"
            );
        }
        // Status transitions, observed from successful applies.
        let m = provider.machines();
        let mut covered: BTreeSet<(String, String, String)> = BTreeSet::new();
        let mut refund_moves: BTreeSet<(String, String)> = BTreeSet::new();
        let mut created: BTreeSet<String> = BTreeSet::new();
        for c in &mine {
            if c.case.operation != "apply" {
                continue;
            }
            let out: Value = serde_json::from_str(&run_named("apply", &c.input).json).unwrap();
            if out["ok"] != Value::Bool(true) || out["value"]["duplicate"] == Value::Bool(true) {
                continue;
            }
            let before = &out["value"]["status_before"];
            let after = &out["value"]["ledger"]["status"];
            for slot in ["payment", "order", "fulfillment"] {
                if let (Some(b), Some(a)) = (before[slot].as_str(), after[slot].as_str()) {
                    covered.insert((slot.to_owned(), b.to_owned(), a.to_owned()));
                }
            }
            let input: Value = serde_json::from_str(&c.input).unwrap();
            let event = &input["event"];
            let rid = event["refund_id"].as_str().unwrap_or_default();
            let find = |ledger: &Value| {
                ledger["refunds"]
                    .as_array()
                    .and_then(|rs| rs.iter().find(|r| r["id"] == rid))
                    .and_then(|r| r["state"].as_str().map(str::to_owned))
            };
            match event["type"].as_str() {
                Some("refund_created") => {
                    created.extend(find(&out["value"]["ledger"]));
                }
                Some("refund_succeeded" | "refund_failed" | "refund_expired") => {
                    if let (Some(b), Some(a)) =
                        (find(&input["ledger"]), find(&out["value"]["ledger"]))
                    {
                        refund_moves.insert((b, a));
                    }
                }
                _ => {}
            }
        }
        let slots = [
            ("payment", Some(&m.payment)),
            ("order", m.order.as_ref()),
            ("fulfillment", m.fulfillment.as_ref()),
        ];
        for (slot, machine) in slots {
            let Some(machine) = machine else { continue };
            for (from, to) in machine_pairs(machine) {
                assert!(
                    covered.contains(&(slot.to_owned(), from.clone(), to.clone())),
                    "{provider}: no apply vector moves {slot} `{from}` -> `{to}`"
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
        let _ = RefundState::ALL;
    }
}

#[test]
fn every_error_code_is_documented() {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/errors.md"))
            .unwrap();
    for code in ErrorCode::ALL {
        assert!(
            doc.contains(&format!("`{}`", code.as_str())),
            "docs/errors.md lacks `{code}`"
        );
    }
}
