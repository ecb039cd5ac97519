//! `refund-rules`: plan, apply and refundable over JSON documents, from a file or stdin.
//!
//! A thin wrapper over `refund_rules::json`: it reads, calls, prints, and turns the result into
//! an exit code (0 decided, 1 rejected by a rule, 2 bad input).

use std::io::{Read, Write};
use std::process::ExitCode;

use refund_rules::json::{MAX_INPUT_BYTES, Operation, run_with};

const HELP: &str = "\
refund-rules — exact refund decisions for SimplePS, Fiserv Commerce Hub, Alternative Payments,
Digital River and Commerce Layer.

USAGE:
    refund-rules <COMMAND> [FILE] [--pretty]

COMMANDS:
    plan            decide a refund: {provider, ledger, request?, options?, now?, refund_id?}
    apply           apply an event to a ledger: {provider, ledger, event}
    refundable      the refundable breakdown: {ledger, provider?, capture_id?}
    parse-amount    decimal to minor units: {amount, currency, provider?}
    format-amount   minor units to decimal: {minor, currency}
    validate-list-query
                    check an Alternative Payments GET /refunds query: {provider, query}

FILE is a JSON document; without it (or with `-`) the document is read from stdin.

OPTIONS:
    --pretty        indent the JSON output
    -h, --help      this text
    -V, --version   the version

OUTPUT:
    {\"ok\":true,\"value\":…} or {\"ok\":false,\"error\":{\"code\",\"message\",\"details\",…}}

EXIT STATUS:
    0  a decision or result
    1  the refund or event was rejected by a rule (the error code says which)
    2  bad input (malformed JSON, unknown field or provider, invalid amount, unreadable file)

EXAMPLES:
    refund-rules plan examples/simpleps/partial-refund.json --pretty
    refund-rules plan examples/simpleps/over-refund.json        # exit 1, exceeds_refundable
    echo '{\"amount\":\"5800\",\"currency\":\"JPY\"}' | refund-rules parse-amount
    refund-rules apply examples/simpleps/apply-refund-created.json
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(code) => ExitCode::from(code),
        Err(message) => {
            let _ = writeln!(std::io::stderr(), "refund-rules: {message}");
            let failure = serde_json_error(&message);
            let _ = writeln!(std::io::stdout(), "{failure}");
            ExitCode::from(2)
        }
    }
}

/// An `invalid_input` result for failures before the engine runs (usage, unreadable file).
fn serde_json_error(message: &str) -> String {
    let escaped: String = message
        .chars()
        .flat_map(|c| match c {
            '"' => vec!['\\', '"'],
            '\\' => vec!['\\', '\\'],
            c if c.is_control() => vec![' '],
            c => vec![c],
        })
        .collect();
    format!(
        r#"{{"ok":false,"error":{{"code":"invalid_input","family":"invalid_input","message":"{escaped}","details":{{}}}}}}"#
    )
}

fn run(args: &[String]) -> Result<u8, String> {
    let mut pretty = false;
    let mut positional = Vec::new();
    for a in args {
        match a.as_str() {
            "--pretty" => pretty = true,
            "-h" | "--help" => {
                print!("{HELP}");
                return Ok(0);
            }
            "-V" | "--version" => {
                println!("refund-rules {}", env!("CARGO_PKG_VERSION"));
                return Ok(0);
            }
            s if s.starts_with("--") => return Err(format!("unknown option `{s}`; see --help")),
            s => positional.push(s),
        }
    }
    let (command, file) = match positional.as_slice() {
        [c] => (*c, None),
        [c, f] => (*c, Some(*f)),
        [] => return Err("missing command; see --help".to_owned()),
        _ => return Err("too many arguments; see --help".to_owned()),
    };
    let op = Operation::from_name(&command.replace('-', "_"))
        .ok_or_else(|| format!("unknown command `{command}`; see --help"))?;
    let input = read_input(file)?;
    let response = run_with(op, &input, pretty);
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{}", response.json) {
        // A reader that stopped early (`| head`) is not an error of ours.
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(format!("cannot write output: {e}"))
        }
        _ => Ok(response.exit_code()),
    }
}

/// Reads at most one byte more than the engine accepts, so a huge input is refused by the
/// engine's size rule without being held in memory whole.
fn read_input(file: Option<&str>) -> Result<String, String> {
    let limit = u64::try_from(MAX_INPUT_BYTES)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    let mut bytes = Vec::new();
    match file {
        None | Some("-") => std::io::stdin()
            .lock()
            .take(limit)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read stdin: {e}"))?,
        Some(path) => std::fs::File::open(path)
            .and_then(|f| f.take(limit).read_to_end(&mut bytes))
            .map_err(|e| format!("cannot read `{path}`: {e}"))?,
    };
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(format!(
            "the input is larger than the limit of {MAX_INPUT_BYTES} bytes"
        ));
    }
    String::from_utf8(bytes).map_err(|e| format!("the input is not UTF-8: {e}"))
}
