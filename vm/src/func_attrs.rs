//! Attributes of Python functions beyond their code: `f.attr = v` stores into the function's
//! `__dict__` (created on first use), which attribute lookup consults before the built-in
//! attributes, so `wrapper.__name__ = fn.__name__` renames the wrapper as CPython's
//! `func_set_name` does. Also `__dict__`, `__module__`, `__defaults__` and `__kwdefaults__`.

use crate::dict::Dict;
use crate::interp::Vm;
use crate::object::{Function, Ty};
use crate::ops;
use crate::value::Value;
use crate::PyResult;

/// `f.name = v`.
pub fn store(vm: &mut Vm, f: &Function, name: Value, v: Value) -> PyResult<()> {
    let n = ops::str_of(name);
    if matches!(n, "__name__" | "__qualname__") && v.as_str().is_none() {
        return Err(vm.new_exc(
            Ty::TypeError,
            &format!("{n} must be set to a string object"),
        ));
    }
    if n == "__dict__" {
        if v.as_dict().is_none() {
            let t = ops::type_name(v);
            return Err(vm.new_exc(
                Ty::TypeError,
                &format!("__dict__ must be set to a dictionary, not a '{t}'"),
            ));
        }
        f.dict.set(v);
        return Ok(());
    }
    match n {
        "__name__" => f.name.set(v),
        "__qualname__" => f.qualname.set(v),
        _ => {
            let d = dict(vm, f);
            return ops::dict_set(vm, d, name, v);
        }
    }
    Ok(())
}

/// The function's `__dict__`, created on first use.
fn dict(vm: &mut Vm, f: &Function) -> Value {
    let d = f.dict.get();
    if !d.is_null() {
        return d;
    }
    let d = vm.new_dict(Dict::new());
    f.dict.set(d);
    d
}

/// `f.name` from the function's `__dict__` and the attributes kept outside it; None to fall
/// back to the built-in ones (`__name__`, `__qualname__`, methods).
pub fn load(vm: &mut Vm, f: &Function, name: Value) -> Option<Value> {
    let d = f.dict.get();
    if !d.is_null() {
        if let Some(v) = ops::dict_get_str(d, name) {
            return Some(v);
        }
    }
    match ops::str_of(name) {
        "__dict__" => Some(dict(vm, f)),
        "__module__" => {
            let k = vm.intern("__name__");
            Some(ops::dict_get_str(f.globals, k).unwrap_or(Value::NONE))
        }
        "__defaults__" => Some(if f.defaults.is_null() {
            Value::NONE
        } else {
            f.defaults
        }),
        "__kwdefaults__" => Some(if f.kwdefaults.is_null() {
            Value::NONE
        } else {
            f.kwdefaults
        }),
        _ => None,
    }
}
