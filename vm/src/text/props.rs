//! Per-character property lookups over the generated `unicode_db` table.

use super::unicode_db as db;

/// The property bits of `c` (see `unicode_db`'s constants).
pub(crate) fn flags(c: char) -> u16 {
    let cp = c as u32;
    if cp < 128 {
        return db::ASCII[cp as usize];
    }
    let i = db::FLAGS.partition_point(|&(start, _, _)| start <= cp) - 1;
    db::FLAGS[i].2
}

pub(crate) fn has(c: char, bit: u16) -> bool {
    flags(c) & bit != 0
}

/// `Py_UNICODE_ISSPACE`: what `str.split()`, `str.strip()` and `int()` treat as whitespace.
pub fn is_space(c: char) -> bool {
    if c.is_ascii() {
        return matches!(
            c,
            ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c' | '\x1c'..='\x1f'
        );
    }
    has(c, db::SPACE)
}

/// `Py_UNICODE_ISLINEBREAK`: line boundaries for `str.splitlines()`.
pub fn is_linebreak(c: char) -> bool {
    has(c, db::LINEBREAK)
}

/// `Py_UNICODE_ISPRINTABLE`: characters `repr()` leaves unescaped.
pub fn is_printable(c: char) -> bool {
    if c.is_ascii() {
        return (' '..='~').contains(&c);
    }
    has(c, db::PRINTABLE)
}

/// `Py_UNICODE_TODECIMAL`: the value of a decimal digit (any script), else None.
pub fn decimal_value(c: char) -> Option<u32> {
    if c.is_ascii_digit() {
        return Some(c as u32 - '0' as u32);
    }
    if !has(c, db::DECIMAL) {
        return None;
    }
    let cp = c as u32;
    let i = db::DECIMAL_ZEROS.partition_point(|&z| z <= cp) - 1;
    Some(cp - db::DECIMAL_ZEROS[i])
}

pub(crate) fn is_alpha(c: char) -> bool {
    has(c, db::ALPHA)
}
pub(crate) fn is_decimal(c: char) -> bool {
    has(c, db::DECIMAL)
}
pub(crate) fn is_digit(c: char) -> bool {
    has(c, db::DIGIT)
}
pub(crate) fn is_numeric(c: char) -> bool {
    has(c, db::NUMERIC)
}
pub(crate) fn is_upper(c: char) -> bool {
    has(c, db::UPPER)
}
pub(crate) fn is_lower(c: char) -> bool {
    has(c, db::LOWER)
}
pub(crate) fn is_title(c: char) -> bool {
    has(c, db::TITLE)
}
pub(crate) fn is_cased(c: char) -> bool {
    has(c, db::CASED)
}
pub(crate) fn is_case_ignorable(c: char) -> bool {
    has(c, db::CASE_IGNORABLE)
}
pub(crate) fn is_xid_start(c: char) -> bool {
    has(c, db::XID_START)
}
pub(crate) fn is_xid_continue(c: char) -> bool {
    has(c, db::XID_CONTINUE)
}

/// Looks `c` up in one of the generated full case-mapping tables.
pub(crate) fn mapped(table: &'static [(char, &'static str)], c: char) -> Option<&'static str> {
    table
        .binary_search_by_key(&c, |&(k, _)| k)
        .ok()
        .map(|i| table[i].1)
}

pub(crate) use db::{FOLD_MAP, LOWER_MAP, TITLE_MAP, UPPER_MAP};
