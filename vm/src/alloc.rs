//! Heap limit (`nanopy run --max-heap SIZE`): a counting wrapper for the process's global
//! allocator, and the check the interpreter makes at its safe points.
//!
//! The binary installs `Counting<...>` as its `#[global_allocator]`. Counting is off (one
//! relaxed load per allocation) until a limit is set. Past the limit the allocator still
//! serves requests (refusing one would abort the process) but raises a flag; the interpreter
//! sees it at its next safe point (`Heap::should_collect` is true), collects, and if the bytes
//! in use are still over the limit raises MemoryError there.

use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed};

/// Bytes allowed; 0 = no limit (and no counting).
static LIMIT: AtomicUsize = AtomicUsize::new(0);
/// Bytes in use by live allocations made while counting (never below 0: frees of blocks
/// allocated before counting started saturate).
static IN_USE: AtomicUsize = AtomicUsize::new(0);
/// IN_USE > LIMIT.
static OVER: AtomicBool = AtomicBool::new(false);

/// A global allocator that counts bytes in use once a limit is set.
pub struct Counting<A>(pub A);

// SAFETY: every method forwards to the wrapped allocator unchanged; the counters only observe.
unsafe impl<A: GlobalAlloc> GlobalAlloc for Counting<A> {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_alloc(layout.size());
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { self.0.alloc(layout) }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count_alloc(layout.size());
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { self.0.alloc_zeroed(layout) }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count_free(layout.size());
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { self.0.dealloc(ptr, layout) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_free(layout.size());
        count_alloc(new_size);
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { self.0.realloc(ptr, layout, new_size) }
    }
}

#[inline(always)]
fn count_alloc(n: usize) {
    let limit = LIMIT.load(Relaxed);
    if limit != 0 {
        let now = IN_USE.fetch_add(n, Relaxed) + n;
        if now > limit {
            OVER.store(true, Relaxed);
        }
    }
}

#[inline(always)]
fn count_free(n: usize) {
    let limit = LIMIT.load(Relaxed);
    if limit != 0 {
        let prev = IN_USE
            .fetch_update(Relaxed, Relaxed, |v| Some(v.saturating_sub(n)))
            .unwrap_or(0);
        if prev.saturating_sub(n) <= limit {
            OVER.store(false, Relaxed);
        }
    }
}

/// Start counting against `bytes` (the counter starts from 0 at this point).
pub fn set_limit(bytes: usize) {
    IN_USE.store(0, Relaxed);
    OVER.store(false, Relaxed);
    LIMIT.store(bytes, Relaxed);
}

/// Over the limit (checked at safe points).
#[inline(always)]
pub fn over_limit() -> bool {
    OVER.load(Relaxed)
}
