//! `flowc lsp`, driven over standard input and output by a scripted client,
//! on a copy of a shipped mapping: diagnostics after a broken edit and none
//! after the fix, hover, completion of eAccounting's field names in a
//! create block, definition across an import, the outline, formatting.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use serde_json::{Value, json};

struct Client {
    child: Child,
    input: ChildStdin,
    messages: Receiver<Value>,
    next_id: u64,
}

impl Client {
    fn start() -> Client {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("flowc"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let input = child.stdin.take().unwrap();
        let mut output = BufReader::new(child.stdout.take().unwrap());
        let (sender, messages) = channel();
        std::thread::spawn(move || {
            loop {
                let mut length = 0;
                loop {
                    let mut header = String::new();
                    if output.read_line(&mut header).unwrap_or(0) == 0 {
                        return;
                    }
                    let header = header.trim_end();
                    if header.is_empty() {
                        break;
                    }
                    if let Some(value) = header.strip_prefix("Content-Length: ") {
                        length = value.parse().unwrap();
                    }
                }
                let mut body = vec![0; length];
                if output.read_exact(&mut body).is_err() {
                    return;
                }
                if sender.send(serde_json::from_slice(&body).unwrap()).is_err() {
                    return;
                }
            }
        });
        Client {
            child,
            input,
            messages,
            next_id: 1,
        }
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.input, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.input.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and waits for its answer (notifications that come
    /// meanwhile are passed over).
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let message = self.receive();
            if message["id"] == id && message.get("method").is_none() {
                assert!(message.get("error").is_none(), "{method}: {message}");
                return message["result"].clone();
            }
        }
    }

    /// Sends a document's whole new text.
    fn change(&mut self, uri: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}),
        );
    }

    fn format(&mut self, document: &Value) -> Value {
        self.request(
            "textDocument/formatting",
            json!({"textDocument": document, "options": {"tabSize": 2, "insertSpaces": true}}),
        )
    }

    /// The next diagnostics published for a document's version.
    fn diagnostics(&mut self, version: i64) -> Vec<Value> {
        loop {
            let message = self.receive();
            if message["method"] == "textDocument/publishDiagnostics" && message["params"]["version"] == version {
                return message["params"]["diagnostics"].as_array().unwrap().clone();
            }
        }
    }

    fn receive(&mut self) -> Value {
        self.messages
            .recv_timeout(Duration::from_secs(30))
            .expect("the server answers within 30 seconds")
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `field` of each object of a list.
fn strings<'v>(list: &'v Value, field: &str) -> Vec<&'v str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|item| item[field].as_str().unwrap())
        .collect()
}

/// The line and character of the first `needle` in `text` (plus `after`
/// characters), as LSP counts them.
fn position(text: &str, needle: &str, after: usize) -> Value {
    let at = text.find(needle).unwrap_or_else(|| panic!("{needle} is in the text")) + after;
    let line = text[..at].matches('\n').count();
    let character = at - text[..at].rfind('\n').map_or(0, |start| start + 1);
    json!({"line": line, "character": character})
}

#[test]
fn a_scripted_session_on_a_shipped_mapping() {
    let dir = tempfile::TempDir::new().unwrap();
    let mapping = Path::new(env!("CARGO_MANIFEST_DIR")).join("mappings/ccv-salespos--eaccounting");
    for name in ["orders.flow", "debtor.flow"] {
        std::fs::copy(mapping.join(name), dir.path().join(name)).unwrap();
    }
    let file = std::fs::canonicalize(dir.path().join("orders.flow")).unwrap();
    let uri = format!("file://{}", file.display());
    let text = std::fs::read_to_string(&file).unwrap();
    let document = json!({"uri": uri});

    let mut client = Client::start();
    let capabilities = client.request("initialize", json!({"capabilities": {}}));
    assert_eq!(capabilities["capabilities"]["documentFormattingProvider"], true);
    client.notify("initialized", json!({}));

    // The shipped flow is clean.
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "flow", "version": 1, "text": text}}),
    );
    assert_eq!(client.diagnostics(1), Vec::<Value>::new());

    // A broken edit: an operator without its right side, and a name that
    // is not defined. Every error of the file is there, with its code.
    let broken = text
        .replace(
            "let reference = $.ordernumber_full",
            "let reference = $.ordernumber_full +",
        )
        .replace("OurReference = our_reference", "OurReference = our_referense");
    client.change(&uri, 2, &broken);
    let found = client.diagnostics(2);
    assert!(!found.is_empty(), "a broken edit is reported");
    let codes: Vec<&str> = found.iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"E0001") && codes.contains(&"E0010"), "{codes:?}");
    let misspelt = found
        .iter()
        .find(|d| d["message"].as_str().unwrap().contains("our_referense"))
        .expect("the misspelt name is reported");
    assert!(
        misspelt["message"]
            .as_str()
            .unwrap()
            .contains("did you mean `our_reference`"),
        "{misspelt}"
    );

    // Fixed: no diagnostic stays behind.
    client.change(&uri, 3, &text);
    assert_eq!(client.diagnostics(3), Vec::<Value>::new());

    // A mistake in an imported module is reported on the import, naming
    // the module's file and line; mended, it goes.
    let module_path = dir.path().join("debtor.flow");
    let module_text = std::fs::read_to_string(&module_path).unwrap();
    std::fs::write(
        &module_path,
        module_text.replacen("fn filled(value) {", "fn filled(value) {\n  let x = nope", 1),
    )
    .unwrap();
    client.change(&uri, 31, &text);
    let found = client.diagnostics(31);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["range"]["start"], position(&text, "import \"debtor.flow\"", 0));
    let message = found[0]["message"].as_str().unwrap();
    assert!(
        message.contains("debtor.flow:") && message.contains("nope"),
        "{message}"
    );
    std::fs::write(&module_path, &module_text).unwrap();
    client.change(&uri, 32, &text);
    assert_eq!(client.diagnostics(32), Vec::<Value>::new());

    // Hover on a standard function: its signature and what it does.
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": document, "position": position(&text, "= round(", 3)}),
    );
    let shown = hover["contents"]["value"].as_str().unwrap();
    assert!(shown.contains("round(") && shown.contains("decimal"), "{shown}");

    // Completion inside a create block: eAccounting's field names of an
    // order, with their types.
    let typing = text.replacen(
        "      CustomerId = customer.Id\n",
        "      CustomerId = customer.Id\n      Cur\n",
        2,
    );
    client.change(&uri, 4, &typing);
    let at = typing
        .match_indices("      Cur\n")
        .nth(1)
        .map(|(at, _)| at + "      Cur".len())
        .unwrap();
    let line = typing[..at].matches('\n').count();
    let character = at - typing[..at].rfind('\n').unwrap() - 1;
    let completion = client.request(
        "textDocument/completion",
        json!({"textDocument": document, "position": {"line": line, "character": character}}),
    );
    let labels = strings(&completion, "label");
    for field in ["CurrencyCode", "DeliveryDate", "YourReference", "Rows"] {
        assert!(labels.contains(&field), "{field} in {labels:?}");
    }
    assert!(!labels.contains(&"round"), "fields, not functions, in a record body");

    // In a row of the order (`Rows = for line, i in lines {`), the fields of
    // an order row.
    let row = typing.replacen("        LineNumber = i\n", "        LineNumber = i\n        Qua\n", 1);
    client.change(&uri, 41, &row);
    let completion = client.request(
        "textDocument/completion",
        json!({"textDocument": document, "position": position(&row, "        Qua\n", 11)}),
    );
    let labels = strings(&completion, "label");
    assert!(
        labels.contains(&"Quantity") && labels.contains(&"UnitPrice"),
        "{labels:?}"
    );
    assert!(
        !labels.contains(&"CustomerId"),
        "a row's fields, not the order's: {labels:?}"
    );

    // After `where`, the fields of the entity looked in.
    let keyed = text.replacen(
        "  let reference = $.ordernumber_full\n",
        "  let reference = $.ordernumber_full\n  let probe = lookup eaccounting.customers where Ema\n",
        1,
    );
    client.change(&uri, 42, &keyed);
    let completion = client.request(
        "textDocument/completion",
        json!({"textDocument": document, "position": position(&keyed, "where Ema", 9)}),
    );
    let labels = strings(&completion, "label");
    assert!(
        labels.contains(&"EmailAddress") && labels.contains(&"CustomerNumber"),
        "{labels:?}"
    );

    // The source record's fields after `$.`.
    let source = typing.replacen(
        "let reference = $.ordernumber_full",
        "let reference = $.ordernumber_full\n  let probe = $.custo",
        1,
    );
    client.change(&uri, 5, &source);
    let completion = client.request(
        "textDocument/completion",
        json!({"textDocument": document, "position": position(&source, "$.custo", 7)}),
    );
    let labels = strings(&completion, "label");
    assert!(
        labels.contains(&"customer") && labels.contains(&"orderrows"),
        "{labels:?}"
    );
    client.change(&uri, 6, &text);

    // Definition across an import: `debtor.email_key` is in debtor.flow.
    let definition = client.request(
        "textDocument/definition",
        json!({"textDocument": document, "position": position(&text, "debtor.email_key", 8)}),
    );
    assert!(
        definition["uri"].as_str().unwrap().ends_with("/debtor.flow"),
        "{definition}"
    );
    let module = std::fs::read_to_string(dir.path().join("debtor.flow")).unwrap();
    assert_eq!(definition["range"]["start"], position(&module, "email_key", 0));

    // And of a setting in the file itself.
    let setting = client.request(
        "textDocument/definition",
        json!({"textDocument": document, "position": position(&text, "OurReference = our_reference", 17)}),
    );
    assert_eq!(setting["range"]["start"], position(&text, "our_reference:", 0));

    // References and rename of a let: every use in the flow, and the
    // renamed file checks clean.
    let at = position(&text, "let reference", 4);
    let uses = client.request(
        "textDocument/references",
        json!({"textDocument": document, "position": at, "context": {"includeDeclaration": true}}),
    );
    let count = regex::Regex::new(r"\breference\b").unwrap().find_iter(&text).count();
    assert_eq!(uses.as_array().unwrap().len(), count, "{uses}");
    let renamed = client.request(
        "textDocument/rename",
        json!({"textDocument": document, "position": at, "newName": "ccv_reference"}),
    );
    let mut edits: Vec<Value> = renamed["changes"][uri.as_str()].as_array().unwrap().clone();
    assert_eq!(edits.len(), count);
    // Applied from the end, so that the positions before stay right.
    edits.sort_by_key(|edit| {
        (
            edit["range"]["start"]["line"].as_u64(),
            edit["range"]["start"]["character"].as_u64(),
        )
    });
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for edit in edits.iter().rev() {
        let line = edit["range"]["start"]["line"].as_u64().unwrap() as usize;
        let (start, end) = (
            edit["range"]["start"]["character"].as_u64().unwrap() as usize,
            edit["range"]["end"]["character"].as_u64().unwrap() as usize,
        );
        lines[line].replace_range(start..end, "ccv_reference");
    }
    let renamed_text = lines.join("\n") + "\n";
    assert!(
        renamed_text.contains("YourReference = ccv_reference"),
        "field names stay"
    );
    client.change(&uri, 8, &renamed_text);
    assert_eq!(client.diagnostics(8), Vec::<Value>::new());
    client.change(&uri, 9, &text);
    assert_eq!(client.diagnostics(9), Vec::<Value>::new());
    // A keyword is not a name.
    client.send(json!({"jsonrpc": "2.0", "id": 999, "method": "textDocument/rename",
        "params": {"textDocument": document, "position": at, "newName": "flow"}}));
    let refused = loop {
        let message = client.receive();
        if message["id"] == 999 {
            break message;
        }
    };
    assert!(
        refused["error"]["message"].as_str().unwrap().contains("not a name"),
        "{refused}"
    );

    // The outline names the settings, tables and the flow.
    let symbols = client.request("textDocument/documentSymbol", json!({"textDocument": document}));
    let names = strings(&symbols, "name");
    for name in ["order_type", "payment_terms", "net", "orders"] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }

    // Formatting: the shipped flow needs nothing; a messy one one edit.
    let edits = client.format(&document);
    assert_eq!(edits, json!([]));
    let messy = text.replace(
        "  let reference = $.ordernumber_full",
        "let   reference=$.ordernumber_full",
    );
    client.change(&uri, 7, &messy);
    let edits = client.format(&document);
    assert_eq!(edits[0]["newText"].as_str().unwrap(), text);

    // A client that sends a piece of the text with its range anyway: the
    // piece goes where the range says.
    let at = position(&text, "let reference", 0);
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 10}, "contentChanges": [
            {"text": text},
            {"range": {"start": at, "end": at}, "text": "let broken = (\n  "}
        ]}),
    );
    assert!(!client.diagnostics(10).is_empty());
    let end = json!({"line": at["line"].as_u64().unwrap() + 1, "character": 2});
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 11}, "contentChanges": [
            {"range": {"start": at, "end": end}, "text": ""}
        ]}),
    );
    assert_eq!(client.diagnostics(11), Vec::<Value>::new());

    client.request("shutdown", Value::Null);
    client.notify("exit", Value::Null);
    let status = client.child.wait().unwrap();
    assert!(status.success(), "{status:?}");
}

#[test]
fn names_bound_in_blocks_and_loops_are_found_and_offered() {
    let dir = tempfile::TempDir::new().unwrap();
    let mapping = Path::new(env!("CARGO_MANIFEST_DIR")).join("mappings/eaccounting--ccv-salespos");
    std::fs::copy(mapping.join("products.flow"), dir.path().join("products.flow")).unwrap();
    let file = std::fs::canonicalize(dir.path().join("products.flow")).unwrap();
    let uri = format!("file://{}", file.display());
    let text = std::fs::read_to_string(&file).unwrap();
    let document = json!({"uri": uri});

    let mut client = Client::start();
    client.request("initialize", json!({"capabilities": {}}));
    client.notify("initialized", json!({}));
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "flow", "version": 1, "text": text}}),
    );
    assert_eq!(client.diagnostics(1), Vec::<Value>::new());

    // `label` in the loop's body is the loop's item; `category`, the let
    // inside the loop.
    let label = client.request(
        "textDocument/definition",
        json!({"textDocument": document, "position": position(&text, "trim(label.Name", 6)}),
    );
    assert_eq!(label["range"]["start"], position(&text, "label in $.ArticleLabels", 0));
    let category = client.request(
        "textDocument/definition",
        json!({"textDocument": document, "position": position(&text, "category.id", 2)}),
    );
    assert_eq!(category["range"]["start"], position(&text, "category = lookup", 0));

    // Both are offered where a name may go.
    let typing = text.replacen(
        "category_id == category.id {}",
        "category_id == category.id {}\n      let probe = ca",
        1,
    );
    client.change(&uri, 2, &typing);
    let completion = client.request(
        "textDocument/completion",
        json!({"textDocument": document, "position": position(&typing, "probe = ca", 10)}),
    );
    let labels = strings(&completion, "label");
    assert!(labels.contains(&"category") && labels.contains(&"label"), "{labels:?}");
}
