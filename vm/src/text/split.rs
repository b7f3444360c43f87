//! `split rsplit splitlines strip lstrip rstrip` with Python's whitespace and line-break sets.

use super::props::{is_linebreak, is_space};
use super::search::one_char;
use crate::format::{PyExc, PyResult};

/// `s.split(sep, maxsplit)`; `sep = None` splits on runs of whitespace; `maxsplit < 0` = all.
pub fn split<'a>(s: &'a str, sep: Option<&str>, maxsplit: i64) -> PyResult<Vec<&'a str>> {
    let mut max = if maxsplit < 0 {
        usize::MAX
    } else {
        maxsplit as usize
    };
    match sep {
        Some("") => Err(PyExc::value("empty separator")),
        // `max` splits = at most `max + 1` pieces, the last one the unsplit rest.
        Some(sep) => Ok(match one_char(sep) {
            Some(c) if c.is_ascii() => split_byte(s, c as u8, max.saturating_add(1)),
            Some(c) => s.splitn(max.saturating_add(1), c).collect(),
            None => s.splitn(max.saturating_add(1), sep).collect(),
        }),
        None if s.is_ascii() => Ok(split_ascii_whitespace(s, max)),
        None => {
            let mut out = Vec::new();
            let mut rest = s.trim_start_matches(is_space);
            while !rest.is_empty() {
                if max == 0 {
                    out.push(rest);
                    break;
                }
                match rest.find(is_space) {
                    Some(i) => {
                        out.push(&rest[..i]);
                        rest = rest[i..].trim_start_matches(is_space);
                        max -= 1;
                    }
                    None => {
                        out.push(rest);
                        break;
                    }
                }
            }
            Ok(out)
        }
    }
}

/// Python's whitespace among ASCII bytes: `\t \n \v \f \r`, `\x1c`-`\x1f` and space.
#[inline]
fn is_ascii_space(b: u8) -> bool {
    matches!(b, b'\t'..=b'\r' | 0x1c..=b' ')
}

/// `s.split(None, max)` for an ASCII `s`: a byte scan, no char decoding or table lookups.
fn split_ascii_whitespace(s: &str, mut max: usize) -> Vec<&str> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        while i < b.len() && is_ascii_space(b[i]) {
            i += 1;
        }
        if i == b.len() {
            return out;
        }
        if max == 0 {
            // The unsplit rest keeps its trailing whitespace, as in CPython.
            out.push(&s[i..]);
            return out;
        }
        let start = i;
        while i < b.len() && !is_ascii_space(b[i]) {
            i += 1;
        }
        out.push(&s[start..i]);
        max -= 1;
    }
}

/// `s` split at the ASCII byte `b` into at most `pieces` (>= 1) pieces. A plain byte scan:
/// the typical haystack (a line, a record) is short and full of separators, where memchr's
/// per-call setup costs more than it saves. An ASCII byte is always a char boundary.
fn split_byte(s: &str, b: u8, pieces: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, &x) in s.as_bytes().iter().enumerate() {
        if x == b {
            if out.len() + 1 == pieces {
                break;
            }
            out.push(&s[start..i]);
            start = i + 1;
        }
    }
    out.push(&s[start..]);
    out
}

/// `s.rsplit(sep, maxsplit)`.
pub fn rsplit<'a>(s: &'a str, sep: Option<&str>, maxsplit: i64) -> PyResult<Vec<&'a str>> {
    let mut max = if maxsplit < 0 {
        usize::MAX
    } else {
        maxsplit as usize
    };
    let mut out = Vec::new();
    match sep {
        Some("") => return Err(PyExc::value("empty separator")),
        Some(sep) => match one_char(sep) {
            Some(c) => out.extend(s.rsplitn(max.saturating_add(1), c)),
            None => out.extend(s.rsplitn(max.saturating_add(1), sep)),
        },
        None => {
            let mut rest = s.trim_end_matches(is_space);
            while !rest.is_empty() {
                if max == 0 {
                    out.push(rest);
                    break;
                }
                match rest.rfind(is_space) {
                    Some(i) => {
                        let c_len = rest[i..].chars().next().map_or(1, char::len_utf8);
                        out.push(&rest[i + c_len..]);
                        rest = rest[..i].trim_end_matches(is_space);
                        max -= 1;
                    }
                    None => {
                        out.push(rest);
                        break;
                    }
                }
            }
        }
    }
    out.reverse();
    Ok(out)
}

/// `s.splitlines(keepends)`: splits at `\n \r \r\n \v \f \x1c \x1d \x1e \x85 \u2028 \u2029`.
pub fn splitlines(s: &str, keepends: bool) -> Vec<&str> {
    let mut out = Vec::new();
    let mut line_start = 0;
    let mut it = s.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        if !is_linebreak(c) {
            continue;
        }
        let mut eol = i + c.len_utf8();
        if c == '\r' {
            if let Some(&(_, '\n')) = it.peek() {
                it.next();
                eol += 1;
            }
        }
        out.push(&s[line_start..if keepends { eol } else { i }]);
        line_start = eol;
    }
    if line_start < s.len() {
        out.push(&s[line_start..]);
    }
    out
}

/// `s.strip(chars)`: `None` strips Python whitespace.
pub fn strip<'a>(s: &'a str, chars: Option<&str>) -> &'a str {
    rstrip(lstrip(s, chars), chars)
}

/// `s.lstrip(chars)`.
pub fn lstrip<'a>(s: &'a str, chars: Option<&str>) -> &'a str {
    match chars {
        None => s.trim_start_matches(is_space),
        Some(set) => s.trim_start_matches(|c| set.contains(c)),
    }
}

/// `s.rstrip(chars)`.
pub fn rstrip<'a>(s: &'a str, chars: Option<&str>) -> &'a str {
    match chars {
        None => s.trim_end_matches(is_space),
        Some(set) => s.trim_end_matches(|c| set.contains(c)),
    }
}
