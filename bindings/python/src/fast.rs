//! The fast `plan` path: Python dicts (or JSON text) -> the core's typed documents ->
//! [`refund_rules::validate`] + [`refund_rules::decide`] -> a [`NativePlan`] whose fields are
//! computed when Python reads them. The full plan (provider call, event, explanation) is
//! rendered by [`refund_rules::plan`] only when one of those fields is read.
//!
//! Every failure, and every input the fast path is not sure about, goes through the JSON
//! surface instead ([`refund_rules::json::run`]), so errors are exactly the envelopes they were:
//! the fast path only ever answers for documents the engine decides.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple};
use refund_rules::json::{MAX_INPUT_BYTES, parse_plan_input};
use refund_rules::ledger::LedgerDoc;
use refund_rules::{Decision, Ledger, PlanContext, Provider, ProviderRequest, Timestamp};
use serde::Deserialize;

use crate::de::{Node, PyDe, aware_datetime};
use crate::encode::{Writer, decimal_type};

/// A planned refund held in Rust: the inputs and the decision.
#[derive(Debug)]
#[pyclass(frozen, module = "refund_rules._native", name = "NativePlan")]
pub struct NativePlan {
    ledger: Ledger,
    request: ProviderRequest,
    context: PlanContext,
    decision: Decision,
}

/// A plan document read without JSON text (or parsed from it), before the engine runs.
pub enum Inputs {
    /// Read from dicts.
    Typed {
        provider: Provider,
        ledger: Box<LedgerDoc>,
        request: Option<String>,
        options: Option<String>,
        context: PlanContext,
    },
    /// JSON text.
    Text(String),
}

impl Inputs {
    /// Runs the engine (no Python objects touched: call it with the GIL released).
    /// `None`: take the JSON path for the answer.
    pub fn decide(self) -> Option<NativePlan> {
        // The core does not panic; were it to, the JSON path (which catches it) answers.
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.decide_inner()))
            .ok()
            .flatten()
    }

    fn decide_inner(self) -> Option<NativePlan> {
        let (ledger, request, context) = match self {
            Inputs::Typed {
                provider,
                ledger,
                request,
                options,
                context,
            } => {
                let ledger = ledger.into_ledger("/ledger").ok()?;
                let request =
                    ProviderRequest::from_json(provider, request.as_deref(), options.as_deref())
                        .ok()?;
                (ledger, request, context)
            }
            Inputs::Text(text) => {
                if text.len() > MAX_INPUT_BYTES {
                    return None;
                }
                let call = parse_plan_input(&text).ok()?;
                (call.ledger, call.request, call.context)
            }
        };
        let valid = refund_rules::validate(request.provider(), &ledger).ok()?;
        let decision = refund_rules::decide(&valid, &request, &context).ok()?;
        if context.refund_id.is_some() {
            // A caller's refund id is checked while rendering (idempotency): render now, so the
            // answer is the plan's answer.
            refund_rules::plan(&ledger, &request, &context).ok()?;
        }
        Some(NativePlan {
            ledger,
            request,
            context,
            decision,
        })
    }
}

/// The members of a `plan` document, as Python values.
#[derive(Default)]
pub struct Parts<'a, 'py> {
    /// `provider`.
    pub provider: Option<&'a Bound<'py, PyAny>>,
    /// `ledger`.
    pub ledger: Option<&'a Bound<'py, PyAny>>,
    /// `request`.
    pub request: Option<&'a Bound<'py, PyAny>>,
    /// `options`.
    pub options: Option<&'a Bound<'py, PyAny>>,
    /// `now`.
    pub now: Option<&'a Bound<'py, PyAny>>,
    /// `refund_id`.
    pub refund_id: Option<&'a Bound<'py, PyAny>>,
}

impl<'py> Parts<'_, 'py> {
    /// Reads the members into [`Inputs`]; `None` = take the JSON path (anything unusual, or
    /// anything the writer refuses: the JSON path raises it).
    pub fn read(&self, w: &mut Writer<'py>) -> Option<Inputs> {
        let name = self.provider?.cast_exact::<PyString>().ok()?;
        let provider = Provider::from_name(name.to_str().ok()?).ok()?;
        let root = Node::root("ledger");
        let ledger = Box::new(LedgerDoc::deserialize(PyDe::new(self.ledger?, Some(&root))).ok()?);
        // Request and options are written as JSON text with the provider's amount forms
        // (the core's table) and parsed by the provider, as the JSON surface does.
        let mut text = |v: Option<&Bound<'py, PyAny>>, key: &str| -> Option<Option<String>> {
            let Some(v) = v else { return Some(None) };
            if v.is_none() {
                return None; // `null` differs from absent: the JSON path answers
            }
            w.reset();
            w.set_provider(Some(provider));
            w.value_at(v, key).ok()?;
            Some(Some(w.take_text().ok()?))
        };
        let request = text(self.request, "request")?;
        let options = text(self.options, "options")?;
        let mut context = PlanContext::default();
        if let Some(now) = self.now {
            let text = match now.cast_exact::<PyString>() {
                Ok(s) => s.to_str().ok()?.to_owned(),
                Err(_) => aware_datetime(now)?,
            };
            context.now = Some(text.parse::<Timestamp>().ok()?);
        }
        if let Some(id) = self.refund_id {
            context.refund_id = Some(id.cast_exact::<PyString>().ok()?.to_str().ok()?.to_owned());
        }
        Some(Inputs::Typed {
            provider,
            ledger,
            request,
            options,
            context,
        })
    }
}

/// Reads a `plan` document given as an exact dict (or JSON text) into [`Inputs`]; `None` =
/// take the JSON path.
pub fn read_doc<'py>(doc: &Bound<'py, PyAny>, w: &mut Writer<'py>) -> Option<Inputs> {
    if let Ok(s) = doc.cast_exact::<PyString>() {
        return Some(Inputs::Text(s.to_str().ok()?.to_owned()));
    }
    let d = doc.cast_exact::<PyDict>().ok()?;
    let items: Vec<(Bound<'py, PyAny>, Bound<'py, PyAny>)> = d.iter().collect();
    let mut parts = Parts::default();
    for (k, v) in &items {
        let slot = match k.cast_exact::<PyString>().ok()?.to_str().ok()? {
            "provider" => &mut parts.provider,
            "ledger" => &mut parts.ledger,
            "request" => &mut parts.request,
            "options" => &mut parts.options,
            "now" => &mut parts.now,
            "refund_id" => &mut parts.refund_id,
            _ => return None,
        };
        *slot = Some(v);
    }
    parts.read(w)
}

/// Runs the engine on `inputs` (GIL released for large ledgers) into a `NativePlan` object.
fn decided<'py>(py: Python<'py>, inputs: Inputs) -> Option<PyResult<Bound<'py, PyAny>>> {
    let big = match &inputs {
        Inputs::Typed { ledger, .. } => ledger.refunds.len() > 256,
        Inputs::Text(t) => t.len() > 32 * 1024,
    };
    let plan = if big {
        py.detach(move || inputs.decide())
    } else {
        inputs.decide()
    }?;
    Some(Bound::new(py, plan).map(Bound::into_any))
}

/// `plan` from its arguments: the fast path, else the JSON path on the document they make.
pub fn plan_parts<'py>(
    py: Python<'py>,
    parts: &Parts<'_, 'py>,
) -> PyResult<(u8, Bound<'py, PyAny>)> {
    let mut w = Writer::one_shot(py);
    if let Some(inputs) = parts.read(&mut w)
        && let Some(p) = decided(py, inputs)
    {
        return Ok((0, p?));
    }
    let doc = PyDict::new(py);
    for (k, v) in [
        ("provider", parts.provider),
        ("ledger", parts.ledger),
        ("request", parts.request),
        ("options", parts.options),
        ("now", parts.now),
        ("refund_id", parts.refund_id),
    ] {
        if let Some(v) = v {
            doc.set_item(k, v)?;
        }
    }
    let (ok, payload) = crate::call_plan(py, doc.as_any())?;
    Ok((if ok { 1 } else { 2 }, payload))
}

/// Plans one document: `(0, NativePlan)` when the fast path decided it, else the JSON path's
/// `(1, value)` or `(2, error_object)` (its exceptions, e.g. `FloatNotAllowed`, raised).
pub fn plan_one<'py>(
    py: Python<'py>,
    doc: &Bound<'py, PyAny>,
) -> PyResult<(u8, Bound<'py, PyAny>)> {
    let mut w = Writer::new(py, None, "");
    if let Some(inputs) = read_doc(doc, &mut w)
        && let Some(p) = decided(py, inputs)
    {
        return Ok((0, p?));
    }
    let (ok, payload) = crate::call_plan(py, doc)?;
    Ok((if ok { 1 } else { 2 }, payload))
}

fn money_decimal<'py>(py: Python<'py>, m: &refund_rules::Money) -> PyResult<Bound<'py, PyAny>> {
    decimal_type(py)?.call1((m.to_decimal_string(),))
}

fn json_value<'py, T: serde::Serialize>(py: Python<'py>, v: &T) -> PyResult<Bound<'py, PyAny>> {
    let text = serde_json::to_string(v)
        .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))?;
    crate::decode::loads(py, &text)
}

#[pymethods]
impl NativePlan {
    /// One field of the plan that the decision holds (`None` for a field it does not hold:
    /// read it from [`NativePlan::full`]).
    fn field<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
        let d = &self.decision;
        let str_of = |v: &dyn erased::Name| -> PyResult<Bound<'py, PyAny>> {
            Ok(PyString::new(py, &v.name()?).into_any())
        };
        Ok(Some(match name {
            "provider" => PyString::new(py, d.provider.as_str()).into_any(),
            "operation" => str_of(&d.operation)?,
            "kind" => str_of(&d.kind)?,
            "amount" => money_decimal(py, &d.amount)?,
            "remaining_after" => money_decimal(py, &d.remaining_after)?,
            "refundable" => json_value(py, &d.refundable)?,
            "status_after" => json_value(py, &d.status_after.to_statuses())?,
            "refund_state" => match d.refund_state {
                Some(s) => str_of(&s)?,
                None => py.None().into_bound(py),
            },
            "version" => self.ledger.version.into_pyobject(py)?.into_any(),
            "replay" => pyo3::types::PyBool::new(py, d.replay).to_owned().into_any(),
            _ => return Ok(None),
        }))
    }

    /// The whole plan document (as `run("plan", …)` returns it): `(True, value)`, or
    /// `(False, error_object)` if rendering failed (it does not: the engine decided it).
    fn full<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let rendered = py.detach(|| {
            refund_rules::plan(&self.ledger, &self.request, &self.context)
                .map_err(|e| e.to_string())
                .and_then(|p| serde_json::to_string(&p).map_err(|e| e.to_string()))
        });
        match rendered {
            Ok(text) => {
                let value = crate::decode::loads(py, &text)?;
                PyTuple::new(
                    py,
                    [
                        pyo3::types::PyBool::new(py, true).to_owned().into_any(),
                        value,
                    ],
                )
            }
            Err(message) => {
                let env = refund_rules::json::internal_error(&message).json;
                let (_, err) = crate::split_envelope(py, &env)?;
                PyTuple::new(
                    py,
                    [
                        pyo3::types::PyBool::new(py, false).to_owned().into_any(),
                        err,
                    ],
                )
            }
        }
    }
}

mod erased {
    //! The JSON name of a unit enum (`"full"`, `"refund"`, `"succeeded"`).
    use pyo3::PyResult;
    pub(super) trait Name {
        fn name(&self) -> PyResult<String>;
    }
    impl<T: serde::Serialize> Name for T {
        fn name(&self) -> PyResult<String> {
            match serde_json::to_value(self) {
                Ok(serde_json::Value::String(s)) => Ok(s),
                _ => Err(pyo3::exceptions::PyValueError::new_err("not a name")),
            }
        }
    }
}

/// Runs the engine on many inputs on up to `available_parallelism` threads, in input order.
pub fn decide_parallel(inputs: Vec<Option<Inputs>>) -> Vec<Option<NativePlan>> {
    let threads = std::thread::available_parallelism()
        .map(std::num::NonZeroUsize::get)
        .unwrap_or(1)
        .min(8);
    let one = |i: Option<Inputs>| i.and_then(Inputs::decide);
    if threads < 2 || inputs.len() < 64 {
        return inputs.into_iter().map(one).collect();
    }
    let chunk = inputs.len().div_ceil(threads);
    let mut parts: Vec<Vec<Option<Inputs>>> = Vec::new();
    let mut it = inputs.into_iter().peekable();
    while it.peek().is_some() {
        parts.push(it.by_ref().take(chunk).collect());
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = parts
            .into_iter()
            .map(|part| scope.spawn(move || part.into_iter().map(one).collect::<Vec<_>>()))
            .collect();
        let mut out = Vec::new();
        for h in handles {
            // A thread that died (it cannot: nothing here panics) leaves its documents to the
            // JSON path.
            match h.join() {
                Ok(v) => out.extend(v),
                Err(_) => return None,
            }
        }
        Some(out)
    })
    .unwrap_or_default()
}
