//! Substring search with Python's slice-style `start`/`end` (code-point indices, negative
//! from the end, clamped as CPython's `ADJUST_INDICES`): `find rfind index rindex count
//! startswith endswith`, plus `replace partition rpartition`.

use crate::format::{PyExc, PyResult};

/// Code-point length and a code-point → byte-offset mapper for `s`.
struct Text<'a> {
    s: &'a str,
    len: i64,
    /// Byte offset of each code point plus the end; empty when `s` is ASCII.
    offsets: Vec<usize>,
}

impl<'a> Text<'a> {
    fn new(s: &'a str) -> Self {
        if s.is_ascii() {
            return Text {
                s,
                len: s.len() as i64,
                offsets: Vec::new(),
            };
        }
        let mut offsets: Vec<usize> = s.char_indices().map(|(i, _)| i).collect();
        offsets.push(s.len());
        Text {
            s,
            len: offsets.len() as i64 - 1,
            offsets,
        }
    }
    fn byte(&self, ci: i64) -> usize {
        if self.offsets.is_empty() {
            ci as usize
        } else {
            self.offsets[ci as usize]
        }
    }
    fn char_index(&self, byte: usize) -> i64 {
        if self.offsets.is_empty() {
            byte as i64
        } else {
            self.offsets.partition_point(|&o| o < byte) as i64
        }
    }
    /// `ADJUST_INDICES`.
    fn adjust(&self, start: Option<i64>, end: Option<i64>) -> (i64, i64) {
        let len = self.len;
        let mut end = end.unwrap_or(i64::MAX);
        if end > len {
            end = len;
        } else if end < 0 {
            end = (end + len).max(0);
        }
        let mut start = start.unwrap_or(0);
        if start < 0 {
            start = (start + len).max(0);
        }
        (start, end)
    }
    fn slice(&self, start: i64, end: i64) -> &'a str {
        &self.s[self.byte(start)..self.byte(end)]
    }
}

/// `sub` as a `char` when it is exactly one code point. `char` patterns search with memchr;
/// `&str` patterns set up a two-way searcher on every call, which dominates for the short
/// haystacks and one-character separators Python code is full of.
pub(crate) fn one_char(sub: &str) -> Option<char> {
    let mut it = sub.chars();
    match (it.next(), it.next()) {
        (Some(c), None) => Some(c),
        _ => None,
    }
}

fn char_len(s: &str) -> i64 {
    if s.is_ascii() {
        s.len() as i64
    } else {
        s.chars().count() as i64
    }
}

/// `s.find(sub, start, end)`: lowest code-point index, or -1.
pub fn find(s: &str, sub: &str, start: Option<i64>, end: Option<i64>) -> i64 {
    let t = Text::new(s);
    let (start, end) = t.adjust(start, end);
    if end - start < char_len(sub) {
        return -1;
    }
    let base = t.byte(start);
    let window = t.slice(start, end);
    let found = match one_char(sub) {
        Some(c) => window.find(c),
        None => window.find(sub),
    };
    match found {
        Some(b) => t.char_index(base + b),
        None => -1,
    }
}

/// `s.rfind(sub, start, end)`: highest code-point index, or -1.
pub fn rfind(s: &str, sub: &str, start: Option<i64>, end: Option<i64>) -> i64 {
    let t = Text::new(s);
    let (start, end) = t.adjust(start, end);
    if end - start < char_len(sub) {
        return -1;
    }
    let base = t.byte(start);
    let window = t.slice(start, end);
    let found = match one_char(sub) {
        Some(c) => window.rfind(c),
        None => window.rfind(sub),
    };
    match found {
        Some(b) => t.char_index(base + b),
        None => -1,
    }
}

/// `s.index(...)`: as `find`, ValueError when absent.
pub fn index(s: &str, sub: &str, start: Option<i64>, end: Option<i64>) -> PyResult<i64> {
    match find(s, sub, start, end) {
        -1 => Err(PyExc::value("substring not found")),
        i => Ok(i),
    }
}

/// `s.rindex(...)`: as `rfind`, ValueError when absent.
pub fn rindex(s: &str, sub: &str, start: Option<i64>, end: Option<i64>) -> PyResult<i64> {
    match rfind(s, sub, start, end) {
        -1 => Err(PyExc::value("substring not found")),
        i => Ok(i),
    }
}

/// `s.count(sub, start, end)`: non-overlapping occurrences.
pub fn count(s: &str, sub: &str, start: Option<i64>, end: Option<i64>) -> i64 {
    let t = Text::new(s);
    let (start, end) = t.adjust(start, end);
    if end - start < char_len(sub) {
        return 0;
    }
    if sub.is_empty() {
        return end - start + 1;
    }
    let window = t.slice(start, end);
    match one_char(sub) {
        // An ASCII byte never occurs inside a multi-byte UTF-8 sequence.
        Some(c) if c.is_ascii() => window.bytes().filter(|&b| b == c as u8).count() as i64,
        Some(c) => window.matches(c).count() as i64,
        None => window.matches(sub).count() as i64,
    }
}

/// `tailmatch`: does `sub` occur at the start (or end) of `s[start:end]`?
fn tailmatch(s: &str, sub: &str, start: Option<i64>, end: Option<i64>, at_end: bool) -> bool {
    // --- genloop --- the whole string: a byte prefix/suffix of UTF-8 is a code-point one
    // (no code-point index, no ASCII scan).
    if start.is_none() && end.is_none() {
        return if at_end {
            s.ends_with(sub)
        } else {
            s.starts_with(sub)
        };
    }
    let t = Text::new(s);
    let (start, end) = t.adjust(start, end);
    let sub_len = char_len(sub);
    if end - sub_len < start {
        return false;
    }
    if sub_len == 0 {
        return true;
    }
    let window = t.slice(start, end);
    if at_end {
        window.ends_with(sub)
    } else {
        window.starts_with(sub)
    }
}

/// `s.startswith(prefix, start, end)` for one prefix (the VM loops over a tuple).
pub fn startswith(s: &str, prefix: &str, start: Option<i64>, end: Option<i64>) -> bool {
    tailmatch(s, prefix, start, end, false)
}

/// `s.endswith(suffix, start, end)` for one suffix.
pub fn endswith(s: &str, suffix: &str, start: Option<i64>, end: Option<i64>) -> bool {
    tailmatch(s, suffix, start, end, true)
}

/// `s.replace(old, new, count)`; a negative count replaces all.
pub fn replace(s: &str, old: &str, new: &str, count: i64) -> String {
    replace_if_found(s, old, new, count).unwrap_or_else(|| s.to_owned())
}

/// [`replace`], or `None` when nothing is replaced (so the caller can return `s` itself, as
/// CPython does). The result is allocated once, at its final size.
pub fn replace_if_found(s: &str, old: &str, new: &str, count: i64) -> Option<String> {
    let n = usize::try_from(count).unwrap_or(usize::MAX); // count < 0: all
    if n == 0 {
        return None;
    }
    if old.is_empty() {
        // Matches at every code-point boundary: rare, left to the standard library.
        return Some(s.replacen(old, new, n));
    }
    if let [b] = *old.as_bytes() {
        return replace_byte(s, b, new, n);
    }
    let hits = s.match_indices(old).take(n).count();
    if hits == 0 {
        return None;
    }
    let mut out = String::with_capacity(s.len() - hits * old.len() + hits * new.len());
    let mut last = 0;
    for (i, _) in s.match_indices(old).take(n) {
        out.push_str(&s[last..i]);
        out.push_str(new);
        last = i + old.len();
    }
    out.push_str(&s[last..]);
    Some(out)
}

/// [`replace_if_found`] for a one-byte (ASCII) `old`: an ASCII byte is never part of a
/// multi-byte character, so a byte scan finds exactly the code-point matches.
fn replace_byte(s: &str, b: u8, new: &str, n: usize) -> Option<String> {
    let bytes = s.as_bytes();
    let hits = bytes.iter().filter(|&&x| x == b).count().min(n);
    if hits == 0 {
        return None;
    }
    let mut out = String::with_capacity(s.len() - hits + hits * new.len());
    let (mut last, mut done) = (0, 0);
    for (i, &x) in bytes.iter().enumerate() {
        if x == b {
            out.push_str(&s[last..i]);
            out.push_str(new);
            last = i + 1;
            done += 1;
            if done == hits {
                break;
            }
        }
    }
    out.push_str(&s[last..]);
    Some(out)
}

/// `s.partition(sep)`.
pub fn partition<'a>(s: &'a str, sep: &'a str) -> PyResult<(&'a str, &'a str, &'a str)> {
    if sep.is_empty() {
        return Err(PyExc::value("empty separator"));
    }
    Ok(match s.find(sep) {
        Some(i) => (&s[..i], &s[i..i + sep.len()], &s[i + sep.len()..]),
        None => (s, "", ""),
    })
}

/// `s.rpartition(sep)`.
pub fn rpartition<'a>(s: &'a str, sep: &'a str) -> PyResult<(&'a str, &'a str, &'a str)> {
    if sep.is_empty() {
        return Err(PyExc::value("empty separator"));
    }
    Ok(match s.rfind(sep) {
        Some(i) => (&s[..i], &s[i..i + sep.len()], &s[i + sep.len()..]),
        None => ("", "", s),
    })
}
