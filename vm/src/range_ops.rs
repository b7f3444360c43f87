//! What `range` objects do beyond iteration and indexing by an int: slicing to a new range
//! (`range(10)[::-3]` is `range(9, -1, -3)`, CPython's `compute_slice`), and the sequence
//! methods `index` and `count`.

use nanopy_compiler::bytecode::CompareOp;

use crate::builtins::no_kw;
use crate::interp::Vm;
use crate::object::{NativeFn, ObjKind, Ty};
use crate::ops;
use crate::value::Value;
use crate::PyResult;

pub fn methods() -> &'static [(Ty, &'static str, NativeFn)] {
    &[
        (Ty::Range, "index", range_index),
        (Ty::Range, "count", range_count),
    ]
}

/// `r[s]` for a slice `s` of `range(start, stop, step)`.
pub fn slice(vm: &mut Vm, start: i64, stop: i64, step: i64, key: Value) -> PyResult<Value> {
    let len = ops::range_len(start, stop, step);
    let (i0, i1, k, _) = ops::slice_indices(vm, key, len)?;
    let item = |i: i64| start.saturating_add(i.saturating_mul(step));
    Ok(vm.heap.alloc(ObjKind::Range {
        start: item(i0),
        stop: item(i1),
        step: step.saturating_mul(k),
    }))
}

fn fields(v: Value) -> (i64, i64, i64) {
    match v.as_obj().map(|o| &o.kind) {
        Some(ObjKind::Range { start, stop, step }) => (*start, *stop, *step),
        _ => (0, 0, 1),
    }
}

/// The position of `x` in the range, comparing as CPython does: arithmetic for ints, a
/// search by `==` for anything else.
fn position(vm: &mut Vm, r: Value, x: Value) -> PyResult<Option<i64>> {
    let (start, stop, step) = fields(r);
    if x.is_small_int() || x.is_bool() {
        let i = if x.is_bool() {
            x.as_bool() as i64
        } else {
            x.as_small_int()
        };
        let inside = if step > 0 {
            start <= i && i < stop
        } else {
            stop < i && i <= start
        };
        return Ok((inside && (i - start) % step == 0).then(|| (i - start) / step));
    }
    let len = ops::range_len(start, stop, step);
    for k in 0..len {
        let v = vm.int(start + k * step);
        if ops::compare(vm, CompareOp::Eq, v, x)? {
            return Ok(Some(k));
        }
    }
    Ok(None)
}

fn one_arg(vm: &mut Vm, name: &str, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, name, kwnames)?;
    if args.len() != 2 {
        let n = args.len() - 1;
        let msg = format!("range.{name}() takes exactly one argument ({n} given)");
        return Err(vm.new_exc(Ty::TypeError, &msg));
    }
    Ok(args[1])
}

fn range_index(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    let x = one_arg(vm, "index", args, kwnames)?;
    match position(vm, args[0], x)? {
        Some(i) => Ok(vm.int(i)),
        None => {
            let r = ops::repr(vm, x)?;
            Err(vm.new_exc(Ty::ValueError, &format!("{r} is not in range")))
        }
    }
}

fn range_count(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    let x = one_arg(vm, "count", args, kwnames)?;
    Ok(Value::small_int(position(vm, args[0], x)?.is_some() as i64))
}
