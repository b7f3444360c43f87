//! Case conversion with full (multi-character) mappings and the final-sigma rule, as
//! CPython's `do_upper`, `do_lower`, `do_title`, `do_capitalize`, `do_swapcase`, `do_casefold`.

use super::props::{
    is_case_ignorable, is_cased, is_lower, is_upper, mapped, FOLD_MAP, LOWER_MAP, TITLE_MAP,
    UPPER_MAP,
};

fn push_mapped(out: &mut String, table: &'static [(char, &'static str)], c: char) {
    match mapped(table, c) {
        Some(m) => out.push_str(m),
        None => out.push(c),
    }
}

/// `lower_ucs4`: lower-cases `chars[i]`, choosing final sigma from its context.
fn push_lower(out: &mut String, chars: &[char], i: usize) {
    let c = chars[i];
    if c == '\u{3a3}' {
        out.push(if final_sigma(chars, i) {
            '\u{3c2}'
        } else {
            '\u{3c3}'
        });
    } else {
        push_mapped(out, LOWER_MAP, c);
    }
}

/// Unicode's Final_Sigma: cased, case-ignorable*, Σ, not followed by case-ignorable* cased.
fn final_sigma(chars: &[char], i: usize) -> bool {
    let before = chars[..i].iter().rev().find(|c| !is_case_ignorable(**c));
    if !before.is_some_and(|c| is_cased(*c)) {
        return false;
    }
    let after = chars[i + 1..].iter().find(|c| !is_case_ignorable(**c));
    !after.is_some_and(|c| is_cased(*c))
}

/// `str.upper()`.
pub fn upper(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_uppercase();
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        push_mapped(&mut out, UPPER_MAP, c);
    }
    out
}

/// `str.lower()`.
pub fn lower(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for i in 0..chars.len() {
        push_lower(&mut out, &chars, i);
    }
    out
}

/// `str.casefold()`.
pub fn casefold(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        push_mapped(&mut out, FOLD_MAP, c);
    }
    out
}

/// `str.capitalize()`: first character title-cased, the rest lower-cased.
pub fn capitalize(s: &str) -> String {
    if s.is_ascii() {
        let mut out = s.to_ascii_lowercase();
        if let Some(first) = out.get_mut(..1) {
            first.make_ascii_uppercase();
        }
        return out;
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for i in 0..chars.len() {
        if i == 0 {
            push_mapped(&mut out, TITLE_MAP, chars[0]);
        } else {
            push_lower(&mut out, &chars, i);
        }
    }
    out
}

/// `str.title()`: title-case after an uncased character, lower-case after a cased one.
pub fn title(s: &str) -> String {
    if s.is_ascii() {
        let mut previous_is_cased = false;
        return s
            .chars()
            .map(|c| {
                let out = if previous_is_cased {
                    c.to_ascii_lowercase()
                } else {
                    c.to_ascii_uppercase()
                };
                previous_is_cased = c.is_ascii_alphabetic();
                out
            })
            .collect();
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut previous_is_cased = false;
    for i in 0..chars.len() {
        let c = chars[i];
        if previous_is_cased {
            push_lower(&mut out, &chars, i);
        } else {
            push_mapped(&mut out, TITLE_MAP, c);
        }
        previous_is_cased = is_cased(c);
    }
    out
}

/// `str.swapcase()`.
pub fn swapcase(s: &str) -> String {
    if s.is_ascii() {
        return s
            .chars()
            .map(|c| {
                if c.is_ascii_uppercase() {
                    c.to_ascii_lowercase()
                } else {
                    c.to_ascii_uppercase()
                }
            })
            .collect();
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for i in 0..chars.len() {
        let c = chars[i];
        if is_upper(c) {
            push_lower(&mut out, &chars, i);
        } else if is_lower(c) {
            push_mapped(&mut out, UPPER_MAP, c);
        } else {
            out.push(c);
        }
    }
    out
}
