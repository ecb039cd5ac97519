//! WebAssembly binding of refund-rules: one export over the core's JSON surface.
//!
//! No rule lives here. [`run_json`] hands the document text to [`refund_rules::json::run_named`]
//! and returns the result envelope text; the hand-written JS layer (`bindings/wasm/js/api.js`)
//! turns JS objects into exact JSON text, parses the envelope and throws `RefundError`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use wasm_bindgen::prelude::wasm_bindgen;

/// Runs an operation (`plan`, `apply`, `refundable`, `parse_amount`, `format_amount`) on a JSON
/// document and returns the envelope `{"ok":true,"value":…}` / `{"ok":false,"error":…}` as text.
///
/// Text in and out keeps every number's exact text (`25.00` stays `25.00`).
#[wasm_bindgen(js_name = runJson)]
pub fn run_json(operation: &str, document: &str) -> String {
    refund_rules::json::run_named(operation, document).json
}

/// The version of the engine inside this module.
#[wasm_bindgen(js_name = engineVersion)]
pub fn engine_version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

/// Installs the panic hook once, when the `panic-hook` feature is on.
#[cfg(feature = "panic-hook")]
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_json_wraps_the_core() {
        let out = run_json("parse_amount", r#"{"amount":"25.00","currency":"USD"}"#);
        assert!(out.contains(r#""minor":"2500""#), "{out}");
        let bad = run_json("nope", "{}");
        assert!(bad.contains(r#""code":"invalid_input""#), "{bad}");
    }
}
