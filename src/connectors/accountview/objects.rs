//! AccountView's business objects, and its two shapes of a record.
//!
//! Each entity is a business object (`AR1` debtors) over a table
//! (`CONTACT`), sales orders with a detail table (`SO_LINE`) beside the
//! header (`SO_HDR`), sales invoices as journal pages (`DJ_PAGE`) with
//! their lines (`DJ_LINE`). Reads come as `{"CONTACT": [{field: value}]}`, a
//! detail table's rows in their own array; flowc gives a record with its
//! detail rows as a list under the detail table's name. Writes go as the
//! table definition (each field's name and type code) and the values in
//! that order, header and detail rows together, linked by `RowId` and
//! `HeaderId`.

use crate::connectors::schema::{EntitySchema, FieldSchema};
use crate::value::{Object, Value};

/// A business object and its tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BusinessObject {
    /// Its code (`AR1`).
    pub code: &'static str,
    /// The table of its records (`CONTACT`).
    pub table: &'static str,
    /// The detail table of its lines, where it has one (`SO_LINE`).
    pub detail: Option<&'static str>,
}

/// The business object of an entity.
pub fn of(entity: &str) -> Option<BusinessObject> {
    let (code, table, detail) = match entity {
        "debtors" => ("AR1", "CONTACT", None),
        "articles" => ("AK1", "ARTICLE", None),
        "article_groups" => ("AG1", "ART_GRP", None),
        "sales_orders" => ("SO1", "SO_HDR", Some("SO_LINE")),
        "sales_invoices" => ("DJ2", "DJ_PAGE", Some("DJ_LINE")),
        // Not checked against a live AccountView: see docs/connectors.md.
        "vat_codes" => ("VT1", "VAT", None),
        _ => return None,
    };
    Some(BusinessObject { code, table, detail })
}

/// The records of an answer: the table's rows, each with its detail rows
/// (those whose `HeaderId` is the row's `RowId`, or that carry the row's
/// id) as a list.
pub fn records(object: BusinessObject, id_field: &str, answer: &Value<'_>) -> Option<Vec<Value<'static>>> {
    let rows = answer.get(object.table)?.as_list()?;
    let Some(detail) = object.detail else {
        return Some(rows.iter().map(|row| row.clone().into_owned()).collect());
    };
    let lines = answer.get(detail).and_then(Value::as_list).unwrap_or(&[]);
    let same =
        |a: Option<&Value<'_>>, b: Option<&Value<'_>>| match (a.and_then(Value::to_text), b.and_then(Value::to_text)) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        };
    let records = rows
        .iter()
        .map(|row| {
            let mut record = row.as_object().cloned().unwrap_or_default();
            let mine: Vec<Value<'static>> = lines
                .iter()
                .filter(|line| {
                    same(line.get(id_field), row.get(id_field)) || same(line.get("HeaderId"), row.get("RowId"))
                })
                .map(|line| line.clone().into_owned())
                .collect();
            if record.get(detail).is_none() {
                record.push(detail.to_string(), Value::list(mine));
            }
            Value::object(record).into_owned()
        })
        .collect();
    Some(records)
}

/// The body of a write: the record's fields as a table definition and one
/// row of values, its detail list as detail rows. `id` is the key of the
/// record an update overwrites.
pub fn body(
    object: BusinessObject,
    schema: &EntitySchema,
    record: &Value<'_>,
    id: Option<&str>,
    book_date: &str,
) -> Value<'static> {
    let empty = Object::new();
    let fields = record.as_object().unwrap_or(&empty);
    let mut names = vec!["RowId".to_string()];
    let mut values = vec![Value::from("1".to_string())];
    let mut definition = vec![field("RowId", "C")];
    for (name, value) in fields.iter() {
        if Some(name) == object.detail {
            continue;
        }
        definition.push(field(name, type_code(schema.fields.get(name), value)));
        names.push(name.to_string());
        values.push(value.clone().into_owned());
    }

    let mut table = Object::new();
    table.push("Definition", definition_of(object.table, definition));
    let mut data = Object::new();
    data.push("Data", rows(vec![values]));

    if let Some(detail) = object.detail {
        let lines = fields.get(detail).and_then(Value::as_list).unwrap_or(&[]);
        let line_schema = schema
            .fields
            .get(detail)
            .and_then(|field| field.items.as_deref())
            .and_then(|items| items.fields.as_ref());
        // The union of the lines' fields, in the order first met.
        let mut line_fields: Vec<(String, &'static str)> = Vec::new();
        for line in lines {
            for (name, value) in line.as_object().into_iter().flat_map(|fields| fields.iter()) {
                if !line_fields.iter().any(|(known, _)| known == name) && !matches!(name, "RowId" | "HeaderId") {
                    let schema = line_schema.and_then(|fields| fields.get(name));
                    line_fields.push((name.to_string(), type_code(schema, value)));
                }
            }
        }
        let mut detail_definition = vec![field("RowId", "C"), field("HeaderId", "C")];
        detail_definition.extend(line_fields.iter().map(|(name, code)| field(name, code)));
        let detail_rows = lines
            .iter()
            .enumerate()
            .map(|(at, line)| {
                let mut values = vec![Value::from((at + 1).to_string()), Value::from("1".to_string())];
                values.extend(
                    line_fields
                        .iter()
                        .map(|(name, _)| line.get(name).cloned().map_or(Value::Null, Value::into_owned)),
                );
                values
            })
            .collect();
        table.push(
            "DetailDefinitions",
            Value::list(vec![definition_of(detail, detail_definition)]),
        );
        data.push("DetailData", Value::list(vec![rows(detail_rows)]));
    }

    let mut body = Object::new();
    body.push("BookDate", Value::from(book_date.to_string()));
    body.push("BusinessObject", Value::from(object.code.to_string()));
    if let Some(id) = id {
        body.push("id", Value::from(id.to_string()));
    }
    body.push("Table", Value::object(table));
    body.push("TableData", Value::object(data));
    Value::object(body)
}

/// AccountView's type code of a field: the one its data dictionary gives,
/// else one that fits the value.
fn type_code(schema: Option<&FieldSchema>, value: &Value<'_>) -> &'static str {
    let known = schema.and_then(|field| field.vendor_type.as_deref());
    match (known, value) {
        (Some("C"), _) => "C",
        (Some("M"), _) => "M",
        (Some("N"), _) => "N",
        (Some("Y"), _) => "Y",
        (Some("B"), _) => "B",
        (Some("I"), _) => "I",
        (Some("L"), _) => "L",
        (Some("D"), _) => "D",
        (Some("T"), _) => "T",
        (_, Value::Bool(_)) => "L",
        (_, Value::Int(_) | Value::Decimal(_)) => "N",
        (_, Value::Date(_)) => "D",
        (_, Value::DateTime(_)) => "T",
        _ => "C",
    }
}

fn field(name: &str, code: &str) -> Value<'static> {
    let mut entry = Object::with_capacity(2);
    entry.push("Name", Value::from(name.to_string()));
    entry.push("FieldType", Value::from(code.to_string()));
    Value::object(entry)
}

fn definition_of(name: &str, fields: Vec<Value<'static>>) -> Value<'static> {
    let mut definition = Object::with_capacity(2);
    definition.push("Name", Value::from(name.to_string()));
    definition.push("Fields", Value::list(fields));
    Value::object(definition)
}

fn rows(rows: Vec<Vec<Value<'static>>>) -> Value<'static> {
    let rows = rows
        .into_iter()
        .map(|values| {
            let mut row = Object::with_capacity(1);
            row.push("Values", Value::list(values));
            Value::object(row)
        })
        .collect();
    let mut holder = Object::with_capacity(1);
    holder.push("Rows", Value::list(rows));
    Value::object(holder)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connectors::schema::Catalog;
    use crate::value::json;

    #[test]
    fn a_sales_order_is_written_as_definitions_and_positional_values() {
        let schema = Catalog::builtin().entity("accountview", "sales_orders").unwrap();
        let order = json::parse(
            r#"{"RPL_INV": "10023", "ORD_DATE": "2024-03-14T10:30:00", "PD_AMT": 0, "SO_LINE": [{"ART_CODE": "100234", "ORD_QTY": 3, "ART_PX": 4.95}, {"ART_CODE": "200871", "ORD_QTY": 1}]}"#,
        )
        .unwrap();
        let body = body(
            of("sales_orders").unwrap(),
            schema,
            &order,
            None,
            "2024-03-14T10:30:00.000Z",
        );
        assert_eq!(
            json::to_string(&body),
            concat!(
                r#"{"BookDate":"2024-03-14T10:30:00.000Z","BusinessObject":"SO1","Table":{"Definition":{"Name":"SO_HDR","Fields":["#,
                r#"{"Name":"RowId","FieldType":"C"},{"Name":"RPL_INV","FieldType":"C"},{"Name":"ORD_DATE","FieldType":"T"},{"Name":"PD_AMT","FieldType":"N"}]},"#,
                r#""DetailDefinitions":[{"Name":"SO_LINE","Fields":[{"Name":"RowId","FieldType":"C"},{"Name":"HeaderId","FieldType":"C"},"#,
                r#"{"Name":"ART_CODE","FieldType":"C"},{"Name":"ORD_QTY","FieldType":"N"},{"Name":"ART_PX","FieldType":"N"}]}]},"#,
                r#""TableData":{"Data":{"Rows":[{"Values":["1","10023","2024-03-14T10:30:00",0]}]},"#,
                r#""DetailData":[{"Rows":[{"Values":["1","1","100234",3,4.95]},{"Values":["2","1","200871",1,null]}]}]}}"#
            )
        );
    }

    #[test]
    fn detail_rows_are_read_into_their_header() {
        let answer = json::parse(
            r#"{"SO_HDR": [{"ORD_NR": "5001", "RowId": "1"}, {"ORD_NR": "5002"}], "SO_LINE": [{"ORD_NR": "5002", "ART_CODE": "A"}, {"HeaderId": "1", "ART_CODE": "B"}]}"#,
        )
        .unwrap();
        let records = records(of("sales_orders").unwrap(), "ORD_NR", &answer).unwrap();
        assert_eq!(
            json::to_string(&Value::list(records)),
            r#"[{"ORD_NR":"5001","RowId":"1","SO_LINE":[{"HeaderId":"1","ART_CODE":"B"}]},{"ORD_NR":"5002","SO_LINE":[{"ORD_NR":"5002","ART_CODE":"A"}]}]"#
        );
        assert!(records_of_nothing().is_none());
    }

    fn records_of_nothing() -> Option<Vec<Value<'static>>> {
        records(
            of("debtors").unwrap(),
            "SUB_NR",
            &json::parse(r#"{"ErrorMessage": "x"}"#).unwrap(),
        )
    }
}
