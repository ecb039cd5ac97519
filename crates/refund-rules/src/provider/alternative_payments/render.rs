//! Alternative Payments' renderings: the `POST /refunds` call and its `201` answer (seed).

use serde::Serialize;

use crate::provider::rules::{NoSuchRequest, RequestScope};

use super::wire::{Reason, Request};
use crate::money::Money;
use crate::plan::{ProviderCall, ProviderResponse};
use crate::wire::raw_json;

/// The 201 body of `createRefund` (seed): a JSON string.
pub const SUCCESS_MESSAGE: &str = "Refund is being processed!";

/// The body the engine sends: the request with the amount spelled out in full.
#[derive(Serialize)]
struct CallBody<'a> {
    amount: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    idempotency_key: Option<&'a str>,
    payment_id: &'a str,
    reason: &'a Reason,
}

pub(super) fn call(request: &Request, amount: Money) -> ProviderCall {
    ProviderCall {
        method: "POST",
        path: "/refunds".to_owned(),
        body: Some(raw_json(&CallBody {
            amount: amount.to_decimal_string(),
            idempotency_key: request.idempotency_key.as_deref(),
            payment_id: &request.payment_id,
            reason: &request.reason,
        })),
    }
}

pub(super) fn created() -> ProviderResponse {
    // Seed: `201`, body schema `{"type":"string"}`, "Refund is being processed!".
    ProviderResponse {
        http_status: 201,
        body: raw_json(&SUCCESS_MESSAGE),
    }
}

/// The `POST /refunds` request body: the payment id, the amount as a decimal string (no amount
/// refunds everything available) and a reason. Only the whole payment is a scope.
pub(super) fn request_body(
    ledger: &crate::ledger::Ledger,
    scope: RequestScope<'_>,
    amount: Option<crate::money::Minor>,
) -> Result<Option<String>, NoSuchRequest> {
    if scope != RequestScope::Whole {
        return Err(NoSuchRequest::Scope);
    }
    let id = crate::wire::json_string(ledger.id.as_deref().unwrap_or("pay_1"));
    let size = amount
        .map(|m| {
            format!(
                r#""amount":"{}","#,
                Money::new(m, ledger.currency).to_decimal_string()
            )
        })
        .unwrap_or_default();
    Ok(Some(format!(
        r#"{{"payment_id":{id},{size}"reason":{{"type":"Customer Request"}}}}"#
    )))
}
