//! `for a, b in enumerate(..) / zip(x, y) / d.items()`: FOR_ITER followed by
//! `UNPACK_SEQUENCE 2` takes the pair straight from the iterator and pushes both halves,
//! skipping the UNPACK and the 2-tuple CPython would build and drop every step. The tuple is
//! never visible to the program, so nothing observable changes.
//!
//! Not used while tracing or counting instructions (`nanopy trace`, `--stats`), which show
//! every bytecode instruction as CPython would run it.

use nanopy_compiler::bytecode::Opcode;

use super::{Regs, Step, Vm};
use crate::object::ObjKind;
use crate::ops;
use crate::value::Value;

/// Where the pair comes from.
enum Pair {
    Both(Value, Value),
    Done,
    /// Not a pair iterator, or not followed by `UNPACK_SEQUENCE 2`.
    No,
    /// `enumerate(generator)`: the generator is to run on this loop (`enumerate_yield`).
    Generator(Value),
}

/// Run FOR_ITER (`arg` = exit target) fused with the `UNPACK_SEQUENCE 2` after it, if the
/// iterator on top of the stack makes pairs. `None`: the ordinary FOR_ITER must run.
#[inline]
pub(super) fn fused_pair(vm: &mut Vm, r: &mut Regs, it: Value, arg: u32) -> Option<Step> {
    // SAFETY: FOR_ITER is never the last instruction (a loop body and its exit follow).
    let next = unsafe { *r.ip };
    if next.op() != Opcode::UNPACK_SEQUENCE
        || next.arg() != 2
        || vm.options.trace.is_some()
        || vm.options.count_instructions
    {
        return None;
    }
    let mut pair = match next_pair(vm, r, it) {
        Ok(p) => p,
        Err(e) => return Some(Err(vm.throw(e))),
    };
    // --- genloop --- `enumerate(generator)`: the generator runs on this loop; its yield
    // lays the pair out (`enumerate_yield`). Checked after the list case, which it slowed:
    // with the check first, nqueens (`enumerate(cols)`) ran 0.64-0.67 s against 0.55-0.56 s
    // before it (`/usr/bin/time nanopy run benches/corpus/programs/nqueens.py`, 3 runs each).
    if let Pair::Generator(g) = pair {
        if vm.push_generator_frame(r, g, Value::NONE) {
            return Some(Ok(()));
        }
        vm.sync(r);
        pair = match generic_enumerate_next(vm, it) {
            Ok(p) => p,
            Err(e) => return Some(Err(vm.throw(e))),
        };
    }
    // SAFETY: the iterator is on top of the stack; the frame reserved room for two more
    // values (UNPACK_SEQUENCE 2 leaves one more than FOR_ITER).
    unsafe {
        match pair {
            Pair::Both(a, b) => {
                *r.sp = b;
                *r.sp.add(1) = a;
                r.sp = r.sp.add(2);
                r.ip = r.ip.add(1);
            }
            Pair::Done => {
                r.sp = r.sp.sub(1);
                r.ip = vm.frame().code().instrs.as_ptr().add(arg as usize);
            }
            Pair::No | Pair::Generator(_) => return None,
        }
    }
    Some(Ok(()))
}

fn next_pair(vm: &mut Vm, r: &Regs, it: Value) -> crate::PyResult<Pair> {
    let Some(o) = it.as_obj() else {
        return Ok(Pair::No);
    };
    Ok(match &o.kind {
        ObjKind::Enumerate { iter, count } => {
            if let Some(item) = list_next(*iter) {
                return Ok(match item {
                    Some(v) => {
                        let n = count.get();
                        count.set(n + 1);
                        Pair::Both(vm.int(n), v)
                    }
                    None => Pair::Done,
                });
            }
            if Value::fits_small(count.get())
                && matches!(iter.as_obj().map(|o| &o.kind), Some(ObjKind::Generator(_)))
            {
                return Ok(Pair::Generator(*iter));
            }
            vm.sync(r);
            return generic_enumerate_next(vm, it);
        }
        ObjKind::Zip { iters } if iters.len() == 2 => {
            let (x, y) = (iters[0], iters[1]);
            vm.sync(r);
            let Some(a) = ops::next(vm, x)? else {
                return Ok(Pair::Done);
            };
            // `a` is held across the second `next`: keep it rooted.
            vm.native_roots.push(a);
            let b = ops::next(vm, y);
            vm.native_roots.pop();
            match b? {
                Some(b) => Pair::Both(a, b),
                None => Pair::Done,
            }
        }
        // --- gaps ---
        ObjKind::DictIter {
            dict,
            index,
            kind: 2,
            used,
            left,
        } => match crate::dict_iter::next_entry(vm, *dict, index, used, left)? {
            Some((k, v)) => Pair::Both(k, v),
            None => Pair::Done,
        },
        _ => Pair::No,
    })
}

/// The next pair of enumerate `it` through the iterator protocol.
fn generic_enumerate_next(vm: &mut Vm, it: Value) -> crate::PyResult<Pair> {
    let Some(ObjKind::Enumerate { iter, count }) = it.as_obj().map(|o| &o.kind) else {
        return Ok(Pair::No);
    };
    Ok(match ops::next(vm, *iter)? {
        Some(v) => {
            let n = count.get();
            count.set(n + 1);
            Pair::Both(vm.int(n), v)
        }
        None => Pair::Done,
    })
}

/// `next()` of a list iterator without the general dispatch: `None` when `it` is not one.
#[inline]
fn list_next(it: Value) -> Option<Option<Value>> {
    let ObjKind::SeqIter { seq, index } = &it.as_obj()?.kind else {
        return None;
    };
    let l = seq.as_list()?.borrow();
    let i = index.get();
    Some(l.get(i).copied().inspect(|_| index.set(i + 1)))
}

// --- genloop ---
/// A generator resumed by `fused_pair` for `enumerate` yielded `v` into `ret` (the slot after
/// the enumerate object, which sits at `ret - 1`): lay out the pair as the fused
/// UNPACK_SEQUENCE would (`v` under the count), count on, and continue past the UNPACK.
/// False when the iterator below is not an enumerate (a plain FOR_ITER or SEND resumed it).
#[inline]
pub(super) fn enumerate_yield(r: &mut Regs, ret: *mut Value, v: Value) -> bool {
    // SAFETY: an inline generator's result slot follows its iterator / receiver slot.
    let below = unsafe { *ret.sub(1) };
    let Some(ObjKind::Enumerate { count, .. }) = below.as_obj().map(|o| &o.kind) else {
        return false;
    };
    let n = count.get();
    count.set(n + 1);
    // SAFETY: `fused_pair` resumed the generator from FOR_ITER with an UNPACK_SEQUENCE 2 next,
    // which leaves one more value than FOR_ITER: the frame has room for both; `r.ip` is the
    // caller's ip, at that UNPACK_SEQUENCE.
    unsafe {
        *ret = v;
        *ret.add(1) = Value::small_int(n); // `fused_pair` checked that it fits
        r.sp = ret.add(2);
        r.ip = r.ip.add(1);
    }
    true
}
