//! Builtins that talk to the outside: `input`, `print(..., file=f)` (the plain print is in
//! `builtins`), `exit` / `quit`. Messages follow CPython 3.11's.

use crate::builtins::{arity, no_kw};
use crate::interp::Vm;
use crate::object::{NativeFn, Ty};
use crate::ops;
use crate::value::Value;
use crate::PyResult;

/// The builtins this file defines (registered after the others: its `print` wraps theirs).
pub fn functions() -> &'static [(&'static str, NativeFn)] {
    &[
        ("input", input),
        ("print", print),
        ("exit", exit),
        ("quit", exit),
    ]
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
