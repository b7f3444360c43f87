//! Exception semantics outside the unwinder: matching `except` specs, implicit chaining
//! (`__context__`), explicit chaining (`raise ... from ...`), the attributes exception objects
//! expose, and the special-method lookup `with` uses.
//!
//! The unwinder itself (exception tables, traceback entries) is `Vm::handle_exception` in
//! `interp/mod.rs`; the opcodes are in `interp/handlers.rs`. Owns no VM state.

use std::cell::Cell;

use crate::interp::Vm;
use crate::object::{type_of, ObjKind, Ty};
use crate::ops;
use crate::value::Value;
use crate::{PyErr, PyResult};

/// The extra state every exception object carries (`__cause__`, `__context__`,
/// `__suppress_context__`); None/false when fresh.
pub struct Chain {
    pub cause: Cell<Value>,
    pub context: Cell<Value>,
    pub suppress_context: Cell<bool>,
    // --- gaps ---
    /// NameError's and AttributeError's `name`, AttributeError's `obj` (NULL: unset, reads
    /// as None). The VM sets them where its own lookups fail, and only then does the
    /// traceback offer a "Did you mean" (CPython 3.11 reads the same attributes).
    pub name: Cell<Value>,
    pub obj: Cell<Value>,
}

impl Default for Chain {
    fn default() -> Chain {
        Chain {
            cause: Cell::new(Value::NONE),
            context: Cell::new(Value::NONE),
            suppress_context: Cell::new(false),
            name: Cell::new(Value::NULL),
            obj: Cell::new(Value::NULL),
        }
    }
}

impl Chain {
    /// The values held beyond the chaining links (for the collector).
    pub fn trace_extra(&self, f: &mut dyn FnMut(Value)) {
        f(self.name.get());
        f(self.obj.get());
    }
}

// --- gaps ---
/// A NameError for a failed lookup of `name` by the VM (its `name` attribute set, as
/// CPython's `format_exc_check_arg` does, so the traceback may suggest a close name).
pub fn name_error(vm: &mut Vm, msg: &str, name: Value) -> PyErr {
    let e = vm.new_exc(Ty::NameError, msg);
    vm.heap.store_barrier(e.0, name);
    if let Some(x) = e.0.as_exc() {
        x.chain.name.set(name);
    }
    e
}

/// Has exception type `t` the `name` (NameError, AttributeError, ImportError and their
/// subclasses) or `obj` (AttributeError) attribute?
fn has_name_attr(t: Ty) -> bool {
    t.is_subtype(Ty::NameError) || t.is_subtype(Ty::AttributeError) || t.is_subtype(Ty::ImportError)
}

/// `NameError(..., name=n)`, `AttributeError(..., name=n, obj=o)`, `ImportError(..., name=n,
/// path=p)`: the keyword arguments these constructors take (CPython's messages for others).
/// `None` when `t` takes no keywords (the caller's usual check applies).
#[inline(always)]
pub fn construct_with_kw(
    vm: &mut Vm,
    t: Ty,
    args: &[Value],
    kwnames: Value,
) -> Option<PyResult<Value>> {
    if kwnames.is_null() {
        return None; // the common case: no keywords at all
    }
    construct_kw(vm, t, args, kwnames)
}

fn construct_kw(vm: &mut Vm, t: Ty, args: &[Value], kwnames: Value) -> Option<PyResult<Value>> {
    let names = kwnames.as_tuple().filter(|n| !n.is_empty())?;
    if !has_name_attr(t) {
        return None;
    }
    let allowed: &[&str] = if t.is_subtype(Ty::AttributeError) {
        &["name", "obj"]
    } else if t.is_subtype(Ty::ImportError) {
        &["name", "path"]
    } else {
        &["name"]
    };
    let tn = t.name();
    if names.len() > allowed.len() {
        let (m, n) = (allowed.len(), names.len());
        let s = if m == 1 { "" } else { "s" };
        return Some(Err(vm.new_exc(
            Ty::TypeError,
            &format!("{tn}() takes at most {m} keyword argument{s} ({n} given)"),
        )));
    }
    let npos = args.len() - names.len();
    let mut set: Vec<(&str, Value)> = Vec::new();
    for (k, v) in names.iter().zip(&args[npos..]) {
        let k = ops::str_of(*k);
        if !allowed.contains(&k) {
            return Some(Err(vm.new_exc(
                Ty::TypeError,
                &format!("'{k}' is an invalid keyword argument for {tn}()"),
            )));
        }
        set.push((k, *v));
    }
    let a = vm.new_tuple(args[..npos].to_vec());
    let e = vm.exc_from_args(t, a);
    if let Some(x) = e.as_exc() {
        for (k, v) in set {
            vm.heap.store_barrier(e, v);
            match k {
                "name" => x.chain.name.set(v),
                // ImportError's `path` shares the `obj` slot: only one of them exists per type.
                _ => x.chain.obj.set(v),
            }
        }
    }
    Some(Ok(e))
}

/// Is `v` an exception instance?
pub fn is_exception(v: Value) -> bool {
    v.as_exc().is_some()
}

/// Does exception `exc` match `except spec` (a class or a tuple of classes)? The one place
/// `except` matching is decided (user classes route their `isinstance` through here).
pub fn exception_matches(vm: &mut Vm, exc: Value, spec: Value) -> PyResult<bool> {
    // A built-in exception type or a user class deriving from one.
    let is_exc_class = |t: Value| {
        t.as_type().is_some_and(|t| t.is_exception())
            || crate::class::as_class(t).is_some_and(|c| c.exc_base.is_some())
    };
    let cls = vm.class_of(exc);
    if let Some(items) = spec.as_tuple() {
        // CPython checks every item before matching any.
        if items.iter().any(|t| !is_exc_class(*t)) {
            return Err(bad_spec(vm));
        }
        return Ok(items.iter().any(|t| vm.is_subclass_value(cls, *t)));
    }
    if !is_exc_class(spec) {
        return Err(bad_spec(vm));
    }
    Ok(vm.is_subclass_value(cls, spec))
}

fn bad_spec(vm: &mut Vm) -> PyErr {
    vm.new_exc(
        Ty::TypeError,
        "catching classes that do not inherit from BaseException is not allowed",
    )
}

/// The exception `raise v` raises: an instance as is, a class called with no arguments.
/// `what` names the operand in the TypeError ("exceptions" / "exception causes").
pub fn instantiate(vm: &mut Vm, v: Value, what: &str) -> PyResult<Value> {
    if is_exception(v) {
        return Ok(v);
    }
    let user_exc_class = crate::class::as_class(v).is_some_and(|c| c.exc_base.is_some());
    if user_exc_class || v.as_type().is_some_and(|t| t.is_exception()) {
        let e = vm.call(v, &[])?;
        if is_exception(e) {
            return Ok(e);
        }
        let t = ops::type_name(e);
        let r = ops::repr(vm, v)?;
        return Err(vm.new_exc(
            Ty::TypeError,
            &format!("calling {r} should have returned an instance of BaseException, not {t}"),
        ));
    }
    Err(vm.new_exc(
        Ty::TypeError,
        &format!("{what} must derive from BaseException"),
    ))
}

/// `raise exc from cause` (cause already checked: an exception or None).
pub fn set_cause(vm: &mut Vm, exc: Value, cause: Value) {
    vm.heap.store_barrier(exc, cause);
    if let Some(e) = exc.as_exc() {
        e.chain.cause.set(cause);
        e.chain.suppress_context.set(true);
    }
}

/// Implicit chaining at a raise (CPython's `_PyErr_SetObject`): the exception being handled
/// becomes the new one's `__context__`, cutting any cycle this would create.
pub fn set_context(vm: &mut Vm, exc: Value) {
    let handled = vm.exc_info;
    if handled.is_none() || handled.is_null() || handled == exc {
        return;
    }
    let Some(e) = exc.as_exc() else { return };
    let mut o = handled;
    while let Some(ox) = o.as_exc() {
        let ctx = ox.chain.context.get();
        if ctx == exc {
            ox.chain.context.set(Value::NONE);
            break;
        }
        o = ctx;
    }
    vm.heap.store_barrier(exc, handled);
    e.chain.context.set(handled);
}

fn none_if_unset(v: Value) -> Value {
    if v.is_null() {
        Value::NONE
    } else {
        v
    }
}

/// Attributes exception objects have beyond `args` (None when `name` is not one of them).
pub fn getattr(vm: &mut Vm, exc: Value, name: &str) -> Option<Value> {
    let e = exc.as_exc()?;
    Some(match name {
        "__cause__" => e.chain.cause.get(),
        "__context__" => e.chain.context.get(),
        "__suppress_context__" => Value::bool(e.chain.suppress_context.get()),
        // Minimal: tracebacks are kept as (code, instruction) entries, not traceback objects.
        "__traceback__" => Value::NONE,
        // --- gaps ---
        "name" if has_name_attr(e.ty) => none_if_unset(e.chain.name.get()),
        "obj" if e.ty.is_subtype(Ty::AttributeError) => none_if_unset(e.chain.obj.get()),
        "path" if e.ty.is_subtype(Ty::ImportError) => none_if_unset(e.chain.obj.get()),
        // SystemExit.code: None without args, the one arg, else the args tuple.
        "code" if e.ty.is_subtype(Ty::SystemExit) => {
            let a = e.args.get();
            match a.as_tuple() {
                Some([]) | None => Value::NONE,
                Some([x]) => *x,
                Some(_) => a,
            }
        }
        "value" if e.ty.is_subtype(Ty::StopIteration) => e
            .args
            .get()
            .as_tuple()
            .and_then(|a| a.first().copied())
            .unwrap_or(Value::NONE),
        _ => {
            let _ = vm;
            return None;
        }
    })
}

/// `exc.name = v` for the writable chaining attributes; `Ok(false)` when `name` is not one.
pub fn setattr(vm: &mut Vm, exc: Value, name: &str, v: Value) -> PyResult<bool> {
    let Some(e) = exc.as_exc() else {
        return Ok(false);
    };
    let check = |vm: &mut Vm, v: Value, what: &str| -> PyResult<()> {
        if v.is_none() || is_exception(v) {
            Ok(())
        } else {
            Err(vm.new_exc(
                Ty::TypeError,
                &format!("exception {what} must be None or derive from BaseException"),
            ))
        }
    };
    match name {
        "__cause__" => {
            check(vm, v, "cause")?;
            set_cause(vm, exc, v);
        }
        "__context__" => {
            check(vm, v, "context")?;
            vm.heap.store_barrier(exc, v);
            e.chain.context.set(v);
        }
        "__suppress_context__" => e.chain.suppress_context.set(ops::truthy(vm, v)?),
        // --- gaps ---
        "name" if has_name_attr(e.ty) => {
            vm.heap.store_barrier(exc, v);
            e.chain.name.set(v)
        }
        "obj" if e.ty.is_subtype(Ty::AttributeError) => {
            vm.heap.store_barrier(exc, v);
            e.chain.obj.set(v)
        }
        "path" if e.ty.is_subtype(Ty::ImportError) => {
            vm.heap.store_barrier(exc, v);
            e.chain.obj.set(v)
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// Look a special method (`__enter__`, `__exit__`, ...) up on the type of `obj`, bound to it
/// (CPython's `_PyObject_LookupSpecial`). The one place `with` finds its protocol methods.
pub fn lookup_special(vm: &mut Vm, obj: Value, name: &'static str) -> Option<Value> {
    let m = match crate::class::special(vm, obj, name) {
        Some(m) => m,
        None => vm.methods.get(&(type_of(obj), name)).copied()?,
    };
    Some(vm.heap.alloc(ObjKind::Method { this: obj, func: m }))
}

/// `exit(type(exc), exc, tb)` for `WITH_EXCEPT_START`.
pub fn call_exit(vm: &mut Vm, exit: Value, exc: Value) -> PyResult<Value> {
    let t = vm.class_of(exc);
    vm.call(exit, &[t, exc, Value::NONE])
}

#[cfg(test)]
mod tests {
    //! The `with` protocol before user classes exist: `range` gets native `__enter__` (returns
    //! the range) and `__exit__` (prints the exception, suppresses KeyError) through the same
    //! `vm.methods` table `lookup_special` reads; python3 runs the same body with a class that
    //! behaves alike, and the outputs must be identical under both dispatchers.
    use super::*;
    use crate::{Dispatch, Options};

    fn enter(_vm: &mut Vm, args: &[Value], _kw: Value) -> PyResult<Value> {
        Ok(args[0])
    }

    fn exit(vm: &mut Vm, args: &[Value], _kw: Value) -> PyResult<Value> {
        let v = ops::repr(vm, args[2])?;
        vm.write_out(&format!("exit {v}\n"));
        Ok(Value::bool(type_of(args[2]) == Ty::KeyError))
    }

    const PYTHON_CM: &str = "class CM:\n    def __init__(self, *a): self.r = range(*a)\n    \
        def __enter__(self): return self.r\n    def __exit__(self, t, v, tb):\n        \
        print('exit', repr(v)); return isinstance(v, KeyError)\n";

    const BODY: &str = r#"
with CM(3) as r:
    print("body", r)
with CM(1) as a, CM(2) as b:
    print("two", a, b)
    raise KeyError("suppressed")
print("after suppression")
try:
    with CM(2):
        raise ValueError("propagates")
except ValueError as e:
    print("caught", e, repr(e.__context__))
def f():
    for i in range(4):
        with CM(i):
            if i == 1:
                continue
            if i == 2:
                return "returned"
    return "no"
print(f())
for i in range(3):
    with CM(i) as r:
        try:
            if i == 1:
                break
        finally:
            print("finally", r)
try:
    with CM(0):
        with CM(1):
            raise IndexError("inner")
except IndexError as e:
    print("outer saw", e)
"#;

    fn nanopy(src: &str, dispatch: Dispatch) -> String {
        let arena = bumpalo::Bump::new();
        let tree = nanopy_compiler::parser::parse(&arena, src, Default::default()).expect("parse");
        let code = nanopy_compiler::codegen::compile_module(&tree, src, "<with>").expect("compile");
        let mut vm = Vm::new(Options {
            dispatch,
            capture: true,
            ..Options::default()
        });
        for (name, f) in [
            ("__enter__", enter as crate::object::NativeFn),
            ("__exit__", exit),
        ] {
            let v = vm.heap.alloc(ObjKind::Native(crate::object::Native {
                name,
                f,
                owner: Some(Ty::Range),
            }));
            vm.methods.insert((Ty::Range, name), v);
        }
        let r = vm.run_module_result(&code);
        assert!(r.is_ok(), "uncaught: {}", vm.take_stderr());
        vm.take_stdout()
    }

    #[test]
    fn with_protocol_matches_cpython() {
        let py = std::process::Command::new("python3")
            .args(["-c", &format!("{PYTHON_CM}{BODY}")])
            .output()
            .expect("python3");
        assert!(
            py.status.success(),
            "{}",
            String::from_utf8_lossy(&py.stderr)
        );
        let want = String::from_utf8_lossy(&py.stdout);
        for d in [Dispatch::Tail, Dispatch::Switch] {
            assert_eq!(nanopy(&format!("CM = range\n{BODY}"), d), want, "{d:?}");
        }
    }
}
