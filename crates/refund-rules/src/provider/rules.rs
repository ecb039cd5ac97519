//! The one registration point of a provider: each provider folder implements [`Rules`], and
//! `provider/mod.rs` lists the implementations once (`providers!`), which generates the
//! dispatch. Adding a provider is its folder plus one line there (and its name in `id.rs`).

use crate::error::{ErrorCode, ProviderError, RefundError};
use crate::id::Provider;
use crate::ledger::Ledger;
use crate::machine::{ProviderMachines, StatusMachine};
use crate::plan::{Decision, Plan, PlanContext, ValidLedger};
use crate::time::Timestamp;

/// A provider's rules: its wire types, tables, decision and error mapping.
pub trait Rules {
    /// Which provider.
    const PROVIDER: Provider;
    /// The refund request body, parsed.
    type Request: core::fmt::Debug + Clone;
    /// The merchant options.
    type Options: core::fmt::Debug + Clone;
    /// The transition tables.
    fn machines() -> &'static ProviderMachines;
    /// Every code a plan or apply can return (each needs a shared vector).
    fn reachable_errors() -> &'static [ErrorCode];
    /// The return status table, for providers that refund returns.
    fn return_machine() -> Option<&'static StatusMachine> {
        None
    }
    /// Parses the request body and the options (`None` = absent); pointers under `/request`
    /// and `/options`.
    fn parse(
        body: Option<&str>,
        options: Option<&str>,
    ) -> Result<(Self::Request, Self::Options), RefundError>;
    /// Decides a refund on a ledger that passed [`Rules::check_ledger`].
    fn plan(
        ledger: &Ledger,
        request: &Self::Request,
        options: &Self::Options,
        ctx: &PlanContext,
    ) -> Result<Plan, RefundError>;
    /// Decides without rendering (no text, bodies or event) on a validated ledger: the same
    /// rules as [`Rules::plan`], which renders from this decision. Allocates nothing on the
    /// way to a decision (exceptions, each documented in `benches/README.md`: Digital River's
    /// sizing over order lines, a repeated idempotency key's fingerprint).
    fn decide(
        valid: &ValidLedger<'_>,
        request: &Self::Request,
        options: &Self::Options,
        ctx: &PlanContext,
    ) -> Result<Decision, RefundError>;
    /// The provider's own error for a rejection, where it has one (matched on the type only).
    fn provider_error(error: &RefundError) -> Option<ProviderError>;
    /// The last instant a time-bound rule lets a refund of `ledger` through (Fiserv's 12-month
    /// window), the same bound `plan` checks; `None` when no rule is time-bound.
    fn valid_until(_ledger: &Ledger) -> Result<Option<Timestamp>, RefundError> {
        Ok(None)
    }
    /// The provider's own ledger rules, beyond the generic ones and the tables.
    fn check_ledger(_ledger: &Ledger) -> Result<(), RefundError> {
        Ok(())
    }
}
