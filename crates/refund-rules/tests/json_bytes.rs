//! The byte entry point of the JSON surface and the envelopes the surfaces share
//! (`run_bytes`, `input_too_large`, `usage_error`, `internal_error`).
#![allow(clippy::unwrap_used, reason = "test code")]

use refund_rules::ErrorCode;
use refund_rules::json::{
    MAX_INPUT_BYTES, Operation, input_too_large, internal_error, run, run_bytes, run_named,
    run_named_bytes, usage_error,
};
use serde_json::Value;

const AMOUNT: &str = r#"{"amount":"25.00","currency":"USD"}"#;

fn parsed(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

#[test]
fn utf8_bytes_answer_as_the_text_does() {
    let text = run(Operation::ParseAmount, AMOUNT);
    let bytes = run_bytes(Operation::ParseAmount, AMOUNT.as_bytes(), false);
    assert_eq!(text, bytes);
    assert!(bytes.json.contains(r#""minor":"2500""#), "{}", bytes.json);
    assert_eq!(
        run_named_bytes("parse_amount", AMOUNT.as_bytes()),
        run_named("parse_amount", AMOUNT)
    );
    assert_eq!(
        run_named_bytes("nope", AMOUNT.as_bytes()),
        run_named("nope", AMOUNT)
    );
}

#[test]
fn a_lone_surrogate_as_wtf8_bytes_is_refused_as_not_utf8() {
    // "\u{d800}" as WTF-8 (what Python's surrogatepass and the JS binding produce): ED A0 80.
    let mut doc = br#"{"amount":"1"#.to_vec();
    doc.extend_from_slice(&[0xED, 0xA0, 0x80]);
    doc.extend_from_slice(br#"","currency":"USD"}"#);
    let out = run_bytes(Operation::ParseAmount, &doc, false);
    assert_eq!(out.error, Some(ErrorCode::InvalidInput));
    let v = parsed(&out.json);
    assert_eq!(v["error"]["pointer"], "");
    let message = v["error"]["message"].as_str().unwrap();
    assert!(
        message
            .ends_with("the input is not UTF-8: invalid utf-8 sequence of 1 bytes from index 12"),
        "{message}"
    );
}

#[test]
fn the_size_limit_comes_before_the_utf8_check_and_matches_the_text_answer() {
    let mut big = vec![b' '; MAX_INPUT_BYTES + 1];
    let text = run(Operation::Plan, std::str::from_utf8(&big).unwrap());
    assert_eq!(run_bytes(Operation::Plan, &big, false), text);
    assert_eq!(input_too_large(MAX_INPUT_BYTES + 1, false), text);
    big[0] = 0xFF;
    assert_eq!(run_bytes(Operation::Plan, &big, false), text);
    assert!(
        text.json.contains("the limit is 8388608 bytes"),
        "{}",
        text.json
    );
}

#[test]
fn usage_and_internal_errors_are_invalid_input_envelopes() {
    let u = usage_error("missing command", false);
    assert_eq!(u.error, Some(ErrorCode::InvalidInput));
    assert_eq!(u.exit_code(), 2);
    let v = parsed(&u.json);
    let message = v["error"]["message"].as_str().unwrap();
    assert!(message.ends_with("missing command"), "{message}");
    assert_eq!(v["error"]["family"], "invalid_input");

    let i = internal_error("boom \"quoted\"");
    assert_eq!(i.error, Some(ErrorCode::InvalidInput));
    let v = parsed(&i.json);
    assert_eq!(v["ok"], false);
    assert_eq!(v["error"]["code"], "invalid_input");
    assert_eq!(v["error"]["details"]["internal_error"], true);
    assert_eq!(v["error"]["details"]["panic"], "boom \"quoted\"");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("internal error")
    );
}
