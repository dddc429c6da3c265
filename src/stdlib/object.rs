//! Object functions.

use std::sync::Arc;

use super::{Args, Category, Example, Function, Returns, params, v};
use crate::diagnostics::RecordError;
use crate::value::{Object, Text, Types, Value};

const BASE: Function = Function {
    name: "",
    category: Category::Objects,
    params: &[],
    variadic: None,
    returns: Returns::Types(Types::OBJECT),
    fallible: false,
    doc: "",
    examples: &[],
    native: keys,
    prepare: None,
    special: None,
};

const O: Types = Types::OBJECT;

pub const FUNCTIONS: &[Function] = &[
    Function {
        name: "keys",
        params: params!["object": v(O)],
        returns: Returns::Types(Types::LIST),
        doc: "The field names, in order.",
        examples: &[Example {
            call: "keys({b = 1, a = 2})",
            result: r#"["b", "a"]"#,
        }],
        native: keys,
        ..BASE
    },
    Function {
        name: "values",
        params: params!["object": v(O)],
        returns: Returns::Types(Types::LIST),
        doc: "The field values, in order.",
        examples: &[Example {
            call: "values({b = 1, a = 2})",
            result: "[1, 2]",
        }],
        native: values,
        ..BASE
    },
    Function {
        name: "merge",
        params: params!["first": v(O)],
        variadic: Some(O),
        doc: "The fields of all the objects together; where a name repeats, the later object wins.",
        examples: &[Example {
            call: "merge({a = 1, b = 2}, {b = 3})",
            result: r#"{"a": 1, "b": 3}"#,
        }],
        native: merge,
        ..BASE
    },
    Function {
        name: "pick",
        params: params!["object": v(O), "names": v(Types::LIST)],
        fallible: true,
        doc: "Only the named fields (those present), in the object's order.",
        examples: &[Example {
            call: r#"pick({a = 1, b = 2, c = 3}, ["c", "a", "x"])"#,
            result: r#"{"a": 1, "c": 3}"#,
        }],
        native: pick,
        ..BASE
    },
    Function {
        name: "omit",
        params: params!["object": v(O), "names": v(Types::LIST)],
        fallible: true,
        doc: "The object without the named fields.",
        examples: &[Example {
            call: r#"omit({a = 1, b = 2}, ["a"])"#,
            result: r#"{"b": 2}"#,
        }],
        native: omit,
        ..BASE
    },
    Function {
        name: "has",
        params: params!["object": v(O), "name": v(Types::TEXT)],
        returns: Returns::Types(Types::BOOL),
        doc: "Whether the object has a field of that name (even one that is `none`).",
        examples: &[
            Example {
                call: r#"has({note = none}, "note")"#,
                result: "true",
            },
            Example {
                call: r#"has({}, "note")"#,
                result: "false",
            },
        ],
        native: has,
        ..BASE
    },
    Function {
        name: "get",
        params: params!["object": v(O), "name": v(Types::TEXT), "default?": v(Types::ANY)],
        returns: Returns::Types(Types::ANY),
        fallible: true,
        doc: "The field of a name known only when running; the default (or a missing-field error, E1001) when there is no such field.",
        examples: &[
            Example {
                call: r#"get({NL = "1", BE = "2"}, "BE")"#,
                result: r#""2""#,
            },
            Example {
                call: r#"get({NL = "1"}, "DE", "3")"#,
                result: r#""3""#,
            },
            Example {
                call: r#"get({NL = "1"}, "DE")"#,
                result: "error E1001",
            },
        ],
        native: get,
        ..BASE
    },
    Function {
        name: "fields_from",
        params: params!["record": v(O), "paths": v(O)],
        fallible: true,
        doc: "Fields named as the integrator chooses, each read from the record at its path: `paths` maps a field name to a dotted path (`customer.email`, `rows.0.sku`). A path with no value there (missing or none) leaves its field out. For custom fields passed through by a setting.",
        examples: &[Example {
            call: r#"fields_from({customer = {note = "back door"}}, {Note = "customer.note", Ref = "customer.ref"})"#,
            result: r#"{"Note": "back door"}"#,
        }],
        native: fields_from,
        ..BASE
    },
];

fn keys<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    let object = args.take_object(0)?;
    Ok(Value::list(object.keys().map(|key| Value::Text(key.clone())).collect()))
}

fn values<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    let object = args.take_object(0)?;
    Ok(Value::list(object.iter().map(|(_, value)| value.clone()).collect()))
}

fn merge<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    let mut merged = Object::new();
    for index in 0..args.len() {
        let object = args.take_object(index)?;
        let object = Arc::try_unwrap(object).unwrap_or_else(|shared| (*shared).clone());
        for (key, value) in object.iter() {
            merged.push(Text::from(key.to_string()), value.clone());
        }
    }
    merged.merge_repeated_names();
    Ok(Value::object(merged))
}

fn names(args: &mut Args<'_, '_>, index: usize) -> Result<Vec<String>, RecordError> {
    let list = args.take_list(index)?;
    list.iter()
        .map(|name| match name {
            Value::Text(text) => Ok(text.to_string()),
            other => Err(args.invalid(format!(
                "field names are text, not {}: {}",
                other.kind(),
                crate::diagnostics::personal::shown(other)
            ))),
        })
        .collect()
}

fn select<'a>(args: &mut Args<'_, 'a>, keep: bool) -> Result<Value<'a>, RecordError> {
    let names = names(args, 1)?;
    let object = args.take_object(0)?;
    let selected = object
        .keys()
        .zip(object.iter())
        .filter(|(key, _)| names.iter().any(|name| name == key.as_str()) == keep)
        .map(|(key, (_, value))| (key.clone(), value.clone()))
        .collect();
    Ok(Value::object(selected))
}

fn pick<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    select(args, true)
}

fn omit<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    select(args, false)
}

fn has<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    let name = args.text(1)?.to_string();
    Ok(Value::Bool(args.take_object(0)?.contains_key(&name)))
}

fn get<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    let name = args.text(1)?.to_string();
    let default = (args.len() > 2).then(|| args.take(2));
    let object = args.take_object(0)?;
    match (object.get(&name), default) {
        (Some(value), _) => Ok(value.clone()),
        (None, Some(default)) => Ok(default),
        (None, None) => Err(RecordError::new(
            crate::diagnostics::codes::MISSING_FIELD,
            format!(
                "the object has no field {}",
                crate::diagnostics::personal::shown(format!("{name:?}"))
            ),
        )
        .help("give a default as the third argument")),
    }
}

fn fields_from<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    let paths = args.take_object(1)?;
    let record = Value::Object(args.take_object(0)?);
    let mut fields = Object::with_capacity(paths.len());
    for (name, path) in paths.iter() {
        let Value::Text(path) = path else {
            return Err(args.invalid(format!(
                "the path of the field {name:?} is {}, not text like \"customer.email\"",
                path.kind()
            )));
        };
        if let Some(value) = at_path(&record, path.as_str()).filter(|value| !value.is_null()) {
            fields.push(Text::from(name.to_string()), value.clone());
        }
    }
    fields.merge_repeated_names();
    Ok(Value::object(fields))
}

/// The value at a dotted path: each step a field name, or a position in a
/// list (from 0).
fn at_path<'v, 'a>(value: &'v Value<'a>, path: &str) -> Option<&'v Value<'a>> {
    path.split('.').try_fold(value, |value, step| match value {
        Value::Object(object) => object.get(step),
        Value::List(items) => step.parse::<usize>().ok().and_then(|index| items.get(index)),
        _ => None,
    })
}
