//! CCV's error answers: `{"status": 429, "code": "429.10",
//! "developermessage": "...", "usermessage": "..."}`, and what their codes
//! mean where the HTTP status alone does not tell.

use crate::connectors::http::Incoming;
use crate::connectors::{ErrorKind, VendorError};
use crate::value::json;

/// The vendor's words in an error answer, and its kind by CCV's code.
pub fn read(response: &Incoming) -> (VendorError, Option<ErrorKind>) {
    let Ok(body) = json::parse(&response.body) else {
        return (VendorError::default(), None);
    };
    let text = |name: &str| body.get(name).and_then(|value| value.to_text()).map(|t| t.into_owned());
    let code = text("code");
    let message = text("developermessage").or_else(|| text("usermessage"));
    let kind = code.as_deref().and_then(kind_of);
    (
        VendorError {
            code,
            message,
            fields: Vec::new(),
        },
        kind,
    )
}

/// The kind of failure a CCV error code names, where it differs from what
/// its status says (CCV answers some refusals with a 500).
fn kind_of(code: &str) -> Option<ErrorKind> {
    Some(match code {
        // Too many requests: for this resource, or in all.
        "429.10" | "429.11" | "500.10" => ErrorKind::RateLimited,
        // The property exists already.
        "500.40" => ErrorKind::Conflict,
        // Product limit, payload too big, method not allowed on the
        // resource, read-only resource, not implemented: what was asked
        // cannot be done.
        "500.20" | "500.60" | "500.70" | "500.80" | "501.10" | "501.20" | "501.30" | "405.10" => ErrorKind::Invalid,
        // An app the call needs is not installed.
        "500.90" => ErrorKind::Forbidden,
        _ => return None,
    })
}

/// Whether an error answer says the value sent is the value held already
/// (CCV's `500.50`): for an update, nothing to do.
pub fn is_same_value(vendor: Option<&VendorError>) -> bool {
    vendor.and_then(|vendor| vendor.code.as_deref()) == Some("500.50")
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::StatusCode;
    use reqwest::header::HeaderMap;

    fn answer(status: u16, body: &str) -> Incoming {
        Incoming {
            status: StatusCode::from_u16(status).unwrap(),
            headers: HeaderMap::new(),
            body: body.to_string(),
        }
    }

    #[test]
    fn codes_name_the_kind_where_the_status_does_not() {
        let (said, kind) = read(&answer(
            500,
            r#"{"status": 500, "code": "500.10", "developermessage": "Unknown rate limit reached"}"#,
        ));
        assert_eq!(kind, Some(ErrorKind::RateLimited));
        assert_eq!(said.code.as_deref(), Some("500.10"));
        assert_eq!(said.message.as_deref(), Some("Unknown rate limit reached"));
        assert_eq!(
            read(&answer(429, r#"{"code": "429.11"}"#)).1,
            Some(ErrorKind::RateLimited)
        );
        assert_eq!(read(&answer(404, r#"{"code": "404.10"}"#)).1, None);
        assert_eq!(
            read(&answer(502, "<html>bad gateway</html>")),
            (VendorError::default(), None)
        );
    }
}
