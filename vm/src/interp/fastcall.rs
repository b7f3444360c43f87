//! Superinstructions for the shapes a small recursive function is made of (`fib`: `n < 2`,
//! `return n`, `n - 1`, `return a + b`), so a call runs in fewer dispatches.
//!
//! - **Written at load** (quickening on, with the LOAD_FAST pairs: [`fuse_load_fast`]): a
//!   LOAD_FAST that starts `LOAD_CONST k; BINARY_OP +|-`, `LOAD_CONST k; COMPARE_OP;
//!   POP_JUMP_IF_FALSE|TRUE` (k a small int constant) or `RETURN_VALUE`. Their fast path needs
//!   an int local (the RETURN_VALUE form: any bound local); a miss makes the site the plain
//!   LOAD_FAST__LOAD_CONST pair for good ([`unfuse`], counted as a deoptimization) and runs the
//!   LOAD_FAST on its own, so a site that sees floats or big ints pays the miss once.
//! - **Specialized at run time**: BINARY_OP_ADD_INT__RETURN_VALUE, chosen instead of
//!   BINARY_OP_ADD_INT when a RETURN_VALUE follows (`quicken::binary_int`); deoptimizes as
//!   BINARY_OP_ADD_INT does.
//!
//! As with every superinstruction the fused instructions stay in place: a jump into the middle
//! runs them on their own, and `--stats` counts a fused run as all of them
//! (`Opcode::fused_after`). A fused return from an entry frame (a function called from a
//! native) does the first part only and leaves the RETURN_VALUE to run on its own.

#![allow(non_snake_case)]

use nanopy_compiler::bytecode::{BinaryOp, Instr, Opcode};

use super::handlers::{compare_int, jump, local, peek, pop, push, return_to_caller, slow};
use super::{quicken, Regs, Step, Vm};
use crate::value::Value;

/// The superinstruction to write over the LOAD_FAST at `pc` of `code`, if one fits (the pairs
/// aside). `consts` are the code object's constants.
pub(super) fn fuse_load_fast(code: &[Instr], consts: &[Value], pc: usize) -> Option<Opcode> {
    let at = |i: usize| code.get(pc + i).copied();
    let next = at(1)?;
    if next.op() == Opcode::RETURN_VALUE {
        return Some(Opcode::LOAD_FAST__RETURN_VALUE);
    }
    let small_const = next.op() == Opcode::LOAD_CONST
        && consts
            .get(next.arg() as usize)
            .is_some_and(|k| k.is_small_int());
    if !small_const {
        return None;
    }
    let third = at(2)?;
    match third.op() {
        Opcode::BINARY_OP => match BinaryOp::from_u32(third.arg()).map(BinaryOp::base) {
            Some(BinaryOp::Add) => Some(Opcode::LOAD_FAST__LOAD_CONST__BINARY_OP_ADD_INT),
            Some(BinaryOp::Subtract) => Some(Opcode::LOAD_FAST__LOAD_CONST__BINARY_OP_SUB_INT),
            _ => None,
        },
        Opcode::COMPARE_OP
            if matches!(
                at(3)?.op(),
                Opcode::POP_JUMP_IF_FALSE | Opcode::POP_JUMP_IF_TRUE
            ) =>
        {
            Some(Opcode::LOAD_FAST__LOAD_CONST__COMPARE_OP_INT_JUMP)
        }
        _ => None,
    }
}

/// The small int constant of the LOAD_CONST at `ip` (the second instruction of a fused
/// LOAD_FAST form).
#[inline(always)]
fn small_const(vm: &Vm, ip: *const Instr) -> i64 {
    // SAFETY: written only over a LOAD_FAST followed by a LOAD_CONST (`fuse_load_fast`).
    let k = unsafe { *ip }.arg();
    // SAFETY: codegen emits constant indices within `consts`; `fuse_load_fast` checked that
    // this one is a small int (constants never change).
    unsafe { vm.frame().code().consts.get_unchecked(k as usize) }.as_small_int()
}

/// `local <op> constant`: push the sum or difference and step over the LOAD_CONST and the
/// BINARY_OP; else the slow path (`body`).
#[inline(always)]
fn local_arith(vm: &mut Vm, r: &mut Regs, arg: u32, sub: bool) -> Step {
    let v = local(r, arg as usize);
    if v.is_small_int() {
        let k = small_const(vm, r.ip);
        let x = v.as_small_int();
        let res = if sub { x - k } else { x + k };
        if Value::fits_small(res) {
            push(r, Value::small_int(res));
            r.ip = r.ip.wrapping_add(2);
            return Ok(());
        }
    }
    slow()
}

#[inline(always)]
pub fn LOAD_FAST__LOAD_CONST__BINARY_OP_ADD_INT(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
    local_arith(vm, r, arg, false)
}

#[inline(always)]
pub fn LOAD_FAST__LOAD_CONST__BINARY_OP_SUB_INT(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
    local_arith(vm, r, arg, true)
}

#[inline(always)]
pub fn LOAD_FAST__LOAD_CONST__COMPARE_OP_INT_JUMP(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
    let v = local(r, arg as usize);
    if !v.is_small_int() {
        return slow();
    }
    let k = small_const(vm, r.ip);
    // SAFETY: `fuse_load_fast` saw a COMPARE_OP and a conditional jump after the LOAD_CONST.
    let (cmp, br) = unsafe { (*r.ip.add(1), *r.ip.add(2)) };
    if compare_int(cmp.arg(), v.as_small_int(), k) == (br.op() == Opcode::POP_JUMP_IF_TRUE) {
        jump(vm, r, br.arg());
    } else {
        r.ip = r.ip.wrapping_add(3);
    }
    Ok(())
}

#[inline(always)]
pub fn LOAD_FAST__RETURN_VALUE(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
    let v = local(r, arg as usize);
    if v.is_null() {
        return slow(); // body::LOAD_FAST: UnboundLocalError
    }
    if vm.frame().entry {
        push(r, v); // the RETURN_VALUE runs on its own and leaves the dispatch loop
        return Ok(());
    }
    return_to_caller(vm, r, v);
    Ok(())
}

#[inline(always)]
pub fn BINARY_OP_ADD_INT__RETURN_VALUE(vm: &mut Vm, r: &mut Regs, _arg: u32) -> Step {
    let (a, b) = (peek(r, 2), peek(r, 1));
    if Value::both_small_ints(a, b) {
        let sum = a.as_small_int() + b.as_small_int();
        if Value::fits_small(sum) {
            let v = Value::small_int(sum);
            if vm.frame().entry {
                pop(r);
                // SAFETY: the stack held both operands; `v` replaces the first.
                unsafe { *r.sp.sub(1) = v };
                return Ok(()); // the RETURN_VALUE runs on its own
            }
            return_to_caller(vm, r, v);
            return Ok(());
        }
    }
    slow()
}

/// A fused LOAD_FAST form missed: make the site the LOAD_FAST__LOAD_CONST pair (or, for the
/// return form, a plain LOAD_FAST) and count the miss.
#[cold]
#[inline(never)]
fn unfuse(vm: &Vm, ip: *const Instr) {
    let code = vm.frame().code();
    // SAFETY: `ip` is one past the instruction just dispatched, in `code.instrs`.
    let pc = unsafe { ip.offset_from(code.instrs.as_ptr()) } as usize - 1;
    let to = match code.instrs[pc].op() {
        Opcode::LOAD_FAST__RETURN_VALUE => Opcode::LOAD_FAST,
        _ => Opcode::LOAD_FAST__LOAD_CONST,
    };
    quicken::rewrite(code, pc, to);
    vm.deoptimized.set(vm.deoptimized.get() + 1);
}

/// The slow paths: the site falls back to the instructions it fuses, run one by one.
pub(super) mod body {
    use super::super::handlers::body::{BINARY_OP, LOAD_FAST};
    use super::*;

    macro_rules! unfuse_then_load_fast {
        ($($name:ident),*) => {$(
            #[inline(always)]
            pub fn $name(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
                unfuse(vm, r.ip);
                LOAD_FAST(vm, r, arg)
            }
        )*};
    }
    unfuse_then_load_fast!(
        LOAD_FAST__LOAD_CONST__BINARY_OP_ADD_INT,
        LOAD_FAST__LOAD_CONST__BINARY_OP_SUB_INT,
        LOAD_FAST__LOAD_CONST__COMPARE_OP_INT_JUMP
    );

    /// Only an unbound local misses (an error follows): no need to unfuse.
    pub use super::super::handlers::body::LOAD_FAST as LOAD_FAST__RETURN_VALUE;

    #[inline(always)]
    pub fn BINARY_OP_ADD_INT__RETURN_VALUE(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
        quicken::deopt(vm, r.ip);
        BINARY_OP(vm, r, arg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fused(ops: &[(Opcode, u32)], consts: &[Value]) -> Option<Opcode> {
        let code: Vec<Instr> = ops.iter().map(|&(op, arg)| Instr::new(op, arg)).collect();
        fuse_load_fast(&code, consts, 0)
    }

    #[test]
    fn load_fast_forms_need_their_whole_shape_and_a_small_int_constant() {
        use Opcode::*;
        let ints = [Value::small_int(1), Value::small_int(-2)];
        let sub = BinaryOp::Subtract as u32;
        let add_in_place = BinaryOp::InplaceAdd as u32;
        assert_eq!(
            fused(&[(LOAD_FAST, 0), (LOAD_CONST, 1), (BINARY_OP, sub)], &ints),
            Some(LOAD_FAST__LOAD_CONST__BINARY_OP_SUB_INT)
        );
        assert_eq!(
            fused(
                &[(LOAD_FAST, 0), (LOAD_CONST, 0), (BINARY_OP, add_in_place)],
                &ints
            ),
            Some(LOAD_FAST__LOAD_CONST__BINARY_OP_ADD_INT)
        );
        let mul = BinaryOp::Multiply as u32;
        assert_eq!(
            fused(&[(LOAD_FAST, 0), (LOAD_CONST, 0), (BINARY_OP, mul)], &ints),
            None
        );
        for jump in [POP_JUMP_IF_FALSE, POP_JUMP_IF_TRUE] {
            let shape = [(LOAD_FAST, 0), (LOAD_CONST, 0), (COMPARE_OP, 0), (jump, 9)];
            assert_eq!(
                fused(&shape, &ints),
                Some(LOAD_FAST__LOAD_CONST__COMPARE_OP_INT_JUMP)
            );
        }
        // A compare whose result is kept (no jump after it), or cut short by the code's end.
        let kept = [
            (LOAD_FAST, 0),
            (LOAD_CONST, 0),
            (COMPARE_OP, 0),
            (RETURN_VALUE, 0),
        ];
        assert_eq!(fused(&kept, &ints), None);
        assert_eq!(
            fused(&[(LOAD_FAST, 0), (LOAD_CONST, 0), (COMPARE_OP, 0)], &ints),
            None
        );
        // Constants that are not inline ints: a float, None.
        let others = [Value::float(1.0), Value::NONE];
        for k in 0..2 {
            assert_eq!(
                fused(
                    &[(LOAD_FAST, 0), (LOAD_CONST, k), (BINARY_OP, sub)],
                    &others
                ),
                None
            );
        }
        assert_eq!(
            fused(&[(LOAD_FAST, 3), (RETURN_VALUE, 0)], &[]),
            Some(LOAD_FAST__RETURN_VALUE)
        );
        assert_eq!(fused(&[(LOAD_FAST, 3)], &[]), None);
    }
}
