//! Natives that drain a generator (`sum(g)`, `list(g)`, `any(g)`, `min(g)`, ...) without
//! suspending it for every item.
//!
//! Resuming a generator from a native costs a full nested interpreter entry per item (copy its
//! frame in, enter the dispatch loop, copy the frame out at YIELD_VALUE, leave the loop). A
//! native that only folds the items into an accumulator with built-in arithmetic never lets
//! Python code observe the generator between two items, so the generator need not stop: the
//! native registers a *sink* for it (`Vm::sinks`), and YIELD_VALUE in that generator's frame
//! hands the value to the sink and carries on as if resumed by `next()` (the `yield`
//! expression's value is None) — one dispatch loop for the whole drain.
//!
//! A sink takes only items it can fold without running Python code (small ints and floats for
//! `sum`, str/int/float for `min`/`max`, built-in truth values for `any`/`all`, anything for
//! a collecting `list`/`tuple`). Any other item — or the deciding item of `any`/`all` —
//! makes the generator yield normally, so the native handles it on its general path with the
//! generator suspended, exactly as CPython would (`__add__` may call `next(g)`; `any` leaves
//! the generator suspended after the first true item). While the generator is suspended its
//! sink is parked (`gen` NULL), so a yield reached some other way is never absorbed.
//!
//! GC: a sink's accumulator and items are roots (`Vm::collect_now`), so a generator drained
//! under `gc_transparent` may collect at its safe points. Sinks hold their items in a Rust
//! `Vec`, not a heap object: absorbing stores no Value into an existing heap object.
//!
//! Tracing and `--stats` see the same instructions as without sinks: the generator runs the
//! ones `next()` would run, in the same order.

use std::cmp::Ordering;

use nanopy_compiler::bytecode::{BinaryOp, CompareOp};

use super::{Regs, Vm};
use crate::object::ObjKind;
use crate::value::Value;
use crate::{ops, PyResult};

/// What a sink does with the items it absorbs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum SinkKind {
    /// Keep every item (`list(g)`, `tuple(g)`, `sorted(g)`, `"".join(g)`, ...).
    Collect,
    /// Keep the items whose hash and equality are built in (str, int, float, bool, None):
    /// `set(g)` adds them later, in order, unobservably (the new set is unreachable).
    CollectHashable,
    /// `sum(g)`: add small ints, bools and floats to `acc`.
    Sum,
    /// `any(g)` (`stop_on` true) / `all(g)` (false): absorb items whose truth is built in and
    /// is not `stop_on`.
    Truth { stop_on: bool },
    /// `min(g)` (Less) / `max(g)` (Greater) without key: keep in `acc` the best of the ints,
    /// floats or strs seen (the first of equals); NULL before the first item.
    Best { want: Ordering },
}

/// A native draining generator `gen` (see module docs).
pub(crate) struct Sink {
    /// The generator whose yields are absorbed; NULL while the native holds it suspended.
    pub(crate) gen: Value,
    kind: SinkKind,
    /// `Sum` / `Best`: the running result.
    pub(crate) acc: Value,
    /// `Collect`: the items so far.
    pub(crate) items: Vec<Value>,
    /// `items[..scanned]` were roots of a collection, so they are old now: a minor
    /// collection need not look at them again (a million-item `list(gen)` would otherwise be
    /// rescanned every few thousand allocations).
    pub(crate) scanned: usize,
}

impl Sink {
    /// The values a collection must keep alive (`major`: all of them; else those a minor
    /// collection may find young).
    pub(crate) fn roots(&self, major: bool) -> impl Iterator<Item = Value> + '_ {
        let from = if major {
            0
        } else {
            self.scanned.min(self.items.len())
        };
        [self.gen, self.acc]
            .into_iter()
            .chain(self.items[from..].iter().copied())
    }

    /// Append `v` to `items`: into spare capacity, or (`grow`) growing the Vec; false when
    /// there is no room and growing is not allowed.
    #[inline(always)]
    fn push_item(&mut self, v: Value, grow: bool) -> bool {
        if self.items.len() < self.items.capacity() {
            // SAFETY: there is spare capacity for one more item.
            unsafe {
                self.items.as_mut_ptr().add(self.items.len()).write(v);
                self.items.set_len(self.items.len() + 1);
            }
            true
        } else if grow {
            self.items.reserve(self.items.len().max(8));
            self.items.push(v);
            true
        } else {
            false
        }
    }

    /// Fold `v` in without running Python code or allocating a heap object, or refuse it
    /// (`false`). Inline and call-free except for the Vec growth of `Collect`, so that the hot
    /// YIELD_VALUE can use it with `grow` false (see `absorb_hot`).
    #[inline(always)]
    fn absorb(&mut self, v: Value, grow: bool) -> bool {
        match self.kind {
            SinkKind::Collect => self.push_item(v, grow),
            SinkKind::CollectHashable => {
                let builtin = v.is_small_int()
                    || v.is_float()
                    || v.is_bool()
                    || v.is_none()
                    || v.as_str().is_some();
                builtin && self.push_item(v, grow)
            }
            SinkKind::Sum => match sum_fast(self.acc, v) {
                Some(total) => {
                    self.acc = total;
                    true
                }
                None => false,
            },
            SinkKind::Truth { stop_on } => crate::ops::quick_truth(v).is_some_and(|t| t != stop_on),
            SinkKind::Best { want } => match better(want, v, self.acc) {
                Some(true) => {
                    self.acc = v;
                    true
                }
                Some(false) => true,
                None => false,
            },
        }
    }
}

/// `acc + x` when both are small ints, bools or floats and the sum is inline (int + bool is an
/// int, as in CPython's `sum`, whose int fast path takes bools); None: the general `+`.
#[inline(always)]
fn sum_fast(acc: Value, x: Value) -> Option<Value> {
    if acc.is_small_int() {
        let n = if x.is_small_int() {
            x.as_small_int()
        } else if x.is_bool() {
            x.as_bool() as i64
        } else {
            return None;
        };
        // Small ints are 48-bit: the i64 sum cannot overflow.
        let t = acc.as_small_int() + n;
        return Value::fits_small(t).then(|| Value::small_int(t));
    }
    if acc.is_float() && x.is_float() {
        return Some(Value::float(acc.as_float() + x.as_float()));
    }
    None
}

/// Is `v` better than `best` (`v < best` for min, `v > best` for max; a NULL `best` loses)?
/// Only for two small ints, two floats or two strs (whose comparisons run no Python code and
/// cannot fail; str order is code point order, which is UTF-8 byte order); None otherwise:
/// the native compares.
#[inline(always)]
fn better(want: Ordering, v: Value, best: Value) -> Option<bool> {
    let o = if v.is_small_int() && best.is_small_int() {
        v.as_small_int().cmp(&best.as_small_int())
    } else if v.is_float() && best.is_float() {
        // NaN compares false both ways, as in CPython (`v < nan` is False: keep the best).
        match v.as_float().partial_cmp(&best.as_float()) {
            Some(o) => o,
            None => return Some(false),
        }
    } else if let (Some(a), Some(b)) = (v.as_str(), best.as_str()) {
        a.s.as_bytes().cmp(b.s.as_bytes())
    } else if best.is_null() && (v.is_small_int() || v.is_float() || v.as_str().is_some()) {
        return Some(true);
    } else {
        return None;
    };
    Some(o == want)
}

/// YIELD_VALUE's hook (its full semantics, `body::YIELD_VALUE`): if the running generator
/// `gen` is being drained by the innermost sink and the sink takes `v` (already popped), the
/// generator continues as if resumed by `next()` (None pushed as the `yield`'s value) and this
/// returns true.
#[inline]
pub(super) fn absorb_yield(vm: &mut Vm, r: &mut Regs, gen: Value, v: Value) -> bool {
    let Some(sink) = vm.sinks.last_mut() else {
        return false;
    };
    let taken = sink.gen == gen && sink.absorb(v, true);
    if taken {
        // SAFETY: YIELD_VALUE popped `v`; its slot takes the sent value.
        unsafe {
            *r.sp = Value::NONE;
            r.sp = r.sp.add(1);
        }
    }
    taken
}

/// The hot YIELD_VALUE's fast path: as `absorb_yield` with the value still on top of the
/// stack, scalar work only and no calls (tail dispatch keeps its sibling calls). False: run
/// the full semantics.
#[inline(always)]
pub(super) fn absorb_hot(vm: &mut Vm, r: &mut Regs) -> bool {
    let Some(sink) = vm.sinks.last_mut() else {
        return false;
    };
    let Some(f) = vm.frames.last() else {
        return false;
    };
    // SAFETY: YIELD_VALUE's operand is on top of the stack.
    let top = unsafe { r.sp.sub(1) };
    // SAFETY: as above.
    let taken = sink.gen == f.gen && sink.absorb(unsafe { *top }, false);
    if taken {
        // SAFETY: the yielded value's slot takes the sent value.
        unsafe { *top = Value::NONE };
    }
    taken
}

/// A generator being drained: the sink's index in `Vm::sinks`, and whether resuming it may
/// collect garbage (the native holds nothing unrooted).
struct Drain {
    at: usize,
    g: Value,
    gc_safe: bool,
}

impl Vm {
    /// Start draining `g`. `gc_safe`: the caller holds no unrooted values, so the generator
    /// may collect garbage (only honoured when no other native is below, see
    /// `Vm::native_depth`: that one may hold unrooted values).
    fn drain_open(&mut self, g: Value, kind: SinkKind, acc: Value, gc_safe: bool) -> Drain {
        self.sinks.push(Sink {
            gen: Value::NULL,
            kind,
            acc,
            items: Vec::new(),
            scanned: 0,
        });
        Drain {
            at: self.sinks.len() - 1,
            g,
            gc_safe: gc_safe && self.native_depth <= 1,
        }
    }

    /// Resume the drained generator until it yields an item its sink refuses (`Some`) or
    /// finishes (`None`).
    fn drain_next(&mut self, d: &Drain) -> PyResult<Option<Value>> {
        self.sinks[d.at].gen = d.g;
        let r = if d.gc_safe {
            self.gc_transparent += 1;
            let r = self.resume_generator(d.g);
            self.gc_transparent -= 1;
            r
        } else {
            self.resume_generator(d.g)
        };
        self.sinks[d.at].gen = Value::NULL;
        r
    }

    fn drain_close(&mut self, d: Drain) -> Sink {
        debug_assert_eq!(
            self.sinks.len(),
            d.at + 1,
            "sinks are closed innermost first"
        );
        self.sinks.pop().expect("the drain's sink")
    }
}

/// Is `v` a generator object?
#[inline]
pub(crate) fn is_generator(v: Value) -> bool {
    matches!(v.as_obj().map(|o| &o.kind), Some(ObjKind::Generator(_)))
}

/// All items of generator `g` (`ops::collect` / `ops::collect_gc_safe` for a generator).
pub(crate) fn collect_generator(vm: &mut Vm, g: Value, gc_safe: bool) -> PyResult<Vec<Value>> {
    let d = vm.drain_open(g, SinkKind::Collect, Value::NULL, gc_safe);
    let r = (|| {
        // The Collect sink takes every item: the generator only ever returns or raises.
        while let Some(x) = vm.drain_next(&d)? {
            vm.sinks[d.at].items.push(x);
        }
        // langdata: `list(huge_generator)` under --max-heap.
        if crate::alloc::over_limit() {
            let args = vm.new_tuple(vec![]);
            return Err(crate::PyErr(
                vm.exc_from_args(crate::object::Ty::MemoryError, args),
            ));
        }
        Ok(())
    })();
    let sink = vm.drain_close(d);
    r.map(|_| sink.items)
}

/// `sum(g, start)` for generator `g`.
pub(crate) fn sum_generator(vm: &mut Vm, g: Value, start: Value) -> PyResult<Value> {
    let d = vm.drain_open(g, SinkKind::Sum, start, true);
    let r = (|| loop {
        let Some(x) = vm.drain_next(&d)? else {
            return Ok(vm.sinks[d.at].acc);
        };
        // Refused: the general `+` (the generator is suspended; acc stays rooted in the sink).
        let acc = vm.sinks[d.at].acc;
        let total = ops::binary_op(vm, BinaryOp::Add, acc, x)?;
        vm.sinks[d.at].acc = total;
    })();
    vm.drain_close(d);
    r
}

/// `any(g)` (`stop_on` true) / `all(g)` (false) for generator `g`.
pub(crate) fn any_all_generator(vm: &mut Vm, g: Value, stop_on: bool) -> PyResult<bool> {
    let d = vm.drain_open(g, SinkKind::Truth { stop_on }, Value::NULL, true);
    let r = (|| loop {
        let Some(x) = vm.drain_next(&d)? else {
            return Ok(!stop_on);
        };
        if ops::truthy(vm, x)? == stop_on {
            return Ok(stop_on);
        }
    })();
    vm.drain_close(d);
    r
}

/// `min(g)` / `max(g)` without key for generator `g`: the best item, None when `g` is empty.
/// `want` is Less for min, Greater for max; equal items keep the first.
pub(crate) fn best_of_generator(vm: &mut Vm, g: Value, want: Ordering) -> PyResult<Option<Value>> {
    let d = vm.drain_open(g, SinkKind::Best { want }, Value::NULL, true);
    let op = if want == Ordering::Greater {
        CompareOp::Gt
    } else {
        CompareOp::Lt
    };
    let r = (|| loop {
        let next = vm.drain_next(&d)?;
        let best = vm.sinks[d.at].acc;
        let Some(x) = next else {
            return Ok((!best.is_null()).then_some(best));
        };
        // Refused: the general comparison (it may call `__lt__`/`__gt__`).
        if best.is_null() || ops::compare(vm, op, x, best)? {
            vm.sinks[d.at].acc = x;
        }
    })();
    vm.drain_close(d);
    r
}

/// `set(g)` / `frozenset(g)` for generator `g`: the items are added to the new set `s` (which
/// nothing else can see yet) in the order they come; items with a user-defined hash are added
/// as they come, with the generator suspended, so their `__hash__`/`__eq__` run when CPython
/// runs them relative to the generator.
pub(crate) fn set_from_generator(vm: &mut Vm, s: Value, g: Value) -> PyResult<()> {
    let d = vm.drain_open(g, SinkKind::CollectHashable, s, true);
    let r = (|| loop {
        let next = vm.drain_next(&d);
        // Add what the sink took (built-in hashes: nothing runs Python code).
        let taken = std::mem::take(&mut vm.sinks[d.at].items);
        for &x in &taken {
            crate::set_ops::add(vm, s, x)?;
        }
        vm.sinks[d.at].items = taken;
        vm.sinks[d.at].items.clear();
        let Some(x) = next? else { return Ok(()) };
        crate::set_ops::add(vm, s, x)?;
    })();
    vm.drain_close(d);
    r
}
