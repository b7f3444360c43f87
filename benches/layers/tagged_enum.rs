//! Layer 2b: a tagged Rust enum (16 bytes: a tag word and a payload word), the "slow, obvious
//! twin" of NaN-boxing. Type checks are a `match` on the tag; no allocation.

use super::dynamic::{list_index, unsupported, Dynamic};

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Tagged {
    Int(i64),
    Float(f64),
    Bool(bool),
}

impl Tagged {
    #[inline(always)]
    fn num(self) -> f64 {
        match self {
            Tagged::Int(i) => i as f64,
            Tagged::Float(f) => f,
            Tagged::Bool(_) => unsupported("arithmetic on a bool"),
        }
    }
}

/// `a op b` with Python's int/float rules; `int` returns None on overflow.
#[inline(always)]
fn arith(
    a: Tagged,
    b: Tagged,
    int: impl Fn(i64, i64) -> Option<i64>,
    float: impl Fn(f64, f64) -> f64,
) -> Tagged {
    match (a, b) {
        (Tagged::Int(x), Tagged::Int(y)) => match int(x, y) {
            Some(r) => Tagged::Int(r),
            None => unsupported("int beyond i64 (a big int)"),
        },
        (Tagged::Float(x), Tagged::Float(y)) => Tagged::Float(float(x, y)),
        _ => Tagged::Float(float(a.num(), b.num())),
    }
}

#[inline(always)]
fn compare(
    a: Tagged,
    b: Tagged,
    int: fn(&i64, &i64) -> bool,
    float: fn(&f64, &f64) -> bool,
) -> bool {
    match (a, b) {
        (Tagged::Int(x), Tagged::Int(y)) => int(&x, &y),
        _ => float(&a.num(), &b.num()),
    }
}

impl Dynamic for Tagged {
    #[inline(always)]
    fn int(i: i64) -> Self {
        Tagged::Int(i)
    }
    #[inline(always)]
    fn float(f: f64) -> Self {
        Tagged::Float(f)
    }
    #[inline(always)]
    fn bool(b: bool) -> Self {
        Tagged::Bool(b)
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
        let d = o.num();
        if d == 0.0 {
            unsupported("ZeroDivisionError");
        }
        Tagged::Float(self.num() / d)
    }
    #[inline(always)]
    fn pow(&self, o: &Self) -> Self {
        match (self, o) {
            (Tagged::Float(x), Tagged::Float(y)) => Tagged::Float(x.powf(*y)),
            _ => unsupported("** other than float ** float"),
        }
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
        match *self {
            Tagged::Bool(b) => b,
            Tagged::Int(i) => i != 0,
            Tagged::Float(f) => f != 0.0,
        }
    }
    #[inline(always)]
    fn index(&self, len: usize) -> usize {
        match *self {
            Tagged::Int(i) => list_index(i, len),
            _ => unsupported("list index is not an int"),
        }
    }
    fn to_i64(&self) -> i64 {
        match *self {
            Tagged::Int(i) => i,
            _ => unsupported("checksum is not an int"),
        }
    }
    fn to_f64(&self) -> f64 {
        self.num()
    }
}
