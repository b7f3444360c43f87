//! Object semantics shared by handlers and builtins: arithmetic, comparison, hashing, truth,
//! subscripts, iteration, attribute lookup, repr/str/format — with CPython's error types and
//! messages. No dispatch concerns here.

use std::cmp::Ordering;

use nanopy_compiler::bytecode::{BinaryOp, CompareOp};
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{Signed, ToPrimitive, Zero};

use crate::format::{self, ExcKind, PyExc};
use crate::int_arith::{self, IntRef}; // --- bigint ---
use crate::interp::Vm;
use crate::object::{type_of, ObjKind, Ty};
use crate::value::Value;
use crate::{PyErr, PyResult};

// ----- small helpers -----

pub fn type_name<'a>(v: Value) -> &'a str {
    // --- classes ---
    if let Some(c) = crate::class::user_class_of(v) {
        return str_of(c.name);
    }
    type_of(v).name()
}

/// The text of a str value ("" for non-strings; callers check types first).
#[inline]
pub fn str_of<'a>(v: Value) -> &'a str {
    v.as_str().map_or("", |s| &s.s)
}

/// Convert a `format`/`text` error into a Python exception.
pub fn exc(vm: &mut Vm, e: PyExc) -> PyErr {
    let ty = match e.kind {
        ExcKind::ValueError => Ty::ValueError,
        ExcKind::TypeError => Ty::TypeError,
        ExcKind::OverflowError => Ty::OverflowError,
        ExcKind::ZeroDivisionError => Ty::ZeroDivisionError,
        ExcKind::KeyError => Ty::KeyError,
        ExcKind::IndexError => Ty::IndexError,
        ExcKind::MemoryError => Ty::MemoryError,
    };
    vm.new_exc(ty, &e.msg)
}

pub fn type_error(vm: &mut Vm, msg: String) -> PyErr {
    vm.new_exc(Ty::TypeError, &msg)
}

/// An int-like value (int or bool) as i64 if small.
#[inline]
fn small_of(v: Value) -> Option<i64> {
    if v.is_small_int() {
        Some(v.as_small_int())
    } else if v.is_bool() {
        Some(v.as_bool() as i64)
    } else {
        None
    }
}

/// An int-like value that fits in i64 (inline, bool, or a heap big int in i64 range).
#[inline]
fn i64_of(v: Value) -> Option<i64> {
    small_of(v).or_else(|| v.as_bigint().and_then(|b| b.to_i64()))
}

/// An int-like value as a BigInt.
pub fn big_of(v: Value) -> Option<BigInt> {
    small_of(v)
        .map(BigInt::from)
        .or_else(|| v.as_bigint().cloned())
}

fn is_intlike(v: Value) -> bool {
    v.is_small_int() || v.is_bool() || v.as_bigint().is_some()
}

/// A number as f64 (ints converted exactly or with OverflowError).
fn float_of(vm: &mut Vm, v: Value) -> PyResult<Option<f64>> {
    if v.is_float() {
        Ok(Some(v.as_float()))
    } else if let Some(i) = small_of(v) {
        Ok(Some(i as f64))
    } else if let Some(b) = v.as_bigint() {
        format::bigint_to_f64(b).map(Some).map_err(|e| exc(vm, e))
    } else {
        Ok(None)
    }
}

/// Index argument (int or bool) as i64; errors for big ints out of range.
pub fn index_of(vm: &mut Vm, v: Value) -> PyResult<Option<i64>> {
    if let Some(i) = small_of(v) {
        return Ok(Some(i));
    }
    if let Some(b) = v.as_bigint() {
        return match b.to_i64() {
            Some(i) => Ok(Some(i)),
            None => {
                let t = type_name(v);
                Err(vm.new_exc(
                    Ty::IndexError,
                    &format!("cannot fit '{t}' into an index-sized integer"),
                ))
            }
        };
    }
    Ok(None)
}

// ----- dicts -----

/// Lookup with a str key (globals, builtins, module dicts). No errors possible.
#[inline]
pub fn dict_get_str(d: Value, key: Value) -> Option<Value> {
    let s = key.as_str()?;
    let d = d.as_dict()?.borrow();
    d.get(s.hash(), |k| {
        k == key || k.as_str().is_some_and(|ks| ks.s == s.s)
    })
}

pub(crate) fn container_dict(d: Value) -> Option<&'static std::cell::RefCell<crate::dict::Dict>> {
    match &d.as_obj()?.kind {
        ObjKind::Dict(d) => Some(d),
        _ => None,
    }
}

pub fn dict_set(vm: &mut Vm, d: Value, k: Value, v: Value) -> PyResult<()> {
    let h = hash(vm, k)?;
    let dv = d;
    if let Some(d) = container_dict(d) {
        let k2 = user_key(vm, d, h, k)?;
        vm.heap.store_barrier(dv, k);
        vm.heap.store_barrier(dv, v);
        d.borrow_mut().insert(h, k, v, |x| eq_fast(x, k2));
    }
    Ok(())
}

pub fn dict_get(vm: &mut Vm, d: Value, k: Value) -> PyResult<Option<Value>> {
    let h = hash(vm, k)?;
    let Some(d) = container_dict(d) else {
        return Ok(None);
    };
    let k = user_key(vm, d, h, k)?;
    Ok(d.borrow().get(h, |x| eq_fast(x, k)))
}

pub fn dict_del(vm: &mut Vm, d: Value, k: Value) -> PyResult<Option<Value>> {
    let h = hash(vm, k)?;
    let Some(d) = container_dict(d) else {
        return Ok(None);
    };
    let k = user_key(vm, d, h, k)?;
    Ok(d.borrow_mut().remove(h, |x| eq_fast(x, k)))
}

// --- classes ---
/// Position of the first item `== x` (user `__eq__` honoured when `x` is an instance).
pub fn position_eq(vm: &mut Vm, items: &[Value], x: Value) -> PyResult<Option<usize>> {
    if !crate::class::is_user_instance(x) {
        return Ok(items.iter().position(|v| eq_fast(*v, x)));
    }
    for (i, v) in items.iter().enumerate() {
        if *v == x || compare(vm, CompareOp::Eq, x, *v)? {
            return Ok(Some(i));
        }
    }
    Ok(None)
}

/// How many items are `== x` (as `position_eq`).
pub fn count_eq(vm: &mut Vm, items: &[Value], x: Value) -> PyResult<usize> {
    let mut n = 0;
    let mut rest = items;
    while let Some(i) = position_eq(vm, rest, x)? {
        n += 1;
        rest = &rest[i + 1..];
    }
    Ok(n)
}

/// A key whose class defines `__eq__` is replaced by the stored key it equals (found by
/// calling `__eq__` outside the dict borrow), so the identity compare of `eq_fast` finds it.
#[inline]
fn user_key(
    vm: &mut Vm,
    d: &std::cell::RefCell<crate::dict::Dict>,
    h: u64,
    k: Value,
) -> PyResult<Value> {
    if !crate::class::is_user_instance(k) {
        return Ok(k);
    }
    crate::class::canonical_key(vm, d, h, k)
}

pub fn set_add(vm: &mut Vm, s: Value, v: Value) -> PyResult<()> {
    crate::set_ops::add(vm, s, v) // langdata
}

pub fn key_error(vm: &mut Vm, key: Value) -> PyErr {
    let args = vm.new_tuple(vec![key]);
    PyErr(vm.exc_from_args(Ty::KeyError, args))
}

// ----- hashing and equality -----

const HASH_MODULUS: u64 = (1 << 61) - 1;

#[inline]
fn hash_i64(i: i64) -> u64 {
    // --- features --- small ints are below the modulus: no division
    let a = i.unsigned_abs();
    let m = if a < HASH_MODULUS {
        a
    } else {
        a % HASH_MODULUS
    };
    let h = if i < 0 {
        (m as i64).wrapping_neg()
    } else {
        m as i64
    };
    (if h == -1 { -2 } else { h }) as u64
}

fn hash_big(b: &BigInt) -> u64 {
    let m = (b.abs() % BigInt::from(HASH_MODULUS)).to_i64().unwrap_or(0);
    let h = if b.is_negative() { -m } else { m };
    (if h == -1 { -2 } else { h }) as u64
}

// --- langdata ---
/// CPython's `_Py_HashDouble` for finite non-integral floats and infinities (NaN hashes by
/// identity in CPython; any value is as good here).
fn float_hash(v: f64) -> u64 {
    const BITS: u32 = 61;
    if v.is_infinite() {
        return if v > 0.0 { 314159 } else { (-314159i64) as u64 };
    }
    if v.is_nan() {
        return 0;
    }
    let (mut m, mut e) = frexp(v);
    let mut sign: i64 = 1;
    if m < 0.0 {
        sign = -1;
        m = -m;
    }
    let mut x: u64 = 0;
    while m != 0.0 {
        x = ((x << 28) & HASH_MODULUS) | x >> (BITS - 28);
        m *= 268435456.0;
        e -= 28;
        let y = m as u64;
        m -= y as f64;
        x += y;
        if x >= HASH_MODULUS {
            x -= HASH_MODULUS;
        }
    }
    let e = if e >= 0 {
        e as u32 % BITS
    } else {
        BITS - 1 - ((-1 - e) as u32 % BITS)
    };
    x = ((x << e) & HASH_MODULUS) | x >> (BITS - e);
    let x = (x as i64).wrapping_mul(sign);
    (if x == -1 { -2 } else { x }) as u64
}

/// C's `frexp`: `v = m * 2^e` with 0.5 <= |m| < 1 (v finite, non-zero).
fn frexp(v: f64) -> (f64, i32) {
    if v == 0.0 {
        return (v, 0);
    }
    let bits = v.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32;
    if exp == 0 {
        // Subnormal: scale into the normal range first.
        let (m, e) = frexp(v * f64::powi(2.0, 64));
        return (m, e - 64);
    }
    let m = f64::from_bits((bits & !(0x7ffu64 << 52)) | (1022u64 << 52));
    (m, exp - 1022)
}

// --- features ---
/// `hash(v)`: small ints and str (whose hash is cached) inline at the call site; every other
/// kind in `hash_any`.
#[inline]
pub fn hash(vm: &mut Vm, v: Value) -> PyResult<u64> {
    if v.is_small_int() {
        return Ok(hash_i64(v.as_small_int()));
    }
    if let Some(s) = v.as_str() {
        return Ok(s.hash());
    }
    hash_any(vm, v)
}

#[inline(never)]
fn hash_any(vm: &mut Vm, v: Value) -> PyResult<u64> {
    if let Some(i) = small_of(v) {
        return Ok(hash_i64(i));
    }
    if v.is_float() {
        let f = v.as_float();
        if f.fract() == 0.0 && f.is_finite() {
            return Ok(if f.abs() < 9.0e18 {
                hash_i64(f as i64)
            } else {
                hash_big(&format::float_to_bigint(f).unwrap_or_default())
            });
        }
        return Ok(float_hash(f)); // langdata: CPython's value, so sets order as CPython's
    }
    if v.is_none() {
        return Ok(0xFCA8_6420);
    }
    let Some(o) = v.as_obj() else {
        return Ok(v.bits());
    };
    match &o.kind {
        ObjKind::Str(s) => Ok(s.hash()),
        ObjKind::BigInt(b) => Ok(hash_big(b)),
        ObjKind::Tuple(items) => {
            // xxHash-style combination, as CPython's tuplehash.
            let mut acc: u64 = 0x27D4_EB2F_1656_67C5;
            for it in items.iter() {
                let h = hash(vm, *it)?;
                acc = acc.wrapping_add(h.wrapping_mul(0xC2B2_AE3D_27D4_EB4F));
                acc = acc.rotate_left(31).wrapping_mul(0x9E37_79B1_85EB_CA87);
            }
            // langdata: CPython adds the length term (and avoids -1).
            let acc = acc.wrapping_add(items.len() as u64 ^ (0x27D4_EB2F_1656_67C5 ^ 3_527_539));
            Ok(if acc == u64::MAX { 1_546_275_796 } else { acc })
        }
        // --- langdata ---
        ObjKind::Set(s) if s.frozen => Ok(s.frozen_hash()),
        ObjKind::List(_) | ObjKind::Dict(_) | ObjKind::Set(_) | ObjKind::Slice { .. } => {
            let t = type_name(v);
            Err(vm.new_exc(Ty::TypeError, &format!("unhashable type: '{t}'")))
        }
        // --- classes ---
        ObjKind::Instance(_) => crate::class::hash(vm, v),
        ObjKind::Exception(e) if !e.instance.is_null() => crate::class::hash(vm, v),
        _ => Ok((o as *const _ as u64) >> 4),
    }
}

/// `a == b` for built-in types (never fails, never runs Python code).
// --- features --- the identical and two-small-int cases inline at every table probe
#[inline]
pub fn eq_fast(a: Value, b: Value) -> bool {
    if a == b {
        return true;
    }
    if a.is_small_int() && b.is_small_int() {
        return false; // small ints are canonical: different bits, different values
    }
    eq_any(a, b)
}

#[inline(never)]
fn eq_any(a: Value, b: Value) -> bool {
    if let (Some(x), Some(y)) = (small_of(a), small_of(b)) {
        return x == y;
    }
    if a.is_float() || b.is_float() {
        return num_order(a, b) == Some(Ordering::Equal);
    }
    let (Some(oa), Some(ob)) = (a.as_obj(), b.as_obj()) else {
        // bool vs big int etc.
        // --- bigint --- read both in place.
        return match (IntRef::of(a), IntRef::of(b)) {
            (Some(x), Some(y)) => int_arith::cmp(x, y) == Ordering::Equal,
            _ => false,
        };
    };
    match (&oa.kind, &ob.kind) {
        (ObjKind::Str(x), ObjKind::Str(y)) => !x.known_hashes_differ(y) && x.s == y.s,
        (ObjKind::BigInt(x), ObjKind::BigInt(y)) => x == y,
        (ObjKind::Tuple(x), ObjKind::Tuple(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| eq_fast(*p, *q))
        }
        (ObjKind::List(x), ObjKind::List(y)) => {
            let (x, y) = (x.borrow(), y.borrow());
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| eq_fast(*p, *q))
        }
        (ObjKind::Set(x), ObjKind::Set(y)) => crate::set_ops::equal(x, y), // langdata
        (ObjKind::Dict(x), ObjKind::Dict(y)) => {
            let (x, y) = (x.borrow(), y.borrow());
            x.len() == y.len()
                && x.iter().all(|e| {
                    y.get(e.hash, |k| eq_fast(k, e.key))
                        .is_some_and(|v| eq_fast(v, e.value))
                })
        }
        (
            ObjKind::Range {
                start: a0,
                stop: a1,
                step: a2,
            },
            ObjKind::Range {
                start: b0,
                stop: b1,
                step: b2,
            },
        ) => (a0, a1, a2) == (b0, b1, b2),
        _ => false,
    }
}

/// Exact order of two numbers of which at least one is a float (None: NaN or not numbers).
/// Ints are compared exactly, as CPython does, not through a lossy conversion to float.
fn num_order(a: Value, b: Value) -> Option<Ordering> {
    match (a.is_float(), b.is_float()) {
        (true, true) => a.as_float().partial_cmp(&b.as_float()),
        (true, false) => int_float_order(b, a.as_float()).map(Ordering::reverse),
        (false, true) => int_float_order(a, b.as_float()),
        (false, false) => None,
    }
}

/// Order of int-like `i` against float `f`.
fn int_float_order(i: Value, f: f64) -> Option<Ordering> {
    if f.is_nan() {
        return None;
    }
    if let Some(x) = small_of(i) {
        // |x| < 2^47: exact as a float.
        return (x as f64).partial_cmp(&f);
    }
    let b = i.as_bigint()?;
    if f.is_infinite() {
        return Some(if f > 0.0 {
            Ordering::Less
        } else {
            Ordering::Greater
        });
    }
    let fl = f.floor();
    let fb = format::float_to_bigint(fl).ok()?;
    Some(match b.cmp(&fb) {
        Ordering::Equal if f > fl => Ordering::Less,
        o => o,
    })
}

/// Numeric value as f64 (big ints approximate; for `%`-formatting).
fn num_f64(v: Value) -> Option<f64> {
    if v.is_float() {
        Some(v.as_float())
    } else if let Some(i) = small_of(v) {
        Some(i as f64)
    } else {
        v.as_bigint().map(|b| b.to_f64().unwrap_or(f64::INFINITY))
    }
}

pub fn compare(vm: &mut Vm, op: CompareOp, a: Value, b: Value) -> PyResult<bool> {
    // langdata: dict keys/items views compare as sets.
    if a.is_obj() && b.is_obj() {
        if let Some(r) = crate::set_ops::compare_views(vm, op, a, b)? {
            return Ok(r);
        }
    }
    // --- classes ---
    if crate::class::is_user_instance(a) || crate::class::is_user_instance(b) {
        return crate::class::compare(vm, op, a, b);
    }
    if let CompareOp::Eq | CompareOp::Ne = op {
        let equal = if eq_fast(a, b) {
            !(a.is_float() && a.as_float().is_nan())
        } else if crate::deep_eq::applies(a, b) {
            // --- gaps --- containers whose items may compare through `__eq__`
            crate::deep_eq::eq(vm, a, b)?
        } else {
            false
        };
        return Ok(equal == (op == CompareOp::Eq));
    }
    // --- langdata --- subset/superset tests.
    let b = crate::deep_eq::set_operand(vm, a, b)?; // --- gaps --- user __eq__ elements
    if let Some(r) = crate::set_ops::compare(op, a, b) {
        return Ok(r);
    }
    let ord = match order(vm, a, b)? {
        Some(o) => o,
        None if is_num(a) && is_num(b) => return Ok(false), // NaN
        None => {
            let (s, ta, tb) = (op.symbol(), type_name(a), type_name(b));
            let msg = format!("'{s}' not supported between instances of '{ta}' and '{tb}'");
            return Err(vm.new_exc(Ty::TypeError, &msg));
        }
    };
    Ok(match op {
        CompareOp::Lt => ord == Ordering::Less,
        CompareOp::Le => ord != Ordering::Greater,
        CompareOp::Gt => ord == Ordering::Greater,
        CompareOp::Ge => ord != Ordering::Less,
        _ => unreachable!(),
    })
}

fn is_num(v: Value) -> bool {
    v.is_float() || is_intlike(v)
}

/// Total order used by `<` and sorting; `None` when the types are not orderable (or NaN).
pub fn order(vm: &mut Vm, a: Value, b: Value) -> PyResult<Option<Ordering>> {
    if let (Some(x), Some(y)) = (small_of(a), small_of(b)) {
        return Ok(Some(x.cmp(&y)));
    }
    if is_num(a) && is_num(b) {
        if a.is_float() || b.is_float() {
            return Ok(num_order(a, b));
        }
        // --- bigint --- read both in place (this compared copies of both).
        if let (Some(x), Some(y)) = (IntRef::of(a), IntRef::of(b)) {
            return Ok(Some(int_arith::cmp(x, y)));
        }
    }
    // --- classes --- (sorting and min/max use `<` only, as CPython)
    if crate::class::is_user_instance(a) || crate::class::is_user_instance(b) {
        if crate::class::compare(vm, CompareOp::Lt, a, b)? {
            return Ok(Some(Ordering::Less));
        }
        if crate::class::compare(vm, CompareOp::Lt, b, a)? {
            return Ok(Some(Ordering::Greater));
        }
        return Ok(Some(Ordering::Equal));
    }
    let (Some(oa), Some(ob)) = (a.as_obj(), b.as_obj()) else {
        return Ok(None);
    };
    match (&oa.kind, &ob.kind) {
        (ObjKind::Str(x), ObjKind::Str(y)) => Ok(Some(x.s.cmp(&y.s))),
        (ObjKind::Tuple(x), ObjKind::Tuple(y)) => seq_order(vm, x, y),
        (ObjKind::List(x), ObjKind::List(y)) => {
            let (x, y) = (x.borrow().clone(), y.borrow().clone());
            seq_order(vm, &x, &y)
        }
        _ => Ok(None),
    }
}

fn seq_order(vm: &mut Vm, x: &[Value], y: &[Value]) -> PyResult<Option<Ordering>> {
    for (p, q) in x.iter().zip(y.iter()) {
        // --- gaps --- the first unequal pair by `==`, which may be a user `__eq__`
        let equal = eq_fast(*p, *q)
            || (crate::deep_eq::may_need_python(*p, *q) && compare(vm, CompareOp::Eq, *p, *q)?);
        if !equal {
            return match order(vm, *p, *q)? {
                Some(o) => Ok(Some(o)),
                None => {
                    let (tp, tq) = (type_name(*p), type_name(*q));
                    let msg = format!("'<' not supported between instances of '{tp}' and '{tq}'");
                    Err(vm.new_exc(Ty::TypeError, &msg))
                }
            };
        }
    }
    Ok(Some(x.len().cmp(&y.len())))
}

// ----- truth -----

/// The truth of `v` when it needs no call (`truthy` has the rest). Also the test of the
/// items `any`/`all` drain from a generator (`gen_sink`).
#[inline(always)]
pub fn quick_truth(v: Value) -> Option<bool> {
    if v.is_bool() {
        return Some(v.as_bool());
    }
    if v.is_small_int() {
        return Some(v.as_small_int() != 0);
    }
    if v.is_float() {
        return Some(v.as_float() != 0.0);
    }
    if v.is_none() {
        return Some(false);
    }
    match &v.as_obj()?.kind {
        ObjKind::Str(s) => Some(!s.s.is_empty()),
        // SAFETY: reading the length only; no borrow is held across anything.
        ObjKind::List(l) => Some(!unsafe { &*l.as_ptr() }.is_empty()),
        ObjKind::Tuple(t) => Some(!t.is_empty()),
        // SAFETY: as for lists.
        ObjKind::Dict(d) => Some(!unsafe { &*d.as_ptr() }.is_empty()),
        _ => None,
    }
}

pub fn truthy(vm: &mut Vm, v: Value) -> PyResult<bool> {
    if let Some(t) = quick_truth(v) {
        return Ok(t);
    }
    let Some(o) = v.as_obj() else { return Ok(true) };
    Ok(match &o.kind {
        ObjKind::Set(s) => !s.table.borrow().is_empty(),
        ObjKind::BigInt(b) => !b.is_zero(),
        ObjKind::Range { start, stop, step } => range_len(*start, *stop, *step) > 0,
        // --- classes ---
        ObjKind::Instance(_) => return crate::class::truthy(vm, v),
        _ => true,
    })
}

pub fn range_len(start: i64, stop: i64, step: i64) -> i64 {
    if step > 0 && start < stop {
        ((stop as i128 - start as i128 - 1) / step as i128 + 1) as i64
    } else if step < 0 && start > stop {
        ((start as i128 - stop as i128 - 1) / (-(step as i128)) + 1) as i64
    } else {
        0
    }
}

// ----- arithmetic -----

pub fn binary_op(vm: &mut Vm, op: BinaryOp, a: Value, b: Value) -> PyResult<Value> {
    let base = op.base();
    // bool's own `&`, `|`, `^` return a bool (`True | False` is `True`, not `1`).
    if a.is_bool() && b.is_bool() {
        let (x, y) = (a.as_bool(), b.as_bool());
        match base {
            BinaryOp::And => return Ok(Value::bool(x & y)),
            BinaryOp::Or => return Ok(Value::bool(x | y)),
            BinaryOp::Xor => return Ok(Value::bool(x ^ y)),
            _ => {}
        }
    }
    // Ints that fit in i64 (heap big ints included: `x * 1103515245` leaves the inline range
    // but not i64) take the i128 path, not BigInt arithmetic with its clones and allocations.
    if let (Some(x), Some(y)) = (i64_of(a), i64_of(b)) {
        if let Some(v) = small_int_op(vm, base, x, y)? {
            return Ok(v);
        }
    }
    if is_intlike(a) && is_intlike(b) {
        if base == BinaryOp::TrueDivide {
            let (x, y) = (big_of(a).unwrap_or_default(), big_of(b).unwrap_or_default());
            return format::int_true_divide(&x, &y)
                .map(Value::float)
                .map_err(|e| exc(vm, e));
        }
        if let Some(v) = big_int_op(vm, base, a, b)? {
            return Ok(v);
        }
    }
    if is_num(a) && is_num(b) && base != BinaryOp::MatrixMultiply {
        if let Some(v) = float_op(vm, base, a, b)? {
            return Ok(v);
        }
    }
    if op.is_inplace() && a.as_list().is_some() {
        if let Some(v) = list_inplace(vm, base, a, b)? {
            return Ok(v);
        }
    }
    if let Some(v) = seq_op(vm, base, a, b)? {
        return Ok(v);
    }
    let b = crate::deep_eq::set_operand(vm, a, b)?; // --- gaps --- user __eq__ elements
    if let Some(v) = crate::set_ops::binary(vm, op, a, b)? {
        return Ok(v); // langdata
    }
    // --- classes ---
    if crate::class::is_user_instance(a) || crate::class::is_user_instance(b) {
        if let Some(v) = crate::class::binary_op(vm, op, a, b)? {
            return Ok(v);
        }
    }
    Err(unsupported(vm, op, a, b))
}

fn unsupported(vm: &mut Vm, op: BinaryOp, a: Value, b: Value) -> PyErr {
    let (ta, tb) = (type_name(a), type_name(b));
    let base = op.base();
    // CPython's sequence repeat: whichever operand is a sequence names the other's type.
    let is_seq = |v: Value| v.as_str().is_some() || v.as_list().is_some() || v.as_tuple().is_some();
    if base == BinaryOp::Multiply && (is_seq(a) || is_seq(b)) {
        let other = if is_seq(a) { tb } else { ta };
        return vm.new_exc(
            Ty::TypeError,
            &format!("can't multiply sequence by non-int of type '{other}'"),
        );
    }
    if base == BinaryOp::Add && ta == "str" {
        return vm.new_exc(
            Ty::TypeError,
            &format!("can only concatenate str (not \"{tb}\") to str"),
        );
    }
    if base == BinaryOp::Add && (ta == "list" || ta == "tuple") && ta != tb {
        return vm.new_exc(
            Ty::TypeError,
            &format!("can only concatenate {ta} (not \"{tb}\") to {ta}"),
        );
    }
    let sym = if base == BinaryOp::Power && !op.is_inplace() {
        "** or pow()"
    } else {
        op.symbol()
    };
    vm.new_exc(
        Ty::TypeError,
        &format!("unsupported operand type(s) for {sym}: '{ta}' and '{tb}'"),
    )
}

fn small_int_op(vm: &mut Vm, op: BinaryOp, x: i64, y: i64) -> PyResult<Option<Value>> {
    let (xw, yw) = (x as i128, y as i128);
    let r: i128 = match op {
        BinaryOp::Add => xw + yw,
        BinaryOp::Subtract => xw - yw,
        BinaryOp::Multiply => xw * yw,
        BinaryOp::FloorDivide | BinaryOp::Remainder => {
            if y == 0 {
                // --- exceptions --- (CPython words `%` and `//` differently)
                let msg = if op == BinaryOp::Remainder {
                    "integer modulo by zero"
                } else {
                    "integer division or modulo by zero"
                };
                return Err(vm.new_exc(Ty::ZeroDivisionError, msg));
            }
            if op == BinaryOp::FloorDivide {
                Integer::div_floor(&xw, &yw)
            } else {
                Integer::mod_floor(&xw, &yw)
            }
        }
        BinaryOp::TrueDivide => {
            return format::i64_true_divide(x, y)
                .map(|f| Some(Value::float(f)))
                .map_err(|e| exc(vm, e))
        }
        BinaryOp::And => xw & yw,
        BinaryOp::Or => xw | yw,
        BinaryOp::Xor => xw ^ yw,
        BinaryOp::LShift => {
            if y < 0 {
                return Err(vm.new_exc(Ty::ValueError, "negative shift count"));
            }
            if y >= 64 {
                return Ok(None);
            }
            match xw.checked_shl(y as u32) {
                Some(v) if (v >> y) == xw => v,
                _ => return Ok(None),
            }
        }
        BinaryOp::RShift => {
            if y < 0 {
                return Err(vm.new_exc(Ty::ValueError, "negative shift count"));
            }
            xw >> y.min(127)
        }
        BinaryOp::Power => {
            if y < 0 {
                return Ok(None); // float result
            }
            match x.checked_pow(y.min(u32::MAX as i64) as u32) {
                Some(v) if y <= u32::MAX as i64 => v as i128,
                _ => return Ok(None),
            }
        }
        BinaryOp::MatrixMultiply => return Ok(None),
        _ => return Ok(None),
    };
    Ok(Some(match i64::try_from(r) {
        Ok(i) => vm.int(i),
        Err(_) => vm.bigint(BigInt::from(r)),
    }))
}

/// An int operand by reference when it is a heap big int (no copy of its digits), by value
/// when inline (langdata).
fn big_ref(v: Value) -> std::borrow::Cow<'static, BigInt> {
    match v.as_bigint() {
        Some(b) => std::borrow::Cow::Borrowed(b),
        None => std::borrow::Cow::Owned(big_of(v).unwrap_or_default()),
    }
}

fn big_int_op(vm: &mut Vm, op: BinaryOp, a: Value, b: Value) -> PyResult<Option<Value>> {
    // langdata: add/sub/mul/floor-div/mod read huge operands in place (they dominated
    // bigint_pi as memcpy).
    let (xr, yr) = (big_ref(a), big_ref(b));
    let fast = match op {
        BinaryOp::Add => Some(&*xr + &*yr),
        BinaryOp::Subtract => Some(&*xr - &*yr),
        BinaryOp::Multiply => Some(&*xr * &*yr),
        // --- bigint --- short quotients skip num-bigint's Burnikel-Ziegler (int_arith).
        BinaryOp::FloorDivide | BinaryOp::Remainder if !yr.is_zero() => {
            Some(if op == BinaryOp::FloorDivide {
                int_arith::div_floor(&xr, &yr)
            } else {
                int_arith::mod_floor(&xr, &yr)
            })
        }
        _ => None,
    };
    if let Some(r) = fast {
        return Ok(Some(vm.bigint(r)));
    }
    let (x, y) = (xr.into_owned(), yr.into_owned());
    let r = match op {
        BinaryOp::Add => x + y,
        BinaryOp::Subtract => x - y,
        BinaryOp::Multiply => x * y,
        BinaryOp::FloorDivide | BinaryOp::Remainder => {
            if y.is_zero() {
                // --- exceptions --- (CPython words `%` and `//` differently)
                let msg = if op == BinaryOp::Remainder {
                    "integer modulo by zero"
                } else {
                    "integer division or modulo by zero"
                };
                return Err(vm.new_exc(Ty::ZeroDivisionError, msg));
            }
            if op == BinaryOp::FloorDivide {
                x.div_floor(&y)
            } else {
                x.mod_floor(&y)
            }
        }
        BinaryOp::And => x & y,
        BinaryOp::Or => x | y,
        BinaryOp::Xor => x ^ y,
        BinaryOp::LShift | BinaryOp::RShift => {
            if y.is_negative() {
                return Err(vm.new_exc(Ty::ValueError, "negative shift count"));
            }
            // --- bigint --- zero shifts to zero by any count; results past MAX_INT_BITS
            // raise MemoryError (CPython's, when its allocation fails) instead of aborting.
            if x.is_zero() {
                return Ok(Some(Value::small_int(0)));
            }
            let n = match y.to_usize() {
                Some(n) if op == BinaryOp::RShift || (n as u64) < int_arith::MAX_INT_BITS => n,
                None if op == BinaryOp::RShift => {
                    return Ok(Some(vm.int(if x.is_negative() { -1 } else { 0 })))
                }
                _ if int_arith::lshift_overflows(&x, &y) => {
                    return Err(vm.new_exc(Ty::OverflowError, "too many digits in integer"))
                }
                _ => return Err(vm.new_exc(Ty::MemoryError, "")),
            };
            if op == BinaryOp::LShift {
                x << n
            } else {
                x >> n
            }
        }
        BinaryOp::Power => {
            if y.is_negative() {
                return Ok(None);
            }
            // --- bigint --- 0, 1 and -1 to any power; other results past MAX_INT_BITS raise
            // MemoryError, as CPython does once its allocation fails.
            if x.magnitude().bits() <= 1 {
                let odd = y.is_odd();
                return Ok(Some(Value::small_int(if x.is_negative() && !odd {
                    1
                } else {
                    x.to_i64().unwrap_or(0)
                })));
            }
            let too_big = y.to_u64().is_none_or(|e| {
                e.saturating_mul(x.magnitude().bits() - 1) >= int_arith::MAX_INT_BITS
            });
            match y.to_u32() {
                Some(e) if !too_big => num_traits::Pow::pow(x, e),
                _ => return Err(vm.new_exc(Ty::MemoryError, "")),
            }
        }
        _ => return Ok(None),
    };
    Ok(Some(vm.bigint(r)))
}

fn float_op(vm: &mut Vm, op: BinaryOp, a: Value, b: Value) -> PyResult<Option<Value>> {
    let (Some(x), Some(y)) = (float_of(vm, a)?, float_of(vm, b)?) else {
        return Ok(None);
    };
    let r = match op {
        BinaryOp::Add => x + y,
        BinaryOp::Subtract => x - y,
        BinaryOp::Multiply => x * y,
        BinaryOp::TrueDivide => {
            if y == 0.0 {
                return Err(vm.new_exc(Ty::ZeroDivisionError, "float division by zero"));
            }
            x / y
        }
        BinaryOp::FloorDivide => format::float_floordiv(x, y).map_err(|e| exc(vm, e))?,
        BinaryOp::Remainder => format::float_mod(x, y).map_err(|e| exc(vm, e))?,
        BinaryOp::Power => match format::float_pow(x, y).map_err(|e| exc(vm, e))? {
            Some(v) => v,
            None => {
                return Err(vm.new_exc(
                    Ty::NotImplementedError,
                    "complex results are not supported yet",
                ))
            }
        },
        _ => return Ok(None),
    };
    Ok(Some(Value::float(r)))
}

/// Largest sequence a repetition may build (elements or bytes); beyond it CPython would
/// exhaust memory, so raise MemoryError instead of aborting.
const MAX_REPEAT: u128 = 1 << 34;

fn repeat_count(vm: &mut Vm, n: Value, item_len: usize) -> PyResult<Option<usize>> {
    match index_of(vm, n) {
        Ok(Some(i)) if (i.max(0) as u128) * item_len as u128 > MAX_REPEAT => {
            Err(vm.new_exc(Ty::MemoryError, ""))
        }
        Ok(Some(i)) => Ok(Some(i.max(0) as usize)),
        Ok(None) => Ok(None),
        Err(_) => Err(vm.new_exc(
            Ty::OverflowError,
            "cannot fit 'int' into an index-sized integer",
        )),
    }
}

/// `list += iterable` (extends the list itself, as `list.extend`) and `list *= int` (repeats
/// it in place); `None` for the other operations, which build a new object.
fn list_inplace(vm: &mut Vm, op: BinaryOp, a: Value, b: Value) -> PyResult<Option<Value>> {
    let l = a.as_list().expect("list");
    let items = match op {
        BinaryOp::Add => collect(vm, b)?,
        BinaryOp::Multiply if is_intlike(b) => {
            let len = l.borrow().len();
            let Some(k) = repeat_count(vm, b, len)? else {
                return Ok(None);
            };
            if k == 0 {
                l.borrow_mut().clear();
                return Ok(Some(a));
            }
            let items = l.borrow().clone();
            items.repeat(k - 1)
        }
        _ => return Ok(None),
    };
    let len = l.borrow().len();
    vm.heap.list_barrier(a.as_obj().expect("list"), len);
    l.borrow_mut().extend(items);
    Ok(Some(a))
}

fn seq_op(vm: &mut Vm, op: BinaryOp, a: Value, b: Value) -> PyResult<Option<Value>> {
    match op {
        BinaryOp::Add => {
            if let (Some(x), Some(y)) = (a.as_str(), b.as_str()) {
                // --- strings --- CPython returns the other operand when one is empty.
                if x.s.is_empty() {
                    return Ok(Some(b));
                }
                if y.s.is_empty() {
                    return Ok(Some(a));
                }
                let mut s = String::with_capacity(x.s.len() + y.s.len());
                s.push_str(&x.s);
                s.push_str(&y.s);
                return Ok(Some(vm.new_string(s)));
            }
            if let (Some(x), Some(y)) = (a.as_list(), b.as_list()) {
                let mut v = x.borrow().clone();
                v.extend_from_slice(&y.borrow());
                return Ok(Some(vm.new_list(v)));
            }
            if let (Some(x), Some(y)) = (a.as_tuple(), b.as_tuple()) {
                let mut v = x.to_vec();
                v.extend_from_slice(y);
                return Ok(Some(vm.new_tuple(v)));
            }
        }
        BinaryOp::Multiply => {
            let (seq, n) = if is_intlike(b) { (a, b) } else { (b, a) };
            if !is_intlike(n) {
                return Ok(None);
            }
            if let Some(s) = seq.as_str() {
                // --- strings --- past PY_SSIZE_T_MAX code points CPython refuses before
                // trying to allocate (below it, the failed allocation is a MemoryError).
                if let Ok(Some(i)) = index_of(vm, n) {
                    if i > 0 && i as u128 * s.chars() as u128 > isize::MAX as u128 {
                        return Err(vm.new_exc(Ty::OverflowError, "repeated string is too long"));
                    }
                }
                let Some(k) = repeat_count(vm, n, s.s.len())? else {
                    return Ok(None);
                };
                if k == 1 {
                    return Ok(Some(seq)); // --- strings --- as CPython: `s * 1 is s`
                }
                return Ok(Some(vm.new_string(s.s.repeat(k))));
            }
            if let Some(l) = seq.as_list() {
                let len = l.borrow().len();
                let Some(k) = repeat_count(vm, n, len)? else {
                    return Ok(None);
                };
                let v = l.borrow().repeat(k);
                return Ok(Some(vm.new_list(v)));
            }
            if let Some(t) = seq.as_tuple() {
                let Some(k) = repeat_count(vm, n, t.len())? else {
                    return Ok(None);
                };
                let v = t.repeat(k);
                return Ok(Some(vm.new_tuple(v)));
            }
        }
        BinaryOp::Remainder if a.as_str().is_some() => {
            let text = percent(vm, str_of(a), b)?;
            return Ok(Some(vm.new_string(text)));
        }
        _ => {}
    }
    Ok(None)
}

pub fn negate(vm: &mut Vm, v: Value) -> PyResult<Value> {
    if let Some(i) = small_of(v) {
        return Ok(vm.int(-i));
    }
    if v.is_float() {
        return Ok(Value::float(-v.as_float()));
    }
    if let Some(b) = v.as_bigint() {
        let n = -b.clone();
        return Ok(vm.bigint(n));
    }
    if let Some(r) = crate::class::unary(vm, "__neg__", v)? {
        return Ok(r); // --- classes ---
    }
    let t = type_name(v);
    Err(vm.new_exc(
        Ty::TypeError,
        &format!("bad operand type for unary -: '{t}'"),
    ))
}

pub fn invert(vm: &mut Vm, v: Value) -> PyResult<Value> {
    if let Some(i) = small_of(v) {
        return Ok(vm.int(!i));
    }
    if let Some(b) = v.as_bigint() {
        let n = -b.clone() - 1;
        return Ok(vm.bigint(n));
    }
    if let Some(r) = crate::class::unary(vm, "__invert__", v)? {
        return Ok(r); // --- classes ---
    }
    let t = type_name(v);
    Err(vm.new_exc(
        Ty::TypeError,
        &format!("bad operand type for unary ~: '{t}'"),
    ))
}

// ----- subscripts -----

/// `slice.indices(len)`: (start, stop, step, count).
pub fn slice_indices(vm: &mut Vm, s: Value, len: i64) -> PyResult<(i64, i64, i64, i64)> {
    let Some(ObjKind::Slice { start, stop, step }) = s.as_obj().map(|o| &o.kind) else {
        unreachable!("slice_indices on a non-slice")
    };
    slice_bounds(vm, *start, *stop, *step, len)
}

/// `slice_indices` of the slice `start:stop:step`, without making the slice object.
pub fn slice_bounds(
    vm: &mut Vm,
    start: Value,
    stop: Value,
    step: Value,
    len: i64,
) -> PyResult<(i64, i64, i64, i64)> {
    // Small ints and None (nearly every slice) need no conversion that could fail.
    let small = |v: Value| {
        if v.is_none() {
            Some(None)
        } else {
            small_of(v).map(Some)
        }
    };
    if let (Some(a), Some(b), Some(s)) = (small(start), small(stop), small(step)) {
        return resolve_slice(vm, a, b, s, len);
    }
    let get = |vm: &mut Vm, v: Value| -> PyResult<Option<i64>> {
        if let Some(b) = small(v) {
            return Ok(b);
        }
        match v.as_bigint() {
            Some(b) => Ok(Some(if b.is_negative() {
                i64::MIN / 2
            } else {
                i64::MAX / 2
            })),
            None => Err(vm.new_exc(
                Ty::TypeError,
                "slice indices must be integers or None or have an __index__ method",
            )),
        }
    };
    // CPython's order: the step (and its zero check) before the bounds.
    let step = get(vm, step)?;
    if step == Some(0) {
        return Err(vm.new_exc(Ty::ValueError, "slice step cannot be zero"));
    }
    let (start, stop) = (get(vm, start)?, get(vm, stop)?);
    resolve_slice(vm, start, stop, step, len)
}

/// `slice_bounds` of bounds already read as integers (None: omitted).
#[inline]
fn resolve_slice(
    vm: &mut Vm,
    start: Option<i64>,
    stop: Option<i64>,
    step: Option<i64>,
    len: i64,
) -> PyResult<(i64, i64, i64, i64)> {
    let step = step.unwrap_or(1);
    if step == 0 {
        return Err(vm.new_exc(Ty::ValueError, "slice step cannot be zero"));
    }
    let (lower, upper) = if step < 0 { (-1, len - 1) } else { (0, len) };
    let adjust = |v: Option<i64>, default: i64| -> i64 {
        match v {
            None => default,
            Some(i) if i < 0 => (i + len).max(lower),
            Some(i) => i.min(upper),
        }
    };
    let start = adjust(start, if step < 0 { upper } else { lower });
    let stop = adjust(stop, if step < 0 { lower } else { upper });
    let count = if step > 0 {
        if stop > start {
            (stop - start - 1) / step + 1
        } else {
            0
        }
    } else if start > stop {
        (start - stop - 1) / (-step) + 1
    } else {
        0
    };
    Ok((start, stop, step, count))
}

/// The items of `value` assigned to a list slice; CPython's `PySequence_Fast` message when
/// `value` cannot be iterated.
fn assigned_items(vm: &mut Vm, value: Value) -> PyResult<Vec<Value>> {
    if value.as_list().is_some() || value.as_tuple().is_some() {
        return collect(vm, value);
    }
    match iter(vm, value) {
        Ok(it) => {
            vm.native_roots.push(it);
            let r = collect(vm, it);
            vm.native_roots.pop();
            r
        }
        Err(e) if e.0.as_exc().is_some_and(|x| x.ty == Ty::TypeError) => {
            Err(vm.new_exc(Ty::TypeError, "can only assign an iterable"))
        }
        Err(e) => Err(e),
    }
}

/// `l[start:stop] = value` for a list `l` (STORE_SLICE), without making the slice object.
pub fn set_list_slice(
    vm: &mut Vm,
    l: Value,
    start: Value,
    stop: Value,
    value: Value,
) -> PyResult<()> {
    let items = assigned_items(vm, value)?;
    let len = l.as_list().expect("a list").borrow().len() as i64;
    let bounds = slice_bounds(vm, start, stop, Value::NONE, len)?;
    assign_list_slice(vm, l, bounds, items)
}

/// `l[slice] = items`, the slice already resolved to (start, stop, step, count) for `l`.
fn assign_list_slice(
    vm: &mut Vm,
    l: Value,
    (start, stop, step, n): (i64, i64, i64, i64),
    items: Vec<Value>,
) -> PyResult<()> {
    let o = l.as_obj().expect("a list");
    let ObjKind::List(list) = &o.kind else {
        unreachable!("assign_list_slice on a non-list")
    };
    if step == 1 {
        vm.heap.list_barrier(o, start as usize);
        let stop = stop.max(start);
        list.borrow_mut()
            .splice(start as usize..stop as usize, items);
        return Ok(());
    }
    if items.len() as i64 != n {
        let msg = format!(
            "attempt to assign sequence of size {} to extended slice of size {n}",
            items.len()
        );
        return Err(vm.new_exc(Ty::ValueError, &msg));
    }
    if n > 0 {
        // The lowest index written: the last one when the step is negative.
        let lowest = if step > 0 {
            start
        } else {
            start + (n - 1) * step
        };
        vm.heap.list_barrier(o, lowest as usize);
    }
    let mut list = list.borrow_mut();
    for (k, v) in items.into_iter().enumerate() {
        list[(start + k as i64 * step) as usize] = v;
    }
    Ok(())
}

fn is_slice(v: Value) -> bool {
    matches!(v.as_obj().map(|o| &o.kind), Some(ObjKind::Slice { .. }))
}

fn norm_index(i: i64, len: usize) -> Option<usize> {
    let i = if i < 0 { i + len as i64 } else { i };
    (0..len as i64).contains(&i).then_some(i as usize)
}

fn slice_of<T: Copy>(items: &[T], start: i64, step: i64, count: i64) -> Vec<T> {
    (0..count)
        .map(|k| items[(start + k * step) as usize])
        .collect()
}

pub fn getitem(vm: &mut Vm, c: Value, key: Value) -> PyResult<Value> {
    let Some(o) = c.as_obj() else {
        return Err(not_subscriptable(vm, c));
    };
    match &o.kind {
        // --- classes ---
        ObjKind::Instance(_) => match crate::class::getitem(vm, c, key)? {
            Some(v) => Ok(v),
            None => Err(not_subscriptable(vm, c)),
        },
        ObjKind::List(l) => {
            if is_slice(key) {
                let len = l.borrow().len() as i64;
                let (start, _, step, n) = slice_indices(vm, key, len)?;
                let v = slice_of(&l.borrow(), start, step, n);
                return Ok(vm.new_list(v));
            }
            let Some(i) = index_of(vm, key)? else {
                return Err(seq_index_type(vm, "list", key));
            };
            let l = l.borrow();
            match norm_index(i, l.len()) {
                Some(i) => Ok(l[i]),
                None => Err(vm.new_exc(Ty::IndexError, "list index out of range")),
            }
        }
        ObjKind::Tuple(t) => {
            if is_slice(key) {
                let (start, _, step, n) = slice_indices(vm, key, t.len() as i64)?;
                let v = slice_of(t, start, step, n);
                return Ok(vm.new_tuple(v));
            }
            let Some(i) = index_of(vm, key)? else {
                return Err(seq_index_type(vm, "tuple", key));
            };
            match norm_index(i, t.len()) {
                Some(i) => Ok(t[i]),
                None => Err(vm.new_exc(Ty::IndexError, "tuple index out of range")),
            }
        }
        ObjKind::Str(s) => {
            if is_slice(key) {
                let (start, _, step, n) = slice_indices(vm, key, s.chars() as i64)?;
                let out: String = if s.is_ascii() {
                    let b = s.s.as_bytes();
                    (0..n)
                        .map(|k| b[(start + k * step) as usize] as char)
                        .collect()
                } else {
                    let chars: Vec<char> = s.s.chars().collect();
                    slice_of(&chars, start, step, n).into_iter().collect()
                };
                return Ok(vm.new_string(out));
            }
            let Some(i) = index_of(vm, key)? else {
                let t = type_name(key);
                return Err(vm.new_exc(
                    Ty::TypeError,
                    &format!("string indices must be integers, not '{t}'"),
                ));
            };
            match norm_index(i, s.chars()) {
                Some(i) => {
                    let ch = if s.is_ascii() {
                        s.s.as_bytes()[i] as char
                    } else {
                        s.s.chars().nth(i).unwrap_or_default()
                    };
                    let mut buf = [0u8; 4];
                    Ok(vm.intern(ch.encode_utf8(&mut buf)))
                }
                None => Err(vm.new_exc(Ty::IndexError, "string index out of range")),
            }
        }
        ObjKind::Dict(_) => match dict_get(vm, c, key)? {
            Some(v) => Ok(v),
            None => Err(key_error(vm, key)),
        },
        ObjKind::Range { start, stop, step } => {
            let (start, stop, step) = (*start, *stop, *step);
            if is_slice(key) {
                return crate::range_ops::slice(vm, start, stop, step, key); // --- gaps ---
            }
            let len = range_len(start, stop, step);
            let Some(i) = index_of(vm, key)? else {
                let t = type_name(key);
                return Err(vm.new_exc(
                    Ty::TypeError,
                    &format!("range indices must be integers or slices, not {t}"),
                ));
            };
            match norm_index(i, len as usize) {
                Some(i) => Ok(vm.int(start + i as i64 * step)),
                None => Err(vm.new_exc(Ty::IndexError, "range object index out of range")),
            }
        }
        _ => Err(not_subscriptable(vm, c)),
    }
}

fn not_subscriptable(vm: &mut Vm, c: Value) -> PyErr {
    let t = type_name(c);
    vm.new_exc(Ty::TypeError, &format!("'{t}' object is not subscriptable"))
}

fn seq_index_type(vm: &mut Vm, what: &str, key: Value) -> PyErr {
    let t = type_name(key);
    vm.new_exc(
        Ty::TypeError,
        &format!("{what} indices must be integers or slices, not {t}"),
    )
}

pub fn setitem(vm: &mut Vm, c: Value, key: Value, value: Value) -> PyResult<()> {
    let Some(o) = c.as_obj() else {
        let t = type_name(c);
        return Err(vm.new_exc(
            Ty::TypeError,
            &format!("'{t}' object does not support item assignment"),
        ));
    };
    match &o.kind {
        // --- classes ---
        ObjKind::Instance(_) if crate::class::setitem(vm, c, key, value)? => Ok(()),
        ObjKind::List(l) => {
            if is_slice(key) {
                let items = assigned_items(vm, value)?;
                let len = l.borrow().len() as i64;
                let bounds = slice_indices(vm, key, len)?;
                return assign_list_slice(vm, c, bounds, items);
            }
            let Some(i) = index_of(vm, key)? else {
                return Err(seq_index_type(vm, "list", key));
            };
            let mut l = l.borrow_mut();
            match norm_index(i, l.len()) {
                Some(i) => {
                    vm.heap.list_store_barrier(o, i, value);
                    l[i] = value;
                    Ok(())
                }
                None => {
                    drop(l);
                    Err(vm.new_exc(Ty::IndexError, "list assignment index out of range"))
                }
            }
        }
        ObjKind::Dict(_) => dict_set(vm, c, key, value),
        _ => {
            let t = type_name(c);
            Err(vm.new_exc(
                Ty::TypeError,
                &format!("'{t}' object does not support item assignment"),
            ))
        }
    }
}

pub fn delitem(vm: &mut Vm, c: Value, key: Value) -> PyResult<()> {
    match c.as_obj().map(|o| &o.kind) {
        // --- classes ---
        Some(ObjKind::Instance(_)) if crate::class::delitem(vm, c, key)? => Ok(()),
        Some(ObjKind::List(l)) => {
            if is_slice(key) {
                let len = l.borrow().len() as i64;
                let (start, _, step, n) = slice_indices(vm, key, len)?;
                let mut idx: Vec<usize> = (0..n).map(|k| (start + k * step) as usize).collect();
                idx.sort_unstable();
                if let Some(&first) = idx.first() {
                    vm.heap.list_barrier(c.as_obj().expect("list"), first);
                }
                let mut l = l.borrow_mut();
                for i in idx.into_iter().rev() {
                    l.remove(i);
                }
                return Ok(());
            }
            let Some(i) = index_of(vm, key)? else {
                return Err(seq_index_type(vm, "list", key));
            };
            let len = l.borrow().len();
            match norm_index(i, len) {
                Some(i) => {
                    vm.heap.list_barrier(c.as_obj().expect("list"), i);
                    l.borrow_mut().remove(i);
                    Ok(())
                }
                None => Err(vm.new_exc(Ty::IndexError, "list assignment index out of range")),
            }
        }
        Some(ObjKind::Dict(_)) => match dict_del(vm, c, key)? {
            Some(_) => Ok(()),
            None => Err(key_error(vm, key)),
        },
        _ => {
            let t = type_name(c);
            Err(vm.new_exc(
                Ty::TypeError,
                &format!("'{t}' object doesn't support item deletion"),
            ))
        }
    }
}

pub fn contains(vm: &mut Vm, c: Value, item: Value) -> PyResult<bool> {
    match c.as_obj().map(|o| &o.kind) {
        // --- classes ---
        Some(ObjKind::Instance(_)) => match crate::class::contains(vm, c, item)? {
            Some(b) => Ok(b),
            None => {
                let t = type_name(c);
                Err(vm.new_exc(
                    Ty::TypeError,
                    &format!("argument of type '{t}' is not iterable"),
                ))
            }
        },
        Some(ObjKind::List(l)) if !crate::class::is_user_instance(item) => {
            Ok(l.borrow().iter().any(|v| eq_fast(*v, item)))
        }
        Some(ObjKind::Tuple(t)) if !crate::class::is_user_instance(item) => {
            Ok(t.iter().any(|v| eq_fast(*v, item)))
        }
        Some(ObjKind::Dict(_)) => Ok(dict_get(vm, c, item)?.is_some()),
        Some(ObjKind::Set(_)) => crate::set_ops::contains(vm, c, item), // langdata
        Some(ObjKind::DictView { dict, kind: 0 }) => Ok(dict_get(vm, *dict, item)?.is_some()),
        Some(ObjKind::Str(s)) => match item.as_str() {
            Some(sub) => Ok(s.s.contains(&*sub.s)),
            None => {
                let t = type_name(item);
                Err(vm.new_exc(
                    Ty::TypeError,
                    &format!("'in <string>' requires string as left operand, not {t}"),
                ))
            }
        },
        Some(ObjKind::Range { start, stop, step }) => Ok(match small_of(item) {
            Some(i) => {
                let (s, e, st) = (*start, *stop, *step);
                let inside = if st > 0 {
                    s <= i && i < e
                } else {
                    e < i && i <= s
                };
                inside && (i - s) % st == 0
            }
            None => false,
        }),
        _ if is_iterable(c) => {
            let items = collect(vm, c)?;
            Ok(position_eq(vm, &items, item)?.is_some())
        }
        _ => {
            let t = type_name(c);
            Err(vm.new_exc(
                Ty::TypeError,
                &format!("argument of type '{t}' is not iterable"),
            ))
        }
    }
}

// ----- iteration -----

pub fn is_iterable(v: Value) -> bool {
    matches!(
        v.as_obj().map(|o| &o.kind),
        Some(
            ObjKind::List(_)
                | ObjKind::Tuple(_)
                | ObjKind::Str(_)
                | ObjKind::Dict(_)
                | ObjKind::Set(_)
                | ObjKind::Range { .. }
                | ObjKind::DictView { .. }
                | ObjKind::SeqIter { .. }
                | ObjKind::RangeIter { .. }
                | ObjKind::DictIter { .. }
                | ObjKind::Enumerate { .. }
                | ObjKind::Zip { .. }
                | ObjKind::Reversed { .. }
                | ObjKind::Map { .. }
                | ObjKind::Generator(_)
                | ObjKind::Instance(_) // --- classes ---
                | ObjKind::SetIter { .. }
                | ObjKind::BuiltinIter(_) // --- gaps ---
        )
    )
}

pub fn iter(vm: &mut Vm, v: Value) -> PyResult<Value> {
    use std::cell::Cell;
    let Some(o) = v.as_obj() else {
        return Err(not_iterable(vm, v));
    };
    let kind = match &o.kind {
        ObjKind::List(_) | ObjKind::Tuple(_) | ObjKind::Str(_) => ObjKind::SeqIter {
            seq: v,
            index: Cell::new(0),
        },
        ObjKind::Range { start, stop, step } => ObjKind::RangeIter {
            next: Cell::new(*start),
            stop: *stop,
            step: *step,
        },
        // --- langdata ---
        ObjKind::Set(s) => ObjKind::SetIter {
            set: v,
            index: Cell::new(0),
            used: s.table.borrow().len(),
        },
        // --- gaps ---
        ObjKind::Dict(_) => crate::dict_iter::new(v, 0),
        ObjKind::DictView { dict, kind } => crate::dict_iter::new(*dict, *kind),
        ObjKind::SeqIter { .. }
        | ObjKind::RangeIter { .. }
        | ObjKind::DictIter { .. }
        | ObjKind::Enumerate { .. }
        | ObjKind::Zip { .. }
        | ObjKind::Reversed { .. }
        | ObjKind::Map { .. }
        | ObjKind::Generator(_)
        | ObjKind::SetIter { .. }
        | ObjKind::BuiltinIter(_) => return Ok(v), // --- gaps ---
        // --- classes ---
        ObjKind::Instance(_) => {
            return match crate::class::iter(vm, v)? {
                Some(it) => Ok(it),
                None => Err(not_iterable(vm, v)),
            }
        }
        _ => return Err(not_iterable(vm, v)),
    };
    Ok(vm.heap.alloc(kind))
}

fn not_iterable(vm: &mut Vm, v: Value) -> PyErr {
    let t = type_name(v);
    vm.new_exc(Ty::TypeError, &format!("'{t}' object is not iterable"))
}

/// `next(it)`; `None` when exhausted.
pub fn next(vm: &mut Vm, it: Value) -> PyResult<Option<Value>> {
    let Some(o) = it.as_obj() else {
        let t = type_name(it);
        return Err(vm.new_exc(Ty::TypeError, &format!("'{t}' object is not an iterator")));
    };
    match &o.kind {
        ObjKind::Instance(_) => crate::class::next(vm, it), // --- classes ---
        ObjKind::SeqIter { seq, index } => {
            let i = index.get();
            match &seq.as_obj().expect("sequence").kind {
                ObjKind::List(l) => {
                    let l = l.borrow();
                    if i < l.len() {
                        index.set(i + 1);
                        return Ok(Some(l[i]));
                    }
                    Ok(None)
                }
                ObjKind::Tuple(t) => {
                    if i < t.len() {
                        index.set(i + 1);
                        return Ok(Some(t[i]));
                    }
                    Ok(None)
                }
                ObjKind::Str(s) => {
                    // `index` is a byte offset.
                    match s.s[i..].chars().next() {
                        Some(ch) => {
                            index.set(i + ch.len_utf8());
                            let mut buf = [0u8; 4];
                            Ok(Some(vm.intern(ch.encode_utf8(&mut buf))))
                        }
                        None => Ok(None),
                    }
                }
                _ => Ok(None),
            }
        }
        ObjKind::RangeIter { next, stop, step } => {
            let i = next.get();
            if (*step > 0 && i < *stop) || (*step < 0 && i > *stop) {
                next.set(i.saturating_add(*step));
                Ok(Some(vm.int(i)))
            } else {
                Ok(None)
            }
        }
        // --- gaps ---
        ObjKind::DictIter {
            dict,
            index,
            kind,
            used,
            left,
        } => {
            let Some((k, v)) = crate::dict_iter::next_entry(vm, *dict, index, used, left)? else {
                return Ok(None);
            };
            Ok(Some(match kind {
                0 => k,
                1 => v,
                _ => vm.new_tuple(vec![k, v]),
            }))
        }
        ObjKind::Enumerate { iter, count } => match next(vm, *iter)? {
            Some(v) => {
                let n = count.get();
                count.set(n + 1);
                let n = vm.int(n);
                Ok(Some(vm.new_tuple(vec![n, v])))
            }
            None => Ok(None),
        },
        ObjKind::Zip { iters } => {
            let mut items = Vec::with_capacity(iters.len());
            for i in iters.iter() {
                match next(vm, *i)? {
                    Some(v) => items.push(v),
                    None => return Ok(None),
                }
            }
            if items.is_empty() {
                return Ok(None);
            }
            Ok(Some(vm.new_tuple(items)))
        }
        ObjKind::Reversed { seq, index } => {
            let i = index.get();
            if i == 0 {
                return Ok(None);
            }
            index.set(i - 1);
            let v = match &seq.as_obj().expect("sequence").kind {
                ObjKind::List(l) => l.borrow().get(i - 1).copied(),
                ObjKind::Tuple(t) => t.get(i - 1).copied(),
                _ => None,
            };
            match v {
                Some(v) => Ok(Some(v)),
                None => {
                    let k = vm.int(i as i64 - 1);
                    getitem(vm, *seq, k).map(Some)
                }
            }
        }
        ObjKind::Generator(_) => vm.resume_generator(it),
        ObjKind::SetIter { set, index, used } => crate::set_ops::iter_next(vm, *set, index, *used),
        ObjKind::Map { func, iter } => match next(vm, *iter)? {
            Some(v) => vm.call(*func, &[v]).map(Some),
            None => Ok(None),
        },
        ObjKind::BuiltinIter(b) => crate::builtin_iters::next(vm, it, b), // --- gaps ---
        _ => {
            let t = type_name(it);
            Err(vm.new_exc(Ty::TypeError, &format!("'{t}' object is not an iterator")))
        }
    }
}

// --- langdata ---
/// `collect` for callers that hold no unrooted values (their operands are on the VM stack):
/// a generator's items accumulate in its drain's sink (a root), so its frames may collect
/// garbage.
pub fn collect_gc_safe(vm: &mut Vm, v: Value) -> PyResult<Vec<Value>> {
    if crate::interp::gen_sink::is_generator(v) {
        // --- genloop --- drained in one run; the items are rooted by the sink
        return crate::interp::gen_sink::collect_generator(vm, v, true);
    }
    collect(vm, v)
}

/// All items of an iterable.
pub fn collect(vm: &mut Vm, v: Value) -> PyResult<Vec<Value>> {
    if let Some(t) = v.as_tuple() {
        return Ok(t.to_vec());
    }
    if let Some(l) = v.as_list() {
        return Ok(l.borrow().clone());
    }
    if crate::interp::gen_sink::is_generator(v) {
        return crate::interp::gen_sink::collect_generator(vm, v, false); // --- genloop ---
    }
    let it = iter(vm, v)?;
    let mut out = Vec::new();
    while let Some(x) = next(vm, it)? {
        out.push(x);
        // langdata: `list(huge_iterator)` under --max-heap.
        if crate::alloc::over_limit() {
            let args = vm.new_tuple(vec![]);
            return Err(PyErr(vm.exc_from_args(Ty::MemoryError, args)));
        }
    }
    Ok(out)
}

// ----- attributes -----

pub fn getattr(vm: &mut Vm, obj: Value, name: Value) -> PyResult<Value> {
    // --- classes ---
    if let Some(v) = crate::class::getattr(vm, obj, name)? {
        return Ok(v);
    }
    builtin_getattr(vm, obj, name)
}

// --- instdict ---
/// The attributes built-in types give (`object.__getattribute__` on a user exception falls
/// back here without going through a `__getattribute__` override again).
pub fn builtin_getattr(vm: &mut Vm, obj: Value, name: Value) -> PyResult<Value> {
    let n = str_of(name);
    match obj.as_obj().map(|o| &o.kind) {
        Some(ObjKind::Module { name: mname, dict }) => {
            if let Some(v) = dict_get_str(*dict, name) {
                return Ok(v);
            }
            let m = str_of(*mname).to_string();
            let msg = format!("module '{m}' has no attribute '{n}'");
            return Err(crate::suggestions::attribute_error(vm, obj, name, &msg));
            // --- bigint ---
        }
        Some(ObjKind::Exception(e)) if n == "args" => return Ok(e.args.get()),
        // --- exceptions ---
        Some(ObjKind::Exception(_)) => {
            if let Some(v) = crate::exceptions::getattr(vm, obj, n) {
                return Ok(v);
            }
        }
        // langdata: attributes set on the function first, then its built-in ones.
        Some(ObjKind::Function(f)) => {
            if let Some(v) = crate::func_attrs::load(vm, f, name) {
                return Ok(v);
            }
        }
        _ => {}
    }
    match obj.as_obj().map(|o| &o.kind) {
        Some(ObjKind::Function(f)) if n == "__name__" => return Ok(f.name.get()),
        Some(ObjKind::Function(f)) if n == "__qualname__" => return Ok(f.qualname.get()),
        // --- gaps --- `len.__name__`, `[].append.__qualname__` ('list.append')
        Some(ObjKind::Native(f)) if n == "__name__" || n == "__qualname__" => {
            let s = match f.owner {
                Some(t) if n == "__qualname__" => format!("{}.{}", t.name(), f.name),
                _ => f.name.to_string(),
            };
            return Ok(vm.intern(&s));
        }
        Some(ObjKind::Type(t)) if n == "__name__" => {
            let s = t.name();
            return Ok(vm.intern(s));
        }
        // --- gaps --- `ValueError.__mro__`, `__bases__`, `__qualname__`, `__module__`
        Some(ObjKind::Type(t)) => {
            if let Some(v) = crate::builtins_introspect::type_attr(vm, *t, n) {
                return Ok(v);
            }
        }
        _ => {}
    }
    if n == "__class__" {
        return Ok(vm.class_of(obj));
    }
    if let Some(m) = vm.methods.get(&(type_of(obj), n)).copied() {
        return Ok(vm.heap.alloc(ObjKind::Method { this: obj, func: m }));
    }
    let t = type_name(obj);
    let msg = format!("'{t}' object has no attribute '{n}'");
    Err(crate::suggestions::attribute_error(vm, obj, name, &msg)) // --- bigint ---
}

// ----- text -----

pub fn repr(vm: &mut Vm, v: Value) -> PyResult<String> {
    let mut out = String::new();
    repr_into(vm, v, &mut out)?;
    Ok(out)
}

fn repr_into(vm: &mut Vm, v: Value, out: &mut String) -> PyResult<()> {
    // langdata: nested containers recurse on the host stack.
    if v.is_obj() && vm.check_stack().is_err() {
        return Err(vm.new_exc(
            Ty::RecursionError,
            "maximum recursion depth exceeded while getting the repr of an object",
        ));
    }
    if v.is_float() {
        out.push_str(&format::float_repr(v.as_float()));
        return Ok(());
    }
    if v.is_small_int() {
        out.push_str(&format::i64_to_string(v.as_small_int())); // --- strings ---
        return Ok(());
    }
    if v.is_bool() {
        out.push_str(if v.as_bool() { "True" } else { "False" });
        return Ok(());
    }
    if v.is_none() {
        out.push_str("None");
        return Ok(());
    }
    let Some(o) = v.as_obj() else {
        out.push_str("<NULL>");
        return Ok(());
    };
    let ptr = o as *const crate::object::Obj;
    let recursive = matches!(
        o.kind,
        ObjKind::List(_) | ObjKind::Dict(_) | ObjKind::Tuple(_) | ObjKind::Set(_)
    );
    if recursive {
        if vm.repr_guard.contains(&ptr) {
            out.push_str(match o.kind {
                ObjKind::List(_) => "[...]",
                ObjKind::Dict(_) => "{...}",
                _ => "(...)",
            });
            return Ok(());
        }
        if vm.repr_guard.len() > 200 {
            return Err(vm.new_exc(
                Ty::RecursionError,
                "maximum recursion depth exceeded while getting the repr of an object",
            ));
        }
        vm.repr_guard.push(ptr);
    }
    let r = repr_obj(vm, v, o, out);
    if recursive {
        vm.repr_guard.pop();
    }
    r
}

fn repr_items(vm: &mut Vm, items: &[Value], out: &mut String) -> PyResult<()> {
    for (i, it) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        repr_into(vm, *it, out)?;
    }
    Ok(())
}

fn repr_obj(vm: &mut Vm, v: Value, o: &crate::object::Obj, out: &mut String) -> PyResult<()> {
    match &o.kind {
        ObjKind::Str(s) => out.push_str(&crate::text::repr_str(&s.s)),
        ObjKind::BigInt(b) => out.push_str(&format::int_to_decimal(b).map_err(|e| exc(vm, e))?),
        ObjKind::List(l) => {
            let items = l.borrow().clone();
            out.push('[');
            repr_items(vm, &items, out)?;
            out.push(']');
        }
        ObjKind::Tuple(t) => {
            out.push('(');
            repr_items(vm, t, out)?;
            if t.len() == 1 {
                out.push(',');
            }
            out.push(')');
        }
        ObjKind::Dict(d) => {
            let entries: Vec<(Value, Value)> =
                d.borrow().iter().map(|e| (e.key, e.value)).collect();
            out.push('{');
            for (i, (k, val)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                repr_into(vm, k, out)?;
                out.push_str(": ");
                repr_into(vm, val, out)?;
            }
            out.push('}');
        }
        ObjKind::Set(s) => crate::set_ops::repr_into(vm, s, out, repr_into)?, // langdata
        ObjKind::DictView { dict, kind } => {
            let name = ["dict_keys", "dict_values", "dict_items"][*kind as usize];
            let items = collect(vm, v)?;
            let _ = dict;
            out.push_str(name);
            out.push_str("([");
            repr_items(vm, &items, out)?;
            out.push_str("])");
        }
        ObjKind::Range { start, stop, step } => {
            if *step == 1 {
                out.push_str(&format!("range({start}, {stop})"));
            } else {
                out.push_str(&format!("range({start}, {stop}, {step})"));
            }
        }
        ObjKind::Slice { start, stop, step } => {
            out.push_str("slice(");
            repr_items(vm, &[*start, *stop, *step], out)?;
            out.push(')');
        }
        ObjKind::Function(f) => out.push_str(&format!(
            "<function {} at {:#x}>",
            str_of(f.qualname.get()),
            v.obj_ptr() as usize
        )),
        ObjKind::Native(n) => match n.owner {
            None => out.push_str(&format!("<built-in function {}>", n.name)),
            Some(t) => out.push_str(&format!("<method '{}' of '{}' objects>", n.name, t.name())),
        },
        // --- classes --- a Python function bound to an object (or a class, for classmethods)
        ObjKind::Method { this, func } if func.as_function().is_some() => {
            let q = str_of(func.as_function().expect("checked").qualname.get()).to_string();
            out.push_str(&format!("<bound method {q} of "));
            repr_into(vm, *this, out)?;
            out.push('>');
        }
        ObjKind::Method { this, func } => {
            let name = match func.as_obj().map(|o| &o.kind) {
                Some(ObjKind::Native(n)) => n.name.to_string(),
                Some(ObjKind::Function(f)) => str_of(f.qualname.get()).to_string(),
                _ => "?".into(),
            };
            out.push_str(&format!(
                "<built-in method {name} of {} object at {:#x}>",
                type_name(*this),
                this.obj_ptr() as usize
            ));
        }
        ObjKind::Type(t) => out.push_str(&format!("<class '{}'>", t.name())),
        ObjKind::Module { name, .. } => {
            out.push_str(&format!("<module '{}' (built-in)>", str_of(*name)))
        }
        // --- classes ---
        ObjKind::Instance(_) => out.push_str(&crate::class::repr(vm, v)?),
        ObjKind::Exception(e) if !e.instance.is_null() => out.push_str(&crate::class::repr(vm, v)?),
        ObjKind::Class(c) => out.push_str(&format!(
            "<class '{}.{}'>",
            str_of(c.module),
            str_of(c.qualname)
        )),
        ObjKind::NotImplemented => out.push_str("NotImplemented"),
        ObjKind::Ellipsis => out.push_str("Ellipsis"),
        ObjKind::Exception(e) => {
            out.push_str(e.ty.name());
            let args = e.args.get().as_tuple().unwrap_or(&[]).to_vec();
            out.push('(');
            repr_items(vm, &args, out)?;
            out.push(')');
        }
        ObjKind::Code(c) => out.push_str(&format!(
            "<code object {} at {:#x}>",
            c.src.name,
            v.obj_ptr() as usize
        )),
        _ => out.push_str(&format!(
            "<{} object at {:#x}>",
            type_name(v),
            v.obj_ptr() as usize
        )),
    }
    Ok(())
}

/// `str(v)` as text.
pub fn to_str(vm: &mut Vm, v: Value) -> PyResult<String> {
    if let Some(s) = v.as_str() {
        return Ok(s.s.to_string());
    }
    // --- classes ---
    if crate::class::is_user_instance(v) {
        if let Some(s) = crate::class::to_str(vm, v)? {
            return Ok(s);
        }
    }
    if let Some(e) = v.as_exc() {
        let args = e.args.get().as_tuple().unwrap_or(&[]).to_vec();
        return match args.len() {
            0 => Ok(String::new()),
            1 => {
                if e.ty == Ty::KeyError {
                    repr(vm, args[0])
                } else {
                    to_str(vm, args[0])
                }
            }
            _ => repr(vm, e.args.get()),
        };
    }
    repr(vm, v)
}

/// `str(v)` as a value (no copy for strings).
pub fn to_str_value(vm: &mut Vm, v: Value) -> PyResult<Value> {
    if v.as_str().is_some() {
        return Ok(v);
    }
    if v.is_small_int() {
        // --- strings --- one exact-size allocation, no `core::fmt`.
        return Ok(vm.new_string(format::i64_to_string(v.as_small_int())));
    }
    let s = to_str(vm, v)?;
    Ok(vm.new_string(s))
}

/// `format(v, spec)`.
pub fn format(vm: &mut Vm, v: Value, spec: &str) -> PyResult<String> {
    let r = if v.is_bool() {
        format::format_bool(v.as_bool(), spec)
    } else if v.is_small_int() {
        format::format_i64(v.as_small_int(), spec)
    } else if v.is_float() {
        format::format_float(v.as_float(), spec)
    } else if let Some(b) = v.as_bigint() {
        format::format_bigint(b, spec)
    } else if let Some(s) = v.as_str() {
        format::format_str(&s.s, spec)
    } else if spec.is_empty() && !crate::class::is_user_instance(v) {
        return to_str(vm, v);
    } else if let Some(s) = crate::class::format(vm, v, spec)? {
        return Ok(s); // --- classes ---
    } else {
        let t = type_name(v);
        return Err(vm.new_exc(
            Ty::TypeError,
            &format!("unsupported format string passed to {t}.__format__"),
        ));
    };
    r.map_err(|e| exc(vm, e))
}

/// One `%`-format argument, with everything `format::percent` may ask precomputed (the trait
/// cannot reach the VM).
struct PercentArg {
    type_name: &'static str,
    str: PyResult<String>,
    repr: PyResult<String>,
    int: Option<format::IntVal>,
    trunc: Option<format::IntVal>,
    float: Option<f64>,
    is_str: bool,
}

impl PercentArg {
    fn new(vm: &mut Vm, v: Value) -> PercentArg {
        let int = small_of(v)
            .map(format::IntVal::Small)
            .or_else(|| v.as_bigint().map(|b| format::IntVal::Big(b.clone())));
        let trunc = if v.is_float() {
            format::float_to_bigint(v.as_float())
                .ok()
                .map(format::IntVal::Big)
        } else {
            int.clone()
        };
        PercentArg {
            type_name: type_name(v),
            str: to_str(vm, v),
            repr: repr(vm, v),
            float: if v.is_float() {
                Some(v.as_float())
            } else {
                num_f64(v)
            },
            int,
            trunc,
            is_str: v.as_str().is_some(),
        }
    }
}

impl format::FormatArg for PercentArg {
    type Error = PyExc;
    fn type_name(&self) -> String {
        self.type_name.to_string()
    }
    fn text(&self, conv: format::TextConv) -> format::PyResult<String> {
        let r = match conv {
            format::TextConv::Str => &self.str,
            _ => &self.repr,
        };
        let s = r.clone().map_err(|_| PyExc::value("error in __str__"))?;
        Ok(if conv == format::TextConv::Ascii {
            crate::text::ascii_escape(&s) // langdata: `s` is already the repr
        } else {
            s
        })
    }
    fn exact_int(&self) -> Option<format::IntVal> {
        self.int.clone()
    }
    fn to_int(&self, index: bool) -> format::PyResult<Option<format::IntVal>> {
        Ok(if index {
            self.int.clone()
        } else {
            self.trunc.clone()
        })
    }
    fn to_float(&self) -> format::PyResult<Option<f64>> {
        Ok(self.float)
    }
    fn as_str(&self) -> Option<String> {
        if self.is_str {
            self.str.clone().ok()
        } else {
            None
        }
    }
}

/// `fmt % args` for str.
fn percent(vm: &mut Vm, fmt: &str, args: Value) -> PyResult<String> {
    let r = if let Some(t) = args.as_tuple() {
        let items: Vec<PercentArg> = t.iter().copied().map(|v| PercentArg::new(vm, v)).collect();
        format::percent_format(fmt, format::PercentArgs::Tuple(&items))
    } else if args.as_dict().is_some() {
        let arg = PercentArg::new(vm, args);
        let entries: Vec<(Value, Value)> = args
            .as_dict()
            .map(|d| d.borrow().iter().map(|e| (e.key, e.value)).collect())
            .unwrap_or_default();
        let mut by_key: std::collections::HashMap<String, PercentArg> =
            std::collections::HashMap::new();
        for (k, v) in entries {
            if let Some(ks) = k.as_str() {
                let a = PercentArg::new(vm, v);
                by_key.insert(ks.s.to_string(), a);
            }
        }
        let lookup = |k: &str| -> format::PyResult<PercentArg> {
            match by_key.get(k) {
                Some(a) => Ok(PercentArg {
                    type_name: a.type_name,
                    str: a.str.clone(),
                    repr: a.repr.clone(),
                    int: a.int.clone(),
                    trunc: a.trunc.clone(),
                    float: a.float,
                    is_str: a.is_str,
                }),
                None => Err(PyExc::new(ExcKind::KeyError, k.to_string())), // langdata
            }
        };
        format::percent_format(
            fmt,
            format::PercentArgs::Single {
                arg: &arg,
                mapping: Some(&lookup),
            },
        )
    } else {
        let arg = PercentArg::new(vm, args);
        format::percent_format(
            fmt,
            format::PercentArgs::Single {
                arg: &arg,
                mapping: None,
            },
        )
    };
    r.map_err(|e| exc(vm, e))
}
