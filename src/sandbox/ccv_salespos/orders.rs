//! Orders made through the CCV sandbox, as CCV's POST `/orders` input
//! describes them (`internal.resource.orders.post`), and the order list's
//! range of creation dates.
//!
//! - The input takes the fields CCV lists (others are refused), the
//!   customer's personal info (`customer`) or a user (`user_id`, which must
//!   exist), and the rows (`orderrows`): each a `count` and a `product_id`
//!   whose product fills in the row (a `price`, `discount`, `tax`, ... given
//!   overrules it); a row without a product needs its `price`, `tax` and
//!   `package_id`.
//! - A completed order (the default) gets the next order number; every
//!   order gets its `create_date` (now, UTC), its totals and its rows,
//!   served as `/orders/{id}/orderrows`.
//! - `min_create_date` / `max_create_date` bound the list by `create_date`,
//!   both inclusive; a date alone is its whole day.

use axum::body::Body;
use axum::http::{Response, StatusCode};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use rust_decimal::Decimal;

use super::{API, Shop, Stats, answer, as_id, error, moment, parse};
use crate::value::{Object, Value};

/// The fields of CCV's order input.
const INPUT: &[&str] = &[
    "invoicenumber",
    "is_completed",
    "paid",
    "safety_deposit_returned",
    "total_shipping",
    "paymethod_costs",
    "extra_costs",
    "extra_costs_description",
    "taxes_included",
    "order_row_taxes_included",
    "shipping_taxes_included",
    "is_intra_community_order",
    "currency",
    "is_platform_sale",
    "orderedinlng",
    "status",
    "track_and_trace_code",
    "track_and_trace_carrier",
    "deliver_date",
    "deliver_method",
    "takeoutslot",
    "reservationnumber",
    "customer",
    "user_id",
    "orderrows",
];

/// The fields of an order row's input.
const ROW_INPUT: &[&str] = &[
    "product_type",
    "auto_create_deposit_rows",
    "product_id",
    "product_name",
    "product_number",
    "count",
    "price",
    "product_purchase_price",
    "discount",
    "tax",
    "unit",
    "weight",
    "memo",
    "package_id",
    "attribute_combination_id",
];

const DELIVER_METHODS: &[&str] = &["shipping", "delivery", "pickup"];

type Refusal = Box<Response<Body>>;

fn refused(message: impl std::fmt::Display) -> Refusal {
    Box::new(error(
        400,
        "400.30",
        &format!("The input does not match the schema: {message}"),
    ))
}

fn number(value: Option<&Value<'_>>, field: &str) -> Result<Option<Decimal>, Refusal> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Int(int)) => Ok(Some(Decimal::from(*int))),
        Some(Value::Decimal(decimal)) => Ok(Some(*decimal)),
        Some(_) => Err(refused(format!("{field}: a number"))),
    }
}

impl Shop {
    /// POST `/orders`.
    pub(super) fn create_order(&self, body: &str) -> Response<Body> {
        match self.order_of(body) {
            Ok(order) => answer(StatusCode::CREATED, &order),
            Err(refusal) => *refusal,
        }
    }

    fn order_of(&self, body: &str) -> Result<Value<'static>, Refusal> {
        let input = parse(body)?;
        let Some(fields) = input.as_object() else {
            return Err(refused("an object"));
        };
        if let Some((name, _)) = fields.iter().find(|(name, _)| !INPUT.contains(name)) {
            return Err(refused(format!("{name}: not allowed")));
        }
        for flag in ["is_completed", "paid", "taxes_included", "order_row_taxes_included"] {
            if !matches!(fields.get(flag), None | Some(Value::Null | Value::Bool(_))) {
                return Err(refused(format!("{flag}: a boolean")));
            }
        }
        if let Some(method) = fields.get("deliver_method").filter(|value| !value.is_null())
            && !method.as_str().is_some_and(|method| DELIVER_METHODS.contains(&method))
        {
            return Err(refused(format!(
                "deliver_method: one of {}",
                DELIVER_METHODS.join(", ")
            )));
        }
        let status = match fields.get("status") {
            None | Some(Value::Null) => 1,
            Some(Value::Int(status)) if (1..=14).contains(status) => *status,
            Some(_) => return Err(refused("status: a number from 1 to 14")),
        };
        if let Some(customer) = fields.get("customer").filter(|value| !value.is_null())
            && customer.as_object().is_none()
        {
            return Err(refused("customer: an object"));
        }
        if let Some(user) = fields.get("user_id").filter(|value| !value.is_null()) {
            let user = as_id(user).map(|id| id.to_string()).unwrap_or_default();
            if self.find("users", &user).is_none() {
                return Err(refused("user_id: no such users resource"));
            }
        }
        let rows = match fields.get("orderrows") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::List(rows)) => rows
                .iter()
                .enumerate()
                .map(|(index, row)| self.row_of(row, index))
                .collect::<Result<Vec<_>, _>>()?,
            Some(_) => return Err(refused("orderrows: an array")),
        };
        let rows_total: Decimal = rows.iter().map(|(_, total)| *total).sum();
        let extra = |field: &str| number(fields.get(field), field).map(Option::unwrap_or_default);
        let shipping = extra("total_shipping")?;
        let total = rows_total + shipping + extra("extra_costs")? + extra("paymethod_costs")?;
        let completed = !matches!(fields.get("is_completed"), Some(Value::Bool(false)));

        let mut order = Object::new();
        for (name, value) in fields.iter() {
            if !matches!(name, "orderrows" | "user_id" | "takeoutslot") {
                order.push(name.to_string(), value.clone().into_owned());
            }
        }
        order.insert("status".to_string(), Value::Int(status));
        order.insert("is_completed".to_string(), Value::Bool(completed));
        if !order.contains_key("paid") {
            order.insert("paid".to_string(), Value::Bool(false));
        }
        let now = Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
        order.insert("create_date".to_string(), Value::from(now));
        order.insert("total_orderrow_price".to_string(), Value::Decimal(rows_total));
        order.insert("total_shipping".to_string(), Value::Decimal(shipping));
        order.insert("total_price".to_string(), Value::Decimal(total));
        if let Some(user) = fields.get("user_id").and_then(as_id) {
            let mut link = Object::new();
            link.push("id", Value::Int(user));
            link.push("href", Value::from(format!("{}{API}/users/{user}", self.base)));
            order.insert("user".to_string(), Value::object(link));
        }
        // Numbered, stored and given its rows at once: two orders made at
        // the same moment get numbers of their own, and an order is never
        // read without its rows.
        let mut records = self.records.lock().unwrap();
        let held = records.of_mut("orders");
        let largest = |field: &str| {
            held.iter()
                .filter_map(|order| order.get(field).and_then(as_id))
                .max()
                .unwrap_or(0)
        };
        let id = largest("id") + 1;
        if completed {
            let number = largest("ordernumber") + 1;
            order.insert("ordernumber".to_string(), Value::Int(number));
            order.insert("ordernumber_prefix".to_string(), Value::from("SB".to_string()));
            order.insert("ordernumber_full".to_string(), Value::from(format!("SB-{number}")));
        }
        order.insert(
            "href".to_string(),
            Value::from(format!("{}{API}/orders/{id}", self.base)),
        );
        order.insert("id".to_string(), Value::Int(id));
        let mut link = Object::new();
        link.push("href", Value::from(format!("{}{API}/orders/{id}/orderrows", self.base)));
        order.insert("orderrows".to_string(), Value::object(link));
        let rows: Vec<Value<'static>> = rows
            .into_iter()
            .enumerate()
            .map(|(index, (mut row, _))| {
                row.insert("id".to_string(), Value::Int(id * 1000 + index as i64 + 1));
                row.insert("order_id".to_string(), Value::Int(id));
                Value::object(row)
            })
            .collect();
        self.rows.lock().unwrap().insert(id, rows);
        let order = Value::object(order);
        held.push(order.clone());
        Stats::count(&self.stats.created);
        Ok(order)
    }

    /// One row of the input, as the order will hold it, with its total.
    fn row_of(&self, row: &Value<'_>, index: usize) -> Result<(Object<'static>, Decimal), Refusal> {
        let at = |field: &str| format!("orderrows[{index}].{field}");
        let Some(fields) = row.as_object() else {
            return Err(refused(format!("orderrows[{index}]: an object")));
        };
        if let Some((name, _)) = fields.iter().find(|(name, _)| !ROW_INPUT.contains(name)) {
            return Err(refused(format!("{}: not allowed", at(name))));
        }
        let Some(count) = number(fields.get("count"), &at("count"))? else {
            return Err(refused(format!("{}: required", at("count"))));
        };
        let product = match fields.get("product_id").filter(|value| !value.is_null()) {
            Some(id) => {
                let id = as_id(id).map(|id| id.to_string()).unwrap_or_default();
                let Some(product) = self.find("products", &id) else {
                    return Err(refused(format!("{}: no such products resource", at("product_id"))));
                };
                Some(product)
            }
            None => {
                for needed in ["price", "tax", "package_id"] {
                    if fields.get(needed).is_none_or(Value::is_null) {
                        return Err(refused(format!("{}: required without a product_id", at(needed))));
                    }
                }
                None
            }
        };
        let given = |field: &str| fields.get(field).filter(|value| !value.is_null()).cloned();
        let of_product = |field: &str| product.as_ref().and_then(|product| product.get(field)).cloned();
        let price = number(given("price").or_else(|| of_product("price")).as_ref(), &at("price"))?.unwrap_or_default();
        let discount = number(given("discount").as_ref(), &at("discount"))?.unwrap_or_default();
        let tax = number(given("tax").or_else(|| of_product("vatrate")).as_ref(), &at("tax"))?;
        let mut held = Object::new();
        if let Some(product) = &product {
            held.push(
                "product_id",
                product.get("id").cloned().unwrap_or(Value::Null).into_owned(),
            );
        }
        let name = given("product_name")
            .or_else(|| of_product("name"))
            .unwrap_or(Value::Null);
        let productnumber = given("product_number")
            .or_else(|| of_product("productnumber"))
            .unwrap_or(Value::Null);
        held.push("product_name", name.into_owned());
        held.push("product_number", productnumber.into_owned());
        held.push("count", Value::Decimal(count));
        held.push("price", Value::Decimal(price));
        held.push(
            "original_price",
            of_product("price").unwrap_or(Value::Decimal(price)).into_owned(),
        );
        held.push("custom_price", Value::Bool(given("price").is_some()));
        held.push("discount", Value::Decimal(discount));
        held.push("tax", tax.map_or(Value::Null, Value::Decimal));
        for field in ["memo", "unit", "package_id", "attribute_combination_id"] {
            if let Some(value) = given(field).or_else(|| of_product(field)) {
                held.push(field, value.into_owned());
            }
        }
        Ok((held, count * (price - discount)))
    }
}

/// The orders created within `min_create_date` and `max_create_date`, when
/// the query gives them; an error answer for a bound that is no date.
pub(super) fn created_within(
    records: &mut Vec<Value<'static>>,
    pairs: &[(String, String)],
) -> Result<(), Box<Response<Body>>> {
    for (parameter, end_of_day) in [("min_create_date", false), ("max_create_date", true)] {
        let Some((_, bound)) = pairs.iter().find(|(name, _)| name == parameter) else {
            continue;
        };
        let Some(bound) = bound_of(bound, end_of_day) else {
            return Err(Box::new(error(
                400,
                "400.20",
                &format!("{parameter} is not a date (2024-03-14 or 2024-03-14T10:21:33Z)"),
            )));
        };
        records.retain(|order| {
            let created = order.get("create_date").and_then(Value::as_str).and_then(moment);
            match created {
                Some(created) if end_of_day => created <= bound,
                Some(created) => created >= bound,
                None => false,
            }
        });
    }
    Ok(())
}

/// A bound as a moment: a date is its first moment (its last for a
/// maximum).
fn bound_of(text: &str, end_of_day: bool) -> Option<DateTime<Utc>> {
    if let Some(moment) = moment(text) {
        return Some(moment);
    }
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    let time = if end_of_day {
        NaiveTime::from_hms_opt(23, 59, 59)?
    } else {
        NaiveTime::MIN
    };
    Some(date.and_time(time).and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn orders() -> Vec<Value<'static>> {
        [
            "2024-03-13T23:59:59Z",
            "2024-03-14T00:00:00Z",
            "2024-03-15T10:00:00+01:00",
            "not a date",
        ]
        .into_iter()
        .map(|created| {
            let mut order = Object::new();
            order.push("create_date", Value::from(created.to_string()));
            Value::object(order)
        })
        .collect()
    }

    fn within(query: &[(&str, &str)]) -> Result<Vec<String>, u16> {
        let pairs: Vec<(String, String)> = query.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let mut records = orders();
        match created_within(&mut records, &pairs) {
            Ok(()) => Ok(records
                .iter()
                .map(|order| order.get("create_date").and_then(Value::as_str).unwrap().to_string())
                .collect()),
            Err(response) => Err(response.status().as_u16()),
        }
    }

    #[test]
    fn bounds_are_inclusive_and_a_date_is_its_whole_day() {
        assert_eq!(
            within(&[("min_create_date", "2024-03-14")]).unwrap(),
            ["2024-03-14T00:00:00Z", "2024-03-15T10:00:00+01:00"]
        );
        assert_eq!(
            within(&[("max_create_date", "2024-03-14")]).unwrap(),
            ["2024-03-13T23:59:59Z", "2024-03-14T00:00:00Z"]
        );
        assert_eq!(
            within(&[
                ("min_create_date", "2024-03-15T09:00:00Z"),
                ("max_create_date", "2024-03-15T09:00:00Z")
            ])
            .unwrap(),
            ["2024-03-15T10:00:00+01:00"]
        );
        assert_eq!(within(&[]).unwrap().len(), 4);
    }

    #[test]
    fn a_bound_that_is_no_date_is_refused() {
        assert_eq!(within(&[("min_create_date", "yesterday")]), Err(400));
    }
}
