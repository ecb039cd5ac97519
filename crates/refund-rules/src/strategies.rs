//! Hand-written [proptest] strategies over the engine's real types, for property tests in this
//! crate and in downstream crates (feature `proptest`).
//!
//! Amounts are written by hand on purpose (never `any::<Decimal>()`): the scale is bounded by the
//! currency's exponent and the magnitude reaches the `i64` overflow edge. Ledgers are *reached*,
//! not invented: [`ledger`] replays generated [`Op`]s through [`apply`](crate::apply), so every
//! ledger it yields is one the engine itself can produce, for any provider with tables.
//!
//! Adding a provider means adding it to [`COVERED_PROVIDERS`] and its arm to [`request_body`]
//! (generated bodies), [`amount_request`] (the body for a given amount) and, when its amounts are
//! measured against something narrower than the payment (one capture), [`amount_scope`];
//! ledgers, event sequences and plan cases follow from its transition tables. Provider-specific
//! ledger parts are drawn by [`fresh_ledger`]: Digital River order `lines`, a Fiserv
//! `created_at` (with [`plan_now`] inside its 12-month window).
//!
//! # What [`ledger`] generates, per provider
//!
//! Start statuses are consistent ([`capturable_statuses`], four times in five): no caller picks
//! an initial status. Shares measured over 1,000 deterministic ledgers (`tests/generators.rs`
//! asserts minimums: ≥ 30% with a refund, ≥ 10% pending where the provider has pending refunds,
//! ≥ 10% with several captures where it keeps them, ≥ 10% lines / returns, ≥ 10% fully refunded,
//! ≥ 3% one minor unit left, ≥ 10% zero- and three-decimal currencies, ≥ 3% near `i64::MAX`):
//!
//! | provider | start | ≥ 1 refund | pending | failed | 2+ captures | lines / returns | fully refunded | 1 unit left |
//! |---|---|---|---|---|---|---|---|---|
//! | SimplePS | `AUTHORIZED` | 81% | — (synchronous) | — | — (one capture) | — | 55% | 10% |
//! | Fiserv | `AUTHORIZED` | 75% | 31% | 2% | — (one capture) | — | 49% | 9% |
//! | Alternative Payments | `unpaid` | 42% | 34% | 5% | — (one capture) | — | 38% | — (full only) |
//! | Digital River | `accepted` / `fulfilled` | 70% | 66% | 9% | 36% | lines 100% | 42% | 10% |
//! | Commerce Layer | `authorized` / `placed` / `unfulfilled` | 68% | 30% | — | 29% | returns 67% | 34% | 6% |
//!
//! About a quarter of ledgers of each provider are in a zero-decimal currency, a third in a
//! three-decimal one, and a quarter (Fiserv: 7%, its 12-digit totals) authorize more than
//! `i64::MAX / 2`.
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
use crate::allocation::largest_remainder;
use crate::engine::apply;
use crate::event::{Event, EventKind};
use crate::ledger::{Capture, Ledger, Line, LineKind, Refund, RefundState, Return, Statuses};
use crate::machine::{PaymentEvent, StatusMachine};
use crate::money::{Currency, Minor, Money, format_decimal};
use crate::plan::{Plan, PlanContext};
use crate::provider::{Provider, ProviderRequest, RequestScope};
use crate::time::Timestamp;

/// Providers whose rules are implemented and covered by these strategies: all five.
pub const COVERED_PROVIDERS: &[Provider] = &[
    Provider::SimplePs,
    Provider::FiservCommerceHub,
    Provider::AlternativePayments,
    Provider::DigitalRiver,
    Provider::CommerceLayer,
];

/// When generated Fiserv payments were made (`created_at`): 2024-04-22T16:22:06Z, the FS1
/// example's date. [`plan_now`] plans one month later, inside the 12-month window.
pub const FISERV_CREATED_AT: Timestamp = Timestamp::from_unix_seconds(1_713_802_926);

/// The proptest configuration the project's properties use: 1,000 cases unless
/// `PROPTEST_CASES` says otherwise (long runs: `scripts/long-run`), with a `prop_assume` budget
/// that grows with the case count. `PROPTEST_RNG_SEED` fixes the seed (`./scripts/test` does).
pub fn test_config() -> proptest::test_runner::Config {
    let mut c = proptest::test_runner::Config::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        c.cases = 1_000;
    }
    c.max_global_rejects = c.max_global_rejects.max(c.cases);
    c
}

/// The `now` a plan of `ledger` is made at: one month after the ledger's reference time
/// (`created_at`, else the earliest `captured_at`), so Fiserv's 12-month refund window is open;
/// `None` when the ledger has no time (nothing to measure).
pub fn plan_now(ledger: &Ledger) -> Option<Timestamp> {
    let reference = ledger
        .created_at
        .or_else(|| ledger.captures.iter().filter_map(|c| c.captured_at).min())?;
    reference.checked_add_months(1)
}

/// The plan context generated cases use: [`plan_now`] and the given refund id.
pub fn plan_context(ledger: &Ledger, refund_id: Option<String>) -> PlanContext {
    PlanContext {
        now: plan_now(ledger),
        refund_id,
    }
}

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
    /// One minor unit below what is available (leaves one minor unit; zero when nothing is).
    AllButOne,
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
            Self::AllButOne => Minor::new(a.saturating_sub(1).max(0)),
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
    /// A refund planned through the provider's own request ([`amount_request`]) and its event
    /// applied: how refunds with provider data (allocations, idempotency keys, captures) arise.
    PlanRefund {
        /// Against [`amount_scope`]; `None`: the provider's "no amount" (full) form.
        pick: Option<AmountPick>,
    },
    /// Commerce Layer: the n-th return (modulo) is refunded through its own request
    /// (`PATCH /api/returns/:id` `_refund_amount_cents`, CL5) and the plan's event applied.
    RefundReturn {
        /// Return index.
        ret: usize,
        /// Against the return's capture (its `capture_id`, else the last capture).
        pick: AmountPick,
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
        4 => proptest::option::of(amount_pick()).prop_map(|pick| Op::PlanRefund { pick }),
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
            // Commerce Layer refunds always name their capture (CL1 `reference_capture`).
            let capture = match provider {
                Provider::CommerceLayer => Some(capture.unwrap_or(0)),
                _ => *capture,
            };
            let capture_id = capture
                .and_then(|c| nth(&ledger.captures, c))
                .map(|c| c.id.clone());
            let available = match &capture_id {
                Some(id) => ledger.refundable_for_capture(id).ok()?.available,
                None => provider.refundable(ledger).ok()?.available,
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
        Op::PlanRefund { pick } => {
            let refund_id = format!("refund_{}", ledger.refunds.len().saturating_add(1));
            let amount =
                pick.map(|p| Money::new(p.resolve(amount_scope(provider, ledger)), currency));
            let case = PlanCase {
                provider,
                ledger: ledger.clone(),
                request: amount_request(provider, ledger, amount),
                now: plan_now(ledger),
            };
            let ctx = plan_context(ledger, Some(refund_id));
            let mut event = case.plan_with(&ctx).ok()?.event?;
            event.id = format!("ev_{seq}");
            return Some(event);
        }
        Op::RefundReturn { ret, pick } => {
            let ret = nth(&ledger.returns, *ret)?;
            let capture = match &ret.capture_id {
                Some(c) => c.clone(),
                None => ledger.captures.last()?.id.clone(),
            };
            let available = ledger.refundable_for_capture(&capture).ok()?.available;
            let body = format!(
                r#"{{"data":{{"type":"returns","id":"{}","attributes":{{"_refund":true,"_refund_amount_cents":{}}}}}}}"#,
                ret.id,
                pick.resolve(available).get()
            );
            let case = PlanCase {
                provider,
                ledger: ledger.clone(),
                request: RequestDoc {
                    body: Some(body),
                    options: None,
                },
                now: plan_now(ledger),
            };
            let refund_id = format!("refund_{}", ledger.refunds.len().saturating_add(1));
            let mut event = case
                .plan_with(&plan_context(ledger, Some(refund_id)))
                .ok()?
                .event?;
            event.id = format!("ev_{seq}");
            return Some(event);
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
                            | PaymentEvent::AuthorizeFree
                            | PaymentEvent::CaptureFull
                            | PaymentEvent::CapturePartial
                    )
            });
            !entered || starts
        })
        .collect()
}

/// A start state; dead ends (no transition out, e.g. `DECLINED`, `dispute`) one time in five.
fn pick_state(machine: Option<&StatusMachine>) -> BoxedStrategy<Option<String>> {
    let Some(m) = machine else {
        return Just(None).boxed();
    };
    let (live, dead): (Vec<&'static str>, Vec<&'static str>) = start_states(m)
        .into_iter()
        .partition(|s| m.transitions.iter().any(|t| t.from == *s && t.to != *s));
    match (live.is_empty(), dead.is_empty()) {
        (true, true) => Just(None).boxed(),
        (false, true) => select(live).prop_map(|s| Some(s.to_owned())).boxed(),
        (true, false) => select(dead).prop_map(|s| Some(s.to_owned())).boxed(),
        (false, false) => prop_oneof![
            4 => select(live).prop_map(|s| Some(s.to_owned())),
            1 => select(dead).prop_map(|s| Some(s.to_owned())),
        ]
        .boxed(),
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

fn is_capture(e: PaymentEvent) -> bool {
    matches!(e, PaymentEvent::CaptureFull | PaymentEvent::CapturePartial)
}

/// States of `machine` a first capture can leave: a capture leads out of them and none leads
/// into them from elsewhere (`authorized`, not `partially_paid`). Empty when no state qualifies.
pub fn capturable_states(machine: &StatusMachine) -> Vec<&'static str> {
    machine
        .states
        .iter()
        .copied()
        .filter(|s| {
            let out = machine
                .transitions
                .iter()
                .any(|t| t.from == *s && is_capture(t.event));
            let entered = machine
                .transitions
                .iter()
                .any(|t| t.to == *s && t.from != *s && is_capture(t.event));
            out && !entered
        })
        .collect()
}

fn pick_capturable(machine: Option<&StatusMachine>) -> BoxedStrategy<Option<String>> {
    match machine.map(capturable_states) {
        Some(states) if !states.is_empty() => {
            select(states).prop_map(|s| Some(s.to_owned())).boxed()
        }
        _ => pick_state(machine),
    }
}

/// Consistent statuses of a fresh payment waiting for its first capture: in every machine of
/// the provider (payment, order, fulfillment) a state a capture leads out of
/// ([`capturable_states`]), e.g. SimplePS `AUTHORIZED`, Alternative Payments `unpaid`, Digital
/// River `accepted`, Commerce Layer `authorized` / `placed` / `unfulfilled`.
pub fn capturable_statuses(provider: Provider) -> BoxedStrategy<Statuses> {
    let m = provider.machines();
    (
        pick_capturable(Some(&m.payment)),
        pick_capturable(m.order.as_ref()),
        pick_capturable(m.fulfillment.as_ref()),
    )
        .prop_map(|(payment, order, fulfillment)| Statuses {
            payment: payment.unwrap_or_default(),
            order,
            fulfillment,
        })
        .boxed()
}

/// A fresh, uncaptured ledger for `provider`, in [`capturable_statuses`] four times in five
/// (else [`start_statuses`]): Digital River orders get `lines` adding up to the
/// authorized amount (see [`order_lines`]), Fiserv charges a `created_at`
/// ([`FISERV_CREATED_AT`]).
pub fn fresh_ledger(provider: Provider) -> BoxedStrategy<Ledger> {
    // Fiserv totals have at most 12 digits (S1 "max length 12"): mostly stay within them.
    let authorized = match provider {
        Provider::FiservCommerceHub => prop_oneof![
            3 => (1_i64..=999_999_999_999).prop_map(Minor::new),
            1 => positive_minor(),
        ]
        .boxed(),
        _ => positive_minor(),
    };
    (
        currencies(),
        authorized,
        // Mostly statuses a capture leads out of in every machine; sometimes any start state
        // (challenges, dead ends, combinations no capture leaves).
        prop_oneof![4 => capturable_statuses(provider), 1 => start_statuses(provider)],
        line_shapes(),
    )
        .prop_map(move |(currency, authorized, status, shapes)| Ledger {
            id: Some("pay_1".to_owned()),
            currency,
            authorized,
            status,
            created_at: (provider == Provider::FiservCommerceHub).then_some(FISERV_CREATED_AT),
            captures: Vec::new(),
            refunds: Vec::new(),
            version: 0,
            applied_events: Vec::new(),
            lines: match provider {
                Provider::DigitalRiver => order_lines(authorized, &shapes),
                _ => Vec::new(),
            },
            returns: Vec::new(),
        })
        .boxed()
}

/// The shape of one generated order line: its kind, its weight in the order, the tax share of
/// it (in 1/65536ths) and its quantity.
pub type LineShape = (LineKind, u16, u16, u64);

/// One to four line shapes: the first a product, then products, shipping, duty or importer tax
/// (no regulatory fees: an order-level refund never takes them, DR1, so "refund everything"
/// would not be one request).
pub fn line_shapes() -> BoxedStrategy<Vec<LineShape>> {
    let kind = select(vec![
        LineKind::Product,
        LineKind::Product,
        LineKind::Shipping,
        LineKind::Duty,
        LineKind::ImporterTax,
    ]);
    (
        (1_u16.., any::<u16>(), 1_u64..=3),
        proptest::collection::vec((kind, 1_u16.., any::<u16>(), 1_u64..=3), 0..=3),
    )
        .prop_map(|((w, t, q), rest)| {
            let mut shapes = vec![(LineKind::Product, w, t, q)];
            shapes.extend(rest);
            shapes
        })
        .boxed()
}

/// Order lines adding up to `authorized` exactly: the total split over the shapes' weights by
/// largest remainder, each part split into amount and tax. Charges belong to the first product.
pub fn order_lines(authorized: Minor, shapes: &[LineShape]) -> Vec<Line> {
    let weights: Vec<i64> = shapes.iter().map(|s| i64::from(s.1)).collect();
    let parts = largest_remainder(authorized.get(), &weights).unwrap_or_default();
    shapes
        .iter()
        .zip(parts)
        .enumerate()
        .map(|(i, ((kind, _, tax_share, quantity), part))| {
            let tax = AmountPick::Share(*tax_share)
                .resolve(Minor::new(part))
                .min(Minor::new(part));
            let tax = if *tax_share == 0 { Minor::ZERO } else { tax };
            let amount = Minor::new(part.saturating_sub(tax.get()));
            let product = *kind == LineKind::Product;
            Line {
                id: format!("li_{}", i.saturating_add(1)),
                kind: *kind,
                item_id: (!product).then(|| "li_1".to_owned()),
                quantity: if product { *quantity } else { 1 },
                amount,
                tax,
            }
        })
        .collect()
}

/// How a generated payment is captured before anything else happens.
fn capture_ops() -> BoxedStrategy<Vec<Op>> {
    let partial =
        (1_u16..=u16::MAX, proptest::bool::weighted(0.75)).prop_map(|(s, settled)| Op::Capture {
            pick: AmountPick::Share(s),
            settled,
        });
    prop_oneof![
        // Never captured (refunds are refused `not_captured`).
        1 => Just(Vec::new()),
        // One capture of everything, settled.
        5 => Just(vec![Op::Capture { pick: AmountPick::All, settled: true }]),
        // Several captures (Digital River and Commerce Layer keep them all; the other
        // providers refuse the second, leaving one partial capture), the last often of the rest.
        4 => (
            proptest::collection::vec(partial, 1..=3),
            proptest::bool::weighted(0.75),
            proptest::bool::weighted(0.75),
        )
            .prop_map(|(mut caps, rest, settled)| {
                if rest {
                    caps.push(Op::Capture { pick: AmountPick::All, settled });
                }
                caps
            }),
    ]
    .boxed()
}

/// Refund-heavy operations: refunds created in each of the provider's initial states (pending
/// ones included), per capture or per payment, planned through the provider's own request,
/// refunds of Commerce Layer returns, and lifecycle moves (succeeded, failed, expired).
/// Alternative Payments refunds are full only (AP1): there, most picks are everything.
fn refund_ops(provider: Provider) -> BoxedStrategy<Vec<Op>> {
    let full = if provider == Provider::AlternativePayments {
        12
    } else {
        1
    };
    let pick = prop_oneof![
        10 => any::<u16>().prop_map(AmountPick::Share),
        full => Just(AmountPick::All),
        1 => Just(AmountPick::AllButOne),
        1 => Just(AmountPick::One),
    ];
    let op = prop_oneof![
        6 => (pick.clone(), 0_usize..4, proptest::option::of(0_usize..4))
            .prop_map(|(pick, state, capture)| Op::CreateRefund { pick, state, capture }),
        3 => prop_oneof![1 => Just(None), 3 => pick.clone().prop_map(Some)]
            .prop_map(|pick| Op::PlanRefund { pick }),
        2 => (0_usize..4, pick).prop_map(|(ret, pick)| Op::RefundReturn { ret, pick }),
        3 => (0_usize..8, select(vec![RefundMove::Succeed, RefundMove::Fail, RefundMove::Expire]))
            .prop_map(|(refund, event)| Op::MoveRefund { refund, event }),
    ];
    proptest::collection::vec(op, 0..=4).boxed()
}

/// The last operation: nothing, or a refund to an edge (everything available refunded, or all
/// but one minor unit, through a pending or succeeded refund).
fn edge_ops() -> BoxedStrategy<Vec<Op>> {
    prop_oneof![
        6 => Just(Vec::new()),
        1 => (0_usize..4).prop_map(|state| vec![Op::CreateRefund {
            pick: AmountPick::All,
            state,
            capture: None,
        }]),
        1 => Just(vec![Op::PlanRefund { pick: None }]),
        2 => (0_usize..4).prop_map(|state| vec![Op::CreateRefund {
            pick: AmountPick::AllButOne,
            state,
            capture: None,
        }]),
    ]
    .boxed()
}

/// Commerce Layer returns recorded by the caller (CL5): mostly `received` (refundable), some in
/// other statuses; each names one of the captures or none (the last capture is refunded).
fn return_shapes(provider: Provider) -> BoxedStrategy<Vec<(String, Option<usize>)>> {
    let Some(machine) = provider.return_machine() else {
        return Just(Vec::new()).boxed();
    };
    let status = prop_oneof![
        4 => Just("received"),
        1 => select(machine.states.to_vec()),
    ]
    .prop_map(str::to_owned);
    prop_oneof![
        1 => Just(Vec::new()),
        2 => proptest::collection::vec((status, proptest::option::of(0_usize..4)), 1..=3),
    ]
    .boxed()
}

/// Records `shapes` as returns `ret_1`, `ret_2`… on `ledger` (capture indexes modulo the
/// captures; none when there are no captures).
fn with_returns(mut ledger: Ledger, shapes: Vec<(String, Option<usize>)>) -> Ledger {
    for (i, (status, capture)) in shapes.into_iter().enumerate() {
        let capture_id = capture
            .and_then(|c| nth(&ledger.captures, c))
            .map(|c| c.id.clone());
        ledger.returns.push(Return {
            id: format!("ret_{}", i.saturating_add(1)),
            status,
            capture_id,
        });
    }
    ledger
}

/// A ledger `provider` can reach: a fresh ledger (with a start status the provider's tables
/// have, never a guessed one) moved through `apply` by generated operations, in four phases:
///
/// 1. captures: none (1 in 10), one full capture, or several partial ones;
///    Commerce Layer then records returns (`received` mostly, CL5);
/// 2. refund-heavy operations: refunds created in every initial state of the provider (pending
///    ones where it has them), per capture or per payment, planned through the provider's own
///    request, refunds of returns, refunds succeeding, failing and expiring;
/// 3. up to 8 arbitrary [`Op`]s (three ledgers in four skip the voids and declines among them,
///    so most stay refundable);
/// 4. sometimes an edge: a refund of everything available, or of all but one minor unit.
///
/// The mixes this reaches per provider are measured by `tests/generators.rs` (see the module
/// docs).
pub fn ledger(provider: Provider) -> BoxedStrategy<Ledger> {
    (
        fresh_ledger(provider),
        prop_oneof![Just(vec![Op::Authorize]), Just(vec![])],
        capture_ops(),
        return_shapes(provider),
        refund_ops(provider),
        ops(8),
        0_u8..4,
        edge_ops(),
    )
        .prop_map(
            move |(start, mut prefix, captures, returns, refunds, rest, ends, edge)| {
                prefix.extend(captures);
                let (captured, _) = replay(provider, start, &prefix);
                let ledger = with_returns(captured, returns);
                // A void or decline ends most payments' refunds: keep them in one ledger in four.
                let mut then = refunds;
                then.extend(
                    rest.into_iter()
                        .filter(|op| ends == 0 || !matches!(op, Op::Void | Op::Decline)),
                );
                then.extend(edge);
                replay(provider, ledger, &then).0
            },
        )
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
/// currencies, and each provider's own shapes (Fiserv URI form, Alternative Payments reasons
/// and keys, Digital River amounts and percentages, Commerce Layer capture, order and return
/// triggers). One arm per provider.
pub fn request_body(provider: Provider, ledger: &Ledger) -> BoxedStrategy<RequestDoc> {
    let currency = ledger.currency;
    let available = amount_scope(provider, ledger);
    let id = ledger.id.clone().unwrap_or_else(|| "pay_1".to_owned());
    match provider {
        Provider::SimplePs => simpleps_body(currency, available),
        Provider::FiservCommerceHub => fiserv_body(currency, available),
        Provider::AlternativePayments => alternative_payments_body(id, currency, available),
        Provider::DigitalRiver => digital_river_body(id, currency, available),
        Provider::CommerceLayer => commerce_layer_body(id, ledger, available),
    }
}

/// What an amount in `provider`'s request is measured against on `ledger`: what the payment has
/// available, or for Commerce Layer (per-capture refunds, CL2) what [`target_capture`] has.
pub fn amount_scope(provider: Provider, ledger: &Ledger) -> Minor {
    let scope = match (provider, target_capture(ledger)) {
        (Provider::CommerceLayer, Some(c)) => ledger.refundable_for_capture(&c.id),
        _ => provider.refundable(ledger),
    };
    scope.map(|r| r.available).unwrap_or_default()
}

/// The capture a per-capture request targets: the last one with something available, else the
/// last one.
pub fn target_capture(ledger: &Ledger) -> Option<&Capture> {
    ledger
        .captures
        .iter()
        .rev()
        .find(|c| {
            ledger
                .refundable_for_capture(&c.id)
                .is_ok_and(|r| r.available.is_positive())
        })
        .or_else(|| ledger.captures.last())
}

/// The request body asking `provider` to refund `amount` of `ledger` (`None`: the provider's
/// "everything available" form). One arm per provider:
///
/// - SimplePS and Fiserv (URI form): `{"amount":{"total":N,"currency":C}}`; `None` is no body.
/// - Alternative Payments: `{"payment_id","amount":"N","reason":{"type":"Customer Request"}}`
///   (full refunds only: a smaller amount is refused); `None` omits `amount`.
/// - Digital River: `{"orderId","currency","amount":N}`; `None` is `"percent":100`.
/// - Commerce Layer: the [`target_capture`] trigger with `_refund_amount_cents`; `None` is the
///   whole-order trigger (full only).
pub fn amount_request(provider: Provider, ledger: &Ledger, amount: Option<Money>) -> RequestDoc {
    // Commerce Layer sizes a refund on one capture; its amount-free form is the whole order.
    let scope = match (provider, amount) {
        (Provider::CommerceLayer, Some(_)) => {
            RequestScope::Capture(target_capture(ledger).map_or("cap_1", |c| c.id.as_str()))
        }
        (Provider::CommerceLayer, None) => RequestScope::Order,
        _ => RequestScope::Whole,
    };
    RequestDoc {
        // Every scope chosen above has a request, with or without an amount.
        body: provider
            .request_body(ledger, scope, amount.map(|m| m.minor))
            .ok()
            .flatten(),
        options: None,
    }
}

/// The request body of `provider` carrying the amount written as `text` exactly (for the
/// "never rounded" properties): the provider's amount field with that text.
pub fn amount_text_request(provider: Provider, ledger: &Ledger, text: &str) -> RequestDoc {
    let id = ledger.id.clone().unwrap_or_else(|| "pay_1".to_owned());
    let code = ledger.currency.code();
    let body = match provider {
        Provider::SimplePs => format!(r#"{{"amount":{{"total":{text}}}}}"#),
        Provider::FiservCommerceHub => {
            format!(r#"{{"amount":{{"total":{text},"currency":"{code}"}}}}"#)
        }
        Provider::AlternativePayments => format!(
            r#"{{"payment_id":"{id}","amount":"{text}","reason":{{"type":"Customer Request"}}}}"#
        ),
        Provider::DigitalRiver => {
            format!(r#"{{"orderId":"{id}","currency":"{code}","amount":{text}}}"#)
        }
        Provider::CommerceLayer => {
            let capture = target_capture(ledger).map_or("cap_1", |c| c.id.as_str());
            format!(
                r#"{{"data":{{"type":"captures","id":"{capture}","attributes":{{"_refund":true,"_refund_amount_cents":{text}}}}}}}"#
            )
        }
    };
    RequestDoc {
        body: Some(body),
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

/// The ledger's currency mostly, sometimes another or lower case.
fn currency_code(currency: Currency) -> BoxedStrategy<String> {
    prop_oneof![
        10 => Just(currency.code().to_owned()),
        1 => currencies().prop_map(|c| c.code().to_owned()),
        1 => Just(currency.code().to_ascii_lowercase()),
    ]
    .boxed()
}

/// Fiserv Commerce Hub URI-form bodies (FS1 Refund-URI): `amount {total, currency}`, options
/// `endpoint`/`order_id`, `allow_unsettled_refund`, `auto_cancel`, `lenient_amount_strings`.
fn fiserv_body(currency: Currency, available: Minor) -> BoxedStrategy<RequestDoc> {
    let body = prop_oneof![
        2 => Just(None),
        1 => Just(Some("{}".to_owned())),
        1 => Just(Some("null".to_owned())),
        8 => (amount_text(currency, available), currency_code(currency))
            .prop_map(|(t, c)| Some(format!(r#"{{"amount":{{"total":{t},"currency":"{c}"}}}}"#))),
        1 => (amount_text(currency, available), currency_code(currency))
            .prop_map(|(t, c)| Some(format!(r#"{{"amount":{{"total":"{t}","currency":"{c}"}}}}"#))),
        1 => amount_text(currency, available)
            .prop_map(|t| Some(format!(r#"{{"amount":{{"total":{t}}}}}"#))),
        1 => (amount_text(currency, available), currency_code(currency)).prop_map(|(t, c)| Some(format!(
            r#"{{"amount":{{"total":{t},"currency":"{c}"}},"amountComponents":{{"subTotal":{t}}}}}"#
        ))),
    ];
    let options = prop_oneof![
        6 => Just(None),
        1 => Just(Some(r#"{"allow_unsettled_refund":true}"#.to_owned())),
        1 => Just(Some(r#"{"auto_cancel":false}"#.to_owned())),
        1 => Just(Some(r#"{"lenient_amount_strings":true}"#.to_owned())),
        1 => Just(Some(r#"{"endpoint":"order","order_id":"ord_1"}"#.to_owned())),
    ];
    (body, options)
        .prop_map(|(body, options)| RequestDoc { body, options })
        .boxed()
}

/// Alternative Payments `CreateRefundRequest` bodies (seed): `payment_id`, optional string
/// `amount`, `reason` (one of the four types), optional `idempotency_key`; options
/// `refund_limit` and `other_requires_description`.
fn alternative_payments_body(
    id: String,
    currency: Currency,
    available: Minor,
) -> BoxedStrategy<RequestDoc> {
    let reason = prop_oneof![
        10 => Just(r#"{"type":"Customer Request"}"#.to_owned()),
        1 => Just(r#"{"type":"Duplicate"}"#.to_owned()),
        1 => Just(r#"{"type":"Fraud"}"#.to_owned()),
        1 => Just(r#"{"type":"Other","description":"damaged"}"#.to_owned()),
        1 => Just(r#"{"type":"Other"}"#.to_owned()),
        1 => Just(r#"{"type":"customer request"}"#.to_owned()),
    ];
    let payment = prop_oneof![
        18 => Just(id),
        1 => Just("pay_other".to_owned()),
        1 => Just(String::new()),
    ];
    let e = currency.exponent();
    let amount = prop_oneof![
        6 => Just(String::new()),
        3 => any::<bool>().prop_map(move |short| {
            let t = if short { short_decimal(available, e) } else { format_decimal(available, e) };
            format!(r#""amount":"{t}","#)
        }),
        3 => amount_text(currency, available).prop_map(|t| format!(r#""amount":"{t}","#)),
        1 => amount_text(currency, available).prop_map(|t| format!(r#""amount":{t},"#)),
    ];
    let key = prop_oneof![
        2 => Just(String::new()),
        1 => Just(r#""idempotency_key":"key-1","#.to_owned()),
        1 => Just(r#""idempotency_key":"refund_1","#.to_owned()),
    ];
    let body = prop_oneof![
        1 => Just(None),
        1 => Just(Some("{}".to_owned())),
        24 => (payment, amount, key, reason).prop_map(|(p, a, k, r)| Some(format!(
            r#"{{"payment_id":"{p}",{a}{k}"reason":{r}}}"#
        ))),
    ];
    let options = prop_oneof![
        6 => Just(None),
        1 => Just(Some(r#"{"refund_limit":"100"}"#.to_owned())),
        1 => Just(Some(r#"{"refund_limit":"100000000000000"}"#.to_owned())),
        1 => Just(Some(r#"{"other_requires_description":false}"#.to_owned())),
    ];
    (body, options)
        .prop_map(|(body, options)| RequestDoc { body, options })
        .boxed()
}

/// Digital River `RefundRequest` bodies (DR1, DR4): order-level `amount` or `percent`, item
/// refunds of the first line, order `type` refunds; options `percent_of`, `accept_string_amounts`,
/// `async_payment_method`.
fn digital_river_body(
    id: String,
    currency: Currency,
    available: Minor,
) -> BoxedStrategy<RequestDoc> {
    let percent = prop_oneof![
        3 => (1_u32..=10_000).prop_map(|h| short_decimal(Minor::new(i64::from(h)), 2)),
        1 => select(vec!["50", "33.33", "100", "0", "100.01", "12.345", "-5"]).prop_map(str::to_owned),
    ];
    let size = prop_oneof![
        5 => amount_text(currency, available).prop_map(|t| format!(r#""amount":{t}"#)),
        1 => amount_text(currency, available).prop_map(|t| format!(r#""amount":"{t}""#)),
        5 => percent.clone().prop_map(|p| format!(r#""percent":{p}"#)),
        1 => percent.clone().prop_map(|p| format!(r#""items":[{{"itemId":"li_1","percent":{p}}}]"#)),
        1 => (1_u64..=4).prop_map(|q| format!(r#""items":[{{"itemId":"li_1","quantity":{q}}}]"#)),
        1 => Just(r#""items":[{"itemId":"li_1"}]"#.to_owned()),
        1 => (select(vec!["shipping", "duty", "importer_tax", "tax", "fees"]), percent)
            .prop_map(|(t, p)| format!(r#""type":"{t}","percent":{p}"#)),
    ];
    let order = prop_oneof![8 => Just(id), 1 => Just("order_other".to_owned())];
    let body = prop_oneof![
        1 => Just(None),
        1 => Just(Some("{}".to_owned())),
        12 => (order, currency_code(currency), size)
            .prop_map(|(o, c, s)| Some(format!(r#"{{"orderId":"{o}","currency":"{c}",{s}}}"#))),
    ];
    let options = prop_oneof![
        6 => Just(None),
        1 => Just(Some(r#"{"percent_of":"available"}"#.to_owned())),
        1 => Just(Some(r#"{"accept_string_amounts":true}"#.to_owned())),
        1 => Just(Some(r#"{"async_payment_method":true}"#.to_owned())),
    ];
    (body, options)
        .prop_map(|(body, options)| RequestDoc { body, options })
        .boxed()
}

/// Commerce Layer JSON:API `PATCH` bodies (CL1, CL2): capture refunds with and without
/// `_refund_amount_cents`, whole-order refunds, `_forward` of a refund; option
/// `partially_paid_refundable`.
fn commerce_layer_body(id: String, ledger: &Ledger, available: Minor) -> BoxedStrategy<RequestDoc> {
    let mut captures: Vec<String> = ledger.captures.iter().map(|c| c.id.clone()).collect();
    captures.push("cap_missing".to_owned());
    let refunds: Vec<String> = ledger
        .refunds
        .iter()
        .map(|r| r.id.clone())
        .chain(core::iter::once("refund_missing".to_owned()))
        .collect();
    let cents = prop_oneof![
        6 => amount_pick().prop_map(move |p| p.resolve(available).get().to_string()),
        1 => amount_pick().prop_map(move |p| format!("-{}", p.resolve(available).get())),
        1 => select(vec!["500.5", "500.0", "5e2", "\"500\""]).prop_map(str::to_owned),
    ];
    let capture = prop_oneof![
        4 => select(captures),
        1 => Just("cap_1".to_owned()),
    ];
    let body = prop_oneof![
        1 => Just(None),
        1 => Just(Some("{}".to_owned())),
        8 => (capture.clone(), cents).prop_map(|(c, n)| Some(format!(
            r#"{{"data":{{"type":"captures","id":"{c}","attributes":{{"_refund":true,"_refund_amount_cents":{n}}}}}}}"#
        ))),
        3 => capture.prop_map(|c| Some(format!(
            r#"{{"data":{{"type":"captures","id":"{c}","attributes":{{"_refund":true}}}}}}"#
        ))),
        3 => Just(Some(format!(
            r#"{{"data":{{"type":"orders","id":"{id}","attributes":{{"_refund":true}}}}}}"#
        ))),
        1 => select(refunds).prop_map(|r| Some(format!(
            r#"{{"data":{{"type":"refunds","id":"{r}","attributes":{{"_forward":true}}}}}}"#
        ))),
    ];
    let options = prop_oneof![
        8 => Just(None),
        1 => Just(Some(r#"{"partially_paid_refundable":false}"#.to_owned())),
    ];
    (body, options)
        .prop_map(|(body, options)| RequestDoc { body, options })
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
    /// When the plan is made ([`plan_now`] for generated cases).
    pub now: Option<Timestamp>,
}

impl PlanCase {
    /// Plans through the typed API (parse the body, then [`crate::plan`]) at [`Self::now`].
    pub fn plan(&self) -> Result<Plan, RefundError> {
        self.plan_with(&PlanContext {
            now: self.now,
            refund_id: None,
        })
    }

    /// Plans through the typed API with a context (its `now` wins over [`Self::now`]).
    pub fn plan_with(&self, ctx: &PlanContext) -> Result<Plan, RefundError> {
        let request = ProviderRequest::from_json(
            self.provider,
            self.request.body.as_deref(),
            self.request.options.as_deref(),
        )?;
        crate::engine::plan(&self.ledger, &request, ctx)
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
        if let Some(now) = self.now {
            doc.push_str(&format!(r#","now":"{now}""#));
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
                now: plan_now(&ledger),
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
