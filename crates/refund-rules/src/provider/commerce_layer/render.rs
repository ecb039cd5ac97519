//! The JSON:API documents of Commerce Layer's calls (`PATCH /api/{type}/{id}`) and responses.

use serde::Serialize;
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
