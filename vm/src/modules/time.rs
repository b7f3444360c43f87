//! The `time` module: `time`, `perf_counter`, `monotonic`, `process_time`, `sleep`.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use super::{add_functions, module, nargs, no_kw};
use crate::interp::Vm;
use crate::object::Ty;
use crate::value::Value;
use crate::PyResult;

thread_local! {
    /// The reference point of `perf_counter` and `monotonic`.
    static START: Instant = Instant::now();
}

pub fn install(vm: &mut Vm) {
    START.with(|_| {});
    let m = module(vm, "time");
    add_functions(
        vm,
        m,
        &[
            ("time", time),
            ("perf_counter", perf_counter),
            ("monotonic", perf_counter),
            ("process_time", perf_counter),
            ("sleep", sleep),
        ],
    );
}

fn time(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "time", kwnames)?;
    nargs(vm, "time", args, 0, 0)?;
    let t = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    Ok(Value::float(t))
}

fn perf_counter(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "perf_counter", kwnames)?;
    nargs(vm, "perf_counter", args, 0, 0)?;
    Ok(Value::float(START.with(|s| s.elapsed().as_secs_f64())))
}

fn sleep(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "sleep", kwnames)?;
    nargs(vm, "sleep", args, 1, 1)?;
    let v = args[0];
    let secs = if v.is_float() {
        v.as_float()
    } else if v.is_small_int() {
        v.as_small_int() as f64
    } else {
        let t = crate::ops::type_name(v);
        return Err(vm.new_exc(
            Ty::TypeError,
            &format!("'{t}' object cannot be interpreted as an integer"),
        ));
    };
    if secs < 0.0 {
        return Err(vm.new_exc(Ty::ValueError, "sleep length must be non-negative"));
    }
    vm.flush();
    std::thread::sleep(std::time::Duration::from_secs_f64(secs));
    Ok(Value::NONE)
}
