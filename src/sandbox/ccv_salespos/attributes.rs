//! Variants in the CCV sandbox, as CCV's resources describe them:
//!
//! - `attributes` (size, colour) are created with a name and a type; only
//!   option menus make combinations ("additional menus will not be used to
//!   calculate attribute combinations"), text attributes take no values.
//! - `attributevalues` are created below their attribute
//!   (POST `/attributes/{id}/attributevalues`, with a name and a default
//!   price) and carry its `attribute_id`.
//! - A product is given values with POST
//!   `/products/{id}/productattributevalues` (`optionvalue`: the value's
//!   id, and its extra `price`); what is read back names the attribute
//!   and value (`optionid`, `optionvalue_id`, ...), not the product.
//! - CCV makes the product's `attributecombinations` itself: one per
//!   choice of a value of each of its option-menu attributes, each with
//!   its own product number, EAN, SKU and stock, updated with PATCH.

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{Response, StatusCode};
use rust_decimal::Decimal;

use super::{API, Shop, answer, as_id, error, invalid, parse, store};
use crate::value::{Object, Value};

/// The types an attribute may have.
pub const TYPES: &[&str] = &[
    "option_menu",
    "option_menu_required",
    "text",
    "text_required",
    "additional_menu",
    "additional_menu_required",
];

/// The most combinations the sandbox makes of one product.
const MOST_COMBINATIONS: usize = 10_000;

/// The types whose values make combinations.
const COMBINED: &[&str] = &["option_menu", "option_menu_required"];

/// Refuses an attribute of a type CCV does not have.
pub fn check_type(record: &Value<'_>) -> Result<(), Box<Response<Body>>> {
    let kind = record.get("type").and_then(Value::as_str).unwrap_or("");
    if TYPES.contains(&kind) {
        return Ok(());
    }
    Err(Box::new(error(
        400,
        "400.30",
        &format!("The input does not match the schema: type: one of {}", TYPES.join(", ")),
    )))
}

/// One value a product has, with its attribute.
struct Chosen {
    attribute: (i64, String),
    value: (i64, String),
    price: Decimal,
}

impl Shop {
    /// POST `/attributes/{id}/attributevalues`.
    pub(super) fn create_value(&self, attribute_id: &str, body: &str) -> Response<Body> {
        let Some(attribute) = self.find("attributes", attribute_id) else {
            return error(404, "404.10", "Resource not found");
        };
        let mut record = match parse(body) {
            Ok(record) => record.as_object().cloned().unwrap_or_default().into_owned(),
            Err(refused) => return *refused,
        };
        if record.contains_key("attribute_id") {
            return error(
                400,
                "400.30",
                "The input does not match the schema: attribute_id: not allowed",
            );
        }
        let id = attribute.get("id").and_then(as_id).unwrap_or_default();
        record.insert("attribute_id".to_string(), Value::Int(id));
        let record = Value::object(record);
        if let Err(problems) = store::check("ccv_salespos", "attributevalues", &record, true) {
            return invalid(&problems);
        }
        let kind = attribute.get("type").and_then(Value::as_str).unwrap_or("");
        if kind.starts_with("text") {
            return error(
                400,
                "400.30",
                "The input does not match the schema: a text attribute has no values",
            );
        }
        let created = self.insert("attributevalues", &record, Vec::new());
        answer(StatusCode::CREATED, &created)
    }

    /// POST `/products/{id}/productattributevalues`: the product gets a
    /// value, and CCV makes the combinations it adds.
    pub(super) fn give_value(&self, product_id: &str, body: &str) -> Response<Body> {
        let Some(product) = self.find("products", product_id) else {
            return error(404, "404.10", "Resource not found");
        };
        let product_id = product.get("id").and_then(as_id).unwrap_or_default();
        let given = match parse(body) {
            Ok(record) => record,
            Err(refused) => return *refused,
        };
        if let Err(problem) = check_given(&given) {
            return error(
                400,
                "400.30",
                &format!("The input does not match the schema: {problem}"),
            );
        }
        let value_id = given.get("optionvalue").and_then(as_id).unwrap_or_default();
        let Some(value) = self.find("attributevalues", &value_id.to_string()) else {
            return error(
                400,
                "400.30",
                "The input does not match the schema: optionvalue: no such attribute value",
            );
        };
        let attribute_id = value.get("attribute_id").and_then(as_id).unwrap_or_default();
        let Some(attribute) = self.find("attributes", &attribute_id.to_string()) else {
            return error(500, "500.00", "The value's attribute is gone");
        };
        let text = |record: &Value<'_>, field: &str| {
            Value::from(record.get(field).and_then(Value::as_str).unwrap_or("").to_string())
        };
        let position = self.values_of(product_id).len() as i64 + 1;
        let mut stored = Object::new();
        stored.push("optionid", Value::Int(attribute_id));
        stored.push("optionname", text(&attribute, "name"));
        stored.push("optionposition", Value::Int(1));
        stored.push("optionvalue_id", Value::Int(value_id));
        stored.push("optionvalue_name", text(&value, "name"));
        stored.push(
            "position",
            given
                .get("position")
                .cloned()
                .unwrap_or(Value::Int(position))
                .into_owned(),
        );
        stored.push(
            "price",
            given.get("price").cloned().unwrap_or(Value::Int(0)).into_owned(),
        );
        stored.push("enable", Value::Bool(true));
        let created = self.insert("productattributevalues", &Value::object(stored), Vec::new());
        if let Some(id) = created.get("id").and_then(as_id) {
            self.owners.lock().unwrap().insert(id, product_id);
        }
        self.combine(product_id);
        answer(StatusCode::CREATED, &created)
    }

    /// The values a product has, in the order it was given them.
    fn values_of(&self, product_id: i64) -> Vec<Value<'static>> {
        let owners = self.owners.lock().unwrap();
        self.records
            .lock()
            .unwrap()
            .of("productattributevalues")
            .iter()
            .filter(|record| {
                record
                    .get("id")
                    .and_then(as_id)
                    .and_then(|id| owners.get(&id))
                    .is_some_and(|owner| *owner == product_id)
            })
            .cloned()
            .collect()
    }

    /// Makes the combinations a product's values call for that it lacks:
    /// one per choice of a value of each option-menu attribute.
    fn combine(&self, product_id: i64) {
        let mut attributes: Vec<Vec<Chosen>> = Vec::new();
        for given in self.values_of(product_id) {
            let attribute_id = given.get("optionid").and_then(as_id).unwrap_or_default();
            let Some(attribute) = self.find("attributes", &attribute_id.to_string()) else {
                continue;
            };
            if !COMBINED.contains(&attribute.get("type").and_then(Value::as_str).unwrap_or("")) {
                continue;
            }
            let name =
                |record: &Value<'_>, field: &str| record.get(field).and_then(Value::as_str).unwrap_or("").to_string();
            let chosen = Chosen {
                attribute: (attribute_id, name(&given, "optionname")),
                value: (
                    given.get("optionvalue_id").and_then(as_id).unwrap_or_default(),
                    name(&given, "optionvalue_name"),
                ),
                price: decimal(given.get("price")),
            };
            match attributes
                .iter_mut()
                .find(|values| values[0].attribute.0 == attribute_id)
            {
                Some(values) => values.push(chosen),
                None => attributes.push(vec![chosen]),
            }
        }
        // CCV would not pair a product's values into more than this.
        let count: usize = attributes.iter().map(Vec::len).product();
        if count > MOST_COMBINATIONS {
            return;
        }
        let wanted: Vec<BTreeSet<i64>> = choices(&attributes)
            .iter()
            .map(|choice| choice.iter().map(|chosen| chosen.value.0).collect())
            .collect();
        // A combination of fewer attributes than the product has now is
        // replaced by those of all of them.
        let existing: Vec<BTreeSet<i64>> = {
            let mut records = self.records.lock().unwrap();
            let combinations = records.of_mut("attributecombinations");
            combinations.retain(|combination| {
                combination.get("product_id").and_then(as_id) != Some(product_id)
                    || wanted.contains(&value_ids(combination))
            });
            combinations
                .iter()
                .filter(|combination| combination.get("product_id").and_then(as_id) == Some(product_id))
                .map(value_ids)
                .collect()
        };
        if attributes.is_empty() {
            return;
        }
        for choice in choices(&attributes) {
            let ids: BTreeSet<i64> = choice.iter().map(|chosen| chosen.value.0).collect();
            if existing.contains(&ids) {
                continue;
            }
            let link = |kind: &str, (id, name): &(i64, String)| {
                let mut part = Object::new();
                part.push("id", Value::Int(*id));
                part.push("name", Value::from(name.clone()));
                part.push("href", Value::from(format!("{}{API}/{kind}/{id}", self.base)));
                Value::object(part)
            };
            let parts: Vec<Value<'static>> = choice
                .iter()
                .map(|chosen| {
                    let mut part = Object::new();
                    part.push("attribute", link("attributes", &chosen.attribute));
                    part.push("attribute_value", link("attributevalues", &chosen.value));
                    part.push("extra_price", Value::Decimal(chosen.price));
                    Value::object(part)
                })
                .collect();
            let mut combination = Object::new();
            combination.push("note", Value::from(String::new()));
            combination.push("product_id", Value::Int(product_id));
            combination.push("stock", Value::Int(0));
            combination.push(
                "netto_extra_price",
                Value::Decimal(choice.iter().map(|chosen| chosen.price).sum()),
            );
            combination.push("ordering_without_stock", Value::from("global_setting".to_string()));
            combination.push("product_number", Value::from(String::new()));
            combination.push("ean_number", Value::from(String::new()));
            combination.push("sku_number", Value::from(String::new()));
            combination.push("active", Value::Bool(true));
            combination.push("combination", Value::list(parts));
            self.insert("attributecombinations", &Value::object(combination), Vec::new());
        }
    }
}

/// The body of POST `/products/{id}/productattributevalues`, as CCV's
/// input describes it: `optionvalue` (an attribute value's id) and its
/// extra `price`, required; `position` and the deprecated `enable`.
fn check_given(given: &Value<'_>) -> Result<(), String> {
    let Some(fields) = given.as_object() else {
        return Err("the body is an object".to_string());
    };
    for (name, value) in fields.iter() {
        let fits = match name {
            "optionvalue" | "position" => matches!(value, Value::Int(_)),
            "price" => matches!(value, Value::Int(_) | Value::Decimal(_)),
            "enable" => matches!(value, Value::Bool(_)),
            _ => return Err(format!("{name}: not a field of the input")),
        };
        if !fits {
            return Err(format!("{name}: a value of the wrong type"));
        }
    }
    for required in ["optionvalue", "price"] {
        if !fields.contains_key(required) {
            return Err(format!("{required}: required"));
        }
    }
    Ok(())
}

/// The ids of the attribute values a combination is made of.
fn value_ids(combination: &Value<'_>) -> BTreeSet<i64> {
    combination
        .get("combination")
        .and_then(Value::as_list)
        .into_iter()
        .flatten()
        .filter_map(|part| {
            part.get("attribute_value")
                .and_then(|value| value.get("id"))
                .and_then(as_id)
        })
        .collect()
}

/// Every choice of one value per attribute.
fn choices(attributes: &[Vec<Chosen>]) -> Vec<Vec<&Chosen>> {
    let mut all: Vec<Vec<&Chosen>> = vec![Vec::new()];
    for values in attributes {
        all = all
            .into_iter()
            .flat_map(|choice| {
                values.iter().map(move |value| {
                    let mut next = choice.clone();
                    next.push(value);
                    next
                })
            })
            .collect();
    }
    all
}

fn decimal(value: Option<&Value<'_>>) -> Decimal {
    match value {
        Some(Value::Int(int)) => Decimal::from(*int),
        Some(Value::Decimal(decimal)) => *decimal,
        _ => Decimal::ZERO,
    }
}
