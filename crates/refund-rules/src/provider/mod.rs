//! The five providers, one folder (or file) each, behind one trait ([`rules::Rules`]): wire
//! types and parsing, the decision, the transition tables, the renderings and the error
//! mapping. This file registers them once (`providers!`) and holds what is the same for all.

use crate::error::{ErrorCode, Field, ProviderError, RefundError};
pub use crate::id::Provider;
use crate::ledger::{Ledger, Refund, Refundable};
use crate::machine::{ProviderMachines, StatusMachine};
use crate::money::Minor;
use crate::plan::{Decision, Plan, PlanContext, ValidLedger};
use rules::Rules;
pub use rules::{NoSuchRequest, RequestScope};

pub mod alternative_payments;
pub mod commerce_layer;
pub mod digital_river;
pub mod fiserv;
pub mod rules;
pub mod simpleps;

/// Generates the dispatch from one list: `Variant => module::RulesType`.
macro_rules! providers {
    ($($variant:ident => $rules:ty),* $(,)?) => {
        /// A refund request in a provider's own body shape, with that provider's merchant options.
        #[derive(Debug, Clone)]
        pub enum ProviderRequest {
            $(
                #[doc = concat!("A `", stringify!($variant), "` request and its options.")]
                $variant(<$rules as Rules>::Request, <$rules as Rules>::Options),
            )*
        }

        impl ProviderRequest {
            /// The provider the request is for.
            pub fn provider(&self) -> Provider {
                match self {
                    $(Self::$variant(..) => Provider::$variant,)*
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
                    $(Provider::$variant => {
                        let (request, options) = <$rules as Rules>::parse(body, options)?;
                        Ok(Self::$variant(request, options))
                    })*
                }
            }

            /// The provider's decision without rendering, on a validated ledger.
            #[inline]
            pub(crate) fn decide_checked(
                &self,
                valid: &ValidLedger<'_>,
                ctx: &PlanContext,
            ) -> Result<Decision, RefundError> {
                match self {
                    $(Self::$variant(request, options) => {
                        <$rules as Rules>::decide(valid, request, options, ctx)
                    })*
                }
            }

            /// The provider's rendered plan, on a ledger already checked by [`check_ledger`].
            pub(crate) fn plan_checked(&self, ledger: &Ledger, ctx: &PlanContext) -> Result<Plan, RefundError> {
                match self {
                    $(Self::$variant(request, options) => {
                        <$rules as Rules>::plan(ledger, request, options, ctx)
                    })*
                }
            }
        }

        impl Provider {
            /// The provider's transition tables.
            pub fn machines(self) -> &'static ProviderMachines {
                match self {
                    $(Provider::$variant => <$rules as Rules>::machines(),)*
                }
            }

            /// The error codes a plan or apply can return for this provider; the shared
            /// vectors must reach every one (checked by `tests/vectors.rs`).
            pub fn reachable_errors(self) -> &'static [ErrorCode] {
                match self {
                    $(Provider::$variant => <$rules as Rules>::reachable_errors(),)*
                }
            }

            /// The provider's return status table, for providers that refund from returns.
            pub fn return_machine(self) -> Option<&'static StatusMachine> {
                match self {
                    $(Provider::$variant => <$rules as Rules>::return_machine(),)*
                }
            }

            /// The request body (JSON text) that refunds `amount` of `scope` of `ledger`
            /// (`None`: everything available in the scope), in the provider's own wire form:
            /// what `options`, the generators and the JSON `request_body` operation write.
            /// `Ok(None)` where the provider's form is no body at all (SimplePS and Fiserv
            /// refund everything available without one).
            pub fn request_body(
                self,
                ledger: &Ledger,
                scope: RequestScope<'_>,
                amount: Option<Minor>,
            ) -> Result<Option<String>, NoSuchRequest> {
                match self {
                    $(Provider::$variant => <$rules as Rules>::request_body(ledger, scope, amount),)*
                }
            }

            /// The error the provider itself would return for this rejection, where it has one.
            pub fn provider_error(self, error: &RefundError) -> Option<ProviderError> {
                match self {
                    $(Provider::$variant => <$rules as Rules>::provider_error(error),)*
                }
            }

            /// The last instant a time-bound rule of the provider lets a refund of `ledger`
            /// through (Fiserv's 12-month window end); `None` when no rule is time-bound.
            pub fn valid_until(self, ledger: &Ledger) -> Result<Option<crate::time::Timestamp>, RefundError> {
                match self {
                    $(Provider::$variant => <$rules as Rules>::valid_until(ledger),)*
                }
            }

            fn check_own_ledger_rules(self, ledger: &Ledger) -> Result<(), RefundError> {
                match self {
                    $(Provider::$variant => <$rules as Rules>::check_ledger(ledger),)*
                }
            }

            /// The provider's own rules on the one refund at position `i` (see
            /// [`Rules::check_refund`]).
            pub(crate) fn check_own_refund_rules(self, i: usize, refund: &Refund) -> Result<(), RefundError> {
                match self {
                    $(Provider::$variant => <$rules as Rules>::check_refund(i, refund),)*
                }
            }
        }
    };
}

providers! {
    SimplePs => simpleps::SimplePsRules,
    FiservCommerceHub => fiserv::FiservCommerceHubRules,
    AlternativePayments => alternative_payments::AlternativePaymentsRules,
    DigitalRiver => digital_river::DigitalRiverRules,
    CommerceLayer => commerce_layer::CommerceLayerRules,
}

impl Provider {
    /// Looks a provider up by its document name (`unknown_provider` otherwise).
    pub fn from_name(name: &str) -> Result<Self, RefundError> {
        Self::named(name).ok_or_else(|| RefundError::UnknownProvider {
            name: name.to_owned(),
        })
    }

    /// The one maximum: what this provider can refund of `ledger` in total, as `refundable`
    /// reports it, `plan` accepts it and `apply` lets it through. Providers that refund settled
    /// money only (Alternative Payments AP1, Digital River DR1 `availableToRefundAmount`) count
    /// settled captures only.
    pub fn refundable(self, ledger: &Ledger) -> Result<Refundable, RefundError> {
        if self.machines().refunds_settled_only {
            ledger.refundable_settled()
        } else {
            ledger.refundable()
        }
    }
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
    provider.check_own_ledger_rules(ledger)?;
    let machines = provider.machines();
    machines.check_statuses(&ledger.status, "/ledger/status")?;
    for (i, r) in ledger.returns.iter().enumerate() {
        let known = provider
            .return_machine()
            .is_some_and(|m| m.states.contains(&r.status.as_str()));
        if !known {
            return Err(RefundError::invalid_input(
                Field::at("/ledger/returns").item(i).field("status"),
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
                Field::at("/ledger/refunds").item(i).field("state"),
                format!("{provider} refunds are never `{}`", r.state),
            ));
        }
    }
    Ok(())
}
