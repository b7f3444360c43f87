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

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

use libmimalloc_sys as ffi;

/// Alignment every mimalloc block has.
const WORD: usize = std::mem::size_of::<usize>();

pub struct WordMiMalloc;

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
