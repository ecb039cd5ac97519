//! The CLI over the shared vectors (one named test each, `<dir>/<file>.json :: <case>`; a
//! `libtest-mimic` harness), the bundled examples, and hostile input; every result is
//! validated against the published JSON Schema.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]
#![allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "test code"
)]

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::Arc;

use libtest_mimic::{Arguments, Failed, Trial};
use refund_rules_vectors::{Vector, load, root, subset};
use serde_json::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs the binary with `args`, feeding `stdin`; returns (exit code, stdout text).
fn cli(args: &[&str], stdin: &[u8]) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_refund-rules"))
        .args(args)
        .current_dir(repo())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    // A child that stops reading early (size limit) closes the pipe: ignore that error.
    let _ = pipe.write_all(stdin);
    drop(pipe);
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

/// [`cli`] with stderr too: (exit code, stdout, stderr).
fn cli_err(args: &[&str], stdin: &[u8]) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_refund-rules"))
        .args(args)
        .current_dir(repo())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    let input = stdin.to_vec();
    // Written from a thread: an NDJSON stream answers while it reads.
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn schema_for(def: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(repo().join("schema/refund-rules.schema.json")).unwrap();
    let mut schema: Value = serde_json::from_str(&text).unwrap();
    schema["$ref"] = Value::String(format!("#/$defs/{def}"));
    jsonschema::validator_for(&schema).unwrap()
}

fn expected_exit(result: &Value) -> i32 {
    match result["error"]["family"].as_str() {
        None => 0,
        Some("invalid_input") => 2,
        Some(_) => 1,
    }
}

fn assert_valid(validator: &jsonschema::Validator, doc: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what}: schema errors: {errors:?}\n{doc}"
    );
}

fn schema_defined(operation: &str) -> bool {
    matches!(
        operation,
        "plan"
            | "apply"
            | "refundable"
            | "parse_amount"
            | "format_amount"
            | "validate_list_query"
            | "options"
            | "request_body"
    )
}

const OPERATIONS: [&str; 8] = [
    "plan",
    "apply",
    "refundable",
    "parse_amount",
    "format_amount",
    "validate_list_query",
    "options",
    "request_body",
];

/// The schema's `<op><suffix>` definition for each operation.
fn validators(suffix: &str) -> BTreeMap<&'static str, jsonschema::Validator> {
    OPERATIONS
        .into_iter()
        .map(|op| (op, schema_for(&format!("{op}{suffix}"))))
        .collect()
}

/// One vector through the CLI: the expected subset, the exit code of its family, a result valid
/// against `<op>_result`; and when the engine accepts it, an input valid against `<op>_input`
/// (every input the engine decides successfully must be described by the schema).
fn vector_through_the_cli(
    v: &Vector,
    results: &Validators,
    inputs: &Validators,
) -> Result<(), Failed> {
    let command = v.operation.replace('_', "-");
    let (code, stdout) = cli(&[&command], v.input.as_bytes());
    let result: Value = serde_json::from_str(&stdout).map_err(|e| format!("{e}: {stdout}"))?;
    subset(&v.expected, &result).map_err(|e| format!("{e}\nactual: {result}"))?;
    if code != expected_exit(&result) {
        return Err(format!("exit code {code}, expected {}", expected_exit(&result)).into());
    }
    if schema_defined(&v.operation) {
        assert_valid(&results[v.operation.as_str()], &result, &v.name);
    }
    if v.expected["ok"] == Value::Bool(true) {
        let validator = inputs
            .get(v.operation.as_str())
            .ok_or_else(|| format!("operation `{}` has no `_input` definition", v.operation))?;
        let input: Value =
            serde_json::from_str(&v.input).map_err(|e| format!("input is not JSON: {e}"))?;
        let errors: Vec<String> = validator
            .iter_errors(&input)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        if !errors.is_empty() {
            return Err(format!(
                "the schema refuses the accepted input: {}",
                errors.join("; ")
            )
            .into());
        }
    }
    Ok(())
}

type Validators = BTreeMap<&'static str, jsonschema::Validator>;

/// `<dir>/<file>.json :: <case name>`, as in `refund-rules`' `tests/vectors.rs`.
fn case_name(v: &Vector) -> String {
    let file = v.file.strip_prefix(root()).unwrap_or(&v.file);
    format!("{} :: {}", file.display(), v.name)
}

fn main() -> ExitCode {
    let args = Arguments::from_args();
    let mut trials: Vec<Trial> = Vec::new();
    match load() {
        Err(e) => trials.push(Trial::test("vectors :: load", move || Err(e.into()))),
        Ok(vectors) => {
            let (count, accepted) = (
                vectors.len(),
                vectors
                    .iter()
                    .filter(|v| v.expected["ok"] == Value::Bool(true))
                    .count(),
            );
            trials.push(Trial::test(
                "vectors :: the shared vectors are there",
                move || {
                    if count > 100 && accepted > 100 {
                        Ok(())
                    } else {
                        Err(format!("{count} vectors, {accepted} accepted").into())
                    }
                },
            ));
            let results = Arc::new(validators("_result"));
            let inputs = Arc::new(validators("_input"));
            for v in vectors {
                let (results, inputs) = (Arc::clone(&results), Arc::clone(&inputs));
                trials.push(Trial::test(case_name(&v), move || {
                    vector_through_the_cli(&v, &results, &inputs)
                }));
            }
        }
    }
    let others: [(&str, fn()); 13] = [
        (
            "ndjson_answers_each_line_in_order_with_its_number",
            ndjson_answers_each_line_in_order_with_its_number,
        ),
        (
            "ndjson_line_envelopes_are_the_engines_for_every_vector",
            ndjson_line_envelopes_are_the_engines_for_every_vector,
        ),
        (
            "ndjson_over_long_line_is_counted_not_held",
            ndjson_over_long_line_is_counted_not_held,
        ),
        ("ndjson_stdin_and_file_agree", ndjson_stdin_and_file_agree),
        (
            "ndjson_empty_input_and_exit_codes",
            ndjson_empty_input_and_exit_codes,
        ),
        (
            "ndjson_apply_refundable_and_options",
            ndjson_apply_refundable_and_options,
        ),
        (
            "bundled_examples_decide_and_validate_against_the_schema",
            bundled_examples_decide_and_validate_against_the_schema,
        ),
        (
            "provider_bodies_and_options_are_described_strictly",
            provider_bodies_and_options_are_described_strictly,
        ),
        (
            "simpleps_examples_give_the_documented_decisions",
            simpleps_examples_give_the_documented_decisions,
        ),
        (
            "hostile_input_is_a_typed_error_never_a_crash",
            hostile_input_is_a_typed_error_never_a_crash,
        ),
        (
            "a_ten_megabyte_input_is_refused_as_bad_input",
            a_ten_megabyte_input_is_refused_as_bad_input,
        ),
        ("usage_errors_and_help", usage_errors_and_help),
        (
            "size_and_utf8_answers_are_the_engines_envelopes",
            size_and_utf8_answers_are_the_engines_envelopes,
        ),
    ];
    for (name, f) in others {
        trials.push(Trial::test(name, move || {
            f();
            Ok(())
        }));
    }
    libtest_mimic::run(&args, trials).exit_code()
}

fn bundled_examples_decide_and_validate_against_the_schema() {
    let mut seen = 0;
    for dir in std::fs::read_dir(repo().join("examples")).unwrap() {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&dir).unwrap() {
            let f = f.unwrap().path();
            if f.extension().is_none_or(|x| x != "json") {
                continue;
            }
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            let op = ["apply", "refundable", "validate-list-query"]
                .into_iter()
                .find(|prefix| name.starts_with(prefix))
                .unwrap_or("plan")
                .replace('-', "_");
            let op = op.as_str();
            let input: Value = serde_json::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
            assert_valid(&schema_for(&format!("{op}_input")), &input, &name);
            let (code, stdout) = cli(&[&op.replace('_', "-"), f.to_str().unwrap()], b"");
            let result: Value = serde_json::from_str(&stdout).unwrap();
            assert_valid(&schema_for(&format!("{op}_result")), &result, &name);
            assert_eq!(code, expected_exit(&result), "{name}");
            if op == "plan" {
                // `options` reads every bundled plan document as it is and answers (issue 14).
                assert_valid(&schema_for("options_input"), &input, &name);
                let (code, stdout) = cli(&["options", f.to_str().unwrap()], b"");
                let result: Value = serde_json::from_str(&stdout).unwrap();
                assert_valid(&schema_for("options_result"), &result, &name);
                assert_eq!(code, 0, "options {name}: {stdout}");
            }
            seen += 1;
        }
    }
    assert!(seen >= 10, "only {seen} examples");
    // The schema is strict enough to catch a missing ledger or an unknown field.
    let plan_input = schema_for("plan_input");
    assert!(!plan_input.is_valid(&serde_json::json!({"provider": "simpleps"})));
    let mut example: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("examples/simpleps/partial-refund.json")).unwrap(),
    )
    .unwrap();
    example["colour"] = Value::from("red");
    assert!(!plan_input.is_valid(&example));
}

/// The per-provider request and options definitions refuse what the engine refuses on shape:
/// each mutation of a bundled example must make it invalid against `plan_input`.
fn provider_bodies_and_options_are_described_strictly() {
    let plan_input = schema_for("plan_input");
    let example = |file: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(repo().join("examples").join(file)).unwrap())
            .unwrap()
    };
    type Mutation = fn(&mut Value);
    let cases: Vec<(&str, &str, Mutation)> = vec![
        ("simpleps/partial-refund.json", "simpleps options", |d| {
            d["options"] = serde_json::json!({"x": 1});
        }),
        (
            "simpleps/partial-refund.json",
            "unknown simpleps field",
            |d| {
                d["request"]["amount"]["value"] = Value::from(1);
            },
        ),
        (
            "fiserv_commerce_hub/tagged-refund.json",
            "camelCase only",
            |d| {
                d["request"]["merchant_details"] = d["request"]["merchantDetails"].take();
            },
        ),
        (
            "fiserv_commerce_hub/tagged-refund.json",
            "tagged needs merchantDetails",
            |d| {
                d["request"]
                    .as_object_mut()
                    .unwrap()
                    .remove("merchantDetails");
            },
        ),
        (
            "fiserv_commerce_hub/tagged-refund.json",
            "one reference id",
            |d| {
                d["request"]["referenceTransactionDetails"]["referenceMerchantTransactionId"] =
                    Value::from("m-1");
            },
        ),
        (
            "fiserv_commerce_hub/tagged-refund.json",
            "tagged has no endpoint",
            |d| {
                d["options"] = serde_json::json!({"endpoint": "charge"});
            },
        ),
        (
            "fiserv_commerce_hub/tagged-refund.json",
            "amount needs currency",
            |d| {
                d["request"]["amount"]
                    .as_object_mut()
                    .unwrap()
                    .remove("currency");
            },
        ),
        (
            "fiserv_commerce_hub/partial-refund.json",
            "order endpoint needs order_id",
            |d| {
                d["options"] = serde_json::json!({"endpoint": "order"});
            },
        ),
        (
            "fiserv_commerce_hub/partial-refund.json",
            "unknown fiserv option",
            |d| {
                d["options"] = serde_json::json!({"lenient": true});
            },
        ),
        (
            "alternative_payments/partial-refund.json",
            "payment_id required",
            |d| {
                d["request"].as_object_mut().unwrap().remove("payment_id");
            },
        ),
        (
            "alternative_payments/partial-refund.json",
            "amount is a string",
            |d| {
                d["request"]["amount"] = Value::from(100);
            },
        ),
        (
            "alternative_payments/partial-refund.json",
            "reason type enum",
            |d| {
                d["request"]["reason"]["type"] = Value::from("Whim");
            },
        ),
        (
            "alternative_payments/partial-refund.json",
            "body required",
            |d| {
                d["request"] = Value::Null;
            },
        ),
        ("digital_river/type-shipping.json", "one sizing", |d| {
            d["request"]["amount"] = Value::from(1);
        }),
        (
            "digital_river/type-shipping.json",
            "one of orderId/invoiceId",
            |d| {
                d["request"]["invoiceId"] = Value::from("inv");
            },
        ),
        (
            "digital_river/type-shipping.json",
            "currency required",
            |d| {
                d["request"].as_object_mut().unwrap().remove("currency");
            },
        ),
        ("digital_river/type-shipping.json", "percent_of enum", |d| {
            d["options"] = serde_json::json!({"percent_of": "remaining"});
        }),
        (
            "commerce_layer/capture-partial-refund.json",
            "refunds take _forward",
            |d| {
                d["request"]["data"]["type"] = Value::from("refunds");
            },
        ),
        (
            "commerce_layer/capture-partial-refund.json",
            "cents are integers",
            |d| {
                d["request"]["data"]["attributes"]["_refund_amount_cents"] = Value::from("500");
            },
        ),
        (
            "commerce_layer/capture-partial-refund.json",
            "JSON:API only",
            |d| {
                d["request"]["meta"] = serde_json::json!({});
            },
        ),
        (
            "commerce_layer/capture-partial-refund.json",
            "unknown option",
            |d| {
                d["options"] = serde_json::json!({"partially_paid": true});
            },
        ),
    ];
    for (file, what, mutate) in cases {
        let mut doc = example(file);
        assert!(plan_input.is_valid(&doc), "{file} is valid before: {what}");
        mutate(&mut doc);
        assert!(
            !plan_input.is_valid(&doc),
            "{file}: {what}: schema accepts {doc}"
        );
    }
}

fn simpleps_examples_give_the_documented_decisions() {
    let cases = [
        (
            "plan",
            "examples/simpleps/partial-refund.json",
            0,
            "PARTIALLY_REFUNDED",
        ),
        (
            "plan",
            "examples/simpleps/full-refund.json",
            0,
            "\"status\":\"REFUNDED\"",
        ),
        (
            "plan",
            "examples/simpleps/remaining-after-partial.json",
            0,
            "\"amount\":\"75.10\"",
        ),
        (
            "plan",
            "examples/simpleps/over-refund.json",
            1,
            "exceeds_refundable",
        ),
        (
            "plan",
            "examples/simpleps/uncaptured.json",
            1,
            "\"alternative\":\"void\"",
        ),
        (
            "plan",
            "examples/simpleps/currency-mismatch.json",
            1,
            "currency_mismatch",
        ),
        (
            "plan",
            "examples/simpleps/too-many-decimals.json",
            2,
            "too_many_decimals",
        ),
        (
            "apply",
            "examples/simpleps/apply-refund-created.json",
            0,
            "\"version\":4",
        ),
        (
            "apply",
            "examples/simpleps/apply-stale-version.json",
            1,
            "version_conflict",
        ),
        (
            "refundable",
            "examples/simpleps/refundable.json",
            0,
            "\"available\":\"75.10\"",
        ),
    ];
    for (op, file, want, needle) in cases {
        let (code, out) = cli(&[op, file], b"");
        assert_eq!(code, want, "{file}: {out}");
        assert!(out.contains(needle), "{file}: `{needle}` not in {out}");
    }
}

fn hostile_input_is_a_typed_error_never_a_crash() {
    let ledger = r#""ledger":{"currency":"USD","authorized":"100.00","status":{"payment":"CAPTURED"},"captures":[{"id":"c","amount":"100.00"}]}"#;
    let cases: Vec<(String, i32, &str)> = vec![
        ("{\"provider\":\"simpleps\",".to_owned(), 2, "invalid_input"),
        (
            format!(r#"{{"provider":"nope",{ledger}}}"#),
            2,
            "unknown_provider",
        ),
        (
            format!(r#"{{"provider":"simpleps",{ledger},"requst":{{}}}}"#),
            2,
            "invalid_input",
        ),
        (
            format!(
                r#"{{"provider":"simpleps",{ledger},"request":{{"amount":{{"total":10.001}}}}}}"#
            ),
            2,
            "invalid_amount",
        ),
        (
            format!(
                r#"{{"provider":"simpleps",{ledger},"request":{{"amount":{{"total":-10.00}}}}}}"#
            ),
            2,
            "invalid_amount",
        ),
        (
            format!(
                r#"{{"provider":"simpleps",{ledger},"request":{{"amount":{{"total":100.01}}}}}}"#
            ),
            1,
            "exceeds_refundable",
        ),
        ("\u{0}\u{1}garbage".to_owned(), 2, "invalid_input"),
        ("[".repeat(100_000), 2, "invalid_input"),
        (String::new(), 2, "invalid_input"),
    ];
    for (input, want, code) in cases {
        let (got, out) = cli(&["plan"], input.as_bytes());
        assert_eq!(got, want, "{out}");
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["error"]["code"], code, "{out}");
    }
}

fn a_ten_megabyte_input_is_refused_as_bad_input() {
    let mut big = String::from(r#"{"provider":"simpleps","ledger":{"id":""#);
    big.push_str(&"x".repeat(10 * 1024 * 1024));
    big.push_str("\"}}");
    let (code, out) = cli(&["plan"], big.as_bytes());
    assert_eq!(code, 2);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["error"]["code"], "invalid_input");
    assert!(v["error"]["message"].as_str().unwrap().contains("limit"));
}

fn usage_errors_and_help() {
    let (code, out) = cli(&["--help"], b"");
    assert_eq!(code, 0);
    assert!(out.contains("EXAMPLES") && out.contains("EXIT STATUS"));
    let bad: [&[&str]; 4] = [
        &["frobnicate"],
        &[],
        &["plan", "no/such/file.json"],
        &["plan", "--bogus"],
    ];
    for args in bad {
        let (code, out) = cli(args, b"");
        assert_eq!(code, 2, "{args:?}");
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["error"]["code"], "invalid_input");
    }
    let (code, out) = cli(
        &["plan", "examples/simpleps/partial-refund.json", "--pretty"],
        b"",
    );
    assert_eq!(code, 0);
    assert!(out.contains("\n  \"value\": {\n"), "{out}");
    assert!(
        out.contains("\"total\": 25.00"),
        "exact number text survives pretty printing: {out}"
    );
}

fn size_and_utf8_answers_are_the_engines_envelopes() {
    // Over the limit: the exact length is counted and named, as the engine does for text.
    let len = 9 * 1024 * 1024 + 7;
    let (code, out) = cli(&["plan"], &vec![b' '; len]);
    assert_eq!(code, 2);
    assert_eq!(
        out.trim_end(),
        refund_rules::json::input_too_large(len, false).json
    );
    // Not UTF-8 (a lone surrogate as WTF-8): the engine's byte entry point answers.
    let doc = b"{\"amount\":\"\xed\xa0\x80\",\"currency\":\"USD\"}";
    let (code, out) = cli(&["parse-amount"], doc);
    assert_eq!(code, 2);
    let expected =
        refund_rules::json::run_bytes(refund_rules::json::Operation::ParseAmount, doc, false);
    assert_eq!(out.trim_end(), expected.json);
    assert!(out.contains("not UTF-8"), "{out}");
    // Usage errors are the engine's invalid_input envelope too.
    let (code, out) = cli(&["nope"], b"");
    assert_eq!(code, 2);
    assert_eq!(
        out.trim_end(),
        refund_rules::json::usage_error("unknown command `nope`; see --help", false).json
    );
}

/// A bundled example as one NDJSON line (pretty JSON has no raw newline inside a string).
fn example_line(file: &str) -> String {
    std::fs::read_to_string(repo().join("examples").join(file))
        .unwrap()
        .replace('\n', " ")
}

/// What `--ndjson` must print for `line` (numbered from 1): the engine's envelope for it
/// alone, `details.line` added on errors.
fn expected_line(op: refund_rules::json::Operation, line: &str, n: u64) -> String {
    refund_rules::json::run_line(op, Ok(line.as_bytes()), n).json
}

fn ndjson_answers_each_line_in_order_with_its_number() {
    use refund_rules::json::Operation::Plan;
    let lines = [
        example_line("simpleps/partial-refund.json"),
        example_line("simpleps/over-refund.json"),
        "{\"provider\":\"simpleps\",".to_owned(),
        String::new(),
        example_line("simpleps/uncaptured.json"),
        example_line("simpleps/too-many-decimals.json"),
        // CRLF: the `\r` is JSON whitespace.
        format!("{}\r", example_line("simpleps/full-refund.json")),
        // The last line has no newline and is answered all the same.
        example_line("simpleps/partial-refund.json"),
    ];
    let input = lines.join("\n");
    let (code, out, err) = cli_err(&["plan", "--ndjson"], input.as_bytes());
    assert_eq!(code, 0, "{err}");
    let got: Vec<&str> = out.lines().collect();
    assert_eq!(got.len(), lines.len(), "{out}");
    for (i, (line, answer)) in lines.iter().zip(&got).enumerate() {
        let n = u64::try_from(i).unwrap() + 1;
        assert_eq!(*answer, expected_line(Plan, line, n), "line {n}");
        let v: Value = serde_json::from_str(answer).unwrap();
        if v["ok"] == Value::Bool(true) {
            // A success is exactly the one-document envelope.
            assert_eq!(
                *answer,
                refund_rules::json::run(Plan, line).json,
                "line {n}"
            );
        } else {
            assert_eq!(v["error"]["details"]["line"], n, "line {n}: {answer}");
        }
    }
    let codes: Vec<Value> = got
        .iter()
        .map(|a| serde_json::from_str::<Value>(a).unwrap()["error"]["code"].clone())
        .collect();
    assert_eq!(codes[0], Value::Null);
    assert_eq!(codes[1], "exceeds_refundable");
    assert_eq!(codes[2], "invalid_input");
    assert_eq!(codes[3], "invalid_input", "an empty line is answered");
    assert_eq!(codes[6], Value::Null, "CRLF");
    assert_eq!(codes[7], Value::Null, "no final newline");
    assert!(
        err.ends_with(
            "ndjson: 8 lines: ok 3, invalid_input 2, exceeds_refundable 1, invalid_amount 1, not_captured 1\n"
        ),
        "{err}"
    );
}

/// Every shared vector's input as one line of one stream: each answer is the engine's
/// envelope for that input with `details.line` added on errors (and nothing else changed).
fn ndjson_line_envelopes_are_the_engines_for_every_vector() {
    let vectors = load().unwrap();
    let plans: Vec<String> = vectors
        .iter()
        .filter(|v| v.operation == "plan")
        .map(|v| v.input.replace(['\n', '\r'], " "))
        .collect();
    assert!(plans.len() > 50, "{} plan vectors", plans.len());
    let (code, out, err) = cli_err(&["plan", "--ndjson"], plans.join("\n").as_bytes());
    assert_eq!(code, 0, "{err}");
    let got: Vec<&str> = out.lines().collect();
    assert_eq!(got.len(), plans.len());
    for (i, (input, answer)) in plans.iter().zip(&got).enumerate() {
        let n = u64::try_from(i).unwrap() + 1;
        let one = refund_rules::json::run_bytes(
            refund_rules::json::Operation::Plan,
            input.as_bytes(),
            false,
        );
        let mut v: Value = serde_json::from_str(answer).unwrap();
        if one.error.is_some() {
            let details = v["error"]["details"].as_object_mut().unwrap();
            assert_eq!(details.remove("line"), Some(Value::from(n)), "{answer}");
        }
        let want: Value = serde_json::from_str(&one.json).unwrap();
        assert_eq!(v, want, "line {n}");
    }
}

fn ndjson_over_long_line_is_counted_not_held() {
    use refund_rules::json::{MAX_INPUT_BYTES, Operation::Plan, input_too_large};
    let good = example_line("simpleps/partial-refund.json");
    let len = MAX_INPUT_BYTES + 1_000_007;
    let mut input = format!("{good}\n").into_bytes();
    input.extend(std::iter::repeat_n(b' ', len));
    input.push(b'\n');
    input.extend_from_slice(good.as_bytes());
    input.push(b'\n');
    let (code, out, err) = cli_err(&["plan", "--ndjson"], &input);
    assert_eq!(code, 0, "{err}");
    let got: Vec<&str> = out.lines().collect();
    assert_eq!(got.len(), 3, "{out}");
    assert_eq!(got[0], expected_line(Plan, &good, 1));
    assert_eq!(got[2], expected_line(Plan, &good, 3));
    assert_eq!(got[1], refund_rules::json::run_line(Plan, Err(len), 2).json);
    // The engine's size envelope, the line added.
    let mut v: Value = serde_json::from_str(got[1]).unwrap();
    v["error"]["details"]
        .as_object_mut()
        .unwrap()
        .remove("line");
    let want: Value = serde_json::from_str(&input_too_large(len, false).json).unwrap();
    assert_eq!(v, want);
    // A line of exactly the limit is held and parsed (here: all spaces, so a syntax error).
    let mut exact = vec![b' '; MAX_INPUT_BYTES];
    exact.push(b'\n');
    let (code, out, _) = cli_err(&["plan", "--ndjson"], &exact);
    assert_eq!(code, 0);
    assert_eq!(
        out.trim_end(),
        expected_line(Plan, &" ".repeat(MAX_INPUT_BYTES), 1)
    );
    assert!(out.contains("\"syntax\""), "{out}");
}

fn ndjson_stdin_and_file_agree() {
    let lines = [
        example_line("simpleps/partial-refund.json"),
        "nope".to_owned(),
        example_line("simpleps/over-refund.json"),
    ];
    let input = lines.join("\n") + "\n";
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let path = dir.join("ndjson-stdin-and-file.ndjson");
    std::fs::write(&path, &input).unwrap();
    let from_stdin = cli_err(&["plan", "--ndjson"], input.as_bytes());
    let from_dash = cli_err(&["plan", "--ndjson", "-"], input.as_bytes());
    let from_file = cli_err(&["plan", "--ndjson", path.to_str().unwrap()], b"");
    let from_file_first = cli_err(&["plan", path.to_str().unwrap(), "--ndjson"], b"");
    assert_eq!(from_stdin.0, 0);
    assert_eq!(from_stdin.1.lines().count(), 3);
    assert_eq!(from_stdin, from_dash);
    assert_eq!(from_stdin, from_file);
    assert_eq!(from_stdin, from_file_first);
    assert!(
        from_file
            .2
            .ends_with("ndjson: 3 lines: ok 1, exceeds_refundable 1, invalid_input 1\n"),
        "{}",
        from_file.2
    );
}

fn ndjson_empty_input_and_exit_codes() {
    // No line: nothing to answer, exit 0.
    let (code, out, err) = cli_err(&["plan", "--ndjson"], b"");
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (0, "", "ndjson: 0 lines\n")
    );
    // Only rejections and bad input: still exit 0, every line was answered.
    let (code, out, _) = cli_err(&["plan", "--ndjson"], b"{\n[]\n");
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), 2);
    // Usage errors: the one-document invalid_input envelope, exit 2.
    let usage: [&[&str]; 4] = [
        &["plan", "--ndjson", "--pretty"],
        &["plan", "--ndjson", "no/such/file.ndjson"],
        &["plan", "--ndjson", "a", "b"],
        &["frobnicate", "--ndjson"],
    ];
    for args in usage {
        let (code, out, _) = cli_err(args, b"{}\n");
        assert_eq!(code, 2, "{args:?}");
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["error"]["code"], "invalid_input", "{args:?}");
    }
    // A read that fails midway (a directory): exit 2, said on stderr, stdout untouched.
    let (code, out, err) = cli_err(&["plan", "--ndjson", "examples"], b"");
    assert_eq!(code, 2);
    assert_eq!(out, "");
    assert!(err.contains("cannot read line 1 of `examples`"), "{err}");
    assert!(err.ends_with("ndjson: 0 lines\n"), "{err}");
    // --help documents it.
    let (_, help) = cli(&["--help"], b"");
    assert!(help.contains("--ndjson"), "{help}");
}

fn ndjson_apply_refundable_and_options() {
    use refund_rules::json::Operation;
    let cases = [
        (
            "apply",
            Operation::Apply,
            "simpleps/apply-refund-created.json",
        ),
        (
            "apply",
            Operation::Apply,
            "simpleps/apply-stale-version.json",
        ),
        (
            "refundable",
            Operation::Refundable,
            "simpleps/refundable.json",
        ),
        (
            "options",
            Operation::Options,
            "simpleps/partial-refund.json",
        ),
        (
            "options",
            Operation::Options,
            "fiserv_commerce_hub/window-expired.json",
        ),
    ];
    for (command, op, file) in cases {
        let line = example_line(file);
        let input = format!("{line}\n{line}\n");
        let (code, out, err) = cli_err(&[command, "--ndjson"], input.as_bytes());
        assert_eq!(code, 0, "{command} {file}: {err}");
        let got: Vec<&str> = out.lines().collect();
        assert_eq!(
            got,
            [expected_line(op, &line, 1), expected_line(op, &line, 2)],
            "{command} {file}"
        );
    }
}
