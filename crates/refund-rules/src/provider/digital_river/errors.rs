//! Digital River's own error bodies.

use serde_json::json;

use crate::error::{ProviderError, RefundError};
use crate::wire::dotted_field;

/// Digital River's error body `{"type","errors":[{"code","parameter","message"}]}` (DR1, DR4).
/// The three documented refund errors are 400 `invalid_parameter` on `amountRequested`,
/// `currency` and `percentRequested` (DR1); the rest are \[U\] defaults.
pub fn provider_error(error: &RefundError) -> Option<ProviderError> {
    let bad = |parameter: Option<String>, message: String| {
        (400, "bad_request", "invalid_parameter", parameter, message)
    };
    let (status, kind, code, parameter, message) = match error {
        RefundError::ExceedsRefundable { .. } | RefundError::AlreadyFullyRefunded { .. } => bad(
            Some("amountRequested".to_owned()),
            "The requested refund amount is greater than the available amount.".to_owned(),
        ),
        RefundError::CurrencyMismatch { found, .. } => bad(
            Some("currency".to_owned()),
            format!("Currency {found} is not supported."),
        ),
        RefundError::UnknownCurrency { problem, .. } => bad(
            Some("currency".to_owned()),
            format!("Currency {} is not supported.", problem.code_text()),
        ),
        RefundError::PartialRefundNotSupported { .. } => bad(
            Some("percentRequested".to_owned()),
            "Only full tax refunds are supported.".to_owned(),
        ),
        // [U] malformed fields: 400 `invalid_parameter` naming the field.
        RefundError::InvalidAmount { pointer, .. } | RefundError::InvalidInput { pointer, .. }
            if pointer.starts_with("/request") =>
        {
            // `parameter` is the dotted field (`items[0].amount`).
            bad(dotted_field(pointer), error.to_string())
        }
        // [U] providers.md §4.7: no completed capture → 409 conflict.
        RefundError::NotCaptured { .. } => (
            409,
            "conflict",
            "conflict",
            Some("orderId".to_owned()),
            "The order has no completed charge capture to refund.".to_owned(),
        ),
        RefundError::NotRefundableState { status, .. } => (
            409,
            "conflict",
            "conflict",
            Some("orderId".to_owned()),
            format!("An order in state {status} cannot be refunded."),
        ),
        _ => return None,
    };
    let mut entry = serde_json::Map::new();
    entry.insert("code".to_owned(), json!(code));
    if let Some(p) = parameter {
        entry.insert("parameter".to_owned(), json!(p));
    }
    entry.insert("message".to_owned(), json!(message));
    Some(ProviderError {
        http_status: status,
        code: code.to_owned(),
        body: json!({ "type": kind, "errors": [entry] }),
    })
}
