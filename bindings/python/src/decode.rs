//! The engine's result JSON -> Python objects, in Rust, with the meaning of
//! `json.loads(text, parse_float=Decimal)`: integers become `int`, other numbers an exact
//! `decimal.Decimal` of their text, objects `dict` (last duplicate key wins), arrays `list`.
//!
//! The engine always writes valid JSON; anything this reader does not handle (e.g. an escaped
//! lone surrogate) makes [`loads`] fall back to Python's own `json.loads`, so the result is
//! the same either way.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyString};

use crate::encode::decimal_type;

static JSON_LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// Parses JSON text into Python objects (Decimal for non-integer numbers).
pub fn loads<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    let mut r = Reader {
        py,
        bytes: text.as_bytes(),
        pos: 0,
        keys: Vec::new(),
    };
    match r.value(0) {
        Ok(Some(v)) => {
            r.ws();
            if r.pos == r.bytes.len() {
                return Ok(v);
            }
        }
        Ok(None) => {}
        Err(e) => return Err(e),
    }
    // Not the engine's plain JSON: let Python's reader answer (same result or same error).
    let loads = JSON_LOADS.import(py, "json", "loads")?;
    let kwargs = pyo3::types::PyDict::new(py);
    kwargs.set_item("parse_float", decimal_type(py)?)?;
    loads.call((text,), Some(&kwargs))
}

struct Reader<'py, 'a> {
    py: Python<'py>,
    bytes: &'a [u8],
    pos: usize,
    /// Object keys seen in this document, by their raw bytes (few distinct keys, many uses).
    keys: Vec<(&'a [u8], Bound<'py, PyString>)>,
}

const MAX_DEPTH: usize = 512;

impl<'py, 'a> Reader<'py, 'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn bump(&mut self) {
        self.pos = self.pos.saturating_add(1);
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.bump();
        }
    }

    fn literal(&mut self, word: &[u8]) -> bool {
        let end = self.pos.saturating_add(word.len());
        if self.bytes.get(self.pos..end) == Some(word) {
            self.pos = end;
            true
        } else {
            false
        }
    }

    /// `Ok(None)`: not handled here (the caller falls back to `json.loads`).
    fn value(&mut self, depth: usize) -> PyResult<Option<Bound<'py, PyAny>>> {
        if depth > MAX_DEPTH {
            return Ok(None);
        }
        self.ws();
        let py = self.py;
        match self.peek() {
            Some(b'{') => {
                self.bump();
                let dict = PyDict::new(py);
                self.ws();
                if self.peek() == Some(b'}') {
                    self.bump();
                    return Ok(Some(dict.into_any()));
                }
                loop {
                    self.ws();
                    let Some(key) = self.key()? else {
                        return Ok(None);
                    };
                    self.ws();
                    if self.peek() != Some(b':') {
                        return Ok(None);
                    }
                    self.bump();
                    let Some(v) = self.value(depth.saturating_add(1))? else {
                        return Ok(None);
                    };
                    dict.set_item(key, v)?;
                    self.ws();
                    match self.peek() {
                        Some(b',') => self.bump(),
                        Some(b'}') => {
                            self.bump();
                            return Ok(Some(dict.into_any()));
                        }
                        _ => return Ok(None),
                    }
                }
            }
            Some(b'[') => {
                self.bump();
                let list = PyList::empty(py);
                self.ws();
                if self.peek() == Some(b']') {
                    self.bump();
                    return Ok(Some(list.into_any()));
                }
                loop {
                    let Some(v) = self.value(depth.saturating_add(1))? else {
                        return Ok(None);
                    };
                    list.append(v)?;
                    self.ws();
                    match self.peek() {
                        Some(b',') => self.bump(),
                        Some(b']') => {
                            self.bump();
                            return Ok(Some(list.into_any()));
                        }
                        _ => return Ok(None),
                    }
                }
            }
            Some(b'"') => Ok(self.py_string()?.map(Bound::into_any)),
            Some(b't') if self.literal(b"true") => {
                Ok(Some(true.into_pyobject(py)?.to_owned().into_any()))
            }
            Some(b'f') if self.literal(b"false") => {
                Ok(Some(false.into_pyobject(py)?.to_owned().into_any()))
            }
            Some(b'n') if self.literal(b"null") => Ok(Some(py.None().into_bound(py))),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Ok(None),
        }
    }

    fn key(&mut self) -> PyResult<Option<Bound<'py, PyString>>> {
        let start = self.pos;
        // Fast path: a key without escapes is memoized by its bytes.
        if self.peek() == Some(b'"') {
            let body_start = start.saturating_add(1);
            let rest = self.bytes.get(body_start..).unwrap_or_default();
            if let Some(len) = rest.iter().position(|&b| b == b'"' || b == b'\\')
                && rest.get(len) == Some(&b'"')
                && let Some(raw) = rest.get(..len)
            {
                self.pos = body_start.saturating_add(len).saturating_add(1);
                if let Some((_, k)) = self.keys.iter().find(|(r, _)| *r == raw) {
                    return Ok(Some(k.clone()));
                }
                let Ok(text) = std::str::from_utf8(raw) else {
                    return Ok(None);
                };
                if text.bytes().any(|b| b < 0x20) {
                    return Ok(None);
                }
                let k = PyString::new(self.py, text);
                if self.keys.len() < 64 {
                    self.keys.push((raw, k.clone()));
                }
                return Ok(Some(k));
            }
        }
        Ok(self.string()?.map(|s| PyString::new(self.py, &s)))
    }

    /// A string value: without escapes it is created straight from the input bytes.
    fn py_string(&mut self) -> PyResult<Option<Bound<'py, PyString>>> {
        let body_start = self.pos.saturating_add(1);
        let rest = self.bytes.get(body_start..).unwrap_or_default();
        if let Some(len) = rest
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
            && rest.get(len) == Some(&b'"')
            && let Some(raw) = rest.get(..len)
            && let Ok(text) = std::str::from_utf8(raw)
        {
            self.pos = body_start.saturating_add(len).saturating_add(1);
            return Ok(Some(PyString::new(self.py, text)));
        }
        Ok(self.string()?.map(|s| PyString::new(self.py, &s)))
    }

    fn string(&mut self) -> PyResult<Option<String>> {
        if self.peek() != Some(b'"') {
            return Ok(None);
        }
        self.bump();
        let mut out: Vec<u8> = Vec::new();
        loop {
            let Some(b) = self.peek() else {
                return Ok(None);
            };
            self.bump();
            match b {
                b'"' => break,
                b'\\' => {
                    let Some(e) = self.peek() else {
                        return Ok(None);
                    };
                    self.bump();
                    let c = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let Some(hi) = self.hex4() else {
                                return Ok(None);
                            };
                            let code = if (0xD800..0xDC00).contains(&hi) {
                                if !self.literal(b"\\u") {
                                    return Ok(None);
                                }
                                let Some(lo) = self.hex4() else {
                                    return Ok(None);
                                };
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Ok(None);
                                }
                                0x10000_u32
                                    .saturating_add((hi.saturating_sub(0xD800)) << 10)
                                    .saturating_add(lo.saturating_sub(0xDC00))
                            } else {
                                hi
                            };
                            let Some(c) = char::from_u32(code) else {
                                return Ok(None);
                            };
                            c
                        }
                        _ => return Ok(None),
                    };
                    let mut buf = [0_u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                0..0x20 => return Ok(None),
                _ => out.push(b),
            }
        }
        Ok(String::from_utf8(out).ok())
    }

    fn hex4(&mut self) -> Option<u32> {
        let end = self.pos.checked_add(4)?;
        let digits = std::str::from_utf8(self.bytes.get(self.pos..end)?).ok()?;
        let v = u32::from_str_radix(digits, 16).ok()?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        self.pos = end;
        Some(v)
    }

    fn number(&mut self) -> PyResult<Option<Bound<'py, PyAny>>> {
        let start = self.pos;
        let mut integer = true;
        if self.peek() == Some(b'-') {
            self.bump();
        }
        let digits_start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.bump();
        }
        let int_digits = self.pos.saturating_sub(digits_start);
        if int_digits == 0 || (int_digits > 1 && self.bytes.get(digits_start) == Some(&b'0')) {
            return Ok(None);
        }
        if self.peek() == Some(b'.') {
            integer = false;
            self.bump();
            let f = self.pos;
            while let Some(b'0'..=b'9') = self.peek() {
                self.bump();
            }
            if self.pos == f {
                return Ok(None);
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            integer = false;
            self.bump();
            if let Some(b'+' | b'-') = self.peek() {
                self.bump();
            }
            let f = self.pos;
            while let Some(b'0'..=b'9') = self.peek() {
                self.bump();
            }
            if self.pos == f {
                return Ok(None);
            }
        }
        let Some(text) = self
            .bytes
            .get(start..self.pos)
            .and_then(|t| std::str::from_utf8(t).ok())
        else {
            return Ok(None);
        };
        let py = self.py;
        if integer {
            if let Ok(i) = text.parse::<i64>() {
                return Ok(Some(i.into_pyobject(py)?.into_any()));
            }
            let int = py.get_type::<pyo3::types::PyInt>();
            return Ok(Some(int.call1((text,))?));
        }
        Ok(Some(decimal_type(py)?.call1((text,))?))
    }
}
