//! The JSON Schema of the input documents, generated from their Rust types (feature `schema`).
//!
//! The document types derive `schemars::JsonSchema`; the types with their own serde code get
//! theirs by hand in `schema_types` (bottom layer) or next to the type. [`definitions`]
//! returns the generated `$defs`; `examples/schema.rs` adds what the types cannot say
//! (schema/overlay.json) and writes schema/refund-rules.schema.json, which `scripts/check-schema`
//! keeps in step.

use schemars::generate::SchemaSettings;
use serde_json::{Map, Value};

/// The generated `$defs`: every input document (plan, apply, refundable, parse/format amount,
/// list query) and every provider's request and options, by their schema names. `null` is left
/// out everywhere: the strict reading refuses it for an absent field (the one nullable
/// document, `options`, says so in the overlay).
pub fn definitions() -> Map<String, Value> {
    let mut g = SchemaSettings::draft2020_12().into_generator();
    crate::json::schema_roots(&mut g);
    crate::provider::simpleps::schema_roots(&mut g);
    crate::provider::fiserv::schema_roots(&mut g);
    crate::provider::alternative_payments::schema_roots(&mut g);
    crate::provider::digital_river::schema_roots(&mut g);
    crate::provider::commerce_layer::schema_roots(&mut g);
    let mut defs = g.take_definitions(true);
    for def in defs.values_mut() {
        drop_null(def);
    }
    defs
}

/// Removes `null` from `type` lists and `anyOf` branches, and `"default": null`, at every depth
/// (what `Option` adds).
fn drop_null(v: &mut Value) {
    match v {
        Value::Object(obj) => {
            if obj.get("default") == Some(&Value::Null) {
                obj.remove("default");
            }
            if let Some(Value::Array(types)) = obj.get_mut("type") {
                types.retain(|t| t != "null");
                if let [only] = types.as_slice() {
                    let only = only.clone();
                    obj.insert("type".to_owned(), only);
                }
            }
            if let Some(Value::Array(branches)) = obj.get_mut("anyOf") {
                branches.retain(|b| b.get("type") != Some(&Value::from("null")));
                if branches.len() == 1
                    && let Some(Value::Object(only)) = branches.pop()
                {
                    obj.remove("anyOf");
                    for (k, val) in only {
                        obj.entry(k).or_insert(val);
                    }
                }
            }
            for child in obj.values_mut() {
                drop_null(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(drop_null),
        _ => {}
    }
}
