//! # refund-rules
//!
//! Exact, pure refund rules for five payment providers (SimplePS, Fiserv Commerce Hub,
//! Alternative Payments, Digital River, Commerce Layer). No I/O, no clock reads (`now` is an
//! argument), no floats, no panics: every rejection is a [`RefundError`] with a stable
//! [`ErrorCode`].
//!
//! ## Which function do I call
//!
//! | you have | you want | call |
//! |---|---|---|
//! | JSON text (a request handler, the CLI, a binding) | the full answer as JSON | [`json::run`] (`Operation::Plan`, `Apply`, `Refundable`, …) |
//! | a [`Ledger`] and a [`ProviderRequest`] | the full plan: amount, statuses, provider call and response, explanation, event | [`plan()`] |
//! | the same, many requests on one ledger, or only the numbers | the small [`Decision`] (no text, no bodies, no allocation on the fast path) | [`validate`] once, then [`decide`] |
//! | a ledger and an [`Event`] (a webhook, your own call's outcome) | the next ledger | [`apply`] |
//! | a validated ledger and a stream of events (webhooks in order, a replay of history) | the next validated ledger after each, with checks proportional to the event (n events cost O(n), not O(n²)) | [`ValidatedLedger::new`] once, then [`ValidatedLedger::apply`] per event ([`ValidatedLedger::view`] to [`decide`] in between, [`ValidatedLedger::into_ledger`] to persist) |
//! | a ledger and a provider | how much can be refunded in total | [`validate`] then [`ValidLedger::maximum`] / [`Provider::refundable`] |
//! | your own property tests | generators of ledgers, requests and events per provider | `strategies` (feature `proptest`) |
//!
//! ## Layers
//!
//! Each module imports only from layers below it (`scripts/check-layers` enforces it):
//!
//! 1. identifiers, money, time: [`id`], [`money`], [`time`], [`allocation`], [`breakdown`];
//! 2. errors: [`error`];
//! 3. the ledger and wire reading: [`ledger`], `wire` (crate-private; [`WireDecimal`] is public);
//! 4. transition tables and events: [`machine`], [`event`];
//! 5. plan building blocks: [`mod@plan`] ([`Decision`], [`ValidLedger`], [`ValidatedLedger`],
//!    [`Plan`]);
//! 6. provider rules, one folder each behind [`provider::rules::Rules`]:
//!    `provider/<name>/{mod.rs (decision), wire.rs, tables.rs, render.rs, errors.rs}`;
//! 7. the provider registry: [`provider`] (one `providers!` line per provider);
//! 8. the engine: [`engine`] (validate, decide, plan, apply and the incremental
//!    `ValidatedLedger::apply`, the money guard) and [`options`]
//!    (what can be refunded now, from the same plans);
//! 9. the JSON surface: `json` (feature `json`, default), which the CLI, Python and WASM wrap.
#![doc = ""]
#![doc = "## README"]
#![doc = include_str!("../../../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod allocation;
pub mod breakdown;
pub mod engine;
pub mod error;
pub mod event;
pub mod id;
#[cfg(feature = "json")]
pub mod json;
pub mod ledger;
pub mod machine;
pub(crate) mod messages;
pub mod money;
pub mod options;
pub mod plan;
pub mod provider;
#[cfg(feature = "schema")]
pub mod schema;
#[cfg(feature = "schema")]
pub(crate) mod schema_types;
#[cfg(feature = "proptest")]
pub mod strategies;
pub(crate) mod strict;
pub mod time;
pub(crate) mod wire;

pub use engine::{Applied, apply, check_money_effect, decide, plan, validate};
pub use error::{ErrorCode, ErrorFamily, RefundError};
pub use event::{Event, EventKind};
pub use id::Provider;
pub use ledger::{Capture, Ledger, Refund, RefundState, Refundable, Return, Statuses};
pub use money::{
    AmountProblem, Currency, Minor, Money, format_decimal, parse_decimal, parse_money,
};
pub use options::{Blocked, RefundOptions, ScopeKind, ScopeOptions};
pub use plan::{
    AppliedStep, Decision, Operation, Plan, PlanContext, RefundKind, Rule, ValidLedger,
    ValidatedLedger,
};
pub use provider::ProviderRequest;
pub use time::Timestamp;
pub use wire::{UniqueMap, WireDecimal};
