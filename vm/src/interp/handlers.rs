//! Opcode semantics, one function per opcode, written once. A handler gets the VM, the
//! registers (with `ip` already past its own instruction) and the operand, and returns
//! `Ok(())` to continue at `r.ip` or `Err(Stop)` to leave the dispatch loop. Dispatchers
//! (`switch`, `tail`) wrap these; they must not hold anything that needs dropping so the tail
//! dispatcher's calls stay sibling calls.
//!
//! Stack discipline: codegen's `max_stack` bounds the value stack and every frame reserves
//! `stack_size` slots above its locals, so pushes stay inside the frame's room. The helpers
//! below are the only raw stack accessors.

#![allow(non_snake_case)]

use nanopy_compiler::bytecode::{BinaryOp, CompareOp, Instr, Opcode};

use super::{quicken, Regs, Step, Stop, Vm};
use crate::object::{ObjKind, Ty};
use crate::ops;
use crate::value::Value;

/// Propagate a `PyResult` error out of a handler.
macro_rules! tri {
    ($vm:expr, $e:expr) => {
        match $e {
            Ok(v) => v,
            Err(e) => return Err($vm.throw(e)),
        }
    };
}

#[inline(always)]
pub(super) fn push(r: &mut Regs, v: Value) {
    // SAFETY: see module docs (the frame reserved room for max_stack values).
    unsafe {
        *r.sp = v;
        r.sp = r.sp.add(1);
    }
}

#[inline(always)]
pub(super) fn pop(r: &mut Regs) -> Value {
    // SAFETY: codegen's stack effects guarantee the stack holds a value here.
    unsafe {
        r.sp = r.sp.sub(1);
        *r.sp
    }
}

/// The n-th value from the top (1 = top).
#[inline(always)]
pub(super) fn peek(r: &Regs, n: usize) -> Value {
    // SAFETY: as `pop`: the stack holds at least n values.
    unsafe { *r.sp.sub(n) }
}

#[inline(always)]
pub(super) fn set_peek(r: &Regs, n: usize, v: Value) {
    // SAFETY: as `peek`.
    unsafe { *r.sp.sub(n) = v }
}

#[inline(always)]
pub(super) fn local(r: &Regs, i: usize) -> Value {
    // SAFETY: `i` indexes a slot of the running frame (codegen emits valid indices).
    unsafe { *r.fp.add(i) }
}

#[inline(always)]
fn set_local(r: &Regs, i: usize, v: Value) {
    // SAFETY: as `local`.
    unsafe { *r.fp.add(i) = v }
}

#[inline(always)]
pub(super) fn jump(vm: &Vm, r: &mut Regs, target: u32) {
    // SAFETY: codegen emits jump targets inside the code object.
    r.ip = unsafe { vm.frame().code().instrs.as_ptr().add(target as usize) };
}

/// The values of the top `n` stack items, bottom first.
#[inline(always)]
fn top_slice<'a>(r: &Regs, n: usize) -> &'a [Value] {
    // SAFETY: the top n slots are initialised values of the running frame.
    unsafe { std::slice::from_raw_parts(r.sp.sub(n), n) }
}

impl Vm {
    #[inline(always)]
    pub(crate) fn frame(&self) -> &super::Frame {
        // SAFETY: handlers only run while a frame is on the frame stack.
        unsafe { self.frames.last().unwrap_unchecked() }
    }

    #[inline(always)]
    pub(crate) fn frame_mut(&mut self) -> &mut super::Frame {
        // SAFETY: as `frame`.
        unsafe { self.frames.last_mut().unwrap_unchecked() }
    }

    /// Record the registers in the frame before anything that may inspect frames (natives,
    /// errors, GC).
    #[inline(always)]
    pub(crate) fn sync(&mut self, r: &Regs) {
        let f = self.frame_mut();
        f.ip = r.ip;
        f.sp = r.sp;
    }
}

/// Leave the fast path: the dispatcher runs this opcode's full semantics (`cold::<op>`) out of
/// line, from the registers as they were when the handler was entered — so a handler returns
/// this only before it changed anything. The dispatcher's call sits in tail position, which
/// keeps every call (and the register saves a call needs) off the hot handlers' fast paths.
#[inline(always)]
pub(super) fn slow() -> Step {
    Err(Stop::Slow)
}

/// Spill the registers to the frame, run `f` out of line, reload. Out-of-line work never sees a
/// pointer to the dispatcher's locals (see module docs).
#[inline(always)]
pub(super) fn outline(vm: &mut Vm, r: &mut Regs, arg: u32, f: fn(&mut Vm, u32) -> Step) -> Step {
    vm.sync(r);
    let res = f(vm, arg);
    if res.is_ok() {
        let fr = vm.frame();
        r.ip = fr.ip;
        r.sp = fr.sp;
        r.fp = fr.base;
    }
    res
}

impl Vm {
    /// The running frame's registers, as spilled by `outline`.
    #[inline(always)]
    pub(super) fn spilled(&self) -> Regs {
        let f = self.frame();
        Regs {
            ip: f.ip,
            sp: f.sp,
            fp: f.base,
        }
    }

    /// Store the registers back after out-of-line work (which may have changed frames).
    #[inline(always)]
    fn unspill(&mut self, r: &Regs, res: Step) {
        match res {
            Ok(()) => self.sync(r),
            Err(Stop::Error) => self.frame_mut().ip = r.ip,
            Err(Stop::Return) => {}
            // Bodies are full semantics: they never ask for the slow path.
            Err(Stop::Slow) => debug_assert!(false, "a body returned Stop::Slow"),
        }
    }
}

macro_rules! cold_entry_points {
    ($( $(#[doc = $doc:literal])* $name:ident = $kind:ident, $eff:expr, $inputs:expr; )*) => {
        /// Out-of-line entry for every opcode's full semantics (`body`).
        #[allow(dead_code)]
        pub(super) mod cold {
            use super::*;
            $(
                #[inline(never)]
                pub fn $name(vm: &mut Vm, arg: u32) -> Step {
                    let mut r = vm.spilled();
                    let res = body::$name(vm, &mut r, arg);
                    vm.unspill(&r, res);
                    res
                }
            )*
        }
    };
}
nanopy_compiler::for_each_opcode!(cold_entry_points);

macro_rules! cold_table {
    ($( $(#[doc = $doc:literal])* $name:ident = $kind:ident, $eff:expr, $inputs:expr; )*) => {
        /// `cold::<op>` by opcode byte: what `Stop::Slow` runs (switch and call dispatchers).
        pub(super) static COLD: [fn(&mut Vm, u32) -> Step; nanopy_compiler::bytecode::Opcode::COUNT] =
            [$(cold::$name),*];
    };
}
nanopy_compiler::for_each_opcode!(cold_table);

/// Opcodes whose whole handler runs out of line (rare or heavyweight).
macro_rules! outlined {
    ($($name:ident),* $(,)?) => {
        $(
            #[inline(always)]
            pub fn $name(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
                outline(vm, r, arg, cold::$name)
            }
        )*
    };
}

outlined!(
    NOP,
    DELETE_FAST,
    STORE_GLOBAL,
    DELETE_GLOBAL,
    LOAD_NAME,
    STORE_NAME,
    DELETE_NAME,
    MAKE_CELL,
    COPY_FREE_VARS,
    LOAD_DEREF,
    STORE_DEREF,
    DELETE_DEREF,
    LOAD_CLOSURE,
    DELETE_ATTR,
    UNARY_NEGATIVE,
    UNARY_POSITIVE,
    UNARY_NOT,
    UNARY_INVERT,
    CONTAINS_OP,
    DELETE_SUBSCR,
    BINARY_SLICE,
    STORE_SLICE,
    BUILD_SLICE,
    BUILD_LIST,
    BUILD_TUPLE,
    BUILD_MAP,
    BUILD_CONST_KEY_MAP,
    BUILD_SET,
    BUILD_STRING,
    LIST_APPEND,
    SET_ADD,
    MAP_ADD,
    LIST_EXTEND,
    SET_UPDATE,
    DICT_UPDATE,
    DICT_MERGE,
    LIST_TO_TUPLE,
    UNPACK_EX,
    GET_ITER,
    POP_JUMP_IF_NONE,
    POP_JUMP_IF_NOT_NONE,
    JUMP_IF_FALSE_OR_POP,
    JUMP_IF_TRUE_OR_POP,
    KW_NAMES,
    CALL_FUNCTION_EX,
    MAKE_FUNCTION,
    RETURN_CONST,
    RETURN_GENERATOR,
    FORMAT_VALUE,
    IMPORT_NAME,
    IMPORT_FROM,
    RAISE_VARARGS,
    LOAD_ASSERTION_ERROR,
    IS_OP,
    LOAD_BUILD_CLASS, // --- classes ---
    // --- exceptions ---
    PUSH_EXC_INFO,
    POP_EXCEPT,
    CHECK_EXC_MATCH,
    RERAISE,
    BEFORE_WITH,
    WITH_EXCEPT_START,
    // --- langdata ---
    GET_YIELD_FROM_ITER,
    SEND,
    EXIT_INIT_CHECK, // --- iterfast ---
);

// ----- hot handlers: fast paths inline, everything else out of line -----

#[inline(always)]
pub fn POP_TOP(_vm: &mut Vm, r: &mut Regs, _arg: u32) -> Step {
    pop(r);
    Ok(())
}

#[inline(always)]
pub fn PUSH_NULL(_vm: &mut Vm, r: &mut Regs, _arg: u32) -> Step {
    push(r, Value::NULL);
    Ok(())
}

#[inline(always)]
pub fn COPY(_vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
    let v = peek(r, arg as usize);
    push(r, v);
    Ok(())
}

#[inline(always)]
pub fn SWAP(_vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
    let a = peek(r, 1);
    let b = peek(r, arg as usize);
    set_peek(r, 1, b);
    set_peek(r, arg as usize, a);
    Ok(())
}

#[inline(always)]
pub fn LOAD_CONST(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
    // SAFETY: codegen emits constant indices within `consts`.
    let v = unsafe { *vm.frame().code().consts.get_unchecked(arg as usize) };
    push(r, v);
    Ok(())
}

#[inline(always)]
pub fn LOAD_FAST(_vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
    let v = local(r, arg as usize);
    if v.is_null() {
        return slow();
    }
    push(r, v);
    Ok(())
}

// --- genloop --- a generator drained by a native (sum, list, ...) hands most values to its
// sink here and runs on (`gen_sink.rs`); the rest suspend it (`body::YIELD_VALUE`).
#[inline(always)]
pub fn YIELD_VALUE(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
    if super::gen_sink::absorb_hot(vm, r) {
        return Ok(());
    }
    // Straight out of line (not `slow()`, one more dispatch hop): a suspending yield is a
    // frame switch anyway.
    outline(vm, r, arg, cold::YIELD_VALUE)
}

// --- calls --- superinstructions over a LOAD_FAST and the load after it (which stays in
// place: a jump to it, or this one's slow path, runs it on its own).

#[inline(always)]
pub fn LOAD_FAST__LOAD_CONST(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
    let v = local(r, arg as usize);
    if v.is_null() {
        return slow(); // body::LOAD_FAST: UnboundLocalError
    }
    // SAFETY: written only over a LOAD_FAST followed by a LOAD_CONST (`quicken::pairs`).
    let next = unsafe { *r.ip };
    // SAFETY: codegen emits constant indices within `consts`.
    let k = unsafe { *vm.frame().code().consts.get_unchecked(next.arg() as usize) };
    push(r, v);
    push(r, k);
    r.ip = r.ip.wrapping_add(1);
    Ok(())
}

#[inline(always)]
pub fn LOAD_FAST__LOAD_FAST(_vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
    // SAFETY: written only over a LOAD_FAST followed by a LOAD_FAST (`quicken::pairs`).
    let next = unsafe { *r.ip };
    let (a, b) = (local(r, arg as usize), local(r, next.arg() as usize));
    if a.is_null() | b.is_null() {
        return slow(); // body::LOAD_FAST, then the second LOAD_FAST on its own
    }
    push(r, a);
    push(r, b);
    r.ip = r.ip.wrapping_add(1);
    Ok(())
}

#[inline(always)]
pub fn STORE_FAST(_vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
    let v = pop(r);
    set_local(r, arg as usize, v);
    Ok(())
}

#[inline(always)]
pub fn LOAD_GLOBAL(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
    let f = vm.frame();
    // SAFETY: `arg` indexes `names`, and the cache has one entry per name.
    let cache = unsafe { &*f.code().global_cache.get_unchecked(arg as usize).as_ptr() };
    if cache.globals == f.globals.bits() {
        // SAFETY: `globals` is a dict (checked when the cache was filled: same object) and no
        // RefCell borrow of a dict is held across handlers.
        let g = unsafe { &*f.globals.as_dict().unwrap_unchecked().as_ptr() };
        if g.version == cache.globals_version {
            let d = if cache.in_builtins {
                // SAFETY: as above, for the builtins dict.
                let b = unsafe { &*vm.builtins.as_dict().unwrap_unchecked().as_ptr() };
                (b.version == cache.builtins_version).then_some(b)
            } else {
                Some(g)
            };
            if let Some(e) = d.and_then(|d| d.entry_at(cache.index as usize)) {
                push(r, e.value);
                if vm.quicken {
                    quicken::global(vm, r.ip, arg); // --- quicken ---
                }
                return Ok(());
            }
        }
    }
    let v = global_lookup(vm, arg);
    if v.is_null() {
        return slow();
    }
    push(r, v);
    if vm.quicken {
        quicken::global(vm, r.ip, arg); // --- quicken ---
    }
    Ok(())
}

/// globals then builtins, filling the instruction's cache; NULL when missing.
#[inline(never)]
fn global_lookup(vm: &mut Vm, arg: u32) -> Value {
    let f = vm.frame();
    let name = f.code().names[arg as usize];
    let globals = f.globals;
    let Some(s) = name.as_str() else {
        return Value::NULL;
    };
    let find = |d: Value| -> Option<(usize, u64, Value)> {
        let d = d.as_dict()?.borrow();
        let i = d.find(s.hash(), |k| {
            k == name || k.as_str().is_some_and(|ks| ks.s == s.s)
        })?;
        Some((i, d.version, d.entry_at(i)?.value))
    };
    let gver = globals.as_dict().map_or(0, |d| d.borrow().version);
    let (found, in_builtins) = match find(globals) {
        Some(x) => (x, false),
        None => match find(vm.builtins) {
            Some(x) => (x, true),
            None => return Value::NULL,
        },
    };
    let (index, ver, value) = found;
    f.code().global_cache[arg as usize].set(crate::object::GlobalCache {
        globals: globals.bits(),
        globals_version: gver,
        builtins_version: if in_builtins { ver } else { 0 },
        index: index as u32,
        in_builtins,
    });
    value
}
#[inline(always)]
pub fn LOAD_METHOD(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
    let obj = peek(r, 1);
    // --- features --- user instances: the method cache right here (no call, no type_of)
    if let Some(ObjKind::Instance(i)) = obj.as_obj().map(|o| &o.kind) {
        // SAFETY: `arg` indexes `names`, and there is one cache per name.
        let c = unsafe { vm.frame().code().attr_cache.get_unchecked(arg as usize) };
        for way in &c.method {
            // SAFETY: caches are only written by the VM's single thread, never while borrowed.
            let m = unsafe { &*way.as_ptr() };
            if m.class == i.class && m.shape == i.shape.get() && m.epoch == vm.classes.epoch {
                set_peek(r, 1, m.func);
                push(r, obj);
                return Ok(());
            }
        }
        return slow();
    }
    let m = method_lookup(vm, obj, arg, r.ip);
    if m.is_null() {
        return slow();
    }
    set_peek(r, 1, m);
    push(r, obj);
    Ok(())
}

/// A built-in type's method `names[arg]` for `obj`; NULL when not found.
#[inline(never)]
fn method_lookup(vm: &mut Vm, obj: Value, arg: u32, ip: *const Instr) -> Value {
    let name = vm.frame().code().names[arg as usize];
    let ty = crate::object::type_of(obj);
    if ty == Ty::Object {
        // --- classes --- user instances: the method cache, else the slow path.
        if let Some(ObjKind::Instance(i)) = obj.as_obj().map(|o| &o.kind) {
            // SAFETY: `arg` indexes `names`, and there is one cache per name.
            let c = unsafe { vm.frame().code().attr_cache.get_unchecked(arg as usize) };
            for way in &c.method {
                // SAFETY: caches are only written by the VM's single thread, never while
                // borrowed.
                let m = unsafe { &*way.as_ptr() };
                if m.class == i.class && m.shape == i.shape.get() && m.epoch == vm.classes.epoch {
                    return m.func;
                }
            }
        }
        return Value::NULL;
    }
    let m = vm
        .methods
        .get(&(ty, ops::str_of(name)))
        .copied()
        .unwrap_or(Value::NULL);
    if vm.quicken && !m.is_null() {
        quicken::method(vm, ip, ty, m); // --- quicken ---
    }
    m
}

// --- classes --- instance attributes through the per-name (class, shape) caches.
#[inline(always)]
pub fn LOAD_ATTR(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
    let obj = peek(r, 1);
    if let Some(ObjKind::Instance(i)) = obj.as_obj().map(|o| &o.kind) {
        // SAFETY: `arg` indexes `names`, and there is one cache per name.
        let c = unsafe { vm.frame().code().attr_cache.get_unchecked(arg as usize) };
        for way in &c.load {
            // SAFETY: caches are only written by the VM's single thread, never while borrowed.
            let l = unsafe { &*way.as_ptr() };
            if l.class == i.class && l.shape == i.shape.get() && l.epoch == vm.classes.epoch {
                let v = i.slot(l.slot as usize);
                if !v.is_null() {
                    set_peek(r, 1, v);
                    return Ok(());
                }
            }
        }
    }
    slow()
}

#[inline(always)]
pub fn STORE_ATTR(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
    let obj = peek(r, 1);
    if let Some(ObjKind::Instance(i)) = obj.as_obj().map(|o| &o.kind) {
        // SAFETY: as in LOAD_ATTR.
        let c = unsafe { vm.frame().code().attr_cache.get_unchecked(arg as usize) };
        for way in &c.store {
            // SAFETY: as in LOAD_ATTR.
            let s = unsafe { &*way.as_ptr() };
            if s.class == i.class
                && s.from == i.shape.get()
                && s.epoch == vm.classes.epoch
                // SAFETY: `obj` is an instance, so an object.
                && !crate::gc::Heap::store_needs_barrier(unsafe { &*obj.obj_ptr() }, peek(r, 2))
            {
                i.set_slot(s.slot as usize, peek(r, 2));
                i.shape.set(s.to);
                r.sp = r.sp.wrapping_sub(2);
                return Ok(());
            }
        }
    }
    slow()
}

#[inline(always)]
pub fn BINARY_OP(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
    let b = peek(r, 1);
    let a = peek(r, 2);
    if Value::both_small_ints(a, b) {
        let (x, y) = (a.as_small_int(), b.as_small_int());
        let res = match arg {
            0 | 13 => Some(x + y),
            10 | 23 => Some(x - y),
            5 | 18 => x.checked_mul(y),
            // Python's floored division and modulo (divisor sign), zero left to the slow path.
            6 | 19 if y != 0 => {
                let m = x % y;
                Some(if m != 0 && (m ^ y) < 0 { m + y } else { m })
            }
            2 | 15 if y != 0 => {
                let q = x / y;
                Some(if x % y != 0 && (x ^ y) < 0 { q - 1 } else { q })
            }
            // True division of inline ints: both are exact doubles (|i| < 2^47), so one
            // correctly rounded division is CPython's result (its long_true_divide fast path).
            11 | 24 if y != 0 => {
                pop(r);
                set_peek(r, 1, Value::float(x as f64 / y as f64));
                return Ok(());
            }
            _ => None,
        };
        if let Some(v) = res {
            if Value::fits_small(v) {
                pop(r);
                set_peek(r, 1, Value::small_int(v));
                if vm.quicken && quicken::ready(vm, r.ip) {
                    // --- calls --- (`ready`: backoff)
                    quicken::binary_int(vm, r.ip, arg); // --- quicken ---
                }
                return Ok(());
            }
        }
        // --- strs --- a product past the inline range: made here, not on the slow path.
        if matches!(arg, 5 | 18) {
            let v = crate::int_fast::wide_product(vm, x, y);
            pop(r);
            set_peek(r, 1, v);
            if vm.quicken {
                quicken::binary_int(vm, r.ip, arg);
            }
            return Ok(());
        }
    } else if let Some((x, y)) = Value::floats_of(a, b) {
        // float op float, or float op inline int (converted exactly, as CPython converts it).
        let res = match arg {
            0 | 13 => Some(x + y),
            10 | 23 => Some(x - y),
            5 | 18 => Some(x * y),
            11 | 24 if y != 0.0 => Some(x / y),
            // Positive finite base and finite exponent: CPython's float_pow is libm pow here;
            // an infinite result (overflow) takes the slow path for its OverflowError.
            8 | 21 if x > 0.0 && x.is_finite() && y.is_finite() => {
                Some(x.powf(y)).filter(|v| v.is_finite())
            }
            _ => None,
        };
        if let Some(v) = res {
            pop(r);
            set_peek(r, 1, Value::float(v));
            if vm.quicken && a.is_float() && b.is_float() && quicken::ready(vm, r.ip) {
                quicken::binary_float(vm, r.ip, arg); // --- quicken ---
            }
            return Ok(());
        }
    } else if a.is_obj() || b.is_obj() {
        // --- strs --- ints in i64 with a heap big int among them (`state * 1103515245 + 12345`
        // then `% 2147483648`): i128 arithmetic out of line, not the whole slow path.
        if let Some(v) = crate::int_fast::i64_binary(vm, arg, a, b) {
            pop(r);
            set_peek(r, 1, v);
            return Ok(());
        }
    }
    slow()
}

#[inline(always)]
pub fn COMPARE_OP(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
    let b = peek(r, 1);
    let a = peek(r, 2);
    let res = if Value::both_small_ints(a, b) {
        let (x, y) = (a.as_small_int(), b.as_small_int());
        match arg {
            0 => x < y,
            1 => x <= y,
            2 => x == y,
            3 => x != y,
            4 => x > y,
            _ => x >= y,
        }
    } else if let Some((x, y)) = Value::floats_of(a, b) {
        // Inline ints are exact doubles, so comparing as doubles is CPython's exact comparison.
        match arg {
            0 => x < y,
            1 => x <= y,
            2 => x == y,
            3 => x != y,
            4 => x > y,
            _ => x >= y,
        }
    } else {
        return slow();
    };
    pop(r);
    set_peek(r, 1, Value::bool(res));
    // --- calls --- (fused with a following conditional jump when there is one)
    if vm.quicken && quicken::ready(vm, r.ip) {
        if Value::both_small_ints(a, b) {
            quicken::compare(vm, r.ip, true);
        } else if a.is_float() && b.is_float() {
            quicken::compare(vm, r.ip, false);
        }
    }
    Ok(())
}

#[inline(always)]
pub fn BINARY_SUBSCR(_vm: &mut Vm, r: &mut Regs, _arg: u32) -> Step {
    let key = peek(r, 1);
    let container = peek(r, 2);
    if key.is_small_int() {
        if let Some(l) = container.as_list() {
            // SAFETY: no `RefCell` borrow of a list is held across handlers, so reading through
            // the raw pointer cannot alias a mutable borrow.
            let l = unsafe { &*l.as_ptr() };
            let i = key.as_small_int();
            let i = if i < 0 { i + l.len() as i64 } else { i };
            if (0..l.len() as i64).contains(&i) {
                let v = l[i as usize];
                pop(r);
                set_peek(r, 1, v);
                return Ok(());
            }
        }
    }
    slow()
}

#[inline(always)]
pub fn STORE_SUBSCR(_vm: &mut Vm, r: &mut Regs, _arg: u32) -> Step {
    let key = peek(r, 1);
    let container = peek(r, 2);
    if key.is_small_int() {
        if let Some(l) = container.as_list() {
            // SAFETY: as in BINARY_SUBSCR; no other borrow is live while a handler runs.
            let l = unsafe { &mut *l.as_ptr() };
            let i = key.as_small_int();
            let i = if i < 0 { i + l.len() as i64 } else { i };
            // SAFETY: `container` is a list, so an object.
            let o = unsafe { &*container.obj_ptr() };
            if (0..l.len() as i64).contains(&i)
                && !crate::gc::Heap::list_store_needs_barrier(o, i as usize, peek(r, 3))
            {
                l[i as usize] = peek(r, 3);
                r.sp = r.sp.wrapping_sub(3);
                return Ok(());
            }
        }
    }
    slow()
}

#[inline(always)]
pub fn FOR_ITER(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
    let it = peek(r, 1);
    if let Some(o) = it.as_obj() {
        match &o.kind {
            ObjKind::RangeIter { next, stop, step } => {
                let i = next.get();
                if (*step > 0 && i < *stop) || (*step < 0 && i > *stop) {
                    if Value::fits_small(i) {
                        next.set(i.saturating_add(*step));
                        push(r, Value::small_int(i));
                        return Ok(());
                    }
                } else {
                    pop(r);
                    jump(vm, r, arg);
                    return Ok(());
                }
            }
            ObjKind::SeqIter { seq, index } => {
                if let Some(l) = seq.as_list() {
                    // SAFETY: as in BINARY_SUBSCR.
                    let l = unsafe { &*l.as_ptr() };
                    let i = index.get();
                    if i < l.len() {
                        index.set(i + 1);
                        push(r, l[i]);
                    } else {
                        pop(r);
                        jump(vm, r, arg);
                    }
                    return Ok(());
                }
            }
            _ => {}
        }
    }
    outline(vm, r, arg, cold::FOR_ITER)
}

#[inline(always)]
pub fn UNPACK_SEQUENCE(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
    // A tuple of the right length (`for i, x in enumerate(..)`, `a, b = b, a`) unpacks inline.
    if let Some(t) = peek(r, 1).as_tuple() {
        if t.len() == arg as usize {
            pop(r);
            for v in t.iter().rev() {
                push(r, *v);
            }
            return Ok(());
        }
    }
    outline(vm, r, arg, cold::UNPACK_SEQUENCE)
}

#[inline(always)]
pub fn JUMP_FORWARD(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
    jump(vm, r, arg);
    Ok(())
}

#[inline(always)]
pub fn JUMP_BACKWARD(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
    // Safe point before jumping, so a MemoryError (`--max-heap`) is reported at the back-edge
    // (langdata).
    if vm.heap.should_collect() {
        return slow(); // the GC safe point (body::JUMP_BACKWARD)
    }
    jump(vm, r, arg);
    Ok(())
}

// --- genloop --- `if s:` on a str, int, float, None, list, tuple or dict tests inline
// (`ops::quick_truth`; `if f` in a generator expression filter took the slow path for every str).
#[inline(always)]
pub fn POP_JUMP_IF_FALSE(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
    let Some(t) = ops::quick_truth(peek(r, 1)) else {
        return slow();
    };
    pop(r);
    if !t {
        jump(vm, r, arg);
    }
    Ok(())
}

#[inline(always)]
pub fn POP_JUMP_IF_TRUE(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
    let Some(t) = ops::quick_truth(peek(r, 1)) else {
        return slow();
    };
    pop(r);
    if t {
        jump(vm, r, arg);
    }
    Ok(())
}

#[inline(always)]
pub fn CALL(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
    let argc = arg as usize;
    let callable = peek(r, argc + 2);
    let slot = r.sp.wrapping_sub(argc + 2);
    if let Some(f) = callable.as_function() {
        // Fast path: exact positional call of a simple function; frame starts at the first arg.
        let c = f.code.as_code().expect("function code");
        let has_self = !peek(r, argc + 1).is_null();
        let nargs = argc + has_self as usize;
        let args = r.sp.wrapping_sub(nargs);
        let end = vm.stack.chunk_end(vm.chunk);
        if c.simple
            && vm.kwnames.is_null()
            && nargs == c.src.argcount as usize
            && vm.frames.len() < vm.recursion_limit
            && (end as usize).wrapping_sub(args as usize) >= (c.nslots + c.stack_size) * 8
            && !vm.heap.should_collect()
        {
            if vm.quicken && quicken::ready(vm, r.ip) {
                quicken::call(vm, r.ip, callable, nargs); // --- quicken ---
            }
            for i in nargs..c.nslots {
                set_local(&Regs { fp: args, ..*r }, i, Value::NULL);
            }
            let caller = vm.frame_mut();
            caller.ip = r.ip;
            caller.sp = slot;
            vm.push_frame(c, f, callable, args, slot);
            r.fp = args;
            r.sp = args.wrapping_add(c.nslots);
            r.ip = c.instrs.as_ptr();
            return Ok(());
        }
    }
    slow()
}

#[inline(always)]
pub fn RETURN_VALUE(vm: &mut Vm, r: &mut Regs, _arg: u32) -> Step {
    if vm.frame().entry {
        return slow();
    }
    let v = pop(r);
    return_to_caller(vm, r, v);
    Ok(())
}

/// Pop the running frame, which is not an entry frame, and continue in its caller with `v`
/// as the call's result (RETURN_VALUE's fast path; `--- fastcall ---` fused returns too).
#[inline(always)]
pub(super) fn return_to_caller(vm: &mut Vm, r: &mut Regs, v: Value) {
    // SAFETY: a frame is running, and a caller frame exists below it because it is not an
    // entry frame (the callers check `entry`).
    let f = unsafe { vm.frames.pop().unwrap_unchecked() };
    // SAFETY: `ret` is the caller's callable slot.
    unsafe { *f.ret = v };
    let caller = vm.frame();
    r.ip = caller.ip;
    r.fp = caller.base;
    r.sp = f.ret.wrapping_add(1);
    vm.chunk = caller.chunk as usize;
}

// --- fastcall --- superinstructions (their semantics live in `fastcall.rs`)
pub use super::fastcall::{
    BINARY_OP_ADD_INT__RETURN_VALUE, LOAD_FAST__LOAD_CONST__BINARY_OP_ADD_INT,
    LOAD_FAST__LOAD_CONST__BINARY_OP_SUB_INT, LOAD_FAST__LOAD_CONST__COMPARE_OP_INT_JUMP,
    LOAD_FAST__RETURN_VALUE,
};

// --- quicken --- specialized forms (see `quicken.rs`): a guard, the work, else deoptimize.

#[inline(always)]
pub fn LOAD_GLOBAL_MODULE(vm: &mut Vm, r: &mut Regs, _arg: u32) -> Step {
    // SAFETY: read-only view of this instruction's cache.
    let e = unsafe { &*quicken::entry(vm, r.ip).as_ptr() };
    // --- calls ---
    // SAFETY: `a` is the address of the cached globals dict's version field (the dict is
    // kept alive by `held`, and no RefCell borrow of a dict is held across handlers).
    if vm.frame().globals.bits() == e.held.bits() && unsafe { *(e.a as *const u64) } == e.b {
        // SAFETY: an unchanged version means the same entries buffer with the same keys at
        // the same positions, so the cached address is the name's live value slot.
        push(r, unsafe { *(e.c as *const Value) });
        return Ok(());
    }
    slow()
}

#[inline(always)]
pub fn LOAD_GLOBAL_BUILTIN(vm: &mut Vm, r: &mut Regs, _arg: u32) -> Step {
    let e = quicken::entry(vm, r.ip).get();
    let globals = vm.frame().globals;
    if globals.bits() == e.held.bits() {
        // SAFETY: as in LOAD_GLOBAL_MODULE, for the globals and the builtins dicts.
        let g = unsafe { &*globals.as_dict().unwrap_unchecked().as_ptr() };
        let b = unsafe { &*vm.builtins.as_dict().unwrap_unchecked().as_ptr() };
        if g.version == e.b && b.version == e.a {
            // SAFETY: as in LOAD_GLOBAL_MODULE; the globals still lack the name (same keys).
            push(r, unsafe { *(e.c as *const Value) });
            return Ok(());
        }
    }
    slow()
}

// --- calls --- a plain call's callee and its NULL self slot in one dispatch. The PUSH_NULL
// stays in place: on a miss the generic LOAD_GLOBAL runs and then the PUSH_NULL on its own.

#[inline(always)]
pub fn LOAD_GLOBAL_MODULE__PUSH_NULL(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
    LOAD_GLOBAL_MODULE(vm, r, arg)?;
    push(r, Value::NULL);
    r.ip = r.ip.wrapping_add(1);
    Ok(())
}

#[inline(always)]
pub fn LOAD_GLOBAL_BUILTIN__PUSH_NULL(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
    LOAD_GLOBAL_BUILTIN(vm, r, arg)?;
    push(r, Value::NULL);
    r.ip = r.ip.wrapping_add(1);
    Ok(())
}

#[inline(always)]
pub fn BINARY_OP_ADD_INT(_vm: &mut Vm, r: &mut Regs, _arg: u32) -> Step {
    let (a, b) = (peek(r, 2), peek(r, 1));
    if Value::both_small_ints(a, b) {
        let v = a.as_small_int() + b.as_small_int();
        if Value::fits_small(v) {
            pop(r);
            set_peek(r, 1, Value::small_int(v));
            return Ok(());
        }
    }
    slow()
}

#[inline(always)]
pub fn BINARY_OP_SUB_INT(_vm: &mut Vm, r: &mut Regs, _arg: u32) -> Step {
    let (a, b) = (peek(r, 2), peek(r, 1));
    if Value::both_small_ints(a, b) {
        let v = a.as_small_int() - b.as_small_int();
        if Value::fits_small(v) {
            pop(r);
            set_peek(r, 1, Value::small_int(v));
            return Ok(());
        }
    }
    slow()
}

// --- strs ---
#[inline(always)]
pub fn BINARY_OP_MUL_INT(vm: &mut Vm, r: &mut Regs, _arg: u32) -> Step {
    let (a, b) = (peek(r, 2), peek(r, 1));
    if Value::both_small_ints(a, b) {
        let (x, y) = (a.as_small_int(), b.as_small_int());
        let v = match x.checked_mul(y) {
            Some(v) if Value::fits_small(v) => Value::small_int(v),
            _ => crate::int_fast::wide_product(vm, x, y),
        };
        pop(r);
        set_peek(r, 1, v);
        return Ok(());
    }
    slow()
}

#[inline(always)]
pub fn BINARY_OP_MOD_INT(_vm: &mut Vm, r: &mut Regs, _arg: u32) -> Step {
    let (a, b) = (peek(r, 2), peek(r, 1));
    if Value::both_small_ints(a, b) {
        let (x, y) = (a.as_small_int(), b.as_small_int());
        if y != 0 {
            // Python's modulo takes the divisor's sign; |result| < |y| fits inline.
            let m = x % y;
            pop(r);
            set_peek(
                r,
                1,
                Value::small_int(if m != 0 && (m ^ y) < 0 { m + y } else { m }),
            );
            return Ok(());
        }
    }
    slow()
}

/// Two floats combined by `f`, else deoptimize.
#[inline(always)]
fn float_op(_vm: &mut Vm, r: &mut Regs, _arg: u32, f: impl Fn(f64, f64) -> f64) -> Step {
    let (a, b) = (peek(r, 2), peek(r, 1));
    if a.is_float() && b.is_float() {
        pop(r);
        set_peek(r, 1, Value::float(f(a.as_float(), b.as_float())));
        return Ok(());
    }
    slow()
}

#[inline(always)]
pub fn BINARY_OP_ADD_FLOAT(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
    float_op(vm, r, arg, |x, y| x + y)
}

#[inline(always)]
pub fn BINARY_OP_SUB_FLOAT(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
    float_op(vm, r, arg, |x, y| x - y)
}

#[inline(always)]
pub fn BINARY_OP_MUL_FLOAT(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
    float_op(vm, r, arg, |x, y| x * y)
}

// --- calls --- branchless comparisons: the outcome (less / equal / greater / unordered)
// indexes a bit in a per-operator mask, instead of a jump table over the six operators.

/// Bit `outcome` of mask `arg` says whether CompareOp `arg` holds; 4 bits per operator, in
/// CompareOp order (Lt, Le, Eq, Ne, Gt, Ge); outcome 0 less, 1 equal, 2 greater, 3 unordered.
const COMPARE_MASKS: u32 =
    0b0001 | 0b0011 << 4 | 0b0010 << 8 | 0b1101 << 12 | 0b0100 << 16 | 0b0110 << 20;

#[inline(always)]
pub(super) fn compare_int(arg: u32, x: i64, y: i64) -> bool {
    let outcome = (x >= y) as u32 + (x > y) as u32;
    COMPARE_MASKS.wrapping_shr(arg * 4 + outcome) & 1 != 0
}

#[inline(always)]
fn compare_float(arg: u32, x: f64, y: f64) -> bool {
    // NaN makes every test false but `!=` (unordered: outcome 3).
    let outcome = if x.partial_cmp(&y).is_none() {
        3
    } else {
        (x >= y) as u32 + (x > y) as u32
    };
    COMPARE_MASKS.wrapping_shr(arg * 4 + outcome) & 1 != 0
}

#[inline(always)]
pub fn COMPARE_OP_INT(_vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
    let (a, b) = (peek(r, 2), peek(r, 1));
    if Value::both_small_ints(a, b) {
        pop(r);
        let res = compare_int(arg, a.as_small_int(), b.as_small_int());
        set_peek(r, 1, Value::bool(res));
        return Ok(());
    }
    slow()
}

#[inline(always)]
pub fn COMPARE_OP_FLOAT(_vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
    let (a, b) = (peek(r, 2), peek(r, 1));
    if a.is_float() && b.is_float() {
        pop(r);
        let res = compare_float(arg, a.as_float(), b.as_float());
        set_peek(r, 1, Value::bool(res));
        return Ok(());
    }
    slow()
}

/// The branch of a fused compare-and-jump: `r.ip` is the POP_JUMP_IF_FALSE/TRUE the compare
/// was fused with; jump to its target when `res` matches its polarity, else step over it.
#[inline(always)]
fn fused_branch(vm: &Vm, r: &mut Regs, res: bool) -> Step {
    r.sp = r.sp.wrapping_sub(2);
    // SAFETY: quickening fused this compare only because a conditional jump follows it.
    let next = unsafe { *r.ip };
    if res == (next.op() == Opcode::POP_JUMP_IF_TRUE) {
        jump(vm, r, next.arg());
    } else {
        r.ip = r.ip.wrapping_add(1);
    }
    Ok(())
}

#[inline(always)]
pub fn COMPARE_OP_INT_JUMP(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
    let (a, b) = (peek(r, 2), peek(r, 1));
    if Value::both_small_ints(a, b) {
        return fused_branch(vm, r, compare_int(arg, a.as_small_int(), b.as_small_int()));
    }
    slow()
}

#[inline(always)]
pub fn COMPARE_OP_FLOAT_JUMP(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
    let (a, b) = (peek(r, 2), peek(r, 1));
    if a.is_float() && b.is_float() {
        return fused_branch(vm, r, compare_float(arg, a.as_float(), b.as_float()));
    }
    slow()
}

#[inline(always)]
pub fn LOAD_METHOD_BUILTIN(vm: &mut Vm, r: &mut Regs, _arg: u32) -> Step {
    let obj = peek(r, 1);
    let e = quicken::entry(vm, r.ip).get();
    // The receivers of most method calls (str, list, dict) are told apart inline: the full
    // `Obj::ty` is a call (2-3% of str_build's profile).
    let ty = match obj.as_obj().map(|o| &o.kind) {
        Some(ObjKind::Str(_)) => Ty::Str,
        Some(ObjKind::List(_)) => Ty::List,
        Some(ObjKind::Dict(_)) => Ty::Dict,
        _ => crate::object::type_of(obj),
    };
    if ty as u64 == e.a {
        set_peek(r, 1, e.held);
        push(r, obj);
        return Ok(());
    }
    slow()
}

// --- calls ---
/// The specialized Python call. Its fast path tests the cached function and argument count,
/// the depth limit (which also guarantees room in the frame Vec), the chunk's room (from the
/// argument pointer alone, `frame::room_end`) and a due collection, then writes the new frame
/// in place; anything else leaves through `slow()` (a tail call, so the fast path makes no
/// call), where `body::CALL_PY_EXACT_ARGS` deoptimizes only on a guard miss.
#[inline(always)]
pub fn CALL_PY_EXACT_ARGS(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
    let argc = arg as usize;
    // SAFETY: read-only view of this instruction's cache; nothing rewrites it meanwhile.
    let e = unsafe { &*quicken::entry(vm, r.ip).as_ptr() };
    let callable = peek(r, argc + 2);
    let nargs = argc + !peek(r, argc + 1).is_null() as usize;
    if callable.bits() != e.held.bits() || nargs != e.n as usize {
        return slow(); // body::CALL_PY_EXACT_ARGS deoptimizes
    }
    let args = r.sp.wrapping_sub(nargs);
    let depth = vm.frames.len();
    let room = crate::frame::room_end(args).wrapping_sub(args as usize);
    if (depth >= vm.frame_limit) | (room < e.b as usize) || vm.heap.should_collect() {
        return slow(); // the generic call handles the limit, a new chunk, the collection
    }
    // SAFETY: the cache holds the function (kept alive by it) and `a` is its code object.
    let c = unsafe { &*(e.a as *const crate::object::Code) };
    let nslots = c.nslots;
    // The callee's other locals start unbound. A plain pointer loop: few functions have many,
    // and a vectorised fill costs registers (saved and restored on every call) for nothing.
    let (mut p, end) = (args.wrapping_add(nargs), args.wrapping_add(nslots));
    while p < end {
        // SAFETY: below `args + nslots`, inside the room the test above found.
        unsafe { p.write(Value::NULL) };
        p = p.wrapping_add(1);
    }
    let slot = r.sp.wrapping_sub(argc + 2);
    let frames = vm.frames.as_mut_ptr();
    // SAFETY: `depth >= 1` (a frame is running) and `depth < frame_limit <= capacity`, so the
    // caller is element `depth - 1` and element `depth` is spare capacity, written before the
    // length covers it.
    unsafe {
        let caller = &mut *frames.add(depth - 1);
        caller.ip = r.ip;
        caller.sp = slot;
        frames.add(depth).write(crate::frame::Frame {
            code: c,
            owner: callable,
            // The function's globals, cached as bits (the function keeps them alive).
            globals: std::mem::transmute::<u64, Value>(e.c),
            base: args,
            ip: c.instrs.as_ptr(),
            sp: args.add(nslots),
            ret: slot,
            entry: false,
            chunk: vm.chunk as u32,
            gen: Value::NULL,
        });
        vm.frames.set_len(depth + 1);
    }
    r.fp = args;
    r.sp = args.wrapping_add(nslots);
    r.ip = c.instrs.as_ptr();
    Ok(())
}

// --- features ---
/// CALL of a native or a built-in type with positional arguments only (no KW_NAMES before
/// this CALL): straight to its function (or `construct`), without the generic call's
/// out-of-line trip. The registers are synced first (the callee may run Python code or
/// collect) and reloaded after, as the generic call does.
#[inline(always)]
pub fn CALL_NATIVE(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
    let argc = arg as usize;
    let callable = peek(r, argc + 2);
    let slot = r.sp.wrapping_sub(argc + 2);
    let nargs = argc + !peek(r, argc + 1).is_null() as usize;
    // SAFETY: CALL's operands: the `nargs` argument values end at `sp`, and they stay on the
    // stack (rooted) during the call.
    let args = unsafe { std::slice::from_raw_parts(r.sp.sub(nargs), nargs) };
    let res = match callable.as_obj().map(|o| &o.kind) {
        Some(ObjKind::Native(n)) => {
            vm.sync(r);
            vm.call_native(n, args, Value::NULL)
        }
        Some(ObjKind::Type(t)) => {
            vm.sync(r);
            call_type(vm, *t, args)
        }
        _ => return slow(), // body::CALL_NATIVE deoptimizes
    };
    match res {
        Ok(v) => {
            // SAFETY: the result replaces the callable slot; the stack top follows it.
            unsafe { *slot = v };
            vm.frame_mut().sp = slot.wrapping_add(1);
            let f = vm.frame();
            r.ip = f.ip;
            r.sp = f.sp;
            r.fp = f.base;
            Ok(())
        }
        Err(e) => Err(vm.throw(e)),
    }
}

/// CALL_NATIVE of a built-in type, out of line (the handler's own frame stays small: natives
/// re-enter the VM from it). `bool(x)` is the truth test itself (construct's checks cannot
/// fail for one argument).
#[inline(never)]
fn call_type(vm: &mut Vm, t: Ty, args: &[Value]) -> crate::PyResult<Value> {
    match (t, args) {
        (Ty::Bool, [x]) => ops::truthy(vm, *x).map(Value::bool),
        _ => crate::builtins::construct(vm, t, args, Value::NULL),
    }
}

/// Handler bodies: the full semantics of each opcode, run in place by `outline`d opcodes and
/// as the slow path of hot ones.
#[allow(dead_code)]
pub(super) mod body {
    use super::*;

    // --- quicken --- a specialized form's slow path: its guard failed, so make it generic
    // again and run the generic semantics.
    macro_rules! deopt_to {
        ($($name:ident => $generic:ident),* $(,)?) => {$(
            #[inline(always)]
            pub fn $name(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
                quicken::deopt(vm, r.ip);
                $generic(vm, r, arg)
            }
        )*};
    }
    deopt_to!(
        BINARY_OP_ADD_INT => BINARY_OP,
        BINARY_OP_SUB_INT => BINARY_OP,
        BINARY_OP_ADD_FLOAT => BINARY_OP,
        BINARY_OP_SUB_FLOAT => BINARY_OP,
        BINARY_OP_MUL_FLOAT => BINARY_OP,
        BINARY_OP_MUL_INT => BINARY_OP, // --- strs ---
        BINARY_OP_MOD_INT => BINARY_OP, // --- strs ---
        COMPARE_OP_INT => COMPARE_OP,
        COMPARE_OP_FLOAT => COMPARE_OP,
        COMPARE_OP_INT_JUMP => COMPARE_OP, // --- calls ---
        COMPARE_OP_FLOAT_JUMP => COMPARE_OP,
        LOAD_GLOBAL_MODULE__PUSH_NULL => LOAD_GLOBAL,
        LOAD_GLOBAL_BUILTIN__PUSH_NULL => LOAD_GLOBAL,
        LOAD_GLOBAL_MODULE => LOAD_GLOBAL,
        LOAD_GLOBAL_BUILTIN => LOAD_GLOBAL,
        LOAD_METHOD_BUILTIN => LOAD_METHOD,
        CALL_NATIVE => CALL, // --- features ---
    );

    /// CALL_PY_EXACT_ARGS also comes here when its guard held but the frame could not be
    /// pushed inline (recursion limit, chunk full, collection due): no deopt then.
    #[inline(always)]
    pub fn CALL_PY_EXACT_ARGS(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
        let argc = arg as usize;
        let e = quicken::entry(vm, r.ip).get();
        let nargs = argc + !peek(r, argc + 1).is_null() as usize;
        if peek(r, argc + 2).bits() != e.held.bits() || nargs != e.n as usize {
            quicken::deopt(vm, r.ip);
        }
        let res = CALL(vm, r, arg);
        vm.refresh_frame_limit(); // --- calls --- the frame Vec may have grown
        res
    }

    // --- calls --- the first load alone (the second then runs as itself)
    pub use self::LOAD_FAST as LOAD_FAST__LOAD_CONST;
    pub use self::LOAD_FAST as LOAD_FAST__LOAD_FAST;

    // --- fastcall ---
    pub use super::super::fastcall::body::{
        BINARY_OP_ADD_INT__RETURN_VALUE, LOAD_FAST__LOAD_CONST__BINARY_OP_ADD_INT,
        LOAD_FAST__LOAD_CONST__BINARY_OP_SUB_INT, LOAD_FAST__LOAD_CONST__COMPARE_OP_INT_JUMP,
        LOAD_FAST__RETURN_VALUE,
    };

    // Complete in their hot form (no slow path): the same function serves as the body.
    pub use super::{COPY, JUMP_FORWARD, POP_TOP, PUSH_NULL, STORE_FAST, SWAP};

    // --- langdata ---
    pub use super::super::call_ex::{DICT_MERGE, LIST_EXTEND};
    pub use super::super::generator::{GET_YIELD_FROM_ITER, SEND};
    pub use super::super::init_frame::EXIT_INIT_CHECK; // --- iterfast ---

    #[inline(always)]
    pub fn NOP(_vm: &mut Vm, _r: &mut Regs, _arg: u32) -> Step {
        Ok(())
    }

    #[inline(always)]
    pub fn LOAD_CONST(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
        let v = vm.frame().code().consts[arg as usize];
        push(r, v);
        Ok(())
    }

    #[inline(always)]
    pub fn LOAD_FAST(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
        let v = local(r, arg as usize);
        if v.is_null() {
            return Err(unbound_local(vm, arg));
        }
        push(r, v);
        Ok(())
    }

    #[cold]
    #[inline(never)]
    fn unbound_local(vm: &mut Vm, arg: u32) -> Stop {
        let name = vm.frame().code().src.varnames[arg as usize].clone();
        let msg = format!(
            "cannot access local variable '{name}' where it is not associated with a value"
        );
        vm.throw_new(Ty::UnboundLocalError, &msg)
    }

    #[inline(always)]
    pub fn DELETE_FAST(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
        if local(r, arg as usize).is_null() {
            return Err(unbound_local(vm, arg));
        }
        set_local(r, arg as usize, Value::NULL);
        Ok(())
    }

    #[inline(always)]
    pub fn LOAD_GLOBAL(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
        let name = vm.frame().code().names[arg as usize];
        let globals = vm.frame().globals;
        match ops::dict_get_str(globals, name).or_else(|| ops::dict_get_str(vm.builtins, name)) {
            Some(v) => {
                push(r, v);
                Ok(())
            }
            None => Err(name_error(vm, name)),
        }
    }

    #[cold]
    #[inline(never)]
    fn name_error(vm: &mut Vm, name: Value) -> Stop {
        let n = name.as_str().map_or("?", |s| &s.s).to_string();
        // --- gaps --- the NameError carries `name`: the traceback's suggestion needs it
        let e = crate::exceptions::name_error(vm, &format!("name '{n}' is not defined"), name);
        vm.throw(e)
    }

    #[inline(always)]
    pub fn STORE_GLOBAL(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
        let name = vm.frame().code().names[arg as usize];
        let v = pop(r);
        let g = vm.frame().globals;
        // --- features --- a name this code's LOAD_GLOBAL found in these globals, at a
        // position still valid (same version): overwrite its value in place, as dict_set would.
        let cache = vm.frame().code().global_cache[arg as usize].get();
        if cache.globals == g.bits() && !cache.in_builtins {
            if let Some(d) = g.as_dict() {
                let mut d = d.borrow_mut();
                let i = cache.index as usize;
                if d.version == cache.globals_version
                    && d.entry_at(i).is_some_and(|e| e.key == name)
                {
                    vm.heap.store_barrier(g, v);
                    *d.value_at_mut(i) = v;
                    return Ok(());
                }
            }
        }
        tri!(vm, ops::dict_set(vm, g, name, v));
        Ok(())
    }

    #[inline(always)]
    pub fn DELETE_GLOBAL(vm: &mut Vm, _r: &mut Regs, arg: u32) -> Step {
        let name = vm.frame().code().names[arg as usize];
        let g = vm.frame().globals;
        if ops::dict_del(vm, g, name).ok().flatten().is_none() {
            return Err(name_error(vm, name));
        }
        Ok(())
    }

    // --- classes --- (LOAD/STORE/DELETE_NAME use the class namespace in a class body)
    #[inline(always)]
    pub fn LOAD_NAME(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
        if let Some(ns) = vm.class_namespace() {
            let name = vm.frame().code().names[arg as usize];
            if let Some(v) = ops::dict_get_str(ns, name) {
                push(r, v);
                return Ok(());
            }
        }
        LOAD_GLOBAL(vm, r, arg)
    }

    #[inline(always)]
    pub fn STORE_NAME(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
        if let Some(ns) = vm.class_namespace() {
            let name = vm.frame().code().names[arg as usize];
            let v = pop(r);
            tri!(vm, ops::dict_set(vm, ns, name, v));
            return Ok(());
        }
        STORE_GLOBAL(vm, r, arg)
    }

    #[inline(always)]
    pub fn DELETE_NAME(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
        if let Some(ns) = vm.class_namespace() {
            let name = vm.frame().code().names[arg as usize];
            if ops::dict_del(vm, ns, name).ok().flatten().is_none() {
                return Err(name_error(vm, name));
            }
            return Ok(());
        }
        DELETE_GLOBAL(vm, r, arg)
    }

    #[inline(always)]
    pub fn LOAD_BUILD_CLASS(vm: &mut Vm, r: &mut Regs, _arg: u32) -> Step {
        let k = vm.intern("__build_class__");
        match ops::dict_get_str(vm.builtins, k) {
            Some(v) => {
                push(r, v);
                Ok(())
            }
            None => Err(vm.throw_new(Ty::NameError, "__build_class__ not found")),
        }
    }

    /// Slot index of deref `i` (cells and frees follow the locals).
    #[inline(always)]
    fn deref_slot(vm: &Vm, i: u32) -> usize {
        vm.frame().code().nlocals + i as usize
    }

    #[inline(always)]
    pub fn MAKE_CELL(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
        let init = match vm
            .frame()
            .code()
            .cell2arg
            .get(arg as usize)
            .copied()
            .flatten()
        {
            Some(a) => local(r, a),
            None => Value::NULL,
        };
        let cell = vm.heap.alloc(ObjKind::Cell(std::cell::Cell::new(init)));
        set_local(r, deref_slot(vm, arg), cell);
        Ok(())
    }

    #[inline(always)]
    pub fn COPY_FREE_VARS(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
        let f = vm.frame();
        let closure = f.owner.as_function().map_or(Value::NULL, |f| f.closure);
        let start = f.code().nlocals + f.code().ncells;
        let cells = closure.as_tuple().unwrap_or(&[]);
        for (k, c) in cells.iter().take(arg as usize).enumerate() {
            set_local(r, start + k, *c);
        }
        Ok(())
    }

    #[inline(always)]
    fn cell_of(vm: &Vm, r: &Regs, arg: u32) -> &'static std::cell::Cell<Value> {
        match local(r, deref_slot(vm, arg)).as_obj().map(|o| &o.kind) {
            Some(ObjKind::Cell(c)) => c,
            _ => panic!("deref slot {arg} holds no cell: missing MAKE_CELL/COPY_FREE_VARS"),
        }
    }

    #[inline(always)]
    pub fn LOAD_DEREF(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
        let v = cell_of(vm, r, arg).get();
        if v.is_null() {
            let c = vm.frame().code();
            let name = c.src.deref_name(arg as usize).unwrap_or("?").to_string();
            return Err(if (arg as usize) < c.ncells {
                let msg = format!(
                    "cannot access local variable '{name}' where it is not associated with a value"
                );
                vm.throw_new(Ty::UnboundLocalError, &msg)
            } else {
                let msg = format!("cannot access free variable '{name}' where it is not associated with a value in enclosing scope");
                let name = vm.intern(&name); // --- gaps ---
                let e = crate::exceptions::name_error(vm, &msg, name);
                vm.throw(e)
            });
        }
        push(r, v);
        Ok(())
    }

    #[inline(always)]
    pub fn STORE_DEREF(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
        let v = pop(r);
        vm.heap.store_barrier(local(r, deref_slot(vm, arg)), v);
        cell_of(vm, r, arg).set(v);
        Ok(())
    }

    #[inline(always)]
    pub fn DELETE_DEREF(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
        cell_of(vm, r, arg).set(Value::NULL);
        Ok(())
    }

    #[inline(always)]
    pub fn LOAD_CLOSURE(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
        let c = local(r, deref_slot(vm, arg));
        push(r, c);
        Ok(())
    }

    #[inline(always)]
    pub fn LOAD_ATTR(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
        let name = vm.frame().code().names[arg as usize];
        let obj = peek(r, 1);
        vm.sync(r);
        // SAFETY: the code object outlives this call (the running frame holds it).
        let cache = unsafe { &*(&vm.frame().code().attr_cache[arg as usize] as *const _) };
        let v = tri!(vm, crate::class::load_attr(vm, obj, name, cache)); // --- classes ---
        set_peek(r, 1, v);
        Ok(())
    }

    #[inline(always)]
    pub fn STORE_ATTR(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
        let name = vm.frame().code().names[arg as usize];
        let obj = pop(r);
        let v = pop(r);
        vm.sync(r);
        // Plain instances (the hot case) go straight to the class model's cached path; the
        // exception and function hooks below only concern those kinds.
        // SAFETY: as in LOAD_ATTR.
        let cache = unsafe { &*(&vm.frame().code().attr_cache[arg as usize] as *const _) };
        if matches!(obj.as_obj().map(|o| &o.kind), Some(ObjKind::Instance(_))) {
            tri!(vm, crate::class::store_attr(vm, obj, name, v, cache));
            return Ok(());
        }
        // --- exceptions --- `__cause__`/`__context__`/... on exception objects.
        if obj.as_exc().is_some()
            && tri!(
                vm,
                crate::exceptions::setattr(vm, obj, ops::str_of(name), v)
            )
        {
            return Ok(());
        }
        // --- langdata --- function attributes (decorators copying __name__, __doc__, ...).
        if let Some(f) = obj.as_function() {
            tri!(vm, crate::func_attrs::store(vm, f, name, v));
            return Ok(());
        }
        tri!(vm, crate::class::store_attr(vm, obj, name, v, cache)); // --- classes ---
        Ok(())
    }

    #[inline(always)]
    pub fn DELETE_ATTR(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
        let name = vm.frame().code().names[arg as usize];
        let obj = pop(r);
        tri!(vm, crate::class::delattr(vm, obj, name)); // --- classes ---
        Ok(())
    }

    #[inline(always)]
    pub fn LOAD_METHOD(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
        let name = vm.frame().code().names[arg as usize];
        let obj = peek(r, 1);
        let ty = crate::object::type_of(obj);
        if let Some(m) = vm
            .methods
            .get(&(ty, ops::str_of(name)))
            .filter(|_| ty != Ty::Object)
        {
            set_peek(r, 1, *m);
            push(r, obj);
            return Ok(());
        }
        vm.sync(r);
        // --- classes --- (instances: the function and self, no bound method)
        // SAFETY: as in LOAD_ATTR.
        let cache = unsafe { &*(&vm.frame().code().attr_cache[arg as usize] as *const _) };
        let (m, this) = tri!(vm, crate::class::load_method(vm, obj, name, Some(cache)));
        set_peek(r, 1, m);
        push(r, this);
        Ok(())
    }

    #[inline(always)]
    pub fn BINARY_OP(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
        let b = pop(r);
        let a = peek(r, 1);
        if Value::both_small_ints(a, b) {
            let (x, y) = (a.as_small_int(), b.as_small_int());
            let res = match arg {
                0 | 13 => Some(x + y),
                10 | 23 => Some(x - y),
                5 | 18 => x.checked_mul(y),
                _ => None,
            };
            if let Some(v) = res {
                if Value::fits_small(v) {
                    set_peek(r, 1, Value::small_int(v));
                    return Ok(());
                }
            }
        } else if a.is_float() && b.is_float() {
            let (x, y) = (a.as_float(), b.as_float());
            let res = match arg {
                0 | 13 => Some(x + y),
                10 | 23 => Some(x - y),
                5 | 18 => Some(x * y),
                11 | 24 if y != 0.0 => Some(x / y),
                _ => None,
            };
            if let Some(v) = res {
                set_peek(r, 1, Value::float(v));
                return Ok(());
            }
        }
        vm.sync(r);
        let v = binary_op_slow(vm, arg, a, b)?;
        set_peek(r, 1, v);
        Ok(())
    }

    /// Out of line, and given no pointer to the registers: a pointer to a dispatcher's locals
    /// would stop LLVM from turning the tail dispatcher's next call into a sibling call.
    #[inline(never)]
    fn binary_op_slow(vm: &mut Vm, arg: u32, a: Value, b: Value) -> Result<Value, Stop> {
        let op = BinaryOp::from_u32(arg).expect("valid BINARY_OP operand");
        ops::binary_op(vm, op, a, b).map_err(|e| vm.throw(e))
    }

    #[inline(always)]
    pub fn UNARY_NEGATIVE(vm: &mut Vm, r: &mut Regs, _arg: u32) -> Step {
        let v = tri!(vm, ops::negate(vm, peek(r, 1)));
        set_peek(r, 1, v);
        Ok(())
    }

    #[inline(always)]
    pub fn UNARY_POSITIVE(vm: &mut Vm, r: &mut Regs, _arg: u32) -> Step {
        let v = peek(r, 1);
        // --- classes ---
        if crate::class::is_user_instance(v) {
            vm.sync(r);
            if let Some(res) = tri!(vm, crate::class::unary(vm, "__pos__", v)) {
                set_peek(r, 1, res);
                return Ok(());
            }
        }
        if !(v.is_float() || v.is_int() || v.is_bool()) {
            let t = ops::type_name(v);
            return Err(vm.throw_new(
                Ty::TypeError,
                &format!("bad operand type for unary +: '{t}'"),
            ));
        }
        if v.is_bool() {
            set_peek(r, 1, Value::small_int(v.as_bool() as i64));
        }
        Ok(())
    }

    #[inline(always)]
    pub fn UNARY_NOT(vm: &mut Vm, r: &mut Regs, _arg: u32) -> Step {
        let t = tri!(vm, ops::truthy(vm, peek(r, 1)));
        set_peek(r, 1, Value::bool(!t));
        Ok(())
    }

    #[inline(always)]
    pub fn UNARY_INVERT(vm: &mut Vm, r: &mut Regs, _arg: u32) -> Step {
        let v = tri!(vm, ops::invert(vm, peek(r, 1)));
        set_peek(r, 1, v);
        Ok(())
    }

    #[inline(always)]
    pub fn COMPARE_OP(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
        let b = pop(r);
        let a = peek(r, 1);
        let res = if Value::both_small_ints(a, b) {
            let (x, y) = (a.as_small_int(), b.as_small_int());
            match arg {
                0 => x < y,
                1 => x <= y,
                2 => x == y,
                3 => x != y,
                4 => x > y,
                _ => x >= y,
            }
        } else if a.is_float() && b.is_float() {
            let (x, y) = (a.as_float(), b.as_float());
            match arg {
                0 => x < y,
                1 => x <= y,
                2 => x == y,
                3 => x != y,
                4 => x > y,
                _ => x >= y,
            }
        } else {
            let op = CompareOp::from_u32(arg).expect("valid COMPARE_OP operand");
            vm.sync(r);
            if crate::class::is_user_instance(a) || crate::class::is_user_instance(b) {
                // A user's comparison method may return any object: push it as it is.
                let v = tri!(vm, crate::class::rich_compare(vm, op, a, b));
                set_peek(r, 1, v);
                return Ok(());
            }
            tri!(vm, ops::compare(vm, op, a, b))
        };
        set_peek(r, 1, Value::bool(res));
        Ok(())
    }

    #[inline(always)]
    pub fn IS_OP(_vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
        let b = pop(r);
        let a = peek(r, 1);
        set_peek(r, 1, Value::bool((a == b) != (arg != 0)));
        Ok(())
    }

    #[inline(always)]
    pub fn CONTAINS_OP(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
        let container = pop(r);
        let item = peek(r, 1);
        vm.sync(r);
        let found = tri!(vm, ops::contains(vm, container, item));
        set_peek(r, 1, Value::bool(found != (arg != 0)));
        Ok(())
    }

    #[inline(always)]
    pub fn BINARY_SUBSCR(vm: &mut Vm, r: &mut Regs, _arg: u32) -> Step {
        let key = pop(r);
        let container = peek(r, 1);
        if key.is_small_int() {
            if let Some(l) = container.as_list() {
                let l = l.borrow();
                let i = key.as_small_int();
                let i = if i < 0 { i + l.len() as i64 } else { i };
                if (0..l.len() as i64).contains(&i) {
                    let v = l[i as usize];
                    drop(l);
                    set_peek(r, 1, v);
                    return Ok(());
                }
            }
        }
        vm.sync(r);
        let v = tri!(vm, ops::getitem(vm, container, key));
        set_peek(r, 1, v);
        Ok(())
    }

    #[inline(always)]
    pub fn STORE_SUBSCR(vm: &mut Vm, r: &mut Regs, _arg: u32) -> Step {
        let key = pop(r);
        let container = pop(r);
        let value = pop(r);
        if key.is_small_int() {
            if let Some(l) = container.as_list() {
                let mut l = l.borrow_mut();
                let i = key.as_small_int();
                let i = if i < 0 { i + l.len() as i64 } else { i };
                if (0..l.len() as i64).contains(&i) {
                    vm.heap.list_store_barrier(
                        container.as_obj().expect("list"),
                        i as usize,
                        value,
                    );
                    l[i as usize] = value;
                    return Ok(());
                }
            }
        }
        vm.sync(r);
        tri!(vm, ops::setitem(vm, container, key, value));
        Ok(())
    }

    #[inline(always)]
    pub fn DELETE_SUBSCR(vm: &mut Vm, r: &mut Regs, _arg: u32) -> Step {
        let key = pop(r);
        let container = pop(r);
        tri!(vm, ops::delitem(vm, container, key));
        Ok(())
    }

    #[inline(always)]
    pub fn BINARY_SLICE(vm: &mut Vm, r: &mut Regs, _arg: u32) -> Step {
        let stop = pop(r);
        let start = pop(r);
        let container = peek(r, 1);
        let s = vm.heap.alloc(ObjKind::Slice {
            start,
            stop,
            step: Value::NONE,
        });
        let v = tri!(vm, ops::getitem(vm, container, s));
        set_peek(r, 1, v);
        Ok(())
    }

    #[inline(always)]
    pub fn STORE_SLICE(vm: &mut Vm, r: &mut Regs, _arg: u32) -> Step {
        let stop = pop(r);
        let start = pop(r);
        let container = pop(r);
        let value = pop(r);
        if container.as_list().is_some() {
            tri!(vm, ops::set_list_slice(vm, container, start, stop, value));
            return Ok(());
        }
        let s = vm.heap.alloc(ObjKind::Slice {
            start,
            stop,
            step: Value::NONE,
        });
        tri!(vm, ops::setitem(vm, container, s, value));
        Ok(())
    }

    #[inline(always)]
    pub fn BUILD_SLICE(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
        let step = if arg == 3 { pop(r) } else { Value::NONE };
        let stop = pop(r);
        let start = pop(r);
        let s = vm.heap.alloc(ObjKind::Slice { start, stop, step });
        push(r, s);
        Ok(())
    }

    #[inline(always)]
    pub fn BUILD_LIST(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
        let items = top_slice(r, arg as usize).to_vec();
        let v = vm.new_list(items);
        r.sp = r.sp.wrapping_sub(arg as usize);
        push(r, v);
        Ok(())
    }

    #[inline(always)]
    pub fn BUILD_TUPLE(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
        let items = top_slice(r, arg as usize).to_vec();
        let v = vm.new_tuple(items);
        r.sp = r.sp.wrapping_sub(arg as usize);
        push(r, v);
        Ok(())
    }

    #[inline(always)]
    pub fn BUILD_MAP(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
        // --- features --- `f(*a, **k)` forwarding: call without copying `k`
        if arg == 0 {
            if let Some(step) = super::super::call_ex::forward_star_call(vm, r) {
                return step;
            }
        }
        let n = arg as usize;
        let items = top_slice(r, 2 * n).to_vec();
        let d = vm.new_dict(crate::dict::Dict::with_capacity(n));
        for kv in items.chunks(2) {
            tri!(vm, ops::dict_set(vm, d, kv[0], kv[1]));
        }
        r.sp = r.sp.wrapping_sub(2 * n);
        push(r, d);
        Ok(())
    }

    #[inline(always)]
    pub fn BUILD_CONST_KEY_MAP(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
        let n = arg as usize;
        let keys = pop(r);
        let values = top_slice(r, n).to_vec();
        let d = vm.new_dict(crate::dict::Dict::with_capacity(n));
        let keys = keys.as_tuple().unwrap_or(&[]);
        for (k, v) in keys.iter().zip(values) {
            tri!(vm, ops::dict_set(vm, d, *k, v));
        }
        r.sp = r.sp.wrapping_sub(n);
        push(r, d);
        Ok(())
    }

    #[inline(always)]
    pub fn BUILD_SET(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
        let items = top_slice(r, arg as usize).to_vec();
        let s = crate::set_ops::new_set(vm, false); // langdata
        for v in items {
            tri!(vm, ops::set_add(vm, s, v));
        }
        r.sp = r.sp.wrapping_sub(arg as usize);
        push(r, s);
        Ok(())
    }

    #[inline(always)]
    pub fn BUILD_STRING(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
        let parts = top_slice(r, arg as usize);
        // --- strs --- built at its final size, in the new object's own block.
        let len = parts.iter().map(|v| ops::str_of(*v).len()).sum();
        let v = vm.concat_strs("", parts, len);
        r.sp = r.sp.wrapping_sub(arg as usize);
        push(r, v);
        Ok(())
    }

    #[inline(always)]
    pub fn LIST_APPEND(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
        let v = pop(r);
        let list = peek(r, arg as usize);
        match list.as_list() {
            Some(l) => {
                let mut l = l.borrow_mut();
                vm.heap
                    .list_store_barrier(list.as_obj().expect("list"), l.len(), v);
                l.push(v);
            }
            None => return Err(vm.throw_new(Ty::SystemError, "LIST_APPEND on a non-list")),
        }
        Ok(())
    }

    #[inline(always)]
    pub fn SET_ADD(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
        let v = pop(r);
        let s = peek(r, arg as usize);
        tri!(vm, ops::set_add(vm, s, v));
        Ok(())
    }

    #[inline(always)]
    pub fn MAP_ADD(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
        let v = pop(r);
        let k = pop(r);
        let d = peek(r, arg as usize);
        tri!(vm, ops::dict_set(vm, d, k, v));
        Ok(())
    }

    #[inline(always)]
    pub fn SET_UPDATE(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
        let it = pop(r);
        let s = peek(r, arg as usize);
        vm.sync(r);
        tri!(vm, crate::set_ops::update(vm, s, it)); // langdata
        Ok(())
    }

    #[inline(always)]
    pub fn DICT_UPDATE(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
        let m = pop(r);
        let d = peek(r, arg as usize);
        let Some(src) = m.as_dict() else {
            let t = ops::type_name(m);
            return Err(vm.throw_new(Ty::TypeError, &format!("'{t}' object is not a mapping")));
        };
        let entries: Vec<(Value, Value)> = src.borrow().iter().map(|e| (e.key, e.value)).collect();
        for (k, v) in entries {
            tri!(vm, ops::dict_set(vm, d, k, v));
        }
        Ok(())
    }

    #[inline(always)]
    pub fn LIST_TO_TUPLE(vm: &mut Vm, r: &mut Regs, _arg: u32) -> Step {
        let items = peek(r, 1)
            .as_list()
            .map(|l| l.borrow().clone())
            .unwrap_or_default();
        let t = vm.new_tuple(items);
        set_peek(r, 1, t);
        Ok(())
    }

    #[inline(always)]
    pub fn UNPACK_SEQUENCE(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
        let seq = pop(r);
        let n = arg as usize;
        let items: Vec<Value> = if let Some(t) = seq.as_tuple() {
            t.to_vec()
        } else if let Some(l) = seq.as_list() {
            l.borrow().clone()
        } else {
            vm.sync(r);
            match ops::collect(vm, seq) {
                Ok(v) => v,
                Err(_) if !ops::is_iterable(seq) => {
                    let t = ops::type_name(seq);
                    return Err(vm.throw_new(
                        Ty::TypeError,
                        &format!("cannot unpack non-iterable {t} object"),
                    ));
                }
                Err(e) => return Err(vm.throw(e)),
            }
        };
        if items.len() != n {
            let msg = if items.len() < n {
                format!(
                    "not enough values to unpack (expected {n}, got {})",
                    items.len()
                )
            } else {
                format!("too many values to unpack (expected {n})")
            };
            return Err(vm.throw_new(Ty::ValueError, &msg));
        }
        for v in items.into_iter().rev() {
            push(r, v);
        }
        Ok(())
    }

    #[inline(always)]
    pub fn UNPACK_EX(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
        let seq = pop(r);
        let (before, after) = ((arg & 0xff) as usize, (arg >> 8) as usize);
        vm.sync(r);
        let items = tri!(vm, ops::collect(vm, seq));
        if items.len() < before + after {
            let msg = format!(
                "not enough values to unpack (expected at least {}, got {})",
                before + after,
                items.len()
            );
            return Err(vm.throw_new(Ty::ValueError, &msg));
        }
        let mid = items[before..items.len() - after].to_vec();
        let mid = vm.new_list(mid);
        for v in items[items.len() - after..].iter().rev() {
            push(r, *v);
        }
        push(r, mid);
        for v in items[..before].iter().rev() {
            push(r, *v);
        }
        Ok(())
    }

    #[inline(always)]
    pub fn GET_ITER(vm: &mut Vm, r: &mut Regs, _arg: u32) -> Step {
        let it = tri!(vm, ops::iter(vm, peek(r, 1)));
        set_peek(r, 1, it);
        Ok(())
    }

    #[inline(always)]
    pub fn FOR_ITER(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
        let it = peek(r, 1);
        if let Some(o) = it.as_obj() {
            match &o.kind {
                ObjKind::RangeIter { next, stop, step } => {
                    let i = next.get();
                    if (*step > 0 && i < *stop) || (*step < 0 && i > *stop) {
                        next.set(i.saturating_add(*step));
                        push(r, Value::small_int(i));
                    } else {
                        pop(r);
                        jump(vm, r, arg);
                    }
                    return Ok(());
                }
                ObjKind::SeqIter { seq, index } if seq.as_list().is_some() => {
                    let l = seq.as_list().expect("checked").borrow();
                    let i = index.get();
                    if i < l.len() {
                        index.set(i + 1);
                        let v = l[i];
                        drop(l);
                        push(r, v);
                    } else {
                        drop(l);
                        pop(r);
                        jump(vm, r, arg);
                    }
                    return Ok(());
                }
                _ => {}
            }
        }
        // --- iterfast --- pairs unpacked straight onto the stack (no tuple); generators
        // resumed on this loop
        if let Some(step) = super::super::for_iter::fused_pair(vm, r, it, arg) {
            return step;
        }
        if matches!(it.as_obj().map(|o| &o.kind), Some(ObjKind::Generator(_)))
            && vm.push_generator_frame(r, it, Value::NONE)
        {
            return Ok(());
        }
        vm.sync(r);
        match tri!(vm, vm.next_gc_safe(it)) {
            // langdata: a generator may collect
            Some(v) => push(r, v),
            None => {
                pop(r);
                jump(vm, r, arg);
            }
        }
        Ok(())
    }

    #[inline(always)]
    pub fn JUMP_BACKWARD(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
        // The back-edge safe point: collect, and raise MemoryError here past `--max-heap`
        // (langdata), before jumping.
        tri!(vm, vm.memory_check(r.sp));
        jump(vm, r, arg);
        Ok(())
    }

    #[inline(always)]
    fn truth(vm: &mut Vm, r: &mut Regs, v: Value) -> Result<bool, Stop> {
        if v.is_bool() {
            Ok(v.as_bool())
        } else {
            vm.sync(r);
            ops::truthy(vm, v).map_err(|e| vm.throw(e))
        }
    }

    #[inline(always)]
    pub fn POP_JUMP_IF_FALSE(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
        let v = pop(r);
        if !truth(vm, r, v)? {
            jump(vm, r, arg);
        }
        Ok(())
    }

    #[inline(always)]
    pub fn POP_JUMP_IF_TRUE(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
        let v = pop(r);
        if truth(vm, r, v)? {
            jump(vm, r, arg);
        }
        Ok(())
    }

    #[inline(always)]
    pub fn POP_JUMP_IF_NONE(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
        if pop(r).is_none() {
            jump(vm, r, arg);
        }
        Ok(())
    }

    #[inline(always)]
    pub fn POP_JUMP_IF_NOT_NONE(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
        if !pop(r).is_none() {
            jump(vm, r, arg);
        }
        Ok(())
    }

    #[inline(always)]
    pub fn JUMP_IF_FALSE_OR_POP(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
        let v = peek(r, 1);
        if !truth(vm, r, v)? {
            jump(vm, r, arg);
        } else {
            pop(r);
        }
        Ok(())
    }

    #[inline(always)]
    pub fn JUMP_IF_TRUE_OR_POP(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
        let v = peek(r, 1);
        if truth(vm, r, v)? {
            jump(vm, r, arg);
        } else {
            pop(r);
        }
        Ok(())
    }

    #[inline(always)]
    pub fn KW_NAMES(vm: &mut Vm, _r: &mut Regs, arg: u32) -> Step {
        vm.kwnames = vm.frame().code().consts[arg as usize];
        Ok(())
    }

    #[inline(always)]
    pub fn CALL(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
        let argc = arg as usize;
        let callable = peek(r, argc + 2);
        let slot = r.sp.wrapping_sub(argc + 2);
        if let Some(f) = callable.as_function() {
            // Fast path: exact positional call of a simple function; frame starts at the first arg.
            let c = f.code.as_code().expect("function code");
            let has_self = !peek(r, argc + 1).is_null();
            let nargs = argc + has_self as usize;
            let args = r.sp.wrapping_sub(nargs);
            if c.simple
                && vm.kwnames.is_null()
                && nargs == c.src.argcount as usize
                && vm.frames.len() < vm.recursion_limit
            {
                let need = c.nslots + c.stack_size;
                let end = vm.stack.chunk_end(vm.chunk);
                // SAFETY: both pointers are in (or one past) the current chunk.
                if unsafe { end.offset_from(args) } >= need as isize {
                    for i in nargs..c.nslots {
                        set_local(&Regs { fp: args, ..*r }, i, Value::NULL);
                    }
                    let caller = vm.frame_mut();
                    caller.ip = r.ip;
                    caller.sp = slot;
                    vm.push_frame(c, f, callable, args, slot);
                    r.fp = args;
                    // SAFETY: `nslots` slots reserved above.
                    r.sp = unsafe { args.add(c.nslots) };
                    r.ip = c.instrs.as_ptr();
                    vm.maybe_collect(r.sp);
                    return Ok(());
                }
            }
        }
        vm.sync(r);
        // --- features --- a native or built-in type called positionally: CALL_NATIVE
        if vm.quicken
            && matches!(
                callable.as_obj().map(|o| &o.kind),
                Some(ObjKind::Native(_) | ObjKind::Type(_))
            )
        {
            quicken::call_native(vm, r.ip);
        }
        call_slow(vm, argc, callable, slot)?;
        let f = vm.frame();
        r.ip = f.ip;
        r.sp = f.sp;
        r.fp = f.base;
        Ok(())
    }

    /// The general call: binding, natives, bound methods, types. Registers were synced into the
    /// frame; on success the caller reloads them from the (possibly new) top frame.
    #[inline(never)]
    fn call_slow(vm: &mut Vm, argc: usize, mut callable: Value, slot: *mut Value) -> Step {
        let mut kwnames = std::mem::replace(&mut vm.kwnames, Value::NULL);
        let sp = vm.frame().sp;
        // SAFETY: `slot` is the callable slot of the call being made, below `sp`.
        let at = |k: usize| unsafe { slot.add(k) };
        if let Some(ObjKind::Method { this, func }) = callable.as_obj().map(|o| &o.kind) {
            // Bound method: unpack into callable + self.
            // SAFETY: the callable and self_or_null slots of this call.
            unsafe {
                if (*at(1)).is_null() {
                    *at(0) = *func;
                    *at(1) = *this;
                    callable = *func;
                }
            }
        }
        // --- iterfast --- `cls(...)`: `__init__` runs on this loop, not a nested one.
        if matches!(callable.as_obj().map(|o| &o.kind), Some(ObjKind::Class(_))) {
            vm.frame_mut().sp = slot;
            match vm.push_init_frames(callable, slot, argc, kwnames) {
                Ok(true) => {
                    let top = vm.frame().sp;
                    vm.maybe_collect(top);
                    return Ok(());
                }
                Ok(false) => vm.frame_mut().sp = sp,
                Err(e) => {
                    vm.frame_mut().sp = sp;
                    return Err(vm.throw(e));
                }
            }
        }
        if callable.as_function().is_some() {
            vm.frame_mut().sp = slot;
            if let Err(e) = vm.push_python_frame(callable, slot, argc, kwnames) {
                vm.frame_mut().sp = sp;
                return Err(vm.throw(e));
            }
            let top = vm.frame().sp;
            vm.maybe_collect(top);
            return Ok(());
        }
        // Natives, types, anything else: args stay on the stack (rooted) during the call.
        // SAFETY: self_or_null slot of this call.
        let has_self = unsafe { !(*at(1)).is_null() };
        let n = argc + has_self as usize;
        // SAFETY: the n argument values end at `sp`.
        let args = unsafe { std::slice::from_raw_parts(sp.sub(n), n) };
        let res = vm.call_kw(callable, args, kwnames);
        kwnames = Value::NULL;
        let _ = kwnames;
        match res {
            Ok(v) => {
                // SAFETY: the result replaces the callable slot; the stack top follows it.
                unsafe { *at(0) = v };
                vm.frame_mut().sp = at(1);
                Ok(())
            }
            Err(e) => Err(vm.throw(e)),
        }
    }

    #[inline(always)]
    pub fn CALL_FUNCTION_EX(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
        // langdata: CPython's conversions and messages (interp/call_ex.rs); the operands stay
        // on the stack (rooted) while `*args` runs a generator, which may collect garbage.
        let extra = (arg & 1) as usize;
        let kwargs = if extra != 0 { peek(r, 1) } else { Value::NULL };
        let args = peek(r, 1 + extra);
        let callable = peek(r, 3 + extra);
        vm.sync(r);
        // --- features --- a tuple and a str-keyed dict bind straight into the callee's frame
        let slot = r.sp.wrapping_sub(3 + extra);
        if let Some(step) =
            super::super::call_ex::push_star_direct(vm, r, slot, callable, args, kwargs)
        {
            return step;
        }
        let mut argv = tri!(vm, super::super::call_ex::star_args(vm, callable, args));
        let mut kwnames = Value::NULL;
        if !kwargs.is_null() {
            let (names, values) = tri!(vm, super::super::call_ex::star_kwargs(vm, kwargs));
            argv.extend(values);
            kwnames = vm.new_tuple(names);
        }
        // --- iterfast --- a Python function runs on this loop (no nested `execute`)
        if let Some(step) =
            super::super::call_ex::push_star_call(vm, r, slot, callable, &argv, kwnames)
        {
            return step;
        }
        r.sp = r.sp.wrapping_sub(2 + extra);
        vm.sync(r);
        vm.native_roots.push(kwnames);
        vm.native_roots.extend_from_slice(&argv);
        let res = vm.call_kw(callable, &argv, kwnames);
        vm.native_roots
            .truncate(vm.native_roots.len() - argv.len() - 1);
        let v = tri!(vm, res);
        set_peek(r, 1, v);
        Ok(())
    }

    #[inline(always)]
    pub fn MAKE_FUNCTION(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
        let code = pop(r);
        let closure = if arg & 8 != 0 { pop(r) } else { Value::NULL };
        let _annotations = if arg & 4 != 0 { pop(r) } else { Value::NULL };
        let kwdefaults = if arg & 2 != 0 { pop(r) } else { Value::NULL };
        let defaults = if arg & 1 != 0 { pop(r) } else { Value::NULL };
        let c = code.as_code().expect("MAKE_FUNCTION needs a code object");
        let (name, qualname) = (c.src.name.clone(), c.src.qualname.clone());
        let name = vm.intern(&name);
        let qualname = vm.new_str(&qualname);
        let globals = vm.frame().globals;
        let f = Box::new(crate::object::Function {
            code,
            globals,
            name: std::cell::Cell::new(name),
            qualname: std::cell::Cell::new(qualname),
            defaults,
            kwdefaults,
            closure,
            dict: std::cell::Cell::new(Value::NULL), // langdata
        });
        let f = vm.heap.alloc(ObjKind::Function(f));
        push(r, f);
        Ok(())
    }

    #[inline(always)]
    pub fn RETURN_VALUE(vm: &mut Vm, r: &mut Regs, _arg: u32) -> Step {
        let v = pop(r);
        do_return(vm, r, v)
    }

    #[inline(always)]
    fn do_return(vm: &mut Vm, r: &mut Regs, v: Value) -> Step {
        // SAFETY: a frame is running (handlers only run inside one).
        let f = unsafe { vm.frames.pop().unwrap_unchecked() };
        // SAFETY: `ret` is the caller's callable slot (or the entry frame's result slot).
        unsafe { *f.ret = v };
        if f.entry {
            // --- iterfast --- a generator resumed on this loop finished
            if vm.inline_gens.last().copied() == Some(vm.frames.len() as u32) {
                return vm.inline_return(r, &f, v);
            }
            vm.ret_value = v;
            vm.chunk = vm.frames.last().map_or(0, |p| p.chunk as usize);
            return Err(Stop::Return);
        }
        let caller = vm.frame();
        r.ip = caller.ip;
        r.fp = caller.base;
        // SAFETY: the result slot is in the caller's stack; the next free slot follows it.
        r.sp = unsafe { f.ret.add(1) };
        vm.chunk = caller.chunk as usize;
        Ok(())
    }

    #[inline(always)]
    pub fn RETURN_CONST(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
        let v = vm.frame().code().consts[arg as usize];
        do_return(vm, r, v)
    }

    #[inline(always)]
    pub fn RETURN_GENERATOR(vm: &mut Vm, r: &mut Regs, _arg: u32) -> Step {
        let f = vm.frame();
        // SAFETY: [base, sp) are the frame's initialised slots.
        let n = unsafe { r.sp.offset_from(f.base) }.max(0) as usize;
        let saved = unsafe { std::slice::from_raw_parts(f.base, n) }.to_vec();
        // SAFETY: `ip` points into this frame's code.
        let pc = unsafe { r.ip.offset_from(f.code().instrs.as_ptr()) } as usize;
        let g = std::cell::RefCell::new(crate::object::GenState {
            func: f.func(),
            saved,
            pc,
            running: false,
            started: false,
            finished: false,
            exc_info: Value::NONE,
        });
        let g = vm.heap.alloc(ObjKind::Generator(Box::new(g)));
        do_return(vm, r, g)
    }

    #[inline(always)]
    pub fn YIELD_VALUE(vm: &mut Vm, r: &mut Regs, _arg: u32) -> Step {
        let v = pop(r);
        let f = vm.frame();
        let Some(ObjKind::Generator(cell)) = f.gen.as_obj().map(|o| &o.kind) else {
            return Err(vm.throw_new(Ty::SystemError, "YIELD_VALUE outside a generator"));
        };
        // --- genloop --- a native draining this generator takes the value in place
        let gen = f.gen;
        if !vm.sinks.is_empty() && super::super::gen_sink::absorb_yield(vm, r, gen, v) {
            return Ok(());
        }
        let f = vm.frame();
        // SAFETY: [base, sp) are the frame's initialised slots.
        let n = unsafe { r.sp.offset_from(f.base) }.max(0) as usize;
        let saved = unsafe { std::slice::from_raw_parts(f.base, n) };
        // SAFETY: `ip` points into this frame's code.
        let pc = unsafe { r.ip.offset_from(f.code().instrs.as_ptr()) } as usize;
        {
            // Copy into the generator's buffer, reusing its allocation (langdata).
            let mut st = cell.borrow_mut();
            st.saved.clear();
            st.saved.extend_from_slice(saved);
            st.pc = pc;
        }
        // --- iterfast ---
        if vm.top_is_inline_gen() {
            return vm.inline_yield(r, v);
        }
        vm.yielded = true;
        do_return(vm, r, v)
    }

    #[inline(always)]
    pub fn FORMAT_VALUE(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
        let spec = if arg & 4 != 0 { pop(r) } else { Value::NULL };
        let v = peek(r, 1);
        vm.sync(r);
        let v = match arg & 3 {
            1 => tri!(vm, ops::to_str_value(vm, v)),
            2 => {
                let s = tri!(vm, ops::repr(vm, v));
                vm.new_string(s)
            }
            3 => {
                let s = tri!(vm, ops::repr(vm, v));
                let s = crate::text::ascii_escape(&s); // langdata: `s` is already the repr
                vm.new_string(s)
            }
            _ => v,
        };
        let out = if spec.is_null() && v.as_str().is_some() {
            v
        } else {
            let spec = if spec.is_null() {
                ""
            } else {
                ops::str_of(spec)
            };
            let s = tri!(vm, ops::format(vm, v, spec));
            vm.new_string(s)
        };
        set_peek(r, 1, out);
        Ok(())
    }

    #[inline(always)]
    pub fn IMPORT_NAME(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
        let name = vm.frame().code().names[arg as usize];
        let _fromlist = pop(r);
        let _level = pop(r);
        // langdata: built-in modules, else the embedder's loader (modules/import.rs).
        vm.sync(r);
        let m = tri!(vm, crate::modules::import::import(vm, name));
        push(r, m);
        Ok(())
    }

    #[inline(always)]
    pub fn IMPORT_FROM(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
        let name = vm.frame().code().names[arg as usize];
        let m = peek(r, 1);
        match ops::getattr(vm, m, name) {
            Ok(v) => {
                push(r, v);
                Ok(())
            }
            Err(_) => {
                let n = ops::str_of(name).to_string();
                let mname = match m.as_obj().map(|o| &o.kind) {
                    Some(ObjKind::Module { name, .. }) => ops::str_of(*name).to_string(),
                    _ => "?".into(),
                };
                let msg = format!("cannot import name '{n}' from '{mname}' (unknown location)");
                Err(vm.throw_new(Ty::ImportError, &msg))
            }
        }
    }

    #[inline(always)]
    pub fn RAISE_VARARGS(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
        use crate::exceptions as ex;
        let cause = if arg == 2 { pop(r) } else { Value::NULL };
        if arg == 0 {
            // Bare `raise`: the handled exception, with no new traceback entry.
            let e = vm.exc_info;
            if e.is_none() || e.is_null() {
                return Err(vm.throw_new(Ty::RuntimeError, "No active exception to reraise"));
            }
            vm.reraise = true;
            return Err(vm.throw(crate::PyErr(e)));
        }
        let e = pop(r);
        vm.sync(r);
        let exc = tri!(vm, ex::instantiate(vm, e, "exceptions"));
        if arg == 2 {
            let c = if cause.is_none() {
                Value::NONE
            } else {
                tri!(vm, ex::instantiate(vm, cause, "exception causes"))
            };
            ex::set_cause(vm, exc, c);
        }
        ex::set_context(vm, exc);
        Err(vm.throw(crate::PyErr(exc)))
    }

    // --- exceptions ---

    #[inline(always)]
    pub fn PUSH_EXC_INFO(vm: &mut Vm, r: &mut Regs, _arg: u32) -> Step {
        let exc = pop(r);
        push(r, vm.exc_info);
        push(r, exc);
        vm.exc_info = exc;
        Ok(())
    }

    #[inline(always)]
    pub fn POP_EXCEPT(vm: &mut Vm, r: &mut Regs, _arg: u32) -> Step {
        vm.exc_info = pop(r);
        Ok(())
    }

    #[inline(always)]
    pub fn CHECK_EXC_MATCH(vm: &mut Vm, r: &mut Regs, _arg: u32) -> Step {
        let spec = pop(r);
        let exc = peek(r, 1);
        vm.sync(r);
        let m = tri!(vm, crate::exceptions::exception_matches(vm, exc, spec));
        push(r, Value::bool(m));
        Ok(())
    }

    #[inline(always)]
    pub fn RERAISE(vm: &mut Vm, r: &mut Regs, _arg: u32) -> Step {
        let exc = pop(r);
        vm.reraise = true;
        Err(vm.throw(crate::PyErr(exc)))
    }

    #[inline(always)]
    pub fn BEFORE_WITH(vm: &mut Vm, r: &mut Regs, _arg: u32) -> Step {
        use crate::exceptions::lookup_special;
        let mgr = peek(r, 1);
        vm.sync(r);
        let Some(enter) = lookup_special(vm, mgr, "__enter__") else {
            let t = ops::type_name(mgr);
            let msg = format!("'{t}' object does not support the context manager protocol");
            return Err(vm.throw_new(Ty::TypeError, &msg));
        };
        let Some(exit) = lookup_special(vm, mgr, "__exit__") else {
            let t = ops::type_name(mgr);
            let msg = format!(
                "'{t}' object does not support the context manager protocol (missed __exit__ method)"
            );
            return Err(vm.throw_new(Ty::TypeError, &msg));
        };
        set_peek(r, 1, exit);
        push(r, enter);
        vm.sync(r);
        let res = tri!(vm, vm.call(enter, &[]));
        set_peek(r, 1, res);
        Ok(())
    }

    #[inline(always)]
    pub fn WITH_EXCEPT_START(vm: &mut Vm, r: &mut Regs, _arg: u32) -> Step {
        let exit = peek(r, 4);
        let exc = peek(r, 1);
        vm.sync(r);
        let res = tri!(vm, crate::exceptions::call_exit(vm, exit, exc));
        push(r, res);
        Ok(())
    }

    #[inline(always)]
    pub fn LOAD_ASSERTION_ERROR(vm: &mut Vm, r: &mut Regs, _arg: u32) -> Step {
        push(r, vm.type_value(Ty::AssertionError));
        Ok(())
    }

    /// GC safe point reached from JUMP_BACKWARD.
    #[inline(always)]
    pub fn NOP_COLLECT(vm: &mut Vm, r: &mut Regs, _arg: u32) -> Step {
        // langdata: the back-edge is also where `--max-heap` raises MemoryError.
        tri!(vm, vm.memory_check(r.sp));
        Ok(())
    }
}
