//! XML at MplusKASSA's edge: a SOAP answer read into a small tree of
//! elements ([`Element`]), and records turned from XML into JSON and back
//! by their schema (the WSDL's types): numbers and truth values typed,
//! repeated elements as lists, elements written in the order of their
//! type's sequence. Nothing past this module sees XML.

use std::borrow::Cow;
use std::fmt::Write as _;

use quick_xml::Reader;
use quick_xml::events::Event;

use crate::connectors::schema::{FieldSchema, Fields};
use crate::value::{Object, Value, json};

/// The deepest nesting read; an answer deeper than this is refused.
const DEEPEST: usize = 64;

/// An element: its local name (no prefix), its children, its text.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Element {
    pub name: String,
    pub children: Vec<Element>,
    pub text: String,
}

impl Element {
    /// The first child called `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|child| child.name == name)
    }

    /// Every child called `name`.
    pub fn all<'e>(&'e self, name: &'e str) -> impl Iterator<Item = &'e Element> + 'e {
        self.children.iter().filter(move |child| child.name == name)
    }

    /// The text of the first child called `name`, trimmed.
    pub fn text_of(&self, name: &str) -> Option<&str> {
        self.child(name).map(|child| child.text.trim())
    }

    /// The element at a path of names below this one.
    pub fn at(&self, path: &[&str]) -> Option<&Element> {
        path.iter().try_fold(self, |element, name| element.child(name))
    }
}

/// Reads a document into its root element.
pub fn parse(text: &str) -> Result<Element, String> {
    let mut reader = Reader::from_str(text);
    let mut open: Vec<Element> = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(start)) => {
                if open.len() >= DEEPEST {
                    return Err(format!("the XML nests deeper than {DEEPEST} elements"));
                }
                open.push(Element {
                    name: start.local_name().as_ref().to_string(),
                    ..Element::default()
                });
            }
            Ok(Event::Empty(start)) => {
                let element = Element {
                    name: start.local_name().as_ref().to_string(),
                    ..Element::default()
                };
                match open.last_mut() {
                    Some(parent) => parent.children.push(element),
                    None => return Ok(element),
                }
            }
            Ok(Event::End(_)) => {
                let Some(element) = open.pop() else {
                    return Err("the XML closes an element it did not open".to_string());
                };
                match open.last_mut() {
                    Some(parent) => parent.children.push(element),
                    None => return Ok(element),
                }
            }
            Ok(Event::Text(text)) => {
                if let Some(element) = open.last_mut() {
                    element.text.push_str(&text.xml10_content());
                }
            }
            Ok(Event::CData(data)) => {
                if let Some(element) = open.last_mut() {
                    element.text.push_str(&data.xml10_content());
                }
            }
            Ok(Event::GeneralRef(reference)) => {
                if let Some(element) = open.last_mut() {
                    let name: &str = reference.as_ref();
                    element.text.push_str(
                        &resolve(name)
                            .ok_or_else(|| format!("the XML refers to &{name};, which it does not define"))?,
                    );
                }
            }
            Ok(Event::Eof) => return Err("the XML ends before its root element does".to_string()),
            Ok(_) => {}
            Err(error) => return Err(format!("the answer is not XML ({error})")),
        }
    }
}

/// A character or one of XML's own entities.
fn resolve(name: &str) -> Option<String> {
    let character = match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "apos" => '\'',
        "quot" => '"',
        _ => {
            let number = match name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => name.strip_prefix('#')?.parse().ok()?,
            };
            char::from_u32(number)?
        }
    };
    Some(character.to_string())
}

/// A record from its element, typed by its fields' schema. Elements the
/// schema does not know are kept: as text, or as an object of their own
/// children.
pub fn record(element: &Element, fields: Option<&Fields>) -> Value<'static> {
    let mut object = Object::with_capacity(element.children.len());
    let mut seen: Vec<&str> = Vec::new();
    for child in &element.children {
        if seen.contains(&child.name.as_str()) {
            continue;
        }
        seen.push(&child.name);
        let field = fields.and_then(|fields| fields.get(&child.name));
        let value = match field {
            Some(field) if field.kind == "list" => Value::list(
                element
                    .all(&child.name)
                    .map(|item| value(item, field.items.as_deref()))
                    .collect(),
            ),
            _ if field.is_none() && element.all(&child.name).nth(1).is_some() => {
                Value::list(element.all(&child.name).map(|item| value(item, None)).collect())
            }
            _ => value(child, field),
        };
        object.push(child.name.clone(), value);
    }
    Value::object(object)
}

fn value(element: &Element, field: Option<&FieldSchema>) -> Value<'static> {
    let text = element.text.trim();
    match field.map(|field| field.kind.as_str()) {
        Some("object") => record(element, field.and_then(|field| field.fields.as_ref())),
        Some("int") => text
            .parse::<i64>()
            .map_or_else(|_| Value::from(text.to_string()), Value::Int),
        Some("decimal") => match json::parse(text) {
            Ok(number @ (Value::Int(_) | Value::Decimal(_))) => number.into_owned(),
            _ => Value::from(text.to_string()),
        },
        Some("bool") => match text {
            "true" | "1" => Value::Bool(true),
            "false" | "0" => Value::Bool(false),
            _ => Value::from(text.to_string()),
        },
        Some("text") => Value::from(element.text.clone()),
        _ if !element.children.is_empty() => record(element, None),
        _ => Value::from(element.text.clone()),
    }
}

/// Writes a record's fields as elements in the `ns` prefix, in the order
/// of the schema's sequence (fields it does not know after, as given);
/// lists as repeated elements, nulls left out.
pub fn write_record(out: &mut String, record: &Value<'_>, fields: Option<&Fields>) {
    let Some(object) = record.as_object() else {
        return;
    };
    let mut entries: Vec<(&str, &Value<'_>)> = object.iter().collect();
    let position = |name: &str| {
        fields
            .and_then(|fields| fields.get(name))
            .and_then(|field| field.position)
            .unwrap_or(u32::MAX)
    };
    entries.sort_by_key(|(name, _)| position(name));
    for (name, value) in entries {
        let field = fields.and_then(|fields| fields.get(name));
        match value {
            Value::Null => {}
            Value::List(items) => {
                let item_fields = field
                    .and_then(|field| field.items.as_deref())
                    .and_then(|items| items.fields.as_ref());
                for item in items.iter() {
                    write_element(out, name, item, item_fields);
                }
            }
            _ => write_element(out, name, value, field.and_then(|field| field.fields.as_ref())),
        }
    }
}

/// `<ns:name>value</ns:name>`.
pub fn write_element(out: &mut String, name: &str, value: &Value<'_>, fields: Option<&Fields>) {
    let _ = write!(out, "<ns:{name}>");
    match value {
        Value::Object(_) => write_record(out, value, fields),
        Value::Bool(truth) => out.push_str(if *truth { "true" } else { "false" }),
        other => {
            let text = other.to_text().unwrap_or(Cow::Borrowed(""));
            out.push_str(&quick_xml::escape::escape(text.as_ref()));
        }
    }
    let _ = write!(out, "</ns:{name}>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connectors::schema::Catalog;

    #[test]
    fn an_answer_is_read_by_local_names_with_its_entities() {
        let root = parse(
            r#"<?xml version="1.0"?><S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body><ns:x xmlns:ns="urn:mplusqapi"><ns:name>De Vries &amp; Zn &#233;</ns:name><ns:empty/></ns:x></S:Body></S:Envelope>"#,
        )
        .unwrap();
        let x = root.at(&["Body", "x"]).unwrap();
        assert_eq!(x.text_of("name"), Some("De Vries & Zn é"));
        assert_eq!(x.text_of("empty"), Some(""));
        assert!(parse("<a><b></a>").is_err());
        assert!(parse("not xml at all").is_err());
        let deep = "<a>".repeat(100) + &"</a>".repeat(100);
        assert!(parse(&deep).unwrap_err().contains("deeper"));
    }

    #[test]
    fn records_are_typed_by_their_schema_both_ways() {
        let fields = &Catalog::builtin().entity("mpluskassa", "orders").unwrap().fields;
        let order = json::parse(
            r#"{"lineList": {"line": [{"articleNumber": 100234, "data": {"price": 495, "quantity": 3}}]}, "employeeNumber": 999999, "extOrderId": "KAS-1042 & co"}"#,
        )
        .unwrap();
        let mut xml = String::new();
        write_record(&mut xml, &order, Some(fields));
        assert!(
            xml.find("<ns:extOrderId>").unwrap() < xml.find("<ns:employeeNumber>").unwrap(),
            "in the sequence's order: {xml}"
        );
        assert!(xml.contains("KAS-1042 &amp; co"), "{xml}");
        let element = parse(&format!("<ns:order xmlns:ns=\"urn:mplusqapi\">{xml}</ns:order>")).unwrap();
        let back = record(&element, Some(fields));
        assert_eq!(back.get("employeeNumber"), Some(&Value::Int(999999)));
        assert_eq!(
            json::to_string(back.get("lineList").unwrap()),
            r#"{"line":[{"articleNumber":100234,"data":{"quantity":3,"price":495}}]}"#
        );
    }
}
