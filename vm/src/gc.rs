//! The heap and its tracing mark-sweep collector.
//!
//! Every object is a `Box<Obj>` whose pointer is recorded in `Heap::objects`. Collection marks
//! from the roots the VM hands in (the live part of the data stack, every frame's function and
//! code, globals, builtins, interned names, module table, the pending exception and any native
//! roots), traces children with an explicit work list (no recursion, so deep structures cannot
//! overflow the Rust stack), and frees every unmarked object.
//!
//! When it runs: only at *safe points* chosen by the interpreter — loop back-edges
//! (`JUMP_BACKWARD`) and Python function entry — and only when the number of objects allocated
//! since the last collection exceeds a threshold proportional to the live heap (so total work
//! stays linear in allocation). At a safe point every live value is in a root: natives never
//! run across a safe point holding unrooted values, because a collection is also deferred while
//! any native function is calling back into Python (`Vm::native_depth > 0`). That deferral is
//! the known limit of this scheme: a long Python loop driven from inside a native (e.g. a
//! generator consumed by `sum`) allocates without collecting until it returns.

use crate::object::{Obj, ObjKind};
use crate::value::Value;

pub struct Heap {
    objects: Vec<*mut Obj>,
    allocated_since: usize,
    threshold: usize,
    pub collections: usize,
    /// Most objects ever alive at once (measured when collections start).
    pub peak: usize,
    /// Smallest allocation count between collections (tests lower it to stress the GC).
    pub min_threshold: usize,
    /// The mark work list, kept between collections: a big heap needs a big list, and a fresh
    /// one each time costs newly faulted (kernel-zeroed) pages on every collection.
    work: Vec<*const Obj>,
}

/// Small on purpose: a program with a small live heap then keeps its young objects in cache and
/// the allocator reuses the same pages, instead of faulting in megabytes of fresh (kernel-zeroed)
/// memory per cycle. Measured (user time, same machine): fannkuch 9 0.66 s -> 0.40 s, nqueens 11
/// 0.24 s -> 0.16 s going from 100_000 to 5_000; 2_000 and 1_000 were no better.
const MIN_THRESHOLD: usize = 5_000;

impl Default for Heap {
    fn default() -> Self {
        Heap {
            objects: Vec::new(),
            allocated_since: 0,
            threshold: MIN_THRESHOLD,
            collections: 0,
            min_threshold: MIN_THRESHOLD,
            peak: 0,
            work: Vec::new(),
        }
    }
}

impl Heap {
    pub fn alloc(&mut self, kind: ObjKind) -> Value {
        let p = Box::into_raw(Box::new(Obj {
            marked: std::cell::Cell::new(false),
            kind,
        }));
        assert!(
            p as u64 >> 48 == 0,
            "heap pointer does not fit the 48-bit NaN-box payload"
        );
        self.objects.push(p);
        self.allocated_since += 1;
        Value::from_obj(p)
    }

    /// Count a large allocation as `n` more objects towards the next collection, so that few
    /// but big objects (huge ints, long strings) still trigger collections (langdata).
    #[inline]
    pub fn charge(&mut self, n: usize) {
        self.allocated_since += n;
    }

    /// Collect after every `n` allocations at least (GC stress testing).
    pub fn set_min_threshold(&mut self, n: usize) {
        self.min_threshold = n;
        self.threshold = n;
    }

    #[inline]
    pub fn should_collect(&self) -> bool {
        // langdata: also when the process is over `--max-heap` (see alloc.rs).
        self.allocated_since >= self.threshold || crate::alloc::over_limit()
    }

    pub fn live_objects(&self) -> usize {
        self.objects.len()
    }

    /// Mark from `roots` and free everything unreachable.
    pub fn collect(&mut self, roots: impl Iterator<Item = Value>) {
        self.peak = self.peak.max(self.objects.len());
        let mut work = std::mem::take(&mut self.work);
        work.clear();
        let push = |v: Value, work: &mut Vec<*const Obj>| {
            if let Some(o) = v.as_obj() {
                if !o.marked.replace(true) {
                    work.push(o as *const Obj);
                }
            }
        };
        for r in roots {
            push(r, &mut work);
        }
        while let Some(p) = work.pop() {
            // SAFETY: `p` came from a marked Value, i.e. a live heap object.
            let o = unsafe { &*p };
            trace(o, &mut |v| push(v, &mut work));
        }
        self.work = work;
        // Sweep in place (no second object list per collection).
        self.objects.retain(|&p| {
            // SAFETY: every pointer in `objects` is a live Box<Obj> not yet freed.
            let o = unsafe { &*p };
            if o.marked.replace(false) {
                true
            } else {
                // SAFETY: unreachable from every root, so no Value refers to it any more; it is
                // freed exactly once because it is dropped from `objects` here.
                drop(unsafe { Box::from_raw(p) });
                false
            }
        });
        self.allocated_since = 0;
        self.threshold = self.objects.len().max(self.min_threshold);
        self.collections += 1;
    }
}

impl Drop for Heap {
    fn drop(&mut self) {
        for &p in &self.objects {
            // SAFETY: the VM is gone; each object is freed once.
            drop(unsafe { Box::from_raw(p) });
        }
    }
}

/// Call `f` on every value `o` refers to.
fn trace(o: &Obj, f: &mut dyn FnMut(Value)) {
    match &o.kind {
        ObjKind::Str(_) | ObjKind::BigInt(_) | ObjKind::Range { .. } | ObjKind::Type(_) => {}
        ObjKind::Native(_) | ObjKind::RangeIter { .. } => {}
        ObjKind::List(l) => l.borrow().iter().for_each(|v| f(*v)),
        ObjKind::Tuple(t) => t.iter().for_each(|v| f(*v)),
        ObjKind::Dict(d) => {
            for e in d.borrow().iter() {
                f(e.key);
                f(e.value);
            }
        }
        ObjKind::Set(s) => s.table.borrow().keys().for_each(&mut *f),
        ObjKind::SetIter { set, .. } => f(*set),
        ObjKind::Slice { start, stop, step } => {
            f(*start);
            f(*stop);
            f(*step);
        }
        ObjKind::Code(c) => {
            c.consts.iter().for_each(|v| f(*v));
            c.names.iter().for_each(|v| f(*v));
            f(c.name);
            c.attr_cache.iter().for_each(|a| a.trace(f)); // --- classes ---
            c.quick.trace(f); // --- quicken ---
        }
        ObjKind::Function(func) => {
            for v in [
                func.code,
                func.globals,
                func.name.get(),
                func.qualname.get(),
                func.defaults,
            ] {
                f(v);
            }
            f(func.kwdefaults);
            f(func.closure);
            f(func.dict.get()); // langdata
        }
        ObjKind::Method { this, func } => {
            f(*this);
            f(*func);
        }
        ObjKind::Cell(c) => f(c.get()),
        ObjKind::Module { name, dict } => {
            f(*name);
            f(*dict);
        }
        ObjKind::Exception(e) => {
            f(e.args.get());
            f(e.instance); // --- classes ---
            e.traceback.borrow().iter().for_each(|(c, _)| f(*c));
            f(e.chain.cause.get()); // --- exceptions ---
            f(e.chain.context.get());
        }
        ObjKind::Generator(g) => {
            let g = g.borrow();
            f(g.func);
            f(g.exc_info); // --- exceptions ---
            g.saved.iter().for_each(|v| f(*v));
        }
        ObjKind::SeqIter { seq, .. } | ObjKind::Reversed { seq, .. } => f(*seq),
        ObjKind::DictIter { dict, .. } | ObjKind::DictView { dict, .. } => f(*dict),
        ObjKind::Enumerate { iter, .. } => f(*iter),
        ObjKind::Zip { iters } => iters.iter().for_each(|v| f(*v)),
        ObjKind::Map { func, iter } => {
            f(*func);
            f(*iter);
        }
        // --- classes ---
        ObjKind::Class(c) => c.trace(f),
        ObjKind::Instance(i) => i.trace(f),
        ObjKind::StaticMethod(x) | ObjKind::ClassMethod(x) => f(*x),
        ObjKind::Property { fget, fset } => {
            f(*fget);
            f(*fset);
        }
        ObjKind::Super { class, this } => {
            f(*class);
            f(*this);
        }
        ObjKind::NotImplemented => {}
    }
}

impl Heap {
    /// Live objects by Python type name (diagnostics and tests).
    pub fn census(&self) -> Vec<(&'static str, usize)> {
        let mut m: std::collections::BTreeMap<&'static str, usize> = Default::default();
        for &p in &self.objects {
            // SAFETY: every pointer in `objects` is a live object.
            *m.entry(unsafe { &*p }.ty().name()).or_default() += 1;
        }
        m.into_iter().collect()
    }
}
