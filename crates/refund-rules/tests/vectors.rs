//! The shared vectors in `vectors/`, one named test each (`simpleps/amounts.json :: <case>`),
//! run through the JSON surface; plus the checks over all of them, each its own test:
//! - `errors :: <provider> :: <code>`: some vector of the provider expects each error it can return;
//! - `transitions :: <provider> :: <machine> <from> --<event>--> <to>`: for every row of every
//!   table of every provider, some vector's `apply` (or a `plan`'s event, applied) makes exactly
//!   that move, so a new row without a vector fails;
//! - `transitions :: the event classifier agrees with the engine`: the status event this file
//!   reads off each applied vector is one the tables actually take there;
//! - `errors :: every error code is documented`.
//!
//! A harness of its own (`libtest-mimic`): `cargo test -p refund-rules --test vectors -- <filter>`
//! runs the matching cases; `--list` lists them.
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

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use libtest_mimic::{Arguments, Failed, Trial};
use refund_rules::json::run_named;
use refund_rules::ledger::LedgerDoc;
use refund_rules::machine::{PaymentEvent, StatusMachine};
use refund_rules::{ErrorCode, Ledger, Provider};
use refund_rules_vectors::{Vector, load, root, subset};
use serde_json::{Value, json};

fn main() -> ExitCode {
    let args = Arguments::from_args();
    let trials = match load() {
        Ok(cases) => trials(cases),
        Err(e) => vec![Trial::test("vectors :: load", move || Err(e.into()))],
    };
    libtest_mimic::run(&args, trials).exit_code()
}

fn trials(cases: Vec<Vector>) -> Vec<Trial> {
    let mut out = Vec::new();
    let count = cases.len();
    out.push(Trial::test(
        "vectors :: the shared vectors are there",
        move || {
            if count > 100 {
                Ok(())
            } else {
                Err(format!("expected the shared vectors, found {count}").into())
            }
        },
    ));
    let mut names: BTreeMap<String, usize> = BTreeMap::new();
    for v in &cases {
        *names.entry(case_name(v)).or_default() += 1;
    }
    out.push(Trial::test(
        "vectors :: case names are unique in each file",
        move || {
            let twice: Vec<&String> = names
                .iter()
                .filter(|(_, n)| **n > 1)
                .map(|(k, _)| k)
                .collect();
            if twice.is_empty() {
                Ok(())
            } else {
                Err(format!("names used twice: {twice:?}").into())
            }
        },
    ));
    for v in &cases {
        let v = v.clone();
        out.push(Trial::test(case_name(&v), move || check_case(&v)));
    }
    out.push(Trial::test(
        "errors :: every error code is documented",
        || {
            let doc = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/errors.md");
            let doc = std::fs::read_to_string(doc)?;
            let missing: Vec<&str> = ErrorCode::ALL
                .iter()
                .map(|c| c.as_str())
                .filter(|c| !doc.contains(&format!("`{c}`")))
                .collect();
            if missing.is_empty() {
                Ok(())
            } else {
                Err(format!("docs/errors.md lacks {missing:?}").into())
            }
        },
    ));
    for provider in Provider::ALL {
        let seen: BTreeSet<String> = cases
            .iter()
            .filter(|c| c.dir == provider.as_str())
            .filter_map(|c| c.expected["error"]["code"].as_str().map(str::to_owned))
            .collect();
        for code in provider.reachable_errors() {
            let hit = seen.contains(code.as_str());
            out.push(Trial::test(
                format!("errors :: {provider} :: {code}"),
                move || {
                    if hit {
                        Ok(())
                    } else {
                        Err(format!("no {provider} vector expects `{code}`").into())
                    }
                },
            ));
        }
    }
    let coverage = Arc::new(Coverage::of(&cases));
    let agrees = Arc::clone(&coverage);
    out.push(Trial::test(
        "transitions :: the event classifier agrees with the engine",
        move || {
            if agrees.disagreements.is_empty() {
                Ok(())
            } else {
                Err(agrees.disagreements.join("\n").into())
            }
        },
    ));
    for provider in Provider::ALL {
        for row in rows(provider) {
            let coverage = Arc::clone(&coverage);
            let name = format!(
                "transitions :: {provider} :: {} {} --{}--> {}",
                row.machine, row.from, row.event, row.to
            );
            out.push(Trial::test(name, move || {
                if coverage.moves.contains(&(provider, row.clone())) {
                    Ok(())
                } else {
                    Err(format!(
                        "no {provider} vector moves the {} machine `{}` --{}--> `{}` \
                         (add one to vectors/{provider}/transitions.json)",
                        row.machine, row.from, row.event, row.to
                    )
                    .into())
                }
            }));
        }
    }
    out
}

/// `<dir>/<file>.json :: <case name>`.
fn case_name(v: &Vector) -> String {
    let file = v.file.strip_prefix(root()).unwrap_or(&v.file);
    format!("{} :: {}", file.display(), v.name)
}

fn run(v: &Vector) -> Result<(Value, Option<ErrorCode>), Failed> {
    let out = run_named(&v.operation, &v.input);
    Ok((serde_json::from_str(&out.json)?, out.error))
}

fn check_case(v: &Vector) -> Result<(), Failed> {
    let (actual, code) = run(v)?;
    subset(&v.expected, &actual).map_err(|e| format!("{e}\nactual: {actual}"))?;
    let in_body = actual["error"]["code"].as_str();
    if code.map(ErrorCode::as_str) != in_body {
        return Err(format!("typed error {code:?} but the envelope says {in_body:?}").into());
    }
    Ok(())
}

/// One move of one machine: `from --event--> to`. The refund machine's creations are rows
/// `new --create--> <initial state>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Row {
    machine: String,
    from: String,
    event: String,
    to: String,
}

impl Row {
    fn new(machine: &str, from: &str, event: &str, to: &str) -> Self {
        Self {
            machine: machine.to_owned(),
            from: from.to_owned(),
            event: event.to_owned(),
            to: to.to_owned(),
        }
    }
}

/// Every row of every table of `provider`, read from the tables themselves.
fn rows(provider: Provider) -> Vec<Row> {
    let m = provider.machines();
    let mut out = Vec::new();
    for (_, machine) in status_machines(provider) {
        for t in machine.transitions {
            out.push(Row::new(machine.name, t.from, t.event.as_str(), t.to));
        }
    }
    for t in m.refund.transitions {
        out.push(Row::new(
            m.refund.name,
            t.from.as_str(),
            t.event.as_str(),
            t.to.as_str(),
        ));
    }
    for s in m.refund_initial {
        out.push(Row::new(m.refund.name, "new", "create", s.as_str()));
    }
    out
}

/// Where a status machine keeps its state: a ledger status slot, or a return's `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Status(&'static str),
    Return,
}

/// The payment-level machines (by ledger status slot) and the return machine of `provider`.
fn status_machines(provider: Provider) -> Vec<(Slot, &'static StatusMachine)> {
    let m = provider.machines();
    [
        Some((Slot::Status("payment"), &m.payment)),
        m.order.as_ref().map(|o| (Slot::Status("order"), o)),
        m.fulfillment
            .as_ref()
            .map(|f| (Slot::Status("fulfillment"), f)),
        provider.return_machine().map(|r| (Slot::Return, r)),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The moves the vectors make, and any move this file could not explain by the tables.
#[derive(Debug, Default)]
struct Coverage {
    moves: HashSet<(Provider, Row)>,
    disagreements: Vec<String>,
}

impl Coverage {
    /// Runs every successful `apply` vector, and applies the event of every successful `plan`
    /// vector to its ledger, recording which rows each one took.
    fn of(cases: &[Vector]) -> Self {
        let mut c = Self::default();
        for v in cases {
            let Ok(input) = serde_json::from_str::<Value>(&v.input) else {
                continue;
            };
            let Some(provider) = input["provider"]
                .as_str()
                .and_then(|p| Provider::from_name(p).ok())
            else {
                continue;
            };
            let step = match v.operation.as_str() {
                "apply" => input,
                "plan" => {
                    let out: Value =
                        serde_json::from_str(&run_named("plan", &v.input).json).unwrap_or_default();
                    let plan = &out["value"];
                    if out["ok"] != true || plan["replay"] == true || plan["event"].is_null() {
                        continue;
                    }
                    json!({
                        "provider": provider.as_str(),
                        "ledger": input["ledger"],
                        "event": plan["event"],
                    })
                }
                _ => continue,
            };
            let out: Value = serde_json::from_str(&run_named("apply", &step.to_string()).json)
                .unwrap_or_default();
            if out["ok"] != true || out["value"]["duplicate"] == true {
                continue;
            }
            let name = case_name(v);
            match moves(
                provider,
                &step["ledger"],
                &step["event"],
                &out["value"]["ledger"],
            ) {
                Ok(rows) => c.moves.extend(rows.into_iter().map(|r| (provider, r))),
                Err(e) => c.disagreements.push(format!("{name}: {e}")),
            }
        }
        c
    }
}

fn typed(ledger: &Value) -> Result<Ledger, String> {
    serde_json::from_value::<LedgerDoc>(ledger.clone())
        .map_err(|e| e.to_string())?
        .into_ledger("/ledger")
        .map_err(|e| e.to_string())
}

fn refund<'a>(ledger: &'a Value, id: &str) -> &'a Value {
    ledger["refunds"]
        .as_array()
        .and_then(|rs| rs.iter().find(|r| r["id"] == id))
        .unwrap_or(&Value::Null)
}

/// The rows an applied event took, from the ledgers before and after it. The status event is
/// named here from what the event did (its type, and whether it captured everything authorized
/// or left nothing captured unrefunded), independently of the engine; each status move must
/// then be exactly the table's row for that event, or this is an error.
fn moves(
    provider: Provider,
    before: &Value,
    event: &Value,
    after: &Value,
) -> Result<Vec<Row>, String> {
    let m = provider.machines();
    let (typed_before, typed_after) = (typed(before)?, typed(after)?);
    let rid = event["refund_id"].as_str().unwrap_or_default();
    let (refund_before, refund_after) =
        (&refund(before, rid)["state"], &refund(after, rid)["state"]);
    let mut out = Vec::new();
    let refund_sized = || -> Result<PaymentEvent, String> {
        let r = provider
            .refundable(&typed_after)
            .map_err(|e| e.to_string())?;
        let sized = if r.refunded == r.captured {
            PaymentEvent::RefundFull
        } else {
            PaymentEvent::RefundPartial
        };
        Ok(if refund(after, rid)["return_id"].is_string() {
            sized.for_return()
        } else {
            sized
        })
    };
    let status_event = match event["type"].as_str().unwrap_or_default() {
        "payment_authorized" => Some(
            if typed_before.authorized.is_zero()
                && m.payment
                    .transitions
                    .iter()
                    .any(|t| t.event == PaymentEvent::AuthorizeFree)
            {
                PaymentEvent::AuthorizeFree
            } else {
                PaymentEvent::Authorize
            },
        ),
        "payment_declined" => Some(PaymentEvent::Decline),
        "payment_voided" => Some(PaymentEvent::Void),
        "order_approved" => Some(PaymentEvent::Approve),
        "capture_settled" => Some(PaymentEvent::Settle),
        "payment_captured" => {
            let total = typed_after.captured_total().map_err(|e| e.to_string())?;
            Some(if total == typed_after.authorized {
                PaymentEvent::CaptureFull
            } else {
                PaymentEvent::CapturePartial
            })
        }
        "refund_created" => {
            let state = refund_after.as_str().unwrap_or_default();
            out.push(Row::new(m.refund.name, "new", "create", state));
            (state == "succeeded").then(refund_sized).transpose()?
        }
        kind @ ("refund_succeeded" | "refund_failed" | "refund_expired") => {
            let refund_event = match kind {
                "refund_succeeded" => "succeed",
                "refund_failed" => "fail",
                _ => "expire",
            };
            let (from, to) = (
                refund_before.as_str().unwrap_or_default(),
                refund_after.as_str().unwrap_or_default(),
            );
            match m
                .refund
                .transitions
                .iter()
                .find(|t| t.from.as_str() == from && t.event.as_str() == refund_event)
            {
                Some(t) if t.to.as_str() == to => {
                    out.push(Row::new(m.refund.name, from, refund_event, to));
                }
                _ => {
                    return Err(format!(
                        "the refund moved `{from}` -> `{to}` on `{refund_event}`, which no row says"
                    ));
                }
            }
            (kind == "refund_succeeded")
                .then(refund_sized)
                .transpose()?
        }
        other => return Err(format!("unknown event type `{other}`")),
    };
    let Some(e) = status_event else {
        return Ok(out);
    };
    let return_id = refund(after, rid)["return_id"].as_str().map(str::to_owned);
    for (slot, machine) in status_machines(provider) {
        let (from, to) = if let Slot::Status(slot) = slot {
            let status = |l: &Value| l["status"][slot].as_str().unwrap_or_default().to_owned();
            (status(before), status(after))
        } else {
            let Some(id) = return_id.as_deref() else {
                continue;
            };
            let status = |l: &Value| {
                l["returns"]
                    .as_array()
                    .and_then(|rs| rs.iter().find(|r| r["id"] == id))
                    .and_then(|r| r["status"].as_str())
                    .unwrap_or_default()
                    .to_owned()
            };
            (status(before), status(after))
        };
        if machine.unaffected_by.contains(&e) {
            if from != to {
                return Err(format!(
                    "{} moved `{from}` -> `{to}` on `{e}`, which it ignores",
                    machine.name
                ));
            }
            continue;
        }
        match machine
            .transitions
            .iter()
            .find(|t| t.from == from && t.event == e)
        {
            Some(t) if t.to == to => out.push(Row::new(machine.name, &from, e.as_str(), &to)),
            _ => {
                return Err(format!(
                    "{} moved `{from}` -> `{to}`, but its table has no such row for `{e}`",
                    machine.name
                ));
            }
        }
    }
    Ok(out)
}
