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

/// One running (or suspended-in-a-call) Python frame. Kept small — a call writes it whole
/// (`calls`): what can be derived lazily is (`func()`, `code_val()`).
pub struct Frame {
    pub code: *const Code,
    /// The function being run; for code run without one (module code, the instantiation shim)
    /// the code object value. Either keeps `code` alive.
    pub owner: Value,
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
        // SAFETY: `code` points into the Code object `owner` is or holds, which the frame
        // keeps alive (frames are GC roots).
        unsafe { &*self.code }
    }

    // --- calls ---
    /// The function being run, or NULL for module code.
    pub fn func(&self) -> Value {
        if self.owner.as_function().is_some() {
            self.owner
        } else {
            Value::NULL
        }
    }

    /// The code object value (traceback entries point at it).
    pub fn code_val(&self) -> Value {
        self.owner.as_function().map_or(self.owner, |f| f.code)
    }

    /// Index of the instruction being executed (the one before `ip`).
    pub fn pc(&self) -> usize {
        // SAFETY: `ip` points into `code().instrs` (at most one past its end).
        let off = unsafe { self.ip.offset_from(self.code().instrs.as_ptr()) };
        (off.max(1) - 1) as usize
    }
}

// --- calls ---
/// Every chunk starts on a multiple of this many bytes and spans a whole number of them (the
/// first chunk is exactly one). So the next such boundary above any slot of a chunk is at or
/// below the chunk's end, and the call fast path bounds its room from the argument pointer
/// alone ([`room_end`]), with no load.
pub const CHUNK_ALIGN: usize = FIRST_CHUNK_SLOTS * std::mem::size_of::<Value>();

/// A lower bound on the end of the chunk holding the slot just below `p` (`p` is the first
/// argument of a call, so `p - 1` is a slot of that call's chunk): the next `CHUNK_ALIGN`
/// boundary. Exact in the first chunk; in a bigger chunk a frame that would straddle a
/// boundary just takes the slow path (`Vm::frame_room`, which knows the real end).
#[inline(always)]
pub fn room_end(p: *mut Value) -> usize {
    ((p as usize).wrapping_sub(1) | (CHUNK_ALIGN - 1)).wrapping_add(1)
}

/// A chunk's slots start as zero bits (the float 0.0, never a heap pointer, so a stray read
/// is harmless to the GC) rather than NULL: every frame NULL-fills its own slots on entry and
/// the GC reads only `[base, sp)`, so the initial pattern is never observed. Zeroed memory
/// lets the allocator hand out fresh OS pages untouched: only the stack depth a program
/// actually reaches becomes resident, where filling 2 MiB with NULL made all of it resident
/// at start-up (an empty program's peak RSS: 8.0 MB -> 5.9 MB).
struct Chunk {
    /// The first slot (`CHUNK_ALIGN`-aligned).
    ptr: *mut Value,
    len: usize,
    /// What the allocator returned (`ptr` rounded down), with its length in slots.
    raw: *mut Value,
    raw_len: usize,
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
        // --- calls --- a whole number of CHUNK_ALIGN blocks, starting on a boundary. The
        // allocation is over-sized by one block and aligned by hand rather than asking the
        // allocator for the alignment: only the small-alignment path is `calloc`, whose fresh
        // pages need no zeroing (an aligned `alloc_zeroed` memsets the whole chunk).
        let align_slots = CHUNK_ALIGN / std::mem::size_of::<Value>();
        let len = len.div_ceil(align_slots) * align_slots;
        let raw_len = len + align_slots;
        let layout = std::alloc::Layout::array::<Value>(raw_len).expect("chunk size fits");
        // SAFETY: `layout` has a non-zero size (len >= CHUNK_SLOTS or a frame's need > 0).
        let raw = unsafe { std::alloc::alloc_zeroed(layout) } as *mut Value;
        if raw.is_null() {
            std::alloc::handle_alloc_error(layout);
        }
        let skip = (CHUNK_ALIGN - raw as usize % CHUNK_ALIGN) % CHUNK_ALIGN;
        // SAFETY: `skip < CHUNK_ALIGN` bytes, a multiple of 8 (the allocation is 8-aligned), so
        // `ptr .. ptr + len` lies inside the `len + align_slots` slots allocated.
        let ptr = unsafe { raw.byte_add(skip) };
        self.chunks.push(Chunk {
            ptr,
            len,
            raw,
            raw_len,
        });
    }

    /// Free a chunk made by `add_chunk`.
    fn free_chunk(c: &Chunk) {
        let layout = std::alloc::Layout::array::<Value>(c.raw_len).expect("chunk size fits");
        // SAFETY: allocated by `add_chunk` with this same layout; no frame uses it any more.
        unsafe { std::alloc::dealloc(c.raw as *mut u8, layout) };
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
