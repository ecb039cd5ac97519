//! The one registration point of a provider: each provider folder implements [`Rules`], and
//! `provider/mod.rs` lists the implementations once (`providers!`), which generates the
//! dispatch. Adding a provider is its folder plus one line there (and its name in `id.rs`).

use crate::error::{ErrorCode, ProviderError, RefundError};
use crate::id::Provider;
use crate::ledger::{Ledger, Refund};
use crate::machine::{ProviderMachines, StatusMachine};
use crate::money::Minor;
use crate::plan::{Decision, Plan, PlanContext, ValidLedger};
use crate::time::Timestamp;

/// What one request body refunds: the whole payment or order, or one of the scopes a provider
/// refunds by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestScope<'a> {
    /// The payment or order as a whole, in the provider's own "everything" form when no
    /// amount is given.
    Whole,
    /// Commerce Layer: one capture.
    Capture(&'a str),
    /// Commerce Layer: the whole-order `_refund` trigger.
    Order,
    /// Commerce Layer: one return.
    Return(&'a str),
    /// Digital River: one product line.
    Line(&'a str),
    /// Digital River: one order-level type (shipping, fees, …).
    Type(&'a str),
}

/// Why a provider has no request body for a scope and amount ([`Rules::request_body`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoSuchRequest {
    /// The provider does not refund by that scope (or, for Commerce Layer, needs one).
    Scope,
    /// That scope's request must carry an amount (a Commerce Layer return).
    AmountRequired,
    /// That scope's request takes no amount (the Commerce Layer whole-order trigger).
    AmountRefused,
}

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
    /// The request body (JSON text) that refunds `amount` of `scope` (`None`: the form that
    /// takes everything available in the scope), in the provider's own wire form; `Ok(None)`
    /// where that form is no body at all.
    fn request_body(
        ledger: &Ledger,
        scope: RequestScope<'_>,
        amount: Option<Minor>,
    ) -> Result<Option<String>, NoSuchRequest>;
    /// The provider's own error for a rejection, where it has one (matched on the type only).
    fn provider_error(error: &RefundError) -> Option<ProviderError>;
    /// The last instant a time-bound rule lets a refund of `ledger` through (Fiserv's 12-month
    /// window), the same bound `plan` checks; `None` when no rule is time-bound.
    fn valid_until(_ledger: &Ledger) -> Result<Option<Timestamp>, RefundError> {
        Ok(None)
    }
    /// The provider's own ledger rules, beyond the generic ones and the tables.
    ///
    /// The incremental `apply` ([`crate::plan::ValidatedLedger::apply`]) does not run them on
    /// the whole ledger: it runs [`Rules::check_refund`] on the refund an event adds or moves.
    /// So these rules may only look at each refund on its own (through `check_refund`) and at
    /// what no event changes (currency, authorized amount, lines). Property
    /// `tests/apply_incremental.rs` fails otherwise.
    fn check_ledger(_ledger: &Ledger) -> Result<(), RefundError> {
        Ok(())
    }
    /// The part of [`Rules::check_ledger`] about one refund, at position `i` of the ledger's
    /// refunds: what the incremental `apply` re-checks when an event adds or moves it. The same
    /// error as `check_ledger` gives for that refund.
    fn check_refund(_i: usize, _refund: &Refund) -> Result<(), RefundError> {
        Ok(())
    }
}

/// The `{"amount": {"total", "currency"}}` request body of SimplePS (SP1) and Fiserv (FS1) for
/// `amount` of the whole payment; no amount is no body (both refund everything available).
pub(crate) fn amount_total_body(
    ledger: &Ledger,
    scope: RequestScope<'_>,
    amount: Option<Minor>,
) -> Result<Option<String>, NoSuchRequest> {
    if scope != RequestScope::Whole {
        return Err(NoSuchRequest::Scope);
    }
    Ok(amount.map(|m| {
        format!(
            r#"{{"amount":{{"total":{},"currency":{}}}}}"#,
            crate::money::Money::new(m, ledger.currency).to_decimal_string(),
            crate::wire::json_string(ledger.currency.code())
        )
    }))
}
