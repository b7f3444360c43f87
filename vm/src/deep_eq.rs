//! `==` between two containers of the same kind (list, tuple, dict, set/frozenset) whose
//! items may need Python to compare: user instances with `__eq__`, at any depth.
//! `ops::eq_fast` compares items by identity and built-in equality only, so
//! `[P(1)] == [P(1)]` was False where CPython calls `P.__eq__`.
//!
//! The rules are CPython's: sequences compare lengths, then items in order (identity first,
//! then `==`), stopping at the first unequal pair; dicts compare sizes, then look each key up
//! in the other dict and compare the values; sets compare sizes, then test each element for
//! membership in the other. Only called when `eq_fast` said "not equal", so containers of
//! built-in values pay nothing more than one extra walk when they differ.

use nanopy_compiler::bytecode::CompareOp;

use crate::object::ObjKind;
use crate::ops;
use crate::value::Value;
use crate::{PyResult, Vm};

/// Can `a == b` run Python code (`__eq__`) although `eq_fast` said no: a user instance on
/// either side, or two containers of the same kind (their items might be instances)?
#[inline(always)]
pub fn may_need_python(a: Value, b: Value) -> bool {
    match (a.as_obj(), b.as_obj()) {
        (Some(x), Some(y)) => match (&x.kind, &y.kind) {
            (ObjKind::Instance(_), _) | (_, ObjKind::Instance(_)) => true,
            (ObjKind::Str(_), _) | (_, ObjKind::Str(_)) => false,
            _ => applies(a, b),
        },
        (Some(x), None) | (None, Some(x)) => matches!(x.kind, ObjKind::Instance(_)),
        (None, None) => false,
    }
}

/// Are `a` and `b` containers of the same kind, the only case [`eq`] decides?
#[inline]
pub fn applies(a: Value, b: Value) -> bool {
    match (a.as_obj(), b.as_obj()) {
        (Some(x), Some(y)) => matches!(
            (&x.kind, &y.kind),
            (ObjKind::List(_), ObjKind::List(_))
                | (ObjKind::Tuple(_), ObjKind::Tuple(_))
                | (ObjKind::Dict(_), ObjKind::Dict(_))
                | (ObjKind::Set(_), ObjKind::Set(_))
        ),
        _ => false,
    }
}

/// `a == b` for two containers of the same kind (see [`applies`]).
pub fn eq(vm: &mut Vm, a: Value, b: Value) -> PyResult<bool> {
    if a == b {
        return Ok(true);
    }
    // The items compared below may run Python code: keep both containers alive.
    vm.native_roots.extend([a, b]);
    let r = eq_rooted(vm, a, b);
    vm.native_roots.truncate(vm.native_roots.len() - 2);
    r
}

fn eq_rooted(vm: &mut Vm, a: Value, b: Value) -> PyResult<bool> {
    let (Some(x), Some(y)) = (a.as_obj(), b.as_obj()) else {
        return Ok(false);
    };
    match (&x.kind, &y.kind) {
        (ObjKind::Tuple(p), ObjKind::Tuple(q)) => {
            if p.len() != q.len() {
                return Ok(false);
            }
            for (u, v) in p.iter().zip(q.iter()) {
                if !item_eq(vm, *u, *v)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        (ObjKind::List(p), ObjKind::List(q)) => {
            if p.borrow().len() != q.borrow().len() {
                return Ok(false);
            }
            // Re-read each step: an `__eq__` may change either list (CPython does the same).
            let mut i = 0;
            loop {
                let (u, v) = match (p.borrow().get(i), q.borrow().get(i)) {
                    (Some(u), Some(v)) => (*u, *v),
                    (None, None) => return Ok(true),
                    _ => return Ok(false),
                };
                if !item_eq(vm, u, v)? {
                    return Ok(false);
                }
                i += 1;
            }
        }
        (ObjKind::Dict(p), ObjKind::Dict(q)) => {
            if p.borrow().len() != q.borrow().len() {
                return Ok(false);
            }
            let entries: Vec<(Value, Value)> =
                p.borrow().iter().map(|e| (e.key, e.value)).collect();
            for (k, v) in entries {
                match ops::dict_get(vm, b, k)? {
                    Some(w) if item_eq(vm, v, w)? => {}
                    _ => return Ok(false),
                }
            }
            Ok(true)
        }
        (ObjKind::Set(p), ObjKind::Set(q)) => {
            if p.table.borrow().len() != q.table.borrow().len() {
                return Ok(false);
            }
            let keys: Vec<Value> = p.table.borrow().iter().map(|e| e.key).collect();
            for k in keys {
                if !crate::set_ops::contains(vm, b, k)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        _ => Ok(false),
    }
}

/// For a set operator (`-`, `&`, `|`, `^`, `<=`, ...) between sets `a` and `b`: `b` with
/// each element that equals an element of `a` by a user `__eq__` replaced by that element,
/// so the set tables (which compare by identity and built-in equality) see them as the
/// same. `b` itself when it is not a set or no element of it has a user `__eq__`.
#[inline(always)]
pub fn set_operand(vm: &mut Vm, a: Value, b: Value) -> PyResult<Value> {
    match b.as_obj().map(|o| &o.kind) {
        Some(ObjKind::Set(_)) => set_operand_slow(vm, a, b),
        _ => Ok(b),
    }
}

fn set_operand_slow(vm: &mut Vm, a: Value, b: Value) -> PyResult<Value> {
    let (Some(sa), Some(sb)) = (crate::set_ops::set_of(a), crate::set_ops::set_of(b)) else {
        return Ok(b);
    };
    let entries: Vec<(u64, Value)> = sb.table.borrow().iter().map(|e| (e.hash, e.key)).collect();
    if !entries
        .iter()
        .any(|(_, k)| crate::class::has_user_eq(vm, *k))
    {
        return Ok(b);
    }
    let out = crate::set_ops::new_set(vm, sb.frozen);
    vm.native_roots.extend([a, b, out]);
    let r = (|| {
        for (h, k) in entries {
            let mut same = k;
            if crate::class::has_user_eq(vm, k) {
                let mut candidates = Vec::new();
                sa.table.borrow().contains(h, |c| {
                    candidates.push(c);
                    false
                });
                for c in candidates {
                    if c == k || crate::class::compare(vm, CompareOp::Eq, k, c)? {
                        same = c;
                        break;
                    }
                }
            }
            crate::set_ops::add(vm, out, same)?;
        }
        Ok(out)
    })();
    vm.native_roots.truncate(vm.native_roots.len() - 3);
    r
}

/// One item pair: identity, then built-in equality, then the full `==`.
fn item_eq(vm: &mut Vm, u: Value, v: Value) -> PyResult<bool> {
    if u == v || ops::eq_fast(u, v) {
        return Ok(true);
    }
    ops::compare(vm, CompareOp::Eq, u, v)
}
