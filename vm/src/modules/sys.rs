//! The `sys` module's functions: `exit`, `getrecursionlimit`/`setrecursionlimit`,
//! `stdout.write`/`stderr.write` (and `flush`), `modules`, `path`. (`argv` and `maxsize` are set up
//! by `builtins::install`.) `get_int_max_str_digits`/`set_int_max_str_digits` (the limit itself
//! lives in `format::int_str`).

use super::{add_functions, module, nargs, no_kw, set};
use crate::dict::Dict;
use crate::interp::Vm;
use crate::object::{ObjKind, Ty};
use crate::ops;
use crate::value::Value;
use crate::{PyErr, PyResult};

pub fn install(vm: &mut Vm) {
    let m = module(vm, "sys");
    add_functions(
        vm,
        m,
        &[
            ("exit", exit),
            ("getrecursionlimit", getrecursionlimit),
            ("setrecursionlimit", setrecursionlimit),
            // --- bigint ---
            ("get_int_max_str_digits", get_int_max_str_digits),
            ("set_int_max_str_digits", set_int_max_str_digits),
        ],
    );
    let modules = vm.modules;
    set(vm, m, "modules", modules);
    let dir = vm
        .options
        .argv
        .first()
        .map(|f| {
            std::path::Path::new(f)
                .parent()
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        })
        .unwrap_or_default();
    let dir = vm.new_string(dir);
    let path = vm.new_list(vec![dir]);
    set(vm, m, "path", path);
    let platform = vm.intern("linux");
    set(vm, m, "platform", platform);
    let byteorder = vm.intern("little");
    set(vm, m, "byteorder", byteorder);
    // sys.stdout / sys.stderr: small module-like objects with write() and flush().
    for (name, write) in [
        ("stdout", stdout_write as crate::object::NativeFn),
        ("stderr", stderr_write),
    ] {
        let d = vm.new_dict(Dict::new());
        let qual = vm.intern(&format!("sys.{name}"));
        let stream = vm.heap.alloc(ObjKind::Module {
            name: qual,
            dict: d,
        });
        add_functions(vm, stream, &[("write", write), ("flush", flush)]);
        set(vm, m, name, stream);
    }
}

/// `sys.exit([status])`: raise SystemExit(status); `Vm::report_exception` turns it into the
/// exit status (printing a non-int status to stderr, as CPython does).
fn exit(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "exit", kwnames)?;
    nargs(vm, "exit", args, 0, 1)?;
    let a = vm.new_tuple(args.to_vec());
    Err(PyErr(vm.exc_from_args(Ty::SystemExit, a)))
}

fn getrecursionlimit(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "getrecursionlimit", kwnames)?;
    if !args.is_empty() {
        let n = args.len();
        return Err(vm.new_exc(
            Ty::TypeError,
            &format!("sys.getrecursionlimit() takes no arguments ({n} given)"),
        ));
    }
    Ok(vm.int(vm.recursion_limit as i64))
}

fn setrecursionlimit(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "setrecursionlimit", kwnames)?;
    nargs(vm, "setrecursionlimit", args, 1, 1)?;
    let v = args[0];
    if v.is_float() {
        return Err(vm.new_exc(
            Ty::TypeError,
            "'float' object cannot be interpreted as an integer",
        ));
    }
    let n = match ops::index_of(vm, v) {
        Ok(Some(n)) => n,
        Ok(None) => {
            let t = ops::type_name(v);
            return Err(vm.new_exc(
                Ty::TypeError,
                &format!("'{t}' object cannot be interpreted as an integer"),
            ));
        }
        Err(_) => {
            return Err(vm.new_exc(
                Ty::OverflowError,
                "Python int too large to convert to C int",
            ))
        }
    };
    if n < 1 {
        return Err(vm.new_exc(
            Ty::ValueError,
            "recursion limit must be greater or equal than 1",
        ));
    }
    if n > i32::MAX as i64 {
        return Err(vm.new_exc(
            Ty::OverflowError,
            "Python int too large to convert to C int",
        ));
    }
    let depth = vm.python_depth();
    if n as usize <= depth {
        return Err(vm.new_exc(
            Ty::RecursionError,
            &format!(
                "cannot set the recursion limit to {n} at the recursion depth {depth}: the limit is too low"
            ),
        ));
    }
    vm.set_recursion_limit(n as usize); // --- calls --- (keeps the call path's limit in step)
    Ok(Value::NONE)
}

fn write_arg(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "write", kwnames)?;
    nargs(vm, "write", args, 1, 1)?;
    if args[0].as_str().is_none() {
        let t = ops::type_name(args[0]);
        return Err(vm.new_exc(
            Ty::TypeError,
            &format!("write() argument must be str, not {t}"),
        ));
    }
    Ok(args[0])
}

fn stdout_write(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    let s = write_arg(vm, args, kwnames)?;
    let s = s.as_str().expect("checked");
    vm.write_out(&s.s);
    Ok(vm.int(s.chars() as i64))
}

fn stderr_write(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    let s = write_arg(vm, args, kwnames)?;
    let s = s.as_str().expect("checked");
    // stderr is unbuffered in CPython: keep the streams' interleaving.
    vm.flush_stdout();
    vm.write_err(&s.s);
    Ok(vm.int(s.chars() as i64))
}

fn flush(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "flush", kwnames)?;
    nargs(vm, "flush", args, 0, 0)?;
    vm.flush_stdout();
    Ok(Value::NONE)
}

// --- bigint ---

/// `sys.get_int_max_str_digits()`.
fn get_int_max_str_digits(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "get_int_max_str_digits", kwnames)?;
    nargs(vm, "get_int_max_str_digits", args, 0, 0)?;
    Ok(vm.int(crate::format::int_max_str_digits() as i64))
}

/// `sys.set_int_max_str_digits(maxdigits)` (positional or by keyword, as in CPython).
fn set_int_max_str_digits(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    let kw = kwnames.as_tuple().unwrap_or(&[]);
    let by_name = kw.len() == 1 && ops::str_of(kw[0]) == "maxdigits";
    if args.len() != 1 || !(kw.is_empty() || by_name) {
        let msg = if kw.len() == 1 && !by_name {
            let k = ops::str_of(kw[0]);
            format!("set_int_max_str_digits() got an unexpected keyword argument '{k}'")
        } else if args.is_empty() {
            "set_int_max_str_digits() missing required argument 'maxdigits' (pos 1)".to_string()
        } else {
            let n = args.len();
            format!("set_int_max_str_digits() takes at most 1 argument ({n} given)")
        };
        return Err(vm.new_exc(Ty::TypeError, &msg));
    }
    let v = args[0];
    let n = match ops::index_of(vm, v) {
        Ok(Some(n)) => n,
        Ok(None) => {
            let t = ops::type_name(v);
            let msg = format!("'{t}' object cannot be interpreted as an integer");
            return Err(vm.new_exc(Ty::TypeError, &msg));
        }
        Err(_) => {
            let msg = "Python int too large to convert to C ssize_t";
            return Err(vm.new_exc(Ty::OverflowError, msg));
        }
    };
    crate::format::set_int_max_str_digits(n).map_err(|e| ops::exc(vm, e))?;
    Ok(Value::NONE)
}
