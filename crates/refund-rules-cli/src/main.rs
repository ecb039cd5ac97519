//! `refund-rules`: plan, apply, refundable and options over JSON documents, from a file or stdin.
//!
//! A thin wrapper over `refund_rules::json`: it reads, calls, prints, and turns the result into
//! an exit code (0 decided, 1 rejected by a rule, 2 bad input). `--ndjson` streams one
//! document per line (`ndjson.rs`).

use std::io::{Read, Write};
use std::process::ExitCode;

mod ndjson;

use refund_rules::json::{MAX_INPUT_BYTES, Operation, input_too_large, run_bytes, usage_error};

const HELP: &str = "\
refund-rules — exact refund decisions for SimplePS, Fiserv Commerce Hub, Alternative Payments,
Digital River and Commerce Layer.

USAGE:
    refund-rules <COMMAND> [FILE] [--pretty]
    refund-rules <COMMAND> --ndjson [FILE]

COMMANDS:
    plan            decide a refund: {provider, ledger, request?, options?, now?, refund_id?}
    apply           apply an event to a ledger: {provider, ledger, event}
    refundable      the refundable breakdown: {ledger, provider?, capture_id?}
    options         what can be refunded now, and how: {provider, ledger, options?, now?}
                    (max, min, full_only, operation, blocked, until, scopes; a plan
                    document is read as it is, its request ignored)
    request-body    the provider's request body for an amount of a scope, in its own
                    wire form: {provider, ledger, amount?, scope?: {kind, id?}}
    parse-amount    decimal to minor units: {amount, currency, provider?}
    format-amount   minor units to decimal: {minor, currency}
    validate-list-query
                    check an Alternative Payments GET /refunds query: {provider, query}

FILE is a JSON document; without it (or with `-`) the document is read from stdin.

OPTIONS:
    --pretty        indent the JSON output
    --ndjson        FILE (or stdin) holds one document per line: each line is answered
                    with one compact envelope line, in order, in constant memory; errors
                    add details.line (from 1); an empty line is answered (invalid_input)
                    so output line N answers input line N; a line over the size limit is
                    answered without being held. Progress on stderr when it is a terminal,
                    a summary of counts by code on stderr at the end. Not with --pretty.
    -h, --help      this text
    -V, --version   the version

OUTPUT:
    {\"ok\":true,\"value\":…} or {\"ok\":false,\"error\":{\"code\",\"message\",\"details\",…}}

EXIT STATUS:
    0  a decision or result
    1  the refund or event was rejected by a rule (the error code says which)
    2  bad input (malformed JSON, unknown field or provider, invalid amount, unreadable file)
    With --ndjson: 0 when every line was answered, whatever the answers; 2 on a usage
    error or when reading or writing failed midway (the message is on stderr).

EXAMPLES:
    refund-rules plan examples/simpleps/partial-refund.json --pretty
    refund-rules plan examples/simpleps/over-refund.json        # exit 1, exceeds_refundable
    echo '{\"amount\":\"5800\",\"currency\":\"JPY\"}' | refund-rules parse-amount
    refund-rules apply examples/simpleps/apply-refund-created.json
    refund-rules options examples/fiserv_commerce_hub/window-expired.json   # blocked
    refund-rules plan --ndjson payments.ndjson > decisions.ndjson
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(code) => ExitCode::from(code),
        Err(message) => {
            let _ = writeln!(std::io::stderr(), "refund-rules: {message}");
            let failure = usage_error(&message, false);
            let _ = writeln!(std::io::stdout(), "{}", failure.json);
            ExitCode::from(failure.exit_code())
        }
    }
}

fn run(args: &[String]) -> Result<u8, String> {
    let mut pretty = false;
    let mut lines = false;
    let mut positional = Vec::new();
    for a in args {
        match a.as_str() {
            "--pretty" => pretty = true,
            "--ndjson" => lines = true,
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
    if lines {
        if pretty {
            return Err("--pretty cannot be used with --ndjson (one envelope per line)".to_owned());
        }
        return Ok(match ndjson::stream(op, ndjson::Source::open(file)?) {
            ndjson::End::Answered => 0,
            ndjson::End::IoError => 2,
        });
    }
    let response = match read_input(file)? {
        Input::Bytes(bytes) => run_bytes(op, &bytes, pretty),
        Input::TooLarge(len) => input_too_large(len, pretty),
    };
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{}", response.json) {
        // A reader that stopped early (`| head`) is not an error of ours.
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(format!("cannot write output: {e}"))
        }
        _ => Ok(response.exit_code()),
    }
}

/// The document as read: its bytes, or only the length of one over the limit.
enum Input {
    Bytes(Vec<u8>),
    TooLarge(usize),
}

/// Reads at most one byte more than the engine accepts; the rest of a huge input is counted,
/// not held, so the engine's size answer (which names the length) is given without holding it.
/// The bytes go to the engine as they are: it answers for bytes that are not UTF-8, as the
/// Python and WebAssembly bindings do for strings that are not Unicode text.
fn read_input(file: Option<&str>) -> Result<Input, String> {
    let limit = u64::try_from(MAX_INPUT_BYTES)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    let read = |r: &mut dyn Read| -> std::io::Result<Input> {
        let mut bytes = Vec::new();
        Read::take(&mut *r, limit).read_to_end(&mut bytes)?;
        if bytes.len() <= MAX_INPUT_BYTES {
            return Ok(Input::Bytes(bytes));
        }
        let rest = std::io::copy(r, &mut std::io::sink())?;
        let len = usize::try_from(rest)
            .unwrap_or(usize::MAX)
            .saturating_add(bytes.len());
        Ok(Input::TooLarge(len))
    };
    match file {
        None | Some("-") => {
            read(&mut std::io::stdin().lock()).map_err(|e| format!("cannot read stdin: {e}"))
        }
        Some(path) => std::fs::File::open(path)
            .and_then(|mut f| read(&mut f))
            .map_err(|e| format!("cannot read `{path}`: {e}")),
    }
}
