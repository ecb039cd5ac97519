//! Alternative Payments — not implemented yet (issue 4). Planning refuses with `unknown_provider` until the
//! provider's rules land; nothing here decides a refund.

use super::{ProviderError, ProviderRequest};
use crate::error::{ErrorCode, RefundError};
use crate::ledger::Ledger;
use crate::machine::{Machine, ProviderMachines};
use crate::plan::{Plan, PlanContext};

/// The refund request body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Request;

/// Merchant options.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options;

/// Error codes the vectors must reach.
pub const REACHABLE_ERRORS: &[ErrorCode] = &[];

/// Transition tables (empty until implemented).
pub const MACHINES: ProviderMachines = ProviderMachines {
    payment: Machine {
        name: "payment",
        states: &[],
        transitions: &[],
        unaffected_by: &[],
        source: "",
    },
    order: None,
    fulfillment: None,
    refund: Machine {
        name: "refund",
        states: &[],
        transitions: &[],
        unaffected_by: &[],
        source: "",
    },
    refund_initial: &[],
};

fn not_yet() -> RefundError {
    RefundError::UnknownProvider {
        name: "alternative_payments".to_owned(),
    }
}

/// Parses the body and options.
pub fn parse(_body: Option<&str>, _options: Option<&str>) -> Result<ProviderRequest, RefundError> {
    Err(not_yet())
}

/// Decides a refund.
pub fn plan(
    _ledger: &Ledger,
    _request: &Request,
    _options: &Options,
    _ctx: &PlanContext,
) -> Result<Plan, RefundError> {
    Err(not_yet())
}

/// The provider's own error for a rejection.
pub fn provider_error(_error: &RefundError) -> Option<ProviderError> {
    None
}
