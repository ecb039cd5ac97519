//! The `options` operation: what a refund request can carry right now, answered by the same
//! code `plan` uses. Nothing here is a provider rule: every number and every reason comes from
//! planning requests through [`engine::plan`] — the provider's "everything available" form
//! (no body, no amount, `percent: 100`, a `_refund` trigger without amount), the same form
//! one minor unit short (is only the full amount accepted?) and one per scope (captures,
//! order lines, types, returns). A refusal of the everything-available form is the reason no
//! refund is possible now (`blocked`).

use serde::Serialize;
use serde_json::Value;

use crate::engine;
use crate::error::{ErrorCode, ErrorFamily, ProviderError, RefundError};
use crate::event::EventKind;
use crate::id::{Operation, Provider};
use crate::ledger::{Ledger, LineKind, Refundable};
use crate::money::{Minor, Money};
use crate::plan::{Plan, PlanContext};
use crate::provider::{ProviderRequest, RequestScope as Scope, check_ledger};
use crate::time::Timestamp;

/// What can be refunded now, and how ([`options`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RefundOptions {
    /// The provider.
    pub provider: Provider,
    /// The provider's breakdown ([`Provider::refundable`]).
    pub refundable: Refundable,
    /// The largest amount one request can carry now (zero when `blocked`).
    pub max: Money,
    /// The smallest amount one request can carry now: one minor unit, or `max` when only the
    /// full amount is accepted (zero when `blocked`).
    pub min: Money,
    /// Only the full amount (`max`) is accepted.
    pub full_only: bool,
    /// What must be sent for `max` (`refund`, `cancel`, `void`); `null` when `blocked`.
    pub operation: Option<Operation>,
    /// What the operation demands, in words (e.g. a cancel is for the full amount).
    pub constraints: Vec<String>,
    /// Why no refund is possible now, or `null`.
    pub blocked: Option<Blocked>,
    /// The last instant this answer holds, where a rule is time-bound (Fiserv's 12-month
    /// window end); `null` otherwise.
    pub until: Option<Timestamp>,
    /// Per scope, where the provider refunds by scope (Commerce Layer captures, the order and
    /// returns; Digital River order lines and types). Empty otherwise.
    pub scopes: Vec<ScopeOptions>,
}

/// The rule that forbids a refund: the rejection `plan` gives for the everything-available
/// request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Blocked {
    /// The rejection's code (as `plan` returns it).
    pub code: ErrorCode,
    /// The rejection's message.
    pub message: String,
    /// The rejection's details (as in `plan`'s error).
    pub details: Value,
    /// The provider's page the rule comes from.
    pub source: &'static str,
    /// The provider's own error for it, where it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider_error: Option<ProviderError>,
    /// For an expired refund window: the last instant a refund was possible.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expired_at: Option<Timestamp>,
}

/// The kinds of scope a provider refunds by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScopeKind {
    /// One capture (Commerce Layer `PATCH /api/captures/:id`).
    Capture,
    /// The whole order (Commerce Layer `PATCH /api/orders/:id`).
    Order,
    /// One return (Commerce Layer `PATCH /api/returns/:id`).
    Return,
    /// One order line (Digital River `items[].itemId`).
    Line,
    /// One charge type of the order (Digital River `type`: shipping, duty, importer_tax,
    /// fees, tax).
    Type,
}

/// The answer for one scope.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScopeOptions {
    /// The kind of scope.
    pub kind: ScopeKind,
    /// The capture, order, return or line id, or the type name.
    pub id: String,
    /// The scope's breakdown, where it has its own balance (captures: the refund balance).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refundable: Option<Refundable>,
    /// The largest amount a request on this scope can carry now.
    pub max: Money,
    /// The smallest.
    pub min: Money,
    /// Only the full amount of the scope is accepted.
    pub full_only: bool,
    /// What must be sent; `null` when blocked.
    pub operation: Option<Operation>,
    /// Why nothing of this scope can be refunded now, or `null`.
    pub blocked: Option<Blocked>,
}

/// Answers what can be refunded of `ledger` now under `provider`'s rules and the merchant
/// `options` (JSON text, `None` = defaults), by planning requests with the same code `plan`
/// uses. Bad input (the ledger, the options, a missing `now` where a rule needs it) is an
/// error, as in `plan`; a rule that forbids any refund is `blocked`.
pub fn options(
    provider: Provider,
    ledger: &Ledger,
    options: Option<&str>,
    now: Option<Timestamp>,
) -> Result<RefundOptions, RefundError> {
    check_ledger(provider, ledger)?;
    let refundable = provider.refundable(ledger)?;
    let probe = Probe {
        provider,
        ledger,
        options,
        ctx: PlanContext {
            now,
            refund_id: None,
        },
    };
    let mut scopes = Vec::new();
    let whole = match provider {
        Provider::CommerceLayer => {
            for c in &ledger.captures {
                let mut entry = probe.scope(ScopeKind::Capture, &c.id)?;
                entry.refundable = Some(ledger.refundable_for_capture(&c.id)?);
                scopes.push(entry);
            }
            scopes.push(probe.scope(ScopeKind::Order, &order_id(ledger))?);
            for r in &ledger.returns {
                scopes.push(probe.scope(ScopeKind::Return, &r.id)?);
            }
            // One request refunds one capture: the largest capture answer, else the order's
            // (whole-order) reason.
            let best = scopes
                .iter()
                .filter(|s| s.kind == ScopeKind::Capture && s.blocked.is_none())
                .max_by_key(|s| s.max.minor);
            match best {
                Some(s) => Answer {
                    max: s.max.minor,
                    min: s.min.minor,
                    full_only: s.full_only,
                    operation: s.operation,
                    blocked: None,
                },
                None => probe.answer(&Scope::Order)?,
            }
        }
        Provider::DigitalRiver => {
            for l in ledger.lines.iter().filter(|l| l.kind == LineKind::Product) {
                scopes.push(probe.scope(ScopeKind::Line, &l.id)?);
            }
            let mut kinds: Vec<&'static str> = Vec::new();
            for l in &ledger.lines {
                let name = match l.kind {
                    LineKind::Product => continue,
                    LineKind::Shipping => "shipping",
                    LineKind::Duty => "duty",
                    LineKind::ImporterTax => "importer_tax",
                    LineKind::Fees => "fees",
                };
                if !kinds.contains(&name) {
                    kinds.push(name);
                }
            }
            if !ledger.lines.is_empty() {
                kinds.push("tax");
            }
            for k in kinds {
                scopes.push(probe.scope(ScopeKind::Type, k)?);
            }
            probe.answer(&Scope::Whole)?
        }
        _ => probe.answer(&Scope::Whole)?,
    };
    let window_end = provider.valid_until(ledger)?;
    let until = match (window_end, now) {
        (Some(end), Some(now)) if now <= end => Some(end),
        _ => None,
    };
    let currency = ledger.currency;
    let mut constraints = Vec::new();
    match whole.operation {
        Some(op @ (Operation::Cancel | Operation::Void)) => constraints.push(format!(
            "a {} reverses the whole charge: the full {} only",
            op.as_str(),
            Money::new(whole.max, currency)
        )),
        Some(_) if whole.full_only => constraints.push(format!(
            "the provider refunds in full only: exactly {}",
            Money::new(whole.max, currency)
        )),
        _ => {}
    }
    if let Some(end) = until {
        constraints.push(format!("refunds are possible until {end}"));
    }
    Ok(RefundOptions {
        provider,
        refundable,
        max: Money::new(whole.max, currency),
        min: Money::new(whole.min, currency),
        full_only: whole.full_only,
        operation: whole.operation,
        constraints,
        blocked: whole.blocked,
        until,
        scopes,
    })
}

/// The order id a whole-order request names: the ledger's, else a placeholder (an order
/// without an id is not checked against it).
fn order_id(ledger: &Ledger) -> String {
    ledger.id.clone().unwrap_or_else(|| "order_1".to_owned())
}

/// One scope's numbers, before rendering.
struct Answer {
    max: Minor,
    min: Minor,
    full_only: bool,
    operation: Option<Operation>,
    blocked: Option<Blocked>,
}

/// Plans requests on one ledger with one set of options.
struct Probe<'a> {
    provider: Provider,
    ledger: &'a Ledger,
    options: Option<&'a str>,
    ctx: PlanContext,
}

impl Probe<'_> {
    /// The provider's request body for `scope`, sized by `amount` (`None`: the form that
    /// takes everything available in the scope). `None` when the form is no body, or when
    /// the scope has no such form (then the plan says why).
    fn body(&self, scope: &Scope<'_>, amount: Option<Minor>) -> Option<String> {
        self.provider
            .request_body(self.ledger, *scope, amount)
            .ok()
            .flatten()
    }

    /// Whether the provider has a request for `scope` sized by `amount`.
    fn has_request(&self, scope: &Scope<'_>, amount: Minor) -> bool {
        self.provider
            .request_body(self.ledger, *scope, Some(amount))
            .is_ok_and(|body| body.is_some())
    }

    /// Plans the request of `scope` sized by `amount`, through the engine.
    fn plan(&self, scope: &Scope<'_>, amount: Option<Minor>) -> Result<Plan, RefundError> {
        let body = self.body(scope, amount);
        let request = ProviderRequest::from_json(self.provider, body.as_deref(), self.options)?;
        engine::plan(self.ledger, &request, &self.ctx)
    }

    /// Plans the everything-available request of `scope`. Where the scope has no amount-free
    /// form (Digital River without lines, Commerce Layer returns), the amount is read off the
    /// engine: the scope's balance as a one-minor-unit plan of it measures it.
    fn plan_everything(&self, scope: &Scope<'_>) -> Result<Plan, RefundError> {
        let amount_free = match (self.provider, scope) {
            (Provider::DigitalRiver, Scope::Whole) => !self.ledger.lines.is_empty(),
            (Provider::CommerceLayer, Scope::Return(_)) => false,
            _ => true,
        };
        if amount_free {
            return self.plan(scope, None);
        }
        let one = self.plan(scope, Some(Minor::new(1)))?;
        let balance = match &one.event {
            Some(e) => match &e.kind {
                EventKind::RefundCreated {
                    capture_id: Some(c),
                    ..
                } => self.ledger.refundable_for_capture(c)?.available,
                _ => one.refundable.available,
            },
            None => one.refundable.available,
        };
        self.plan(scope, Some(balance))
    }

    /// A refusal as the reason nothing can be refunded; bad input stays an error.
    fn blocked(&self, e: RefundError) -> Result<Blocked, RefundError> {
        if e.code().family() == ErrorFamily::InvalidInput {
            return Err(e);
        }
        let expired_at = match &e {
            RefundError::RefundWindowExpired {
                reference,
                window_months,
                ..
            } => i32::try_from(*window_months)
                .ok()
                .and_then(|m| reference.checked_add_months(m)),
            _ => None,
        };
        Ok(Blocked {
            code: e.code(),
            message: e.to_string(),
            details: e.details(),
            source: source(self.provider),
            provider_error: self.provider.provider_error(&e),
            expired_at,
        })
    }

    /// The answer for `scope`: its everything-available plan, then whether one minor unit less
    /// is refused as a partial refund.
    fn answer(&self, scope: &Scope<'_>) -> Result<Answer, RefundError> {
        let plan = match self.plan_everything(scope) {
            Ok(plan) => plan,
            Err(e) => {
                return Ok(Answer {
                    max: Minor::ZERO,
                    min: Minor::ZERO,
                    full_only: false,
                    operation: None,
                    blocked: Some(self.blocked(e)?),
                });
            }
        };
        let max = plan.amount.minor;
        let full_only = match plan.operation {
            Operation::Cancel | Operation::Void => true,
            Operation::Refund | Operation::Forward => match max.checked_sub(Minor::new(1)) {
                Ok(less) if less.is_positive() && self.has_request(scope, less) => {
                    matches!(
                        self.plan(scope, Some(less)),
                        Err(RefundError::PartialRefundNotSupported { .. })
                    )
                }
                // No amount form (the whole-order trigger): only everything.
                Ok(less) if less.is_positive() => true,
                _ => false,
            },
        };
        Ok(Answer {
            max,
            min: if full_only {
                max
            } else {
                Minor::new(1).min(max)
            },
            full_only,
            operation: Some(plan.operation),
            blocked: None,
        })
    }

    fn scope(&self, kind: ScopeKind, id: &str) -> Result<ScopeOptions, RefundError> {
        let scope = match kind {
            ScopeKind::Capture => Scope::Capture(id),
            ScopeKind::Order => Scope::Order,
            ScopeKind::Return => Scope::Return(id),
            ScopeKind::Line => Scope::Line(id),
            ScopeKind::Type => Scope::Type(id),
        };
        let a = self.answer(&scope)?;
        let currency = self.ledger.currency;
        Ok(ScopeOptions {
            kind,
            id: id.to_owned(),
            refundable: None,
            max: Money::new(a.max, currency),
            min: Money::new(a.min, currency),
            full_only: a.full_only,
            operation: a.operation,
            blocked: a.blocked,
        })
    }
}

/// The provider's refund page: where its refund rules (and the error codes `blocked` carries)
/// are documented; each rule's own source is in `docs/providers/<provider>.md`.
fn source(provider: Provider) -> &'static str {
    match provider {
        Provider::SimplePs => {
            "https://dev.inyoglobal.com/api-references/payments-gateway/apis/payment/pulling-funds/cards/refund"
        }
        Provider::FiservCommerceHub => {
            "https://developer.fiserv.com/product/CommerceHub/docs/?path=docs/Resources/API-Documents/Payments/Refund.md"
        }
        Provider::AlternativePayments => {
            "https://docs.alternativepayments.io/api-reference/refunds"
        }
        Provider::DigitalRiver => {
            "https://docs.digitalriver.com/digital-river-api-reference/2020-12-17/refunds"
        }
        Provider::CommerceLayer => "https://docs.commercelayer.io/core-api-reference/refunds",
    }
}
