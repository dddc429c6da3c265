//! Generated documentation stays in step with the registries it comes from.
//! Run with FLOWC_BLESS=1 to rewrite a stale page.

use std::path::Path;

fn compare_or_bless(path: &str, expected: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    if std::env::var_os("FLOWC_BLESS").is_some() {
        std::fs::write(&path, expected).unwrap();
        return;
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "{} is stale; regenerate it with `FLOWC_BLESS=1 cargo test --test docs`",
        path.display()
    );
}

#[test]
fn diagnostics_reference_is_current() {
    compare_or_bless("docs/diagnostics.md", &flowc::diagnostics::docs::markdown());
}

#[test]
fn standard_library_reference_is_current() {
    compare_or_bless("docs/stdlib.md", &flowc::stdlib::docs::markdown());
}

#[test]
fn mappings_reference_is_current() {
    let page = flowc::mappings::docs::markdown(Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap();
    compare_or_bless("docs/mappings.md", &page);
}
