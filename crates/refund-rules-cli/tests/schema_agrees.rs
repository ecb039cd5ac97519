//! The engine never decides a document its schema refuses (issue "no wrong yes", class 1): for
//! generated plan documents of all five providers with a field removed (or any other single
//! edit of the mutation set), whenever the engine answers with a decision, the document is valid
//! against `plan_input` in schema/refund-rules.schema.json. Removing an optional field may change
//! the decision; removing a required one must not be decided.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "test code"
)]

use std::path::PathBuf;

use proptest::prelude::*;
use refund_rules::json::{Operation, run};
use refund_rules::strategies::{any_plan_case, test_config};
use serde_json::Value;

fn plan_input_schema() -> &'static jsonschema::Validator {
    static VALIDATOR: std::sync::OnceLock<jsonschema::Validator> = std::sync::OnceLock::new();
    VALIDATOR.get_or_init(build_validator)
}

fn build_validator() -> jsonschema::Validator {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let text = std::fs::read_to_string(root.join("schema/refund-rules.schema.json")).unwrap();
    let mut schema: Value = serde_json::from_str(&text).unwrap();
    schema["$ref"] = Value::String("#/$defs/plan_input".to_owned());
    jsonschema::validator_for(&schema).unwrap()
}

/// Every pointer of a document, containers included.
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                let key = k.replace('~', "~0").replace('/', "~1");
                pointers(child, format!("{at}/{key}"), out);
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                pointers(child, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

fn remove(doc: &mut Value, pointer: &str) {
    let Some((parent, key)) = pointer.rsplit_once('/') else {
        return;
    };
    match doc.pointer_mut(parent) {
        Some(Value::Object(o)) => {
            o.remove(&key.replace("~1", "/").replace("~0", "~"));
        }
        Some(Value::Array(a)) => {
            if let Ok(i) = key.parse::<usize>()
                && i < a.len()
            {
                a.remove(i);
            }
        }
        _ => {}
    }
}

proptest! {
    #![proptest_config(test_config())]

    #[test]
    fn a_decided_document_is_one_the_schema_accepts(
        case in any_plan_case(),
        which in any::<usize>(),
    ) {
        let validator = plan_input_schema();
        let mut doc: Value = serde_json::from_str(&case.to_json().unwrap()).unwrap();
        let mut all = Vec::new();
        pointers(&doc, String::new(), &mut all);
        let target = all[which % all.len()].clone();
        // Pass-through JSON is open by design.
        prop_assume!(!target.starts_with("/request/metadata"));
        remove(&mut doc, &target);
        let out = run(Operation::Plan, &doc.to_string());
        if out.error.is_none() {
            let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
            prop_assert!(errors.is_empty(), "decided without `{}`, but the schema refuses it: {:?}\n{}", target, errors, doc);
        }
    }
}
