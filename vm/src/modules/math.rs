//! The `math` module: constants and the functions ordinary code uses, with CPython's results
//! (libm, as CPython calls it) and errors ("math domain error", "math range error", the
//! int-conversion messages of floor/ceil).

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive, Zero};

use super::{add_functions, module, nargs, no_kw, set};
use crate::format;
use crate::interp::Vm;
use crate::object::{NativeFn, Ty};
use crate::ops;
use crate::value::Value;
use crate::PyResult;

pub fn install(vm: &mut Vm) {
    let m = module(vm, "math");
    for (name, v) in [
        ("pi", std::f64::consts::PI),
        ("e", std::f64::consts::E),
        ("tau", std::f64::consts::TAU),
        ("inf", f64::INFINITY),
        ("nan", f64::NAN),
    ] {
        set(vm, m, name, Value::float(v));
    }
    let fns: &[(&'static str, NativeFn)] = &[
        ("sqrt", sqrt),
        ("exp", exp),
        ("log", log),
        ("log2", log2),
        ("log10", log10),
        ("sin", sin),
        ("cos", cos),
        ("tan", tan),
        ("asin", asin),
        ("acos", acos),
        ("atan", atan),
        ("atan2", atan2),
        ("sinh", sinh),
        ("cosh", cosh),
        ("tanh", tanh),
        ("fabs", fabs),
        ("floor", floor),
        ("ceil", ceil),
        ("trunc", trunc),
        ("pow", pow),
        ("hypot", hypot),
        ("fmod", fmod),
        ("copysign", copysign),
        ("degrees", degrees),
        ("radians", radians),
        ("isnan", isnan),
        ("isinf", isinf),
        ("isfinite", isfinite),
        ("isqrt", isqrt),
        ("gcd", gcd),
        ("lcm", lcm),
        ("factorial", factorial),
        ("comb", comb),
        ("perm", perm),
        ("prod", prod),
        ("fsum", fsum),
        ("modf", modf),
        ("isclose", isclose),
    ];
    add_functions(vm, m, fns);
}

// ----- argument conversion -----

/// A real-number argument as f64 (`must be real number, not str`; big ints may overflow).
fn real(vm: &mut Vm, v: Value) -> PyResult<f64> {
    if v.is_float() {
        return Ok(v.as_float());
    }
    if v.is_small_int() {
        return Ok(v.as_small_int() as f64);
    }
    if v.is_bool() {
        return Ok(v.as_bool() as i64 as f64);
    }
    if let Some(b) = v.as_bigint() {
        return format::bigint_to_f64(b).map_err(|e| ops::exc(vm, e));
    }
    let t = ops::type_name(v);
    Err(vm.new_exc(Ty::TypeError, &format!("must be real number, not {t}")))
}

/// An integer argument (`'float' object cannot be interpreted as an integer`).
fn integer(vm: &mut Vm, v: Value) -> PyResult<BigInt> {
    if v.is_float() || ops::big_of(v).is_none() {
        let t = ops::type_name(v);
        return Err(vm.new_exc(
            Ty::TypeError,
            &format!("'{t}' object cannot be interpreted as an integer"),
        ));
    }
    Ok(ops::big_of(v).unwrap_or_default())
}

fn domain(vm: &mut Vm) -> crate::PyErr {
    vm.new_exc(Ty::ValueError, "math domain error")
}

fn range(vm: &mut Vm) -> crate::PyErr {
    vm.new_exc(Ty::OverflowError, "math range error")
}

/// CPython's `math_1`: NaN from a non-NaN argument is a domain error, an infinite result from a
/// finite argument a range error (or a domain error for functions with poles, `can_overflow`
/// false).
fn math_1(
    vm: &mut Vm,
    name: &str,
    args: &[Value],
    kwnames: Value,
    f: fn(f64) -> f64,
    can_overflow: bool,
) -> PyResult<Value> {
    no_kw(vm, name, kwnames)?;
    nargs(vm, name, args, 1, 1)?;
    let x = real(vm, args[0])?;
    let r = f(x);
    if r.is_nan() && !x.is_nan() {
        return Err(domain(vm));
    }
    if r.is_infinite() && x.is_finite() {
        return Err(if can_overflow { range(vm) } else { domain(vm) });
    }
    Ok(Value::float(r))
}

macro_rules! unary {
    ($($name:ident = $f:expr, $overflow:expr;)*) => {
        $(
            fn $name(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
                math_1(vm, stringify!($name), args, kwnames, $f, $overflow)
            }
        )*
    };
}

unary! {
    exp = f64::exp, true;
    sin = f64::sin, false;
    cos = f64::cos, false;
    tan = f64::tan, false;
    asin = f64::asin, false;
    acos = f64::acos, false;
    atan = f64::atan, false;
    sinh = f64::sinh, true;
    cosh = f64::cosh, true;
    tanh = f64::tanh, false;
    fabs = f64::abs, false;
    degrees = f64::to_degrees, true;
    radians = f64::to_radians, false;
}

fn sqrt(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "sqrt", kwnames)?;
    nargs(vm, "sqrt", args, 1, 1)?;
    let x = real(vm, args[0])?;
    if x < 0.0 {
        return Err(domain(vm));
    }
    Ok(Value::float(x.sqrt()))
}

/// log of any positive int, exactly as CPython's `loghelper` does for big ints: frexp-style
/// split so huge ints do not overflow.
fn log_of(vm: &mut Vm, v: Value, f: fn(f64) -> f64) -> PyResult<f64> {
    if let Some(b) = v.as_bigint() {
        if !b.is_positive() {
            return Err(domain(vm));
        }
        match b.to_f64().filter(|x| x.is_finite()) {
            Some(x) => return Ok(f(x)),
            None => {
                // x = m * 2**e with m in [0.5, 1): log(x) = log(m) + e * log(2).
                let e = b.bits() as i64;
                let shift = e - 60;
                let top = (b >> shift as usize).to_f64().unwrap_or(1.0);
                let m = top / 2f64.powi(60);
                return Ok(f(m) + e as f64 * f(2.0));
            }
        }
    }
    let x = real(vm, v)?;
    if x <= 0.0 {
        return Err(domain(vm));
    }
    Ok(f(x))
}

fn log(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "log", kwnames)?;
    nargs(vm, "log", args, 1, 2)?;
    let num = log_of(vm, args[0], f64::ln)?;
    if let Some(&b) = args.get(1) {
        let den = log_of(vm, b, f64::ln)?;
        if den == 0.0 {
            return Err(vm.new_exc(Ty::ZeroDivisionError, "float division by zero"));
        }
        return Ok(Value::float(num / den));
    }
    Ok(Value::float(num))
}

fn log2(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "log2", kwnames)?;
    nargs(vm, "log2", args, 1, 1)?;
    Ok(Value::float(log_of(vm, args[0], f64::log2)?))
}

fn log10(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "log10", kwnames)?;
    nargs(vm, "log10", args, 1, 1)?;
    Ok(Value::float(log_of(vm, args[0], f64::log10)?))
}

/// floor/ceil/trunc: ints unchanged, floats rounded to an int (with CPython's errors).
fn round_with(
    vm: &mut Vm,
    name: &str,
    args: &[Value],
    kwnames: Value,
    f: fn(f64) -> f64,
) -> PyResult<Value> {
    no_kw(vm, name, kwnames)?;
    nargs(vm, name, args, 1, 1)?;
    let v = args[0];
    if v.is_small_int() || v.as_bigint().is_some() {
        return Ok(v);
    }
    if v.is_bool() {
        return Ok(Value::small_int(v.as_bool() as i64));
    }
    let x = real(vm, v)?;
    let r = f(x);
    if r.is_nan() {
        return Err(vm.new_exc(Ty::ValueError, "cannot convert float NaN to integer"));
    }
    if r.is_infinite() {
        return Err(vm.new_exc(
            Ty::OverflowError,
            "cannot convert float infinity to integer",
        ));
    }
    if r.abs() < 9.0e15 {
        return Ok(vm.int(r as i64));
    }
    let b = format::float_to_bigint(r).map_err(|e| ops::exc(vm, e))?;
    Ok(vm.bigint(b))
}

fn floor(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    round_with(vm, "floor", args, kwnames, f64::floor)
}

fn ceil(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    round_with(vm, "ceil", args, kwnames, f64::ceil)
}

fn trunc(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    round_with(vm, "trunc", args, kwnames, f64::trunc)
}

fn two(vm: &mut Vm, name: &str, args: &[Value], kwnames: Value) -> PyResult<(f64, f64)> {
    no_kw(vm, name, kwnames)?;
    nargs(vm, name, args, 2, 2)?;
    Ok((real(vm, args[0])?, real(vm, args[1])?))
}

fn pow(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    let (x, y) = two(vm, "pow", args, kwnames)?;
    // CPython's special cases before libm.
    if x == 0.0 && y < 0.0 && y.is_finite() {
        return Err(domain(vm));
    }
    if x < 0.0 && x.is_finite() && y.is_finite() && y.fract() != 0.0 {
        return Err(domain(vm));
    }
    let r = x.powf(y);
    if r.is_infinite() && x.is_finite() && y.is_finite() {
        return Err(range(vm));
    }
    Ok(Value::float(r))
}

fn atan2(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    let (y, x) = two(vm, "atan2", args, kwnames)?;
    Ok(Value::float(y.atan2(x)))
}

fn fmod(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    let (x, y) = two(vm, "fmod", args, kwnames)?;
    if y == 0.0 && !x.is_nan() || x.is_infinite() && !y.is_nan() {
        return Err(domain(vm));
    }
    Ok(Value::float(x % y))
}

fn copysign(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    let (x, y) = two(vm, "copysign", args, kwnames)?;
    Ok(Value::float(x.copysign(y)))
}

fn hypot(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "hypot", kwnames)?;
    let mut acc = 0.0f64;
    let mut xs = Vec::with_capacity(args.len());
    for a in args {
        xs.push(real(vm, *a)?);
    }
    if xs.iter().any(|x| x.is_infinite()) {
        return Ok(Value::float(f64::INFINITY));
    }
    if xs.len() == 2 {
        return Ok(Value::float(xs[0].hypot(xs[1])));
    }
    for x in xs {
        acc = acc.hypot(x);
    }
    Ok(Value::float(acc))
}

fn predicate(
    vm: &mut Vm,
    name: &str,
    args: &[Value],
    kwnames: Value,
    f: fn(f64) -> bool,
) -> PyResult<Value> {
    no_kw(vm, name, kwnames)?;
    nargs(vm, name, args, 1, 1)?;
    let x = real(vm, args[0])?;
    Ok(Value::bool(f(x)))
}

fn isnan(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    predicate(vm, "isnan", args, kwnames, f64::is_nan)
}

fn isinf(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    predicate(vm, "isinf", args, kwnames, f64::is_infinite)
}

fn isfinite(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    predicate(vm, "isfinite", args, kwnames, f64::is_finite)
}

fn isclose(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    let names = kwnames.as_tuple().unwrap_or(&[]);
    let npos = args.len() - names.len();
    nargs(vm, "isclose", &args[..npos], 2, 2)?;
    let (a, b) = (real(vm, args[0])?, real(vm, args[1])?);
    let (mut rel, mut abs) = (1e-09, 0.0);
    for (n, v) in names.iter().zip(&args[npos..]) {
        match ops::str_of(*n) {
            "rel_tol" => rel = real(vm, *v)?,
            "abs_tol" => abs = real(vm, *v)?,
            other => {
                let msg = format!("isclose() got an unexpected keyword argument '{other}'");
                return Err(vm.new_exc(Ty::TypeError, &msg));
            }
        }
    }
    if rel < 0.0 || abs < 0.0 {
        return Err(vm.new_exc(Ty::ValueError, "tolerances must be non-negative"));
    }
    if a == b {
        return Ok(Value::TRUE);
    }
    if a.is_infinite() || b.is_infinite() {
        return Ok(Value::FALSE);
    }
    let diff = (b - a).abs();
    Ok(Value::bool(
        diff <= (rel * b).abs() || diff <= (rel * a).abs() || diff <= abs,
    ))
}

fn modf(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "modf", kwnames)?;
    nargs(vm, "modf", args, 1, 1)?;
    let x = real(vm, args[0])?;
    let (f, i) = if x.is_infinite() {
        (0.0f64.copysign(x), x)
    } else {
        (x.fract(), x.trunc())
    };
    Ok(vm.new_tuple(vec![Value::float(f), Value::float(i)]))
}

fn isqrt(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "isqrt", kwnames)?;
    nargs(vm, "isqrt", args, 1, 1)?;
    let n = integer(vm, args[0])?;
    if n.is_negative() {
        return Err(vm.new_exc(Ty::ValueError, "isqrt() argument must be nonnegative"));
    }
    Ok(vm.bigint(n.sqrt()))
}

fn gcd(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "gcd", kwnames)?;
    let mut g = BigInt::zero();
    for a in args {
        let n = integer(vm, *a)?;
        g = g.gcd(&n);
    }
    Ok(vm.bigint(g))
}

fn lcm(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "lcm", kwnames)?;
    let mut l = BigInt::one();
    for a in args {
        let n = integer(vm, *a)?;
        if n.is_zero() {
            l = BigInt::zero();
        } else if !l.is_zero() {
            l = l.lcm(&n);
        }
    }
    Ok(vm.bigint(l.abs()))
}

fn factorial(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "factorial", kwnames)?;
    nargs(vm, "factorial", args, 1, 1)?;
    let n = integer(vm, args[0])?;
    if n.is_negative() {
        return Err(vm.new_exc(
            Ty::ValueError,
            "factorial() not defined for negative values",
        ));
    }
    let n = n.to_u64().unwrap_or(u64::MAX);
    let mut acc = BigInt::one();
    for i in 2..=n {
        acc *= i;
    }
    Ok(vm.bigint(acc))
}

fn comb_perm(
    vm: &mut Vm,
    name: &str,
    args: &[Value],
    kwnames: Value,
) -> PyResult<(BigInt, BigInt)> {
    no_kw(vm, name, kwnames)?;
    nargs(vm, name, args, 2, 2)?;
    let (n, k) = (integer(vm, args[0])?, integer(vm, args[1])?);
    if n.is_negative() {
        return Err(vm.new_exc(Ty::ValueError, "n must be a non-negative integer"));
    }
    if k.is_negative() {
        return Err(vm.new_exc(Ty::ValueError, "k must be a non-negative integer"));
    }
    Ok((n, k))
}

fn perm_big(n: &BigInt, k: &BigInt) -> BigInt {
    if k > n {
        return BigInt::zero();
    }
    let mut acc = BigInt::one();
    let mut i = BigInt::zero();
    while &i < k {
        acc *= n - &i;
        i += 1;
    }
    acc
}

fn comb(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    let (n, k) = comb_perm(vm, "comb", args, kwnames)?;
    if k > n {
        return Ok(Value::small_int(0));
    }
    let k = std::cmp::min(k.clone(), &n - &k);
    let num = perm_big(&n, &k);
    let den = perm_big(&k, &k);
    Ok(vm.bigint(num / den))
}

fn perm(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    let (n, k) = comb_perm(vm, "perm", args, kwnames)?;
    Ok(vm.bigint(perm_big(&n, &k)))
}

fn prod(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    let names = kwnames.as_tuple().unwrap_or(&[]);
    let npos = args.len() - names.len();
    nargs(vm, "prod", &args[..npos], 1, 1)?;
    let mut acc = Value::small_int(1);
    for (n, v) in names.iter().zip(&args[npos..]) {
        if ops::str_of(*n) == "start" {
            acc = *v;
        } else {
            let msg = format!(
                "prod() got an unexpected keyword argument '{}'",
                ops::str_of(*n)
            );
            return Err(vm.new_exc(Ty::TypeError, &msg));
        }
    }
    let items = ops::collect(vm, args[0])?;
    for x in items {
        acc = ops::binary_op(vm, nanopy_compiler::bytecode::BinaryOp::Multiply, acc, x)?;
    }
    Ok(acc)
}

/// Shewchuk's exact summation, as CPython's `math_fsum`.
fn fsum(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "fsum", kwnames)?;
    nargs(vm, "fsum", args, 1, 1)?;
    let items = ops::collect(vm, args[0])?;
    let mut partials: Vec<f64> = Vec::new();
    let mut special = 0.0f64;
    let mut inf_sum = 0.0f64;
    for v in items {
        let mut x = real(vm, v)?;
        if !x.is_finite() {
            if x.is_infinite() {
                inf_sum += x;
            }
            special += x;
            continue;
        }
        let mut i = 0;
        for j in 0..partials.len() {
            let mut y = partials[j];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            let lo = y - (hi - x);
            if lo != 0.0 {
                partials[i] = lo;
                i += 1;
            }
            x = hi;
        }
        partials.truncate(i);
        partials.push(x);
    }
    if special != 0.0 {
        if inf_sum.is_nan() {
            return Err(vm.new_exc(Ty::ValueError, "-inf + inf in fsum"));
        }
        return Ok(Value::float(special));
    }
    let mut hi = 0.0f64;
    let mut n = partials.len();
    if n > 0 {
        n -= 1;
        hi = partials[n];
        let mut lo = 0.0;
        while n > 0 {
            let x = hi;
            n -= 1;
            let y = partials[n];
            hi = x + y;
            let yr = hi - x;
            lo = y - yr;
            if lo != 0.0 {
                break;
            }
        }
        if n > 0 && ((lo < 0.0 && partials[n - 1] < 0.0) || (lo > 0.0 && partials[n - 1] > 0.0)) {
            let y = lo * 2.0;
            let x = hi + y;
            let yr = x - hi;
            if y == yr {
                hi = x;
            }
        }
    }
    Ok(Value::float(hi))
}
