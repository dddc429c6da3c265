//! SOAP 1.1 as MplusQapi speaks it (document/literal, `urn:mplusqapi`,
//! elements qualified): the envelope around an operation's element, the
//! answer's element taken out of it, a `Fault` read as what it says, and
//! the `...-RESULT-...` codes of the answers read as outcomes.

use super::xml::{self, Element};
use crate::connectors::{ConnectorError, ErrorKind, VendorError};

pub const ENVELOPE: &str = "http://schemas.xmlsoap.org/soap/envelope/";
pub const API: &str = "urn:mplusqapi";

/// A request: the operation's element, its content written by `content`.
pub fn envelope(operation: &str, content: impl FnOnce(&mut String)) -> String {
    let mut out = String::with_capacity(512);
    out.push_str(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    out.push_str(&format!(
        r#"<SOAP-ENV:Envelope xmlns:SOAP-ENV="{ENVELOPE}" xmlns:ns="{API}"><SOAP-ENV:Body><ns:{operation}>"#
    ));
    content(&mut out);
    out.push_str(&format!("</ns:{operation}></SOAP-ENV:Body></SOAP-ENV:Envelope>"));
    out
}

/// What a SOAP fault says.
#[derive(Debug, PartialEq, Eq)]
pub struct Fault {
    /// `SOAP-ENV:Client` or `SOAP-ENV:Server`, without the prefix.
    pub code: String,
    pub message: String,
}

impl Fault {
    /// Its kind: the client's fault is what was sent (or who sent it), the
    /// server's is the system failing.
    pub fn kind(&self) -> Option<ErrorKind> {
        let said = self.message.to_ascii_lowercase();
        if ["ident", "secret", "unauthori", "authenticat", "credential"]
            .iter()
            .any(|word| said.contains(word))
        {
            return Some(ErrorKind::Auth);
        }
        match self.code.as_str() {
            "Client" => Some(ErrorKind::Invalid),
            _ => None,
        }
    }

    pub fn vendor(&self) -> VendorError {
        VendorError {
            code: Some(self.code.clone()),
            message: Some(self.message.clone()),
            fields: Vec::new(),
        }
    }
}

/// The fault in an answer, if it is one.
pub fn fault(body: &Element) -> Option<Fault> {
    let fault = body.child("Fault")?;
    let code = fault.text_of("faultcode").unwrap_or("Server");
    Some(Fault {
        code: code.rsplit(':').next().unwrap_or(code).to_string(),
        message: fault.text_of("faultstring").unwrap_or("").to_string(),
    })
}

/// The answer's element (the first in its Body), or the error it is.
pub fn answer(system: &str, text: &str, operation: &str) -> Result<Element, ConnectorError> {
    let protocol = |message: String| ConnectorError::new(ErrorKind::Protocol, message).with_request("POST", operation);
    let envelope = xml::parse(text.strip_prefix('\u{FEFF}').unwrap_or(text))
        .map_err(|error| protocol(format!("{system} answered {operation} with no SOAP envelope: {error}")))?;
    let Some(body) = envelope.child("Body").filter(|_| envelope.name == "Envelope") else {
        return Err(protocol(format!("{system} answered {operation} with no SOAP Body")));
    };
    if let Some(fault) = fault(body) {
        return Err(ConnectorError::new(
            fault.kind().unwrap_or(ErrorKind::Unavailable),
            format!("{system} answered {operation} with a SOAP fault"),
        )
        .with_vendor(fault.vendor())
        .with_request("POST", operation));
    }
    body.children
        .first()
        .cloned()
        .ok_or_else(|| protocol(format!("{system} answered {operation} with an empty Body")))
}

/// What a result code says: `Ok` for one ending in `-OK`
/// (`CREATE-RELATION-RESULT-OK`, and `CREATE-IMAGE-OK` of the operations
/// that leave out `RESULT`), else the error of its kind with the answer's
/// `errorMessage` (`errorMsg` in some answers).
pub fn outcome(system: &str, operation: &str, answer: &Element) -> Result<(), ConnectorError> {
    let result = answer.text_of("result").unwrap_or("");
    if result.ends_with("-OK") {
        return Ok(());
    }
    let kind = if result.contains("NOT-FOUND") {
        ErrorKind::NotFound
    } else if result.contains("ALREADY-TAKEN") || result.contains("ALREADY-EXISTS") {
        ErrorKind::Conflict
    } else if result.is_empty() {
        ErrorKind::Protocol
    } else {
        ErrorKind::Invalid
    };
    let message = ["errorMessage", "errorMsg"]
        .into_iter()
        .filter_map(|name| answer.text_of(name))
        .find(|message| !message.is_empty());
    Err(ConnectorError::new(
        kind,
        format!(
            "{system} answered {operation}: {}",
            if result.is_empty() { "no result" } else { result }
        ),
    )
    .with_vendor(VendorError {
        code: (!result.is_empty()).then(|| result.to_string()),
        message: message.map(str::to_string),
        fields: Vec::new(),
    })
    .with_request("POST", operation))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_and_result_codes_are_read_as_kinds() {
        let text = r#"<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body><SOAP-ENV:Fault><faultcode>SOAP-ENV:Client</faultcode><faultstring>Validation constraint violation: data type mismatch in element 'ns:relationNumber'</faultstring></SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>"#;
        let error = answer("MplusKASSA", text, "createRelation").unwrap_err();
        assert_eq!(error.kind, ErrorKind::Invalid);
        assert!(
            error
                .vendor
                .as_ref()
                .and_then(|vendor| vendor.message.as_deref())
                .unwrap()
                .contains("data type mismatch")
        );

        let refused = Fault {
            code: "Client".into(),
            message: "Invalid ident or secret".into(),
        };
        assert_eq!(refused.kind(), Some(ErrorKind::Auth));

        let taken = xml::parse(
            "<CreateRelationResponse><result>CREATE-RELATION-RESULT-FAILED-RELATION-NUMBER-ALREADY-TAKEN</result><errorMessage>taken</errorMessage></CreateRelationResponse>",
        )
        .unwrap();
        assert_eq!(
            outcome("MplusKASSA", "createRelation", &taken).unwrap_err().kind,
            ErrorKind::Conflict
        );
        let fine = xml::parse("<X><result>UPDATE-RELATION-RESULT-OK</result></X>").unwrap();
        assert!(outcome("MplusKASSA", "updateRelation", &fine).is_ok());
        // Some operations leave RESULT out of their codes, and name their
        // message errorMsg.
        let image = xml::parse("<X><result>CREATE-IMAGE-OK</result><imageId>4</imageId></X>").unwrap();
        assert!(outcome("MplusKASSA", "createImageFromUrl", &image).is_ok());
        let refused = xml::parse(
            "<X><result>CREATE-IMAGE-NOT-SUPPORTED</result><errorMsg>text/html is not an image type</errorMsg></X>",
        )
        .unwrap();
        let error = outcome("MplusKASSA", "createImageFromUrl", &refused).unwrap_err();
        assert_eq!(error.kind, ErrorKind::Invalid);
        assert_eq!(
            error.vendor.as_ref().and_then(|vendor| vendor.message.as_deref()),
            Some("text/html is not an image type")
        );
        assert!(answer("MplusKASSA", "{\"json\": true}", "getRelations").is_err());
    }
}
