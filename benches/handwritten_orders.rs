//! The floor for the benchmark: the workload of benches/workloads/orders.flow
//! written by hand with serde_json and typed structs, as a careful engineer
//! would without flowc. Reads NDJSON on stdin, writes NDJSON on stdout.
//! Amounts are exact decimals (rust_decimal), written as JSON numbers.

use std::io::{BufRead, BufWriter, Write};
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Deserialize;

#[derive(Deserialize)]
struct Order<'a> {
    id: i64,
    #[serde(borrow)]
    status: &'a str,
    #[serde(borrow)]
    currency: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    created_at: &'a str,
    #[serde(borrow)]
    customer: Customer<'a>,
    #[serde(borrow)]
    line_items: Vec<LineItem<'a>>,
    note: Option<String>,
}

#[derive(Deserialize)]
struct Customer<'a> {
    #[serde(borrow)]
    email: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    first_name: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    last_name: std::borrow::Cow<'a, str>,
}

#[derive(Deserialize)]
struct LineItem<'a> {
    #[serde(borrow)]
    sku: std::borrow::Cow<'a, str>,
    qty: i64,
    #[serde(borrow)]
    unit_price: &'a str,
}

fn round2(amount: Decimal) -> Decimal {
    let mut rounded = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(2);
    rounded
}

fn string(out: &mut Vec<u8>, text: &str) {
    serde_json::to_writer(&mut *out, text).expect("writing to a Vec cannot fail");
}

fn main() {
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let stdout = std::io::stdout();
    let mut output = BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut line = String::new();
    let mut out = Vec::with_capacity(1024);
    let mut failed = 0;
    loop {
        line.clear();
        if input.read_line(&mut line).expect("stdin is readable") == 0 {
            break;
        }
        if line.trim().is_empty() {
            continue;
        }
        let order: Order = match serde_json::from_str(&line) {
            Ok(order) => order,
            Err(error) => {
                eprintln!("error: {error}");
                failed += 1;
                continue;
            }
        };
        if order.status != "paid" {
            continue;
        }
        out.clear();
        out.extend_from_slice(b"{\"invoice_number\":");
        string(&mut out, &format!("INV-{}", order.id));
        out.extend_from_slice(b",\"customer_ref\":");
        string(&mut out, &order.customer.email.trim().to_lowercase());
        out.extend_from_slice(b",\"customer_name\":");
        string(
            &mut out,
            &format!("{} {}", order.customer.first_name, order.customer.last_name),
        );
        out.extend_from_slice(b",\"date\":");
        string(
            &mut out,
            order.created_at.get(..10).unwrap_or(order.created_at),
        );
        out.extend_from_slice(b",\"currency\":");
        string(&mut out, &order.currency.to_uppercase());
        out.extend_from_slice(b",\"lines\":[");
        let mut total = Decimal::ZERO;
        for (i, item) in order.line_items.iter().enumerate() {
            let price = match Decimal::from_str(item.unit_price) {
                Ok(price) => price,
                Err(error) => {
                    eprintln!("error: {error}");
                    failed += 1;
                    continue;
                }
            };
            let amount = round2(price * Decimal::from(item.qty));
            total += amount;
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"sku\":");
            string(&mut out, &item.sku);
            write!(out, ",\"qty\":{},\"amount\":{amount}}}", item.qty)
                .expect("writing to a Vec cannot fail");
        }
        out.extend_from_slice(b"],\"note\":");
        string(&mut out, order.note.as_deref().unwrap_or("none"));
        writeln!(out, ",\"total\":{}}}", round2(total)).expect("writing to a Vec cannot fail");
        output.write_all(&out).expect("stdout is writable");
    }
    output.flush().expect("stdout is writable");
    if failed > 0 {
        std::process::exit(1);
    }
}
