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
