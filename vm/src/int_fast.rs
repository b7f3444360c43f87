//! Int arithmetic for BINARY_OP's fast paths past the inline range (`--- strs ---`).
//!
//! An LCG step `(state * 1103515245 + 12345) % 2147483648` leaves the 48-bit inline range
//! after `*` and comes back after `%`: its intermediates are heap big ints that still fit an
//! i64. These helpers do that arithmetic in i128, out of line from the handlers but without the
//! generic slow path (cold handler, `ops::binary_op` dispatch). Results are normalised exactly
//! as `Vm::int`/`Vm::bigint` do, so `equal ints have equal representations` still holds.

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::ToPrimitive;

use crate::interp::Vm;
use crate::value::Value;

/// `x * y` of two inline ints: an inline int, or a big int when the product leaves the range.
#[inline(never)]
pub(crate) fn wide_product(vm: &mut Vm, x: i64, y: i64) -> Value {
    // |x|, |y| <= 2^47, so the product fits i128 with room to spare.
    let p = x as i128 * y as i128;
    from_i128(vm, p)
}

/// `a op b` (`arg` a BINARY_OP operand) for `+ - * % //` when both are ints that fit an i64 and
/// the divisor of `%`/`//` is not zero; `None` leaves everything else (bools, wider big ints,
/// errors, other operators) to the generic path.
#[inline(never)]
pub(crate) fn i64_binary(vm: &mut Vm, arg: u32, a: Value, b: Value) -> Option<Value> {
    let (x, y) = (i64_of(a)? as i128, i64_of(b)? as i128);
    let r = match arg {
        0 | 13 => x + y,
        10 | 23 => x - y,
        5 | 18 => x * y,
        // Floored, as Python: the remainder takes the divisor's sign.
        6 | 19 if y != 0 => Integer::mod_floor(&x, &y),
        2 | 15 if y != 0 => Integer::div_floor(&x, &y),
        _ => return None,
    };
    Some(from_i128(vm, r))
}

/// An inline int or a heap big int (not a bool).
#[inline(always)]
fn i64_of(v: Value) -> Option<i64> {
    if v.is_small_int() {
        Some(v.as_small_int())
    } else {
        v.as_bigint()?.to_i64()
    }
}

fn from_i128(vm: &mut Vm, r: i128) -> Value {
    match i64::try_from(r) {
        Ok(i) => vm.int(i),
        Err(_) => vm.bigint(BigInt::from(r)),
    }
}
