//! Quickening: generic instructions rewritten in place into specialized forms, each with an
//! inline cache, as CPython 3.11 does.
//!
//! - **The stream.** `Code::instrs` is the running copy of the compiler's bytecode
//!   (`Code::src.code` stays pristine: `dis`, the `.pyc` cache and tracebacks read that one).
//!   Its words are `Cell`s so a handler can rewrite one through the shared `&Code` every frame
//!   holds. A rewrite changes only the opcode byte, never the operand, so instruction indices,
//!   jump targets, line tables and exception tables stay valid. [`rewrite`] also patches the
//!   threaded dispatcher's pre-decoded stream when it has been built. (`--- fastcall ---` one
//!   exception: the LOAD_FAST + small-int-constant forms written at load carry the local and
//!   the constant packed in their operand, `fastcall::fuse_load_fast`; code that reads a
//!   neighbour's operand must not take such a word for a LOAD_FAST, see [`Instrs::with_pairs`].)
//! - **The caches.** One [`Entry`] per instruction index, in a side table allocated on the
//!   code object's first specialization (`Code::quick`). What an entry holds depends on the
//!   specialized opcode (see [`Entry`]); a value the specialization relies on being alive (the
//!   called function, the globals dict, a built-in method) sits in `Entry::held`, which the
//!   collector traces, so no cached address can be reused by another object.
//! - **When.** A generic handler whose fast path just succeeded calls a specializer here (only
//!   when `Vm::quicken` is on: `--no-quicken` and `nanopy trace` turn it off). A specialized
//!   handler checks its guard; on a miss it calls [`deopt`], which writes the generic opcode
//!   back and counts the miss, and then runs the generic semantics out of line.
//! - **Backoff** (as CPython 3.11's adaptive counters). After its k-th miss an instruction
//!   waits `2^min(k, 12) - 1` executions of its generic form before it may specialize again,
//!   so a polymorphic site stays generic for exponentially longer spells instead of
//!   flip-flopping; the wait counts down inline ([`ready`]), without a call.
//! - **Superinstructions** (`// --- calls ---`): a COMPARE_OP followed by POP_JUMP_IF_FALSE or
//!   POP_JUMP_IF_TRUE specializes into a fused compare-and-branch ([`compare`]).
//!
//! Specialized opcodes exist only in memory: codegen never emits them and the verifier rejects
//! them in a cache file (`compiler/src/bytecode/verify.rs`).

use std::cell::{Cell, OnceCell};

use nanopy_compiler::bytecode::{Instr, Opcode};

use super::Vm;
use crate::object::Code;
use crate::value::Value;

// --- calls ---
/// The largest backoff exponent: a site that keeps missing retries every 4095 executions.
pub const MAX_BACKOFF: u32 = 12;

/// Executions of the generic form to wait after the `misses`-th miss.
pub const fn backoff(misses: u32) -> u16 {
    let e = if misses < MAX_BACKOFF {
        misses
    } else {
        MAX_BACKOFF
    };
    ((1u32 << e) - 1) as u16
}

/// The running instruction stream of a code object: the compiler's words, rewritable in place.
pub struct Instrs(Box<[Cell<Instr>]>);

impl Instrs {
    pub fn new(code: &[Instr]) -> Instrs {
        Instrs(code.iter().map(|i| Cell::new(*i)).collect())
    }

    // --- calls ---
    /// The running copy of `code` with its superinstruction pairs written in (quickening on):
    /// each LOAD_FAST followed by a LOAD_CONST or LOAD_FAST becomes the fused pair. These need
    /// no warm-up, no cache and never deoptimize (their slow path is LOAD_FAST's).
    /// `--- fastcall ---` longer LOAD_FAST forms first (`fastcall::fuse_load_fast`; `consts`
    /// are the code object's constants).
    pub fn with_pairs(code: &[Instr], consts: &[Value]) -> Instrs {
        let mut words: Vec<Instr> = code.to_vec();
        for pc in 0..words.len().saturating_sub(1) {
            if words[pc].op() != Opcode::LOAD_FAST {
                continue;
            }
            if let Some(w) = super::fastcall::fuse_load_fast(code, consts, pc) {
                words[pc] = w;
                continue;
            }
            let fused = match code[pc + 1].op() {
                Opcode::LOAD_CONST => Opcode::LOAD_FAST__LOAD_CONST,
                // --- fastcall --- not when the second load starts a packed form: the pair
                // would read its packed operand as a local (and the form saves more).
                Opcode::LOAD_FAST if super::fastcall::packs(code, consts, pc + 1) => continue,
                Opcode::LOAD_FAST => Opcode::LOAD_FAST__LOAD_FAST,
                _ => continue,
            };
            words[pc] = words[pc].with_op(fused);
        }
        Instrs::new(&words)
    }

    /// The first instruction; `Regs::ip` points into this array.
    #[inline(always)]
    pub fn as_ptr(&self) -> *const Instr {
        // `Cell<Instr>` is `repr(transparent)` over `Instr`.
        self.0.as_ptr() as *const Instr
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The (possibly specialized) instruction at `pc`.
    pub fn get(&self, pc: usize) -> Option<Instr> {
        self.0.get(pc).map(Cell::get)
    }
}

impl std::ops::Index<usize> for Instrs {
    type Output = Instr;

    fn index(&self, pc: usize) -> &Instr {
        // SAFETY: `Cell<Instr>` is `repr(transparent)`; the VM is single-threaded and callers
        // only read the word transiently (no rewrite happens while the reference lives).
        unsafe { &*self.0[pc].as_ptr() }
    }
}

/// One instruction's inline cache. Meaning per specialized opcode:
///
/// | opcode | `held` | `a` | `b` | `c` | `n` |
/// |---|---|---|---|---|---|
/// | LOAD_GLOBAL_MODULE | globals dict | `*const u64`: the globals' version | globals version | `*const Value` in globals | — |
/// | LOAD_GLOBAL_BUILTIN | globals dict | builtins version | globals version | `*const Value` in builtins | — |
/// | LOAD_GLOBAL_*__PUSH_NULL | as LOAD_GLOBAL_MODULE / _BUILTIN | | | | |
/// | CALL_PY_EXACT_ARGS | the function | `*const Code` | slots + stack size | — | args incl. self |
/// | LOAD_METHOD_BUILTIN | the method | the type (`Ty as u64`) | — | — | — |
/// | CALL_NATIVE | — | — | — | — | — |
///
/// | CALL_PY_EXACT_ARGS (cont.) | | | | the function's globals | |
///
/// The BINARY_OP / COMPARE_OP forms need no cache; their entry only counts misses.
#[derive(Clone, Copy)]
pub struct Entry {
    pub held: Value,
    pub a: u64,
    pub b: u64,
    pub c: u64,
    pub n: u32,
    /// Deoptimizations of this instruction so far.
    pub misses: u16,
    /// Executions of the generic form left before it may specialize again (backoff).
    pub wait: u16,
}

impl Default for Entry {
    fn default() -> Entry {
        Entry {
            held: Value::NULL,
            a: 0,
            b: 0,
            c: 0,
            n: 0,
            misses: 0,
            wait: 0,
        }
    }
}

/// A code object's inline caches, one per instruction, made on its first specialization.
#[derive(Default)]
pub struct Caches(OnceCell<Box<[Cell<Entry>]>>);

impl Caches {
    /// The values the caches keep alive (the collector calls this for each code object).
    pub fn trace(&self, f: &mut dyn FnMut(Value)) {
        if let Some(es) = self.0.get() {
            es.iter().for_each(|e| f(e.get().held));
        }
    }

    fn table(&self, len: usize) -> &[Cell<Entry>] {
        self.0
            .get_or_init(|| (0..len).map(|_| Cell::new(Entry::default())).collect())
    }
}

/// Index of the instruction just dispatched (`ip` is already past it).
#[inline(always)]
fn pc_of(code: &Code, ip: *const Instr) -> usize {
    // SAFETY: `ip` is one past an instruction of `code` (handlers run with `ip` advanced).
    (unsafe { ip.offset_from(code.instrs.as_ptr()) }) as usize - 1
}

/// The cache of the specialized instruction just dispatched. Only specialized handlers call
/// this, and an instruction is specialized only after its code's table was made.
#[inline(always)]
pub(crate) fn entry<'a>(vm: &Vm, ip: *const Instr) -> &'a Cell<Entry> {
    let code = vm.frame().code();
    let pc = pc_of(code, ip);
    // SAFETY: specialized ⇒ `quick` is initialised (see `specialize`) and has one entry per
    // instruction; the code object outlives the running frame's use of the reference.
    unsafe {
        let t = code.quick.0.get().unwrap_unchecked();
        &*(t.get_unchecked(pc) as *const Cell<Entry>)
    }
}

/// Write `op` (same operand) over instruction `pc` of `code`, in the bytecode and, if built,
/// in the threaded stream.
pub(super) fn rewrite(code: &Code, pc: usize, op: Opcode) {
    rewrite_word(code, pc, code.instrs[pc].with_op(op));
}

/// Write the whole word `ins` over instruction `pc` (`--- fastcall ---`: undoing a packed
/// operand, `fastcall::unfuse`).
pub(super) fn rewrite_word(code: &Code, pc: usize, ins: Instr) {
    code.instrs.0[pc].set(ins);
    super::threaded::patch(code, pc, ins);
}

// --- calls ---
/// Whether the generic instruction just dispatched may try to specialize: false while its
/// backoff counts down (one tick per call). Inline, so a site that keeps missing pays a load
/// and a store per execution, not an out-of-line call.
#[inline(always)]
pub(crate) fn ready(vm: &Vm, ip: *const Instr) -> bool {
    let code = vm.frame().code();
    let Some(t) = code.quick.0.get() else {
        return true;
    };
    // SAFETY: the table has one entry per instruction and `ip` is just past one of them.
    let e = unsafe { t.get_unchecked(pc_of(code, ip)) };
    // SAFETY: single-threaded; no reference into the entry is live across this access.
    let wait = unsafe { &mut (*e.as_ptr()).wait };
    if *wait == 0 {
        return true;
    }
    *wait -= 1;
    false
}

/// Specialize the instruction just dispatched into `op` with cache `fill(entry)`, unless its
/// backoff is still counting down (callers that did not ask [`ready`] tick it here).
#[inline(never)]
pub(crate) fn specialize(vm: &Vm, ip: *const Instr, op: Opcode, fill: impl FnOnce(&mut Entry)) {
    let code = vm.frame().code();
    let pc = pc_of(code, ip);
    let cell = &code.quick.table(code.instrs.len())[pc];
    let mut e = cell.get();
    if e.wait > 0 {
        e.wait -= 1;
        cell.set(e);
        return;
    }
    fill(&mut e);
    cell.set(e);
    rewrite(code, pc, op);
    vm.quickened.set(vm.quickened.get() + 1);
}

/// A specialized instruction's guard failed: make it generic again (dropping what its cache
/// kept alive) and count the miss. The caller then runs the generic semantics.
#[cold]
#[inline(never)]
pub(crate) fn deopt(vm: &Vm, ip: *const Instr) {
    let code = vm.frame().code();
    let pc = pc_of(code, ip);
    let generic = code.src.code[pc].op();
    debug_assert_eq!(code.instrs[pc].op().generic(), generic);
    let cell = &code.quick.table(code.instrs.len())[pc];
    let e = cell.get();
    let misses = e.misses.saturating_add(1);
    cell.set(Entry {
        misses,
        wait: backoff(misses as u32), // --- calls ---
        ..Entry::default()
    });
    rewrite(code, pc, generic);
    vm.deoptimized.set(vm.deoptimized.get() + 1);
}

// ----- specializers, called by the generic handlers' fast paths -----

/// BINARY_OP of two inline ints (`arg` the operator) just succeeded.
#[inline(never)]
pub(crate) fn binary_int(vm: &Vm, ip: *const Instr, arg: u32) {
    let op = match arg {
        // --- fastcall --- fused with the RETURN_VALUE after it when there is one
        // SAFETY: a BINARY_OP is never a code object's last instruction.
        0 | 13 if unsafe { *ip }.op() == Opcode::RETURN_VALUE => {
            Opcode::BINARY_OP_ADD_INT__RETURN_VALUE
        }
        0 | 13 => Opcode::BINARY_OP_ADD_INT,
        10 | 23 => Opcode::BINARY_OP_SUB_INT,
        // --- strs ---
        5 | 18 => Opcode::BINARY_OP_MUL_INT,
        6 | 19 => Opcode::BINARY_OP_MOD_INT,
        _ => return,
    };
    specialize(vm, ip, op, |_| {});
}

/// BINARY_OP of two floats just succeeded.
#[inline(never)]
pub(crate) fn binary_float(vm: &Vm, ip: *const Instr, arg: u32) {
    let op = match arg {
        0 | 13 => Opcode::BINARY_OP_ADD_FLOAT,
        10 | 23 => Opcode::BINARY_OP_SUB_FLOAT,
        5 | 18 => Opcode::BINARY_OP_MUL_FLOAT,
        _ => return,
    };
    specialize(vm, ip, op, |_| {});
}

/// LOAD_GLOBAL just found its name through the per-name cache `arg` (filled).
#[inline(never)]
pub(crate) fn global(vm: &Vm, ip: *const Instr, arg: u32) {
    let f = vm.frame();
    let c = f.code().global_cache[arg as usize].get();
    if c.globals != f.globals.bits() {
        return;
    }
    let dict = if c.in_builtins {
        vm.builtins
    } else {
        f.globals
    };
    let Some(d) = dict.as_dict() else { return };
    let d = d.borrow();
    let Some(e) = d.entry_at(c.index as usize) else {
        return;
    };
    let ptr = &e.value as *const Value as u64;
    let globals = f.globals;
    // --- calls --- fused with the PUSH_NULL of a plain call when one follows.
    // SAFETY: a LOAD_GLOBAL is never a code object's last instruction.
    let push_null = unsafe { *ip }.op() == Opcode::PUSH_NULL;
    let op = match (c.in_builtins, push_null) {
        (true, false) => Opcode::LOAD_GLOBAL_BUILTIN,
        (false, false) => Opcode::LOAD_GLOBAL_MODULE,
        (true, true) => Opcode::LOAD_GLOBAL_BUILTIN__PUSH_NULL,
        (false, true) => Opcode::LOAD_GLOBAL_MODULE__PUSH_NULL,
    };
    // --- calls --- LOAD_GLOBAL_MODULE keeps the address of the globals' version instead (the
    // dict lives in its own box, kept alive by `held`): one load less on its guard.
    let a = match globals.as_dict() {
        _ if c.in_builtins => c.builtins_version,
        // SAFETY: a live dict's box; only the field's address is taken (no reference made).
        Some(g) => unsafe { std::ptr::addr_of!((*g.as_ptr()).version) as u64 },
        None => return,
    };
    specialize(vm, ip, op, |e| {
        e.held = globals;
        e.a = a;
        e.b = c.globals_version;
        e.c = ptr;
    });
}

/// CALL's fast path is about to run Python function `func` with `nargs` exact positional
/// arguments (counting self).
#[inline(never)]
pub(crate) fn call(vm: &Vm, ip: *const Instr, func: Value, nargs: usize) {
    let code = vm.frame().code();
    let pc = pc_of(code, ip);
    // Keyword calls keep the generic CALL (KW_NAMES always comes right before its CALL).
    if pc > 0 && code.src.code[pc - 1].op() == Opcode::KW_NAMES {
        return;
    }
    let Some(c) = func.as_function().and_then(|f| f.code.as_code()) else {
        return;
    };
    let size = (c.nslots + c.stack_size) as u64;
    let cp = c as *const Code as u64;
    let globals = func.as_function().map_or(Value::NULL, |f| f.globals);
    specialize(vm, ip, Opcode::CALL_PY_EXACT_ARGS, |e| {
        e.held = func;
        e.a = cp;
        // --- calls --- bytes, so the room test is one subtraction and compare
        e.b = size * std::mem::size_of::<Value>() as u64;
        e.c = globals.bits();
        e.n = nargs as u32;
    });
}

// --- features ---
/// The generic CALL just dispatched calls a native or a built-in type: make it CALL_NATIVE
/// unless it is a keyword call (KW_NAMES right before; the callee then needs the names).
#[inline(never)]
pub(crate) fn call_native(vm: &Vm, ip: *const Instr) {
    let code = vm.frame().code();
    let pc = pc_of(code, ip);
    if code.instrs[pc].op() != Opcode::CALL
        || (pc > 0 && code.src.code[pc - 1].op() == Opcode::KW_NAMES)
    {
        return;
    }
    specialize(vm, ip, Opcode::CALL_NATIVE, |_| {});
}

/// LOAD_METHOD found built-in method `m` of type `ty`.
#[inline(never)]
pub(crate) fn method(vm: &Vm, ip: *const Instr, ty: crate::object::Ty, m: Value) {
    specialize(vm, ip, Opcode::LOAD_METHOD_BUILTIN, |e| {
        e.held = m;
        e.a = ty as u64;
    });
}

// --- calls ---
/// COMPARE_OP of two inline ints (`ints`) or two floats just succeeded: specialize it, fused
/// with the conditional jump after it when there is one.
#[inline(never)]
pub(crate) fn compare(vm: &Vm, ip: *const Instr, ints: bool) {
    // SAFETY: `ip` is the instruction after the COMPARE_OP, which never ends a code object
    // (every code object ends in a return or jump).
    let next = unsafe { *ip }.op();
    let fused = matches!(next, Opcode::POP_JUMP_IF_FALSE | Opcode::POP_JUMP_IF_TRUE);
    let op = match (ints, fused) {
        (true, true) => Opcode::COMPARE_OP_INT_JUMP,
        (true, false) => Opcode::COMPARE_OP_INT,
        (false, true) => Opcode::COMPARE_OP_FLOAT_JUMP,
        (false, false) => Opcode::COMPARE_OP_FLOAT,
    };
    specialize(vm, ip, op, |_| {});
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_exponentially_to_a_cap() {
        let waits: Vec<u16> = (0..15).map(backoff).collect();
        assert_eq!(&waits[..5], &[0, 1, 3, 7, 15]);
        assert_eq!(backoff(12), 4095);
        assert_eq!(backoff(13), 4095);
        assert_eq!(backoff(u16::MAX as u32), 4095);
    }

    #[test]
    fn pairs_are_written_over_load_fast_only() {
        let w = |op, arg| Instr::new(op, arg);
        let code = [
            w(Opcode::LOAD_FAST, 0),
            w(Opcode::LOAD_FAST, 1),
            w(Opcode::LOAD_CONST, 2),
            w(Opcode::LOAD_CONST, 3),
            w(Opcode::LOAD_FAST, 4),
            w(Opcode::RETURN_VALUE, 0),
        ];
        let got = Instrs::with_pairs(&code, &[]);
        let ops: Vec<Opcode> = (0..got.len()).map(|i| got[i].op()).collect();
        assert_eq!(
            ops,
            [
                Opcode::LOAD_FAST__LOAD_FAST,
                Opcode::LOAD_FAST__LOAD_CONST,
                Opcode::LOAD_CONST,
                Opcode::LOAD_CONST,
                Opcode::LOAD_FAST__RETURN_VALUE, // --- fastcall ---
                Opcode::RETURN_VALUE,
            ]
        );
        // Operands are untouched: the pair's second load still reads its own.
        assert!((0..got.len()).all(|i| got[i].arg() == code[i].arg()));
    }
}
