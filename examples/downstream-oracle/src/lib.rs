//! A merchant's own refund check, written independently of refund-rules: the kind of code a
//! shop keeps in its back office (integer cents, a status string, a few rules from the SimplePS
//! refund page). `tests/oracle.rs` property-tests it against the engine.

/// What the merchant's database knows about a payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    /// SimplePS payment status (`CAPTURED`, `PARTIALLY_REFUNDED`…).
    pub status: String,
    /// Captured, in minor units.
    pub captured: i64,
    /// Already refunded, in minor units.
    pub refunded: i64,
}

/// The merchant's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Refund `amount`; `full` when nothing is left afterwards.
    Refund {
        /// Minor units to refund.
        amount: i64,
        /// True when it empties the payment.
        full: bool,
        /// What is left afterwards.
        remaining: i64,
    },
    /// Refused.
    Reject(Reason),
}

/// Why the merchant refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Only authorized (void it instead) or still in 3-D Secure.
    NotCaptured,
    /// Voided or declined.
    NotRefundable,
    /// Zero or negative amount.
    BadAmount,
    /// Nothing left to refund.
    NothingLeft,
    /// More than is left.
    TooMuch,
}

impl Reason {
    /// The refund-rules error code this reason corresponds to.
    pub fn engine_code(self) -> &'static str {
        match self {
            Reason::NotCaptured => "not_captured",
            Reason::NotRefundable => "not_refundable_state",
            Reason::BadAmount => "invalid_amount",
            Reason::NothingLeft => "already_fully_refunded",
            Reason::TooMuch => "exceeds_refundable",
        }
    }
}

/// Decides a refund of `amount` minor units (`None`: everything that is left).
pub fn decide(payment: &Payment, amount: Option<i64>) -> Decision {
    match payment.status.as_str() {
        "AUTHORIZED" | "CHALLENGE" => return Decision::Reject(Reason::NotCaptured),
        "VOIDED" | "DECLINED" => return Decision::Reject(Reason::NotRefundable),
        _ => {}
    }
    if let Some(a) = amount
        && a <= 0
    {
        return Decision::Reject(Reason::BadAmount);
    }
    let left = payment.captured - payment.refunded;
    if left <= 0 {
        return Decision::Reject(Reason::NothingLeft);
    }
    let amount = amount.unwrap_or(left);
    if amount > left {
        return Decision::Reject(Reason::TooMuch);
    }
    Decision::Refund {
        amount,
        full: amount == left,
        remaining: left - amount,
    }
}
