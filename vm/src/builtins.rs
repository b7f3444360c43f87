//! Built-in functions, type constructors, the methods of built-in types, and the `sys` module,
//! with CPython's argument checking and error messages.

use std::cell::Cell;

use num_bigint::BigInt;
use num_traits::Signed;

use crate::dict::Dict;
use crate::format;
use crate::interp::Vm;
use crate::object::{Native, NativeFn, ObjKind, Ty};
use crate::ops::{self, exc, str_of, type_name};
use crate::value::Value;
use crate::{PyErr, PyResult};

/// Register builtins, methods and modules.
pub fn install(vm: &mut Vm) {
    let functions: &[(&'static str, NativeFn)] = &[
        ("print", print),
        ("len", len),
        ("abs", abs),
        ("min", min),
        ("max", max),
        ("sum", sum),
        ("sorted", sorted),
        ("reversed", reversed),
        ("enumerate", enumerate),
        ("zip", zip),
        ("map", map),
        // --- classes ---
        ("isinstance", crate::class::isinstance_builtin),
        ("issubclass", crate::class::issubclass_builtin),
        ("__build_class__", crate::class::build_class),
        ("getattr", crate::class::getattr_builtin),
        ("setattr", crate::class::setattr_builtin),
        ("hasattr", crate::class::hasattr_builtin),
        ("delattr", crate::class::delattr_builtin),
        ("repr", repr),
        ("round", round),
        ("divmod", divmod),
        ("pow", pow),
        ("chr", chr),
        ("ord", ord),
        ("all", all),
        ("any", any),
        ("iter", iter),
        ("next", next),
        ("hash", hash),
        ("id", id),
        ("format", format_builtin),
    ];
    // --- langdata ---
    let functions = functions.iter().chain(crate::numbers::functions());
    // --- gaps --- (after the others: its `iter`, `map`, `reversed` replace theirs)
    let functions = functions
        .chain(crate::builtins_introspect::functions())
        .chain(crate::builtin_iters::functions())
        .chain(crate::builtins_io::functions());
    for (name, f) in functions {
        let v = vm.heap.alloc(ObjKind::Native(Native {
            name,
            f: *f,
            owner: None,
        }));
        let k = vm.intern(name);
        ops::dict_set(vm, vm.builtins, k, v).expect("str keys hash");
    }
    for &t in Ty::ALL {
        let exposed = t.is_exception()
            || matches!(
                t,
                Ty::Int
                    | Ty::Float
                    | Ty::Str
                    | Ty::Bool
                    | Ty::List
                    | Ty::Tuple
                    | Ty::Dict
                    | Ty::Set
                    | Ty::FrozenSet
                    | Ty::Range
                    | Ty::Type
                    | Ty::Object
                    | Ty::Slice
                    // --- classes ---
                    | Ty::StaticMethod
                    | Ty::ClassMethod
                    | Ty::Property
                    | Ty::Super
            );
        if exposed {
            let k = vm.intern(t.name());
            let v = vm.type_value(t);
            ops::dict_set(vm, vm.builtins, k, v).expect("str keys hash");
        }
    }
    let methods: &[(Ty, &'static str, NativeFn)] = &[
        (Ty::Str, "join", str_join),
        (Ty::Str, "split", str_split),
        (Ty::Str, "rsplit", str_rsplit),
        (Ty::Str, "strip", str_strip),
        (Ty::Str, "lstrip", str_lstrip),
        (Ty::Str, "rstrip", str_rstrip),
        (Ty::Str, "replace", str_replace),
        (Ty::Str, "upper", str_upper),
        (Ty::Str, "lower", str_lower),
        (Ty::Str, "capitalize", str_capitalize),
        (Ty::Str, "title", str_title),
        (Ty::Str, "startswith", str_startswith),
        (Ty::Str, "endswith", str_endswith),
        (Ty::Str, "find", str_find),
        (Ty::Str, "count", str_count),
        (Ty::Str, "isdigit", str_isdigit),
        (Ty::Str, "isalpha", str_isalpha),
        (Ty::Str, "isspace", str_isspace),
        (Ty::Str, "ljust", str_ljust),
        (Ty::Str, "rjust", str_rjust),
        (Ty::Str, "center", str_center),
        (Ty::Str, "zfill", str_zfill),
        (Ty::List, "append", list_append),
        (Ty::List, "pop", list_pop),
        (Ty::List, "extend", list_extend),
        (Ty::List, "insert", list_insert),
        (Ty::List, "reverse", list_reverse),
        (Ty::List, "sort", list_sort),
        (Ty::List, "index", list_index),
        (Ty::List, "count", list_count),
        (Ty::List, "copy", list_copy),
        (Ty::List, "clear", list_clear),
        (Ty::List, "remove", list_remove),
        (Ty::Tuple, "index", list_index),
        (Ty::Tuple, "count", list_count),
        (Ty::Dict, "get", dict_get),
        (Ty::Dict, "items", dict_items),
        (Ty::Dict, "keys", dict_keys),
        (Ty::Dict, "values", dict_values),
        (Ty::Dict, "pop", dict_pop),
        (Ty::Dict, "setdefault", dict_setdefault),
        (Ty::Dict, "update", dict_update),
        (Ty::Dict, "copy", dict_copy),
        (Ty::Dict, "clear", dict_clear),
    ];
    // --- langdata ---
    let set_methods = crate::set_ops::methods();
    let methods = methods
        .iter()
        .chain(crate::interp::generator::methods())
        .chain(set_methods.iter())
        .chain(crate::numbers::methods())
        .chain(crate::str_format::methods())
        .chain(crate::str_methods_more::methods()) // --- gaps ---
        .chain(crate::range_ops::methods()) // --- gaps ---
        .collect::<Vec<_>>();
    for (t, name, f) in methods {
        let v = vm.heap.alloc(ObjKind::Native(Native {
            name,
            f: *f,
            owner: Some(*t),
        }));
        vm.methods.insert((*t, name), v);
    }
    // --- classes ---
    let class_methods: &[(Ty, &'static str, NativeFn)] = &[
        (Ty::Object, "__init__", crate::class::object_init),
        (Ty::Object, "__new__", crate::class::object_new),
        (Ty::Object, "__setattr__", crate::class::object_setattr),
        // --- instdict ---
        (
            Ty::Object,
            "__getattribute__",
            crate::class::object_getattribute,
        ),
        (Ty::BaseException, "__init__", crate::class::exception_init),
        (Ty::Property, "setter", crate::class::property_setter),
        (Ty::Property, "deleter", crate::class::property_deleter),
        (Ty::Object, "__delattr__", crate::class::object_delattr),
    ];
    for (t, name, f) in class_methods {
        let v = vm.heap.alloc(ObjKind::Native(Native {
            name,
            f: *f,
            owner: Some(*t),
        }));
        vm.methods.insert((*t, name), v);
    }
    let ni = vm.heap.alloc(ObjKind::NotImplemented);
    vm.classes.not_implemented = ni;
    let k = vm.intern("NotImplemented");
    ops::dict_set(vm, vm.builtins, k, ni).expect("str keys hash");
    vm.ellipsis = vm.heap.alloc(ObjKind::Ellipsis);
    let k = vm.intern("Ellipsis");
    ops::dict_set(vm, vm.builtins, k, vm.ellipsis).expect("str keys hash");
    // sys
    let argv: Vec<String> = vm.options.argv.clone();
    let argv: Vec<Value> = argv.iter().map(|a| vm.new_str(a)).collect();
    let argv = vm.new_list(argv);
    let d = vm.new_dict(Dict::new());
    let k = vm.intern("argv");
    ops::dict_set(vm, d, k, argv).expect("str keys hash");
    let mk = vm.intern("maxsize");
    let ms = vm.int(i64::MAX);
    ops::dict_set(vm, d, mk, ms).expect("str keys hash");
    let name = vm.intern("sys");
    let m = vm.heap.alloc(ObjKind::Module { name, dict: d });
    ops::dict_set(vm, vm.modules, name, m).expect("str keys hash");
    crate::modules::install(vm); // langdata: math, time, the rest of sys
    crate::builtins_introspect::install(vm); // --- gaps --- the `builtins` module
}

// ----- argument helpers -----

/// Split args into positional values and (name, value) keyword pairs.
fn split_kw(args: &[Value], kwnames: Value) -> (&[Value], Vec<(&'static str, Value)>) {
    let names = kwnames.as_tuple().unwrap_or(&[]);
    let npos = args.len() - names.len();
    let kws = names
        .iter()
        .zip(&args[npos..])
        .map(|(n, v)| (str_of(*n), *v))
        .collect();
    (&args[..npos], kws)
}

pub(crate) fn no_kw(vm: &mut Vm, name: &str, kwnames: Value) -> PyResult<()> {
    if kwnames.as_tuple().is_some_and(|t| !t.is_empty()) {
        return Err(vm.new_exc(
            Ty::TypeError,
            &format!("{name}() takes no keyword arguments"),
        ));
    }
    Ok(())
}

/// `name() takes no arguments (N given)`.
pub(crate) fn no_args(vm: &mut Vm, name: &str, args: &[Value], kwnames: Value) -> PyResult<()> {
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
pub(crate) fn exactly_one(
    vm: &mut Vm,
    name: &str,
    args: &[Value],
    kwnames: Value,
) -> PyResult<Value> {
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

pub(crate) fn arity(
    vm: &mut Vm,
    name: &str,
    args: &[Value],
    min: usize,
    max: usize,
) -> PyResult<()> {
    let n = args.len();
    if n < min {
        let msg = if min == max {
            format!(
                "{name} expected {min} argument{}, got {n}",
                if min == 1 { "" } else { "s" }
            )
        } else {
            format!(
                "{name} expected at least {min} argument{}, got {n}",
                if min == 1 { "" } else { "s" }
            )
        };
        return Err(vm.new_exc(Ty::TypeError, &msg));
    }
    if n > max {
        let msg = format!(
            "{name} expected at most {max} argument{}, got {n}",
            if max == 1 { "" } else { "s" }
        );
        return Err(vm.new_exc(Ty::TypeError, &msg));
    }
    Ok(())
}

/// For methods: check the positional count excluding self (CPython's messages).
fn method_arity(vm: &mut Vm, name: &str, args: &[Value], min: usize, max: usize) -> PyResult<()> {
    let n = args.len() - 1;
    if min == 0 && max == 0 && n > 0 {
        return Err(vm.new_exc(
            Ty::TypeError,
            &format!("{name}() takes no arguments ({n} given)"),
        ));
    }
    if min == 1 && max == 1 && n != 1 {
        return Err(vm.new_exc(
            Ty::TypeError,
            &format!("{name}() takes exactly one argument ({n} given)"),
        ));
    }
    arity(vm, name, &args[1..], min, max)
}

/// A `str` argument, else `must be str, not T`.
pub(crate) fn str_of_arg<'a>(vm: &mut Vm, v: Value) -> PyResult<&'a str> {
    match v.as_str() {
        Some(s) => Ok(&s.s),
        None => {
            let t = type_name(v);
            Err(vm.new_exc(Ty::TypeError, &format!("must be str, not {t}")))
        }
    }
}

fn str_arg<'a>(vm: &mut Vm, what: &str, v: Value) -> PyResult<&'a str> {
    match v.as_str() {
        Some(s) => Ok(&s.s),
        None => {
            let t = type_name(v);
            Err(vm.new_exc(Ty::TypeError, &format!("{what} must be str, not {t}")))
        }
    }
}

pub(crate) fn int_arg(vm: &mut Vm, v: Value) -> PyResult<i64> {
    match ops::index_of(vm, v)? {
        Some(i) => Ok(i),
        None => {
            let t = type_name(v);
            Err(vm.new_exc(
                Ty::TypeError,
                &format!("'{t}' object cannot be interpreted as an integer"),
            ))
        }
    }
}

fn opt_none(v: Option<&Value>) -> Option<&Value> {
    v.filter(|v| !v.is_none())
}

// ----- functions -----

pub(crate) fn print(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    let (pos, kws) = split_kw(args, kwnames);
    let mut sep = " ".to_string();
    let mut end = "\n".to_string();
    for (k, v) in kws {
        match k {
            "sep" | "end" => {
                let s = if v.is_none() {
                    if k == "sep" {
                        " ".into()
                    } else {
                        "\n".into()
                    }
                } else if let Some(s) = v.as_str() {
                    s.s.to_string()
                } else {
                    let t = type_name(v);
                    return Err(vm.new_exc(
                        Ty::TypeError,
                        &format!("{k} must be None or a string, not {t}"),
                    ));
                };
                if k == "sep" {
                    sep = s
                } else {
                    end = s
                }
            }
            "flush" => {}
            "file" if v.is_none() => {}
            _ => {
                return Err(vm.new_exc(
                    Ty::TypeError,
                    &format!("'{k}' is an invalid keyword argument for print()"),
                ))
            }
        }
    }
    let mut out = String::new();
    for (i, v) in pos.iter().enumerate() {
        if i > 0 {
            out.push_str(&sep);
        }
        out.push_str(&ops::to_str(vm, *v)?);
    }
    out.push_str(&end);
    vm.write_out(&out);
    Ok(Value::NONE)
}

pub fn len_of(vm: &mut Vm, v: Value) -> PyResult<usize> {
    Ok(match v.as_obj().map(|o| &o.kind) {
        Some(ObjKind::Str(s)) => s.chars(),
        Some(ObjKind::List(l)) => l.borrow().len(),
        Some(ObjKind::Tuple(t)) => t.len(),
        Some(ObjKind::Dict(d)) => d.borrow().len(),
        Some(ObjKind::Set(s)) => s.table.borrow().len(),
        Some(ObjKind::DictView { dict, .. }) => dict.as_dict().map_or(0, |d| d.borrow().len()),
        Some(ObjKind::Range { start, stop, step }) => ops::range_len(*start, *stop, *step) as usize,
        // --- classes ---
        Some(ObjKind::Instance(_)) if crate::class::len(vm, v)?.is_some() => {
            crate::class::len(vm, v)?.unwrap_or(0)
        }
        _ => {
            let t = type_name(v);
            return Err(vm.new_exc(Ty::TypeError, &format!("object of type '{t}' has no len()")));
        }
    })
}

fn len(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    let v = exactly_one(vm, "len", args, kwnames)?;
    let n = len_of(vm, v)?;
    Ok(vm.int(n as i64))
}

fn abs(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    let v = exactly_one(vm, "abs", args, kwnames)?;
    if v.is_float() {
        return Ok(Value::float(v.as_float().abs()));
    }
    if v.is_small_int() || v.is_bool() {
        let i = if v.is_bool() {
            v.as_bool() as i64
        } else {
            v.as_small_int()
        };
        return Ok(vm.int(i.abs()));
    }
    if let Some(b) = v.as_bigint() {
        let a = b.abs();
        return Ok(vm.bigint(a));
    }
    if let Some(r) = crate::class::unary(vm, "__abs__", v)? {
        return Ok(r); // --- classes ---
    }
    let t = type_name(v);
    Err(vm.new_exc(Ty::TypeError, &format!("bad operand type for abs(): '{t}'")))
}

fn min_max(
    vm: &mut Vm,
    args: &[Value],
    kwnames: Value,
    name: &str,
    want: std::cmp::Ordering,
) -> PyResult<Value> {
    // --- features --- `min(a, b)` / `max(a, b)` of two inline ints (the first of equals)
    if let [a, b] = args {
        if kwnames.is_null() && Value::both_small_ints(*a, *b) {
            let (x, y) = (a.as_small_int(), b.as_small_int());
            return Ok(if y.cmp(&x) == want { *b } else { *a });
        }
    }
    let (pos, kws) = split_kw(args, kwnames);
    let mut key = None;
    let mut default = None;
    for (k, v) in kws {
        match k {
            "key" if !v.is_none() => key = Some(v),
            "key" => {}
            "default" => default = Some(v),
            _ => {
                return Err(vm.new_exc(
                    Ty::TypeError,
                    &format!("'{k}' is an invalid keyword argument for {name}()"),
                ))
            }
        }
    }
    // --- genloop --- `min(genexpr)` / `max(genexpr)`: drained, no list of the items; with
    // a key, each item's key is computed as it comes (CPython's order of calls).
    if let [src] = pos {
        let best = match key {
            None if crate::interp::gen_sink::is_generator(*src) => {
                crate::interp::gen_sink::best_of_generator(vm, *src, want)?
            }
            Some(k) => best_by_key(vm, *src, k, want)?,
            None => None,
        };
        if let Some(best) = best {
            return Ok(best);
        }
        if key.is_some() || crate::interp::gen_sink::is_generator(*src) {
            return default.ok_or_else(|| {
                vm.new_exc(
                    Ty::ValueError,
                    &format!("{name}() arg is an empty sequence"),
                )
            });
        }
    }
    let items = match pos.len() {
        0 => {
            return Err(vm.new_exc(
                Ty::TypeError,
                &format!("{name} expected at least 1 argument, got 0"),
            ))
        }
        1 => ops::collect_gc_safe(vm, pos[0])?, // langdata
        _ => {
            if default.is_some() {
                let msg = format!(
                    "Cannot specify a default for {name}() with multiple positional arguments"
                );
                return Err(vm.new_exc(Ty::TypeError, &msg));
            }
            pos.to_vec()
        }
    };
    if items.is_empty() {
        return match default {
            Some(d) => Ok(d),
            None => Err(vm.new_exc(
                Ty::ValueError,
                &format!("{name}() arg is an empty sequence"),
            )),
        };
    }
    let roots = vm.native_roots.len();
    vm.native_roots.extend_from_slice(&items);
    let r = (|| {
        let mut best = items[0];
        let mut best_key = match key {
            Some(k) => vm.call(k, &[best])?,
            None => best,
        };
        vm.native_roots.push(best_key);
        for &it in &items[1..] {
            let k = match key {
                Some(kf) => vm.call(kf, &[it])?,
                None => it,
            };
            let op = if want == std::cmp::Ordering::Greater {
                nanopy_compiler::bytecode::CompareOp::Gt
            } else {
                nanopy_compiler::bytecode::CompareOp::Lt
            };
            if ops::compare(vm, op, k, best_key)? {
                best = it;
                best_key = k;
                vm.native_roots.push(k);
            }
        }
        Ok(best)
    })();
    vm.native_roots.truncate(roots);
    r
}

// --- genloop ---
/// The first item of `iterable` whose `key` is the least (`want` Less) or greatest, None when
/// it is empty. Items and keys alternate as in CPython's `min_max`.
fn best_by_key(
    vm: &mut Vm,
    iterable: Value,
    key: Value,
    want: std::cmp::Ordering,
) -> PyResult<Option<Value>> {
    let op = if want == std::cmp::Ordering::Greater {
        nanopy_compiler::bytecode::CompareOp::Gt
    } else {
        nanopy_compiler::bytecode::CompareOp::Lt
    };
    let it = ops::iter(vm, iterable)?;
    let roots = vm.native_roots.len();
    // [iterator, best item, its key]
    vm.native_roots.extend([it, Value::NULL, Value::NULL]);
    let r = (|| {
        while let Some(x) = ops::next(vm, it)? {
            vm.native_roots.push(x);
            let k = vm.call(key, &[x]);
            vm.native_roots.pop();
            let k = k?;
            let best_key = vm.native_roots[roots + 2];
            if best_key.is_null() || ops::compare(vm, op, k, best_key)? {
                vm.native_roots[roots + 1] = x;
                vm.native_roots[roots + 2] = k;
            }
        }
        let best = vm.native_roots[roots + 1];
        Ok((!best.is_null()).then_some(best))
    })();
    vm.native_roots.truncate(roots);
    r
}

fn min(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    min_max(vm, args, kwnames, "min", std::cmp::Ordering::Less)
}

fn max(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    min_max(vm, args, kwnames, "max", std::cmp::Ordering::Greater)
}

fn sum(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    let (pos, kws) = split_kw(args, kwnames);
    arity(vm, "sum", pos, 1, 2)?;
    let mut acc = pos.get(1).copied().unwrap_or(Value::small_int(0));
    for (k, v) in kws {
        if k == "start" {
            acc = v;
        } else {
            return Err(vm.new_exc(
                Ty::TypeError,
                &format!("'{k}' is an invalid keyword argument for sum()"),
            ));
        }
    }
    if acc.as_str().is_some() {
        return Err(vm.new_exc(
            Ty::TypeError,
            "sum() can't sum strings [use ''.join(seq) instead]",
        ));
    }
    // --- genloop --- a generator is drained without suspending it per item
    if crate::interp::gen_sink::is_generator(pos[0]) {
        return crate::interp::gen_sink::sum_generator(vm, pos[0], acc);
    }
    // langdata: iterate (no list of all the items); the running total stays rooted so a
    // generator being summed may collect garbage.
    let it = ops::iter(vm, pos[0])?;
    let roots = vm.native_roots.len();
    vm.native_roots.extend([it, acc]);
    let safe = vm.native_depth <= 1;
    let r = (|| loop {
        let x = if safe {
            vm.next_gc_safe(it)?
        } else {
            ops::next(vm, it)?
        };
        let Some(x) = x else { return Ok(acc) };
        acc = if acc.is_float() && x.is_float() {
            Value::float(acc.as_float() + x.as_float())
        } else if Value::both_small_ints(acc, x) {
            vm.int(acc.as_small_int() + x.as_small_int())
        } else {
            ops::binary_op(vm, nanopy_compiler::bytecode::BinaryOp::Add, acc, x)?
        };
        vm.native_roots[roots + 1] = acc;
    })();
    vm.native_roots.truncate(roots);
    r
}

/// Sort `items` in place by `key` (a callable or None), stably, optionally reversed.
pub fn sort_values(
    vm: &mut Vm,
    items: &mut Vec<Value>,
    key: Option<Value>,
    reverse: bool,
) -> PyResult<()> {
    let keys: Vec<Value> = match key {
        Some(k) => {
            let roots = vm.native_roots.len();
            let mut ks = Vec::with_capacity(items.len());
            vm.native_roots.extend_from_slice(items);
            for it in items.iter() {
                match vm.call(k, &[*it]) {
                    Ok(v) => {
                        ks.push(v);
                        vm.native_roots.push(v);
                    }
                    Err(e) => {
                        vm.native_roots.truncate(roots);
                        return Err(e);
                    }
                }
            }
            vm.native_roots.truncate(roots);
            ks
        }
        None => items.clone(),
    };
    let mut idx: Vec<usize> = (0..items.len()).collect();
    let mut err: Option<PyErr> = None;
    // Python's reverse sort is stable too: reverse, stable-sort, reverse back.
    if reverse {
        idx.reverse();
    }
    idx.sort_by(|&a, &b| {
        if err.is_some() {
            return std::cmp::Ordering::Equal;
        }
        match ops::order(vm, keys[a], keys[b]) {
            Ok(Some(o)) => o,
            Ok(None) => {
                if ops::eq_fast(keys[a], keys[b]) {
                    return std::cmp::Ordering::Equal;
                }
                let (ta, tb) = (type_name(keys[a]), type_name(keys[b]));
                let msg = format!("'<' not supported between instances of '{ta}' and '{tb}'");
                err = Some(vm.new_exc(Ty::TypeError, &msg));
                std::cmp::Ordering::Equal
            }
            Err(e) => {
                err = Some(e);
                std::cmp::Ordering::Equal
            }
        }
    });
    if let Some(e) = err {
        return Err(e);
    }
    if reverse {
        idx.reverse();
    }
    let sorted: Vec<Value> = idx.into_iter().map(|i| items[i]).collect();
    *items = sorted;
    Ok(())
}

fn sort_kwargs(
    vm: &mut Vm,
    kws: Vec<(&str, Value)>,
    name: &str,
) -> PyResult<(Option<Value>, bool)> {
    let mut key = None;
    let mut reverse = false;
    for (k, v) in kws {
        match k {
            "key" => key = Some(v).filter(|v| !v.is_none()),
            "reverse" => reverse = ops::truthy(vm, v)?,
            _ => {
                return Err(vm.new_exc(
                    Ty::TypeError,
                    &format!("'{k}' is an invalid keyword argument for {name}()"),
                ))
            }
        }
    }
    Ok((key, reverse))
}

fn sorted(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    let (pos, kws) = split_kw(args, kwnames);
    if pos.len() != 1 {
        let n = pos.len();
        return Err(vm.new_exc(
            Ty::TypeError,
            &format!("sorted expected 1 argument, got {n}"),
        ));
    }
    let (key, reverse) = sort_kwargs(vm, kws, "sort")?;
    let mut items = ops::collect_gc_safe(vm, pos[0])?; // langdata
    sort_values(vm, &mut items, key, reverse)?;
    Ok(vm.new_list(items))
}

pub(crate) fn reversed(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    let v = exactly_one(vm, "reversed", args, kwnames)?;
    let n = match v.as_obj().map(|o| &o.kind) {
        Some(ObjKind::List(l)) => l.borrow().len(),
        Some(ObjKind::Tuple(t)) => t.len(),
        Some(ObjKind::Range { .. }) | Some(ObjKind::Str(_)) => len_of(vm, v)?,
        _ => {
            let t = type_name(v);
            return Err(vm.new_exc(Ty::TypeError, &format!("'{t}' object is not reversible")));
        }
    };
    Ok(vm.heap.alloc(ObjKind::Reversed {
        seq: v,
        index: Cell::new(n),
    }))
}

fn enumerate(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    let (pos, kws) = split_kw(args, kwnames);
    let mut start = pos.get(1).copied();
    for (k, v) in kws {
        if k == "start" {
            start = Some(v);
        }
    }
    if pos.is_empty() {
        return Err(vm.new_exc(
            Ty::TypeError,
            "enumerate() missing required argument 'iterable' (pos 1)",
        ));
    }
    let it = ops::iter(vm, pos[0])?;
    let start = match start {
        Some(s) => int_arg(vm, s)?,
        None => 0,
    };
    Ok(vm.heap.alloc(ObjKind::Enumerate {
        iter: it,
        count: Cell::new(start),
    }))
}

pub(crate) fn zip(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "zip", kwnames)?;
    let mut iters = Vec::with_capacity(args.len());
    for a in args {
        match ops::iter(vm, *a) {
            Ok(i) => iters.push(i),
            Err(_) => {
                let n = iters.len() + 1;
                return Err(vm.new_exc(
                    Ty::TypeError,
                    &format!("zip argument #{n} must support iteration"),
                ));
            }
        }
    }
    Ok(vm.heap.alloc(ObjKind::Zip {
        iters: iters.into_boxed_slice(),
    }))
}

fn map(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "map", kwnames)?;
    if args.len() != 2 {
        return Err(vm.new_exc(Ty::TypeError, "map() must have at least two arguments."));
    }
    let it = ops::iter(vm, args[1])?;
    Ok(vm.heap.alloc(ObjKind::Map {
        func: args[0],
        iter: it,
    }))
}

fn repr(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    let v = exactly_one(vm, "repr", args, kwnames)?;
    let s = ops::repr(vm, v)?;
    Ok(vm.new_string(s))
}

fn round(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    let (pos, kws) = split_kw(args, kwnames);
    let mut nd = pos.get(1).copied();
    for (k, v) in kws {
        if k == "ndigits" {
            nd = Some(v);
        }
    }
    if pos.is_empty() {
        return Err(vm.new_exc(
            Ty::TypeError,
            "round() missing required argument 'number' (pos 1)",
        ));
    }
    let x = pos[0];
    let nd = opt_none(nd.as_ref()).copied();
    if x.is_float() {
        return match nd {
            None => {
                let b = format::float_round_to_int(x.as_float()).map_err(|e| exc(vm, e))?;
                Ok(vm.bigint(b))
            }
            Some(n) => {
                let n = int_arg(vm, n)?;
                let r = format::float_round(x.as_float(), n).map_err(|e| exc(vm, e))?;
                Ok(Value::float(r))
            }
        };
    }
    if x.is_int() || x.is_bool() {
        let Some(n) = nd else {
            return Ok(if x.is_bool() {
                vm.int(x.as_bool() as i64)
            } else {
                x
            });
        };
        let n = int_arg(vm, n)?;
        if n >= 0 {
            return Ok(x);
        }
        // Round half to even at 10**(-n).
        let b = ops::big_of(x).unwrap_or_default();
        let p = num_traits::Pow::pow(BigInt::from(10), (-n).min(4300) as u32);
        let (q, r) = num_integer::Integer::div_mod_floor(&b, &p);
        let twice = &r * 2;
        let q = if twice > p || (twice == p && num_integer::Integer::is_odd(&q)) {
            q + 1
        } else {
            q
        };
        return Ok(vm.bigint(q * p));
    }
    let t = type_name(x);
    Err(vm.new_exc(
        Ty::TypeError,
        &format!("type {t} doesn't define __round__ method"),
    ))
}

fn divmod(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "divmod", kwnames)?;
    arity(vm, "divmod", args, 2, 2)?;
    use nanopy_compiler::bytecode::BinaryOp;
    let (a, b) = (args[0], args[1]);
    // --- bigint --- operands read in place; two big ints divide once for both results.
    use crate::int_arith::{self, IntRef};
    if let (Some(IntRef::Big(x)), Some(y)) = (IntRef::of(a), IntRef::of(b)) {
        let y = y.big();
        if !num_traits::Zero::is_zero(y.as_ref()) {
            let (q, r) = int_arith::divmod_floor(x, &y);
            let (q, r) = (vm.bigint(q), vm.bigint(r));
            return Ok(vm.new_tuple(vec![q, r]));
        }
    }
    let num = |v: Value| IntRef::of(v).is_some() || v.is_float();
    if !(num(a) && num(b)) {
        let (ta, tb) = (type_name(a), type_name(b));
        return Err(vm.new_exc(
            Ty::TypeError,
            &format!("unsupported operand type(s) for divmod(): '{ta}' and '{tb}'"),
        ));
    }
    let q = ops::binary_op(vm, BinaryOp::FloorDivide, a, b)?;
    let r = ops::binary_op(vm, BinaryOp::Remainder, a, b)?;
    Ok(vm.new_tuple(vec![q, r]))
}

fn pow(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    let (pos, _) = split_kw(args, kwnames);
    arity(vm, "pow", pos, 2, 3)?;
    if let Some(m) = opt_none(pos.get(2)) {
        let (Some(b), Some(e), Some(m)) =
            (ops::big_of(pos[0]), ops::big_of(pos[1]), ops::big_of(*m))
        else {
            return Err(vm.new_exc(
                Ty::TypeError,
                "pow() 3rd argument not allowed unless all arguments are integers",
            ));
        };
        if m == BigInt::from(0) {
            return Err(vm.new_exc(Ty::ValueError, "pow() 3rd argument cannot be 0"));
        }
        // --- langdata --- a negative exponent inverts the base modulo |m| first.
        let (b, e) = if e.is_negative() {
            use num_integer::Integer;
            let am = m.abs();
            let g = b.mod_floor(&am).extended_gcd(&am);
            if g.gcd != BigInt::from(1) {
                return Err(vm.new_exc(
                    Ty::ValueError,
                    "base is not invertible for the given modulus",
                ));
            }
            (g.x.mod_floor(&am), -e)
        } else {
            (b, e)
        };
        let r = b.modpow(&e, &m);
        let r = if !r.is_negative() && m.is_negative() && r != BigInt::from(0) {
            r + m
        } else {
            r
        };
        return Ok(vm.bigint(r));
    }
    ops::binary_op(
        vm,
        nanopy_compiler::bytecode::BinaryOp::Power,
        pos[0],
        pos[1],
    )
}

fn chr(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    let v = exactly_one(vm, "chr", args, kwnames)?;
    let i = int_arg(vm, v)?;
    match u32::try_from(i).ok().and_then(char::from_u32) {
        Some(c) => {
            let mut buf = [0u8; 4];
            Ok(vm.intern(c.encode_utf8(&mut buf)))
        }
        None => Err(vm.new_exc(Ty::ValueError, "chr() arg not in range(0x110000)")),
    }
}

fn ord(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    let v = exactly_one(vm, "ord", args, kwnames)?;
    let Some(s) = v.as_str() else {
        let t = type_name(v);
        return Err(vm.new_exc(
            Ty::TypeError,
            &format!("ord() expected string of length 1, but {t} found"),
        ));
    };
    if s.chars() != 1 {
        let msg = format!(
            "ord() expected a character, but string of length {} found",
            s.chars()
        );
        return Err(vm.new_exc(Ty::TypeError, &msg));
    }
    Ok(vm.int(s.s.chars().next().unwrap_or_default() as i64))
}

fn all(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    let v = exactly_one(vm, "all", args, kwnames)?;
    if crate::interp::gen_sink::is_generator(v) {
        return crate::interp::gen_sink::any_all_generator(vm, v, false).map(Value::bool);
        // --- genloop ---
    }
    let it = ops::iter(vm, v)?;
    while let Some(x) = ops::next(vm, it)? {
        if !ops::truthy(vm, x)? {
            return Ok(Value::FALSE);
        }
    }
    Ok(Value::TRUE)
}

fn any(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    let v = exactly_one(vm, "any", args, kwnames)?;
    if crate::interp::gen_sink::is_generator(v) {
        return crate::interp::gen_sink::any_all_generator(vm, v, true).map(Value::bool);
        // --- genloop ---
    }
    let it = ops::iter(vm, v)?;
    while let Some(x) = ops::next(vm, it)? {
        if ops::truthy(vm, x)? {
            return Ok(Value::TRUE);
        }
    }
    Ok(Value::FALSE)
}

fn iter(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    let v = exactly_one(vm, "iter", args, kwnames)?;
    ops::iter(vm, v)
}

fn next(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "next", kwnames)?;
    arity(vm, "next", args, 1, 2)?;
    // --- langdata --- a generator's return value travels in its StopIteration.
    if args.len() == 1
        && matches!(
            args[0].as_obj().map(|o| &o.kind),
            Some(ObjKind::Generator(_))
        )
    {
        return match vm.gen_send(args[0], Value::NONE)? {
            crate::interp::generator::GenStep::Yielded(v) => Ok(v),
            crate::interp::generator::GenStep::Returned(v) => Err(vm.stop_iteration(v)),
        };
    }
    match ops::next(vm, args[0])? {
        Some(v) => Ok(v),
        None => match args.get(1) {
            Some(d) => Ok(*d),
            None => {
                let a = vm.new_tuple(vec![]);
                Err(PyErr(vm.exc_from_args(Ty::StopIteration, a)))
            }
        },
    }
}

fn hash(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    let v = exactly_one(vm, "hash", args, kwnames)?;
    let h = ops::hash(vm, v)? as i64;
    Ok(vm.int(h))
}

fn id(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    let v = exactly_one(vm, "id", args, kwnames)?;
    Ok(vm.int((v.bits() & 0xFFFF_FFFF_FFFF) as i64))
}

fn format_builtin(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "format", kwnames)?;
    arity(vm, "format", args, 1, 2)?;
    let spec = match args.get(1) {
        Some(s) => str_arg(vm, "format() argument 2", *s)?,
        None => "",
    };
    let s = ops::format(vm, args[0], spec)?;
    Ok(vm.new_string(s))
}

// ----- type constructors -----

/// Call a built-in type.
pub fn construct(vm: &mut Vm, t: Ty, args: &[Value], kwnames: Value) -> PyResult<Value> {
    // --- classes ---
    if matches!(
        t,
        Ty::StaticMethod | Ty::ClassMethod | Ty::Property | Ty::Super
    ) {
        return crate::class::construct(vm, t, args, kwnames);
    }
    if t.is_exception() {
        // --- gaps --- NameError(name=), AttributeError(name=, obj=), ImportError(name=, path=)
        if let Some(r) = crate::exceptions::construct_with_kw(vm, t, args, kwnames) {
            return r;
        }
        no_kw(vm, t.name(), kwnames)?;
        let a = vm.new_tuple(args.to_vec());
        return Ok(vm.exc_from_args(t, a));
    }
    let (pos, kws) = split_kw(args, kwnames);
    let name = t.name();
    match t {
        Ty::Int => {
            let mut base = pos.get(1).copied();
            for (k, v) in &kws {
                if *k == "base" {
                    base = Some(*v);
                }
            }
            arity(vm, "int", pos, 0, 2)
                .map_err(|_| vm.new_exc(Ty::TypeError, "int() takes at most 2 arguments"))?;
            let Some(&x) = pos.first() else {
                return Ok(Value::small_int(0));
            };
            if let Some(b) = base {
                let b = int_arg(vm, b)?;
                let Some(s) = x.as_str() else {
                    return Err(vm.new_exc(
                        Ty::TypeError,
                        "int() can't convert non-string with explicit base",
                    ));
                };
                let r = format::parse_int(&s.s, b as u32).map_err(|e| exc(vm, e))?;
                return Ok(vm.bigint(r));
            }
            if x.is_small_int() || x.as_bigint().is_some() {
                return Ok(x);
            }
            if x.is_bool() {
                return Ok(vm.int(x.as_bool() as i64));
            }
            if x.is_float() {
                let b = format::float_to_bigint(x.as_float()).map_err(|e| exc(vm, e))?;
                return Ok(vm.bigint(b));
            }
            if let Some(s) = x.as_str() {
                let r = format::parse_int(&s.s, 10).map_err(|e| exc(vm, e))?;
                return Ok(vm.bigint(r));
            }
            let t = type_name(x);
            let msg = format!(
                "int() argument must be a string, a bytes-like object or a real number, not '{t}'"
            );
            Err(vm.new_exc(Ty::TypeError, &msg))
        }
        Ty::Float => {
            no_kw(vm, "float", kwnames)?;
            arity(vm, "float", pos, 0, 1)?;
            let Some(&x) = pos.first() else {
                return Ok(Value::float(0.0));
            };
            if x.is_float() {
                return Ok(x);
            }
            if let Some(s) = x.as_str() {
                let f = format::parse_float(&s.s).map_err(|e| exc(vm, e))?;
                return Ok(Value::float(f));
            }
            if let Some(b) = ops::big_of(x) {
                let f = format::bigint_to_f64(&b).map_err(|e| exc(vm, e))?;
                return Ok(Value::float(f));
            }
            let t = type_name(x);
            Err(vm.new_exc(
                Ty::TypeError,
                &format!("float() argument must be a string or a real number, not '{t}'"),
            ))
        }
        Ty::Str => {
            arity(vm, "str", pos, 0, 1)?;
            match pos.first() {
                None => Ok(vm.intern("")),
                Some(&x) => ops::to_str_value(vm, x),
            }
        }
        Ty::Bool => {
            no_kw(vm, "bool", kwnames)?;
            arity(vm, "bool", pos, 0, 1)?;
            match pos.first() {
                None => Ok(Value::FALSE),
                Some(&x) => Ok(Value::bool(ops::truthy(vm, x)?)),
            }
        }
        Ty::List => {
            arity(vm, "list", pos, 0, 1)?;
            let items = match pos.first() {
                None => vec![],
                Some(&x) => ops::collect_gc_safe(vm, x)?, // langdata
            };
            Ok(vm.new_list(items))
        }
        Ty::Tuple => {
            arity(vm, "tuple", pos, 0, 1)?;
            match pos.first() {
                Some(&x) if x.as_tuple().is_some() => Ok(x),
                None => Ok(vm.new_tuple(vec![])),
                Some(&x) => {
                    let items = ops::collect(vm, x)?;
                    Ok(vm.new_tuple(items))
                }
            }
        }
        // --- langdata ---
        Ty::Set | Ty::FrozenSet => crate::set_ops::construct(vm, t == Ty::FrozenSet, args, kwnames),
        Ty::Dict => {
            arity(vm, "dict", pos, 0, 1)?;
            let d = vm.new_dict(Dict::new());
            if let Some(&x) = pos.first() {
                if let Some(src) = x.as_dict() {
                    let es: Vec<(Value, Value)> =
                        src.borrow().iter().map(|e| (e.key, e.value)).collect();
                    for (k, v) in es {
                        ops::dict_set(vm, d, k, v)?;
                    }
                } else {
                    for (i, item) in ops::collect(vm, x)?.into_iter().enumerate() {
                        // --- genloop --- a (key, value) tuple needs no list of its items
                        if let Some(&[k, v]) = item.as_tuple() {
                            ops::dict_set(vm, d, k, v)?;
                            continue;
                        }
                        // PySequence_Fast: a TypeError from iterating becomes this message.
                        let kv = ops::collect(vm, item).map_err(|e| {
                            if e.0.as_exc().is_some_and(|x| x.ty == Ty::TypeError) {
                                let msg = format!(
                                    "cannot convert dictionary update sequence element #{i} to a sequence"
                                );
                                vm.new_exc(Ty::TypeError, &msg)
                            } else {
                                e
                            }
                        })?;
                        if kv.len() != 2 {
                            let msg = format!(
                                "dictionary update sequence element #{i} has length {}; 2 is required",
                                kv.len()
                            );
                            return Err(vm.new_exc(Ty::ValueError, &msg));
                        }
                        ops::dict_set(vm, d, kv[0], kv[1])?;
                    }
                }
            }
            for (k, v) in kws {
                let key = vm.intern(k);
                ops::dict_set(vm, d, key, v)?;
            }
            Ok(d)
        }
        Ty::Range => {
            no_kw(vm, "range", kwnames)?;
            arity(vm, "range", pos, 1, 3)?;
            let mut ints = Vec::with_capacity(3);
            for v in pos {
                ints.push(int_arg(vm, *v)?);
            }
            let (start, stop, step) = match ints[..] {
                [stop] => (0, stop, 1),
                [start, stop] => (start, stop, 1),
                [start, stop, step] => (start, stop, step),
                _ => unreachable!(),
            };
            if step == 0 {
                return Err(vm.new_exc(Ty::ValueError, "range() arg 3 must not be zero"));
            }
            Ok(vm.heap.alloc(ObjKind::Range { start, stop, step }))
        }
        Ty::Type => {
            arity(vm, "type", pos, 1, 1)?;
            Ok(vm.class_of(pos[0])) // --- classes ---
        }
        Ty::Object => {
            if !pos.is_empty() || !kws.is_empty() {
                return Err(vm.new_exc(Ty::TypeError, "object() takes no arguments"));
            }
            Ok(vm.heap.alloc(ObjKind::Object))
        }
        Ty::EllipsisType => {
            if !pos.is_empty() || !kws.is_empty() {
                return Err(vm.new_exc(Ty::TypeError, "EllipsisType takes no arguments"));
            }
            Ok(vm.ellipsis)
        }
        _ => Err(vm.new_exc(Ty::TypeError, &format!("cannot create '{name}' instances"))),
    }
}

// ----- str methods -----

fn this_str<'a>(args: &[Value]) -> &'a str {
    str_of(args[0])
}

fn str_join(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "str.join", kwnames)?;
    method_arity(vm, "join", args, 1, 1)?;
    let sep = this_str(args);
    // --- strings --- lists and tuples are joined from their own storage (no copy of the
    // items); the text is built at its final size. Nothing in between runs Python code.
    let joined = if let Some(l) = args[1].as_list() {
        join_strs(vm, sep, &l.borrow())
    } else if let Some(t) = args[1].as_tuple() {
        join_strs(vm, sep, t)
    } else {
        // PySequence_Fast: a TypeError from getting the iterator becomes this message.
        let it = ops::iter(vm, args[1]).map_err(|e| {
            if e.0.as_exc().is_some_and(|x| x.ty == Ty::TypeError) {
                vm.new_exc(Ty::TypeError, "can only join an iterable")
            } else {
                e
            }
        })?;
        let items = ops::collect_gc_safe(vm, it)?; // langdata
        join_strs(vm, sep, &items)
    };
    match joined {
        Joined::Str(v) => Ok(v),
        Joined::NotStr(i, t) => Err(vm.new_exc(
            Ty::TypeError,
            &format!("sequence item {i}: expected str instance, {t} found"),
        )),
    }
}

// --- strings ---
/// What `sep.join(items)` comes to.
enum Joined {
    /// The result: a single str item itself (as in CPython, as in CPython (`''.join([s]) is s`).
    Str(Value),
    /// Item `i` is not a str (its type name).
    NotStr(usize, &'static str),
}

fn join_strs(vm: &mut Vm, sep: &str, items: &[Value]) -> Joined {
    let mut len = sep.len() * items.len().saturating_sub(1);
    for (i, it) in items.iter().enumerate() {
        match it.as_str() {
            Some(s) => len += s.s.len(),
            None => return Joined::NotStr(i, type_name(*it)),
        }
    }
    if let [only] = items {
        return Joined::Str(*only);
    }
    Joined::Str(vm.concat_strs(sep, items, len)) // --- strs ---
}

fn split_args(
    vm: &mut Vm,
    args: &[Value],
    kwnames: Value,
) -> PyResult<(Option<&'static str>, i64)> {
    let (pos, kws) = split_kw(args, kwnames);
    let mut sep = opt_none(pos.get(1)).copied();
    let mut maxsplit = pos.get(2).copied();
    for (k, v) in kws {
        match k {
            "sep" => sep = Some(v).filter(|v| !v.is_none()),
            "maxsplit" => maxsplit = Some(v),
            _ => {
                return Err(vm.new_exc(
                    Ty::TypeError,
                    &format!("'{k}' is an invalid keyword argument for split()"), // --- strings ---
                ));
            }
        }
    }
    let sep = match sep {
        Some(s) => Some(str_arg(vm, "must be str or None, not", s).map_err(|_| {
            let t = type_name(s);
            vm.new_exc(Ty::TypeError, &format!("must be str or None, not {t}"))
        })?),
        None => None,
    };
    let maxsplit = match maxsplit {
        Some(m) => int_arg(vm, m)?,
        None => -1,
    };
    Ok((sep, maxsplit))
}

fn strs_to_list(vm: &mut Vm, parts: Vec<&str>) -> Value {
    let vs: Vec<Value> = parts.into_iter().map(|p| vm.new_str(p)).collect();
    vm.new_list(vs)
}

fn str_split(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    let (sep, maxsplit) = split_args(vm, args, kwnames)?;
    // The common `s.split(",")`: every part straight into the list's Vec (CPython's
    // preallocation of 12), without a Vec of slices first. Splitting at a separator string
    // is exactly Rust's `str::split` (empty parts at either end included).
    if let (Some(sep), true) = (sep, maxsplit < 0) {
        if !sep.is_empty() {
            let s = this_str(args);
            let mut items = Vec::with_capacity(12);
            if let [b] = sep.as_bytes() {
                // One byte: ASCII, so a char (a memchr search).
                for part in s.split(*b as char) {
                    items.push(vm.new_str(part));
                }
            } else {
                for part in s.split(sep) {
                    items.push(vm.new_str(part));
                }
            }
            return Ok(vm.new_list(items));
        }
    }
    let parts = crate::text::split(this_str(args), sep, maxsplit).map_err(|e| exc(vm, e))?;
    Ok(strs_to_list(vm, parts))
}

fn str_rsplit(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    let (sep, maxsplit) = split_args(vm, args, kwnames)?;
    let parts = crate::text::rsplit(this_str(args), sep, maxsplit).map_err(|e| exc(vm, e))?;
    Ok(strs_to_list(vm, parts))
}

fn strip_impl(
    vm: &mut Vm,
    args: &[Value],
    kwnames: Value,
    name: &str,
    f: for<'a> fn(&'a str, Option<&str>) -> &'a str,
) -> PyResult<Value> {
    no_kw(vm, name, kwnames)?;
    method_arity(vm, name, args, 0, 1)?;
    let chars = match opt_none(args.get(1)) {
        None => None,
        Some(v) => match v.as_str() {
            Some(s) => Some(&*s.s),
            None => {
                let t = type_name(*v);
                return Err(vm.new_exc(
                    Ty::TypeError,
                    &format!("{name} arg must be None or str, not {t}"),
                ));
            }
        },
    };
    let s = this_str(args);
    let r = f(s, chars);
    if r.len() == s.len() {
        return Ok(args[0]);
    }
    Ok(vm.new_str(r))
}

fn str_strip(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    strip_impl(vm, args, kwnames, "strip", crate::text::strip)
}
fn str_lstrip(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    strip_impl(vm, args, kwnames, "lstrip", crate::text::lstrip)
}
fn str_rstrip(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    strip_impl(vm, args, kwnames, "rstrip", crate::text::rstrip)
}

fn str_replace(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "replace", kwnames)?;
    method_arity(vm, "replace", args, 2, 3)?;
    let old = str_arg(vm, "replace() argument 1", args[1])?;
    let new = str_arg(vm, "replace() argument 2", args[2])?;
    let count = match args.get(3) {
        Some(c) => int_arg(vm, *c)?,
        None => -1,
    };
    // --- strings --- nothing replaced: the string itself, as CPython returns it.
    match crate::text::replace_if_found(this_str(args), old, new, count) {
        Some(r) => Ok(vm.new_string(r)),
        None => Ok(args[0]),
    }
}

fn str_map(
    vm: &mut Vm,
    args: &[Value],
    kwnames: Value,
    name: &str,
    f: fn(&str) -> String,
) -> PyResult<Value> {
    // --- genloop --- `s.upper()`: no arguments to check (the common call)
    if args.len() != 1 || !kwnames.is_null() {
        no_kw(vm, name, kwnames)?;
        method_arity(vm, name, args, 0, 0)?;
    }
    let r = f(this_str(args));
    Ok(vm.new_string(r))
}

fn str_upper(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    str_map(vm, args, kwnames, "upper", crate::text::upper)
}
fn str_lower(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    str_map(vm, args, kwnames, "lower", crate::text::lower)
}
fn str_capitalize(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    str_map(vm, args, kwnames, "capitalize", crate::text::capitalize)
}
fn str_title(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    str_map(vm, args, kwnames, "title", crate::text::title)
}

fn pred(
    vm: &mut Vm,
    args: &[Value],
    kwnames: Value,
    name: &str,
    f: fn(&str) -> bool,
) -> PyResult<Value> {
    no_kw(vm, name, kwnames)?;
    method_arity(vm, name, args, 0, 0)?;
    Ok(Value::bool(f(this_str(args))))
}

fn str_isdigit(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    pred(vm, args, kwnames, "isdigit", crate::text::isdigit)
}
fn str_isalpha(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    pred(vm, args, kwnames, "isalpha", crate::text::isalpha)
}
fn str_isspace(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    pred(vm, args, kwnames, "isspace", crate::text::isspace)
}

fn range_args(vm: &mut Vm, args: &[Value], from: usize) -> PyResult<(Option<i64>, Option<i64>)> {
    let mut out = [None, None];
    for (k, slot) in out.iter_mut().enumerate() {
        if let Some(v) = opt_none(args.get(from + k)) {
            *slot = Some(int_arg(vm, *v)?);
        }
    }
    Ok((out[0], out[1]))
}

fn affix(
    vm: &mut Vm,
    args: &[Value],
    kwnames: Value,
    name: &str,
    f: fn(&str, &str, Option<i64>, Option<i64>) -> bool,
) -> PyResult<Value> {
    // --- genloop --- `s.startswith("x")`: one str argument, nothing to check or convert
    if let ([_, p], true) = (args, kwnames.is_null()) {
        if let Some(p) = p.as_str() {
            return Ok(Value::bool(f(this_str(args), &p.s, None, None)));
        }
    }
    no_kw(vm, name, kwnames)?;
    method_arity(vm, name, args, 1, 3)?;
    let (start, end) = range_args(vm, args, 2)?;
    let s = this_str(args);
    if let Some(t) = args[1].as_tuple() {
        for p in t {
            let Some(p) = p.as_str() else {
                let msg = format!(
                    "tuple for {name} must only contain str, not {}",
                    type_name(*p)
                );
                return Err(vm.new_exc(Ty::TypeError, &msg));
            };
            if f(s, &p.s, start, end) {
                return Ok(Value::TRUE);
            }
        }
        return Ok(Value::FALSE);
    }
    let Some(p) = args[1].as_str() else {
        let t = type_name(args[1]);
        let msg = format!("{name} first arg must be str or a tuple of str, not {t}");
        return Err(vm.new_exc(Ty::TypeError, &msg));
    };
    Ok(Value::bool(f(s, &p.s, start, end)))
}

fn str_startswith(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    affix(vm, args, kwnames, "startswith", crate::text::startswith)
}
fn str_endswith(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    affix(vm, args, kwnames, "endswith", crate::text::endswith)
}

fn str_find(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "find", kwnames)?;
    method_arity(vm, "find", args, 1, 3)?;
    let sub = str_of_arg(vm, args[1])?;
    let (start, end) = range_args(vm, args, 2)?;
    Ok(vm.int(crate::text::find(this_str(args), sub, start, end)))
}

fn str_count(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "count", kwnames)?;
    method_arity(vm, "count", args, 1, 3)?;
    let sub = str_of_arg(vm, args[1])?;
    let (start, end) = range_args(vm, args, 2)?;
    Ok(vm.int(crate::text::count(this_str(args), sub, start, end)))
}

fn pad(
    vm: &mut Vm,
    args: &[Value],
    kwnames: Value,
    name: &str,
    f: fn(&str, i64, char) -> format::PyResult<String>,
) -> PyResult<Value> {
    no_kw(vm, name, kwnames)?;
    method_arity(vm, name, args, 1, 2)?;
    let w = int_arg(vm, args[1])?;
    let fill = match args.get(2) {
        None => ' ',
        Some(v) => match v.as_str() {
            Some(s) if s.chars() == 1 => s.s.chars().next().unwrap_or(' '),
            _ => {
                return Err(vm.new_exc(
                    Ty::TypeError,
                    "The fill character must be exactly one character long",
                ))
            }
        },
    };
    let r = f(this_str(args), w, fill).map_err(|e| crate::ops::exc(vm, e))?;
    Ok(vm.new_string(r))
}

fn str_ljust(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    pad(vm, args, kwnames, "ljust", crate::text::ljust)
}
fn str_rjust(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    pad(vm, args, kwnames, "rjust", crate::text::rjust)
}
fn str_center(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    pad(vm, args, kwnames, "center", crate::text::center)
}
fn str_zfill(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "zfill", kwnames)?;
    method_arity(vm, "zfill", args, 1, 1)?;
    let w = int_arg(vm, args[1])?;
    let r = crate::text::zfill(this_str(args), w).map_err(|e| crate::ops::exc(vm, e))?;
    Ok(vm.new_string(r))
}

// ----- list methods -----

fn this_list<'a>(args: &[Value]) -> &'a std::cell::RefCell<Vec<Value>> {
    args[0].as_list().expect("list method on a list")
}

/// The write barrier for a list method storing into (or moving items down to) `index` on.
fn list_barrier(vm: &mut Vm, args: &[Value], index: usize) {
    vm.heap
        .list_barrier(args[0].as_obj().expect("list method on a list"), index);
}

fn list_append(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "list.append", kwnames)?;
    method_arity(vm, "append", args, 1, 1)?;
    let len = this_list(args).borrow().len();
    vm.heap
        .list_store_barrier(args[0].as_obj().expect("list"), len, args[1]);
    this_list(args).borrow_mut().push(args[1]);
    Ok(Value::NONE)
}

fn list_pop(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "list.pop", kwnames)?;
    method_arity(vm, "pop", args, 0, 1)?;
    let l = this_list(args);
    let len = l.borrow().len();
    if len == 0 {
        return Err(vm.new_exc(Ty::IndexError, "pop from empty list"));
    }
    let i = match args.get(1) {
        Some(v) => int_arg(vm, *v)?,
        None => -1,
    };
    let i = if i < 0 { i + len as i64 } else { i };
    if !(0..len as i64).contains(&i) {
        return Err(vm.new_exc(Ty::IndexError, "pop index out of range"));
    }
    list_barrier(vm, args, i as usize);
    Ok(l.borrow_mut().remove(i as usize))
}

fn list_extend(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "list.extend", kwnames)?;
    method_arity(vm, "extend", args, 1, 1)?;
    let items = ops::collect(vm, args[1])?;
    let len = this_list(args).borrow().len();
    list_barrier(vm, args, len);
    this_list(args).borrow_mut().extend(items);
    Ok(Value::NONE)
}

fn list_insert(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "list.insert", kwnames)?;
    method_arity(vm, "insert", args, 2, 2)?;
    let l = this_list(args);
    let len = l.borrow().len() as i64;
    let i = int_arg(vm, args[1])?;
    let i = if i < 0 { (i + len).max(0) } else { i.min(len) };
    // Items after `i` move up, so only the new one can need recording.
    vm.heap
        .list_store_barrier(args[0].as_obj().expect("list"), i as usize, args[2]);
    l.borrow_mut().insert(i as usize, args[2]);
    Ok(Value::NONE)
}

fn list_reverse(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "list.reverse", kwnames)?;
    method_arity(vm, "reverse", args, 0, 0)?;
    list_barrier(vm, args, 0);
    this_list(args).borrow_mut().reverse();
    Ok(Value::NONE)
}

fn list_sort(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    let (pos, kws) = split_kw(args, kwnames);
    if pos.len() > 1 {
        return Err(vm.new_exc(Ty::TypeError, "sort() takes no positional arguments"));
    }
    let (key, reverse) = sort_kwargs(vm, kws, "sort")?;
    let l = this_list(args);
    let mut items = std::mem::take(&mut *l.borrow_mut());
    let r = sort_values(vm, &mut items, key, reverse);
    list_barrier(vm, args, 0);
    *l.borrow_mut() = items;
    r.map(|_| Value::NONE)
}

fn list_index(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "index", kwnames)?;
    method_arity(vm, "index", args, 1, 3)?;
    let items = ops::collect(vm, args[0])?;
    match ops::position_eq(vm, &items, args[1])? {
        Some(i) => Ok(vm.int(i as i64)),
        None if args[0].as_tuple().is_some() => {
            Err(vm.new_exc(Ty::ValueError, "tuple.index(x): x not in tuple"))
        }
        None => {
            let r = ops::repr(vm, args[1])?;
            Err(vm.new_exc(Ty::ValueError, &format!("{r} is not in list")))
        }
    }
}

fn list_count(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "count", kwnames)?;
    method_arity(vm, "count", args, 1, 1)?;
    let items = ops::collect(vm, args[0])?;
    let n = ops::count_eq(vm, &items, args[1])?;
    Ok(vm.int(n as i64))
}

fn list_copy(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "list.copy", kwnames)?;
    method_arity(vm, "copy", args, 0, 0)?;
    let items = this_list(args).borrow().clone();
    Ok(vm.new_list(items))
}

fn list_clear(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "list.clear", kwnames)?;
    method_arity(vm, "clear", args, 0, 0)?;
    this_list(args).borrow_mut().clear();
    Ok(Value::NONE)
}

fn list_remove(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "list.remove", kwnames)?;
    method_arity(vm, "remove", args, 1, 1)?;
    let l = this_list(args);
    let items = l.borrow().clone();
    let pos = ops::position_eq(vm, &items, args[1])?;
    match pos {
        Some(i) => {
            list_barrier(vm, args, i);
            l.borrow_mut().remove(i);
            Ok(Value::NONE)
        }
        None => Err(vm.new_exc(Ty::ValueError, "list.remove(x): x not in list")),
    }
}

// ----- dict and set methods -----

fn dict_get(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "dict.get", kwnames)?;
    method_arity(vm, "get", args, 1, 2)?;
    Ok(ops::dict_get(vm, args[0], args[1])?.unwrap_or(args.get(2).copied().unwrap_or(Value::NONE)))
}

fn view(vm: &mut Vm, args: &[Value], kwnames: Value, name: &str, kind: u8) -> PyResult<Value> {
    no_kw(vm, name, kwnames)?;
    method_arity(vm, name, args, 0, 0)?;
    Ok(vm.heap.alloc(ObjKind::DictView {
        dict: args[0],
        kind,
    }))
}

fn dict_keys(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    view(vm, args, kwnames, "keys", 0)
}
fn dict_values(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    view(vm, args, kwnames, "values", 1)
}
fn dict_items(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    view(vm, args, kwnames, "items", 2)
}

fn dict_pop(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "dict.pop", kwnames)?;
    method_arity(vm, "pop", args, 1, 2)?;
    match ops::dict_del(vm, args[0], args[1])? {
        Some(v) => Ok(v),
        None => match args.get(2) {
            Some(d) => Ok(*d),
            None => Err(ops::key_error(vm, args[1])),
        },
    }
}

fn dict_setdefault(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "dict.setdefault", kwnames)?;
    method_arity(vm, "setdefault", args, 1, 2)?;
    if let Some(v) = ops::dict_get(vm, args[0], args[1])? {
        return Ok(v);
    }
    let d = args.get(2).copied().unwrap_or(Value::NONE);
    ops::dict_set(vm, args[0], args[1], d)?;
    Ok(d)
}

fn dict_update(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    let (pos, kws) = split_kw(args, kwnames);
    if let Some(&src) = pos.get(1) {
        let tmp = construct(vm, Ty::Dict, &[src], Value::NULL)?;
        let es: Vec<(Value, Value)> = tmp
            .as_dict()
            .expect("dict")
            .borrow()
            .iter()
            .map(|e| (e.key, e.value))
            .collect();
        for (k, v) in es {
            ops::dict_set(vm, args[0], k, v)?;
        }
    }
    for (k, v) in kws {
        let key = vm.intern(k);
        ops::dict_set(vm, args[0], key, v)?;
    }
    Ok(Value::NONE)
}

fn dict_copy(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "dict.copy", kwnames)?;
    construct(vm, Ty::Dict, &args[..1], Value::NULL)
}

fn dict_clear(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "dict.clear", kwnames)?;
    if let Some(d) = args[0].as_dict() {
        d.borrow_mut().clear();
    }
    Ok(Value::NONE)
}
