//! The floor for the benchmark: the workload of benches/workloads/orders.flow
//! written by hand with serde_json and typed, borrowing structs, as a careful
//! engineer would without flowc. Amounts are exact decimals (rust_decimal),
//! written as JSON numbers.

use std::borrow::Cow;
use std::io::Write;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Deserialize;

#[derive(Deserialize)]
struct Order<'a> {
    id: i64,
    #[serde(borrow)]
    status: Cow<'a, str>,
    #[serde(borrow)]
    currency: Cow<'a, str>,
    #[serde(borrow)]
    created_at: Cow<'a, str>,
    #[serde(borrow)]
    customer: Customer<'a>,
    #[serde(borrow)]
    line_items: Vec<LineItem<'a>>,
    note: Option<String>,
}

#[derive(Deserialize)]
struct Customer<'a> {
    #[serde(borrow)]
    email: Cow<'a, str>,
    #[serde(borrow)]
    first_name: Cow<'a, str>,
    #[serde(borrow)]
    last_name: Cow<'a, str>,
}

#[derive(Deserialize)]
struct LineItem<'a> {
    #[serde(borrow)]
    sku: Cow<'a, str>,
    qty: i64,
    #[serde(borrow)]
    unit_price: Cow<'a, str>,
}

fn round2(amount: Decimal) -> Decimal {
    let mut rounded = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(2);
    rounded
}

fn string(out: &mut Vec<u8>, text: &str) {
    serde_json::to_writer(&mut *out, text).expect("writing to a Vec cannot fail");
}

/// Maps one order (a line of NDJSON) into `out`: the invoice line, or
/// nothing for an order that is not paid.
pub fn map_order(line: &str, out: &mut Vec<u8>) -> Result<(), String> {
    let order: Order = serde_json::from_str(line).map_err(|error| error.to_string())?;
    if order.status != "paid" {
        return Ok(());
    }
    out.extend_from_slice(b"{\"invoice_number\":");
    string(out, &format!("INV-{}", order.id));
    out.extend_from_slice(b",\"customer_ref\":");
    string(out, &order.customer.email.trim().to_lowercase());
    out.extend_from_slice(b",\"customer_name\":");
    string(
        out,
        &format!("{} {}", order.customer.first_name, order.customer.last_name),
    );
    out.extend_from_slice(b",\"date\":");
    string(out, order.created_at.get(..10).unwrap_or(&order.created_at));
    out.extend_from_slice(b",\"currency\":");
    string(out, &order.currency.to_uppercase());
    out.extend_from_slice(b",\"lines\":[");
    let mut total = Decimal::ZERO;
    for (i, item) in order.line_items.iter().enumerate() {
        let price = Decimal::from_str(&item.unit_price).map_err(|error| error.to_string())?;
        let amount = round2(price * Decimal::from(item.qty));
        total += amount;
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"sku\":");
        string(out, &item.sku);
        write!(out, ",\"qty\":{},\"amount\":{amount}}}", item.qty).expect("writing to a Vec cannot fail");
    }
    out.extend_from_slice(b"],\"note\":");
    string(out, order.note.as_deref().unwrap_or("none"));
    writeln!(out, ",\"total\":{}}}", round2(total)).expect("writing to a Vec cannot fail");
    Ok(())
}
