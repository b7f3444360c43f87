//! Integer methods and the radix builtins: `int.bit_length`, `int.bit_count`,
//! `hex`/`oct`/`bin`, with CPython's messages. Arithmetic itself is in `ops`.

use num_bigint::BigInt;

use crate::format;
use crate::interp::Vm;
use crate::object::{NativeFn, Ty};
use crate::ops::{self, type_name};
use crate::value::Value;
use crate::PyResult;

fn no_kw(vm: &mut Vm, name: &str, kwnames: Value) -> PyResult<()> {
    if kwnames.as_tuple().is_some_and(|t| !t.is_empty()) {
        return Err(vm.new_exc(
            Ty::TypeError,
            &format!("{name}() takes no keyword arguments"),
        ));
    }
    Ok(())
}

/// The receiver of an int method (int or bool) as a big int.
fn recv(vm: &mut Vm, name: &str, args: &[Value], kwnames: Value) -> PyResult<BigInt> {
    no_kw(vm, name, kwnames)?;
    if args.len() != 1 {
        let n = args.len() - 1;
        return Err(vm.new_exc(
            Ty::TypeError,
            &format!("{name}() takes no arguments ({n} given)"),
        ));
    }
    Ok(ops::big_of(args[0]).unwrap_or_default())
}

fn bit_length(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    if let Some(i) = args.first().filter(|v| v.is_small_int() && args.len() == 1) {
        let n = i.as_small_int().unsigned_abs();
        return Ok(Value::small_int((64 - n.leading_zeros()) as i64));
    }
    let b = recv(vm, "int.bit_length", args, kwnames)?;
    Ok(vm.int(b.bits() as i64))
}

fn bit_count(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    let b = recv(vm, "int.bit_count", args, kwnames)?;
    let ones: u64 = b
        .magnitude()
        .to_u64_digits()
        .iter()
        .map(|d| d.count_ones() as u64)
        .sum();
    Ok(vm.int(ones as i64))
}

/// `hex(x)`, `oct(x)`, `bin(x)`: any int (or bool) with its prefix.
fn radix(vm: &mut Vm, name: &str, base: u32, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, name, kwnames)?;
    if args.len() != 1 {
        let n = args.len();
        return Err(vm.new_exc(
            Ty::TypeError,
            &format!("{name}() takes exactly one argument ({n} given)"),
        ));
    }
    let v = args[0];
    let s = if v.is_small_int() {
        format::int_str::i64_to_prefixed(v.as_small_int(), base)
    } else if let Some(b) = ops::big_of(v) {
        format::int_str::int_to_prefixed(&b, base)
    } else {
        let t = type_name(v);
        return Err(vm.new_exc(
            Ty::TypeError,
            &format!("'{t}' object cannot be interpreted as an integer"),
        ));
    };
    Ok(vm.new_string(s))
}

fn hex(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    radix(vm, "hex", 16, args, kwnames)
}

fn oct(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    radix(vm, "oct", 8, args, kwnames)
}

fn bin(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    radix(vm, "bin", 2, args, kwnames)
}

/// Builtin functions defined here.
pub fn functions() -> &'static [(&'static str, NativeFn)] {
    &[("hex", hex), ("oct", oct), ("bin", bin)]
}

/// Methods of int (and bool, which inherits them).
pub fn methods() -> &'static [(Ty, &'static str, NativeFn)] {
    &[
        (Ty::Int, "bit_length", bit_length),
        (Ty::Int, "bit_count", bit_count),
        (Ty::Bool, "bit_length", bit_length),
        (Ty::Bool, "bit_count", bit_count),
    ]
}
