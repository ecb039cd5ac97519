//! Arbitrary event sequences through `apply`, from fresh ledgers of each covered provider
//! (Digital River orders with lines, Fiserv charges with a `created_at`), using the same op
//! generators and replay as the property tests, including refunds planned through each
//! provider's own request (`Op::PlanRefund`: allocations, idempotency keys, captures). Proves: succeeded plus
//! pending never exceeds captured (in total and per capture), every ledger apply returns passes
//! its own check, versions move by one, rejected events change nothing, and re-applying any
//! event is a no-op.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use refund_rules::ledger::LineKind;
use refund_rules::strategies::{
    AmountPick, FISERV_CREATED_AT, Op, RefundMove, op_event, order_lines, start_states,
};
use refund_rules::{Currency, Ledger, Minor, Provider, Statuses, apply};
use refund_rules_fuzz::{COVERED_PROVIDERS, assert_within_captured};

#[derive(Debug, Arbitrary)]
enum Pick {
    All,
    OneOver,
    One,
    Zero,
    Share(u16),
    Fixed(i64),
}

#[derive(Debug, Arbitrary)]
enum FuzzOp {
    Authorize,
    Decline,
    Void,
    Capture(Pick, bool),
    Settle(u8),
    CreateRefund(Pick, u8, Option<u8>),
    PlanRefund(Option<Pick>),
    Succeed(u8),
    Fail(u8),
    Expire(u8),
    Replay(u8),
}

#[derive(Debug, Arbitrary)]
struct Input {
    provider: u8,
    currency: u8,
    authorized: i64,
    start: u8,
    lines: Vec<(u8, u16, u16, u8)>,
    ops: Vec<FuzzOp>,
}

const KINDS: [LineKind; 4] = [
    LineKind::Product,
    LineKind::Shipping,
    LineKind::Duty,
    LineKind::ImporterTax,
];

const CODES: &[&str] = &["USD", "JPY", "KWD", "CLF", "EUR", "BHD", "ISK"];

fn pick(p: &Pick) -> AmountPick {
    match p {
        Pick::All => AmountPick::All,
        Pick::OneOver => AmountPick::OneOver,
        Pick::One => AmountPick::One,
        Pick::Zero => AmountPick::Zero,
        Pick::Share(s) => AmountPick::Share(*s),
        Pick::Fixed(m) => AmountPick::Fixed(Minor::new(*m)),
    }
}

fuzz_target!(|input: Input| {
    let provider = COVERED_PROVIDERS[usize::from(input.provider) % COVERED_PROVIDERS.len()];
    let machines = provider.machines();
    let starts = start_states(&machines.payment);
    if starts.is_empty() {
        // A provider whose tables are still empty.
        return;
    }
    let slot = |m: Option<&refund_rules::machine::StatusMachine>| {
        m.map(start_states).and_then(|s| {
            s.get(usize::from(input.start) % s.len().max(1))
                .map(|x| (*x).to_owned())
        })
    };
    let currency = Currency::from_code(CODES[usize::from(input.currency) % CODES.len()]).unwrap();
    let mut ledger = Ledger::new(
        currency,
        Minor::new(input.authorized.checked_abs().unwrap_or(i64::MAX).max(1)),
        Statuses {
            payment: starts[usize::from(input.start) % starts.len()].to_owned(),
            order: slot(machines.order.as_ref()),
            fulfillment: slot(machines.fulfillment.as_ref()),
        },
    );
    if provider == Provider::DigitalRiver {
        // A first product line, then up to three more of any kind but fees.
        let mut shapes = vec![(LineKind::Product, 1_u16, 0_u16, 1_u64)];
        shapes.extend(input.lines.iter().take(3).map(|(k, w, t, q)| {
            (
                KINDS[usize::from(*k) % KINDS.len()],
                (*w).max(1),
                *t,
                u64::from(*q % 3) + 1,
            )
        }));
        ledger.lines = order_lines(ledger.authorized, &shapes);
    }
    if provider == Provider::FiservCommerceHub {
        ledger.created_at = Some(FISERV_CREATED_AT);
    }
    let mut applied = Vec::new();
    for (seq, f) in input.ops.iter().take(64).enumerate() {
        let op = match f {
            FuzzOp::Authorize => Op::Authorize,
            FuzzOp::Decline => Op::Decline,
            FuzzOp::Void => Op::Void,
            FuzzOp::Capture(p, settled) => Op::Capture {
                pick: pick(p),
                settled: *settled,
            },
            FuzzOp::Settle(c) => Op::Settle {
                capture: usize::from(*c),
            },
            FuzzOp::CreateRefund(p, s, c) => Op::CreateRefund {
                pick: pick(p),
                state: usize::from(*s),
                capture: c.map(usize::from),
            },
            FuzzOp::PlanRefund(p) => Op::PlanRefund {
                pick: p.as_ref().map(pick),
            },
            FuzzOp::Succeed(r) => Op::MoveRefund {
                refund: usize::from(*r),
                event: RefundMove::Succeed,
            },
            FuzzOp::Fail(r) => Op::MoveRefund {
                refund: usize::from(*r),
                event: RefundMove::Fail,
            },
            FuzzOp::Expire(r) => Op::MoveRefund {
                refund: usize::from(*r),
                event: RefundMove::Expire,
            },
            FuzzOp::Replay(n) => {
                if applied.is_empty() {
                    continue;
                }
                let event = &applied[usize::from(*n) % applied.len()];
                let again = apply(provider, &ledger, event).unwrap();
                assert!(again.duplicate);
                assert_eq!(again.ledger, ledger);
                continue;
            }
        };
        let Some(event) = op_event(provider, &ledger, &op, seq) else {
            continue;
        };
        match apply(provider, &ledger, &event) {
            Ok(a) => {
                assert!(!a.duplicate);
                assert_eq!(a.ledger.version, ledger.version + 1);
                assert_eq!(a.ledger.applied_events.last().map(|e| &e.id), Some(&event.id));
                assert_within_captured(&a.ledger);
                for c in &a.ledger.captures {
                    assert!(
                        a.ledger
                            .refundable_for_capture(&c.id)
                            .unwrap()
                            .available
                            .get()
                            >= 0
                    );
                }
                ledger = a.ledger;
                applied.push(event);
            }
            Err(e) => {
                // Rejected: a stable code, and the ledger we hold is untouched by construction.
                let _ = e.code().as_str();
            }
        }
    }
});
