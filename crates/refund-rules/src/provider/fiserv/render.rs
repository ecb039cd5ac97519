//! Fiserv Commerce Hub's renderings: the refund or cancel call at the chosen endpoint and the
//! success body the engine can predict (FS1, FS4).

use serde::Serialize;

use super::wire::{
    AmountComponents, Endpoint, MerchantDetails, Options, PriceAdjustment,
    ReferenceTransactionDetails, Request, TaxAmount,
};
use crate::ledger::Ledger;
use crate::money::Money;
use crate::plan::{ProviderCall, ProviderResponse};
use crate::wire::{JsonNumber, WireDecimal, raw_json};

/// The refund call at the chosen endpoint (a body only when it has a field) and Fiserv's
/// approval of `amount` (FS1, FS4).
pub(super) fn refund(
    ledger: &Ledger,
    request: &Request,
    options: &Options,
    requested: Option<Money>,
    amount: Money,
) -> (ProviderCall, ProviderResponse) {
    let (path, http_status) = target(ledger, &options.endpoint, "refund");
    let body = RefundCallBody {
        reference_transaction_details: request.reference_transaction_details.as_ref(),
        amount: requested.map(|m| BodyAmount::from_money(&m)),
        amount_components: request.amount_components.as_deref().map(as_numbers),
        merchant_details: request.merchant_details.as_ref(),
    };
    let call_body = (!body.is_empty()).then(|| raw_json(&body));
    let response = ProviderResponse {
        http_status,
        body: raw_json(&SuccessBody {
            gateway_response: GatewayResponse {
                transaction_type: "REFUND",
                // FS1 examples answer an approved refund with `AUTHORIZED`.
                transaction_state: "AUTHORIZED",
            },
            payment_receipt: PaymentReceipt {
                approved_amount: BodyAmount::from_money(&amount),
                processor_response_details: ProcessorResponseDetails {
                    approval_status: "APPROVED",
                },
            },
        }),
    };
    (
        ProviderCall {
            method: "POST",
            path,
            body: call_body,
        },
        response,
    )
}

/// The cancel call at the chosen endpoint and Fiserv's approval of the cancel of `full` (FS1
/// Cancel, FS4).
pub(super) fn cancel(
    ledger: &Ledger,
    request: &Request,
    options: &Options,
    full: Money,
) -> (ProviderCall, ProviderResponse) {
    let (path, http_status) = target(ledger, &options.endpoint, "cancel");
    let body = raw_json(&CancelBody {
        // Only the tagged cancel names the original transaction in its body (FS1).
        reference_transaction_details: match options.endpoint {
            Endpoint::Tagged => request.reference_transaction_details.as_ref(),
            Endpoint::Charge | Endpoint::Order { .. } => None,
        },
        merchant_details: request.merchant_details.as_ref(),
        transaction_details: TransactionDetails {
            reversal_reason_code: "VOID",
        },
    });
    let response = ProviderResponse {
        http_status,
        body: raw_json(&SuccessBody {
            gateway_response: GatewayResponse {
                transaction_type: "CANCEL",
                transaction_state: "VOIDED",
            },
            payment_receipt: PaymentReceipt {
                approved_amount: BodyAmount::from_money(&full),
                processor_response_details: ProcessorResponseDetails {
                    approval_status: "APPROVED",
                },
            },
        }),
    };
    (
        ProviderCall {
            method: "POST",
            path,
            body: Some(body),
        },
        response,
    )
}

/// The URI and success status of a `refund` or `cancel` at the chosen endpoint: the charge or
/// order URI forms answer 200 (S1), the tagged `/payments/v1/refunds` and `/cancels` 201 (FS1).
fn target(ledger: &Ledger, endpoint: &Endpoint, action: &str) -> (String, u16) {
    match endpoint {
        Endpoint::Charge => (
            format!(
                "/payments/v1/charges/{}/{action}",
                ledger.id.as_deref().unwrap_or("{transactionId}")
            ),
            200,
        ),
        Endpoint::Order { order_id } => (
            format!("/payments/v1/charges/orders/{order_id}/{action}"),
            200,
        ),
        Endpoint::Tagged => (format!("/payments/v1/{action}s"), 201),
    }
}

/// The component object with every amount written as a JSON number.
fn as_numbers(c: &AmountComponents) -> AmountComponents {
    let n = |w: &Option<WireDecimal>| w.as_ref().map(|w| WireDecimal::number(w.text.clone()));
    AmountComponents {
        unit_price: n(&c.unit_price),
        sub_total: n(&c.sub_total),
        vat_amount: n(&c.vat_amount),
        local_tax: n(&c.local_tax),
        itbis_tax_amount: n(&c.itbis_tax_amount),
        tax_amounts: c.tax_amounts.as_ref().map(|v| {
            v.iter()
                .map(|t| TaxAmount {
                    tax_type: t.tax_type.clone(),
                    tax_rate: n(&t.tax_rate),
                    tax_amount: n(&t.tax_amount),
                    tax_exempt: t.tax_exempt,
                })
                .collect()
        }),
        shipping_rate: n(&c.shipping_rate),
        shipping_amount: n(&c.shipping_amount),
        freight_rate: n(&c.freight_rate),
        freight_amount: n(&c.freight_amount),
        surcharge: n(&c.surcharge),
        convenience_fee: n(&c.convenience_fee),
        tip: n(&c.tip),
        cashback: n(&c.cashback),
        price_adjustments: c.price_adjustments.as_ref().map(|v| {
            v.iter()
                .map(|p| PriceAdjustment {
                    adjustment_type: p.adjustment_type.clone(),
                    adjustment_description: p.adjustment_description.clone(),
                    adjustment_rate: n(&p.adjustment_rate),
                    adjustment_amount: n(&p.adjustment_amount),
                })
                .collect()
        }),
        net_amount: n(&c.net_amount),
        gross_amount: n(&c.gross_amount),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RefundCallBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    reference_transaction_details: Option<&'a ReferenceTransactionDetails>,
    #[serde(skip_serializing_if = "Option::is_none")]
    amount: Option<BodyAmount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    amount_components: Option<AmountComponents>,
    #[serde(skip_serializing_if = "Option::is_none")]
    merchant_details: Option<&'a MerchantDetails>,
}

impl RefundCallBody<'_> {
    fn is_empty(&self) -> bool {
        self.reference_transaction_details.is_none()
            && self.amount.is_none()
            && self.amount_components.is_none()
            && self.merchant_details.is_none()
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CancelBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    reference_transaction_details: Option<&'a ReferenceTransactionDetails>,
    #[serde(skip_serializing_if = "Option::is_none")]
    merchant_details: Option<&'a MerchantDetails>,
    transaction_details: TransactionDetails,
}

/// FS1 Cancel: `transactionDetails.reversalReasonCode` (`VOID` = full reversal).
#[derive(Serialize, Clone, Copy)]
#[serde(rename_all = "camelCase")]
struct TransactionDetails {
    reversal_reason_code: &'static str,
}

/// `{total, currency}` with `total` an exact JSON number in the currency's precision (FS3).
#[derive(Serialize)]
struct BodyAmount {
    total: JsonNumber,
    currency: &'static str,
}

impl BodyAmount {
    fn from_money(m: &Money) -> Self {
        Self {
            total: JsonNumber::from_money(m),
            currency: m.currency.code(),
        }
    }
}

/// The success body (FS1, FS4): the fields the engine can predict.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SuccessBody {
    gateway_response: GatewayResponse,
    payment_receipt: PaymentReceipt,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GatewayResponse {
    transaction_type: &'static str,
    transaction_state: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PaymentReceipt {
    approved_amount: BodyAmount,
    processor_response_details: ProcessorResponseDetails,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ProcessorResponseDetails {
    approval_status: &'static str,
}
