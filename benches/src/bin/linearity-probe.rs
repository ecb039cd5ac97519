//! Runs one [`refund_rules_benches::collection_cases`] case at size `n` once, for the
//! linearity test to count its instructions (`linearity-probe <case name> <n>`). Exit status 0
//! when the engine answered `ok`, 1 otherwise (a fixture that no longer passes is a test bug).
#![forbid(unsafe_code)]

use std::process::ExitCode;

use refund_rules::json::run;
use refund_rules_benches::collection_cases;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(name), Some(n)) = (
        args.first(),
        args.get(1).and_then(|n| n.parse::<usize>().ok()),
    ) else {
        eprintln!("usage: linearity-probe <case name> <n>");
        return ExitCode::from(2);
    };
    let Some(case) = collection_cases().into_iter().find(|c| c.name == name) else {
        eprintln!("no case `{name}`");
        return ExitCode::from(2);
    };
    let out = run(case.operation, &(case.document)(n));
    if out.error.is_some() {
        eprintln!("{}", out.json);
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
