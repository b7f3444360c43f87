//! Binding call arguments to parameters (the general call path): defaults, keyword arguments,
//! keyword-only parameters, `*args`, `**kwargs`, with CPython's error messages.

use crate::dict::Dict;
use crate::interp::Vm;
use crate::object::{Code, Function, Ty};
use crate::value::Value;
use crate::{ops, PyResult};

/// Fill the local slots `locals` (`nlocals` values, all NULL on entry; NULL stays for unbound)
/// for a call of `func` with `args` (positional then keyword values named by `kwnames`).
pub fn bind_args(
    vm: &mut Vm,
    func: &Function,
    c: &Code,
    args: &[Value],
    kwnames: Value,
    locals: &mut [Value],
) -> PyResult<()> {
    let names = kwnames.as_tuple().map_or(&[][..], |t| t);
    let npos = args.len() - names.len();
    let kw = names.iter().copied().zip(args[npos..].iter().copied());
    bind(vm, func, c, &args[..npos], kw, locals)
}

// --- features ---
/// `bind_args` with the keyword arguments as (name, value) pairs from any source: a call's
/// kwnames tuple, or the `**` dict of a star-call read in place (no kwnames tuple, no copy of
/// the values). Every name must be a str.
pub fn bind<K>(
    vm: &mut Vm,
    func: &Function,
    c: &Code,
    args: &[Value],
    kw: K,
    locals: &mut [Value],
) -> PyResult<()>
where
    K: Iterator<Item = (Value, Value)> + Clone,
{
    let co = &c.src;
    let npos = args.len();
    let argcount = co.argcount as usize;
    let kwonly = co.kwonlyargcount as usize;
    let posonly = co.posonlyargcount as usize;
    let has_varargs = co.flags.has(nanopy_compiler::bytecode::CodeFlags::VARARGS);
    let has_varkw = co
        .flags
        .has(nanopy_compiler::bytecode::CodeFlags::VARKEYWORDS);
    let fname: &str = &co.qualname;
    locals[..npos.min(argcount)].copy_from_slice(&args[..npos.min(argcount)]);
    let mut slot = argcount + kwonly;
    if has_varargs {
        let extra = if npos > argcount {
            args[argcount..npos].to_vec()
        } else {
            vec![]
        };
        locals[slot] = vm.new_tuple(extra);
        slot += 1;
    }
    let kwdict = if has_varkw {
        let d = vm.new_dict(Dict::new());
        locals[slot] = d;
        Some(d)
    } else {
        None
    };
    for (name, v) in kw.clone() {
        let n = ops::str_of(name);
        let pos = co.varnames[posonly..argcount + kwonly]
            .iter()
            .position(|p| &**p == n)
            .map(|p| p + posonly);
        match pos {
            Some(p) => {
                if !locals[p].is_null() {
                    let msg = format!("{fname}() got multiple values for argument '{n}'");
                    return Err(vm.new_exc(Ty::TypeError, &msg));
                }
                locals[p] = v;
            }
            None => match kwdict {
                // The names are distinct str (the compiler rejects repeated keywords; a
                // dict's keys are distinct), so the cached str hash and a plain insert do.
                Some(d) => {
                    let h = name.as_str().map_or(0, |s| s.hash());
                    vm.heap.barrier(d);
                    if let Some(d) = d.as_dict() {
                        d.borrow_mut().insert(h, name, v, |x| ops::eq_fast(x, name));
                    }
                }
                None => {
                    // CPython names positional-only parameters passed by keyword first.
                    let named: Vec<String> = kw
                        .map(|(k, _)| ops::str_of(k))
                        .filter(|k| co.varnames[..posonly].iter().any(|p| &**p == *k))
                        .map(|k| format!("'{k}'"))
                        .collect();
                    let msg = if named.is_empty() {
                        format!("{fname}() got an unexpected keyword argument '{n}'")
                    } else {
                        format!(
                            "{fname}() got some positional-only arguments passed as keyword arguments: {}",
                            named.join(", ")
                        )
                    };
                    return Err(vm.new_exc(Ty::TypeError, &msg));
                }
            },
        }
    }
    if npos > argcount && !has_varargs {
        return Err(too_many_positional(vm, func, c, fname, npos, locals));
    }
    // Defaults for missing positionals.
    let defaults = func.defaults.as_tuple().unwrap_or(&[]);
    let first_default = argcount - defaults.len();
    let mut missing = Vec::new();
    for i in 0..argcount {
        if locals[i].is_null() {
            if i >= first_default {
                locals[i] = defaults[i - first_default];
            } else {
                missing.push(format!("'{}'", co.varnames[i]));
            }
        }
    }
    if !missing.is_empty() {
        return Err(missing_error(vm, fname, "positional", &missing));
    }
    #[allow(clippy::needless_range_loop)]
    for i in argcount..argcount + kwonly {
        if locals[i].is_null() {
            let d = if func.kwdefaults.is_null() {
                None
            } else {
                ops::dict_get_str(func.kwdefaults, vm.intern(&co.varnames[i]))
            };
            match d {
                Some(v) => locals[i] = v,
                None => missing.push(format!("'{}'", co.varnames[i])),
            }
        }
    }
    if !missing.is_empty() {
        return Err(missing_error(vm, fname, "keyword-only", &missing));
    }
    Ok(())
}

/// CPython's `too_many_positional` message (checked after the keywords, as CPython does).
fn too_many_positional(
    vm: &mut Vm,
    func: &Function,
    c: &Code,
    fname: &str,
    given: usize,
    locals: &[Value],
) -> crate::PyErr {
    let co = &c.src;
    let argcount = co.argcount as usize;
    let kwonly = co.kwonlyargcount as usize;
    let kwonly_given = locals[argcount..argcount + kwonly]
        .iter()
        .filter(|v| !v.is_null())
        .count();
    let defaults = func.defaults.as_tuple().map_or(0, |t| t.len());
    let (sig, plural) = if defaults > 0 {
        (
            format!("from {} to {}", argcount - defaults, argcount),
            true,
        )
    } else {
        (argcount.to_string(), argcount != 1)
    };
    let kwonly_sig = if kwonly_given > 0 {
        format!(
            " positional argument{} (and {} keyword-only argument{})",
            if given != 1 { "s" } else { "" },
            kwonly_given,
            if kwonly_given != 1 { "s" } else { "" }
        )
    } else {
        String::new()
    };
    let was = if given == 1 && kwonly_given == 0 {
        "was"
    } else {
        "were"
    };
    let s = if plural { "s" } else { "" };
    vm.new_exc(
        Ty::TypeError,
        &format!(
            "{fname}() takes {sig} positional argument{s} but {given}{kwonly_sig} {was} given"
        ),
    )
}

fn missing_error(vm: &mut Vm, fname: &str, kind: &str, missing: &[String]) -> crate::PyErr {
    let n = missing.len();
    let list = match n {
        1 => missing[0].clone(),
        2 => format!("{} and {}", missing[0], missing[1]),
        _ => format!("{}, and {}", missing[..n - 1].join(", "), missing[n - 1]),
    };
    let s = if n == 1 { "" } else { "s" };
    vm.new_exc(
        Ty::TypeError,
        &format!("{fname}() missing {n} required {kind} argument{s}: {list}"),
    )
}
