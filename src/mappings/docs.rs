//! `docs/mappings.md`, generated from the mapping files.
//!
//! A flow says where it does a checklist item with a comment on the line
//! before: `// checklist: payment terms`; an item the target system cannot
//! hold says why: `// checklist: product image: no, eAccounting keeps no
//! images`. The page lists, per direction and flow, every item of the
//! flow's kind (orders, products, stock, customers) with a link to its
//! line, the reason it is not expressed, or "not yet".

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

/// The checklist of each kind of flow, from the domain's "Features per flow".
pub const CHECKLIST: &[(&str, &[&str])] = &[
    (
        "orders",
        &[
            "sales orders",
            "sales invoices",
            "customers",
            "stock",
            "vat code",
            "vat code per country",
            "shipping costs",
            "shipping methods",
            "payment terms",
            "payment methods",
            "discounts",
            "revenue account per country",
            "order status",
            "default debtor",
            "custom fields",
            "unlimited transactions",
        ],
    ),
    ("stock", &["stock update", "stock calculations", "target manages stock"]),
    (
        "customers",
        &[
            "revenue account per country",
            "customer update",
            "default vat code per country",
            "custom fields",
        ],
    ),
    (
        "products",
        &[
            "articles",
            "update checkbox",
            "custom filters",
            "product image",
            "custom fields",
            "item attributes",
            "create offer",
            "create content",
        ],
    ),
];

/// The kinds of flow, the columns of the table: a flow's name says its
/// kind. Categories have no checklist items of their own: the domain's
/// table of pairs asks for them beside the products.
const KINDS: [&str; 5] = ["orders", "products", "categories", "stock", "customers"];

/// The directions the domain's table of pairs asks for, each a folder
/// `mappings/<source>--<target>/`.
pub const DIRECTIONS: &[&str] = &[
    "ccv-salespos--eaccounting",
    "eaccounting--ccv-salespos",
    "eaccounting--accountview",
    "accountview--eaccounting",
    "ccv-salespos--mpluskassa",
    "mpluskassa--ccv-salespos",
    "ccv-salespos--vismanet",
    "vismanet--ccv-salespos",
];

/// Where a flow file says it does (or cannot do) an item.
#[derive(Debug)]
enum Mark {
    /// The line after the marker (1-based).
    Line(usize),
    /// Why the target cannot hold it.
    No(String),
}

/// One `.flow` file of a mapping folder.
struct FlowFile {
    file: String,
    /// The flow's name (`orders`), when the file has a flow.
    flow: Option<String>,
    marks: BTreeMap<String, Mark>,
}

/// The page, from the folders under `root/mappings`; an error names a
/// marker that is not a checklist item.
pub fn markdown(root: &Path) -> Result<String, String> {
    let mappings = root.join("mappings");
    let mut folders: Vec<String> = std::fs::read_dir(&mappings)
        .map_err(|error| format!("{}: {error}", mappings.display()))?
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.path().is_dir())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    // The directions asked for that have no folder yet come last.
    let missing: Vec<&str> = DIRECTIONS
        .iter()
        .copied()
        .filter(|direction| !folders.iter().any(|folder| folder == direction))
        .collect();

    let mut page = String::from(
        "# The default mappings\n\n\
         Generated from the flows under `mappings/` (`FLOWC_BLESS=1 cargo test --test docs`); a flow marks \
         where it does an item of the domain's feature checklist with `// checklist: ITEM` on the line \
         before, or why its target cannot hold it with `// checklist: ITEM: no, WHY`. \"not yet\" is an item \
         no flow of the direction does yet; `-`, a kind of flow the direction has none of. The directions \
         are those of the domain's table of pairs (`../shared/domain.md`).\n\n",
    );
    page.push_str("| direction | orders | products | categories | stock | customers |\n|---|---|---|---|---|---|\n");
    let mut sections = String::new();
    for folder in &folders {
        let files = read_folder(&mappings.join(folder), folder)?;
        let mut row = format!("| [`{folder}`](#{}) |", anchor(folder));
        for kind in KINDS {
            let flows: Vec<String> = files
                .iter()
                .filter(|file| file.flow.as_deref() == Some(kind))
                .map(|file| format!("[`{}`](../mappings/{folder}/{})", file.file, file.file))
                .collect();
            let _ = write!(
                row,
                " {} |",
                if flows.is_empty() {
                    "-".to_string()
                } else {
                    flows.join(", ")
                }
            );
        }
        page.push_str(&row);
        page.push('\n');
        section(&mut sections, folder, &files);
    }
    for direction in missing {
        let _ = writeln!(
            page,
            "| `{direction}` | not yet | not yet | not yet | not yet | not yet |"
        );
    }
    page.push('\n');
    page.push_str(&sections);
    Ok(page)
}

fn section(out: &mut String, folder: &str, files: &[FlowFile]) {
    let _ = writeln!(out, "## {folder}\n");
    let _ = writeln!(out, "Settings and tables: [README](../mappings/{folder}/README.md).\n");
    for file in files {
        let Some(kind) = file.flow.as_deref() else {
            continue;
        };
        let Some((_, items)) = CHECKLIST.iter().find(|(name, _)| *name == kind) else {
            continue;
        };
        let _ = writeln!(out, "### {kind} (`{}`)\n", file.file);
        let _ = writeln!(out, "| item | where |\n|---|---|");
        for item in *items {
            // A module's marks count for the flows of its folder.
            let mark = file.marks.get(*item).map(|mark| (file, mark)).or_else(|| {
                files
                    .iter()
                    .filter(|other| other.flow.is_none())
                    .find_map(|module| module.marks.get(*item).map(|mark| (module, mark)))
            });
            let cell = match mark {
                Some((at, Mark::Line(line))) => {
                    format!("[`{}:{line}`](../mappings/{folder}/{}#L{line})", at.file, at.file)
                }
                Some((_, Mark::No(why))) => format!("no: {why}"),
                None => "not yet".to_string(),
            };
            let _ = writeln!(out, "| {item} | {cell} |");
        }
        out.push('\n');
    }
}

/// The `.flow` files of a folder, with their flow's name and marks.
fn read_folder(dir: &Path, folder: &str) -> Result<Vec<FlowFile>, String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(|error| format!("{}: {error}", dir.display()))?
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".flow"))
        .collect();
    names.sort();
    let items: Vec<&str> = CHECKLIST.iter().flat_map(|(_, items)| items.iter().copied()).collect();
    let mut files = Vec::new();
    for name in names {
        let text = std::fs::read_to_string(dir.join(&name)).map_err(|error| format!("{folder}/{name}: {error}"))?;
        let mut flow = None;
        let mut marks = BTreeMap::new();
        for (index, line) in text.lines().enumerate() {
            let line = line.trim();
            if let Some(rest) = line.strip_prefix("flow ") {
                flow = rest.split_whitespace().next().map(String::from);
            }
            let Some(mark) = line.strip_prefix("// checklist:") else {
                continue;
            };
            let mark = mark.trim();
            let (item, why) = match mark.split_once(": no, ") {
                Some((item, why)) => (item.trim(), Some(why.trim().to_string())),
                None => (mark, None),
            };
            if !items.contains(&item) {
                return Err(format!(
                    "{folder}/{name}:{}: `{item}` is not a checklist item (they are: {})",
                    index + 1,
                    items.join(", ")
                ));
            }
            let mark = match why {
                Some(why) => Mark::No(why),
                None => Mark::Line(index + 2),
            };
            marks.entry(item.to_string()).or_insert(mark);
        }
        files.push(FlowFile {
            file: name,
            flow,
            marks,
        });
    }
    Ok(files)
}

/// A heading's anchor as GitHub makes it.
fn anchor(heading: &str) -> String {
    heading
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '-' || *c == ' ')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_marker_that_is_not_a_checklist_item_is_an_error() {
        let dir = tempfile::TempDir::new().unwrap();
        let folder = dir.path().join("mappings/a--b");
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(
            folder.join("orders.flow"),
            "flow orders {\n  // checklist: payment terms\n  let x = 1\n  // checklist: payment term\n}\n",
        )
        .unwrap();
        let error = markdown(dir.path()).unwrap_err();
        assert!(
            error.contains("orders.flow:4: `payment term` is not a checklist item"),
            "{error}"
        );
    }

    #[test]
    fn each_item_links_its_line_says_why_not_or_not_yet() {
        let dir = tempfile::TempDir::new().unwrap();
        let folder = dir.path().join("mappings/a--b");
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(
            folder.join("products.flow"),
            "flow products {\n  // checklist: articles\n  upsert where Number == $.sku {}\n  // checklist: product image: no, b keeps no images\n}\n",
        )
        .unwrap();
        let page = markdown(dir.path()).unwrap();
        assert!(
            page.contains("| articles | [`products.flow:3`](../mappings/a--b/products.flow#L3) |"),
            "{page}"
        );
        assert!(page.contains("| product image | no: b keeps no images |"), "{page}");
        assert!(page.contains("| update checkbox | not yet |"), "{page}");
        assert!(page.contains("| [`a--b`](#a--b) | - | [`products.flow`]"), "{page}");
    }
}
