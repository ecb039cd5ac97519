//! The JSON document surface: every operation takes a JSON document as text and returns a
//! tagged result as text. The CLI, Python and WASM bindings wrap exactly these functions, so no
//! rule lives in a binding. Schemas: `schema/*.schema.json`.
//!
//! Result: `{"ok":true,"value":…}` or
//! `{"ok":false,"error":{"code","family","message","pointer"?,"details","provider_error"?}}`.
//!
//! ```
//! let out = refund_rules::json::run(refund_rules::json::Operation::Plan, r#"{
//!   "provider": "simpleps",
//!   "ledger": {"currency": "USD", "authorized": "100.00", "status": {"payment": "CAPTURED"},
//!              "captures": [{"id": "cap_1", "amount": "100.00"}]},
//!   "request": {"amount": {"total": 25.00, "currency": "USD"}}
//! }"#);
//! assert!(out.error.is_none());
//! assert!(out.json.contains(r#""status_after":{"payment":"PARTIALLY_REFUNDED"}"#));
//! ```

pub mod amounts;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::engine::{self, Applied, apply};
use crate::error::ProviderError;
use crate::error::{ErrorCode, ErrorFamily, InputProblem, RefundError};
use crate::event::EventDoc;
use crate::ledger::{Ledger, LedgerDoc, Refundable};
use crate::money::{Currency, Minor, format_decimal, parse_wire_money};
use crate::plan::{Plan, PlanContext};
use crate::provider::{Provider, ProviderRequest, check_ledger};
use crate::time::Timestamp;
use crate::wire::{WireDecimal, from_json_document};

/// The largest input document accepted, in bytes (8 MiB: a ledger with ~100,000 refunds fits).
pub const MAX_INPUT_BYTES: usize = 8 * 1024 * 1024;

/// The operations of the surface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// Plan a refund.
    Plan,
    /// Apply an event to a ledger.
    Apply,
    /// The refundable breakdown of a ledger.
    Refundable,
    /// Parse a decimal amount into minor units.
    ParseAmount,
    /// Format minor units as a decimal amount.
    FormatAmount,
    /// Validate and normalize a list-refunds query (Alternative Payments `GET /refunds`).
    ValidateListQuery,
    /// What can be refunded now, and how (`max`, `min`, `full_only`, `blocked`, scopes).
    Options,
    /// The provider's request body for an amount of a scope, in its own wire form.
    RequestBody,
}

impl Operation {
    /// All operations.
    pub const ALL: [Operation; 8] = [
        Self::Plan,
        Self::Apply,
        Self::Refundable,
        Self::ParseAmount,
        Self::FormatAmount,
        Self::ValidateListQuery,
        Self::Options,
        Self::RequestBody,
    ];

    /// The name (`plan`, `apply`, `refundable`, `parse_amount`, `format_amount`,
    /// `validate_list_query`, `options`, `request_body`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Plan => "plan",
            Self::Apply => "apply",
            Self::Refundable => "refundable",
            Self::ParseAmount => "parse_amount",
            Self::FormatAmount => "format_amount",
            Self::ValidateListQuery => "validate_list_query",
            Self::Options => "options",
            Self::RequestBody => "request_body",
        }
    }

    /// Looks an operation up by name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == name)
    }
}

/// The result text plus, on failure, its code (for exit codes and exception classes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The tagged result document.
    pub json: String,
    /// The error code when `ok` is false.
    pub error: Option<ErrorCode>,
}

impl Response {
    /// CLI convention: 0 decided, 1 rejected by a rule / state machine / conflict, 2 bad input.
    pub fn exit_code(&self) -> u8 {
        match self.error.map(ErrorCode::family) {
            None => 0,
            Some(ErrorFamily::InvalidInput) => 2,
            Some(_) => 1,
        }
    }
}

/// Runs an operation on a JSON document, compact output.
pub fn run(op: Operation, input: &str) -> Response {
    run_with(op, input, false)
}

/// Runs an operation by name (`"plan"`…); an unknown name is `invalid_input`.
pub fn run_named(op: &str, input: &str) -> Response {
    match Operation::from_name(op) {
        Some(o) => run(o, input),
        None => render(
            Err(Failure::new(
                RefundError::invalid_input(
                    "",
                    format!(
                        "unknown operation `{op}`; expected plan, apply, refundable, parse_amount, format_amount, validate_list_query or options"
                    ),
                ),
                None,
            )),
            false,
        ),
    }
}

/// Runs an operation on the document's raw bytes, as a reader of files, stdin or binary
/// buffers receives them: longer than [`MAX_INPUT_BYTES`] is refused first (as [`run_with`]
/// does), then bytes that are not UTF-8. Every surface answers through this one function, so a
/// JS or Python string holding a lone surrogate (which is not Unicode text) is passed here as
/// its WTF-8 bytes and gets exactly the answer the CLI gives for those bytes.
pub fn run_bytes(op: Operation, input: &[u8], pretty: bool) -> Response {
    if input.len() > MAX_INPUT_BYTES {
        return input_too_large(input.len(), pretty);
    }
    match std::str::from_utf8(input) {
        Ok(text) => run_with(op, text, pretty),
        Err(e) => render(
            Err(Failure::new(
                RefundError::input(
                    InputProblem::Syntax,
                    "",
                    format!("the input is not UTF-8: {e}"),
                ),
                None,
            )),
            pretty,
        ),
    }
}

/// [`run_bytes`] by operation name (compact output); an unknown name is `invalid_input`.
pub fn run_named_bytes(op: &str, input: &[u8]) -> Response {
    match Operation::from_name(op) {
        Some(o) => run_bytes(o, input, false),
        None => run_named(op, ""),
    }
}

/// The answer for an input of `len` bytes over [`MAX_INPUT_BYTES`], for readers that count a
/// huge input without holding it (the CLI): the same envelope [`run_with`] gives.
pub fn input_too_large(len: usize, pretty: bool) -> Response {
    render(
        Err(Failure::new(
            RefundError::input(
                InputProblem::TooLarge,
                "",
                format!("the input is {len} bytes; the limit is {MAX_INPUT_BYTES} bytes"),
            ),
            None,
        )),
        pretty,
    )
}

/// One line of an NDJSON stream, numbered from 1: exactly the compact envelope [`run_bytes`]
/// gives for the line's bytes (its newline excluded), with `details.line` added on errors so a
/// failure names its line; a success is unchanged. `Err(len)` is a line of `len` bytes over
/// [`MAX_INPUT_BYTES`] that the reader counted without holding it: [`input_too_large`]`(len)`
/// with the line added. Every other envelope (one document per call) stays without `line`.
pub fn run_line(op: Operation, input: Result<&[u8], usize>, line: u64) -> Response {
    let response = match input {
        Ok(bytes) => run_bytes(op, bytes, false),
        Err(len) => input_too_large(len, false),
    };
    if response.error.is_none() {
        return response;
    }
    /// The rendered error envelope, its parts kept as their exact text.
    #[derive(Deserialize, Serialize)]
    struct Env<'a> {
        ok: bool,
        #[serde(borrow)]
        error: Body<'a>,
    }
    #[derive(Deserialize, Serialize)]
    struct Body<'a> {
        #[serde(borrow)]
        code: &'a RawValue,
        #[serde(borrow)]
        family: &'a RawValue,
        #[serde(borrow)]
        message: &'a RawValue,
        #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
        pointer: Option<&'a RawValue>,
        #[serde(borrow)]
        details: &'a RawValue,
        #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
        provider_error: Option<&'a RawValue>,
    }
    let parsed = serde_json::from_str::<Env<'_>>(&response.json).ok();
    // `details` is always an object: `line` goes in as its last member.
    let details = parsed.as_ref().and_then(|env| {
        let members = env.error.details.get().strip_suffix('}')?.trim_end();
        let sep = if members.ends_with('{') { "" } else { "," };
        RawValue::from_string(format!("{members}{sep}\"line\":{line}}}")).ok()
    });
    let with_line = match (parsed, &details) {
        (Some(mut env), Some(details)) => {
            env.error.details = details;
            serde_json::to_string(&env).ok()
        }
        _ => None,
    };
    Response {
        json: with_line.unwrap_or(response.json),
        error: response.error,
    }
}

/// An `invalid_input` envelope for a failure before any document is read (a surface's usage
/// error, an unreadable file): the one place such envelopes are written.
pub fn usage_error(message: &str, pretty: bool) -> Response {
    render(
        Err(Failure::new(RefundError::invalid_input("", message), None)),
        pretty,
    )
}

/// The envelope a binding answers with when the engine failed unexpectedly (a caught panic, a
/// trapped WebAssembly instance): a bug, never a category to branch on, so the code stays
/// `invalid_input` and `details.internal_error` is `true` (`details.panic` says what failed).
pub fn internal_error(what: &str) -> Response {
    let code = ErrorCode::InvalidInput;
    let body = ErrEnvelope {
        ok: false,
        error: ErrorBody {
            code,
            family: code.family(),
            message: format!(
                "internal error: the refund engine failed (`{what}`); this is a bug, please report it with the input document"
            ),
            pointer: None,
            details: serde_json::json!({"internal_error": true, "panic": what}),
            provider_error: None,
        },
    };
    Response {
        json: serde_json::to_string(&body).unwrap_or_else(|_| {
            r#"{"ok":false,"error":{"code":"invalid_input","family":"invalid_input","message":"internal error: the refund engine failed","details":{"internal_error":true}}}"#.to_owned()
        }),
        error: Some(code),
    }
}

/// Runs an operation; `pretty` indents the output.
pub fn run_with(op: Operation, input: &str, pretty: bool) -> Response {
    if input.len() > MAX_INPUT_BYTES {
        return input_too_large(input.len(), pretty);
    }
    let result = match op {
        Operation::Plan => plan_value(input),
        Operation::Apply => apply_value(input),
        Operation::Refundable => refundable_value(input),
        Operation::ParseAmount => parse_amount_value(input),
        Operation::FormatAmount => format_amount_value(input),
        Operation::ValidateListQuery => validate_list_query_value(input),
        Operation::Options => options_value(input),
        Operation::RequestBody => request_body_value(input),
    };
    render(result, pretty)
}

/// A failure and the provider it happened under (for the provider's own error body).
#[derive(Debug)]
struct Failure {
    error: RefundError,
    provider: Option<Provider>,
}

impl Failure {
    fn new(error: RefundError, provider: Option<Provider>) -> Self {
        Self { error, provider }
    }
}

type Outcome = Result<Box<RawValue>, Failure>;

fn to_raw<T: Serialize>(value: &T) -> Outcome {
    serde_json::value::to_raw_value(value).map_err(|e| {
        Failure::new(
            RefundError::invalid_input("", format!("cannot render the result: {e}")),
            None,
        )
    })
}

#[derive(Serialize)]
struct OkEnvelope<'a> {
    ok: bool,
    value: &'a RawValue,
}

#[derive(Serialize)]
struct ErrEnvelope<'a> {
    ok: bool,
    error: ErrorBody<'a>,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    code: ErrorCode,
    family: ErrorFamily,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pointer: Option<&'a str>,
    details: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    provider_error: Option<ProviderError>,
}

fn render(result: Outcome, pretty: bool) -> Response {
    let write = |v: &dyn erased::Ser| -> String {
        let text = v.compact().map(|t| if pretty { indent(&t) } else { t });
        text.unwrap_or_else(|| {
            r#"{"ok":false,"error":{"code":"invalid_input","family":"invalid_input","message":"cannot render the result","details":{}}}"#.to_owned()
        })
    };
    match result {
        Ok(value) => Response {
            json: write(&OkEnvelope {
                ok: true,
                value: &value,
            }),
            error: None,
        },
        Err(Failure { error, provider }) => {
            let code = error.code();
            let body = ErrEnvelope {
                ok: false,
                error: ErrorBody {
                    code,
                    family: code.family(),
                    message: error.to_string(),
                    pointer: error.pointer(),
                    details: error.details(),
                    provider_error: provider.and_then(|p| p.provider_error(&error)),
                },
            };
            Response {
                json: write(&body),
                error: Some(code),
            }
        }
    }
}

mod erased {
    //! Lets `render` print either envelope through one closure.
    pub(super) trait Ser {
        fn compact(&self) -> Option<String>;
    }
    impl<T: serde::Serialize> Ser for T {
        fn compact(&self) -> Option<String> {
            serde_json::to_string(self).ok()
        }
    }
}

/// Indents compact JSON text without re-parsing it, so numbers keep their exact text.
fn indent(compact: &str) -> String {
    let mut out = String::with_capacity(compact.len().saturating_mul(2));
    let mut depth = 0_usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut chars = compact.chars().peekable();
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("  ");
        }
    };
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                if matches!(chars.peek(), Some('}' | ']')) {
                    if let Some(close) = chars.next() {
                        out.push(close);
                    }
                } else {
                    depth = depth.saturating_add(1);
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c => out.push(c),
        }
    }
    out
}

/// The `plan` input document.
#[derive(Debug, Deserialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "plan_input")
)]
#[serde(deny_unknown_fields)]
struct PlanInput {
    #[cfg_attr(
        feature = "schema",
        schemars(with = "crate::schema_types::ProviderName")
    )]
    provider: String,
    ledger: LedgerDoc,
    /// Raw, `null` included: the provider refuses a `null` body in its own words.
    #[serde(default)]
    request: crate::strict::RawField,
    /// Raw, `null` included: `null` options are the defaults (nullable in the schema).
    #[serde(default)]
    options: crate::strict::RawField,
    #[serde(default)]
    now: Option<Timestamp>,
    #[serde(default)]
    refund_id: Option<String>,
    /// What to render: `"full"` (the default: the whole plan document) or `"decision"` (only
    /// the decision: no explanation, provider bodies or event; cheaper).
    #[serde(default)]
    render: Render,
}

/// What a `plan` answer renders.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "plan_render")
)]
#[serde(rename_all = "snake_case")]
enum Render {
    /// The whole plan.
    #[default]
    Full,
    /// The decision only ([`crate::Decision`]).
    Decision,
}

/// The fields of [`PlanInput`] kept as raw JSON (parsed later, per provider).
const PLAN_RAW: &[&str] = &["request", "options"];

/// A parsed `plan` document: what the typed API takes.
#[derive(Debug, Clone)]
pub struct PlanCall {
    /// The ledger.
    pub ledger: Ledger,
    /// The provider request and options.
    pub request: ProviderRequest,
    /// Time and ids.
    pub context: PlanContext,
}

/// Parses a `plan` document into its typed parts.
pub fn parse_plan_input(input: &str) -> Result<PlanCall, RefundError> {
    let doc: PlanInput = from_json_document(input, "", PLAN_RAW)?;
    let provider = Provider::from_name(&doc.provider)?;
    doc.into_call(provider)
}

impl PlanInput {
    fn into_call(self, provider: Provider) -> Result<PlanCall, RefundError> {
        let ledger = self.ledger.into_ledger("/ledger")?;
        let request = ProviderRequest::from_json(
            provider,
            self.request.0.as_deref().map(RawValue::get),
            self.options.0.as_deref().map(RawValue::get),
        )?;
        Ok(PlanCall {
            ledger,
            request,
            context: PlanContext {
                now: self.now,
                refund_id: self.refund_id,
            },
        })
    }
}

/// Plans through the typed API from a `plan` document.
pub fn plan_typed(input: &str) -> Result<Plan, RefundError> {
    let call = parse_plan_input(input)?;
    engine::plan(&call.ledger, &call.request, &call.context)
}

fn plan_value(input: &str) -> Outcome {
    let unmapped = |e| Failure::new(e, None);
    let doc: PlanInput = from_json_document(input, "", PLAN_RAW).map_err(unmapped)?;
    let provider = Provider::from_name(&doc.provider).map_err(unmapped)?;
    let mapped = |e| Failure::new(e, Some(provider));
    let render = doc.render;
    let call = doc.into_call(provider).map_err(mapped)?;
    if render == Render::Decision {
        let valid = engine::validate(provider, &call.ledger).map_err(mapped)?;
        let decision = engine::decide(&valid, &call.request, &call.context).map_err(mapped)?;
        return to_raw(&decision);
    }
    let plan = engine::plan(&call.ledger, &call.request, &call.context).map_err(mapped)?;
    to_raw(&plan)
}

#[derive(Debug, Deserialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "apply_input")
)]
#[serde(deny_unknown_fields)]
struct ApplyInput {
    #[cfg_attr(
        feature = "schema",
        schemars(with = "crate::schema_types::ProviderName")
    )]
    provider: String,
    ledger: LedgerDoc,
    event: EventDoc,
}

#[derive(Serialize)]
struct ApplyOutput {
    #[serde(flatten)]
    applied: Applied,
    refundable: Refundable,
}

fn apply_value(input: &str) -> Outcome {
    let unmapped = |e| Failure::new(e, None);
    let doc: ApplyInput = from_json_document(input, "", &[]).map_err(unmapped)?;
    let provider = Provider::from_name(&doc.provider).map_err(unmapped)?;
    let fail = |e| Failure::new(e, Some(provider));
    let ledger = doc.ledger.into_ledger("/ledger").map_err(fail)?;
    let event = doc
        .event
        .into_event(ledger.currency, "/event")
        .map_err(fail)?;
    let applied = apply(provider, &ledger, &event).map_err(fail)?;
    let refundable = applied.ledger.refundable().map_err(fail)?;
    to_raw(&ApplyOutput {
        applied,
        refundable,
    })
}

#[derive(Debug, Deserialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "refundable_input")
)]
#[serde(deny_unknown_fields)]
struct RefundableInput {
    ledger: LedgerDoc,
    #[serde(default)]
    #[cfg_attr(
        feature = "schema",
        schemars(with = "Option<crate::schema_types::ProviderName>")
    )]
    provider: Option<String>,
    #[serde(default)]
    capture_id: Option<String>,
}

fn refundable_value(input: &str) -> Outcome {
    let fail = |e| Failure::new(e, None);
    let doc: RefundableInput = from_json_document(input, "", &[]).map_err(fail)?;
    let ledger = doc.ledger.into_ledger("/ledger").map_err(fail)?;
    let provider = match doc.provider.as_deref() {
        Some(name) => {
            let p = Provider::from_name(name).map_err(fail)?;
            check_ledger(p, &ledger).map_err(fail)?;
            Some(p)
        }
        None => {
            ledger.check().map_err(fail)?;
            None
        }
    };
    // With a provider, the provider's maximum (the one `plan` and `apply` use).
    let breakdown = match (doc.capture_id.as_deref(), provider) {
        (Some(id), _) => ledger.refundable_for_capture(id),
        (None, Some(p)) => p.refundable(&ledger),
        (None, None) => ledger.refundable(),
    }
    .map_err(fail)?;
    to_raw(&breakdown)
}

#[derive(Debug, Deserialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "parse_amount_input")
)]
#[serde(deny_unknown_fields)]
struct ParseAmountInput {
    #[cfg_attr(
        feature = "schema",
        schemars(with = "crate::schema_types::MinorUnitsOrDecimal")
    )]
    amount: WireDecimal,
    #[cfg_attr(feature = "schema", schemars(with = "crate::money::Currency"))]
    currency: String,
    #[serde(default)]
    #[cfg_attr(
        feature = "schema",
        schemars(with = "Option<crate::schema_types::ProviderName>")
    )]
    provider: Option<String>,
}

#[derive(Serialize)]
struct AmountOutput {
    currency: Currency,
    exponent: u8,
    /// Minor units as a string: JS numbers are exact only to 2^53.
    minor: String,
    amount: String,
}

fn amount_output(minor: Minor, currency: Currency) -> AmountOutput {
    AmountOutput {
        currency,
        exponent: currency.exponent(),
        minor: minor.get().to_string(),
        amount: format_decimal(minor, currency.exponent()),
    }
}

fn currency_at(code: &str, pointer: &str) -> Result<Currency, RefundError> {
    Currency::from_code(code).map_err(|problem| RefundError::UnknownCurrency {
        pointer: pointer.to_owned(),
        problem,
    })
}

fn parse_amount_value(input: &str) -> Outcome {
    let fail = |e| Failure::new(e, None);
    let doc: ParseAmountInput = from_json_document(input, "", &["amount"]).map_err(fail)?;
    let currency = currency_at(&doc.currency, "/currency").map_err(fail)?;
    let provider = doc
        .provider
        .as_deref()
        .map(Provider::from_name)
        .transpose()
        .map_err(fail)?;
    let parsed = match provider {
        Some(p) => parse_wire_money(&doc.amount.text, currency, p),
        None => crate::money::parse_money(&doc.amount.text, currency),
    }
    .map_err(|p| fail(RefundError::invalid_amount("/amount", &doc.amount.text, p)))?;
    to_raw(&amount_output(parsed.minor, currency))
}

#[derive(Debug, Deserialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "format_amount_input")
)]
#[serde(deny_unknown_fields)]
struct FormatAmountInput {
    #[cfg_attr(feature = "schema", schemars(with = "crate::schema_types::MinorUnits"))]
    minor: WireDecimal,
    #[cfg_attr(feature = "schema", schemars(with = "crate::money::Currency"))]
    currency: String,
}

fn format_amount_value(input: &str) -> Outcome {
    let fail = |e| Failure::new(e, None);
    let doc: FormatAmountInput = from_json_document(input, "", &["minor"]).map_err(fail)?;
    let currency = currency_at(&doc.currency, "/currency").map_err(fail)?;
    let text = &doc.minor.text;
    let minor = crate::money::parse_decimal(text, 0)
        .map_err(|p| fail(RefundError::invalid_amount("/minor", text, p)))?;
    to_raw(&amount_output(minor, currency))
}

/// The `validate_list_query` input: `{"provider":"alternative_payments","query":{…}}`.
#[derive(Debug, Deserialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "validate_list_query_input")
)]
#[serde(deny_unknown_fields)]
struct ListQueryInput {
    #[cfg_attr(
        feature = "schema",
        schemars(with = "crate::schema_types::ProviderName")
    )]
    provider: String,
    #[cfg_attr(feature = "schema", schemars(with = "crate::schema_types::AnyJson"))]
    query: Box<RawValue>,
}

fn validate_list_query_value(input: &str) -> Outcome {
    let unmapped = |e| Failure::new(e, None);
    let doc: ListQueryInput = from_json_document(input, "", &["query"]).map_err(unmapped)?;
    let p = Provider::from_name(&doc.provider).map_err(unmapped)?;
    let query = crate::provider::validate_list_query(p, doc.query.get())
        .map_err(|e| Failure::new(e, Some(p)))?;
    to_raw(&query)
}

/// Registers the input documents in the schema generator (feature `schema`, `crate::schema`).
#[cfg(feature = "schema")]
pub(crate) fn schema_roots(g: &mut schemars::SchemaGenerator) {
    g.subschema_for::<PlanInput>();
    g.subschema_for::<ApplyInput>();
    g.subschema_for::<RefundableInput>();
    g.subschema_for::<ParseAmountInput>();
    g.subschema_for::<FormatAmountInput>();
    g.subschema_for::<ListQueryInput>();
    g.subschema_for::<OptionsInput>();
    g.subschema_for::<RequestBodyInput>();
}

/// The `options` input: `{provider, ledger, options?, now?}`. A whole `plan` document is read
/// too (its `request` and `refund_id` are ignored: the answer is about every request), so
/// `refund-rules options` takes any bundled plan example as it is.
#[derive(Debug, Deserialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "options_input")
)]
#[serde(deny_unknown_fields)]
struct OptionsInput {
    #[cfg_attr(
        feature = "schema",
        schemars(with = "crate::schema_types::ProviderName")
    )]
    provider: String,
    ledger: LedgerDoc,
    /// Raw, `null` included: `null` options are the defaults.
    #[serde(default)]
    options: crate::strict::RawField,
    #[serde(default)]
    now: Option<Timestamp>,
    /// Ignored (a plan document's request).
    #[serde(default)]
    #[allow(
        dead_code,
        reason = "read and ignored: a plan document is accepted as it is"
    )]
    request: crate::strict::RawField,
    /// Ignored (a plan document's refund id).
    #[serde(default)]
    #[allow(
        dead_code,
        reason = "read and ignored: a plan document is accepted as it is"
    )]
    refund_id: Option<String>,
}

fn options_value(input: &str) -> Outcome {
    let unmapped = |e| Failure::new(e, None);
    let doc: OptionsInput = from_json_document(input, "", PLAN_RAW).map_err(unmapped)?;
    let provider = Provider::from_name(&doc.provider).map_err(unmapped)?;
    let mapped = |e| Failure::new(e, Some(provider));
    let ledger = doc.ledger.into_ledger("/ledger").map_err(mapped)?;
    let answer = crate::options::options(
        provider,
        &ledger,
        doc.options.0.as_deref().map(RawValue::get),
        doc.now,
    )
    .map_err(mapped)?;
    to_raw(&answer)
}

/// The `request_body` input: which provider, the ledger, an optional scope and an optional
/// amount (a decimal of the ledger's currency, as a string or a number).
#[derive(Debug, Deserialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "request_body_input")
)]
#[serde(deny_unknown_fields)]
struct RequestBodyInput {
    #[cfg_attr(
        feature = "schema",
        schemars(with = "crate::schema_types::ProviderName")
    )]
    provider: String,
    ledger: LedgerDoc,
    /// Absent: the whole payment or order.
    #[serde(default)]
    scope: Option<ScopeDoc>,
    /// Absent: everything available in the scope.
    #[serde(default)]
    amount: Option<WireDecimal>,
}

/// A scope a provider refunds by.
#[derive(Debug, Deserialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "request_scope")
)]
#[serde(deny_unknown_fields)]
struct ScopeDoc {
    kind: ScopeKindDoc,
    /// The capture, return or line id, or the order-level type; absent for `order`.
    #[serde(default)]
    id: Option<String>,
}

/// Commerce Layer refunds by `capture`, `order` or `return`; Digital River by `line` or
/// (order-level) `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "request_scope_kind")
)]
#[serde(rename_all = "snake_case")]
enum ScopeKindDoc {
    Capture,
    Order,
    Return,
    Line,
    Type,
}

impl ScopeKindDoc {
    fn as_str(self) -> &'static str {
        match self {
            Self::Capture => "capture",
            Self::Order => "order",
            Self::Return => "return",
            Self::Line => "line",
            Self::Type => "type",
        }
    }
}

/// The output of `request_body`: the body to send as a plan document's `request` (`null`:
/// send none; the provider refunds everything available without a body).
#[derive(Serialize)]
struct RequestBodyOutput {
    request: Option<Box<RawValue>>,
}

fn request_body_value(input: &str) -> Outcome {
    use crate::provider::{NoSuchRequest, RequestScope};
    let unmapped = |e| Failure::new(e, None);
    let doc: RequestBodyInput = from_json_document(input, "", &["amount"]).map_err(unmapped)?;
    let provider = Provider::from_name(&doc.provider).map_err(unmapped)?;
    let fail = |e| Failure::new(e, Some(provider));
    let ledger = doc.ledger.into_ledger("/ledger").map_err(fail)?;
    check_ledger(provider, &ledger).map_err(fail)?;
    let amount = match &doc.amount {
        None => None,
        Some(wire) => {
            let money = crate::money::parse_money(&wire.text, ledger.currency)
                .map_err(|p| unmapped(RefundError::invalid_amount("/amount", &wire.text, p)))?;
            if !money.minor.is_positive() {
                let problem = crate::money::AmountProblem::Zero;
                return Err(unmapped(RefundError::invalid_amount(
                    "/amount", &wire.text, problem,
                )));
            }
            Some(money.minor)
        }
    };
    let scope = match &doc.scope {
        None => RequestScope::Whole,
        Some(ScopeDoc { kind, id }) => {
            let id = match (kind, id.as_deref()) {
                (ScopeKindDoc::Order, None) => "",
                (ScopeKindDoc::Order, Some(_)) => {
                    return Err(unmapped(RefundError::input(
                        InputProblem::Unsupported,
                        "/scope/id",
                        "the `order` scope is the ledger's own order: leave `id` out",
                    )));
                }
                (kind, None) => {
                    return Err(unmapped(RefundError::input(
                        InputProblem::Missing,
                        "/scope/id",
                        format!("a `{}` scope names its id", kind.as_str()),
                    )));
                }
                (_, Some(id)) => id,
            };
            match kind {
                ScopeKindDoc::Capture => RequestScope::Capture(id),
                ScopeKindDoc::Order => RequestScope::Order,
                ScopeKindDoc::Return => RequestScope::Return(id),
                ScopeKindDoc::Line => RequestScope::Line(id),
                ScopeKindDoc::Type => RequestScope::Type(id),
            }
        }
    };
    let body = provider
        .request_body(&ledger, scope, amount)
        .map_err(|why| {
            let (problem, pointer, message) = match why {
                NoSuchRequest::Scope => match doc.scope.as_ref() {
                    None => (
                        InputProblem::Missing,
                        "/scope",
                        format!("{provider} refunds one scope at a time: give `scope`"),
                    ),
                    Some(s) => (
                        InputProblem::Unsupported,
                        "/scope/kind",
                        format!("{provider} has no `{}` scope", s.kind.as_str()),
                    ),
                },
                NoSuchRequest::AmountRequired => (
                    InputProblem::Missing,
                    "/amount",
                    format!("a {provider} refund of this scope needs an amount"),
                ),
                NoSuchRequest::AmountRefused => (
                    InputProblem::Unsupported,
                    "/amount",
                    format!(
                        "this {provider} scope refunds everything available: leave `amount` out"
                    ),
                ),
            };
            unmapped(RefundError::input(problem, pointer, message))
        })?;
    if let Some(ScopeDoc { kind, id: Some(id) }) = &doc.scope {
        let id = id.as_str();
        let known = match kind {
            ScopeKindDoc::Capture => ledger.captures.iter().any(|c| c.id == id),
            ScopeKindDoc::Return => ledger.return_by_id(id).is_some(),
            ScopeKindDoc::Line => ledger.line(id).is_some(),
            ScopeKindDoc::Order | ScopeKindDoc::Type => true,
        };
        if !known {
            return Err(unmapped(RefundError::input(
                InputProblem::NotFound,
                "/scope/id",
                format!("the ledger has no {} `{id}`", kind.as_str()),
            )));
        }
    }
    // What the core writes, it reads: the body is a request `plan` parses. A refusal names the
    // scope it came from (a Digital River type the provider does not have).
    ProviderRequest::from_json(provider, body.as_deref(), None).map_err(|e| {
        let pointer = if doc.scope.is_some() {
            "/scope/id"
        } else {
            "/amount"
        };
        unmapped(RefundError::input(
            InputProblem::Invalid,
            pointer,
            format!("{provider} refuses the request for it: {e}"),
        ))
    })?;
    let request = body.map(RawValue::from_string).transpose().map_err(|e| {
        fail(RefundError::invalid_input(
            "",
            format!("cannot render the body: {e}"),
        ))
    })?;
    to_raw(&RequestBodyOutput { request })
}
