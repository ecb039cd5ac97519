//! # refund-rules
//!
//! Exact, pure refund rules for five payment providers (SimplePS, Fiserv Commerce Hub,
//! Alternative Payments, Digital River, Commerce Layer).
//!
//! - [`plan`] decides a refund: amount (omitted = all that remains), full or partial, the
//!   provider operation (refund, or void/cancel where the provider requires it), the statuses
//!   after success, the remaining amount, and the event to apply.
//! - [`apply`] moves a [`Ledger`] by an [`Event`], through the provider's transition tables,
//!   with idempotent event ids and a `version` for compare-and-swap.
//! - [`Ledger::refundable`] returns the [`Refundable`] breakdown every amount error carries.
//!
//! No I/O, no clock reads (`now` is an argument), no floats, no panics: every rejection is a
//! [`RefundError`] with a stable [`ErrorCode`]. The [`json`] module is the one JSON surface that
//! the CLI, Python and WASM bindings wrap.
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
pub mod money;
pub mod plan;
pub mod provider;
#[cfg(feature = "proptest")]
pub mod strategies;
pub(crate) mod strict;
pub mod time;
pub mod wire;

pub use engine::{Applied, apply, check_money_effect, decide, plan, validate};
pub use error::{ErrorCode, ErrorFamily, RefundError};
pub use event::{Event, EventKind};
pub use id::Provider;
pub use ledger::{Capture, Ledger, Refund, RefundState, Refundable, Return, Statuses};
pub use money::{
    AmountProblem, Currency, Minor, Money, format_decimal, parse_decimal, parse_money,
};
pub use plan::{Decision, Operation, Plan, PlanContext, RefundKind, Rule, ValidLedger};
pub use provider::ProviderRequest;
pub use time::Timestamp;
