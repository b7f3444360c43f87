//! Builtins that look at the running program or at an object's namespace — `globals`,
//! `locals`, `vars`, `dir`, `callable` — and the iterator builtins whose iterators live in
//! `builtin_iters` (`filter`, `iter` with a sentinel, `map` of several iterables, `reversed` of
//! a dict), plus `ascii`. Messages follow CPython 3.11's.
//!
//! `locals()` in a function is a fresh snapshot each call (CPython 3.11 refreshes and returns
//! one dict per frame; the contents are the same); at module level it is the globals dict and
//! in a class body the namespace being filled, both live, as in CPython.

use crate::builtin_iters::{self, BuiltinIter};
use crate::builtins::{arity, no_kw};
use crate::dict::Dict;
use crate::interp::Vm;
use crate::object::{NativeFn, ObjKind, Ty};
use crate::ops;
use crate::value::Value;
use crate::PyResult;

/// The builtins this file defines (registered after the others, so `iter`, `map` and
/// `reversed` here replace the one-argument versions).
pub fn functions() -> &'static [(&'static str, NativeFn)] {
    &[
        ("globals", globals),
        ("locals", locals),
        ("vars", vars),
        ("dir", dir),
        ("callable", callable),
        ("filter", filter),
        ("iter", iter),
        ("map", map),
        ("reversed", reversed),
        ("ascii", ascii),
        ("input", input),
        ("zip", zip),
        ("exit", exit),
        ("quit", exit),
        ("print", print),
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

/// `name() takes no arguments (N given)`.
fn no_args(vm: &mut Vm, name: &str, args: &[Value], kwnames: Value) -> PyResult<()> {
    no_kw(vm, name, kwnames)?;
    if !args.is_empty() {
        let n = args.len();
        return Err(vm.new_exc(
            Ty::TypeError,
            &format!("{name}() takes no arguments ({n} given)"),
        ));
    }
    Ok(())
}

/// `name() takes exactly one argument (N given)`.
fn one_arg(vm: &mut Vm, name: &str, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, name, kwnames)?;
    if args.len() != 1 {
        let n = args.len();
        return Err(vm.new_exc(
            Ty::TypeError,
            &format!("{name}() takes exactly one argument ({n} given)"),
        ));
    }
    Ok(args[0])
}

fn globals(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_args(vm, "globals", args, kwnames)?;
    Ok(vm.frame().globals)
}

fn locals(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_args(vm, "locals", args, kwnames)?;
    Ok(caller_locals(vm))
}

/// The locals of the Python frame that called the running native.
fn caller_locals(vm: &mut Vm) -> Value {
    if let Some(ns) = vm.class_namespace() {
        return ns;
    }
    let f = vm.frame();
    if f.func.is_null() {
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
        Some(ObjKind::Instance(i)) if crate::class::as_class(i.class).is_some_and(|c| !c.fixed) => {
            Ok(instance_dict(vm, obj))
        }
        _ => Err(vm.new_exc(
            Ty::TypeError,
            "vars() argument must have __dict__ attribute",
        )),
    }
}

/// `obj.__dict__` / `vars(obj)` of an instance of a user class: a new dict of its attributes
/// in the order they were first set. Known gap: CPython returns the instance's own dict, so
/// writing to it sets attributes; here writes to the copy do not reach the instance
/// (instances keep attributes in shape slots, not in a dict).
pub fn instance_dict(vm: &mut Vm, obj: Value) -> Value {
    let mut pairs = Vec::new();
    if let Some(i) = crate::class::as_instance(obj) {
        if let Some(c) = crate::class::as_class(i.class) {
            let shapes = c.shapes.borrow();
            if let Some(shape) = shapes.get(i.shape.get() as usize) {
                for (k, n) in shape.names.iter().enumerate() {
                    let v = i.slot(k);
                    if !v.is_null() {
                        pairs.push((*n, v));
                    }
                }
            }
        }
    }
    let d = vm.new_dict(Dict::with_capacity(pairs.len()));
    for (k, v) in pairs {
        ops::dict_set(vm, d, k, v).expect("str keys hash");
    }
    d
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
    let v = one_arg(vm, "callable", args, kwnames)?;
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

fn filter(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "filter", kwnames)?;
    if args.len() != 2 {
        let n = args.len();
        let msg = format!("filter expected 2 arguments, got {n}");
        return Err(vm.new_exc(Ty::TypeError, &msg));
    }
    let it = ops::iter(vm, args[1])?;
    Ok(builtin_iters::alloc(
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
    if !is_callable(vm, args[0]) {
        return Err(vm.new_exc(Ty::TypeError, "iter(v, w): v must be callable"));
    }
    Ok(builtin_iters::alloc(
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
    let v = builtin_iters::alloc(
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
    let v = builtin_iters::alloc(vm, BuiltinIter::ZipStrict { iters });
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
            Some(ObjKind::Dict(_)) => return Ok(builtin_iters::dict_reversed(vm, args[0], 0)),
            Some(ObjKind::DictView { dict, kind }) => {
                let (d, k) = (*dict, *kind);
                return Ok(builtin_iters::dict_reversed(vm, d, k));
            }
            _ => {}
        }
    }
    crate::builtins::reversed(vm, args, kwnames)
}

/// `input([prompt])`: the prompt to stdout, then one line of stdin without its newline;
/// EOFError at the end of input.
fn input(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "input", kwnames)?;
    arity(vm, "input", args, 0, 1)?;
    if let Some(&p) = args.first() {
        let p = ops::to_str(vm, p)?;
        vm.write_out(&p);
    }
    vm.flush_stdout();
    let mut line = String::new();
    match std::io::stdin().read_line(&mut line) {
        Ok(0) => Err(vm.new_exc(Ty::EOFError, "EOF when reading a line")),
        Ok(_) => {
            if line.ends_with('\n') {
                line.pop();
            }
            Ok(vm.new_string(line))
        }
        Err(e) => Err(vm.new_exc(Ty::OSError, &e.to_string())),
    }
}

/// `print(..., file=f)` with a file other than None: each piece (item, separator, end) goes
/// to `f.write`, as CPython's print does. Otherwise the usual print.
fn print(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    let names = kwnames.as_tuple().unwrap_or(&[]);
    let npos = args.len() - names.len();
    let file = names
        .iter()
        .position(|n| ops::str_of(*n) == "file")
        .map(|i| args[npos + i])
        .filter(|f| !f.is_none());
    let Some(file) = file else {
        return crate::builtins::print(vm, args, kwnames);
    };
    let (mut sep, mut end, mut flush) = (" ".to_string(), "\n".to_string(), false);
    for (n, v) in names.iter().zip(&args[npos..]) {
        let k = ops::str_of(*n);
        match k {
            "sep" | "end" => {
                let s = if v.is_none() {
                    if k == "sep" { " " } else { "\n" }.to_string()
                } else if let Some(s) = v.as_str() {
                    s.s.to_string()
                } else {
                    let t = ops::type_name(*v);
                    let msg = format!("{k} must be None or a string, not {t}");
                    return Err(vm.new_exc(Ty::TypeError, &msg));
                };
                if k == "sep" {
                    sep = s;
                } else {
                    end = s;
                }
            }
            "flush" => flush = ops::truthy(vm, *v)?,
            "file" => {}
            _ => {
                let msg = format!("'{k}' is an invalid keyword argument for print()");
                return Err(vm.new_exc(Ty::TypeError, &msg));
            }
        }
    }
    // One `write` per piece, as CPython's print makes them.
    let w = vm.intern("write");
    let write = ops::getattr(vm, file, w)?;
    vm.native_roots.push(write);
    let r = (|| {
        for (i, v) in args[..npos].iter().enumerate() {
            if i > 0 {
                let s = vm.new_str(&sep);
                vm.call(write, &[s])?;
            }
            let s = ops::to_str_value(vm, *v)?;
            vm.call(write, &[s])?;
        }
        let s = vm.new_str(&end);
        vm.call(write, &[s]).map(|_| ())
    })();
    vm.native_roots.pop();
    r?;
    if flush {
        let f = vm.intern("flush");
        let f = ops::getattr(vm, file, f)?;
        vm.call(f, &[])?;
    }
    Ok(Value::NONE)
}

/// `exit(code=None)` / `quit(code=None)` (the `site` module's Quitter): SystemExit(code).
fn exit(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    let names = kwnames.as_tuple().unwrap_or(&[]);
    let npos = args.len() - names.len();
    if npos > 1 {
        let n = npos + 1;
        let msg =
            format!("Quitter.__call__() takes from 1 to 2 positional arguments but {n} were given");
        return Err(vm.new_exc(Ty::TypeError, &msg));
    }
    let mut code = args.first().copied().filter(|_| npos == 1);
    for (n, v) in names.iter().zip(&args[npos..]) {
        let k = ops::str_of(*n);
        if k != "code" || code.is_some() {
            let msg = if k == "code" {
                "Quitter.__call__() got multiple values for argument 'code'".to_string()
            } else {
                format!("Quitter.__call__() got an unexpected keyword argument '{k}'")
            };
            return Err(vm.new_exc(Ty::TypeError, &msg));
        }
        code = Some(*v);
    }
    let a = vm.new_tuple(vec![code.unwrap_or(Value::NONE)]);
    Err(crate::PyErr(vm.exc_from_args(Ty::SystemExit, a)))
}

fn ascii(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    let v = one_arg(vm, "ascii", args, kwnames)?;
    let r = ops::repr(vm, v)?;
    Ok(vm.new_string(crate::text::ascii_escape(&r)))
}
