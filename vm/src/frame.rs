//! Frames and the data stack they live in.
//!
//! The data stack is a list of fixed chunks of `Value` slots that never move (like CPython
//! 3.11's per-thread data stack), so raw pointers into it stay valid while frames come and go.
//! A frame's slots are laid out as
//!
//! ```text
//!  base                                                      base + nslots
//!   |  locals (args first) | cells | frees |  value stack ...  (<= stack_size)
//! ```
//!
//! and a call puts the callee's `base` on its first argument in the caller's value stack, so
//! arguments are passed without copying (the callable and `self_or_null` slots below it
//! receive the result). Only when the current chunk lacks room does a call move to the next
//! chunk (allocated once, then reused) and copy the arguments there.
//!
//! `Frame` records are kept in a `Vec` on the VM, so a Python call allocates nothing in the
//! common case and Python recursion never recurses on the Rust stack.

use nanopy_compiler::bytecode::Instr;

use crate::object::Code;
use crate::value::Value;

/// Slots per chunk (2 MiB). Frames bigger than this get a chunk of their own size.
pub const CHUNK_SLOTS: usize = 256 * 1024;

/// Slots in the first chunk (128 KiB): enough for about a thousand nested calls of small
/// functions, so most programs never leave it, and small enough that when the allocator
/// hands out recycled memory (which it must zero) the start-up cost stays small; deeper
/// recursion moves on to chunks of `CHUNK_SLOTS`. With a 2 MiB first chunk, programs whose
/// compilation had freed memory paid a 2 MiB memset and 2 MiB of resident pages.
pub const FIRST_CHUNK_SLOTS: usize = 16 * 1024;

pub struct Frame {
    pub code: *const Code,
    /// The code object value (keeps `code` alive; traceback entries point at it).
    pub code_val: Value,
    /// The function being run, or NULL for module code.
    pub func: Value,
    pub globals: Value,
    /// Slot 0.
    pub base: *mut Value,
    /// Next instruction; valid when this frame is not running (saved at calls/errors).
    pub ip: *const Instr,
    /// Stack top; valid when this frame is not running.
    pub sp: *mut Value,
    /// Where the result goes; the caller's stack top becomes `ret + 1`.
    pub ret: *mut Value,
    /// Returning from this frame leaves the dispatch loop (module code, calls from natives).
    pub entry: bool,
    pub chunk: u32,
    /// The generator this frame runs for, or NULL.
    pub gen: Value,
}

impl Frame {
    #[inline(always)]
    pub fn code(&self) -> &Code {
        // SAFETY: `code` points into the Code object `code_val`, which the frame keeps alive
        // (frames are GC roots).
        unsafe { &*self.code }
    }

    /// Index of the instruction being executed (the one before `ip`).
    pub fn pc(&self) -> usize {
        // SAFETY: `ip` points into `code().instrs` (at most one past its end).
        let off = unsafe { self.ip.offset_from(self.code().instrs.as_ptr()) };
        (off.max(1) - 1) as usize
    }
}

/// A chunk's slots start as zero bits (the float 0.0, never a heap pointer, so a stray read
/// is harmless to the GC) rather than NULL: every frame NULL-fills its own slots on entry and
/// the GC reads only `[base, sp)`, so the initial pattern is never observed. Zeroed memory
/// lets the allocator hand out fresh OS pages untouched: only the stack depth a program
/// actually reaches becomes resident, where filling 2 MiB with NULL made all of it resident
/// at start-up (an empty program's peak RSS: 8.0 MB -> 5.9 MB).
struct Chunk {
    ptr: *mut Value,
    len: usize,
}

/// The chunked value stack.
pub struct DataStack {
    chunks: Vec<Chunk>,
}

impl Default for DataStack {
    fn default() -> Self {
        let mut s = DataStack { chunks: Vec::new() };
        s.add_chunk(FIRST_CHUNK_SLOTS);
        s
    }
}

impl DataStack {
    fn add_chunk(&mut self, len: usize) {
        let layout = std::alloc::Layout::array::<Value>(len).expect("chunk size fits");
        // SAFETY: `layout` has a non-zero size (len >= CHUNK_SLOTS or a frame's need > 0).
        let ptr = unsafe { std::alloc::alloc_zeroed(layout) } as *mut Value;
        if ptr.is_null() {
            std::alloc::handle_alloc_error(layout);
        }
        self.chunks.push(Chunk { ptr, len });
    }

    /// Free a chunk made by `add_chunk`.
    fn free_chunk(c: &Chunk) {
        let layout = std::alloc::Layout::array::<Value>(c.len).expect("chunk size fits");
        // SAFETY: allocated by `add_chunk` with this same layout; no frame uses it any more.
        unsafe { std::alloc::dealloc(c.ptr as *mut u8, layout) };
    }

    /// Start of chunk `i`.
    pub fn chunk_start(&self, i: usize) -> *mut Value {
        self.chunks[i].ptr
    }

    /// One past the end of chunk `i`.
    #[inline]
    pub fn chunk_end(&self, i: usize) -> *mut Value {
        let c = &self.chunks[i];
        // SAFETY: `len` is the chunk's length; one-past-the-end is a valid pointer.
        unsafe { c.ptr.add(c.len) }
    }

    // --- calls ---
    /// One past the end of chunk `i`, unchecked (the call fast path; `i` is `Vm::chunk`,
    /// always a live chunk).
    #[inline(always)]
    pub fn chunk_end_fast(&self, i: usize) -> *mut Value {
        debug_assert!(i < self.chunks.len());
        // SAFETY: `i` indexes a chunk (the VM's current chunk index always does).
        let c = unsafe { self.chunks.get_unchecked(i) };
        // SAFETY: as `chunk_end`.
        unsafe { c.ptr.add(c.len) }
    }

    /// The chunk after `i` with room for `need` slots, creating it if needed. Returns its index.
    pub fn next_chunk(&mut self, i: usize, need: usize) -> usize {
        let j = i + 1;
        if j < self.chunks.len() && self.chunks[j].len < need {
            // Too small for this frame: replace it (it holds no live frame, all frames above `i`
            // are gone when a call from chunk `i` moves on).
            let c = self.chunks.remove(j);
            Self::free_chunk(&c);
        }
        if j >= self.chunks.len() || self.chunks[j].len < need {
            self.add_chunk(need.max(CHUNK_SLOTS));
            let last = self.chunks.pop().expect("just pushed");
            self.chunks.insert(j, last);
        }
        j
    }
}

impl Drop for DataStack {
    fn drop(&mut self) {
        for c in &self.chunks {
            Self::free_chunk(c);
        }
    }
}
