//! Float arithmetic whose exact CPython semantics are easy to get subtly wrong:
//! `round(x)`, `round(x, n)`, `//`, `%`, `divmod`, int → float, int / int (correctly rounded
//! `long_true_divide`), `float.hex()`, and `**` special cases. Ported from
//! Objects/floatobject.c and Objects/longobject.c; errors carry CPython's messages.

use num_bigint::{BigInt, BigUint, Sign};
use num_integer::Integer;
use num_traits::{One, ToPrimitive, Zero};

use super::error::{PyExc, PyResult};

/// 2^k as a double, for k in -1074..=1023 (exact, subnormals included).
fn pow2(k: i64) -> f64 {
    if k >= -1022 {
        f64::from_bits(((k + 1023) as u64) << 52)
    } else {
        f64::from_bits(1u64 << (k + 1074))
    }
}

/// Rounds `q · 2^s` (with `sticky` = some nonzero bits below q were dropped) to the nearest
/// double, ties to even. `Err(())` on overflow.
fn round_scaled(q: &BigUint, s: i64, sticky: bool) -> Result<f64, ()> {
    let qbits = q.bits() as i64;
    if qbits == 0 {
        return Ok(0.0);
    }
    // Drop enough low bits to leave 53 significant bits and an LSB no finer than 2^-1074.
    let drop = (qbits - 53).max(-1074 - s).max(0);
    let mut m = q >> drop as usize;
    if drop > 0 {
        let low = q - (&m << drop as usize);
        let half = BigUint::one() << (drop - 1) as usize;
        let odd = m.bit(0);
        if low > half || (low == half && (sticky || odd)) {
            m += 1u32;
        }
    }
    let e = s + drop;
    let mbits = m.bits() as i64;
    if mbits + e > 1024 {
        return Err(());
    }
    let mf = m.to_u64().expect("at most 54 bits") as f64;
    Ok(if e > 1023 {
        mf * pow2(1023) * pow2(e - 1023)
    } else {
        mf * pow2(e)
    })
}

/// `float(n)` for a big int: correctly rounded, OverflowError past the double range.
pub fn bigint_to_f64(n: &BigInt) -> PyResult<f64> {
    let r = round_scaled(n.magnitude(), 0, false)
        .map_err(|_| PyExc::overflow("int too large to convert to float"))?;
    Ok(if n.sign() == Sign::Minus { -r } else { r })
}

/// `a / b` for ints: the correctly rounded quotient (CPython's `long_true_divide`).
pub fn int_true_divide(a: &BigInt, b: &BigInt) -> PyResult<f64> {
    if b.is_zero() {
        return Err(PyExc::zero_div("division by zero"));
    }
    let negate = (a.sign() == Sign::Minus) != (b.sign() == Sign::Minus);
    let signed = |x: f64| if negate { -x } else { x };
    let (na, nb) = (a.magnitude(), b.magnitude());
    if na.is_zero() {
        return Ok(signed(0.0));
    }
    // Both exactly representable: one IEEE division is correctly rounded.
    if na.bits() <= 53 && nb.bits() <= 53 {
        return Ok(signed(
            na.to_u64().unwrap() as f64 / nb.to_u64().unwrap() as f64,
        ));
    }
    let diff = na.bits() as i64 - nb.bits() as i64;
    let overflow = || PyExc::overflow("integer division result too large for a float");
    if diff >= 1025 {
        return Err(overflow());
    }
    if diff <= -1076 {
        return Ok(signed(0.0));
    }
    // q = floor(na / (nb·2^s)) with 55+ bits (or down to 2^-1076 for subnormals).
    let s = (diff - 55).max(-1076);
    let (q, r) = if s >= 0 {
        na.div_rem(&(nb << s as usize))
    } else {
        (na << (-s) as usize).div_rem(nb)
    };
    round_scaled(&q, s, !r.is_zero())
        .map(signed)
        .map_err(|_| overflow())
}

/// [`int_true_divide`] for two i64.
pub fn i64_true_divide(a: i64, b: i64) -> PyResult<f64> {
    if b == 0 {
        return Err(PyExc::zero_div("division by zero"));
    }
    const EXACT: u64 = 1 << 53;
    if a.unsigned_abs() <= EXACT && b.unsigned_abs() <= EXACT {
        return Ok(a as f64 / b as f64);
    }
    int_true_divide(&BigInt::from(a), &BigInt::from(b))
}

/// `x % y` for floats (result has the sign of `y`).
pub fn float_mod(x: f64, y: f64) -> PyResult<f64> {
    if y == 0.0 {
        return Err(PyExc::zero_div("float modulo"));
    }
    Ok(mod_unchecked(x, y))
}

fn mod_unchecked(vx: f64, wx: f64) -> f64 {
    let mut m = vx % wx;
    if m != 0.0 {
        if (wx < 0.0) != (m < 0.0) {
            m += wx;
        }
    } else {
        m = 0.0f64.copysign(wx);
    }
    m
}

fn divmod_unchecked(vx: f64, wx: f64) -> (f64, f64) {
    let mut m = vx % wx;
    let mut div = (vx - m) / wx;
    if m != 0.0 {
        if (wx < 0.0) != (m < 0.0) {
            m += wx;
            div -= 1.0;
        }
    } else {
        m = 0.0f64.copysign(wx);
    }
    let floordiv = if div != 0.0 {
        let mut f = div.floor();
        if div - f > 0.5 {
            f += 1.0;
        }
        f
    } else {
        0.0f64.copysign(vx / wx)
    };
    (floordiv, m)
}

/// `x // y` for floats.
pub fn float_floordiv(x: f64, y: f64) -> PyResult<f64> {
    if y == 0.0 {
        return Err(PyExc::zero_div("float floor division by zero"));
    }
    Ok(divmod_unchecked(x, y).0)
}

/// `divmod(x, y)` for floats.
pub fn float_divmod(x: f64, y: f64) -> PyResult<(f64, f64)> {
    if y == 0.0 {
        return Err(PyExc::zero_div("float divmod()"));
    }
    Ok(divmod_unchecked(x, y))
}

/// `int(x)` for a float: truncation toward zero (`PyLong_FromDouble`).
pub fn float_to_bigint(x: f64) -> PyResult<BigInt> {
    if x.is_nan() {
        return Err(PyExc::value("cannot convert float NaN to integer"));
    }
    if x.is_infinite() {
        return Err(PyExc::overflow("cannot convert float infinity to integer"));
    }
    let t = x.trunc();
    if t.abs() < 9.2e18 {
        return Ok(BigInt::from(t as i64));
    }
    let bits = t.abs().to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i64 - 1075;
    let mant = (bits & ((1 << 52) - 1)) | (1 << 52);
    let m = BigInt::from(mant) << exp as usize;
    Ok(if t < 0.0 { -m } else { m })
}

/// `round(x)` with no ndigits: round half to even, to an int.
pub fn float_round_to_int(x: f64) -> PyResult<BigInt> {
    let mut r = x.round();
    if (x - r).abs() == 0.5 {
        r = 2.0 * (x / 2.0).round();
    }
    float_to_bigint(r)
}

/// The exact value of a finite double as `m / 2^k` (k >= 0) or `m · 2^e`.
fn exact_parts(x: f64) -> (BigInt, i64) {
    let bits = x.abs().to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i64;
    let frac = bits & ((1 << 52) - 1);
    let (mant, exp) = if biased == 0 {
        (frac, -1074)
    } else {
        (frac | (1 << 52), biased - 1075)
    };
    (BigInt::from(mant), exp)
}

/// `round(x, ndigits)` for a float, correctly rounded (CPython's `double_round`).
pub fn float_round(x: f64, ndigits: i64) -> PyResult<f64> {
    const NDIGITS_MAX: i64 = 323;
    const NDIGITS_MIN: i64 = -308;
    if !x.is_finite() || ndigits > NDIGITS_MAX {
        return Ok(x);
    }
    if ndigits < NDIGITS_MIN {
        return Ok(0.0 * x);
    }
    let text = if ndigits >= 0 {
        // Rust's fixed formatting is the exact, ties-to-even decimal rounding (dtoa mode 3).
        format!("{:.*}", ndigits as usize, x)
    } else {
        // Round |x| to a multiple of 10^k, ties to even, on the exact binary value.
        let k = (-ndigits) as u32;
        let (mant, exp) = exact_parts(x);
        let ten_k = BigInt::from(10u32).pow(k);
        let (num, den) = if exp >= 0 {
            (mant << exp as usize, ten_k)
        } else {
            (mant, ten_k << (-exp) as usize)
        };
        let (mut q, r) = num.div_rem(&den);
        let twice = &r * 2u32;
        if twice > den || (twice == den && q.is_odd()) {
            q += 1u32;
        }
        let sign = if x.is_sign_negative() { "-" } else { "" };
        format!("{}{}e{}", sign, q, k)
    };
    let r: f64 = text.parse().expect("formatted decimal parses");
    if r.is_infinite() {
        return Err(PyExc::overflow("rounded value too large to represent"));
    }
    Ok(r)
}

/// `round(n, ndigits)` for an int: exact, ties to even (`long_round`); ndigits >= 0 is `n`.
pub fn int_round(n: &BigInt, ndigits: i64) -> BigInt {
    if ndigits >= 0 {
        return n.clone();
    }
    let Ok(k) = u32::try_from(ndigits.unsigned_abs()) else {
        return BigInt::zero();
    };
    let pow = BigInt::from(10u32).pow(k);
    let (mut q, r) = n.div_mod_floor(&pow);
    let twice = &r * 2u32;
    if twice > pow || (twice == pow && q.is_odd()) {
        q += 1u32;
    }
    q * pow
}

/// `float.as_integer_ratio()`: the exact value as a fraction in lowest terms, denominator > 0.
pub fn float_as_integer_ratio(x: f64) -> PyResult<(BigInt, BigInt)> {
    if x.is_nan() {
        return Err(PyExc::value("cannot convert NaN to integer ratio"));
    }
    if x.is_infinite() {
        return Err(PyExc::overflow("cannot convert Infinity to integer ratio"));
    }
    let (mut mant, mut exp) = exact_parts(x);
    if mant.is_zero() {
        return Ok((BigInt::zero(), BigInt::one()));
    }
    let tz = mant.trailing_zeros().unwrap_or(0) as i64;
    mant >>= tz as usize;
    exp += tz;
    if x < 0.0 {
        mant = -mant;
    }
    Ok(if exp >= 0 {
        (mant << exp as usize, BigInt::one())
    } else {
        (mant, BigInt::one() << (-exp) as usize)
    })
}

/// `float.hex()`: `[-]0x1.<13 hex digits>p<exp>`, subnormals as `0x0.<13 digits>p-1022`.
pub fn float_hex(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x < 0.0 { "-inf" } else { "inf" }.into();
    }
    let sign = if x.is_sign_negative() { "-" } else { "" };
    if x == 0.0 {
        return format!("{}0x0.0p+0", sign);
    }
    let bits = x.abs().to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i64;
    let frac = bits & ((1 << 52) - 1);
    let (lead, exp) = if biased == 0 {
        (0, -1022)
    } else {
        (1, biased - 1023)
    };
    let sign_e = if exp < 0 { '-' } else { '+' };
    format!("{}0x{}.{:013x}p{}{}", sign, lead, frac, sign_e, exp.abs())
}

/// `x ** y` for floats, with CPython's special cases and errors (`float_pow`).
/// Returns `Ok(None)` when CPython would return a complex number (negative base, non-integer
/// exponent): the VM then computes the complex power.
pub fn float_pow(iv: f64, iw: f64) -> PyResult<Option<f64>> {
    if iw == 0.0 {
        return Ok(Some(1.0));
    }
    if iv.is_nan() {
        return Ok(Some(if iw == 0.0 { 1.0 } else { iv }));
    }
    if iw.is_nan() {
        return Ok(Some(if iv == 1.0 { 1.0 } else { iw }));
    }
    if iw.is_infinite() {
        let a = iv.abs();
        return Ok(Some(if a == 1.0 {
            1.0
        } else if (iw > 0.0) == (a > 1.0) {
            f64::INFINITY
        } else {
            0.0
        }));
    }
    let iw_is_odd = iw.rem_euclid(2.0) == 1.0;
    if iv.is_infinite() {
        return Ok(Some(if iw > 0.0 {
            if iw_is_odd {
                iv
            } else {
                iv.abs()
            }
        } else if iw_is_odd {
            0.0f64.copysign(iv)
        } else {
            0.0
        }));
    }
    if iv == 0.0 {
        if iw < 0.0 {
            return Err(PyExc::zero_div("0.0 cannot be raised to a negative power"));
        }
        return Ok(Some(if iw_is_odd { iv } else { 0.0 }));
    }
    let mut negate_result = false;
    let mut iv = iv;
    if iv < 0.0 {
        if iw != iw.floor() {
            return Ok(None);
        }
        iv = -iv;
        negate_result = iw_is_odd;
    }
    if iv == 1.0 {
        return Ok(Some(if negate_result { -1.0 } else { 1.0 }));
    }
    let ix = iv.powf(iw);
    if ix.is_infinite() {
        return Err(PyExc::overflow("(34, 'Numerical result out of range')"));
    }
    Ok(Some(if negate_result { -ix } else { ix }))
}
