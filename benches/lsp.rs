//! The language server's answers after an edit, on the largest shipped
//! mapping (issue 15 asks for 50 ms): the diagnostics of the whole file
//! (parse and check, the modules it imports read again), a completion in
//! a create block, and a hover. `cargo bench --bench lsp`.

use std::path::Path;

use flowc::lsp::analysis::Document;

fn main() {
    divan::main();
}

const LARGEST: &str = "mappings/ccv-salespos--eaccounting/orders.flow";

fn largest() -> (std::path::PathBuf, String) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(LARGEST);
    let text = std::fs::read_to_string(&path).expect("the shipped mapping is there");
    (path, text)
}

#[divan::bench]
fn diagnostics_after_an_edit(bencher: divan::Bencher) {
    let (path, text) = largest();
    // The edit: a line typed in the middle of the flow.
    let edited = text.replacen(
        "  let reference = $.ordernumber_full\n",
        "  let reference = $.ordernumber_full\n  let typed = 1\n",
        1,
    );
    bencher.bench(|| Document::new(&path, &edited).diagnostics());
}

#[divan::bench]
fn completion_in_a_create_block(bencher: divan::Bencher) {
    let (path, text) = largest();
    let typing = text.replacen(
        "      CustomerId = customer.Id\n",
        "      CustomerId = customer.Id\n      Cur\n",
        1,
    );
    let offset = typing.find("      Cur\n").expect("the line typed") + "      Cur".len();
    bencher.bench(|| Document::new(&path, &typing).completions(offset));
}

#[divan::bench]
fn hover_on_a_function(bencher: divan::Bencher) {
    let (path, text) = largest();
    let offset = text.find("= round(").expect("a call of round") + 3;
    bencher.bench(|| Document::new(&path, &text).hover(offset));
}
