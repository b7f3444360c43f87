//! The heap and its tracing mark-sweep collector.
//!
//! Every object is an `Obj` block (an `Obj` alone; for instances the `Obj` followed by its
//! inline slots; for most strs the `Obj` followed by the text's bytes) whose pointer is
//! recorded in `Heap::objects`. Collection marks
//! from the roots the VM hands in (the live part of the data stack, every frame's function and
//! code, globals, builtins, interned names, module table, the pending exception and any native
//! roots), traces children with an explicit work list (no recursion, so deep structures cannot
//! overflow the Rust stack; objects without children are marked but never listed), and frees
//! every unmarked object. What the mark bit holds for "marked" alternates between collections,
//! so survivors are only read by the sweep, never written.
//!
//! When it runs: only at *safe points* chosen by the interpreter — loop back-edges
//! (`JUMP_BACKWARD`) and Python function entry — and only when the number of objects allocated
//! since the last collection exceeds a threshold proportional to the live heap (so total work
//! stays linear in allocation). At a safe point every live value is in a root: natives never
//! run across a safe point holding unrooted values, because a collection is also deferred while
//! any native function is calling back into Python (`Vm::native_depth > 0`). That deferral is
//! the known limit of this scheme: a long Python loop driven from inside a native (e.g. a
//! generator consumed by `sum`) allocates without collecting until it returns.

use crate::object::{Obj, ObjKind, StrObj, Text};
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
    /// `threshold` stays `min_threshold` (see `set_fixed_threshold`).
    fixed_threshold: bool,
    /// What `Obj::marked` holds for "marked" in the collection that ran last; the next one
    /// marks with the opposite value, and new objects are made with this one (unmarked for
    /// it). Flipping the meaning spares the sweep a write to every survivor. (`--- strs ---`)
    color: bool,
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
            fixed_threshold: false,
            color: false,
        }
    }
}

impl Heap {
    /// Inline, so that `kind` is built straight into the new block (out of line, the
    /// callers' `ObjKind` went through the stack and its reload stalled: 7% of word_freq).
    #[inline]
    pub fn alloc(&mut self, kind: ObjKind) -> Value {
        let p = alloc_block(obj_layout(0)) as *mut Obj;
        // SAFETY: `p` is a fresh block with `Obj`'s layout, written once before use.
        unsafe {
            p.write(Obj {
                marked: std::cell::Cell::new(self.color),
                kind,
            })
        };
        self.track(p)
    }

    // --- memory ---
    /// A new instance of `class` with `nslots` inline attribute slots (all NULL), allocated
    /// with the object in one block: `size_of::<Obj>()` then the slots.
    pub fn alloc_instance(&mut self, class: Value, shape: u32, nslots: usize) -> Value {
        let layout = obj_layout(nslots);
        // SAFETY: the layout is non-zero-sized (it holds an `Obj`).
        let p = unsafe { std::alloc::alloc(layout) } as *mut Obj;
        if p.is_null() {
            std::alloc::handle_alloc_error(layout);
        }
        // SAFETY: `p` is a fresh block of `obj_layout(nslots)`: an `Obj` then `nslots` slots
        // (the `Obj` size is a multiple of the slot alignment); both are initialised here
        // before any reference to them exists, and live until `free` drops this object.
        unsafe {
            let slots = p.add(1) as *mut std::cell::Cell<Value>;
            for i in 0..nslots {
                slots.add(i).write(std::cell::Cell::new(Value::NULL));
            }
            let inline = std::ptr::NonNull::new_unchecked(slots);
            let inst = crate::class::Instance::with_inline(class, shape, inline, nslots as u32);
            p.write(Obj {
                marked: std::cell::Cell::new(self.color),
                kind: ObjKind::Instance(inst),
            });
        }
        self.track(p)
    }

    // --- strs ---
    /// A new str holding a copy of `s`, its text inline after the object (one block).
    pub fn alloc_str(&mut self, s: &str) -> Value {
        // SAFETY: `fill` writes all `s.len()` bytes, those of `s`: UTF-8. `text` does not
        // overlap `s` (it is a fresh block).
        unsafe {
            self.alloc_str_raw(s.len(), |text| {
                std::ptr::copy_nonoverlapping(s.as_ptr(), text, s.len())
            })
        }
    }

    /// A new str of `s`: copied inline when short, else its block is kept as the text (a
    /// long copy would cost time and, for a moment, twice the memory).
    pub fn alloc_string(&mut self, s: String) -> Value {
        if s.len() <= INLINE_TEXT_MAX {
            return self.alloc_str(&s);
        }
        self.charge(s.len() / CHARGE_BYTES);
        let text = Text::owned(s.into_boxed_str());
        self.alloc(ObjKind::Str(StrObj::new(text)))
    }

    /// A new str of `len` bytes written by `fill` straight into the object's inline text
    /// (join and concatenation build their result there, with no intermediate `String`).
    ///
    /// # Safety
    /// `fill` must leave the whole buffer valid UTF-8 (it starts zeroed).
    pub unsafe fn alloc_str_with(&mut self, len: usize, fill: impl FnOnce(&mut [u8])) -> Value {
        // SAFETY: the bytes are zeroed (so initialised) before `fill` sees them as a slice;
        // `fill` leaves them UTF-8 (the caller's contract).
        unsafe {
            self.alloc_str_raw(len, |text| {
                std::ptr::write_bytes(text, 0, len);
                fill(std::slice::from_raw_parts_mut(text, len));
            })
        }
    }

    /// A new str whose `len` text bytes `fill` writes at the pointer it is given.
    ///
    /// # Safety
    /// `fill` must write all `len` bytes, and they must be UTF-8.
    unsafe fn alloc_str_raw(&mut self, len: usize, fill: impl FnOnce(*mut u8)) -> Value {
        self.charge(len / CHARGE_BYTES);
        let p = alloc_block(str_layout(len)) as *mut Obj;
        // SAFETY: `p` is a fresh block of `str_layout(len)`: an `Obj` then `len` bytes. The
        // bytes are written by `fill` (all of them, UTF-8: the caller's contract) before the
        // `Text` that borrows them is made; they live until `free` releases the whole block.
        unsafe {
            let text = (p as *mut u8).add(std::mem::size_of::<Obj>());
            fill(text);
            let text = Text::inline(std::ptr::NonNull::new_unchecked(text), len);
            p.write(Obj {
                marked: std::cell::Cell::new(self.color),
                kind: ObjKind::Str(StrObj::new(text)),
            });
        }
        self.track(p)
    }

    #[inline]
    fn track(&mut self, p: *mut Obj) -> Value {
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

    // --- memory ---
    /// Collect after every `n` allocations whatever the live heap's size (GC stress testing:
    /// `set_min_threshold` stops mattering once the live heap outgrows it).
    pub fn set_fixed_threshold(&mut self, n: usize) {
        self.set_min_threshold(n);
        self.fixed_threshold = true;
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
        let color = !self.color;
        for r in roots {
            mark(r, color, &mut work);
        }
        while let Some(p) = work.pop() {
            // SAFETY: `p` came from a marked Value, i.e. a live heap object.
            let o = unsafe { &*p };
            trace(o, &mut |v| mark(v, color, &mut work));
        }
        self.work = work;
        self.sweep(color);
        self.color = color;
        self.allocated_since = 0;
        // Measured alternative (2026-12-01): collecting at half the live count instead cut
        // peak RSS (binary_trees 15.2 -> 12.8 MB, word_freq 130 -> 109 MB) for 2.6-3.4% more
        // instructions (callgrind binary_trees 12, word_freq 150000); kept at 1x.
        self.threshold = if self.fixed_threshold {
            self.min_threshold
        } else {
            self.objects.len().max(self.min_threshold)
        };
        self.collections += 1;
    }
}

// --- strs ---
impl Heap {
    /// Free every object not marked `color`, compacting `objects` in place (survivors are
    /// only read: their mark stays as it is). Each header read is a likely cache miss (objects are scattered over the
    /// allocator's pages), so the header `SWEEP_AHEAD` entries on is prefetched.
    fn sweep(&mut self, color: bool) {
        const SWEEP_AHEAD: usize = 32;
        let objs = &mut self.objects;
        let n = objs.len();
        let mut keep = 0;
        for i in 0..n {
            if let Some(&q) = objs.get(i + SWEEP_AHEAD) {
                prefetch(q);
            }
            let p = objs[i];
            // SAFETY: every pointer in `objects` is a live object not yet freed.
            if unsafe { &*p }.marked.get() == color {
                objs[keep] = p;
                keep += 1;
            } else {
                // SAFETY: unreachable from every root, so no Value refers to it any more; it is
                // freed exactly once because it is dropped from `objects` here.
                unsafe { free(p) };
            }
        }
        objs.truncate(keep);
    }
}

/// Mark `v`'s object. Objects with no children (strings, big ints, ...) are only marked, never
/// put on the work list: a big list of strings then costs one header write per string.
#[inline(always)]
fn mark(v: Value, color: bool, work: &mut Vec<*const Obj>) {
    if let Some(o) = v.as_obj() {
        if o.marked.get() != color {
            o.marked.set(color);
            if is_leaf(&o.kind) {
                return;
            }
            work.push(o as *const Obj);
        }
    }
}

/// Kinds that `trace` visits nothing in.
#[inline(always)]
fn is_leaf(kind: &ObjKind) -> bool {
    matches!(
        kind,
        ObjKind::Str(_)
            | ObjKind::BigInt(_)
            | ObjKind::Range { .. }
            | ObjKind::Type(_)
            | ObjKind::Native(_)
            | ObjKind::RangeIter { .. }
            | ObjKind::NotImplemented
    )
}

/// Hint the CPU to fetch `p`'s header (a hint only: any address is allowed).
#[inline(always)]
fn prefetch(p: *const Obj) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: prefetching is a hint that never faults, whatever the address.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p as *const i8)
    };
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// Call `f` on each of `items`, prefetching the objects a few items ahead (the elements of a
/// big list are scattered over the heap; marking them one cache miss at a time dominated
/// collections of programs holding 800K strings in a list).
#[inline(always)]
fn trace_values(items: &[Value], f: &mut impl FnMut(Value)) {
    const MARK_AHEAD: usize = 16;
    for (i, &v) in items.iter().enumerate() {
        if let Some(w) = items.get(i + MARK_AHEAD) {
            if w.is_obj() {
                prefetch(w.obj_ptr());
            }
        }
        f(v);
    }
}

impl Drop for Heap {
    fn drop(&mut self) {
        for &p in &self.objects {
            // SAFETY: the VM is gone; each object is freed once.
            unsafe { free(p) };
        }
    }
}

// --- memory ---
/// The block of an object with `nslots` trailing instance slots (0 for every other kind: then
/// it is exactly `Box<Obj>`'s layout).
fn obj_layout(nslots: usize) -> std::alloc::Layout {
    let slots = std::alloc::Layout::array::<std::cell::Cell<Value>>(nslots).expect("slot count");
    let (layout, _) = std::alloc::Layout::new::<Obj>()
        .extend(slots)
        .expect("object size");
    layout
}

// --- strs ---
/// A fresh block of `layout` (non-zero-sized: it holds an `Obj`).
#[inline(never)]
fn alloc_block(layout: std::alloc::Layout) -> *mut u8 {
    // SAFETY: every layout passed here holds an `Obj`, so it is non-zero-sized.
    let p = unsafe { std::alloc::alloc(layout) };
    if p.is_null() {
        std::alloc::handle_alloc_error(layout);
    }
    p
}

/// Strings up to this many bytes keep their text inline; longer `String`s handed to
/// `alloc_string` keep their own block.
pub(crate) const INLINE_TEXT_MAX: usize = 1024;

/// Text bytes that count as one object towards the next collection (an object is 48 bytes).
const CHARGE_BYTES: usize = 64;

/// The block of a str with `len` bytes of inline text.
fn str_layout(len: usize) -> std::alloc::Layout {
    let bytes = std::alloc::Layout::array::<u8>(len).expect("string size");
    let (layout, _) = std::alloc::Layout::new::<Obj>()
        .extend(bytes)
        .expect("string size");
    layout
}

/// Drop and free an object made by `Heap::alloc`, `Heap::alloc_instance` or a str allocator.
///
/// # Safety
/// `p` is a live object of this heap that nothing refers to any more; it is freed once.
unsafe fn free(p: *mut Obj) {
    // SAFETY: `p` is live (caller); an instance's inline slot count and an inline str's length
    // are the ones its block was allocated with, so the layout matches the allocation.
    unsafe {
        let layout = match &(*p).kind {
            ObjKind::Instance(i) => obj_layout(i.inline_len()),
            ObjKind::Str(s) if s.s.is_inline() => str_layout(s.s.len()), // --- strs ---
            _ => obj_layout(0),
        };
        std::ptr::drop_in_place(p);
        std::alloc::dealloc(p as *mut u8, layout);
    }
}

/// Call `f` on every value `o` refers to.
fn trace(o: &Obj, f: &mut impl FnMut(Value)) {
    match &o.kind {
        ObjKind::Str(_) | ObjKind::BigInt(_) | ObjKind::Range { .. } | ObjKind::Type(_) => {}
        ObjKind::Native(_) | ObjKind::RangeIter { .. } => {}
        ObjKind::List(l) => trace_values(&l.borrow(), f),
        ObjKind::Tuple(t) => trace_values(t, f),
        ObjKind::Dict(d) => {
            for e in d.borrow().iter() {
                f(e.key);
                f(e.value);
            }
        }
        ObjKind::Set(s) => s.table.borrow().keys().for_each(&mut *f),
        ObjKind::SetIter { set, .. } => f(*set),
        ObjKind::BuiltinIter(it) => it.trace(f), // --- gaps ---
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
            e.chain.trace_extra(f); // --- gaps ---
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
        ObjKind::Property { fget, fset, fdel } => {
            f(*fget);
            f(*fset);
            f(*fdel);
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
