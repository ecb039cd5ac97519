//! Hand-written [proptest] strategies over the engine's real types, for property tests in this
//! crate and in downstream crates (feature `proptest`).
//!
//! Amounts are written by hand on purpose (never `any::<Decimal>()`): the scale is bounded by the
//! currency's exponent and the magnitude reaches the `i64` overflow edge. Ledgers are *reached*,
//! not invented: [`ledger`] replays generated [`Op`]s through [`apply`](crate::apply), so every
//! ledger it yields is one the engine itself can produce, for any provider with tables.
//!
//! Adding a provider means adding it to [`COVERED_PROVIDERS`] and its arm to [`request_body`]
//! (generated bodies) and [`amount_request`] (the body for a given amount); ledgers, event
//! sequences and plan cases follow from its transition tables.
//!
//! ```
//! use proptest::prelude::*;
//! use refund_rules::strategies::{COVERED_PROVIDERS, plan_case};
//!
//! proptest!(|(case in plan_case(COVERED_PROVIDERS[0]))| {
//!     // Whatever the engine decides, it never plans more than is available.
//!     if let Ok(plan) = case.plan() {
//!         prop_assert!(plan.amount.minor <= plan.refundable.available);
//!     }
//! });
//! ```

use proptest::prelude::*;
use proptest::sample::select;

use crate::RefundError;
use crate::event::{Event, EventKind, apply};
use crate::ledger::{Capture, Ledger, Refund, RefundState, Statuses};
use crate::machine::{PaymentEvent, StatusMachine};
use crate::money::{Currency, Minor, Money, format_decimal};
use crate::plan::{Plan, PlanContext};
use crate::provider::{Provider, ProviderRequest};

/// Providers whose rules are implemented and covered by these strategies.
pub const COVERED_PROVIDERS: &[Provider] = &[Provider::SimplePs];

/// Currency codes drawn by [`currencies`]: ISO exponents 0, 2, 3 and 4.
pub const CURRENCY_CODES: &[&str] = &[
    "JPY", "KRW", "ISK", "CLP", "VND", // exponent 0
    "USD", "EUR", "GBP", "CHF", "BRL", "INR", // exponent 2
    "KWD", "BHD", "JOD", "OMR", "TND", "IQD", // exponent 3
    "CLF", "UYW", // exponent 4
];

/// A payment currency with exponent 0, 2, 3 or 4.
pub fn currencies() -> BoxedStrategy<Currency> {
    select(CURRENCY_CODES)
        .prop_filter_map("an ISO 4217 payment currency", |c| {
            Currency::from_code(c).ok()
        })
        .boxed()
}

/// A positive amount in minor units: mostly small, sometimes huge, sometimes at `i64::MAX`.
pub fn positive_minor() -> BoxedStrategy<Minor> {
    prop_oneof![
        4 => 1_i64..=10_000,
        3 => 1_i64..=1_000_000_000,
        1 => 1_i64..=i64::MAX,
        1 => 9_223_372_036_854_774_807_i64..=i64::MAX,
        1 => Just(i64::MAX),
    ]
    .prop_map(Minor::new)
    .boxed()
}

/// A non-negative amount in minor units (zero included), up to `i64::MAX`.
pub fn non_negative_minor() -> BoxedStrategy<Minor> {
    prop_oneof![1 => Just(Minor::ZERO), 9 => positive_minor()].boxed()
}

/// An amount with its currency.
pub fn money() -> BoxedStrategy<Money> {
    (currencies(), non_negative_minor())
        .prop_map(|(c, m)| Money::new(m, c))
        .boxed()
}

/// Decimal text for `minor` in `exponent`, with the fraction's trailing zeros dropped
/// (`"25.50"` → `"25.5"`, `"100.00"` → `"100"`): the same value in fewer decimals.
pub fn short_decimal(minor: Minor, exponent: u8) -> String {
    let full = format_decimal(minor, exponent);
    if full.contains('.') {
        full.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        full
    }
}

/// Valid decimal text for a money value in its currency (full or shortened decimals).
pub fn decimal_text() -> BoxedStrategy<(String, Money)> {
    (money(), any::<bool>())
        .prop_map(|(m, short)| {
            let e = m.currency.exponent();
            let text = if short {
                short_decimal(m.minor, e)
            } else {
                format_decimal(m.minor, e)
            };
            (text, m)
        })
        .boxed()
}

fn digit_string(len: core::ops::RangeInclusive<usize>) -> BoxedStrategy<String> {
    proptest::collection::vec(0_u32..10, len)
        .prop_map(|ds| {
            ds.into_iter()
                .filter_map(|d| char::from_digit(d, 10))
                .collect()
        })
        .boxed()
}

/// Plain decimal text with more decimals than `exponent` allows (trailing zeros included:
/// `25.000` is too precise for USD). Always an error, never a rounding.
pub fn over_precise_text(exponent: u8) -> BoxedStrategy<String> {
    let min = usize::from(exponent).saturating_add(1);
    let max = min.saturating_add(8);
    (
        prop_oneof![
            Just("0".to_owned()),
            (1_u64..=u64::MAX).prop_map(|n| n.to_string())
        ],
        digit_string(min..=max),
    )
        .prop_map(|(int, frac)| format!("{int}.{frac}"))
        .boxed()
}

/// How an operation picks its amount, relative to what is available when it runs.
///
/// Resolving late keeps generated sequences meaningful (and shrinking readable) whatever the
/// earlier operations did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmountPick {
    /// Exactly what is available.
    All,
    /// One minor unit above what is available.
    OneOver,
    /// One minor unit.
    One,
    /// Zero (always refused).
    Zero,
    /// A share of what is available, in 1/65536ths, at least one minor unit.
    Share(u16),
    /// A fixed amount, whatever is available.
    Fixed(Minor),
}

impl AmountPick {
    /// The amount this pick means when `available` is available (saturating at `i64::MAX`).
    pub fn resolve(self, available: Minor) -> Minor {
        let a = available.get();
        match self {
            Self::All => available,
            Self::OneOver => Minor::new(a.saturating_add(1)),
            Self::One => Minor::new(1),
            Self::Zero => Minor::ZERO,
            Self::Share(s) => {
                let part = i128::from(a)
                    .checked_mul(i128::from(s))
                    .and_then(|x| x.checked_div(65_536))
                    .and_then(|x| i64::try_from(x).ok())
                    .unwrap_or(0);
                Minor::new(part.max(1))
            }
            Self::Fixed(m) => m,
        }
    }
}

/// An [`AmountPick`], weighted toward the interesting edges.
pub fn amount_pick() -> BoxedStrategy<AmountPick> {
    prop_oneof![
        3 => Just(AmountPick::All),
        2 => Just(AmountPick::OneOver),
        1 => Just(AmountPick::One),
        1 => Just(AmountPick::Zero),
        5 => any::<u16>().prop_map(AmountPick::Share),
        1 => positive_minor().prop_map(AmountPick::Fixed),
    ]
    .boxed()
}

/// One step in a payment's life, resolved against the ledger when it runs (see [`op_event`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// Authentication passed.
    Authorize,
    /// Authorization declined.
    Decline,
    /// Authorization voided.
    Void,
    /// A capture of part or all of the uncaptured authorization.
    Capture {
        /// Against `authorized − captured`.
        pick: AmountPick,
        /// Captured already settled.
        settled: bool,
    },
    /// The n-th capture (modulo the count) settles.
    Settle {
        /// Capture index.
        capture: usize,
    },
    /// A refund is created at the provider.
    CreateRefund {
        /// Against what is available.
        pick: AmountPick,
        /// Index into the provider's initial refund states (modulo).
        state: usize,
        /// Per-capture refund: index into the captures (modulo), or payment-level.
        capture: Option<usize>,
    },
    /// The n-th refund (modulo) moves by a refund event.
    MoveRefund {
        /// Refund index.
        refund: usize,
        /// `refund_succeeded`, `refund_failed` or `refund_expired`.
        event: RefundMove,
    },
}

/// The refund lifecycle events of [`Op::MoveRefund`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundMove {
    /// `refund_succeeded`.
    Succeed,
    /// `refund_failed`.
    Fail,
    /// `refund_expired`.
    Expire,
}

/// An [`Op`].
pub fn op() -> BoxedStrategy<Op> {
    prop_oneof![
        1 => Just(Op::Authorize),
        1 => Just(Op::Decline),
        1 => Just(Op::Void),
        4 => (amount_pick(), any::<bool>()).prop_map(|(pick, settled)| Op::Capture { pick, settled }),
        1 => (0_usize..4).prop_map(|capture| Op::Settle { capture }),
        6 => (amount_pick(), 0_usize..4, proptest::option::of(0_usize..4))
            .prop_map(|(pick, state, capture)| Op::CreateRefund { pick, state, capture }),
        2 => (0_usize..8, select(vec![RefundMove::Succeed, RefundMove::Fail, RefundMove::Expire]))
            .prop_map(|(refund, event)| Op::MoveRefund { refund, event }),
    ]
    .boxed()
}

/// A sequence of up to `max` [`Op`]s.
pub fn ops(max: usize) -> BoxedStrategy<Vec<Op>> {
    proptest::collection::vec(op(), 0..=max).boxed()
}

fn nth<T>(items: &[T], n: usize) -> Option<&T> {
    n.checked_rem(items.len()).and_then(|i| items.get(i))
}

/// The event `op` stands for on `ledger`; `seq` makes the event id unique (`ev_<seq>`).
/// `None` when the op has nothing to refer to (no capture to settle, no refund to move).
pub fn op_event(provider: Provider, ledger: &Ledger, op: &Op, seq: usize) -> Option<Event> {
    let currency = ledger.currency;
    let kind = match op {
        Op::Authorize => EventKind::PaymentAuthorized,
        Op::Decline => EventKind::PaymentDeclined,
        Op::Void => EventKind::PaymentVoided,
        Op::Capture { pick, settled } => {
            let captured = ledger.captured_total().ok()?;
            let open = ledger.authorized.saturating_sub_floor_zero(captured);
            EventKind::PaymentCaptured {
                capture_id: format!("cap_{}", ledger.captures.len().saturating_add(1)),
                amount: Money::new(pick.resolve(open), currency),
                settled: *settled,
                captured_at: None,
            }
        }
        Op::Settle { capture } => EventKind::CaptureSettled {
            capture_id: nth(&ledger.captures, *capture)?.id.clone(),
        },
        Op::CreateRefund {
            pick,
            state,
            capture,
        } => {
            let initial = provider.machines().refund_initial;
            let state = *nth(initial, *state)?;
            let capture_id = capture
                .and_then(|c| nth(&ledger.captures, c))
                .map(|c| c.id.clone());
            let available = match &capture_id {
                Some(id) => ledger.refundable_for_capture(id).ok()?.available,
                None => ledger.refundable().ok()?.available,
            };
            EventKind::RefundCreated {
                refund_id: format!("refund_{}", ledger.refunds.len().saturating_add(1)),
                amount: Money::new(pick.resolve(available), currency),
                state,
                capture_id,
                idempotency_key: None,
                fingerprint: None,
                return_id: None,
                allocations: Vec::new(),
            }
        }
        Op::MoveRefund { refund, event } => {
            let refund_id = nth(&ledger.refunds, *refund)?.id.clone();
            match event {
                RefundMove::Succeed => EventKind::RefundSucceeded { refund_id },
                RefundMove::Fail => EventKind::RefundFailed { refund_id },
                RefundMove::Expire => EventKind::RefundExpired { refund_id },
            }
        }
    };
    Some(Event {
        id: format!("ev_{seq}"),
        expected_version: Some(ledger.version),
        kind,
    })
}

/// One step of a [`replay`].
#[derive(Debug, Clone)]
pub struct Step {
    /// The event tried.
    pub event: Event,
    /// The ledger it was applied to.
    pub before: Ledger,
    /// What `apply` answered.
    pub outcome: Result<Ledger, RefundError>,
}

/// Applies `ops` in order, keeping each successful result; returns the final ledger and steps.
pub fn replay(provider: Provider, start: Ledger, ops: &[Op]) -> (Ledger, Vec<Step>) {
    let mut ledger = start;
    let mut steps = Vec::with_capacity(ops.len());
    for (seq, op) in ops.iter().enumerate() {
        let Some(event) = op_event(provider, &ledger, op, seq) else {
            continue;
        };
        let outcome = apply(provider, &ledger, &event).map(|a| a.ledger);
        let before = ledger.clone();
        if let Ok(next) = &outcome {
            ledger = next.clone();
        }
        steps.push(Step {
            event,
            before,
            outcome,
        });
    }
    (ledger, steps)
}

/// States of `machine` that a payment can start in: no transition leads into them, or a
/// capture or authentication leads out of them.
pub fn start_states(machine: &StatusMachine) -> Vec<&'static str> {
    machine
        .states
        .iter()
        .copied()
        .filter(|s| {
            let entered = machine
                .transitions
                .iter()
                .any(|t| t.to == *s && t.from != *s);
            let starts = machine.transitions.iter().any(|t| {
                t.from == *s
                    && matches!(
                        t.event,
                        PaymentEvent::Authorize
                            | PaymentEvent::CaptureFull
                            | PaymentEvent::CapturePartial
                    )
            });
            !entered || starts
        })
        .collect()
}

fn pick_state(machine: Option<&StatusMachine>) -> BoxedStrategy<Option<String>> {
    match machine.map(start_states) {
        Some(states) if !states.is_empty() => {
            select(states).prop_map(|s| Some(s.to_owned())).boxed()
        }
        _ => Just(None).boxed(),
    }
}

/// Starting statuses of a fresh payment for `provider` (empty for providers without tables).
pub fn start_statuses(provider: Provider) -> BoxedStrategy<Statuses> {
    let m = provider.machines();
    (
        pick_state(Some(&m.payment)),
        pick_state(m.order.as_ref()),
        pick_state(m.fulfillment.as_ref()),
    )
        .prop_map(|(payment, order, fulfillment)| Statuses {
            payment: payment.unwrap_or_default(),
            order,
            fulfillment,
        })
        .boxed()
}

/// A fresh, uncaptured ledger for `provider`.
pub fn fresh_ledger(provider: Provider) -> BoxedStrategy<Ledger> {
    (currencies(), positive_minor(), start_statuses(provider))
        .prop_map(|(currency, authorized, status)| Ledger {
            id: Some("pay_1".to_owned()),
            currency,
            authorized,
            status,
            created_at: None,
            captures: Vec::new(),
            refunds: Vec::new(),
            version: 0,
            applied_events: Vec::new(),
            lines: Vec::new(),
            returns: Vec::new(),
        })
        .boxed()
}

/// A ledger `provider` can reach: a fresh ledger moved by up to 12 generated operations through
/// `apply` (captures, settlements, refunds created in every initial state and moved through the
/// refund table).
pub fn ledger(provider: Provider) -> BoxedStrategy<Ledger> {
    (
        fresh_ledger(provider),
        prop_oneof![Just(vec![Op::Authorize]), Just(vec![])],
        ops(12),
    )
        .prop_map(move |(start, mut prefix, rest)| {
            // Most payments get captured: put a capture early so refunds have something to do.
            prefix.push(Op::Capture {
                pick: AmountPick::All,
                settled: true,
            });
            prefix.extend(rest);
            replay(provider, start, &prefix).0
        })
        .boxed()
}

/// A ledger with captures and refunds in arbitrary canonical states, for the provider-neutral
/// [`Ledger::refundable`] breakdown. It passes [`Ledger::check`] but no provider's tables.
pub fn breakdown_ledger() -> BoxedStrategy<Ledger> {
    (
        currencies(),
        proptest::collection::vec(positive_minor(), 1..4),
        proptest::collection::vec((amount_pick(), select(RefundState::ALL.to_vec())), 0..10),
    )
        .prop_map(|(currency, capture_amounts, picks)| {
            // Keep captures summable: scale each down so the total fits in i64.
            let count = i64::try_from(capture_amounts.len()).unwrap_or(1).max(1);
            let captures: Vec<Capture> = capture_amounts
                .into_iter()
                .enumerate()
                .map(|(i, a)| Capture {
                    id: format!("cap_{i}"),
                    amount: Minor::new(a.get().checked_div(count).unwrap_or(1).max(1)),
                    settled: true,
                    captured_at: None,
                })
                .collect();
            let captured =
                Minor::checked_sum(captures.iter().map(|c| c.amount)).unwrap_or_default();
            let mut ledger = Ledger {
                id: None,
                currency,
                authorized: captured,
                status: Statuses {
                    payment: "CAPTURED".to_owned(),
                    order: None,
                    fulfillment: None,
                },
                created_at: None,
                captures,
                refunds: Vec::new(),
                version: 0,
                applied_events: Vec::new(),
                lines: Vec::new(),
                returns: Vec::new(),
            };
            for (i, (pick, state)) in picks.into_iter().enumerate() {
                let available = ledger.refundable().map(|r| r.available).unwrap_or_default();
                let ceiling = if state.reserves() || state == RefundState::Succeeded {
                    available
                } else {
                    // Failed and expired refunds hold nothing back; any positive amount is fine.
                    captured
                };
                let amount = pick.resolve(ceiling);
                if amount.is_positive() && amount <= ceiling {
                    ledger.refunds.push(Refund {
                        id: format!("refund_{i}"),
                        amount,
                        state,
                        capture_id: None,
                        idempotency_key: None,
                        fingerprint: None,
                        return_id: None,
                        allocations: Vec::new(),
                    });
                }
            }
            ledger
        })
        .boxed()
}

/// A provider request body and options as JSON text (`None` = absent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestDoc {
    /// The body in the provider's own shape.
    pub body: Option<String>,
    /// Merchant options.
    pub options: Option<String>,
}

/// A request body for `provider` against `ledger`: no amount, exact amounts around what is
/// available (in full or shortened decimals), too many decimals, zero, negative, other
/// currencies. One arm per provider.
pub fn request_body(provider: Provider, ledger: &Ledger) -> BoxedStrategy<RequestDoc> {
    let currency = ledger.currency;
    let available = ledger.refundable().map(|r| r.available).unwrap_or_default();
    match provider {
        Provider::SimplePs => simpleps_body(currency, available),
        // Not covered yet: the strategy for a new provider goes here.
        Provider::FiservCommerceHub
        | Provider::AlternativePayments
        | Provider::DigitalRiver
        | Provider::CommerceLayer => Just(RequestDoc {
            body: None,
            options: None,
        })
        .boxed(),
    }
}

/// The request body asking `provider` to refund `amount` (`None`: the provider's "no amount"
/// form, which refunds what is available). One arm per provider.
pub fn amount_request(provider: Provider, amount: Option<Money>) -> RequestDoc {
    let body = match (provider, amount) {
        (_, None) => None,
        (Provider::SimplePs, Some(m)) => Some(format!(
            r#"{{"amount":{{"total":{},"currency":"{}"}}}}"#,
            m.to_decimal_string(),
            m.currency
        )),
        // Not covered yet: the body of a new provider goes here.
        (
            Provider::FiservCommerceHub
            | Provider::AlternativePayments
            | Provider::DigitalRiver
            | Provider::CommerceLayer,
            Some(_),
        ) => None,
    };
    RequestDoc {
        body,
        options: None,
    }
}

/// The text of an amount: exact (full or short decimals), over-precise, or negative.
fn amount_text(currency: Currency, available: Minor) -> BoxedStrategy<String> {
    let e = currency.exponent();
    prop_oneof![
        6 => (amount_pick(), any::<bool>()).prop_map(move |(p, short)| {
            let m = p.resolve(available);
            if short { short_decimal(m, e) } else { format_decimal(m, e) }
        }),
        1 => over_precise_text(e),
        1 => amount_pick().prop_map(move |p| format!("-{}", format_decimal(p.resolve(available), e))),
    ]
    .boxed()
}

fn simpleps_body(currency: Currency, available: Minor) -> BoxedStrategy<RequestDoc> {
    let code = prop_oneof![
        4 => Just(currency.code().to_owned()),
        1 => currencies().prop_map(|c| c.code().to_owned()),
        1 => Just(currency.code().to_ascii_lowercase()),
    ];
    let body = prop_oneof![
        1 => Just(None),
        1 => Just(Some("{}".to_owned())),
        1 => Just(Some("null".to_owned())),
        6 => amount_text(currency, available)
            .prop_map(|t| Some(format!(r#"{{"amount":{{"total":{t}}}}}"#))),
        4 => (amount_text(currency, available), code.clone())
            .prop_map(|(t, c)| Some(format!(r#"{{"amount":{{"total":{t},"currency":"{c}"}}}}"#))),
        1 => code.prop_map(|c| Some(format!(r#"{{"amount":{{"currency":"{c}"}}}}"#))),
    ];
    body.prop_map(|body| RequestDoc {
        body,
        options: None,
    })
    .boxed()
}

/// A plan input: a reachable ledger and a request for it.
#[derive(Debug, Clone)]
pub struct PlanCase {
    /// The provider.
    pub provider: Provider,
    /// The ledger.
    pub ledger: Ledger,
    /// The request.
    pub request: RequestDoc,
}

impl PlanCase {
    /// Plans through the typed API (parse the body, then [`crate::plan`]).
    pub fn plan(&self) -> Result<Plan, RefundError> {
        self.plan_with(&PlanContext::default())
    }

    /// Plans through the typed API with a context.
    pub fn plan_with(&self, ctx: &PlanContext) -> Result<Plan, RefundError> {
        let request = ProviderRequest::from_json(
            self.provider,
            self.request.body.as_deref(),
            self.request.options.as_deref(),
        )?;
        crate::provider::plan(&self.ledger, &request, ctx)
    }

    /// The `plan` document of the JSON surface.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        let ledger = serde_json::to_string(&self.ledger)?;
        let mut doc = format!(r#"{{"provider":"{}","ledger":{ledger}"#, self.provider);
        if let Some(b) = &self.request.body {
            doc.push_str(&format!(r#","request":{b}"#));
        }
        if let Some(o) = &self.request.options {
            doc.push_str(&format!(r#","options":{o}"#));
        }
        doc.push('}');
        Ok(doc)
    }
}

/// A reachable ledger of `provider` and a request body for it.
pub fn plan_case(provider: Provider) -> BoxedStrategy<PlanCase> {
    ledger(provider)
        .prop_flat_map(move |ledger| {
            request_body(provider, &ledger).prop_map(move |request| PlanCase {
                provider,
                ledger: ledger.clone(),
                request,
            })
        })
        .boxed()
}

/// Any covered provider.
pub fn covered_provider() -> BoxedStrategy<Provider> {
    select(COVERED_PROVIDERS.to_vec()).boxed()
}

/// A plan case for any covered provider.
pub fn any_plan_case() -> BoxedStrategy<PlanCase> {
    covered_provider().prop_flat_map(plan_case).boxed()
}

/// An arbitrary JSON value (for the never-panics property of the JSON surface): scalars,
/// numbers with awkward text, and nested arrays/objects whose keys include the surface's own.
pub fn json_value() -> BoxedStrategy<serde_json::Value> {
    use serde_json::Value;
    let key = prop_oneof![
        select(vec![
            "provider",
            "ledger",
            "request",
            "options",
            "event",
            "amount",
            "total",
            "currency",
            "captures",
            "refunds",
            "status",
            "payment",
            "id",
            "type",
            "version",
            "state",
            "authorized",
            "minor",
            "refund_id",
            "capture_id",
            "expected_version",
            "now",
        ])
        .prop_map(str::to_owned),
        "[a-z_]{0,8}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        select(vec![
            "USD",
            "JPY",
            "KWD",
            "CLF",
            "XAU",
            "usd",
            "simpleps",
            "CAPTURED",
            "REFUNDED",
            "succeeded",
            "pending",
            "refund_created",
            "payment_captured",
            "100.00",
            "0.001",
            "1e2",
            "-1",
            "",
            "NaN",
            "92233720368547758.08",
        ])
        .prop_map(|s| Value::String(s.to_owned())),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map(key.clone(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
    .boxed()
}
