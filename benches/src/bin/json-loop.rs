//! Runs the JSON `plan` of [`refund_rules_benches::plan_document`]`(n)` — or the
//! `serde_json::Value` parse of the same bytes — `iterations` times, for `benches/instructions.sh`
//! to count instructions: `json-loop <value|full|decision> <n> <iterations>`.
#![forbid(unsafe_code)]

use std::hint::black_box;
use std::process::ExitCode;

use refund_rules::json::{Operation, run};
use refund_rules_benches::plan_document;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(mode), Some(n), Some(iterations)) = (
        args.first().map(String::as_str),
        args.get(1).and_then(|n| n.parse::<usize>().ok()),
        args.get(2).and_then(|n| n.parse::<usize>().ok()),
    ) else {
        eprintln!("usage: json-loop <value|full|decision> <n> <iterations>");
        return ExitCode::from(2);
    };
    let Ok(full) = plan_document(n) else {
        return ExitCode::from(2);
    };
    let text = match (mode, full.strip_prefix('{')) {
        ("decision", Some(rest)) => format!(r#"{{"render":"decision",{rest}"#),
        ("value" | "full", _) => full,
        _ => {
            eprintln!("unknown mode `{mode}`");
            return ExitCode::from(2);
        }
    };
    let mut answered = 0_usize;
    for _ in 0..iterations {
        let ok = if mode == "value" {
            serde_json::from_str::<serde_json::Value>(black_box(&text)).is_ok()
        } else {
            run(Operation::Plan, black_box(&text)).error.is_none()
        };
        answered = answered.saturating_add(usize::from(ok));
    }
    if answered == iterations {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
