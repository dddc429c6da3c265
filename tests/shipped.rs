//! Everything flowc ships checks clean: the mappings, the library modules,
//! the benchmark workloads, and the examples in the README, the mappings'
//! READMEs and the documentation (except docs/diagnostics.md, whose examples
//! show mistakes on purpose).

use std::path::{Path, PathBuf};

use flowc::cli::check::check_bytes;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn flow_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            flow_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "flow") {
            found.push(path);
        }
    }
}

fn markdown_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            markdown_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "md") {
            found.push(path);
        }
    }
}

fn problems(name: &str, bytes: &[u8]) -> Vec<String> {
    check_bytes(name, bytes)
        .into_iter()
        .map(|(file, d)| {
            format!(
                "{}: {} {} at {:?}",
                file.name,
                d.code,
                d.message,
                file.line_col(d.primary.span.start as usize)
            )
        })
        .collect()
}

#[test]
fn shipped_flow_files_have_no_diagnostics() {
    std::env::set_current_dir(root()).unwrap();
    let mut files = Vec::new();
    for dir in ["mappings", "stdlib", "benches"] {
        flow_files(&root().join(dir), &mut files);
    }
    assert!(
        files.iter().any(|f| f.starts_with(root().join("stdlib"))),
        "the stdlib modules are found"
    );
    assert!(
        files
            .iter()
            .any(|f| f.ends_with("mappings/ccv-salespos--eaccounting/orders.flow")),
        "the mappings are found"
    );
    let mut all = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(root()).unwrap().display().to_string();
        all.extend(problems(&relative, &std::fs::read(file).unwrap()));
    }
    assert!(all.is_empty(), "{}", all.join("\n"));
}

#[test]
fn documentation_examples_have_no_diagnostics() {
    let mut all = Vec::new();
    let mut blocks = 0;
    let mut pages = vec![root().join("README.md")];
    for dir in ["docs", "mappings"] {
        markdown_files(&root().join(dir), &mut pages);
    }
    for path in pages {
        if path.ends_with("docs/diagnostics.md") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let mut block: Option<(usize, String)> = None;
        for (number, line) in text.lines().enumerate() {
            match (&mut block, line.trim_end()) {
                (None, "```flow") => block = Some((number + 2, String::new())),
                (Some((start, body)), "```") => {
                    let name = format!("{}:{start}", path.file_name().unwrap().to_string_lossy());
                    all.extend(problems(&name, body.as_bytes()));
                    blocks += 1;
                    block = None;
                }
                (Some((_, body)), _) => {
                    body.push_str(line);
                    body.push('\n');
                }
                _ => {}
            }
        }
    }
    assert!(blocks >= 10, "found only {blocks} examples");
    assert!(all.is_empty(), "{}", all.join("\n"));
}
