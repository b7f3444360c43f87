//! Big-integer arithmetic for `ops` and the int builtins: operands are read in place from their
//! heap objects (never copied), and the cases where num-bigint's general algorithm does far more
//! work than the operands need take a shortcut.
//!
//! The shortcut that matters: num-bigint divides with Burnikel-Ziegler as soon as both operands
//! have more than 64/128 digits, whatever the quotient's size. For `a // b` with `a` and `b` of
//! similar size (a pi spigot's `(q*k + r) // t`, a one-digit quotient) it pads both operands to a
//! power-of-two digit count, shifts and splits them recursively: most of bigint_pi's time went to
//! `normalize`, `memmove`, shifts and subtractions inside it. Here a quotient below 2^63 is
//! estimated from the top 128 bits and checked exactly in one pass over the digits (Knuth's
//! algorithm D with a single quotient digit), with no allocation for `//`.
//!
//! Owns no Python-visible behaviour of its own: callers raise the errors (division by zero is
//! the caller's check).

use std::borrow::Cow;
use std::cmp::Ordering;

use num_bigint::{BigInt, BigUint};
use num_integer::Integer;
use num_traits::{ToPrimitive, Zero};

use crate::value::Value;

/// Largest int result we build, in bits (8 GiB of digits): past it an operation raises
/// MemoryError rather than abort the process in the allocator.
pub const MAX_INT_BITS: u64 = 1 << 36;

/// Whether CPython 3.11 refuses `x << n` (for a count too large to compute) with
/// OverflowError "too many digits in integer" rather than MemoryError: its result would need
/// more 30-bit digits than an object can hold (`_PyLong_New`'s check; `divmod_shift` clips the
/// digit shift at `PY_SSIZE_T_MAX / 4`).
pub fn lshift_overflows(x: &BigInt, n: &BigInt) -> bool {
    const MAX_LONG_DIGITS: u128 = ((1u128 << 63) - 1 - 24) / 4;
    const CLIP: u128 = ((1u128 << 63) - 1) / 4;
    let x_digits = x.bits().div_ceil(30) as u128;
    let n = n.to_u128().unwrap_or(u128::MAX);
    let (word, rem) = (n / 30, n % 30);
    let new_size = if word >= CLIP {
        x_digits + CLIP
    } else {
        x_digits + word + (rem != 0) as u128
    };
    new_size > MAX_LONG_DIGITS
}

/// An int-like operand: an inline int or bool by value, a heap big int by reference.
#[derive(Clone, Copy)]
pub enum IntRef<'a> {
    Small(i64),
    Big(&'a BigInt),
}

impl<'a> IntRef<'a> {
    /// The operand of an int operation, if `v` is an int or a bool.
    #[inline]
    pub fn of(v: Value) -> Option<IntRef<'a>> {
        if v.is_small_int() {
            Some(IntRef::Small(v.as_small_int()))
        } else if v.is_bool() {
            Some(IntRef::Small(v.as_bool() as i64))
        } else {
            v.as_bigint().map(IntRef::Big)
        }
    }

    /// As a BigInt: borrowed when on the heap; a small int converts without allocating
    /// (num-bigint keeps one-digit values inline).
    #[inline]
    pub fn big(self) -> Cow<'a, BigInt> {
        match self {
            IntRef::Small(i) => Cow::Owned(BigInt::from(i)),
            IntRef::Big(b) => Cow::Borrowed(b),
        }
    }
}

/// Order of two int-likes, without copying either.
pub fn cmp(a: IntRef, b: IntRef) -> Ordering {
    match (a, b) {
        (IntRef::Small(x), IntRef::Small(y)) => x.cmp(&y),
        (x, y) => x.big().as_ref().cmp(y.big().as_ref()),
    }
}

/// Python's `x // y` (floor division); `y` must not be zero.
pub fn div_floor(x: &BigInt, y: &BigInt) -> BigInt {
    // Only a negative quotient needs to know whether the division is exact.
    let same_sign = x.sign() == y.sign() || x.is_zero();
    match short_quotient(x.magnitude(), y.magnitude(), !same_sign) {
        Some((q, exact)) => {
            let q = BigInt::from(q);
            if same_sign {
                q
            } else if exact {
                -q
            } else {
                -(q + 1u32)
            }
        }
        None => x.div_floor(y),
    }
}

/// Python's `x % y` (the result has the sign of `y`); `y` must not be zero.
pub fn mod_floor(x: &BigInt, y: &BigInt) -> BigInt {
    divmod_floor(x, y).1
}

/// Python's `divmod(x, y)`; `y` must not be zero.
pub fn divmod_floor(x: &BigInt, y: &BigInt) -> (BigInt, BigInt) {
    let (xm, ym) = (x.magnitude(), y.magnitude());
    let Some((q, _)) = short_quotient(xm, ym, false) else {
        return x.div_mod_floor(y);
    };
    // |x| - q*|y|, computed in the product's buffer (no copy of |x|).
    let rm = xm - ym * q;
    if rm.is_zero() {
        (
            BigInt::from_biguint(x.sign() * y.sign(), q.into()),
            BigInt::zero(),
        )
    } else if x.sign() == y.sign() {
        (BigInt::from(q), BigInt::from_biguint(y.sign(), rm))
    } else {
        let r = BigInt::from_biguint(y.sign(), ym - rm);
        (-BigInt::from(q + 1), r)
    }
}

/// `(|u| / |d|, whether the remainder is zero)` when the quotient is below 2^63 and `d` has
/// more than one 64-bit digit; `None` otherwise (the caller uses num-bigint's division, which
/// is already linear for a one-digit divisor). Without `need_exact`, "false" in the second part
/// may mean "not checked".
fn short_quotient(u: &BigUint, d: &BigUint, need_exact: bool) -> Option<(u64, bool)> {
    let (ub, db) = (u.bits(), d.bits());
    if db <= 64 || ub > db + 62 {
        return None;
    }
    if ub < db {
        return Some((0, u.is_zero()));
    }
    // Both tops aligned on d's top 64 bits: dt in [2^63, 2^64), ut < 2^126, and
    // ut/(dt+1) < u/d < (ut+1)/dt, so floor(u/d) lies in [ut/(dt+1), ut/dt] (integer
    // divisions). When the two agree (all but ~q/2^63 of cases) the quotient is exact without
    // reading the digits; otherwise one pass per candidate checks it.
    let k = db - 64;
    let dt = bits_at(d, k) as u64;
    let ut = bits_at(u, k);
    let mut q = (ut / dt as u128) as u64;
    if !need_exact && (ut / (dt as u128 + 1)) as u64 == q {
        return Some((q, false));
    }
    for _ in 0..4 {
        match sub_mul_cmp(u, d, q) {
            None => q -= 1, // q*d > u
            Some((Ordering::Less, zero)) => return Some((q, zero)),
            Some(_) => q += 1, // u - q*d >= d
        }
    }
    None // not reached (the estimate is within 2); fall back rather than trust it
}

/// Bits `k .. k+128` of `x`, as a u128 (bits past the top are zero).
fn bits_at(x: &BigUint, k: u64) -> u128 {
    let (i, s) = ((k / 64) as usize, (k % 64) as u32);
    let mut digits = x.iter_u64_digits().skip(i);
    let d0 = digits.next().unwrap_or(0) as u128;
    let d1 = digits.next().unwrap_or(0) as u128;
    let d2 = digits.next().unwrap_or(0) as u128;
    let low = (d0 | d1 << 64) >> s;
    if s == 0 {
        low
    } else {
        low | d2 << (128 - s)
    }
}

/// One pass over the digits of `u - q*d` without storing it: `None` when it is negative, else
/// how it compares with `d` (the caller's test that `q` is the exact quotient) and whether it
/// is zero.
fn sub_mul_cmp(u: &BigUint, d: &BigUint, q: u64) -> Option<(Ordering, bool)> {
    let n = u.iter_u64_digits().len().max(d.iter_u64_digits().len() + 1);
    let (mut us, mut ds) = (u.iter_u64_digits(), d.iter_u64_digits());
    let (mut carry, mut borrow) = (0u64, false);
    let mut ord = Ordering::Equal;
    let mut zero = true;
    for _ in 0..n {
        let (ui, di) = (us.next().unwrap_or(0), ds.next().unwrap_or(0));
        let prod = di as u128 * q as u128 + carry as u128;
        carry = (prod >> 64) as u64;
        let (w, b1) = ui.overflowing_sub(prod as u64);
        let (w, b2) = w.overflowing_sub(borrow as u64);
        borrow = b1 | b2;
        if w != di {
            ord = w.cmp(&di);
        }
        zero &= w == 0;
    }
    (!borrow && carry == 0).then_some((ord, zero))
}
