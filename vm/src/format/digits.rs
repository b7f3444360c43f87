//! Digit generation without `core::fmt`: integers into stack buffers, and fixed-point floats
//! (`'%.Nf'`, `{x:.Nf}`) by exact integer arithmetic.
//!
//! Owns: the hot digit loops behind `str(int)`, `{n:d}` and `{x:.3f}`. Everything here writes
//! into a caller's buffer, so a formatted field costs one allocation (its final string).
//! Does not own: layout (sign, padding, grouping — `spec.rs`) nor shortest/`e`/`g` digits
//! (`float_repr.rs`, which falls back to Rust's exact formatter).
//!
//! Why not `format!("{:.*}", p, x)`: Rust's exact mode runs Grisu with a Dragon4 fallback,
//! ~1,000-2,500 host instructions per value through the `fmt` machinery (callgrind on
//! str_build). A double is `m·2^e` exactly, so for `p <= 22` decimals `round(x·10^p)` is
//! `m·10^p / 2^-e` rounded half-to-even — one u128 multiply and shift, exactly what David
//! Gay's dtoa (mode 3, CPython's) computes.

/// Room for any u64 in decimal (20 digits) and in binary (64).
pub(crate) const U64_BUF: usize = 64;

const DEC_PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// The digits of `n` in `base` (2, 8, 10 or 16, lower-case), written at the end of `buf`;
/// returns where they start.
pub(crate) fn u64_digits(mut n: u64, base: u32, buf: &mut [u8; U64_BUF]) -> usize {
    let mut i = U64_BUF;
    if base == 10 {
        while n >= 100 {
            let pair = (n % 100) as usize * 2;
            n /= 100;
            i -= 2;
            buf[i..i + 2].copy_from_slice(&DEC_PAIRS[pair..pair + 2]);
        }
        if n >= 10 {
            let pair = n as usize * 2;
            i -= 2;
            buf[i..i + 2].copy_from_slice(&DEC_PAIRS[pair..pair + 2]);
        } else {
            i -= 1;
            buf[i] = b'0' + n as u8;
        }
        return i;
    }
    let shift = base.trailing_zeros();
    let mask = (base - 1) as u64;
    loop {
        i -= 1;
        buf[i] = b"0123456789abcdef"[(n & mask) as usize];
        n >>= shift;
        if n == 0 {
            return i;
        }
    }
}

/// `str(n)` for an i64: one exact-size allocation.
pub fn i64_to_string(n: i64) -> String {
    let mut buf = [0u8; U64_BUF];
    let start = u64_digits(n.unsigned_abs(), 10, &mut buf);
    let mut s = String::with_capacity(U64_BUF - start + (n < 0) as usize);
    if n < 0 {
        s.push('-');
    }
    // The buffer holds ASCII digits only.
    s.push_str(std::str::from_utf8(&buf[start..]).unwrap_or_default());
    s
}

/// The largest precision the u128 path handles: `m·10^p < 2^53·10^22 < 2^127`.
const MAX_FAST_PRECISION: usize = 22;

const fn pow10_table() -> [u128; MAX_FAST_PRECISION + 1] {
    let mut t = [1u128; MAX_FAST_PRECISION + 1];
    let mut i = 1;
    while i <= MAX_FAST_PRECISION {
        t[i] = t[i - 1] * 10;
        i += 1;
    }
    t
}
const POW10: [u128; MAX_FAST_PRECISION + 1] = pow10_table();

/// `|x|` rounded half-to-even to `p` decimals, as an integer part and a fraction of exactly `p`
/// digits scaled by `10^p` (so 2.675 with p = 2 is `(2, 67)`: the double is 2.67499999...).
/// `None` when the exact arithmetic would not fit: `|x| >= 2^64` or `p > 22`.
pub(crate) fn fixed_parts(x: f64, p: usize) -> Option<(u64, u128)> {
    if p > MAX_FAST_PRECISION {
        return None;
    }
    let bits = x.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i64;
    if biased == 0x7ff {
        return None; // inf, nan
    }
    let frac = bits & ((1u64 << 52) - 1);
    let (m, e) = if biased == 0 {
        (frac, -1074)
    } else {
        (frac | (1u64 << 52), biased - 1075)
    };
    if e >= 0 {
        // An integer m·2^e; the fraction is all zeros.
        return if e <= 11 { Some((m << e, 0)) } else { None };
    }
    let k = (-e) as u32;
    let n = m as u128 * POW10[p];
    let q = if k >= 128 {
        // n < 2^127 = half of 2^128 <= 2^k: below one half, rounds to 0.
        0
    } else {
        let q = n >> k;
        let r = n & ((1u128 << k) - 1);
        let half = 1u128 << (k - 1);
        if r > half || (r == half && q & 1 == 1) {
            q + 1
        } else {
            q
        }
    };
    // x < 2^53 here (e < 0), so the integer part fits a u64.
    Some(((q / POW10[p]) as u64, q % POW10[p]))
}

/// Writes the fraction `frac` (from [`fixed_parts`]) as exactly `dst.len()` digits, zero-padded.
pub(crate) fn fill_fraction(dst: &mut [u8], frac: u128) {
    dst.fill(b'0');
    let mut f = frac;
    let mut i = dst.len();
    // At most 22 digits: the first few need u128, the rest fit u64 arithmetic.
    while f > u64::MAX as u128 && i > 0 {
        i -= 1;
        dst[i] = b'0' + (f % 10) as u8;
        f /= 10;
    }
    let mut f = f as u64;
    while f > 0 && i > 0 {
        i -= 1;
        dst[i] = b'0' + (f % 10) as u8;
        f /= 10;
    }
}

/// `'%.*f' % (p, x)` for a finite `x` (sign of -0.0 kept), when [`fixed_parts`] can do it.
pub(crate) fn fixed_to_string(x: f64, p: usize) -> Option<String> {
    let (int_part, frac) = fixed_parts(x, p)?;
    let mut buf = [0u8; U64_BUF];
    let start = u64_digits(int_part, 10, &mut buf);
    let int_digits = &buf[start..];
    let negative = x.is_sign_negative();
    let len = negative as usize + int_digits.len() + if p > 0 { p + 1 } else { 0 };
    let mut out = Vec::with_capacity(len);
    if negative {
        out.push(b'-');
    }
    out.extend_from_slice(int_digits);
    if p > 0 {
        out.push(b'.');
        let at = out.len();
        out.resize(at + p, b'0');
        fill_fraction(&mut out[at..], frac);
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(x: f64, p: usize) -> String {
        fixed_to_string(x, p).unwrap()
    }

    #[test]
    fn fixed_matches_rust_exact_formatting() {
        // Rust's `{:.p}` is exact and rounds half to even: the reference for the fast path.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..200_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let x = match state % 4 {
                0 => f64::from_bits(state >> 2) % 1e6,
                1 => (state % 100_000) as f64 / 1000.0,
                2 => (state % 1000) as f64 / 8.0,
                _ => f64::from_bits(state >> 1),
            }
            .abs();
            if !x.is_finite() {
                continue;
            }
            let p = (state >> 40) as usize % 23;
            let x = if state & (1 << 20) != 0 { -x } else { x };
            if fixed_parts(x, p).is_some() {
                assert_eq!(fixed(x, p), format!("{:.*}", p, x), "{x:e} .{p}f");
            }
        }
        for (x, p, s) in [
            (0.125, 2, "0.12"),
            (0.375, 2, "0.38"),
            (2.5, 0, "2"),
            (3.5, 0, "4"),
            (2.675, 2, "2.67"),
            (0.0, 3, "0.000"),
            (-0.0, 1, "-0.0"),
            (-0.004, 2, "-0.00"),
            (5e-324, 22, "0.0000000000000000000000"),
            (9007199254740991.0, 3, "9007199254740991.000"),
            (18446744073709549568.0, 1, "18446744073709549568.0"),
        ] {
            assert_eq!(fixed(x, p), s);
        }
    }

    #[test]
    fn integer_digits() {
        let mut buf = [0u8; U64_BUF];
        for n in [0u64, 7, 10, 99, 100, 12345, u64::MAX] {
            let i = u64_digits(n, 10, &mut buf);
            assert_eq!(std::str::from_utf8(&buf[i..]).unwrap(), n.to_string());
            let i = u64_digits(n, 16, &mut buf);
            assert_eq!(std::str::from_utf8(&buf[i..]).unwrap(), format!("{n:x}"));
            let i = u64_digits(n, 2, &mut buf);
            assert_eq!(std::str::from_utf8(&buf[i..]).unwrap(), format!("{n:b}"));
            let i = u64_digits(n, 8, &mut buf);
            assert_eq!(std::str::from_utf8(&buf[i..]).unwrap(), format!("{n:o}"));
        }
        assert_eq!(i64_to_string(i64::MIN), i64::MIN.to_string());
        assert_eq!(i64_to_string(-5), "-5");
    }
}
