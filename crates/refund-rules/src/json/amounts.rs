//! Where a document carries an amount, and in which wire form: the table a binding consults so
//! that its users give every amount one way (an exact decimal, an integer or decimal text) while
//! the engine — not the binding — decides how each provider's document spells it on the wire.
//!
//! Nothing here loosens what the JSON surface accepts: the CLI and every JSON caller still send
//! each field in its provider's own form, and the providers still refuse any other. A binding
//! that holds an amount as a language value (Python `Decimal`, `int`, `str`) asks
//! [`amount_form`] for the place it is writing and writes the value with [`write_amount`].
//!
//! | place | wire form |
//! |---|---|
//! | ledger amounts (`authorized`, captures, refunds, lines, allocations), event amounts | decimal string (`"25.00"`) |
//! | SimplePS `amount.total`, Fiserv `amount.total` and `amountComponents` amounts, Digital River `amount` and `items[].amount` | JSON number (`25.00`) |
//! | Alternative Payments `amount` | decimal string (`"25.00"`) |
//! | Commerce Layer `_refund_amount_cents` | JSON integer of minor units (`2500`) |

use crate::id::Provider;

/// How one amount field is written in the JSON document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmountForm {
    /// A JSON string holding the decimal text in major units: `"25.00"`.
    DecimalString,
    /// A JSON number in major units: `25.00`.
    DecimalNumber,
    /// A JSON integer of minor units: `2500`.
    MinorUnits,
}

impl AmountForm {
    /// What a caller gives at such a place, in words (for messages).
    pub fn describe(self) -> &'static str {
        match self {
            Self::DecimalString | Self::DecimalNumber => "a major-unit amount such as 25.00",
            Self::MinorUnits => "an integer amount of minor units such as 2500 (cents)",
        }
    }
}

/// One pattern: segments of a JSON pointer, `*` standing for any array index.
type Pattern = (&'static [&'static str], AmountForm);

use AmountForm::{DecimalNumber, DecimalString, MinorUnits};

/// Ledger and event amounts: the same for every provider.
const DOCUMENT: &[Pattern] = &[
    (&["ledger", "authorized"], DecimalString),
    (&["ledger", "captures", "*", "amount"], DecimalString),
    (&["ledger", "refunds", "*", "amount"], DecimalString),
    (
        &["ledger", "refunds", "*", "allocations", "*", "amount"],
        DecimalString,
    ),
    (
        &["ledger", "refunds", "*", "allocations", "*", "tax"],
        DecimalString,
    ),
    (&["ledger", "lines", "*", "amount"], DecimalString),
    (&["ledger", "lines", "*", "tax"], DecimalString),
    (&["event", "amount"], DecimalString),
    (&["event", "allocations", "*", "amount"], DecimalString),
    (&["event", "allocations", "*", "tax"], DecimalString),
];

const SIMPLEPS: &[Pattern] = &[(&["request", "amount", "total"], DecimalNumber)];

const FISERV: &[Pattern] = &[
    (&["request", "amount", "total"], DecimalNumber),
    (&["request", "amountComponents", "unitPrice"], DecimalNumber),
    (&["request", "amountComponents", "subTotal"], DecimalNumber),
    (&["request", "amountComponents", "vatAmount"], DecimalNumber),
    (&["request", "amountComponents", "localTax"], DecimalNumber),
    (
        &["request", "amountComponents", "ITBISTaxAmount"],
        DecimalNumber,
    ),
    (
        &["request", "amountComponents", "shippingAmount"],
        DecimalNumber,
    ),
    (
        &["request", "amountComponents", "freightAmount"],
        DecimalNumber,
    ),
    (&["request", "amountComponents", "surcharge"], DecimalNumber),
    (
        &["request", "amountComponents", "convenienceFee"],
        DecimalNumber,
    ),
    (&["request", "amountComponents", "tip"], DecimalNumber),
    (&["request", "amountComponents", "cashback"], DecimalNumber),
    (&["request", "amountComponents", "netAmount"], DecimalNumber),
    (
        &["request", "amountComponents", "grossAmount"],
        DecimalNumber,
    ),
    (
        &[
            "request",
            "amountComponents",
            "taxAmounts",
            "*",
            "taxAmount",
        ],
        DecimalNumber,
    ),
    (
        &[
            "request",
            "amountComponents",
            "priceAdjustments",
            "*",
            "adjustmentAmount",
        ],
        DecimalNumber,
    ),
];

const ALTERNATIVE_PAYMENTS: &[Pattern] = &[(&["request", "amount"], DecimalString)];

const DIGITAL_RIVER: &[Pattern] = &[
    (&["request", "amount"], DecimalNumber),
    (&["request", "items", "*", "amount"], DecimalNumber),
];

const COMMERCE_LAYER: &[Pattern] = &[(
    &["request", "data", "attributes", "_refund_amount_cents"],
    MinorUnits,
)];

/// The provider's request amounts.
fn request_patterns(provider: Provider) -> &'static [Pattern] {
    match provider {
        Provider::SimplePs => SIMPLEPS,
        Provider::FiservCommerceHub => FISERV,
        Provider::AlternativePayments => ALTERNATIVE_PAYMENTS,
        Provider::DigitalRiver => DIGITAL_RIVER,
        Provider::CommerceLayer => COMMERCE_LAYER,
    }
}

/// Whether `key` (an object member name) is the last segment of any amount place: a cheap
/// test before building a whole pointer.
pub fn is_amount_key(key: &str) -> bool {
    let all = [
        DOCUMENT,
        SIMPLEPS,
        FISERV,
        ALTERNATIVE_PAYMENTS,
        DIGITAL_RIVER,
        COMMERCE_LAYER,
    ];
    all.iter()
        .flat_map(|ps| ps.iter())
        .any(|(p, _)| p.last() == Some(&key))
}

fn matches(pattern: &[&str], segments: &[&str]) -> bool {
    pattern.len() == segments.len()
        && pattern.iter().zip(segments).all(|(p, s)| {
            *p == *s || (*p == "*" && !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        })
}

/// The wire form of the amount at `segments` (the unescaped segments of a JSON pointer from
/// the operation document's root, e.g. `["request", "amount", "total"]`) in a document for
/// `provider`; `None` when that place is not an amount.
pub fn amount_form(provider: Option<Provider>, segments: &[&str]) -> Option<AmountForm> {
    let request = provider.map(request_patterns).unwrap_or_default();
    DOCUMENT
        .iter()
        .chain(request)
        .find(|(p, _)| matches(p, segments))
        .map(|(_, form)| *form)
}

/// Whether `text` is a JSON number literal (`-?int(.frac)?(e[+-]?exp)?`).
pub fn is_json_number(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i = i.saturating_add(1);
        }
        i.saturating_sub(start)
    };
    let int_start = i;
    let n = digits(&mut i);
    if n == 0 || (n > 1 && b.get(int_start) == Some(&b'0')) {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i = i.saturating_add(1);
        if digits(&mut i) == 0 {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i = i.saturating_add(1);
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i = i.saturating_add(1);
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Writes an amount given as exact decimal `text` (a `Decimal`'s or an integer's digits, or
/// the caller's own text) in `form`: a JSON string for [`AmountForm::DecimalString`], the text
/// as a JSON number for the numeric forms. Text that is not a JSON number is written as a
/// string even there, so the provider refuses it in its own words (nothing is corrected).
pub fn write_amount(form: AmountForm, text: &str, out: &mut Vec<u8>) {
    let numeric = matches!(form, AmountForm::DecimalNumber | AmountForm::MinorUnits);
    if numeric && is_json_number(text) {
        out.extend_from_slice(text.as_bytes());
        return;
    }
    out.push(b'"');
    for c in text.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            c if u32::from(c) < 0x20 => {
                out.extend_from_slice(format!("\\u{:04x}", u32::from(c)).as_bytes());
            }
            c => {
                let mut buf = [0_u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]
    use super::*;

    #[test]
    fn each_provider_has_its_form() {
        let f = |p, s: &[&str]| amount_form(Some(p), s);
        assert_eq!(
            f(Provider::SimplePs, &["request", "amount", "total"]),
            Some(DecimalNumber)
        );
        assert_eq!(
            f(Provider::AlternativePayments, &["request", "amount"]),
            Some(DecimalString)
        );
        assert_eq!(
            f(Provider::DigitalRiver, &["request", "items", "3", "amount"]),
            Some(DecimalNumber)
        );
        assert_eq!(
            f(
                Provider::CommerceLayer,
                &["request", "data", "attributes", "_refund_amount_cents"]
            ),
            Some(MinorUnits)
        );
        assert_eq!(
            f(Provider::SimplePs, &["ledger", "refunds", "12", "amount"]),
            Some(DecimalString)
        );
        assert_eq!(
            f(Provider::SimplePs, &["ledger", "refunds", "x", "amount"]),
            None
        );
        assert_eq!(
            f(Provider::SimplePs, &["request", "amount", "currency"]),
            None
        );
        assert_eq!(amount_form(None, &["event", "amount"]), Some(DecimalString));
        assert!(is_amount_key("_refund_amount_cents") && !is_amount_key("id"));
    }

    #[test]
    fn amounts_are_written_exactly_or_left_for_the_provider_to_refuse() {
        let w = |form, t| {
            let mut out = Vec::new();
            write_amount(form, t, &mut out);
            String::from_utf8(out).unwrap_or_default()
        };
        assert_eq!(w(DecimalNumber, "25.00"), "25.00");
        assert_eq!(w(DecimalString, "25.00"), "\"25.00\"");
        assert_eq!(w(MinorUnits, "2500"), "2500");
        assert_eq!(w(DecimalNumber, "1E+2"), "1E+2");
        assert_eq!(w(DecimalNumber, "abc\""), "\"abc\\\"\"");
        assert_eq!(w(DecimalNumber, "007"), "\"007\"");
        assert!(is_json_number("-0.5e-3") && !is_json_number("") && !is_json_number("1."));
    }
}
