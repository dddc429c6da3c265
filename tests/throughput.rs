//! Throughput against a rate-limited system: 2,000 new CCV SalesPOS orders
//! into the eAccounting sandbox, which allows a fixed number of requests a
//! minute per endpoint (the vendor's 600, scaled up to keep CI short: the
//! ratio is what counts, and the figures at 600 are in
//! docs/performance.md). With records in flight beside each other, the
//! busiest endpoint runs at 90% of its ceiling or more, no record fails for
//! a 429, reference data is asked for a handful of times rather than once
//! per order, and the two orders of each new customer, in flight together,
//! create it once.

mod support;

use std::sync::atomic::Ordering;

use support::{Setup, World, summary};

/// Requests a minute per endpoint; `FLOWC_TEST_LIMIT=600` for the vendor's.
fn limit() -> u32 {
    std::env::var("FLOWC_TEST_LIMIT")
        .ok()
        .and_then(|limit| limit.parse().ok())
        .unwrap_or(4800)
}

#[test]
fn the_busiest_endpoint_runs_near_its_ceiling_with_nothing_failed() {
    let limit = limit();
    let world = World::start_with(
        2000,
        Setup {
            books_per_minute: Some(limit),
            ..Setup::default()
        },
    );
    let (code, _, stderr) = world.run("state", &[]);
    assert_eq!(code, 0, "{}", summary(&stderr));
    assert!(summary(&stderr).contains(" 0 failed"), "{}", summary(&stderr));

    let endpoints = world.books.stats.endpoints.lock().unwrap().clone();
    let requests: u64 = endpoints.values().map(|seen| seen.requests).sum();
    let mut figures = format!(
        "{} paid orders, {requests} requests to the books ({:.2} a paid order), {} answered 429 by the limit\n",
        world.paid.len(),
        requests as f64 / world.paid.len() as f64,
        world.books.stats.limited.load(Ordering::Relaxed),
    );
    for (name, seen) in &endpoints {
        figures += &format!(
            "{name}: {} requests, {:.0} a minute\n",
            seen.requests,
            seen.per_minute()
        );
    }
    eprint!("{figures}");
    let (busiest, seen) = endpoints.iter().max_by_key(|(_, seen)| seen.requests).unwrap();
    let ratio = seen.per_minute() / f64::from(limit);
    assert!(
        ratio >= 0.9,
        "{busiest} ran at {:.0}% of its {limit} a minute\n{figures}",
        ratio * 100.0
    );
    for reference in ["articles", "termsofpayments"] {
        let asked = endpoints.get(reference).map_or(0, |seen| seen.requests);
        assert!(asked < 30, "{reference} asked {asked} times\n{figures}");
    }

    world.each_paid_order_once("2,000 orders");
    world.no_customer_twice("2,000 orders");
    world.stop();
}
