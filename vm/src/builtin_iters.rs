//! Iterator builtins and the iterators that have no `ObjKind` of their own: `filter`,
//! `iter(f, sentinel)` (CPython's `callable_iterator`), `map` over several iterables,
//! `zip(..., strict=True)` and `reversed()` of a dict or dict view. The iterators share one
//! boxed heap kind, `ObjKind::BuiltinIter`, so adding one touches neither the object layout
//! nor the other iterators. The one-iterable `map`, plain `zip` and sequence `reversed` stay
//! in `builtins`; the functions here are registered after those and hand them the plain cases.
//!
//! What must not change under them follows CPython 3.11: a reversed dict iterator records the
//! dict's size and raises `dictionary changed size during iteration` (sticky) as
//! `dictreviter_iternext` does; a callable iterator stops for good once it has seen the
//! sentinel or its callable raised StopIteration.

use std::cell::Cell;

use crate::builtins::{arity, no_kw};
use crate::object::{NativeFn, ObjKind, Ty};
use crate::ops;
use crate::value::Value;
use crate::{PyResult, Vm};

/// The builtins this file defines.
pub fn functions() -> &'static [(&'static str, NativeFn)] {
    &[
        ("filter", filter),
        ("iter", iter),
        ("map", map),
        ("zip", zip),
        ("reversed", reversed),
    ]
}

pub enum BuiltinIter {
    /// `filter(func, iterable)`; `func` None keeps the truthy items.
    Filter { func: Value, iter: Value },
    /// `iter(func, sentinel)`; `func` NULL once exhausted.
    Callable { func: Cell<Value>, sentinel: Value },
    /// `zip(..., strict=True)`: ValueError when the iterables' lengths differ.
    ZipStrict { iters: Box<[Value]> },
    /// `map(func, it1, it2, ...)`: stops at the shortest.
    MapN { func: Value, iters: Box<[Value]> },
    /// `reversed(d)`, `reversed(d.keys() / .values() / .items())` (kind 0 / 1 / 2): the next
    /// entry position to look at, counting down (-1 when done), and the size recorded.
    DictRev {
        dict: Value,
        pos: Cell<isize>,
        used: Cell<usize>,
        kind: u8,
    },
}

impl BuiltinIter {
    pub fn ty(&self) -> Ty {
        match self {
            BuiltinIter::Filter { .. } => Ty::Filter,
            BuiltinIter::Callable { .. } => Ty::CallableIterator,
            BuiltinIter::MapN { .. } => Ty::Map,
            BuiltinIter::ZipStrict { .. } => Ty::Zip,
            BuiltinIter::DictRev { kind, .. } => [
                Ty::DictReverseKeyIterator,
                Ty::DictReverseValueIterator,
                Ty::DictReverseItemIterator,
            ][*kind as usize],
        }
    }

    /// Every value the iterator holds (for the collector).
    pub fn trace(&self, f: &mut dyn FnMut(Value)) {
        match self {
            BuiltinIter::Filter { func, iter } => {
                f(*func);
                f(*iter);
            }
            BuiltinIter::Callable { func, sentinel } => {
                f(func.get());
                f(*sentinel);
            }
            BuiltinIter::MapN { func, iters } => {
                f(*func);
                iters.iter().for_each(|v| f(*v));
            }
            BuiltinIter::DictRev { dict, .. } => f(*dict),
            BuiltinIter::ZipStrict { iters } => iters.iter().for_each(|v| f(*v)),
        }
    }
}

/// Box an iterator as a heap value.
pub fn alloc(vm: &mut Vm, it: BuiltinIter) -> Value {
    vm.heap.alloc(ObjKind::BuiltinIter(Box::new(it)))
}

/// `reversed(d)` for a dict (kind 0) or a dict view (`kind` of the view).
pub fn dict_reversed(vm: &mut Vm, dict: Value, kind: u8) -> Value {
    let (n, used) = ops::container_dict(dict).map_or((0, 0), |d| {
        let d = d.borrow();
        (d.raw_len(), d.len())
    });
    alloc(
        vm,
        BuiltinIter::DictRev {
            dict,
            pos: Cell::new(n as isize - 1),
            used: Cell::new(used),
            kind,
        },
    )
}

/// `next()` of a builtin iterator; `None` when exhausted. `this` is the iterator's value.
pub fn next(vm: &mut Vm, this: Value, it: &BuiltinIter) -> PyResult<Option<Value>> {
    match it {
        BuiltinIter::Filter { func, iter } => {
            while let Some(x) = ops::next(vm, *iter)? {
                let keep = if func.is_none() {
                    ops::truthy(vm, x)?
                } else {
                    // `x` is held across the call: keep it rooted.
                    vm.native_roots.push(x);
                    let r = vm.call(*func, &[x]);
                    vm.native_roots.pop();
                    let r = r?;
                    ops::truthy(vm, r)?
                };
                if keep {
                    return Ok(Some(x));
                }
            }
            Ok(None)
        }
        BuiltinIter::Callable { func, sentinel } => {
            let f = func.get();
            if f.is_null() {
                return Ok(None);
            }
            let v = match vm.call(f, &[]) {
                Ok(v) => v,
                Err(e) if is_stop_iteration(e.0) => {
                    func.set(Value::NULL);
                    return Ok(None);
                }
                Err(e) => return Err(e),
            };
            vm.native_roots.extend([this, v]);
            let done = ops::compare(vm, nanopy_compiler::bytecode::CompareOp::Eq, v, *sentinel);
            vm.native_roots.truncate(vm.native_roots.len() - 2);
            if done? {
                func.set(Value::NULL);
                return Ok(None);
            }
            Ok(Some(v))
        }
        BuiltinIter::MapN { func, iters } => {
            let mut args = Vec::with_capacity(iters.len());
            let base = vm.native_roots.len();
            let mut r = Ok(None);
            for i in iters.iter() {
                match ops::next(vm, *i) {
                    Ok(Some(v)) => {
                        vm.native_roots.push(v);
                        args.push(v);
                    }
                    Ok(None) => break,
                    Err(e) => {
                        r = Err(e);
                        break;
                    }
                }
            }
            if args.len() == iters.len() {
                r = vm.call(*func, &args).map(Some);
            }
            vm.native_roots.truncate(base);
            r
        }
        BuiltinIter::ZipStrict { iters } => zip_strict_next(vm, iters),
        BuiltinIter::DictRev {
            dict,
            pos,
            used,
            kind,
        } => {
            let i = pos.get();
            if i < 0 {
                return Ok(None);
            }
            let Some(d) = ops::container_dict(*dict) else {
                return Ok(None);
            };
            let d = d.borrow();
            if used.get() != d.len() {
                drop(d);
                used.set(usize::MAX);
                return Err(
                    vm.new_exc(Ty::RuntimeError, "dictionary changed size during iteration")
                );
            }
            // A compaction may have shortened the entries: start within them.
            let mut i = i.min(d.raw_len() as isize - 1);
            while i >= 0 {
                let e = *d.entry_at(i as usize).expect("in range");
                i -= 1;
                if !e.key.is_null() {
                    pos.set(i);
                    drop(d);
                    return Ok(Some(match kind {
                        0 => e.key,
                        1 => e.value,
                        _ => vm.new_tuple(vec![e.key, e.value]),
                    }));
                }
            }
            pos.set(-1);
            Ok(None)
        }
    }
}

/// One step of `zip(..., strict=True)` (CPython's `zip_next`).
fn zip_strict_next(vm: &mut Vm, iters: &[Value]) -> PyResult<Option<Value>> {
    let base = vm.native_roots.len();
    let r = (|| {
        let mut items = Vec::with_capacity(iters.len());
        for (i, it) in iters.iter().enumerate() {
            match ops::next(vm, *it)? {
                Some(v) => {
                    vm.native_roots.push(v);
                    items.push(v);
                }
                None if i > 0 => return Err(length_error(vm, i, "shorter")),
                None => {
                    // The first ran out: every other must be exhausted too.
                    for (j, other) in iters.iter().enumerate().skip(1) {
                        if ops::next(vm, *other)?.is_some() {
                            return Err(length_error(vm, j, "longer"));
                        }
                    }
                    return Ok(None);
                }
            }
        }
        if items.is_empty() {
            return Ok(None);
        }
        Ok(Some(vm.new_tuple(items)))
    })();
    vm.native_roots.truncate(base);
    r
}

/// `zip() argument 3 is shorter than arguments 1-2` (`i` is the 0-based culprit).
fn length_error(vm: &mut Vm, i: usize, what: &str) -> crate::PyErr {
    let plural = if i == 1 { " " } else { "s 1-" };
    let msg = format!(
        "zip() argument {} is {what} than argument{plural}{i}",
        i + 1
    );
    vm.new_exc(Ty::ValueError, &msg)
}

fn is_stop_iteration(e: Value) -> bool {
    e.as_exc()
        .is_some_and(|x| x.ty.is_subtype(Ty::StopIteration))
}

// ----- the builtins -----

fn filter(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "filter", kwnames)?;
    if args.len() != 2 {
        let n = args.len();
        let msg = format!("filter expected 2 arguments, got {n}");
        return Err(vm.new_exc(Ty::TypeError, &msg));
    }
    let it = ops::iter(vm, args[1])?;
    Ok(alloc(
        vm,
        BuiltinIter::Filter {
            func: args[0],
            iter: it,
        },
    ))
}

fn iter(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "iter", kwnames)?;
    arity(vm, "iter", args, 1, 2)?;
    if args.len() == 1 {
        return ops::iter(vm, args[0]);
    }
    if !crate::builtins_introspect::is_callable(vm, args[0]) {
        return Err(vm.new_exc(Ty::TypeError, "iter(v, w): v must be callable"));
    }
    Ok(alloc(
        vm,
        BuiltinIter::Callable {
            func: std::cell::Cell::new(args[0]),
            sentinel: args[1],
        },
    ))
}

fn map(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "map", kwnames)?;
    if args.len() < 2 {
        return Err(vm.new_exc(Ty::TypeError, "map() must have at least two arguments."));
    }
    if args.len() == 2 {
        let it = ops::iter(vm, args[1])?;
        return Ok(vm.heap.alloc(ObjKind::Map {
            func: args[0],
            iter: it,
        }));
    }
    let base = vm.native_roots.len();
    let mut iters = Vec::with_capacity(args.len() - 1);
    for a in &args[1..] {
        match ops::iter(vm, *a) {
            Ok(i) => {
                vm.native_roots.push(i);
                iters.push(i);
            }
            Err(e) => {
                vm.native_roots.truncate(base);
                return Err(e);
            }
        }
    }
    let v = alloc(
        vm,
        BuiltinIter::MapN {
            func: args[0],
            iters: iters.into_boxed_slice(),
        },
    );
    vm.native_roots.truncate(base);
    Ok(v)
}

/// `zip(*iterables, strict=False)`: the keyword here, the plain zip in `builtins`.
fn zip(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    let names = kwnames.as_tuple().unwrap_or(&[]);
    if names.is_empty() {
        return crate::builtins::zip(vm, args, kwnames);
    }
    let npos = args.len() - names.len();
    if names.len() > 1 {
        let n = names.len();
        let msg = format!("zip() takes at most 1 keyword argument ({n} given)");
        return Err(vm.new_exc(Ty::TypeError, &msg));
    }
    let mut strict = false;
    for (n, v) in names.iter().zip(&args[npos..]) {
        let k = ops::str_of(*n);
        if k != "strict" {
            let msg = format!("'{k}' is an invalid keyword argument for zip()");
            return Err(vm.new_exc(Ty::TypeError, &msg));
        }
        strict = ops::truthy(vm, *v)?;
    }
    let plain = crate::builtins::zip(vm, &args[..npos], Value::NULL)?;
    if !strict {
        return Ok(plain);
    }
    let iters = match plain.as_obj().map(|o| &o.kind) {
        Some(ObjKind::Zip { iters }) => iters.clone(),
        _ => return Ok(plain),
    };
    vm.native_roots.push(plain);
    let v = alloc(vm, BuiltinIter::ZipStrict { iters });
    vm.native_roots.pop();
    Ok(v)
}

fn reversed(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "reversed", kwnames)?;
    if args.len() != 1 {
        let n = args.len();
        return Err(vm.new_exc(
            Ty::TypeError,
            &format!("reversed expected 1 argument, got {n}"),
        ));
    }
    {
        match args[0].as_obj().map(|o| &o.kind) {
            Some(ObjKind::Dict(_)) => return Ok(dict_reversed(vm, args[0], 0)),
            Some(ObjKind::DictView { dict, kind }) => {
                let (d, k) = (*dict, *kind);
                return Ok(dict_reversed(vm, d, k));
            }
            _ => {}
        }
    }
    crate::builtins::reversed(vm, args, kwnames)
}
