//! Text functions. Lengths and positions count characters, not bytes.

use std::sync::Arc;

use regex::Regex;

use super::{Args, Category, Example, Function, Prepared, Returns, params, v};
use crate::diagnostics::RecordError;
use crate::value::{Text, Types, Value};

const BASE: Function = Function {
    name: "",
    category: Category::Text,
    params: &[],
    variadic: None,
    returns: Returns::Types(Types::TEXT),
    fallible: false,
    doc: "",
    examples: &[],
    native: trim,
    prepare: None,
    special: None,
};

const T: Types = Types::TEXT;

pub const FUNCTIONS: &[Function] = &[
    Function {
        name: "trim",
        params: params!["text": v(T)],
        doc: "Removes whitespace at the start and end.",
        examples: &[Example {
            call: r#"trim("  Jan  ")"#,
            result: r#""Jan""#,
        }],
        native: trim,
        ..BASE
    },
    Function {
        name: "trim_start",
        params: params!["text": v(T)],
        doc: "Removes whitespace at the start.",
        examples: &[Example {
            call: r#"trim_start("  Jan  ")"#,
            result: r#""Jan  ""#,
        }],
        native: trim_start,
        ..BASE
    },
    Function {
        name: "trim_end",
        params: params!["text": v(T)],
        doc: "Removes whitespace at the end.",
        examples: &[Example {
            call: r#"trim_end("  Jan  ")"#,
            result: r#""  Jan""#,
        }],
        native: trim_end,
        ..BASE
    },
    Function {
        name: "lower",
        params: params!["text": v(T)],
        doc: "Lower case, following Unicode.",
        examples: &[Example {
            call: r#"lower("Jan@Bakkerij.NL")"#,
            result: r#""jan@bakkerij.nl""#,
        }],
        native: lower,
        ..BASE
    },
    Function {
        name: "upper",
        params: params!["text": v(T)],
        doc: "Upper case, following Unicode.",
        examples: &[Example {
            call: r#"upper("eur")"#,
            result: r#""EUR""#,
        }],
        native: upper,
        ..BASE
    },
    Function {
        name: "split",
        params: params!["text": v(T), "separator": v(T)],
        returns: Returns::Types(Types::LIST),
        fallible: true,
        doc: "Splits text at every occurrence of a separator. Fails on an empty separator.",
        examples: &[
            Example {
                call: r#"split("a;b;;c", ";")"#,
                result: r#"["a", "b", "", "c"]"#,
            },
            Example {
                call: r#"split("abc", "")"#,
                result: "error E1006",
            },
        ],
        native: split,
        ..BASE
    },
    Function {
        name: "join",
        params: params!["list": v(Types::LIST), "separator?": v(T)],
        fallible: true,
        doc: "Joins the elements of a list into text, with a separator between them (none by default). Numbers and dates are written as in `${...}`; a `none` element fails.",
        examples: &[
            Example {
                call: r#"join(["Dorpsstraat", 12], " ")"#,
                result: r#""Dorpsstraat 12""#,
            },
            Example {
                call: r#"join(["a", none])"#,
                result: "error E1002",
            },
        ],
        native: join,
        ..BASE
    },
    Function {
        name: "replace",
        params: params!["text": v(T), "from": v(T), "to": v(T)],
        fallible: true,
        doc: "Replaces every occurrence of `from` with `to`. Fails when `from` is empty.",
        examples: &[Example {
            call: r#"replace("1234 AB", " ", "")"#,
            result: r#""1234AB""#,
        }],
        native: replace,
        ..BASE
    },
    Function {
        name: "pad_start",
        params: params!["text": v(T), "width": v(Types::INT), "fill?": v(T)],
        fallible: true,
        doc: "Adds `fill` (a space by default) before the text until it is `width` characters long. Longer text is left as it is.",
        examples: &[
            Example {
                call: r#"pad_start("42", 6, "0")"#,
                result: r#""000042""#,
            },
            Example {
                call: r#"pad_start("1234567", 6, "0")"#,
                result: r#""1234567""#,
            },
        ],
        native: pad_start,
        ..BASE
    },
    Function {
        name: "pad_end",
        params: params!["text": v(T), "width": v(Types::INT), "fill?": v(T)],
        fallible: true,
        doc: "Adds `fill` (a space by default) after the text until it is `width` characters long.",
        examples: &[Example {
            call: r#"pad_end("AB", 4, ".")"#,
            result: r#""AB..""#,
        }],
        native: pad_end,
        ..BASE
    },
    Function {
        name: "substring",
        params: params!["text": v(T), "start": v(Types::INT), "length?": v(Types::INT)],
        doc: "The characters from `start` (0 is the first; negative counts from the end), `length` of them or up to the end. Positions past the end give less text, never an error.",
        examples: &[
            Example {
                call: r#"substring("2024-03-01T10:15:00Z", 0, 10)"#,
                result: r#""2024-03-01""#,
            },
            Example {
                call: r#"substring("KAS-1042", -4)"#,
                result: r#""1042""#,
            },
            Example {
                call: r#"substring("abc", 5, 2)"#,
                result: r#""""#,
            },
        ],
        native: substring,
        ..BASE
    },
    Function {
        name: "truncate",
        params: params!["text": v(T), "max": v(Types::INT)],
        doc: "The first `max` characters; for fields with a length limit in the target.",
        examples: &[Example {
            call: r#"truncate("Desembrood wit, ambachtelijk", 10)"#,
            result: r#""Desembrood""#,
        }],
        native: truncate,
        ..BASE
    },
    Function {
        name: "length",
        params: params!["value": v(Types::TEXT.or(Types::LIST).or(Types::OBJECT))],
        returns: Returns::Types(Types::INT),
        doc: "The number of characters of text, elements of a list, or fields of an object.",
        examples: &[
            Example {
                call: r#"length("Café")"#,
                result: "4",
            },
            Example {
                call: "length([1, 2, 3])",
                result: "3",
            },
        ],
        native: length,
        ..BASE
    },
    Function {
        name: "starts_with",
        params: params!["text": v(T), "prefix": v(T)],
        returns: Returns::Types(Types::BOOL),
        doc: "Whether the text begins with `prefix`.",
        examples: &[Example {
            call: r#"starts_with("KAS-1042", "KAS")"#,
            result: "true",
        }],
        native: starts_with,
        ..BASE
    },
    Function {
        name: "ends_with",
        params: params!["text": v(T), "suffix": v(T)],
        returns: Returns::Types(Types::BOOL),
        doc: "Whether the text ends with `suffix`.",
        examples: &[Example {
            call: r#"ends_with("jan@example.nl", ".nl")"#,
            result: "true",
        }],
        native: ends_with,
        ..BASE
    },
    Function {
        name: "contains",
        params: params!["haystack": v(Types::TEXT.or(Types::LIST)), "needle": v(Types::ANY)],
        returns: Returns::Types(Types::BOOL),
        doc: "For text, whether it contains the needle as a part; for a list, whether an element equals it.",
        examples: &[
            Example {
                call: r#"contains("Bakkerij De Vries B.V.", "B.V.")"#,
                result: "true",
            },
            Example {
                call: r#"contains(["NL", "BE"], "DE")"#,
                result: "false",
            },
        ],
        native: contains,
        ..BASE
    },
    Function {
        name: "matches",
        params: params!["text": v(T), "pattern": v(T)],
        returns: Returns::Types(Types::BOOL),
        fallible: true,
        doc: "Whether a regular expression matches anywhere in the text (anchor it with `^...$` to match the whole). Write patterns as raw text, `r\"...\"`; a constant pattern is checked and compiled once, when the flow loads.",
        examples: &[
            Example {
                call: r#"matches("1234 AB", r"^\d{4} ?[A-Z]{2}$")"#,
                result: "true",
            },
            Example {
                call: r#"matches("B-1000", r"^\d{4}")"#,
                result: "false",
            },
        ],
        native: matches,
        prepare: Some(prepare_regex),
        ..BASE
    },
    Function {
        name: "regex_find",
        params: params!["text": v(T), "pattern": v(T)],
        returns: Returns::Types(Types::LIST.or(Types::NULL)),
        fallible: true,
        doc: "The first match of a regular expression: a list of the whole match and each group (a group that did not take part is `none`), or `none` when nothing matches.",
        examples: &[
            Example {
                call: r#"regex_find("Order KAS-1042 paid", r"([A-Z]+)-(\d+)")"#,
                result: r#"["KAS-1042", "KAS", "1042"]"#,
            },
            Example {
                call: r#"regex_find("none here", r"\d+")"#,
                result: "null",
            },
        ],
        native: regex_find,
        prepare: Some(prepare_regex),
        ..BASE
    },
    Function {
        name: "regex_replace",
        params: params!["text": v(T), "pattern": v(T), "replacement": v(T)],
        fallible: true,
        doc: "Replaces every match of a regular expression. In the replacement, `$1` or `${name}` stands for a group.",
        examples: &[Example {
            call: r#"regex_replace("06-12 34 56 78", r"[^0-9]", "")"#,
            result: r#""0612345678""#,
        }],
        native: regex_replace,
        prepare: Some(prepare_regex),
        ..BASE
    },
];

/// Keeps `Text` borrowed when the result is a part of a borrowed input.
fn slice<'a>(text: Text<'a>, part: impl FnOnce(&str) -> &str) -> Text<'a> {
    match text {
        Text::Borrowed(borrowed) => Text::Borrowed(part(borrowed)),
        Text::Shared(shared) => {
            let sliced = part(&shared);
            if sliced.len() == shared.len() {
                Text::Shared(shared)
            } else {
                Text::Shared(Arc::from(sliced))
            }
        }
    }
}

fn trim<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    Ok(Value::Text(slice(args.take_text(0)?, str::trim)))
}

fn trim_start<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    Ok(Value::Text(slice(args.take_text(0)?, str::trim_start)))
}

fn trim_end<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    Ok(Value::Text(slice(args.take_text(0)?, str::trim_end)))
}

fn lower<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    let text = args.take_text(0)?;
    if !has_any(&text, u8::is_ascii_uppercase, char::is_uppercase) {
        return Ok(Value::Text(text));
    }
    Ok(Value::Text(rewritten(
        &text,
        str::make_ascii_lowercase,
        str::to_lowercase,
    )))
}

fn upper<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    let text = args.take_text(0)?;
    if !has_any(&text, u8::is_ascii_lowercase, char::is_lowercase) {
        return Ok(Value::Text(text));
    }
    Ok(Value::Text(rewritten(
        &text,
        str::make_ascii_uppercase,
        str::to_uppercase,
    )))
}

/// `text` changed in place when it is ASCII, else changed by `any`.
fn rewritten(text: &str, ascii: fn(&mut str), any: fn(&str) -> String) -> Text<'static> {
    if !text.is_ascii() {
        return Text::from(any(text));
    }
    Text::build(|room| {
        room.push_str(text);
        ascii(room.as_mut_str());
    })
}

/// Whether `text` has a character of a kind: tested byte by byte when the
/// text is ASCII, character by character otherwise.
fn has_any(text: &str, ascii: fn(&u8) -> bool, any: fn(char) -> bool) -> bool {
    if text.is_ascii() {
        text.as_bytes().iter().any(ascii)
    } else {
        text.chars().any(any)
    }
}

fn split<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    let separator = args.text(1)?.to_string();
    if separator.is_empty() {
        return Err(args.invalid("the separator is empty"));
    }
    let text = args.take_text(0)?;
    let parts = match &text {
        Text::Borrowed(borrowed) => borrowed.split(separator.as_str()).map(Value::from).collect(),
        Text::Shared(shared) => shared
            .split(separator.as_str())
            .map(|p| Value::from(p.to_string()))
            .collect(),
    };
    Ok(Value::list(parts))
}

fn join<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    let separator = args.text_or(1, "")?.to_string();
    let items = args.take_list(0)?;
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(&separator);
        }
        if !item.push_text(&mut out) {
            return Err(RecordError::new(
                crate::diagnostics::codes::WRONG_TYPE,
                format!("`join`: element {i} of the list is none"),
            )
            .help("leave none out first: `join(filter(xs, x => x != none), ...)`"));
        }
    }
    Ok(Value::from(out))
}

fn replace<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    let from = args.text(1)?;
    if from.is_empty() {
        return Err(args.invalid("`from` is empty"));
    }
    let replaced = args.text(0)?.replace(from, args.text(2)?);
    Ok(Value::from(replaced))
}

fn pad(args: &mut Args<'_, '_>, at_start: bool) -> Result<String, RecordError> {
    let text = args.text(0)?;
    let width = args.int(1)?;
    let fill = args.text_or(2, " ")?;
    if fill.is_empty() {
        return Err(args.invalid("the fill is empty"));
    }
    let missing = usize::try_from(width).unwrap_or(0).saturating_sub(text.chars().count());
    let padding: String = fill.chars().cycle().take(missing).collect();
    Ok(if at_start {
        padding + text
    } else {
        text.to_string() + &padding
    })
}

fn pad_start<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    pad(args, true).map(Value::from)
}

fn pad_end<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    pad(args, false).map(Value::from)
}

/// Byte offset of character `index` in `text` (or the end).
fn char_offset(text: &str, index: usize) -> usize {
    if text.is_ascii() {
        return index.min(text.len());
    }
    text.char_indices().nth(index).map_or(text.len(), |(offset, _)| offset)
}

/// The number of characters in `text`.
fn char_count(text: &str) -> usize {
    if text.is_ascii() {
        text.len()
    } else {
        text.chars().count()
    }
}

fn substring<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    let start = args.int(1)?;
    let length = match args.get(2) {
        Some(_) => Some(args.int(2)?.max(0) as usize),
        None => None,
    };
    let text = args.take_text(0)?;
    let chars = char_count(&text);
    let start = if start < 0 {
        chars.saturating_sub(start.unsigned_abs() as usize)
    } else {
        (start as usize).min(chars)
    };
    let end = length.map_or(chars, |length| start.saturating_add(length).min(chars));
    Ok(Value::Text(slice(text, |t| {
        &t[char_offset(t, start)..char_offset(t, end)]
    })))
}

fn truncate<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    let max = args.int(1)?.max(0) as usize;
    let text = args.take_text(0)?;
    Ok(Value::Text(slice(text, |t| &t[..char_offset(t, max)])))
}

fn length<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    let count = match args.get(0) {
        Some(Value::Text(text)) => text.chars().count(),
        Some(Value::List(items)) => items.len(),
        Some(Value::Object(object)) => object.len(),
        other => return Err(args.wrong_type(0, other.unwrap_or(&Value::Null))),
    };
    Ok(Value::Int(count as i64))
}

fn starts_with<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    Ok(Value::Bool(args.text(0)?.starts_with(args.text(1)?)))
}

fn ends_with<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    Ok(Value::Bool(args.text(0)?.ends_with(args.text(1)?)))
}

fn contains<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    match args.get(0) {
        Some(Value::Text(_)) => Ok(Value::Bool(args.text(0)?.contains(args.text(1)?))),
        Some(Value::List(items)) => {
            let needle = args.get(1).unwrap_or(&Value::Null);
            Ok(Value::Bool(items.iter().any(|item| item == needle)))
        }
        other => Err(args.wrong_type(0, other.unwrap_or(&Value::Null))),
    }
}

/// Compiles a constant pattern when the flow loads.
pub fn prepare_regex(constants: &[Option<&Value<'static>>]) -> Result<Prepared, (usize, String)> {
    match constants.get(1).copied().flatten() {
        Some(Value::Text(pattern)) => Regex::new(pattern).map(Prepared::Regex).map_err(|error| {
            (
                1,
                format!(
                    "this regular expression does not compile: {}",
                    first_line(&error.to_string())
                ),
            )
        }),
        _ => Ok(Prepared::Nothing),
    }
}

/// The regex crate's message without its drawing of the pattern.
fn first_line(text: &str) -> String {
    let last = text.lines().last().unwrap_or(text).trim();
    last.strip_prefix("error: ").unwrap_or(last).to_string()
}

/// The compiled pattern: prepared when constant, else compiled now.
fn with_regex<'a, T>(args: &Args<'_, 'a>, run: impl FnOnce(&Regex) -> T) -> Result<T, RecordError> {
    if let Prepared::Regex(regex) = args.prepared() {
        return Ok(run(regex));
    }
    let pattern = args.text(1)?;
    let regex = Regex::new(pattern).map_err(|error| {
        args.invalid(format!(
            "the pattern does not compile: {}",
            first_line(&error.to_string())
        ))
    })?;
    Ok(run(&regex))
}

fn matches<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    let text = args.text(0)?;
    with_regex(args, |regex| Value::Bool(regex.is_match(text)))
}

fn regex_find<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    let text = args.text(0)?;
    with_regex(args, |regex| match regex.captures(text) {
        None => Value::Null,
        Some(captures) => Value::list(
            captures
                .iter()
                .map(|group| group.map_or(Value::Null, |m| Value::from(m.as_str().to_string())))
                .collect(),
        ),
    })
}

fn regex_replace<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    let text = args.text(0)?;
    let replacement = args.text(2)?;
    with_regex(args, |regex| {
        Value::from(regex.replace_all(text, replacement).into_owned())
    })
}
