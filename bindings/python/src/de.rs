//! Python objects -> the core's typed documents, without JSON text: a serde `Deserializer` over
//! plain Python values (exact `dict`, `list`/`tuple`, `str`, `int`, `bool`, `Decimal`, aware
//! `datetime`), so the core's own derives read a ledger dict straight into a `LedgerDoc`.
//!
//! It is a fast path only. Anything it is not sure about — `None`, a float, a subclass, an
//! unknown key, a value of the wrong type, an amount outside an amount place — makes it give up
//! ([`Bail`]) and the caller takes the JSON path, which answers exactly as before (same error,
//! same pointer, same message). Amounts given as `Decimal` or `int` are accepted only where the
//! core's table ([`refund_rules::json::amounts`]) says the place is an amount, as their exact
//! text.

use std::borrow::Cow;
use std::fmt;

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyInt, PyList, PyString, PyTuple};
use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};

use refund_rules::json::amounts::{amount_form, is_amount_key};

use crate::encode::decimal_type;

/// The fast path gave up: take the JSON path.
#[derive(Debug)]
pub struct Bail;

impl fmt::Display for Bail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not on the fast path")
    }
}

impl std::error::Error for Bail {}

impl de::Error for Bail {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Bail
    }
}

/// One step of the path from the document root.
#[derive(Clone, Copy)]
pub enum Seg<'a> {
    /// An object member.
    Key(&'a str),
    /// An array element.
    Index(usize),
}

/// The path to the value being read, as a chain on the stack.
pub struct Node<'a> {
    parent: Option<&'a Node<'a>>,
    seg: Seg<'a>,
}

impl<'a> Node<'a> {
    /// A root member (e.g. `ledger`).
    pub fn root(key: &'a str) -> Self {
        Node {
            parent: None,
            seg: Seg::Key(key),
        }
    }
}

/// Whether the value at `at` is an amount place of the core's table (any provider's ledger).
fn amount_place(at: Option<&Node<'_>>) -> bool {
    let Some(node) = at else { return false };
    let Seg::Key(last) = node.seg else {
        return false;
    };
    if !is_amount_key(last) {
        return false;
    }
    let mut owned: Vec<Cow<'_, str>> = Vec::new();
    let mut cur = Some(node);
    while let Some(n) = cur {
        owned.push(match n.seg {
            Seg::Key(k) => Cow::Borrowed(k),
            Seg::Index(i) => Cow::Owned(i.to_string()),
        });
        cur = n.parent;
    }
    owned.reverse();
    let segs: Vec<&str> = owned.iter().map(|s| s.as_ref()).collect();
    amount_form(None, &segs).is_some()
}

/// A Python value being read.
pub struct PyDe<'a, 'py> {
    obj: &'a Bound<'py, PyAny>,
    at: Option<&'a Node<'a>>,
}

impl<'a, 'py> PyDe<'a, 'py> {
    /// Reads `obj`, which sits at `at` in the document.
    pub fn new(obj: &'a Bound<'py, PyAny>, at: Option<&'a Node<'a>>) -> Self {
        PyDe { obj, at }
    }
}

/// An aware `datetime` as RFC 3339 text (`Z` for UTC); `None` for anything else.
pub fn aware_datetime(obj: &Bound<'_, PyAny>) -> Option<String> {
    let py = obj.py();
    let datetime = crate::encode::datetime_type(py).ok()?;
    if !obj.is_exact_instance(datetime.as_any()) {
        return None;
    }
    if obj.call_method0("utcoffset").ok()?.is_none() {
        return None;
    }
    let iso = obj.call_method0("isoformat").ok()?;
    let iso = iso.cast::<PyString>().ok()?.to_cow().ok()?;
    Some(iso.replace("+00:00", "Z"))
}

impl<'de> de::Deserializer<'de> for PyDe<'_, '_> {
    type Error = Bail;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Bail> {
        let o = self.obj;
        if o.is_exact_instance_of::<PyString>() {
            let s = o.cast::<PyString>().map_err(|_| Bail)?;
            return v.visit_str(s.to_str().map_err(|_| Bail)?);
        }
        if o.is_exact_instance_of::<PyDict>() {
            let d = o.cast::<PyDict>().map_err(|_| Bail)?;
            return v.visit_map(Map {
                items: d.iter(),
                value: None,
                at: self.at,
            });
        }
        if o.is_exact_instance_of::<PyList>() || o.is_exact_instance_of::<PyTuple>() {
            let mut items = Vec::new();
            for item in o.try_iter().map_err(|_| Bail)? {
                items.push(item.map_err(|_| Bail)?);
            }
            return v.visit_seq(Seq {
                items: items.into_iter().enumerate(),
                at: self.at,
            });
        }
        if o.is_exact_instance_of::<PyBool>() {
            return v.visit_bool(o.is_truthy().map_err(|_| Bail)?);
        }
        if o.is_exact_instance_of::<PyInt>() {
            if amount_place(self.at) {
                let text = match o.extract::<i64>() {
                    Ok(i) => i.to_string(),
                    Err(_) => return Err(Bail),
                };
                return v.visit_string(text);
            }
            if let Ok(u) = o.extract::<u64>() {
                return v.visit_u64(u);
            }
            return match o.extract::<i64>() {
                Ok(i) => v.visit_i64(i),
                Err(_) => Err(Bail),
            };
        }
        let py = o.py();
        if o.is_exact_instance(decimal_type(py).map_err(|_| Bail)?.as_any()) {
            if !amount_place(self.at) {
                return Err(Bail);
            }
            let text = o.str().map_err(|_| Bail)?;
            let text = text.to_cow().map_err(|_| Bail)?;
            return v.visit_str(&text);
        }
        if let Some(text) = aware_datetime(o) {
            return v.visit_string(text);
        }
        Err(Bail)
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Bail> {
        // `null` has provider-specific meanings (some fields refuse it): the JSON path decides.
        if self.obj.is_none() {
            return Err(Bail);
        }
        v.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        v: V,
    ) -> Result<V::Value, Bail> {
        v.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Bail> {
        if !self.obj.is_exact_instance_of::<PyString>() {
            return Err(Bail);
        }
        let s = self.obj.cast::<PyString>().map_err(|_| Bail)?;
        let text: String = s.to_cow().map_err(|_| Bail)?.into_owned();
        v.visit_enum(text.into_deserializer())
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

struct Map<'a, 'py> {
    items: pyo3::types::dict::BoundDictIterator<'py>,
    value: Option<(Bound<'py, PyString>, Bound<'py, PyAny>)>,
    at: Option<&'a Node<'a>>,
}

impl<'de> MapAccess<'de> for Map<'_, '_> {
    type Error = Bail;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Bail> {
        let Some((k, v)) = self.items.next() else {
            return Ok(None);
        };
        let key = k.cast_into_exact::<PyString>().map_err(|_| Bail)?;
        let out = seed.deserialize(de::value::StrDeserializer::<Bail>::new(
            key.to_str().map_err(|_| Bail)?,
        ))?;
        self.value = Some((key, v));
        Ok(Some(out))
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, Bail> {
        let Some((key, value)) = self.value.take() else {
            return Err(Bail);
        };
        let node = Node {
            parent: self.at,
            seg: Seg::Key(key.to_str().map_err(|_| Bail)?),
        };
        seed.deserialize(PyDe::new(&value, Some(&node)))
    }
}

struct Seq<'a, 'py> {
    items: std::iter::Enumerate<std::vec::IntoIter<Bound<'py, PyAny>>>,
    at: Option<&'a Node<'a>>,
}

impl<'de> SeqAccess<'de> for Seq<'_, '_> {
    type Error = Bail;

    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, Bail> {
        let Some((i, item)) = self.items.next() else {
            return Ok(None);
        };
        let node = Node {
            parent: self.at,
            seg: Seg::Index(i),
        };
        seed.deserialize(PyDe::new(&item, Some(&node))).map(Some)
    }
}
