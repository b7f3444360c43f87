//! Methods of built-in types that the text library (`crate::text`) or the dict table already
//! implemented but no Python name reached: `str.index rfind rindex partition rpartition
//! splitlines swapcase casefold removeprefix removesuffix expandtabs` and the `is...`
//! predicates, `dict.popitem`, `dict.fromkeys`, `float.is_integer`. This file only parses
//! arguments (CPython 3.11's messages) and wraps results; the semantics live in `text`.

use crate::builtins::no_kw;
use crate::interp::Vm;
use crate::object::{NativeFn, Ty};
use crate::ops::{self, type_name};
use crate::value::Value;
use crate::PyResult;

/// `(type, name, function)` for the method table (registered after the others).
pub fn methods() -> &'static [(Ty, &'static str, NativeFn)] {
    &[
        (Ty::Str, "index", str_index),
        (Ty::Str, "rfind", str_rfind),
        (Ty::Str, "rindex", str_rindex),
        (Ty::Str, "partition", str_partition),
        (Ty::Str, "rpartition", str_rpartition),
        (Ty::Str, "splitlines", str_splitlines),
        (Ty::Str, "swapcase", str_swapcase),
        (Ty::Str, "casefold", str_casefold),
        (Ty::Str, "removeprefix", str_removeprefix),
        (Ty::Str, "removesuffix", str_removesuffix),
        (Ty::Str, "expandtabs", str_expandtabs),
        (Ty::Str, "isalnum", str_isalnum),
        (Ty::Str, "isdecimal", str_isdecimal),
        (Ty::Str, "isnumeric", str_isnumeric),
        (Ty::Str, "isascii", str_isascii),
        (Ty::Str, "isprintable", str_isprintable),
        (Ty::Str, "isupper", str_isupper),
        (Ty::Str, "islower", str_islower),
        (Ty::Str, "istitle", str_istitle),
        (Ty::Str, "isidentifier", str_isidentifier),
        (Ty::Dict, "popitem", dict_popitem),
        (Ty::Dict, "fromkeys", dict_fromkeys),
        (Ty::Float, "is_integer", float_is_integer),
    ]
}

fn this_str<'a>(args: &[Value]) -> &'a str {
    &args[0].as_str().expect("str method on a str").s
}

/// `str.NAME() takes no arguments (N given)`.
fn no_args(vm: &mut Vm, owner: &str, name: &str, args: &[Value], kwnames: Value) -> PyResult<()> {
    no_kw(vm, name, kwnames)?;
    let n = args.len() - 1;
    if n > 0 {
        let msg = format!("{owner}.{name}() takes no arguments ({n} given)");
        return Err(vm.new_exc(Ty::TypeError, &msg));
    }
    Ok(())
}

/// `NAME() takes at least / at most K argument(s) (N given)` for positional-only methods.
fn positional(
    vm: &mut Vm,
    name: &str,
    args: &[Value],
    kwnames: Value,
    min: usize,
    max: usize,
) -> PyResult<()> {
    no_kw(vm, name, kwnames)?;
    let n = args.len() - 1;
    let (bound, k) = if n < min {
        ("least", min)
    } else if n > max {
        ("most", max)
    } else {
        return Ok(());
    };
    let s = if k == 1 { "" } else { "s" };
    let msg = format!("{name}() takes at {bound} {k} argument{s} ({n} given)");
    Err(vm.new_exc(Ty::TypeError, &msg))
}

/// Optional `start`, `end` slice bounds at `args[from..]` (None for absent or None).
fn bounds(vm: &mut Vm, args: &[Value], from: usize) -> PyResult<(Option<i64>, Option<i64>)> {
    let mut out = [None, None];
    for (k, slot) in out.iter_mut().enumerate() {
        match args.get(from + k) {
            Some(v) if !v.is_none() => *slot = Some(crate::builtins::int_arg(vm, *v)?),
            _ => {}
        }
    }
    Ok((out[0], out[1]))
}

type Search = fn(&str, &str, Option<i64>, Option<i64>) -> crate::format::PyResult<i64>;

fn search(vm: &mut Vm, args: &[Value], kwnames: Value, name: &str, f: Search) -> PyResult<Value> {
    positional(vm, name, args, kwnames, 1, 3)?;
    let sub = crate::builtins::str_of_arg(vm, args[1])?;
    let (start, end) = bounds(vm, args, 2)?;
    match f(this_str(args), sub, start, end) {
        Ok(i) => Ok(vm.int(i)),
        Err(e) => Err(ops::exc(vm, e)),
    }
}

fn str_index(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    search(vm, args, kwnames, "index", crate::text::index)
}
fn str_rindex(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    search(vm, args, kwnames, "rindex", crate::text::rindex)
}
fn str_rfind(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    search(vm, args, kwnames, "rfind", |s, sub, a, b| {
        Ok(crate::text::rfind(s, sub, a, b))
    })
}

type Partition =
    for<'a> fn(&'a str, &'a str) -> crate::format::PyResult<(&'a str, &'a str, &'a str)>;

fn partition_impl(
    vm: &mut Vm,
    args: &[Value],
    kwnames: Value,
    name: &str,
    f: Partition,
) -> PyResult<Value> {
    no_kw(vm, name, kwnames)?;
    if args.len() != 2 {
        let n = args.len() - 1;
        let msg = format!("str.{name}() takes exactly one argument ({n} given)");
        return Err(vm.new_exc(Ty::TypeError, &msg));
    }
    let sep = crate::builtins::str_of_arg(vm, args[1])?;
    let (a, b, c) = f(this_str(args), sep).map_err(|e| ops::exc(vm, e))?;
    let parts = [a, b, c].map(|p| vm.new_str(p));
    Ok(vm.new_tuple(parts.to_vec()))
}

fn str_partition(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    partition_impl(vm, args, kwnames, "partition", crate::text::partition)
}
fn str_rpartition(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    partition_impl(vm, args, kwnames, "rpartition", crate::text::rpartition)
}

/// One optional int argument that may also be passed by keyword (`keepends`, `tabsize`).
fn one_int_kwarg(
    vm: &mut Vm,
    args: &[Value],
    kwnames: Value,
    name: &str,
    kw: &str,
) -> PyResult<Option<i64>> {
    let names = kwnames.as_tuple().unwrap_or(&[]);
    let npos = args.len() - 1 - names.len();
    if npos == 0 && names.len() > 1 {
        let n = names.len();
        let msg = format!("{name}() takes at most 1 keyword argument ({n} given)");
        return Err(vm.new_exc(Ty::TypeError, &msg));
    }
    if npos + names.len() > 1 {
        let msg = format!(
            "{name}() takes at most 1 argument ({} given)",
            npos + names.len()
        );
        return Err(vm.new_exc(Ty::TypeError, &msg));
    }
    let mut v = (npos == 1).then(|| args[1]);
    for (k, x) in names.iter().zip(&args[1 + npos..]) {
        let k = ops::str_of(*k);
        if k != kw {
            let msg = format!("'{k}' is an invalid keyword argument for {name}()");
            return Err(vm.new_exc(Ty::TypeError, &msg));
        }
        if v.is_some() {
            let msg = format!("argument for {name}() given by name ('{kw}') and position (1)");
            return Err(vm.new_exc(Ty::TypeError, &msg));
        }
        v = Some(*x);
    }
    match v {
        Some(v) => crate::builtins::int_arg(vm, v).map(Some),
        None => Ok(None),
    }
}

fn str_splitlines(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    let keep = one_int_kwarg(vm, args, kwnames, "splitlines", "keepends")?.unwrap_or(0);
    let parts = crate::text::splitlines(this_str(args), keep != 0);
    let items = parts.into_iter().map(|p| vm.new_str(p)).collect();
    Ok(vm.new_list(items))
}

fn str_expandtabs(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    let size = one_int_kwarg(vm, args, kwnames, "expandtabs", "tabsize")?.unwrap_or(8);
    let r = crate::text::expandtabs(this_str(args), size).map_err(|e| ops::exc(vm, e))?;
    Ok(vm.new_string(r))
}

fn case_map(
    vm: &mut Vm,
    args: &[Value],
    kwnames: Value,
    name: &str,
    f: fn(&str) -> String,
) -> PyResult<Value> {
    no_args(vm, "str", name, args, kwnames)?;
    let r = f(this_str(args));
    Ok(vm.new_string(r))
}

fn str_swapcase(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    case_map(vm, args, kwnames, "swapcase", crate::text::swapcase)
}
fn str_casefold(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    case_map(vm, args, kwnames, "casefold", crate::text::casefold)
}

fn affix_remove(vm: &mut Vm, args: &[Value], kwnames: Value, prefix: bool) -> PyResult<Value> {
    let name = if prefix {
        "removeprefix"
    } else {
        "removesuffix"
    };
    no_kw(vm, name, kwnames)?;
    if args.len() != 2 {
        let n = args.len() - 1;
        let msg = format!("str.{name}() takes exactly one argument ({n} given)");
        return Err(vm.new_exc(Ty::TypeError, &msg));
    }
    let Some(a) = args[1].as_str() else {
        let t = type_name(args[1]);
        let msg = format!("{name}() argument must be str, not {t}");
        return Err(vm.new_exc(Ty::TypeError, &msg));
    };
    let s = this_str(args);
    let rest = if prefix {
        s.strip_prefix(&*a.s)
    } else {
        s.strip_suffix(&*a.s)
    };
    match rest {
        Some(r) if !a.s.is_empty() => Ok(vm.new_str(r)),
        _ => Ok(args[0]),
    }
}

fn str_removeprefix(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    affix_remove(vm, args, kwnames, true)
}
fn str_removesuffix(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    affix_remove(vm, args, kwnames, false)
}

fn predicate(
    vm: &mut Vm,
    args: &[Value],
    kwnames: Value,
    name: &str,
    f: fn(&str) -> bool,
) -> PyResult<Value> {
    no_args(vm, "str", name, args, kwnames)?;
    Ok(Value::bool(f(this_str(args))))
}

fn str_isalnum(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    predicate(vm, args, kwnames, "isalnum", crate::text::isalnum)
}
fn str_isdecimal(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    predicate(vm, args, kwnames, "isdecimal", crate::text::isdecimal)
}
fn str_isnumeric(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    predicate(vm, args, kwnames, "isnumeric", crate::text::isnumeric)
}
fn str_isascii(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    predicate(vm, args, kwnames, "isascii", crate::text::isascii)
}
fn str_isprintable(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    predicate(vm, args, kwnames, "isprintable", crate::text::isprintable)
}
fn str_isupper(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    predicate(vm, args, kwnames, "isupper", crate::text::isupper)
}
fn str_islower(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    predicate(vm, args, kwnames, "islower", crate::text::islower)
}
fn str_istitle(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    predicate(vm, args, kwnames, "istitle", crate::text::istitle)
}
fn str_isidentifier(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    predicate(vm, args, kwnames, "isidentifier", crate::text::isidentifier)
}

/// `d.popitem()`: the last inserted pair; KeyError when empty.
fn dict_popitem(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_args(vm, "dict", "popitem", args, kwnames)?;
    let e = ops::container_dict(args[0]).and_then(|d| d.borrow_mut().pop_last());
    match e {
        Some(e) => Ok(vm.new_tuple(vec![e.key, e.value])),
        None => {
            let k = vm.new_str("popitem(): dictionary is empty");
            Err(ops::key_error(vm, k))
        }
    }
}

/// `dict.fromkeys(iterable, value=None)`, called on the type (its arguments start at the
/// iterable; nanopy passes no class to methods looked up on a built-in type).
fn dict_fromkeys(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "fromkeys", kwnames)?;
    crate::builtins::arity(vm, "fromkeys", args, 1, 2)?;
    let value = args.get(1).copied().unwrap_or(Value::NONE);
    let keys = ops::collect_gc_safe(vm, args[0])?;
    let d = vm.new_dict(crate::dict::Dict::with_capacity(keys.len()));
    vm.native_roots.push(d);
    let mut r = Ok(());
    for k in keys {
        r = ops::dict_set(vm, d, k, value);
        if r.is_err() {
            break;
        }
    }
    vm.native_roots.pop();
    r.map(|()| d)
}

fn float_is_integer(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_args(vm, "float", "is_integer", args, kwnames)?;
    let f = args[0].as_float();
    Ok(Value::bool(f.is_finite() && f == f.trunc()))
}
