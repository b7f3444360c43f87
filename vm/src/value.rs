//! `Value`: every Python value in 8 bytes, NaN-boxed.
//!
//! ```text
//!  63 62        52 51 50  48 47                                              0
//! +--+------------+--+------+-------------------------------------------------+
//! | s|  exponent  | q| tag  |                payload (48 bits)                |
//! +--+------------+--+------+-------------------------------------------------+
//!
//!  any bit pattern below 0xFFF9_0000_0000_0000    f64, stored as itself
//!  0xFFF9 | 48-bit pointer                          heap object (*const Obj)
//!  0xFFFA | 48-bit two's complement                 small int, -2^47 ..= 2^47-1
//!  0xFFFB | 0 or 1                                  bool
//!  0xFFFC | 0                                       None
//!  0xFFFD | 0                                       NULL: empty slot (unbound local, no self)
//! ```
//!
//! The tagged patterns are negative quiet NaNs with a non-zero tag. Arithmetic only ever
//! produces the default NaN (0x7FF8.. or 0xFFF8..), both below the first tag, and
//! [`Value::float`] canonicalises any NaN anyway, so a float can never be mistaken for a tag.
//! Pointers fit in 48 bits on x86-64 and AArch64 user space (checked when objects are
//! allocated). Ints outside the inline range are heap big ints (`ObjKind::BigInt`), and every
//! int operation normalises its result back to the inline form when it fits, so equal ints
//! always have the same representation kind.

use crate::object::Obj;

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[repr(transparent)]
pub struct Value(u64);

const TAG_SHIFT: u32 = 48;
const PAYLOAD_MASK: u64 = (1 << TAG_SHIFT) - 1;
const TAG_PTR: u64 = 0xFFF9 << TAG_SHIFT;
const TAG_INT: u64 = 0xFFFA << TAG_SHIFT;
const TAG_BOOL: u64 = 0xFFFB << TAG_SHIFT;
const TAG_NONE: u64 = 0xFFFC << TAG_SHIFT;
const TAG_NULL: u64 = 0xFFFD << TAG_SHIFT;
const CANONICAL_NAN: u64 = 0x7FF8_0000_0000_0000;

/// Inline int range.
pub const SMALL_INT_MIN: i64 = -(1 << 47);
pub const SMALL_INT_MAX: i64 = (1 << 47) - 1;

impl Value {
    pub const NONE: Value = Value(TAG_NONE);
    pub const NULL: Value = Value(TAG_NULL);
    pub const TRUE: Value = Value(TAG_BOOL | 1);
    pub const FALSE: Value = Value(TAG_BOOL);

    #[inline(always)]
    pub fn float(f: f64) -> Value {
        if f.is_nan() {
            Value(CANONICAL_NAN)
        } else {
            Value(f.to_bits())
        }
    }

    /// An inline int; the caller guarantees the range (use `Vm::int` for any i64).
    #[inline(always)]
    pub fn small_int(i: i64) -> Value {
        debug_assert!((SMALL_INT_MIN..=SMALL_INT_MAX).contains(&i));
        Value(TAG_INT | (i as u64 & PAYLOAD_MASK))
    }

    #[inline(always)]
    pub fn fits_small(i: i64) -> bool {
        (SMALL_INT_MIN..=SMALL_INT_MAX).contains(&i)
    }

    #[inline(always)]
    pub fn bool(b: bool) -> Value {
        Value(TAG_BOOL | b as u64)
    }

    #[inline(always)]
    pub fn from_obj(p: *const Obj) -> Value {
        debug_assert!(p as u64 & !PAYLOAD_MASK == 0);
        Value(TAG_PTR | p as u64)
    }

    #[inline(always)]
    pub fn bits(self) -> u64 {
        self.0
    }

    #[inline(always)]
    pub fn is_float(self) -> bool {
        self.0 < TAG_PTR
    }
    #[inline(always)]
    pub fn is_small_int(self) -> bool {
        self.0 & !PAYLOAD_MASK == TAG_INT
    }
    #[inline(always)]
    pub fn is_bool(self) -> bool {
        self.0 & !PAYLOAD_MASK == TAG_BOOL
    }
    #[inline(always)]
    pub fn is_none(self) -> bool {
        self.0 == TAG_NONE
    }
    #[inline(always)]
    pub fn is_null(self) -> bool {
        self.0 == TAG_NULL
    }
    #[inline(always)]
    pub fn is_obj(self) -> bool {
        self.0 & !PAYLOAD_MASK == TAG_PTR
    }

    #[inline(always)]
    pub fn as_float(self) -> f64 {
        f64::from_bits(self.0)
    }
    #[inline(always)]
    pub fn as_small_int(self) -> i64 {
        ((self.0 << 16) as i64) >> 16
    }
    #[inline(always)]
    pub fn as_bool(self) -> bool {
        self.0 & 1 != 0
    }

    /// Both operands inline ints (one test for the pair: the fast path of int arithmetic).
    /// Both operands as doubles when each is a float or an inline int and at least one is a
    /// float. Inline ints (|i| < 2^47) convert to f64 exactly.
    #[inline(always)]
    pub fn floats_of(a: Value, b: Value) -> Option<(f64, f64)> {
        let conv = |v: Value| {
            if v.is_float() {
                Some(v.as_float())
            } else if v.is_small_int() {
                Some(v.as_small_int() as f64)
            } else {
                None
            }
        };
        if !(a.is_float() || b.is_float()) {
            return None;
        }
        Some((conv(a)?, conv(b)?))
    }

    #[inline(always)]
    pub fn both_small_ints(a: Value, b: Value) -> bool {
        (a.0 & !PAYLOAD_MASK == TAG_INT) & (b.0 & !PAYLOAD_MASK == TAG_INT)
    }

    #[inline(always)]
    pub fn obj_ptr(self) -> *const Obj {
        (self.0 & PAYLOAD_MASK) as *const Obj
    }

    /// The heap object, if this is a pointer.
    #[inline(always)]
    pub fn as_obj<'a>(self) -> Option<&'a Obj> {
        if self.is_obj() {
            // SAFETY: pointer values are only made by `from_obj` on live heap objects, and the GC
            // frees an object only when no root reaches it; a Value being inspected is reachable
            // (it is on the VM stack, in a frame, or held by a native root while in use).
            Some(unsafe { &*self.obj_ptr() })
        } else {
            None
        }
    }
}

impl std::fmt::Debug for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.is_float() {
            write!(f, "{}f", self.as_float())
        } else if self.is_small_int() {
            write!(f, "{}", self.as_small_int())
        } else if self.is_bool() {
            write!(f, "{}", if self.as_bool() { "True" } else { "False" })
        } else if self.is_none() {
            write!(f, "None")
        } else if self.is_null() {
            write!(f, "NULL")
        } else {
            write!(f, "<obj {:p}>", self.obj_ptr())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ints_round_trip_at_the_edges() {
        for i in [0, 1, -1, SMALL_INT_MIN, SMALL_INT_MAX, 12345678, -987654321] {
            let v = Value::small_int(i);
            assert!(v.is_small_int() && !v.is_float() && !v.is_obj());
            assert_eq!(v.as_small_int(), i);
        }
        assert!(!Value::fits_small(SMALL_INT_MAX + 1));
    }

    #[test]
    fn floats_never_look_tagged() {
        for f in [
            0.0,
            -0.0,
            1.5,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            -f64::NAN,
            f64::MIN,
        ] {
            let v = Value::float(f);
            assert!(v.is_float(), "{f}");
            assert!(!v.is_small_int() && !v.is_bool() && !v.is_none() && !v.is_null());
        }
        assert!(Value::float(-f64::NAN).as_float().is_nan());
        assert!(!Value::NONE.is_float() && !Value::NULL.is_float() && !Value::TRUE.is_float());
    }
}
