//! One code object under construction: the instruction list with symbolic jump labels, the
//! constant/name/local pools, and assembly into a [`CodeObject`].
//!
//! Assembly does what CPython's flow-graph optimizer does that matters for our fixed-width
//! format: unreachable instructions are never emitted (emission stops after a terminator until
//! the next label), jumps to unconditional jumps are threaded, a jump to a return becomes that
//! return, jumps to the next instruction disappear, and labels become absolute instruction
//! indices. `max_stack` comes from the opcode table's stack effects
//! ([`CodeObject::compute_max_stack`]), so it is exact by construction.

use std::sync::Arc;

use crate::bytecode::{
    CodeFlags, CodeObject, Constant, ExceptionTableEntry, Instr, Opcode, Position, MAX_OPERAND,
};
use crate::error::SyntaxError;
use crate::symtable::{self, ScopeTable};

/// A jump target, resolved at assembly.
pub type Label = u32;

#[derive(Clone, Copy)]
pub struct Loop {
    /// Where `continue` goes (the loop head, already bound).
    pub cont: Label,
    /// Where `break` goes.
    pub brk: Label,
    /// A `for` loop keeps its iterator on the stack; `break` pops it.
    pub is_for: bool,
}

#[derive(Clone, Copy)]
struct Ins {
    op: Opcode,
    /// The operand, or the label for jumps.
    arg: u32,
    pos: Position,
    /// The handler protecting this instruction (index into `Unit::handlers`) or `NO_HANDLER`.
    eh: u32,
}

// --- exceptions ---

const NO_HANDLER: u32 = u32::MAX;

/// An exception handler: where unwinding jumps and the value-stack depth it expects below the
/// exception (and the `lasti` when `push_lasti`).
#[derive(Clone, Copy)]
struct Handler {
    label: Label,
    depth: u32,
    push_lasti: bool,
}

/// What a `break`, `continue` or `return` leaving a block must undo on its way out (CPython's
/// `fblockinfo`). Exception ranges need no code to leave: only finally bodies, saved
/// exceptions, context managers, iterators and preserved values do.
#[derive(Clone)]
pub enum FBlockKind {
    Loop(Loop),
    /// A `try` body with `except` handlers.
    TryExcept,
    /// A `try` body with a `finally`, whose body is compiled again on each exit path. The
    /// pointer is only dereferenced while the `try` statement that pushed it is being compiled
    /// (the block is popped before that borrow ends).
    FinallyTry(*const [crate::ast::Stmt<'static>]),
    /// The exception path of a `finally` body: `prev_exc, exc` on the stack.
    FinallyEnd,
    /// A `with` body: the bound `__exit__` on the stack.
    With,
    /// An `except` body: the saved exception on the stack, and the `as` name to unbind.
    HandlerCleanup(Option<Box<str>>),
    /// A value kept on the stack while a finally body runs (`return x` through a `finally`).
    PopValue,
}

#[derive(Clone)]
pub struct FBlock {
    pub kind: FBlockKind,
    /// `Unit::depth` outside the block.
    pub depth: u32,
    /// `Unit::eh` length outside the block: code that leaves the block runs under those handlers.
    pub eh_len: usize,
}

const UNBOUND: u32 = u32::MAX;

pub struct Unit {
    pub scope: usize,
    pub name: String,
    pub qualname: String,
    pub filename: Arc<str>,
    pub first_line: u32,
    pub argcount: u32,
    pub posonlyargcount: u32,
    pub kwonlyargcount: u32,
    pub flags: u32,
    pub varnames: Vec<String>,
    pub cellvars: Vec<String>,
    pub freevars: Vec<String>,
    /// Enclosing loops and exception blocks, innermost last.
    pub fblocks: Vec<FBlock>,
    /// Value-stack depth at statement level: what enclosing constructs keep on the stack
    /// (for-loop iterators, saved exceptions, `__exit__`s, preserved return values).
    pub depth: u32,
    /// Active handlers, innermost last (indices into `handlers`); the last protects what is
    /// emitted.
    pub eh: Vec<u32>,
    handlers: Vec<Handler>,
    /// Position given to the next emitted instructions.
    pub pos: Position,
    code: Vec<Ins>,
    labels: Vec<u32>,
    consts: Vec<Constant>,
    names: Vec<String>,
    /// True after a terminator until the next label: emission is skipped (dead code).
    dead: bool,
}

impl Unit {
    pub fn new(scope: usize, name: &str, qualname: &str, filename: Arc<str>, line: u32) -> Unit {
        Unit {
            scope,
            name: name.into(),
            qualname: qualname.into(),
            filename,
            first_line: line,
            argcount: 0,
            posonlyargcount: 0,
            kwonlyargcount: 0,
            flags: 0,
            varnames: Vec::new(),
            cellvars: Vec::new(),
            freevars: Vec::new(),
            fblocks: Vec::new(),
            depth: 0,
            eh: Vec::new(),
            handlers: Vec::new(),
            pos: Position::line(line),
            code: Vec::new(),
            labels: Vec::new(),
            consts: Vec::new(),
            names: Vec::new(),
            dead: false,
        }
    }

    pub fn emit(&mut self, op: Opcode, arg: u32) {
        if self.dead {
            return;
        }
        self.code.push(Ins {
            op,
            arg,
            pos: self.pos,
            eh: self.eh.last().copied().unwrap_or(NO_HANDLER),
        });
        if op.is_terminator() {
            self.dead = true;
        }
    }

    /// Give the next instructions the position of the last one emitted (for artificial
    /// instructions such as loop back-edges).
    pub fn inherit_pos(&mut self) {
        if let Some(last) = self.code.last() {
            self.pos = last.pos;
        }
    }

    /// Protect what is emitted next with a handler at `label` expecting `depth` stack items.
    pub fn push_handler(&mut self, label: Label, depth: u32, push_lasti: bool) {
        self.handlers.push(Handler {
            label,
            depth,
            push_lasti,
        });
        self.eh.push(self.handlers.len() as u32 - 1);
    }

    pub fn pop_handler(&mut self) {
        self.eh.pop();
    }

    pub fn new_label(&mut self) -> Label {
        self.labels.push(UNBOUND);
        self.labels.len() as u32 - 1
    }

    pub fn bind(&mut self, l: Label) {
        self.labels[l as usize] = self.code.len() as u32;
        self.dead = false;
    }

    /// Emit a jump-kind instruction to label `l`.
    pub fn jump_to(&mut self, op: Opcode, l: Label) {
        self.emit(op, l);
    }

    /// Unconditional jump: backward if `l` is already bound, else forward.
    pub fn jump(&mut self, l: Label) {
        let op = if self.labels[l as usize] != UNBOUND {
            Opcode::JUMP_BACKWARD
        } else {
            Opcode::JUMP_FORWARD
        };
        self.emit(op, l);
    }

    pub fn add_const(&mut self, c: Constant) -> u32 {
        // Same value and same type (1 and 1.0 and True stay distinct, -0.0 and 0.0 too).
        let same = |a: &Constant, b: &Constant| match (a, b) {
            (Constant::Float(x), Constant::Float(y)) => x.to_bits() == y.to_bits(),
            (Constant::Code(x), Constant::Code(y)) => Arc::ptr_eq(x, y),
            _ => a == b && !has_float(a),
        };
        if let Some(i) = self.consts.iter().position(|x| same(x, &c)) {
            return i as u32;
        }
        self.consts.push(c);
        self.consts.len() as u32 - 1
    }

    pub fn add_name(&mut self, n: &str) -> u32 {
        if let Some(i) = self.names.iter().position(|x| x == n) {
            return i as u32;
        }
        self.names.push(n.into());
        self.names.len() as u32 - 1
    }

    pub fn local_index(&mut self, n: &str) -> u32 {
        if let Some(i) = self.varnames.iter().position(|x| x == n) {
            return i as u32;
        }
        self.varnames.push(n.into());
        self.varnames.len() as u32 - 1
    }

    /// Index of a cell or free variable in `cellvars ++ freevars`.
    pub fn deref_index(&mut self, n: &str) -> u32 {
        if let Some(i) = self.cellvars.iter().position(|x| x == n) {
            return i as u32;
        }
        if let Some(i) = self.freevars.iter().position(|x| x == n) {
            return (self.cellvars.len() + i) as u32;
        }
        // The symbol table guarantees every deref name is listed; be defensive anyway.
        self.freevars.push(n.into());
        (self.cellvars.len() + self.freevars.len() - 1) as u32
    }

    /// Assemble into a code object.
    pub fn finish(
        mut self,
        scope: &ScopeTable,
        source: &str,
    ) -> Result<Arc<CodeObject>, SyntaxError> {
        let _ = scope;
        self.optimize();
        let mut co = CodeObject::new(
            &self.name,
            &self.qualname,
            self.filename.clone(),
            self.first_line,
        );
        co.argcount = self.argcount;
        co.posonlyargcount = self.posonlyargcount;
        co.kwonlyargcount = self.kwonlyargcount;
        let mut flags = self.flags;
        if !self.freevars.is_empty() {
            flags |= CodeFlags::NESTED;
        }
        co.flags = CodeFlags(flags);
        let too_big = |what: &str| {
            symtable::error_at(
                source,
                format!("too many {what} in one code object"),
                crate::ast::Span::new(self.first_line, 0, self.first_line, 0),
            )
        };
        for ins in &self.code {
            let arg = if ins.op.is_jump() {
                self.labels[ins.arg as usize]
            } else {
                ins.arg
            };
            if arg > MAX_OPERAND {
                return Err(too_big("instructions or constants"));
            }
            co.code.push(Instr::new(ins.op, arg));
            co.positions.push(ins.pos);
        }
        co.exception_table = self.exception_table();
        co.consts = self.consts;
        co.names = self.names.into_iter().map(Into::into).collect();
        co.varnames = self.varnames.into_iter().map(Into::into).collect();
        co.cellvars = self.cellvars.into_iter().map(Into::into).collect();
        co.freevars = self.freevars.into_iter().map(Into::into).collect();
        co.max_stack = co.compute_max_stack().ok_or_else(|| {
            symtable::error_at(
                source,
                format!(
                    "internal compiler error: inconsistent stack depth in {}",
                    co.qualname
                ),
                crate::ast::Span::new(co.first_line, 0, co.first_line, 0),
            )
        })?;
        Ok(Arc::new(co))
    }

    /// One row per run of instructions sharing a handler (labels resolved).
    fn exception_table(&self) -> Vec<ExceptionTableEntry> {
        let mut rows: Vec<ExceptionTableEntry> = Vec::new();
        for (i, ins) in self.code.iter().enumerate() {
            if ins.eh == NO_HANDLER {
                continue;
            }
            let h = self.handlers[ins.eh as usize];
            let row = ExceptionTableEntry {
                start: i as u32,
                end: i as u32 + 1,
                target: self.labels[h.label as usize],
                depth: h.depth,
                push_lasti: h.push_lasti,
            };
            match rows.last_mut() {
                Some(last)
                    if last.end == row.start
                        && (last.target, last.depth, last.push_lasti)
                            == (row.target, row.depth, row.push_lasti) =>
                {
                    last.end = row.end
                }
                _ => rows.push(row),
            }
        }
        rows
    }

    fn target(&self, i: usize) -> usize {
        self.labels[self.code[i].arg as usize] as usize
    }

    /// Jump threading and removal of no-op jumps; labels are rewritten in place.
    fn optimize(&mut self) {
        use Opcode::*;
        for _ in 0..4 {
            let mut changed = false;
            for i in 0..self.code.len() {
                let op = self.code[i].op;
                if !op.is_jump() {
                    continue;
                }
                let t = self.target(i);
                let Some(tins) = self.code.get(t).copied() else {
                    continue;
                };
                match tins.op {
                    JUMP_FORWARD | JUMP_BACKWARD if t != i => {
                        let t2 = self.labels[tins.arg as usize] as usize;
                        if t2 == t {
                            continue;
                        }
                        match op {
                            JUMP_FORWARD | JUMP_BACKWARD => {
                                self.code[i].op = if t2 > i { JUMP_FORWARD } else { JUMP_BACKWARD };
                                self.code[i].arg = tins.arg;
                                changed = true;
                            }
                            POP_JUMP_IF_FALSE | POP_JUMP_IF_TRUE | POP_JUMP_IF_NONE
                            | POP_JUMP_IF_NOT_NONE
                                if t2 > i =>
                            {
                                self.code[i].arg = tins.arg;
                                changed = true;
                            }
                            _ => {}
                        }
                    }
                    RETURN_CONST | RETURN_VALUE if op == JUMP_FORWARD => {
                        self.code[i].op = tins.op;
                        self.code[i].arg = tins.arg;
                        changed = true;
                    }
                    _ => {}
                }
            }
            if !changed {
                break;
            }
        }
        // Drop jumps to the very next instruction and NOPs, remapping labels.
        let n = self.code.len();
        let mut keep: Vec<bool> = (0..n)
            .map(|i| {
                let op = self.code[i].op;
                !(op == NOP || (op == JUMP_FORWARD && self.target(i) == i + 1))
            })
            .collect();
        // Instructions no path from the entry reaches are dead: flow falls through
        // non-terminators, follows jumps, and (--- exceptions ---) enters the handler of any
        // live protected instruction.
        let mut live = vec![false; n + 1];
        let mut work = vec![0usize];
        while let Some(i) = work.pop() {
            if i >= n || live[i] {
                continue;
            }
            live[i] = true;
            let ins = self.code[i];
            if ins.op.is_jump() {
                work.push(self.target(i));
            }
            if ins.eh != NO_HANDLER {
                let h = self.handlers[ins.eh as usize];
                work.push(self.labels[h.label as usize] as usize);
            }
            if !ins.op.is_terminator() {
                work.push(i + 1);
            }
        }
        for i in 0..n {
            keep[i] &= live[i];
        }
        let mut new_index = vec![0u32; n + 1];
        let mut k = 0;
        for i in 0..n {
            new_index[i] = k;
            if keep[i] {
                k += 1;
            }
        }
        new_index[n] = k;
        for l in self.labels.iter_mut() {
            if *l != UNBOUND {
                *l = new_index[*l as usize];
            }
        }
        let mut i = 0;
        self.code.retain(|_| {
            i += 1;
            keep[i - 1]
        });
    }
}

fn has_float(c: &Constant) -> bool {
    match c {
        Constant::Float(_) | Constant::Complex { .. } => true,
        Constant::Tuple(t) | Constant::FrozenSet(t) => t.iter().any(has_float),
        _ => false,
    }
}
