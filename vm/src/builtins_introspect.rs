//! Builtins that look at the running program or at an object's namespace — `globals`,
//! `locals`, `vars`, `dir`, `callable`, `ascii` — and the namespaces they read: what the
//! `__main__` and imported modules start with, the `builtins` module, built-in types' class
//! attributes, an instance's `__dict__`. Messages follow CPython 3.11's.
//!
//! `locals()` in a function is a fresh snapshot each call (CPython 3.11 refreshes and returns
//! one dict per frame; the contents are the same); at module level it is the globals dict and
//! in a class body the namespace being filled, both live, as in CPython.

use crate::builtins::{arity, no_kw};
use crate::dict::Dict;
use crate::interp::Vm;
use crate::object::{NativeFn, ObjKind, Ty};
use crate::ops;
use crate::value::Value;
use crate::PyResult;

/// The builtins this file defines.
pub fn functions() -> &'static [(&'static str, NativeFn)] {
    &[
        ("globals", globals),
        ("locals", locals),
        ("vars", vars),
        ("dir", dir),
        ("callable", callable),
        ("ascii", ascii),
    ]
}

/// Register the `builtins` module (its dict is the VM's builtins), as `import builtins` and
/// the script's `__builtins__` see it.
pub fn install(vm: &mut Vm) {
    let name = vm.intern("builtins");
    let m = vm.heap.alloc(ObjKind::Module {
        name,
        dict: vm.builtins,
    });
    ops::dict_set(vm, vm.modules, name, m).expect("str keys hash");
    // Aliases CPython keeps for OSError.
    for alias in ["EnvironmentError", "IOError"] {
        let k = vm.intern(alias);
        let v = vm.type_value(Ty::OSError);
        ops::dict_set(vm, vm.builtins, k, v).expect("str keys hash");
    }
}

/// The names CPython's `__main__` module starts with, after `__name__`, in its order:
/// `list(globals())` and `dir()` at module level list them as CPython does. `__loader__`
/// (a SourceFileLoader in CPython) is None: nanopy has no import machinery objects.
pub fn fill_main_globals(vm: &mut Vm, globals: Value, filename: &str) {
    let builtins = vm.intern("builtins");
    let builtins = ops::dict_get_str(vm.modules, builtins).unwrap_or(Value::NONE);
    let annotations = vm.new_dict(Dict::new());
    let file = vm.new_str(filename);
    let names = [
        ("__doc__", Value::NONE),
        ("__package__", Value::NONE),
        ("__loader__", Value::NONE),
        ("__spec__", Value::NONE),
        ("__annotations__", annotations),
        ("__builtins__", builtins),
        ("__file__", file),
        ("__cached__", Value::NONE),
    ];
    for (k, v) in names {
        let k = vm.intern(k);
        ops::dict_set(vm, globals, k, v).expect("str keys hash");
    }
}

/// The class attributes every built-in type has beyond `__name__`; `None` for other names.
pub fn type_attr(vm: &mut Vm, t: Ty, name: &str) -> Option<Value> {
    // The chain of bases: an exception's parents, `bool` under `int`, `object` last.
    let mut chain = vec![t];
    let mut p = if t == Ty::Bool {
        Some(Ty::Int)
    } else {
        t.parent()
    };
    while let Some(x) = p {
        chain.push(x);
        p = x.parent();
    }
    if t != Ty::Object {
        chain.push(Ty::Object);
    }
    Some(match name {
        "__qualname__" => vm.intern(t.name()),
        "__module__" => vm.intern("builtins"),
        "__mro__" => {
            let items = chain.iter().map(|c| vm.type_value(*c)).collect();
            vm.new_tuple(items)
        }
        "__bases__" => {
            let items = chain
                .get(1)
                .map(|c| vm.type_value(*c))
                .into_iter()
                .collect();
            vm.new_tuple(items)
        }
        "__base__" => chain.get(1).map_or(Value::NONE, |c| vm.type_value(*c)),
        _ => return None,
    })
}

/// The names CPython's import machinery puts in an imported module's namespace, in its order.
/// `__loader__`, `__spec__` and `__cached__` are None (no import machinery objects, and
/// nanopy's bytecode cache is not CPython's); `__package__` is '' for a top-level module.
pub fn fill_module_globals(vm: &mut Vm, globals: Value, name: Value, filename: &str) {
    let builtins = vm.intern("builtins");
    let builtins = ops::dict_get_str(vm.modules, builtins).unwrap_or(Value::NONE);
    let file = vm.new_str(filename);
    let package = vm.intern("");
    let names = [
        ("__name__", name),
        ("__doc__", Value::NONE),
        ("__package__", package),
        ("__loader__", Value::NONE),
        ("__spec__", Value::NONE),
        ("__file__", file),
        ("__cached__", Value::NONE),
        ("__builtins__", builtins),
    ];
    for (k, v) in names {
        let k = vm.intern(k);
        ops::dict_set(vm, globals, k, v).expect("str keys hash");
    }
}

fn globals(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    crate::builtins::no_args(vm, "globals", args, kwnames)?;
    Ok(vm.frame().globals)
}

fn locals(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    crate::builtins::no_args(vm, "locals", args, kwnames)?;
    Ok(caller_locals(vm))
}

/// The locals of the Python frame that called the running native.
fn caller_locals(vm: &mut Vm) -> Value {
    if let Some(ns) = vm.class_namespace() {
        return ns;
    }
    let f = vm.frame();
    if f.func().is_null() {
        return f.globals; // module code
    }
    let code = f.code();
    let src = code.src.clone();
    let (nlocals, ncells) = (code.nlocals, code.ncells);
    let cell2arg = code.cell2arg.clone();
    let base = f.base;
    // SAFETY: `base` points at the frame's `nslots` slots (locals, cells, frees), which stay
    // in place while it runs; the frame is the caller of this native, so it is running.
    let slot = |i: usize| unsafe { *base.add(i) };
    let cell_value = |v: Value| match v.as_obj().map(|o| &o.kind) {
        Some(ObjKind::Cell(c)) => c.get(),
        _ => Value::NULL,
    };
    // CPython's order (`co_localsplusnames`): the local variables, a captured argument read
    // through its cell; then the other cells; then the free variables.
    let mut pairs: Vec<(&str, Value)> = Vec::new();
    for (j, name) in src.varnames.iter().enumerate().take(nlocals) {
        let v = match cell2arg.iter().position(|a| *a == Some(j)) {
            Some(c) => cell_value(slot(nlocals + c)),
            None => slot(j),
        };
        pairs.push((name, v));
    }
    for (c, name) in src.cellvars.iter().enumerate().take(ncells) {
        if cell2arg.get(c).copied().flatten().is_none() {
            pairs.push((name, cell_value(slot(nlocals + c))));
        }
    }
    for (k, name) in src.freevars.iter().enumerate() {
        pairs.push((name, cell_value(slot(nlocals + ncells + k))));
    }
    let pairs: Vec<(Value, Value)> = pairs
        .into_iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(n, v)| (vm.intern(n), v))
        .collect();
    let d = vm.new_dict(Dict::with_capacity(pairs.len()));
    for (k, v) in pairs {
        ops::dict_set(vm, d, k, v).expect("str keys hash");
    }
    d
}

fn vars(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "vars", kwnames)?;
    arity(vm, "vars", args, 0, 1)?;
    let Some(&obj) = args.first() else {
        return Ok(caller_locals(vm));
    };
    match obj.as_obj().map(|o| &o.kind) {
        Some(ObjKind::Module { dict, .. }) => Ok(*dict),
        // --- instdict --- `obj.__dict__` (through a `__getattribute__` override, as CPython)
        Some(ObjKind::Instance(i)) if crate::class::as_class(i.class).is_some_and(|c| !c.fixed) => {
            let name = vm.intern("__dict__");
            ops::getattr(vm, obj, name)
        }
        _ => Err(vm.new_exc(
            Ty::TypeError,
            "vars() argument must have __dict__ attribute",
        )),
    }
}

fn dir(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "dir", kwnames)?;
    arity(vm, "dir", args, 0, 1)?;
    let names: Vec<String> = match args.first() {
        None => {
            let d = caller_locals(vm);
            let mut names: Vec<String> = match d.as_dict() {
                Some(d) => d
                    .borrow()
                    .iter()
                    .filter_map(|e| e.key.as_str().map(|s| s.s.to_string()))
                    .collect(),
                None => Vec::new(),
            };
            names.sort();
            names
        }
        Some(&obj) => {
            // A class's own `__dir__` decides (CPython calls `type(obj).__dir__(obj)`).
            if let Some(f) = crate::class::special(vm, obj, "__dir__") {
                let r = vm.call(f, &[obj])?;
                let mut items = ops::collect_gc_safe(vm, r)?;
                vm.native_roots.push(r);
                let sorted = crate::builtins::sort_values(vm, &mut items, None, false);
                vm.native_roots.pop();
                sorted?;
                return Ok(vm.new_list(items));
            }
            crate::suggestions::dir_of(vm, obj)
        }
    };
    let items = names.iter().map(|n| vm.intern(n)).collect();
    Ok(vm.new_list(items))
}

fn callable(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    let v = crate::builtins::exactly_one(vm, "callable", args, kwnames)?;
    Ok(Value::bool(is_callable(vm, v)))
}

/// Whether calling `v` can work (CPython: its type has `tp_call`).
pub fn is_callable(vm: &Vm, v: Value) -> bool {
    match v.as_obj().map(|o| &o.kind) {
        Some(
            ObjKind::Function(_)
            | ObjKind::Native(_)
            | ObjKind::Method { .. }
            | ObjKind::Type(_)
            | ObjKind::Class(_)
            | ObjKind::StaticMethod(_),
        ) => true,
        Some(ObjKind::Instance(_)) => crate::class::special(vm, v, "__call__").is_some(),
        Some(ObjKind::Exception(e)) if !e.instance.is_null() => {
            crate::class::lookup(vm, vm.class_of(v), "__call__").is_some()
        }
        _ => false,
    }
}

fn ascii(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    let v = crate::builtins::exactly_one(vm, "ascii", args, kwnames)?;
    let r = ops::repr(vm, v)?;
    Ok(vm.new_string(crate::text::ascii_escape(&r)))
}
