//! The direct-threaded dispatcher: each code object is pre-decoded once, on its first threaded
//! run, into a stream of [`Op`]s — the handler's address plus its operand — one per bytecode
//! instruction, at the same index. A wrapper runs its handler, then loads the next `Op` and
//! tail-calls the address it holds: no opcode byte is decoded and no table is indexed on the
//! way (that is what distinguishes it from `tail`, which does `TABLE[ins.op()]`).
//!
//! Calling convention (six integer registers on x86-64 SysV, all of them): `vm`, `ip`, `sp`,
//! `fp`, the operand, and `tp`, the current instruction's `Op`. `ip` keeps pointing into the
//! bytecode (`Code::instrs`) exactly as in every other strategy, so handlers, tracebacks, line
//! numbers, jumps and generators see the same registers and need no change; the stream is the
//! dispatcher's private shadow of the bytecode. After a handler:
//! - same frame (`fp` unchanged): the next op is `tp + 1 + (new ip - old ip)`. For straight-line
//!   handlers LLVM sees `ip` unchanged and this folds to `tp + 1`; for jumps it is one
//!   subtraction — the stream and the bytecode have the same indices.
//! - another frame (a call or a return changed `fp`; a frame's `fp` is unique among live
//!   frames): `resync` finds the running code's stream and indexes it by `ip`'s position.
//!
//! Room for quickening: the stream is a slice of `Cell<Op>`, so a handler can later rewrite its
//! own entry in place (e.g. swap in an int-specialised BINARY_OP) through a shared `&Code`.
//!
//! Like `tail`, this needs LLVM's sibling calls, so it runs only in optimised builds
//! (`tail::ENABLED`); otherwise `Dispatch::Threaded` falls back to the switch loop.
//! `tests/tail_call.rs` proves constant stack and `jmp` dispatch for these wrappers too.

use std::cell::{Cell, OnceCell};

use nanopy_compiler::bytecode::Instr;

use super::{handlers, Regs, Stop, Vm};
use crate::object::Code;
use crate::value::Value;

type Handler = fn(&mut Vm, *const Instr, *mut Value, *mut Value, u32, *const Cell<Op>) -> Stop;

/// One pre-decoded instruction: where its handler is and its operand.
#[derive(Clone, Copy)]
pub struct Op {
    handler: Handler,
    arg: u32,
}

/// A code object's threaded stream, built on first use (`Code::threaded`).
#[derive(Default)]
pub struct Stream(OnceCell<Box<[Cell<Op>]>>);

impl Stream {
    /// The stream's first op, decoding `code` if this is its first threaded run.
    #[inline]
    fn base(&self, code: &Code) -> *const Cell<Op> {
        match self.0.get() {
            Some(ops) => ops.as_ptr(),
            None => build(code),
        }
    }
}

#[cold]
#[inline(never)]
fn build(code: &Code) -> *const Cell<Op> {
    code.threaded
        .0
        .get_or_init(|| {
            (0..code.instrs.len())
                .map(|pc| {
                    let ins = code.instrs[pc];
                    Cell::new(Op {
                        handler: TABLE[ins.op() as usize],
                        arg: ins.arg(),
                    })
                })
                .collect()
        })
        .as_ptr()
}

// --- quicken ---
/// Keep the stream (if built) in step with a quickening rewrite of instruction `pc`.
pub(crate) fn patch(code: &Code, pc: usize, ins: Instr) {
    if let Some(ops) = code.threaded.0.get() {
        ops[pc].set(Op {
            handler: TABLE[ins.op() as usize],
            arg: ins.arg(),
        });
    }
}

/// The op for the running frame's instruction at `ip` (after a frame change, and at entry).
#[inline(never)]
fn resync(vm: &Vm, ip: *const Instr) -> *const Cell<Op> {
    let code = vm.frame().code();
    // SAFETY: `ip` points at an instruction of the running frame's code.
    let index = unsafe { ip.offset_from(code.instrs.as_ptr()) };
    // SAFETY: the stream has one op per instruction, so `index` is in bounds.
    unsafe { code.threaded.base(code).offset(index) }
}

/// Run the op at `tp` (the instruction at `ip`).
#[inline(always)]
fn go(vm: &mut Vm, ip: *const Instr, sp: *mut Value, fp: *mut Value, tp: *const Cell<Op>) -> Stop {
    // SAFETY: `tp` is the op of the instruction at `ip`, inside the running code's stream.
    let op = unsafe { (*tp).get() };
    // SAFETY: one past at most the last instruction (every code object ends in a return/jump).
    let next_ip = unsafe { ip.add(1) };
    (op.handler)(vm, next_ip, sp, fp, op.arg, tp)
}

macro_rules! threaded_handlers {
    ($( $(#[doc = $doc:literal])* $name:ident = $kind:ident, $eff:expr, $inputs:expr; )*) => {
        #[allow(non_snake_case)]
        mod wrappers {
            use super::*;
            $(
                pub(super) fn $name(
                    vm: &mut Vm,
                    ip: *const Instr,
                    sp: *mut Value,
                    fp: *mut Value,
                    arg: u32,
                    tp: *const Cell<Op>,
                ) -> Stop {
                    let mut r = Regs { ip, sp, fp };
                    match handlers::$name(vm, &mut r, arg) {
                        Ok(()) => {
                            let next = if r.fp == fp {
                                // SAFETY: same frame, so same code: the stream and the
                                // bytecode share indices and `r.ip` is inside the code.
                                unsafe { tp.offset(1 + r.ip.offset_from(ip)) }
                            } else {
                                resync(vm, r.ip)
                            };
                            go(vm, r.ip, r.sp, r.fp, next)
                        }
                        Err(Stop::Slow) => slow(vm, r.ip, r.sp, r.fp, arg, handlers::cold::$name),
                        Err(stop) => exit(vm, r.ip, stop),
                    }
                }
            )*
        }

        /// Handler addresses by opcode byte: used only to decode streams.
        static TABLE: [Handler; nanopy_compiler::bytecode::Opcode::COUNT] = [$(wrappers::$name),*];
    };
}

nanopy_compiler::for_each_opcode!(threaded_handlers);

#[cold]
#[inline(never)]
fn exit(vm: &mut Vm, ip: *const Instr, stop: Stop) -> Stop {
    if stop == Stop::Error {
        vm.frame_mut().ip = ip;
    }
    stop
}

/// A handler's slow path (`Stop::Slow`): its full semantics out of line, then the op of
/// whatever instruction (and frame) comes next.
#[inline(never)]
fn slow(
    vm: &mut Vm,
    ip: *const Instr,
    sp: *mut Value,
    fp: *mut Value,
    arg: u32,
    f: fn(&mut Vm, u32) -> super::Step,
) -> Stop {
    let mut r = Regs { ip, sp, fp };
    match handlers::outline(vm, &mut r, arg, f) {
        Ok(()) => {
            let tp = resync(vm, r.ip);
            go(vm, r.ip, r.sp, r.fp, tp)
        }
        Err(stop) => exit(vm, r.ip, stop),
    }
}

/// Run until the entry frame returns or an exception escapes.
pub fn run(vm: &mut Vm, r: Regs) -> Stop {
    let tp = resync(vm, r.ip);
    go(vm, r.ip, r.sp, r.fp, tp)
}
