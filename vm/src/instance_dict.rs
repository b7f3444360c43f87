//! `obj.__dict__` of instances of user classes: a live dict, as in CPython.
//!
//! Instances keep their attributes in a shape and slots (see `class`), which is what makes
//! LOAD_ATTR/STORE_ATTR one compare and one load. A dict cannot be a view over that layout
//! cheaply (every dict operation would need to know about it), so the first time an instance's
//! `__dict__` is asked for the instance switches to *dict mode* for good: its attributes move
//! into a real dict, the slot after the `__slots__` ones (shape 0's names, which stay slots
//! as in CPython) holds that dict and its shape becomes `DICT_SHAPE`. No attribute
//! cache ever holds `DICT_SHAPE` (the slow paths do not remember dict-mode instances), so the
//! specialised handlers miss on such instances and take the slow path, which reads and writes
//! the dict. Instances whose `__dict__` is never touched keep the fast layout.

use crate::class::{as_class, ClassObj, Instance};
use crate::dict::Dict;
use crate::interp::Vm;
use crate::object::{ObjKind, Ty};
use crate::ops;
use crate::value::Value;
use crate::PyResult;

/// The shape of an instance whose attributes live in the dict in slot 0. No class ever has
/// this many shapes, so it indexes none and matches no cache entry.
pub const DICT_SHAPE: u32 = u32::MAX;

/// The slot of a dict-mode instance's dict: after the `__slots__` names of shape 0.
fn dict_slot(c: &ClassObj) -> usize {
    c.shapes.borrow()[0].names.len()
}

/// The attribute dict of an instance in dict mode.
#[inline]
pub fn dict_of(i: &Instance) -> Option<Value> {
    if i.shape.get() != DICT_SHAPE {
        return None;
    }
    Some(i.slot(dict_slot(as_class(i.class)?)))
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
    let first = dict_slot(c);
    let used = {
        let shapes = c.shapes.borrow();
        let names = &shapes[i.shape.get() as usize].names;
        for (k, n) in names.iter().enumerate().skip(first) {
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

/// Put `i` in dict mode with dict `d`, clearing the attribute slots below `used` (past the
/// `__slots__` ones) so they keep nothing alive.
fn install(vm: &mut Vm, inst: Value, i: &Instance, d: Value, used: usize) {
    let at = dict_slot(as_class(i.class).expect("instance class"));
    for k in at + 1..used {
        i.set_slot(k, Value::NULL);
    }
    vm.heap.store_barrier(inst, d);
    i.set_slot(at, d);
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
        Some(_) => 0,
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
    let c = as_class(i.class).expect("instance class");
    let shape = i.shape.get();
    if shape == DICT_SHAPE {
        // `__slots__` names stay slots.
        if let Some(k) = c.slot_of(0, name) {
            let v = i.slot(k);
            return (!v.is_null()).then_some(v);
        }
        return ops::dict_get_str(i.slot(dict_slot(c)), name);
    }
    let v = i.slot(c.slot_of(shape, name)?);
    (!v.is_null()).then_some(v)
}

/// `obj.name = v` on a dict-mode instance (false: not in dict mode, nothing done). `inst`
/// holds `i` (the write barrier's container).
pub fn store(vm: &mut Vm, inst: Value, i: &Instance, name: Value, v: Value) -> PyResult<bool> {
    let Some(d) = dict_of(i) else {
        return Ok(false);
    };
    let c = as_class(i.class).expect("instance class");
    match c.slot_of(0, name) {
        Some(k) => {
            vm.heap.store_barrier(inst, v);
            i.set_slot(k, v);
        }
        None => ops::dict_set(vm, d, name, v)?,
    }
    Ok(true)
}

/// `del obj.name` on a dict-mode instance: whether there was such an attribute.
pub fn remove(vm: &mut Vm, i: &Instance, name: Value) -> PyResult<bool> {
    let Some(d) = dict_of(i) else {
        return Ok(false);
    };
    let c = as_class(i.class).expect("instance class");
    if let Some(k) = c.slot_of(0, name) {
        let had = !i.slot(k).is_null();
        i.set_slot(k, Value::NULL);
        return Ok(had);
    }
    Ok(ops::dict_del(vm, d, name)?.is_some())
}

/// The attribute names of an instance in dict mode (set `__slots__`, then the dict's str
/// keys in order); None otherwise.
pub fn names(i: &Instance) -> Option<Vec<Value>> {
    let d = dict_of(i)?;
    let c = as_class(i.class)?;
    let shapes = c.shapes.borrow();
    let slots = shapes[0].names.iter().enumerate();
    let mut out: Vec<Value> = slots
        .filter(|(k, _)| !i.slot(*k).is_null())
        .map(|(_, n)| *n)
        .collect();
    let d = d.as_dict()?.borrow();
    out.extend(d.iter().map(|e| e.key).filter(|k| k.as_str().is_some()));
    Some(out)
}
