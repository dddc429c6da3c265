//! Lowering, part one: files, modules, items, flows and statements.
//!
//! Lowering turns a syntax tree into the checked program ([`super::ir`]):
//! every name is resolved in its scope, imports are loaded, and the rules of
//! where things may appear are enforced. Each problem is reported and
//! replaced by an `Invalid` node, so that one mistake does not hide others.

use std::collections::HashMap;

use super::ir::*;
use super::modules::Loader;
use super::scope::{Binding, Entry, Scope};
use crate::connectors::schema::Catalog;
use crate::diagnostics::{Diagnostic, codes};
use crate::source::{SourceFile, Span};
use crate::stdlib;
use crate::syntax::{self, ast};
use crate::value::{Types, Value};

/// A loaded module and what it offers to the files that import it.
pub(super) struct ModuleInfo {
    pub exports: HashMap<String, Binding>,
    pub path: String,
    /// The import failed (and was reported): uses of its members are not
    /// reported again.
    pub failed: bool,
}

/// A function or table, as a node of the call graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Callee {
    Function(FunctionId),
    Table(TableId),
}

/// What is being lowered right now, in the current file.
#[derive(Default)]
pub(super) struct Context {
    pub file: FileId,
    pub scopes: Vec<Scope>,
    /// The next free slot of the current frame.
    pub frame: u32,
    /// Whether `$` may be read here.
    pub allow_record: bool,
    /// Whether the target system may be read or written here.
    pub allow_effects: bool,
    /// The write whose body is being lowered, for `create only`.
    pub write: Option<WriteKind>,
    /// The function or table whose body is being lowered.
    pub owner: Option<Callee>,
    pub targets: Vec<EntityName>,
    pub has_target_decl: bool,
    /// The system the flow reads its records from: its entities may be
    /// looked up (enrichment), never written.
    pub source_system: Option<String>,
    /// Whether the flow emits or writes anything.
    pub has_output: bool,
    /// An imported module: its functions and tables are a library.
    pub is_library: bool,
}

pub struct Lowerer<'l> {
    loader: &'l dyn Loader,
    catalog: &'l Catalog,
    pub(super) program: Program,
    pub(super) diagnostics: Vec<(FileId, Diagnostic)>,
    pub(super) modules: Vec<ModuleInfo>,
    module_index: HashMap<String, usize>,
    /// Keys of the modules being loaded, innermost last: an import of one
    /// of these closes a cycle.
    loading: Vec<String>,
    /// Calls between functions and tables, for the recursion check.
    pub(super) calls: Vec<(Callee, Callee, FileId, Span)>,
    pub(super) cx: Context,
}

impl<'l> Lowerer<'l> {
    pub fn new(loader: &'l dyn Loader, catalog: &'l Catalog) -> Lowerer<'l> {
        Lowerer {
            loader,
            catalog,
            program: Program::default(),
            diagnostics: Vec::new(),
            modules: Vec::new(),
            module_index: HashMap::new(),
            loading: Vec::new(),
            calls: Vec::new(),
            cx: Context::default(),
        }
    }

    pub fn finish(self) -> (Program, Vec<(FileId, Diagnostic)>) {
        (self.program, self.diagnostics)
    }

    pub(super) fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push((self.cx.file, diagnostic));
    }

    fn add_file(&mut self, file: SourceFile) -> FileId {
        self.program.files.push(file);
        FileId(self.program.files.len() as u32 - 1)
    }

    /// Lowers the main file: its items, its imports, and its flow.
    pub fn lower_main(&mut self, file: SourceFile) {
        self.loading.push(self.loader.key(&file.name));
        self.lower_file(file, false);
    }

    /// Parses and lowers one file; returns what it exports.
    fn lower_file(&mut self, file: SourceFile, is_library: bool) -> HashMap<String, Binding> {
        let text = file.text.clone();
        let name = file.name.to_string();
        let id = self.add_file(file);
        let parsed = syntax::parse(&text);
        let outer = std::mem::replace(
            &mut self.cx,
            Context {
                file: id,
                is_library,
                ..Context::default()
            },
        );
        for diagnostic in parsed.diagnostics {
            self.report(diagnostic);
        }
        let exports = self.lower_items(&parsed.module, &name);
        self.cx = outer;
        exports
    }

    fn lower_items(&mut self, module: &ast::Module, file_name: &str) -> HashMap<String, Binding> {
        self.cx.scopes.push(Scope::default());
        for item in &module.items {
            if let ast::Item::Import(import) = item {
                self.import(import, file_name);
            }
        }
        let settings: Vec<&ast::Setting> = module
            .items
            .iter()
            .filter_map(|item| match item {
                ast::Item::Setting(setting) => Some(setting),
                _ => None,
            })
            .collect();
        let tables: Vec<&ast::Table> = filter_items(module, |item| match item {
            ast::Item::Table(table) => Some(table),
            _ => None,
        });
        let functions: Vec<&ast::Function> = filter_items(module, |item| match item {
            ast::Item::Function(function) => Some(function),
            _ => None,
        });
        if self.cx.is_library {
            for setting in &settings {
                self.report(
                    Diagnostic::new(codes::INVALID_SETTING, setting.span, "a module cannot declare settings")
                        .help("declare the setting in the flow, and pass its value to the module's functions"),
                );
            }
        }
        let flows: Vec<&ast::Flow> = filter_items(module, |item| match item {
            ast::Item::Flow(flow) => Some(flow),
            _ => None,
        });
        // A file without a flow is a library: its functions and tables are
        // there to be imported, so unused ones are not reported.
        let lint = !self.cx.is_library && !flows.is_empty();
        self.declare_items(&settings, &tables, &functions, lint);

        if self.cx.is_library {
            if let Some(flow) = flows.first() {
                self.report(
                    Diagnostic::new(
                        codes::MULTIPLE_FLOWS,
                        flow.name.span,
                        "an imported module cannot hold a flow",
                    )
                    .help("keep flows in their own files; modules hold functions and tables"),
                );
            }
        } else {
            for extra in flows.iter().skip(1) {
                self.report(
                    Diagnostic::new(codes::MULTIPLE_FLOWS, extra.name.span, "a file holds at most one flow")
                        .with_secondary(flows[0].name.span, "the first flow")
                        .help("put each flow in a file of its own"),
                );
            }
            if let Some(flow) = flows.first() {
                self.lower_flow(flow);
            }
        }

        let scope = self.cx.scopes.pop().expect("the file scope is open");
        let exports = scope
            .entries
            .iter()
            .filter(|entry| matches!(entry.binding, Binding::Function(_) | Binding::Table(_)))
            .map(|entry| (entry.name.clone(), entry.binding.clone()))
            .collect();
        self.report_unused(scope);
        exports
    }

    /// Binds an import's alias to a module that could not be loaded, so
    /// that its uses do not each report the same problem again.
    fn import_failed(&mut self, import: &ast::Import) {
        self.modules.push(ModuleInfo {
            exports: HashMap::new(),
            path: import.path.clone(),
            failed: true,
        });
        self.declare(
            &import.alias,
            Binding::Module(self.modules.len() - 1),
            false,
            Types::ANY,
        );
    }

    fn import(&mut self, import: &ast::Import, importer: &str) {
        let found = match self.loader.load(importer, &import.path) {
            Ok(found) => found,
            Err(reason) => {
                let mut diagnostic = Diagnostic::new(
                    codes::UNKNOWN_MODULE,
                    import.path_span,
                    format!("cannot find module `{}`", import.path),
                )
                .label(reason);
                if let Some(rest) = import.path.strip_prefix("std/") {
                    let names: Vec<&str> = stdlib::module_paths().filter_map(|p| p.strip_prefix("std/")).collect();
                    if let Some(best) = crate::diagnostics::closest(rest, names) {
                        diagnostic = diagnostic.help(format!("did you mean `std/{best}`?"));
                    }
                }
                self.report(diagnostic);
                self.import_failed(import);
                return;
            }
        };
        if self.loading.contains(&found.key) {
            self.report(
                Diagnostic::new(
                    codes::IMPORT_CYCLE,
                    import.path_span,
                    format!(
                        "`{}` imports, directly or through others, the file that imports it",
                        import.path
                    ),
                )
                .help("move what both modules need into a third module"),
            );
            self.import_failed(import);
            return;
        }
        let index = match self.module_index.get(&found.key) {
            Some(index) => *index,
            None => {
                self.loading.push(found.key.clone());
                let path = found.file.name.to_string();
                let exports = self.lower_file(found.file, true);
                self.loading.pop();
                self.modules.push(ModuleInfo {
                    exports,
                    path,
                    failed: false,
                });
                self.module_index.insert(found.key, self.modules.len() - 1);
                self.modules.len() - 1
            }
        };
        self.declare(&import.alias, Binding::Module(index), true, Types::ANY);
    }

    /// Declares the settings, tables and functions of a scope, then lowers
    /// their bodies (so that they may refer to each other in any order).
    fn declare_items(
        &mut self,
        settings: &[&ast::Setting],
        tables: &[&ast::Table],
        functions: &[&ast::Function],
        lint: bool,
    ) {
        let mut setting_ids = Vec::new();
        for setting in settings {
            let id = SettingId(self.program.settings.len() as u32);
            if let Some(existing) = self
                .program
                .settings
                .iter()
                .find(|s| s.name == setting.name.name && s.file == self.cx.file)
            {
                let first = existing.span;
                self.report(
                    Diagnostic::new(
                        codes::DUPLICATE_DEFINITION,
                        setting.name.span,
                        format!("the setting `{}` is declared twice", setting.name.name),
                    )
                    .with_secondary(first, "first declared here"),
                );
            }
            let ty = self.setting_type(&setting.ty);
            self.program.settings.push(Setting {
                name: setting.name.name.clone(),
                ty: ty.clone(),
                default: None,
                span: setting.span,
                file: self.cx.file,
            });
            self.declare(&setting.name, Binding::Setting(id), lint, ty.types);
            setting_ids.push(id);
        }
        let mut table_ids = Vec::new();
        for table in tables {
            let id = TableId(self.program.tables.len() as u32);
            self.program.tables.push(Table {
                name: table.name.name.clone(),
                arms: Vec::new(),
                default: None,
                frame_size: 0,
                span: table.span,
                file: self.cx.file,
            });
            self.declare_callable(&table.name, Binding::Table(id), lint);
            table_ids.push(id);
        }
        let mut function_ids = Vec::new();
        for function in functions {
            let id = FunctionId(self.program.functions.len() as u32);
            // Parameters and result type are known before any body is
            // lowered, so calls can be checked in any order.
            let params = function
                .params
                .iter()
                .map(|param| Param {
                    name: param.name.name.clone(),
                    types: param.ty.as_ref().map_or(Types::ANY, |ty| self.setting_type(ty).types),
                    span: param.name.span,
                })
                .collect();
            let returns = function.returns.as_ref().map(|ty| self.setting_type(ty).types);
            self.program.functions.push(Function {
                name: function.name.name.clone(),
                module: None,
                params,
                returns,
                frame_size: 0,
                lets: Vec::new(),
                body: Expr {
                    kind: ExprKind::Invalid,
                    span: function.span,
                },
                span: function.span,
                file: self.cx.file,
            });
            self.declare_callable(&function.name, Binding::Function(id), lint);
            function_ids.push(id);
        }
        for (setting, id) in settings.iter().zip(setting_ids) {
            let default = self.setting_default(setting, id);
            self.program.settings[id.0 as usize].default = default;
        }
        for (table, id) in tables.iter().zip(table_ids) {
            self.lower_table(table, id);
        }
        for (function, id) in functions.iter().zip(function_ids) {
            self.lower_function(function, id);
        }
    }

    fn declare_callable(&mut self, name: &ast::Ident, binding: Binding, lint: bool) {
        if stdlib::lookup(&name.name).is_some() {
            self.report(
                Diagnostic::new(
                    codes::DUPLICATE_DEFINITION,
                    name.span,
                    format!("`{}` is already a standard function", name.name),
                )
                .label("defined again here")
                .help("choose another name, so that every reader knows which one is meant"),
            );
        }
        self.declare(name, binding, lint, Types::ANY);
    }

    /// Binds a name in the innermost scope. A name may not hide another
    /// visible name: two meanings for one word in one place invite mistakes.
    pub(super) fn declare(&mut self, name: &ast::Ident, binding: Binding, lint_unused: bool, types: Types) {
        let existing = self.cx.scopes.iter().rev().find_map(|scope| scope.find(&name.name));
        if let Some(existing) = existing {
            let what = existing.binding.describe();
            let first = existing.span;
            self.report(
                Diagnostic::new(
                    codes::DUPLICATE_DEFINITION,
                    name.span,
                    format!("`{}` is already defined", name.name),
                )
                .label("defined again here")
                .with_secondary(first, format!("first defined here, as {what}"))
                .help("choose another name"),
            );
        }
        let scope = self.cx.scopes.last_mut().expect("a scope is open");
        scope.entries.push(Entry {
            name: name.name.clone(),
            binding,
            span: name.span,
            used: false,
            lint_unused,
            types,
        });
    }

    /// Looks a name up, innermost scope first, and marks it used.
    pub(super) fn resolve(&mut self, name: &str) -> Option<(Binding, Types)> {
        for scope in self.cx.scopes.iter_mut().rev() {
            if let Some(entry) = scope.entries.iter_mut().rev().find(|entry| entry.name == name) {
                entry.used = true;
                return Some((entry.binding.clone(), entry.types));
            }
        }
        None
    }

    /// Every name visible here, for "did you mean".
    pub(super) fn visible_names(&self) -> Vec<String> {
        self.cx
            .scopes
            .iter()
            .flat_map(|scope| scope.entries.iter().map(|entry| entry.name.clone()))
            .collect()
    }

    pub(super) fn report_unused(&mut self, scope: Scope) {
        for entry in scope.entries {
            if entry.used || !entry.lint_unused || entry.name.starts_with('_') {
                continue;
            }
            let name = &entry.name;
            let message = match entry.binding {
                Binding::Local(_) => format!("`{name}` is never used"),
                Binding::Setting(_) => format!("the setting `{name}` is never used"),
                Binding::Function(_) => format!("the function `{name}` is never called"),
                Binding::Table(_) => format!("the table `{name}` is never used"),
                Binding::Module(_) => format!("the import `{name}` is never used"),
            };
            let mut diagnostic = Diagnostic::new(entry.binding.unused_code(), entry.span, message);
            if matches!(entry.binding, Binding::Local(_)) {
                diagnostic = diagnostic.help(format!("remove it, or name it `_{}` to keep it on purpose", entry.name));
            }
            self.report(diagnostic);
        }
    }

    pub(super) fn new_slot(&mut self) -> Slot {
        let slot = Slot(self.cx.frame);
        self.cx.frame += 1;
        slot
    }

    /// Runs `body` in a fresh frame with its own rules, restoring the current
    /// frame afterwards; returns the frame size it needed.
    pub(super) fn in_frame<T>(
        &mut self,
        allow_record: bool,
        allow_effects: bool,
        owner: Option<Callee>,
        body: impl FnOnce(&mut Self) -> T,
    ) -> (T, u32) {
        let saved = (
            self.cx.frame,
            self.cx.allow_record,
            self.cx.allow_effects,
            self.cx.owner,
            self.cx.write,
        );
        self.cx.frame = 0;
        self.cx.allow_record = allow_record;
        self.cx.allow_effects = allow_effects;
        self.cx.owner = owner;
        self.cx.write = None;
        let result = body(self);
        let size = self.cx.frame;
        (
            self.cx.frame,
            self.cx.allow_record,
            self.cx.allow_effects,
            self.cx.owner,
            self.cx.write,
        ) = saved;
        (result, size)
    }

    // ------------------------------------------------------------ settings

    fn setting_type(&mut self, ty: &ast::TypeExpr) -> SettingType {
        let mut types = if ty.optional { Types::NULL } else { Types::EMPTY };
        let mut words: Vec<String> = Vec::new();
        for atom in &ty.alternatives {
            match atom {
                ast::TypeAtom::Named(name, _) => {
                    types = types
                        | match name {
                            ast::TypeName::Text => Types::TEXT,
                            ast::TypeName::Int => Types::INT,
                            ast::TypeName::Decimal => Types::DECIMAL,
                            ast::TypeName::Float => Types::FLOAT,
                            ast::TypeName::Bool => Types::BOOL,
                            ast::TypeName::Date => Types::DATE,
                            ast::TypeName::DateTime => Types::DATETIME,
                            ast::TypeName::List => Types::LIST,
                            ast::TypeName::Object => Types::OBJECT,
                            ast::TypeName::Any => Types::ANY,
                        }
                }
                ast::TypeAtom::Word(word, span) => {
                    if words.contains(word) {
                        self.report(Diagnostic::new(
                            codes::INVALID_SETTING,
                            *span,
                            format!("the word \"{word}\" is listed twice"),
                        ));
                    }
                    words.push(word.clone());
                    types = types | Types::TEXT;
                }
            }
        }
        SettingType {
            types,
            words: (!words.is_empty()).then_some(words),
        }
    }

    fn setting_default(&mut self, setting: &ast::Setting, id: SettingId) -> Option<Value<'static>> {
        let expr = setting.default.as_ref()?;
        let Some(value) = constant(expr) else {
            if contains(expr, |e| matches!(e, ast::ExprKind::Error)) {
                // A malformed literal, already reported.
            } else if contains(expr, |e| matches!(e, ast::ExprKind::Record)) {
                self.report(
                    Diagnostic::new(
                        codes::RECORD_OUTSIDE_FLOW,
                        expr.span,
                        "a setting's default cannot read the record",
                    )
                    .label("`$` has no record here")
                    .help("settings are known before any record is read; compute record values with `let` in the flow"),
                );
            } else {
                self.report(
                    Diagnostic::new(
                        codes::INVALID_SETTING,
                        expr.span,
                        "a setting's default must be a constant",
                    )
                    .label("not a constant")
                    .help(
                        "settings are known before any record is read: use a literal such as `true`, `14` or `\"EUR\"`",
                    ),
                );
            }
            return None;
        };
        let ty = self.program.setting(id).ty.clone();
        let value = match value {
            // An int default for a decimal setting is the same number.
            Value::Int(int)
                if !ty.types.contains(crate::value::Kind::Int) && ty.types.contains(crate::value::Kind::Decimal) =>
            {
                Value::Decimal(int.into())
            }
            other => other,
        };
        if !ty.types.contains(value.kind()) {
            let mut diagnostic = Diagnostic::new(
                codes::INVALID_SETTING,
                expr.span,
                format!("the default is {}, but the setting is {}", value.kind(), ty.types),
            )
            .label(format!("this is {}", value.kind()));
            if value.is_null() {
                diagnostic = diagnostic.help("mark the type optional with `?` to allow none");
            }
            self.report(diagnostic);
            return None;
        }
        if let (Some(words), Value::Text(text)) = (&ty.words, &value)
            && !words.iter().any(|word| word == text.as_str())
        {
            let diagnostic = Diagnostic::new(
                codes::INVALID_SETTING,
                expr.span,
                format!("\"{}\" is not one of the setting's words", text.as_str()),
            )
            .label("not listed in the type")
            .did_you_mean(text.as_str(), words.iter().map(String::as_str));
            self.report(diagnostic);
            return None;
        }
        Some(value)
    }

    // ------------------------------------------------------------ tables and functions

    fn lower_table(&mut self, table: &ast::Table, id: TableId) {
        let owner = Some(Callee::Table(id));
        let ((arms, default), frame_size) = self.in_frame(false, false, owner, |this| this.lower_arms(&table.arms));
        let lowered = &mut self.program.tables[id.0 as usize];
        lowered.arms = arms;
        lowered.default = default;
        lowered.frame_size = frame_size;
    }

    /// Arms of a table or match: the listed values, and the `_` arm.
    pub(super) fn lower_arms(&mut self, arms: &[ast::Arm]) -> (Vec<Arm>, Option<Expr>) {
        let mut lowered = Vec::new();
        let mut default = None;
        let mut seen: Vec<(Value<'static>, Span)> = Vec::new();
        let mut wildcard: Option<Span> = None;
        for arm in arms {
            let value = self.lower_expr(&arm.value);
            let mut patterns = Vec::new();
            let mut is_default = false;
            for pattern in &arm.patterns {
                if let Some(catch_all) = wildcard {
                    self.report(
                        Diagnostic::new(
                            codes::UNREACHABLE_ARM,
                            pattern.span(),
                            "this arm comes after `_`, which catches everything",
                        )
                        .with_secondary(catch_all, "`_` is here")
                        .help("move it before the `_` arm"),
                    );
                    continue;
                }
                match pattern {
                    ast::Pattern::Wildcard(span) => {
                        is_default = true;
                        wildcard = Some(*span);
                    }
                    ast::Pattern::Literal(literal, span) => {
                        let value = literal_value(literal);
                        if let Some((_, first)) = seen.iter().find(|(other, _)| *other == value) {
                            let first = *first;
                            self.report(
                                Diagnostic::new(
                                    codes::UNREACHABLE_ARM,
                                    *span,
                                    format!("{value} is already matched by an earlier arm"),
                                )
                                .with_secondary(first, "matched here first"),
                            );
                            continue;
                        }
                        seen.push((value.clone(), *span));
                        patterns.push(value);
                    }
                }
            }
            if is_default {
                if !patterns.is_empty() {
                    // `"a" | _ => x`: the listed values give the same as the default.
                    lowered.push(Arm {
                        patterns,
                        value: self.lower_expr(&arm.value),
                        span: arm.span,
                    });
                }
                default = Some(value);
            } else if !patterns.is_empty() {
                lowered.push(Arm {
                    patterns,
                    value,
                    span: arm.span,
                });
            }
        }
        (lowered, default)
    }

    fn lower_function(&mut self, function: &ast::Function, id: FunctionId) {
        let owner = Some(Callee::Function(id));
        let param_types: Vec<Types> = self.program.function(id).params.iter().map(|p| p.types).collect();
        let ((lets, body), frame_size) = self.in_frame(false, false, owner, |this| {
            this.cx.scopes.push(Scope::default());
            for (param, types) in function.params.iter().zip(param_types) {
                let slot = this.new_slot();
                this.declare(&param.name, Binding::Local(slot), false, types);
            }
            let mut lets = Vec::new();
            for binding in &function.lets {
                let value = this.lower_expr(&binding.value);
                let slot = this.new_slot();
                this.declare(&binding.name, Binding::Local(slot), true, Types::ANY);
                lets.push((slot, value));
            }
            let body = this.lower_expr(&function.body);
            let scope = this.cx.scopes.pop().expect("the function scope is open");
            this.report_unused(scope);
            (lets, body)
        });
        let lowered = &mut self.program.functions[id.0 as usize];
        lowered.lets = lets;
        lowered.body = body;
        lowered.frame_size = frame_size;
    }

    // ------------------------------------------------------------ flows

    fn lower_flow(&mut self, flow: &ast::Flow) {
        let mut source: Option<EntityName> = None;
        for statement in &flow.statements {
            match statement {
                ast::Statement::Source(entity, span) => {
                    if let Some(first) = &source {
                        let first = first.span;
                        self.report(
                            Diagnostic::new(codes::FLOW_HEADER, *span, "a flow has one source")
                                .with_secondary(first, "the source is already declared here"),
                        );
                    } else {
                        let name = entity_name(entity);
                        self.known_entity(&name);
                        self.cx.source_system = Some(name.system.clone());
                        source = Some(name);
                    }
                }
                ast::Statement::Target(entities, span) => {
                    if self.cx.has_target_decl {
                        self.report(
                            Diagnostic::new(codes::FLOW_HEADER, *span, "a flow has one `target` declaration")
                                .help("list several target entities in one declaration: `target a.x, a.y`"),
                        );
                    }
                    self.cx.has_target_decl = true;
                    for entity in entities {
                        let name = entity_name(entity);
                        self.known_entity(&name);
                        self.cx.targets.push(name);
                    }
                }
                _ => {}
            }
        }

        // The flow's own settings, tables and functions are visible to all its statements.
        self.cx.scopes.push(Scope::default());
        let settings: Vec<&ast::Setting> = flow
            .statements
            .iter()
            .filter_map(|s| match s {
                ast::Statement::Setting(setting) => Some(setting),
                _ => None,
            })
            .collect();
        let tables: Vec<&ast::Table> = flow
            .statements
            .iter()
            .filter_map(|s| match s {
                ast::Statement::Table(table) => Some(table),
                _ => None,
            })
            .collect();
        let functions: Vec<&ast::Function> = flow
            .statements
            .iter()
            .filter_map(|s| match s {
                ast::Statement::Function(function) => Some(function),
                _ => None,
            })
            .collect();
        self.declare_items(&settings, &tables, &functions, true);

        let (statements, frame_size) = self.in_frame(true, true, None, |this| {
            this.cx.scopes.push(Scope::default());
            let statements = this.lower_statements(&flow.statements);
            let scope = this.cx.scopes.pop().expect("the statement scope is open");
            this.report_unused(scope);
            statements
        });
        if !self.cx.has_output {
            self.report(
                Diagnostic::new(
                    codes::FLOW_WITHOUT_OUTPUT,
                    flow.name.span,
                    format!("the flow `{}` writes nothing", flow.name.name),
                )
                .help("add an `emit { ... }` for a mapping, or a `create`, `upsert` or `update` of the target"),
            );
        }
        let scope = self.cx.scopes.pop().expect("the flow scope is open");
        self.report_unused(scope);

        self.program.flow = Some(Flow {
            name: flow.name.name.clone(),
            source,
            targets: std::mem::take(&mut self.cx.targets),
            statements,
            frame_size,
            span: flow.span,
        });
    }

    fn lower_statements(&mut self, statements: &[ast::Statement]) -> Vec<Statement> {
        let mut lowered = Vec::new();
        for statement in statements {
            if let Some(statement) = self.lower_statement(statement) {
                lowered.push(statement);
            }
        }
        lowered
    }

    fn lower_block(&mut self, statements: &[ast::Statement]) -> Vec<Statement> {
        self.cx.scopes.push(Scope::default());
        let lowered = self.lower_statements(statements);
        let scope = self.cx.scopes.pop().expect("the block scope is open");
        self.report_unused(scope);
        lowered
    }

    fn lower_statement(&mut self, statement: &ast::Statement) -> Option<Statement> {
        Some(match statement {
            ast::Statement::Source(..)
            | ast::Statement::Target(..)
            | ast::Statement::Setting(_)
            | ast::Statement::Table(_)
            | ast::Statement::Function(_) => return None,
            ast::Statement::When(condition, _) => {
                Statement::When(self.lower_expr(condition), self.written(condition.span))
            }
            ast::Statement::Let(binding) => {
                let value = self.lower_expr(&binding.value);
                let slot = self.new_slot();
                self.declare(&binding.name, Binding::Local(slot), true, Types::ANY);
                Statement::Let(slot, value)
            }
            ast::Statement::Skip(ast::SkipRule::Exists { entity, keys }, span) => {
                self.effect_allowed(*span, "`skip if exists`");
                let entity = self.target_entity(Some(entity), *span, false);
                let keys = self.lower_keys(keys);
                Statement::SkipIfExists {
                    entity,
                    keys,
                    span: *span,
                }
            }
            ast::Statement::Skip(ast::SkipRule::If(condition), _) => {
                Statement::SkipIf(self.lower_expr(condition), self.written(condition.span))
            }
            ast::Statement::RequireThat {
                condition,
                message,
                span,
            } => Statement::RequireThat {
                condition: self.lower_expr(condition),
                message: self.lower_expr(message),
                span: *span,
            },
            ast::Statement::RequireEach(expr) => Statement::Effect(self.lower_expr(expr)),
            ast::Statement::If(statement) => self.lower_if_statement(statement),
            ast::Statement::ForEach(each) => {
                let list = self.lower_expr(&each.list);
                self.cx.scopes.push(Scope::default());
                let item = self.new_slot();
                self.declare(&each.item, Binding::Local(item), true, Types::ANY);
                let body = self.lower_statements(&each.body);
                let scope = self.cx.scopes.pop().expect("the loop scope is open");
                self.report_unused(scope);
                Statement::ForEach { item, list, body }
            }
            ast::Statement::Emit(body, _) => {
                self.cx.has_output = true;
                Statement::Emit(self.lower_record(body))
            }
            ast::Statement::Write(expr) => {
                self.cx.has_output = true;
                Statement::Effect(self.lower_expr(expr))
            }
        })
    }

    fn lower_if_statement(&mut self, statement: &ast::IfStatement) -> Statement {
        let condition = self.lower_expr(&statement.condition);
        let then = self.lower_block(&statement.then);
        let otherwise = match &statement.otherwise {
            None => Vec::new(),
            Some(ast::Else::Block(block)) => self.lower_block(block),
            Some(ast::Else::If(nested)) => vec![self.lower_if_statement(nested)],
        };
        Statement::If {
            condition,
            then,
            otherwise,
        }
    }

    /// Reports target access where it cannot be planned; true when allowed.
    pub(super) fn effect_allowed(&mut self, span: Span, what: &str) -> bool {
        if self.cx.allow_effects {
            return true;
        }
        self.report(
            Diagnostic::new(codes::EFFECT_OUTSIDE_FLOW, span, format!("{what} cannot be used here"))
                .label("reads or writes the target system")
                .help("target access belongs in the flow's statements: do it in a `let` there and pass the result on"),
        );
        false
    }

    /// The entity a write, lookup or skip goes to.
    pub(super) fn target_entity(&mut self, entity: Option<&ast::EntityRef>, span: Span, is_write: bool) -> EntityName {
        if !self.cx.has_target_decl {
            self.report(
                Diagnostic::new(
                    codes::FLOW_HEADER,
                    span,
                    "this flow reads or writes a target system, but declares no target",
                )
                .help("declare it at the top of the flow: `target system.entity`"),
            );
        }
        match entity {
            Some(entity) => {
                let name = entity_name(entity);
                let known_system = self.cx.targets.iter().any(|target| target.system == name.system);
                let source_read = !is_write && self.cx.source_system.as_deref() == Some(name.system.as_str());
                if self.cx.has_target_decl && !known_system && !source_read {
                    let systems: Vec<&str> = self.cx.targets.iter().map(|t| t.system.as_str()).collect();
                    let mut diagnostic = Diagnostic::new(
                        codes::UNKNOWN_TARGET,
                        entity.system.span,
                        format!("`{}` is not a system this flow targets", name.system),
                    )
                    .did_you_mean(&name.system, systems);
                    if self.cx.source_system.as_deref() == Some(name.system.as_str()) {
                        diagnostic = diagnostic.help("the source system can be looked up in, not written to");
                    }
                    self.report(diagnostic);
                }
                name
            }
            None => match self.cx.targets.as_slice() {
                [single] => EntityName { span, ..single.clone() },
                targets => {
                    if is_write && self.cx.has_target_decl {
                        let listed: Vec<String> = targets.iter().map(ToString::to_string).collect();
                        self.report(
                            Diagnostic::new(
                                codes::UNKNOWN_TARGET,
                                span,
                                "this write names no entity, and the flow targets several",
                            )
                            .help(format!("name one of {}", listed.join(", "))),
                        );
                    }
                    EntityName {
                        system: String::new(),
                        entity: String::new(),
                        span,
                    }
                }
            },
        }
    }

    /// Reports a system flowc has no connector for, or an entity its system
    /// does not have.
    fn known_entity(&mut self, entity: &EntityName) {
        match self.catalog.system(&entity.system) {
            None => {
                let systems: Vec<&str> = self.catalog.system_names().collect();
                let diagnostic = Diagnostic::new(
                    codes::UNKNOWN_ENTITY,
                    entity.span,
                    format!("flowc has no connector for the system `{}`", entity.system),
                )
                .label("unknown system")
                .did_you_mean(&entity.system, systems.iter().copied());
                let diagnostic = if diagnostic.help.is_none() {
                    diagnostic.help(format!("the systems are {}", systems.join(", ")))
                } else {
                    diagnostic
                };
                self.report(diagnostic);
            }
            Some(system) if !system.entities.contains_key(&entity.entity) => {
                let diagnostic = Diagnostic::new(
                    codes::UNKNOWN_ENTITY,
                    entity.span,
                    format!("`{}` has no entity `{}`", entity.system, entity.entity),
                )
                .label("unknown entity")
                .did_you_mean(&entity.entity, system.entities.keys().map(String::as_str));
                self.report(diagnostic);
            }
            Some(_) => {}
        }
    }

    /// The source text at `span` in the file being lowered, on one line.
    fn written(&self, span: Span) -> String {
        let text = &self.program.files[self.cx.file.0 as usize].text;
        let written = text.get(span.start as usize..span.end as usize).unwrap_or_default();
        written.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    pub(super) fn is_main_target(&self, entity: &EntityName) -> bool {
        self.cx
            .targets
            .iter()
            .any(|target| target.system == entity.system && target.entity == entity.entity)
    }

    pub(super) fn lower_keys(&mut self, keys: &[ast::KeyMatch]) -> Vec<KeyMatch> {
        keys.iter()
            .map(|key| KeyMatch {
                field: key.field.segments.clone(),
                comparison: key.comparison,
                field_span: key.field.span,
                value: self.lower_expr(&key.value),
                span: key.span,
            })
            .collect()
    }
}

fn filter_items<'m, T>(module: &'m ast::Module, pick: impl Fn(&'m ast::Item) -> Option<&'m T>) -> Vec<&'m T> {
    module.items.iter().filter_map(pick).collect()
}

pub(super) fn entity_name(entity: &ast::EntityRef) -> EntityName {
    EntityName {
        system: entity.system.name.clone(),
        entity: entity.entity.name.clone(),
        span: entity.span,
    }
}

pub(super) fn literal_value(literal: &ast::Literal) -> Value<'static> {
    match literal {
        ast::Literal::None => Value::Null,
        ast::Literal::Bool(b) => Value::Bool(*b),
        ast::Literal::Int(int) => Value::Int(*int),
        ast::Literal::Decimal(decimal) => Value::Decimal(*decimal),
        ast::Literal::Text(text) => Value::from(text.clone()),
        ast::Literal::Date(date) => Value::Date(*date),
        ast::Literal::DateTime(datetime) => Value::DateTime(*datetime),
    }
}

/// The value of an expression made only of literals (with a leading minus,
/// and lists and objects of them), as settings' defaults must be.
pub(super) fn constant(expr: &ast::Expr) -> Option<Value<'static>> {
    use crate::value::Object;
    Some(match &expr.kind {
        ast::ExprKind::Literal(literal) => literal_value(literal),
        ast::ExprKind::Unary {
            op: ast::UnaryOp::Neg,
            operand,
            ..
        } => match constant(operand)? {
            Value::Int(int) => Value::Int(int.checked_neg()?),
            Value::Decimal(decimal) => Value::Decimal(-decimal),
            _ => return None,
        },
        ast::ExprKind::List(items) => Value::list(items.iter().map(constant).collect::<Option<Vec<_>>>()?),
        ast::ExprKind::Object(body) => {
            let mut object = Object::new();
            for item in &body.items {
                match item {
                    ast::BodyItem::Field(field) => object.insert(field.name.clone(), constant(&field.value)?),
                    _ => return None,
                }
            }
            Value::object(object)
        }
        _ => return None,
    })
}

/// Whether any part of an expression is of a kind.
fn contains(expr: &ast::Expr, is: impl Fn(&ast::ExprKind) -> bool + Copy) -> bool {
    if is(&expr.kind) {
        return true;
    }
    match &expr.kind {
        ast::ExprKind::Unary { operand, .. } => contains(operand, is),
        ast::ExprKind::Binary { lhs, rhs, .. } => contains(lhs, is) || contains(rhs, is),
        ast::ExprKind::Member { target, .. } | ast::ExprKind::Wildcard { target } => contains(target, is),
        ast::ExprKind::Index { target, index } => contains(target, is) || contains(index, is),
        ast::ExprKind::Call(call) => call
            .args
            .iter()
            .any(|arg| matches!(arg, ast::Arg::Value(v) if contains(v, is))),
        ast::ExprKind::List(items) => items.iter().any(|item| contains(item, is)),
        ast::ExprKind::Object(body) => body
            .items
            .iter()
            .any(|item| matches!(item, ast::BodyItem::Field(f) if contains(&f.value, is))),
        ast::ExprKind::Interpolated(parts) => parts
            .iter()
            .any(|part| matches!(part, ast::TextPart::Expr(e) if contains(e, is))),
        _ => false,
    }
}
