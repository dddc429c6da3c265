//! A connector's failure, with structure: what kind of failure it is,
//! whether trying again can help, what the vendor said (its code, its
//! message, its messages per field), and which request failed (method and
//! path, never a query string or a header, so no secret and no filter
//! value).
//!
//! The vendor's own words can repeat values of the record (`'jan@' is not a
//! valid e-mail address`), so they are [`shown`]: the activity log masks
//! them like every value of a record, and keeps the field names.

use std::fmt;
use std::time::Duration;

use serde::Serialize;

use crate::diagnostics::personal::shown;

/// What kind of failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The credentials were refused: wrong, expired or revoked.
    Auth,
    /// The credentials are good but lack the right for this.
    Forbidden,
    NotFound,
    /// The system refused what was sent (a 400 with its reasons).
    Invalid,
    /// It conflicts with what the system holds (a duplicate).
    Conflict,
    /// Too many requests, and still so after waiting as asked.
    RateLimited,
    /// The system is down or failing (5xx, timeouts), and stayed so.
    Unavailable,
    /// The system could not be reached at all (DNS, refused connection, TLS).
    Unreachable,
    /// A write was sent and no answer says whether it was carried out.
    UnknownOutcome,
    /// The system answered something that does not follow its protocol (a
    /// body that is not JSON, a response signature that does not match).
    Protocol,
    /// On this machine: a file, a directory, a setting of the connection.
    Local,
}

impl ErrorKind {
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::Auth => "auth",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::NotFound => "not found",
            ErrorKind::Invalid => "invalid",
            ErrorKind::Conflict => "conflict",
            ErrorKind::RateLimited => "rate limited",
            ErrorKind::Unavailable => "unavailable",
            ErrorKind::Unreachable => "unreachable",
            ErrorKind::UnknownOutcome => "unknown outcome",
            ErrorKind::Protocol => "protocol",
            ErrorKind::Local => "local",
        }
    }
}

/// What the vendor said about the failure.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VendorError {
    /// The vendor's error code (`429.10`, `4002`).
    pub code: Option<String>,
    pub message: Option<String>,
    /// Messages per field of what was sent.
    pub fields: Vec<(String, String)>,
}

impl VendorError {
    pub fn is_empty(&self) -> bool {
        self.code.is_none() && self.message.is_none() && self.fields.is_empty()
    }
}

/// A connector's failure. The details live behind one pointer, so that a
/// `Result` with it stays small.
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConnectorError(Box<Failure>);

/// What a [`ConnectorError`] holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub kind: ErrorKind,
    /// Whether trying the same again later can succeed.
    pub retryable: bool,
    /// What happened, in flowc's words.
    pub message: String,
    pub vendor: Option<VendorError>,
    /// `POST /v2/customers`: the method and the path, nothing more.
    pub request: Option<String>,
    /// How long the system asked to wait before trying again.
    pub retry_after: Option<Duration>,
}

impl std::ops::Deref for ConnectorError {
    type Target = Failure;
    fn deref(&self) -> &Failure {
        &self.0
    }
}

impl std::ops::DerefMut for ConnectorError {
    fn deref_mut(&mut self) -> &mut Failure {
        &mut self.0
    }
}

impl fmt::Debug for ConnectorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl ConnectorError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> ConnectorError {
        ConnectorError(Box::new(Failure {
            kind,
            retryable: matches!(
                kind,
                ErrorKind::RateLimited | ErrorKind::Unavailable | ErrorKind::Unreachable
            ),
            message: message.into(),
            vendor: None,
            request: None,
            retry_after: None,
        }))
    }

    /// A failure on this machine (a file, a setting).
    pub fn local(message: impl Into<String>) -> ConnectorError {
        ConnectorError::new(ErrorKind::Local, message)
    }

    pub fn with_vendor(mut self, vendor: VendorError) -> ConnectorError {
        if !vendor.is_empty() {
            self.vendor = Some(vendor);
        }
        self
    }

    pub fn with_request(mut self, method: &str, path: &str) -> ConnectorError {
        // Only the path: a query holds filter values (an e-mail address).
        let path = path.split('?').next().unwrap_or(path);
        self.request = Some(format!("{method} {path}"));
        self
    }

    /// The error in words for the terminal: whole, without the marks that
    /// let the activity log mask the vendor's words.
    pub fn said(&self) -> String {
        crate::diagnostics::personal::unmark(self.to_string()).0
    }

    pub fn retryable(mut self, retryable: bool) -> ConnectorError {
        self.retryable = retryable;
        self
    }
}

impl fmt::Display for ConnectorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(vendor) = &self.vendor {
            match (&vendor.code, &vendor.message) {
                (Some(code), Some(message)) => write!(f, ": [{code}] {}", shown(message))?,
                (Some(code), None) => write!(f, ": [{code}]")?,
                (None, Some(message)) => write!(f, ": {}", shown(message))?,
                (None, None) => {}
            }
            for (field, message) in &vendor.fields {
                write!(f, "; {field}: {}", shown(message))?;
            }
        }
        if let Some(request) = &self.request {
            write!(f, " ({request})")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::personal::unmark;

    #[test]
    fn the_vendors_words_are_masked_and_the_query_never_shown() {
        let error = ConnectorError::new(ErrorKind::Invalid, "eAccounting refused the customer")
            .with_vendor(VendorError {
                code: Some("4002".into()),
                message: Some("Validation failed".into()),
                fields: vec![("EmailAddress".into(), "'jan@' is not a valid e-mail address".into())],
            })
            .with_request("POST", "/v2/customers?$filter=EmailAddress eq 'jan@'");
        let (plain, masked) = unmark(error.to_string());
        assert_eq!(
            plain,
            "eAccounting refused the customer: [4002] Validation failed; EmailAddress: 'jan@' is not a valid e-mail address (POST /v2/customers)"
        );
        assert_eq!(
            masked.unwrap(),
            "eAccounting refused the customer: [4002] ***; EmailAddress: *** (POST /v2/customers)"
        );
        assert!(!error.retryable);
        assert!(ConnectorError::new(ErrorKind::Unavailable, "down").retryable);
    }
}
