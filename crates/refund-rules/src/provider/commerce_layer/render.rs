//! The JSON:API documents of Commerce Layer's calls (`PATCH /api/{type}/{id}`) and responses.

use serde::Serialize;

use crate::provider::rules::{NoSuchRequest, RequestScope};
use serde_json::value::RawValue;

use crate::money::Minor;
use crate::plan::{ProviderCall, ProviderResponse};
use crate::wire::raw_json;

pub(super) fn cents(m: Minor) -> i64 {
    m.get()
}

/// A JSON:API resource object: `{"type","id","attributes"}` in that order (CL2).
#[derive(Serialize)]
struct Resource<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    id: &'a str,
    attributes: serde_json::Value,
}

/// A JSON:API document `{"data":…}`.
#[derive(Serialize)]
struct JsonApi<'a> {
    data: Resource<'a>,
}

fn document(kind: &str, id: &str, attributes: serde_json::Value) -> Box<RawValue> {
    raw_json(&JsonApi {
        data: Resource {
            kind,
            id,
            attributes,
        },
    })
}

pub(super) fn call(kind: &str, id: &str, attributes: serde_json::Value) -> ProviderCall {
    ProviderCall {
        method: "PATCH",
        path: format!("/api/{kind}/{id}"),
        body: Some(document(kind, id, attributes)),
    }
}

pub(super) fn ok_response(kind: &str, id: &str, attributes: serde_json::Value) -> ProviderResponse {
    ProviderResponse {
        http_status: 200,
        body: document(kind, id, attributes),
    }
}

/// The `PATCH /api/{type}/{id}` request body: a `_refund` trigger, sized in integer cents by
/// `_refund_amount_cents` (captures and returns). The whole-order trigger takes no amount; a
/// return needs one.
pub(super) fn request_body(
    ledger: &crate::ledger::Ledger,
    scope: RequestScope<'_>,
    amount: Option<Minor>,
) -> Result<Option<String>, NoSuchRequest> {
    let trigger = |kind: &str, id: &str, amount: Option<Minor>| {
        let size = amount
            .map(|m| format!(r#","_refund_amount_cents":{}"#, cents(m)))
            .unwrap_or_default();
        format!(
            r#"{{"data":{{"type":"{kind}","id":{},"attributes":{{"_refund":true{size}}}}}}}"#,
            crate::wire::json_string(id)
        )
    };
    let body = match (scope, amount) {
        (RequestScope::Capture(c), amount) => trigger("captures", c, amount),
        (RequestScope::Order, None) => {
            trigger("orders", ledger.id.as_deref().unwrap_or("order_1"), None)
        }
        (RequestScope::Order, Some(_)) => return Err(NoSuchRequest::AmountRefused),
        (RequestScope::Return(r), Some(m)) => trigger("returns", r, Some(m)),
        (RequestScope::Return(_), None) => return Err(NoSuchRequest::AmountRequired),
        (RequestScope::Whole | RequestScope::Line(_) | RequestScope::Type(_), _) => {
            return Err(NoSuchRequest::Scope);
        }
    };
    Ok(Some(body))
}
