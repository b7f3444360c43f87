//! Iterators over a dict's keys, values or items, with CPython 3.11's guards against a dict
//! that changes under them (`dictiter_iternextkey` in Objects/dictobject.c):
//!
//! - the dict's size is recorded when the iterator is made; a different size at any later
//!   step raises `RuntimeError: dictionary changed size during iteration`, and keeps raising
//!   (the state is sticky);
//! - the iterator also counts down the entries it may still yield: finding one more entry
//!   when the count is spent (a key deleted and another added, size unchanged) raises
//!   `dictionary keys changed during iteration`;
//! - once exhausted (or after the keys-changed error) it stays exhausted, as CPython drops
//!   its reference to the dict.
//!
//! Overwriting values while iterating is allowed and changes neither check.
//! The table mechanics live in `dict.rs`; this file owns only the iteration state.

use std::cell::Cell;

use crate::object::{ObjKind, Ty};
use crate::ops;
use crate::value::Value;
use crate::{PyResult, Vm};

/// `index` value of an exhausted iterator (CPython: `di_dict = NULL`).
const EXHAUSTED: usize = usize::MAX;
/// `used` value after a size-changed error (CPython: `di_used = -1`).
const STICKY: u32 = u32::MAX;

/// A fresh iterator over `dict` (a dict object): kind 0 keys, 1 values, 2 items.
pub fn new(dict: Value, kind: u8) -> ObjKind {
    let len = ops::container_dict(dict).map_or(0, |d| d.borrow().len());
    let len = u32::try_from(len).unwrap_or(STICKY - 1);
    ObjKind::DictIter {
        dict,
        index: Cell::new(0),
        kind,
        used: Cell::new(len),
        left: Cell::new(len),
    }
}

/// The next (key, value) of a dict iterator's fields; `None` when exhausted.
#[inline]
pub fn next_entry(
    vm: &mut Vm,
    dict: Value,
    index: &Cell<usize>,
    used: &Cell<u32>,
    left: &Cell<u32>,
) -> PyResult<Option<(Value, Value)>> {
    let i = index.get();
    if i == EXHAUSTED {
        return Ok(None);
    }
    let Some(d) = ops::container_dict(dict) else {
        return Ok(None);
    };
    let d = d.borrow();
    if used.get() as usize != d.len() {
        drop(d);
        used.set(STICKY);
        return Err(vm.new_exc(Ty::RuntimeError, "dictionary changed size during iteration"));
    }
    let mut i = i;
    while let Some(e) = d.entry_at(i) {
        i += 1;
        if e.key.is_null() {
            continue;
        }
        let (k, v) = (e.key, e.value);
        drop(d);
        if left.get() == 0 {
            index.set(EXHAUSTED);
            return Err(vm.new_exc(Ty::RuntimeError, "dictionary keys changed during iteration"));
        }
        left.set(left.get() - 1);
        index.set(i);
        return Ok(Some((k, v)));
    }
    index.set(EXHAUSTED);
    Ok(None)
}
