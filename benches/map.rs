//! In-process throughput of the benchmark workload (issue 3): 2,000 orders
//! parsed, mapped and written, by flowc (the flow compiled once) and by the
//! hand-written serde_json program. `cargo bench` runs it; the whole-process
//! comparison is `benches/run.sh`.

use std::sync::LazyLock;

use divan::Bencher;
use divan::counter::BytesCount;
use flowc::check::{self, FileLoader};
use flowc::eval::{Clock, Evaluator, Offline, Outcome, Reading, settings};
use flowc::source::SourceFile;

#[path = "support/handwritten.rs"]
mod handwritten;
#[path = "support/orders.rs"]
mod orders;

/// The allocator the flowc binary uses, for both sides alike.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

static INPUT: LazyLock<String> = LazyLock::new(|| {
    let mut bytes = Vec::new();
    orders::write_orders(2_000, &mut bytes).expect("writing to a Vec cannot fail");
    String::from_utf8(bytes).expect("the generator writes UTF-8")
});

const FLOW: &str = include_str!("workloads/orders.flow");

#[divan::bench]
fn flowc_map(bencher: Bencher) {
    let checked = check::check(SourceFile::new("orders.flow", FLOW), &FileLoader);
    assert!(!checked.has_errors());
    let values = settings::resolve(&checked.program, &[]).unwrap();
    let evaluator = Evaluator::new(&checked.program, values, Clock::System);
    bencher.counter(BytesCount::new(INPUT.len())).bench(|| {
        // As `flowc map` does: records read by the evaluator (only what the
        // flow reads; the filter asked early), the emit written straight
        // into the line.
        let mut out = Vec::with_capacity(1 << 20);
        let mut written = Vec::with_capacity(1024);
        for line in INPUT.lines() {
            let Reading::Record(record) = evaluator.read(line).unwrap() else {
                continue;
            };
            let mut target = Offline::default();
            if let Ok(Outcome::Completed { .. }) = evaluator.run_emitting_json(&record, &mut target, &mut written)
                && !written.is_empty()
            {
                out.extend_from_slice(&written);
                out.push(b'\n');
            }
        }
        out
    });
}

#[divan::bench]
fn handwritten(bencher: Bencher) {
    bencher.counter(BytesCount::new(INPUT.len())).bench(|| {
        let mut out = Vec::with_capacity(1 << 20);
        for line in INPUT.lines() {
            handwritten::map_order(line, &mut out).unwrap();
        }
        out
    });
}

#[divan::bench]
fn check_the_flow() -> usize {
    let checked = check::check(SourceFile::new("orders.flow", FLOW), &FileLoader);
    checked.diagnostics.len()
}
