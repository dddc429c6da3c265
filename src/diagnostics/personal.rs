//! Personal data (GDPR) in what flowc says: which fields hold it, and how
//! values of a record are marked inside messages so that the activity log
//! can mask them.
//!
//! A message that shows a value of a record (`but got int: 31655550173`)
//! shows it through [`shown`], which marks where the value starts and ends.
//! [`RecordError`](super::RecordError) keeps the message twice: as said,
//! and masked, with every marked value replaced by `***`; the log writes
//! the masked one unless a run asks for payloads whole. Whatever field a
//! value came from, it is masked: a message does not know it.

/// Parts of field names that hold personal data.
const PERSONAL: &[&str] = &[
    "email",
    "mail",
    "name",
    "street",
    "address",
    "housenumber",
    "zip",
    "postal",
    "city",
    "phone",
    "mobile",
    "fax",
    "iban",
    "bic",
    "bank",
    "birth",
];

/// Whether a field of this name holds personal data. Fields are
/// recognised by name, so that any system's records are covered; erring
/// towards masking (a product's `name` is masked too) is the safe side.
pub fn is_personal(field: &str) -> bool {
    let lower = field.to_ascii_lowercase();
    PERSONAL.iter().any(|part| lower.contains(part))
}

/// Where a value shown in a message starts and ends. Private-use
/// characters: they mean nothing in real text, and are taken out of the
/// values themselves, so that a value cannot end its own mark.
const START: char = '\u{E000}';
const END: char = '\u{E001}';

/// A value of a record as a message shows it: marked, so that the log can
/// mask it. Marks inside (a value shown within a value) are dropped: the
/// outer mark masks the whole.
pub fn shown(value: impl std::fmt::Display) -> String {
    let text = value.to_string();
    let mut marked = String::with_capacity(text.len() + 2 * START.len_utf8());
    marked.push(START);
    marked.extend(text.chars().filter(|c| *c != START && *c != END));
    marked.push(END);
    marked
}

/// A message with its marks taken out, and, when it has any, the message
/// with each marked value replaced by `***`.
pub fn unmark(message: String) -> (String, Option<String>) {
    if !message.contains(START) && !message.contains(END) {
        return (message, None);
    }
    let mut plain = String::with_capacity(message.len());
    let mut masked = String::with_capacity(message.len());
    let mut depth = 0usize;
    for c in message.chars() {
        match c {
            START => {
                if depth == 0 {
                    masked.push_str("***");
                }
                depth += 1;
            }
            END => depth = depth.saturating_sub(1),
            c => {
                plain.push(c);
                if depth == 0 {
                    masked.push(c);
                }
            }
        }
    }
    (plain, Some(masked))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_values_are_masked_and_the_rest_kept() {
        let message = format!("`lower` takes text, but got int: {}", shown(31655550173i64));
        let (plain, masked) = unmark(message);
        assert_eq!(plain, "`lower` takes text, but got int: 31655550173");
        assert_eq!(masked.unwrap(), "`lower` takes text, but got int: ***");
        assert_eq!(unmark("no values".into()), ("no values".to_string(), None));
    }

    #[test]
    fn a_value_cannot_end_its_own_mark() {
        let hostile = format!("a{END}b@example.nl{START}");
        let (plain, masked) = unmark(format!("got {}", shown(&hostile)));
        assert_eq!(plain, "got ab@example.nl");
        assert_eq!(masked.unwrap(), "got ***");
        // Shown within shown: one mask.
        let (plain, masked) = unmark(format!("x {} y", shown(format!("[{}]", shown("a")))));
        assert_eq!(plain, "x [a] y");
        assert_eq!(masked.unwrap(), "x *** y");
    }
}
