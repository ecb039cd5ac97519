//! RFC 3339 timestamps and calendar months.
#![allow(clippy::unwrap_used, reason = "test code")]

use refund_rules::Timestamp;

#[test]
fn round_trips_and_offsets() {
    let t: Timestamp = "2024-02-29T23:59:59Z".parse().unwrap();
    assert_eq!(t.to_string(), "2024-02-29T23:59:59Z");
    let e: Timestamp = "1970-01-01T00:00:00Z".parse().unwrap();
    assert_eq!(e.unix_seconds(), 0);
    let o: Timestamp = "1970-01-01T01:00:00.123+01:00".parse().unwrap();
    assert_eq!(o.unix_seconds(), 0);
}

#[test]
fn rejects_bad_text() {
    for s in [
        "",
        "2024-13-01T00:00:00Z",
        "2023-02-29T00:00:00Z",
        "2024-01-01",
        "2024-01-01T00:00:00",
        "2024-01-01T24:00:00Z",
        "2024-01-01T00:00:00+0100",
        "2024-01-01T00:00:00.Z",
    ] {
        assert!(s.parse::<Timestamp>().is_err(), "{s}");
    }
}

#[test]
fn months_clamp_day() {
    let t: Timestamp = "2024-03-31T10:00:00Z".parse().unwrap();
    assert_eq!(
        t.checked_add_months(-1).unwrap().to_string(),
        "2024-02-29T10:00:00Z"
    );
    assert_eq!(
        t.checked_add_months(-12).unwrap().to_string(),
        "2023-03-31T10:00:00Z"
    );
    assert_eq!(
        t.checked_add_months(11).unwrap().to_string(),
        "2025-02-28T10:00:00Z"
    );
}

/// Every timestamp the engine writes (UTC), it reads back: instants whose UTC form leaves
/// 0001–9999 are refused on input instead of being written as a year the parser refuses.
#[test]
fn what_is_written_reads_back_at_the_edges() {
    for s in [
        "0001-01-01T00:30:00+01:00",
        "0000-12-31T23:00:00+02:00",
        "9999-12-31T23:30:00-01:00",
        "0000-06-01T00:00:00Z",
    ] {
        assert!(
            s.parse::<Timestamp>().is_err(),
            "{s} leaves 0001–9999 in UTC"
        );
    }
    for s in [
        "0001-01-01T00:00:00Z",
        "0001-01-01T01:30:00+01:00",
        "9999-12-31T23:59:59Z",
        "9999-12-31T22:00:00-01:00",
    ] {
        let t: Timestamp = s.parse().unwrap();
        let written = t.to_string();
        assert_eq!(written.parse::<Timestamp>().unwrap(), t, "{s} → {written}");
    }
}

proptest::proptest! {
    /// Any accepted timestamp, written, parses to the same instant.
    #[test]
    fn accepted_timestamps_round_trip(
        y in 0_u32..=9999, mo in 1_u32..=12, d in 1_u32..=28, h in 0_u32..=23, mi in 0_u32..=59,
        oh in 0_u32..=23, om in 0_u32..=59, neg in proptest::bool::ANY,
    ) {
        let sign = if neg { '-' } else { '+' };
        let s = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:00{sign}{oh:02}:{om:02}");
        if let Ok(t) = s.parse::<Timestamp>() {
            proptest::prop_assert_eq!(t.to_string().parse::<Timestamp>().unwrap(), t);
        }
    }
}
