//! `nanopy trace`: after each executed instruction print one line — function name,
//! instruction index, opcode, operand, and the value stack of the frame running after it
//! (after a call into Python that is the callee's empty stack; after a return, the caller's
//! stack with the result on top). Lines go to stderr; `TraceOptions` filters by function name
//! and caps the count. Also counts executed instructions for `--stats`.
//!
//! ```text
//! fib                  0 LOAD_FAST                  0  [5]
//! ```

use nanopy_compiler::bytecode::Instr;

use super::{Regs, Vm};
use crate::value::Value;

/// What `before` learned about the instruction about to run.
pub(crate) struct Pre {
    name: String,
    pc: usize,
}

/// Count the instruction; decide whether it will be printed.
pub(crate) fn before(vm: &mut Vm, ip: *const Instr) -> Option<Pre> {
    vm.instructions += 1;
    // SAFETY: `ip` points at the instruction about to run (the dispatcher just read it).
    // quicken: a specialized instruction counts as its generic form (the histogram then
    // matches `nanopy dis`).
    vm.op_counts[unsafe { *ip }.op().generic() as usize] += 1;
    let opts = vm.options.trace.as_ref()?;
    if opts.limit.is_some_and(|l| vm.trace_printed >= l) {
        return None;
    }
    let code = vm.frame().code();
    let name = code.src.name.to_string();
    if opts.function.as_deref().is_some_and(|want| want != name) {
        return None;
    }
    // SAFETY: `ip` points at an instruction of the running frame's code.
    let pc = unsafe { ip.offset_from(code.instrs.as_ptr()) } as usize;
    Some(Pre { name, pc })
}

/// `at` is the address of the instruction just run (`ins`).
pub(crate) fn after(
    vm: &mut Vm,
    r: &Regs,
    at: *const Instr,
    ins: Instr,
    pre: Option<Pre>,
    stopped: bool,
) {
    // --- calls --- a superinstruction that ran fused (continuing anywhere but at the next
    // instruction, which its slow path leaves to run on its own) ran that one too: count it,
    // so the counts do not depend on quickening.
    // (`--- fastcall ---`: as many as it fuses.)
    if ins.op().fuses_next() && !stopped && r.ip != at.wrapping_add(1) {
        for i in 1..=ins.op().fused_after() {
            vm.instructions += 1;
            // SAFETY: a superinstruction is always followed by the instructions it fuses.
            vm.op_counts[unsafe { *at.add(i) }.op().generic() as usize] += 1;
        }
    }
    let Some(Pre { name, pc }) = pre else { return };
    let stack: Vec<Value> = if stopped || vm.frames.is_empty() {
        Vec::new()
    } else {
        let nslots = vm.frame().code().nslots;
        // SAFETY: [fp + nslots, sp) are the running frame's live stack values.
        unsafe {
            let start = r.fp.add(nslots);
            let n = r.sp.offset_from(start).max(0) as usize;
            std::slice::from_raw_parts(start, n).to_vec()
        }
    };
    let mut parts = Vec::with_capacity(stack.len());
    for v in stack {
        parts.push(crate::ops::repr(vm, v).unwrap_or_else(|_| "<?>".into()));
    }
    let arg = if ins.op().operand_kind() == nanopy_compiler::bytecode::OperandKind::None {
        String::new()
    } else {
        ins.arg().to_string()
    };
    let line = format!(
        "{name:<16} {pc:>5} {:<24} {arg:>5}  [{}]\n",
        ins.op().name(),
        parts.join(", ")
    );
    vm.trace_printed += 1;
    vm.write_err(&line);
}
