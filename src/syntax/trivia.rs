//! Which bytes of a file are trivia: whitespace and comments outside text.
//!
//! pest includes the whitespace and comments skipped before an empty
//! repetition in the span of the rule around it (`a ~ b*` consumes the skip
//! even when `b*` matches nothing). Spans are trimmed with this map so that a
//! label ends at the last real character, and "same line" means what it looks
//! like.

#[derive(Clone, Copy, PartialEq)]
enum State {
    Code,
    /// Inside `"..."`; `${` switches to code until its matching `}`.
    Text,
    /// Inside `r"..."`.
    RawText,
    /// Inside a JSONPath filter `[?...]`, at this bracket depth.
    Filter(u32),
}

/// `true` for every byte that is whitespace or part of a comment in code.
pub fn trivia_map(text: &str) -> Vec<bool> {
    let bytes = text.as_bytes();
    let mut trivia = vec![false; bytes.len()];
    // The states we return to: text around an interpolation, with the brace
    // depth of the interpolation's code.
    let mut stack: Vec<(State, u32)> = Vec::new();
    let mut state = State::Code;
    let mut braces = 0u32;
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        let next = bytes.get(i + 1).copied();
        match state {
            State::Code => match byte {
                b' ' | b'\t' | b'\r' | b'\n' => trivia[i] = true,
                b'/' if next == Some(b'/') => {
                    while i < bytes.len() && bytes[i] != b'\n' {
                        trivia[i] = true;
                        i += 1;
                    }
                    continue;
                }
                b'/' if next == Some(b'*') => {
                    let end = text[i + 2..].find("*/").map_or(bytes.len(), |at| i + 2 + at + 2);
                    trivia[i..end].iter_mut().for_each(|t| *t = true);
                    i = end;
                    continue;
                }
                b'r' if next == Some(b'"') && !is_name_byte(i.checked_sub(1).map(|p| bytes[p])) => {
                    state = State::RawText;
                    i += 1;
                }
                b'"' => state = State::Text,
                b'[' if next == Some(b'?') => {
                    state = State::Filter(0);
                    i += 1;
                }
                b'{' => braces += 1,
                b'}' => match stack.last() {
                    Some(&(_, depth)) if depth == braces => {
                        let (resume, _) = stack.pop().expect("checked above");
                        state = resume;
                    }
                    _ => braces = braces.saturating_sub(1),
                },
                _ => {}
            },
            State::Text => match byte {
                b'\\' => i += 1,
                b'"' | b'\n' => state = State::Code,
                b'$' if next == Some(b'{') => {
                    stack.push((State::Text, braces));
                    state = State::Code;
                    i += 1;
                }
                _ => {}
            },
            State::RawText => {
                if byte == b'"' || byte == b'\n' {
                    state = State::Code;
                }
            }
            State::Filter(depth) => match byte {
                b'\'' | b'"' => {
                    let quote = byte;
                    i += 1;
                    while i < bytes.len() && bytes[i] != quote && bytes[i] != b'\n' {
                        i += 1;
                    }
                }
                b'[' | b'(' => state = State::Filter(depth + 1),
                b']' | b')' if depth > 0 => state = State::Filter(depth - 1),
                b']' => state = State::Code,
                _ => {}
            },
        }
        i += 1;
    }
    trivia
}

fn is_name_byte(byte: Option<u8>) -> bool {
    byte.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::trivia_map;

    fn marked(text: &str) -> String {
        trivia_map(text).iter().map(|t| if *t { '~' } else { '.' }).collect()
    }

    #[test]
    fn whitespace_and_comments_in_code_are_trivia() {
        assert_eq!(marked("a // c\nb"), ".~~~~~~.");
        assert_eq!(marked("a /* c */b"), ".~~~~~~~~.");
    }

    #[test]
    fn text_and_filters_are_not_trivia() {
        assert_eq!(marked(r#""a //b""#), ".......");
        assert_eq!(marked("x[?@.u == 'h://']"), ".................");
        assert_eq!(marked(r#""${ a }" b"#), "...~.~..~.");
    }
}
