//! An unbound method of a built-in type called with a `self` of another type
//! (`str.upper(5)`, `list.append()`): CPython's method descriptors refuse it with a
//! TypeError; nanopy's natives assume their `self` and would panic. Checked on every native
//! call (`Vm::call_kw`), so the common case — no owner, or a `self` of the owner's kind — is a
//! few instructions and the message is built out of line.

use crate::interp::Vm;
use crate::object::{Native, ObjKind, Ty};
use crate::value::Value;
use crate::PyErr;

/// Is `native` callable with these arguments? `Err` with CPython's message when it is a
/// method of a built-in type and `self` is missing or of another type.
#[inline(always)]
pub fn check_self(vm: &mut Vm, native: &Native, args: &[Value]) -> Result<(), PyErr> {
    let Some(owner) = native.owner else {
        return Ok(());
    };
    match args.first() {
        Some(&this) if fits(owner, this) => Ok(()),
        _ => refuse(vm, native, owner, args),
    }
}

/// Does `v` have the kind `owner`'s methods read `self` as? True for owners whose methods
/// take any object (`object`, exceptions, generators, ...).
#[inline(always)]
fn fits(owner: Ty, v: Value) -> bool {
    let kind = v.as_obj().map(|o| &o.kind);
    match owner {
        Ty::Str => matches!(kind, Some(ObjKind::Str(_))),
        Ty::List => matches!(kind, Some(ObjKind::List(_))),
        Ty::Tuple => matches!(kind, Some(ObjKind::Tuple(_))),
        Ty::Dict => matches!(kind, Some(ObjKind::Dict(_))),
        Ty::Set => matches!(kind, Some(ObjKind::Set(s)) if !s.frozen),
        Ty::FrozenSet => matches!(kind, Some(ObjKind::Set(s)) if s.frozen),
        Ty::Float => v.is_float(),
        Ty::Int => v.is_small_int() || v.is_bool() || matches!(kind, Some(ObjKind::BigInt(_))),
        _ => true,
    }
}

#[cold]
#[inline(never)]
fn refuse(vm: &mut Vm, native: &Native, owner: Ty, args: &[Value]) -> Result<(), PyErr> {
    let name = native.name;
    // Class and static methods of these types take no `self`.
    if matches!(name, "fromkeys" | "maketrans" | "fromhex" | "from_bytes") {
        return Ok(());
    }
    let o = owner.name();
    let msg = match args.first() {
        None => format!("unbound method {o}.{name}() needs an argument"),
        Some(&this) => {
            let tn = crate::ops::type_name(this);
            format!("descriptor '{name}' for '{o}' objects doesn't apply to a '{tn}' object")
        }
    };
    Err(vm.new_exc(Ty::TypeError, &msg))
}
