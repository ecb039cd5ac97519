//! SimplePS renderings: the refund call body and the predicted 200 response (SP1).

use serde::Serialize;

use crate::money::Money;
use crate::wire::JsonNumber;

pub(super) fn json_body(m: &Money) -> RefundBody {
    RefundBody {
        amount: BodyAmount {
            total: JsonNumber::from_money(m),
            currency: m.currency.code(),
        },
    }
}

#[derive(Serialize)]
pub(super) struct RefundBody {
    amount: BodyAmount,
}

#[derive(Serialize)]
struct BodyAmount {
    total: JsonNumber,
    currency: &'static str,
}

/// The 200 body of SP1 (the fields the engine can predict).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct SuccessBody {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) external_payment_id: Option<String>,
    pub(super) amount: JsonNumber,
    pub(super) approved: bool,
    pub(super) message: &'static str,
    pub(super) automatic_reversed: bool,
    pub(super) status: String,
    pub(super) captured: bool,
    pub(super) voided: bool,
}
