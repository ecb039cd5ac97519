//! The engine's result JSON -> Python objects, in Rust, with the meaning of
//! `json.loads(text, parse_float=Decimal)`: integers become `int`, other numbers an exact
//! `decimal.Decimal` of their text, objects `dict` (last duplicate key wins), arrays `list`.
//!
//! Unlike `json.loads`, it never raises for valid JSON: nesting of any depth is read without
//! recursion, integers of any length are read exactly (no `sys.get_int_max_str_digits()`
//! limit), and an escaped lone surrogate becomes that surrogate in the `str`. Text that is not
//! JSON (the engine never writes any) falls back to `json.loads` for its error.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyList, PyString};

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
    match r.value() {
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

/// An open container while reading: a list, or a dict with the key of the member being read.
enum Frame<'py> {
    List(Bound<'py, PyList>),
    Dict(Bound<'py, PyDict>, Bound<'py, PyString>),
}

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

    /// `Ok(None)`: not JSON (the caller falls back to `json.loads` for its error).
    ///
    /// Iterative, with an explicit stack: a result nested any number of levels deep (the engine
    /// echoes pass-through fields such as Digital River `metadata` as given) is read without
    /// recursion, where `json.loads` would raise `RecursionError`.
    fn value(&mut self) -> PyResult<Option<Bound<'py, PyAny>>> {
        let py = self.py;
        let mut stack: Vec<Frame<'py>> = Vec::new();
        loop {
            self.ws();
            let mut done: Bound<'py, PyAny> = match self.peek() {
                Some(b'{') => {
                    self.bump();
                    self.ws();
                    if self.peek() == Some(b'}') {
                        self.bump();
                        PyDict::new(py).into_any()
                    } else {
                        let Some(key) = self.member_key()? else {
                            return Ok(None);
                        };
                        stack.push(Frame::Dict(PyDict::new(py), key));
                        continue;
                    }
                }
                Some(b'[') => {
                    self.bump();
                    self.ws();
                    if self.peek() == Some(b']') {
                        self.bump();
                        PyList::empty(py).into_any()
                    } else {
                        stack.push(Frame::List(PyList::empty(py)));
                        continue;
                    }
                }
                Some(b'"') => match self.py_string()? {
                    Some(s) => s.into_any(),
                    None => return Ok(None),
                },
                Some(b't') if self.literal(b"true") => {
                    true.into_pyobject(py)?.to_owned().into_any()
                }
                Some(b'f') if self.literal(b"false") => {
                    false.into_pyobject(py)?.to_owned().into_any()
                }
                Some(b'n') if self.literal(b"null") => py.None().into_bound(py),
                Some(b'-' | b'0'..=b'9') => match self.number()? {
                    Some(n) => n,
                    None => return Ok(None),
                },
                _ => return Ok(None),
            };
            // Attach the finished value to its container; close every container it completes.
            loop {
                let Some(frame) = stack.last_mut() else {
                    return Ok(Some(done));
                };
                match frame {
                    Frame::List(list) => {
                        list.append(&done)?;
                        self.ws();
                        match self.peek() {
                            Some(b',') => {
                                self.bump();
                                break;
                            }
                            Some(b']') => self.bump(),
                            _ => return Ok(None),
                        }
                    }
                    Frame::Dict(dict, key) => {
                        dict.set_item(&*key, &done)?;
                        self.ws();
                        match self.peek() {
                            Some(b',') => {
                                self.bump();
                                self.ws();
                                let Some(next) = self.member_key()? else {
                                    return Ok(None);
                                };
                                *key = next;
                                break;
                            }
                            Some(b'}') => self.bump(),
                            _ => return Ok(None),
                        }
                    }
                }
                done = match stack.pop() {
                    Some(Frame::List(l)) => l.into_any(),
                    Some(Frame::Dict(d, _)) => d.into_any(),
                    None => return Ok(None),
                };
            }
        }
    }

    /// An object member's key and its `:`.
    fn member_key(&mut self) -> PyResult<Option<Bound<'py, PyString>>> {
        let Some(key) = self.key()? else {
            return Ok(None);
        };
        self.ws();
        if self.peek() != Some(b':') {
            return Ok(None);
        }
        self.bump();
        Ok(Some(key))
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
        self.string()
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
        self.string()
    }

    /// A string with escapes. A `\\u` escape of a lone surrogate (JSON allows it; the engine
    /// echoes pass-through fields as given) becomes that surrogate in the Python `str`, as
    /// `json.loads` does.
    fn string(&mut self) -> PyResult<Option<Bound<'py, PyString>>> {
        if self.peek() != Some(b'"') {
            return Ok(None);
        }
        self.bump();
        let mut out: Vec<u8> = Vec::new();
        let mut lone_surrogate = false;
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
                    let code = match e {
                        b'"' => u32::from(b'"'),
                        b'\\' => u32::from(b'\\'),
                        b'/' => u32::from(b'/'),
                        b'b' => 0x8,
                        b'f' => 0xC,
                        b'n' => u32::from(b'\n'),
                        b'r' => u32::from(b'\r'),
                        b't' => u32::from(b'\t'),
                        b'u' => {
                            let Some(hi) = self.hex4() else {
                                return Ok(None);
                            };
                            if (0xD800..0xDC00).contains(&hi) {
                                let back = self.pos;
                                match (self.literal(b"\\u"), self.hex4()) {
                                    (true, Some(lo)) if (0xDC00..0xE000).contains(&lo) => {
                                        0x10000_u32
                                            .saturating_add((hi.saturating_sub(0xD800)) << 10)
                                            .saturating_add(lo.saturating_sub(0xDC00))
                                    }
                                    _ => {
                                        self.pos = back;
                                        hi
                                    }
                                }
                            } else {
                                hi
                            }
                        }
                        _ => return Ok(None),
                    };
                    match char::from_u32(code) {
                        Some(c) => {
                            let mut buf = [0_u8; 4];
                            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                        }
                        None => {
                            // A lone surrogate (U+D800..U+DFFF): its WTF-8 bytes.
                            lone_surrogate = true;
                            let bytes = [
                                0xE0 | (code >> 12),
                                0x80 | ((code >> 6) & 0x3F),
                                0x80 | (code & 0x3F),
                            ];
                            out.extend(bytes.iter().filter_map(|&v| u8::try_from(v).ok()));
                        }
                    }
                }
                0..0x20 => return Ok(None),
                _ => out.push(b),
            }
        }
        if !lone_surrogate {
            return Ok(String::from_utf8(out)
                .ok()
                .map(|s| PyString::new(self.py, &s)));
        }
        let text =
            PyBytes::new(self.py, &out).call_method1("decode", ("utf-8", "surrogatepass"))?;
        Ok(text.cast_into::<PyString>().ok())
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
            // `int(text)` refuses more than `sys.get_int_max_str_digits()` digits; converting
            // the exact `Decimal` of the text has no such limit.
            return Ok(Some(match int.call1((text,)) {
                Ok(i) => i,
                Err(_) => int.call1((decimal_type(py)?.call1((text,))?,))?,
            }));
        }
        Ok(Some(decimal_type(py)?.call1((text,))?))
    }
}
