//! The shared test vectors (`vectors/<dir>/*.json`), loaded for Rust test suites.
//!
//! A file is `{"description", "cases":[{"name","rule","source","operation","input"|"input_text",
//! "expected"}]}`. `expected` is a subset of the result envelope (see [`subset`]). Python and JS
//! read the same files with their own ten-line loaders.
#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

/// One case, with its input as exact JSON text.
#[derive(Debug, Clone)]
pub struct Vector {
    /// The directory (provider name, `core`, `regressions`…).
    pub dir: String,
    /// The file it came from.
    pub file: PathBuf,
    /// Case name.
    pub name: String,
    /// The rule it checks.
    pub rule: String,
    /// Where the rule is documented.
    pub source: String,
    /// `plan`, `apply`, `refundable`, …
    pub operation: String,
    /// The input document, exactly as written in the file.
    pub input: String,
    /// A subset of the expected result envelope.
    pub expected: Value,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(rename = "description")]
    _description: String,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    rule: String,
    source: String,
    operation: String,
    #[serde(default)]
    input: Option<Box<RawValue>>,
    #[serde(default)]
    input_text: Option<String>,
    expected: Value,
}

/// The `vectors/` directory of the repository.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../vectors")
}

/// Loads every vector, sorted by file; a malformed file is an error naming it.
pub fn load() -> Result<Vec<Vector>, String> {
    let mut files = Vec::new();
    let mut dirs = vec![root()];
    while let Some(d) = dirs.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| format!("{}: {e}", d.display()))?;
        for e in entries {
            let p = e.map_err(|e| e.to_string())?.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "json") {
                files.push(p);
            }
        }
    }
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).map_err(|e| format!("{}: {e}", f.display()))?;
        let parsed: File =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", f.display()))?;
        let dir = f
            .parent()
            .and_then(Path::file_name)
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        for c in parsed.cases {
            let input = match (c.input, c.input_text) {
                (Some(raw), None) => raw.get().to_owned(),
                (None, Some(t)) => t,
                _ => {
                    return Err(format!(
                        "{}: `{}` needs exactly one of input and input_text",
                        f.display(),
                        c.name
                    ));
                }
            };
            if c.rule.is_empty() || c.source.is_empty() {
                return Err(format!(
                    "{}: `{}` needs a rule and a source",
                    f.display(),
                    c.name
                ));
            }
            out.push(Vector {
                dir: dir.clone(),
                file: f.clone(),
                name: c.name,
                rule: c.rule,
                source: c.source,
                operation: c.operation,
                input,
                expected: c.expected,
            });
        }
    }
    Ok(out)
}

/// Checks that `expected` is a subset of `actual`: objects by key, arrays element-wise with the
/// same length, numbers by value, everything else by equality.
pub fn subset(expected: &Value, actual: &Value) -> Result<(), String> {
    subset_at(expected, actual, "")
}

fn subset_at(expected: &Value, actual: &Value, path: &str) -> Result<(), String> {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => e.iter().try_for_each(|(k, ev)| {
            let at = format!("{path}/{k}");
            a.get(k)
                .ok_or_else(|| format!("{at}: missing"))
                .and_then(|av| subset_at(ev, av, &at))
        }),
        (Value::Array(e), Value::Array(a)) if e.len() == a.len() => e
            .iter()
            .zip(a)
            .enumerate()
            .try_for_each(|(i, (ev, av))| subset_at(ev, av, &format!("{path}/{i}"))),
        (Value::Number(e), Value::Number(a)) if e.as_f64() == a.as_f64() => Ok(()),
        (e, a) if e == a => Ok(()),
        (e, a) => Err(format!("{path}: expected {e}, got {a}")),
    }
}
