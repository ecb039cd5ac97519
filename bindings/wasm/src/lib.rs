//! WebAssembly binding of refund-rules: exports over the core's JSON surface.
//!
//! No rule lives here. [`run_json`] hands the document text to [`refund_rules::json::run_named`]
//! ([`run_json_bytes`]: bytes to `run_named_bytes`) and returns the result envelope text; every
//! envelope, errors included, is the core's. The hand-written JS layer (`bindings/wasm/js/api.js`)
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

/// [`run_json`] for a document given as bytes: the engine's byte entry point
/// ([`refund_rules::json::run_named_bytes`]), which refuses bytes that are not UTF-8 exactly as
/// the CLI does. The JS layer sends a string holding a lone surrogate here as its WTF-8 bytes
/// (a `&str` parameter would silently turn it into U+FFFD), and a `Uint8Array` document as is.
#[wasm_bindgen(js_name = runJsonBytes)]
pub fn run_json_bytes(operation: &str, document: &[u8]) -> String {
    refund_rules::json::run_named_bytes(operation, document).json
}

/// The engine's envelope for an unexpected failure ([`refund_rules::json::internal_error`]):
/// what the JS layer answers, from a fresh instance, after this one trapped.
#[wasm_bindgen(js_name = internalErrorJson)]
pub fn internal_error_json(what: &str) -> String {
    refund_rules::json::internal_error(what).json
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
        let wtf8 = run_json_bytes("parse_amount", b"{\"amount\":\"\xed\xa0\x80\"}");
        assert!(wtf8.contains("not UTF-8"), "{wtf8}");
        let same = run_json_bytes("parse_amount", br#"{"amount":"25.00","currency":"USD"}"#);
        assert_eq!(
            same,
            run_json("parse_amount", r#"{"amount":"25.00","currency":"USD"}"#)
        );
        let internal = internal_error_json("trap");
        assert!(internal.contains(r#""internal_error":true"#), "{internal}");
    }
}
