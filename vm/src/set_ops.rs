//! `set` and `frozenset` as Python sees them: construction, membership, the operators
//! (`| & - ^`, in-place forms, `< <= > >=`, `==`), hashing of frozensets, repr, and the methods,
//! each following CPython 3.11's `setobject.c` so results come out in CPython's order.
//! The table itself is `set::SetTable`.

use std::cell::{Cell, RefCell};

use nanopy_compiler::bytecode::{BinaryOp, CompareOp};

use crate::interp::Vm;
use crate::object::{NativeFn, ObjKind, Ty};
use crate::ops::{self, eq_fast};
use crate::set::SetTable;
use crate::value::Value;
use crate::PyResult;

/// The payload of a set or frozenset object.
pub struct SetObj {
    pub table: RefCell<SetTable>,
    pub frozen: bool,
    /// A frozenset's hash once computed.
    pub hash: Cell<Option<u64>>,
}

impl SetObj {
    pub fn new(table: SetTable, frozen: bool) -> SetObj {
        SetObj {
            table: RefCell::new(table),
            frozen,
            hash: Cell::new(None),
        }
    }

    /// CPython's `frozenset_hash` (cached).
    pub fn frozen_hash(&self) -> u64 {
        if let Some(h) = self.hash.get() {
            return h;
        }
        let h = self.table.borrow().frozen_hash();
        self.hash.set(Some(h));
        h
    }
}

pub fn set_of<'a>(v: Value) -> Option<&'a SetObj> {
    match &v.as_obj()?.kind {
        ObjKind::Set(s) => Some(s),
        _ => None,
    }
}

fn alloc(vm: &mut Vm, table: SetTable, frozen: bool) -> Value {
    let s = Box::new(SetObj::new(table, frozen));
    vm.heap.alloc(ObjKind::Set(s))
}

pub fn new_set(vm: &mut Vm, frozen: bool) -> Value {
    alloc(vm, SetTable::new(), frozen)
}

/// The hash of a set element, with CPython's message for unhashable ones.
fn elem_hash(vm: &mut Vm, v: Value) -> PyResult<u64> {
    ops::hash(vm, v)
}

/// The element of `so` equal to `v` by a user-defined `__eq__`, or `v` itself: the tables
/// compare with `eq_fast` (identity and built-in equality), which cannot call Python.
fn canonical(vm: &mut Vm, so: &SetObj, h: u64, v: Value) -> PyResult<Value> {
    // --- features --- only instances can have a user `__eq__`
    if !crate::class::is_user_instance(v) || !crate::class::has_user_eq(vm, v) {
        return Ok(v);
    }
    let mut candidates = Vec::new();
    so.table.borrow().contains(h, |k| {
        candidates.push(k);
        false
    });
    for c in candidates {
        if c == v || crate::class::compare(vm, CompareOp::Eq, v, c)? {
            return Ok(c);
        }
    }
    Ok(v)
}

/// `s.add(v)` on the table of `s`.
pub fn add(vm: &mut Vm, s: Value, v: Value) -> PyResult<()> {
    let h = elem_hash(vm, v)?;
    if let Some(so) = set_of(s) {
        let v = canonical(vm, so, h, v)?;
        vm.heap.store_barrier(s, v);
        so.table.borrow_mut().add(h, v, |k| eq_fast(k, v));
    }
    Ok(())
}

/// `set_update_internal`: merge a set, add a dict's keys with their stored hashes, else
/// iterate.
pub fn update(vm: &mut Vm, s: Value, other: Value) -> PyResult<()> {
    let Some(so) = set_of(s) else { return Ok(()) };
    vm.heap.barrier(s);
    if let Some(o) = set_of(other) {
        if s == other {
            return Ok(());
        }
        let ot = o.table.borrow();
        so.table.borrow_mut().merge(&ot, eq_fast);
        return Ok(());
    }
    if let Some(d) = other.as_dict() {
        let d = d.borrow();
        let mut t = so.table.borrow_mut();
        t.reserve_for(d.len());
        for e in d.iter() {
            let k = e.key;
            t.add(e.hash, k, |x| eq_fast(x, k));
        }
        return Ok(());
    }
    let it = ops::iter(vm, other)?;
    vm.native_roots.push(it);
    let r = (|| {
        while let Some(v) = ops::next(vm, it)? {
            add(vm, s, v)?;
        }
        Ok(())
    })();
    vm.native_roots.pop();
    r
}

/// A new set (or frozenset) holding the elements of `iterable` (`make_new_set`).
pub fn from_iterable(vm: &mut Vm, iterable: Value, frozen: bool) -> PyResult<Value> {
    let s = new_set(vm, frozen);
    vm.native_roots.push(s);
    // --- genloop --- `set(genexpr)`: drained without suspending it per item
    let r = if crate::interp::gen_sink::is_generator(iterable) {
        crate::interp::gen_sink::set_from_generator(vm, s, iterable)
    } else {
        update(vm, s, iterable)
    };
    vm.native_roots.pop();
    r.map(|_| s)
}

/// A copy with the same kind (`set_copy`), or of the given kind.
fn copy_as(vm: &mut Vm, s: Value, frozen: bool) -> Value {
    let n = new_set(vm, frozen);
    let (a, b) = (set_of(n).expect("set"), set_of(s).expect("set"));
    a.table.borrow_mut().merge(&b.table.borrow(), eq_fast);
    n
}

fn contains_entry(s: &SetObj, h: u64, v: Value) -> bool {
    s.table.borrow().contains(h, |k| eq_fast(k, v))
}

/// `v in s`; an unhashable set is looked up as a frozenset (CPython's `set_contains`).
pub fn contains(vm: &mut Vm, s: Value, v: Value) -> PyResult<bool> {
    let so = set_of(s).expect("set");
    let h = match elem_hash(vm, v) {
        Ok(h) => h,
        Err(e) => match set_of(v) {
            Some(inner) => inner.table.borrow().frozen_hash(),
            None => return Err(e),
        },
    };
    let v = canonical(vm, so, h, v)?;
    Ok(contains_entry(so, h, v))
}

/// `set == set` (either kind): same size and every element of one in the other.
pub fn equal(a: &SetObj, b: &SetObj) -> bool {
    let (x, y) = (a.table.borrow(), b.table.borrow());
    if x.len() != y.len() {
        return false;
    }
    if let (Some(p), Some(q)) = (a.hash.get(), b.hash.get()) {
        if p != q {
            return false;
        }
    }
    let all = x.iter().all(|e| {
        let k = e.key;
        y.contains(e.hash, |z| eq_fast(z, k))
    });
    all
}

fn is_subset(a: &SetObj, b: &SetObj) -> bool {
    let (x, y) = (a.table.borrow(), b.table.borrow());
    if x.len() > y.len() {
        return false;
    }
    let all = x.iter().all(|e| {
        let k = e.key;
        y.contains(e.hash, |z| eq_fast(z, k))
    });
    all
}

/// `<`, `<=`, `>`, `>=` between sets; `None` when an operand is not a set.
pub fn compare(op: CompareOp, a: Value, b: Value) -> Option<bool> {
    let (x, y) = (set_of(a)?, set_of(b)?);
    let (lx, ly) = (x.table.borrow().len(), y.table.borrow().len());
    Some(match op {
        CompareOp::Le => is_subset(x, y),
        CompareOp::Ge => is_subset(y, x),
        CompareOp::Lt => lx < ly && is_subset(x, y),
        CompareOp::Gt => lx > ly && is_subset(y, x),
        CompareOp::Eq => equal(x, y),
        CompareOp::Ne => !equal(x, y),
    })
}

/// `set_intersection`: iterate the smaller set, result of the left operand's kind.
fn intersection(vm: &mut Vm, s: Value, other: Value) -> PyResult<Value> {
    let frozen = set_of(s).expect("set").frozen;
    if s == other {
        return Ok(copy_as(vm, s, frozen));
    }
    let result = new_set(vm, frozen);
    let rt = set_of(result).expect("set");
    if let Some(o) = set_of(other) {
        let so = set_of(s).expect("set");
        let (big, small) = if o.table.borrow().len() > so.table.borrow().len() {
            (o, so)
        } else {
            (so, o)
        };
        let st = small.table.borrow();
        let bt = big.table.borrow();
        let mut r = rt.table.borrow_mut();
        for e in st.iter() {
            let k = e.key;
            if bt.contains(e.hash, |z| eq_fast(z, k)) {
                r.add(e.hash, k, |z| eq_fast(z, k));
            }
        }
        return Ok(result);
    }
    vm.native_roots.push(result);
    let r = (|| {
        let so = set_of(s).expect("set");
        let it = ops::iter(vm, other)?;
        while let Some(k) = ops::next(vm, it)? {
            let h = elem_hash(vm, k)?;
            if contains_entry(so, h, k) {
                vm.heap.barrier(result);
                rt.table.borrow_mut().add(h, k, |z| eq_fast(z, k));
                if rt.table.borrow().len() >= so.table.borrow().len() {
                    break;
                }
            }
        }
        Ok(result)
    })();
    vm.native_roots.pop();
    r
}

/// `set_difference_update_internal`.
fn difference_update(vm: &mut Vm, s: Value, other: Value) -> PyResult<()> {
    let so = set_of(s).expect("set");
    if s == other {
        so.table.borrow_mut().clear();
        return Ok(());
    }
    if let Some(o) = set_of(other) {
        let other = if o.table.borrow().len() >> 3 > so.table.borrow().len() {
            intersection(vm, s, other)?
        } else {
            other
        };
        let o = set_of(other).expect("set");
        let keys: Vec<(u64, Value)> = o.table.borrow().iter().map(|e| (e.hash, e.key)).collect();
        let mut t = so.table.borrow_mut();
        for (h, k) in keys {
            t.discard(h, |z| eq_fast(z, k));
        }
    } else {
        let it = ops::iter(vm, other)?;
        vm.native_roots.push(it);
        let r = (|| {
            while let Some(k) = ops::next(vm, it)? {
                let h = elem_hash(vm, k)?;
                so.table.borrow_mut().discard(h, |z| eq_fast(z, k));
            }
            Ok(())
        })();
        vm.native_roots.pop();
        r?;
    }
    so.table.borrow_mut().shrink_dummies();
    Ok(())
}

/// `set_difference`.
fn difference(vm: &mut Vm, s: Value, other: Value) -> PyResult<Value> {
    let so = set_of(s).expect("set");
    let other_size = match (set_of(other), other.as_dict()) {
        (Some(o), _) => Some(o.table.borrow().len()),
        (None, Some(d)) => Some(d.borrow().len()),
        _ => None,
    };
    let copy_and_difference = |vm: &mut Vm| -> PyResult<Value> {
        let r = copy_as(vm, s, so.frozen);
        vm.native_roots.push(r);
        let res = difference_update(vm, r, other);
        vm.native_roots.pop();
        res.map(|_| r)
    };
    let Some(other_size) = other_size else {
        return copy_and_difference(vm);
    };
    if so.table.borrow().len() >> 2 > other_size {
        return copy_and_difference(vm);
    }
    let result = new_set(vm, so.frozen);
    let rt = set_of(result).expect("set");
    let st = so.table.borrow();
    let mut r = rt.table.borrow_mut();
    for e in st.iter() {
        let k = e.key;
        let present = match set_of(other) {
            Some(o) => o.table.borrow().contains(e.hash, |z| eq_fast(z, k)),
            None => other
                .as_dict()
                .is_some_and(|d| d.borrow().get(e.hash, |z| eq_fast(z, k)).is_some()),
        };
        if !present {
            r.add(e.hash, k, |z| eq_fast(z, k));
        }
    }
    Ok(result)
}

/// `set_symmetric_difference_update`.
fn symmetric_difference_update(vm: &mut Vm, s: Value, other: Value) -> PyResult<()> {
    let so = set_of(s).expect("set");
    if s == other {
        so.table.borrow_mut().clear();
        return Ok(());
    }
    let other = if set_of(other).is_some() {
        other
    } else {
        from_iterable(vm, other, so.frozen)?
    };
    let keys: Vec<(u64, Value)> = set_of(other)
        .expect("set")
        .table
        .borrow()
        .iter()
        .map(|e| (e.hash, e.key))
        .collect();
    vm.heap.barrier(s);
    let mut t = so.table.borrow_mut();
    for (h, k) in keys {
        if t.discard(h, |z| eq_fast(z, k)).is_none() {
            t.add(h, k, |z| eq_fast(z, k));
        }
    }
    Ok(())
}

/// `set_symmetric_difference`: a copy of `other` (of the left operand's kind), updated.
fn symmetric_difference(vm: &mut Vm, s: Value, other: Value) -> PyResult<Value> {
    let frozen = set_of(s).expect("set").frozen;
    let r = from_iterable(vm, other, frozen)?;
    vm.native_roots.push(r);
    let res = symmetric_difference_update(vm, r, s);
    vm.native_roots.pop();
    res.map(|_| r)
}

/// `a | b`, `a & b`, `a - b`, `a ^ b` and their in-place forms when both are sets; `None`
/// otherwise (the caller reports the unsupported operand types).
pub fn binary(vm: &mut Vm, op: BinaryOp, a: Value, b: Value) -> PyResult<Option<Value>> {
    if is_set_view(a) || (is_set_view(b) && set_of(a).is_some()) {
        return view_binary(vm, op.base(), a, b);
    }
    let (Some(sa), Some(_)) = (set_of(a), set_of(b)) else {
        return Ok(None);
    };
    let base = op.base();
    if !matches!(
        base,
        BinaryOp::Or | BinaryOp::And | BinaryOp::Subtract | BinaryOp::Xor
    ) {
        return Ok(None);
    }
    if op.is_inplace() && !sa.frozen {
        match base {
            BinaryOp::Or => update(vm, a, b)?,
            BinaryOp::And => {
                let r = intersection(vm, a, b)?;
                let t = std::mem::take(&mut *set_of(r).expect("set").table.borrow_mut());
                vm.heap.barrier(a);
                *sa.table.borrow_mut() = t;
            }
            BinaryOp::Subtract => difference_update(vm, a, b)?,
            _ => symmetric_difference_update(vm, a, b)?,
        }
        return Ok(Some(a));
    }
    Ok(Some(match base {
        BinaryOp::Or => {
            let r = copy_as(vm, a, sa.frozen);
            if a != b {
                vm.native_roots.push(r);
                let res = update(vm, r, b);
                vm.native_roots.pop();
                res?;
            }
            r
        }
        BinaryOp::And => intersection(vm, a, b)?,
        BinaryOp::Subtract => difference(vm, a, b)?,
        _ => symmetric_difference(vm, a, b)?,
    }))
}

/// `dict.keys()` and `dict.items()` views, which act as sets in operators.
fn is_set_view(v: Value) -> bool {
    matches!(
        v.as_obj().map(|o| &o.kind),
        Some(ObjKind::DictView { kind: 0 | 2, .. })
    )
}

/// `view op other` (or `set op view`): both sides as sets, result a set (CPython's
/// `dictviews_*`, which accept any iterable on the other side).
fn view_binary(vm: &mut Vm, op: BinaryOp, a: Value, b: Value) -> PyResult<Option<Value>> {
    if !matches!(
        op,
        BinaryOp::Or | BinaryOp::And | BinaryOp::Subtract | BinaryOp::Xor
    ) {
        return Ok(None);
    }
    let sa = from_iterable(vm, a, false)?;
    vm.native_roots.push(sa);
    let sb = if set_of(b).is_some() {
        Ok(b)
    } else {
        from_iterable(vm, b, false)
    };
    let r = match sb {
        Ok(sb) => {
            vm.native_roots.push(sb);
            let r = binary(vm, op, sa, sb);
            vm.native_roots.pop();
            r
        }
        Err(e) => Err(e),
    };
    vm.native_roots.pop();
    r
}

/// Comparisons where a keys/items view meets a set or view: compared as sets.
pub fn compare_views(vm: &mut Vm, op: CompareOp, a: Value, b: Value) -> PyResult<Option<bool>> {
    let setlike = |v: Value| set_of(v).is_some() || is_set_view(v);
    if !(is_set_view(a) || is_set_view(b)) || !(setlike(a) && setlike(b)) {
        return Ok(None);
    }
    let sa = from_iterable(vm, a, false)?;
    vm.native_roots.push(sa);
    let sb = from_iterable(vm, b, false);
    vm.native_roots.pop();
    Ok(compare(op, sa, sb?))
}

/// `repr(s)`: `{1, 2}`, `set()`, `frozenset({1, 2})`, `frozenset()`.
pub fn repr_into(
    vm: &mut Vm,
    so: &SetObj,
    out: &mut String,
    item: fn(&mut Vm, Value, &mut String) -> PyResult<()>,
) -> PyResult<()> {
    let keys: Vec<Value> = so.table.borrow().keys().collect();
    let name = if so.frozen { "frozenset" } else { "set" };
    if keys.is_empty() {
        out.push_str(name);
        out.push_str("()");
        return Ok(());
    }
    if so.frozen {
        out.push_str("frozenset(");
    }
    out.push('{');
    for (i, k) in keys.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        item(vm, *k, out)?;
    }
    out.push('}');
    if so.frozen {
        out.push(')');
    }
    Ok(())
}

/// The next element of a set iterator, or the error for a set resized while iterating.
pub fn iter_next(
    vm: &mut Vm,
    set: Value,
    index: &Cell<usize>,
    used: usize,
) -> PyResult<Option<Value>> {
    // --- gaps ---
    // Exhausted first: CPython's iterator drops the set when done, so a later change of size
    // is not an error. `usize::MAX - 1` marks the sticky size-changed state.
    if index.get() == usize::MAX {
        return Ok(None);
    }
    let so = set_of(set).expect("set");
    let t = so.table.borrow();
    if t.len() != used || index.get() == usize::MAX - 1 {
        drop(t);
        index.set(usize::MAX - 1);
        return Err(vm.new_exc(Ty::RuntimeError, "Set changed size during iteration"));
    }
    match t.next_from(index.get()) {
        Some((i, e)) => {
            index.set(i + 1);
            Ok(Some(e.key))
        }
        None => {
            index.set(usize::MAX);
            Ok(None)
        }
    }
}

// ----- constructors and methods -----

fn no_kw(vm: &mut Vm, name: &str, kwnames: Value) -> PyResult<()> {
    if kwnames.as_tuple().is_some_and(|t| !t.is_empty()) {
        return Err(vm.new_exc(
            Ty::TypeError,
            &format!("{name}() takes no keyword arguments"),
        ));
    }
    Ok(())
}

/// `set(iterable=())` / `frozenset(iterable=())`.
pub fn construct(vm: &mut Vm, frozen: bool, args: &[Value], kwnames: Value) -> PyResult<Value> {
    let name = if frozen { "frozenset" } else { "set" };
    no_kw(vm, name, kwnames)?;
    if args.len() > 1 {
        let n = args.len();
        return Err(vm.new_exc(
            Ty::TypeError,
            &format!("{name} expected at most 1 argument, got {n}"),
        ));
    }
    match args.first() {
        None => Ok(new_set(vm, frozen)),
        // frozenset(f) is f.
        Some(&x) if frozen && set_of(x).is_some_and(|s| s.frozen) => Ok(x),
        Some(&x) => from_iterable(vm, x, frozen),
    }
}

fn this(vm: &mut Vm, name: &str, args: &[Value]) -> PyResult<(Value, &'static SetObj)> {
    match args.first().and_then(|v| set_of(*v).map(|s| (*v, s))) {
        Some(x) => Ok(x),
        None => Err(vm.new_exc(
            Ty::TypeError,
            &format!("descriptor '{name}' requires a 'set' object"),
        )),
    }
}

fn one_arg(vm: &mut Vm, name: &str, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, name, kwnames)?;
    if args.len() != 2 {
        let n = args.len() - 1;
        return Err(vm.new_exc(
            Ty::TypeError,
            &format!("{name}() takes exactly one argument ({n} given)"),
        ));
    }
    Ok(args[1])
}

fn no_args(vm: &mut Vm, name: &str, args: &[Value], kwnames: Value) -> PyResult<()> {
    no_kw(vm, name, kwnames)?;
    if args.len() != 1 {
        let n = args.len() - 1;
        return Err(vm.new_exc(
            Ty::TypeError,
            &format!("{name}() takes no arguments ({n} given)"),
        ));
    }
    Ok(())
}

fn m_add(vm: &mut Vm, args: &[Value], kw: Value) -> PyResult<Value> {
    let v = one_arg(vm, "set.add", args, kw)?;
    add(vm, args[0], v)?;
    Ok(Value::NONE)
}

fn discard_key(vm: &mut Vm, s: &SetObj, v: Value) -> PyResult<bool> {
    let h = match elem_hash(vm, v) {
        Ok(h) => h,
        Err(e) => match set_of(v) {
            Some(inner) => inner.table.borrow().frozen_hash(),
            None => return Err(e),
        },
    };
    let v = canonical(vm, s, h, v)?;
    Ok(s.table.borrow_mut().discard(h, |k| eq_fast(k, v)).is_some())
}

fn m_discard(vm: &mut Vm, args: &[Value], kw: Value) -> PyResult<Value> {
    let v = one_arg(vm, "set.discard", args, kw)?;
    let (_, s) = this(vm, "discard", args)?;
    discard_key(vm, s, v)?;
    Ok(Value::NONE)
}

fn m_remove(vm: &mut Vm, args: &[Value], kw: Value) -> PyResult<Value> {
    let v = one_arg(vm, "set.remove", args, kw)?;
    let (_, s) = this(vm, "remove", args)?;
    if !discard_key(vm, s, v)? {
        return Err(ops::key_error(vm, v));
    }
    Ok(Value::NONE)
}

fn m_pop(vm: &mut Vm, args: &[Value], kw: Value) -> PyResult<Value> {
    no_args(vm, "set.pop", args, kw)?;
    let (_, s) = this(vm, "pop", args)?;
    let popped = s.table.borrow_mut().pop();
    match popped {
        Some(v) => Ok(v),
        None => {
            let m = vm.new_str("pop from an empty set");
            Err(ops::key_error(vm, m))
        }
    }
}

fn m_clear(vm: &mut Vm, args: &[Value], kw: Value) -> PyResult<Value> {
    no_args(vm, "set.clear", args, kw)?;
    let (_, s) = this(vm, "clear", args)?;
    s.table.borrow_mut().clear();
    Ok(Value::NONE)
}

fn m_copy(vm: &mut Vm, args: &[Value], kw: Value) -> PyResult<Value> {
    no_args(vm, "set.copy", args, kw)?;
    let (v, s) = this(vm, "copy", args)?;
    if s.frozen {
        return Ok(v);
    }
    Ok(copy_as(vm, v, false))
}

fn m_update(vm: &mut Vm, args: &[Value], kw: Value) -> PyResult<Value> {
    no_kw(vm, "set.update", kw)?;
    let (v, _) = this(vm, "update", args)?;
    for o in &args[1..] {
        update(vm, v, *o)?;
    }
    Ok(Value::NONE)
}

fn m_union(vm: &mut Vm, args: &[Value], kw: Value) -> PyResult<Value> {
    no_kw(vm, "set.union", kw)?;
    let (v, s) = this(vm, "union", args)?;
    let r = copy_as(vm, v, s.frozen);
    vm.native_roots.push(r);
    let res = (|| {
        for o in &args[1..] {
            if *o != v {
                update(vm, r, *o)?;
            }
        }
        Ok(r)
    })();
    vm.native_roots.pop();
    res
}

fn m_intersection(vm: &mut Vm, args: &[Value], kw: Value) -> PyResult<Value> {
    no_kw(vm, "set.intersection", kw)?;
    let (v, s) = this(vm, "intersection", args)?;
    if args.len() == 1 {
        return Ok(copy_as(vm, v, s.frozen));
    }
    let mut r = v;
    for o in &args[1..] {
        vm.native_roots.push(r);
        let x = operand(vm, r, *o).and_then(|o| intersection(vm, r, o));
        vm.native_roots.pop();
        r = x?;
    }
    Ok(r)
}

fn m_intersection_update(vm: &mut Vm, args: &[Value], kw: Value) -> PyResult<Value> {
    let r = m_intersection(vm, args, kw)?;
    let (v, s) = this(vm, "intersection_update", args)?;
    if r != v {
        let t = std::mem::take(&mut *set_of(r).expect("set").table.borrow_mut());
        vm.heap.barrier(v);
        *s.table.borrow_mut() = t;
    }
    Ok(Value::NONE)
}

fn m_difference(vm: &mut Vm, args: &[Value], kw: Value) -> PyResult<Value> {
    no_kw(vm, "set.difference", kw)?;
    let (v, s) = this(vm, "difference", args)?;
    if args.len() == 1 {
        return Ok(copy_as(vm, v, s.frozen));
    }
    let first = operand(vm, v, args[1])?;
    let r = difference(vm, v, first)?;
    vm.native_roots.push(r);
    let res = (|| {
        for o in &args[2..] {
            let o = operand(vm, r, *o)?;
            difference_update(vm, r, o)?;
        }
        Ok(r)
    })();
    vm.native_roots.pop();
    res
}

fn m_difference_update(vm: &mut Vm, args: &[Value], kw: Value) -> PyResult<Value> {
    no_kw(vm, "set.difference_update", kw)?;
    let (v, _) = this(vm, "difference_update", args)?;
    for o in &args[1..] {
        let o = operand(vm, v, *o)?;
        difference_update(vm, v, o)?;
    }
    Ok(Value::NONE)
}

fn m_symmetric_difference(vm: &mut Vm, args: &[Value], kw: Value) -> PyResult<Value> {
    let o = one_arg(vm, "set.symmetric_difference", args, kw)?;
    let o = operand(vm, args[0], o)?;
    symmetric_difference(vm, args[0], o)
}

fn m_symmetric_difference_update(vm: &mut Vm, args: &[Value], kw: Value) -> PyResult<Value> {
    let o = one_arg(vm, "set.symmetric_difference_update", args, kw)?;
    let o = operand(vm, args[0], o)?;
    symmetric_difference_update(vm, args[0], o)?;
    Ok(Value::NONE)
}

/// A method's other operand, made comparable with `this` by the set tables: elements equal
/// to one of `this`'s by a user `__eq__` replaced by it (`deep_eq::set_operand`). Other
/// iterables become a set first only when `this` holds such elements (else they are left for
/// the method to iterate, as CPython does).
fn operand(vm: &mut Vm, this: Value, o: Value) -> PyResult<Value> {
    if set_of(o).is_none() {
        let Some(s) = set_of(this) else {
            return Ok(o);
        };
        let keys: Vec<Value> = s.table.borrow().iter().map(|e| e.key).collect();
        if !keys.iter().any(|k| crate::class::has_user_eq(vm, *k)) {
            return Ok(o);
        }
        let set = from_iterable(vm, o, false)?;
        vm.native_roots.push(set);
        let r = crate::deep_eq::set_operand(vm, this, set);
        vm.native_roots.pop();
        return r;
    }
    crate::deep_eq::set_operand(vm, this, o)
}

/// The argument as a set (a temporary one for other iterables).
fn as_set(vm: &mut Vm, v: Value) -> PyResult<Value> {
    if set_of(v).is_some() {
        Ok(v)
    } else {
        from_iterable(vm, v, false)
    }
}

fn m_issubset(vm: &mut Vm, args: &[Value], kw: Value) -> PyResult<Value> {
    let o = one_arg(vm, "set.issubset", args, kw)?;
    let o = as_set(vm, o)?;
    let o = operand(vm, args[0], o)?;
    let (_, s) = this(vm, "issubset", args)?;
    Ok(Value::bool(is_subset(s, set_of(o).expect("set"))))
}

fn m_issuperset(vm: &mut Vm, args: &[Value], kw: Value) -> PyResult<Value> {
    let o = one_arg(vm, "set.issuperset", args, kw)?;
    let o = as_set(vm, o)?;
    let o = operand(vm, args[0], o)?;
    let (_, s) = this(vm, "issuperset", args)?;
    Ok(Value::bool(is_subset(set_of(o).expect("set"), s)))
}

fn m_isdisjoint(vm: &mut Vm, args: &[Value], kw: Value) -> PyResult<Value> {
    let o = one_arg(vm, "set.isdisjoint", args, kw)?;
    let (v, _) = this(vm, "isdisjoint", args)?;
    let o = as_set(vm, o)?;
    let o = operand(vm, v, o)?;
    vm.native_roots.push(o);
    let r = intersection(vm, v, o);
    vm.native_roots.pop();
    Ok(Value::bool(
        set_of(r?).expect("set").table.borrow().is_empty(),
    ))
}

/// Methods of `set` and `frozenset`, registered by `builtins::install`.
pub fn methods() -> Vec<(Ty, &'static str, NativeFn)> {
    let shared: &[(&'static str, NativeFn)] = &[
        ("copy", m_copy),
        ("union", m_union),
        ("intersection", m_intersection),
        ("difference", m_difference),
        ("symmetric_difference", m_symmetric_difference),
        ("issubset", m_issubset),
        ("issuperset", m_issuperset),
        ("isdisjoint", m_isdisjoint),
    ];
    let mutating: &[(&'static str, NativeFn)] = &[
        ("add", m_add),
        ("discard", m_discard),
        ("remove", m_remove),
        ("pop", m_pop),
        ("clear", m_clear),
        ("update", m_update),
        ("intersection_update", m_intersection_update),
        ("difference_update", m_difference_update),
        ("symmetric_difference_update", m_symmetric_difference_update),
    ];
    let mut out = Vec::new();
    for (n, f) in shared {
        out.push((Ty::Set, *n, *f));
        out.push((Ty::FrozenSet, *n, *f));
    }
    for (n, f) in mutating {
        out.push((Ty::Set, *n, *f));
    }
    out
}
