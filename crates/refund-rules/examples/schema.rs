//! Prints schema/refund-rules.schema.json: the `$defs` generated from the Rust document types
//! ([`refund_rules::schema::definitions`]) with schema/overlay.json laid over them.
//!
//! ```text
//! cargo run -q -p refund-rules --example schema --features schema > schema/refund-rules.schema.json
//! ```
//!
//! The overlay holds what the types cannot say: the document's header (its `$id` gets the package
//! version in place of `{version}`), the definitions that are
//! not generated (outputs, result envelopes, SimplePS's empty options), and additions to
//! generated definitions (the per-provider `if`/`then` of `plan_input`, `required`, bounds,
//! patterns). An addition never replaces a generated value (a `description` excepted): a
//! replaced value is an error, so the types stay the one source of every shape they state.

use std::path::Path;

use serde_json::{Map, Value};

fn main() -> Result<(), String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schema/overlay.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let overlay: Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let Value::Object(mut overlay) = overlay else {
        return Err("overlay.json: not an object".to_owned());
    };
    let mut defs = Value::Object(refund_rules::schema::definitions());
    let extra = overlay.remove("$defs").unwrap_or(Value::Object(Map::new()));
    lay_over(&mut defs, extra, "#/$defs")?;
    let mut out = overlay;
    // The `$id` names the version of the documents it describes: the package version.
    if let Some(Value::String(id)) = out.get_mut("$id") {
        *id = id.replace("{version}", env!("CARGO_PKG_VERSION"));
    }
    out.insert("$defs".to_owned(), defs);
    let text = serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?;
    println!("{text}");
    Ok(())
}

/// Adds `extra` into `base`: objects merge key by key; a value the generator wrote may only be
/// replaced when it is a `description`.
fn lay_over(base: &mut Value, extra: Value, at: &str) -> Result<(), String> {
    match (base, extra) {
        (Value::Object(base), Value::Object(extra)) => {
            for (key, value) in extra {
                let here = format!("{at}/{key}");
                match base.get_mut(&key) {
                    None => {
                        base.insert(key, value);
                    }
                    Some(old) if old.is_object() && value.is_object() => {
                        lay_over(old, value, &here)?;
                    }
                    Some(old) if key == "description" => *old = value,
                    Some(old) if *old == value => {}
                    Some(old) => {
                        return Err(format!(
                            "overlay.json replaces the generated {here} ({old} → {value}): change the Rust type instead"
                        ));
                    }
                }
            }
            Ok(())
        }
        (_, _) => Err(format!("overlay.json: {at} is not an object on both sides")),
    }
}
