//! The five providers. Each one is a module that owns its rules: request body parsing, the
//! decision, its transition tables and its error bodies. This file only dispatches.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{ErrorCode, RefundError};
use crate::ledger::Ledger;
use crate::machine::ProviderMachines;
use crate::money::Money;
use crate::plan::{Operation, Plan, PlanContext};

pub mod alternative_payments;
pub mod commerce_layer;
pub mod digital_river;
pub mod fiserv;
pub mod simpleps;

/// A payment provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Provider {
    /// SimplePS (the Inyo payments gateway).
    #[serde(rename = "simpleps")]
    SimplePs,
    /// Fiserv Commerce Hub.
    #[serde(rename = "fiserv_commerce_hub")]
    FiservCommerceHub,
    /// Alternative Payments.
    #[serde(rename = "alternative_payments")]
    AlternativePayments,
    /// Digital River.
    #[serde(rename = "digital_river")]
    DigitalRiver,
    /// Commerce Layer.
    #[serde(rename = "commerce_layer")]
    CommerceLayer,
}

impl Provider {
    /// All five.
    pub const ALL: [Provider; 5] = [
        Self::SimplePs,
        Self::FiservCommerceHub,
        Self::AlternativePayments,
        Self::DigitalRiver,
        Self::CommerceLayer,
    ];

    /// The name used in documents.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SimplePs => "simpleps",
            Self::FiservCommerceHub => "fiserv_commerce_hub",
            Self::AlternativePayments => "alternative_payments",
            Self::DigitalRiver => "digital_river",
            Self::CommerceLayer => "commerce_layer",
        }
    }

    /// Looks a provider up by its document name.
    pub fn from_name(name: &str) -> Result<Self, RefundError> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == name)
            .ok_or_else(|| RefundError::UnknownProvider {
                name: name.to_owned(),
            })
    }

    /// The provider's transition tables.
    pub fn machines(self) -> &'static ProviderMachines {
        match self {
            Self::SimplePs => &simpleps::MACHINES,
            Self::FiservCommerceHub => &fiserv::MACHINES,
            Self::AlternativePayments => &alternative_payments::MACHINES,
            Self::DigitalRiver => &digital_river::MACHINES,
            Self::CommerceLayer => &commerce_layer::MACHINES,
        }
    }

    /// The error codes a plan or apply can return for this provider; the shared vectors must
    /// reach every one (checked by `tests/vectors.rs`).
    pub fn reachable_errors(self) -> &'static [ErrorCode] {
        match self {
            Self::SimplePs => simpleps::REACHABLE_ERRORS,
            Self::FiservCommerceHub => fiserv::REACHABLE_ERRORS,
            Self::AlternativePayments => alternative_payments::REACHABLE_ERRORS,
            Self::DigitalRiver => digital_river::REACHABLE_ERRORS,
            Self::CommerceLayer => commerce_layer::REACHABLE_ERRORS,
        }
    }

    /// The provider's return status table, for providers that refund from returns.
    pub fn return_machine(self) -> Option<&'static crate::machine::StatusMachine> {
        match self {
            Self::CommerceLayer => Some(&commerce_layer::RETURN_MACHINE),
            _ => None,
        }
    }

    /// The one maximum: what this provider can refund of `ledger` in total, as `refundable`
    /// reports it, `plan` accepts it and `apply` lets it through. Providers that refund settled
    /// money only (Alternative Payments AP1, Digital River DR1 `availableToRefundAmount`) count
    /// settled captures only.
    pub fn refundable(self, ledger: &Ledger) -> Result<crate::ledger::Refundable, RefundError> {
        if self.machines().refunds_settled_only {
            ledger.refundable_settled()
        } else {
            ledger.refundable()
        }
    }

    /// The error the provider itself would return for this rejection, where it has one.
    pub fn provider_error(self, error: &RefundError) -> Option<ProviderError> {
        match self {
            Self::SimplePs => simpleps::provider_error(error),
            Self::FiservCommerceHub => fiserv::provider_error(error),
            Self::AlternativePayments => alternative_payments::provider_error(error),
            Self::DigitalRiver => digital_river::provider_error(error),
            Self::CommerceLayer => commerce_layer::provider_error(error),
        }
    }
}

impl core::fmt::Display for Provider {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A refund request in a provider's own body shape, with that provider's merchant options.
#[derive(Debug, Clone)]
pub enum ProviderRequest {
    /// SimplePS.
    SimplePs(simpleps::Request),
    /// Fiserv Commerce Hub.
    FiservCommerceHub(fiserv::Request, fiserv::Options),
    /// Alternative Payments.
    AlternativePayments(alternative_payments::Request, alternative_payments::Options),
    /// Digital River.
    DigitalRiver(digital_river::Request, digital_river::Options),
    /// Commerce Layer.
    CommerceLayer(commerce_layer::Request, commerce_layer::Options),
}

impl ProviderRequest {
    /// The provider the request is for.
    pub fn provider(&self) -> Provider {
        match self {
            Self::SimplePs(..) => Provider::SimplePs,
            Self::FiservCommerceHub(..) => Provider::FiservCommerceHub,
            Self::AlternativePayments(..) => Provider::AlternativePayments,
            Self::DigitalRiver(..) => Provider::DigitalRiver,
            Self::CommerceLayer(..) => Provider::CommerceLayer,
        }
    }

    /// Parses a provider's request body and options from JSON text (`None` = absent).
    /// Error pointers are under `/request` and `/options`.
    pub fn from_json(
        provider: Provider,
        body: Option<&str>,
        options: Option<&str>,
    ) -> Result<Self, RefundError> {
        match provider {
            Provider::SimplePs => simpleps::parse(body, options),
            Provider::FiservCommerceHub => fiserv::parse(body, options),
            Provider::AlternativePayments => alternative_payments::parse(body, options),
            Provider::DigitalRiver => digital_river::parse(body, options),
            Provider::CommerceLayer => commerce_layer::parse(body, options),
        }
    }
}

/// Plans a refund: validates the ledger, then lets the provider's rules decide.
pub fn plan(
    ledger: &Ledger,
    request: &ProviderRequest,
    ctx: &PlanContext,
) -> Result<Plan, RefundError> {
    let provider = request.provider();
    check_ledger(provider, ledger)?;
    let plan = match request {
        ProviderRequest::SimplePs(r) => simpleps::plan(ledger, r, ctx),
        ProviderRequest::FiservCommerceHub(r, o) => fiserv::plan(ledger, r, o, ctx),
        ProviderRequest::AlternativePayments(r, o) => alternative_payments::plan(ledger, r, o, ctx),
        ProviderRequest::DigitalRiver(r, o) => digital_river::plan(ledger, r, o, ctx),
        ProviderRequest::CommerceLayer(r, o) => commerce_layer::plan(ledger, r, o, ctx),
    }?;
    check_money_effect(provider, ledger, &plan)?;
    Ok(plan)
}

/// The engine's own guard on every plan, whatever the provider rules decided: no money moves
/// twice. A refund takes at most what is still available in its scope (the capture it names, or
/// the provider's one maximum); a void or cancel reverses the whole charge, so it is planned only
/// while nothing of it has been refunded or is pending, and releases at most what is left. A
/// replay of an earlier refund moves nothing. A violation is an error, never a plan.
pub fn check_money_effect(
    provider: Provider,
    ledger: &Ledger,
    plan: &Plan,
) -> Result<(), RefundError> {
    if plan.replay {
        return Ok(());
    }
    let overall = provider.refundable(ledger)?;
    let scope = match &plan.event {
        Some(crate::event::Event {
            kind:
                crate::event::EventKind::RefundCreated {
                    capture_id: Some(c),
                    ..
                },
            ..
        }) => ledger.refundable_for_capture(c)?,
        _ => overall,
    };
    let status = ledger.status.payment.clone();
    match plan.operation {
        Operation::Refund => {
            if !plan.amount.minor.is_positive() || plan.amount.currency != ledger.currency {
                return Err(RefundError::inconsistent(
                    "/request",
                    format!("a refund of {} cannot be planned", plan.amount),
                ));
            }
            for bound in [scope, overall] {
                if plan.amount.minor > bound.available {
                    return Err(RefundError::ExceedsRefundable {
                        requested: plan.amount,
                        refundable: bound,
                    });
                }
            }
        }
        // Pushes a refund that already holds its money (pending) to succeeded: nothing new moves.
        Operation::Forward => {}
        Operation::Void | Operation::Cancel => {
            let touched = overall.refunded.checked_add(overall.pending).ok();
            if touched != Some(crate::money::Minor::ZERO) {
                return Err(RefundError::not_refundable(
                    status,
                    format!(
                        "a {} reverses the whole charge, but {} of it is already refunded or pending: \
                         that money would be returned twice; refund the rest once it settles",
                        plan.operation.as_str(),
                        Money::new(
                            touched.unwrap_or(crate::money::Minor::ZERO),
                            ledger.currency
                        )
                    ),
                ));
            }
            let releasable = if ledger.captures.is_empty() {
                ledger.authorized
            } else {
                overall.available
            };
            if plan.amount.minor > releasable {
                return Err(RefundError::ExceedsRefundable {
                    requested: plan.amount,
                    refundable: overall,
                });
            }
        }
    }
    Ok(())
}

/// Validates a provider's refund-list query (`GET /refunds` parameters); only Alternative
/// Payments documents one (its module owns the rules).
pub fn validate_list_query(
    provider: Provider,
    query: &str,
) -> Result<alternative_payments::ListQuery, RefundError> {
    match provider {
        Provider::AlternativePayments => alternative_payments::validate_list_query(query),
        other => Err(RefundError::invalid_input(
            "/provider",
            format!(
                "`validate_list_query` is defined for alternative_payments only, not `{other}`"
            ),
        )),
    }
}

/// Checks a ledger against the generic invariants, the provider's tables and the provider's own
/// ledger rules. `plan`, `refundable` and `apply` (before and after the event) all run it, so
/// whatever `apply` produces, `plan` accepts.
pub fn check_ledger(provider: Provider, ledger: &Ledger) -> Result<(), RefundError> {
    ledger.check()?;
    match provider {
        Provider::CommerceLayer => commerce_layer::refunds_name_captures(ledger)?,
        Provider::DigitalRiver => {
            digital_river::check_lines(ledger, &crate::ledger::LineIndex::new(ledger))?
        }
        Provider::SimplePs | Provider::FiservCommerceHub | Provider::AlternativePayments => {}
    }
    let machines = provider.machines();
    machines.check_statuses(&ledger.status, "/ledger/status")?;
    for (i, r) in ledger.returns.iter().enumerate() {
        let known = provider
            .return_machine()
            .is_some_and(|m| m.states.contains(&r.status.as_str()));
        if !known {
            return Err(RefundError::invalid_input(
                format!("/ledger/returns/{i}/status"),
                match provider.return_machine() {
                    Some(m) => format!(
                        "unknown return status `{}`; expected one of {}",
                        r.status,
                        m.states.join(", ")
                    ),
                    None => format!("{provider} has no returns"),
                },
            ));
        }
    }
    for (i, r) in ledger.refunds.iter().enumerate() {
        if !machines.refund.has_state(r.state) {
            return Err(RefundError::invalid_input(
                format!("/ledger/refunds/{i}/state"),
                format!("{provider} refunds are never `{}`", r.state),
            ));
        }
    }
    Ok(())
}

/// A rejection in the provider's own words.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProviderError {
    /// The HTTP status the provider answers with.
    pub http_status: u16,
    /// The provider's own error code.
    pub code: String,
    /// The body in the provider's documented error shape.
    pub body: Value,
}
