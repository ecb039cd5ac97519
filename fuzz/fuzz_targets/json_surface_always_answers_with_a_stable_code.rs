//! The whole JSON surface on arbitrary text. Proves: no panic, the answer is valid JSON, `ok`
//! with a value or `ok:false` with a stable code whose family matches, for every operation.
#![no_main]

use libfuzzer_sys::fuzz_target;
use refund_rules::json::{Operation, run, run_named};
use refund_rules_fuzz::assert_envelope;

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let op = Operation::ALL[usize::from(first) % Operation::ALL.len()];
    let out = run(op, &text);
    assert_envelope(&out);
    assert_eq!(run_named(op.as_str(), &text), out);
});
