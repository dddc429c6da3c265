//! `flowc lsp`: a language server on standard input and output.
//!
//! The server keeps the text of each open document (whole-text sync) and
//! answers from it: diagnostics after every change (the checker's, all of
//! them, published for the version they were computed on, and an empty
//! list once a file is clean), hover, completion (functions, names, and the
//! vendors' field names from the schemas), go to definition (across
//! imports), the outline, and formatting through [`crate::format`]. What a
//! document means is worked out in [`analysis`], synchronously; the server
//! only moves it over the wire.

pub mod analysis;
pub mod text;
mod walk;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, CodeActionProviderCapability,
    CodeActionResponse, CompletionOptions, CompletionParams, CompletionResponse, DidChangeTextDocumentParams,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, DocumentFormattingParams, DocumentSymbolParams,
    DocumentSymbolResponse, GotoDefinitionParams, GotoDefinitionResponse, Hover, HoverContents, HoverParams,
    HoverProviderCapability, InitializeParams, InitializeResult, Location, MarkupContent, MarkupKind, OneOf, Position,
    Range, ReferenceParams, RenameParams, ServerCapabilities, ServerInfo, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextEdit, Uri, WorkspaceEdit,
};
use tower_lsp_server::{Client, LanguageServer, LspService, Server};

use analysis::Document;
use text::Lines;

/// Serves until the client says to exit; the process's exit code.
pub fn serve() -> crate::cli::Outcome {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the language server: {error}");
            return crate::cli::Outcome::Unusable;
        }
    };
    runtime.block_on(async {
        let (service, socket) = LspService::new(|client| Backend {
            client,
            documents: Mutex::new(HashMap::new()),
        });
        Server::new(tokio::io::stdin(), tokio::io::stdout(), socket)
            .serve(service)
            .await;
    });
    crate::cli::Outcome::Success
}

struct Backend {
    client: Client,
    /// Open documents: their text and version.
    documents: Mutex<HashMap<Uri, (String, i32)>>,
}

impl Backend {
    fn text(&self, uri: &Uri) -> Option<String> {
        self.documents
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(uri)
            .map(|(text, _)| text.clone())
    }

    /// An open document's file and text, for answering about it.
    fn open(&self, uri: &Uri) -> Option<(PathBuf, String)> {
        Some((path_of(uri), self.text(uri)?))
    }

    /// Checks a document and publishes what was found, for its version.
    async fn publish(&self, uri: Uri, text: String, version: i32) {
        let path = path_of(&uri);
        let diagnostics = tokio::task::spawn_blocking(move || Document::new(&path, &text).diagnostics())
            .await
            .unwrap_or_default();
        // A newer version may have come in meanwhile: its own check
        // publishes; this one would be stale.
        let current = self
            .documents
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(&uri)
            .map(|(_, version)| *version);
        if current == Some(version) {
            self.client.publish_diagnostics(uri, diagnostics, Some(version)).await;
        }
    }
}

/// What a diagnostic's "did you mean `x`?" suggests.
fn suggestion(message: &str) -> Option<&str> {
    let rest = &message[message.find("did you mean `")? + "did you mean `".len()..];
    let suggestion = &rest[..rest.find('`')?];
    (!suggestion.is_empty()).then_some(suggestion)
}

/// Whether a text can be a name of a `.flow` file.
fn is_name(text: &str) -> bool {
    let tokens = crate::format::tokens::tokens(text);
    matches!(tokens.as_slice(), [token] if token.kind == crate::format::tokens::Kind::Word && token.text == text)
        && !text.starts_with(|c: char| c.is_ascii_digit())
        && !crate::syntax::KEYWORDS.contains(&text)
}

/// The file a document is, for finding the modules it imports; a document
/// that is not a file stands in the current directory.
fn path_of(uri: &Uri) -> PathBuf {
    uri.to_file_path()
        .map(|path| path.into_owned())
        .unwrap_or_else(|| PathBuf::from("untitled.flow"))
}

impl LanguageServer for Backend {
    async fn initialize(&self, _: InitializeParams) -> Result<InitializeResult> {
        Ok(InitializeResult {
            server_info: Some(ServerInfo {
                name: "flowc".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
            capabilities: ServerCapabilities {
                text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                completion_provider: Some(CompletionOptions {
                    trigger_characters: Some(vec![".".to_string(), "$".to_string()]),
                    ..CompletionOptions::default()
                }),
                definition_provider: Some(OneOf::Left(true)),
                document_symbol_provider: Some(OneOf::Left(true)),
                document_formatting_provider: Some(OneOf::Left(true)),
                references_provider: Some(OneOf::Left(true)),
                rename_provider: Some(OneOf::Left(true)),
                code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
                ..ServerCapabilities::default()
            },
            ..InitializeResult::default()
        })
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let document = params.text_document;
        self.documents
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(document.uri.clone(), (document.text.clone(), document.version));
        self.publish(document.uri, document.text, document.version).await;
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let version = params.text_document.version;
        let text = {
            let mut documents = self.documents.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            let mut text = documents.get(&uri).map(|(text, _)| text.clone()).unwrap_or_default();
            // The server asks for whole texts; a change with a range (from
            // a client that sends pieces anyway) is applied where it says.
            for change in params.content_changes {
                match change.range {
                    Some(range) => {
                        let lines = Lines::new(&text);
                        let (start, end) = (lines.offset(range.start), lines.offset(range.end));
                        if start <= end {
                            text.replace_range(start..end, &change.text);
                        }
                    }
                    None => text = change.text,
                }
            }
            documents.insert(uri.clone(), (text.clone(), version));
            text
        };
        self.publish(uri, text, version).await;
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        self.documents
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .remove(&uri);
        // Nothing is known of a closed file: no diagnostics stay behind.
        self.client.publish_diagnostics(uri, Vec::new(), None).await;
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let at = params.text_document_position_params;
        let Some((path, text)) = self.open(&at.text_document.uri) else {
            return Ok(None);
        };
        let lines = Lines::new(&text);
        let document = Document::new(&path, &text);
        Ok(document.hover(lines.offset(at.position)).map(|(value, span)| Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value,
            }),
            range: Some(lines.range(span)),
        }))
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let at = params.text_document_position;
        let Some((path, text)) = self.open(&at.text_document.uri) else {
            return Ok(None);
        };
        let offset = Lines::new(&text).offset(at.position);
        let items = Document::new(&path, &text).completions(offset);
        Ok(Some(CompletionResponse::Array(items)))
    }

    async fn goto_definition(&self, params: GotoDefinitionParams) -> Result<Option<GotoDefinitionResponse>> {
        let at = params.text_document_position_params;
        let Some((path, text)) = self.open(&at.text_document.uri) else {
            return Ok(None);
        };
        let offset = Lines::new(&text).offset(at.position);
        let Some(found) = Document::new(&path, &text).definition(offset) else {
            return Ok(None);
        };
        let uri = if found.path == path {
            at.text_document.uri
        } else {
            match Uri::from_file_path(std::fs::canonicalize(&found.path).unwrap_or(found.path)) {
                Some(uri) => uri,
                None => return Ok(None),
            }
        };
        Ok(Some(GotoDefinitionResponse::Scalar(Location {
            uri,
            range: Lines::new(&found.text).range(found.span),
        })))
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let at = params.text_document_position;
        let Some((path, text)) = self.open(&at.text_document.uri) else {
            return Ok(None);
        };
        let lines = Lines::new(&text);
        let Some((_, spans)) = Document::new(&path, &text).references(lines.offset(at.position)) else {
            return Ok(None);
        };
        Ok(Some(
            spans
                .into_iter()
                .map(|span| Location {
                    uri: at.text_document.uri.clone(),
                    range: lines.range(span),
                })
                .collect(),
        ))
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let at = params.text_document_position;
        if !is_name(&params.new_name) {
            return Err(tower_lsp_server::jsonrpc::Error::invalid_params(format!(
                "`{}` is not a name: letters, digits and `_`, not starting with a digit, not a keyword",
                params.new_name
            )));
        }
        let Some((path, text)) = self.open(&at.text_document.uri) else {
            return Ok(None);
        };
        let lines = Lines::new(&text);
        let Some((_, spans)) = Document::new(&path, &text).references(lines.offset(at.position)) else {
            return Ok(None);
        };
        let edits = spans
            .into_iter()
            .map(|span| TextEdit {
                range: lines.range(span),
                new_text: params.new_name.clone(),
            })
            .collect();
        Ok(Some(WorkspaceEdit {
            changes: Some(HashMap::from([(at.text_document.uri, edits)])),
            ..WorkspaceEdit::default()
        }))
    }

    /// Quick fixes: a diagnostic that asks "did you mean `x`?" offers to
    /// write `x` in its place.
    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let mut actions = Vec::new();
        for diagnostic in &params.context.diagnostics {
            let Some(suggestion) = suggestion(&diagnostic.message) else {
                continue;
            };
            let edit = TextEdit {
                range: diagnostic.range,
                new_text: suggestion.to_string(),
            };
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: format!("Change to `{suggestion}`"),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![diagnostic.clone()]),
                edit: Some(WorkspaceEdit {
                    changes: Some(HashMap::from([(params.text_document.uri.clone(), vec![edit])])),
                    ..WorkspaceEdit::default()
                }),
                is_preferred: Some(true),
                ..CodeAction::default()
            }));
        }
        Ok(Some(actions))
    }

    async fn document_symbol(&self, params: DocumentSymbolParams) -> Result<Option<DocumentSymbolResponse>> {
        let Some((path, text)) = self.open(&params.text_document.uri) else {
            return Ok(None);
        };
        Ok(Some(DocumentSymbolResponse::Nested(
            Document::new(&path, &text).symbols(),
        )))
    }

    async fn formatting(&self, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        let Some(text) = self.text(&params.text_document.uri) else {
            return Ok(None);
        };
        // A file with syntax errors is left as it is; its diagnostics say why.
        let Ok(formatted) = crate::format::format(&text) else {
            return Ok(None);
        };
        if formatted == text {
            return Ok(Some(Vec::new()));
        }
        let end = Lines::new(&text).position(text.len());
        Ok(Some(vec![TextEdit {
            range: Range::new(Position::new(0, 0), end),
            new_text: formatted,
        }]))
    }
}
