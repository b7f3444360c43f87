//! Code objects: what codegen produces for a module, function, lambda or comprehension body,
//! and what the VM runs. Mirrors CPython's `PyCodeObject` minus the interpreter's scratch state.

use std::sync::Arc;

use num_bigint::BigInt;

use super::instr::Instr;

/// A compile-time constant (`co_consts` entry).
#[derive(Clone, Debug, PartialEq)]
pub enum Constant {
    None,
    Bool(bool),
    Ellipsis,
    /// An int that fits in `i64`. Codegen must use [`Constant::int`] so that the split between
    /// `Int` and `BigInt` is canonical.
    Int(i64),
    /// An int outside `i64`.
    BigInt(BigInt),
    Float(f64),
    Complex {
        re: f64,
        im: f64,
    },
    Str(Box<str>),
    Bytes(Box<[u8]>),
    Tuple(Box<[Constant]>),
    FrozenSet(Box<[Constant]>),
    /// A nested code object (function, lambda, comprehension, class body).
    Code(Arc<CodeObject>),
}

impl Constant {
    /// The canonical constant for an integer value.
    pub fn int(v: BigInt) -> Constant {
        match i64::try_from(&v) {
            Ok(i) => Constant::Int(i),
            Err(_) => Constant::BigInt(v),
        }
    }

    pub fn str(s: &str) -> Constant {
        Constant::Str(s.into())
    }
}

/// Source span of one instruction: 1-based lines, 0-based UTF-8 byte columns (as CPython's
/// `co_positions`). `line == 0` means "no location" (artificial instructions).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Position {
    pub line: u32,
    pub end_line: u32,
    pub col: u32,
    pub end_col: u32,
}

impl Position {
    pub fn line(line: u32) -> Position {
        Position {
            line,
            end_line: line,
            col: 0,
            end_col: 0,
        }
    }
}

/// One row of a CPython 3.11-style zero-cost exception table: an exception raised by an
/// instruction in `start..end` unwinds the value stack to `depth` items (pushing the offending
/// instruction index first if `push_lasti`) and jumps to `target`. Rows are
/// non-overlapping, in instruction order (codegen's assembly makes one row per run of
/// instructions sharing a handler, as CPython's `assemble_exception_table`). `end` is exclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExceptionTableEntry {
    pub start: u32,
    pub end: u32,
    pub target: u32,
    pub depth: u32,
    pub push_lasti: bool,
}

/// `co_flags` bits, CPython's values.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CodeFlags(pub u32);

impl CodeFlags {
    pub const OPTIMIZED: u32 = 0x0001;
    pub const NEWLOCALS: u32 = 0x0002;
    pub const VARARGS: u32 = 0x0004;
    pub const VARKEYWORDS: u32 = 0x0008;
    pub const NESTED: u32 = 0x0010;
    pub const GENERATOR: u32 = 0x0020;
    pub const COROUTINE: u32 = 0x0080;

    pub fn has(self, bit: u32) -> bool {
        self.0 & bit != 0
    }
}

/// A compiled body. Field names follow CPython's `co_*` attributes.
///
/// Frame layout the VM derives from it: `varnames.len()` local slots (arguments first: positional,
/// then keyword-only, then `*args`, then `**kwargs` if the flags say so), then one slot per
/// `cellvars`, then one per `freevars`, then up to `max_stack` value-stack slots.
#[derive(Clone, Debug, PartialEq)]
pub struct CodeObject {
    /// `co_name`: `"<module>"`, the function name, `"<lambda>"`, `"<listcomp>"`, ...
    pub name: Box<str>,
    /// `co_qualname`, e.g. `"outer.<locals>.inner"`.
    pub qualname: Box<str>,
    /// The file name tracebacks print.
    pub filename: Arc<str>,
    /// `co_firstlineno`.
    pub first_line: u32,
    /// Number of positional parameters (including positional-only).
    pub argcount: u32,
    pub posonlyargcount: u32,
    pub kwonlyargcount: u32,
    pub flags: CodeFlags,
    /// The instruction stream.
    pub code: Vec<Instr>,
    /// One position per instruction (`positions.len() == code.len()`).
    pub positions: Vec<Position>,
    pub consts: Vec<Constant>,
    /// Global, attribute and import names.
    pub names: Vec<Box<str>>,
    /// Local variable names, arguments first.
    pub varnames: Vec<Box<str>>,
    /// Locals captured by inner functions.
    pub cellvars: Vec<Box<str>>,
    /// Variables captured from enclosing functions.
    pub freevars: Vec<Box<str>>,
    /// Maximum value-stack depth (from the stack effects).
    pub max_stack: u32,
    pub exception_table: Vec<ExceptionTableEntry>,
}

impl CodeObject {
    /// An empty code object with the given names; codegen fills the rest.
    pub fn new(name: &str, qualname: &str, filename: Arc<str>, first_line: u32) -> CodeObject {
        CodeObject {
            name: name.into(),
            qualname: qualname.into(),
            filename,
            first_line,
            argcount: 0,
            posonlyargcount: 0,
            kwonlyargcount: 0,
            flags: CodeFlags::default(),
            code: Vec::new(),
            positions: Vec::new(),
            consts: Vec::new(),
            names: Vec::new(),
            varnames: Vec::new(),
            cellvars: Vec::new(),
            freevars: Vec::new(),
            max_stack: 0,
            exception_table: Vec::new(),
        }
    }

    /// Number of parameters that get a local slot from the call (incl. `*args`, `**kwargs`).
    pub fn total_args(&self) -> u32 {
        self.argcount
            + self.kwonlyargcount
            + self.flags.has(CodeFlags::VARARGS) as u32
            + self.flags.has(CodeFlags::VARKEYWORDS) as u32
    }

    /// Source line of instruction `i` (0 when unknown).
    pub fn line_of(&self, i: usize) -> u32 {
        self.positions.get(i).map_or(0, |p| p.line)
    }

    /// Name of deref slot `i` (`cellvars ++ freevars`).
    pub fn deref_name(&self, i: usize) -> Option<&str> {
        self.cellvars
            .get(i)
            .or_else(|| self.freevars.get(i - self.cellvars.len().min(i)))
            .map(|s| &**s)
    }

    /// The innermost exception-table entry covering instruction `pc` (rows do not overlap:
    /// codegen emits one row per run of instructions with the same handler).
    pub fn handler_for(&self, pc: u32) -> Option<&ExceptionTableEntry> {
        self.exception_table
            .iter()
            .find(|e| e.start <= pc && pc < e.end)
    }

    /// Maximum stack depth by abstract interpretation over the stack effects; codegen may call
    /// this to fill `max_stack`. Returns `None` if some path underflows or depths disagree.
    pub fn compute_max_stack(&self) -> Option<u32> {
        let n = self.code.len();
        let mut depth: Vec<Option<i32>> = vec![None; n + 1];
        let mut work = vec![(0usize, 0i32)];
        let mut max = 0i32;
        while let Some((pc, d)) = work.pop() {
            if pc >= n {
                continue;
            }
            match depth[pc] {
                Some(old) if old == d => continue,
                Some(_) => return None,
                None => depth[pc] = Some(d),
            }
            let ins = self.code[pc];
            let (op, arg) = (ins.op(), ins.arg());
            let fall = d + op.stack_effect(arg, false);
            if fall < 0 {
                return None;
            }
            max = max.max(fall).max(d);
            // An instruction inside a protected range may unwind to its handler, which starts
            // at the recorded depth plus the optional lasti plus the exception.
            if let Some(e) = self.handler_for(pc as u32) {
                let h = e.depth as i32 + e.push_lasti as i32 + 1;
                max = max.max(h);
                work.push((e.target as usize, h));
            }
            if op.is_jump() {
                let taken = d + op.stack_effect(arg, true);
                if taken < 0 {
                    return None;
                }
                max = max.max(taken);
                work.push((arg as usize, taken));
            }
            if !op.is_terminator() {
                work.push((pc + 1, fall));
            }
        }
        Some(max as u32)
    }
}
