//! Inputs shared by the benchmarks (`benches/*.rs`) and the linearity test
//! (`tests/linearity.rs`): SimplePS ledgers with `n` prior refunds, in typed and JSON form, and
//! event sequences for `apply`.
//!
//! Every input is valid for the engine (its checks run in full on each call): one capture of
//! 1,000,000.00 USD, `n` succeeded refunds of 1.00 each (`refund_1`…`refund_n`), status
//! `CAPTURED` (n = 0) or `PARTIALLY_REFUNDED`, and a request for 25.00 USD.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use refund_rules::ledger::LedgerDoc;
use refund_rules::provider::simpleps::{Request, RequestAmount};
use refund_rules::wire::WireDecimal;
use refund_rules::{
    Capture, Currency, Event, EventKind, Ledger, Minor, Money, ProviderRequest, Refund,
    RefundError, RefundState, Statuses,
};

/// The prior-refund counts every `plan` group is measured at.
pub const SIZES: [usize; 4] = [0, 10, 1_000, 100_000];

/// The captured (and authorized) amount, in cents: 1,000,000.00 USD.
pub const CAPTURED_CENTS: i64 = 100_000_000;

/// Each prior refund, in cents: 1.00 USD.
pub const REFUND_CENTS: i64 = 100;

fn usd() -> Result<Currency, RefundError> {
    Currency::from_code("USD").map_err(|problem| RefundError::UnknownCurrency {
        pointer: "/ledger/currency".to_owned(),
        problem,
    })
}

fn too_big() -> RefundError {
    RefundError::invalid_input("/ledger/refunds", "too many refunds for the fixture")
}

/// A captured SimplePS ledger with `n` succeeded refunds of 1.00 USD.
pub fn simpleps_ledger(n: usize) -> Result<Ledger, RefundError> {
    simpleps_ledger_from(n, 1)
}

/// [`simpleps_ledger`] with refund ids `refund_{first}`…: `first = n + 1` takes every id the
/// engine would try first for a new refund (an adversarial but valid ledger).
pub fn simpleps_ledger_from(n: usize, first: usize) -> Result<Ledger, RefundError> {
    let last = first.checked_add(n).ok_or_else(too_big)?;
    let count = i64::try_from(n).map_err(|_| too_big())?;
    let refunded = count.checked_mul(REFUND_CENTS).ok_or_else(too_big)?;
    if refunded >= CAPTURED_CENTS {
        return Err(too_big());
    }
    let refunds = (first..last)
        .map(|k| Refund {
            id: format!("refund_{k}"),
            amount: Minor::new(REFUND_CENTS),
            state: RefundState::Succeeded,
            capture_id: None,
            idempotency_key: None,
            fingerprint: None,
        })
        .collect::<Vec<_>>();
    let mut applied_events = Vec::with_capacity(n.saturating_add(1));
    applied_events.push("cap_1.captured".to_owned());
    applied_events.extend((first..last).map(|k| format!("refund_{k}.created")));
    let version = u64::try_from(applied_events.len()).map_err(|_| too_big())?;
    Ok(Ledger {
        id: Some("order-12345".to_owned()),
        currency: usd()?,
        authorized: Minor::new(CAPTURED_CENTS),
        status: Statuses {
            payment: if n == 0 {
                "CAPTURED"
            } else {
                "PARTIALLY_REFUNDED"
            }
            .to_owned(),
            order: None,
            fulfillment: None,
        },
        created_at: None,
        captures: vec![Capture {
            id: "cap_1".to_owned(),
            amount: Minor::new(CAPTURED_CENTS),
            settled: true,
            captured_at: None,
        }],
        refunds,
        version,
        applied_events,
    })
}

/// The typed SimplePS request `{"amount":{"total":25.00,"currency":"USD"}}`.
pub fn simpleps_request() -> ProviderRequest {
    ProviderRequest::SimplePs(Request {
        amount: Some(RequestAmount {
            total: Some(WireDecimal {
                text: "25.00".to_owned(),
                quoted: false,
            }),
            currency: Some("USD".to_owned()),
        }),
    })
}

/// The `plan` JSON document for [`simpleps_ledger`]`(n)` and [`simpleps_request`].
pub fn plan_document(n: usize) -> Result<String, RefundError> {
    let ledger = ledger_json(&simpleps_ledger(n)?)?;
    Ok(format!(
        r#"{{"provider":"simpleps","ledger":{ledger},"request":{{"amount":{{"total":25.00,"currency":"USD"}}}}}}"#
    ))
}

/// The `apply` JSON document that records one more 25.00 USD refund on [`simpleps_ledger`]`(n)`.
pub fn apply_document(n: usize) -> Result<String, RefundError> {
    let ledger = simpleps_ledger(n)?;
    let k = n.saturating_add(1);
    let version = ledger.version;
    let ledger = ledger_json(&ledger)?;
    Ok(format!(
        r#"{{"provider":"simpleps","ledger":{ledger},"event":{{"id":"refund_{k}.created","type":"refund_created","expected_version":{version},"refund_id":"refund_{k}","amount":"25.00","state":"succeeded"}}}}"#
    ))
}

fn ledger_json(ledger: &Ledger) -> Result<String, RefundError> {
    serde_json::to_string(&LedgerDoc::from(ledger))
        .map_err(|e| RefundError::invalid_input("/ledger", e.to_string()))
}

/// A `refund_created` event for `refund_{k}` of `cents`, expected on `version`.
pub fn refund_created(k: usize, cents: i64, version: u64) -> Result<Event, RefundError> {
    Ok(Event {
        id: format!("refund_{k}.created"),
        expected_version: Some(version),
        kind: EventKind::RefundCreated {
            refund_id: format!("refund_{k}"),
            amount: Money::new(Minor::new(cents), usd()?),
            state: RefundState::Succeeded,
            capture_id: None,
            idempotency_key: None,
            fingerprint: None,
        },
    })
}

/// An authorized SimplePS payment of 100.00 USD with nothing captured yet.
pub fn authorized_ledger() -> Result<Ledger, RefundError> {
    Ok(Ledger {
        id: Some("order-12345".to_owned()),
        currency: usd()?,
        authorized: Minor::new(10_000),
        status: Statuses {
            payment: "AUTHORIZED".to_owned(),
            order: None,
            fulfillment: None,
        },
        created_at: None,
        captures: Vec::new(),
        refunds: Vec::new(),
        version: 0,
        applied_events: Vec::new(),
    })
}

/// The life of a payment as `len` events (`len` ≥ 2) on [`authorized_ledger`]: the full
/// capture of 100.00, `len − 2` partial refunds of 1.00, then the refund of what remains
/// (status `CAPTURED` → `PARTIALLY_REFUNDED` → `REFUNDED`).
pub fn lifecycle(len: usize) -> Result<Vec<Event>, RefundError> {
    let refunds = len.checked_sub(1).ok_or_else(too_big)?;
    let partials = refunds.checked_sub(1).ok_or_else(too_big)?;
    let partial_total = i64::try_from(partials)
        .ok()
        .and_then(|p| p.checked_mul(REFUND_CENTS))
        .filter(|t| *t < 10_000)
        .ok_or_else(too_big)?;
    let mut events = Vec::with_capacity(len);
    events.push(Event {
        id: "cap_1.captured".to_owned(),
        expected_version: Some(0),
        kind: EventKind::PaymentCaptured {
            capture_id: "cap_1".to_owned(),
            amount: Money::new(Minor::new(10_000), usd()?),
            settled: true,
            captured_at: None,
        },
    });
    let mut version = 1_u64;
    for k in 1..=refunds {
        let cents = if k == refunds {
            10_000_i64.saturating_sub(partial_total)
        } else {
            REFUND_CENTS
        };
        events.push(refund_created(k, cents, version)?);
        version = version.saturating_add(1);
    }
    Ok(events)
}

/// Applies `events` in order from `ledger` (what a caller does with a stream of webhooks).
pub fn apply_all(ledger: &Ledger, events: &[Event]) -> Result<Ledger, RefundError> {
    let mut current = ledger.clone();
    for event in events {
        current = refund_rules::apply(refund_rules::Provider::SimplePs, &current, event)?.ledger;
    }
    Ok(current)
}
