//! `float(s)` for a str argument, as CPython's `PyFloat_FromString` (Objects/floatobject.c,
//! Python/pystrtod.c): Unicode spaces and digits, underscores only between digits, `inf`,
//! `infinity` and `nan` in any case with a sign, no hex, overflow to ±inf.
//! Conversion itself is Rust's `f64::from_str`, which is correctly rounded like dtoa's strtod.

use super::error::{PyExc, PyResult};
use super::int_str::{is_ascii_space, transform_decimal_and_space};

fn could_not_convert(s: &str) -> PyExc {
    PyExc::value(format!(
        "could not convert string to float: {}",
        crate::text::repr_str(s)
    ))
}

/// Matches `_PyOS_ascii_strtod`'s accepted syntax over the whole slice.
fn is_float_literal(b: &[u8]) -> bool {
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i = 1;
    }
    let rest = &b[i..];
    let lower = rest.to_ascii_lowercase();
    if lower == b"inf" || lower == b"infinity" || lower == b"nan" {
        return true;
    }
    let digits = |i: &mut usize| {
        let s = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - s
    };
    let mut n = digits(&mut i);
    if i < b.len() && b[i] == b'.' {
        i += 1;
        n += digits(&mut i);
    }
    if n == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// `float(s)`.
pub fn parse_float(s: &str) -> PyResult<f64> {
    let buf = transform_decimal_and_space(s);
    // Underscores: only between digits (`_Py_string_to_number_with_underscores`).
    let mut clean = Vec::with_capacity(buf.len());
    let mut prev = 0u8;
    for &c in &buf {
        if c == b'_' {
            if !prev.is_ascii_digit() {
                return Err(could_not_convert(s));
            }
        } else {
            if prev == b'_' && !c.is_ascii_digit() {
                return Err(could_not_convert(s));
            }
            clean.push(c);
        }
        prev = c;
    }
    if prev == b'_' || clean.contains(&0) {
        return Err(could_not_convert(s));
    }
    let mut a = 0;
    let mut z = clean.len();
    while a < z && is_ascii_space(clean[a]) {
        a += 1;
    }
    while z > a && is_ascii_space(clean[z - 1]) {
        z -= 1;
    }
    let body = &clean[a..z];
    if !is_float_literal(body) {
        return Err(could_not_convert(s));
    }
    let text = std::str::from_utf8(body).map_err(|_| could_not_convert(s))?;
    text.parse::<f64>().map_err(|_| could_not_convert(s))
}
