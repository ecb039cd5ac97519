//! Alternative Payments' error bodies: the seed's `HttpError` for a rejection (400, 404, 422).

use serde_json::{Map, Value, json};

use crate::error::ProviderError;
use crate::error::{InputProblem, RefundError};

/// `/request/reason/type` → `reason.type`; `/request` → `body`.
fn field_of(pointer: &str) -> String {
    let rest = pointer
        .strip_prefix("/request")
        .or_else(|| pointer.strip_prefix("/query"))
        .unwrap_or(pointer);
    let field = rest.trim_start_matches('/').replace('/', ".");
    if field.is_empty() {
        "body".to_owned()
    } else {
        field
    }
}

fn http_error(status: u16, code: &str, message: String, field: Option<String>) -> ProviderError {
    let mut errors = Map::new();
    if let Some(f) = field {
        errors.insert(f, Value::String(message.clone()));
    }
    ProviderError {
        http_status: status,
        code: code.to_owned(),
        body: json!({ "code": code, "message": message, "validation_errors": errors }),
    }
}

/// The seed's `HttpError {code, message, validation_errors}` for a rejection. The seed gives
/// statuses but no code vocabulary (\[U\] default: the status name in snake_case): 400
/// `bad_request` for body/query validation (with `validation_errors`), 404 `not_found` for a
/// payment that is not the ledger's, 422 `unprocessable_entity` for business rules (AP2).
/// Errors about the caller's ledger, options or events have no provider counterpart.
pub fn provider_error(error: &RefundError) -> Option<ProviderError> {
    let message = error.to_string();
    let from_client = |p: &str| p.starts_with("/request") || p.starts_with("/query");
    let unprocessable = |field: Option<&str>| {
        Some(http_error(
            422,
            "unprocessable_entity",
            message.clone(),
            field.map(str::to_owned),
        ))
    };
    match error {
        RefundError::InvalidInput {
            pointer,
            problem: InputProblem::NotFound,
            ..
        } if pointer == "/request/payment_id" => Some(http_error(404, "not_found", message, None)),
        RefundError::InvalidInput { pointer, .. }
        | RefundError::InvalidAmount { pointer, .. }
        | RefundError::InvalidReason { pointer, .. }
            if from_client(pointer) =>
        {
            Some(http_error(
                400,
                "bad_request",
                message,
                Some(field_of(pointer)),
            ))
        }
        RefundError::NotCaptured { .. }
        | RefundError::NotSettled { .. }
        | RefundError::NotRefundableState { .. }
        | RefundError::AlreadyFullyRefunded { .. } => unprocessable(Some("payment_id")),
        RefundError::PartialRefundNotSupported { .. }
        | RefundError::ExceedsRefundable { .. }
        | RefundError::RefundLimitExceeded { .. } => unprocessable(Some("amount")),
        RefundError::IdempotencyConflict { .. } => unprocessable(Some("idempotency_key")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    #[test]
    fn provider_error_maps_statuses() -> TestResult {
        let e = RefundError::NotSettled { alternative: None };
        assert_eq!(provider_error(&e).map(|p| p.http_status), Some(422));
        let e = RefundError::invalid_input("/ledger/status/payment", "x");
        assert!(provider_error(&e).is_none());
        let e = RefundError::invalid_input("/request", "the request body is required");
        let p = provider_error(&e).ok_or("no provider error")?;
        assert_eq!(p.http_status, 400);
        assert!(p.body["validation_errors"]["body"].is_string());
        Ok(())
    }
}
