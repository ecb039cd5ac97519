//! Fiserv Commerce Hub: refunds by `transactionId` or `orderId` in the URI, tagged refunds by
//! `referenceTransactionDetails`, and the cancel that replaces a refund before settlement.
//!
//! Sources (`../shared/reference/providers.md` §0 and §2; ids listed in its §6):
//! - \[S\] seed `fiserv-commerce-hub-refund.md` (S1): URI forms, settled-only (cancel otherwise),
//!   `amount` optional (omitted = full), `total` number of max length 12, `currency` ISO alpha-3,
//!   amount components must add up to `total`.
//! - FS1 `Fiserv/Commerce-Hub` @8f857386 `docs/Resources/API-Documents/Payments/{Refund,
//!   Refund-Tagged,Refund-URI,Cancel}.md`: tagged refunds, `merchantDetails`, cancels.
//! - FS2 same repo `docs/Resources/Master-Data/Amount-Components.md` (+ `Tax-Types.md`,
//!   `Price-Adjustments.md`): component fields; 12 digits including decimals (Nashville).
//! - FS3 same repo `docs/Resources/Master-Data/Currency-Code.md`: decimals = currency precision.
//! - FS4 same repo `docs/Resources/Master-Data/{Gateway-Response,Processor-Response-Details}.md`.
//! - FS5 same repo `docs/Resources/Guides/Response-Codes/{Error-Response,Error-Code}.md`.
//!
//! Page: `docs/providers/fiserv_commerce_hub.md`.
//!
//! The folder: `wire.rs` (body, options, parsing), `tables.rs` (transition tables, reachable
//! errors), `render.rs` (calls and success bodies), `errors.rs` (FS5 error bodies); this file
//! holds the decision and the [`Rules`] registration.

use super::rules::Rules;
use crate::error::ProviderError;
use crate::error::{ErrorCode, InputProblem, RefundError};
use crate::event::{Event, EventKind};
use crate::id::Provider;
use crate::ledger::{Ledger, RefundState, Refundable};
use crate::machine::{PaymentEvent as P, ProviderMachines};
use crate::money::{AmountProblem, Minor, Money, decimal_digit_count};
use crate::plan::{
    Decision, NoNotes, Notes, Operation, Plan, PlanContext, RefundDraft, RefundKind, Rule,
    ValidLedger, outline_refund, refund_decision, resolve_amount,
};
use crate::time::Timestamp;
use crate::wire::{positive_wire_money, request_currency};

mod errors;
mod render;
mod tables;
mod wire;

#[cfg(feature = "schema")]
pub(crate) use wire::schema_roots;

pub use errors::provider_error;
pub use tables::{MACHINES, REACHABLE_ERRORS};
pub use wire::{
    AmountComponents, Endpoint, MAX_TOTAL_DIGITS, MerchantDetails, Options, PriceAdjustment,
    ReferenceTransactionDetails, Request, RequestAmount, TaxAmount, parse,
};
use wire::{components_sum, require_number};

const PROVIDER: Provider = Provider::FiservCommerceHub;

/// Refunds older than this many months are refused (FS5 814/815).
pub const REFUND_WINDOW_MONTHS: u32 = 12;

/// Where the charge is in its lifecycle, from the status and the captures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Authorized,
    CapturedUnsettled,
    Settled,
}

fn stage(ledger: &Ledger, why: &mut impl Notes) -> Result<Stage, RefundError> {
    let status = ledger.status.payment.as_str();
    match status {
        // FS1 Cancel / FS5 837: nothing to refund on a voided or declined charge.
        "VOIDED" => Err(RefundError::not_refundable(
            status,
            "a cancelled charge has nothing to refund",
        )),
        "DECLINED" => Err(RefundError::not_refundable(
            status,
            "a declined charge has nothing to refund",
        )),
        "AUTHORIZED" => {
            if ledger.captures.is_empty() {
                Ok(Stage::Authorized)
            } else {
                Err(RefundError::inconsistent(
                    "/ledger/captures",
                    "status `AUTHORIZED` but the ledger has captures",
                ))
            }
        }
        _ => {
            if ledger.captures.is_empty() {
                return Err(RefundError::inconsistent(
                    "/ledger/captures",
                    format!("status `{status}` but no captures"),
                ));
            }
            let settled = ledger.all_settled();
            if status == "SETTLED" && !settled {
                return Err(RefundError::inconsistent(
                    "/ledger/captures",
                    "status `SETTLED` but a capture is not settled",
                ));
            }
            if status == "CAPTURED" && settled {
                why.note(|| "every capture is settled: the charge counts as settled".to_owned());
            }
            Ok(if settled {
                Stage::Settled
            } else {
                Stage::CapturedUnsettled
            })
        }
    }
}

/// FS1 (refunds and cancels), FS2 (amount components) and FS5 (the 12-month window), in the
/// `Fiserv/Commerce-Hub` repository at 8f857386.
const FS1: &str = "Fiserv/Commerce-Hub@8f857386 docs/Resources/API-Documents/Payments/Refund.md";
const FS1_CANCEL: &str =
    "Fiserv/Commerce-Hub@8f857386 docs/Resources/API-Documents/Payments/Cancel.md";
const FS2: &str = "Fiserv/Commerce-Hub@8f857386 docs/Resources/Master-Data/Amount-Components.md";
const FS5: &str = "Fiserv/Commerce-Hub@8f857386 docs/Resources/Guides/Response-Codes/Error-Code.md";

/// The rules a Fiserv refund passes, in order.
const REFUND_RULES: &[Rule] = &[
    Rule {
        id: "fiserv.settled_or_cancel",
        source: FS1,
    },
    Rule {
        id: "fiserv.currency_and_components",
        source: FS2,
    },
    Rule {
        id: "fiserv.twelve_month_window",
        source: FS5,
    },
    Rule {
        id: "fiserv.amount_within_what_remains",
        source: FS1,
    },
];

/// The rules a Fiserv cancel passes, in order.
const CANCEL_RULES: &[Rule] = &[
    Rule {
        id: "fiserv.settled_or_cancel",
        source: FS1,
    },
    Rule {
        id: "fiserv.cancel_is_whole",
        source: FS1_CANCEL,
    },
];

/// Decides a Fiserv refund, or the cancel that replaces it, without rendering; also returns
/// the amount the body asked for (`None`: the whole amount). `why` collects the explanation
/// when a plan is rendered ([`NoNotes`] otherwise).
fn decide_inner(
    valid: &ValidLedger<'_>,
    request: &Request,
    options: &Options,
    ctx: &PlanContext,
    why: &mut impl Notes,
) -> Result<(Decision, Option<Money>), RefundError> {
    let ledger = valid.ledger();
    let stage = stage(ledger, why)?;
    check_reference(ledger, request)?;
    let refundable = valid.refundable_all();
    why.note(|| refundable.summary());
    let requested = body_amount(ledger, request, options, why)?;
    let decision = match stage {
        Stage::Authorized => {
            // S1/FS1: not captured -> cancel the authorization.
            if !options.auto_cancel {
                return Err(RefundError::not_captured(
                    ledger.status.payment.as_str(),
                    Some(Operation::Cancel),
                ));
            }
            why.note(|| {
                "not captured: cancel the authorization instead of refunding (S1, FS1 Cancel)"
                    .to_owned()
            });
            decide_cancel(valid, requested, refundable)?
        }
        Stage::CapturedUnsettled if !options.allow_unsettled_refund => {
            // S1: "only if it is already been captured and settled, otherwise submit a cancel".
            if !options.auto_cancel {
                return Err(RefundError::NotSettled {
                    alternative: Some(Operation::Cancel),
                });
            }
            why.note(|| {
                "captured but not settled: cancel instead of refunding (S1; allow_unsettled_refund is off)"
                    .to_owned()
            });
            decide_cancel(valid, requested, refundable)?
        }
        Stage::CapturedUnsettled | Stage::Settled => {
            if stage == Stage::CapturedUnsettled {
                why.note(|| {
                    "captured but not settled: refunded because allow_unsettled_refund is on (FS1 tagged refund)"
                        .to_owned()
                });
            }
            check_window(valid, ctx, why)?;
            // S1: partial or full; [U] default: repeated partials while the total stays within
            // the captured amount (FS5 810 beyond it).
            let (amount, kind) = resolve_amount(requested, &refundable, "/request/amount/total")?;
            refund_decision(
                &MACHINES,
                valid,
                refundable,
                (amount, kind, RefundState::Succeeded),
                REFUND_RULES,
            )?
        }
    };
    Ok((decision, requested))
}

/// Decides a Fiserv refund (or the cancel that replaces it) without rendering it.
#[inline]
pub fn decide(
    valid: &ValidLedger<'_>,
    request: &Request,
    options: &Options,
    ctx: &PlanContext,
) -> Result<Decision, RefundError> {
    decide_inner(valid, request, options, ctx, &mut NoNotes).map(|(decision, _)| decision)
}

/// Decides a Fiserv refund, or the cancel that replaces it, and renders it.
pub fn plan(
    ledger: &Ledger,
    request: &Request,
    options: &Options,
    ctx: &PlanContext,
) -> Result<Plan, RefundError> {
    let valid = ValidLedger::after_check(PROVIDER, &MACHINES, ledger)?;
    let mut why = Vec::new();
    let (decision, requested) = decide_inner(&valid, request, options, ctx, &mut why)?;
    match decision.operation {
        Operation::Cancel => Ok(plan_cancel(ledger, request, options, &decision, why)),
        _ => plan_refund(ledger, request, options, ctx, requested, &decision, why),
    }
}

/// A tagged refund naming a `referenceTransactionId` must name this ledger's charge.
fn check_reference(ledger: &Ledger, request: &Request) -> Result<(), RefundError> {
    let named = request
        .reference_transaction_details
        .as_ref()
        .and_then(|r| r.reference_transaction_id.as_deref());
    if let (Some(named), Some(id)) = (named, ledger.id.as_deref())
        && named != id
    {
        return Err(RefundError::inconsistent(
            "/request/referenceTransactionDetails/referenceTransactionId",
            format!("the request references `{named}` but the ledger is charge `{id}`"),
        ));
    }
    Ok(())
}

/// Reads `amount` and `amountComponents`; `None` when no amount is sent (= full, S1).
fn body_amount(
    ledger: &Ledger,
    request: &Request,
    options: &Options,
    why: &mut impl Notes,
) -> Result<Option<Money>, RefundError> {
    let Some(amount) = &request.amount else {
        if request.amount_components.is_some() {
            // FS5 106: components describe a total, which must be sent.
            return Err(RefundError::input(
                InputProblem::Missing,
                "/request/amount",
                "missing `amount`, required with `amountComponents`",
            ));
        }
        why.note(|| "no amount: the whole remaining amount (S1)".to_owned());
        return Ok(None);
    };
    // S1: both `total` and `currency` are required in `amount` (FS5 106 when missing).
    let Some(total) = &amount.total else {
        return Err(RefundError::input(
            InputProblem::Missing,
            "/request/amount",
            "missing `total` in `amount`",
        ));
    };
    let Some(code) = &amount.currency else {
        return Err(RefundError::input(
            InputProblem::Missing,
            "/request/amount",
            "missing `currency` in `amount`",
        ));
    };
    // S1/FS3: ISO 4217 alpha-3, and the original charge's currency (FS5 804).
    request_currency(code, "/request/amount/currency", ledger.currency)?;
    const TOTAL: &str = "/request/amount/total";
    require_number(total, TOTAL, options)?;
    // FS5 836 "Amount Must Be >$0". (A zero the grammar accepts has at most five digits, so
    // refusing it before the digit count below gives the same answer.)
    let money = positive_wire_money(&total.text, ledger.currency, PROVIDER, TOTAL)?;
    // FS2 (Nashville) / S1 "max length 12": 12 digits including decimals, never rounded.
    let digits = decimal_digit_count(&total.text)
        .map_err(|p| RefundError::invalid_amount(TOTAL, &total.text, p))?;
    if digits > MAX_TOTAL_DIGITS {
        return Err(RefundError::invalid_amount(
            TOTAL,
            &total.text,
            AmountProblem::TooManyDigits,
        ));
    }
    if let Some(components) = &request.amount_components {
        match components_sum(components, ledger.currency, options)? {
            Some(sum) if sum != money.minor => {
                // S1/FS2: "Subcomponent values must add up to total amount" (FS5 806).
                return Err(RefundError::AmountComponentsMismatch {
                    total: money,
                    components: Money::new(sum, ledger.currency),
                });
            }
            Some(_) => why.note(|| format!("amountComponents add up to {money} (FS2)")),
            None => why
                .note(|| "amountComponents carry no additive field: nothing to add up".to_owned()),
        }
    }
    Ok(Some(money))
}

/// FS5: the 12-month window of `ledger`: the instant it is measured from (`created_at`, else the
/// first capture's `captured_at`) and its last instant (inclusive); `None` without either.
/// `known_end`: the last instant, when [`crate::engine::validate`] measured it already.
fn window(
    ledger: &Ledger,
    known_end: Option<Timestamp>,
) -> Result<Option<(Timestamp, Timestamp)>, RefundError> {
    let reference = ledger
        .created_at
        .or_else(|| ledger.captures.iter().filter_map(|c| c.captured_at).min());
    let Some(reference) = reference else {
        return Ok(None);
    };
    if let Some(end) = known_end {
        return Ok(Some((reference, end)));
    }
    let months = i32::try_from(REFUND_WINDOW_MONTHS)
        .map_err(|_| RefundError::invalid_input("/now", "window out of range"))?;
    let limit: Timestamp = reference
        .checked_add_months(months)
        .ok_or_else(|| RefundError::invalid_input("/ledger/created_at", "date out of range"))?;
    Ok(Some((reference, limit)))
}

/// FS5 814/815: no refund of a transaction older than 12 months, measured from the ledger's
/// `created_at` (else the first capture's `captured_at`) to the caller's `now`. Exactly 12
/// calendar months is still allowed.
fn check_window(
    valid: &ValidLedger<'_>,
    ctx: &PlanContext,
    why: &mut impl Notes,
) -> Result<(), RefundError> {
    let Some((reference, limit)) = window(valid.ledger(), valid.window_end())? else {
        why.note(|| {
            "no created_at or captured_at in the ledger: the 12-month window cannot be checked"
                .to_owned()
        });
        return Ok(());
    };
    let now = ctx.now.ok_or_else(|| {
        RefundError::input(
            InputProblem::Missing,
            "/now",
            "missing `now`, required for the 12-month refund window",
        )
    })?;
    // A `now` before the payment existed contradicts the ledger; passing the window check with
    // it would be a wrong "yes" (e.g. a clock or time-zone bug upstream).
    if now < reference {
        return Err(RefundError::inconsistent(
            "/now",
            format!("`now` {now} is before the payment was made ({reference})"),
        ));
    }
    if now > limit {
        return Err(RefundError::RefundWindowExpired {
            reference,
            now,
            window_months: REFUND_WINDOW_MONTHS,
        });
    }
    why.note(|| format!(
        "within the {REFUND_WINDOW_MONTHS}-month window: {reference} + {REFUND_WINDOW_MONTHS} months = {limit} >= {now}"
    ));
    Ok(())
}

fn plan_refund(
    ledger: &Ledger,
    request: &Request,
    options: &Options,
    ctx: &PlanContext,
    requested: Option<Money>,
    decision: &Decision,
    mut why: Vec<String>,
) -> Result<Plan, RefundError> {
    let Decision {
        amount,
        kind,
        refundable,
        ..
    } = *decision;
    let outline = outline_refund(
        &MACHINES,
        ledger,
        ctx,
        refundable,
        RefundDraft {
            amount,
            kind,
            state: RefundState::Succeeded,
            capture_id: None,
        },
    )?;
    why.push(format!(
        "{} refund of {amount}; the charge stays {}",
        kind.as_str(),
        outline.status_after.payment
    ));
    let (call, response) = render::refund(ledger, request, options, requested, amount);
    Ok(Plan::from_outline(
        PROVIDER,
        ledger,
        outline,
        RefundState::Succeeded,
        call,
        Some(response),
        why,
    ))
}

/// The cancel that replaces a refund: what it releases is the authorization, or what is left of
/// the unsettled capture.
fn decide_cancel(
    valid: &ValidLedger<'_>,
    requested: Option<Money>,
    refundable: Refundable,
) -> Result<Decision, RefundError> {
    let ledger = valid.ledger();
    let authorized_only = ledger.captures.is_empty();
    let cancellable = if authorized_only {
        Refundable {
            currency: ledger.currency,
            captured: ledger.authorized,
            refunded: Minor::ZERO,
            pending: Minor::ZERO,
            available: ledger.authorized,
        }
    } else {
        refundable
    };
    let full = cancellable.available_money();
    if !full.minor.is_positive() {
        return Err(RefundError::AlreadyFullyRefunded { refundable });
    }
    // FS1 Cancel: a cancel reverses the whole transaction (partial cancels only on some
    // settlement set-ups, FS1; otherwise FS5 827 "Unable to Cancel"). After a refund of the
    // unsettled capture, a cancel would return the refunded part a second time: refuse, and let
    // the rest be refunded once the capture settles.
    if !(authorized_only || refundable.refunded.is_zero() && refundable.pending.is_zero()) {
        return Err(RefundError::not_refundable(
            ledger.status.payment.clone(),
            format!(
                "the capture is not settled, so only a cancel is possible, and a cancel reverses \
                 the whole charge although {} of it is already refunded or pending; refund the \
                 rest once the capture settles",
                Money::new(
                    refundable
                        .refunded
                        .checked_add(refundable.pending)
                        .unwrap_or(refundable.captured),
                    ledger.currency
                )
            ),
        ));
    }
    if let Some(m) = requested {
        if m.minor > full.minor {
            return Err(RefundError::ExceedsRefundable {
                requested: m,
                refundable: cancellable,
            });
        }
        if m.minor < full.minor {
            // FS1: partial cancels exist only for some settlement set-ups; this model cancels in
            // full (FS5 827 "Unable to Cancel").
            return Err(RefundError::PartialRefundNotSupported {
                reason: if authorized_only {
                    "the charge is not captured, so it can only be cancelled, and a cancel is \
                     for the whole authorization"
                } else {
                    "the charge is captured but not settled, so it can only be cancelled, and a \
                     cancel is for the whole amount; refund part of it once it settles"
                },
                requested: m,
                refundable: cancellable,
            });
        }
    }
    let status_after = MACHINES.advance_from(valid.statuses(), P::Void)?;
    Ok(Decision {
        provider: PROVIDER,
        operation: Operation::Cancel,
        kind: RefundKind::Full,
        amount: full,
        refundable,
        remaining_after: Money::new(Minor::ZERO, ledger.currency),
        status_after,
        refund_state: None,
        rules: CANCEL_RULES,
        replay: false,
    })
}

fn plan_cancel(
    ledger: &Ledger,
    request: &Request,
    options: &Options,
    decision: &Decision,
    mut why: Vec<String>,
) -> Plan {
    let full = decision.amount;
    let status_after = decision.status_after.to_statuses();
    why.push(format!(
        "cancel of {full}; the charge becomes {}",
        status_after.payment
    ));
    let (call, response) = render::cancel(ledger, request, options, full);
    Plan {
        provider: PROVIDER,
        operation: Operation::Cancel,
        kind: decision.kind,
        amount: full,
        refundable: decision.refundable,
        remaining_after: decision.remaining_after,
        status_after,
        refund_state: decision.refund_state,
        version: ledger.version,
        event: Some(Event {
            id: format!("{}.voided", ledger.id.as_deref().unwrap_or("payment")),
            expected_version: Some(ledger.version),
            kind: EventKind::PaymentVoided,
        }),
        provider_call: call,
        provider_response: Some(response),
        replay: false,
        explanation: why,
    }
}

/// The FiservCommerceHub rules, registered in `provider/mod.rs`.
#[derive(Debug)]
pub struct FiservCommerceHubRules;

impl Rules for FiservCommerceHubRules {
    const PROVIDER: Provider = PROVIDER;
    type Request = Request;
    type Options = Options;
    fn machines() -> &'static ProviderMachines {
        &MACHINES
    }
    fn reachable_errors() -> &'static [ErrorCode] {
        REACHABLE_ERRORS
    }
    fn parse(body: Option<&str>, options: Option<&str>) -> Result<(Request, Options), RefundError> {
        parse(body, options)
    }
    fn plan(
        ledger: &Ledger,
        request: &Request,
        options: &Options,
        ctx: &PlanContext,
    ) -> Result<Plan, RefundError> {
        plan(ledger, request, options, ctx)
    }
    fn request_body(
        ledger: &Ledger,
        scope: crate::provider::rules::RequestScope<'_>,
        amount: Option<crate::money::Minor>,
    ) -> Result<Option<String>, crate::provider::rules::NoSuchRequest> {
        crate::provider::rules::amount_total_body(ledger, scope, amount)
    }
    #[inline]
    fn decide(
        valid: &ValidLedger<'_>,
        request: &Request,
        options: &Options,
        ctx: &PlanContext,
    ) -> Result<Decision, RefundError> {
        decide(valid, request, options, ctx)
    }
    fn provider_error(error: &RefundError) -> Option<ProviderError> {
        provider_error(error)
    }
    fn valid_until(ledger: &Ledger) -> Result<Option<Timestamp>, RefundError> {
        Ok(window(ledger, None)?.map(|(_, limit)| limit))
    }
}
