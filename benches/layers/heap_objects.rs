//! Layer 2c: CPython-style heap objects. Every number is its own allocation holding a
//! reference count, a type pointer and the payload (like `PyFloatObject`: `ob_refcnt`,
//! `ob_type`, `ob_fval`); every arithmetic result allocates, every copy increfs, every drop
//! decrefs and frees at zero. Operators dispatch through the type's slot table as CPython's
//! `binary_op1` does: the left operand's slot first, and if it returns NotImplemented (`None`)
//! the right operand's (so `int + float` lands in the float slot). Type checks compare type
//! pointers. `True`/`False` are per-thread singletons, as `Py_True`/`Py_False` are per process.
//! One simplification: no small-int cache (CPython shares -5..=256).

use std::cell::Cell;
use std::ptr::NonNull;

use super::dynamic::{list_index, unsupported, Dynamic};

/// A binary slot: a new object, or `None` for NotImplemented.
type BinaryFunc = fn(&Obj, &Obj) -> Option<Obj>;

#[derive(Clone, Copy)]
enum Cmp {
    Lt,
    Le,
}

/// The slots the kernels use (`tp_as_number`, `tp_richcompare`).
pub struct PyType {
    pub name: &'static str,
    nb_add: BinaryFunc,
    nb_subtract: BinaryFunc,
    nb_multiply: BinaryFunc,
    nb_true_divide: BinaryFunc,
    nb_power: BinaryFunc,
    richcompare: fn(&Obj, &Obj, Cmp) -> Option<bool>,
    nb_bool: fn(&Obj) -> bool,
}

/// An object's memory: header then payload (an i64 for int and bool, an f64's bits for float).
struct ObjHead {
    refcnt: Cell<usize>,
    ty: &'static PyType,
    payload: u64,
}

/// An owned reference (a `PyObject *` whose reference the holder owns).
pub struct Obj(NonNull<ObjHead>);

impl Obj {
    #[inline(always)]
    fn new(ty: &'static PyType, payload: u64) -> Obj {
        let head = Box::new(ObjHead {
            refcnt: Cell::new(1),
            ty,
            payload,
        });
        Obj(NonNull::from(Box::leak(head)))
    }

    #[inline(always)]
    fn head(&self) -> &ObjHead {
        // SAFETY: an `Obj` owns a reference, so the allocation lives at least as long as it.
        unsafe { self.0.as_ref() }
    }

    #[inline(always)]
    fn ty(&self) -> &'static PyType {
        self.head().ty
    }

    #[inline(always)]
    fn is(&self, ty: &'static PyType) -> bool {
        std::ptr::eq(self.ty(), ty)
    }

    #[inline(always)]
    fn int_val(&self) -> i64 {
        self.head().payload as i64
    }

    #[inline(always)]
    fn float_val(&self) -> f64 {
        f64::from_bits(self.head().payload)
    }

    #[inline(always)]
    fn new_int(i: i64) -> Obj {
        Obj::new(&INT_TYPE, i as u64)
    }

    #[inline(always)]
    fn new_float(f: f64) -> Obj {
        Obj::new(&FLOAT_TYPE, f.to_bits())
    }

    /// `PyFloat_AsDouble` for the operands a float slot accepts.
    #[inline(always)]
    fn as_double(&self) -> Option<f64> {
        if self.is(&FLOAT_TYPE) {
            Some(self.float_val())
        } else if self.is(&INT_TYPE) {
            Some(self.int_val() as f64)
        } else {
            None
        }
    }
}

impl Clone for Obj {
    #[inline(always)]
    fn clone(&self) -> Obj {
        let rc = &self.head().refcnt;
        rc.set(rc.get() + 1);
        Obj(self.0)
    }
}

impl Drop for Obj {
    #[inline(always)]
    fn drop(&mut self) {
        let rc = &self.head().refcnt;
        let n = rc.get() - 1;
        if n == 0 {
            // SAFETY: this was the last reference; the allocation came from `Box` in `Obj::new`.
            drop(unsafe { Box::from_raw(self.0.as_ptr()) });
        } else {
            rc.set(n);
        }
    }
}

// ----- int -----

#[inline(always)]
fn int_binary(a: &Obj, b: &Obj, op: fn(i64, i64) -> Option<i64>) -> Option<Obj> {
    if !(a.is(&INT_TYPE) && b.is(&INT_TYPE)) {
        return None;
    }
    match op(a.int_val(), b.int_val()) {
        Some(r) => Some(Obj::new_int(r)),
        None => unsupported("int beyond i64 (a big int)"),
    }
}

fn int_add(a: &Obj, b: &Obj) -> Option<Obj> {
    int_binary(a, b, i64::checked_add)
}
fn int_sub(a: &Obj, b: &Obj) -> Option<Obj> {
    int_binary(a, b, i64::checked_sub)
}
fn int_mul(a: &Obj, b: &Obj) -> Option<Obj> {
    int_binary(a, b, i64::checked_mul)
}
fn int_true_divide(a: &Obj, b: &Obj) -> Option<Obj> {
    if !(a.is(&INT_TYPE) && b.is(&INT_TYPE)) {
        return None;
    }
    if b.int_val() == 0 {
        unsupported("ZeroDivisionError");
    }
    Some(Obj::new_float(a.int_val() as f64 / b.int_val() as f64))
}
fn not_implemented(_: &Obj, _: &Obj) -> Option<Obj> {
    None
}
fn int_richcompare(a: &Obj, b: &Obj, op: Cmp) -> Option<bool> {
    if !(a.is(&INT_TYPE) && b.is(&INT_TYPE)) {
        return float_richcompare(a, b, op);
    }
    let (x, y) = (a.int_val(), b.int_val());
    Some(match op {
        Cmp::Lt => x < y,
        Cmp::Le => x <= y,
    })
}
fn int_bool(a: &Obj) -> bool {
    a.int_val() != 0
}

static INT_TYPE: PyType = PyType {
    name: "int",
    nb_add: int_add,
    nb_subtract: int_sub,
    nb_multiply: int_mul,
    nb_true_divide: int_true_divide,
    nb_power: not_implemented,
    richcompare: int_richcompare,
    nb_bool: int_bool,
};

// ----- float -----

#[inline(always)]
fn float_binary(a: &Obj, b: &Obj, op: fn(f64, f64) -> f64) -> Option<Obj> {
    let (x, y) = (a.as_double()?, b.as_double()?);
    Some(Obj::new_float(op(x, y)))
}

fn float_add(a: &Obj, b: &Obj) -> Option<Obj> {
    float_binary(a, b, |x, y| x + y)
}
fn float_sub(a: &Obj, b: &Obj) -> Option<Obj> {
    float_binary(a, b, |x, y| x - y)
}
fn float_mul(a: &Obj, b: &Obj) -> Option<Obj> {
    float_binary(a, b, |x, y| x * y)
}
fn float_true_divide(a: &Obj, b: &Obj) -> Option<Obj> {
    let (x, y) = (a.as_double()?, b.as_double()?);
    if y == 0.0 {
        unsupported("ZeroDivisionError");
    }
    Some(Obj::new_float(x / y))
}
fn float_pow(a: &Obj, b: &Obj) -> Option<Obj> {
    float_binary(a, b, f64::powf)
}
fn float_richcompare(a: &Obj, b: &Obj, op: Cmp) -> Option<bool> {
    let (x, y) = (a.as_double()?, b.as_double()?);
    Some(match op {
        Cmp::Lt => x < y,
        Cmp::Le => x <= y,
    })
}
fn float_bool(a: &Obj) -> bool {
    a.float_val() != 0.0
}

static FLOAT_TYPE: PyType = PyType {
    name: "float",
    nb_add: float_add,
    nb_subtract: float_sub,
    nb_multiply: float_mul,
    nb_true_divide: float_true_divide,
    nb_power: float_pow,
    richcompare: float_richcompare,
    nb_bool: float_bool,
};

// ----- bool -----

fn no_compare(_: &Obj, _: &Obj, _: Cmp) -> Option<bool> {
    None
}

static BOOL_TYPE: PyType = PyType {
    name: "bool",
    nb_add: not_implemented,
    nb_subtract: not_implemented,
    nb_multiply: not_implemented,
    nb_true_divide: not_implemented,
    nb_power: not_implemented,
    richcompare: no_compare,
    nb_bool: int_bool,
};

thread_local! {
    static TRUE: Obj = Obj::new(&BOOL_TYPE, 1);
    static FALSE: Obj = Obj::new(&BOOL_TYPE, 0);
}

// ----- the abstract protocol (Objects/abstract.c) -----

/// `binary_op1`: the left type's slot, then the right type's if the left declined.
#[inline(always)]
fn binary_op(a: &Obj, b: &Obj, slot: fn(&PyType) -> BinaryFunc) -> Obj {
    if let Some(r) = slot(a.ty())(a, b) {
        return r;
    }
    if !std::ptr::eq(a.ty(), b.ty()) {
        if let Some(r) = slot(b.ty())(a, b) {
            return r;
        }
    }
    unsupported("TypeError: unsupported operand types")
}

#[inline(always)]
fn compare(a: &Obj, b: &Obj, op: Cmp) -> bool {
    match (a.ty().richcompare)(a, b, op) {
        Some(r) => r,
        None => unsupported("TypeError: '<' not supported"),
    }
}

impl Dynamic for Obj {
    #[inline(always)]
    fn int(i: i64) -> Self {
        Obj::new_int(i)
    }
    #[inline(always)]
    fn float(f: f64) -> Self {
        Obj::new_float(f)
    }
    #[inline(always)]
    fn bool(b: bool) -> Self {
        if b {
            TRUE.with(Obj::clone)
        } else {
            FALSE.with(Obj::clone)
        }
    }
    #[inline(always)]
    fn add(&self, o: &Self) -> Self {
        binary_op(self, o, |t| t.nb_add)
    }
    #[inline(always)]
    fn sub(&self, o: &Self) -> Self {
        binary_op(self, o, |t| t.nb_subtract)
    }
    #[inline(always)]
    fn mul(&self, o: &Self) -> Self {
        binary_op(self, o, |t| t.nb_multiply)
    }
    #[inline(always)]
    fn truediv(&self, o: &Self) -> Self {
        binary_op(self, o, |t| t.nb_true_divide)
    }
    #[inline(always)]
    fn pow(&self, o: &Self) -> Self {
        binary_op(self, o, |t| t.nb_power)
    }
    #[inline(always)]
    fn lt(&self, o: &Self) -> bool {
        compare(self, o, Cmp::Lt)
    }
    #[inline(always)]
    fn le(&self, o: &Self) -> bool {
        compare(self, o, Cmp::Le)
    }
    #[inline(always)]
    fn truthy(&self) -> bool {
        (self.ty().nb_bool)(self)
    }
    #[inline(always)]
    fn index(&self, len: usize) -> usize {
        if !self.is(&INT_TYPE) {
            unsupported("list index is not an int");
        }
        list_index(self.int_val(), len)
    }
    fn to_i64(&self) -> i64 {
        if !self.is(&INT_TYPE) {
            unsupported("checksum is not an int");
        }
        self.int_val()
    }
    fn to_f64(&self) -> f64 {
        self.as_double()
            .unwrap_or_else(|| unsupported("checksum is not a number"))
    }
}
