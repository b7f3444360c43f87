//! The call-loop dispatcher: a loop that fetches an instruction and calls its handler through a
//! table of function pointers — no tail calls, no inlining of handlers into the loop. The
//! registers live in memory (`&mut Regs`) across every call, which is the cost this strategy
//! exists to show next to `switch` (handlers inlined into one function) and `tail` (registers
//! passed in registers from handler to handler). Works in every build.

use nanopy_compiler::bytecode::Instr;

use super::{handlers, Regs, Step, Stop, Vm};

type Handler = fn(&mut Vm, &mut Regs, u32) -> Step;

macro_rules! call_table {
    ($( $(#[doc = $doc:literal])* $name:ident = $kind:ident, $eff:expr, $inputs:expr; )*) => {
        /// The handler table, indexed by opcode byte.
        static TABLE: [Handler; nanopy_compiler::bytecode::Opcode::COUNT] = [$(handlers::$name),*];
    };
}

nanopy_compiler::for_each_opcode!(call_table);

/// Run until the entry frame returns or an exception escapes.
pub fn run(vm: &mut Vm, mut r: Regs) -> Stop {
    loop {
        // SAFETY: `ip` points at an instruction of the running code object (see switch.rs).
        let ins: Instr = unsafe { *r.ip };
        // SAFETY: the next instruction (or one past the end, never read).
        r.ip = unsafe { r.ip.add(1) };
        let mut res = TABLE[ins.op() as usize](vm, &mut r, ins.arg());
        if res == Err(Stop::Slow) {
            let f = handlers::COLD[ins.op() as usize];
            res = handlers::outline(vm, &mut r, ins.arg(), f);
        }
        if let Err(stop) = res {
            if stop == Stop::Error {
                vm.frame_mut().ip = r.ip;
            }
            return stop;
        }
    }
}
