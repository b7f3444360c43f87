//! The reference dispatcher: `loop { match }` over the opcode, calling each handler inline.
//! With `TRACE` it also counts instructions and prints the `nanopy trace` lines.

use nanopy_compiler::bytecode::Instr;

use super::{handlers, Regs, Stop, Vm};

macro_rules! switch_loop {
    ($( $(#[doc = $doc:literal])* $name:ident = $kind:ident, $eff:expr, $inputs:expr; )*) => {
        /// Run until the entry frame returns or an exception escapes.
        pub fn run<const TRACE: bool>(vm: &mut Vm, mut r: Regs) -> Stop {
            loop {
                // SAFETY: `ip` points at an instruction of the running code object: every code
                // object ends in a return or jump, and jumps target valid indices.
                let ins: Instr = unsafe { *r.ip };
                let at = r.ip; // --- calls --- (trace counts superinstructions by outcome)
                let pre = if TRACE { super::trace::before(vm, r.ip) } else { None };
                // SAFETY: as above; the next instruction (or one past the end, never read).
                r.ip = unsafe { r.ip.add(1) };
                let mut res = match ins.op() {
                    $( nanopy_compiler::bytecode::Opcode::$name => handlers::$name(vm, &mut r, ins.arg()), )*
                };
                if res == Err(Stop::Slow) {
                    let f = handlers::COLD[ins.op() as usize];
                    res = handlers::outline(vm, &mut r, ins.arg(), f);
                }
                if TRACE {
                    super::trace::after(vm, &r, at, ins, pre, res.is_err());
                }
                if let Err(stop) = res {
                    if stop == Stop::Error {
                        vm.frame_mut().ip = r.ip;
                    }
                    return stop;
                }
            }
        }
    };
}

nanopy_compiler::for_each_opcode!(switch_loop);
