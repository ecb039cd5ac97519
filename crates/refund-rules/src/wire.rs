//! Reading and writing provider wire bodies exactly: JSON numbers keep their text.
//!
//! `serde_json` without `arbitrary_precision` turns numbers into `f64`. Amount fields are read as
//! [`WireDecimal`] (the number's own text, via `RawValue`) and written as [`JsonNumber`], so
//! `100.10` is never a float anywhere in the engine.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

use crate::error::{InputProblem, RefundError};
use crate::id::Provider;
use crate::money::{AmountProblem, Currency, Money, parse_wire_money};
use crate::strict::{NULL_REFUSED, Strict};

/// A decimal as it appeared on the wire: its exact text and whether it was a JSON string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireDecimal {
    /// The number's text (`"25.00"`), or the string's contents.
    pub text: String,
    /// True when the wire value was a JSON string (`"25.00"`) rather than a number (`25.00`).
    pub quoted: bool,
}

impl WireDecimal {
    /// A JSON number with this text.
    pub fn number(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            quoted: false,
        }
    }

    /// A JSON string with this text.
    pub fn string(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            quoted: true,
        }
    }

    /// Refuses a JSON string where the provider types the field as a number: `invalid_input` at
    /// `pointer`, "`field` must be a JSON number, not the string `"…"`" followed by `hint`.
    pub fn require_number(
        &self,
        pointer: &str,
        field: &str,
        hint: &str,
    ) -> Result<(), RefundError> {
        if self.quoted {
            return Err(RefundError::invalid_input(
                pointer,
                format!(
                    "`{field}` must be a JSON number, not the string `\"{}\"`{hint}",
                    self.text
                ),
            ));
        }
        Ok(())
    }
}

/// Reads a positive amount of `currency` from a provider's wire text, exactly (the provider's
/// exponent, nothing rounded). Bad text, and zero, are `invalid_amount` at `pointer`.
#[inline]
pub fn positive_wire_money(
    text: &str,
    currency: Currency,
    provider: Provider,
    pointer: &str,
) -> Result<Money, RefundError> {
    let money = parse_wire_money(text, currency, provider)
        .map_err(|p| RefundError::invalid_amount(pointer, text, p))?;
    if money.minor.is_zero() {
        return Err(RefundError::invalid_amount(
            pointer,
            text,
            AmountProblem::Zero,
        ));
    }
    Ok(money)
}

/// Reads a request's currency code at `pointer` and checks it is the payment's `expected` one:
/// `unknown_currency` for a code that is not ISO 4217, `currency_mismatch` for another currency.
#[inline]
pub fn request_currency(
    code: &str,
    pointer: &str,
    expected: Currency,
) -> Result<Currency, RefundError> {
    // The payment's own code needs no table look-up (the common case, and the hot path).
    if code == expected.code() {
        return Ok(expected);
    }
    let found = Currency::from_code(code).map_err(|problem| RefundError::UnknownCurrency {
        pointer: pointer.to_owned(),
        problem,
    })?;
    if found != expected {
        return Err(RefundError::CurrencyMismatch {
            pointer: pointer.to_owned(),
            expected,
            found,
        });
    }
    Ok(found)
}

impl<'de> Deserialize<'de> for WireDecimal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(d)?;
        let text = raw.get();
        if text.starts_with('"') {
            let inner: String = serde_json::from_str(text).map_err(serde::de::Error::custom)?;
            Ok(Self::string(inner))
        } else if text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
            Ok(Self::number(text))
        } else {
            Err(serde::de::Error::custom(format!(
                "expected a decimal number, found `{}`",
                truncate(text, 40)
            )))
        }
    }
}

impl Serialize for WireDecimal {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.quoted {
            s.serialize_str(&self.text)
        } else {
            JsonNumber::new(&self.text)
                .map_err(serde::ser::Error::custom)?
                .serialize(s)
        }
    }
}

/// A JSON number written from exact decimal text.
#[derive(Debug, Clone)]
pub struct JsonNumber(Box<RawValue>);

impl JsonNumber {
    /// Wraps decimal text (`"25.00"`); fails if it is not a JSON number.
    pub fn new(text: &str) -> Result<Self, RefundError> {
        let ok = !text.is_empty()
            && text
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-');
        let raw = RawValue::from_string(text.to_owned())
            .ok()
            .filter(|_| ok)
            .ok_or_else(|| RefundError::invalid_input("", format!("`{text}` is not a number")))?;
        Ok(Self(raw))
    }

    /// From money: its decimal text.
    pub fn from_money(m: &crate::money::Money) -> Self {
        // A formatted amount is always a valid JSON number.
        Self::new(&m.to_decimal_string()).unwrap_or_else(|_| Self(RawValue::NULL.to_owned()))
    }
}

impl Serialize for JsonNumber {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

/// Serializes a body that may contain [`JsonNumber`]s into raw JSON.
pub fn raw_json<T: Serialize>(body: &T) -> Box<RawValue> {
    serde_json::value::to_raw_value(body).unwrap_or_else(|_| RawValue::NULL.to_owned())
}

/// `s` as a JSON string literal.
pub fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_owned())
}

fn truncate(text: &str, max: usize) -> String {
    let mut out: String = text.chars().take(max).collect();
    if text.chars().nth(max).is_some() {
        out.push('…');
    }
    out
}

/// A JSON pointer under `/request` in the dotted form providers name fields with
/// (`/request/items/0/amount` → `items[0].amount`); `None` for other documents.
pub fn dotted_field(pointer: &str) -> Option<String> {
    let rest = pointer.strip_prefix("/request/")?;
    let mut out = String::new();
    for seg in rest.split('/') {
        if !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()) {
            out.push('[');
            out.push_str(seg);
            out.push(']');
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(seg);
        }
    }
    Some(out)
}

/// Parses an optional JSON document (`None` gives `T::default()`; JSON `null` is refused like
/// any other `null` the schema does not allow), reporting the failing field under `base`.
pub fn from_optional_json<T: DeserializeOwned + Default>(
    text: Option<&str>,
    base: &str,
) -> Result<T, RefundError> {
    match text {
        None => Ok(T::default()),
        Some(text) => from_json_text::<T>(text, base),
    }
}

/// Parses merchant options: absent or JSON `null` (the schema's nullable `options`) gives the
/// defaults, which never move money by themselves.
pub fn from_options_json<T: DeserializeOwned + Default>(
    text: Option<&str>,
    base: &str,
) -> Result<T, RefundError> {
    match text {
        None => Ok(T::default()),
        Some(text) if text.trim() == "null" => Ok(T::default()),
        Some(text) => from_json_text(text, base),
    }
}

/// Parses JSON text into `T`, reporting the failing field as a JSON pointer under `base`.
pub fn from_json_text<T: DeserializeOwned>(text: &str, base: &str) -> Result<T, RefundError> {
    from_json_document(text, base, &[])
}

/// [`from_json_text`] for a document whose top-level `raw` fields are kept as raw JSON: a syntax
/// error inside one is reported at the field itself, as the typed parse sees it.
pub(crate) fn from_json_document<T: DeserializeOwned>(
    text: &str,
    base: &str,
    raw: &[&str],
) -> Result<T, RefundError> {
    if text.trim() == "null" {
        // A whole document given as `null` (e.g. `"request": null`), not a field of one.
        return Err(RefundError::input(InputProblem::Null, base, NULL_REFUSED));
    }
    check_depth(text, base)?;
    let mut de = serde_json::Deserializer::from_str(text);
    let value = T::deserialize(Strict::new(&mut de)).map_err(|e| located(text, base, raw, &e))?;
    de.end().map_err(|e| {
        RefundError::input(
            InputProblem::Syntax,
            base,
            crate::messages::humanize(&e.to_string()),
        )
    })?;
    Ok(value)
}

/// How deep any JSON value may nest, pass-through fields included: serde_json's own limit for
/// typed fields, so raw ones (Digital River `metadata`, options) cannot carry deeper values into
/// an answer that Python or JavaScript then fail to decode.
pub const MAX_DEPTH: usize = 128;

/// Refuses nesting deeper than [`MAX_DEPTH`] anywhere in `text`, before any parse: one pass, no
/// allocation until the error (which names the value that goes too deep).
fn check_depth(text: &str, base: &str) -> Result<(), RefundError> {
    // Each level opens with `{` or `[`: with no more openers than the limit (any single
    // payment's document), nothing can nest too deep. This count vectorizes; the scan does not.
    let openers = text
        .as_bytes()
        .iter()
        .filter(|&&b| b == b'{' || b == b'[')
        .count();
    if openers <= MAX_DEPTH {
        return Ok(());
    }
    let mut depth = 0_usize;
    let (mut in_string, mut escaped) = (false, false);
    for (i, &b) in text.as_bytes().iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth = depth.saturating_add(1);
                if depth > MAX_DEPTH {
                    let (frames, _) = scan(text, i);
                    let own = frames.top().and_then(|f| {
                        f.seg
                            .or_else(|| (!f.object).then_some(Seg::Index(f.next_index)))
                    });
                    let mut pointer = base.to_owned();
                    for seg in frames.segs().chain(own) {
                        pointer.push('/');
                        match seg {
                            Seg::Index(n) => pointer.push_str(&n.to_string()),
                            Seg::Key(start, end) => pointer.push_str(
                                &key_text(text, start, end)
                                    .replace('~', "~0")
                                    .replace('/', "~1"),
                            ),
                        }
                    }
                    return Err(RefundError::input(
                        InputProblem::TooDeep,
                        pointer,
                        format!("values nest more than {MAX_DEPTH} levels deep"),
                    ));
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// The `invalid_input` error for a failed parse: the pointer is recovered from the error's
/// position (see [`locate`]); the message is serde_json's.
fn located(text: &str, base: &str, raw: &[&str], e: &serde_json::Error) -> RefundError {
    let message = e.to_string();
    let syntax = !matches!(e.classify(), serde_json::error::Category::Data);
    let eof = matches!(e.classify(), serde_json::error::Category::Eof);
    let (outer, extra) = offset_of(text, e.line(), e.column())
        .map(|at| locate(text, at, &message, syntax, eof))
        .unwrap_or_else(|| (Stack::default(), Vec::new()));
    let mut segments = outer.segs().chain(extra);
    let first = segments.next();
    // Inside a raw field the typed parse saw one value: the field is the place.
    let inside_raw = match first {
        Some(Seg::Key(start, end)) if syntax => raw.contains(&key_text(text, start, end).as_str()),
        _ => false,
    };
    let mut pointer = base.to_owned();
    let rest = if inside_raw { None } else { Some(segments) };
    for seg in first.into_iter().chain(rest.into_iter().flatten()) {
        pointer.push('/');
        match seg {
            Seg::Index(i) => pointer.push_str(&i.to_string()),
            Seg::Key(start, end) => {
                pointer.push_str(
                    &key_text(text, start, end)
                        .replace('~', "~0")
                        .replace('/', "~1"),
                );
            }
        }
    }
    let problem = problem_of(e, &message);
    RefundError::input(problem, pointer, crate::messages::humanize(&message))
}

/// The kind of a serde_json error: the one place serde's message text is read, at the boundary
/// where it is produced.
fn problem_of(e: &serde_json::Error, message: &str) -> InputProblem {
    if !matches!(e.classify(), serde_json::error::Category::Data) {
        return InputProblem::Syntax;
    }
    let kinds = [
        ("unknown field", InputProblem::UnknownField),
        ("missing field", InputProblem::Missing),
        ("duplicate field", InputProblem::Duplicate),
        (NULL_REFUSED, InputProblem::Null),
        ("invalid type: null", InputProblem::Null),
        ("invalid type", InputProblem::WrongType),
        ("invalid length", InputProblem::WrongType),
    ];
    kinds
        .into_iter()
        .find(|(prefix, _)| message.starts_with(prefix))
        .map_or(InputProblem::Invalid, |(_, kind)| kind)
}

/// The byte offset of serde_json's 1-based line and byte column; `None` for an unpositioned error.
fn offset_of(text: &str, line: usize, column: usize) -> Option<usize> {
    let skip = line.checked_sub(1)?;
    let start = if skip == 0 {
        0
    } else {
        text.match_indices('\n')
            .nth(skip.checked_sub(1)?)
            .map(|(i, _)| i.saturating_add(1))?
    };
    Some(start.saturating_add(column).min(text.len()))
}

/// One step of a JSON pointer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seg {
    /// A member key: the byte range of its JSON string (quotes included) in the text, decoded
    /// only when a pointer is written.
    Key(usize, usize),
    Index(usize),
}

/// The decoded key of the JSON string at `text[start..end]`.
fn key_text(text: &str, start: usize, end: usize) -> String {
    text.get(start..end)
        .and_then(|raw| serde_json::from_str::<String>(raw).ok())
        .unwrap_or_default()
}

/// Where the scan is inside one open object or array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// After `{` or `[`.
    Open,
    /// After `,`.
    Comma,
    /// Inside a key string.
    Key,
    /// After a key, before `:`.
    AfterKey,
    /// After `:`.
    Colon,
    /// Inside a scalar value.
    Value,
    /// After a complete value.
    Done,
}

/// An open object or array.
#[derive(Debug, Clone)]
struct Frame {
    object: bool,
    /// The current member's key or element's index, once known.
    seg: Option<Seg>,
    next_index: usize,
    phase: Phase,
    start: usize,
    /// The segment of the last complete member.
    last_child: Option<Seg>,
}

/// The open frames. Only the innermost one is kept whole; the others are packed into a few
/// bytes each (what they need once their child closes: kind, start, index, key range), so
/// unclosed nesting costs ~2 bytes per input byte, not ~100 (a `Frame` per `[`).
#[derive(Debug, Default)]
struct Stack {
    /// Packed outer frames, innermost last; each record ends with its length.
    outer: Vec<u8>,
    /// The start of the innermost packed frame (records store starts as deltas).
    outer_start: usize,
    top: Option<Frame>,
}

const OBJECT: u8 = 1;
const SEG_KEY: u8 = 1 << 1;
const SEG_NEXT_INDEX: u8 = 2 << 1;
const SEG_INDEX: u8 = 3 << 1;
const SEG_MASK: u8 = 3 << 1;
/// Omitted fields with their most common values: start one byte after the parent's, no
/// index yet, key right after the `{` or `,`.
const START_NEXT: u8 = 1 << 3;
const INDEX_ZERO: u8 = 1 << 4;
const KEY_NEXT: u8 = 1 << 5;

fn put_varint(out: &mut Vec<u8>, mut n: u64) {
    loop {
        let low = u8::try_from(n & 0x7f).unwrap_or_default();
        n >>= 7;
        if n == 0 {
            out.push(low);
            return;
        }
        out.push(low | 0x80);
    }
}

fn get_varint(bytes: &[u8], at: &mut usize) -> usize {
    let mut n: u64 = 0;
    let mut shift = 0_u32;
    while let Some(&b) = bytes.get(*at) {
        *at = at.saturating_add(1);
        n |= u64::from(b & 0x7f).checked_shl(shift).unwrap_or_default();
        shift = shift.saturating_add(7);
        if b & 0x80 == 0 {
            break;
        }
    }
    usize::try_from(n).unwrap_or(usize::MAX)
}

fn wide(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

impl Stack {
    fn top(&self) -> Option<&Frame> {
        self.top.as_ref()
    }

    fn top_mut(&mut self) -> Option<&mut Frame> {
        self.top.as_mut()
    }

    fn push(&mut self, frame: Frame) {
        if let Some(f) = self.top.replace(frame) {
            self.pack(&f);
        }
    }

    /// Packs an outer frame: its phase is `Value` (a child is open) and its last child is
    /// overwritten when that child closes, so neither is kept.
    fn pack(&mut self, f: &Frame) {
        let at = self.outer.len();
        let delta = f.start.saturating_sub(self.outer_start);
        let mut flags = if f.object { OBJECT } else { 0 };
        flags |= match f.seg {
            None => 0,
            Some(Seg::Key(..)) => SEG_KEY,
            Some(Seg::Index(i)) if i == f.next_index => SEG_NEXT_INDEX,
            Some(Seg::Index(_)) => SEG_INDEX,
        };
        if delta == 1 {
            flags |= START_NEXT;
        }
        if f.next_index == 0 {
            flags |= INDEX_ZERO;
        }
        let key = match f.seg {
            Some(Seg::Key(start, end)) => {
                Some((start.saturating_sub(f.start), end.saturating_sub(start)))
            }
            _ => None,
        };
        if key.is_some_and(|(d, _)| d == 1) {
            flags |= KEY_NEXT;
        }
        self.outer.push(flags);
        if delta != 1 {
            put_varint(&mut self.outer, wide(delta));
        }
        if f.next_index != 0 {
            put_varint(&mut self.outer, wide(f.next_index));
        }
        if let Some(Seg::Index(i)) = f.seg
            && i != f.next_index
        {
            put_varint(&mut self.outer, wide(i));
        }
        if let Some((d, len)) = key {
            if d != 1 {
                put_varint(&mut self.outer, wide(d));
            }
            put_varint(&mut self.outer, wide(len));
        }
        let len = self.outer.len().saturating_sub(at);
        self.outer.push(u8::try_from(len).unwrap_or(u8::MAX));
        self.outer_start = f.start;
    }

    /// Decodes the record at `at` of a frame whose parent started at `parent_start`; returns
    /// the frame and the offset after the record.
    fn unpack(&self, at: usize, parent_start: usize) -> (Frame, usize) {
        let bytes = self.outer.as_slice();
        let mut i = at;
        let flags = bytes.get(i).copied().unwrap_or_default();
        i = i.saturating_add(1);
        let delta = if flags & START_NEXT != 0 {
            1
        } else {
            get_varint(bytes, &mut i)
        };
        let start = parent_start.saturating_add(delta);
        let next_index = if flags & INDEX_ZERO != 0 {
            0
        } else {
            get_varint(bytes, &mut i)
        };
        let seg = match flags & SEG_MASK {
            SEG_KEY => {
                let d = if flags & KEY_NEXT != 0 {
                    1
                } else {
                    get_varint(bytes, &mut i)
                };
                let len = get_varint(bytes, &mut i);
                let key_start = start.saturating_add(d);
                Some(Seg::Key(key_start, key_start.saturating_add(len)))
            }
            SEG_NEXT_INDEX => Some(Seg::Index(next_index)),
            SEG_INDEX => Some(Seg::Index(get_varint(bytes, &mut i))),
            _ => None,
        };
        let frame = Frame {
            object: flags & OBJECT != 0,
            seg,
            next_index,
            phase: Phase::Value,
            start,
            last_child: None,
        };
        // Skip the length byte.
        (frame, i.saturating_add(1))
    }

    fn pop(&mut self) -> Option<Frame> {
        let popped = self.top.take()?;
        if let Some(&len) = self.outer.last() {
            let at = self
                .outer
                .len()
                .saturating_sub(1)
                .saturating_sub(usize::from(len));
            // The record's start delta gives the parent's start back.
            let (probe, _) = self.unpack(at, 0);
            let parent_start = self.outer_start.saturating_sub(probe.start);
            let (frame, _) = self.unpack(at, parent_start);
            self.outer.truncate(at);
            self.outer_start = parent_start;
            self.top = Some(frame);
        }
        Some(popped)
    }

    /// The segments of the outer frames, outermost first (the innermost frame's own member
    /// excluded, as its value is not complete).
    fn segs(&self) -> impl Iterator<Item = Seg> + '_ {
        let mut at = 0;
        let mut start = 0;
        core::iter::from_fn(move || {
            while at < self.outer.len() {
                let (frame, next) = self.unpack(at, start);
                at = next;
                start = frame.start;
                if frame.seg.is_some() {
                    return frame.seg;
                }
            }
            None
        })
    }
}

/// The most recently completed value.
#[derive(Debug)]
struct Completed {
    seg: Option<Seg>,
    container: bool,
    start: usize,
    end: usize,
    last_child: Option<Seg>,
}

/// Scans `text[..end]` with a string-aware tokenizer and returns the open frames and the last
/// completed value.
fn scan(text: &str, end: usize) -> (Stack, Option<Completed>) {
    let bytes = text.as_bytes().get(..end).unwrap_or_default();
    let mut frames = Stack::default();
    let mut last: Option<Completed> = None;
    // Start of the string or scalar being read, and whether a string is open / escaped.
    let mut token_start = 0_usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut in_scalar = false;
    let complete = |frames: &mut Stack, last: &mut Option<Completed>, c: Completed| {
        if let Some(f) = frames.top_mut() {
            f.phase = Phase::Done;
            f.last_child = c.seg;
        }
        *last = Some(c);
    };
    let seg_of = |frames: &mut Stack| -> Option<Seg> {
        let f = frames.top_mut()?;
        if !f.object && f.seg.is_none() {
            f.seg = Some(Seg::Index(f.next_index));
        }
        f.seg
    };
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
                let end = i.saturating_add(1);
                match frames.top_mut() {
                    Some(f) if f.phase == Phase::Key => {
                        f.seg = Some(Seg::Key(token_start, end));
                        f.phase = Phase::AfterKey;
                    }
                    _ => {
                        let seg = seg_of(&mut frames);
                        complete(
                            &mut frames,
                            &mut last,
                            Completed {
                                seg,
                                container: false,
                                start: token_start,
                                end,
                                last_child: None,
                            },
                        );
                    }
                }
            }
            continue;
        }
        let delimiter = matches!(
            b,
            b' ' | b'\t' | b'\n' | b'\r' | b',' | b':' | b'}' | b']' | b'{' | b'[' | b'"'
        );
        if in_scalar && delimiter {
            in_scalar = false;
            let seg = seg_of(&mut frames);
            complete(
                &mut frames,
                &mut last,
                Completed {
                    seg,
                    container: false,
                    start: token_start,
                    end: i,
                    last_child: None,
                },
            );
        }
        match b {
            b' ' | b'\t' | b'\n' | b'\r' => {}
            b'{' | b'[' => {
                seg_of(&mut frames);
                if let Some(f) = frames.top_mut() {
                    f.phase = Phase::Value;
                }
                frames.push(Frame {
                    object: b == b'{',
                    seg: None,
                    next_index: 0,
                    phase: Phase::Open,
                    start: i,
                    last_child: None,
                });
            }
            b'}' | b']' => {
                if let Some(f) = frames.pop() {
                    let seg = seg_of(&mut frames);
                    complete(
                        &mut frames,
                        &mut last,
                        Completed {
                            seg,
                            container: true,
                            start: f.start,
                            end: i.saturating_add(1),
                            last_child: f.last_child,
                        },
                    );
                }
            }
            b':' => {
                if let Some(f) = frames.top_mut() {
                    f.phase = Phase::Colon;
                }
            }
            b',' => {
                if let Some(f) = frames.top_mut() {
                    f.phase = Phase::Comma;
                    f.seg = None;
                    if !f.object {
                        f.next_index = f.next_index.saturating_add(1);
                    }
                }
            }
            b'"' => {
                in_string = true;
                token_start = i;
                match frames.top_mut() {
                    Some(f) if f.object && matches!(f.phase, Phase::Open | Phase::Comma) => {
                        f.phase = Phase::Key;
                    }
                    _ => {
                        seg_of(&mut frames);
                        if let Some(f) = frames.top_mut() {
                            f.phase = Phase::Value;
                        }
                    }
                }
            }
            _ => {
                if !in_scalar {
                    in_scalar = true;
                    token_start = i;
                    seg_of(&mut frames);
                    if let Some(f) = frames.top_mut() {
                        f.phase = Phase::Value;
                    }
                }
            }
        }
    }
    if in_scalar {
        let seg = seg_of(&mut frames);
        let c = Completed {
            seg,
            container: false,
            start: token_start,
            end: bytes.len(),
            last_child: None,
        };
        // An unfinished scalar stays "in value" for syntax errors.
        last = Some(c);
    }
    (frames, last)
}

/// Recovers the JSON path serde's typed parse was at when it failed at byte `at`.
///
/// serde_json reports where the failure was noticed; which value that is follows from how it
/// reads: syntax errors point at the offending byte (peeked structural bytes excluded), type
/// errors at the value, errors raised by a `Deserialize` impl after reading its value are
/// positioned once the enclosing object or array has tried to end (after its `}` / `]` when the
/// value was the last one, or at the next `,`).
/// The path is the open frames' segments (see [`Stack::segs`]) followed by the returned ones.
fn locate(text: &str, at: usize, message: &str, syntax: bool, eof: bool) -> (Stack, Vec<Seg>) {
    let peeked = !eof
        && at > 0
        && text
            .as_bytes()
            .get(at.saturating_sub(1))
            .is_some_and(|b| b"{}[],:\"".contains(b));
    let end = if syntax && peeked {
        at.saturating_sub(1)
    } else {
        at
    };
    let (frames, last) = scan(text, end);
    let tail = {
        let frame = frames.top();
        let phase = frame.map_or(Phase::Done, |f| f.phase);
        let object = frame.is_some_and(|f| f.object);
        let pending = || {
            let f = frame?;
            f.seg
                .or_else(|| (!f.object).then_some(Seg::Index(f.next_index)))
        };
        let here = Vec::new;
        let with = |seg: Option<Seg>| seg.into_iter().collect::<Vec<_>>();
        let last_path = |c: &Completed| with(c.seg);
        if syntax {
            let ended = message.starts_with("EOF while parsing an object")
                || message.starts_with("EOF while parsing a list");
            let inside = match phase {
                Phase::Value => !ended,
                Phase::Colon => object,
                Phase::Open | Phase::Comma => {
                    !object
                        && (message.starts_with("expected value")
                            || message.starts_with("recursion limit"))
                }
                Phase::Key | Phase::AfterKey | Phase::Done => false,
            };
            if inside && frame.is_some() {
                with(pending())
            } else {
                here()
            }
        } else if message.starts_with("missing field") || message.starts_with("invalid length") {
            last.as_ref().map(last_path).unwrap_or_else(here)
        } else if message.starts_with("duplicate field") {
            // A struct refuses it after the key; a `UniqueMap` after the value, and its `}` may
            // have been read since.
            let own = match frame.and_then(|f| f.seg) {
                Some(Seg::Key(start, end)) => message
                    .starts_with(&format!("duplicate field `{}`", key_text(text, start, end))),
                _ => false,
            };
            match last {
                Some(c)
                    if c.container
                        && !(own && phase == Phase::Done)
                        && phase != Phase::AfterKey =>
                {
                    with(c.seg)
                }
                _ => here(),
            }
        } else if message.starts_with("unknown variant") && object && phase == Phase::AfterKey {
            here()
        } else if [
            "invalid type: ",
            "invalid value: ",
            "unknown variant ",
            "unknown field ",
        ]
        .iter()
        .any(|p| message.starts_with(p))
        {
            match phase {
                // `strict` refuses an array where an object belongs right after its `[`.
                Phase::Open if !object && message.starts_with("invalid type: sequence") => here(),
                Phase::Done | Phase::Value => last.as_ref().map(last_path).unwrap_or_else(here),
                _ => with(pending()),
            }
        } else {
            // Raised by a `Deserialize` impl after reading its whole value.
            match last {
                None => with(pending()),
                Some(c) => {
                    let whole = text.get(c.start..c.end).unwrap_or_default();
                    let itself = message.starts_with(&format!(
                        "expected a decimal number, found `{}`",
                        truncate(whole, 40)
                    ));
                    let mut path = last_path(&c);
                    if let (true, Some(child)) = (c.container && !itself, c.last_child) {
                        path.push(child);
                    }
                    path
                }
            }
        }
    };
    (frames, tail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "only parsed, for its errors")]
    struct Item {
        amount: WireDecimal,
        #[serde(default)]
        when: Option<crate::time::Timestamp>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "only parsed, for its errors")]
    struct Doc {
        items: Vec<Item>,
        #[serde(default)]
        name: Option<String>,
        #[serde(default)]
        raw: Option<Box<RawValue>>,
        #[serde(default)]
        map: Option<UniqueMap<u8>>,
    }

    /// The pointer of the error for `text` parsed as [`Doc`] under `/request`.
    fn pointer(text: &str) -> String {
        let e = from_json_document::<Doc>(text, "/request", &["raw"]).unwrap_err();
        e.pointer().unwrap_or_default().to_owned()
    }

    /// The pointer `serde_path_to_error` (which the engine used before, at a large code-size
    /// cost) gives: the reference the position-based recovery must match.
    fn tracked(text: &str) -> String {
        let mut de = serde_json::Deserializer::from_str(text);
        let e = serde_path_to_error::deserialize::<_, Doc>(&mut de).unwrap_err();
        let mut out = "/request".to_owned();
        for seg in e.path().iter() {
            match seg {
                serde_path_to_error::Segment::Seq { index } => out.push_str(&format!("/{index}")),
                serde_path_to_error::Segment::Map { key } => {
                    out.push('/');
                    out.push_str(&key.replace('~', "~0").replace('/', "~1"));
                }
                _ => {}
            }
        }
        out
    }

    #[test]
    fn pointers_follow_the_typed_parse() {
        let cases = [
            (
                r#"{"items":[{"amount":1,"totl":2}]}"#,
                "/request/items/0/totl",
            ),
            (
                r#"{"items":[{"amount":1, "a/b~":2}]}"#,
                "/request/items/0/a~1b~0",
            ),
            (r#"{"items":[{"amount":true}]}"#, "/request/items/0/amount"),
            (r#"{"items":[{"amount":true} ]}"#, "/request/items/0/amount"),
            (
                r#"{"items":[{"amount":{"a":1},"when":"2026-01-01T00:00:00Z"}]}"#,
                "/request/items/0/amount",
            ),
            (
                r#"{"items":[{"when":"2026-01-01T00:00:00Z","amount":{"a":[]}}]}"#,
                "/request/items/0/amount",
            ),
            (
                r#"{"items":[{"amount":1,"when":"soon"},{"amount":2}]}"#,
                "/request/items/0/when",
            ),
            (r#"{"items":[{"amount":1},{}]}"#, "/request/items/1"),
            (r#"{"items":[{"amount":1}],"name":5}"#, "/request/name"),
            (
                r#"{"items":[{"amount":1},{"amount":2,"amount":3}]}"#,
                "/request/items/1",
            ),
            (r#"{"items":{}}"#, "/request/items"),
            (r#"{"items":[{"amount":1}"#, "/request/items"),
            (r#"{"items":[{"amount":1"#, "/request/items/0"),
            (r#"{"items":[{"amount":"1"#, "/request/items/0/amount"),
            (r#"{"items":[{"amount":}]}"#, "/request/items/0/amount"),
            (r#"{"items":[{"amount":1},]}"#, "/request/items"),
            (r#"{"items":[1]}"#, "/request/items/0"),
            (r#"{"items":[}"#, "/request/items/0"),
            (r#"{"items":[],"raw":{"a":[tru"#, "/request/raw"),
            (r#"{"items":[],"map":{"a":1,"a":2}}"#, "/request/map"),
            (
                r#"{"items":[],"map":{"a":1,"a":2},"name":"x"}"#,
                "/request/map",
            ),
            ("{\"items\":[],\n \"n\\u0061me\": true}", "/request/name"),
            ("[]", "/request"),
        ];
        for (text, expected) in cases {
            assert_eq!(pointer(text), expected, "{text}");
            assert_eq!(tracked(text), expected, "serde_path_to_error: {text}");
        }
    }

    #[test]
    fn fields_are_dotted() {
        assert_eq!(
            dotted_field("/request/amountComponents/taxAmounts/0/taxAmount").as_deref(),
            Some("amountComponents.taxAmounts[0].taxAmount")
        );
        assert_eq!(
            dotted_field("/request/amount/total").as_deref(),
            Some("amount.total")
        );
        assert_eq!(dotted_field("/ledger/currency"), None);
    }
}

/// A JSON object whose keys must be unique: `{"a":1,"a":2}` is an error, not "the last one wins".
///
/// Use it wherever a body is read as a map rather than a struct (structs already refuse
/// duplicate fields): an ambiguous amount must never be resolved silently.
#[derive(Debug, Clone, Default)]
pub struct UniqueMap<V>(pub std::collections::BTreeMap<String, V>);

impl<'de, V: Deserialize<'de>> Deserialize<'de> for UniqueMap<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit<V>(core::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> serde::de::Visitor<'de> for Visit<V> {
            type Value = UniqueMap<V>;
            fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut a: A,
            ) -> Result<Self::Value, A::Error> {
                let mut out = std::collections::BTreeMap::new();
                while let Some(key) = a.next_key::<String>()? {
                    let value = a.next_value::<V>()?;
                    if out.contains_key(&key) {
                        return Err(serde::de::Error::custom(format!("duplicate field `{key}`")));
                    }
                    out.insert(key, value);
                }
                Ok(UniqueMap(out))
            }
        }
        d.deserialize_map(Visit(core::marker::PhantomData))
    }
}

#[cfg(feature = "schema")]
crate::schema_types::named_schema!(WireDecimal, "wire_number_or_string", {
    "type": ["number", "string"],
    "pattern": "^[0-9]+(\\.[0-9]+)?$",
    "description": "A JSON number (exact text kept). A decimal string such as \"1.50\" is accepted only when the provider option allows it (Fiserv `lenient_amount_strings`, Digital River `accept_string_amounts`); otherwise strings are refused with invalid_input."
});

#[cfg(feature = "schema")]
impl<V: schemars::JsonSchema> schemars::JsonSchema for UniqueMap<V> {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        format!("unique_map_of_{}", V::schema_name()).into()
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let values = g.subschema_for::<V>();
        schemars::json_schema!({ "type": "object", "additionalProperties": values })
    }
}
