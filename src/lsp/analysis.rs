//! What the language server knows about one document, computed from its
//! text on every request: diagnostics from the checker, the names it
//! defines, what the cursor stands on, what may be typed there. Pure and
//! synchronous: the server only carries the results over the wire.

use std::path::{Path, PathBuf};

use tower_lsp_server::ls_types::{
    CompletionItem, CompletionItemKind, Diagnostic as LspDiagnostic, DiagnosticSeverity, DocumentSymbol, Documentation,
    MarkupContent, MarkupKind, NumberOrString, SymbolKind,
};

use super::text::Lines;
use super::walk;
use crate::check::{self, FileLoader, Loader};
use crate::connectors::schema::{Catalog, FieldSchema, Fields};
use crate::diagnostics::Severity;
use crate::format::tokens::{Kind, Token, tokens};
use crate::source::{SourceFile, Span};
use crate::stdlib;
use crate::syntax::{
    self,
    ast::{BodyIf, BodyItem, Else, EntityRef, Expr, ExprKind, ForBody, Item, Module, RecordBody, Statement},
};

/// One open document: where it is, its text, and its syntax tree.
pub struct Document<'a> {
    pub path: &'a Path,
    pub text: &'a str,
    module: Module,
    tokens: Vec<Token<'a>>,
}

/// Something a name stands for, and where it is defined.
pub struct Definition {
    pub path: PathBuf,
    pub text: String,
    pub span: Span,
}

impl<'a> Document<'a> {
    pub fn new(path: &'a Path, text: &'a str) -> Document<'a> {
        Document {
            path,
            text,
            module: syntax::parse(text).module,
            tokens: tokens(text),
        }
    }

    /// Every problem of the file, from the parser and the checker; an error
    /// in a module it imports is reported on the import, naming the
    /// module's file, line and column.
    pub fn diagnostics(&self) -> Vec<LspDiagnostic> {
        let name = self.path.display().to_string();
        let checked = check::check(SourceFile::new(name.clone(), self.text), &FileLoader);
        let lines = Lines::new(self.text);
        let imports: Vec<(String, Span)> = self
            .items()
            .filter_map(|item| match item {
                Item::Import(import) => FileLoader
                    .load(&name, &import.path)
                    .ok()
                    .map(|found| (found.file.name.to_string(), import.span)),
                _ => None,
            })
            .collect();
        checked
            .diagnostics
            .iter()
            .filter_map(|(file, diagnostic)| {
                if file.0 == 0 {
                    return Some((diagnostic.primary.span, diagnostic, None));
                }
                let module = checked.file(*file);
                let (_, import) = imports.iter().find(|(name, _)| **name == *module.name)?;
                let at = module.line_col(diagnostic.primary.span.start as usize);
                let place = format!("{}:{}:{}", module.name, at.line, at.column);
                diagnostic.is_error().then_some((*import, diagnostic, Some(place)))
            })
            .map(|(span, diagnostic, place)| {
                let mut message = match place {
                    Some(place) => format!("{place}: {}", diagnostic.message),
                    None => diagnostic.message.clone(),
                };
                if let Some(help) = &diagnostic.help {
                    message.push_str(&format!("\nhelp: {help}"));
                }
                LspDiagnostic {
                    range: lines.range(span),
                    severity: Some(match diagnostic.severity {
                        Severity::Error => DiagnosticSeverity::ERROR,
                        Severity::Warning => DiagnosticSeverity::WARNING,
                    }),
                    code: Some(NumberOrString::String(diagnostic.code.id.to_string())),
                    source: Some("flowc".to_string()),
                    message,
                    ..LspDiagnostic::default()
                }
            })
            .collect()
    }

    /// The token the cursor is on (or just after, as while typing a name).
    fn token_at(&self, offset: usize) -> Option<usize> {
        self.tokens
            .iter()
            .position(|token| token.start <= offset && offset <= token.start + token.text.len())
            .map(|index| {
                // Between two tokens, the word is the one meant.
                let next = index + 1;
                if self.tokens[index].kind != Kind::Word
                    && self
                        .tokens
                        .get(next)
                        .is_some_and(|t| t.start == offset && t.kind == Kind::Word)
                {
                    next
                } else {
                    index
                }
            })
    }

    fn items(&self) -> impl Iterator<Item = &Item> {
        self.module.items.iter()
    }

    /// The flow's source and its targets.
    fn entities(&self) -> (Option<&EntityRef>, Vec<&EntityRef>) {
        let mut source = None;
        let mut targets = Vec::new();
        for item in self.items() {
            if let Item::Flow(flow) = item {
                for statement in &flow.statements {
                    match statement {
                        Statement::Source(entity, _) => source = Some(entity),
                        Statement::Target(entities, _) => targets.extend(entities),
                        _ => {}
                    }
                }
            }
        }
        (source, targets)
    }

    /// The fields that may be written at the offset: those of the entity
    /// whose record body holds it (innermost write first: a create, upsert
    /// or update names its entity, or writes the flow's target), or, inside
    /// a field's own object or `for` body (`Rows = for row in rows {`), of
    /// that field.
    fn written_fields_at(&self, offset: usize) -> Option<&Fields> {
        let mut found: Option<(&RecordBody, Option<&EntityRef>)> = None;
        walk::module(&self.module, &mut |expr: &Expr| {
            let (entity, body) = match &expr.kind {
                ExprKind::Create { entity, body } => (entity, body),
                ExprKind::Upsert { entity, body, .. } => (entity, body),
                ExprKind::Update { entity, body, .. } => (entity, body),
                _ => return,
            };
            if holds(body.span, offset) {
                found = Some((body, entity.as_ref()));
            }
        });
        let (body, entity) = found?;
        let (_, targets) = self.entities();
        let entity = entity.or(targets.first().copied())?;
        let schema = Catalog::builtin().entity(&entity.system.name, &entity.entity.name)?;
        fields_below(&schema.fields, &path_in(body, offset))
    }

    /// What may be typed at the offset.
    pub fn completions(&self, offset: usize) -> Vec<CompletionItem> {
        let line_start = self.text[..offset].rfind('\n').map_or(0, |at| at + 1);
        let before = &self.text[line_start..offset];
        let catalog = Catalog::builtin();

        // `source sys.entity`, `target sys.entity`.
        let trimmed = before.trim_start();
        if trimmed.starts_with("source ") || trimmed.starts_with("target ") {
            let mut items = Vec::new();
            for system in catalog.system_names() {
                if let Some(schema) = catalog.system(system) {
                    for entity in schema.entities.keys() {
                        items.push(CompletionItem {
                            label: format!("{system}.{entity}"),
                            kind: Some(CompletionItemKind::CLASS),
                            ..CompletionItem::default()
                        });
                    }
                }
            }
            return items;
        }

        // `$.a.b.` : the source record's fields there.
        if let Some(path) = record_path(before) {
            let (source, _) = self.entities();
            let Some(schema) = source.and_then(|entity| catalog.entity(&entity.system.name, &entity.entity.name))
            else {
                return Vec::new();
            };
            return fields_below(&schema.fields, &path).map(field_items).unwrap_or_default();
        }

        // `lookup sys.entity where ` (or `exists in`, `upsert`, `update`):
        // the fields of the entity looked in.
        if let Some(fields) = self.keyed_fields(before) {
            return field_items(fields);
        }

        // `alias.` : a module's functions and tables.
        if let Some(alias) = member_of(before) {
            return self.module_items(alias);
        }

        // At the start of a line in a record body: the target's fields.
        if before.trim().chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && let Some(fields) = self.written_fields_at(offset)
        {
            return field_items(fields);
        }

        // Anywhere else: functions and the names of the file.
        let mut items: Vec<CompletionItem> = stdlib::all()
            .map(|function| CompletionItem {
                label: function.name.to_string(),
                kind: Some(CompletionItemKind::FUNCTION),
                detail: Some(function.signature()),
                documentation: Some(markdown(function.doc)),
                ..CompletionItem::default()
            })
            .collect();
        items.extend(self.names().into_iter().map(|(name, kind, detail)| CompletionItem {
            label: name,
            kind: Some(kind),
            detail,
            ..CompletionItem::default()
        }));
        items
    }

    /// After `where` (or `and` in a `where`), the fields of the entity the
    /// lookup or write names, or the flow's target for one that names none.
    fn keyed_fields(&self, before: &str) -> Option<&'static Fields> {
        static KEYED: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
            regex::Regex::new(
                r"\b(?:lookup(?:\s+all)?|exists(?:\s+in)?|upsert|update)\s+(?:([a-z_]+)\.([a-z_]+)\s+)?where\s+(?:.*\band\s+)?[A-Za-z_.]*$",
            )
            .expect("the pattern is valid")
        });
        let found = KEYED.captures(before)?;
        let (_, targets) = self.entities();
        let (system, entity) = match (found.get(1), found.get(2)) {
            (Some(system), Some(entity)) => (system.as_str().to_string(), entity.as_str().to_string()),
            _ => {
                let target = targets.first()?;
                (target.system.name.clone(), target.entity.name.clone())
            }
        };
        Catalog::builtin().entity(&system, &entity).map(|schema| &schema.fields)
    }

    /// The names the file defines: imports, settings, tables, functions, and
    /// the flow's lets.
    fn names(&self) -> Vec<(String, CompletionItemKind, Option<String>)> {
        let mut names = Vec::new();
        let mut bound: Vec<String> = Vec::new();
        for item in self.items() {
            match item {
                Item::Import(import) => names.push((
                    import.alias.name.clone(),
                    CompletionItemKind::MODULE,
                    Some(import.path.clone()),
                )),
                Item::Setting(setting) => names.push((
                    setting.name.name.clone(),
                    CompletionItemKind::CONSTANT,
                    Some(self.snippet(setting.span)),
                )),
                Item::Table(table) => names.push((table.name.name.clone(), CompletionItemKind::ENUM, None)),
                Item::Function(function) => names.push((
                    function.name.name.clone(),
                    CompletionItemKind::FUNCTION,
                    Some(self.signature_of(function.span)),
                )),
                Item::Flow(flow) => walk::bindings(&flow.statements, &mut |name| {
                    if !bound.contains(&name.name) {
                        bound.push(name.name.clone());
                    }
                }),
            }
        }
        names.extend(bound.into_iter().map(|name| (name, CompletionItemKind::VARIABLE, None)));
        names
    }

    fn module_items(&self, alias: &str) -> Vec<CompletionItem> {
        let Some((path, text)) = self.import(alias) else {
            return Vec::new();
        };
        let module = syntax::parse(&text).module;
        module
            .items
            .iter()
            .filter_map(|item| match item {
                Item::Function(function) => Some(CompletionItem {
                    label: function.name.name.clone(),
                    kind: Some(CompletionItemKind::FUNCTION),
                    detail: Some(signature_text(&text, function.span)),
                    documentation: doc_comment(&text, function.span.start as usize).map(|doc| markdown(&doc)),
                    ..CompletionItem::default()
                }),
                Item::Table(table) => Some(CompletionItem {
                    label: table.name.name.clone(),
                    kind: Some(CompletionItemKind::ENUM),
                    detail: Some(format!("table in {}", path.display())),
                    ..CompletionItem::default()
                }),
                _ => None,
            })
            .collect()
    }

    /// The text of the module an alias imports, and its path.
    fn import(&self, alias: &str) -> Option<(PathBuf, String)> {
        let import = self.items().find_map(|item| match item {
            Item::Import(import) if import.alias.name == alias => Some(import),
            _ => None,
        })?;
        let found = FileLoader.load(&self.path.display().to_string(), &import.path).ok()?;
        Some((PathBuf::from(found.file.name.as_ref()), found.file.text.to_string()))
    }

    /// Markdown for what the cursor is on: a function's signature and doc,
    /// a setting or table as written, a field's type and the vendor's
    /// description.
    pub fn hover(&self, offset: usize) -> Option<(String, Span)> {
        let about = self.hover_name(offset);
        // On a problem: its code's explanation, below what the name is.
        let file = SourceFile::new(self.path.display().to_string(), self.text);
        let checked = check::check(file, &FileLoader);
        let problem = checked.diagnostics.iter().find(|(file, diagnostic)| {
            let span = diagnostic.primary.span;
            file.0 == 0 && span.start as usize <= offset && offset <= span.end as usize
        });
        match (about, problem) {
            (about, Some((_, diagnostic))) => {
                let code = diagnostic.code;
                let explanation = format!("**{}**: {}\n\n{}", code.id, code.title, code.explanation.trim_end());
                Some(match about {
                    Some((text, span)) => (format!("{text}\n\n---\n\n{explanation}"), span),
                    None => (explanation, diagnostic.primary.span),
                })
            }
            (about, None) => about,
        }
    }

    fn hover_name(&self, offset: usize) -> Option<(String, Span)> {
        let index = self.token_at(offset)?;
        let token = &self.tokens[index];
        if token.kind != Kind::Word {
            return None;
        }
        let span = Span::new(token.start, token.start + token.text.len());
        let previous = index.checked_sub(1).map(|i| &self.tokens[i]);
        let next = self.tokens.get(index + 1);
        let called = next.is_some_and(|next| next.text == "(");

        // `alias.name(`: a function of a module.
        if previous.is_some_and(|p| p.text == ".")
            && let Some(alias) = index.checked_sub(2).map(|i| self.tokens[i].text)
            && let Some((_, text)) = self.import(alias)
        {
            let module = syntax::parse(&text).module;
            for item in &module.items {
                if let Item::Function(function) = item
                    && function.name.name == token.text
                {
                    let doc = doc_comment(&text, function.span.start as usize).unwrap_or_default();
                    return Some((
                        format!("```flow\n{}\n```\n{doc}", signature_text(&text, function.span)),
                        span,
                    ));
                }
            }
        }
        // `$.a.b`: a field of the source record.
        if let Some(path) = self.record_path_at(index) {
            let (source, _) = self.entities();
            let schema = source.and_then(|e| Catalog::builtin().entity(&e.system.name, &e.entity.name))?;
            let (last, parents) = path.split_last()?;
            let field = fields_below(&schema.fields, parents)?.get(last)?;
            return Some((field_hover(last, field), span));
        }
        // `Name = ` in a record body: a field of the written entity.
        if next.is_some_and(|next| matches!(next.text, "=" | "?="))
            && let Some(fields) = self.written_fields_at(token.start)
            && let Some(field) = fields.get(token.text)
        {
            return Some((field_hover(token.text, field), span));
        }
        if called && let Some(function) = stdlib::lookup(token.text) {
            return Some((
                format!("```flow\n{}\n```\n{}", function.signature(), function.doc),
                span,
            ));
        }
        for item in self.items() {
            match item {
                Item::Setting(setting) if setting.name.name == token.text => {
                    let doc = doc_comment(self.text, setting.span.start as usize).unwrap_or_default();
                    return Some((format!("```flow\n{}\n```\n{doc}", self.snippet(setting.span)), span));
                }
                Item::Table(table) if table.name.name == token.text => {
                    let doc = doc_comment(self.text, table.span.start as usize).unwrap_or_default();
                    return Some((format!("```flow\n{}\n```\n{doc}", self.snippet(table.span)), span));
                }
                Item::Function(function) if function.name.name == token.text => {
                    let doc = doc_comment(self.text, function.span.start as usize).unwrap_or_default();
                    return Some((
                        format!("```flow\n{}\n```\n{doc}", self.signature_of(function.span)),
                        span,
                    ));
                }
                _ => {}
            }
        }
        None
    }

    /// The path of `$.a.b` up to the word at `index`, when it is one.
    fn record_path_at(&self, index: usize) -> Option<Vec<String>> {
        let mut path = vec![self.tokens[index].text.to_string()];
        let mut at = index;
        loop {
            let dot = self.tokens.get(at.checked_sub(1)?)?;
            if dot.text != "." {
                return None;
            }
            let before = self.tokens.get(at.checked_sub(2)?)?;
            if before.text == "$" {
                path.reverse();
                return Some(path);
            }
            if before.kind != Kind::Word {
                return None;
            }
            path.push(before.text.to_string());
            at -= 2;
        }
    }

    /// Where the name under the cursor is defined: in this file, or in
    /// the module it is imported from.
    pub fn definition(&self, offset: usize) -> Option<Definition> {
        let index = self.token_at(offset)?;
        let token = &self.tokens[index];
        if token.kind != Kind::Word {
            return None;
        }
        let here = |span: Span| Definition {
            path: self.path.to_path_buf(),
            text: self.text.to_string(),
            span,
        };
        if index >= 2 && self.tokens[index - 1].text == "." {
            let alias = self.tokens[index - 2].text;
            let (path, text) = self.import(alias)?;
            let module = syntax::parse(&text).module;
            let span = module.items.iter().find_map(|item| match item {
                Item::Function(function) if function.name.name == token.text => Some(function.name.span),
                Item::Table(table) if table.name.name == token.text => Some(table.name.span),
                _ => None,
            })?;
            return Some(Definition { path, text, span });
        }
        let mut lets = None;
        for item in self.items() {
            match item {
                Item::Import(import) if import.alias.name == token.text => {
                    let (path, text) = self.import(token.text)?;
                    return Some(Definition {
                        path,
                        text,
                        span: Span::new(0, 0),
                    });
                }
                Item::Setting(setting) if setting.name.name == token.text => return Some(here(setting.name.span)),
                Item::Table(table) if table.name.name == token.text => return Some(here(table.name.span)),
                Item::Function(function) if function.name.name == token.text => {
                    return Some(here(function.name.span));
                }
                Item::Flow(flow) => {
                    // The last binding of the name before the cursor: a
                    // `let`, in a block too, or a `for each` item.
                    walk::bindings(&flow.statements, &mut |name| {
                        if name.name == token.text && (name.span.start as usize) <= offset {
                            lets = Some(name.span);
                        }
                    });
                }
                _ => {}
            }
        }
        lets.map(here)
    }

    /// The name under the cursor, when the file defines it (a setting, a
    /// table, a function or a let), with where it is defined and used.
    pub fn references(&self, offset: usize) -> Option<(String, Vec<Span>)> {
        let found = self.definition(offset)?;
        if found.path != self.path || found.span == Span::new(0, 0) {
            return None;
        }
        let name = self
            .text
            .get(found.span.start as usize..found.span.end as usize)?
            .to_string();
        // A let is seen in its flow only; a function's parameter hides a
        // name of the file inside that function.
        let flow = self.items().find_map(|item| match item {
            Item::Flow(flow) => Some(flow.span),
            _ => None,
        });
        let is_let = flow.is_some_and(|span| span.start <= found.span.start && found.span.end <= span.end);
        let hidden: Vec<Span> = self
            .items()
            .filter_map(|item| match item {
                Item::Function(function) if function.params.iter().any(|param| param.name.name == name) => {
                    Some(function.span)
                }
                _ => None,
            })
            .collect();
        let mut spans = vec![found.span];
        walk::module(&self.module, &mut |expr: &Expr| {
            let used = match &expr.kind {
                ExprKind::Name(ident) if ident.name == name => ident.span,
                ExprKind::Call(call) if call.module.is_none() && call.name.name == name => call.name.span,
                _ => return,
            };
            let inside = |outer: Span| outer.start <= used.start && used.end <= outer.end;
            if hidden.iter().any(|span| inside(*span)) || (is_let && !flow.is_some_and(inside)) {
                return;
            }
            spans.push(used);
        });
        spans.sort();
        spans.dedup();
        Some((name, spans))
    }

    /// The outline: imports, settings, tables, functions, the flow and its
    /// lets.
    #[allow(deprecated)] // DocumentSymbol's `deprecated` field must be given.
    pub fn symbols(&self) -> Vec<DocumentSymbol> {
        let lines = Lines::new(self.text);
        let symbol =
            |name: &str, kind: SymbolKind, span: Span, name_span: Span, children: Option<Vec<_>>| DocumentSymbol {
                name: name.to_string(),
                detail: None,
                kind,
                tags: None,
                deprecated: None,
                range: lines.range(span),
                selection_range: lines.range(name_span),
                children,
            };
        self.items()
            .map(|item| match item {
                Item::Import(import) => symbol(
                    &import.alias.name,
                    SymbolKind::MODULE,
                    import.span,
                    import.alias.span,
                    None,
                ),
                Item::Setting(setting) => symbol(
                    &setting.name.name,
                    SymbolKind::CONSTANT,
                    setting.span,
                    setting.name.span,
                    None,
                ),
                Item::Table(table) => symbol(&table.name.name, SymbolKind::ENUM, table.span, table.name.span, None),
                Item::Function(function) => symbol(
                    &function.name.name,
                    SymbolKind::FUNCTION,
                    function.span,
                    function.name.span,
                    None,
                ),
                Item::Flow(flow) => {
                    let lets = flow
                        .statements
                        .iter()
                        .filter_map(|statement| match statement {
                            Statement::Let(binding) => Some(symbol(
                                &binding.name.name,
                                SymbolKind::VARIABLE,
                                binding.span,
                                binding.name.span,
                                None,
                            )),
                            _ => None,
                        })
                        .collect();
                    symbol(
                        &flow.name.name,
                        SymbolKind::EVENT,
                        flow.span,
                        flow.name.span,
                        Some(lets),
                    )
                }
            })
            .collect()
    }

    fn snippet(&self, span: Span) -> String {
        let text = &self.text[span.start as usize..(span.end as usize).min(self.text.len())];
        let lines: Vec<&str> = text.lines().take(24).collect();
        lines.join("\n")
    }

    fn signature_of(&self, span: Span) -> String {
        signature_text(self.text, span)
    }
}

fn holds(span: Span, offset: usize) -> bool {
    span.start as usize <= offset && offset <= span.end as usize
}

/// The fields, from a record body down, whose own bodies hold the offset:
/// `["Rows"]` inside `Rows = for row in rows { ... }`.
fn path_in(body: &RecordBody, offset: usize) -> Vec<String> {
    for item in &body.items {
        match item {
            BodyItem::Field(field) if holds(field.value.span, offset) => {
                let inner = match &field.value.kind {
                    ExprKind::Object(inner) => Some(inner),
                    ExprKind::For(each) => match &each.body {
                        ForBody::Record(inner) => Some(inner),
                        ForBody::Value(_) => None,
                    },
                    _ => None,
                };
                if let Some(inner) = inner.filter(|inner| holds(inner.span, offset)) {
                    let mut path = vec![field.name.clone()];
                    path.extend(path_in(inner, offset));
                    return path;
                }
            }
            BodyItem::CreateOnly { body, .. } if holds(body.span, offset) => return path_in(body, offset),
            BodyItem::If(branch) if holds(branch.span, offset) => return path_in_if(branch, offset),
            _ => {}
        }
    }
    Vec::new()
}

fn path_in_if(branch: &BodyIf, offset: usize) -> Vec<String> {
    if holds(branch.then.span, offset) {
        return path_in(&branch.then, offset);
    }
    match &branch.otherwise {
        Some(Else::Block(block)) => path_in(block, offset),
        Some(Else::If(next)) => path_in_if(next, offset),
        None => Vec::new(),
    }
}

/// A function's first line, up to its body.
fn signature_text(text: &str, span: Span) -> String {
    let written = &text[span.start as usize..(span.end as usize).min(text.len())];
    let head = written.lines().next().unwrap_or_default();
    head.split_once(" = ")
        .map_or(head.trim_end_matches('{').trim_end(), |(head, _)| head)
        .to_string()
}

/// The `///` lines right above an offset, as one text.
fn doc_comment(text: &str, offset: usize) -> Option<String> {
    let before = &text[..offset.min(text.len())];
    let mut lines: Vec<&str> = before
        .lines()
        .rev()
        .skip(usize::from(!before.ends_with('\n')))
        .take_while(|line| line.trim_start().starts_with("///"))
        .map(|line| line.trim_start().trim_start_matches("///").trim())
        .collect();
    lines.reverse();
    (!lines.is_empty()).then(|| lines.join(" "))
}

/// The path typed so far after `$.`: `$.customer.bil` is `["customer"]`.
fn record_path(before: &str) -> Option<Vec<String>> {
    let start = before.rfind("$.")?;
    let rest = &before[start + 2..];
    if !rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.') {
        return None;
    }
    let mut parts: Vec<String> = rest.split('.').map(str::to_string).collect();
    parts.pop();
    Some(parts)
}

/// `alias.` (and a part of a name) at the end of the text: the alias.
fn member_of(before: &str) -> Option<&str> {
    let trimmed = before.trim_end_matches(|c: char| c.is_ascii_alphanumeric() || c == '_');
    let head = trimmed.strip_suffix('.')?;
    // After the last character that is not part of a name (which may be
    // wider than a byte).
    let start = head
        .char_indices()
        .rfind(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '_'))
        .map_or(0, |(at, c)| at + c.len_utf8());
    let alias = &head[start..];
    (!alias.is_empty() && !head[..start].ends_with('$') && !head[..start].ends_with('.')).then_some(alias)
}

fn fields_below<'s>(fields: &'s Fields, path: &[impl AsRef<str>]) -> Option<&'s Fields> {
    let mut current = fields;
    for part in path {
        current = current.get(part.as_ref())?.below()?;
    }
    Some(current)
}

fn field_items(fields: &Fields) -> Vec<CompletionItem> {
    fields
        .iter()
        .map(|(name, field)| CompletionItem {
            label: name.clone(),
            kind: Some(CompletionItemKind::FIELD),
            detail: Some(field_detail(field)),
            documentation: field.description.as_deref().map(markdown),
            ..CompletionItem::default()
        })
        .collect()
}

fn field_detail(field: &FieldSchema) -> String {
    let mut notes = vec![field.kind.clone()];
    notes.extend(field.notes());
    if let Some(decimals) = field.decimals {
        notes.push(format!("at most {decimals} decimals"));
    }
    notes.join(", ")
}

fn field_hover(name: &str, field: &FieldSchema) -> String {
    let mut text = format!("**{name}**: {}", field_detail(field));
    if let Some(description) = &field.description {
        text.push_str("\n\n");
        text.push_str(description);
    }
    text
}

fn markdown(text: &str) -> Documentation {
    Documentation::MarkupContent(MarkupContent {
        kind: MarkupKind::Markdown,
        value: text.to_string(),
    })
}
