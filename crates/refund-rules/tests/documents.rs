//! Documents are exactly their schema (issue "no wrong yes", class 1): every valid plan and apply
//! document, mutated at any place into a shape the schema does not allow — an object written as
//! an array of its values, a `null` where the schema has none, a key given twice — is refused
//! with `invalid_input` at exactly that place. It is never decided, so never a wrong "yes".
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "test code"
)]

use proptest::prelude::*;
use refund_rules::json::{Operation as JsonOp, run};
use refund_rules::strategies::test_config as config;
use refund_rules::strategies::{any_plan_case, ops, replay};
use refund_rules::{ErrorCode, Provider};
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy)]
enum Edit {
    /// `{"a":1,"b":2}` → `[1,2]`: serde's derived structs read fields by position.
    ObjectToArray,
    /// Any value → `null`: `Option` fields read `null` as absent.
    Null,
    /// The object's first key written twice, the second time with another value.
    Duplicate,
}

/// Places whose contents the schema leaves open: pass-through JSON (Digital River `metadata`)
/// and the one nullable document (`options`, whose `null` is the defaults).
fn open_place(pointer: &str) -> bool {
    pointer == "/options" || pointer.starts_with("/request/metadata")
}

fn places(v: &Value, at: String, out: &mut Vec<(String, bool)>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                let key = k.replace('~', "~0").replace('/', "~1");
                places(child, format!("{at}/{key}"), out);
            }
            out.push((at, true));
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                places(child, format!("{at}/{i}"), out);
            }
            out.push((at, false));
        }
        _ => out.push((at, false)),
    }
}

/// Writes `v` as JSON text with the first key of the object at `target` repeated.
fn write_with_duplicate(v: &Value, at: &str, target: &str, out: &mut String) {
    match v {
        Value::Object(m) => {
            out.push('{');
            let mut first = true;
            for (k, child) in m {
                if !first {
                    out.push(',');
                }
                first = false;
                out.push_str(&json!(k).to_string());
                out.push(':');
                let key = k.replace('~', "~0").replace('/', "~1");
                write_with_duplicate(child, &format!("{at}/{key}"), target, out);
            }
            if at == target
                && let Some((k, child)) = m.iter().next()
            {
                out.push(',');
                out.push_str(&json!(k).to_string());
                out.push(':');
                // Another value, so "the last one wins" would be a different document.
                let other = if child.is_string() {
                    json!(0)
                } else {
                    json!("x")
                };
                out.push_str(&other.to_string());
            }
            out.push('}');
        }
        Value::Array(a) => {
            out.push('[');
            for (i, child) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_with_duplicate(child, &format!("{at}/{i}"), target, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// The mutated text and the pointer the refusal must name, or `None` when `edit` does not apply
/// at the chosen place.
fn mutated(doc: &Value, which: usize, edit: Edit) -> Option<(String, String)> {
    let mut all = Vec::new();
    places(doc, String::new(), &mut all);
    let candidates: Vec<&String> = all
        .iter()
        .filter(|(p, object)| {
            !open_place(p)
                && !p.starts_with("/request/metadata/")
                && match edit {
                    Edit::ObjectToArray | Edit::Duplicate => *object,
                    Edit::Null => true,
                }
        })
        .map(|(p, _)| p)
        .collect();
    let target = (*candidates.get(which % candidates.len().max(1))?).clone();
    let text = match edit {
        Edit::ObjectToArray => {
            let mut doc = doc.clone();
            let slot = doc.pointer_mut(&target)?;
            let values: Vec<Value> = slot.as_object()?.values().cloned().collect();
            *slot = Value::Array(values);
            doc.to_string()
        }
        Edit::Null => {
            let mut doc = doc.clone();
            *doc.pointer_mut(&target)? = Value::Null;
            doc.to_string()
        }
        Edit::Duplicate => {
            if doc.pointer(&target)?.as_object()?.is_empty() {
                return None;
            }
            let mut out = String::new();
            write_with_duplicate(doc, "", &target, &mut out);
            out
        }
    };
    Some((text, target))
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        Just(Edit::ObjectToArray),
        Just(Edit::Null),
        Just(Edit::Duplicate)
    ]
}

fn assert_refused_at(op: JsonOp, text: &str, target: &str) -> Result<(), TestCaseError> {
    let out = run(op, text);
    prop_assert_eq!(
        out.error,
        Some(ErrorCode::InvalidInput),
        "{:?} accepted a document outside its schema (at `{}`):\n{}\n→ {}",
        op,
        target,
        text,
        out.json
    );
    let v: Value = serde_json::from_str(&out.json).unwrap();
    prop_assert_eq!(
        v["error"]["pointer"].as_str(),
        Some(target),
        "{}\n→ {}",
        text,
        out.json
    );
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    /// (13) A plan or apply document bent out of its schema at any place is refused there.
    #[test]
    fn documents_outside_the_schema_are_refused_where_they_break_it(
        case in any_plan_case(),
        seq in ops(3),
        which in any::<usize>(),
        edit in edit(),
    ) {
        let plan_doc: Value = serde_json::from_str(&case.to_json().unwrap()).unwrap();
        let mut docs = vec![(JsonOp::Plan, plan_doc)];
        let (_, steps) = replay(case.provider, case.ledger.clone(), &seq);
        if let Some(step) = steps.first() {
            let doc = json!({ "provider": case.provider, "ledger": step.before, "event": step.event });
            docs.push((JsonOp::Apply, doc));
        }
        for (op, doc) in docs {
            if let Some((text, target)) = mutated(&doc, which, edit) {
                assert_refused_at(op, &text, &target)?;
            }
        }
    }
}

/// The classes above, one fixed example each for every provider, so a regression names itself.
#[test]
fn the_reported_examples_are_refused() {
    let ledger = json!({"currency": "USD", "authorized": "10.00", "status": {"payment": "CAPTURED"},
                        "captures": [{"id": "c", "amount": "10.00"}]});
    let cases = [
        (json!({"amount": []}), "/request/amount"),
        (json!({"amount": {"total": null}}), "/request/amount/total"),
        (json!(null), "/request"),
        (json!([]), "/request"),
    ];
    for (request, pointer) in cases {
        let doc = json!({"provider": Provider::SimplePs, "ledger": ledger, "request": request});
        let out = run(JsonOp::Plan, &doc.to_string());
        assert_eq!(
            out.error,
            Some(ErrorCode::InvalidInput),
            "{doc} → {}",
            out.json
        );
        let v: Value = serde_json::from_str(&out.json).unwrap();
        assert_eq!(
            v["error"]["pointer"],
            json!(pointer),
            "{doc} → {}",
            out.json
        );
    }
    // `options: null` is the schema's one nullable document: the defaults.
    let doc = json!({"provider": Provider::SimplePs, "ledger": ledger, "options": null,
                     "request": {"amount": {"total": 1, "currency": "USD"}}});
    assert!(run(JsonOp::Plan, &doc.to_string()).error.is_none());
}

/// Pass-through JSON (Digital River `metadata`, options) obeys the nesting limit of every other
/// field, so an answer can always be decoded by Python and JavaScript; the limit itself passes.
#[test]
fn pass_through_fields_obey_the_nesting_limit() {
    let ledger = json!({"id": "ord_1", "currency": "USD", "authorized": "10.00",
                        "status": {"payment": "complete"},
                        "captures": [{"id": "cap_1", "amount": "10.00", "settled": true}]});
    let doc = |depth: usize| {
        let meta = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        format!(
            r#"{{"provider":"digital_river","ledger":{ledger},"request":{{"orderId":"ord_1","currency":"USD","amount":1,"metadata":{{"a":{meta}}}}}}}"#
        )
    };
    // The document's own two levels plus `metadata` and its object leave 125 for the value.
    assert!(run(JsonOp::Plan, &doc(125)).error.is_none());
    for depth in [126, 10_000, 1_000_000] {
        let out = run(JsonOp::Plan, &doc(depth));
        assert_eq!(out.error, Some(ErrorCode::InvalidInput), "{depth}");
        let v: Value = serde_json::from_str(&out.json).unwrap();
        assert!(
            v["error"]["pointer"]
                .as_str()
                .unwrap()
                .starts_with("/request/metadata/a")
        );
    }
}

/// Sums beyond minor units' range are their own error at the collection that overflowed
/// (`details.overflow`), never an `invalid_amount` with an empty text.
#[test]
fn sums_that_overflow_name_their_collection() {
    let max = i64::MAX / 100; // a USD amount whose minor units fit, twice over do not
    let doc = json!({"provider": "simpleps", "ledger": {"currency": "USD",
        "authorized": format!("{max}.00"), "status": {"payment": "CAPTURED"},
        "captures": [{"id": "a", "amount": format!("{max}.00")}, {"id": "b", "amount": format!("{max}.00")}]}});
    let out = run(JsonOp::Plan, &doc.to_string());
    assert_eq!(out.error, Some(ErrorCode::InvalidAmount), "{}", out.json);
    let v: Value = serde_json::from_str(&out.json).unwrap();
    assert_eq!(
        v["error"]["pointer"],
        json!("/ledger/captures"),
        "{}",
        out.json
    );
    assert_eq!(
        v["error"]["details"]["overflow"],
        json!(true),
        "{}",
        out.json
    );
}
