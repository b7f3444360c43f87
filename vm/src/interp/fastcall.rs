//! Superinstructions for the shapes a small recursive function is made of (`fib`: `n < 2`,
//! `return n`, `n - 1`, `return a + b`), so a call runs in fewer dispatches.
//!
//! - **Written at load** (quickening on, with the LOAD_FAST pairs: [`fuse_load_fast`]): a
//!   LOAD_FAST that starts `LOAD_CONST k; BINARY_OP +|-`, `LOAD_CONST k; COMPARE_OP;
//!   POP_JUMP_IF_FALSE|TRUE` (k a small int constant, |k| <= 2048) or `RETURN_VALUE`. The
//!   LOAD_CONST forms hold the local, k and (compare) when to jump packed in their operand, so
//!   they read neither the constant table nor the instructions they fuse (bar the jump target).
//!   Their fast path needs an int local (the RETURN_VALUE form: any bound local); a miss makes
//!   the site the plain LOAD_FAST__LOAD_CONST pair for good ([`unfuse`], counted as a
//!   deoptimization) and runs the LOAD_FAST on its own, so a site that sees floats or big ints
//!   pays the miss once.
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

/// A packed operand (below) holds the local's index in its low `LOCAL_BITS`, a compare's
/// jump mask in the 3 bits above them, and the constant plus `CONST_BIAS` in the top 12 bits.
const LOCAL_BITS: u32 = 9;
const MASK_SHIFT: u32 = LOCAL_BITS;
const CONST_SHIFT: u32 = 12;
const CONST_BIAS: i64 = 1 << 11;

/// The word to write over the LOAD_FAST at `pc` of `code` (`consts`: the code object's
/// constants) when one of these forms fits, else None (the pairs may still apply).
///
/// The LOAD_CONST forms carry their constant in their own operand, packed as `local |
/// jumps << MASK_SHIFT | (k + CONST_BIAS) << CONST_SHIFT`, so their fast path reads no
/// constant table (the callee's first instruction, `n < 2`, waited on that chain of loads);
/// `jumps` (the compare form) has bit 0, 1, 2 set when the branch is taken for local less
/// than, equal to, greater than the constant, so that form reads neither the compare's
/// operator nor the jump's polarity. Sites whose local (>= 512) or constant (|k| > 2048) does
/// not fit stay pairs. The packed operand exists only in the running copy, in fused words
/// only: [`unfuse`] writes the compiler's operand back.
pub(super) fn fuse_load_fast(code: &[Instr], consts: &[Value], pc: usize) -> Option<Instr> {
    let at = |i: usize| code.get(pc + i).copied();
    let (load, next) = (at(0)?, at(1)?);
    if next.op() == Opcode::RETURN_VALUE {
        return Some(load.with_op(Opcode::LOAD_FAST__RETURN_VALUE));
    }
    let k = match consts.get(next.arg() as usize) {
        Some(k) if next.op() == Opcode::LOAD_CONST && k.is_small_int() => k.as_small_int(),
        _ => return None,
    };
    if load.arg() >= 1 << LOCAL_BITS || !(-CONST_BIAS..CONST_BIAS).contains(&k) {
        return None;
    }
    let third = at(2)?;
    let (op, jumps) = match third.op() {
        Opcode::BINARY_OP => match BinaryOp::from_u32(third.arg()).map(BinaryOp::base) {
            Some(BinaryOp::Add) => (Opcode::LOAD_FAST__LOAD_CONST__BINARY_OP_ADD_INT, 0),
            Some(BinaryOp::Subtract) => (Opcode::LOAD_FAST__LOAD_CONST__BINARY_OP_SUB_INT, 0),
            _ => return None,
        },
        Opcode::COMPARE_OP => {
            let when = match at(3)?.op() {
                Opcode::POP_JUMP_IF_TRUE => true,
                Opcode::POP_JUMP_IF_FALSE => false,
                _ => return None,
            };
            // Outcomes less, equal, greater as (local, constant) = (0, 1), (0, 0), (1, 0).
            let jumps = [(0, 1), (0, 0), (1, 0)]
                .iter()
                .enumerate()
                .map(|(bit, &(x, y))| ((compare_int(third.arg(), x, y) == when) as u32) << bit)
                .sum::<u32>();
            (Opcode::LOAD_FAST__LOAD_CONST__COMPARE_OP_INT_JUMP, jumps)
        }
        _ => return None,
    };
    let packed = load.arg() | jumps << MASK_SHIFT | ((k + CONST_BIAS) as u32) << CONST_SHIFT;
    Some(Instr::new(op, packed))
}

/// Whether the LOAD_FAST at `pc` becomes a form with a packed operand.
pub(super) fn packs(code: &[Instr], consts: &[Value], pc: usize) -> bool {
    fuse_load_fast(code, consts, pc).is_some_and(|w| w.op() != Opcode::LOAD_FAST__RETURN_VALUE)
}

/// A packed operand's local index and constant.
#[inline(always)]
fn unpack(arg: u32) -> (usize, i64) {
    (
        (arg & ((1 << LOCAL_BITS) - 1)) as usize,
        (arg >> CONST_SHIFT) as i64 - CONST_BIAS,
    )
}

/// `local <op> constant`: push the sum or difference and step over the LOAD_CONST and the
/// BINARY_OP; else the slow path (`body`).
#[inline(always)]
fn local_arith(r: &mut Regs, arg: u32, sub: bool) -> Step {
    let (i, k) = unpack(arg);
    let v = local(r, i);
    if v.is_small_int() {
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
pub fn LOAD_FAST__LOAD_CONST__BINARY_OP_ADD_INT(_vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
    local_arith(r, arg, false)
}

#[inline(always)]
pub fn LOAD_FAST__LOAD_CONST__BINARY_OP_SUB_INT(_vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
    local_arith(r, arg, true)
}

#[inline(always)]
pub fn LOAD_FAST__LOAD_CONST__COMPARE_OP_INT_JUMP(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
    let (i, k) = unpack(arg);
    let v = local(r, i);
    if !v.is_small_int() {
        return slow();
    }
    let x = v.as_small_int();
    let outcome = (x >= k) as u32 + (x > k) as u32;
    if arg >> (MASK_SHIFT + outcome) & 1 != 0 {
        // SAFETY: `fuse_load_fast` saw the conditional jump after the LOAD_CONST and COMPARE_OP.
        jump(vm, r, unsafe { *r.ip.add(2) }.arg());
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
/// return form, a plain LOAD_FAST) with the compiler's operand, and count the miss.
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
    quicken::rewrite_word(code, pc, code.src.code[pc].with_op(to));
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
                LOAD_FAST(vm, r, unpack(arg).0 as u32)
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
        let w = fuse_load_fast(&code, consts, 0)?;
        if w.op() != Opcode::LOAD_FAST__RETURN_VALUE {
            // The packed operand gives back the local and the constant.
            let k = consts[code[1].arg() as usize].as_small_int();
            assert_eq!(unpack(w.arg()), (code[0].arg() as usize, k));
        }
        Some(w.op())
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
        // Too big to pack: the constant (|k| > 2048) or the local index (>= 512).
        let edges = [
            Value::small_int(2047),
            Value::small_int(-2048),
            Value::small_int(2048),
            Value::small_int(-2049),
        ];
        let shape = |local, k| [(LOAD_FAST, local), (LOAD_CONST, k), (BINARY_OP, sub)];
        assert!(fused(&shape(511, 0), &edges).is_some());
        assert!(fused(&shape(7, 1), &edges).is_some());
        assert_eq!(fused(&shape(512, 0), &edges), None);
        assert_eq!(fused(&shape(0, 2), &edges), None);
        assert_eq!(fused(&shape(0, 3), &edges), None);
        // The compare form's jump mask: taken exactly when the compare's result is the
        // polarity of the jump after it, for every operator and outcome.
        let consts: Vec<Value> = (-3..=3).map(Value::small_int).collect();
        for op in 0..6 {
            for (jump, when) in [(POP_JUMP_IF_FALSE, false), (POP_JUMP_IF_TRUE, true)] {
                for ki in 0..consts.len() {
                    let code = [
                        (LOAD_FAST, 0),
                        (LOAD_CONST, ki as u32),
                        (COMPARE_OP, op),
                        (jump, 9),
                    ];
                    let words: Vec<Instr> = code.iter().map(|&(o, a)| Instr::new(o, a)).collect();
                    let arg = fuse_load_fast(&words, &consts, 0).unwrap().arg();
                    let k = consts[ki].as_small_int();
                    for x in -4..=4 {
                        let outcome = (x >= k) as u32 + (x > k) as u32;
                        let taken = arg >> (MASK_SHIFT + outcome) & 1 != 0;
                        assert_eq!(taken, compare_int(op, x, k) == when, "op {op} {x} vs {k}");
                    }
                }
            }
        }
        assert_eq!(
            fused(&[(LOAD_FAST, 3), (RETURN_VALUE, 0)], &[]),
            Some(LOAD_FAST__RETURN_VALUE)
        );
        assert_eq!(fused(&[(LOAD_FAST, 3)], &[]), None);
    }
}
