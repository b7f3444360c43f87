//! An unbound method of a built-in type called with a `self` of another type
//! (`str.upper(5)`, `list.append()`): CPython's method descriptors refuse it with a
//! TypeError; nanopy's natives assume their `self` and would panic. Checked once per native
//! call, for the owners whose methods read `self` as that type.

use crate::interp::Vm;
use crate::object::{type_of, Native, Ty};
use crate::value::Value;
use crate::PyErr;

/// Is `native` (a method of `owner`) callable with these arguments? `Err` with CPython's
/// message when `self` is missing or of another type.
#[inline]
pub fn check_self(vm: &mut Vm, native: &Native, args: &[Value]) -> Result<(), PyErr> {
    let Some(owner) = native.owner else {
        return Ok(());
    };
    if !matches!(
        owner,
        Ty::Str | Ty::List | Ty::Tuple | Ty::Dict | Ty::Set | Ty::FrozenSet | Ty::Float | Ty::Int
    ) {
        return Ok(());
    }
    let name = native.name;
    // Class and static methods of these types take no `self`.
    if matches!(name, "fromkeys" | "maketrans" | "fromhex" | "from_bytes") {
        return Ok(());
    }
    let Some(&this) = args.first() else {
        let o = owner.name();
        let msg = format!("unbound method {o}.{name}() needs an argument");
        return Err(vm.new_exc(Ty::TypeError, &msg));
    };
    let t = type_of(this);
    if t == owner || (owner == Ty::Int && t == Ty::Bool) {
        return Ok(());
    }
    let (o, tn) = (owner.name(), crate::ops::type_name(this));
    let msg = format!("descriptor '{name}' for '{o}' objects doesn't apply to a '{tn}' object");
    Err(vm.new_exc(Ty::TypeError, &msg))
}
