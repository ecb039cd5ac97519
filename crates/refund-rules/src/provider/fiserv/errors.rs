//! Fiserv Commerce Hub's error bodies (FS5): the gateway error codes a rejection maps to.

use serde_json::json;

use crate::error::ProviderError;
use crate::error::{InputProblem, RefundError};
use crate::money::AmountProblem;
use crate::wire::dotted_field;

/// The FS5 code for a malformed request body.
fn input_code(pointer: &str, problem: InputProblem) -> (&'static str, &'static str) {
    let missing = problem == InputProblem::Missing;
    if problem == InputProblem::UnknownField {
        ("101", "Unknown Field Data in Object")
    } else if pointer == "/request/referenceTransactionDetails" && missing {
        ("131", "Missing Referenced Transaction")
    } else if pointer.starts_with("/request/amount/") {
        ("105", "Invalid Amount or Currency")
    } else if pointer == "/request/amount" && missing {
        ("106", "Amount or currency missing")
    } else if missing {
        ("107", "Missing Required Field")
    } else {
        ("100", "Invalid or Missing Field Data")
    }
}

/// The FS5 error for a rejection, in Fiserv's error body (FS5 Error-Response.md):
/// `{"errorResponse":{"gatewayResponse":{"transactionType","transactionState":"DECLINED"},
/// "error":[{"type":"GATEWAY","code","field"?,"message"}]}}`. FS5 does not tie codes to HTTP
/// statuses; every one here is a 400 (\[U\] default).
pub fn provider_error(error: &RefundError) -> Option<ProviderError> {
    let on_request = |p: &str| p == "/request" || p.starts_with("/request/");
    let (code, message, transaction_type) = match error {
        RefundError::InvalidInput {
            pointer, problem, ..
        } if on_request(pointer) => {
            let (c, m) = input_code(pointer, *problem);
            (c, m, "REFUND")
        }
        RefundError::UnknownCurrency { pointer, .. } if on_request(pointer) => {
            ("105", "Invalid Amount or Currency", "REFUND")
        }
        RefundError::InvalidAmount {
            pointer, problem, ..
        } if on_request(pointer) => match problem {
            AmountProblem::Zero | AmountProblem::Negative => {
                ("836", "Amount Must Be >$0", "REFUND")
            }
            AmountProblem::TooManyDigits | AmountProblem::OutOfRange => {
                ("807", "Amount Too Large", "REFUND")
            }
            _ => ("105", "Invalid Amount or Currency", "REFUND"),
        },
        RefundError::CurrencyMismatch { pointer, .. } if on_request(pointer) => {
            ("804", "Currency Mismatch", "REFUND")
        }
        RefundError::AmountComponentsMismatch { .. } => ("806", "Amount Total Mismatch", "REFUND"),
        RefundError::ExceedsRefundable { .. } | RefundError::AlreadyFullyRefunded { .. } => {
            ("810", "Amount is Greater Than Refund/Void", "REFUND")
        }
        RefundError::RefundWindowExpired { .. } => (
            "814",
            "Unable to Refund: Transaction Older Than 12 Months",
            "REFUND",
        ),
        RefundError::NotRefundableState { .. } => (
            "837",
            "Unable to Refund: Transaction Not in a Captured or Authorized Status",
            "REFUND",
        ),
        RefundError::NotCaptured { .. } | RefundError::NotSettled { .. } => {
            ("812", "Unable to Refund", "REFUND")
        }
        RefundError::PartialRefundNotSupported { .. } => ("827", "Unable to Cancel", "CANCEL"),
        _ => return None,
    };
    let mut entry = json!({ "type": "GATEWAY", "code": code, "message": message });
    if let (Some(field), Some(map)) = (
        // Fiserv names fields in the dotted form (`amountComponents.taxAmounts[0].taxAmount`).
        error.pointer().and_then(dotted_field),
        entry.as_object_mut(),
    ) {
        map.insert("field".to_owned(), json!(field));
    }
    Some(ProviderError {
        http_status: 400,
        code: code.to_owned(),
        body: json!({
            "errorResponse": {
                "gatewayResponse": {
                    "transactionType": transaction_type,
                    "transactionState": "DECLINED",
                },
                "error": [entry],
            }
        }),
    })
}
