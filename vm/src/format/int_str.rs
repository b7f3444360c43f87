//! `int` ↔ text: `int(s)`, `int(s, base)`, `str(n)`, `bin`/`oct`/`hex`, and CPython's limit on
//! decimal conversions (`sys.set_int_max_str_digits`, 4300 digits by default).
//!
//! Owns the parsing rules of `PyLong_FromString` (Objects/longobject.c): Unicode whitespace and
//! decimal digits accepted as their ASCII equivalents, one underscore between digits, base-0
//! prefixes, "old octal" rejection, and the exact error messages.

use std::sync::atomic::{AtomicUsize, Ordering};

use num_bigint::{BigInt, BigUint, Sign};
use num_traits::Zero;

use super::error::{PyExc, PyResult};

/// A Python int as the VM holds it: inline when it fits in i64, else a BigInt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntVal {
    Small(i64),
    Big(BigInt),
}

impl IntVal {
    /// The value as a BigInt (cloning a big one).
    pub fn to_big(&self) -> BigInt {
        match self {
            IntVal::Small(v) => BigInt::from(*v),
            IntVal::Big(b) => b.clone(),
        }
    }
}

/// `sys.int_info.default_max_str_digits`.
pub const DEFAULT_MAX_STR_DIGITS: usize = 4300;
/// `sys.int_info.str_digits_check_threshold`: the smallest non-zero limit allowed.
pub const STR_DIGITS_CHECK_THRESHOLD: usize = 640;

/// Interpreter-wide, as in CPython; 0 means unlimited.
static MAX_STR_DIGITS: AtomicUsize = AtomicUsize::new(DEFAULT_MAX_STR_DIGITS);

/// `sys.get_int_max_str_digits()`.
pub fn int_max_str_digits() -> usize {
    MAX_STR_DIGITS.load(Ordering::Relaxed)
}

/// `sys.set_int_max_str_digits(n)`, with its validation.
pub fn set_int_max_str_digits(n: i64) -> PyResult<()> {
    if n != 0 && n < STR_DIGITS_CHECK_THRESHOLD as i64 {
        return Err(PyExc::value(format!(
            "maxdigits must be 0 or larger than {}",
            STR_DIGITS_CHECK_THRESHOLD
        )));
    }
    MAX_STR_DIGITS.store(n as usize, Ordering::Relaxed);
    Ok(())
}

fn to_str_limit_error(limit: usize) -> PyExc {
    PyExc::value(format!(
        "Exceeds the limit ({} digits) for integer string conversion; \
         use sys.set_int_max_str_digits() to increase the limit",
        limit
    ))
}

/// `str(n)` / `repr(n)`, subject to the digit limit (ValueError past it).
pub fn int_to_decimal(n: &BigInt) -> PyResult<String> {
    let limit = int_max_str_digits();
    if limit > 0 {
        // Cheap pre-check so a huge number is refused before the quadratic conversion:
        // a b-bit number has at least floor((b-1)·log10 2)+1 digits (one digit of slack for
        // float error; the exact check follows the conversion).
        let bits = n.bits();
        let at_least = ((bits.max(1) - 1) as f64 * std::f64::consts::LOG10_2) as u64;
        if at_least > limit as u64 + 1 {
            return Err(to_str_limit_error(limit));
        }
    }
    let s = n.to_string();
    let digits = s.len() - (n.sign() == Sign::Minus) as usize;
    if limit > 0 && digits > limit {
        return Err(to_str_limit_error(limit));
    }
    Ok(s)
}

/// `str(n)` for an i64 (never near the limit).
pub fn i64_to_decimal(n: i64) -> String {
    n.to_string()
}

/// `bin(n)`, `oct(n)`, `hex(n)`: base 2, 8 or 16 with `0b`/`0o`/`0x` after any sign.
/// Power-of-two bases are exempt from the digit limit, as in CPython.
pub fn int_to_prefixed(n: &BigInt, base: u32) -> String {
    let prefix = match base {
        2 => "0b",
        8 => "0o",
        16 => "0x",
        _ => panic!("int_to_prefixed: base must be 2, 8 or 16"),
    };
    let sign = if n.sign() == Sign::Minus { "-" } else { "" };
    format!("{}{}{}", sign, prefix, n.magnitude().to_str_radix(base))
}

/// [`int_to_prefixed`] for an i64.
pub fn i64_to_prefixed(n: i64, base: u32) -> String {
    let m = n.unsigned_abs();
    let sign = if n < 0 { "-" } else { "" };
    match base {
        2 => format!("{}0b{:b}", sign, m),
        8 => format!("{}0o{:o}", sign, m),
        16 => format!("{}0x{:x}", sign, m),
        _ => panic!("i64_to_prefixed: base must be 2, 8 or 16"),
    }
}

/// `_PyLong_DigitValue`: 0-9, a-z, A-Z → 0..35, anything else 37.
fn digit_value(b: u8) -> u32 {
    match b {
        b'0'..=b'9' => (b - b'0') as u32,
        b'a'..=b'z' => (b - b'a') as u32 + 10,
        b'A'..=b'Z' => (b - b'A') as u32 + 10,
        _ => 37,
    }
}

/// `Py_ISSPACE`: the ASCII whitespace CPython's C parsers skip.
pub(crate) fn is_ascii_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// `_PyUnicode_TransformDecimalAndSpaceToASCII`: Unicode whitespace → ' ', Unicode decimal
/// digits → ASCII digits, other non-ASCII → '?' (which no parser accepts).
pub(crate) fn transform_decimal_and_space(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| {
            if c.is_ascii() {
                c as u8
            } else if crate::text::is_space(c) {
                b' '
            } else if let Some(d) = crate::text::decimal_value(c) {
                b'0' + d as u8
            } else {
                b'?'
            }
        })
        .collect()
}

fn invalid_literal(s: &str, base: u32) -> PyExc {
    // "%.200R": the repr, cut to 200 characters.
    let r: String = crate::text::repr_str(s).chars().take(200).collect();
    PyExc::value(format!(
        "invalid literal for int() with base {}: {}",
        base, r
    ))
}

/// [`parse_int`] returning a small int when it fits, with a fast path for the common case
/// (short ASCII decimal text, optional sign and surrounding ASCII spaces, no underscores).
pub fn parse_int_val(s: &str, base: u32) -> PyResult<IntVal> {
    if base == 10 || base == 0 {
        let t = s.trim_matches(|c: char| c.is_ascii() && is_ascii_space(c as u8));
        let (neg, digits) = match t.as_bytes().first() {
            Some(b'-') => (true, &t[1..]),
            Some(b'+') => (false, &t[1..]),
            _ => (false, t),
        };
        let simple = !digits.is_empty()
            && digits.len() <= 18
            && digits.bytes().all(|b| b.is_ascii_digit())
            && (base == 10 || digits == "0" || !digits.starts_with('0'));
        if simple {
            let v = digits.bytes().fold(0i64, |a, b| a * 10 + (b - b'0') as i64);
            return Ok(IntVal::Small(if neg { -v } else { v }));
        }
    }
    let big = parse_int(s, base)?;
    Ok(match i64::try_from(&big) {
        Ok(v) => IntVal::Small(v),
        Err(_) => IntVal::Big(big),
    })
}

/// `int(s, base)` for a str argument (`int(s)` is base 10). `base` is 0 or 2..=36.
pub fn parse_int(s: &str, base: u32) -> PyResult<BigInt> {
    if base == 1 || base > 36 {
        return Err(PyExc::value("int() base must be >= 2 and <= 36, or 0"));
    }
    let buf = transform_decimal_and_space(s);
    let orig_base = base;
    let err = |b: u32| invalid_literal(s, b);
    let mut i = 0;
    let at = |i: usize| buf.get(i).copied().unwrap_or(0);
    while i < buf.len() && is_ascii_space(buf[i]) {
        i += 1;
    }
    let mut negative = false;
    if at(i) == b'+' {
        i += 1;
    } else if at(i) == b'-' {
        negative = true;
        i += 1;
    }
    let mut base = base;
    let mut error_if_nonzero = false;
    if base == 0 {
        base = if at(i) != b'0' {
            10
        } else {
            match at(i + 1) {
                b'x' | b'X' => 16,
                b'o' | b'O' => 8,
                b'b' | b'B' => 2,
                _ => {
                    error_if_nonzero = true;
                    10
                }
            }
        };
    }
    if at(i) == b'0'
        && matches!(
            (base, at(i + 1)),
            (16, b'x' | b'X') | (8, b'o' | b'O') | (2, b'b' | b'B')
        )
    {
        i += 2;
        if at(i) == b'_' {
            i += 1;
        }
    }
    if at(i) == b'_' {
        return Err(err(orig_base));
    }
    // Scan digits and single underscores.
    let start = i;
    let mut digits: Vec<u8> = Vec::with_capacity(buf.len() - i);
    let mut prev = 0u8;
    while i < buf.len() && (digit_value(buf[i]) < base || buf[i] == b'_') {
        if buf[i] == b'_' {
            if prev == b'_' {
                return Err(err(orig_base));
            }
        } else {
            digits.push(buf[i]);
        }
        prev = buf[i];
        i += 1;
    }
    if prev == b'_' {
        return Err(err(orig_base));
    }
    if !base.is_power_of_two() {
        let limit = int_max_str_digits();
        if limit > 0 && digits.len() > limit {
            return Err(PyExc::value(format!(
                "Exceeds the limit ({} digits) for integer string conversion: value has {} \
                 digits; use sys.set_int_max_str_digits() to increase the limit",
                limit,
                digits.len()
            )));
        }
    }
    if i == start {
        return Err(err(orig_base));
    }
    let magnitude = BigUint::parse_bytes(&digits, base).ok_or_else(|| err(orig_base))?;
    if error_if_nonzero && !magnitude.is_zero() {
        return Err(err(0));
    }
    while i < buf.len() && is_ascii_space(buf[i]) {
        i += 1;
    }
    if i != buf.len() {
        return Err(err(if error_if_nonzero { 0 } else { orig_base }));
    }
    let sign = if negative { Sign::Minus } else { Sign::Plus };
    Ok(BigInt::from_biguint(sign, magnitude))
}
