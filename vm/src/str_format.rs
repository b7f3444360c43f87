//! `str.format(*args, **kwargs)` and `str.format_map(mapping)`: the VM's side of
//! `format::template::FormatFields` (argument lookup, `.attr`/`[key]` access, `!s`/`!r`/`!a`,
//! and `format(value, spec)`), wired as str methods. The template walking is in
//! `format/template.rs`.

use std::cell::RefCell;

use crate::format::{self, Accessor, FormatFields, PyExc, TextConv};
use crate::interp::Vm;
use crate::object::{NativeFn, Ty};
use crate::ops;
use crate::value::Value;
use crate::{PyErr, PyResult};

/// A template error: raised by the template walker (a `PyExc`) or by the VM.
enum FmtErr {
    Py(PyErr),
    Exc(PyExc),
}

impl From<PyExc> for FmtErr {
    fn from(e: PyExc) -> FmtErr {
        FmtErr::Exc(e)
    }
}

struct Fields<'a> {
    vm: RefCell<&'a mut Vm>,
    args: &'a [Value],
    /// A dict (format_map's mapping, or the keyword arguments) or NULL.
    kwargs: Value,
    map_only: bool,
}

impl Fields<'_> {
    fn py<T>(&self, r: PyResult<T>) -> Result<T, FmtErr> {
        r.map_err(FmtErr::Py)
    }
}

impl FormatFields for Fields<'_> {
    type Value = Value;
    type Error = FmtErr;

    fn positional(&self, i: usize) -> Result<Option<Value>, FmtErr> {
        if self.map_only {
            return Err(FmtErr::Exc(PyExc::value(
                "Format string contains positional fields",
            )));
        }
        Ok(self.args.get(i).copied())
    }

    fn keyword(&self, name: &str) -> Result<Value, FmtErr> {
        let mut vm = self.vm.borrow_mut();
        let key = vm.new_str(name);
        let found = if self.kwargs.is_null() {
            None
        } else if self.kwargs.as_dict().is_some() {
            let r = ops::dict_get(&mut vm, self.kwargs, key);
            self.py(r)?
        } else {
            let r = ops::getitem(&mut vm, self.kwargs, key);
            Some(self.py(r)?)
        };
        match found {
            Some(v) => Ok(v),
            None => Err(FmtErr::Py(ops::key_error(&mut vm, key))),
        }
    }

    fn access(&self, v: Value, step: Accessor<'_>) -> Result<Value, FmtErr> {
        let mut vm = self.vm.borrow_mut();
        let r = match step {
            Accessor::Attr(name) => {
                let n = vm.intern(name);
                ops::getattr(&mut vm, v, n)
            }
            Accessor::Index(i) => {
                let k = vm.int(i as i64);
                ops::getitem(&mut vm, v, k)
            }
            Accessor::Key(k) => {
                let k = vm.new_str(k);
                ops::getitem(&mut vm, v, k)
            }
        };
        self.py(r)
    }

    fn convert(&self, v: Value, conv: TextConv) -> Result<Value, FmtErr> {
        let mut vm = self.vm.borrow_mut();
        let r = match conv {
            TextConv::Str => ops::to_str_value(&mut vm, v),
            TextConv::Repr => ops::repr(&mut vm, v).map(|s| vm.new_string(s)),
            TextConv::Ascii => ops::repr(&mut vm, v)
                .map(|s| crate::text::ascii_escape(&s))
                .map(|s| vm.new_string(s)),
        };
        self.py(r)
    }

    fn format(&self, v: &Value, spec: &str) -> Result<String, FmtErr> {
        let mut vm = self.vm.borrow_mut();
        let r = ops::format(&mut vm, *v, spec);
        self.py(r)
    }
}

fn run(
    vm: &mut Vm,
    template: Value,
    args: &[Value],
    kwargs: Value,
    map_only: bool,
) -> PyResult<Value> {
    let text = ops::str_of(template).to_string();
    let r = {
        let fields = Fields {
            vm: RefCell::new(&mut *vm),
            args,
            kwargs,
            map_only,
        };
        format::str_format(&text, &fields)
    };
    match r {
        Ok(s) => Ok(vm.new_string(s)),
        Err(FmtErr::Py(e)) => Err(e),
        Err(FmtErr::Exc(e)) => Err(ops::exc(vm, e)),
    }
}

/// `template.format(*args, **kwargs)`.
fn str_format(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    let Some(&template) = args.first().filter(|v| v.as_str().is_some()) else {
        return Err(vm.new_exc(
            Ty::TypeError,
            "descriptor 'format' for 'str' objects doesn't apply to a non-str object",
        ));
    };
    let names = kwnames.as_tuple().unwrap_or(&[]);
    let npos = args.len() - names.len();
    let kwargs = if names.is_empty() {
        Value::NULL
    } else {
        let d = vm.new_dict(crate::dict::Dict::new());
        for (k, v) in names.iter().zip(&args[npos..]) {
            ops::dict_set(vm, d, *k, *v)?;
        }
        d
    };
    vm.native_roots.push(kwargs);
    let r = run(vm, template, &args[1..npos], kwargs, false);
    vm.native_roots.pop();
    r
}

/// `template.format_map(mapping)`.
fn str_format_map(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    if kwnames.as_tuple().is_some_and(|t| !t.is_empty()) {
        return Err(vm.new_exc(Ty::TypeError, "str.format_map() takes no keyword arguments"));
    }
    if args.len() != 2 {
        let n = args.len().saturating_sub(1);
        return Err(vm.new_exc(
            Ty::TypeError,
            &format!("format_map() takes exactly one argument ({n} given)"),
        ));
    }
    run(vm, args[0], &[], args[1], true)
}

/// The str methods defined here.
pub fn methods() -> &'static [(Ty, &'static str, NativeFn)] {
    &[
        (Ty::Str, "format", str_format),
        (Ty::Str, "format_map", str_format_map),
    ]
}
