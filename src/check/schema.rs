//! Checking a flow against the schemas of the systems it reads and writes:
//! every path into a source record names fields the source entity has
//! (E0041), every field a write gives is one the target entity has (E0042)
//! and can be written (E0043), every lookup key is a field of its entity,
//! and the system's API can make every lookup (E0044),
//! and every field a create requires is written somewhere (W0009).

use std::collections::{BTreeSet, HashSet};

use super::ir::*;
use super::projection::Place;
use crate::connectors::schema::{Catalog, EntitySchema, FieldSchema, Fields};
use crate::diagnostics::{Diagnostic, codes};
use crate::source::Span;

pub(super) fn check(
    program: &Program,
    reads: &[(Place, Span)],
    catalog: &Catalog,
    diagnostics: &mut Vec<(FileId, Diagnostic)>,
) {
    let Some(flow) = &program.flow else { return };
    // Most diagnostics are about the flow's file; a spread can bring in
    // fields from a module function, whose diagnostics belong to the module.
    let mut report = |file: FileId, diagnostic: Diagnostic| diagnostics.push((file, diagnostic));

    if let Some(source) = &flow.source
        && let Some(entity) = catalog.entity(&source.system, &source.entity)
    {
        let mut reported: HashSet<&[String]> = HashSet::new();
        for (place, span) in reads {
            if let Some(unknown) = unknown_read(&entity.fields, place)
                && reported.insert(&place[..=unknown])
            {
                report(
                    FileId(0),
                    unknown_source_field(source, &entity.fields, place, unknown, *span),
                );
            }
        }
    }

    let mut writes = Vec::new();
    walk_statements(&flow.statements, &mut |expr| writes.push(expr));
    for expr in writes {
        match &expr.kind {
            ExprKind::Write(write) => {
                check_keys(catalog, &write.entity, &write.keys, &mut report);
                if let Some(entity) = catalog.entity(&write.entity.system, &write.entity.entity) {
                    check_write(program, write, entity, expr.span, &mut report);
                }
            }
            ExprKind::Lookup { entity, keys, .. } => check_keys(catalog, entity, keys, &mut report),
            ExprKind::RequireEach(require) => check_keys(catalog, &require.entity, &require.keys, &mut report),
            _ => {}
        }
    }
    let mut skips = Vec::new();
    collect_skips(&flow.statements, &mut skips);
    for (entity, keys) in skips {
        check_keys(catalog, entity, keys, &mut report);
    }
}

fn collect_skips<'p>(statements: &'p [Statement], found: &mut Vec<(&'p EntityName, &'p [KeyMatch])>) {
    for statement in statements {
        match statement {
            Statement::SkipIfExists { entity, keys, .. } => found.push((entity, keys)),
            Statement::If { then, otherwise, .. } => {
                collect_skips(then, found);
                collect_skips(otherwise, found);
            }
            Statement::ForEach { body, .. } => collect_skips(body, found),
            _ => {}
        }
    }
}

/// The index of the first name in `place` the schema does not have, if any.
fn unknown_read(fields: &Fields, place: &[String]) -> Option<usize> {
    let mut fields = fields;
    for (index, name) in place.iter().enumerate() {
        // A field only written is never there to read.
        let Some(field) = fields.get(name).filter(|field| !field.write_only) else {
            return Some(index);
        };
        if field.is_open() {
            return None;
        }
        match field.below() {
            Some(below) => fields = below,
            // Below a scalar: a type question, not a schema one.
            None => return None,
        }
    }
    None
}

fn unknown_source_field(
    source: &EntityName,
    fields: &Fields,
    place: &[String],
    unknown: usize,
    span: Span,
) -> Diagnostic {
    let mut siblings = fields;
    for name in &place[..unknown] {
        siblings = siblings.get(name).and_then(FieldSchema::below).unwrap_or(siblings);
    }
    let name = &place[unknown];
    let within = if unknown == 0 {
        String::new()
    } else {
        format!(" in `{}`", place[..unknown].join("."))
    };
    if siblings.get(name).is_some_and(|field| field.write_only) {
        return Diagnostic::new(
            codes::UNKNOWN_SOURCE_FIELD,
            span,
            format!("`{source}` takes `{name}`{within} when written, but records read never hold it"),
        )
        .label("only written")
        .help(format!(
            "read a field the records hold (`flowc schema {} {}` lists them)",
            source.system, source.entity
        ));
    }
    let readable = siblings
        .iter()
        .filter(|(_, field)| !field.write_only)
        .map(|(name, _)| name.as_str());
    let mut diagnostic = Diagnostic::new(
        codes::UNKNOWN_SOURCE_FIELD,
        span,
        format!("records of `{source}` have no field `{name}`{within}"),
    )
    .label("no such field")
    .did_you_mean(name, readable.clone());
    if diagnostic.help.is_none() {
        diagnostic = diagnostic.help(format!("the fields there are {}", listing(readable)));
    }
    diagnostic
}

fn listing<'f>(names: impl Iterator<Item = &'f str>) -> String {
    let names: Vec<String> = names.map(|name| format!("`{name}`")).collect();
    let more = if names.len() > 12 { ", ..." } else { "" };
    format!("{}{more}", names[..names.len().min(12)].join(", "))
}

fn check_keys(catalog: &Catalog, entity: &EntityName, keys: &[KeyMatch], report: &mut impl FnMut(FileId, Diagnostic)) {
    let Some(schema) = catalog.entity(&entity.system, &entity.entity) else {
        return;
    };
    // The system's API filters on some keys itself; flowc matches the rest
    // over what those find. With none it can filter on, there is nothing
    // to match over but every record.
    if let Some(system) = catalog.system(&entity.system)
        && let Some(first) = keys.first()
        && !keys.iter().any(|key| system.can_filter(&key.field))
    {
        let names: Vec<String> = keys.iter().map(|key| key.field.join(".")).collect();
        report(
            FileId(0),
            Diagnostic::new(
                codes::UNFILTERABLE_LOOKUP,
                first.field_span,
                format!(
                    "{}'s API cannot look up `{entity}` by {}: it filters on fields of the record itself, not on a field inside a list",
                    system.title(),
                    names.iter().map(|name| format!("`{name}`")).collect::<Vec<_>>().join(" and ")
                ),
            )
            .label("not filterable")
            .help("add a key on a field of the record itself (`CustomerId == customer.Id`); flowc matches the other keys over the records it finds"),
        );
    }
    for key in keys {
        if let Some(unknown) = unknown_read(&schema.fields, &key.field) {
            let name = key.field.join(".");
            let mut siblings = &schema.fields;
            for part in &key.field[..unknown] {
                siblings = siblings.get(part).and_then(FieldSchema::below).unwrap_or(siblings);
            }
            // Suggest whole paths: `Rows.Text` for `Rows.Txt`.
            let prefix: String = key.field[..unknown].iter().map(|part| format!("{part}.")).collect();
            let candidates: Vec<String> = siblings.keys().map(|sibling| format!("{prefix}{sibling}")).collect();
            let diagnostic = Diagnostic::new(
                codes::UNKNOWN_TARGET_FIELD,
                key.field_span,
                format!("`{entity}` has no field `{name}` to look records up by"),
            )
            .label("no such field")
            .did_you_mean(&name, candidates.iter().map(String::as_str));
            report(FileId(0), diagnostic);
        }
    }
}

fn check_write(
    program: &Program,
    write: &Write,
    entity: &EntitySchema,
    span: Span,
    report: &mut impl FnMut(FileId, Diagnostic),
) {
    let name = write.entity.to_string();
    if entity.read_only {
        report(
            FileId(0),
            Diagnostic::new(
                codes::READ_ONLY_FIELD,
                span,
                format!("`{name}` is reference data: its records cannot be written"),
            )
            .label("written here"),
        );
        return;
    }
    let mut check = BodyCheck {
        program,
        file: FileId(0),
        entity: &name,
        report,
    };
    let written = check.record(&write.body, &entity.fields);
    if write.kind == WriteKind::Update {
        return;
    }
    if let Some(mut written) = written {
        written.extend(
            write
                .keys
                .iter()
                .filter(|key| key.field.len() == 1)
                .map(|key| key.field[0].clone()),
        );
        // Point at the write's head (`upsert entity where ...`), not its body.
        let head = Span::new(
            span.start as usize,
            (write.body.span.start as usize)
                .saturating_sub(1)
                .max(span.start as usize + 1),
        );
        check.required(&entity.fields, &written, head, "");
    }
}

struct BodyCheck<'c, R> {
    program: &'c Program,
    /// The file of the record being checked: the flow's, or a module's
    /// when a spread brings in a function's object.
    file: FileId,
    entity: &'c str,
    report: &'c mut R,
}

impl<R: FnMut(FileId, Diagnostic)> BodyCheck<'_, R> {
    fn report(&mut self, diagnostic: Diagnostic) {
        (self.report)(self.file, diagnostic);
    }

    /// Checks a record body's fields; gives the names it writes (`None`
    /// when a spread may write any).
    fn record(&mut self, record: &Record, fields: &Fields) -> Option<BTreeSet<String>> {
        let mut written = Some(BTreeSet::new());
        self.items(record, fields, &mut written);
        written
    }

    fn items(&mut self, record: &Record, fields: &Fields, written: &mut Option<BTreeSet<String>>) {
        for item in &record.items {
            match item {
                RecordItem::Field {
                    name, value, name_span, ..
                } => {
                    if let Some(written) = written {
                        written.insert(name.to_string());
                    }
                    match fields.get(name.as_ref()).map(FieldSchema::as_written) {
                        None => {
                            let diagnostic = Diagnostic::new(
                                codes::UNKNOWN_TARGET_FIELD,
                                *name_span,
                                format!("`{}` has no field `{name}`", self.entity),
                            )
                            .label("no such field")
                            .did_you_mean(name, fields.keys().map(String::as_str));
                            self.report(diagnostic);
                        }
                        Some(field) => {
                            if field.read_only {
                                self.report(
                                    Diagnostic::new(
                                        codes::READ_ONLY_FIELD,
                                        *name_span,
                                        format!(
                                            "`{name}` of `{}` is set by the system and cannot be written",
                                            self.entity
                                        ),
                                    )
                                    .label("read-only"),
                                );
                            }
                            self.value(value, field, *name_span);
                        }
                    }
                }
                RecordItem::If { then, otherwise, .. } => {
                    self.items(then, fields, written);
                    self.items(otherwise, fields, written);
                }
                RecordItem::CreateOnly { body, .. } => self.items(body, fields, written),
                RecordItem::Let(..) => {}
                RecordItem::Spread(value) => self.spread(value, fields, written, 0),
            }
        }
    }

    /// A spread's fields, when its value is an object the checker can see:
    /// an object literal, an `if` between such objects, or a call of a
    /// function that gives one (`...debtor.fields($.customer)`). Anything
    /// else may write any field.
    fn spread(&mut self, value: &Expr, fields: &Fields, written: &mut Option<BTreeSet<String>>, depth: usize) {
        const DEEPEST: usize = 16;
        match &value.kind {
            ExprKind::Object(record) => self.items(record, fields, written),
            ExprKind::If { then, otherwise, .. } if depth < DEEPEST => {
                self.spread(then, fields, written, depth + 1);
                self.spread(otherwise, fields, written, depth + 1);
            }
            ExprKind::Call { function, .. } if depth < DEEPEST => {
                let function = &self.program.functions[function.0 as usize];
                let outer = std::mem::replace(&mut self.file, function.file);
                self.spread(&function.body, fields, written, depth + 1);
                self.file = outer;
            }
            _ => *written = None,
        }
    }

    /// Checks what a field is given, when it builds an object or a list of
    /// objects the schema describes.
    fn value(&mut self, value: &Expr, field: &FieldSchema, span: Span) {
        match (&value.kind, &field.fields, &field.items) {
            (ExprKind::Object(record), Some(fields), _) => {
                if let Some(written) = self.record(record, fields) {
                    self.required(fields, &written, span, "");
                }
            }
            (ExprKind::For(for_expr), _, Some(items)) => {
                if let (ForBody::Record(record), Some(fields)) = (&for_expr.body, &items.fields)
                    && let Some(written) = self.record(record, fields)
                {
                    self.required(fields, &written, span, " of every element");
                }
            }
            _ => {}
        }
    }

    fn required(&mut self, fields: &Fields, written: &BTreeSet<String>, span: Span, of_what: &str) {
        let missing: Vec<String> = fields
            .iter()
            .filter(|(name, field)| field.required && !field.read_only && !written.contains(*name))
            .map(|(name, _)| format!("`{name}`"))
            .collect();
        if missing.is_empty() {
            return;
        }
        let (fields_word, it) = if missing.len() == 1 {
            ("field", "it")
        } else {
            ("fields", "them")
        };
        self.report(
            Diagnostic::new(
                codes::REQUIRED_FIELD_MISSING,
                span,
                format!(
                    "`{}` requires the {fields_word} {}{of_what}, and this never writes {it}",
                    self.entity,
                    missing.join(", ")
                ),
            )
            .label("creates without them")
            .help("write them, from the record or from a setting"),
        );
    }
}
