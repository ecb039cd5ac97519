//! The NDJSON benchmark's input and baseline (`benches/ndjson.sh`):
//!
//! - `ndjson-baseline gen <n> [refunds]`: writes `n` lines of [`plan_document`]`(refunds)`
//!   (default 10) to stdout, generated as they are written (never held).
//! - `ndjson-baseline parse <file>`: reads the file line by line (the same bounded way the CLI
//!   does) and parses each line into a `serde_json::Value`, which is dropped; prints the count.
#![forbid(unsafe_code)]

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::process::ExitCode;

use refund_rules_benches::plan_document;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["gen", n, rest @ ..] => match (n.parse::<usize>(), rest.first().map(|r| r.parse())) {
            (Ok(n), None) => generate(n, 10),
            (Ok(n), Some(Ok(refunds))) => generate(n, refunds),
            _ => Err("usage: ndjson-baseline gen <n> [refunds]".to_owned()),
        },
        ["parse", file] => parse(file),
        _ => Err("usage: ndjson-baseline gen <n> [refunds] | parse <file>".to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("ndjson-baseline: {message}");
            ExitCode::from(2)
        }
    }
}

fn generate(n: usize, refunds: usize) -> Result<(), String> {
    let doc = plan_document(refunds).map_err(|e| e.to_string())?;
    let mut out = BufWriter::with_capacity(256 * 1024, std::io::stdout().lock());
    for _ in 0..n {
        match out
            .write_all(doc.as_bytes())
            .and_then(|()| out.write_all(b"\n"))
        {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
            Err(e) => return Err(e.to_string()),
        }
    }
    out.flush().map_err(|e| e.to_string())
}

fn parse(file: &str) -> Result<(), String> {
    let f = std::fs::File::open(file).map_err(|e| format!("{file}: {e}"))?;
    let mut reader = BufReader::with_capacity(256 * 1024, f);
    let mut line = Vec::new();
    let (mut values, mut errors) = (0_u64, 0_u64);
    loop {
        line.clear();
        let read = reader
            .read_until(b'\n', &mut line)
            .map_err(|e| e.to_string())?;
        if read == 0 {
            break;
        }
        match serde_json::from_slice::<serde_json::Value>(&line) {
            Ok(v) => {
                std::hint::black_box(v);
                values = values.saturating_add(1);
            }
            Err(_) => errors = errors.saturating_add(1),
        }
    }
    println!("{values} values, {errors} errors");
    Ok(())
}
