//! The format-spec mini-language: `format(value, spec)`, f-string `{x:spec}`, `str.format`.
//!
//! Owns: parsing a spec (Python/formatter_unicode.c `parse_internal_render_format_spec`, with
//! 3.11's `z`), and rendering `int`, `bool`, `float` and `str` through it, including padding,
//! sign, `#` prefixes, `0`-padding with grouping, and every error message CPython gives.
//! Does not own: finding the spec inside an f-string or a `str.format` template (the compiler and
//! the VM do that), nor calling a user `__format__`.

use num_bigint::{BigInt, Sign};

use super::digits::{fill_fraction, fixed_parts, i64_to_string, u64_digits, U64_BUF};
use super::error::{PyExc, PyResult};
use super::float_repr::{double_to_string, FloatCode, FloatFlags};

/// CPython refuses to allocate more than this; we refuse earlier than a Rust abort would.
const MAX_WIDTH: usize = 1 << 31;

/// Grouping requested by `,` or `_`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    None,
    /// `,` every three digits.
    Comma,
    /// `_` every three digits (decimal) or four (b/o/x/X).
    Underscore,
}

/// A parsed format spec: `[[fill]align][sign][z][#][0][width][grouping][.precision][type]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatSpec {
    pub fill: char,
    /// One of `<`, `>`, `^`, `=`.
    pub align: char,
    pub sign: Option<char>,
    pub no_neg_0: bool,
    pub alternate: bool,
    pub width: Option<usize>,
    pub grouping: Grouping,
    pub precision: Option<usize>,
    /// The presentation type, `None` when omitted.
    pub ty: Option<char>,
}

fn is_align(c: char) -> bool {
    matches!(c, '<' | '>' | '=' | '^')
}

/// Reads a run of decimal digits (any Unicode Nd, as CPython's `Py_UNICODE_TODECIMAL`).
fn get_integer<U: Copy + Into<char>>(chars: &[U], pos: &mut usize) -> PyResult<Option<usize>> {
    let start = *pos;
    let mut acc: usize = 0;
    while let Some(&c) = chars.get(*pos) {
        let c: char = c.into();
        // ASCII digits first: `decimal_value` is an out-of-line table lookup.
        let d = if c.is_ascii_digit() {
            Some(c as u32 - '0' as u32)
        } else {
            crate::text::decimal_value(c)
        };
        let Some(d) = d else {
            break;
        };
        acc = acc
            .checked_mul(10)
            .and_then(|a| a.checked_add(d as usize))
            .filter(|a| *a <= isize::MAX as usize)
            .ok_or_else(|| PyExc::value("Too many decimal digits in format string"))?;
        *pos += 1;
    }
    Ok(if *pos == start { None } else { Some(acc) })
}

fn char_for_msg(c: char) -> String {
    let u = c as u32;
    if u > 32 && u < 128 {
        c.to_string()
    } else {
        format!("\\x{:x}", u)
    }
}

impl FormatSpec {
    /// Parses `spec` for an object whose type is named `type_name` (used in error messages),
    /// with that type's default presentation type (`s` for str, `d` for int, none for float)
    /// and alignment (`<` for str, `>` for numbers).
    pub fn parse(
        spec: &str,
        type_name: &str,
        default_type: Option<char>,
        default_align: char,
    ) -> PyResult<FormatSpec> {
        // --- strings --- ASCII specs (nearly all) are parsed as bytes, with no decoding.
        if spec.is_ascii() {
            return Self::parse_units(
                spec.as_bytes(),
                spec,
                type_name,
                default_type,
                default_align,
            );
        }
        let chars: Vec<char> = spec.chars().collect();
        Self::parse_units(&chars, spec, type_name, default_type, default_align)
    }

    /// [`FormatSpec::parse`] over the spec's code units (bytes when ASCII, else chars).
    fn parse_units<U: Copy + Into<char>>(
        units: &[U],
        spec: &str,
        type_name: &str,
        default_type: Option<char>,
        default_align: char,
    ) -> PyResult<FormatSpec> {
        let chars = units;
        let at = |i: usize| -> char { units[i].into() };
        let end = chars.len();
        let mut pos = 0;
        let mut f = FormatSpec {
            fill: ' ',
            align: default_align,
            sign: None,
            no_neg_0: false,
            alternate: false,
            width: None,
            grouping: Grouping::None,
            precision: None,
            ty: default_type,
        };
        let mut fill_specified = false;
        let mut align_specified = false;
        if end >= 2 && is_align(at(1)) {
            f.align = at(1);
            f.fill = at(0);
            fill_specified = true;
            align_specified = true;
            pos = 2;
        } else if end >= 1 && is_align(at(0)) {
            f.align = at(0);
            align_specified = true;
            pos = 1;
        }
        if pos < end && matches!(at(pos), ' ' | '+' | '-') {
            f.sign = Some(at(pos));
            pos += 1;
        }
        if pos < end && at(pos) == 'z' {
            f.no_neg_0 = true;
            pos += 1;
        }
        if pos < end && at(pos) == '#' {
            f.alternate = true;
            pos += 1;
        }
        if !fill_specified && pos < end && at(pos) == '0' {
            f.fill = '0';
            if !align_specified && default_align == '>' {
                f.align = '=';
            }
            pos += 1;
        }
        f.width = get_integer(chars, &mut pos)?;
        if pos < end && at(pos) == ',' {
            f.grouping = Grouping::Comma;
            pos += 1;
        }
        if pos < end && at(pos) == '_' {
            if f.grouping != Grouping::None {
                return Err(PyExc::value("Cannot specify both ',' and '_'."));
            }
            f.grouping = Grouping::Underscore;
            pos += 1;
        }
        if pos < end && at(pos) == ',' {
            return Err(PyExc::value("Cannot specify both ',' and '_'."));
        }
        if pos < end && at(pos) == '.' {
            pos += 1;
            f.precision = get_integer(chars, &mut pos)?;
            if f.precision.is_none() {
                return Err(PyExc::value("Format specifier missing precision"));
            }
        }
        if end - pos > 1 {
            return Err(PyExc::value(format!(
                "Invalid format specifier '{}' for object of type '{}'",
                spec, type_name
            )));
        }
        if pos < end {
            f.ty = Some(at(pos));
        }
        if f.grouping != Grouping::None {
            match f.ty {
                None | Some('d' | 'e' | 'f' | 'g' | 'E' | 'G' | '%' | 'F') => {}
                Some('b' | 'o' | 'x' | 'X') if f.grouping == Grouping::Underscore => {}
                Some(t) => {
                    let sep = if f.grouping == Grouping::Comma {
                        ','
                    } else {
                        '_'
                    };
                    return Err(PyExc::value(format!(
                        "Cannot specify '{}' with '{}'.",
                        sep,
                        char_for_msg(t)
                    )));
                }
            }
        }
        if f.width.unwrap_or(0) > MAX_WIDTH {
            return Err(PyExc::new(super::error::ExcKind::MemoryError, ""));
        }
        Ok(f)
    }

    fn width(&self) -> i64 {
        self.width.map_or(-1, |w| w as i64)
    }
}

fn unknown_type(t: char, type_name: &str) -> PyExc {
    PyExc::value(format!(
        "Unknown format code '{}' for object of type '{}'",
        char_for_msg(t),
        type_name
    ))
}

fn push_n(out: &mut String, c: char, n: i64) {
    out.extend(std::iter::repeat_n(c, n.max(0) as usize));
}

/// `_PyUnicode_InsertThousandsGrouping`: `digits` grouped every `group` (0: no grouping) with
/// `sep`, left-padded with zeros (which are grouped too) to at least `min_width` characters.
fn group_digits(digits: &[u8], min_width: i64, group: usize, sep: char) -> String {
    // Built right to left, then reversed.
    let mut rev: Vec<char> = Vec::with_capacity(digits.len() + digits.len() / 3 + 1);
    let mut remaining = digits.len() as i64;
    let mut min_width = min_width;
    let mut src = digits.len();
    let mut use_sep = false;
    let mut fill = |rev: &mut Vec<char>, n_chars: i64, n_zeros: i64, use_sep: bool| {
        if use_sep {
            rev.push(sep);
        }
        for _ in 0..n_chars {
            src -= 1;
            rev.push(digits[src] as char);
        }
        push_zero(rev, n_zeros);
    };
    fn push_zero(rev: &mut Vec<char>, n: i64) {
        for _ in 0..n.max(0) {
            rev.push('0');
        }
    }
    let mut broken = false;
    if group > 0 {
        loop {
            let len = (group as i64).min(remaining.max(min_width).max(1));
            let n_zeros = (len - remaining).max(0);
            let n_chars = remaining.min(len).max(0);
            fill(&mut rev, n_chars, n_zeros, use_sep);
            use_sep = true;
            remaining -= n_chars;
            min_width -= len;
            if remaining <= 0 && min_width <= 0 {
                broken = true;
                break;
            }
            min_width -= 1;
        }
    }
    if !broken {
        let len = remaining.max(min_width).max(1);
        let n_zeros = (len - remaining).max(0);
        let n_chars = remaining.min(len).max(0);
        fill(&mut rev, n_chars, n_zeros, use_sep && group > 0);
    }
    rev.into_iter().rev().collect()
}

/// The pieces of a formatted number: `<sign><prefix><digits>[.]<remainder>`.
struct NumberParts<'a> {
    negative: bool,
    prefix: &'a str,
    /// ASCII digits before any decimal point or exponent (grouped and zero-padded).
    digits: &'a [u8],
    has_decimal: bool,
    /// Everything after the point (or after the digits when there is none).
    remainder: &'a str,
}

/// `calc_number_widths` + `fill_number`, written straight into one exact-size string.
fn layout_number(f: &FormatSpec, p: &NumberParts, group: usize, upper: bool) -> String {
    let sign = match f.sign {
        Some('+') => Some(if p.negative { '-' } else { '+' }),
        Some(' ') => Some(if p.negative { '-' } else { ' ' }),
        _ => p.negative.then_some('-'),
    };
    let n_sign = sign.is_some() as i64;
    let n_prefix = p.prefix.len() as i64;
    let n_decimal = p.has_decimal as i64;
    let n_remainder = if p.remainder.is_ascii() {
        p.remainder.len()
    } else {
        p.remainder.chars().count()
    } as i64;
    let non_digit = n_sign + n_prefix + n_decimal + n_remainder;
    let width = f.width();
    let min_width = if f.fill == '0' && f.align == '=' {
        width - non_digit
    } else {
        0
    };
    let sep = if f.grouping == Grouping::Comma {
        ','
    } else {
        '_'
    };
    // --- strings --- Without grouping the digits are only zero-padded: no separate buffer.
    let grouped_owned: String;
    let (n_zeros, digits): (i64, &[u8]) = if p.digits.is_empty() {
        (0, b"")
    } else if group == 0 {
        ((min_width - p.digits.len() as i64).max(0), p.digits)
    } else {
        grouped_owned = group_digits(p.digits, min_width, group, sep);
        (0, grouped_owned.as_bytes())
    };
    let n_grouped = n_zeros + digits.len() as i64;
    let n_padding = width - (non_digit + n_grouped);
    let (mut lpad, mut spad, mut rpad) = (0, 0, 0);
    if n_padding > 0 {
        match f.align {
            '<' => rpad = n_padding,
            '^' => {
                lpad = n_padding / 2;
                rpad = n_padding - lpad;
            }
            '=' => spad = n_padding,
            _ => lpad = n_padding,
        }
    }
    let capacity = (lpad + spad + rpad) as usize * f.fill.len_utf8()
        + n_sign as usize
        + p.prefix.len()
        + n_grouped as usize
        + n_decimal as usize
        + p.remainder.len();
    let mut out = String::with_capacity(capacity);
    push_n(&mut out, f.fill, lpad);
    if let Some(s) = sign {
        out.push(s);
    }
    push_ascii(&mut out, p.prefix.as_bytes(), upper);
    push_n(&mut out, f.fill, spad);
    push_n(&mut out, '0', n_zeros);
    push_ascii(&mut out, digits, upper);
    if p.has_decimal {
        out.push('.');
    }
    out.push_str(p.remainder);
    push_n(&mut out, f.fill, rpad);
    out
}

/// Appends ASCII `bytes` (digits, prefixes, separators), upper-cased if asked.
fn push_ascii(out: &mut String, bytes: &[u8], upper: bool) {
    if !upper {
        out.push_str(std::str::from_utf8(bytes).unwrap_or_default());
        return;
    }
    for &b in bytes {
        out.push(if upper {
            b.to_ascii_uppercase() as char
        } else {
            b as char
        });
    }
}

/// `format(s, spec)` for a `str` (`type_name` is "str" unless a subclass).
pub fn format_str(value: &str, spec: &str) -> PyResult<String> {
    format_str_typed(value, spec, "str")
}

/// [`format_str`] naming another type in errors.
pub fn format_str_typed(value: &str, spec: &str, type_name: &str) -> PyResult<String> {
    if spec.is_empty() {
        return Ok(value.to_owned());
    }
    let f = FormatSpec::parse(spec, type_name, Some('s'), '<')?;
    match f.ty {
        None | Some('s') => {}
        Some(t) => return Err(unknown_type(t, type_name)),
    }
    match f.sign {
        Some(' ') => return Err(PyExc::value("Space not allowed in string format specifier")),
        Some(_) => return Err(PyExc::value("Sign not allowed in string format specifier")),
        None => {}
    }
    if f.no_neg_0 {
        return Err(PyExc::value(
            "Negative zero coercion (z) not allowed in string format specifier",
        ));
    }
    if f.alternate {
        return Err(PyExc::value(
            "Alternate form (#) not allowed in string format specifier",
        ));
    }
    if f.align == '=' {
        return Err(PyExc::value(
            "'=' alignment not allowed in string format specifier",
        ));
    }
    Ok(pad_str(value, &f))
}

fn pad_str(value: &str, f: &FormatSpec) -> String {
    let mut len = value.chars().count();
    let mut s = value;
    if let Some(p) = f.precision {
        if len > p {
            len = p;
            s = &value[..value.char_indices().nth(p).map_or(value.len(), |(i, _)| i)];
        }
    }
    let total = f.width.map_or(len, |w| w.max(len));
    let lpad = match f.align {
        '>' => total - len,
        '^' => (total - len) / 2,
        _ => 0,
    };
    let rpad = total - len - lpad;
    let mut out = String::with_capacity(s.len() + lpad + rpad);
    push_n(&mut out, f.fill, lpad as i64);
    out.push_str(s);
    push_n(&mut out, f.fill, rpad as i64);
    out
}

/// An integer as sign and magnitude digits, so i64 and BigInt share one path.
enum IntValue<'a> {
    Small(i64),
    Big(&'a BigInt),
}

impl IntValue<'_> {
    fn negative(&self) -> bool {
        match self {
            IntValue::Small(v) => *v < 0,
            IntValue::Big(b) => b.sign() == Sign::Minus,
        }
    }
    fn magnitude_digits(&self, base: u32) -> PyResult<String> {
        Ok(match self {
            IntValue::Small(v) => {
                let m = v.unsigned_abs();
                match base {
                    2 => format!("{:b}", m),
                    8 => format!("{:o}", m),
                    16 => format!("{:x}", m),
                    _ => m.to_string(),
                }
            }
            // Decimal conversions obey sys.set_int_max_str_digits; power-of-two bases don't.
            IntValue::Big(b) if base == 10 => {
                let s = super::int_str::int_to_decimal(b)?;
                s.trim_start_matches('-').to_owned()
            }
            IntValue::Big(b) => b.magnitude().to_str_radix(base),
        })
    }
    fn to_f64(&self) -> PyResult<f64> {
        match self {
            IntValue::Small(v) => Ok(*v as f64),
            IntValue::Big(b) => super::float_ops::bigint_to_f64(b),
        }
    }
    /// `PyLong_AsLong`, then the `%c` range check.
    fn to_codepoint(&self) -> PyResult<u32> {
        let v = match self {
            IntValue::Small(v) => *v,
            IntValue::Big(b) => i64::try_from(*b)
                .map_err(|_| PyExc::overflow("Python int too large to convert to C long"))?,
        };
        u32::try_from(v)
            .ok()
            .filter(|c| *c <= 0x10ffff)
            .ok_or_else(|| PyExc::overflow("%c arg not in range(0x110000)"))
    }
}

/// `format(n, spec)` for an `int` that fits in i64.
pub fn format_i64(value: i64, spec: &str) -> PyResult<String> {
    format_int(IntValue::Small(value), spec, "int")
}

/// `format(n, spec)` for an arbitrary-precision `int`.
pub fn format_bigint(value: &BigInt, spec: &str) -> PyResult<String> {
    format_int(IntValue::Big(value), spec, "int")
}

/// `format(b, spec)` for a `bool`: `str(b)` for an empty spec, else formatted as the int 0/1.
pub fn format_bool(value: bool, spec: &str) -> PyResult<String> {
    if spec.is_empty() {
        return Ok(if value { "True" } else { "False" }.to_owned());
    }
    format_int(IntValue::Small(value as i64), spec, "bool")
}

fn format_int(value: IntValue, spec: &str, type_name: &str) -> PyResult<String> {
    if spec.is_empty() {
        return match value {
            IntValue::Small(v) => Ok(i64_to_string(v)),
            IntValue::Big(b) => super::int_str::int_to_decimal(b),
        };
    }
    let f = FormatSpec::parse(spec, type_name, Some('d'), '>')?;
    let ty = f.ty.unwrap_or('d');
    match ty {
        'b' | 'c' | 'd' | 'o' | 'x' | 'X' | 'n' => {}
        'e' | 'E' | 'f' | 'F' | 'g' | 'G' | '%' => {
            return format_float_spec(value.to_f64()?, &f);
        }
        t => return Err(unknown_type(t, type_name)),
    }
    if f.precision.is_some() {
        return Err(PyExc::value(
            "Precision not allowed in integer format specifier",
        ));
    }
    if f.no_neg_0 {
        return Err(PyExc::value(
            "Negative zero coercion (z) not allowed in integer format specifier",
        ));
    }
    if ty == 'c' {
        if f.sign.is_some() {
            return Err(PyExc::value(
                "Sign not allowed with integer format specifier 'c'",
            ));
        }
        if f.alternate {
            return Err(PyExc::value(
                "Alternate form (#) not allowed with integer format specifier 'c'",
            ));
        }
        let ch = value.to_codepoint()?;
        let ch = char::from_u32(ch).ok_or_else(|| {
            PyExc::value("lone surrogate code points cannot be represented in nanopy strings")
        })?;
        let rem = ch.to_string();
        let parts = NumberParts {
            negative: false,
            prefix: "",
            digits: b"",
            has_decimal: false,
            remainder: &rem,
        };
        return Ok(layout_number(&f, &parts, 0, false));
    }
    let (base, prefix) = match ty {
        'b' => (2, "0b"),
        'o' => (8, "0o"),
        'x' | 'X' => (16, "0x"),
        _ => (10, ""),
    };
    // --- strings --- i64 digits go to a stack buffer (no `core::fmt`, no allocation).
    let mut buf = [0u8; U64_BUF];
    let big_digits: String;
    let digits: &[u8] = match value {
        IntValue::Small(v) => {
            let start = u64_digits(v.unsigned_abs(), base, &mut buf);
            &buf[start..]
        }
        IntValue::Big(_) => {
            big_digits = value.magnitude_digits(base)?;
            big_digits.as_bytes()
        }
    };
    let group = match (f.grouping, base) {
        (Grouping::None, _) => 0,
        (Grouping::Underscore, 2 | 8 | 16) => 4,
        _ => 3,
    };
    let group = if ty == 'n' { 0 } else { group };
    let parts = NumberParts {
        negative: value.negative(),
        prefix: if f.alternate { prefix } else { "" },
        digits,
        has_decimal: false,
        remainder: "",
    };
    Ok(layout_number(&f, &parts, group, ty == 'X'))
}

/// `format(x, spec)` for a `float`.
pub fn format_float(value: f64, spec: &str) -> PyResult<String> {
    if spec.is_empty() {
        return Ok(super::float_repr::float_repr(value));
    }
    let f = FormatSpec::parse(spec, "float", None, '>')?;
    match f.ty {
        None | Some('e' | 'E' | 'f' | 'F' | 'g' | 'G' | 'n' | '%') => {}
        Some(t) => return Err(unknown_type(t, "float")),
    }
    format_float_spec(value, &f)
}

/// `format_float_internal`, for a spec already checked to be a float presentation type.
fn format_float_spec(value: f64, f: &FormatSpec) -> PyResult<String> {
    let mut precision = f.precision;
    if precision.is_some_and(|p| p > i32::MAX as usize) {
        return Err(PyExc::value("precision too big"));
    }
    let mut flags = FloatFlags {
        alt: f.alternate,
        no_neg_0: f.no_neg_0,
        ..FloatFlags::default()
    };
    let mut default_precision = 6;
    let mut ty = f.ty.unwrap_or('r');
    if f.ty.is_none() {
        flags.add_dot_0 = true;
        default_precision = 0;
    }
    if ty == 'n' {
        ty = 'g';
    }
    let mut val = value;
    let mut add_pct = false;
    if ty == '%' {
        ty = 'f';
        val *= 100.0;
        add_pct = true;
    }
    if precision.is_none() {
        precision = Some(default_precision);
    } else if ty == 'r' {
        ty = 'g';
    }
    flags.upper = ty.is_ascii_uppercase();
    if matches!(ty, 'f' | 'F') {
        if let Some(s) = format_fixed_fast(val, precision.unwrap_or(6), add_pct, f) {
            return Ok(s);
        }
    }
    let code = match ty.to_ascii_lowercase() {
        'e' => FloatCode::E,
        'f' => FloatCode::F,
        'g' => FloatCode::G,
        _ => FloatCode::R,
    };
    let mut buf = double_to_string(val, code, precision.unwrap_or(0), flags);
    if add_pct {
        buf.push('%');
    }
    let (negative, body) = match buf.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, buf.as_str()),
    };
    let n_int = body.bytes().take_while(u8::is_ascii_digit).count();
    let has_decimal = body.as_bytes().get(n_int) == Some(&b'.');
    let remainder = &body[n_int + has_decimal as usize..];
    let group = if f.grouping == Grouping::None || f.ty == Some('n') {
        0
    } else {
        3
    };
    let parts = NumberParts {
        negative,
        prefix: "",
        digits: &body.as_bytes()[..n_int],
        has_decimal,
        remainder,
    };
    Ok(layout_number(f, &parts, group, false))
}

// --- strings ---
/// `f`/`F`/`%` for a finite value whose digits [`fixed_parts`] computes exactly: the digits go
/// to stack buffers and straight into the laid-out string. `None` leaves the value to
/// `double_to_string` (huge magnitudes, more than 22 decimals, inf, nan).
fn format_fixed_fast(val: f64, precision: usize, add_pct: bool, f: &FormatSpec) -> Option<String> {
    let (int_part, frac) = fixed_parts(val, precision)?;
    let mut int_buf = [0u8; U64_BUF];
    let start = u64_digits(int_part, 10, &mut int_buf);
    // At most 22 fraction digits (fixed_parts' limit) and a '%'.
    let mut rem_buf = [0u8; 24];
    fill_fraction(&mut rem_buf[..precision], frac);
    let mut n_rem = precision;
    if add_pct {
        rem_buf[n_rem] = b'%';
        n_rem += 1;
    }
    let rounds_to_zero = int_part == 0 && frac == 0;
    let parts = NumberParts {
        negative: val.is_sign_negative() && !(f.no_neg_0 && rounds_to_zero),
        prefix: "",
        digits: &int_buf[start..],
        has_decimal: precision > 0 || f.alternate,
        remainder: std::str::from_utf8(&rem_buf[..n_rem]).unwrap_or_default(),
    };
    let group = if f.grouping == Grouping::None { 0 } else { 3 };
    Some(layout_number(f, &parts, group, false))
}
