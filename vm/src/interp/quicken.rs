//! Quickening: generic instructions rewritten in place into specialized forms, each with an
//! inline cache, as CPython 3.11 does.
//!
//! - **The stream.** `Code::instrs` is the running copy of the compiler's bytecode
//!   (`Code::src.code` stays pristine: `dis`, the `.pyc` cache and tracebacks read that one).
//!   Its words are `Cell`s so a handler can rewrite one through the shared `&Code` every frame
//!   holds. A rewrite changes only the opcode byte, never the operand, so instruction indices,
//!   jump targets, line tables and exception tables stay valid. [`rewrite`] also patches the
//!   threaded dispatcher's pre-decoded stream when it has been built.
//! - **The caches.** One [`Entry`] per instruction index, in a side table allocated on the
//!   code object's first specialization (`Code::quick`). What an entry holds depends on the
//!   specialized opcode (see [`Entry`]); a value the specialization relies on being alive (the
//!   called function, the globals dict, a built-in method) sits in `Entry::held`, which the
//!   collector traces, so no cached address can be reused by another object.
//! - **When.** A generic handler whose fast path just succeeded calls a specializer here (only
//!   when `Vm::quicken` is on: `--no-quicken` and `nanopy trace` turn it off). A specialized
//!   handler checks its guard; on a miss it calls [`deopt`], which writes the generic opcode
//!   back and counts the miss, and then runs the generic semantics out of line. After
//!   [`MAX_MISSES`] misses an instruction stays generic (a polymorphic site stops flip-flopping).
//!
//! Specialized opcodes exist only in memory: codegen never emits them and the verifier rejects
//! them in a cache file (`compiler/src/bytecode/verify.rs`).

use std::cell::{Cell, OnceCell};

use nanopy_compiler::bytecode::{Instr, Opcode};

use super::Vm;
use crate::object::Code;
use crate::value::Value;

/// Misses after which an instruction is left generic for good.
pub const MAX_MISSES: u32 = 16;

/// The running instruction stream of a code object: the compiler's words, rewritable in place.
pub struct Instrs(Box<[Cell<Instr>]>);

impl Instrs {
    pub fn new(code: &[Instr]) -> Instrs {
        Instrs(code.iter().map(|i| Cell::new(*i)).collect())
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
/// | LOAD_GLOBAL_MODULE | globals dict | — | globals version | `*const Value` in globals | — |
/// | LOAD_GLOBAL_BUILTIN | globals dict | builtins version | globals version | `*const Value` in builtins | — |
/// | CALL_PY_EXACT_ARGS | the function | `*const Code` | slots + stack size | — | args incl. self |
/// | LOAD_METHOD_BUILTIN | the method | the type (`Ty as u64`) | — | — | — |
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
    pub misses: u32,
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
fn rewrite(code: &Code, pc: usize, op: Opcode) {
    let cell = &code.instrs.0[pc];
    let ins = cell.get().with_op(op);
    cell.set(ins);
    super::threaded::patch(code, pc, ins);
}

/// Specialize the instruction just dispatched into `op` with cache `fill(entry)`, unless it
/// has missed too often.
#[inline(never)]
pub(crate) fn specialize(vm: &Vm, ip: *const Instr, op: Opcode, fill: impl FnOnce(&mut Entry)) {
    let code = vm.frame().code();
    let pc = pc_of(code, ip);
    let cell = &code.quick.table(code.instrs.len())[pc];
    let mut e = cell.get();
    if e.misses >= MAX_MISSES {
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
    cell.set(Entry {
        misses: e.misses + 1,
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
    let op = if c.in_builtins {
        Opcode::LOAD_GLOBAL_BUILTIN
    } else {
        Opcode::LOAD_GLOBAL_MODULE
    };
    specialize(vm, ip, op, |e| {
        e.held = globals;
        e.a = c.builtins_version;
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
    specialize(vm, ip, Opcode::CALL_PY_EXACT_ARGS, |e| {
        e.held = func;
        e.a = cp;
        e.b = size;
        e.n = nargs as u32;
    });
}

/// LOAD_METHOD found built-in method `m` of type `ty`.
#[inline(never)]
pub(crate) fn method(vm: &Vm, ip: *const Instr, ty: crate::object::Ty, m: Value) {
    specialize(vm, ip, Opcode::LOAD_METHOD_BUILTIN, |e| {
        e.held = m;
        e.a = ty as u64;
    });
}
