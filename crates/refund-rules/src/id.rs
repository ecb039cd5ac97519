//! Identifiers every layer shares: the five providers and the operations and kinds a plan names.

use serde::{Deserialize, Serialize};

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

    /// The provider with this document name, if any.
    pub fn named(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == name)
    }
}

impl core::fmt::Display for Provider {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The provider operation a plan calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// Refund captured funds.
    Refund,
    /// Void an uncaptured authorization (SimplePS).
    Void,
    /// Cancel an authorization or an unsettled capture (Fiserv).
    Cancel,
    /// Push a stuck refund to succeeded (Commerce Layer `_forward`).
    Forward,
}

impl Operation {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Refund => "refund",
            Self::Void => "void",
            Self::Cancel => "cancel",
            Self::Forward => "forward",
        }
    }
}

/// Full or partial.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundKind {
    /// The refund takes everything still available.
    Full,
    /// Something stays available after it.
    Partial,
}

impl RefundKind {
    /// `"full"` or `"partial"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Full => "full",
            Self::Partial => "partial",
        }
    }
}
