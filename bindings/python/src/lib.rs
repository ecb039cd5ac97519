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
mod de;
mod decode;
mod encode;
mod fast;

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
pub(crate) fn split_envelope<'py>(
    py: Python<'py>,
    envelope: &str,
) -> PyResult<(bool, Bound<'py, PyAny>)> {
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

/// Documents `plan_many` reads, decides and wraps at a time.
const PLAN_MANY_CHUNK: usize = 512;

/// The JSON path of `plan` for a document (dict or text): written with the ledger's wire
/// conversions and the core's amount forms, run by the engine, envelope parsed.
pub(crate) fn call_plan<'py>(
    py: Python<'py>,
    doc: &Bound<'py, PyAny>,
) -> PyResult<(bool, Bound<'py, PyAny>)> {
    let mut w = encode::Writer::new(py, None, "");
    let input = document_input(doc, encode::RULE_LEDGER, &mut w)?;
    let envelope = py.detach(move || input.run("plan"));
    split_envelope(py, &envelope)
}

/// `plan` for one document (dict or JSON text): `(0, NativePlan)` when the engine decided it
/// on the fast path (typed documents, `decide`, nothing rendered until read), otherwise the
/// JSON path's `(1, value)` / `(2, error_object)`.
#[pyfunction]
fn plan_doc<'py>(
    py: Python<'py>,
    document: &Bound<'py, PyAny>,
) -> PyResult<(u8, Bound<'py, PyAny>)> {
    fast::plan_one(py, document)
}

/// `plan` for a whole batch in one native call: every dict is read into the core's typed
/// documents (JSON text is parsed by the engine), then the engine decides the whole batch with
/// the GIL released (on several threads for large batches). Documents the fast path did not
/// decide take the JSON path. Returns one `(status, payload)` per document, in order:
/// `(0, NativePlan)`, `(1, value)`, `(2, error_object)`, or `(3, exception)` for a document
/// that could not be written (`RefundError` raised in Python, e.g. `FloatNotAllowed`).
#[pyfunction]
fn plan_many<'py>(
    py: Python<'py>,
    documents: &Bound<'py, PyAny>,
) -> PyResult<Vec<Bound<'py, PyTuple>>> {
    let refund_error = REFUND_ERROR.import(py, "refund_rules.errors", "RefundError")?;
    let mut out = Vec::new();
    let mut w = encode::Writer::new(py, None, "");
    let mut iter = encode::iterate(documents, "")?;
    // In chunks: read a chunk under the GIL, decide it with the GIL released (on several
    // threads), wrap it; the chunk's documents stay hot in the cache from read to decision.
    loop {
        let mut docs: Vec<Bound<'py, PyAny>> = Vec::with_capacity(PLAN_MANY_CHUNK);
        let mut inputs: Vec<Option<fast::Inputs>> = Vec::with_capacity(PLAN_MANY_CHUNK);
        for doc in iter.by_ref().take(PLAN_MANY_CHUNK) {
            // A document the iterator itself failed to produce ends the batch (no document
            // to answer for); every document it produced gets its own result.
            let doc = doc.map_err(|e| encode::into_hierarchy(documents, "", e))?;
            inputs.push(fast::read_doc(&doc, &mut w));
            docs.push(doc);
        }
        if docs.is_empty() {
            break;
        }
        let n = inputs.len();
        let mut decided = py.detach(move || fast::decide_parallel(inputs));
        if decided.len() != n {
            decided = (0..n).map(|_| None).collect();
        }
        for (doc, plan) in docs.iter().zip(decided) {
            let item = match plan {
                Some(p) => PyTuple::new(
                    py,
                    [
                        0_u8.into_pyobject(py)?.into_any(),
                        Bound::new(py, p)?.into_any(),
                    ],
                )?,
                None => match call_plan(py, doc) {
                    Ok((ok, payload)) => PyTuple::new(
                        py,
                        [
                            if ok { 1_u8 } else { 2 }.into_pyobject(py)?.into_any(),
                            payload,
                        ],
                    )?,
                    Err(e) => {
                        let e = if e.is_instance(py, refund_error.as_any()) {
                            e
                        } else {
                            encode::into_hierarchy(doc, "", e)
                        };
                        PyTuple::new(
                            py,
                            [
                                3_u8.into_pyobject(py)?.into_any(),
                                e.into_value(py).into_bound(py).into_any(),
                            ],
                        )?
                    }
                },
            };
            out.push(item);
        }
    }
    Ok(out)
}

/// `plan` from the arguments of the Python `plan()` (no document dict built on the fast path):
/// `(0, NativePlan)`, `(1, value)` or `(2, error_object)` as [`plan_doc`].
#[pyfunction]
#[pyo3(signature = (provider, ledger, request = None, options = None, now = None, refund_id = None))]
fn plan_args<'py>(
    py: Python<'py>,
    provider: &Bound<'py, PyAny>,
    ledger: &Bound<'py, PyAny>,
    request: Option<&Bound<'py, PyAny>>,
    options: Option<&Bound<'py, PyAny>>,
    now: Option<&Bound<'py, PyAny>>,
    refund_id: Option<&Bound<'py, PyAny>>,
) -> PyResult<(u8, Bound<'py, PyAny>)> {
    let parts = fast::Parts {
        provider: Some(provider),
        ledger: Some(ledger),
        request,
        options,
        now,
        refund_id,
    };
    fast::plan_parts(py, &parts)
}

/// The core's wire form of the amount at `segments` (a document path such as
/// `["request", "amount", "total"]`) for `provider`: `"decimal_string"`, `"decimal_number"`,
/// `"minor_units"`, or `None` where the place is not an amount.
#[pyfunction]
#[pyo3(signature = (provider, segments))]
fn amount_form(provider: Option<&str>, segments: Vec<String>) -> Option<&'static str> {
    use refund_rules::json::amounts::AmountForm;
    let provider = provider.and_then(|p| Provider::from_name(p).ok());
    let segs: Vec<&str> = segments.iter().map(String::as_str).collect();
    refund_rules::json::amounts::amount_form(provider, &segs).map(|f| match f {
        AmountForm::DecimalString => "decimal_string",
        AmountForm::DecimalNumber => "decimal_number",
        AmountForm::MinorUnits => "minor_units",
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
    m.add_function(wrap_pyfunction!(dumps, m)?)?;
    m.add_function(wrap_pyfunction!(loads, m)?)?;
    m.add_function(wrap_pyfunction!(call, m)?)?;
    m.add_function(wrap_pyfunction!(plan_many, m)?)?;
    m.add_function(wrap_pyfunction!(plan_doc, m)?)?;
    m.add_function(wrap_pyfunction!(plan_args, m)?)?;
    m.add_function(wrap_pyfunction!(amount_form, m)?)?;
    m.add_class::<fast::NativePlan>()?;
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
        let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_default();
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
