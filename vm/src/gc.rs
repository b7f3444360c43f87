//! The heap and its generational mark-sweep collector.
//!
//! Every object is an `Obj` block (an `Obj` alone; for instances the `Obj` followed by its
//! inline slots; for most strs the `Obj` followed by the text's bytes) whose pointer is
//! recorded in `Heap::young` when it is made and in `Heap::old` once it survives a collection.
//! Nothing moves: "promotion" sets a header bit and moves the pointer between the two lists.
//!
//! Two kinds of collection:
//! - **Minor** (most of them): marks only young objects — from the roots, from the old objects
//!   the write barrier recorded (`remembered`; for a list only its items from `Obj::card` on)
//!   and from the old objects of the few kinds that have no barrier (`sticky`: functions,
//!   classes, code, generators, builtin iterators) — frees the unmarked young
//!   objects and makes the rest old. Its work is proportional to the young objects, not to the
//!   heap: a program holding 2 million strings no longer re-marks them every few thousand
//!   allocations, and young garbage is freed while its memory is still in cache.
//! - **Major**: marks from the roots through everything and frees unmarked objects of both
//!   generations — when the old generation has grown by half since the last major one
//!   (counted in `weight`, so a few huge ints or lists count for their payload), when memory is
//!   over `--max-heap`, and whenever the VM asks for a full collection (`Vm::collect_now`).
//!
//! The invariant that makes minor collections sound: an old object refers to a young one only
//! if a barrier recorded it since the last collection. Every store of a Value into a list,
//! dict, set, instance, cell or exception calls one (`write_barrier`, `store_barrier`, `list_barrier`,
//! `list_store_barrier`); `NANOPY_GC_VERIFY=1` checks it against a full trace at every minor
//! collection (tests/gc_generations.rs runs every program that way).
//!
//! Marking traces children with an explicit work list (no recursion, so deep structures cannot
//! overflow the Rust stack; objects without children are marked but never listed). What the
//! mark bit holds for "marked" alternates between major collections, so their survivors are
//! only read by the sweep, never written.
//!
//! When it runs: only at *safe points* chosen by the interpreter — loop back-edges
//! (`JUMP_BACKWARD`) and Python function entry — and only when the number of objects allocated
//! since the last collection exceeds a threshold. At a safe point every live value is in a
//! root: natives never run across a safe point holding unrooted values, because a collection is
//! also deferred while any native function is calling back into Python (`Vm::native_depth > 0`).
//! That deferral is the known limit of this scheme: a long Python loop driven from inside a
//! native (e.g. a generator consumed by `sum`) allocates without collecting until it returns.

use crate::object::{Obj, ObjKind, StrObj, Text};
use crate::value::Value;

pub struct Heap {
    /// Objects that survived a collection (the old generation).
    old: Vec<*mut Obj>,
    /// Objects allocated since the last collection (the young generation).
    young: Vec<*mut Obj>,
    /// Old objects written since the last collection (the write barrier's list): with the
    /// roots, the only places a minor collection looks for references to young objects.
    remembered: Vec<*const Obj>,
    /// Old objects of the kinds that have no write barrier (`has_barrier`): every minor
    /// collection traces them. They are few (functions, classes, code, generators, ...).
    sticky: Vec<*const Obj>,
    allocated_since: usize,
    /// Allocations between minor collections.
    threshold: usize,
    /// The old generation's size in object units (`weight`: an object plus its payload,
    /// so that a few huge ints or long lists count for what they hold).
    old_weight: usize,
    /// `old_weight` at which the next collection is a major one.
    major_at: usize,
    pub collections: usize,
    /// How many of `collections` were major (whole-heap) ones.
    pub major_collections: usize,
    /// Most objects ever alive at once (measured when collections start).
    pub peak: usize,
    /// Smallest allocation count between collections (tests lower it to stress the GC).
    pub min_threshold: usize,
    /// The mark work list, kept between collections: a big heap needs a big list, and a fresh
    /// one each time costs newly faulted (kernel-zeroed) pages on every collection.
    work: Vec<*const Obj>,
    /// `threshold` stays `min_threshold` (see `set_fixed_threshold`).
    fixed_threshold: bool,
    /// What `Obj::marked` holds for "marked" in the major collection that ran last; the next
    /// one marks with the opposite value. Between collections every object holds this value
    /// (new objects are made with it; minor collections reset the survivors to it). Flipping
    /// the meaning spares the major sweep a write to every survivor. (`--- strs ---`)
    color: bool,
    /// Check every minor collection against a full trace (`NANOPY_GC_VERIFY=1`): a young
    /// object reachable only through an old object whose write lacked a barrier panics with
    /// both kinds named, instead of being freed while still in use.
    verify: bool,
}

/// `Obj::gen` bits. A new object has none; survivors of a collection get `OLD`; the write
/// barrier adds `REMEMBERED` when it puts an old object on `Heap::remembered` (and sticky
/// objects keep it, so the barrier never lists them).
pub(crate) const OLD: u8 = 1;
pub(crate) const REMEMBERED: u8 = 2;

/// `Obj::card` when no index of the list was written since the last collection.
const NO_CARD: u32 = u32::MAX;

/// Small on purpose: young objects then stay in cache and the allocator reuses the same pages,
/// instead of faulting in megabytes of fresh (kernel-zeroed) memory per cycle. Measured before
/// the collector had generations (user time, same machine): fannkuch 9 0.66 s -> 0.40 s,
/// nqueens 11 0.24 s -> 0.16 s going from 100_000 to 5_000; 2_000 and 1_000 were no better.
const MIN_THRESHOLD: usize = 5_000;

/// After a major collection the old generation may grow by half its size before the next
/// major one (so total major work stays linear in allocation, and at most a third of the old
/// generation is garbage waiting): sieve's dead 12 MB lists and binary_trees' dead trees go
/// soon enough to keep peak memory where it was before generations (30.5 and 16.4 MB; doubling
/// gave 53 and 17.9 MB). Measured and not kept: doubling when the last major collection freed
/// less than 1/8 (str_build 3% faster, but sieve back at 42 MB: its first major collection
/// frees nothing).
fn next_major_at(survivors: usize) -> usize {
    (survivors + survivors / 2).max(MIN_MAJOR)
}

/// The smallest old generation that triggers a major collection. Small, like the nursery:
/// the garbage promoted between major collections is cache footprint (exc_validate: 20_000
/// gave 9.2 MB peak and 880 page faults against 8.1 MB and 627; callgrind +1.4% for
/// binary_trees 10, unchanged for scheduler, gen_pipeline, features_mix).
const MIN_MAJOR: usize = 8_000;

impl Default for Heap {
    fn default() -> Self {
        // Testing knobs: `NANOPY_GC_VERIFY=1` checks every minor collection against a full
        // trace; `NANOPY_GC_NURSERY=N` collects every N allocations (with a major collection
        // every fourth time), so that small programs collect often.
        let verify = std::env::var_os("NANOPY_GC_VERIFY").is_some_and(|v| v != "0");
        let nursery = std::env::var("NANOPY_GC_NURSERY")
            .ok()
            .and_then(|v| v.parse::<usize>().ok());
        let mut heap = Heap {
            old: Vec::new(),
            young: Vec::new(),
            remembered: Vec::new(),
            sticky: Vec::new(),
            allocated_since: 0,
            threshold: MIN_THRESHOLD,
            old_weight: 0,
            major_at: MIN_MAJOR,
            collections: 0,
            major_collections: 0,
            min_threshold: MIN_THRESHOLD,
            peak: 0,
            work: Vec::new(),
            fixed_threshold: false,
            color: false,
            verify,
        };
        if let Some(n) = nursery {
            heap.set_fixed_threshold(n.max(1));
        }
        heap
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
                gen: std::cell::Cell::new(0),
                card: std::cell::Cell::new(NO_CARD),
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
                gen: std::cell::Cell::new(0),
                card: std::cell::Cell::new(NO_CARD),
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
                gen: std::cell::Cell::new(0),
                card: std::cell::Cell::new(NO_CARD),
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
        self.young.push(p);
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
    /// every fourth of these collections is a major one).
    pub fn set_fixed_threshold(&mut self, n: usize) {
        self.set_min_threshold(n);
        self.fixed_threshold = true;
    }

    /// Check every minor collection against a whole-heap trace (see `verify`).
    pub fn set_verify(&mut self, on: bool) {
        self.verify = on;
    }

    #[inline]
    pub fn should_collect(&self) -> bool {
        // langdata: also when the process is over `--max-heap` (see alloc.rs).
        self.allocated_since >= self.threshold || crate::alloc::over_limit()
    }

    pub fn live_objects(&self) -> usize {
        self.old.len() + self.young.len()
    }

    /// The collection that is due: a minor one (young objects only) unless the old
    /// generation has grown past `major_at` or memory is over its limit.
    pub fn collect(&mut self, roots: &[Value]) {
        if self.major_due() {
            self.collect_major(roots)
        } else {
            self.collect_minor(roots)
        }
    }

    /// Is the collection that is due a major one?
    pub fn major_due(&self) -> bool {
        if self.fixed_threshold {
            self.collections % 4 == 3
        } else {
            // `allocated_since` (objects and charged payload) bounds what this collection
            // would promote: a big list made just now counts at once, so a dead one of the
            // same size goes before the next is made (sieve's lists; 53 -> 30 MB peak).
            self.old_weight + self.allocated_since >= self.major_at || crate::alloc::over_limit()
        }
    }

    /// Mark from `roots` and free everything unreachable, old and young.
    pub fn collect_major(&mut self, roots: &[Value]) {
        self.peak = self.peak.max(self.live_objects());
        let mut work = std::mem::take(&mut self.work);
        work.clear();
        let color = !self.color;
        for &r in roots {
            mark(r, color, &mut work);
        }
        while let Some(p) = work.pop() {
            // SAFETY: `p` came from a marked Value, i.e. a live heap object.
            let o = unsafe { &*p };
            trace(o, &mut |v| mark(v, color, &mut work));
        }
        self.work = work;
        self.forget_remembered();
        // SAFETY (both): every sticky object is old and not yet freed; the sweep below frees
        // exactly the unmarked ones, so this drops those before they are freed.
        self.sticky
            .retain(|&p| unsafe { &*p }.marked.get() == color);
        self.old_weight = 0;
        self.sweep_old(color);
        // Young survivors keep the mark `color`, which is "unmarked" from now on.
        self.sweep_young(color, color);
        self.color = color;
        self.major_at = next_major_at(self.old_weight);
        self.major_collections += 1;
        self.finish();
    }

    /// Mark the young objects reachable from `roots`, from old objects written since the last
    /// collection and from sticky objects, free the other young objects, and make the
    /// survivors old. Correct because an old object that no barrier listed has not been
    /// written since it became old, when everything it referred to was made old with it.
    pub fn collect_minor(&mut self, roots: &[Value]) {
        self.peak = self.peak.max(self.live_objects());
        let mut work = std::mem::take(&mut self.work);
        work.clear();
        let color = !self.color;
        for &r in roots {
            mark_young(r, color, &mut work);
        }
        for &p in &self.remembered {
            // SAFETY: remembered objects are old and live (only a major collection frees old
            // objects, and it empties this list first).
            let o = unsafe { &*p };
            trace_from_card(o, &mut |v| mark_young(v, color, &mut work));
        }
        for &p in &self.sticky {
            // SAFETY: sticky objects are old and live (as for `remembered`).
            trace(unsafe { &*p }, &mut |v| mark_young(v, color, &mut work));
        }
        while let Some(p) = work.pop() {
            // SAFETY: `p` came from a marked Value, i.e. a live heap object.
            let o = unsafe { &*p };
            trace(o, &mut |v| mark_young(v, color, &mut work));
        }
        self.work = work;
        if self.verify {
            self.verify_minor(roots, color);
        }
        self.forget_remembered();
        self.sweep_young(color, self.color);
        self.finish();
    }

    fn finish(&mut self) {
        self.allocated_since = 0;
        self.threshold = self.min_threshold;
        self.collections += 1;
    }

    /// Empty the remembered list, clearing the marks the barrier left on its objects.
    fn forget_remembered(&mut self) {
        for &p in &self.remembered {
            // SAFETY: remembered objects are live (see `collect_minor`).
            let o = unsafe { &*p };
            o.gen.set(OLD);
            o.card.set(NO_CARD);
        }
        self.remembered.clear();
    }

    // --- write barrier ---
    /// Record a store into `o` (call it for every Value written into an object that may
    /// already be old: list, dict and set items, instance slots, cells). Young objects need
    /// nothing; an old one is listed once until the next collection.
    #[inline(always)]
    pub fn write_barrier(&mut self, o: &Obj) {
        if o.gen.get() == OLD {
            self.remember(o, 0);
        }
    }

    /// The barrier for storing the one Value `v` into `container`: nothing to record unless
    /// `v` is a young object (ints, floats, None and old objects cannot be freed by a minor
    /// collection).
    #[inline(always)]
    pub fn store_barrier(&mut self, container: Value, v: Value) {
        if is_young(v) {
            self.barrier(container);
        }
    }

    /// `list_barrier` for storing the one Value `v` at `index`.
    #[inline(always)]
    pub fn list_store_barrier(&mut self, o: &Obj, index: usize, v: Value) {
        if is_young(v) {
            self.list_barrier(o, index);
        }
    }

    /// `write_barrier` for the Value `container` (no-op for non-objects).
    #[inline(always)]
    pub fn barrier(&mut self, container: Value) {
        if let Some(o) = container.as_obj() {
            self.write_barrier(o);
        }
    }

    /// The barrier for a store into list `o` at `index` or after it: a minor collection then
    /// only looks at `[index..]` of an old list (appends to a big old list stay cheap). Stores
    /// that move items down (removals, sorts) must pass the lowest index they moved into.
    #[inline(always)]
    pub fn list_barrier(&mut self, o: &Obj, index: usize) {
        let gen = o.gen.get();
        if gen & OLD != 0 && (gen & REMEMBERED == 0 || index < o.card.get() as usize) {
            self.remember(o, index);
        }
    }

    /// Would `list_store_barrier(o, index, v)` record anything? (Hot handlers check this and
    /// leave the store to their out-of-line form when it would: a call in a hot handler costs
    /// register saves on every execution.)
    #[inline(always)]
    pub fn list_store_needs_barrier(o: &Obj, index: usize, v: Value) -> bool {
        let gen = o.gen.get();
        is_young(v) && gen & OLD != 0 && (gen & REMEMBERED == 0 || index < o.card.get() as usize)
    }

    /// Would `store_barrier(o, v)` record anything? (See `list_store_needs_barrier`.)
    #[inline(always)]
    pub fn store_needs_barrier(o: &Obj, v: Value) -> bool {
        o.gen.get() == OLD && is_young(v)
    }

    #[inline(never)]
    fn remember(&mut self, o: &Obj, index: usize) {
        let index = index.min(NO_CARD as usize - 1) as u32;
        o.card.set(o.card.get().min(index));
        if o.gen.get() & REMEMBERED == 0 {
            o.gen.set(OLD | REMEMBERED);
            self.remembered.push(o);
        }
    }

    /// Free the unmarked young objects and make the marked ones old, resetting their mark to
    /// `unmarked` (the value every object holds between collections).
    fn sweep_young(&mut self, color: bool, unmarked: bool) {
        let young = std::mem::take(&mut self.young);
        for (i, &p) in young.iter().enumerate() {
            if let Some(&q) = young.get(i + SWEEP_AHEAD) {
                prefetch(q);
            }
            // SAFETY: every pointer in `young` is a live object not yet freed.
            let o = unsafe { &*p };
            if o.marked.get() == color {
                o.marked.set(unmarked);
                if has_barrier(&o.kind) {
                    o.gen.set(OLD);
                } else {
                    o.gen.set(OLD | REMEMBERED);
                    self.sticky.push(p);
                }
                self.old_weight += weight(o);
                self.old.push(p);
            } else {
                // SAFETY: unreachable from every root (and from every old object: see
                // `collect_minor`); freed once because `young` is emptied here.
                unsafe { free(p) };
            }
        }
        self.young = young;
        self.young.clear();
    }

    /// Panic if a young object reachable from `roots` was not marked by the minor collection
    /// (a store into an old object without a write barrier). Whole-heap work: testing only.
    fn verify_minor(&self, roots: &[Value], color: bool) {
        let mut seen: std::collections::HashSet<*const Obj> = Default::default();
        let mut work: Vec<(*const Obj, &'static str)> = Vec::new();
        for &r in roots {
            if let Some(o) = r.as_obj() {
                if seen.insert(o) {
                    work.push((o, "a root"));
                }
            }
        }
        while let Some((p, parent)) = work.pop() {
            // SAFETY: reached from the roots, so live (nothing is freed before the sweep).
            let o = unsafe { &*p };
            if o.gen.get() & OLD == 0 && o.marked.get() != color {
                panic!(
                    "GC write barrier missing: a young {} is reachable from an old {} that no barrier recorded",
                    o.ty().name(),
                    parent
                );
            }
            let name = o.ty().name();
            trace(o, &mut |v| {
                if let Some(c) = v.as_obj() {
                    if seen.insert(c) {
                        work.push((c, name));
                    }
                }
            });
        }
    }
}

/// An object's size in units of one object: 1 plus its payload in `CHARGE_BYTES` (the unit
/// `charge` counts allocations in), for the kinds whose payload can be big.
fn weight(o: &Obj) -> usize {
    let bytes = match &o.kind {
        ObjKind::Str(s) => s.s.len(),
        ObjKind::BigInt(b) => (b.bits() / 8) as usize,
        ObjKind::List(l) => l.borrow().capacity() * 8,
        ObjKind::Tuple(t) => t.len() * 8,
        ObjKind::Dict(d) => d.borrow().raw_len() * 24,
        ObjKind::Set(s) => s.table.borrow().len() * 16,
        _ => 0,
    };
    1 + bytes / CHARGE_BYTES
}

/// Headers prefetched this many entries ahead in the sweeps.
const SWEEP_AHEAD: usize = 32;

// --- strs ---
impl Heap {
    /// Free every old object not marked `color`, compacting `old` in place (survivors are
    /// only read: their mark stays as it is). Each header read is a likely cache miss (objects are scattered over the
    /// allocator's pages), so the header `SWEEP_AHEAD` entries on is prefetched.
    fn sweep_old(&mut self, color: bool) {
        let mut old = std::mem::take(&mut self.old);
        let objs = &mut old;
        let n = objs.len();
        let mut keep = 0;
        for i in 0..n {
            if let Some(&q) = objs.get(i + SWEEP_AHEAD) {
                prefetch(q);
            }
            let p = objs[i];
            // SAFETY: every pointer in `old` is a live object not yet freed.
            let o = unsafe { &*p };
            if o.marked.get() == color {
                self.old_weight += weight(o);
                objs[keep] = p;
                keep += 1;
            } else {
                // SAFETY: unreachable from every root, so no Value refers to it any more; it is
                // freed exactly once because it is dropped from `old` here.
                unsafe { free(p) };
            }
        }
        objs.truncate(keep);
        self.old = old;
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

/// Is `v` an object allocated since the last collection?
#[inline(always)]
fn is_young(v: Value) -> bool {
    v.as_obj().is_some_and(|o| o.gen.get() & OLD == 0)
}

/// `mark` for a minor collection: old objects are neither marked nor traced.
#[inline(always)]
fn mark_young(v: Value, color: bool, work: &mut Vec<*const Obj>) {
    if let Some(o) = v.as_obj() {
        if o.gen.get() & OLD == 0 && o.marked.get() != color {
            o.marked.set(color);
            if is_leaf(&o.kind) {
                return;
            }
            work.push(o as *const Obj);
        }
    }
}

/// `trace` for a remembered object: of a list, only the items from its card on.
fn trace_from_card(o: &Obj, f: &mut impl FnMut(Value)) {
    if let ObjKind::List(l) = &o.kind {
        let l = l.borrow();
        let from = (o.card.get() as usize).min(l.len());
        trace_values(&l[from..], f);
    } else {
        trace(o, f);
    }
}

/// Kinds whose every store of a Value after creation calls the write barrier. Old objects of
/// the other kinds with children are traced by every minor collection instead (`sticky`), dead
/// ones included until a major collection: so no kind made by the thousand may be among them
/// (exceptions were: exc_validate ran 7% slower than without generations).
#[inline(always)]
fn has_barrier(kind: &ObjKind) -> bool {
    !matches!(
        kind,
        ObjKind::Code(_)
            | ObjKind::Function(_)
            | ObjKind::Class(_)
            | ObjKind::Generator(_)
            | ObjKind::BuiltinIter(_)
    )
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
            | ObjKind::Object
            | ObjKind::Ellipsis
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
        for &p in self.old.iter().chain(&self.young) {
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
        ObjKind::NotImplemented | ObjKind::Object | ObjKind::Ellipsis => {}
    }
}

impl Heap {
    /// Live objects by Python type name (diagnostics and tests).
    pub fn census(&self) -> Vec<(&'static str, usize)> {
        let mut m: std::collections::BTreeMap<&'static str, usize> = Default::default();
        for &p in self.old.iter().chain(&self.young) {
            // SAFETY: every pointer in `old` and `young` is a live object.
            *m.entry(unsafe { &*p }.ty().name()).or_default() += 1;
        }
        m.into_iter().collect()
    }
}
