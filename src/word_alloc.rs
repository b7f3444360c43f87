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
//! - Blocks of `DIRECT_MIN` bytes and more are mapped from the OS directly and unmapped when
//!   freed, as glibc's malloc does above its mmap threshold: see `DIRECT_MIN`.

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

/// Smallest block mapped straight from the OS (page-aligned, so any alignment up to a page).
/// mimalloc keeps a freed huge block committed for the purge delay and cannot reuse it for a
/// request even one word larger, so a program that frees a 12 MB list and builds one slightly
/// longer held both: sieve's peak RSS was 41 MB (CPython 25 MB); unmapped at once, memory goes
/// back as soon as the collector frees the block, and a growing block is moved by `mremap`
/// without copying. Four MiB: few enough that the system call and fresh-page faults per block
/// are noise beside filling that many bytes.
const DIRECT_MIN: usize = 4 << 20;
const PAGE: usize = 4096;

/// Whether `layout` is served by `mmap` (the same answer at alloc, dealloc and realloc).
#[inline]
fn direct(size: usize, align: usize) -> bool {
    size >= DIRECT_MIN && align <= PAGE
}

/// A fresh zeroed mapping of `size` bytes, or null.
fn map(size: usize) -> *mut u8 {
    // SAFETY: an anonymous private mapping; no existing memory is touched.
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            size,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if p == libc::MAP_FAILED {
        std::ptr::null_mut()
    } else {
        p as *mut u8
    }
}

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
        if direct(layout.size(), layout.align()) {
            return map(layout.size());
        }
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
        if direct(layout.size(), layout.align()) {
            return map(layout.size()); // fresh anonymous pages read as zero
        }
        if layout.align() <= WORD {
            // SAFETY: as in `alloc`.
            unsafe { ffi::mi_zalloc(layout.size()) as *mut u8 }
        } else {
            // SAFETY: as in `alloc`.
            unsafe { ffi::mi_zalloc_aligned(layout.size(), layout.align()) as *mut u8 }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if direct(layout.size(), layout.align()) {
            // SAFETY: `ptr` is the start of a mapping of exactly this size made by `map` (the
            // caller passes the layout it allocated with), unmapped once.
            unsafe { libc::munmap(ptr as *mut c_void, layout.size()) };
            return;
        }
        // SAFETY: `ptr` came from this allocator (mimalloc frees any of its blocks).
        unsafe { ffi::mi_free(ptr as *mut c_void) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let (was, will) = (
            direct(layout.size(), layout.align()),
            direct(new_size, layout.align()),
        );
        if was && will {
            // SAFETY: `ptr` is a mapping of `layout.size()` bytes made by `map`; mremap may
            // move it (the caller uses the returned pointer) and keeps its contents.
            let p = unsafe {
                libc::mremap(
                    ptr as *mut c_void,
                    layout.size(),
                    new_size,
                    libc::MREMAP_MAYMOVE,
                )
            };
            return if p == libc::MAP_FAILED {
                std::ptr::null_mut()
            } else {
                p as *mut u8
            };
        }
        if was || will {
            // Crossing the threshold: a new block of the other kind, then copy and free.
            // SAFETY: `new_size` is non-zero (GlobalAlloc's contract) with the old alignment.
            let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
            // SAFETY: as `alloc`.
            let q = unsafe { self.alloc(new_layout) };
            if !q.is_null() {
                // SAFETY: both blocks hold at least the smaller size and do not overlap.
                unsafe { std::ptr::copy_nonoverlapping(ptr, q, layout.size().min(new_size)) };
                // SAFETY: `ptr` was allocated with `layout`; freed once, after the copy.
                unsafe { self.dealloc(ptr, layout) };
            }
            return q;
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(size: usize, align: usize) -> Layout {
        Layout::from_size_align(size, align).expect("layout")
    }

    /// Fill with a pattern that differs per offset, check a prefix of it later.
    fn fill(p: *mut u8, n: usize) {
        for i in (0..n).step_by(4093) {
            // SAFETY: i < n, inside the block.
            unsafe { *p.add(i) = (i / 4093) as u8 };
        }
    }

    fn check(p: *const u8, n: usize) {
        for i in (0..n).step_by(4093) {
            // SAFETY: i < n, inside the block.
            assert_eq!(unsafe { *p.add(i) }, (i / 4093) as u8, "byte {i}");
        }
    }

    #[test]
    fn blocks_move_between_mimalloc_and_direct_mappings_keeping_their_bytes() {
        let a = WordMiMalloc;
        let big = DIRECT_MIN * 2;
        // SAFETY: each block is used within its size and freed once with its layout.
        unsafe {
            let p = a.alloc(layout(big, 8));
            assert!(!p.is_null() && (p as usize).is_multiple_of(PAGE));
            fill(p, big);
            // Direct -> direct (mremap), growing then shrinking.
            let p = a.realloc(p, layout(big, 8), big * 2);
            check(p, big);
            let p = a.realloc(p, layout(big * 2, 8), DIRECT_MIN);
            check(p, DIRECT_MIN);
            // Direct -> mimalloc, and back.
            let p = a.realloc(p, layout(DIRECT_MIN, 8), 100_000);
            check(p, 100_000);
            let p = a.realloc(p, layout(100_000, 8), DIRECT_MIN + 1);
            check(p, 100_000);
            a.dealloc(p, layout(DIRECT_MIN + 1, 8));

            let z = a.alloc_zeroed(layout(big, 16));
            assert!((0..big).step_by(4099).all(|i| *z.add(i) == 0));
            a.dealloc(z, layout(big, 16));

            // Alignment above a page stays with mimalloc (and must still be honoured).
            let q = a.alloc(layout(big, PAGE * 2));
            assert!(!q.is_null() && (q as usize).is_multiple_of(PAGE * 2));
            fill(q, big);
            let q = a.realloc(q, layout(big, PAGE * 2), big + 10);
            check(q, big);
            a.dealloc(q, layout(big + 10, PAGE * 2));
        }
    }
}
