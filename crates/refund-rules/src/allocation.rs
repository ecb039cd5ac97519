//! Exact allocation of money over buckets (product, shipping, tax, duty, fees…), in integer
//! minor units with checked `i128` intermediates and no floats.
//!
//! Two tools, used together by providers that refund proportionally:
//!
//! - **Cumulative (telescoping) shares** for successive proportional refunds of one bucket:
//!   the k-th refund of a bucket of `total` takes
//!   `share(total, cumulative after) − share(total, cumulative before)`, where
//!   [`share`] rounds half away from zero (half-up for positive amounts). Successive refunds
//!   therefore add up to `share(total, sum of fractions)`, and to exactly `total` when the
//!   fractions add up to one, whatever the sequence (anchors §6.8). Example: 50 % of 27.01 is
//!   `share(2701, 1/2) = 1351` (13.51, half-up), and the next 50 % is `2701 − 1351 = 1350`.
//! - **Largest remainder** ([`largest_remainder`]) to split one amount over buckets in
//!   proportion to weights: every bucket gets the floor of its quota, and the units left over go
//!   to the largest remainders, ties to the lowest index. The parts always add up to the amount,
//!   and when the weights are what each bucket still has available and the amount is at most
//!   their sum, no part exceeds its weight.
//!
//! Both are sign-symmetric: `f(−x) = −f(x)`.
//!
//! ```
//! use refund_rules::allocation::{Ratio, largest_remainder, telescoping};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let half = Ratio::new(1, 2)?;
//! let whole = Ratio::new(1, 1)?;
//! assert_eq!(telescoping(2701, Ratio::ZERO, half), Ok(1351));
//! assert_eq!(telescoping(2701, half, whole), Ok(1350));
//! assert_eq!(largest_remainder(100, &[1, 1, 1]), Ok(vec![34, 33, 33]));
//! # Ok(())
//! # }
//! ```

use core::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::money::{Minor, format_decimal, parse_decimal};

/// Why an allocation could not be computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AllocationError {
    /// An intermediate or result left the `i64`/`i128` range.
    #[error("the allocation overflows")]
    Overflow,
    /// A ratio with a zero or negative denominator, or a negative numerator.
    #[error("the ratio is not a non-negative fraction")]
    InvalidRatio,
    /// A negative weight.
    #[error("a weight is negative")]
    NegativeWeight,
    /// A non-zero amount over weights that are all zero.
    #[error("a non-zero amount cannot be split over zero weights")]
    NoWeight,
}

/// An exact non-negative fraction `num / den` (`den > 0`), e.g. a cumulative percentage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ratio {
    num: i128,
    den: i128,
}

impl Ratio {
    /// Zero.
    pub const ZERO: Ratio = Ratio { num: 0, den: 1 };

    /// `num / den`; fails on a negative numerator or a non-positive denominator.
    pub fn new(num: i128, den: i128) -> Result<Self, AllocationError> {
        if den <= 0 || num < 0 {
            return Err(AllocationError::InvalidRatio);
        }
        Ok(Self { num, den })
    }

    /// The numerator.
    pub fn num(self) -> i128 {
        self.num
    }

    /// The denominator.
    pub fn den(self) -> i128 {
        self.den
    }

    /// `self + other`, exactly.
    pub fn checked_add(self, other: Ratio) -> Result<Ratio, AllocationError> {
        if self.den == other.den {
            let num = self
                .num
                .checked_add(other.num)
                .ok_or(AllocationError::Overflow)?;
            return Ratio::new(num, self.den);
        }
        let num = mul(self.num, other.den)?
            .checked_add(mul(other.num, self.den)?)
            .ok_or(AllocationError::Overflow)?;
        Ratio::new(num, mul(self.den, other.den)?)?.reduced()
    }

    /// The same fraction in lowest terms.
    pub fn reduced(self) -> Result<Ratio, AllocationError> {
        let (mut a, mut b) = (self.num, self.den);
        while b != 0 {
            let r = a.checked_rem(b).ok_or(AllocationError::Overflow)?;
            a = b;
            b = r;
        }
        // `a` is the gcd, positive because `den > 0`.
        Ratio::new(
            self.num.checked_div(a).ok_or(AllocationError::Overflow)?,
            self.den.checked_div(a).ok_or(AllocationError::Overflow)?,
        )
    }

    /// True when the fraction is above one.
    pub fn exceeds_one(self) -> bool {
        self.num > self.den
    }

    /// True when the fraction is exactly one.
    pub fn is_one(self) -> bool {
        self.num == self.den
    }
}

fn mul(a: i128, b: i128) -> Result<i128, AllocationError> {
    a.checked_mul(b).ok_or(AllocationError::Overflow)
}

/// `round(total × ratio)`, halves away from zero (half-up for positive totals).
///
/// ```
/// use refund_rules::allocation::{Ratio, share};
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let half = Ratio::new(1, 2)?;
/// assert_eq!(share(2701, half), Ok(1351));
/// assert_eq!(share(-2701, half), Ok(-1351));
/// # Ok(())
/// # }
/// ```
pub fn share(total: i64, ratio: Ratio) -> Result<i64, AllocationError> {
    let negative = total < 0;
    let magnitude = i128::from(total)
        .checked_abs()
        .ok_or(AllocationError::Overflow)?;
    let product = mul(magnitude, ratio.num)?;
    let quotient = product
        .checked_div(ratio.den)
        .ok_or(AllocationError::Overflow)?;
    let remainder = product
        .checked_rem(ratio.den)
        .ok_or(AllocationError::Overflow)?;
    // Half or more rounds up: 2·remainder ≥ den.
    let rounded = if mul(remainder, 2)? >= ratio.den {
        quotient.checked_add(1).ok_or(AllocationError::Overflow)?
    } else {
        quotient
    };
    let signed = if negative {
        rounded.checked_neg().ok_or(AllocationError::Overflow)?
    } else {
        rounded
    };
    i64::try_from(signed).map_err(|_| AllocationError::Overflow)
}

/// The part of `total` that moving a cumulative fraction from `before` to `after` releases:
/// `share(total, after) − share(total, before)`.
///
/// Summed over successive calls whose `before` is the previous `after`, the parts telescope to
/// `share(total, last after)`: exactly `total` at one, never more, never less.
pub fn telescoping(total: i64, before: Ratio, after: Ratio) -> Result<i64, AllocationError> {
    share(total, after)?
        .checked_sub(share(total, before)?)
        .ok_or(AllocationError::Overflow)
}

/// What a bucket of `total`, of which `taken` is already refunded, must give so that it reaches
/// its cumulative target `share(total, after)`: `max(0, share(total, after) − taken)`.
///
/// When every earlier refund of the bucket was a proportional one, `taken` is
/// `share(total, before)` and this is [`telescoping`]. When fixed amounts were refunded in
/// between, the bucket catches up to its target and never goes past `total`.
pub fn catch_up(total: i64, taken: i64, after: Ratio) -> Result<i64, AllocationError> {
    let target = share(total, after)?;
    Ok(target
        .checked_sub(taken)
        .ok_or(AllocationError::Overflow)?
        .max(0))
}

/// Splits `amount` over buckets in proportion to `weights` by the largest-remainder method.
///
/// Each bucket gets `floor(|amount| × w / Σw)`; the units left over (fewer than the number of
/// buckets) go one each to the largest remainders, ties to the lowest index; the sign of
/// `amount` is applied last. The parts add up to `amount` exactly. If `0 ≤ amount ≤ Σw`, no
/// part exceeds its weight. A zero amount gives all zeros, even over zero weights.
///
/// ```
/// use refund_rules::allocation::largest_remainder;
/// assert_eq!(largest_remainder(2, &[1, 1, 1]), Ok(vec![1, 1, 0]));
/// assert_eq!(largest_remainder(-2, &[1, 1, 1]), Ok(vec![-1, -1, 0]));
/// assert_eq!(largest_remainder(1351, &[2500, 201]), Ok(vec![1250, 101]));
/// ```
pub fn largest_remainder(amount: i64, weights: &[i64]) -> Result<Vec<i64>, AllocationError> {
    if weights.iter().any(|w| *w < 0) {
        return Err(AllocationError::NegativeWeight);
    }
    if amount == 0 {
        return Ok(vec![0; weights.len()]);
    }
    let total_weight = weights.iter().try_fold(0_i128, |acc, w| {
        acc.checked_add(i128::from(*w))
            .ok_or(AllocationError::Overflow)
    })?;
    if total_weight == 0 {
        return Err(AllocationError::NoWeight);
    }
    let magnitude = i128::from(amount)
        .checked_abs()
        .ok_or(AllocationError::Overflow)?;
    let mut parts = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    let mut given = 0_i128;
    for w in weights {
        let product = mul(magnitude, i128::from(*w))?;
        let floor = product
            .checked_div(total_weight)
            .ok_or(AllocationError::Overflow)?;
        let rem = product
            .checked_rem(total_weight)
            .ok_or(AllocationError::Overflow)?;
        given = given.checked_add(floor).ok_or(AllocationError::Overflow)?;
        parts.push(floor);
        remainders.push(rem);
    }
    let left = magnitude
        .checked_sub(given)
        .ok_or(AllocationError::Overflow)?;
    // Indices by remainder, largest first; the stable sort keeps ties in index order.
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|a, b| {
        let ra = remainders.get(*a).copied().unwrap_or_default();
        let rb = remainders.get(*b).copied().unwrap_or_default();
        rb.cmp(&ra)
    });
    let extra = usize::try_from(left).map_err(|_| AllocationError::Overflow)?;
    for i in order.into_iter().take(extra) {
        if let Some(p) = parts.get_mut(i) {
            *p = p.checked_add(1).ok_or(AllocationError::Overflow)?;
        }
    }
    parts
        .into_iter()
        .map(|p| {
            let signed = if amount < 0 {
                p.checked_neg().ok_or(AllocationError::Overflow)?
            } else {
                p
            };
            i64::try_from(signed).map_err(|_| AllocationError::Overflow)
        })
        .collect()
}

/// A percentage with at most two decimals, held in hundredths of a percent (`33.33` → 3333),
/// between 0.01 and 100.00 inclusive. Its JSON form is the decimal string (`"33.33"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Percent(u32);

impl Percent {
    /// 100.00 %.
    pub const HUNDRED: Percent = Percent(10_000);

    /// Hundredths of a percent per whole (100 % = 10 000).
    pub const SCALE: i128 = 10_000;

    /// From hundredths of a percent; `None` outside `1..=10000`.
    pub fn from_hundredths(hundredths: u32) -> Option<Self> {
        (1..=10_000)
            .contains(&hundredths)
            .then_some(Self(hundredths))
    }

    /// Parses `"33.33"`: a plain decimal with at most two decimals, 0.01 to 100.00.
    pub fn parse(text: &str) -> Result<Self, PercentError> {
        let minor = parse_decimal(text, 2).map_err(PercentError::Amount)?;
        u32::try_from(minor.get())
            .ok()
            .and_then(Self::from_hundredths)
            .ok_or(PercentError::OutOfRange)
    }

    /// Hundredths of a percent.
    pub fn hundredths(self) -> u32 {
        self.0
    }

    /// The fraction of a whole (`50.00` → 1/2).
    pub fn ratio(self) -> Ratio {
        Ratio {
            num: i128::from(self.0),
            den: Self::SCALE,
        }
    }
}

/// Why a percentage was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PercentError {
    /// Not a plain decimal with at most two decimals (see [`crate::money::AmountProblem`]).
    #[error("{0}")]
    Amount(crate::money::AmountProblem),
    /// Zero, or above 100.00.
    #[error("the percentage is not from 0.01 to 100.00")]
    OutOfRange,
}

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_decimal(Minor::new(i64::from(self.0)), 2))
    }
}

impl Serialize for Percent {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Percent {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Percent::parse(&text).map_err(|_| {
            serde::de::Error::custom(format!(
                "`{text}` is not a percentage from 0.01 to 100.00 with at most two decimals"
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::arithmetic_side_effects,
        clippy::indexing_slicing,
        clippy::as_conversions,
        reason = "test code"
    )]
    use super::*;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    fn pct(text: &str) -> Result<Ratio, PercentError> {
        Percent::parse(text).map(Percent::ratio)
    }

    #[test]
    fn half_of_27_01_rounds_half_up_then_telescopes() -> TestResult {
        let half = pct("50")?;
        let first = telescoping(2701, Ratio::ZERO, half)?;
        let second = telescoping(2701, half, pct("100")?)?;
        assert_eq!((first, second), (1351, 1350));
        assert_eq!(first + second, 2701);
        Ok(())
    }

    #[test]
    fn three_thirds_and_the_remainder_make_the_whole() -> TestResult {
        for total in [1, 2, 99, 100, 2701, 1_000_000, 999_999_999_999] {
            let mut before = Ratio::ZERO;
            let mut sum = 0;
            for step in ["33.33", "33.33", "33.33", "0.01"] {
                let after = before.checked_add(pct(step)?)?;
                let part = telescoping(total, before, after)?;
                assert!(part >= 0);
                sum += part;
                before = after;
            }
            assert!(before.is_one());
            assert_eq!(sum, total, "total {total}");
        }
        Ok(())
    }

    #[test]
    fn any_sequence_of_percentages_adding_to_100_sums_to_the_original() -> TestResult {
        // Every split of 100.00 % into steps of 7.77 % plus a remainder, over many totals.
        for total in 0..2000_i64 {
            let mut before = Ratio::ZERO;
            let mut sum = 0;
            for _ in 0..12 {
                let after = before.checked_add(pct("7.77")?)?;
                sum += telescoping(total, before, after)?;
                before = after;
            }
            let rest = Ratio::new(10_000 - 12 * 777, 10_000)?;
            let after = before.checked_add(rest)?;
            sum += telescoping(total, before, after)?;
            assert_eq!(sum, total);
        }
        Ok(())
    }

    #[test]
    fn share_is_sign_symmetric_and_half_up() -> TestResult {
        let third = Ratio::new(1, 3)?;
        assert_eq!(share(100, third), Ok(33));
        assert_eq!(share(200, third), Ok(67));
        assert_eq!(share(-200, third), Ok(-67));
        assert_eq!(share(1, pct("50")?), Ok(1));
        assert_eq!(share(1, pct("49.99")?), Ok(0));
        assert_eq!(share(i64::MAX, pct("100")?), Ok(i64::MAX));
        assert_eq!(share(i64::MIN, pct("100")?), Ok(i64::MIN));
        Ok(())
    }

    #[test]
    fn catch_up_never_goes_below_zero_or_past_the_target() -> TestResult {
        // 50 % taken by an amount refund of 15.00 before a 50 % proportional refund.
        assert_eq!(catch_up(2701, 1500, pct("50")?), Ok(0));
        assert_eq!(catch_up(2701, 1000, pct("50")?), Ok(351));
        assert_eq!(catch_up(2701, 1000, pct("100")?), Ok(1701));
        Ok(())
    }

    #[test]
    fn largest_remainder_preserves_the_sum_and_breaks_ties_by_index() -> TestResult {
        assert_eq!(largest_remainder(1, &[1, 1, 1]), Ok(vec![1, 0, 0]));
        assert_eq!(largest_remainder(2, &[1, 1, 1]), Ok(vec![1, 1, 0]));
        assert_eq!(largest_remainder(100, &[1, 1, 1]), Ok(vec![34, 33, 33]));
        assert_eq!(largest_remainder(0, &[0, 0]), Ok(vec![0, 0]));
        assert_eq!(largest_remainder(5, &[]), Err(AllocationError::NoWeight));
        assert_eq!(
            largest_remainder(5, &[0, 0]),
            Err(AllocationError::NoWeight)
        );
        assert_eq!(
            largest_remainder(5, &[1, -1]),
            Err(AllocationError::NegativeWeight)
        );
        assert_eq!(
            largest_remainder(i64::MAX, &[i64::MAX, i64::MAX]),
            Ok(vec![i64::MAX / 2 + 1, i64::MAX / 2])
        );
        for amount in -300..300_i64 {
            for weights in [
                vec![1, 2, 3],
                vec![2500, 201],
                vec![0, 7, 0, 7],
                vec![1, 1, 1, 1, 1, 1, 1],
                vec![999, 1],
            ] {
                let parts = largest_remainder(amount, &weights)?;
                assert_eq!(parts.iter().sum::<i64>(), amount);
                let mirrored = largest_remainder(-amount, &weights)?;
                assert_eq!(parts.iter().map(|p| -p).collect::<Vec<_>>(), mirrored);
                if amount >= 0 && amount <= weights.iter().sum::<i64>() {
                    for (p, w) in parts.iter().zip(&weights) {
                        assert!(p <= w && *p >= 0, "{amount} over {weights:?}: {parts:?}");
                    }
                }
            }
        }
        Ok(())
    }

    #[test]
    fn percent_parsing_is_strict() -> TestResult {
        assert_eq!(Percent::parse("100")?, Percent::HUNDRED);
        assert_eq!(Percent::parse("0.01")?.hundredths(), 1);
        assert_eq!(Percent::parse("33.33")?.to_string(), "33.33");
        assert_eq!(Percent::parse("0"), Err(PercentError::OutOfRange));
        assert_eq!(Percent::parse("100.01"), Err(PercentError::OutOfRange));
        assert!(matches!(
            Percent::parse("33.333"),
            Err(PercentError::Amount(_))
        ));
        assert!(matches!(Percent::parse("-5"), Err(PercentError::Amount(_))));
        assert!(matches!(
            Percent::parse("1e2"),
            Err(PercentError::Amount(_))
        ));
        Ok(())
    }
}
