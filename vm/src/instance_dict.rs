//! `obj.__dict__` of instances of user classes: a live dict, as in CPython.
//!
//! Instances keep their attributes in a shape and slots (see `class`), which is what makes
//! LOAD_ATTR/STORE_ATTR one compare and one load. A dict cannot be a view over that layout
//! cheaply (every dict operation would need to know about it), so the first time an instance's
//! `__dict__` is asked for the instance switches to *dict mode* for good: its attributes move
//! into a real dict, slot 0 holds that dict and its shape becomes `DICT_SHAPE`. No attribute
//! cache ever holds `DICT_SHAPE` (the slow paths do not remember dict-mode instances), so the
//! specialised handlers miss on such instances and take the slow path, which reads and writes
//! the dict. Instances whose `__dict__` is never touched keep the fast layout.

use crate::class::{as_class, Instance};
use crate::dict::Dict;
use crate::interp::Vm;
use crate::object::{ObjKind, Ty};
use crate::ops;
use crate::value::Value;
use crate::PyResult;

/// The shape of an instance whose attributes live in the dict in slot 0. No class ever has
/// this many shapes, so it indexes none and matches no cache entry.
pub const DICT_SHAPE: u32 = u32::MAX;

/// The attribute dict of an instance in dict mode.
#[inline]
pub fn dict_of(i: &Instance) -> Option<Value> {
    (i.shape.get() == DICT_SHAPE).then(|| i.slot(0))
}

/// The heap object that holds `obj`'s `Instance` (the exception's `instance` for user
/// exceptions): the container the write barrier is about.
pub fn holder(obj: Value) -> Value {
    match obj.as_obj().map(|o| &o.kind) {
        Some(ObjKind::Exception(e)) if !e.instance.is_null() => e.instance,
        _ => obj,
    }
}

/// `obj.__dict__`: the instance's own dict, made from its slots (in the order the attributes
/// were first set) the first time it is asked for.
pub fn materialize(vm: &mut Vm, obj: Value) -> Value {
    let inst = holder(obj);
    let Some(i) = crate::class::as_instance(inst) else {
        return vm.new_dict(Dict::new());
    };
    if let Some(d) = dict_of(i) {
        return d;
    }
    let c = as_class(i.class).expect("instance class");
    let mut dict = Dict::new();
    let used = {
        let shapes = c.shapes.borrow();
        let names = &shapes[i.shape.get() as usize].names;
        for (k, n) in names.iter().enumerate() {
            let v = i.slot(k);
            if !v.is_null() {
                let h = n.as_str().expect("interned name").hash();
                dict.insert(h, *n, v, |x| x == *n);
            }
        }
        names.len()
    };
    // The values are still in the slots while the dict object is allocated (a collection
    // here sees them through the instance).
    let d = vm.new_dict(dict);
    install(vm, inst, i, d, used);
    d
}

/// Put `i` in dict mode with dict `d`, clearing the first `used` slots so they keep nothing
/// alive.
fn install(vm: &mut Vm, inst: Value, i: &Instance, d: Value, used: usize) {
    for k in 1..used {
        i.set_slot(k, Value::NULL);
    }
    vm.heap.store_barrier(inst, d);
    i.set_slot(0, d);
    i.shape.set(DICT_SHAPE);
}

/// `obj.__dict__ = v` (CPython requires a dict, and the instance then uses it itself).
pub fn assign(vm: &mut Vm, obj: Value, v: Value) -> PyResult<()> {
    if v.as_dict().is_none() {
        let msg = format!(
            "__dict__ must be set to a dictionary, not a '{}'",
            ops::type_name(v)
        );
        return Err(vm.new_exc(Ty::TypeError, &msg));
    }
    let inst = holder(obj);
    let i = crate::class::as_instance(inst).expect("instance");
    let used = match dict_of(i) {
        Some(_) => 1,
        None => {
            let c = as_class(i.class).expect("instance class");
            let shapes = c.shapes.borrow();
            shapes[i.shape.get() as usize].names.len()
        }
    };
    install(vm, inst, i, v, used);
    Ok(())
}

/// `del obj.__dict__`: CPython 3.11 drops the dict; the next use starts from an empty one.
pub fn delete(vm: &mut Vm, obj: Value) -> PyResult<()> {
    let d = vm.new_dict(Dict::new());
    assign(vm, obj, d)
}

/// `obj.name` among the instance's own attributes (the dict in dict mode, else the slot).
#[inline]
pub fn own_attr(i: &Instance, name: Value) -> Option<Value> {
    if let Some(d) = dict_of(i) {
        return ops::dict_get_str(d, name);
    }
    let c = as_class(i.class).expect("instance class");
    let v = i.slot(c.slot_of(i.shape.get(), name)?);
    (!v.is_null()).then_some(v)
}

/// The attribute names of an instance in dict mode (its str keys, in order); None otherwise.
pub fn names(i: &Instance) -> Option<Vec<Value>> {
    let d = dict_of(i)?;
    let d = d.as_dict()?.borrow();
    Some(
        d.iter()
            .map(|e| e.key)
            .filter(|k| k.as_str().is_some())
            .collect(),
    )
}
