//! The `str.is*()` predicates, as CPython's `unicode_is*` functions (empty-string results
//! included: `''.isascii()` and `''.isprintable()` are True, the others False).

use super::props::{
    is_alpha, is_decimal, is_digit, is_lower, is_numeric, is_printable, is_space, is_title,
    is_upper, is_xid_continue, is_xid_start,
};

fn all_nonempty(s: &str, f: impl Fn(char) -> bool) -> bool {
    !s.is_empty() && s.chars().all(f)
}

pub fn isdigit(s: &str) -> bool {
    all_nonempty(s, is_digit)
}
pub fn isdecimal(s: &str) -> bool {
    all_nonempty(s, is_decimal)
}
pub fn isnumeric(s: &str) -> bool {
    all_nonempty(s, is_numeric)
}
pub fn isalpha(s: &str) -> bool {
    all_nonempty(s, is_alpha)
}
pub fn isalnum(s: &str) -> bool {
    all_nonempty(s, |c| {
        is_alpha(c) || is_decimal(c) || is_digit(c) || is_numeric(c)
    })
}
pub fn isspace(s: &str) -> bool {
    all_nonempty(s, is_space)
}
pub fn isascii(s: &str) -> bool {
    s.is_ascii()
}
pub fn isprintable(s: &str) -> bool {
    s.chars().all(is_printable)
}

/// `str.isupper()`: some cased character, none lower- or title-case.
pub fn isupper(s: &str) -> bool {
    let mut cased = false;
    for c in s.chars() {
        if is_lower(c) || is_title(c) {
            return false;
        }
        cased |= is_upper(c);
    }
    cased
}

/// `str.islower()`.
pub fn islower(s: &str) -> bool {
    let mut cased = false;
    for c in s.chars() {
        if is_upper(c) || is_title(c) {
            return false;
        }
        cased |= is_lower(c);
    }
    cased
}

/// `str.istitle()`: upper/title-case only after uncased, lower-case only after cased.
pub fn istitle(s: &str) -> bool {
    let mut cased = false;
    let mut previous_is_cased = false;
    for c in s.chars() {
        if is_upper(c) || is_title(c) {
            if previous_is_cased {
                return false;
            }
            previous_is_cased = true;
            cased = true;
        } else if is_lower(c) {
            if !previous_is_cased {
                return false;
            }
            previous_is_cased = true;
            cased = true;
        } else {
            previous_is_cased = false;
        }
    }
    cased
}

/// `str.isidentifier()`: XID_Start or `_`, then XID_Continue.
pub fn isidentifier(s: &str) -> bool {
    let mut it = s.chars();
    match it.next() {
        Some(c) if is_xid_start(c) || c == '_' => it.all(is_xid_continue),
        _ => false,
    }
}
