//! List functions. Those that take a function argument apply it to each
//! element: `filter(rows, row => row.count > 0)`.

use std::sync::Arc;

use super::{Args, Category, Example, Function, Returns, lambda, params, v};
use crate::diagnostics::{RecordError, codes};
use crate::value::{Object, Types, Value};

const BASE: Function = Function {
    name: "",
    category: Category::Lists,
    params: &[],
    variadic: None,
    returns: Returns::Types(Types::LIST),
    fallible: false,
    doc: "",
    examples: &[],
    native: reverse,
    prepare: None,
    special: None,
};

const L: Types = Types::LIST;

pub const FUNCTIONS: &[Function] = &[
    Function {
        name: "filter",
        params: params!["list": v(L), "keep": lambda(1)],
        fallible: true,
        doc: "The elements for which the function gives `true`, in order.",
        examples: &[Example {
            call: "filter([1, 5, 2, 8], x => x > 2)",
            result: "[5, 8]",
        }],
        native: filter,
        ..BASE
    },
    Function {
        name: "map",
        params: params!["list": v(L), "each": lambda(1)],
        fallible: true,
        doc: "The function applied to every element.",
        examples: &[Example {
            call: "map([1, 2, 3], x => x * 10)",
            result: "[10, 20, 30]",
        }],
        native: map,
        ..BASE
    },
    Function {
        name: "first",
        params: params!["list": v(L)],
        returns: Returns::Types(Types::ANY),
        doc: "The first element, or `none` for an empty list.",
        examples: &[
            Example {
                call: r#"first(["a", "b"])"#,
                result: r#""a""#,
            },
            Example {
                call: "first([])",
                result: "null",
            },
        ],
        native: first,
        ..BASE
    },
    Function {
        name: "last",
        params: params!["list": v(L)],
        returns: Returns::Types(Types::ANY),
        doc: "The last element, or `none` for an empty list.",
        examples: &[Example {
            call: r#"last(["a", "b"])"#,
            result: r#""b""#,
        }],
        native: last,
        ..BASE
    },
    Function {
        name: "count",
        params: params!["list": v(L), "which?": lambda(1)],
        returns: Returns::Types(Types::INT),
        fallible: true,
        doc: "The number of elements, or of those for which the function gives `true`.",
        examples: &[
            Example {
                call: "count([1, 2, 3])",
                result: "3",
            },
            Example {
                call: "count([1, 2, 3], x => x > 1)",
                result: "2",
            },
        ],
        native: count,
        ..BASE
    },
    Function {
        name: "distinct",
        params: params!["list": v(L)],
        doc: "The list without repeated elements, keeping the first of each.",
        examples: &[Example {
            call: r#"distinct(["NL", "BE", "NL"])"#,
            result: r#"["NL", "BE"]"#,
        }],
        native: distinct,
        ..BASE
    },
    Function {
        name: "group_by",
        params: params!["list": v(L), "key": lambda(1)],
        fallible: true,
        doc: "Groups elements by a key: a list of `{key, items}` objects, in the order each key first appears. Useful for one order line per VAT rate.",
        examples: &[Example {
            call: "group_by([{rate = 9, amount = 1}, {rate = 21, amount = 2}, {rate = 9, amount = 3}], r => r.rate)",
            result: r#"[{"key": 9, "items": [{"rate": 9, "amount": 1}, {"rate": 9, "amount": 3}]}, {"key": 21, "items": [{"rate": 21, "amount": 2}]}]"#,
        }],
        native: group_by,
        ..BASE
    },
    Function {
        name: "sort_by",
        params: params!["list": v(L), "key": lambda(1)],
        fallible: true,
        doc: "The list sorted by a key, smallest first; elements with equal keys keep their order. Keys must be comparable: all numbers, all text, all dates.",
        examples: &[
            Example {
                call: r#"sort_by(["pear", "fig", "apple"], s => length(s))"#,
                result: r#"["fig", "pear", "apple"]"#,
            },
            Example {
                call: r#"sort_by([1, "a"], x => x)"#,
                result: "error E1002",
            },
        ],
        native: sort_by,
        ..BASE
    },
    Function {
        name: "flatten",
        params: params!["list": v(L)],
        doc: "Lists inside the list replaced by their elements (one level).",
        examples: &[Example {
            call: "flatten([[1, 2], 3, [4]])",
            result: "[1, 2, 3, 4]",
        }],
        native: flatten,
        ..BASE
    },
    Function {
        name: "any",
        params: params!["list": v(L), "test": lambda(1)],
        returns: Returns::Types(Types::BOOL),
        fallible: true,
        doc: "Whether the function gives `true` for at least one element (`false` for an empty list).",
        examples: &[Example {
            call: "any([1, 5], x => x > 3)",
            result: "true",
        }],
        native: any,
        ..BASE
    },
    Function {
        name: "all",
        params: params!["list": v(L), "test": lambda(1)],
        returns: Returns::Types(Types::BOOL),
        fallible: true,
        doc: "Whether the function gives `true` for every element (`true` for an empty list).",
        examples: &[Example {
            call: "all([1, 5], x => x > 3)",
            result: "false",
        }],
        native: all,
        ..BASE
    },
    Function {
        name: "reverse",
        params: params!["list": v(L)],
        doc: "The list in reverse order.",
        examples: &[Example {
            call: "reverse([1, 2, 3])",
            result: "[3, 2, 1]",
        }],
        native: reverse,
        ..BASE
    },
];

/// Applies the predicate at `index`, insisting on a bool.
fn test<'a>(args: &mut Args<'_, 'a>, name: &str, index: usize, item: &Value<'a>) -> Result<bool, RecordError> {
    match args.apply(index, std::slice::from_ref(item))? {
        Value::Bool(b) => Ok(b),
        other => Err(RecordError::new(
            codes::WRONG_TYPE,
            format!(
                "the function given to `{name}` must give a bool, but gave {}: {}",
                other.kind(),
                crate::diagnostics::personal::shown(&other)
            ),
        )),
    }
}

fn filter<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    let items = args.take_list(0)?;
    let mut kept = Vec::new();
    for item in items.iter() {
        if test(args, "filter", 1, item)? {
            kept.push(item.clone());
        }
    }
    Ok(Value::list(kept))
}

fn map<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    let items = args.take_list(0)?;
    let mut mapped = Vec::with_capacity(items.len());
    for item in items.iter() {
        mapped.push(args.apply(1, std::slice::from_ref(item))?);
    }
    Ok(Value::list(mapped))
}

fn first<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    Ok(args.take_list(0)?.first().cloned().unwrap_or_default())
}

fn last<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    Ok(args.take_list(0)?.last().cloned().unwrap_or_default())
}

fn count<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    let has_test = args.len() > 1;
    let items = args.take_list(0)?;
    if !has_test {
        return Ok(Value::Int(items.len() as i64));
    }
    let mut counted = 0;
    for item in items.iter() {
        if test(args, "count", 1, item)? {
            counted += 1;
        }
    }
    Ok(Value::Int(counted))
}

fn distinct<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    let items = args.take_list(0)?;
    let mut seen: Vec<Value<'a>> = Vec::new();
    for item in items.iter() {
        if !seen.contains(item) {
            seen.push(item.clone());
        }
    }
    Ok(Value::list(seen))
}

fn group_by<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    let items = args.take_list(0)?;
    let mut groups: Vec<(Value<'a>, Vec<Value<'a>>)> = Vec::new();
    for item in items.iter() {
        let key = args.apply(1, std::slice::from_ref(item))?;
        match groups.iter_mut().find(|(existing, _)| *existing == key) {
            Some((_, members)) => members.push(item.clone()),
            None => groups.push((key, vec![item.clone()])),
        }
    }
    let groups = groups
        .into_iter()
        .map(|(key, members)| {
            let mut group = Object::with_capacity(2);
            group.push("key", key);
            group.push("items", Value::list(members));
            Value::object(group)
        })
        .collect();
    Ok(Value::list(groups))
}

fn sort_by<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    let items = args.take_list(0)?;
    let mut keyed = Vec::with_capacity(items.len());
    for item in items.iter() {
        keyed.push((args.apply(1, std::slice::from_ref(item))?, item.clone()));
    }
    if let Some((first, _)) = keyed.first()
        && let Some((other, _)) = keyed.iter().find(|(key, _)| first.compare(key).is_none())
    {
        return Err(RecordError::new(
            codes::WRONG_TYPE,
            format!(
                "`sort_by` cannot order {} keys with {} keys ({} and {})",
                first.kind(),
                other.kind(),
                crate::diagnostics::personal::shown(first),
                crate::diagnostics::personal::shown(other)
            ),
        ));
    }
    keyed.sort_by(|(a, _), (b, _)| a.compare(b).unwrap_or(std::cmp::Ordering::Equal));
    Ok(Value::list(keyed.into_iter().map(|(_, item)| item).collect()))
}

fn flatten<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    let items = args.take_list(0)?;
    let mut flat = Vec::with_capacity(items.len());
    for item in items.iter() {
        match item {
            Value::List(inner) => flat.extend(inner.iter().cloned()),
            other => flat.push(other.clone()),
        }
    }
    Ok(Value::list(flat))
}

fn any<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    let items = args.take_list(0)?;
    for item in items.iter() {
        if test(args, "any", 1, item)? {
            return Ok(Value::Bool(true));
        }
    }
    Ok(Value::Bool(false))
}

fn all<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    let items = args.take_list(0)?;
    for item in items.iter() {
        if !test(args, "all", 1, item)? {
            return Ok(Value::Bool(false));
        }
    }
    Ok(Value::Bool(true))
}

fn reverse<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    let items = args.take_list(0)?;
    let mut items = Arc::try_unwrap(items).unwrap_or_else(|shared| (*shared).clone());
    items.reverse();
    Ok(Value::list(items))
}
