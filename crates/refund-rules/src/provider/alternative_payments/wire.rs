//! Alternative Payments' wire shapes: the `CreateRefundRequest` body and its reason, the
//! merchant options and their parsing, the amount and limit read in the payment currency, the
//! request's fingerprint, and the `GET /refunds` query (seed).

use serde::{Deserialize, Serialize};

use super::PROVIDER;
use crate::error::{Field, RefundError};
use crate::ledger::Ledger;
use crate::money::{AmountProblem, Money, parse_money};
use crate::time::Timestamp;
use crate::wire::{WireDecimal, from_json_text, from_options_json, positive_wire_money};

/// Default partner refund limit in major units of the payment currency (AP1: "$10,000").
pub const DEFAULT_REFUND_LIMIT: &str = "10000";

/// `RefundReasonDetail.type` (seed enum `refunds_api.RefundType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "alternative_payments_reason_type")
)]
pub enum ReasonType {
    /// `Customer Request`.
    #[serde(rename = "Customer Request")]
    CustomerRequest,
    /// `Duplicate`.
    Duplicate,
    /// `Fraud`.
    Fraud,
    /// `Other`: the seed asks for a `description`.
    Other,
}

impl ReasonType {
    /// Every type, in the seed's order.
    pub const ALL: [ReasonType; 4] = [
        Self::CustomerRequest,
        Self::Duplicate,
        Self::Fraud,
        Self::Other,
    ];

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CustomerRequest => "Customer Request",
            Self::Duplicate => "Duplicate",
            Self::Fraud => "Fraud",
            Self::Other => "Other",
        }
    }

    fn from_wire(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == text)
    }
}

/// `RefundReasonDetail`, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    /// `reason.type`.
    #[serde(rename = "type")]
    pub kind: ReasonType,
    /// `reason.description`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A validated `CreateRefundRequest` (seed). Required here: the body itself (seed
/// `requestBody.required`), `payment_id` (the endpoint has no path id) and `reason.type`
/// (\[U\] default). Optional: `amount` (\[U\] default) and `idempotency_key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// `payment_id`: must be the ledger's payment when the ledger has an id.
    pub payment_id: String,
    /// `amount` as sent (a JSON string, seed); read in the payment currency by [`plan`](super::plan).
    pub amount: Option<String>,
    /// `idempotency_key` (seed); the ledger remembers it on the refund it created.
    pub idempotency_key: Option<String>,
    /// `reason` (seed `RefundReasonDetail`).
    pub reason: Reason,
}

/// The wire form of the body, before validation.
#[derive(Debug, Deserialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "alternative_payments_request")
)]
#[serde(deny_unknown_fields)]
struct RequestDoc {
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    amount: Option<WireDecimal>,
    #[serde(default)]
    idempotency_key: Option<String>,
    #[serde(default)]
    payment_id: Option<String>,
    #[serde(default)]
    reason: Option<ReasonDoc>,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "alternative_payments_reason")
)]
#[serde(deny_unknown_fields)]
struct ReasonDoc {
    #[serde(rename = "type", default)]
    #[cfg_attr(feature = "schema", schemars(with = "Option<ReasonType>"))]
    kind: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

/// Merchant options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The partner refund limit, a decimal in major units of the payment currency
    /// (AP1: $10,000 by default, "can be raised"). Default [`DEFAULT_REFUND_LIMIT`].
    pub refund_limit: String,
    /// Whether `Other` needs a non-empty `description` (seed wording; \[U\] default `true`).
    pub other_requires_description: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            refund_limit: DEFAULT_REFUND_LIMIT.to_owned(),
            other_requires_description: true,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "alternative_payments_options")
)]
#[serde(deny_unknown_fields)]
struct OptionsDoc {
    #[serde(default)]
    #[cfg_attr(
        feature = "schema",
        schemars(with = "Option<crate::schema_types::Decimal>")
    )]
    refund_limit: Option<String>,
    #[serde(default)]
    other_requires_description: Option<bool>,
}

fn parse_options(options: Option<&str>) -> Result<Options, RefundError> {
    let doc: OptionsDoc = from_options_json(options, "/options")?;
    let defaults = Options::default();
    Ok(Options {
        refund_limit: doc.refund_limit.unwrap_or(defaults.refund_limit),
        other_requires_description: doc
            .other_requires_description
            .unwrap_or(defaults.other_requires_description),
    })
}

/// Parses and validates the body and options (shape, types, reason); amounts are read against
/// the ledger's currency by [`plan`](super::plan).
pub fn parse(body: Option<&str>, options: Option<&str>) -> Result<(Request, Options), RefundError> {
    let options = parse_options(options)?;
    // Seed: `requestBody.required: true`.
    let doc: Option<RequestDoc> = match body {
        None => None,
        Some(text) => from_json_text(text, "/request")?,
    };
    let doc =
        doc.ok_or_else(|| RefundError::invalid_input("/request", "the request body is required"))?;
    let payment_id = match doc.payment_id {
        None => {
            return Err(RefundError::invalid_input(
                "/request/payment_id",
                "`payment_id` is required",
            ));
        }
        Some(id) if id.is_empty() => {
            return Err(RefundError::invalid_input(
                "/request/payment_id",
                "`payment_id` must not be empty",
            ));
        }
        Some(id) => id,
    };
    // Seed: `amount` is a JSON string.
    let amount = match doc.amount {
        None => None,
        Some(wire) if !wire.quoted => {
            return Err(RefundError::invalid_input(
                "/request/amount",
                format!(
                    "`amount` must be a JSON string such as `\"{}\"`, not a number",
                    wire.text
                ),
            ));
        }
        Some(wire) => Some(wire.text),
    };
    if doc.idempotency_key.as_deref() == Some("") {
        return Err(RefundError::invalid_input(
            "/request/idempotency_key",
            "`idempotency_key` must not be empty",
        ));
    }
    let reason = parse_reason(doc.reason, &options)?;
    Ok((
        Request {
            payment_id,
            amount,
            idempotency_key: doc.idempotency_key,
            reason,
        },
        options,
    ))
}

/// Seed: `type` ∈ `Customer Request`, `Duplicate`, `Fraud`, `Other`; "If 'Other', please
/// specify the reason in more detail" (\[U\] default: required, option
/// `other_requires_description`).
fn parse_reason(doc: Option<ReasonDoc>, options: &Options) -> Result<Reason, RefundError> {
    let doc = doc.ok_or_else(|| RefundError::InvalidReason {
        pointer: "/request/reason".to_owned(),
        message: "`reason` is required".to_owned(),
    })?;
    let text = doc.kind.ok_or_else(|| RefundError::InvalidReason {
        pointer: "/request/reason/type".to_owned(),
        message: "`reason.type` is required".to_owned(),
    })?;
    let kind = ReasonType::from_wire(&text).ok_or_else(|| RefundError::InvalidReason {
        pointer: "/request/reason/type".to_owned(),
        message: format!(
            "unknown reason type `{text}`; expected one of Customer Request, Duplicate, Fraud, Other"
        ),
    })?;
    let blank = doc
        .description
        .as_deref()
        .is_none_or(|d| d.trim().is_empty());
    if kind == ReasonType::Other && options.other_requires_description && blank {
        return Err(RefundError::InvalidReason {
            pointer: "/request/reason/description".to_owned(),
            message: "`reason.description` is required when the type is `Other`".to_owned(),
        });
    }
    Ok(Reason {
        kind,
        description: doc.description,
    })
}

/// The canonical rendering of a parsed request, stored as the refund's `fingerprint`: fixed key
/// order, the amount normalized to the currency's decimals, the key itself left out.
#[derive(Serialize)]
struct Fingerprint<'a> {
    payment_id: &'a str,
    amount: Option<String>,
    reason: &'a Reason,
}

pub(super) fn fingerprint(request: &Request, amount: Option<Money>) -> String {
    serde_json::to_string(&Fingerprint {
        payment_id: &request.payment_id,
        amount: amount.map(|m| m.to_decimal_string()),
        reason: &request.reason,
    })
    .unwrap_or_default()
}

/// The `amount` string in the payment currency (§0.1: no more decimals than the exponent).
pub(super) fn parse_amount(text: &str, ledger: &Ledger) -> Result<Money, RefundError> {
    positive_wire_money(text, ledger.currency, PROVIDER, "/request/amount")
}

/// The limit option in the payment currency; zero is refused (it would forbid every refund).
pub(super) fn parse_limit(options: &Options, ledger: &Ledger) -> Result<Money, RefundError> {
    const POINTER: &str = "/options/refund_limit";
    let text = options.refund_limit.as_str();
    let limit = parse_money(text, ledger.currency)
        .map_err(|p| RefundError::invalid_amount(POINTER, text, p))?;
    if !limit.minor.is_positive() {
        return Err(RefundError::invalid_amount(
            POINTER,
            text,
            AmountProblem::Zero,
        ));
    }
    Ok(limit)
}

/// `payment_method` of `GET /refunds` (seed enum).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "alternative_payments_payment_method")
)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    /// `card`.
    Card,
    /// `standard_ach`.
    StandardAch,
    /// `same_day_ach`.
    SameDayAch,
    /// `manual`.
    Manual,
}

/// The smallest `limit` accepted (\[U\]).
pub const LIST_LIMIT_MIN: u32 = 1;
/// The largest `limit` accepted (\[U\]: the seed's default, 100, is taken as the page maximum).
pub const LIST_LIMIT_MAX: u32 = 100;
/// The seed's default `limit`.
pub const LIST_LIMIT_DEFAULT: u32 = 100;

#[derive(Debug, Deserialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "list_query")
)]
#[serde(deny_unknown_fields)]
struct ListQueryDoc {
    #[serde(default)]
    #[cfg_attr(
        feature = "schema",
        schemars(with = "Option<crate::schema_types::AnyJson>")
    )]
    limit: Option<WireDecimal>,
    #[serde(default)]
    after: Option<String>,
    #[serde(default)]
    before: Option<String>,
    #[serde(default)]
    customer_id: Option<String>,
    #[serde(default)]
    invoice_id: Option<String>,
    #[serde(default)]
    payment_method: Option<PaymentMethod>,
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(with = "Option<crate::time::Timestamp>"))]
    created_at_start: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(with = "Option<crate::time::Timestamp>"))]
    created_at_end: Option<String>,
}

/// A validated, normalized `GET /refunds` query (seed `listRefunds` parameters).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListQuery {
    /// Page size, default 100, within `LIST_LIMIT_MIN..=LIST_LIMIT_MAX`.
    pub limit: u32,
    /// Forward cursor (`end_cursor` of the previous page).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// Backward cursor (`start_cursor` of the next page).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    /// Customer filter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
    /// Invoice filter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoice_id: Option<String>,
    /// Payment method filter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_method: Option<PaymentMethod>,
    /// Creation time lower bound, as UTC RFC 3339 (fraction kept).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at_start: Option<String>,
    /// Creation time upper bound, as UTC RFC 3339 (fraction kept).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at_end: Option<String>,
}

/// An RFC 3339 instant with its exact fraction: `(seconds, fraction digits without trailing
/// zeros)`. Comparing the pairs (digits lexicographically) orders instants exactly.
fn instant(text: &str, field: &'static str) -> Result<(Timestamp, String), RefundError> {
    let ts: Timestamp = text.parse().map_err(|e: crate::time::TimestampError| {
        RefundError::invalid_input(Field::at("/query").field(field), e.to_string())
    })?;
    let fraction: String = match text.get(19..) {
        Some(rest) if rest.starts_with('.') => rest
            .chars()
            .skip(1)
            .take_while(char::is_ascii_digit)
            .collect(),
        _ => String::new(),
    };
    Ok((ts, fraction.trim_end_matches('0').to_owned()))
}

fn render_instant((ts, fraction): &(Timestamp, String)) -> String {
    let whole = ts.to_string();
    match whole.strip_suffix('Z') {
        Some(base) if !fraction.is_empty() => format!("{base}.{fraction}Z"),
        _ => whole,
    }
}

fn non_empty(value: Option<String>, field: &'static str) -> Result<Option<String>, RefundError> {
    match value {
        Some(v) if v.is_empty() => Err(RefundError::invalid_input(
            Field::at("/query").field(field),
            format!("`{field}` must not be empty"),
        )),
        other => Ok(other),
    }
}

/// Validates the query of `GET /refunds` (seed): `limit` integer (JSON number or digit string)
/// default 100 within 1..=100 (\[U\] bounds); `after`/`before` cursors, not both (\[U\]; an empty
/// cursor means "first page", seed, and is dropped); `customer_id`, `invoice_id` non-empty;
/// `payment_method` ∈ card | standard_ach | same_day_ach | manual; `created_at_start` /
/// `created_at_end` RFC 3339 with start ≤ end. Errors are `invalid_input` under `/query`.
pub fn validate_list_query(query: &str) -> Result<ListQuery, RefundError> {
    let doc: ListQueryDoc = from_json_text(query, "/query")?;
    let limit = match doc.limit {
        None => LIST_LIMIT_DEFAULT,
        Some(wire) => {
            let digits = !wire.text.is_empty() && wire.text.bytes().all(|b| b.is_ascii_digit());
            let value = if digits {
                wire.text.parse::<u32>().ok()
            } else {
                None
            };
            match value {
                Some(n) if (LIST_LIMIT_MIN..=LIST_LIMIT_MAX).contains(&n) => n,
                _ => {
                    return Err(RefundError::invalid_input(
                        "/query/limit",
                        format!(
                            "`limit` must be an integer from {LIST_LIMIT_MIN} to {LIST_LIMIT_MAX}, not `{}`",
                            wire.text
                        ),
                    ));
                }
            }
        }
    };
    let after = doc.after.filter(|c| !c.is_empty());
    let before = doc.before.filter(|c| !c.is_empty());
    if after.is_some() && before.is_some() {
        return Err(RefundError::invalid_input(
            "/query/before",
            "`after` and `before` cannot both be given: page forward or backward",
        ));
    }
    let start = doc
        .created_at_start
        .as_deref()
        .map(|t| instant(t, "created_at_start"))
        .transpose()?;
    let end = doc
        .created_at_end
        .as_deref()
        .map(|t| instant(t, "created_at_end"))
        .transpose()?;
    if let (Some(s), Some(e)) = (&start, &end)
        && s > e
    {
        return Err(RefundError::invalid_input(
            "/query/created_at_end",
            format!(
                "`created_at_end` {} is before `created_at_start` {}",
                render_instant(e),
                render_instant(s)
            ),
        ));
    }
    Ok(ListQuery {
        limit,
        after,
        before,
        customer_id: non_empty(doc.customer_id, "customer_id")?,
        invoice_id: non_empty(doc.invoice_id, "invoice_id")?,
        payment_method: doc.payment_method,
        created_at_start: start.as_ref().map(render_instant),
        created_at_end: end.as_ref().map(render_instant),
    })
}

/// Registers this module's documents in the schema generator (feature `schema`).
#[cfg(feature = "schema")]
pub(crate) fn schema_roots(g: &mut schemars::SchemaGenerator) {
    g.subschema_for::<RequestDoc>();
    g.subschema_for::<OptionsDoc>();
    g.subschema_for::<ListQueryDoc>();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    fn request(body: &str, options: Option<&str>) -> Result<(Request, Options), RefundError> {
        parse(Some(body), options)
    }

    #[test]
    fn reason_types_round_trip_their_wire_spelling() -> TestResult {
        for t in ReasonType::ALL {
            assert_eq!(ReasonType::from_wire(t.as_str()), Some(t));
            let json = serde_json::to_string(&t)?;
            assert_eq!(json, format!("\"{}\"", t.as_str()));
        }
        assert_eq!(ReasonType::from_wire("other"), None);
        Ok(())
    }

    #[test]
    fn fingerprint_ignores_key_and_field_order() -> TestResult {
        let (a, _) = request(
            r#"{"payment_id":"p","amount":"1.0","idempotency_key":"k1","reason":{"type":"Fraud"}}"#,
            None,
        )?;
        let (b, _) = request(
            r#"{"reason":{"type":"Fraud"},"idempotency_key":"k2","amount":"1.00","payment_id":"p"}"#,
            None,
        )?;
        let usd = crate::money::Currency::from_code("USD")?;
        let one = parse_money("1", usd)?;
        assert_eq!(fingerprint(&a, Some(one)), fingerprint(&b, Some(one)));
        assert_ne!(fingerprint(&a, Some(one)), fingerprint(&a, None));
        Ok(())
    }

    #[test]
    fn options_default_and_override() -> TestResult {
        let (_, o) = request(r#"{"payment_id":"p","reason":{"type":"Fraud"}}"#, None)?;
        assert_eq!(o, Options::default());
        let (_, o) = request(
            r#"{"payment_id":"p","reason":{"type":"Other"}}"#,
            Some(r#"{"other_requires_description":false,"refund_limit":"5"}"#),
        )?;
        assert!(!o.other_requires_description);
        assert_eq!(o.refund_limit, "5");
        Ok(())
    }

    #[test]
    fn list_query_instants_compare_with_fractions() -> TestResult {
        let q = validate_list_query(
            r#"{"created_at_start":"2024-01-01T00:00:00.1Z","created_at_end":"2024-01-01T00:00:00.10Z"}"#,
        )?;
        assert_eq!(
            q.created_at_start.as_deref(),
            Some("2024-01-01T00:00:00.1Z")
        );
        assert_eq!(q.limit, LIST_LIMIT_DEFAULT);
        let late = validate_list_query(
            r#"{"created_at_start":"2024-01-01T00:00:01Z","created_at_end":"2024-01-01T00:00:00.999Z"}"#,
        );
        assert_eq!(late.map_err(|e| e.code()), Err(ErrorCode::InvalidInput));
        Ok(())
    }
}
