//! The merchant's `decide` against refund-rules as the oracle, on ledgers and amounts drawn by
//! the engine's exported strategies (`refund_rules::strategies`).
//! `PROPTEST_CASES=100000 cargo test -p downstream-oracle` for a long run.

use downstream_oracle::{Decision, Payment, decide};
use proptest::prelude::*;
use refund_rules::strategies::{PlanCase, amount_pick, amount_request, ledger};
use refund_rules::{Money, Provider, RefundKind};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(1_000)
    ))]

    #[test]
    fn merchant_decision_matches_the_engine(
        ledger in ledger(Provider::SimplePs),
        pick in proptest::option::of(amount_pick()),
    ) {
        let breakdown = ledger.refundable().unwrap();
        let amount = pick.map(|p| p.resolve(breakdown.available));
        let payment = Payment {
            status: ledger.status.payment.clone(),
            captured: breakdown.captured.get(),
            refunded: breakdown.refunded.get(),
        };
        let mine = decide(&payment, amount.map(|m| m.get()));
        let case = PlanCase {
            provider: Provider::SimplePs,
            request: amount_request(Provider::SimplePs, &ledger, amount.map(|m| Money::new(m, ledger.currency))),
            now: None,
            ledger,
        };
        match (mine, case.plan()) {
            (Decision::Refund { amount, full, remaining }, Ok(plan)) => {
                prop_assert_eq!(amount, plan.amount.minor.get());
                prop_assert_eq!(full, plan.kind == RefundKind::Full);
                prop_assert_eq!(remaining, plan.remaining_after.minor.get());
            }
            (Decision::Reject(reason), Err(e)) => prop_assert_eq!(reason.engine_code(), e.code().as_str()),
            (mine, engine) => prop_assert!(false, "merchant {:?}, engine {:?}", mine, engine.map(|p| p.amount)),
        }
    }
}
