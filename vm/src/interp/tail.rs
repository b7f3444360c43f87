//! The tail-call dispatcher: every handler is wrapped in a function of one shared signature
//! that runs the handler and then calls the next instruction's wrapper through a table, in tail
//! position. With LLVM's sibling-call optimisation each such call compiles to a `jmp`, so the
//! Rust stack does not grow from one instruction to the next.
//!
//! Calling convention (all in registers on x86-64 SysV / AArch64): `vm`, `ip` (next
//! instruction), `sp`, `fp`, and the current instruction's operand. The wrappers hold nothing
//! that needs dropping and return the same small `Stop` as every other wrapper, which is what
//! keeps the calls sibling calls.
//!
//! What keeps the calls sibling calls (found the hard way): a wrapper must not have any stack
//! slot whose address escapes — no `&mut Regs` or `&local` passed to an out-of-line function,
//! no value returned through memory (e.g. `PyResult<bool>`), no `Vec` built in place. Any of
//! these made LLVM emit `call *TABLE(..)` instead of `jmp` at opt-level 1. Hence the handler
//! rules in `handlers.rs`: hot paths are inline and scalar-only; everything else runs out of
//! line through `outline`, which spills the registers into the frame first.
//!
//! Proven: `tests/tail_call.rs` (3M instructions and 500-deep recursion on a 64 KiB thread)
//! passes under the test profile (opt-level 1) and `--release` (opt-level 3, fat LTO, one
//! codegen unit); an objdump of the opt-level 1 build shows every wrapper ending in
//! `jmp *(TABLE,op,8)`. Without optimisation there are no sibling calls at all, so `ENABLED`
//! is false there (see `build.rs`) and `Dispatch::Tail` falls back to the switch loop: a debug
//! build cannot overflow the host stack.

use nanopy_compiler::bytecode::Instr;

use super::{handlers, Regs, Stop, Vm};
use crate::value::Value;

/// Whether this build may use tail dispatch (optimised builds only; see module docs).
pub const ENABLED: bool = cfg!(nanopy_opt);

type Handler = fn(&mut Vm, *const Instr, *mut Value, *mut Value, u32) -> Stop;

/// Fetch the next instruction and jump to its handler.
#[inline(always)]
fn next(vm: &mut Vm, r: Regs) -> Stop {
    // SAFETY: `ip` points at an instruction of the running code object (see switch.rs).
    let ins = unsafe { *r.ip };
    // SAFETY: one past at most the last instruction.
    let ip = unsafe { r.ip.add(1) };
    TABLE[ins.op() as usize](vm, ip, r.sp, r.fp, ins.arg())
}

macro_rules! tail_handlers {
    ($( $(#[doc = $doc:literal])* $name:ident = $kind:ident, $eff:expr, $inputs:expr; )*) => {
        #[allow(non_snake_case)]
        mod wrappers {
            use super::*;
            $(
                pub(super) fn $name(vm: &mut Vm, ip: *const Instr, sp: *mut Value, fp: *mut Value, arg: u32) -> Stop {
                    let mut r = Regs { ip, sp, fp };
                    match handlers::$name(vm, &mut r, arg) {
                        Ok(()) => next(vm, r),
                        Err(Stop::Slow) => slow(vm, r.ip, r.sp, r.fp, arg, handlers::cold::$name),
                        Err(stop) => exit(vm, r.ip, stop),
                    }
                }
            )*
        }

        /// The handler table, indexed by opcode byte.
        static TABLE: [Handler; nanopy_compiler::bytecode::Opcode::COUNT] = [$(wrappers::$name),*];
    };
}

nanopy_compiler::for_each_opcode!(tail_handlers);

#[cold]
#[inline(never)]
fn exit(vm: &mut Vm, ip: *const Instr, stop: Stop) -> Stop {
    if stop == Stop::Error {
        vm.frame_mut().ip = ip;
    }
    stop
}

/// A handler's slow path (`Stop::Slow`): its full semantics out of line, then the next
/// instruction. Reached by a tail call, so the hot wrappers themselves make no calls.
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
        Ok(()) => next(vm, r),
        Err(stop) => exit(vm, r.ip, stop),
    }
}

/// Run until the entry frame returns or an exception escapes.
pub fn run(vm: &mut Vm, r: Regs) -> Stop {
    next(vm, r)
}
