//! `center ljust rjust zfill expandtabs`, widths in code points.
//!
//! Widths come from Python ints, so a result can be asked to be absurdly large: past
//! [`MAX_RESULT_CHARS`] we raise MemoryError (as CPython does once allocation fails) instead of
//! letting Rust abort on a failed allocation.

use crate::format::{ExcKind, PyExc, PyResult};

/// Largest result, in characters, these functions will try to build.
pub const MAX_RESULT_CHARS: i64 = 1 << 32;

fn check_size(n: i64) -> PyResult<()> {
    if n > MAX_RESULT_CHARS {
        return Err(PyExc::new(ExcKind::MemoryError, ""));
    }
    Ok(())
}

fn repeat(out: &mut String, c: char, n: usize) {
    out.extend(std::iter::repeat_n(c, n));
}

fn char_len(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

/// `pad()` in CPython: `left` fill chars, `s`, `right` fill chars.
fn pad(s: &str, left: usize, right: usize, fill: char) -> String {
    let mut out = String::with_capacity(s.len() + (left + right) * fill.len_utf8());
    repeat(&mut out, fill, left);
    out.push_str(s);
    repeat(&mut out, fill, right);
    out
}

/// `s.center(width, fillchar)` — with CPython's odd-width bias `left = marg/2 + (marg & width & 1)`.
pub fn center(s: &str, width: i64, fill: char) -> PyResult<String> {
    let len = char_len(s) as i64;
    if len >= width {
        return Ok(s.to_owned());
    }
    check_size(width)?;
    let marg = width - len;
    let left = marg / 2 + (marg & width & 1);
    Ok(pad(s, left as usize, (marg - left) as usize, fill))
}

/// `s.ljust(width, fillchar)`.
pub fn ljust(s: &str, width: i64, fill: char) -> PyResult<String> {
    let len = char_len(s) as i64;
    if len >= width {
        return Ok(s.to_owned());
    }
    check_size(width)?;
    Ok(pad(s, 0, (width - len) as usize, fill))
}

/// `s.rjust(width, fillchar)`.
pub fn rjust(s: &str, width: i64, fill: char) -> PyResult<String> {
    let len = char_len(s) as i64;
    if len >= width {
        return Ok(s.to_owned());
    }
    check_size(width)?;
    Ok(pad(s, (width - len) as usize, 0, fill))
}

/// `s.zfill(width)`: zeros after any leading sign.
pub fn zfill(s: &str, width: i64) -> PyResult<String> {
    let len = char_len(s) as i64;
    if len >= width {
        return Ok(s.to_owned());
    }
    check_size(width)?;
    let fill = (width - len) as usize;
    let mut out = String::with_capacity(s.len() + fill);
    let rest = match s.as_bytes().first() {
        Some(b'+' | b'-') => {
            out.push_str(&s[..1]);
            &s[1..]
        }
        _ => s,
    };
    repeat(&mut out, '0', fill);
    out.push_str(rest);
    Ok(out)
}

/// `s.expandtabs(tabsize)`: columns reset at `\n` and `\r`; tabsize <= 0 deletes tabs.
pub fn expandtabs(s: &str, tabsize: i64) -> PyResult<String> {
    let mut out = String::with_capacity(s.len());
    let mut col: i64 = 0;
    let mut total: i64 = 0;
    for c in s.chars() {
        match c {
            '\t' => {
                if tabsize > 0 {
                    let incr = tabsize - col % tabsize;
                    col += incr;
                    total += incr;
                    check_size(total)?;
                    repeat(&mut out, ' ', incr as usize);
                }
            }
            '\n' | '\r' => {
                out.push(c);
                col = 0;
            }
            _ => {
                out.push(c);
                col += 1;
            }
        }
        total += 1;
    }
    Ok(out)
}
