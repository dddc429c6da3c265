//! Creating a record exactly once, over a network that can lose answers.
//!
//! When a create was sent and its answer lost (a timeout, a dropped
//! connection, a 5xx), the record may exist. It is looked up by the flow's
//! keys before anything is sent again: found, it is the created record;
//! not found, the create is sent again. Without keys to look it up by, or
//! when the lookup fails too, the record fails with
//! [`ErrorKind::UnknownOutcome`] and says so, rather than risk a duplicate.

use std::future::Future;

use super::retry::Policy;
use crate::connectors::{ConnectorError, ErrorKind, Keys};
use crate::value::Value;

/// Creates with `send`; after a lost answer, looks the record up with
/// `find` (the records matching the flow's `keys`) before each new attempt.
pub async fn create_once<Send, Sending, Find, Finding>(
    policy: &Policy,
    keys: &Keys<'_>,
    mut send: Send,
    mut find: Find,
) -> Result<Value<'static>, ConnectorError>
where
    Send: FnMut() -> Sending,
    Sending: Future<Output = Result<Value<'static>, ConnectorError>>,
    Find: FnMut() -> Finding,
    Finding: Future<Output = Result<Vec<Value<'static>>, ConnectorError>>,
{
    let mut waits = policy.waits();
    loop {
        let lost = match send().await {
            Err(error) if error.kind == ErrorKind::UnknownOutcome => error,
            done => return done,
        };
        let found = if keys.is_empty() { None } else { Some(find().await) };
        match found {
            None => {
                let mut lost = lost;
                lost.message = format!(
                    "{}; the flow gives no key to look the record up by, so it is not sent again: check the target before running this record again",
                    lost.message
                );
                return Err(lost);
            }
            Some(Ok(mut found)) if !found.is_empty() => return Ok(found.swap_remove(0)),
            Some(Ok(_)) => {}
            Some(Err(lookup)) => {
                let mut lost = lost;
                lost.message = format!(
                    "{}; looking it up failed too ({lookup}), so it is not sent again",
                    lost.message
                );
                return Err(lost);
            }
        }
        // Not there: it was not carried out, and may be sent again.
        match waits.next() {
            Some(wait) => tokio::time::sleep(wait).await,
            None => {
                let mut lost = lost;
                lost.message = format!("{} ({} attempts, none carried out)", lost.message, policy.attempts);
                lost.kind = ErrorKind::Unavailable;
                return Err(lost);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connectors::Key;
    use crate::value::Comparison;
    use std::cell::Cell;
    use std::time::Duration;

    fn policy() -> Policy {
        Policy {
            attempts: 3,
            first_wait: Duration::from_millis(1),
            longest_wait: Duration::from_millis(2),
            longest_retry_after: Duration::from_secs(1),
            rate_limited_waits: 0,
        }
    }

    /// Some key to look records up by.
    const KEYS: &Keys<'static> = &[Key {
        path: &[],
        comparison: Comparison::Equal,
        value: &Value::Null,
    }];

    fn lost() -> ConnectorError {
        ConnectorError::new(ErrorKind::UnknownOutcome, "answered 500 after the request was sent")
    }

    fn block<F: std::future::Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap()
            .block_on(future)
    }

    #[test]
    fn a_created_record_whose_answer_was_lost_is_found_not_created_again() {
        let sent = Cell::new(0);
        let created = block(create_once(
            &policy(),
            KEYS,
            || async {
                sent.set(sent.get() + 1);
                Err(lost())
            },
            || async { Ok(vec![Value::from("the record".to_string())]) },
        ))
        .unwrap();
        assert_eq!(created, Value::from("the record".to_string()));
        assert_eq!(sent.get(), 1, "sent once");
    }

    #[test]
    fn a_create_not_carried_out_is_sent_again() {
        let sent = Cell::new(0);
        let created = block(create_once(
            &policy(),
            KEYS,
            || async {
                sent.set(sent.get() + 1);
                if sent.get() == 1 {
                    Err(lost())
                } else {
                    Ok(Value::Int(7))
                }
            },
            || async { Ok(Vec::new()) },
        ))
        .unwrap();
        assert_eq!(created, Value::Int(7));
        assert_eq!(sent.get(), 2);
    }

    #[test]
    fn without_keys_or_with_a_failing_lookup_it_is_never_sent_again() {
        let sent = Cell::new(0);
        let error = block(create_once(
            &policy(),
            &[],
            || async {
                sent.set(sent.get() + 1);
                Err(lost())
            },
            || async { panic!("no keys, no lookup") },
        ))
        .unwrap_err();
        assert_eq!((sent.get(), error.kind), (1, ErrorKind::UnknownOutcome));
        assert!(error.message.contains("no key to look the record up by"), "{error}");

        let error = block(create_once(
            &policy(),
            KEYS,
            || async { Err(lost()) },
            || async { Err(ConnectorError::new(ErrorKind::Unavailable, "down")) },
        ))
        .unwrap_err();
        assert_eq!(error.kind, ErrorKind::UnknownOutcome);
        assert!(error.message.contains("looking it up failed too (down)"), "{error}");

        let sent = Cell::new(0);
        let error = block(create_once(
            &policy(),
            KEYS,
            || async {
                sent.set(sent.get() + 1);
                Err(lost())
            },
            || async { Ok(Vec::new()) },
        ))
        .unwrap_err();
        assert_eq!(sent.get(), 3, "bounded");
        assert!(error.message.contains("3 attempts, none carried out"), "{error}");

        let refused = block(create_once(
            &policy(),
            KEYS,
            || async { Err(ConnectorError::new(ErrorKind::Invalid, "400")) },
            || async { panic!("a refused create is not looked up") },
        ))
        .unwrap_err();
        assert_eq!(refused.kind, ErrorKind::Invalid);
    }
}
