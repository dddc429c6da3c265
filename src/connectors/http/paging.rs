//! Lists read a page at a time, the same for every system: every page to
//! the end (within [`MAX_LISTED`](super::MAX_LISTED) records), and the page
//! of a numbered listing that starts where a caller asks.

use std::future::Future;

use crate::connectors::ConnectorError;
use crate::value::Value;

/// Records of one page, and whether more may follow.
pub type Read = (Vec<Value<'static>>, bool);

/// Every record of a listing, reading pages until one says none follow.
/// `page` reads the page that starts after `read` records.
pub async fn every<Page, Reading>(
    system: &str,
    path: &str,
    mut page: Page,
) -> Result<Vec<Value<'static>>, ConnectorError>
where
    Page: FnMut(usize) -> Reading,
    Reading: Future<Output = Result<Read, ConnectorError>>,
{
    let mut all = Vec::new();
    loop {
        let (records, more) = page(all.len()).await?;
        let empty = records.is_empty();
        all.extend(records);
        if !more || empty {
            return Ok(all);
        }
        if all.len() > super::MAX_LISTED {
            return Err(super::endless(system, path));
        }
    }
}

/// The numbered page (from 1) and its size that start at record `start`,
/// at most `size` records (within `largest`): the largest size that
/// divides `start`.
pub fn numbered(start: usize, size: usize, largest: usize) -> (usize, usize) {
    let mut size = size.clamp(1, largest.max(1));
    while !start.is_multiple_of(size) {
        size = gcd(start, size);
    }
    (start / size + 1, size)
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 { a } else { gcd(b, a % b) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_numbered_page_starts_where_asked() {
        assert_eq!(numbered(0, 100, 500), (1, 100));
        assert_eq!(numbered(200, 100, 500), (3, 100));
        assert_eq!(numbered(150, 100, 500), (4, 50));
        assert_eq!(numbered(7, 100, 500), (8, 1));
        assert_eq!(numbered(0, 5000, 500), (1, 500));
    }
}
