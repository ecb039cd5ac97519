//! Python bindings for `refund-rules`: a thin pyo3 layer over the core's JSON surface
//! ([`refund_rules::json`]). No refund rule lives here or in the Python package: every call
//! hands a JSON document to [`refund_rules::json::run`] and returns its result envelope text.
//!
//! - The engine runs with the GIL released ([`Python::detach`]), so Python threads can plan in
//!   parallel and a batch ([`run_many`]) does not block the interpreter.
//! - A Rust panic never reaches Python as `PanicException` (a `BaseException` that
//!   `except Exception` misses): [`guarded`] catches it and answers with an ordinary
//!   `invalid_input` envelope whose `details.internal_error` is `true`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::panic::{AssertUnwindSafe, catch_unwind};

use pyo3::prelude::*;
use refund_rules::json::{MAX_INPUT_BYTES, Operation, run_named};
use refund_rules::{ErrorCode, Provider};
use serde_json::json;

/// Runs `f`, turning a panic into a failure envelope with the stable code `invalid_input`.
///
/// Decision: no new `internal_error` code. The stable codes are a cross-language contract
/// (`docs/errors.md`), and a panic is a bug, not a category callers should branch on; the
/// envelope says so in `message` and marks it with `details.internal_error = true`.
pub fn guarded(f: impl FnOnce() -> String) -> String {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        panic_envelope(&what)
    })
}

/// The failure envelope for a caught panic.
fn panic_envelope(what: &str) -> String {
    let body = json!({
        "ok": false,
        "error": {
            "code": ErrorCode::InvalidInput.as_str(),
            "family": "invalid_input",
            "message": format!(
                "internal error: the refund engine panicked (`{what}`); this is a bug, please report it with the input document"
            ),
            "details": {"internal_error": true, "panic": what},
        }
    });
    serde_json::to_string(&body).unwrap_or_else(|_| {
        r#"{"ok":false,"error":{"code":"invalid_input","family":"invalid_input","message":"internal error: the refund engine panicked","details":{"internal_error":true}}}"#.to_owned()
    })
}

/// Runs one operation (`plan`, `apply`, `refundable`, `parse_amount`, `format_amount`) on a
/// JSON document and returns the result envelope text. Never raises for engine errors: the
/// envelope carries them. The GIL is released while the engine runs.
#[pyfunction]
fn run(py: Python<'_>, operation: String, document: String) -> String {
    py.detach(move || guarded(|| run_named(&operation, &document).json))
}

/// Runs one operation on many documents, in order, in one call with the GIL released.
#[pyfunction]
fn run_many(py: Python<'_>, operation: String, documents: Vec<String>) -> Vec<String> {
    py.detach(move || {
        documents
            .iter()
            .map(|d| guarded(|| run_named(&operation, d).json))
            .collect()
    })
}

/// The five provider names, in documentation order.
#[pyfunction]
fn providers() -> Vec<&'static str> {
    Provider::ALL.iter().map(|p| p.as_str()).collect()
}

/// The operation names of the JSON surface.
#[pyfunction]
fn operations() -> Vec<&'static str> {
    Operation::ALL.iter().map(|o| o.as_str()).collect()
}

/// Every stable error code with its family, as `(code, family)` pairs.
#[pyfunction]
fn error_codes() -> Vec<(&'static str, String)> {
    ErrorCode::ALL
        .iter()
        .map(|c| {
            let family = serde_json::to_value(c.family())
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            (c.as_str(), family)
        })
        .collect()
}

/// Test hook: runs a closure that panics through [`guarded`], to prove panics become errors.
#[pyfunction]
fn _panic_selftest(py: Python<'_>, message: String) -> String {
    py.detach(move || {
        guarded(|| {
            #[expect(
                clippy::panic,
                reason = "the one deliberate panic: it proves the guard turns panics into errors"
            )]
            std::panic::panic_any(message)
        })
    })
}

/// The native module `refund_rules._native`.
#[pymodule(name = "_native", gil_used = false)]
fn native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("MAX_INPUT_BYTES", MAX_INPUT_BYTES)?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(run_many, m)?)?;
    m.add_function(wrap_pyfunction!(providers, m)?)?;
    m.add_function(wrap_pyfunction!(operations, m)?)?;
    m.add_function(wrap_pyfunction!(error_codes, m)?)?;
    m.add_function(wrap_pyfunction!(_panic_selftest, m)?)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_invalid_input_envelope() {
        let out = guarded(|| std::panic::panic_any("boom".to_owned()));
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["error"]["code"], "invalid_input");
        assert_eq!(v["error"]["details"]["internal_error"], true);
        assert_eq!(v["error"]["details"]["panic"], "boom");
    }

    #[test]
    fn the_surface_answers_through_the_binding() {
        let out =
            guarded(|| run_named("format_amount", r#"{"minor":"2500","currency":"USD"}"#).json);
        assert!(out.contains(r#""amount":"25.00""#), "{out}");
    }
}
