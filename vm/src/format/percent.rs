//! printf-style formatting: `fmt % args` for str (CPython's `PyUnicode_Format`,
//! Objects/unicodeobject.c), with its parsing quirks and exact errors.
//!
//! Owns: walking the template, flags/width/precision/`*`/`%(key)`, the conversions
//! `s r a c d i u o x X e E f F g G %`, padding and sign placement.
//! Does not own: Python objects. The VM hands each argument in as a [`FormatArg`], which
//! answers the few questions CPython asks an object here (`str()`, `int()`, `float()`, ...).

use num_bigint::BigInt;

use super::error::{PyExc, PyResult};
use super::float_repr::{double_to_string, FloatCode, FloatFlags};
use super::int_str::int_to_decimal;
pub use super::int_str::IntVal;

/// Which text conversion `%s`, `%r` and `%a` ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextConv {
    /// `str(x)`
    Str,
    /// `repr(x)`
    Repr,
    /// `ascii(x)`
    Ascii,
}

/// What `%`-formatting needs to know about one Python object. The VM implements this on
/// (a reference to) its value type; every method may run Python code and so may fail.
pub trait FormatArg {
    /// The VM's exception type: errors raised by the methods below pass through unchanged,
    /// and the `TypeError`/`ValueError`s raised by `%`-formatting itself arrive via `From`.
    type Error: From<PyExc>;
    /// `type(x).__name__`, for error messages.
    fn type_name(&self) -> String;
    /// `str(x)`, `repr(x)` or `ascii(x)`.
    fn text(&self, conv: TextConv) -> Result<String, Self::Error>;
    /// `Some(n)` when `x` is an `int` (or bool) instance: used by `*` widths.
    fn exact_int(&self) -> Option<IntVal>;
    /// For `%d %i %u` (`index == false`: `int(x)` when x is a number, e.g. 3.7 → 3) and
    /// `%o %x %X %c` (`index == true`: `operator.index(x)`). `Ok(None)` when x is not a number
    /// or the conversion raised TypeError; other exceptions (e.g. `int(inf)`) are `Err`.
    fn to_int(&self, index: bool) -> Result<Option<IntVal>, Self::Error>;
    /// `float(x)` for `%e %f %g`: `Ok(None)` when x has no `__float__`/`__index__`.
    fn to_float(&self) -> Result<Option<f64>, Self::Error>;
    /// The text when `x` is a `str` instance (for `%c`).
    fn as_str(&self) -> Option<String>;
}

/// `mapping[key]` for `%(key)s`, supplied by the VM.
pub type KeyLookup<'a, A> = dyn Fn(&str) -> Result<A, <A as FormatArg>::Error> + 'a;

/// The right operand of `%`.
pub enum PercentArgs<'a, A: FormatArg> {
    /// A tuple: its items are consumed in order.
    Tuple(&'a [A]),
    /// Any other object, consumed once. `mapping` is `Some` when the object is a mapping in
    /// CPython's sense (has `__getitem__`, is not a tuple or str): it then serves `%(key)s`
    /// lookups (returning the VM's own KeyError on a miss) and leftover-argument errors are
    /// not raised.
    Single {
        arg: &'a A,
        mapping: Option<&'a KeyLookup<'a, A>>,
    },
}

/// Where the next positional argument comes from (`ctx->args/argidx/arglen` in CPython).
enum Source<'a, A> {
    Tuple(&'a [A], usize),
    One(Option<&'a A>),
    Owned(Option<A>),
}

enum ArgRef<'a, A> {
    Borrowed(&'a A),
    Owned(A),
}

impl<A> std::ops::Deref for ArgRef<'_, A> {
    type Target = A;
    fn deref(&self) -> &A {
        match self {
            ArgRef::Borrowed(a) => a,
            ArgRef::Owned(a) => a,
        }
    }
}

impl<'a, A> Source<'a, A> {
    fn next(&mut self) -> PyResult<ArgRef<'a, A>> {
        let got = match self {
            Source::Tuple(items, i) => items.get(*i).map(|a| {
                *i += 1;
                ArgRef::Borrowed(a)
            }),
            Source::One(a) => a.take().map(ArgRef::Borrowed),
            Source::Owned(a) => a.take().map(ArgRef::Owned),
        };
        got.ok_or_else(|| PyExc::type_error("not enough arguments for format string"))
    }
    fn leftover(&self) -> bool {
        match self {
            Source::Tuple(items, i) => *i < items.len(),
            Source::One(a) => a.is_some(),
            Source::Owned(a) => a.is_some(),
        }
    }
}

/// Widths past this are refused with MemoryError rather than attempted.
const MAX_WIDTH: i64 = 1 << 31;

const F_LJUST: u8 = 1;
const F_SIGN: u8 = 2;
const F_BLANK: u8 = 4;
const F_ALT: u8 = 8;
const F_ZERO: u8 = 16;

struct Arg {
    ch: char,
    flags: u8,
    width: i64,
    prec: i64,
    /// The conversion is numeric: sign and zero-fill apply.
    sign: bool,
}

/// `fmt % args`.
pub fn percent_format<A: FormatArg>(
    fmt: &str,
    args: PercentArgs<'_, A>,
) -> Result<String, A::Error> {
    let chars: Vec<char> = fmt.chars().collect();
    let (mut src, mapping) = match args {
        PercentArgs::Tuple(items) => (Source::Tuple(items, 0), None),
        PercentArgs::Single { arg, mapping } => (Source::One(Some(arg)), mapping),
    };
    let mut out = String::with_capacity(fmt.len() + 16);
    let mut pos = 0;
    let n = chars.len();
    while pos < n {
        if chars[pos] != '%' {
            out.push(chars[pos]);
            pos += 1;
            continue;
        }
        pos += 1;
        if pos < n && chars[pos] == '%' {
            out.push('%');
            pos += 1;
            continue;
        }
        // --- parse ---
        if pos < n && chars[pos] == '(' {
            let Some(map) = mapping else {
                return Err(PyExc::type_error("format requires a mapping").into());
            };
            pos += 1;
            let keystart = pos;
            let mut depth = 1;
            while depth > 0 && pos < n {
                match chars[pos] {
                    ')' => depth -= 1,
                    '(' => depth += 1,
                    _ => {}
                }
                pos += 1;
            }
            if depth > 0 {
                return Err(PyExc::value("incomplete format key").into());
            }
            let key: String = chars[keystart..pos - 1].iter().collect();
            src = Source::Owned(Some(map(&key)?));
        }
        let mut arg = Arg {
            ch: '\0',
            flags: 0,
            width: -1,
            prec: -1,
            sign: false,
        };
        let mut have;
        macro_rules! read {
            () => {{
                if pos < n {
                    arg.ch = chars[pos];
                    pos += 1;
                    have = true;
                } else {
                    have = false;
                }
            }};
        }
        loop {
            read!();
            if !have {
                break;
            }
            match arg.ch {
                '-' => arg.flags |= F_LJUST,
                '+' => arg.flags |= F_SIGN,
                ' ' => arg.flags |= F_BLANK,
                '#' => arg.flags |= F_ALT,
                '0' => arg.flags |= F_ZERO,
                _ => break,
            }
        }
        if have && arg.ch == '*' {
            let v = src.next()?;
            let w = star_value(&*v, "ssize_t")?;
            arg.width = w.unsigned_abs().min(i64::MAX as u64) as i64;
            if w < 0 {
                arg.flags |= F_LJUST;
            }
            read!();
        } else if have && arg.ch.is_ascii_digit() {
            arg.width = arg.ch as i64 - '0' as i64;
            loop {
                read!();
                if !have || !arg.ch.is_ascii_digit() {
                    break;
                }
                let d = arg.ch as i64 - '0' as i64;
                if arg.width > (isize::MAX as i64 - d) / 10 {
                    return Err(PyExc::value("width too big").into());
                }
                arg.width = arg.width * 10 + d;
            }
        }
        if have && arg.ch == '.' {
            arg.prec = 0;
            read!();
            if have && arg.ch == '*' {
                let v = src.next()?;
                let p = star_value(&*v, "int")?;
                if p > i32::MAX as i64 || p < i32::MIN as i64 {
                    return Err(PyExc::overflow("Python int too large to convert to C int").into());
                }
                arg.prec = p.max(0);
                read!();
            } else if have && arg.ch.is_ascii_digit() {
                arg.prec = arg.ch as i64 - '0' as i64;
                loop {
                    read!();
                    if !have || !arg.ch.is_ascii_digit() {
                        break;
                    }
                    let d = arg.ch as i64 - '0' as i64;
                    if arg.prec > (i32::MAX as i64 - d) / 10 {
                        return Err(PyExc::value("precision too big").into());
                    }
                    arg.prec = arg.prec * 10 + d;
                }
            }
        }
        if have && matches!(arg.ch, 'h' | 'l' | 'L') {
            read!();
        }
        if !have {
            return Err(PyExc::value("incomplete format").into());
        }
        // --- format ---
        let v = src.next()?;
        let body = format_one(&*v, &mut arg, pos - 1)?;
        if arg.width > MAX_WIDTH {
            // CPython would try (and fail) to allocate it; Rust would abort.
            return Err(PyExc::new(super::error::ExcKind::MemoryError, "").into());
        }
        output(&mut out, &mut arg, &body);
    }
    if src.leftover() && mapping.is_none() {
        return Err(
            PyExc::type_error("not all arguments converted during string formatting").into(),
        );
    }
    Ok(out)
}

/// A `*` width (`c_type` "ssize_t") or precision ("int"): must be an int instance.
fn star_value<A: FormatArg>(v: &A, c_type: &str) -> Result<i64, A::Error> {
    match v.exact_int() {
        Some(IntVal::Small(w)) => Ok(w),
        Some(IntVal::Big(_)) => {
            Err(PyExc::overflow(format!("Python int too large to convert to C {c_type}")).into())
        }
        None => Err(PyExc::type_error("* wants int").into()),
    }
}

fn format_one<A: FormatArg>(v: &A, arg: &mut Arg, index: usize) -> Result<String, A::Error> {
    match arg.ch {
        's' => v.text(TextConv::Str),
        'r' => v.text(TextConv::Repr),
        'a' => v.text(TextConv::Ascii),
        'i' | 'd' | 'u' | 'o' | 'x' | 'X' => {
            let index_only = matches!(arg.ch, 'o' | 'x' | 'X');
            let Some(iv) = v.to_int(index_only)? else {
                let what = if index_only {
                    "an integer"
                } else {
                    "a real number"
                };
                return Err(PyExc::type_error(format!(
                    "%{} format: {} is required, not {}",
                    arg.ch,
                    what,
                    v.type_name()
                ))
                .into());
            };
            arg.sign = true;
            Ok(format_long(
                &iv.to_big(),
                arg.flags & F_ALT != 0,
                arg.prec,
                arg.ch,
            )?)
        }
        'e' | 'E' | 'f' | 'F' | 'g' | 'G' => {
            let Some(x) = v.to_float()? else {
                return Err(PyExc::type_error(format!(
                    "must be real number, not {}",
                    v.type_name()
                ))
                .into());
            };
            arg.sign = true;
            let prec = if arg.prec < 0 { 6 } else { arg.prec as usize };
            let code = match arg.ch.to_ascii_lowercase() {
                'e' => FloatCode::E,
                'f' => FloatCode::F,
                _ => FloatCode::G,
            };
            let flags = FloatFlags {
                alt: arg.flags & F_ALT != 0,
                upper: arg.ch.is_ascii_uppercase(),
                ..FloatFlags::default()
            };
            Ok(double_to_string(x, code, prec, flags))
        }
        'c' => {
            let ch = if let Some(s) = v.as_str() {
                let mut it = s.chars();
                match (it.next(), it.next()) {
                    (Some(c), None) => c,
                    _ => return Err(PyExc::type_error("%c requires int or char").into()),
                }
            } else {
                let code = match v.to_int(true)? {
                    None => return Err(PyExc::type_error("%c requires int or char").into()),
                    Some(IntVal::Small(c)) if (0..=0x10ffff).contains(&c) => c as u32,
                    Some(_) => return Err(PyExc::overflow("%c arg not in range(0x110000)").into()),
                };
                char::from_u32(code).ok_or_else(|| {
                    PyExc::value(
                        "lone surrogate code points cannot be represented in nanopy strings",
                    )
                })?
            };
            Ok(ch.to_string())
        }
        c => {
            let shown = if (31..=126).contains(&(c as u32)) {
                c
            } else {
                '?'
            };
            Err(PyExc::value(format!(
                "unsupported format character '{}' (0x{:x}) at index {}",
                shown, c as u32, index
            ))
            .into())
        }
    }
}

/// `_PyUnicode_FormatLong`: sign, optional `0x`/`0o` prefix, zeros up to `prec` digits.
fn format_long(v: &BigInt, alt: bool, prec: i64, ty: char) -> PyResult<String> {
    let negative = v.sign() == num_bigint::Sign::Minus;
    let (digits, prefix) = match ty {
        'o' => (v.magnitude().to_str_radix(8), "0o"),
        'x' => (v.magnitude().to_str_radix(16), "0x"),
        'X' => (v.magnitude().to_str_radix(16).to_ascii_uppercase(), "0X"),
        _ => {
            let s = int_to_decimal(v)?;
            (s.trim_start_matches('-').to_owned(), "")
        }
    };
    let mut s = String::with_capacity(digits.len() + 4);
    if negative {
        s.push('-');
    }
    if alt {
        s.push_str(prefix);
    }
    for _ in digits.len() as i64..prec {
        s.push('0');
    }
    s.push_str(&digits);
    Ok(s)
}

/// `unicode_format_arg_output`: width, `-`, `0`, sign and `#` prefix placement.
fn output(out: &mut String, arg: &mut Arg, s: &str) {
    let fill = if arg.sign && arg.flags & F_ZERO != 0 {
        '0'
    } else {
        ' '
    };
    let chars: Vec<char> = s.chars().collect();
    let mut len = chars.len() as i64;
    if (arg.width == -1 || arg.width <= len)
        && (arg.prec == -1 || arg.prec >= len)
        && arg.flags & (F_SIGN | F_BLANK) == 0
    {
        out.push_str(s);
        return;
    }
    if matches!(arg.ch, 's' | 'r' | 'a') && arg.prec >= 0 && len > arg.prec {
        len = arg.prec;
    }
    let mut pindex = 0usize;
    let mut signchar = None;
    if arg.sign {
        let ch = chars.first().copied();
        if ch == Some('-') || ch == Some('+') {
            signchar = ch;
            len -= 1;
            pindex += 1;
        } else if arg.flags & F_SIGN != 0 {
            signchar = Some('+');
        } else if arg.flags & F_BLANK != 0 {
            signchar = Some(' ');
        } else {
            arg.sign = false;
        }
    }
    if arg.width < len {
        arg.width = len;
    }
    if let Some(sc) = signchar {
        if fill != ' ' {
            out.push(sc);
        }
        if arg.width > len {
            arg.width -= 1;
        }
    }
    let has_prefix = arg.flags & F_ALT != 0 && matches!(arg.ch, 'x' | 'X' | 'o');
    if has_prefix {
        if fill != ' ' {
            out.push(chars[pindex]);
            out.push(chars[pindex + 1]);
            pindex += 2;
        }
        arg.width = (arg.width - 2).max(0);
        len -= 2;
    }
    if arg.width > len && arg.flags & F_LJUST == 0 {
        for _ in 0..arg.width - len {
            out.push(fill);
        }
        arg.width = len;
    }
    if fill == ' ' {
        if let Some(sc) = signchar {
            out.push(sc);
        }
        if has_prefix {
            out.push(chars[pindex]);
            out.push(chars[pindex + 1]);
            pindex += 2;
        }
    }
    out.extend(&chars[pindex..pindex + len.max(0) as usize]);
    if arg.width > len {
        for _ in 0..arg.width - len {
            out.push(' ');
        }
    }
}
