//! Unicode questions the lexers ask, answered exactly as CPython 3.11 answers them: is this a
//! valid identifier (PEP 3131), is a character a `\w` word character (tokenize.py's `Name`),
//! printable (`repr()`, and the choice between the two "invalid character" messages), or
//! whitespace (`str.strip`). The tables are generated from CPython's own Unicode database by
//! `scripts/gen_unicode_tables.py`, so that no crate's newer Unicode version can disagree.

use super::unicode_tables::{ID_CONTINUE, ID_START, PRINTABLE, SPACE, WORD};

fn in_table(table: &[(u32, u32)], c: char) -> bool {
    let u = c as u32;
    table
        .binary_search_by(|&(lo, hi)| {
            if hi < u {
                std::cmp::Ordering::Less
            } else if lo > u {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// `c.isidentifier()`: may start an identifier (XID_Start or `_`).
pub(crate) fn is_id_start(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic() || c == '_';
    }
    in_table(&ID_START, c)
}

/// May continue an identifier (XID_Continue).
pub(crate) fn is_id_continue(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '_';
    }
    in_table(&ID_CONTINUE, c)
}

/// `\w` of Python's `re` for str patterns.
pub(crate) fn is_word(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '_';
    }
    in_table(&WORD, c)
}

/// `c.isprintable()`.
pub(crate) fn is_printable(c: char) -> bool {
    if c.is_ascii() {
        return (' '..='~').contains(&c);
    }
    in_table(&PRINTABLE, c)
}

/// `c.isspace()`.
pub(crate) fn is_space(c: char) -> bool {
    in_table(&SPACE, c)
}

/// Index (in chars) and value of the first character that makes `ident` invalid, as
/// `_PyUnicode_ScanIdentifier`; `None` if it is a valid identifier.
pub(crate) fn first_invalid_ident_char(ident: &str) -> Option<(usize, char)> {
    for (i, c) in ident.chars().enumerate() {
        let ok = if i == 0 {
            is_id_start(c)
        } else {
            is_id_continue(c)
        };
        if !ok {
            return Some((i, c));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_and_printability() {
        assert_eq!(first_invalid_ident_char("abc"), None);
        assert_eq!(first_invalid_ident_char("ñandú_2"), None);
        assert_eq!(first_invalid_ident_char("x€y"), Some((1, '€')));
        assert_eq!(first_invalid_ident_char("1x"), Some((0, '1')));
        assert!(is_printable('€'));
        assert!(!is_printable('\u{a0}'));
        assert!(!is_printable('\u{200b}'));
        assert!(!is_printable('\x01'));
        assert!(is_word('²') && !is_id_start('²'));
        assert!(is_space('\u{3000}') && !is_space('\u{200b}'));
    }
}
