//! Inputs shared by the benchmarks (`benches/*.rs`) and the linearity test
//! (`tests/linearity.rs`): SimplePS ledgers with `n` prior refunds, in typed and JSON form, and
//! event sequences for `apply`.
//!
//! Every input is valid for the engine (its checks run in full on each call): one capture of
//! 1,000,000.00 USD, `n` succeeded refunds of 1.00 each (`refund_1`…`refund_n`), status
//! `CAPTURED` (n = 0) or `PARTIALLY_REFUNDED`, and a request for 25.00 USD.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use refund_rules::event::EventDoc;
use refund_rules::json::{PlanCall, parse_plan_input};
use refund_rules::{
    Currency, Event, Ledger, Provider, ProviderRequest, RefundError, ValidatedLedger,
};

/// The prior-refund counts every `plan` group is measured at.
pub const SIZES: [usize; 4] = [0, 10, 1_000, 100_000];

/// The captured (and authorized) amount: 1,000,000.00 USD.
pub const CAPTURED: &str = "1000000.00";

fn too_big() -> RefundError {
    RefundError::invalid_input("/ledger/refunds", "too many refunds for the fixture")
}

/// The `ledger` JSON of a captured SimplePS payment with `n` succeeded refunds of 1.00 USD,
/// ids `refund_{first}`…; `first = n + 1` takes every id the engine would try first for a new
/// refund (an adversarial but valid ledger).
///
/// Fixtures are JSON and typed values are parsed from it by the engine, so they follow the
/// ledger format as it grows (and the typed and JSON benches see the same data).
pub fn ledger_json(n: usize, first: usize) -> Result<String, RefundError> {
    let last = first.checked_add(n).ok_or_else(too_big)?;
    if n >= 1_000_000 {
        return Err(too_big());
    }
    let status = if n == 0 {
        "CAPTURED"
    } else {
        "PARTIALLY_REFUNDED"
    };
    let mut refunds = String::with_capacity(n.saturating_mul(48));
    let mut events = String::with_capacity(n.saturating_mul(24));
    events.push_str(r#""cap_1.captured""#);
    for k in first..last {
        if !refunds.is_empty() {
            refunds.push(',');
        }
        refunds.push_str(&format!(
            r#"{{"id":"refund_{k}","amount":"1.00","state":"succeeded"}}"#
        ));
        events.push_str(&format!(r#","refund_{k}.created""#));
    }
    let version = n.saturating_add(1);
    Ok(format!(
        r#"{{"id":"order-12345","currency":"USD","authorized":"{CAPTURED}","status":{{"payment":"{status}"}},"captures":[{{"id":"cap_1","amount":"{CAPTURED}","settled":true}}],"refunds":[{refunds}],"version":{version},"applied_events":[{events}]}}"#
    ))
}

/// The `plan` JSON document: [`ledger_json`]`(n, 1)` and the SimplePS request
/// `{"amount":{"total":25.00,"currency":"USD"}}`.
pub fn plan_document(n: usize) -> Result<String, RefundError> {
    plan_document_from(n, 1)
}

fn plan_document_from(n: usize, first: usize) -> Result<String, RefundError> {
    let ledger = ledger_json(n, first)?;
    Ok(format!(
        r#"{{"provider":"simpleps","ledger":{ledger},"request":{{"amount":{{"total":25.00,"currency":"USD"}}}}}}"#
    ))
}

/// The typed ledger of [`plan_document`]`(n)`.
pub fn simpleps_ledger(n: usize) -> Result<Ledger, RefundError> {
    simpleps_ledger_from(n, 1)
}

/// The typed ledger of [`ledger_json`]`(n, first)`.
pub fn simpleps_ledger_from(n: usize, first: usize) -> Result<Ledger, RefundError> {
    Ok(parse_plan_input(&plan_document_from(n, first)?)?.ledger)
}

/// The typed request of [`plan_document`].
pub fn simpleps_request() -> Result<ProviderRequest, RefundError> {
    Ok(parse_plan_input(&plan_document(0)?)?.request)
}

/// `n` prior refunds of 1.00 (`refund_1`…) in `state`, naming `capture` when given, and the
/// applied event ids of the capture and of each refund.
fn prior_refunds(n: usize, state: &str, capture: Option<&str>) -> (String, String) {
    let capture = capture
        .map(|c| format!(r#","capture_id":"{c}""#))
        .unwrap_or_default();
    let refunds = list(n, |k| {
        format!(r#"{{"id":"refund_{k}","amount":"1.00","state":"{state}"{capture}}}"#)
    });
    let mut events = String::from(r#""cap_1.captured""#);
    for k in 1..=n {
        events.push_str(&format!(r#","refund_{k}.created""#));
    }
    (refunds, events)
}

/// A `plan` document for `provider` that every rule lets through, on a captured (and settled)
/// payment with `n` prior refunds of 1.00: the SimplePS document of [`plan_document`]; a
/// Fiserv refund of 25.00 inside the 12-month window; an Alternative Payments full refund of
/// 250.00 (it refunds whole payments only, so its prior refunds failed); a Digital River
/// order-level refund of 25.00 (no lines); a Commerce Layer `_refund` of 2,500 cents on the
/// capture.
pub fn decide_document(provider: Provider, n: usize) -> Result<String, RefundError> {
    if n >= 1_000_000 {
        return Err(too_big());
    }
    let version = n.saturating_add(1);
    Ok(match provider {
        Provider::SimplePs => plan_document(n)?,
        Provider::FiservCommerceHub => {
            let (refunds, events) = prior_refunds(n, "succeeded", None);
            format!(
                r#"{{"provider":"fiserv_commerce_hub","ledger":{{"id":"84356531348","currency":"USD","authorized":"{CAPTURED}","status":{{"payment":"SETTLED"}},"created_at":"2024-04-22T16:22:06Z","captures":[{{"id":"cap_1","amount":"{CAPTURED}","settled":true,"captured_at":"2024-04-22T16:22:06Z"}}],"refunds":[{refunds}],"version":{version},"applied_events":[{events}]}},"request":{{"amount":{{"total":25.00,"currency":"USD"}}}},"now":"2024-05-01T10:00:00Z"}}"#
            )
        }
        Provider::AlternativePayments => {
            let (refunds, events) = prior_refunds(n, "failed", None);
            format!(
                r#"{{"provider":"alternative_payments","ledger":{{"id":"pay_1","currency":"USD","authorized":"250.00","status":{{"payment":"paid"}},"captures":[{{"id":"cap_1","amount":"250.00","settled":true}}],"refunds":[{refunds}],"version":{version},"applied_events":[{events}]}},"request":{{"payment_id":"pay_1","reason":{{"type":"Customer Request"}}}}}}"#
            )
        }
        Provider::DigitalRiver => {
            let (refunds, events) = prior_refunds(n, "succeeded", None);
            format!(
                r#"{{"provider":"digital_river","ledger":{{"id":"o_1","currency":"USD","authorized":"{CAPTURED}","status":{{"payment":"complete"}},"captures":[{{"id":"cap_1","amount":"{CAPTURED}","settled":true}}],"refunds":[{refunds}],"version":{version},"applied_events":[{events}]}},"request":{{"orderId":"o_1","currency":"USD","amount":25}}}}"#
            )
        }
        Provider::CommerceLayer => {
            let (refunds, events) = prior_refunds(n, "succeeded", Some("cap_1"));
            let payment = if n == 0 { "paid" } else { "partially_refunded" };
            format!(
                r#"{{"provider":"commerce_layer","ledger":{{"id":"ord_1","currency":"EUR","authorized":"{CAPTURED}","status":{{"payment":"{payment}","order":"approved","fulfillment":"unfulfilled"}},"captures":[{{"id":"cap_1","amount":"{CAPTURED}"}}],"refunds":[{refunds}],"version":{version},"applied_events":[{events}]}},"request":{{"data":{{"type":"captures","id":"cap_1","attributes":{{"_refund":true,"_refund_amount_cents":2500}}}}}}}}"#
            )
        }
    })
}

/// The typed parts of [`decide_document`]`(provider, n)`: ledger, request and context.
pub fn decide_call(provider: Provider, n: usize) -> Result<PlanCall, RefundError> {
    parse_plan_input(&decide_document(provider, n)?)
}

/// The `refund_created` event JSON for `refund_{k}` of `amount` USD, expected on `version`.
pub fn refund_created_json(k: usize, amount: &str, version: u64) -> String {
    format!(
        r#"{{"id":"refund_{k}.created","type":"refund_created","expected_version":{version},"refund_id":"refund_{k}","amount":"{amount}","state":"succeeded"}}"#
    )
}

/// The `apply` JSON document that records one more 25.00 USD refund on [`simpleps_ledger`]`(n)`.
pub fn apply_document(n: usize) -> Result<String, RefundError> {
    let ledger = ledger_json(n, 1)?;
    let version = u64::try_from(n.saturating_add(1)).map_err(|_| too_big())?;
    let event = refund_created_json(n.saturating_add(1), "25.00", version);
    Ok(format!(
        r#"{{"provider":"simpleps","ledger":{ledger},"event":{event}}}"#
    ))
}

fn event(json: &str) -> Result<Event, RefundError> {
    let doc: EventDoc = serde_json::from_str(json)
        .map_err(|e| RefundError::invalid_input("/event", e.to_string()))?;
    let usd = Currency::from_code("USD").map_err(|problem| RefundError::UnknownCurrency {
        pointer: "/event/amount".to_owned(),
        problem,
    })?;
    doc.into_event(usd, "/event")
}

/// The typed `refund_created` event for `refund_{k}` of `amount` USD, expected on `version`.
pub fn refund_created(k: usize, amount: &str, version: u64) -> Result<Event, RefundError> {
    event(&refund_created_json(k, amount, version))
}

/// An authorized SimplePS payment of 100.00 USD with nothing captured yet.
pub fn authorized_ledger() -> Result<Ledger, RefundError> {
    let doc = r#"{"provider":"simpleps","ledger":{"id":"order-12345","currency":"USD","authorized":"100.00","status":{"payment":"AUTHORIZED"}}}"#;
    Ok(parse_plan_input(doc)?.ledger)
}

/// The life of a payment as `len` events (2 ≤ `len` ≤ 100) on [`authorized_ledger`]: the full
/// capture of 100.00, `len − 2` partial refunds of 1.00, then the refund of what remains
/// (status `CAPTURED` → `PARTIALLY_REFUNDED` → `REFUNDED`).
pub fn lifecycle(len: usize) -> Result<Vec<Event>, RefundError> {
    let refunds = len.checked_sub(1).ok_or_else(too_big)?;
    let partials = refunds.checked_sub(1).ok_or_else(too_big)?;
    let last_cents = u64::try_from(partials)
        .ok()
        .and_then(|p| 10_000_u64.checked_sub(p.checked_mul(100)?))
        .filter(|c| *c > 0)
        .ok_or_else(too_big)?;
    let mut events = Vec::with_capacity(len);
    events.push(event(
        r#"{"id":"cap_1.captured","type":"payment_captured","expected_version":0,"capture_id":"cap_1","amount":"100.00","settled":true}"#,
    )?);
    let mut version = 1_u64;
    for k in 1..=refunds {
        let amount = if k == refunds {
            format!("{}.{:02}", last_cents / 100, last_cents % 100)
        } else {
            "1.00".to_owned()
        };
        events.push(refund_created(k, &amount, version)?);
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

/// [`apply_all`] on the validated path: validate `ledger` once ([`ValidatedLedger::new`]), then
/// apply each event incrementally (checks proportional to the event, not the ledger).
pub fn apply_all_validated(ledger: &Ledger, events: &[Event]) -> Result<Ledger, RefundError> {
    let mut valid = ValidatedLedger::new(refund_rules::Provider::SimplePs, ledger.clone())?;
    for event in events {
        valid.apply(event)?;
    }
    Ok(valid.into_ledger())
}

/// A document whose size grows with one collection, for the linearity test: the JSON surface
/// operation to run and `n` → its input text.
#[derive(Debug, Clone, Copy)]
pub struct CollectionCase {
    /// `collection: operation provider`, e.g. `captures: plan simpleps`.
    pub name: &'static str,
    /// The operation (`json::Operation`) the document is for.
    pub operation: refund_rules::json::Operation,
    /// Builds the document with `n` items of the collection (n ≥ 2).
    pub document: fn(usize) -> String,
}

/// `n` amounts of 1.00 written as `"{n}.00"`.
fn units(n: usize) -> String {
    format!("{n}.00")
}

fn list(n: usize, item: impl Fn(usize) -> String) -> String {
    (1..=n).map(item).collect::<Vec<_>>().join(",")
}

/// SimplePS, `n` captures of 1.00 (all captured, nothing refunded).
fn simpleps_captures_ledger(n: usize) -> String {
    let caps = list(n, |k| {
        format!(r#"{{"id":"cap_{k}","amount":"1.00","settled":true}}"#)
    });
    format!(
        r#"{{"currency":"USD","authorized":"{}","status":{{"payment":"CAPTURED"}},"captures":[{caps}],"version":1}}"#,
        units(n)
    )
}

/// Commerce Layer, `n` captures of 1.00; every capture but the last fully refunded.
fn commerce_layer_captures_ledger(n: usize) -> String {
    let caps = list(n, |k| format!(r#"{{"id":"cap_{k}","amount":"1.00"}}"#));
    let refunds = list(n.saturating_sub(1), |k| {
        format!(
            r#"{{"id":"refund_{k}","amount":"1.00","state":"succeeded","capture_id":"cap_{k}"}}"#
        )
    });
    format!(
        r#"{{"id":"ord_1","currency":"EUR","authorized":"{}","status":{{"payment":"partially_refunded","order":"approved","fulfillment":"in_progress"}},"captures":[{caps}],"refunds":[{refunds}],"version":1}}"#,
        units(n)
    )
}

/// Commerce Layer, one capture and `n` received returns.
fn commerce_layer_returns_ledger(n: usize) -> String {
    let returns = list(n, |k| {
        format!(r#"{{"id":"ret_{k}","status":"received","capture_id":"cap_1"}}"#)
    });
    format!(
        r#"{{"id":"ord_1","currency":"EUR","authorized":"{0}","status":{{"payment":"paid","order":"approved","fulfillment":"fulfilled"}},"captures":[{{"id":"cap_1","amount":"{0}"}}],"returns":[{returns}],"version":1}}"#,
        units(n)
    )
}

/// Digital River, `n` product lines of 1.00 and, when `prior`, one pending refund of 10 % of
/// every line (`n` allocations).
fn digital_river_lines_ledger(n: usize, prior: bool) -> String {
    let lines = list(n, |k| {
        format!(r#"{{"id":"li_{k}","kind":"product","amount":"1.00"}}"#)
    });
    let refunds = if prior {
        let allocations = list(n, |k| {
            format!(r#"{{"line_id":"li_{k}","amount":"0.10","percent":"10"}}"#)
        });
        format!(
            r#"{{"id":"refund_1","amount":"{}","state":"pending","allocations":[{allocations}]}}"#,
            format_args!("{}.{}0", n / 10, n % 10)
        )
    } else {
        String::new()
    };
    format!(
        r#"{{"id":"o_1","currency":"USD","authorized":"{0}","status":{{"payment":"complete"}},"captures":[{{"id":"cap_1","amount":"{0}","settled":true}}],"lines":[{lines}],"refunds":[{refunds}],"version":1}}"#,
        units(n)
    )
}

/// SimplePS, one capture and `n` applied event ids.
fn applied_events_ledger(n: usize) -> String {
    // Recorded with their type, as `apply` writes them, so a replay is recognised as one.
    let events = list(n, |k| {
        format!(r#"{{"id":"evt_{k}","type":"payment_authorized"}}"#)
    });
    format!(
        r#"{{"currency":"USD","authorized":"100.00","status":{{"payment":"CAPTURED"}},"captures":[{{"id":"cap_1","amount":"100.00"}}],"version":{n},"applied_events":[{events}]}}"#
    )
}

fn refund_event(id: &str, amount: &str, state: &str, extra: &str) -> String {
    format!(
        r#"{{"id":"{id}.created","type":"refund_created","refund_id":"{id}","amount":"{amount}","state":"{state}"{extra}}}"#
    )
}

/// Every collection the engine walks, for `plan`, `apply` and `refundable` where each applies.
pub fn collection_cases() -> Vec<CollectionCase> {
    use refund_rules::json::Operation::{Apply, Plan, Refundable};
    vec![
        CollectionCase {
            name: "captures: plan simpleps",
            operation: Plan,
            document: |n| {
                format!(
                    r#"{{"provider":"simpleps","ledger":{},"request":{{"amount":{{"total":1.00,"currency":"USD"}}}}}}"#,
                    simpleps_captures_ledger(n)
                )
            },
        },
        CollectionCase {
            name: "captures: apply simpleps",
            operation: Apply,
            document: |n| {
                format!(
                    r#"{{"provider":"simpleps","ledger":{},"event":{}}}"#,
                    simpleps_captures_ledger(n),
                    refund_event("refund_1", "1.00", "succeeded", r#","capture_id":"cap_1""#)
                )
            },
        },
        CollectionCase {
            name: "captures: refundable simpleps",
            operation: Refundable,
            document: |n| {
                format!(
                    r#"{{"provider":"simpleps","ledger":{},"capture_id":"cap_2"}}"#,
                    simpleps_captures_ledger(n)
                )
            },
        },
        CollectionCase {
            name: "captures: plan commerce_layer order",
            operation: Plan,
            document: |n| {
                format!(
                    r#"{{"provider":"commerce_layer","ledger":{},"request":{{"data":{{"type":"orders","id":"ord_1","attributes":{{"_refund":true}}}}}}}}"#,
                    commerce_layer_captures_ledger(n)
                )
            },
        },
        CollectionCase {
            name: "captures: plan commerce_layer capture",
            operation: Plan,
            document: |n| {
                format!(
                    r#"{{"provider":"commerce_layer","ledger":{},"request":{{"data":{{"type":"captures","id":"cap_{n}","attributes":{{"_refund":true}}}}}}}}"#,
                    commerce_layer_captures_ledger(n)
                )
            },
        },
        CollectionCase {
            name: "captures: refundable commerce_layer",
            operation: Refundable,
            document: |n| {
                format!(
                    r#"{{"provider":"commerce_layer","ledger":{}}}"#,
                    commerce_layer_captures_ledger(n)
                )
            },
        },
        CollectionCase {
            name: "returns: plan commerce_layer return",
            operation: Plan,
            document: |n| {
                format!(
                    r#"{{"provider":"commerce_layer","ledger":{},"request":{{"data":{{"type":"returns","id":"ret_{n}","attributes":{{"_refund_amount_cents":100,"_refund":true}}}}}}}}"#,
                    commerce_layer_returns_ledger(n)
                )
            },
        },
        CollectionCase {
            name: "returns: refundable commerce_layer",
            operation: Refundable,
            document: |n| {
                format!(
                    r#"{{"provider":"commerce_layer","ledger":{}}}"#,
                    commerce_layer_returns_ledger(n)
                )
            },
        },
        CollectionCase {
            name: "lines: plan digital_river percent",
            operation: Plan,
            document: |n| {
                format!(
                    r#"{{"provider":"digital_river","ledger":{},"request":{{"orderId":"o_1","currency":"USD","percent":10}}}}"#,
                    digital_river_lines_ledger(n, false)
                )
            },
        },
        CollectionCase {
            name: "lines: plan digital_river items",
            operation: Plan,
            document: |n| {
                let items = list(n, |k| format!(r#"{{"itemId":"li_{k}","percent":10}}"#));
                format!(
                    r#"{{"provider":"digital_river","ledger":{},"request":{{"orderId":"o_1","currency":"USD","items":[{items}]}}}}"#,
                    digital_river_lines_ledger(n, false)
                )
            },
        },
        CollectionCase {
            name: "allocations: plan digital_river percent",
            operation: Plan,
            document: |n| {
                format!(
                    r#"{{"provider":"digital_river","ledger":{},"request":{{"orderId":"o_1","currency":"USD","percent":10}}}}"#,
                    digital_river_lines_ledger(n, true)
                )
            },
        },
        CollectionCase {
            name: "allocations: apply digital_river",
            operation: Apply,
            document: |n| {
                let allocations = list(n, |k| {
                    format!(r#"{{"line_id":"li_{k}","amount":"0.10","percent":"10"}}"#)
                });
                let amount = format!("{}.{}0", n / 10, n % 10);
                format!(
                    r#"{{"provider":"digital_river","ledger":{},"event":{}}}"#,
                    digital_river_lines_ledger(n, true),
                    refund_event(
                        "refund_2",
                        &amount,
                        "pending",
                        &format!(r#","allocations":[{allocations}]"#)
                    )
                )
            },
        },
        CollectionCase {
            name: "allocations: refundable digital_river",
            operation: Refundable,
            document: |n| {
                format!(
                    r#"{{"provider":"digital_river","ledger":{}}}"#,
                    digital_river_lines_ledger(n, true)
                )
            },
        },
        CollectionCase {
            name: "applied events: apply simpleps",
            operation: Apply,
            document: |n| {
                format!(
                    r#"{{"provider":"simpleps","ledger":{},"event":{}}}"#,
                    applied_events_ledger(n),
                    refund_event("refund_1", "1.00", "succeeded", "")
                )
            },
        },
        CollectionCase {
            name: "applied events: re-apply simpleps",
            operation: Apply,
            document: |n| {
                format!(
                    r#"{{"provider":"simpleps","ledger":{},"event":{{"id":"evt_1","type":"payment_authorized"}}}}"#,
                    applied_events_ledger(n)
                )
            },
        },
    ]
}
