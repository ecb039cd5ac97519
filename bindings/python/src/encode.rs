//! Python objects -> exact JSON text, in Rust (the former pure-Python `_wire._write`).
//!
//! The rules are the package's (`refund_rules/_wire.py` docs): `Decimal` is written as its exact
//! text, `int` as an integer, `str`/`bool`/`None` as themselves, dates as ISO text, objects with
//! a `to_dict()` through it, mappings with `str` keys and lists/tuples as JSON; a `float`
//! anywhere raises `FloatNotAllowed` and anything else `UnsupportedValue`, both built by the
//! Python classes (same class, message and pointer as before). The JSON pointer is only
//! formatted when an error is raised.
//!
//! With `rules`, the top-level `ledger` / `event` of an operation document first get the
//! package's wire conversions (`models.ledger_wire` / `models.event_wire`: major-unit amounts
//! `Decimal` -> decimal text, `int`/`float` refused, typed objects through `to_dict()`), in the
//! same order as the Python code did them, so the first error raised is the same one.

use std::collections::HashMap;

use pyo3::exceptions::{PyAttributeError, PyException};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple, PyType};
use refund_rules::Provider;
use refund_rules::json::amounts::{AmountForm, amount_form, is_amount_key, write_amount};

/// Apply the ledger wire conversions to the document's top-level `ledger`.
pub const RULE_LEDGER: u8 = 1;
/// Apply the event wire conversions to the document's top-level `event`.
pub const RULE_EVENT: u8 = 2;

/// Deeper documents raise `UnsupportedValue` (this keeps the Rust stack bounded on any thread;
/// the engine reads no typed field deeper than 128 levels).
const MAX_DEPTH: usize = 900;

static DECIMAL: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static DATE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static DATETIME: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static MAPPING: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static FLOAT_NOT_ALLOWED: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static UNSUPPORTED: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static MODEL: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static LEDGER: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static EVENT: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static MAJOR_AMOUNT_TEXT: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static REFUND_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// `UnsupportedValue(pointer, value, reason)`, as an error to raise (or whatever building it
/// raised, which cannot happen with the package's own class).
pub fn unsupported_at(value: &Bound<'_, PyAny>, pointer: &str, reason: Option<&str>) -> PyErr {
    let py = value.py();
    let build = || -> PyResult<PyErr> {
        let cls = UNSUPPORTED.import(py, "refund_rules.errors", "UnsupportedValue")?;
        let err = match reason {
            Some(r) => cls.call1((pointer, value, r))?,
            None => cls.call1((pointer, value))?,
        };
        Ok(PyErr::from_value(err))
    };
    build().unwrap_or_else(|e| e)
}

/// `Type: message` of a Python exception, for an `UnsupportedValue` reason.
pub fn describe(py: Python<'_>, err: &PyErr) -> String {
    let name = err
        .get_type(py)
        .name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|_| "Exception".to_owned());
    let text = err
        .value(py)
        .str()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!("it could not be read (`{name}: {text}`)")
}

/// Whether `err` is already in the package's hierarchy (or is not an `Exception` at all, e.g.
/// `KeyboardInterrupt`, which must keep propagating as itself).
fn keeps_its_class(py: Python<'_>, err: &PyErr) -> bool {
    if !err.is_instance_of::<PyException>(py) {
        return true;
    }
    REFUND_ERROR
        .import(py, "refund_rules.errors", "RefundError")
        .map(|cls| err.is_instance(py, cls.as_any()))
        .unwrap_or(false)
}

/// `err` unchanged when it is a `RefundError` (or not an `Exception`), else the
/// `UnsupportedValue` for `value` at `pointer` that says what Python raised.
pub fn into_hierarchy(value: &Bound<'_, PyAny>, pointer: &str, err: PyErr) -> PyErr {
    let py = value.py();
    if keeps_its_class(py, &err) {
        return err;
    }
    unsupported_at(value, pointer, Some(&describe(py, &err)))
}

/// Iterates `value`; a value that is not iterable is `UnsupportedValue` at `pointer`.
pub fn iterate<'py>(
    value: &Bound<'py, PyAny>,
    pointer: &str,
) -> PyResult<Bound<'py, pyo3::types::PyIterator>> {
    value
        .try_iter()
        .map_err(|e| into_hierarchy(value, pointer, e))
}

/// `decimal.Decimal`.
pub fn decimal_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    DECIMAL.import(py, "decimal", "Decimal")
}

/// `datetime.datetime`.
pub fn datetime_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    DATETIME.import(py, "datetime", "datetime")
}

/// The advice for a naive `datetime` (one without a timezone).
pub const NAIVE_DATETIME: &str = "a datetime without a timezone (naive) is not an instant: add a timezone, e.g. datetime(2026, 1, 31, 12, 0, tzinfo=timezone.utc), or pass RFC 3339 text such as \"2026-01-31T12:00:00Z\"";

/// `UnsupportedValue` for a naive datetime at `pointer`; `None` when `value` is not one.
pub fn naive_datetime_error(value: &Bound<'_, PyAny>, pointer: &str) -> PyResult<Option<PyErr>> {
    let py = value.py();
    if !value.is_instance(datetime_type(py)?.as_any())? {
        return Ok(None);
    }
    if !value.call_method0("utcoffset")?.is_none() {
        return Ok(None);
    }
    Ok(Some(unsupported_at(value, pointer, Some(NAIVE_DATETIME))))
}

fn major_amount_text(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    MAJOR_AMOUNT_TEXT.import(py, "refund_rules.models", "major_amount_text")
}

/// One step of the JSON pointer of the value being written.
enum Token<'py> {
    Key(Bound<'py, PyAny>),
    Index(usize),
}

/// The writer: output buffer, pointer stack, indentation and a cache of escaped dict keys.
pub struct Writer<'py> {
    py: Python<'py>,
    out: Vec<u8>,
    path: Vec<Token<'py>>,
    base: String,
    indent: Option<usize>,
    depth: usize,
    /// Escaped key text by object identity; the `Bound` keeps the key alive, so its address
    /// cannot be reused by another object while the cache holds it.
    keys: HashMap<usize, (Bound<'py, PyAny>, Vec<u8>)>,
    /// Amount places are written in the core's wire form for this provider
    /// ([`refund_rules::json::amounts`]) when `amounts` is on.
    provider: Option<Provider>,
    amounts: bool,
    /// Whether escaped keys are cached (worth it for writers that write many documents).
    cache_keys: bool,
}

impl<'py> Writer<'py> {
    /// A writer whose pointers start at `base` (`""` = the document root).
    pub fn new(py: Python<'py>, indent: Option<usize>, base: &str) -> Self {
        Writer {
            py,
            out: Vec::with_capacity(1024),
            path: Vec::new(),
            base: base.to_owned(),
            indent,
            depth: 0,
            keys: HashMap::new(),
            provider: None,
            amounts: false,
            cache_keys: true,
        }
    }

    /// A writer for one small document: no key cache.
    pub fn one_shot(py: Python<'py>) -> Self {
        let mut w = Self::new(py, None, "");
        w.out = Vec::with_capacity(128);
        w.cache_keys = false;
        w
    }

    /// Writes amount places in the core's wire form for `provider` from now on.
    pub fn set_provider(&mut self, provider: Option<Provider>) {
        self.provider = provider;
        self.amounts = true;
    }

    /// Writes `value` as the document member `key` (its pointers start at `/key`).
    pub fn value_at(&mut self, value: &Bound<'py, PyAny>, key: &str) -> PyResult<()> {
        self.path
            .push(Token::Key(PyString::new(self.py, key).into_any()));
        let r = self.value(value, 0);
        self.path.pop();
        r
    }

    /// The amount form of the place being written, if it is an amount place.
    fn amount_here(&self) -> Option<AmountForm> {
        if !self.amounts {
            return None;
        }
        self.form_at_path()
    }

    /// The amount form of the place being written (whether or not amounts are converted).
    fn form_at_path(&self) -> Option<AmountForm> {
        let Some(Token::Key(last)) = self.path.last() else {
            return None;
        };
        if !is_amount_key(last.cast::<PyString>().ok()?.to_str().ok()?) {
            return None;
        }
        let mut segs: Vec<std::borrow::Cow<'_, str>> = Vec::with_capacity(self.path.len());
        for t in &self.path {
            segs.push(match t {
                Token::Key(k) => {
                    std::borrow::Cow::Borrowed(k.cast::<PyString>().ok()?.to_str().ok()?)
                }
                Token::Index(i) => std::borrow::Cow::Owned(i.to_string()),
            });
        }
        let segs: Vec<&str> = segs.iter().map(|c| c.as_ref()).collect();
        amount_form(self.provider, &segs)
    }

    /// Writes an amount given as `Decimal`, `int` or `str` in `form`; `Ok(false)` for any other
    /// value (written by the generic rules, which refuse floats).
    fn amount(&mut self, value: &Bound<'py, PyAny>, form: AmountForm) -> PyResult<bool> {
        let py = self.py;
        let text = if value.is_instance_of::<PyBool>() {
            return Ok(false);
        } else if value.is_instance_of::<PyString>() {
            match value.cast::<PyString>()?.to_cow() {
                Ok(t) => t.into_owned(),
                Err(_) => return Ok(false),
            }
        } else if value.is_instance_of::<PyInt>() {
            let as_int = py.get_type::<PyInt>().call1((value,))?;
            decimal_type(py)?
                .call1((&as_int,))?
                .str()?
                .to_cow()?
                .into_owned()
        } else if value.is_instance(decimal_type(py)?.as_any())? {
            value.str()?.to_cow()?.into_owned()
        } else {
            return Ok(false);
        };
        write_amount(form, &text, &mut self.out);
        Ok(true)
    }

    /// The text written so far.
    pub fn finish(self) -> PyResult<String> {
        String::from_utf8(self.out)
            .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))
    }

    /// Takes the text written so far, leaving the writer empty (keeps the key cache).
    pub fn take_text(&mut self) -> PyResult<String> {
        let out = std::mem::take(&mut self.out);
        String::from_utf8(out).map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))
    }

    /// Clears the output for the next document (keeps the key cache).
    pub fn reset(&mut self) {
        self.out.clear();
        self.path.clear();
    }

    /// The current JSON pointer, as `_wire.pointer_join` built it (`"/"` for the root).
    fn pointer(&self) -> PyResult<String> {
        let mut p = self.base.clone();
        for t in &self.path {
            p.push('/');
            match t {
                Token::Key(k) => {
                    // Keys are `str` (checked before they are pushed); lossy for a lone surrogate.
                    let s = match k.cast::<PyString>() {
                        Ok(s) => s.to_string_lossy().into_owned(),
                        Err(_) => k.str()?.to_string_lossy().into_owned(),
                    };
                    p.push_str(&s.replace('~', "~0").replace('/', "~1"));
                }
                Token::Index(i) => p.push_str(&i.to_string()),
            }
        }
        if p.is_empty() {
            p.push('/');
        }
        Ok(p)
    }

    fn unsupported(&self, value: &Bound<'py, PyAny>, reason: Option<&str>) -> PyErr {
        match self.pointer() {
            Ok(p) => unsupported_at(value, &p, reason),
            Err(e) => e,
        }
    }

    /// `err` unchanged when it is a `RefundError` (or not an `Exception`); otherwise the
    /// `UnsupportedValue` for `value` at the current pointer, saying what Python raised.
    fn in_hierarchy(&self, value: &Bound<'py, PyAny>, err: PyErr) -> PyErr {
        if keeps_its_class(self.py, &err) {
            return err;
        }
        let reason = describe(self.py, &err);
        self.unsupported(value, Some(&reason))
    }

    fn float_error(&self, value: &Bound<'py, PyAny>) -> PyErr {
        let py = self.py;
        let build = || -> PyResult<PyErr> {
            let cls = FLOAT_NOT_ALLOWED.import(py, "refund_rules.errors", "FloatNotAllowed")?;
            let shown = value.repr()?.to_cow()?.into_owned();
            let last = match self.path.last() {
                Some(Token::Key(k)) => k.cast::<PyString>()?.to_cow()?.into_owned(),
                _ => String::new(),
            };
            let advice = if self.path.len() == 1 && last == "now"
                || last == "created_at"
                || last == "captured_at"
            {
                Some("pass a timezone-aware datetime or RFC 3339 text such as \"2026-01-31T12:00:00Z\" (floats are refused everywhere; money goes as decimal.Decimal)".to_owned())
            } else {
                match self.form_at_path() {
                    Some(AmountForm::MinorUnits) => {
                        let f: f64 = value.extract()?;
                        let whole = format!("{f:.0}");
                        Some(if whole.parse::<f64>().ok() == Some(f) {
                            format!("this amount is in minor units: pass the int {whole}")
                        } else {
                            "this amount is a whole number of minor units (2500 for 25.00): pass an int".to_owned()
                        })
                    }
                    Some(_) => Some(format!(
                        "pass decimal.Decimal(\"{shown}\"), the str \"{shown}\" or an int; the engine writes it in the form this provider expects (reading a JSON file: json.loads(text, parse_float=decimal.Decimal))"
                    )),
                    None => None,
                }
            };
            Ok(PyErr::from_value(cls.call1((
                self.pointer()?,
                value,
                advice,
            ))?))
        };
        build().unwrap_or_else(|e| e)
    }

    fn newline(&mut self, level: usize) {
        if let Some(n) = self.indent {
            self.out.push(b'\n');
            let width = n.saturating_mul(level);
            self.out.resize(self.out.len().saturating_add(width), b' ');
        }
    }

    fn string(&mut self, s: &str) -> PyResult<()> {
        serde_json::to_writer(&mut self.out, s)
            .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))
    }

    fn py_string(&mut self, value: &Bound<'py, PyAny>) -> PyResult<()> {
        let s = value.cast::<PyString>()?;
        match s.to_cow() {
            Ok(text) => self.string(&text),
            Err(_) => Err(self.unsupported(
                value,
                Some("the str holds a lone surrogate: it is not Unicode text, so JSON cannot carry it"),
            )),
        }
    }

    fn key(&mut self, k: &Bound<'py, PyAny>) -> PyResult<()> {
        if !self.cache_keys {
            return self.py_string(k);
        }
        let id = k.as_ptr().addr();
        if let Some((_, text)) = self.keys.get(&id) {
            self.out.extend_from_slice(text);
            return Ok(());
        }
        let start = self.out.len();
        self.py_string(k)?;
        let text = self
            .out
            .get(start..)
            .map(<[u8]>::to_vec)
            .unwrap_or_default();
        if self.keys.len() < 4096 {
            self.keys.insert(id, (k.clone(), text));
        }
        Ok(())
    }

    fn decimal(&mut self, value: &Bound<'py, PyAny>) -> PyResult<()> {
        let text = value.str()?;
        let text = text.to_cow()?;
        // str(Decimal) of a finite value starts with a digit (after an optional sign); NaN and
        // Infinity are not JSON numbers: send them as text, the engine rejects the amount.
        let digits = text.strip_prefix('-').unwrap_or(&text);
        if digits.bytes().next().is_some_and(|b| b.is_ascii_digit()) {
            self.out.extend_from_slice(text.as_bytes());
            Ok(())
        } else {
            self.string(&text)
        }
    }

    fn int(&mut self, value: &Bound<'py, PyAny>, exact: bool) -> PyResult<()> {
        if exact && let Ok(i) = value.extract::<i64>() {
            self.out.extend_from_slice(i.to_string().as_bytes());
            return Ok(());
        }
        let as_int = self.py.get_type::<PyInt>().call1((value,))?;
        // `str(int)` refuses more than `sys.get_int_max_str_digits()` digits; the exact
        // integer digits of `Decimal(int)` have no such limit.
        let text = match as_int.str() {
            Ok(t) => t,
            Err(_) => decimal_type(self.py)?.call1((&as_int,))?.str()?,
        };
        self.out.extend_from_slice(text.to_cow()?.as_bytes());
        Ok(())
    }

    /// Writes any value (the former `_wire._write`, same order of checks).
    pub fn value(&mut self, value: &Bound<'py, PyAny>, level: usize) -> PyResult<()> {
        if self.depth >= MAX_DEPTH {
            return Err(self.unsupported(
                value,
                Some(&format!(
                    "the document nests deeper than {MAX_DEPTH} levels (or contains a cycle)"
                )),
            ));
        }
        self.depth = self.depth.saturating_add(1);
        let result = self.value_inner(value, level);
        self.depth = self.depth.saturating_sub(1);
        result.map_err(|e| self.in_hierarchy(value, e))
    }

    fn value_inner(&mut self, value: &Bound<'py, PyAny>, level: usize) -> PyResult<()> {
        let py = self.py;
        if let Some(form) = self.amount_here()
            && self.amount(value, form)?
        {
            return Ok(());
        }
        // Fast paths for the exact built-in types (none of them has a `to_dict`).
        if value.is_exact_instance_of::<PyDict>() {
            return self.mapping(value, level, None);
        }
        if value.is_exact_instance_of::<PyString>() {
            return self.py_string(value);
        }
        if value.is_exact_instance_of::<PyList>() || value.is_exact_instance_of::<PyTuple>() {
            return self.sequence(value, level);
        }
        if value.is_none() {
            self.out.extend_from_slice(b"null");
            return Ok(());
        }
        if value.is_exact_instance_of::<PyBool>() {
            let t: bool = value.extract()?;
            self.out
                .extend_from_slice(if t { &b"true"[..] } else { &b"false"[..] });
            return Ok(());
        }
        if value.is_exact_instance_of::<PyInt>() {
            return self.int(value, true);
        }
        let decimal = decimal_type(py)?;
        if value.is_exact_instance(decimal.as_any()) {
            return self.decimal(value);
        }
        // The general order of `_write`.
        if value.is_instance_of::<PyString>() {
            return self.py_string(value);
        }
        if value.is_instance_of::<PyFloat>() {
            return Err(self.float_error(value));
        }
        if value.is_instance_of::<PyInt>() {
            return self.int(value, false);
        }
        if value.is_instance(decimal.as_any())? {
            return self.decimal(value);
        }
        let date = DATE.import(py, "datetime", "date")?;
        if value.is_instance(date.as_any())? {
            if let Some(e) = naive_datetime_error(value, &self.pointer()?)? {
                return Err(e);
            }
            let iso = value.call_method0("isoformat")?;
            return self.py_string(&iso);
        }
        if let Some(to_dict) = getattr_opt(value, "to_dict")?
            && to_dict.is_callable()
        {
            let d = to_dict.call0()?;
            return self.value(&d, level);
        }
        let mapping = MAPPING.import(py, "collections.abc", "Mapping")?;
        if value.is_instance(mapping.as_any())? {
            return self.mapping(value, level, None);
        }
        if value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() {
            return self.sequence(value, level);
        }
        Err(self.unsupported(value, None))
    }

    fn sequence(&mut self, value: &Bound<'py, PyAny>, level: usize) -> PyResult<()> {
        let mut first = true;
        for (i, item) in value.try_iter()?.enumerate() {
            let item = item?;
            self.out.push(if first { b'[' } else { b',' });
            first = false;
            self.newline(level.saturating_add(1));
            self.path.push(Token::Index(i));
            self.value(&item, level.saturating_add(1))?;
            self.path.pop();
        }
        if first {
            self.out.extend_from_slice(b"[]");
        } else {
            self.newline(level);
            self.out.push(b']');
        }
        Ok(())
    }

    /// Writes a mapping; `special` rewrites chosen members (the wire conversions).
    fn mapping(
        &mut self,
        value: &Bound<'py, PyAny>,
        level: usize,
        mut special: Option<&mut Special<'_, 'py>>,
    ) -> PyResult<()> {
        let items: Vec<(Bound<'py, PyAny>, Bound<'py, PyAny>)> =
            if let Ok(d) = value.cast::<PyDict>() {
                d.iter().collect()
            } else {
                let mut v = Vec::new();
                for pair in value.call_method0("items")?.try_iter()? {
                    v.push(pair?.extract()?);
                }
                v
            };
        if items.is_empty() {
            self.out.extend_from_slice(b"{}");
            return Ok(());
        }
        let mut first = true;
        for (k, item) in items {
            if !k.is_instance_of::<PyString>() {
                return Err(self.unsupported(&k, Some("object keys must be str")));
            }
            self.out.push(if first { b'{' } else { b',' });
            first = false;
            self.newline(level.saturating_add(1));
            self.path.push(Token::Key(k.clone()));
            self.key(&k)?;
            self.out.extend_from_slice(if self.indent.is_some() {
                &b": "[..]
            } else {
                &b":"[..]
            });
            let handled = match special.as_mut() {
                Some(f) => {
                    let name = k.cast::<PyString>()?.to_string_lossy().into_owned();
                    f(self, &name, &item)?
                }
                None => false,
            };
            if !handled {
                self.value(&item, level.saturating_add(1))?;
            }
            self.path.pop();
        }
        self.newline(level);
        self.out.push(b'}');
        Ok(())
    }

    /// Writes an operation document, applying the wire conversions chosen by `rules` to its
    /// top-level `ledger` and `event`.
    pub fn document(&mut self, doc: &Bound<'py, PyAny>, rules: u8) -> PyResult<()> {
        self.document_inner(doc, rules)
            .map_err(|e| self.in_hierarchy(doc, e))
    }

    fn document_inner(&mut self, doc: &Bound<'py, PyAny>, rules: u8) -> PyResult<()> {
        let py = self.py;
        let mapping = MAPPING.import(py, "collections.abc", "Mapping")?;
        if rules == 0 || !doc.is_instance(mapping.as_any())? {
            return self.value(doc, 0);
        }
        let l = if rules & RULE_LEDGER != 0 {
            get_item(doc, "ledger")?
        } else {
            None
        };
        let e = if rules & RULE_EVENT != 0 {
            get_item(doc, "event")?
        } else {
            None
        };
        if let Some(p) = get_item(doc, "provider")? {
            let name = p
                .cast::<PyString>()
                .ok()
                .and_then(|s| s.to_cow().ok().map(|c| c.into_owned()));
            self.provider = name.and_then(|n| Provider::from_name(&n).ok());
        }
        self.amounts = true;
        if l.is_none() && e.is_none() {
            return self.value(doc, 0);
        }
        let mut ledger = match l {
            Some(l) => prep_ledger(py, &l)?,
            None => Prep::Plain,
        };
        let mut event = match e {
            Some(e) => prep_event(py, &e)?,
            None => Prep::Plain,
        };
        let mut special = |w: &mut Self, name: &str, item: &Bound<'py, PyAny>| -> PyResult<bool> {
            let prep = match name {
                "ledger" if rules & RULE_LEDGER != 0 => &mut ledger,
                "event" if rules & RULE_EVENT != 0 => &mut event,
                _ => return Ok(false),
            };
            w.prepared(item, prep, 1)?;
            Ok(true)
        };
        self.mapping(doc, 0, Some(&mut special))
    }

    /// Writes a value converted by [`prep_ledger`] / [`prep_event`].
    fn prepared(
        &mut self,
        item: &Bound<'py, PyAny>,
        prep: &mut Prep<'py>,
        level: usize,
    ) -> PyResult<()> {
        match prep {
            Prep::Plain => self.value(item, level),
            Prep::Replaced(v) => {
                let v = v.clone();
                self.value(&v, level)
            }
            Prep::Map(fields) => {
                let mut special =
                    |w: &mut Self, name: &str, member: &Bound<'py, PyAny>| -> PyResult<bool> {
                        match fields.get_mut(name) {
                            Some(FieldPrep::Text(t)) => {
                                let t = std::mem::take(t);
                                w.string(&t)?;
                                Ok(true)
                            }
                            Some(FieldPrep::Items(items)) => {
                                w.items(member, items, level.saturating_add(1))?;
                                Ok(true)
                            }
                            Some(FieldPrep::Timestamp) => {
                                let py = w.py;
                                let datetime = DATETIME.import(py, "datetime", "datetime")?;
                                if member.is_instance(datetime.as_any())? {
                                    if let Some(e) = naive_datetime_error(member, &w.pointer()?)? {
                                        return Err(e);
                                    }
                                    let iso = member.call_method0("isoformat")?;
                                    let iso =
                                        iso.cast::<PyString>()?.to_cow()?.replace("+00:00", "Z");
                                    w.string(&iso)?;
                                    return Ok(true);
                                }
                                Ok(false)
                            }
                            None => Ok(false),
                        }
                    };
                self.mapping(item, level, Some(&mut special))
            }
        }
    }

    /// Writes `captures` / `refunds` items as converted by [`prep_ledger`].
    fn items(
        &mut self,
        list: &Bound<'py, PyAny>,
        preps: &mut [Prep<'py>],
        level: usize,
    ) -> PyResult<()> {
        let mut first = true;
        for (i, item) in list.try_iter()?.enumerate() {
            let item = item?;
            self.out.push(if first { b'[' } else { b',' });
            first = false;
            self.newline(level.saturating_add(1));
            self.path.push(Token::Index(i));
            match preps.get_mut(i) {
                Some(p) => self.prepared(&item, p, level.saturating_add(1))?,
                None => self.value(&item, level.saturating_add(1))?,
            }
            self.path.pop();
        }
        if first {
            self.out.extend_from_slice(b"[]");
        } else {
            self.newline(level);
            self.out.push(b']');
        }
        Ok(())
    }
}

/// Rewrites chosen members of a mapping: `Ok(true)` = written, `Ok(false)` = write normally.
type Special<'f, 'py> =
    dyn FnMut(&mut Writer<'py>, &str, &Bound<'py, PyAny>) -> PyResult<bool> + 'f;

/// How a value is written after the wire conversions.
enum Prep<'py> {
    /// Unchanged: written by the generic rules.
    Plain,
    /// Replaced (the result of `to_dict()`), written by the generic rules.
    Replaced(Bound<'py, PyAny>),
    /// A mapping written member by member, some members converted (no `to_dict()` call, as
    /// the Python code copied it into a plain dict).
    Map(HashMap<&'static str, FieldPrep<'py>>),
}

enum FieldPrep<'py> {
    /// A major-unit amount given as a Decimal: written as this decimal text (a JSON string).
    Text(String),
    /// A list of captures / refunds.
    Items(Vec<Prep<'py>>),
    /// `created_at` / `captured_at`: a datetime becomes RFC 3339 text with `Z` for UTC.
    Timestamp,
}

fn getattr_opt<'py>(value: &Bound<'py, PyAny>, name: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
    match value.getattr(name) {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.is_instance_of::<PyAttributeError>(value.py()) => Ok(None),
        Err(e) => Err(e),
    }
}

fn get_item<'py>(map: &Bound<'py, PyAny>, key: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
    if let Ok(d) = map.cast::<PyDict>() {
        return d.get_item(key);
    }
    if map.contains(key)? {
        Ok(Some(map.get_item(key)?))
    } else {
        Ok(None)
    }
}

/// `models.major_amount_text`: `None` = unchanged, `Some(text)` for a Decimal; raises for
/// `int` / `float` (through the Python function, so the messages are its own).
fn major_amount(
    py: Python<'_>,
    value: &Bound<'_, PyAny>,
    pointer: &str,
) -> PyResult<Option<String>> {
    if value.is_instance_of::<PyString>() {
        return Ok(None);
    }
    if value.is_instance(decimal_type(py)?.as_any())? {
        return Ok(Some(value.str()?.to_cow()?.into_owned()));
    }
    let converted = major_amount_text(py)?.call1((value, pointer))?;
    if converted.is(value) {
        Ok(None)
    } else {
        Ok(Some(converted.str()?.to_cow()?.into_owned()))
    }
}

fn is_model(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<bool> {
    if value.is_exact_instance_of::<PyDict>() {
        return Ok(false);
    }
    let model = MODEL.import(py, "refund_rules.models", "_Model")?;
    value.is_instance(model.as_any())
}

/// The shared start of `ledger_wire` / `event_wire`: a model object is written through its
/// `to_dict()`, anything that is not a mapping by the generic rules; `None` means "a mapping:
/// check its amount fields".
fn typed_or_plain<'py>(
    py: Python<'py>,
    value: &Bound<'py, PyAny>,
    class: &'static PyOnceLock<Py<PyType>>,
    class_name: &str,
) -> PyResult<Option<Prep<'py>>> {
    if value.is_exact_instance_of::<PyDict>() {
        return Ok(None);
    }
    let cls = class.import(py, "refund_rules.models", class_name)?;
    if value.is_instance(cls.as_any())? {
        return Ok(Some(Prep::Replaced(value.call_method0("to_dict")?)));
    }
    let mapping = MAPPING.import(py, "collections.abc", "Mapping")?;
    if !value.is_instance(mapping.as_any())? {
        return Ok(Some(Prep::Plain));
    }
    Ok(None)
}

/// `models.ledger_wire`, as a plan for the writer; raises what it raised, in the same order.
fn prep_ledger<'py>(py: Python<'py>, ledger: &Bound<'py, PyAny>) -> PyResult<Prep<'py>> {
    if let Some(done) = typed_or_plain(py, ledger, &LEDGER, "Ledger")? {
        return Ok(done);
    }
    let mut fields = HashMap::new();
    if let Some(a) = get_item(ledger, "authorized")?
        && let Some(text) = major_amount(py, &a, "/ledger/authorized")?
    {
        fields.insert("authorized", FieldPrep::Text(text));
    }
    for key in ["captures", "refunds"] {
        let Some(items) = get_item(ledger, key)? else {
            continue;
        };
        if !(items.is_instance_of::<PyList>() || items.is_instance_of::<PyTuple>()) {
            continue;
        }
        let mut preps = Vec::new();
        for (i, item) in items.try_iter()?.enumerate() {
            let item = item?;
            preps.push(prep_item(py, &item, key, i)?);
        }
        fields.insert(key, FieldPrep::Items(preps));
    }
    fields.insert("created_at", FieldPrep::Timestamp);
    Ok(Prep::Map(fields))
}

/// `models._item`: a typed capture/refund through `to_dict()`, a dict's Decimal `amount` as text.
fn prep_item<'py>(
    py: Python<'py>,
    item: &Bound<'py, PyAny>,
    key: &str,
    i: usize,
) -> PyResult<Prep<'py>> {
    let exact_dict = item.is_exact_instance_of::<PyDict>();
    if !exact_dict {
        if is_model(py, item)? {
            return Ok(Prep::Replaced(item.call_method0("to_dict")?));
        }
        let mapping = MAPPING.import(py, "collections.abc", "Mapping")?;
        if !item.is_instance(mapping.as_any())? {
            return Ok(Prep::Plain);
        }
    }
    let Some(amount) = get_item(item, "amount")? else {
        return Ok(Prep::Plain);
    };
    let mut fields = HashMap::new();
    if let Some(text) = major_amount(py, &amount, &format!("/ledger/{key}/{i}/amount"))? {
        fields.insert("amount", FieldPrep::Text(text));
    } else if exact_dict {
        return Ok(Prep::Plain);
    }
    Ok(Prep::Map(fields))
}

/// `models.event_wire`, as a plan for the writer.
fn prep_event<'py>(py: Python<'py>, event: &Bound<'py, PyAny>) -> PyResult<Prep<'py>> {
    if let Some(done) = typed_or_plain(py, event, &EVENT, "Event")? {
        return Ok(done);
    }
    let mut fields = HashMap::new();
    if let Some(a) = get_item(event, "amount")?
        && !a.is_none()
        && let Some(text) = major_amount(py, &a, "/event/amount")?
    {
        fields.insert("amount", FieldPrep::Text(text));
    }
    fields.insert("captured_at", FieldPrep::Timestamp);
    Ok(Prep::Map(fields))
}
