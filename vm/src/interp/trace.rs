//! `nanopy trace`: after each executed instruction print the function, instruction index,
//! opcode, operand and the value stack; also counts instructions for `--stats`.

use nanopy_compiler::bytecode::Instr;

use super::{Regs, Vm};
use crate::value::Value;

pub(crate) fn after(vm: &mut Vm, r: &Regs, ins: Instr, frames_before: usize, stopped: bool) {
    vm.instructions += 1;
    let Some(opts) = vm.options.trace.clone() else {
        return;
    };
    if opts.limit.is_some_and(|l| vm.trace_printed >= l) {
        return;
    }
    // The instruction ran in the frame that was on top before it (calls push, returns pop).
    let Some(f) = vm.frames.get(frames_before.wrapping_sub(1)) else {
        return;
    };
    let code = f.code();
    let name = code.src.name.to_string();
    if opts.function.as_deref().is_some_and(|want| want != name) {
        return;
    }
    let pc = if vm.frames.len() == frames_before && !stopped {
        // SAFETY: `r.ip` points into this frame's code (or one past an instruction of it).
        (unsafe { r.ip.offset_from(code.instrs.as_ptr()) } - 1).max(0) as usize
    } else {
        f.pc()
    };
    let pc = if vm.frames.len() == frames_before {
        pc
    } else {
        f.pc()
    };
    let stack: Vec<Value> = if vm.frames.len() == frames_before && !stopped {
        // SAFETY: [fp + nslots, sp) are the running frame's live stack values.
        let start = unsafe { r.fp.add(code.nslots) };
        let n = unsafe { r.sp.offset_from(start) }.max(0) as usize;
        unsafe { std::slice::from_raw_parts(start, n) }.to_vec()
    } else {
        Vec::new()
    };
    let mut parts = Vec::with_capacity(stack.len());
    for v in stack {
        parts.push(crate::ops::repr(vm, v).unwrap_or_else(|_| "<?>".into()));
    }
    let line = format!(
        "{name:<16} {pc:>5} {:<22} {:>5}  [{}]\n",
        ins.op().name(),
        ins.arg(),
        parts.join(", ")
    );
    vm.trace_printed += 1;
    vm.write_err(&line);
}
