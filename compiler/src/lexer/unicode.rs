//! Unicode questions the lexers ask: is this a valid identifier (PEP 3131), and is a character
//! printable (`str.isprintable`, which picks between CPython's two "invalid character" messages).
//!
//! XID_Start / XID_Continue come from the `unicode-ident` crate. Printability is decided by the
//! general categories CPython treats as non-printable (Cc, Cf, Cs, Co, Cn, Zl, Zp, Zs except the
//! space); the table below lists the non-printable ranges of the assigned categories. Unassigned
//! code points (Cn) count as printable here, a known, rarely visible difference.

/// Index (in chars) of the first character that makes `ident` invalid, as
/// `_PyUnicode_ScanIdentifier`; `None` if it is a valid identifier.
pub(crate) fn first_invalid_ident_char(ident: &str) -> Option<(usize, char)> {
    for (i, c) in ident.chars().enumerate() {
        let ok = if i == 0 {
            c == '_' || unicode_ident::is_xid_start(c)
        } else {
            unicode_ident::is_xid_continue(c)
        };
        if !ok {
            return Some((i, c));
        }
    }
    None
}

/// Non-printable ranges outside ASCII controls (inclusive): Zs, Zl, Zp, Cf, Co, and C1 controls.
const NON_PRINTABLE: &[(u32, u32)] = &[
    (0x80, 0xa0),
    (0xad, 0xad),
    (0x600, 0x605),
    (0x61c, 0x61c),
    (0x6dd, 0x6dd),
    (0x70f, 0x70f),
    (0x890, 0x891),
    (0x8e2, 0x8e2),
    (0x1680, 0x1680),
    (0x180e, 0x180e),
    (0x2000, 0x200f),
    (0x2028, 0x202f),
    (0x205f, 0x2064),
    (0x2066, 0x206f),
    (0x3000, 0x3000),
    (0xd800, 0xf8ff),
    (0xfeff, 0xfeff),
    (0xfff9, 0xfffb),
    (0x110bd, 0x110bd),
    (0x110cd, 0x110cd),
    (0x13430, 0x1343f),
    (0x1bca0, 0x1bca3),
    (0x1d173, 0x1d17a),
    (0xe0001, 0xe0001),
    (0xe0020, 0xe007f),
    (0xf0000, 0x10ffff),
];

/// `str.isprintable()` for one character (see the module doc for the approximation).
pub(crate) fn is_printable(c: char) -> bool {
    let u = c as u32;
    if u < 0x80 {
        return (0x20..0x7f).contains(&u);
    }
    !NON_PRINTABLE.iter().any(|&(lo, hi)| lo <= u && u <= hi)
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
    }
}
