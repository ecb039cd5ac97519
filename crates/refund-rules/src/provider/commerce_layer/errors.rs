//! Commerce Layer's own error bodies (JSON:API errors, CL6).

use serde_json::json;

use super::wire::{ATTRIBUTES, ID_POINTER};
use crate::error::{InputProblem, ProviderError, RefundError};

/// The JSON:API error Commerce Layer answers with (CL6). Codes and statuses beyond CL6's
/// examples are the §1.6 \[U\] default: 422 `VALIDATION_ERROR` pointing at the trigger attribute.
pub fn provider_error(error: &RefundError) -> Option<ProviderError> {
    let (status, code, title, pointer) = match error {
        RefundError::InvalidInput {
            pointer,
            problem: InputProblem::NotFound,
            ..
        } if pointer == ID_POINTER => (404, "RECORD_NOT_FOUND", "Record not found", None),
        RefundError::InvalidInput {
            pointer, problem, ..
        } if pointer.starts_with("/request")
            && (matches!(
                problem,
                InputProblem::Unsupported | InputProblem::UnknownField
            ) || !pointer.starts_with(ATTRIBUTES)) =>
        {
            // CL6: 400 "often due to sending an unsupported parameter"; malformed bodies too.
            (
                400,
                "BAD_REQUEST",
                "Bad request",
                pointer.strip_prefix("/request").map(str::to_owned),
            )
        }
        RefundError::InvalidInput { pointer, .. } | RefundError::InvalidAmount { pointer, .. }
            if pointer.starts_with(ATTRIBUTES) =>
        {
            (
                422,
                "VALIDATION_ERROR",
                "is invalid",
                pointer.strip_prefix("/request").map(str::to_owned),
            )
        }
        RefundError::ExceedsRefundable { .. } => (
            422,
            "VALIDATION_ERROR",
            "exceeds the refund balance",
            Some("/data/attributes/_refund_amount_cents".to_owned()),
        ),
        RefundError::AlreadyFullyRefunded { .. } => (
            422,
            "VALIDATION_ERROR",
            "nothing left to refund",
            Some("/data/attributes/_refund".to_owned()),
        ),
        RefundError::NotCaptured { .. } | RefundError::NotRefundableState { .. } => (
            422,
            "VALIDATION_ERROR",
            "cannot be refunded",
            Some("/data/attributes/_refund".to_owned()),
        ),
        _ => return None,
    };
    let mut item = json!({
        "title": title,
        "detail": error.to_string(),
        "code": code,
        "status": status.to_string(),
    });
    if let (Some(p), Some(map)) = (pointer, item.as_object_mut()) {
        map.insert("source".to_owned(), json!({ "pointer": p }));
    }
    Some(ProviderError {
        http_status: status,
        code: code.to_owned(),
        body: json!({ "errors": [item] }),
    })
}
