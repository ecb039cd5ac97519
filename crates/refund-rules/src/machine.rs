//! State machines as data: each provider declares its transition tables as `const` slices, and
//! one generic lookup applies them. A move that is not in the table is a typed
//! [`RefundError::IllegalTransition`] naming the machine, the state and the event.

use core::fmt;

use serde::Serialize;

use crate::error::RefundError;
use crate::ledger::{Ledger, RefundState, Statuses};

/// An event that moves a payment-level status (payment, order or fulfillment).
///
/// The engine derives the sized variants from amounts (`RefundPartial` vs `RefundFull`), so the
/// tables stay pure data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentEvent {
    /// Authentication (3-D Secure) passed, or the order was placed.
    Authorize,
    /// An order with a zero total was placed: nothing to charge (Commerce Layer `free`).
    AuthorizeFree,
    /// Authorization or authentication declined.
    Decline,
    /// Captured the whole authorized amount.
    CaptureFull,
    /// Captured part of the authorized amount.
    CapturePartial,
    /// Authorization voided / cancelled.
    Void,
    /// A capture settled.
    Settle,
    /// A refund succeeded and leaves captured money unrefunded.
    RefundPartial,
    /// A refund succeeded and nothing captured is left unrefunded.
    RefundFull,
    /// A refund of a return succeeded and leaves captured money unrefunded.
    ReturnRefundPartial,
    /// A refund of a return succeeded and nothing captured is left unrefunded.
    ReturnRefundFull,
    /// The merchant approved the order (Commerce Layer `_approve`).
    Approve,
}

impl PaymentEvent {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Authorize => "authorize",
            Self::AuthorizeFree => "authorize_free",
            Self::Decline => "decline",
            Self::CaptureFull => "capture_full",
            Self::CapturePartial => "capture_partial",
            Self::Void => "void",
            Self::Settle => "settle",
            Self::RefundPartial => "refund_partial",
            Self::RefundFull => "refund_full",
            Self::ReturnRefundPartial => "return_refund_partial",
            Self::ReturnRefundFull => "return_refund_full",
            Self::Approve => "approve",
        }
    }

    /// The return-refund counterpart of a refund event (other events are unchanged).
    pub fn for_return(self) -> Self {
        match self {
            Self::RefundPartial => Self::ReturnRefundPartial,
            Self::RefundFull => Self::ReturnRefundFull,
            other => other,
        }
    }
}

impl fmt::Display for PaymentEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An event in a refund's own lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundEvent {
    /// The provider confirmed the refund.
    Succeed,
    /// The provider reported failure.
    Fail,
    /// The refund expired unresolved.
    Expire,
}

impl RefundEvent {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Succeed => "succeed",
            Self::Fail => "fail",
            Self::Expire => "expire",
        }
    }
}

impl fmt::Display for RefundEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One row of a transition table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition<S: 'static, E: 'static> {
    /// From this state…
    pub from: S,
    /// …on this event…
    pub event: E,
    /// …to this state.
    pub to: S,
}

/// A table row `from --event--> to`. Providers import it as `t` to keep their `const` tables
/// one row a line.
pub const fn transition<S: 'static, E: 'static>(from: S, event: E, to: S) -> Transition<S, E> {
    Transition { from, event, to }
}

/// A declarative state machine.
#[derive(Debug, Clone, Copy)]
pub struct Machine<S: 'static, E: 'static> {
    /// Its name in errors (`payment`, `order`, `fulfillment`, `refund`).
    pub name: &'static str,
    /// Every state, in documentation order; the first is the state a new payment starts in.
    pub states: &'static [S],
    /// The allowed moves.
    pub transitions: &'static [Transition<S, E>],
    /// Events this machine does not react to at all (its state stays as it is).
    pub unaffected_by: &'static [E],
    /// Where the table comes from.
    pub source: &'static str,
}

impl<S, E> Machine<S, E>
where
    S: Copy + PartialEq + fmt::Display,
    E: Copy + PartialEq + fmt::Display,
{
    /// The state after `event` in `from`, or an illegal-transition error.
    pub fn next(&self, from: S, event: E) -> Result<S, RefundError> {
        if self.unaffected_by.contains(&event) {
            return Ok(from);
        }
        // The event first: a cheap comparison that leaves few rows for the state's.
        self.transitions
            .iter()
            .find(|t| t.event == event && t.from == from)
            .map(|t| t.to)
            .ok_or_else(|| RefundError::IllegalTransition {
                machine: self.name.to_owned(),
                from: from.to_string(),
                event: event.to_string(),
            })
    }

    /// True when no event leads out of `state`.
    pub fn is_terminal(&self, state: S) -> bool {
        !self.transitions.iter().any(|t| t.from == state)
    }

    /// True when `state` is one of the machine's states.
    pub fn has_state(&self, state: S) -> bool {
        self.states.contains(&state)
    }
}

/// A payment-level machine over the provider's own status names.
pub type StatusMachine = Machine<&'static str, PaymentEvent>;

/// The refund lifecycle over canonical states.
pub type RefundMachine = Machine<RefundState, RefundEvent>;

/// Every machine of one provider.
#[derive(Debug, Clone, Copy)]
pub struct ProviderMachines {
    /// The payment status machine (always present).
    pub payment: StatusMachine,
    /// The order status machine, for providers with orders.
    pub order: Option<StatusMachine>,
    /// The fulfillment status machine, where refunds move it.
    pub fulfillment: Option<StatusMachine>,
    /// The refund lifecycle.
    pub refund: RefundMachine,
    /// States a refund may be created in (e.g. SimplePS refunds are synchronous: `succeeded`).
    pub refund_initial: &'static [RefundState],
    /// True when refunds draw only on settled (completed) captures, so `apply` never records a
    /// refund against money the provider would not refund yet.
    pub refunds_settled_only: bool,
}

/// Where the provider's tables put a payment: each status as its number in its machine's
/// states (16 bytes, no allocation; see [`ProviderMachines::advance_static`]). The names are
/// read from the tables on demand.
#[derive(Clone, Copy)]
pub struct StatusesAfter {
    machines: &'static ProviderMachines,
    payment: u8,
    order: Option<u8>,
    fulfillment: Option<u8>,
}

impl StatusesAfter {
    /// The payment status.
    pub fn payment(self) -> &'static str {
        name(&self.machines.payment, self.payment)
    }

    /// The order status, for providers with orders.
    pub fn order(self) -> Option<&'static str> {
        Some(name(self.machines.order.as_ref()?, self.order?))
    }

    /// The fulfillment status, where refunds move it.
    pub fn fulfillment(self) -> Option<&'static str> {
        Some(name(self.machines.fulfillment.as_ref()?, self.fulfillment?))
    }

    /// The owned form documents carry.
    pub fn to_statuses(self) -> Statuses {
        Statuses {
            payment: self.payment().to_owned(),
            order: self.order().map(str::to_owned),
            fulfillment: self.fulfillment().map(str::to_owned),
        }
    }
}

impl PartialEq for StatusesAfter {
    fn eq(&self, other: &Self) -> bool {
        self.payment() == other.payment()
            && self.order() == other.order()
            && self.fulfillment() == other.fulfillment()
    }
}

impl Eq for StatusesAfter {}

impl fmt::Debug for StatusesAfter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StatusesAfter")
            .field("payment", &self.payment())
            .field("order", &self.order())
            .field("fulfillment", &self.fulfillment())
            .finish()
    }
}

/// The name of state number `i` (tables hold at most 255 states; an index always comes from
/// the same machine's states).
fn name(machine: &StatusMachine, i: u8) -> &'static str {
    machine
        .states
        .get(usize::from(i))
        .copied()
        .unwrap_or_default()
}

/// The number of the state named `state` in `machine`, if it is one.
fn number(machine: &StatusMachine, state: &str) -> Option<u8> {
    let i = machine.states.iter().position(|s| *s == state)?;
    u8::try_from(i).ok()
}

/// A state of `machine` by number, moved by `event` (by the table), as a number again.
fn step_number(machine: &StatusMachine, from: u8, event: PaymentEvent) -> Result<u8, RefundError> {
    let to = machine.next(name(machine, from), event)?;
    number(machine, to).ok_or_else(|| {
        RefundError::inconsistent(
            "/ledger/status",
            format!(
                "the {} table leads to `{to}`, not one of its states",
                machine.name
            ),
        )
    })
}

impl ProviderMachines {
    /// Moves every status slot by `event`; fails if any machine refuses.
    pub fn advance(
        &self,
        statuses: &Statuses,
        event: PaymentEvent,
    ) -> Result<Statuses, RefundError> {
        Ok(Statuses {
            payment: step(&self.payment, &statuses.payment, event)?.to_owned(),
            order: step_optional(self.order.as_ref(), statuses.order.as_deref(), event)?
                .map(str::to_owned),
            fulfillment: step_optional(
                self.fulfillment.as_ref(),
                statuses.fulfillment.as_deref(),
                event,
            )?
            .map(str::to_owned),
        })
    }

    /// [`ProviderMachines::advance`] without allocating: the statuses by number. A slot the
    /// provider has no machine for must be absent (`check_statuses` refuses it otherwise).
    pub fn advance_static(
        &'static self,
        statuses: &Statuses,
        event: PaymentEvent,
    ) -> Result<StatusesAfter, RefundError> {
        let payment = step(&self.payment, &statuses.payment, event)?;
        let order = step_optional(self.order.as_ref(), statuses.order.as_deref(), event)?;
        let fulfillment = step_optional(
            self.fulfillment.as_ref(),
            statuses.fulfillment.as_deref(),
            event,
        )?;
        self.numbered(payment, order, fulfillment)
    }

    /// The statuses named by the tables, by number.
    fn numbered(
        &'static self,
        payment: &str,
        order: Option<&str>,
        fulfillment: Option<&str>,
    ) -> Result<StatusesAfter, RefundError> {
        self.by_number(payment, order, fulfillment).ok_or_else(|| {
            RefundError::inconsistent("/ledger/status", "a table leads outside its states")
        })
    }

    fn by_number(
        &'static self,
        payment: &str,
        order: Option<&str>,
        fulfillment: Option<&str>,
    ) -> Option<StatusesAfter> {
        let slot = |m: Option<&StatusMachine>, s: Option<&str>| match (m, s) {
            (Some(m), Some(s)) => number(m, s).map(Some),
            (None, None) => Some(None),
            _ => None,
        };
        Some(StatusesAfter {
            machines: self,
            payment: number(&self.payment, payment)?,
            order: slot(self.order.as_ref(), order)?,
            fulfillment: slot(self.fulfillment.as_ref(), fulfillment)?,
        })
    }

    /// [`ProviderMachines::advance_static`] from statuses already numbered (a validated
    /// ledger's, [`crate::plan::ValidLedger::statuses`]): the same moves and errors, without
    /// looking the current states up by name.
    pub fn advance_from(
        &'static self,
        from: StatusesAfter,
        event: PaymentEvent,
    ) -> Result<StatusesAfter, RefundError> {
        if !core::ptr::eq(from.machines, self) {
            // Numbered by another provider's tables: go by the names.
            return self.advance_static(&from.to_statuses(), event);
        }
        let slot = |m: Option<&StatusMachine>, s: Option<u8>| match (m, s) {
            (Some(m), Some(s)) => step_number(m, s, event).map(Some),
            (None, None) => Ok(None),
            (Some(m), None) => Err(RefundError::invalid_input(
                "/ledger/status",
                format!("this provider needs the {} status", m.name),
            )),
            (None, Some(_)) => Err(RefundError::invalid_input(
                "/ledger/status",
                "this provider has no such status",
            )),
        };
        Ok(StatusesAfter {
            machines: self,
            payment: step_number(&self.payment, from.payment, event)?,
            order: slot(self.order.as_ref(), from.order)?,
            fulfillment: slot(self.fulfillment.as_ref(), from.fulfillment)?,
        })
    }

    /// `statuses` by number (`None` if one is not a state of its machine).
    pub fn statuses_as_static(&'static self, statuses: &Statuses) -> Option<StatusesAfter> {
        self.by_number(
            &statuses.payment,
            statuses.order.as_deref(),
            statuses.fulfillment.as_deref(),
        )
    }

    /// Checks that every status names a state of its machine; `base` is the pointer of the
    /// statuses object.
    pub fn check_statuses(&self, statuses: &Statuses, base: &str) -> Result<(), RefundError> {
        known(&self.payment, &statuses.payment, &format!("{base}/payment"))?;
        match (&self.order, &statuses.order) {
            (Some(m), Some(s)) => known(m, s, &format!("{base}/order"))?,
            (Some(_), None) => {
                return Err(RefundError::invalid_input(
                    format!("{base}/order"),
                    "this provider needs the order status",
                ));
            }
            (None, Some(_)) => {
                return Err(RefundError::invalid_input(
                    format!("{base}/order"),
                    "this provider has no order status",
                ));
            }
            (None, None) => {}
        }
        match (&self.fulfillment, &statuses.fulfillment) {
            (Some(m), Some(s)) => known(m, s, &format!("{base}/fulfillment")),
            (Some(_), None) => Err(RefundError::invalid_input(
                format!("{base}/fulfillment"),
                "this provider needs the fulfillment status",
            )),
            (None, Some(_)) => Err(RefundError::invalid_input(
                format!("{base}/fulfillment"),
                "this provider has no fulfillment status",
            )),
            (None, None) => Ok(()),
        }
    }
}

fn known(machine: &StatusMachine, status: &str, pointer: &str) -> Result<(), RefundError> {
    if machine.states.contains(&status) {
        Ok(())
    } else {
        Err(RefundError::invalid_input(
            pointer,
            format!(
                "unknown {} status `{status}`; expected one of {}",
                machine.name,
                machine.states.join(", ")
            ),
        ))
    }
}

fn step(
    machine: &StatusMachine,
    from: &str,
    event: PaymentEvent,
) -> Result<&'static str, RefundError> {
    let state = machine
        .states
        .iter()
        .find(|s| **s == from)
        .copied()
        .ok_or_else(|| RefundError::IllegalTransition {
            machine: machine.name.to_owned(),
            from: from.to_owned(),
            event: event.to_string(),
        })?;
    machine.next(state, event)
}

fn step_optional(
    machine: Option<&StatusMachine>,
    from: Option<&str>,
    event: PaymentEvent,
) -> Result<Option<&'static str>, RefundError> {
    match (machine, from) {
        (Some(m), Some(s)) => step(m, s, event).map(Some),
        (None, None) => Ok(None),
        (Some(m), None) => Err(RefundError::invalid_input(
            "/ledger/status",
            format!("this provider needs the {} status", m.name),
        )),
        (None, Some(_)) => Err(RefundError::invalid_input(
            "/ledger/status",
            "this provider has no such status",
        )),
    }
}

/// `RefundFull` when, counting succeeded refunds, nothing captured is left; else `RefundPartial`.
pub fn refund_event(ledger: &Ledger) -> Result<PaymentEvent, RefundError> {
    let r = ledger.refundable()?;
    Ok(if r.refunded == r.captured {
        PaymentEvent::RefundFull
    } else {
        PaymentEvent::RefundPartial
    })
}
