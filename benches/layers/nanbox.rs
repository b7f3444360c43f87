//! Layer 2a: the VM's own NaN-boxed 8-byte `nanopy_vm::Value` (see vm/src/value.rs for the
//! bit layout), used through its public API with no interpreter around it. The fast paths are
//! the VM's: one test for "both inline ints", one for "both floats"; int results are checked
//! for the 48-bit inline range (the VM would move to a big int there; this layer panics).

use nanopy_vm::Value;

use super::dynamic::{list_index, unsupported, Dynamic};

#[derive(Clone, Copy)]
pub struct NanBox(pub Value);

/// `a op b` with Python's int/float rules; `int` returns None on overflow.
#[inline(always)]
fn arith(
    a: NanBox,
    b: NanBox,
    int: impl Fn(i64, i64) -> Option<i64>,
    float: impl Fn(f64, f64) -> f64,
) -> NanBox {
    let (a, b) = (a.0, b.0);
    if Value::both_small_ints(a, b) {
        match int(a.as_small_int(), b.as_small_int()) {
            Some(r) if Value::fits_small(r) => NanBox(Value::small_int(r)),
            _ => unsupported("int beyond the inline range (a big int)"),
        }
    } else if a.is_float() & b.is_float() {
        NanBox(Value::float(float(a.as_float(), b.as_float())))
    } else {
        NanBox(Value::float(float(to_f64(a), to_f64(b))))
    }
}

#[inline(always)]
fn to_f64(v: Value) -> f64 {
    if v.is_float() {
        v.as_float()
    } else if v.is_small_int() {
        v.as_small_int() as f64
    } else {
        unsupported("arithmetic on a non-number")
    }
}

/// `a < b` / `a <= b`: ints compared as ints, mixed as floats (exact below 2^53).
#[inline(always)]
fn compare(
    a: NanBox,
    b: NanBox,
    int: fn(&i64, &i64) -> bool,
    float: fn(&f64, &f64) -> bool,
) -> bool {
    let (a, b) = (a.0, b.0);
    if Value::both_small_ints(a, b) {
        int(&a.as_small_int(), &b.as_small_int())
    } else {
        float(&to_f64(a), &to_f64(b))
    }
}

impl Dynamic for NanBox {
    #[inline(always)]
    fn int(i: i64) -> Self {
        if !Value::fits_small(i) {
            unsupported("int beyond the inline range (a big int)");
        }
        NanBox(Value::small_int(i))
    }
    #[inline(always)]
    fn float(f: f64) -> Self {
        NanBox(Value::float(f))
    }
    #[inline(always)]
    fn bool(b: bool) -> Self {
        NanBox(Value::bool(b))
    }
    #[inline(always)]
    fn add(&self, o: &Self) -> Self {
        arith(*self, *o, i64::checked_add, |x, y| x + y)
    }
    #[inline(always)]
    fn sub(&self, o: &Self) -> Self {
        arith(*self, *o, i64::checked_sub, |x, y| x - y)
    }
    #[inline(always)]
    fn mul(&self, o: &Self) -> Self {
        arith(*self, *o, i64::checked_mul, |x, y| x * y)
    }
    #[inline(always)]
    fn truediv(&self, o: &Self) -> Self {
        let d = to_f64(o.0);
        if d == 0.0 {
            unsupported("ZeroDivisionError");
        }
        NanBox(Value::float(to_f64(self.0) / d))
    }
    #[inline(always)]
    fn pow(&self, o: &Self) -> Self {
        if !(self.0.is_float() && o.0.is_float()) {
            unsupported("** other than float ** float");
        }
        NanBox(Value::float(self.0.as_float().powf(o.0.as_float())))
    }
    #[inline(always)]
    fn lt(&self, o: &Self) -> bool {
        compare(*self, *o, i64::lt, f64::lt)
    }
    #[inline(always)]
    fn le(&self, o: &Self) -> bool {
        compare(*self, *o, i64::le, f64::le)
    }
    #[inline(always)]
    fn truthy(&self) -> bool {
        let v = self.0;
        if v.is_bool() {
            v.as_bool()
        } else if v.is_small_int() {
            v.as_small_int() != 0
        } else {
            to_f64(v) != 0.0
        }
    }
    #[inline(always)]
    fn index(&self, len: usize) -> usize {
        if !self.0.is_small_int() {
            unsupported("list index is not an int");
        }
        list_index(self.0.as_small_int(), len)
    }
    fn to_i64(&self) -> i64 {
        if !self.0.is_small_int() {
            unsupported("checksum is not an int");
        }
        self.0.as_small_int()
    }
    fn to_f64(&self) -> f64 {
        to_f64(self.0)
    }
}
