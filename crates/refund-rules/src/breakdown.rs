//! The refundable breakdown: captured, refunded, pending and available, in one currency. Every
//! amount error carries one, so it sits below the errors.

use serde::{Serialize, Serializer, ser::SerializeStruct};

use crate::money::{Currency, Minor, Money};

/// Why the maximum refundable amount is what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refundable {
    /// The currency of every figure.
    pub currency: Currency,
    /// Total captured.
    pub captured: Minor,
    /// Refunds that succeeded.
    pub refunded: Minor,
    /// Refunds still pending (they reserve balance).
    pub pending: Minor,
    /// `captured − refunded − pending`: the most a new refund may be.
    pub available: Minor,
}

impl Refundable {
    /// `captured` as money.
    pub fn captured_money(&self) -> Money {
        Money::new(self.captured, self.currency)
    }
    /// `refunded` as money.
    pub fn refunded_money(&self) -> Money {
        Money::new(self.refunded, self.currency)
    }
    /// `pending` as money.
    pub fn pending_money(&self) -> Money {
        Money::new(self.pending, self.currency)
    }
    /// `available` as money.
    pub fn available_money(&self) -> Money {
        Money::new(self.available, self.currency)
    }

    /// `captured …, refunded …, pending …, available …`, for explanations.
    pub fn summary(&self) -> String {
        format!(
            "captured {}, refunded {}, pending {}, available {}",
            self.captured_money(),
            self.refunded_money(),
            self.pending_money(),
            self.available_money()
        )
    }

    /// Where the amounts put a captured payment of `authorized`; providers name their statuses
    /// after these stages.
    pub fn stage(&self, authorized: Minor) -> AmountStage {
        if self.refunded.is_zero() {
            if self.captured == authorized {
                AmountStage::Captured
            } else {
                AmountStage::PartiallyCaptured
            }
        } else if self.refunded == self.captured {
            AmountStage::Refunded
        } else {
            AmountStage::PartiallyRefunded
        }
    }
}

/// What the amounts of a captured payment say, whatever the provider calls it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmountStage {
    /// Everything authorized is captured; nothing is refunded.
    Captured,
    /// Less than the authorized amount is captured; nothing is refunded.
    PartiallyCaptured,
    /// Some, not all, of the captured amount is refunded.
    PartiallyRefunded,
    /// Everything captured is refunded.
    Refunded,
}

impl Serialize for Refundable {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Refundable", 5)?;
        st.serialize_field("currency", &self.currency)?;
        st.serialize_field("captured", &self.captured_money())?;
        st.serialize_field("refunded", &self.refunded_money())?;
        st.serialize_field("pending", &self.pending_money())?;
        st.serialize_field("available", &self.available_money())?;
        st.end()
    }
}
