//! The abstract syntax tree: CPython 3.11's node set (`Parser/Python.asdl`), arena-allocated.
//!
//! Every node kind, field name and field order follows the ASDL exactly, so the dumper
//! (`ast_dump`), the symbol-table pass and codegen can walk the fields in ASDL order:
//! `FunctionDef(identifier name, arguments args, stmt* body, expr* decorator_list, expr? returns,
//! string? type_comment)` is `StmtKind::FunctionDef { name, args, body, decorator_list, returns,
//! type_comment }`.
//!
//! Representation, chosen for a cheap arena and an easy read by later passes:
//! - the tree lives in a `bumpalo::Bump`; every node type is `Copy` and borrows from it for `'a`;
//! - `T*` (a sequence) is `&'a [T]` (built with `bumpalo::collections::Vec` and frozen with
//!   `into_bump_slice`); elements are stored inline, not boxed;
//! - `T?` is `Option<&'a T>` for nodes, `Option<&'a str>` for identifiers and strings;
//! - a single child node is `&'a T`;
//! - `identifier` and `string` are `&'a str` (pointing into the source when possible);
//! - the two sequences that may hold "holes" in CPython — `Dict.keys` (`None` for `**d`) and
//!   `arguments.kw_defaults` (`None` for a keyword-only argument without default) — are
//!   `&'a [Option<Expr<'a>>]`.
//!
//! Positions are stored as CPython reports them ([`Span`]: 1-based line, 0-based column in UTF-8
//! bytes, for start and end) rather than as byte offsets: 3.11 computes the positions of
//! expressions inside f-strings in ways that do not always map back to a source offset, and the
//! AST must reproduce them. This module owns the data types only; it does no parsing.

use std::fmt;

/// A node's source range exactly as CPython's `ast` module reports it: `lineno` and
/// `end_lineno` 1-based, `col_offset` and `end_col_offset` 0-based UTF-8 byte columns,
/// the end exclusive.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    pub lineno: u32,
    pub col_offset: u32,
    pub end_lineno: u32,
    pub end_col_offset: u32,
}

impl Span {
    pub fn new(lineno: u32, col_offset: u32, end_lineno: u32, end_col_offset: u32) -> Span {
        Span {
            lineno,
            col_offset,
            end_lineno,
            end_col_offset,
        }
    }

    /// The span from the start of `self` to the end of `end`.
    pub fn to(self, end: Span) -> Span {
        Span {
            end_lineno: end.end_lineno,
            end_col_offset: end.end_col_offset,
            ..self
        }
    }
}

// ---------------------------------------------------------------------------------------------
// mod
// ---------------------------------------------------------------------------------------------

/// `mod`: the root of a parse, one variant per `ast.parse` mode.
#[derive(Clone, Copy, Debug)]
pub enum Mod<'a> {
    /// `exec` mode.
    Module {
        body: &'a [Stmt<'a>],
        type_ignores: &'a [TypeIgnore<'a>],
    },
    /// `single` mode (the interactive prompt).
    Interactive { body: &'a [Stmt<'a>] },
    /// `eval` mode.
    Expression { body: &'a Expr<'a> },
    /// `func_type` mode: a PEP 484 function type comment `(int, str) -> bool`.
    FunctionType {
        argtypes: &'a [Expr<'a>],
        returns: &'a Expr<'a>,
    },
}

/// `type_ignore = TypeIgnore(int lineno, string tag)`: a `# type: ignore[tag]` comment.
#[derive(Clone, Copy, Debug)]
pub struct TypeIgnore<'a> {
    pub lineno: u32,
    pub tag: &'a str,
}

// ---------------------------------------------------------------------------------------------
// stmt
// ---------------------------------------------------------------------------------------------

/// A statement with its position (`stmt` attributes).
#[derive(Clone, Copy, Debug)]
pub struct Stmt<'a> {
    pub kind: StmtKind<'a>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug)]
pub enum StmtKind<'a> {
    FunctionDef {
        name: &'a str,
        args: &'a Arguments<'a>,
        body: &'a [Stmt<'a>],
        decorator_list: &'a [Expr<'a>],
        returns: Option<&'a Expr<'a>>,
        type_comment: Option<&'a str>,
    },
    AsyncFunctionDef {
        name: &'a str,
        args: &'a Arguments<'a>,
        body: &'a [Stmt<'a>],
        decorator_list: &'a [Expr<'a>],
        returns: Option<&'a Expr<'a>>,
        type_comment: Option<&'a str>,
    },
    ClassDef {
        name: &'a str,
        bases: &'a [Expr<'a>],
        keywords: &'a [Keyword<'a>],
        body: &'a [Stmt<'a>],
        decorator_list: &'a [Expr<'a>],
    },
    Return {
        value: Option<&'a Expr<'a>>,
    },
    Delete {
        targets: &'a [Expr<'a>],
    },
    Assign {
        targets: &'a [Expr<'a>],
        value: &'a Expr<'a>,
        type_comment: Option<&'a str>,
    },
    AugAssign {
        target: &'a Expr<'a>,
        op: Operator,
        value: &'a Expr<'a>,
    },
    /// `simple` is 1 when the target is a bare name not in parentheses.
    AnnAssign {
        target: &'a Expr<'a>,
        annotation: &'a Expr<'a>,
        value: Option<&'a Expr<'a>>,
        simple: u32,
    },
    For {
        target: &'a Expr<'a>,
        iter: &'a Expr<'a>,
        body: &'a [Stmt<'a>],
        orelse: &'a [Stmt<'a>],
        type_comment: Option<&'a str>,
    },
    AsyncFor {
        target: &'a Expr<'a>,
        iter: &'a Expr<'a>,
        body: &'a [Stmt<'a>],
        orelse: &'a [Stmt<'a>],
        type_comment: Option<&'a str>,
    },
    While {
        test: &'a Expr<'a>,
        body: &'a [Stmt<'a>],
        orelse: &'a [Stmt<'a>],
    },
    If {
        test: &'a Expr<'a>,
        body: &'a [Stmt<'a>],
        orelse: &'a [Stmt<'a>],
    },
    With {
        items: &'a [WithItem<'a>],
        body: &'a [Stmt<'a>],
        type_comment: Option<&'a str>,
    },
    AsyncWith {
        items: &'a [WithItem<'a>],
        body: &'a [Stmt<'a>],
        type_comment: Option<&'a str>,
    },
    Match {
        subject: &'a Expr<'a>,
        cases: &'a [MatchCase<'a>],
    },
    Raise {
        exc: Option<&'a Expr<'a>>,
        cause: Option<&'a Expr<'a>>,
    },
    Try {
        body: &'a [Stmt<'a>],
        handlers: &'a [ExceptHandler<'a>],
        orelse: &'a [Stmt<'a>],
        finalbody: &'a [Stmt<'a>],
    },
    /// `try: ... except* E: ...` (PEP 654).
    TryStar {
        body: &'a [Stmt<'a>],
        handlers: &'a [ExceptHandler<'a>],
        orelse: &'a [Stmt<'a>],
        finalbody: &'a [Stmt<'a>],
    },
    Assert {
        test: &'a Expr<'a>,
        msg: Option<&'a Expr<'a>>,
    },
    Import {
        names: &'a [Alias<'a>],
    },
    /// `level` is `int?` in the ASDL but the parser always sets it (0 for absolute imports).
    ImportFrom {
        module: Option<&'a str>,
        names: &'a [Alias<'a>],
        level: u32,
    },
    Global {
        names: &'a [&'a str],
    },
    Nonlocal {
        names: &'a [&'a str],
    },
    Expr {
        value: &'a Expr<'a>,
    },
    Pass,
    Break,
    Continue,
}

// ---------------------------------------------------------------------------------------------
// expr
// ---------------------------------------------------------------------------------------------

/// An expression with its position (`expr` attributes).
#[derive(Clone, Copy, Debug)]
pub struct Expr<'a> {
    pub kind: ExprKind<'a>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug)]
pub enum ExprKind<'a> {
    BoolOp {
        op: BoolOp,
        values: &'a [Expr<'a>],
    },
    /// `target := value`
    NamedExpr {
        target: &'a Expr<'a>,
        value: &'a Expr<'a>,
    },
    BinOp {
        left: &'a Expr<'a>,
        op: Operator,
        right: &'a Expr<'a>,
    },
    UnaryOp {
        op: UnaryOp,
        operand: &'a Expr<'a>,
    },
    Lambda {
        args: &'a Arguments<'a>,
        body: &'a Expr<'a>,
    },
    /// `body if test else orelse`
    IfExp {
        test: &'a Expr<'a>,
        body: &'a Expr<'a>,
        orelse: &'a Expr<'a>,
    },
    /// `keys[i]` is `None` where `values[i]` is unpacked with `**`.
    Dict {
        keys: &'a [Option<Expr<'a>>],
        values: &'a [Expr<'a>],
    },
    Set {
        elts: &'a [Expr<'a>],
    },
    ListComp {
        elt: &'a Expr<'a>,
        generators: &'a [Comprehension<'a>],
    },
    SetComp {
        elt: &'a Expr<'a>,
        generators: &'a [Comprehension<'a>],
    },
    DictComp {
        key: &'a Expr<'a>,
        value: &'a Expr<'a>,
        generators: &'a [Comprehension<'a>],
    },
    GeneratorExp {
        elt: &'a Expr<'a>,
        generators: &'a [Comprehension<'a>],
    },
    Await {
        value: &'a Expr<'a>,
    },
    Yield {
        value: Option<&'a Expr<'a>>,
    },
    YieldFrom {
        value: &'a Expr<'a>,
    },
    /// `left ops[0] comparators[0] ops[1] comparators[1] ...`
    Compare {
        left: &'a Expr<'a>,
        ops: &'a [CmpOp],
        comparators: &'a [Expr<'a>],
    },
    Call {
        func: &'a Expr<'a>,
        args: &'a [Expr<'a>],
        keywords: &'a [Keyword<'a>],
    },
    /// One `{value!conversion:format_spec}` of an f-string. `conversion` is -1 (none) or the
    /// code point of `s`, `r` or `a`, as in CPython.
    FormattedValue {
        value: &'a Expr<'a>,
        conversion: i32,
        format_spec: Option<&'a Expr<'a>>,
    },
    /// An f-string (after implicit concatenation): `Constant` str parts and `FormattedValue`s.
    JoinedStr {
        values: &'a [Expr<'a>],
    },
    /// `kind` is `Some("u")` for a string literal written with a `u` prefix, else `None`.
    Constant {
        value: Constant<'a>,
        kind: Option<&'a str>,
    },
    Attribute {
        value: &'a Expr<'a>,
        attr: &'a str,
        ctx: ExprContext,
    },
    Subscript {
        value: &'a Expr<'a>,
        slice: &'a Expr<'a>,
        ctx: ExprContext,
    },
    Starred {
        value: &'a Expr<'a>,
        ctx: ExprContext,
    },
    Name {
        id: &'a str,
        ctx: ExprContext,
    },
    List {
        elts: &'a [Expr<'a>],
        ctx: ExprContext,
    },
    Tuple {
        elts: &'a [Expr<'a>],
        ctx: ExprContext,
    },
    /// Only appears as (an element of) `Subscript.slice`.
    Slice {
        lower: Option<&'a Expr<'a>>,
        upper: Option<&'a Expr<'a>>,
        step: Option<&'a Expr<'a>>,
    },
}

/// The value of a `Constant` node or a `MatchSingleton` pattern.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Constant<'a> {
    None,
    True,
    False,
    Ellipsis,
    Int(Int<'a>),
    Float(f64),
    /// An imaginary literal `<imag>j` (Python literals have no real part).
    Complex {
        real: f64,
        imag: f64,
    },
    Str(PyStr<'a>),
    Bytes(&'a [u8]),
}

/// An integer literal's value: inline when it fits in an `i64`, otherwise the decimal digits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Int<'a> {
    Small(i64),
    /// Decimal digits (no sign, no leading zeros) of a value that does not fit in an `i64`.
    Big(&'a str),
}

impl fmt::Display for Int<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Int::Small(v) => write!(f, "{v}"),
            Int::Big(digits) => f.write_str(digits),
        }
    }
}

/// A Python `str` value: a sequence of code points, which unlike a Rust `str` may contain lone
/// surrogates (`"\udc80"` is legal Python). Stored as WTF-8 — UTF-8 extended so a surrogate is
/// encoded like any other code point — so the common case is a plain UTF-8 slice.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PyStr<'a> {
    wtf8: &'a [u8],
}

impl<'a> PyStr<'a> {
    pub fn new(s: &'a str) -> PyStr<'a> {
        PyStr { wtf8: s.as_bytes() }
    }

    /// Wraps WTF-8 bytes. The caller guarantees they are well-formed WTF-8 (UTF-8 in which
    /// surrogate code points U+D800..U+DFFF may also appear, encoded in three bytes).
    pub fn from_wtf8(wtf8: &'a [u8]) -> PyStr<'a> {
        PyStr { wtf8 }
    }

    pub fn wtf8(&self) -> &'a [u8] {
        self.wtf8
    }

    /// The text as a Rust string, or `None` when it contains a lone surrogate.
    pub fn as_str(&self) -> Option<&'a str> {
        std::str::from_utf8(self.wtf8).ok()
    }

    pub fn is_empty(&self) -> bool {
        self.wtf8.is_empty()
    }

    /// The code points, surrogates included.
    pub fn code_points(&self) -> impl Iterator<Item = u32> + 'a {
        let mut bytes = self.wtf8;
        std::iter::from_fn(move || {
            let (&b0, rest) = bytes.split_first()?;
            let (cp, n) = match b0 {
                0x00..=0x7f => (b0 as u32, 1),
                0xc0..=0xdf => (((b0 as u32 & 0x1f) << 6) | (rest[0] as u32 & 0x3f), 2),
                0xe0..=0xef => (
                    ((b0 as u32 & 0x0f) << 12)
                        | ((rest[0] as u32 & 0x3f) << 6)
                        | (rest[1] as u32 & 0x3f),
                    3,
                ),
                _ => (
                    ((b0 as u32 & 0x07) << 18)
                        | ((rest[0] as u32 & 0x3f) << 12)
                        | ((rest[1] as u32 & 0x3f) << 6)
                        | (rest[2] as u32 & 0x3f),
                    4,
                ),
            };
            bytes = &bytes[n..];
            Some(cp)
        })
    }
}

impl fmt::Debug for PyStr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.as_str() {
            Some(s) => write!(f, "{s:?}"),
            None => write!(f, "wtf8{:?}", self.wtf8),
        }
    }
}

/// `expr_context = Load | Store | Del`
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExprContext {
    Load,
    Store,
    Del,
}

/// `boolop = And | Or`
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BoolOp {
    And,
    Or,
}

/// `operator`, in ASDL order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operator {
    Add,
    Sub,
    Mult,
    MatMult,
    Div,
    Mod,
    Pow,
    LShift,
    RShift,
    BitOr,
    BitXor,
    BitAnd,
    FloorDiv,
}

/// `unaryop = Invert | Not | UAdd | USub`
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    Invert,
    Not,
    UAdd,
    USub,
}

/// `cmpop`, in ASDL order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CmpOp {
    Eq,
    NotEq,
    Lt,
    LtE,
    Gt,
    GtE,
    Is,
    IsNot,
    In,
    NotIn,
}

// ---------------------------------------------------------------------------------------------
// Product types and the smaller sums
// ---------------------------------------------------------------------------------------------

/// `comprehension = (expr target, expr iter, expr* ifs, int is_async)` — no position.
#[derive(Clone, Copy, Debug)]
pub struct Comprehension<'a> {
    pub target: &'a Expr<'a>,
    pub iter: &'a Expr<'a>,
    pub ifs: &'a [Expr<'a>],
    pub is_async: u32,
}

/// `excepthandler = ExceptHandler(expr? type, identifier? name, stmt* body)`.
/// (`type` is a Rust keyword, hence `type_`.)
#[derive(Clone, Copy, Debug)]
pub struct ExceptHandler<'a> {
    pub type_: Option<&'a Expr<'a>>,
    pub name: Option<&'a str>,
    pub body: &'a [Stmt<'a>],
    pub span: Span,
}

/// `arguments = (arg* posonlyargs, arg* args, arg? vararg, arg* kwonlyargs, expr* kw_defaults,
/// arg? kwarg, expr* defaults)` — no position. `kw_defaults` has one entry per `kwonlyargs`
/// (`None` when that argument has no default); `defaults` belongs to the last positional
/// parameters (`posonlyargs` then `args`).
#[derive(Clone, Copy, Debug)]
pub struct Arguments<'a> {
    pub posonlyargs: &'a [Arg<'a>],
    pub args: &'a [Arg<'a>],
    pub vararg: Option<&'a Arg<'a>>,
    pub kwonlyargs: &'a [Arg<'a>],
    pub kw_defaults: &'a [Option<Expr<'a>>],
    pub kwarg: Option<&'a Arg<'a>>,
    pub defaults: &'a [Expr<'a>],
}

/// `arg = (identifier arg, expr? annotation, string? type_comment)`.
#[derive(Clone, Copy, Debug)]
pub struct Arg<'a> {
    pub arg: &'a str,
    pub annotation: Option<&'a Expr<'a>>,
    pub type_comment: Option<&'a str>,
    pub span: Span,
}

/// `keyword = (identifier? arg, expr value)`; `arg` is `None` for `**kwargs`.
#[derive(Clone, Copy, Debug)]
pub struct Keyword<'a> {
    pub arg: Option<&'a str>,
    pub value: &'a Expr<'a>,
    pub span: Span,
}

/// `alias = (identifier name, identifier? asname)`; `name` may be dotted (`a.b.c`) or `*`.
#[derive(Clone, Copy, Debug)]
pub struct Alias<'a> {
    pub name: &'a str,
    pub asname: Option<&'a str>,
    pub span: Span,
}

/// `withitem = (expr context_expr, expr? optional_vars)` — no position.
#[derive(Clone, Copy, Debug)]
pub struct WithItem<'a> {
    pub context_expr: &'a Expr<'a>,
    pub optional_vars: Option<&'a Expr<'a>>,
}

/// `match_case = (pattern pattern, expr? guard, stmt* body)` — no position.
#[derive(Clone, Copy, Debug)]
pub struct MatchCase<'a> {
    pub pattern: &'a Pattern<'a>,
    pub guard: Option<&'a Expr<'a>>,
    pub body: &'a [Stmt<'a>],
}

/// A `match` pattern with its position (`pattern` attributes, all four always present).
#[derive(Clone, Copy, Debug)]
pub struct Pattern<'a> {
    pub kind: PatternKind<'a>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug)]
pub enum PatternKind<'a> {
    MatchValue {
        value: &'a Expr<'a>,
    },
    /// `None`, `True` or `False`.
    MatchSingleton {
        value: Constant<'a>,
    },
    MatchSequence {
        patterns: &'a [Pattern<'a>],
    },
    MatchMapping {
        keys: &'a [Expr<'a>],
        patterns: &'a [Pattern<'a>],
        rest: Option<&'a str>,
    },
    MatchClass {
        cls: &'a Expr<'a>,
        patterns: &'a [Pattern<'a>],
        kwd_attrs: &'a [&'a str],
        kwd_patterns: &'a [Pattern<'a>],
    },
    /// `*name` or `*_` (name `None`) inside a sequence pattern.
    MatchStar {
        name: Option<&'a str>,
    },
    /// `pattern as name`, a capture `name` (pattern `None`) or the wildcard `_` (both `None`).
    MatchAs {
        pattern: Option<&'a Pattern<'a>>,
        name: Option<&'a str>,
    },
    MatchOr {
        patterns: &'a [Pattern<'a>],
    },
}

// ---------------------------------------------------------------------------------------------
// Names, as the `ast` module prints them
// ---------------------------------------------------------------------------------------------

impl ExprContext {
    pub fn name(self) -> &'static str {
        match self {
            ExprContext::Load => "Load",
            ExprContext::Store => "Store",
            ExprContext::Del => "Del",
        }
    }
}

impl BoolOp {
    pub fn name(self) -> &'static str {
        match self {
            BoolOp::And => "And",
            BoolOp::Or => "Or",
        }
    }
}

impl Operator {
    pub fn name(self) -> &'static str {
        match self {
            Operator::Add => "Add",
            Operator::Sub => "Sub",
            Operator::Mult => "Mult",
            Operator::MatMult => "MatMult",
            Operator::Div => "Div",
            Operator::Mod => "Mod",
            Operator::Pow => "Pow",
            Operator::LShift => "LShift",
            Operator::RShift => "RShift",
            Operator::BitOr => "BitOr",
            Operator::BitXor => "BitXor",
            Operator::BitAnd => "BitAnd",
            Operator::FloorDiv => "FloorDiv",
        }
    }
}

impl UnaryOp {
    pub fn name(self) -> &'static str {
        match self {
            UnaryOp::Invert => "Invert",
            UnaryOp::Not => "Not",
            UnaryOp::UAdd => "UAdd",
            UnaryOp::USub => "USub",
        }
    }
}

impl CmpOp {
    pub fn name(self) -> &'static str {
        match self {
            CmpOp::Eq => "Eq",
            CmpOp::NotEq => "NotEq",
            CmpOp::Lt => "Lt",
            CmpOp::LtE => "LtE",
            CmpOp::Gt => "Gt",
            CmpOp::GtE => "GtE",
            CmpOp::Is => "Is",
            CmpOp::IsNot => "IsNot",
            CmpOp::In => "In",
            CmpOp::NotIn => "NotIn",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pystr_code_points_include_surrogates() {
        // U+DC80 in WTF-8 is ED B2 80; 'é' is C3 A9.
        let s = PyStr::from_wtf8(&[b'a', 0xc3, 0xa9, 0xed, 0xb2, 0x80]);
        assert_eq!(
            s.code_points().collect::<Vec<_>>(),
            vec![0x61, 0xe9, 0xdc80]
        );
        assert_eq!(s.as_str(), None);
        assert_eq!(PyStr::new("ok").as_str(), Some("ok"));
    }

    #[test]
    fn nodes_stay_small() {
        // The arena holds millions of these for the stdlib; keep an eye on growth.
        assert!(
            std::mem::size_of::<Expr>() <= 64,
            "{}",
            std::mem::size_of::<Expr>()
        );
        assert!(
            std::mem::size_of::<Stmt>() <= 104,
            "{}",
            std::mem::size_of::<Stmt>()
        );
    }
}
