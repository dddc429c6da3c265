//! A product's photos in the CCV sandbox, as CCV's resources describe
//! them (`Productphotos/Post`, `Resource/Productphotos`): created with
//! POST `/products/{id}/productphotos`, the image given as base64 data
//! (`source`, without a `data:` prefix) with its extension (`file_type`),
//! an optional `alttext` and `is_mainphoto`; read below the product, each
//! with the file name CCV gives it. A main photo makes the product's other
//! photos not the main one.

use axum::body::Body;
use axum::http::{Response, StatusCode};
use base64::Engine;

use super::{Shop, answer, as_id, error, parse};
use crate::value::{Object, Value};

/// The extensions CCV takes a photo in.
const FILE_TYPES: &[&str] = &["jpg", "jpeg", "png", "gif", "webp"];

/// The fields of a photo's input.
const INPUT: &[&str] = &["file_type", "alttext", "source", "is_mainphoto"];

fn refused(message: impl std::fmt::Display) -> Response<Body> {
    error(
        400,
        "400.30",
        &format!("The input does not match the schema: {message}"),
    )
}

impl Shop {
    /// POST `/products/{id}/productphotos`.
    pub(super) fn add_photo(&self, product_id: &str, body: &str) -> Response<Body> {
        let Some(product) = self.find("products", product_id) else {
            return error(404, "404.10", "Resource not found");
        };
        let product_id = product.get("id").and_then(as_id).unwrap_or_default();
        let given = match parse(body) {
            Ok(record) => record,
            Err(refusal) => return *refusal,
        };
        let Some(fields) = given.as_object() else {
            return refused("an object");
        };
        if let Some((name, _)) = fields.iter().find(|(name, _)| !INPUT.contains(name)) {
            return refused(format!("{name}: not allowed"));
        }
        let Some(file_type) = fields.get("file_type").and_then(Value::as_str) else {
            return refused("file_type: required");
        };
        if !FILE_TYPES.contains(&file_type.to_ascii_lowercase().as_str()) {
            return refused(format!("file_type: one of {}", FILE_TYPES.join(", ")));
        }
        let Some(source) = fields.get("source").and_then(Value::as_str) else {
            return refused("source: required");
        };
        if source.starts_with("data:") || base64::engine::general_purpose::STANDARD.decode(source).is_err() {
            return refused("source: base64 data, without its data: prefix");
        }
        if !matches!(fields.get("alttext"), None | Some(Value::Null | Value::Text(_))) {
            return refused("alttext: a string");
        }
        let main = match fields.get("is_mainphoto") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(main)) => *main,
            Some(_) => return refused("is_mainphoto: a boolean"),
        };
        if main {
            let mut records = self.records.lock().unwrap();
            for photo in records.of_mut("productphotos") {
                if photo.get("product_id").and_then(as_id) == Some(product_id) {
                    let mut changed = photo.as_object().cloned().unwrap_or_default();
                    changed.insert("is_mainphoto", Value::Bool(false));
                    *photo = Value::object(changed);
                }
            }
        }
        let mut stored = Object::new();
        stored.push("product_id", Value::Int(product_id));
        stored.push(
            "alttext",
            fields.get("alttext").cloned().unwrap_or(Value::Null).into_owned(),
        );
        stored.push("is_mainphoto", Value::Bool(main));
        let created = self.insert("productphotos", &Value::object(stored), Vec::new());
        let id = created.get("id").and_then(as_id).unwrap_or_default();
        let filename = format!("{product_id}-{id}.{}", file_type.to_ascii_lowercase());
        let mut photo = created.as_object().cloned().unwrap_or_default();
        photo.insert("filename", Value::from(filename.clone()));
        photo.insert("deeplink", Value::from(format!("{}/Files/2/{filename}", self.base)));
        let photo = Value::object(photo);
        let mut records = self.records.lock().unwrap();
        if let Some(held) = records
            .of_mut("productphotos")
            .iter_mut()
            .find(|held| held.get("id").and_then(as_id) == Some(id))
        {
            *held = photo.clone();
        }
        answer(StatusCode::CREATED, &photo)
    }
}
