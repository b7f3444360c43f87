//! mimalloc without its aligned entry points for ordinary layouts.
//!
//! `mimalloc::MiMalloc` sends every request through `mi_malloc_aligned`, whose v3 fast path
//! only fires when the size class's next free block happens to be aligned and the page has a
//! free block; otherwise it takes a generic path that over-allocates (`size + align - 1`) for
//! every size class that is not a power of two and marks the page as holding interior
//! pointers, which slows later frees. On string-heavy programs that was ~10% of all
//! instructions. Every mimalloc block is at least word-aligned (the first block of a page is
//! 16-aligned and block sizes are multiples of the word), so layouts asking for at most a
//! word of alignment can use plain `mi_malloc`; larger alignments keep the aligned calls.
//!
//! Memory settings (what `configure` and the `no_thp` build feature of libmimalloc-sys set):
//! - No transparent huge pages. mimalloc v3 madvises its arena MADV_HUGEPAGE, so every 2 MiB
//!   region it touches is faulted in (and zeroed by the kernel) whole: an empty program's RSS
//!   was 15.4 MB, five huge pages of it anonymous. Built with `no_thp` the madvise is never
//!   issued (a compile-time switch: an option set from `main` would come after the first
//!   arena was already mapped by allocations the Rust runtime makes before `main`).
//! - The purge delay: see `PURGE_DELAY_MS`.

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

use libmimalloc_sys as ffi;

/// Alignment every mimalloc block has.
const WORD: usize = std::mem::size_of::<usize>();

pub struct WordMiMalloc;

/// `mi_option_purge_delay` in mimalloc v3's `mi_option_t` (include/mimalloc.h).
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 16;

/// How long freed pages stay committed before mimalloc returns them to the OS (its default is
/// 1000 ms). Purging then re-touching costs a page fault and a kernel page clear per 4 KiB:
/// with the default (and huge pages), str_build spent 40% of its time in `clear_page_erms`.
/// Ten seconds: no corpus program runs that long, so none purges and re-faults (str_build
/// 400000: 79k page faults instead of 85k, `perf stat -e page-faults`), and the peak RSS of
/// all 17 programs was the same as with the default or with never purging (`/usr/bin/time
/// -f %M`, 2026-11-30); a long-running program still gives freed memory back.
const PURGE_DELAY_MS: std::ffi::c_long = 10_000;

extern "C" {
    // Part of mimalloc's public API (the `extended` feature of libmimalloc-sys would declare
    // it too). Sets an option unless the environment (`MIMALLOC_PURGE_DELAY`) already did.
    fn mi_option_set_default(option: std::ffi::c_int, value: std::ffi::c_long);
}

/// Apply the memory settings above. Call first thing in `main`.
pub fn configure() {
    // SAFETY: sets one word in mimalloc's option table; the purge delay is read at each purge,
    // so setting it after allocations have started is fine.
    unsafe { mi_option_set_default(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS) };
}

// SAFETY: each method returns memory from mimalloc that satisfies `layout`: plain `mi_malloc`
// blocks are word-aligned (see the module comment), and larger alignments use the aligned API.
unsafe impl GlobalAlloc for WordMiMalloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= WORD {
            // SAFETY: plain allocation; word alignment covers `layout.align()`.
            unsafe { ffi::mi_malloc(layout.size()) as *mut u8 }
        } else {
            // SAFETY: aligned allocation with a power-of-two alignment from `Layout`.
            unsafe { ffi::mi_malloc_aligned(layout.size(), layout.align()) as *mut u8 }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= WORD {
            // SAFETY: as in `alloc`.
            unsafe { ffi::mi_zalloc(layout.size()) as *mut u8 }
        } else {
            // SAFETY: as in `alloc`.
            unsafe { ffi::mi_zalloc_aligned(layout.size(), layout.align()) as *mut u8 }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: `ptr` came from this allocator (mimalloc frees any of its blocks).
        unsafe { ffi::mi_free(ptr as *mut c_void) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if layout.align() <= WORD {
            // SAFETY: `ptr` came from this allocator; the new block is word-aligned again.
            unsafe { ffi::mi_realloc(ptr as *mut c_void, new_size) as *mut u8 }
        } else {
            // SAFETY: as above, keeping the larger alignment.
            unsafe {
                ffi::mi_realloc_aligned(ptr as *mut c_void, new_size, layout.align()) as *mut u8
            }
        }
    }
}
