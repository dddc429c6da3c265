//! Writes N orders as NDJSON to stdout, the benchmark's input:
//! `cargo run --release --example generate_orders -- 100000 > orders.ndjson`.

use std::io::{BufWriter, Write};

#[path = "support/orders.rs"]
mod orders;

fn main() {
    let count: u64 = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(1000);
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
    orders::write_orders(count, &mut out).expect("stdout is writable");
    out.flush().expect("stdout is writable");
}
