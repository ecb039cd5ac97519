//! Instants given by the caller. The engine never reads a clock: `now` is an argument.

use core::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A UTC instant with second precision, read from and written as RFC 3339 text.
///
/// ```
/// use refund_rules::Timestamp;
/// # fn main() -> Result<(), refund_rules::time::TimestampError> {
/// let t: Timestamp = "2024-04-22T16:22:06Z".parse()?;
/// assert_eq!(t.to_string(), "2024-04-22T16:22:06Z");
/// let shifted: Timestamp = "2024-04-22T18:22:06+02:00".parse()?;
/// assert_eq!(t, shifted);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Timestamp {
    unix_seconds: i64,
}

/// Why a timestamp was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an RFC 3339 timestamp such as `2024-04-22T16:22:06Z`")]
pub struct TimestampError(pub String);

impl Timestamp {
    /// Seconds since 1970-01-01T00:00:00Z.
    pub const fn unix_seconds(self) -> i64 {
        self.unix_seconds
    }

    /// From seconds since the Unix epoch.
    pub const fn from_unix_seconds(unix_seconds: i64) -> Self {
        Self { unix_seconds }
    }

    /// The same wall-clock time `months` calendar months later (negative: earlier); the day is
    /// clamped to the target month's length (Mar 31 − 1 month = Feb 28/29).
    pub fn checked_add_months(self, months: i32) -> Option<Self> {
        let days = self.unix_seconds.div_euclid(86_400);
        let secs = self.unix_seconds.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        let index = y
            .checked_mul(12)?
            .checked_add(i64::from(m))?
            .checked_sub(1)?
            .checked_add(i64::from(months))?;
        let ny = index.div_euclid(12);
        let nm = u32::try_from(index.rem_euclid(12)).ok()?.checked_add(1)?;
        let nd = d.min(days_in_month(ny, nm));
        let nday = days_from_civil(ny, nm, nd)?;
        let unix_seconds = nday.checked_mul(86_400)?.checked_add(secs)?;
        Some(Self { unix_seconds })
    }
}

impl core::str::FromStr for Timestamp {
    type Err = TimestampError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_rfc3339(s).ok_or_else(|| TimestampError(s.to_owned()))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.unix_seconds.div_euclid(86_400);
        let secs = self.unix_seconds.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        let (hh, rest) = (secs.div_euclid(3600), secs.rem_euclid(3600));
        let (mm, ss) = (rest.div_euclid(60), rest.rem_euclid(60));
        write!(f, "{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}Z")
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

fn number(bytes: &[u8]) -> Option<i64> {
    if bytes.is_empty() || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    bytes.iter().try_fold(0_i64, |acc, b| {
        acc.checked_mul(10)?
            .checked_add(i64::from(b.checked_sub(b'0')?))
    })
}

/// `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`; fractions are accepted and truncated to the second.
fn parse_rfc3339(s: &str) -> Option<Timestamp> {
    let b = s.as_bytes();
    let field = |from: usize, to: usize| b.get(from..to).and_then(number);
    let sep = |at: usize, allowed: &[u8]| b.get(at).is_some_and(|c| allowed.contains(c));
    if !(sep(4, b"-") && sep(7, b"-") && sep(10, b"Tt ") && sep(13, b":") && sep(16, b":")) {
        return None;
    }
    let (year, month, day) = (field(0, 4)?, field(5, 7)?, field(8, 10)?);
    let (hour, minute, second) = (field(11, 13)?, field(14, 16)?, field(17, 19)?);
    let month = u32::try_from(month).ok()?;
    let day = u32::try_from(day).ok()?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let mut at = 19_usize;
    if sep(at, b".") {
        at = at.checked_add(1)?;
        let start = at;
        while b.get(at).is_some_and(u8::is_ascii_digit) {
            at = at.checked_add(1)?;
        }
        if at == start {
            return None;
        }
    }
    let offset_seconds = match b.get(at..)? {
        b"Z" | b"z" => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let oh = number(&[*h1, *h2])?;
            let om = number(&[*m1, *m2])?;
            if oh > 23 || om > 59 {
                return None;
            }
            let off = oh.checked_mul(3600)?.checked_add(om.checked_mul(60)?)?;
            if *sign == b'-' {
                off.checked_neg()?
            } else {
                off
            }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day)?;
    let local = days
        .checked_mul(86_400)?
        .checked_add(hour.checked_mul(3600)?)?
        .checked_add(minute.checked_mul(60)?)?
        .checked_add(second)?;
    let unix_seconds = local.checked_sub(offset_seconds)?;
    // Only instants whose UTC form is 0001-01-01T00:00:00Z..9999-12-31T23:59:59Z: the engine
    // writes UTC, and must read back every timestamp it writes (`0001-01-01T00:30:00+01:00`
    // would become year 0).
    let first = days_from_civil(1, 1, 1)?.checked_mul(86_400)?;
    let last = days_from_civil(9999, 12, 31)?
        .checked_mul(86_400)?
        .checked_add(86_399)?;
    (first..=last)
        .contains(&unix_seconds)
        .then_some(Timestamp { unix_seconds })
}

fn is_leap(y: i64) -> bool {
    y.rem_euclid(4) == 0 && (y.rem_euclid(100) != 0 || y.rem_euclid(400) == 0)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> Option<i64> {
    let y = if m <= 2 { y.checked_sub(1)? } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = i64::from(if m > 2 {
        m.checked_sub(3)?
    } else {
        m.checked_add(9)?
    });
    let doy = mp
        .checked_mul(153)?
        .checked_add(2)?
        .checked_div(5)?
        .checked_add(i64::from(d))?
        .checked_sub(1)?;
    let doe = yoe
        .checked_mul(365)?
        .checked_add(yoe.div_euclid(4))?
        .checked_sub(yoe.div_euclid(100))?
        .checked_add(doy)?;
    era.checked_mul(146_097)?
        .checked_add(doe)?
        .checked_sub(719_468)
}

/// The inverse of [`days_from_civil`]. Inputs come from `i64` seconds / 86 400, far from overflow.
#[expect(
    clippy::arithmetic_side_effects,
    reason = "bounded: |days| <= i64::MAX / 86400, so every intermediate fits in i64"
)]
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    (
        y,
        u32::try_from(m).unwrap_or(1),
        u32::try_from(d).unwrap_or(1),
    )
}
