//! Python bindings for `refund-rules`: a thin pyo3 layer over the core's JSON surface
//! ([`refund_rules::json`]). No refund rule lives here or in the Python package: every call
//! hands a JSON document to [`refund_rules::json::run`] and returns its result envelope text.
//!
//! - The engine runs with the GIL released ([`Python::detach`]), so Python threads can plan in
//!   parallel and a batch ([`run_many`]) does not block the interpreter.
//! - A Rust panic never reaches Python as `PanicException` (a `BaseException` that
//!   `except Exception` misses): [`guarded`] catches it and answers with an ordinary
//!   `invalid_input` envelope whose `details.internal_error` is `true`.
// `unsafe` is denied everywhere but in `arrow` (the Arrow C stream import; justified there).
#![deny(unsafe_code)]
#![deny(missing_docs)]

mod arrow;
mod decode;
mod encode;

use std::panic::{AssertUnwindSafe, catch_unwind};

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyByteArray, PyBytes, PyMemoryView, PyString, PyTuple, PyType};
use refund_rules::json::{MAX_INPUT_BYTES, Operation, internal_error, run_named, run_named_bytes};
use refund_rules::{ErrorCode, Provider};

/// Runs `f`, turning a panic into the core's envelope for an internal error
/// ([`refund_rules::json::internal_error`]: code `invalid_input`, `details.internal_error`
/// `true`), the same envelope the WebAssembly binding answers with after a trap.
pub fn guarded(f: impl FnOnce() -> String) -> String {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        internal_error(&what).json
    })
}

/// A document as the engine receives it: Unicode text, or raw bytes (checked by the engine).
enum Input {
    Text(String),
    Bytes(Vec<u8>),
}

impl Input {
    /// Runs `operation` on this document through the core (panics caught).
    fn run(&self, operation: &str) -> String {
        guarded(|| match self {
            Input::Text(t) => run_named(operation, t).json,
            Input::Bytes(b) => run_named_bytes(operation, b).json,
        })
    }
}

/// JSON text given as a Python object: `str` (one holding a lone surrogate, which is not
/// Unicode text, as its `surrogatepass` bytes, i.e. WTF-8: the engine refuses them exactly as
/// the CLI refuses those bytes), or `bytes`/`bytearray`/`memoryview` as the document's bytes.
/// `None` for anything else.
fn input_of(document: &Bound<'_, PyAny>) -> PyResult<Option<Input>> {
    if let Ok(s) = document.cast::<PyString>() {
        return Ok(Some(match s.to_cow() {
            Ok(t) => Input::Text(t.into_owned()),
            Err(_) => {
                let b = s.call_method1("encode", ("utf-8", "surrogatepass"))?;
                Input::Bytes(b.cast::<PyBytes>()?.as_bytes().to_vec())
            }
        }));
    }
    if document.is_instance_of::<PyBytes>()
        || document.is_instance_of::<PyByteArray>()
        || document.is_instance_of::<PyMemoryView>()
    {
        let b = document.py().get_type::<PyBytes>().call1((document,))?;
        return Ok(Some(Input::Bytes(b.cast::<PyBytes>()?.as_bytes().to_vec())));
    }
    Ok(None)
}

/// An operation name from Python: a `str` (lossy: a name that is not Unicode text is unknown
/// to the engine anyway, which says so), else `UnsupportedValue`.
fn operation_name(operation: &Bound<'_, PyAny>) -> PyResult<String> {
    match operation.cast::<PyString>() {
        Ok(s) => Ok(s.to_string_lossy().into_owned()),
        Err(_) => Err(encode::unsupported_at(
            operation,
            "",
            Some("the operation must be a str such as \"plan\""),
        )),
    }
}

/// [`input_of`] for the text entry points: anything but text or bytes is `UnsupportedValue`.
fn text_input(document: &Bound<'_, PyAny>) -> PyResult<Input> {
    input_of(document)?.ok_or_else(|| {
        encode::unsupported_at(
            document,
            "",
            Some("the document must be JSON text (str) or its bytes (bytes, bytearray)"),
        )
    })
}

/// Runs one operation (`plan`, `apply`, `refundable`, `parse_amount`, `format_amount`) on a
/// JSON document (`str`, or its bytes) and returns the result envelope text. Never raises for
/// engine errors: the envelope carries them. The GIL is released while the engine runs.
#[pyfunction]
fn run(
    py: Python<'_>,
    operation: &Bound<'_, PyAny>,
    document: &Bound<'_, PyAny>,
) -> PyResult<String> {
    let operation = operation_name(operation)?;
    let input = text_input(document)?;
    Ok(py.detach(move || input.run(&operation)))
}

/// Runs one operation on many documents, in order, in one call with the GIL released.
#[pyfunction]
fn run_many(
    py: Python<'_>,
    operation: &Bound<'_, PyAny>,
    documents: &Bound<'_, PyAny>,
) -> PyResult<Vec<String>> {
    let operation = operation_name(operation)?;
    let mut inputs = Vec::new();
    for d in encode::iterate(documents, "")? {
        let d = d.map_err(|e| encode::into_hierarchy(documents, "", e))?;
        inputs.push(text_input(&d)?);
    }
    Ok(py.detach(move || inputs.iter().map(|d| d.run(&operation)).collect()))
}

/// Writes a Python value as exact JSON text (see [`encode`]): the package's `_wire.dumps`.
#[pyfunction]
#[pyo3(signature = (value, indent = None, pointer = ""))]
fn dumps(
    py: Python<'_>,
    value: &Bound<'_, PyAny>,
    indent: Option<usize>,
    pointer: &str,
) -> PyResult<String> {
    let mut w = encode::Writer::new(py, indent, pointer);
    w.value(value, 0)?;
    w.finish()
}

/// Parses JSON text with `Decimal` for non-integer numbers (as `json.loads(parse_float=Decimal)`).
#[pyfunction]
fn loads<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    decode::loads(py, text)
}

/// A document for the engine: text or bytes ([`input_of`]) as they are; anything else is
/// written with the wire conversions chosen by `rules` (1 = ledger, 2 = event). Every failure
/// to write is a `RefundError` (`UnsupportedValue`, `FloatNotAllowed`).
fn document_input<'py>(
    document: &Bound<'py, PyAny>,
    rules: u8,
    w: &mut encode::Writer<'py>,
) -> PyResult<Input> {
    if let Some(input) = input_of(document)? {
        return Ok(input);
    }
    w.reset();
    w.document(document, rules)?;
    Ok(Input::Text(w.take_text()?))
}

/// `(ok, value)` or `(False, error)` from an envelope's text.
fn split_envelope<'py>(py: Python<'py>, envelope: &str) -> PyResult<(bool, Bound<'py, PyAny>)> {
    let parsed = decode::loads(py, envelope)?;
    let get = |k: &str| -> PyResult<Bound<'py, PyAny>> {
        match parsed.cast::<pyo3::types::PyDict>() {
            Ok(d) => Ok(d.get_item(k)?.unwrap_or_else(|| py.None().into_bound(py))),
            Err(_) => Ok(py.None().into_bound(py)),
        }
    };
    let ok = get("ok")?;
    if ok.is_exact_instance_of::<pyo3::types::PyBool>() && ok.is_truthy()? {
        Ok((true, get("value")?))
    } else {
        Ok((false, get("error")?))
    }
}

/// Runs one operation on a document (dict or JSON text) in one native call: writes the JSON
/// (floats refused, `rules` = wire conversions), runs the engine with the GIL released and
/// parses the envelope. Returns `(True, value)` or `(False, error_object)`.
#[pyfunction]
#[pyo3(signature = (operation, document, rules = 0))]
fn call<'py>(
    py: Python<'py>,
    operation: &Bound<'py, PyAny>,
    document: &Bound<'py, PyAny>,
    rules: u8,
) -> PyResult<(bool, Bound<'py, PyAny>)> {
    let operation = operation_name(operation)?;
    let mut w = encode::Writer::new(py, None, "");
    let input = document_input(document, rules, &mut w)?;
    let envelope = py.detach(move || input.run(&operation));
    split_envelope(py, &envelope)
}

static REFUND_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// Runs one operation per text on up to `available_parallelism` threads, in input order.
fn run_parallel(operation: &str, texts: &[Option<Input>]) -> Vec<Option<String>> {
    let threads = std::thread::available_parallelism()
        .map(std::num::NonZeroUsize::get)
        .unwrap_or(1)
        .min(8);
    let one = |t: &Option<Input>| t.as_ref().map(|d| d.run(operation));
    if threads < 2 || texts.len() < 64 {
        return texts.iter().map(one).collect();
    }
    let chunk = texts.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = texts
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(one).collect::<Vec<_>>()))
            .collect();
        let mut out = Vec::with_capacity(texts.len());
        for (h, part) in handles.into_iter().zip(texts.chunks(chunk)) {
            // A thread that died (it cannot: `guarded` catches panics) is answered in place.
            out.extend(h.join().unwrap_or_else(|_| part.iter().map(one).collect()));
        }
        out
    })
}

/// `plan` for a whole batch in one native call: writes every document (dicts get the ledger
/// wire conversions; `str` is JSON text), runs the engine over the batch with the GIL released
/// (on several threads for large batches), and parses every envelope. Returns one
/// `(status, payload)` per document, in order: `(0, value)`, `(1, error_object)`, or
/// `(2, exception)` for a document that could not be written (`RefundError` raised in Python,
/// e.g. `FloatNotAllowed`).
#[pyfunction]
fn plan_many<'py>(
    py: Python<'py>,
    documents: &Bound<'py, PyAny>,
) -> PyResult<Vec<Bound<'py, PyTuple>>> {
    let refund_error = REFUND_ERROR.import(py, "refund_rules.errors", "RefundError")?;
    let mut texts: Vec<Option<Input>> = Vec::new();
    let mut early: Vec<Option<Bound<'py, PyAny>>> = Vec::new();
    let mut w = encode::Writer::new(py, None, "");
    for doc in encode::iterate(documents, "")? {
        // A document the iterator itself failed to produce ends the batch (no document to
        // answer for); every document it produced gets its own result.
        let doc = doc.map_err(|e| encode::into_hierarchy(documents, "", e))?;
        match document_input(&doc, encode::RULE_LEDGER, &mut w) {
            Ok(t) => {
                texts.push(Some(t));
                early.push(None);
            }
            Err(e) => {
                let e = if e.is_instance(py, refund_error.as_any()) {
                    e
                } else {
                    encode::into_hierarchy(&doc, "", e)
                };
                texts.push(None);
                early.push(Some(e.into_value(py).into_bound(py).into_any()));
            }
        }
    }
    let envelopes = py.detach(|| run_parallel("plan", &texts));
    let mut out = Vec::with_capacity(envelopes.len());
    for (env, err) in envelopes.iter().zip(early) {
        let item = match (env, err) {
            (Some(env), _) => {
                let (ok, payload) = split_envelope(py, env)?;
                PyTuple::new(
                    py,
                    [
                        if ok { 0_u8 } else { 1 }.into_pyobject(py)?.into_any(),
                        payload,
                    ],
                )?
            }
            (None, Some(e)) => PyTuple::new(py, [2_u8.into_pyobject(py)?.into_any(), e])?,
            (None, None) => PyTuple::new(
                py,
                [2_u8.into_pyobject(py)?.into_any(), py.None().into_bound(py)],
            )?,
        };
        out.push(item);
    }
    Ok(out)
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
    m.add_function(wrap_pyfunction!(dumps, m)?)?;
    m.add_function(wrap_pyfunction!(loads, m)?)?;
    m.add_function(wrap_pyfunction!(call, m)?)?;
    m.add_function(wrap_pyfunction!(plan_many, m)?)?;
    m.add_function(wrap_pyfunction!(providers, m)?)?;
    m.add_function(wrap_pyfunction!(operations, m)?)?;
    m.add_function(wrap_pyfunction!(error_codes, m)?)?;
    m.add_function(wrap_pyfunction!(_panic_selftest, m)?)?;
    arrow::register(m)?;
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
