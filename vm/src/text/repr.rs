//! `repr(str)`, `ascii(str)` and `repr(bytes)` (CPython's `unicode_repr`, `PyObject_ASCII`,
//! `PyBytes_Repr`): quote choice and escapes.

use super::props::is_printable;
use std::fmt::Write;

/// `'` unless the text has a `'` and no `"`.
fn quote_for(has_single: bool, has_double: bool) -> char {
    if has_single && !has_double {
        '"'
    } else {
        '\''
    }
}

fn escape_into(out: &mut String, c: char, quote: char, ascii_only: bool) {
    match c {
        '\\' => out.push_str("\\\\"),
        '\t' => out.push_str("\\t"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        c if c == quote => {
            out.push('\\');
            out.push(c);
        }
        c if (c as u32) < 0x20 || c as u32 == 0x7f => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c if c.is_ascii() => out.push(c),
        c if !ascii_only && is_printable(c) => out.push(c),
        c => {
            let u = c as u32;
            let _ = if u < 0x100 {
                write!(out, "\\x{:02x}", u)
            } else if u < 0x10000 {
                write!(out, "\\u{:04x}", u)
            } else {
                write!(out, "\\U{:08x}", u)
            };
        }
    }
}

fn repr_impl(s: &str, ascii_only: bool) -> String {
    let quote = quote_for(s.contains('\''), s.contains('"'));
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        escape_into(&mut out, c, quote, ascii_only);
    }
    out.push(quote);
    out
}

/// `repr(s)` for a str.
pub fn repr_str(s: &str) -> String {
    repr_impl(s, false)
}

/// `ascii(s)` for a str: `repr` with every non-ASCII character escaped.
pub fn ascii_str(s: &str) -> String {
    repr_impl(s, true)
}

/// `ascii(x)` for any object, given `repr(x)`: every non-ASCII character escaped as
/// `\xhh`, `\uhhhh` or `\Uhhhhhhhh` (CPython's `PyObject_ASCII`). For a str,
/// `ascii_escape(&repr_str(s)) == ascii_str(s)`.
pub fn ascii_escape(repr: &str) -> String {
    if repr.is_ascii() {
        return repr.to_owned();
    }
    let mut out = String::with_capacity(repr.len() + 8);
    for c in repr.chars() {
        let u = c as u32;
        let _ = if u < 0x80 {
            out.push(c);
            Ok(())
        } else if u < 0x100 {
            write!(out, "\\x{:02x}", u)
        } else if u < 0x10000 {
            write!(out, "\\u{:04x}", u)
        } else {
            write!(out, "\\U{:08x}", u)
        };
    }
    out
}

/// `repr(b)` for bytes.
pub fn repr_bytes(b: &[u8]) -> String {
    let quote = quote_for(b.contains(&b'\''), b.contains(&b'"'));
    let mut out = String::with_capacity(b.len() + 3);
    out.push('b');
    out.push(quote);
    for &x in b {
        match x {
            b'\\' => out.push_str("\\\\"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            x if x as char == quote => {
                out.push('\\');
                out.push(quote);
            }
            0x20..=0x7e => out.push(x as char),
            _ => {
                let _ = write!(out, "\\x{:02x}", x);
            }
        }
    }
    out.push(quote);
    out
}
