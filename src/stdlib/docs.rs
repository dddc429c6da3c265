//! `docs/stdlib.md`, generated from the registry and the `std/...` modules.

use super::{Category, all, module_paths, module_source};

pub fn markdown() -> String {
    let mut page = String::from(
        "# Standard library\n\n\
         <!-- Generated from src/stdlib (the registry) and stdlib/*.flow; do not edit. \
         Regenerate with `FLOWC_BLESS=1 cargo test --test docs`. -->\n\n\
         Native functions are called by name: `lower($.email)`. Every example below runs as a test \
         (`tests/stdlib.rs`) and gives exactly the result shown (as JSON). A function that \
         *can fail* fails the record on some values of the right type (see the examples); \
         every function fails on arguments of the wrong type (E1002).\n\n",
    );
    let categories = [
        Category::Text,
        Category::Numbers,
        Category::Dates,
        Category::Lists,
        Category::Objects,
        Category::Types,
        Category::Domain,
    ];
    page.push_str("| category | functions |\n|---|---|\n");
    for category in categories {
        let names: Vec<String> = all()
            .filter(|f| f.category == category)
            .map(|f| format!("[`{0}`](#{0})", f.name))
            .collect();
        page.push_str(&format!("| {} | {} |\n", category.title(), names.join(", ")));
    }
    page.push_str("| Modules | ");
    page.push_str(
        &module_paths()
            .map(|p| format!("[`{p}`](#{})", p.replace('/', "")))
            .collect::<Vec<_>>()
            .join(", "),
    );
    page.push_str(" |\n");
    for category in categories {
        page.push_str(&format!("\n## {}\n", category.title()));
        for function in all().filter(|f| f.category == category) {
            page.push_str(&format!(
                "\n### {}\n\n```text\n{}\n```\n\n{}\n",
                function.name,
                function.signature(),
                function.doc
            ));
            if function.fallible {
                page.push_str("\nCan fail.\n");
            }
            page.push_str("\n| example | gives |\n|---|---|\n");
            for example in function.examples {
                let result = match example.result.strip_prefix("error ") {
                    Some(code) => {
                        format!("fails: [{code}](diagnostics.md#{})", code.to_lowercase())
                    }
                    None => format!("`{}`", example.result.replace('|', "\\|")),
                };
                page.push_str(&format!("| `{}` | {result} |\n", example.call.replace('|', "\\|")));
            }
        }
    }
    page.push_str("\n## Modules\n\nWritten in flow itself, in `stdlib/`; import them with `import \"std/name\" as name` and call `name.function(...)`.\n");
    for path in module_paths() {
        page.push_str(&format!("\n### {path}\n\n"));
        page.push_str(&module_functions(module_source(path).unwrap_or_default()));
    }
    page
}

/// Each `fn` of a module with the `///` lines above it.
fn module_functions(text: &str) -> String {
    let mut out = String::new();
    let mut doc: Vec<&str> = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if let Some(comment) = line.strip_prefix("///") {
            doc.push(comment.trim());
        } else if let Some(rest) = line.strip_prefix("fn ") {
            let signature = rest.split(['=', '{']).next().unwrap_or(rest).trim();
            out.push_str(&format!("- `{signature}`: {}\n", doc.join(" ")));
            doc.clear();
        } else {
            doc.clear();
        }
    }
    out
}
