//! Built-in modules: `sys` (beyond `argv`/`maxsize`, which `builtins` sets up), `math` and
//! `time`, each a module object whose dict holds natives and constants. `import other` of a
//! `.py` file goes through the loader hook in `Options` (see `import`).

pub mod import;
pub mod math;
pub mod sys;
pub mod time;

use crate::dict::Dict;
use crate::interp::Vm;
use crate::object::{Native, NativeFn, ObjKind};
use crate::ops;
use crate::value::Value;

/// Register the built-in modules in `sys.modules`.
pub fn install(vm: &mut Vm) {
    sys::install(vm);
    math::install(vm);
    time::install(vm);
}

/// The module `name` from `sys.modules`, created empty when missing.
pub(crate) fn module(vm: &mut Vm, name: &str) -> Value {
    let key = vm.intern(name);
    if let Some(m) = ops::dict_get_str(vm.modules, key) {
        return m;
    }
    let d = vm.new_dict(Dict::new());
    let k = vm.intern("__name__");
    ops::dict_set(vm, d, k, key).expect("str keys hash");
    let m = vm.heap.alloc(ObjKind::Module { name: key, dict: d });
    ops::dict_set(vm, vm.modules, key, m).expect("str keys hash");
    m
}

/// `module.name = value`.
pub(crate) fn set(vm: &mut Vm, module: Value, name: &str, value: Value) {
    if let Some(ObjKind::Module { dict, .. }) = module.as_obj().map(|o| &o.kind) {
        let d = *dict;
        let k = vm.intern(name);
        ops::dict_set(vm, d, k, value).expect("str keys hash");
    }
}

/// Add native functions to a module.
pub(crate) fn add_functions(vm: &mut Vm, module: Value, fns: &[(&'static str, NativeFn)]) {
    for (name, f) in fns {
        let v = vm.heap.alloc(ObjKind::Native(Native {
            name,
            f: *f,
            owner: None,
        }));
        set(vm, module, name, v);
    }
}

/// Reject keyword arguments (`name() takes no keyword arguments`).
pub(crate) fn no_kw(vm: &mut Vm, name: &str, kwnames: Value) -> crate::PyResult<()> {
    if kwnames.as_tuple().is_some_and(|t| !t.is_empty()) {
        return Err(vm.new_exc(
            crate::object::Ty::TypeError,
            &format!("{name}() takes no keyword arguments"),
        ));
    }
    Ok(())
}

/// Check a positional count with CPython's `name expected N argument(s), got M` wording
/// (`exactly`: `name() takes exactly one argument (M given)` for one-argument functions).
pub(crate) fn nargs(
    vm: &mut Vm,
    name: &str,
    args: &[Value],
    min: usize,
    max: usize,
) -> crate::PyResult<()> {
    let n = args.len();
    if (min..=max).contains(&n) {
        return Ok(());
    }
    let msg = if min == 1 && max == 1 {
        format!("{name}() takes exactly one argument ({n} given)")
    } else if min == max {
        format!(
            "{name} expected {min} argument{}, got {n}",
            if min == 1 { "" } else { "s" }
        )
    } else if n < min {
        format!(
            "{name} expected at least {min} argument{}, got {n}",
            if min == 1 { "" } else { "s" }
        )
    } else {
        format!(
            "{name} expected at most {max} argument{}, got {n}",
            if max == 1 { "" } else { "s" }
        )
    };
    Err(vm.new_exc(crate::object::Ty::TypeError, &msg))
}
