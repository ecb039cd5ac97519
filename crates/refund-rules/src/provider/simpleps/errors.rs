//! SimplePS's own errors: the SP3 `PAY_xxx` codes.

use serde_json::json;

use crate::error::{ProviderError, RefundError};
use crate::money::AmountProblem;

/// The SP3 code table for refunds. The error body shape is not published (\[U\] default:
/// `{"status":<http>,"code":"PAY_xxx","message":"…"}`).
pub fn provider_error(error: &RefundError) -> Option<ProviderError> {
    let (code, message) = match error {
        RefundError::InvalidAmount {
            problem: AmountProblem::Zero | AmountProblem::Negative,
            ..
        } => ("PAY_020", "Amount cannot be less or equal to zero"),
        RefundError::InvalidAmount { .. } => ("PAY_024", "Invalid requested amount"),
        RefundError::InvalidInput { pointer, .. } if pointer.starts_with("/request/amount") => {
            ("PAY_024", "Invalid requested amount")
        }
        RefundError::UnknownCurrency { .. } => ("PAY_021", "Invalid currency code"),
        RefundError::CurrencyMismatch { .. } => ("PAY_015", "Invalid currency"),
        RefundError::NotCaptured { .. } | RefundError::NotRefundableState { .. } => (
            "PAY_012",
            "No payment found to refund with external payment id",
        ),
        RefundError::AlreadyFullyRefunded { .. } | RefundError::ExceedsRefundable { .. } => {
            ("PAY_016", "Insufficient balance to refund")
        }
        _ => return None,
    };
    Some(ProviderError {
        http_status: 400,
        code: code.to_owned(),
        body: json!({ "status": 400, "code": code, "message": message }),
    })
}
