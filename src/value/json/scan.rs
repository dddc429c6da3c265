//! Finding the bytes that matter inside JSON text: `"`, `\` and control
//! characters, eight bytes at a time.
//!
//! Used when reading (where a string ends, whether it has escapes) and when
//! writing (which bytes must be escaped). Most text holds none of them, so
//! the scan mostly runs over whole words.

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Which bytes are `"`, `\` or below 0x20.
static SPECIAL: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 0x20 {
        table[byte] = true;
        byte += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

/// Whether a byte is `"`, `\` or below 0x20.
#[inline]
pub fn is_special(byte: u8) -> bool {
    SPECIAL[byte as usize]
}

/// The index of the first special byte in `bytes` at or after `from`, or
/// `bytes.len()` when there is none.
#[inline]
pub fn find_special(bytes: &[u8], mut from: usize) -> usize {
    while let Some(word) = bytes.get(from..).and_then(|rest| rest.first_chunk::<8>()) {
        let chunk = u64::from_le_bytes(*word);
        // A byte below 0x20, equal to `"`, or equal to `\` sets its high bit
        // in `found` (the classic "has zero byte" test on shifted words);
        // the lowest set bit belongs to the first such byte.
        let control = chunk.wrapping_sub(ONES * 0x20) & !chunk;
        let quote = chunk ^ (ONES * u64::from(b'"'));
        let quote = quote.wrapping_sub(ONES) & !quote;
        let backslash = chunk ^ (ONES * u64::from(b'\\'));
        let backslash = backslash.wrapping_sub(ONES) & !backslash;
        let found = (control | quote | backslash) & HIGHS;
        if found != 0 {
            // The lowest flagged byte is always a true match: a flag can only
            // be spurious through a borrow from a lower byte, and a byte that
            // borrows is itself flagged. Later flags do not matter.
            return from + (found.trailing_zeros() / 8) as usize;
        }
        from += 8;
    }
    from + bytes[from..]
        .iter()
        .position(|b| is_special(*b))
        .unwrap_or(bytes.len() - from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_first_special_byte_anywhere() {
        let text = b"plain text without anything special in it at all";
        assert_eq!(find_special(text, 0), text.len());
        for special in [b'"', b'\\', b'\n', 0u8, 0x1f] {
            for at in 0..text.len() {
                let mut bytes = text.to_vec();
                bytes[at] = special;
                assert_eq!(find_special(&bytes, 0), at, "byte {special:#x} at {at}");
                assert_eq!(find_special(&bytes, at), at);
            }
        }
        // Bytes around the special ones in value (0x20, 0x21, 0x23, 0x5b, 0x5d, high bytes) are plain.
        let near = "! #[]\u{7f}é😀 ok".as_bytes();
        assert_eq!(find_special(near, 0), near.len());
    }

    #[test]
    fn agrees_with_a_byte_by_byte_search() {
        // Every pair of bytes around a word boundary, over backgrounds that
        // make borrows likely (zeros, high bytes), plus a pseudo-random mix.
        let naive = |bytes: &[u8], from: usize| {
            from + bytes[from..]
                .iter()
                .position(|b| is_special(*b))
                .unwrap_or(bytes.len() - from)
        };
        let interesting = [
            0u8, 0x01, 0x1f, 0x20, b'!', b'"', b'#', b'\\', b']', 0x7f, 0x80, 0x9f, 0xa0, 0xff,
        ];
        for background in [b'a', 0x80, 0xff, 0x21] {
            for &first in &interesting {
                for &second in &interesting {
                    for at in 0..12 {
                        let mut bytes = vec![background; 20];
                        bytes[at] = first;
                        bytes[at + 1] = second;
                        for from in [0, 1, at] {
                            assert_eq!(find_special(&bytes, from), naive(&bytes, from), "{bytes:?} from {from}");
                        }
                    }
                }
            }
        }
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..2000 {
            let bytes: Vec<u8> = (0..40)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    // Mostly plain bytes, sometimes one of the interesting ones.
                    if state.is_multiple_of(8) {
                        interesting[(state >> 8) as usize % interesting.len()]
                    } else {
                        (state >> 16) as u8 | 0x20
                    }
                })
                .collect();
            assert_eq!(find_special(&bytes, 0), naive(&bytes, 0), "{bytes:?}");
        }
    }
}
