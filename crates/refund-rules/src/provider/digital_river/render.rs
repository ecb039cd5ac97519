//! Digital River's call (`POST /refunds`) and its predicted 201 response.

use serde::Serialize;

use crate::provider::rules::{NoSuchRequest, RequestScope};
use serde_json::value::RawValue;

use super::wire::{ItemRefundType, Options, OrderRefundType, Request, parse_amount, parse_percent};
use crate::error::{Field, RefundError};
use crate::ledger::RefundState;
use crate::money::{Currency, Minor, Money};
use crate::plan::{ProviderCall, ProviderResponse};
use crate::wire::{JsonNumber, WireDecimal, raw_json};

/// `POST /refunds` with the request as sent (amounts as exact JSON numbers).
pub(super) fn call(
    request: &Request,
    currency: Currency,
    options: &Options,
) -> Result<ProviderCall, RefundError> {
    let call_body = raw_json(&call_body(request, currency, options)?);
    Ok(ProviderCall {
        method: "POST",
        path: "/refunds".to_owned(),
        body: Some(call_body),
    })
}

/// The 201 response: the refund `refund_id` of `amount`, created in `state`.
pub(super) fn created(
    request: &Request,
    currency: Currency,
    refund_id: String,
    amount: Money,
    state: RefundState,
) -> ProviderResponse {
    ProviderResponse {
        http_status: 201,
        body: raw_json(&CreatedBody {
            id: refund_id,
            order_id: request.order_id.clone(),
            invoice_id: request.invoice_id.clone(),
            currency: currency.code(),
            refund_type: request.refund_type,
            amount: JsonNumber::from_money(&amount),
            refunded_amount: JsonNumber::from_money(&Money::new(Minor::ZERO, currency)),
            state,
            reason: request.reason.clone(),
        }),
    }
}

/// The body sent: the request with amounts as exact JSON numbers.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CallBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    order_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    invoice_id: Option<&'a str>,
    currency: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    amount: Option<JsonNumber>,
    #[serde(skip_serializing_if = "Option::is_none")]
    percent: Option<JsonNumber>,
    #[serde(skip_serializing_if = "Option::is_none")]
    items: Option<Vec<CallItem<'a>>>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    refund_type: Option<OrderRefundType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    metadata: Option<&'a RawValue>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CallItem<'a> {
    item_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    sku_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    quantity: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    amount: Option<JsonNumber>,
    #[serde(skip_serializing_if = "Option::is_none")]
    percent: Option<JsonNumber>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    item_type: Option<ItemRefundType>,
}

fn call_body<'a>(
    r: &'a Request,
    currency: Currency,
    options: &Options,
) -> Result<CallBody<'a>, RefundError> {
    let money = |w: &WireDecimal, at: &str| {
        parse_amount(w, currency, options, at).map(|m| JsonNumber::from_money(&m))
    };
    let percent = |w: &WireDecimal, at: &str| {
        parse_percent(w, at).and_then(|p| JsonNumber::new(&p.to_string()))
    };
    let items = r
        .items
        .as_ref()
        .map(|items| {
            items
                .iter()
                .enumerate()
                .map(|(i, it)| {
                    Ok(CallItem {
                        item_id: &it.item_id,
                        sku_id: it.sku_id.as_deref(),
                        quantity: it.quantity,
                        amount: it
                            .amount
                            .as_ref()
                            .map(|w| {
                                money(
                                    w,
                                    &Field::at("/request/items")
                                        .item(i)
                                        .field("amount")
                                        .pointer(),
                                )
                            })
                            .transpose()?,
                        percent: it
                            .percent
                            .as_ref()
                            .map(|w| {
                                percent(
                                    w,
                                    &Field::at("/request/items")
                                        .item(i)
                                        .field("percent")
                                        .pointer(),
                                )
                            })
                            .transpose()?,
                        item_type: it.item_type,
                    })
                })
                .collect::<Result<Vec<_>, RefundError>>()
        })
        .transpose()?;
    Ok(CallBody {
        order_id: r.order_id.as_deref(),
        invoice_id: r.invoice_id.as_deref(),
        currency: currency.code(),
        amount: r
            .amount
            .as_ref()
            .map(|w| money(w, "/request/amount"))
            .transpose()?,
        percent: r
            .percent
            .as_ref()
            .map(|w| percent(w, "/request/percent"))
            .transpose()?,
        items,
        refund_type: r.refund_type,
        reason: r.reason.as_deref(),
        metadata: r.metadata.as_deref(),
    })
}

/// The 201 `OrderRefund` body (DR1, DR4): the fields the engine can predict.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreatedBody {
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    order_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    invoice_id: Option<String>,
    currency: &'static str,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    refund_type: Option<OrderRefundType>,
    amount: JsonNumber,
    refunded_amount: JsonNumber,
    state: RefundState,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

/// The `POST /refunds` request body: the order, its currency and the size (`amount`, or
/// `percent: 100` for everything available); a line is an `items` entry, an order-level type
/// a `type` field.
pub(super) fn request_body(
    ledger: &crate::ledger::Ledger,
    scope: RequestScope<'_>,
    amount: Option<Minor>,
) -> Result<Option<String>, NoSuchRequest> {
    use crate::wire::json_string;
    let id = json_string(ledger.id.as_deref().unwrap_or("order_1"));
    let code = json_string(ledger.currency.code());
    let decimal = |m: Minor| Money::new(m, ledger.currency).to_decimal_string();
    let body = match scope {
        RequestScope::Whole => {
            let size = match amount {
                Some(m) => format!(r#""amount":{}"#, decimal(m)),
                None => r#""percent":100"#.to_owned(),
            };
            format!(r#"{{"orderId":{id},"currency":{code},{size}}}"#)
        }
        RequestScope::Line(line) => {
            let size = amount
                .map(|m| format!(r#","amount":{}"#, decimal(m)))
                .unwrap_or_default();
            format!(
                r#"{{"orderId":{id},"currency":{code},"items":[{{"itemId":{}{size}}}]}}"#,
                json_string(line)
            )
        }
        RequestScope::Type(kind) => {
            let size = match amount {
                Some(m) => format!(r#","amount":{}"#, decimal(m)),
                None => r#","percent":100"#.to_owned(),
            };
            format!(
                r#"{{"orderId":{id},"currency":{code},"type":{}{size}}}"#,
                json_string(kind)
            )
        }
        RequestScope::Capture(_) | RequestScope::Order | RequestScope::Return(_) => {
            return Err(NoSuchRequest::Scope);
        }
    };
    Ok(Some(body))
}
