//! The benchmark's input: `count` orders as NDJSON, always the same bytes
//! (a fixed linear congruential generator). About 70% of the orders are
//! paid; some e-mail addresses carry stray spaces and capitals.

use std::io::Write;

struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const FIRST: &[&str] = &[
    "Jan", "Piet", "Anna", "Sanne", "Mohammed", "Eva", "Lucas", "Noor", "Daan", "Fleur",
];
const LAST: &[&str] = &[
    "de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder",
];
const STATUS: &[&str] = &[
    "paid",
    "paid",
    "paid",
    "paid",
    "paid",
    "paid",
    "paid",
    "pending",
    "cancelled",
    "refunded",
];
const PRODUCTS: &[&str] = &[
    "Desembrood wit",
    "Taartschep RVS",
    "Croissant",
    "Appeltaart",
    "Koffiebonen 1kg",
];

/// Writes `count` orders, one JSON object per line.
pub fn write_orders(count: u64, out: &mut impl Write) -> std::io::Result<()> {
    let mut rng = Lcg(42);
    for id in 1..=count {
        let first = FIRST[rng.below(FIRST.len() as u64) as usize];
        let last = LAST[rng.below(LAST.len() as u64) as usize];
        let status = STATUS[rng.below(STATUS.len() as u64) as usize];
        let day = 1 + rng.below(28);
        let hour = rng.below(24);
        let customer = rng.below(50_000);
        // Some e-mail addresses carry stray spaces and capitals, as real ones do.
        let email = if rng.below(5) == 0 {
            format!(" {}.{}{customer}@Example.NL ", first, last.replace(' ', ""))
        } else {
            format!(
                "{}.{}{customer}@example.nl",
                first.to_lowercase(),
                last.replace(' ', "").to_lowercase()
            )
        };
        let items = 1 + rng.below(5);
        let mut lines = Vec::new();
        for _ in 0..items {
            let product = rng.below(PRODUCTS.len() as u64) as usize;
            let price = 50 + rng.below(9950);
            lines.push(format!(
                r#"{{"sku":"SKU-{:05}","name":"{}","qty":{},"unit_price":"{}.{:02}","tax_rate":"{}"}}"#,
                product * 1000 + rng.below(1000) as usize,
                PRODUCTS[product],
                1 + rng.below(10),
                price / 100,
                price % 100,
                if product.is_multiple_of(2) { "9" } else { "21" }
            ));
        }
        let note = if rng.below(4) == 0 {
            r#""Bezorgen na 17:00""#
        } else {
            "null"
        };
        writeln!(
            out,
            r#"{{"id":{id},"status":"{status}","currency":"eur","created_at":"2024-03-{day:02}T{hour:02}:15:00Z","customer":{{"id":{customer},"email":"{email}","first_name":"{first}","last_name":"{last}"}},"line_items":[{}],"note":{note}}}"#,
            lines.join(",")
        )?;
    }
    Ok(())
}
