//! The engine-level money guard (`provider::check_money_effect`) turns any plan that would move
//! money twice into an error, whatever a provider module decided. Each case takes a real plan
//! and bends it the way a provider bug would.
#![allow(clippy::unwrap_used, clippy::panic, reason = "test code")]

use proptest::prelude::*;
use refund_rules::engine::check_money_effect;
use refund_rules::strategies::any_plan_case;
use refund_rules::strategies::test_config as config;
use refund_rules::{ErrorCode, Minor, Money, Operation};

proptest! {
    #![proptest_config(config())]

    /// Over all five providers: every plan the engine makes passes the guard, and the same plan
    /// one minor unit larger, or turned into a cancel after money was refunded, does not.
    #[test]
    fn the_guard_refuses_every_plan_that_moves_money_twice(case in any_plan_case()) {
        let Ok(plan) = case.plan() else { return Ok(()) };
        prop_assert!(check_money_effect(case.provider, &case.ledger, &plan).is_ok());
        if plan.replay || plan.operation == Operation::Forward {
            return Ok(());
        }
        let mut bigger = plan.clone();
        let available = case.provider.refundable(&case.ledger).unwrap().available;
        let (Ok(over), Ok(above)) = (available.checked_add(Minor::new(1)), plan.amount.minor.checked_add(Minor::new(1))) else {
            return Ok(()); // at the edge of i64: nothing larger to plan
        };
        bigger.amount = Money::new(over.max(above), plan.amount.currency);
        if !case.ledger.captures.is_empty() {
            let e = check_money_effect(case.provider, &case.ledger, &bigger).unwrap_err();
            prop_assert!(matches!(e.code(), ErrorCode::ExceedsRefundable | ErrorCode::NotRefundableState), "{e}");
        }
        let touched = case.ledger.refundable().unwrap();
        if !(touched.refunded.is_zero() && touched.pending.is_zero()) {
            let mut cancel = plan.clone();
            cancel.operation = Operation::Cancel;
            let e = check_money_effect(case.provider, &case.ledger, &cancel).unwrap_err();
            prop_assert_eq!(e.code(), ErrorCode::NotRefundableState);
        }
    }
}
