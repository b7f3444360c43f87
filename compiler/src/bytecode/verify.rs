//! The verifier for loaded bytecode: decides whether a code object tree read from an untrusted
//! cache file may be handed to the VM, whose handlers index constants, names and frame slots
//! without bounds checks and trust the stack depth (see `vm/src/interp/handlers.rs`).
//!
//! What it guarantees for every code object in the tree, and why the VM needs it:
//! - **operands in range** for their operand kind (from the opcode table): constant, name,
//!   local and cell/free indices inside their tables; enum operands (`BINARY_OP`,
//!   `COMPARE_OP`) valid; flag operands without unknown bits; counts in the range the handler
//!   assumes (`COPY n >= 1`, `SWAP n >= 2`, `BUILD_SLICE` 2 or 3, ...);
//! - **jump targets inside the code** (every index is an instruction boundary: words are fixed
//!   width), backward only for `JUMP_BACKWARD` (the VM's GC/interrupt poll point), and
//!   exception-table entries in range;
//! - **a consistent stack depth**: abstract interpretation with the table's stack effects along
//!   every path (both edges of jumps, exception handlers), never reading below the frame's
//!   stack base ([`stack_inputs`]), never above the declared `max_stack`, never falling off
//!   the end of the code;
//! - **the calling conventions the handlers rely on**: the `COPY_FREE_VARS` / `MAKE_CELL` /
//!   `RETURN_GENERATOR` prologue exactly as codegen emits it (so deref slots hold cells),
//!   `MAKE_FUNCTION` fed by `LOAD_CONST <code>` (and its closure tuple by `LOAD_CLOSURE`s of
//!   the right count), `KW_NAMES` naming a tuple of str immediately before a `CALL` that has
//!   that many arguments, `YIELD_VALUE` only in generators;
//! - **a sane line table**: one position per instruction, end line not before the line.
//!
//! It does not check types of stack values beyond that: the handlers check those dynamically,
//! as they must for any program. Everything codegen emits passes (tested over the corpus and
//! the standard library); a new opcode must be given its [`stack_inputs`] row below (a compile
//! error until it is).

use std::fmt;

use super::code::{CodeFlags, CodeObject, Constant, ExceptionTableEntry, Position};
use super::marshal::MAX_DEPTH;
use super::opcode::{BinaryOp, CompareOp, Opcode, OperandKind};

/// Why a code object tree was refused: which code object, which instruction, what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyError {
    pub qualname: String,
    pub pc: Option<usize>,
    pub msg: String,
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "bad bytecode in {}", self.qualname)?;
        if let Some(pc) = self.pc {
            write!(f, " at instruction {pc}")?;
        }
        write!(f, ": {}", self.msg)
    }
}

impl std::error::Error for VerifyError {}

/// How many values `op` reads from the stack (its inputs, before its outputs are pushed). The
/// net stack effect in the opcode table does not say this (`BINARY_OP` reads 2, nets -1), and
/// without it a forged `SWAP 9` at depth 1 would read below the frame's stack.
pub fn stack_inputs(op: Opcode, arg: u32) -> u64 {
    use Opcode::*;
    let n = arg as u64;
    // Exhaustive on purpose (no `_`): a new opcode must say how deep it reads.
    match op {
        NOP | PUSH_NULL | LOAD_CONST | LOAD_FAST | DELETE_FAST | LOAD_GLOBAL | DELETE_GLOBAL
        | LOAD_NAME | DELETE_NAME | MAKE_CELL | COPY_FREE_VARS | LOAD_DEREF | DELETE_DEREF
        | LOAD_CLOSURE | JUMP_FORWARD | JUMP_BACKWARD | KW_NAMES | RETURN_CONST
        | RETURN_GENERATOR | LOAD_ASSERTION_ERROR | LOAD_BUILD_CLASS => 0,
        POP_TOP | STORE_FAST | STORE_GLOBAL | STORE_NAME | STORE_DEREF | LOAD_ATTR
        | DELETE_ATTR | LOAD_METHOD | UNARY_NEGATIVE | UNARY_POSITIVE | UNARY_NOT
        | UNARY_INVERT | LIST_TO_TUPLE | UNPACK_SEQUENCE | UNPACK_EX | GET_ITER | FOR_ITER
        | POP_JUMP_IF_FALSE | POP_JUMP_IF_TRUE | POP_JUMP_IF_NONE | POP_JUMP_IF_NOT_NONE
        | JUMP_IF_FALSE_OR_POP | JUMP_IF_TRUE_OR_POP | RETURN_VALUE | YIELD_VALUE | IMPORT_FROM => {
            1
        }
        STORE_ATTR | BINARY_OP | COMPARE_OP | IS_OP | CONTAINS_OP | BINARY_SUBSCR
        | DELETE_SUBSCR | IMPORT_NAME => 2,
        STORE_SUBSCR | BINARY_SLICE => 3,
        STORE_SLICE => 4,
        COPY | SWAP | BUILD_SLICE | BUILD_LIST | BUILD_TUPLE | BUILD_SET | BUILD_STRING
        | RAISE_VARARGS => n,
        BUILD_MAP => 2 * n,
        BUILD_CONST_KEY_MAP => n + 1,
        LIST_APPEND | SET_ADD | LIST_EXTEND | SET_UPDATE | DICT_UPDATE | DICT_MERGE => n + 1,
        MAP_ADD => n + 2,
        CALL => n + 2,
        CALL_FUNCTION_EX => 3 + (n & 1),
        MAKE_FUNCTION => 1 + (n & 0xf).count_ones() as u64,
        FORMAT_VALUE => 1 + (n >> 2 & 1),
        PUSH_EXC_INFO | POP_EXCEPT | BEFORE_WITH | GET_YIELD_FROM_ITER => 1,
        SEND => 2,
        CHECK_EXC_MATCH => 2,
        EXIT_INIT_CHECK => 1, // --- iterfast ---
        // The exception, and the `lasti` n items below it.
        RERAISE => n + 1,
        WITH_EXCEPT_START => 4,
        // --- quicken --- (rejected in files by `operands`; as their generic forms)
        LOAD_GLOBAL_MODULE | LOAD_GLOBAL_BUILTIN => 0,
        LOAD_METHOD_BUILTIN => 1,
        BINARY_OP_ADD_INT | BINARY_OP_SUB_INT | BINARY_OP_ADD_FLOAT | BINARY_OP_SUB_FLOAT
        | BINARY_OP_MUL_FLOAT | COMPARE_OP_INT | COMPARE_OP_FLOAT => 2,
        BINARY_OP_MUL_INT | BINARY_OP_MOD_INT => 2, // --- strs ---
        CALL_PY_EXACT_ARGS => n + 2,
    }
}

/// Verify a module's code object tree (what a cache file holds).
pub fn verify_module(code: &CodeObject) -> Result<(), VerifyError> {
    let fail = |msg: String| VerifyError {
        qualname: code.qualname.to_string(),
        pc: None,
        msg,
    };
    if !code.freevars.is_empty() {
        return Err(fail("module code has free variables".into()));
    }
    if code.flags.has(CodeFlags::GENERATOR) {
        return Err(fail("module code is a generator".into()));
    }
    verify_tree(code, 0)
}

/// Verify `code` and every code object nested in its constants.
pub fn verify_tree(code: &CodeObject, depth: u32) -> Result<(), VerifyError> {
    tree(code, depth, &mut Scratch::new())
}

fn tree(code: &CodeObject, depth: u32, scratch: &mut Scratch) -> Result<(), VerifyError> {
    if depth > MAX_DEPTH {
        return Err(VerifyError {
            qualname: code.qualname.to_string(),
            pc: None,
            msg: format!("code objects nested deeper than {MAX_DEPTH} levels"),
        });
    }
    Checker { co: code }.run(scratch)?;
    for c in &code.consts {
        verify_constant(c, depth + 1, scratch)?;
    }
    Ok(())
}

fn verify_constant(c: &Constant, depth: u32, scratch: &mut Scratch) -> Result<(), VerifyError> {
    match c {
        Constant::Code(co) => tree(co, depth, scratch),
        Constant::Tuple(items) | Constant::FrozenSet(items) => items
            .iter()
            .try_for_each(|i| verify_constant(i, depth + 1, scratch)),
        _ => Ok(()),
    }
}

struct Checker<'a> {
    co: &'a CodeObject,
}

impl Checker<'_> {
    fn err(&self, pc: Option<usize>, msg: String) -> VerifyError {
        VerifyError {
            qualname: self.co.qualname.to_string(),
            pc,
            msg,
        }
    }

    fn run(&self, scratch: &mut Scratch) -> Result<(), VerifyError> {
        // Exhaustive on purpose: a new field must be considered here before this compiles.
        let CodeObject {
            name: _,
            qualname: _,
            filename: _,
            first_line: _,
            argcount,
            posonlyargcount,
            kwonlyargcount,
            flags,
            code,
            positions,
            consts: _,
            names: _,
            varnames,
            cellvars: _,
            freevars: _,
            max_stack: _,
            exception_table,
        } = self.co;
        if code.is_empty() {
            return Err(self.err(None, "empty code".into()));
        }
        if posonlyargcount > argcount {
            return Err(self.err(None, "more positional-only arguments than arguments".into()));
        }
        let total_args = *argcount as u64
            + *kwonlyargcount as u64
            + flags.has(CodeFlags::VARARGS) as u64
            + flags.has(CodeFlags::VARKEYWORDS) as u64;
        if total_args > varnames.len() as u64 {
            return Err(self.err(
                None,
                format!(
                    "{total_args} arguments but {} local variables",
                    varnames.len()
                ),
            ));
        }
        self.line_table(positions)?;
        let prologue = self.prologue()?;
        self.operands(
            prologue,
            &scratch.kinds,
            &scratch.classes,
            &mut scratch.targets,
            &mut scratch.calls,
        )?;
        self.exception_table(exception_table, prologue)?;
        self.conventions(&scratch.targets, &scratch.calls)?;
        self.stack_depths(scratch)
    }

    fn line_table(&self, positions: &[Position]) -> Result<(), VerifyError> {
        if positions.len() != self.co.code.len() {
            return Err(self.err(
                None,
                format!(
                    "{} positions for {} instructions",
                    positions.len(),
                    self.co.code.len()
                ),
            ));
        }
        for (pc, p) in positions.iter().enumerate() {
            if p.line != 0 && p.end_line < p.line {
                return Err(self.err(
                    Some(pc),
                    format!(
                        "position ends on line {} before it starts on line {}",
                        p.end_line, p.line
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Check the prologue codegen emits (`COPY_FREE_VARS nfree`, `MAKE_CELL i` for each cell in
    /// order, `RETURN_GENERATOR` for generators) and return its length. Deref handlers rely on
    /// it: after it, every cell/free slot holds a cell.
    fn prologue(&self) -> Result<usize, VerifyError> {
        let co = self.co;
        // At most 1 + ncells + 1 expected instructions, generated on the fly (no allocation).
        let free =
            (!co.freevars.is_empty()).then_some((Opcode::COPY_FREE_VARS, co.freevars.len() as u64));
        let cells = (0..co.cellvars.len()).map(|i| (Opcode::MAKE_CELL, i as u64));
        let generator = co
            .flags
            .has(CodeFlags::GENERATOR)
            .then_some((Opcode::RETURN_GENERATOR, 0));
        let mut len = 0;
        for (pc, (op, arg)) in free.into_iter().chain(cells).chain(generator).enumerate() {
            match co.code.get(pc) {
                Some(ins) if ins.op() == op && ins.arg() as u64 == arg => {}
                _ => {
                    return Err(self.err(Some(pc), format!("prologue expects {} {arg}", op.name())))
                }
            }
            len = pc + 1;
        }
        Ok(len)
    }

    /// Operand ranges of every instruction (reachable or not); returns the set of jump targets.
    /// Also lists (in `calls`) the instructions [`Self::conventions`] must look at, so that it
    /// need not walk the whole code again.
    fn operands(
        &self,
        prologue: usize,
        kinds: &[OperandKind; 256],
        classes: &[u8; 256],
        targets: &mut Vec<bool>,
        calls: &mut Vec<usize>,
    ) -> Result<(), VerifyError> {
        let co = self.co;
        let n = co.code.len();
        let nderef = co.cellvars.len() + co.freevars.len();
        targets.clear();
        targets.resize(n, false);
        calls.clear();
        // Indexed by `Scratch::classes`: the operand bound of the simple operand kinds.
        let limits: [u64; 9] = [
            1,
            co.consts.len() as u64,
            co.varnames.len() as u64,
            co.names.len() as u64,
            nderef as u64,
            2,
            0x10,
            8,
            u64::MAX,
        ];
        for (pc, ins) in co.code.iter().enumerate() {
            let (op, arg) = (ins.op(), ins.arg());
            // --- iterfast --- the VM's own instantiation shim, never in compiled code.
            if op == Opcode::EXIT_INIT_CHECK {
                return Err(self.err(Some(pc), "EXIT_INIT_CHECK: internal to the VM".into()));
            }
            // Fast path: an operand below its bound is all there is to check for most
            // instructions; the rest (and every failure, for its message) go through the match.
            if let Some(&limit) = limits.get(classes[op as usize] as usize) {
                if (arg as u64) < limit {
                    continue;
                }
            }
            if matches!(op, Opcode::KW_NAMES | Opcode::MAKE_FUNCTION) {
                calls.push(pc);
            }
            let i = arg as usize;
            let bad =
                |what: String| Err(self.err(Some(pc), format!("{} {arg}: {what}", op.name())));
            let out_of = |len: usize, what: &str| bad(format!("index out of range ({len} {what})"));
            // --- quicken --- the VM's in-place forms never come from the compiler.
            if op.is_specialized() {
                return bad("specialized instruction (the VM makes these, never a file)".into());
            }
            match kinds[op as usize] {
                OperandKind::None if arg != 0 => return bad("operand must be 0".into()),
                OperandKind::None => {}
                OperandKind::Const if i >= co.consts.len() => {
                    return out_of(co.consts.len(), "constants")
                }
                OperandKind::Local if i >= co.varnames.len() => {
                    return out_of(co.varnames.len(), "locals")
                }
                OperandKind::Name if i >= co.names.len() => return out_of(co.names.len(), "names"),
                OperandKind::Deref if i >= nderef => {
                    return out_of(nderef, "cell and free variables")
                }
                OperandKind::Const
                | OperandKind::Local
                | OperandKind::Name
                | OperandKind::Deref => {}
                OperandKind::Jump => {
                    if i >= n {
                        return bad(format!("jump outside the code ({n} instructions)"));
                    }
                    let backward = i <= pc;
                    if backward != (op == Opcode::JUMP_BACKWARD) {
                        return bad("jump in the wrong direction".into());
                    }
                    targets[i] = true;
                }
                OperandKind::Count => {
                    let ok = match op {
                        Opcode::COPY => arg >= 1,
                        Opcode::SWAP => arg >= 2,
                        Opcode::BUILD_SLICE => arg == 2 || arg == 3,
                        Opcode::RAISE_VARARGS => arg <= 2,
                        Opcode::LIST_APPEND
                        | Opcode::SET_ADD
                        | Opcode::MAP_ADD
                        | Opcode::LIST_EXTEND
                        | Opcode::SET_UPDATE
                        | Opcode::DICT_UPDATE
                        | Opcode::DICT_MERGE => arg >= 1,
                        Opcode::COPY_FREE_VARS => arg as usize == co.freevars.len(),
                        _ => true,
                    };
                    if !ok {
                        return bad("count out of range".into());
                    }
                }
                OperandKind::BinOp if BinaryOp::from_u32(arg).is_none() => {
                    return bad("not a binary operator".into())
                }
                OperandKind::CmpOp if CompareOp::from_u32(arg).is_none() => {
                    return bad("not a comparison".into())
                }
                OperandKind::BinOp | OperandKind::CmpOp => {}
                OperandKind::Invert | OperandKind::Flags if arg > 1 => {
                    return bad("flag out of range".into())
                }
                OperandKind::FunctionFlags if arg > 0xf => return bad("unknown flags".into()),
                OperandKind::FormatFlags if arg > 7 => return bad("unknown flags".into()),
                OperandKind::Invert
                | OperandKind::Flags
                | OperandKind::FunctionFlags
                | OperandKind::FormatFlags
                | OperandKind::UnpackEx => {}
            }
            let prologue_only = matches!(
                op,
                Opcode::COPY_FREE_VARS | Opcode::MAKE_CELL | Opcode::RETURN_GENERATOR
            );
            if prologue_only && pc >= prologue {
                return bad("only allowed in the prologue".into());
            }
            if op == Opcode::YIELD_VALUE && !co.flags.has(CodeFlags::GENERATOR) {
                return bad("yield outside a generator".into());
            }
        }
        if let Some(t) = targets.iter().take(prologue).position(|t| *t) {
            return Err(self.err(Some(t), "jump into the prologue".into()));
        }
        for e in &co.exception_table {
            if let Some(t) = targets.get_mut(e.target as usize) {
                *t = true;
            }
        }
        Ok(())
    }

    fn exception_table(
        &self,
        table: &[ExceptionTableEntry],
        prologue: usize,
    ) -> Result<(), VerifyError> {
        let n = self.co.code.len() as u64;
        for (k, e) in table.iter().enumerate() {
            let ExceptionTableEntry {
                start,
                end,
                target,
                depth,
                push_lasti,
            } = *e;
            let ok = start < end
                && end as u64 <= n
                && (target as u64) < n
                && target as usize >= prologue
                && (depth as u64 + push_lasti as u64) < self.co.max_stack as u64;
            if !ok {
                return Err(self.err(
                    None,
                    format!(
                        "exception table entry {k} ({start}..{end} -> {target}, depth {depth}) out of range"
                    ),
                ));
            }
        }
        Ok(())
    }

    /// `KW_NAMES` / `CALL` pairing and the `MAKE_FUNCTION` operand sequence.
    /// `calls`: the `KW_NAMES` and `MAKE_FUNCTION` instructions, in order (from `operands`).
    fn conventions(&self, targets: &[bool], calls: &[usize]) -> Result<(), VerifyError> {
        let co = self.co;
        let code = &co.code;
        for &pc in calls {
            let ins = &code[pc];
            let bad = |msg: &str| Err(self.err(Some(pc), format!("{}: {msg}", ins.op().name())));
            match ins.op() {
                Opcode::KW_NAMES => {
                    let Constant::Tuple(names) = &co.consts[ins.arg() as usize] else {
                        return bad("keyword names are not a tuple");
                    };
                    if !names.iter().all(|n| matches!(n, Constant::Str(_))) {
                        return bad("keyword names are not all str");
                    }
                    match code.get(pc + 1) {
                        Some(c) if c.op() == Opcode::CALL && c.arg() as usize >= names.len() => {}
                        _ => return bad("not followed by a CALL with as many arguments"),
                    }
                }
                Opcode::MAKE_FUNCTION => {
                    // The handler pops a code object: it must come from the LOAD_CONST just
                    // before, with no jump landing in between.
                    let inner = match pc.checked_sub(1).map(|p| code[p]) {
                        Some(l) if l.op() == Opcode::LOAD_CONST && !targets[pc] => {
                            match &co.consts[l.arg() as usize] {
                                Constant::Code(c) => c,
                                _ => return bad("not fed a code object"),
                            }
                        }
                        _ => return bad("not preceded by LOAD_CONST of a code object"),
                    };
                    let nfree = inner.freevars.len();
                    let has_closure = ins.arg() & 8 != 0;
                    if has_closure != (nfree > 0) {
                        return bad("closure flag disagrees with the code's free variables");
                    }
                    if has_closure {
                        // LOAD_CLOSURE * nfree; BUILD_TUPLE nfree; LOAD_CONST code; MAKE_FUNCTION
                        let Some(first) = pc.checked_sub(2 + nfree) else {
                            return bad("closure tuple is not built from LOAD_CLOSURE");
                        };
                        let tuple = code[pc - 2];
                        let ok = tuple.op() == Opcode::BUILD_TUPLE
                            && tuple.arg() as usize == nfree
                            && code[first..pc - 2]
                                .iter()
                                .all(|c| c.op() == Opcode::LOAD_CLOSURE)
                            && !targets[first + 1..=pc].iter().any(|t| *t);
                        if !ok {
                            return bad("closure tuple is not built from LOAD_CLOSURE");
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Abstract interpretation of the stack depth along every path: straight-line runs are
    /// followed in place, only branch targets go through the work list.
    fn stack_depths(&self, scratch: &mut Scratch) -> Result<(), VerifyError> {
        let co = self.co;
        let n = co.code.len();
        let declared = co.max_stack as i64;
        let depth = &mut scratch.depth;
        depth.clear();
        depth.resize(n, -1);
        let work = &mut scratch.work;
        work.clear();
        let scratch_flow = &scratch.flow;
        let memo = &mut scratch.memo;
        // Which handler covers each instruction, looked up once per code object rather than
        // searched per instruction visited: entries are filled last to first so that, where
        // they overlap, the first entry wins (as a search from the front would find).
        let table = &co.exception_table;
        let handler = &mut scratch.handler;
        handler.clear();
        if !table.is_empty() {
            handler.resize(n, NO_HANDLER);
            for (k, e) in table.iter().enumerate().rev() {
                // In range: `exception_table` checked start < end <= n.
                handler[e.start as usize..e.end as usize].fill(k as u32);
            }
        }
        let mut max = 0i64;
        // Record depth `d` on entry to `pc`; queue `pc` the first time it is reached.
        let merge = |depth: &mut Vec<i64>,
                     work: &mut Vec<usize>,
                     pc: usize,
                     d: i64,
                     max: &mut i64|
         -> Result<(), VerifyError> {
            if d > declared {
                return Err(self.err(
                    Some(pc),
                    format!("stack depth {d} exceeds the declared maximum {declared}"),
                ));
            }
            *max = (*max).max(d);
            match depth[pc] {
                -1 => {
                    depth[pc] = d;
                    work.push(pc);
                    Ok(())
                }
                old if old == d => Ok(()),
                old => Err(self.err(
                    Some(pc),
                    format!("inconsistent stack depth: {old} on one path, {d} on another"),
                )),
            }
        };
        merge(depth, work, 0, 0, &mut max)?;
        while let Some(start) = work.pop() {
            let mut pc = start;
            loop {
                let d = depth[pc];
                let ins = co.code[pc];
                let (op, arg) = (ins.op(), ins.arg());
                // Most instruction words recur (`LOAD_FAST 0`, `CALL 1`, ...): their inputs and
                // fall-through effect come from a small direct-mapped memo of the pure
                // functions `stack_inputs` and `stack_effect`.
                let slot = &mut memo[(ins.raw().wrapping_mul(0x9E37_79B1) >> MEMO_SHIFT) as usize];
                let (inputs, effect) = if slot.word == ins.raw() {
                    (slot.inputs, slot.effect)
                } else {
                    let e = (stack_inputs(op, arg) as i64, op.stack_effect(arg, false));
                    *slot = Effect {
                        word: ins.raw(),
                        inputs: e.0,
                        effect: e.1,
                    };
                    e
                };
                if inputs > d {
                    return Err(self.err(
                        Some(pc),
                        format!(
                            "{} {arg} reads {inputs} stack items but the stack holds {d}",
                            op.name()
                        ),
                    ));
                }
                if let Some(&k) = handler.get(pc).filter(|k| **k != NO_HANDLER) {
                    let e = &table[k as usize];
                    if (e.depth as i64) > d {
                        return Err(self.err(
                            Some(pc),
                            format!(
                                "exception handler depth {} above the stack depth {d}",
                                e.depth
                            ),
                        ));
                    }
                    let hd = e.depth as i64 + e.push_lasti as i64 + 1;
                    merge(depth, work, e.target as usize, hd, &mut max)?;
                }
                let fall = d + effect as i64;
                if fall < 0 {
                    return Err(self.err(Some(pc), "stack underflow".into()));
                }
                let flow = scratch_flow[op as usize];
                if flow & JUMPS != 0 {
                    let taken = d + op.stack_effect(arg, true) as i64;
                    if taken < 0 {
                        return Err(self.err(Some(pc), "stack underflow on the jump".into()));
                    }
                    merge(depth, work, arg as usize, taken, &mut max)?;
                }
                if flow & ENDS != 0 {
                    break;
                }
                let next = pc + 1;
                if next >= n {
                    return Err(
                        self.err(Some(pc), "execution falls off the end of the code".into())
                    );
                }
                if depth[next] == -1 {
                    // Follow the fall-through in place (not through the work list).
                    if fall > declared {
                        return Err(self.err(
                            Some(next),
                            format!("stack depth {fall} exceeds the declared maximum {declared}"),
                        ));
                    }
                    max = max.max(fall);
                    depth[next] = fall;
                    pc = next;
                } else {
                    merge(depth, work, next, fall, &mut max)?;
                    break;
                }
            }
        }
        // A declared maximum far above the real one would make the VM reserve a huge frame.
        if declared > 2 * max + 16 {
            return Err(self.err(
                None,
                format!("declared max_stack {declared} far exceeds the computed depth {max}"),
            ));
        }
        Ok(())
    }
}

/// Buffers reused across the code objects of a tree (loading allocates enough already).
struct Scratch {
    /// Per opcode byte: `JUMPS` / `ENDS` bits, looked up once per tree instead of per
    /// instruction visited.
    flow: [u8; 256],
    /// Per opcode byte: [`Opcode::operand_kind`] (bytes that are no opcode never occur).
    kinds: [OperandKind; 256],
    /// Per opcode byte: index into `operands`' `limits` when its whole operand check is
    /// `arg < limit`, else `CHECK_ALL`.
    classes: [u8; 256],
    /// `stack_depths`' memo of per-word stack inputs and effects, `MEMO_SIZE` entries.
    memo: Vec<Effect>,
    depth: Vec<i64>,
    work: Vec<usize>,
    /// Per instruction: is it a jump or exception-handler target.
    targets: Vec<bool>,
    /// Where the `KW_NAMES` and `MAKE_FUNCTION` instructions are.
    calls: Vec<usize>,
    /// Per instruction: index of the first exception-table entry covering it, or `NO_HANDLER`.
    handler: Vec<u32>,
}

const NO_HANDLER: u32 = u32::MAX;
/// `flow` bits: the operand is a jump target ([`Opcode::is_jump`]); control never falls
/// through ([`Opcode::is_terminator`]).
const JUMPS: u8 = 1;
/// Memo entry: `stack_inputs` and the fall-through `stack_effect` of instruction `word`.
#[derive(Clone, Copy)]
struct Effect {
    word: u32,
    inputs: i64,
    effect: i32,
}

/// The memo has `2^(32 - MEMO_SHIFT)` entries (indexed by the top bits of a word's hash).
const MEMO_SHIFT: u32 = 23;
/// No instruction word: its opcode byte 0xff is no opcode (there are far fewer).
const NO_WORD: u32 = u32::MAX;
const _: () = assert!(
    Opcode::COUNT < 0xff,
    "NO_WORD must not be a valid instruction"
);

/// `classes` entry of an opcode whose operand goes through every rule of `operands`.
const CHECK_ALL: u8 = u8::MAX;
const ENDS: u8 = 2;

impl Scratch {
    fn new() -> Scratch {
        let mut flow = [0u8; 256];
        let mut kinds = [OperandKind::None; 256];
        let mut classes = [CHECK_ALL; 256];
        for op in Opcode::ALL {
            kinds[*op as usize] = op.operand_kind();
            // Exhaustive on purpose: a new operand kind must say how it is checked.
            let class = match op.operand_kind() {
                OperandKind::None => 0,
                OperandKind::Const => 1,
                OperandKind::Local => 2,
                OperandKind::Name => 3,
                OperandKind::Deref => 4,
                OperandKind::Invert | OperandKind::Flags => 5,
                OperandKind::FunctionFlags => 6,
                OperandKind::FormatFlags => 7,
                OperandKind::UnpackEx => 8,
                OperandKind::Jump
                | OperandKind::Count
                | OperandKind::BinOp
                | OperandKind::CmpOp => CHECK_ALL,
            };
            // Opcodes with rules beyond their operand's range (see `operands`).
            let special = matches!(
                op,
                Opcode::COPY_FREE_VARS
                    | Opcode::MAKE_CELL
                    | Opcode::RETURN_GENERATOR
                    | Opcode::YIELD_VALUE
                    | Opcode::KW_NAMES
                    | Opcode::MAKE_FUNCTION
            ) || op.is_specialized(); // --- quicken ---
            classes[*op as usize] = if special { CHECK_ALL } else { class };
            flow[*op as usize] = (op.is_jump() as u8 * JUMPS) | (op.is_terminator() as u8 * ENDS);
        }
        Scratch {
            flow,
            kinds,
            classes,
            memo: vec![
                Effect {
                    word: NO_WORD,
                    inputs: 0,
                    effect: 0,
                };
                1 << (32 - MEMO_SHIFT)
            ],
            depth: Vec::new(),
            work: Vec::new(),
            targets: Vec::new(),
            calls: Vec::new(),
            handler: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bytecode::Instr;
    use std::sync::Arc;

    #[test]
    fn inputs_cover_at_least_what_the_net_effect_pops() {
        for op in Opcode::ALL {
            for arg in [0u32, 1, 2, 3, 5, 8, 15, 0x0102] {
                for jump in [false, true] {
                    let pops = -(op.stack_effect(arg, jump) as i64);
                    assert!(
                        stack_inputs(*op, arg) as i64 >= pops,
                        "{} {arg}: inputs {} < net pops {pops}",
                        op.name(),
                        stack_inputs(*op, arg)
                    );
                }
            }
        }
    }

    fn module(code: Vec<Instr>, consts: Vec<Constant>, max_stack: u32) -> CodeObject {
        let mut co = CodeObject::new("<module>", "<module>", Arc::from("x.py"), 1);
        co.positions = vec![Position::line(1); code.len()];
        co.code = code;
        co.consts = consts;
        co.max_stack = max_stack;
        co
    }

    // --- quicken ---
    #[test]
    fn rejects_every_specialized_opcode() {
        for op in Opcode::ALL.iter().filter(|op| op.is_specialized()) {
            let g = op.generic();
            // A valid module using the generic form, then the same with the specialized one.
            let (code, consts, names) = match g {
                Opcode::LOAD_GLOBAL | Opcode::LOAD_METHOD => (
                    vec![
                        Instr::new(Opcode::LOAD_CONST, 0),
                        Instr::new(*op, 0),
                        Instr::new(Opcode::RETURN_VALUE, 0),
                    ],
                    vec![Constant::None],
                    vec!["x".into()],
                ),
                _ => (
                    vec![
                        Instr::new(Opcode::PUSH_NULL, 0),
                        Instr::new(Opcode::LOAD_CONST, 0),
                        Instr::new(Opcode::LOAD_CONST, 0),
                        Instr::new(*op, 0),
                        Instr::new(Opcode::RETURN_VALUE, 0),
                    ],
                    vec![Constant::Int(1)],
                    vec![],
                ),
            };
            let mut m = module(code.clone(), consts.clone(), 4);
            m.names = names.clone();
            let mut generic = module(
                code.iter().map(|i| i.with_op(i.op().generic())).collect(),
                consts,
                4,
            );
            generic.names = names;
            verify_module(&generic).unwrap();
            let e = verify_module(&m).unwrap_err();
            assert!(e.msg.contains("specialized"), "{}: {e}", op.name());
        }
    }

    #[test]
    fn accepts_a_plain_module_and_rejects_each_kind_of_damage() {
        use Opcode::*;
        let good = module(
            vec![Instr::new(LOAD_CONST, 0), Instr::new(RETURN_VALUE, 0)],
            vec![Constant::None],
            1,
        );
        verify_module(&good).unwrap();
        let cases: Vec<(Vec<Instr>, u32, &str)> = vec![
            (
                vec![Instr::new(LOAD_CONST, 1), Instr::new(RETURN_VALUE, 0)],
                1,
                "out of range",
            ),
            (vec![Instr::new(RETURN_VALUE, 0)], 1, "reads 1"),
            (vec![Instr::new(LOAD_CONST, 0)], 1, "falls off"),
            (vec![Instr::new(JUMP_FORWARD, 5)], 1, "outside"),
            (
                vec![Instr::new(LOAD_CONST, 0), Instr::new(RETURN_VALUE, 0)],
                0,
                "exceeds",
            ),
            (
                vec![
                    Instr::new(LOAD_CONST, 0),
                    Instr::new(SWAP, 3),
                    Instr::new(RETURN_VALUE, 0),
                ],
                1,
                "reads 3",
            ),
            (
                vec![
                    Instr::new(LOAD_CONST, 0),
                    Instr::new(POP_JUMP_IF_TRUE, 3),
                    Instr::new(LOAD_CONST, 0),
                    Instr::new(LOAD_CONST, 0),
                    Instr::new(RETURN_VALUE, 0),
                ],
                2,
                "inconsistent",
            ),
            (
                vec![Instr::new(BINARY_OP, 99), Instr::new(RETURN_CONST, 0)],
                1,
                "not a binary",
            ),
            (
                vec![Instr::new(LOAD_CONST, 0), Instr::new(RETURN_VALUE, 0)],
                100,
                "far exceeds",
            ),
        ];
        for (code, max, want) in cases {
            let co = module(code.clone(), vec![Constant::None], max);
            let e = verify_module(&co).unwrap_err().to_string();
            assert!(e.contains(want), "{code:?}: {e}");
        }
    }
}
