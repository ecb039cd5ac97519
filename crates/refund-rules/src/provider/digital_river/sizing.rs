//! Sizing a request over the order lines: the scope (lines and whether their amount and tax
//! count), then an amount, a percentage, units or everything, spread over it exactly.

use std::collections::HashMap;

use super::order_refundable;
use super::wire::{Options, OrderRefundType, PercentBasis, Request, parse_amount, parse_percent};
use crate::allocation::{AllocationError, Percent, Ratio, catch_up, largest_remainder, share};
use crate::error::{Field, RefundError};
use crate::ledger::{Allocation, Ledger, Line, LineIndex, LineKind, LineUsage, Refundable};
use crate::money::{Currency, Minor, Money};
use crate::plan::Notes;

/// One line of the refund's scope, with what is left of it.
#[derive(Debug, Clone)]
struct Bucket<'a> {
    line: &'a Line,
    usage: LineUsage,
    /// True when the line amount is in scope (false for tax-only refunds).
    amount: bool,
    /// True when the line tax is in scope.
    tax: bool,
}

impl Bucket<'_> {
    fn available_amount(&self) -> Result<Minor, RefundError> {
        if !self.amount {
            return Ok(Minor::ZERO);
        }
        self.line
            .amount
            .checked_sub(self.usage.amount)
            .map_err(|_| RefundError::overflow("/ledger/lines"))
    }

    fn available_tax(&self) -> Result<Minor, RefundError> {
        if !self.tax {
            return Ok(Minor::ZERO);
        }
        self.line
            .tax
            .checked_sub(self.usage.tax)
            .map_err(|_| RefundError::overflow("/ledger/lines"))
    }

    /// The line's cumulative position over `10 000 × quantity`: percentages and units.
    fn position(&self) -> Result<(i128, i128), RefundError> {
        let q = i128::from(self.line.quantity);
        let num = i128::from(self.usage.percent_hundredths)
            .checked_mul(q)
            .zip(i128::from(self.usage.quantity).checked_mul(Percent::SCALE))
            .and_then(|(a, b)| a.checked_add(b))
            .ok_or_else(overflow)?;
        let den = q.checked_mul(Percent::SCALE).ok_or_else(overflow)?;
        Ok((num, den))
    }
}

fn overflow() -> RefundError {
    RefundError::overflow("/request")
}

fn alloc_err(e: AllocationError) -> RefundError {
    match e {
        AllocationError::Overflow => overflow(),
        other => RefundError::inconsistent("/ledger/lines", other.to_string()),
    }
}

pub(super) fn sum(items: impl IntoIterator<Item = Minor>) -> Result<Minor, RefundError> {
    Minor::checked_sum(items).map_err(|_| RefundError::overflow("/request"))
}

/// What a scope holds: originals, taken, available.
fn scope_refundable(buckets: &[Bucket<'_>], currency: Currency) -> Result<Refundable, RefundError> {
    let mut original = Vec::new();
    let mut refunded = Vec::new();
    let mut pending = Vec::new();
    let mut available = Vec::new();
    // Pending refunds are pending here too, as in `refundable` (not counted as refunded).
    let done = |taken: Minor, held: Minor| {
        taken
            .checked_sub(held)
            .map_err(|_| RefundError::overflow("/ledger/refunds"))
    };
    for b in buckets {
        if b.amount {
            original.push(b.line.amount);
            refunded.push(done(b.usage.amount, b.usage.pending_amount)?);
            pending.push(b.usage.pending_amount);
        }
        if b.tax {
            original.push(b.line.tax);
            refunded.push(done(b.usage.tax, b.usage.pending_tax)?);
            pending.push(b.usage.pending_tax);
        }
        available.push(b.available_amount()?);
        available.push(b.available_tax()?);
    }
    Ok(Refundable {
        currency,
        captured: sum(original)?,
        refunded: sum(refunded)?,
        pending: sum(pending)?,
        available: sum(available)?,
    })
}

/// How one scope was sized.
enum Sizing {
    /// A fixed amount, split over what is available (largest remainder).
    Amount(Money),
    /// A percentage of each bucket's original (cumulative) or of what is available.
    Percent(Percent, PercentBasis),
    /// Units of one product line (cumulative, like a percentage of `quantity / ordered`).
    Quantity(u64),
    /// Everything still available in the scope.
    Everything,
}

/// Splits a scope into per-line allocations. `pointer` names the request field that sized it.
fn allocate(
    buckets: &[Bucket<'_>],
    sizing: &Sizing,
    currency: Currency,
    pointer: &str,
) -> Result<Vec<Allocation>, RefundError> {
    let scope = scope_refundable(buckets, currency)?;
    if !scope.available.is_positive() {
        return Err(RefundError::AlreadyFullyRefunded { refundable: scope });
    }
    match sizing {
        Sizing::Everything | Sizing::Percent(Percent::HUNDRED, _) => {
            // DR1: "percent 100 … refunds everything available".
            split(buckets, scope.available)
        }
        Sizing::Amount(m) => {
            // DR1: `amount` ≤ `availableToRefundAmount` of the order or item.
            if m.minor > scope.available {
                return Err(RefundError::ExceedsRefundable {
                    requested: *m,
                    refundable: scope,
                });
            }
            split(buckets, m.minor)
        }
        Sizing::Percent(p, PercentBasis::Available) => {
            let amount =
                crate::allocation::share(scope.available.get(), p.ratio()).map_err(alloc_err)?;
            split(buckets, Minor::new(amount))
        }
        Sizing::Percent(p, PercentBasis::Original) => {
            cumulative(buckets, scope, currency, pointer, |b| {
                let q = i128::from(b.line.quantity);
                i128::from(p.hundredths())
                    .checked_mul(q)
                    .ok_or_else(overflow)
            })
            .map(|mut allocs| {
                for a in &mut allocs {
                    a.percent = Some(*p);
                }
                allocs
            })
        }
        Sizing::Quantity(units) => cumulative(buckets, scope, currency, pointer, |_| {
            i128::from(*units)
                .checked_mul(Percent::SCALE)
                .ok_or_else(overflow)
        })
        .map(|mut allocs| {
            for a in &mut allocs {
                a.quantity = Some(*units);
            }
            allocs
        }),
    }
}

/// Largest remainder of `amount` over the available buckets (amount and tax of each line, in
/// line order), so no bucket gives more than it has.
fn split(buckets: &[Bucket<'_>], amount: Minor) -> Result<Vec<Allocation>, RefundError> {
    let mut weights = Vec::new();
    for b in buckets {
        weights.push(b.available_amount()?.get());
        weights.push(b.available_tax()?.get());
    }
    let parts = largest_remainder(amount.get(), &weights).map_err(alloc_err)?;
    let mut out = Vec::new();
    for (b, pair) in buckets.iter().zip(parts.chunks(2)) {
        let a = Minor::new(pair.first().copied().unwrap_or_default());
        let t = Minor::new(pair.get(1).copied().unwrap_or_default());
        if a.is_positive() || t.is_positive() {
            out.push(Allocation {
                line_id: b.line.id.clone(),
                amount: a,
                tax: t,
                percent: None,
                quantity: None,
            });
        }
    }
    Ok(out)
}

/// Cumulative allocation: each line moves its position by `step(line)` (over
/// `10 000 × quantity`) and each bucket gives `share(original, position after) − taken`, never
/// below zero (see [`catch_up`]). A line pushed past 100 % is `exceeds_refundable`.
fn cumulative(
    buckets: &[Bucket<'_>],
    scope: Refundable,
    currency: Currency,
    pointer: &str,
    step: impl Fn(&Bucket<'_>) -> Result<i128, RefundError>,
) -> Result<Vec<Allocation>, RefundError> {
    let mut out = Vec::new();
    let mut requested = Minor::ZERO;
    // What the steps ask for on their own, reported when they go past the whole line.
    let mut asked = Minor::ZERO;
    let mut past_full = false;
    for b in buckets {
        let (num, den) = b.position()?;
        let this_step = step(b)?;
        let step_ratio = Ratio::new(this_step, den).map_err(alloc_err)?;
        for (on, total) in [(b.amount, b.line.amount), (b.tax, b.line.tax)] {
            if on {
                let part = share(total.get(), step_ratio).map_err(alloc_err)?;
                asked = asked
                    .checked_add(Minor::new(part))
                    .map_err(|_| RefundError::overflow(pointer))?;
            }
        }
        let after_num = num.checked_add(this_step).ok_or_else(overflow)?;
        let after = Ratio::new(after_num.min(den), den).map_err(alloc_err)?;
        past_full |= after_num > den;
        let give = |on: bool, total: Minor, taken: Minor| -> Result<Minor, RefundError> {
            if !on {
                return Ok(Minor::ZERO);
            }
            catch_up(total.get(), taken.get(), after)
                .map(Minor::new)
                .map_err(alloc_err)
        };
        let a = give(b.amount, b.line.amount, b.usage.amount)?;
        let t = give(b.tax, b.line.tax, b.usage.tax)?;
        requested = requested
            .checked_add(a)
            .and_then(|r| r.checked_add(t))
            .map_err(|_| RefundError::overflow(pointer))?;
        out.push(Allocation {
            line_id: b.line.id.clone(),
            amount: a,
            tax: t,
            percent: None,
            quantity: None,
        });
    }
    if past_full {
        // Percentages (or units) of a line may not add up to more than the whole line.
        return Err(RefundError::ExceedsRefundable {
            requested: Money::new(asked, currency),
            refundable: scope,
        });
    }
    Ok(out)
}

/// The buckets of `lines` (indices into the ledger's lines, in line order).
fn buckets<'a>(
    index: &LineIndex<'a>,
    lines: impl IntoIterator<Item = usize>,
    amount: bool,
    tax: bool,
) -> Result<Vec<Bucket<'a>>, RefundError> {
    lines
        .into_iter()
        .filter_map(|i| index.at(i).map(|line| (i, line)))
        .map(|(i, line)| {
            Ok(Bucket {
                line,
                usage: index.usage(i)?,
                amount,
                tax,
            })
        })
        .collect()
}

/// The indices of the ledger's lines that `select` keeps.
fn select(ledger: &Ledger, keep: impl Fn(&Line) -> bool) -> Vec<usize> {
    ledger
        .lines
        .iter()
        .enumerate()
        .filter(|(_, l)| keep(l))
        .map(|(i, _)| i)
        .collect()
}

/// An item's charge lines (shipping, fees, duty), by kind and item id, in line order: built
/// once, so that sizing many items does not scan every line per item.
fn charges_by_item(ledger: &Ledger) -> HashMap<(LineKind, &str), Vec<usize>> {
    let mut out: HashMap<(LineKind, &str), Vec<usize>> = HashMap::new();
    for (i, l) in ledger.lines.iter().enumerate() {
        if let Some(item) = &l.item_id {
            out.entry((l.kind, item.as_str())).or_default().push(i);
        }
    }
    out
}

fn need_lines(ledger: &Ledger, what: &str) -> Result<(), RefundError> {
    if ledger.lines.is_empty() {
        return Err(RefundError::invalid_input(
            "/ledger/lines",
            format!("{what} needs the order lines in the ledger"),
        ));
    }
    Ok(())
}

/// Decides the allocations of a request, with notes for the explanation.
pub(super) fn size(
    ledger: &Ledger,
    index: &LineIndex<'_>,
    request: &Request,
    options: &Options,
    why: &mut impl Notes,
) -> Result<Vec<Allocation>, RefundError> {
    let currency = ledger.currency;
    let amount = request
        .amount
        .as_ref()
        .map(|w| parse_amount(w, currency, options, "/request/amount"))
        .transpose()?;
    let percent = request
        .percent
        .as_ref()
        .map(|w| parse_percent(w, "/request/percent"))
        .transpose()?;
    let order_sizing = |pointer: &str| match (amount, percent) {
        (Some(m), _) => Ok((Sizing::Amount(m), "/request/amount")),
        (None, Some(p)) => Ok((Sizing::Percent(p, options.percent_of), "/request/percent")),
        (None, None) => Err(RefundError::invalid_input(pointer, "no size given")),
    };
    if let Some(items) = &request.items {
        need_lines(ledger, "an item-level refund")?;
        let charges = charges_by_item(ledger);
        let mut all = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let at = |f| Field::at("/request/items").item(i).field(f);
            let scope = match item.item_type {
                // DR1: item level = the item amount and its tax only.
                None => {
                    let found = index
                        .position(&item.item_id)
                        .and_then(|k| index.at(k).map(|l| (k, l)))
                        .filter(|(_, l)| l.kind == LineKind::Product);
                    let (k, line) = found.ok_or_else(|| {
                        RefundError::invalid_input(
                            at("itemId"),
                            format!("the order has no item `{}`", item.item_id),
                        )
                    })?;
                    // DR1: `items[].quantity` ≤ the ordered quantity.
                    if let Some(q) = item.quantity
                        && q > line.quantity
                    {
                        return Err(RefundError::invalid_input(
                            at("quantity"),
                            format!(
                                "`quantity` {q} is more than the {} ordered of item `{}`",
                                line.quantity, line.id
                            ),
                        ));
                    }
                    // Line ids are unique (checked with the ledger): the one line.
                    buckets(index, [k], true, true)?
                }
                // DR1: `items[].type` shipping/fees/duty refunds that charge of the item plus
                // its tax.
                Some(kind) => {
                    let kind = kind.line_kind();
                    let lines = charges
                        .get(&(kind, item.item_id.as_str()))
                        .map(Vec::as_slice)
                        .unwrap_or_default();
                    let found = buckets(index, lines.iter().copied(), true, true)?;
                    if found.is_empty() {
                        return Err(RefundError::invalid_input(
                            at("itemId"),
                            format!("item `{}` has no {} charge", item.item_id, kind.as_str()),
                        ));
                    }
                    found
                }
            };
            let (sizing, field) = match (&item.amount, &item.percent, item.quantity) {
                (Some(w), _, _) => {
                    let field = at("amount");
                    let amount = parse_amount(w, currency, options, &field.pointer())?;
                    (Sizing::Amount(amount), field)
                }
                (None, Some(w), _) => {
                    let field = at("percent");
                    let percent = parse_percent(w, &field.pointer())?;
                    (Sizing::Percent(percent, options.percent_of), field)
                }
                // [U] units alone refund `quantity / ordered` of the item.
                (None, None, Some(q)) => (Sizing::Quantity(q), at("quantity")),
                // [U] nothing else: the whole item that is still available.
                (None, None, None) => (Sizing::Everything, at("itemId")),
            };
            let pointer = field.pointer();
            let allocs = allocate(&scope, &sizing, currency, &pointer)?;
            why.note(|| {
                format!(
                    "item `{}`{}: {}",
                    item.item_id,
                    item.item_type
                        .map(|k| format!(" ({})", k.line_kind().as_str()))
                        .unwrap_or_default(),
                    describe(&allocs, currency)
                )
            });
            all.extend(allocs);
        }
        return Ok(all);
    }
    match request.refund_type {
        // DR1: `type: tax` is order level, full only: percent 100 or the whole unrefunded tax.
        Some(OrderRefundType::Tax) => {
            need_lines(ledger, "a tax refund")?;
            let scope = buckets(index, select(ledger, |_| true), false, true)?;
            let tax = scope_refundable(&scope, currency)?;
            if !tax.available.is_positive() {
                return Err(RefundError::AlreadyFullyRefunded { refundable: tax });
            }
            let requested = match (amount, percent) {
                (Some(m), _) if m.minor > tax.available => {
                    return Err(RefundError::ExceedsRefundable {
                        requested: m,
                        refundable: tax,
                    });
                }
                (Some(m), _) => m.minor,
                (None, Some(p)) => Minor::new(
                    crate::allocation::share(tax.available.get(), p.ratio()).map_err(alloc_err)?,
                ),
                (None, None) => tax.available,
            };
            if requested != tax.available {
                return Err(RefundError::PartialRefundNotSupported {
                    reason: "Digital River refunds tax in full only (`type: tax`)",
                    requested: Money::new(requested, currency),
                    refundable: tax,
                });
            }
            why.note(|| "type tax: the whole unrefunded tax (full tax refunds only)".to_owned());
            allocate(&scope, &Sizing::Everything, currency, "/request")
        }
        // DR1: `type` shipping/fees/duty (and importer_tax, DR4) refund that component plus its
        // tax, proportionally.
        Some(t) => {
            need_lines(ledger, "a typed refund")?;
            let kind = match t {
                OrderRefundType::Shipping => LineKind::Shipping,
                OrderRefundType::Duty => LineKind::Duty,
                OrderRefundType::ImporterTax => LineKind::ImporterTax,
                OrderRefundType::Fees | OrderRefundType::Tax => LineKind::Fees,
            };
            let scope = buckets(index, select(ledger, |l| l.kind == kind), true, true)?;
            if scope.is_empty() {
                return Err(RefundError::invalid_input(
                    "/request/type",
                    format!("the order has no {} charge", kind.as_str()),
                ));
            }
            let (sizing, pointer) = order_sizing("/request")?;
            let allocs = allocate(&scope, &sizing, currency, pointer)?;
            why.note(|| format!("type {}: {}", kind.as_str(), describe(&allocs, currency)));
            Ok(allocs)
        }
        // DR1: an order-level product refund spreads over product, shipping, duties and taxes;
        // it never refunds regulatory fees.
        None => {
            if ledger.lines.is_empty() {
                if amount.is_none() {
                    need_lines(ledger, "a percentage refund")?;
                }
                return Ok(Vec::new());
            }
            let scope = buckets(
                index,
                select(ledger, |l| l.kind != LineKind::Fees),
                true,
                true,
            )?;
            let (mut sizing, pointer) = order_sizing("/request")?;
            // DR1: "percent 100 … refunds everything available", and available is
            // `availableToRefundAmount`, which counts completed captures only. While some
            // captures are not complete that is less than the lines hold: refund exactly it,
            // spread over the lines as an amount (the lines stay below 100 %).
            if let Sizing::Percent(Percent::HUNDRED, _) = sizing {
                let order = order_refundable(ledger)?.available;
                let lines = scope_refundable(&scope, currency)?.available;
                if order < lines {
                    why.note(|| {
                        format!(
                            "percent 100 while captures are incomplete: everything available, {}",
                            Money::new(order, currency)
                        )
                    });
                    sizing = Sizing::Amount(Money::new(order, currency));
                }
            }
            let allocs = allocate(&scope, &sizing, currency, pointer)?;
            why.note(|| {
                format!(
                    "order-level product refund over every line but fees: {}",
                    describe(&allocs, currency)
                )
            });
            Ok(allocs)
        }
    }
}

fn describe(allocs: &[Allocation], currency: Currency) -> String {
    let parts: Vec<String> = allocs
        .iter()
        .map(|a| {
            format!(
                "{} {} + tax {}",
                a.line_id,
                Money::new(a.amount, currency).to_decimal_string(),
                Money::new(a.tax, currency).to_decimal_string()
            )
        })
        .collect();
    parts.join(", ")
}
