//! Arrow batches in, Arrow batches out, with no Python object per row.
//!
//! `refund_rules.arrow` hands this module an Arrow C stream (the PyCapsule interface:
//! `__arrow_c_stream__` of a `pyarrow.Table`, a `RecordBatchReader`, a Polars `DataFrame`…).
//! For each row it writes the operation's JSON document from the row's columns, runs the core's
//! JSON surface on it ([`refund_rules::json::run_bytes`], the function every surface answers
//! through, the NDJSON CLI included), and reads the result envelope back into columns. No rule
//! lives here: a cell becomes a document member verbatim (JSON text columns) or as a JSON string
//! (text columns), and every decision, every error, is the engine's. The only answers written
//! here are for cells that cannot become a document member at all (JSON text that is not one
//! JSON value, text that is not UTF-8): `invalid_input` envelopes from the core's
//! [`usage_error`] naming the column, so one bad row never fails the batch.
//!
//! The whole batch runs with the GIL released ([`Python::detach`]); large batches are split
//! over several threads, each chunk giving one output batch, in input order.
//!
//! `unsafe` is allowed in this module only, for the one step of the Arrow C stream interface
//! that cannot be safe in Rust (importing a stream from a capsule; the block says why it is
//! sound); everything else goes through `arrow-array`'s safe API.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ffi::CStr;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use arrow_array::builder::{BooleanBuilder, StringBuilder};
use arrow_array::cast::AsArray;
use arrow_array::ffi_stream::{FFI_ArrowArrayStream, RecordBatchStreamReader};
use arrow_array::temporal_conversions::as_datetime;
use arrow_array::types::{
    ArrowTimestampType, Int8Type, Int16Type, Int32Type, Int64Type, TimestampMicrosecondType,
    TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType, UInt8Type, UInt16Type,
    UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrayRef, RecordBatch, RecordBatchIterator, RecordBatchReader};
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef, TimeUnit};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyCapsuleMethods};
use refund_rules::json::{Operation, internal_error, run_bytes, usage_error};
use serde::Deserialize;
use serde_json::value::RawValue;

/// The PyCapsule name of an `ArrowArrayStream` (Arrow PyCapsule interface).
const STREAM: &CStr = c"arrow_array_stream";

/// Rows per thread below which a batch is not split.
const ROWS_PER_THREAD: usize = 2048;

/// How a column becomes a document member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Text written as a JSON string (`provider`, `now`, ids). `now` may also be a timestamp.
    Text,
    /// JSON text written as it is (`ledger`, `request`, `options`, `event`).
    Json,
}

/// How a result member becomes an output column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Out {
    /// A string member as its text; any other JSON value as its compact JSON text.
    Text,
    /// A boolean member.
    Bool,
}

/// The columns an operation reads and the result members it writes.
#[derive(Debug)]
struct Spec {
    operation: Operation,
    members: &'static [(&'static str, Kind)],
    fields: &'static [(&'static str, Out)],
}

const PLAN: Spec = Spec {
    operation: Operation::Plan,
    members: &[
        ("provider", Kind::Text),
        ("ledger", Kind::Json),
        ("request", Kind::Json),
        ("options", Kind::Json),
        ("now", Kind::Text),
        ("refund_id", Kind::Text),
        ("render", Kind::Text),
    ],
    fields: &[
        ("operation", Out::Text),
        ("kind", Out::Text),
        ("amount", Out::Text),
        ("remaining_after", Out::Text),
        ("status_after", Out::Text),
        ("refund_state", Out::Text),
        ("refundable", Out::Text),
        ("event", Out::Text),
    ],
};

const APPLY: Spec = Spec {
    operation: Operation::Apply,
    members: &[
        ("provider", Kind::Text),
        ("ledger", Kind::Json),
        ("event", Kind::Json),
    ],
    fields: &[
        ("duplicate", Out::Bool),
        ("ledger", Out::Text),
        ("refundable", Out::Text),
    ],
};

const REFUNDABLE: Spec = Spec {
    operation: Operation::Refundable,
    members: &[
        ("provider", Kind::Text),
        ("ledger", Kind::Json),
        ("capture_id", Kind::Text),
    ],
    fields: &[
        ("currency", Out::Text),
        ("captured", Out::Text),
        ("refunded", Out::Text),
        ("pending", Out::Text),
        ("available", Out::Text),
    ],
};

/// The columns every result starts with, before the operation's own.
const COMMON: [&str; 5] = ["code", "family", "message", "pointer", "details"];

fn spec(operation: &str) -> PyResult<&'static Spec> {
    match operation {
        "plan" => Ok(&PLAN),
        "apply" => Ok(&APPLY),
        "refundable" => Ok(&REFUNDABLE),
        other => Err(PyValueError::new_err(format!(
            "refund_rules.arrow runs plan, apply or refundable, not `{other}`"
        ))),
    }
}

/// A text-like input column, read cell by cell as bytes.
#[derive(Debug)]
enum Cells {
    Utf8(ArrayRef),
    LargeUtf8(ArrayRef),
    Utf8View(ArrayRef),
    Binary(ArrayRef),
    LargeBinary(ArrayRef),
    BinaryView(ArrayRef),
    /// Dictionary-encoded text (Polars categoricals): per row the index of its value, or none.
    Dict(Vec<Option<usize>>, Box<Cells>),
    /// A timestamp column, written as RFC 3339 text (UTC with `Z` when the column has a zone).
    Timestamp(ArrayRef, TimeUnit, bool),
    /// An all-null column (`pa.nulls`, a Polars `Null` column): the member is absent.
    Null,
}

impl Cells {
    /// Reads a column, or says why its type cannot be a `kind` member.
    fn of(name: &str, kind: Kind, array: &ArrayRef) -> Result<Self, String> {
        Ok(match array.data_type() {
            DataType::Utf8 => Self::Utf8(Arc::clone(array)),
            DataType::LargeUtf8 => Self::LargeUtf8(Arc::clone(array)),
            DataType::Utf8View => Self::Utf8View(Arc::clone(array)),
            DataType::Binary => Self::Binary(Arc::clone(array)),
            DataType::LargeBinary => Self::LargeBinary(Arc::clone(array)),
            DataType::BinaryView => Self::BinaryView(Arc::clone(array)),
            DataType::Null => Self::Null,
            DataType::Timestamp(unit, zone) if kind == Kind::Text && name == "now" => {
                Self::Timestamp(Arc::clone(array), *unit, zone.is_some())
            }
            DataType::Dictionary(_, _) => {
                let dict = array
                    .as_any_dictionary_opt()
                    .ok_or_else(|| format!("column `{name}`: unreadable dictionary"))?;
                let keys = dictionary_keys(dict.keys())
                    .ok_or_else(|| format!("column `{name}`: unsupported dictionary keys"))?;
                let values = Self::of(name, kind, dict.values())?;
                Self::Dict(keys, Box::new(values))
            }
            other => {
                let want = match (kind, name) {
                    (Kind::Text, "now") => "text (RFC 3339) or a timestamp",
                    (Kind::Text, _) => "text",
                    (Kind::Json, _) => "JSON text (a string column; nested structs are not read)",
                };
                return Err(format!("column `{name}` must be {want}, not {other}"));
            }
        })
    }

    /// The cell at `row`: `None` when null, else its bytes.
    fn get(&self, row: usize) -> Option<Cow<'_, [u8]>> {
        fn cell<A: Array>(a: &A, row: usize, f: impl FnOnce(&A) -> &[u8]) -> Option<&[u8]> {
            (row < a.len() && a.is_valid(row)).then(|| f(a))
        }
        let b = match self {
            Self::Utf8(a) => cell(a.as_string::<i32>(), row, |a| a.value(row).as_bytes()),
            Self::LargeUtf8(a) => cell(a.as_string::<i64>(), row, |a| a.value(row).as_bytes()),
            Self::Utf8View(a) => cell(a.as_string_view(), row, |a| a.value(row).as_bytes()),
            Self::Binary(a) => cell(a.as_binary::<i32>(), row, |a| a.value(row)),
            Self::LargeBinary(a) => cell(a.as_binary::<i64>(), row, |a| a.value(row)),
            Self::BinaryView(a) => cell(a.as_binary_view(), row, |a| a.value(row)),
            Self::Dict(keys, values) => {
                return keys.get(row).copied().flatten().and_then(|k| values.get(k));
            }
            Self::Timestamp(a, unit, zoned) => {
                return timestamp_text(a, *unit, *zoned, row).map(|t| Cow::Owned(t.into_bytes()));
            }
            Self::Null => None,
        };
        b.map(Cow::Borrowed)
    }
}

/// The dictionary index of each row (`None` for a null row), for any integer key type.
fn dictionary_keys(keys: &dyn Array) -> Option<Vec<Option<usize>>> {
    fn collect<T: arrow_array::ArrowPrimitiveType>(keys: &dyn Array) -> Option<Vec<Option<usize>>>
    where
        T::Native: TryInto<usize>,
    {
        let keys = keys.as_primitive_opt::<T>()?;
        Some(
            keys.iter()
                .map(|k| k.and_then(|k| k.try_into().ok()))
                .collect(),
        )
    }
    match keys.data_type() {
        DataType::Int8 => collect::<Int8Type>(keys),
        DataType::Int16 => collect::<Int16Type>(keys),
        DataType::Int32 => collect::<Int32Type>(keys),
        DataType::Int64 => collect::<Int64Type>(keys),
        DataType::UInt8 => collect::<UInt8Type>(keys),
        DataType::UInt16 => collect::<UInt16Type>(keys),
        DataType::UInt32 => collect::<UInt32Type>(keys),
        DataType::UInt64 => collect::<UInt64Type>(keys),
        _ => None,
    }
}

/// A timestamp cell as RFC 3339 text. A zoned Arrow timestamp counts from the Unix epoch in
/// UTC, so it is written with `Z`; a zone-less one is a wall-clock time in no known zone and is
/// written without an offset, for the engine to judge (it needs one).
fn timestamp_text(array: &ArrayRef, unit: TimeUnit, zoned: bool, row: usize) -> Option<String> {
    fn at<T: ArrowTimestampType>(array: &ArrayRef, row: usize) -> Option<chrono::NaiveDateTime> {
        let a = array.as_primitive_opt::<T>()?;
        (row < a.len() && a.is_valid(row))
            .then(|| as_datetime::<T>(a.value(row)))
            .flatten()
    }
    let time = match unit {
        TimeUnit::Second => at::<TimestampSecondType>(array, row),
        TimeUnit::Millisecond => at::<TimestampMillisecondType>(array, row),
        TimeUnit::Microsecond => at::<TimestampMicrosecondType>(array, row),
        TimeUnit::Nanosecond => at::<TimestampNanosecondType>(array, row),
    }?;
    let mut text = time.format("%Y-%m-%dT%H:%M:%S%.f").to_string();
    if zoned {
        text.push('Z');
    }
    Some(text)
}

/// The input columns of one batch that are members of the operation's document.
#[derive(Debug)]
struct Columns {
    cells: Vec<(&'static str, Kind, Cells)>,
}

impl Columns {
    fn of(spec: &Spec, batch: &RecordBatch) -> Result<Self, String> {
        let mut cells = Vec::new();
        for &(name, kind) in spec.members {
            if let Some(array) = batch.column_by_name(name) {
                cells.push((name, kind, Cells::of(name, kind, array)?));
            }
        }
        Ok(Self { cells })
    }

    /// Writes row `row`'s document into `doc`, or says which cell cannot be a member. A null
    /// cell (or an absent column) leaves its member out: the engine decides what that means.
    fn document(&self, row: usize, doc: &mut Vec<u8>) -> Result<(), String> {
        doc.clear();
        doc.push(b'{');
        for (name, kind, cells) in &self.cells {
            let Some(value) = cells.get(row) else {
                continue;
            };
            if doc.len() > 1 {
                doc.push(b',');
            }
            doc.push(b'"');
            doc.extend_from_slice(name.as_bytes());
            doc.extend_from_slice(b"\":");
            match kind {
                Kind::Json => {
                    // One JSON value, nothing around it: text that is not (`1},"x":2`) would
                    // otherwise change the document's other members.
                    serde_json::from_slice::<&RawValue>(&value).map_err(|e| {
                        format!("column `{name}`: the cell is not one JSON value: {e}")
                    })?;
                    doc.extend_from_slice(&value);
                }
                Kind::Text => {
                    let text = std::str::from_utf8(&value)
                        .map_err(|e| format!("column `{name}`: the cell is not UTF-8: {e}"))?;
                    serde_json::to_writer(&mut *doc, text)
                        .map_err(|e| format!("column `{name}`: {e}"))?;
                }
            }
        }
        doc.push(b'}');
        Ok(())
    }
}

/// The parts of a result envelope the columns are read from.
#[derive(Deserialize)]
struct Envelope<'a> {
    ok: bool,
    #[serde(borrow, default)]
    value: Option<BTreeMap<Cow<'a, str>, &'a RawValue>>,
    #[serde(borrow, default)]
    error: Option<ErrorBody<'a>>,
}

#[derive(Deserialize)]
struct ErrorBody<'a> {
    #[serde(borrow)]
    code: Cow<'a, str>,
    #[serde(borrow)]
    family: Cow<'a, str>,
    #[serde(borrow)]
    message: Cow<'a, str>,
    #[serde(borrow, default)]
    pointer: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    details: Option<&'a RawValue>,
}

/// Builders for one output batch.
struct Builders {
    ok: BooleanBuilder,
    common: [StringBuilder; 5],
    fields: Vec<FieldBuilder>,
    envelope: Option<StringBuilder>,
}

enum FieldBuilder {
    Text(StringBuilder),
    Bool(BooleanBuilder),
}

impl Builders {
    fn new(spec: &Spec, rows: usize, envelope: bool) -> Self {
        let text = || StringBuilder::with_capacity(rows, 0);
        Self {
            ok: BooleanBuilder::with_capacity(rows),
            common: [text(), text(), text(), text(), text()],
            fields: spec
                .fields
                .iter()
                .map(|(_, out)| match out {
                    Out::Text => FieldBuilder::Text(text()),
                    Out::Bool => FieldBuilder::Bool(BooleanBuilder::with_capacity(rows)),
                })
                .collect(),
            envelope: envelope.then(text),
        }
    }

    /// Appends one row from the engine's envelope text.
    fn push(&mut self, spec: &Spec, text: &str) {
        let parsed = serde_json::from_str::<Envelope<'_>>(text);
        let envelope = match parsed {
            Ok(e) => e,
            Err(e) => {
                // The engine always writes a valid envelope; if that ever broke, say so in the
                // row rather than inventing an answer.
                let fallback = internal_error(&format!("unreadable envelope: {e}")).json;
                return match serde_json::from_str::<Envelope<'_>>(&fallback) {
                    Ok(env) => self.push_parsed(spec, &env, &fallback),
                    Err(_) => self.push_parsed(spec, &Envelope::empty(), &fallback),
                };
            }
        };
        self.push_parsed(spec, &envelope, text);
    }

    fn push_parsed(&mut self, spec: &Spec, env: &Envelope<'_>, text: &str) {
        self.ok.append_value(env.ok);
        let err = env.error.as_ref();
        let [code, family, message, pointer, details] = &mut self.common;
        code.append_option(err.map(|e| &e.code));
        family.append_option(err.map(|e| &e.family));
        message.append_option(err.map(|e| &e.message));
        pointer.append_option(err.and_then(|e| e.pointer.as_ref()));
        details.append_option(err.and_then(|e| e.details).map(RawValue::get));
        for ((name, _), builder) in spec.fields.iter().zip(self.fields.iter_mut()) {
            let raw = env
                .value
                .as_ref()
                .and_then(|v| v.get(*name))
                .filter(|raw| raw.get() != "null");
            match builder {
                FieldBuilder::Text(b) => match raw {
                    Some(raw) if raw.get().starts_with('"') => {
                        b.append_option(serde_json::from_str::<Cow<'_, str>>(raw.get()).ok());
                    }
                    Some(raw) => b.append_value(raw.get()),
                    None => b.append_null(),
                },
                FieldBuilder::Bool(b) => {
                    b.append_option(raw.and_then(|raw| serde_json::from_str(raw.get()).ok()));
                }
            }
        }
        if let Some(b) = &mut self.envelope {
            b.append_value(text);
        }
    }

    fn finish(mut self, schema: &SchemaRef, kept: Vec<ArrayRef>) -> Result<RecordBatch, String> {
        let mut columns = kept;
        columns.push(Arc::new(self.ok.finish()));
        for b in &mut self.common {
            columns.push(Arc::new(b.finish()));
        }
        for b in &mut self.fields {
            columns.push(match b {
                FieldBuilder::Text(b) => Arc::new(b.finish()),
                FieldBuilder::Bool(b) => Arc::new(b.finish()),
            });
        }
        if let Some(b) = &mut self.envelope {
            columns.push(Arc::new(b.finish()));
        }
        RecordBatch::try_new(Arc::clone(schema), columns).map_err(|e| e.to_string())
    }
}

impl Envelope<'_> {
    fn empty() -> Self {
        Self {
            ok: false,
            value: None,
            error: None,
        }
    }
}

/// The output schema: the kept input columns, then `ok`, the error columns, the operation's
/// result columns and, when asked for, `envelope`.
fn output_schema(
    spec: &Spec,
    input: &Schema,
    keep: &[String],
    envelope: bool,
) -> PyResult<SchemaRef> {
    let mut fields = Vec::new();
    for name in keep {
        let field = input.field_with_name(name).map_err(|_| {
            PyValueError::new_err(format!("keep: the input has no column `{name}`"))
        })?;
        fields.push(field.clone());
    }
    fields.push(Field::new("ok", DataType::Boolean, false));
    for name in COMMON {
        fields.push(Field::new(name, DataType::Utf8, true));
    }
    for (name, out) in spec.fields {
        let ty = match out {
            Out::Text => DataType::Utf8,
            Out::Bool => DataType::Boolean,
        };
        fields.push(Field::new(*name, ty, true));
    }
    if envelope {
        fields.push(Field::new("envelope", DataType::Utf8, false));
    }
    for (i, f) in fields.iter().enumerate() {
        if fields
            .iter()
            .skip(i.saturating_add(1))
            .any(|g| g.name() == f.name())
        {
            return Err(PyValueError::new_err(format!(
                "keep: column `{}` is also a result column; rename it first",
                f.name()
            )));
        }
    }
    Ok(Arc::new(Schema::new(fields)))
}

/// Runs the engine on rows `rows` of `batch`, giving one output batch.
fn run_rows(
    spec: &Spec,
    columns: &Columns,
    batch: &RecordBatch,
    rows: std::ops::Range<usize>,
    schema: &SchemaRef,
    keep: &[String],
    envelope: bool,
) -> Result<RecordBatch, String> {
    let len = rows.len();
    let mut out = Builders::new(spec, len, envelope);
    let mut doc = Vec::new();
    for row in rows.clone() {
        let text = match columns.document(row, &mut doc) {
            Ok(()) => catch_unwind(AssertUnwindSafe(|| {
                run_bytes(spec.operation, &doc, false).json
            }))
            .unwrap_or_else(|payload| {
                let what = payload
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".to_owned());
                internal_error(&what).json
            }),
            Err(message) => usage_error(&message, false).json,
        };
        out.push(spec, &text);
    }
    let kept = keep
        .iter()
        .map(|name| {
            batch
                .column_by_name(name)
                .map(|c| c.slice(rows.start, len))
                .ok_or_else(|| format!("keep: no column `{name}`"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    out.finish(schema, kept)
}

/// Runs one input batch, split over up to `threads` threads; output batches in input order.
fn run_batch(
    spec: &Spec,
    batch: &RecordBatch,
    schema: &SchemaRef,
    keep: &[String],
    envelope: bool,
    threads: usize,
) -> PyResult<Vec<RecordBatch>> {
    let columns = Columns::of(spec, batch).map_err(PyTypeError::new_err)?;
    let rows = batch.num_rows();
    let parts = threads.min(rows.div_ceil(ROWS_PER_THREAD)).max(1);
    if parts == 1 {
        return run_rows(spec, &columns, batch, 0..rows, schema, keep, envelope)
            .map(|b| vec![b])
            .map_err(PyValueError::new_err);
    }
    let chunk = rows.div_ceil(parts);
    let ranges: Vec<_> = (0..parts)
        .map(|i| {
            let start = i.saturating_mul(chunk).min(rows);
            start..start.saturating_add(chunk).min(rows)
        })
        .collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = ranges
            .into_iter()
            .map(|range| {
                let columns = &columns;
                scope.spawn(move || run_rows(spec, columns, batch, range, schema, keep, envelope))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("a worker thread failed".to_owned()))
                    .map_err(PyValueError::new_err)
            })
            .collect()
    })
}

/// The result of a batch run: Arrow record batches behind the PyCapsule stream interface
/// (`pyarrow.table(result)`, `polars.DataFrame(result)`,
/// `pyarrow.RecordBatchReader.from_stream(result)`), readable any number of times.
#[pyclass(module = "refund_rules._native", frozen)]
pub struct ArrowResult {
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
}

impl std::fmt::Debug for ArrowResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArrowResult")
            .field("columns", &self.schema.fields().len())
            .field("batches", &self.batches.len())
            .finish()
    }
}

#[pymethods]
impl ArrowResult {
    /// Exports the batches as an `ArrowArrayStream` capsule (the requested schema is ignored).
    #[pyo3(signature = (requested_schema = None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        let batches: Vec<Result<RecordBatch, ArrowError>> =
            self.batches.iter().cloned().map(Ok).collect();
        let reader = RecordBatchIterator::new(batches, Arc::clone(&self.schema));
        let stream = FFI_ArrowArrayStream::new(Box::new(reader));
        // The capsule owns the stream; its destructor drops it, and dropping an
        // `FFI_ArrowArrayStream` releases it only if no consumer moved it out (release set).
        PyCapsule::new_with_value(py, stream, STREAM)
    }

    /// The number of rows.
    #[getter]
    fn num_rows(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }

    /// The number of record batches.
    #[getter]
    fn num_batches(&self) -> usize {
        self.batches.len()
    }

    fn __len__(&self) -> usize {
        self.num_rows()
    }
}

/// Runs `operation` (`plan`, `apply`, `refundable`) over every row of an Arrow C stream
/// (an `arrow_array_stream` capsule); returns an [`ArrowResult`]. Raises only for the batch as
/// a whole (a column of an unsupported type, an unreadable stream); a row's failure is its
/// error row.
#[pyfunction]
#[pyo3(signature = (operation, stream, keep = Vec::new(), envelope = false, threads = 0))]
fn arrow_run(
    py: Python<'_>,
    operation: &str,
    stream: &Bound<'_, PyCapsule>,
    keep: Vec<String>,
    envelope: bool,
    threads: usize,
) -> PyResult<ArrowResult> {
    let spec = spec(operation)?;
    let pointer = stream.pointer_checked(Some(STREAM))?;
    #[expect(
        unsafe_code,
        reason = "importing a C stream: the one step the Arrow C stream interface cannot make safe"
    )]
    // SAFETY: a capsule named `arrow_array_stream` holds a valid `ArrowArrayStream` struct
    // (the Arrow PyCapsule interface; the name was checked just above). `from_raw` moves the
    // struct out and marks the one in the capsule released, so the capsule's destructor does
    // not release it again; the capsule stays alive (borrowed) during the move.
    let ffi = unsafe { FFI_ArrowArrayStream::from_raw(pointer.as_ptr().cast()) };
    let threads = if threads == 0 {
        std::thread::available_parallelism().map_or(1, usize::from)
    } else {
        threads
    };
    let reader =
        RecordBatchStreamReader::try_new(ffi).map_err(|e| PyValueError::new_err(e.to_string()))?;
    let schema = output_schema(spec, &reader.schema(), &keep, envelope)?;
    let out_schema = Arc::clone(&schema);
    let batches = py.detach(move || -> PyResult<Vec<RecordBatch>> {
        let mut out = Vec::new();
        for batch in reader {
            let batch = batch.map_err(|e| PyValueError::new_err(e.to_string()))?;
            out.extend(run_batch(
                spec,
                &batch,
                &out_schema,
                &keep,
                envelope,
                threads,
            )?);
        }
        Ok(out)
    });
    Ok(ArrowResult {
        schema,
        batches: batches?,
    })
}

/// Adds the Arrow entry points to the native module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<ArrowResult>()?;
    m.add_function(wrap_pyfunction!(arrow_run, m)?)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{StringArray, TimestampMillisecondArray};

    const LEDGER: &str = r#"{"id":"o","currency":"USD","authorized":"100.10","status":{"payment":"CAPTURED"},"captures":[{"id":"cap_1","amount":"100.10","settled":true}],"version":3}"#;

    fn strings(values: &[Option<&str>]) -> ArrayRef {
        Arc::new(StringArray::from(values.to_vec()))
    }

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    /// One small batch through the engine: one output batch.
    fn run(batch: &RecordBatch) -> Result<RecordBatch, Box<dyn std::error::Error>> {
        let schema = output_schema(&PLAN, &batch.schema(), &[], true)?;
        let mut out = run_batch(&PLAN, batch, &schema, &[], true, 4)?;
        assert_eq!(out.len(), 1, "one batch for a small input");
        out.pop().ok_or_else(|| "no output batch".into())
    }

    fn text(batch: &RecordBatch, column: &str) -> Vec<Option<String>> {
        batch
            .column_by_name(column)
            .map(|c| {
                c.as_string::<i32>()
                    .iter()
                    .map(|v| v.map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn each_row_is_the_engines_answer_for_its_document() -> TestResult {
        let batch = RecordBatch::try_from_iter([
            (
                "provider",
                strings(&[Some("simpleps"), Some("simpleps"), None]),
            ),
            (
                "ledger",
                strings(&[Some(LEDGER), Some("{\"currency\":"), Some(LEDGER)]),
            ),
            (
                "request",
                strings(&[
                    Some(r#"{"amount":{"total":25.00,"currency":"USD"}}"#),
                    None,
                    None,
                ]),
            ),
        ])?;
        let out = run(&batch)?;
        let ok = out.column_by_name("ok").ok_or("no ok column")?.as_boolean();
        assert_eq!(
            ok.iter().collect::<Vec<_>>(),
            [Some(true), Some(false), Some(false)]
        );
        assert_eq!(text(&out, "amount")[0].as_deref(), Some("25.00"));
        let envelopes = text(&out, "envelope");
        let doc = format!(
            r#"{{"provider":"simpleps","ledger":{LEDGER},"request":{{"amount":{{"total":25.00,"currency":"USD"}}}}}}"#
        );
        assert_eq!(
            envelopes[0].as_deref(),
            Some(
                run_bytes(Operation::Plan, doc.as_bytes(), false)
                    .json
                    .as_str()
            )
        );
        let messages = text(&out, "message");
        assert!(
            messages[1]
                .as_deref()
                .unwrap_or_default()
                .contains("column `ledger`")
        );
        let missing = run_bytes(
            Operation::Plan,
            format!(r#"{{"ledger":{LEDGER}}}"#).as_bytes(),
            false,
        );
        assert_eq!(envelopes[2].as_deref(), Some(missing.json.as_str()));
        Ok(())
    }

    #[test]
    fn threads_split_a_batch_in_order() -> TestResult {
        let n = ROWS_PER_THREAD * 3 + 5;
        let requests: Vec<Option<String>> = (0..n)
            .map(|i| {
                Some(format!(
                    r#"{{"amount":{{"total":{}.00,"currency":"USD"}}}}"#,
                    i % 90 + 1
                ))
            })
            .collect();
        let requests: ArrayRef = Arc::new(StringArray::from(requests));
        let batch = RecordBatch::try_from_iter([
            ("provider", strings(&vec![Some("simpleps"); n])),
            ("ledger", strings(&vec![Some(LEDGER); n])),
            ("request", requests),
        ])?;
        let schema = output_schema(&PLAN, &batch.schema(), &[], false)?;
        let parts = run_batch(&PLAN, &batch, &schema, &[], false, 3)?;
        assert_eq!(parts.len(), 3);
        let amounts: Vec<Option<String>> = parts.iter().flat_map(|b| text(b, "amount")).collect();
        let expected: Vec<Option<String>> =
            (0..n).map(|i| Some(format!("{}.00", i % 90 + 1))).collect();
        assert_eq!(amounts, expected);
        Ok(())
    }

    #[test]
    fn timestamps_are_rfc3339() {
        let a: ArrayRef = Arc::new(TimestampMillisecondArray::from(vec![
            Some(1_764_417_600_250),
            None,
        ]));
        assert_eq!(
            timestamp_text(&a, TimeUnit::Millisecond, true, 0).as_deref(),
            Some("2025-11-29T12:00:00.250Z")
        );
        assert_eq!(
            timestamp_text(&a, TimeUnit::Millisecond, false, 0).as_deref(),
            Some("2025-11-29T12:00:00.250")
        );
        assert_eq!(timestamp_text(&a, TimeUnit::Millisecond, true, 1), None);
    }
}
