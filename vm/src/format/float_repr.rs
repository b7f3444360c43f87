//! Float → text, exactly as CPython's `PyOS_double_to_string` (Python/pystrtod.c).
//!
//! Owns: `repr(float)`/`str(float)` and the `e`/`f`/`g`/`r` renderings with their flags, which the
//! format-spec mini-language and `%`-formatting build on. Digit generation is Rust's own float
//! formatting, which is exact (correctly rounded, ties-to-even on the exact binary value) and
//! gives shortest round-trip digits for `{:e}` — the same digits David Gay's dtoa gives CPython,
//! so no dependency is needed. This file only lays those digits out the way CPython does.

/// Decimal digits of a finite, non-negative double, as `_Py_dg_dtoa` returns them:
/// `0.d1d2d3... × 10^decpt`, with no trailing zeros (an empty string means "rounds to zero").
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Digits {
    pub digits: Vec<u8>,
    pub decpt: i64,
}

/// Parses Rust's `{:e}` / `{:.Ne}` output ("1.2345e-7") into digits and decimal-point position.
fn from_sci(s: &str) -> Digits {
    let (mant, exp) = s.split_once('e').expect("Rust {:e} always has an exponent");
    let exp: i64 = exp.parse().expect("exponent is an integer");
    let mut digits: Vec<u8> = mant.bytes().filter(|b| *b != b'.').collect();
    while digits.len() > 1 && digits.last() == Some(&b'0') {
        digits.pop();
    }
    if digits == b"0" {
        // dtoa's zero: "0" with the point after it.
        return Digits { digits, decpt: 1 };
    }
    Digits {
        digits,
        decpt: exp + 1,
    }
}

/// Shortest digits that round-trip (dtoa mode 0).
///
/// Rust's shortest algorithm and dtoa agree on the length but not always on the digits: when
/// two shortest candidates are equally near `x` (e.g. 579075142351213.25 → "…213.2" or
/// "…213.3"), dtoa takes the correctly rounded one (ties to even), Rust the upper one. So we
/// take the correctly rounded string of that length whenever it round-trips.
pub(crate) fn shortest(x: f64) -> Digits {
    let a = x.abs();
    let rust = from_sci(&format!("{:e}", a));
    if !may_tie(a) {
        return rust;
    }
    let n = rust.digits.len();
    let nearest = format!("{:.*e}", n - 1, a);
    if nearest.parse::<f64>() == Ok(a) {
        let d = from_sci(&nearest);
        if d.digits.len() == n {
            return d;
        }
    }
    rust
}

/// Can two shortest candidates be equally near `a`? Only if `a`'s exact decimal expansion is
/// short (at most ~18 significant digits, ending in 5). `a = m / 2^k` with `m` odd has exactly
/// `k` fractional digits, at least ~0.7·k of them significant, so `k > 26` rules a tie out —
/// which spares the second formatting for almost every non-integral double.
fn may_tie(a: f64) -> bool {
    if a == 0.0 {
        return false;
    }
    let bits = a.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i64;
    let frac = bits & ((1u64 << 52) - 1);
    let (mant, exp) = if biased == 0 {
        (frac, -1074)
    } else {
        (frac | (1 << 52), biased - 1075)
    };
    let k = -(exp + mant.trailing_zeros() as i64);
    k <= 26
}

/// `n >= 1` significant digits, correctly rounded (dtoa mode 2).
pub(crate) fn significant(x: f64, n: usize) -> Digits {
    from_sci(&format!("{:.*e}", n.max(1) - 1, x.abs()))
}

/// `n >= 0` digits after the point, correctly rounded (dtoa mode 3).
pub(crate) fn fixed(x: f64, n: usize) -> Digits {
    let s = format!("{:.*}", n, x.abs());
    let (int_part, frac) = s.split_once('.').unwrap_or((&s, ""));
    let mut decpt = int_part.len() as i64;
    let mut digits: Vec<u8> = int_part.bytes().chain(frac.bytes()).collect();
    let lead = digits.iter().take_while(|b| **b == b'0').count();
    digits.drain(..lead);
    decpt -= lead as i64;
    while digits.last() == Some(&b'0') {
        digits.pop();
    }
    if digits.is_empty() {
        return Digits {
            digits,
            decpt: -(n as i64),
        };
    }
    Digits { digits, decpt }
}

/// The presentation codes `PyOS_double_to_string` accepts (lower case; upper case is a flag).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FloatCode {
    /// Exponent notation, `precision` digits after the point.
    E,
    /// Fixed point, `precision` digits after the point.
    F,
    /// General: `precision` significant digits, exponent if too large or small.
    G,
    /// repr: shortest round-trip digits (precision ignored).
    R,
}

/// The `Py_DTSF_*` flags.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FloatFlags {
    /// `Py_DTSF_SIGN`: always print a sign (`+` for non-negatives, including nan).
    pub sign: bool,
    /// `Py_DTSF_ADD_DOT_0`: integral results without exponent get `.0`.
    pub add_dot_0: bool,
    /// `Py_DTSF_ALT`: `#`: keep the point and, for `g`, trailing zeros.
    pub alt: bool,
    /// `Py_DTSF_NO_NEG_0` (`z`): a result that rounds to zero loses its minus sign.
    pub no_neg_0: bool,
    /// Upper-case `E`, `INF`, `NAN` (format codes `E`, `F`, `G`).
    pub upper: bool,
}

/// `PyOS_double_to_string(val, code, precision, flags)`.
pub fn double_to_string(x: f64, code: FloatCode, precision: usize, flags: FloatFlags) -> String {
    let mut out = String::new();
    if x.is_nan() {
        // CPython never prints a sign on a nan except the requested '+'.
        if flags.sign {
            out.push('+');
        }
        out.push_str(if flags.upper { "NAN" } else { "nan" });
        return out;
    }
    let negative = x.is_sign_negative();
    if x.is_infinite() {
        if negative {
            out.push('-');
        } else if flags.sign {
            out.push('+');
        }
        out.push_str(if flags.upper { "INF" } else { "inf" });
        return out;
    }
    if code == FloatCode::F && !flags.sign && !flags.alt && !flags.no_neg_0 {
        // --- strings --- exact integer digits when they fit (format/digits.rs), else Rust's
        // fixed notation, which is already CPython's, sign of -0.0 included.
        if let Some(s) = super::digits::fixed_to_string(x, precision) {
            return s;
        }
        return format!("{:.*}", precision, x);
    }
    let (d, precision) = match code {
        FloatCode::E => (significant(x, precision + 1), precision + 1),
        FloatCode::F => (fixed(x, precision), precision),
        FloatCode::G => {
            let p = precision.max(1);
            (significant(x, p), p)
        }
        FloatCode::R => (shortest(x), 0),
    };
    let digits = &d.digits;
    let digits_len = digits.len() as i64;
    let mut decpt = d.decpt;
    let precision = precision as i64;

    let mut use_exp = false;
    let mut vdigits_end = digits_len;
    match code {
        FloatCode::E => {
            use_exp = true;
            vdigits_end = precision;
        }
        FloatCode::F => vdigits_end = decpt + precision,
        FloatCode::G => {
            let limit = if flags.add_dot_0 {
                precision - 1
            } else {
                precision
            };
            if decpt <= -4 || decpt > limit {
                use_exp = true;
            }
            if flags.alt {
                vdigits_end = precision;
            }
        }
        FloatCode::R => {
            if decpt <= -4 || decpt > 16 {
                use_exp = true;
            }
        }
    }
    let mut exp = 0;
    if use_exp {
        exp = decpt - 1;
        decpt = 1;
    }
    let vdigits_start = if decpt <= 0 { decpt - 1 } else { 0 };
    if !use_exp && flags.add_dot_0 {
        vdigits_end = vdigits_end.max(decpt + 1);
    } else {
        vdigits_end = vdigits_end.max(decpt);
    }

    let rounds_to_zero = digits.is_empty() || digits.as_slice() == b"0";
    if negative && !(flags.no_neg_0 && rounds_to_zero) {
        out.push('-');
    } else if flags.sign {
        out.push('+');
    }
    let zeros = |out: &mut String, n: i64| {
        for _ in 0..n.max(0) {
            out.push('0');
        }
    };
    let push_digits = |out: &mut String, s: &[u8]| {
        out.extend(s.iter().map(|&b| b as char));
    };
    if decpt <= 0 {
        zeros(&mut out, decpt - vdigits_start);
        out.push('.');
        zeros(&mut out, -decpt);
    } else {
        zeros(&mut out, -vdigits_start);
    }
    if 0 < decpt && decpt <= digits_len {
        push_digits(&mut out, &digits[..decpt as usize]);
        out.push('.');
        push_digits(&mut out, &digits[decpt as usize..]);
    } else {
        push_digits(&mut out, digits);
    }
    if digits_len < decpt {
        zeros(&mut out, decpt - digits_len);
        out.push('.');
        zeros(&mut out, vdigits_end - decpt);
    } else {
        zeros(&mut out, vdigits_end - digits_len);
    }
    if out.ends_with('.') && !flags.alt {
        out.pop();
    }
    if use_exp {
        out.push(if flags.upper { 'E' } else { 'e' });
        out.push(if exp < 0 { '-' } else { '+' });
        let a = exp.unsigned_abs();
        if a < 10 {
            out.push('0');
        }
        out.push_str(&a.to_string());
    }
    out
}

/// `repr(x)` and `str(x)` for a Python float.
pub fn float_repr(x: f64) -> String {
    double_to_string(
        x,
        FloatCode::R,
        0,
        FloatFlags {
            add_dot_0: true,
            ..FloatFlags::default()
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repr_basics() {
        assert_eq!(float_repr(0.1), "0.1");
        assert_eq!(float_repr(1.0), "1.0");
        assert_eq!(float_repr(-0.0), "-0.0");
        assert_eq!(float_repr(1e16), "1e+16");
        assert_eq!(float_repr(1e15), "1000000000000000.0");
        assert_eq!(float_repr(0.0001), "0.0001");
        assert_eq!(float_repr(0.00001), "1e-05");
        assert_eq!(float_repr(5e-324), "5e-324");
        assert_eq!(float_repr(f64::INFINITY), "inf");
        assert_eq!(float_repr(-f64::NAN), "nan");
    }
}
