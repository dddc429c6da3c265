//! eAccounting's error answers. Its own form is `{"ErrorCode": 4002,
//! "DeveloperErrorMessage": "...", "ErrorId": "..."}`; a request the API's
//! model binding refuses comes back in ASP.NET's form, `{"Message": "...",
//! "ModelState": {"customer.Name": ["..."]}}`, whose messages are per field.
//! Both are read, and messages per field keep their field's name.

use crate::connectors::VendorError;
use crate::value::{Value, json};

pub fn read(body: &str) -> VendorError {
    let Ok(said) = json::parse(body) else {
        return VendorError::default();
    };
    let text = |name: &str| {
        said.get(name)
            .and_then(|value| value.to_text())
            .map(|text| text.into_owned())
    };
    let code = text("ErrorCode");
    let message = text("DeveloperErrorMessage").or_else(|| text("Message"));
    let mut fields = Vec::new();
    for name in ["ModelState", "ValidationErrors"] {
        if let Some(state) = said.get(name).and_then(Value::as_object) {
            for (field, messages) in state.iter() {
                // `customer.Name` names the field of the record sent.
                let field = field.split_once('.').map_or(field, |(_, rest)| rest).to_string();
                match messages {
                    Value::List(messages) => fields.extend(
                        messages
                            .iter()
                            .filter_map(|message| message.to_text())
                            .map(|message| (field.clone(), message.into_owned())),
                    ),
                    other => fields.extend(other.to_text().map(|message| (field.clone(), message.into_owned()))),
                }
            }
        }
    }
    VendorError { code, message, fields }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_forms_are_read_with_their_fields() {
        let said = read(
            r#"{"ErrorCode": 4002, "DeveloperErrorMessage": "Validation failed", "ErrorId": "e-1", "ModelState": {"customer.Name": ["The field Name must be a string with a maximum length of 50."], "InvoiceCity": ["The InvoiceCity field is required."]}}"#,
        );
        assert_eq!(said.code.as_deref(), Some("4002"));
        assert_eq!(said.message.as_deref(), Some("Validation failed"));
        assert_eq!(
            said.fields,
            [
                (
                    "Name".to_string(),
                    "The field Name must be a string with a maximum length of 50.".to_string()
                ),
                (
                    "InvoiceCity".to_string(),
                    "The InvoiceCity field is required.".to_string()
                )
            ]
        );
        let said = read(r#"{"Message": "The request is invalid."}"#);
        assert_eq!(said.message.as_deref(), Some("The request is invalid."));
        assert!(read("<html>").is_empty());
    }
}
