//! The code generator: AST + symbol tables → code objects, following CPython 3.11's
//! `Python/compile.c` in shape (one code object per module, function, lambda and comprehension;
//! the same instruction sequences where the formats agree) and the bytecode contract in
//! `crate::bytecode::opcode` (call order, absolute jump targets, back-edges always
//! `JUMP_BACKWARD`).
//!
//! - [`unit`]: one code object under construction: instructions with symbolic labels, constant
//!   and name pools, the final assembly (jump threading, removal of jumps to the next
//!   instruction, label resolution, exact `max_stack`).
//! - [`fold`]: constant folding, as CPython's AST optimizer.
//! - this file: statements and expressions, and the compile-time errors CPython raises from its
//!   compiler ('return' outside function, 'break' outside loop, ...).
//!
//! - [`exceptions`]: `try`/`with`/`raise` and the `break`/`continue`/`return` that leave blocks
//!   (zero-cost exception table).
//!
//! Constructs from later issues (classes, match, async, `except*`) are rejected with a clear
//! `SyntaxError`-style message naming what is not supported yet, never with a panic. Where they
//! slot in: the symbol table already handles class scopes (including class-body locals that
//! methods capture, `free_class`).

mod class; // --- classes ---
           // --- exceptions ---
mod exceptions;
mod fold;
mod unit;
mod yield_from;

use std::sync::Arc;

use crate::ast::*;
use crate::bytecode::{BinaryOp, CodeFlags, CodeObject, CompareOp, Constant, Opcode, Position};
use crate::error::SyntaxError;
use crate::symtable::{self, Scope, ScopeKind, SymbolTable};
use unit::{Label, Unit};

use Opcode::*;

/// Compile a parsed module to its code object. `source` is the decoded text (for error lines).
pub fn compile_module(
    tree: &Mod<'_>,
    source: &str,
    filename: &str,
) -> Result<Arc<CodeObject>, SyntaxError> {
    let body = match tree {
        Mod::Module { body, .. } | Mod::Interactive { body } => *body,
        _ => {
            return Err(symtable::error_at(
                source,
                "only exec-mode modules can be compiled",
                Span::new(1, 0, 1, 0),
            ))
        }
    };
    let st = symtable::build(body, source)?;
    let mut c = Compiler {
        source,
        filename: filename.into(),
        st,
        units: Vec::new(),
    };
    c.units
        .push(Unit::new(0, "<module>", "<module>", c.filename.clone(), 1));
    c.module_body(body)?;
    let u = c.units.pop().expect("module unit");
    u.finish(&c.st.scopes[0], source)
}

struct Compiler<'s> {
    source: &'s str,
    filename: Arc<str>,
    st: SymbolTable,
    units: Vec<Unit>,
}

type R = Result<(), SyntaxError>;

fn pos(span: Span) -> Position {
    Position {
        line: span.lineno,
        end_line: span.end_lineno,
        col: span.col_offset,
        end_col: span.end_col_offset,
    }
}

fn binop(op: Operator, inplace: bool) -> BinaryOp {
    let b = match op {
        Operator::Add => BinaryOp::Add,
        Operator::Sub => BinaryOp::Subtract,
        Operator::Mult => BinaryOp::Multiply,
        Operator::MatMult => BinaryOp::MatrixMultiply,
        Operator::Div => BinaryOp::TrueDivide,
        Operator::Mod => BinaryOp::Remainder,
        Operator::Pow => BinaryOp::Power,
        Operator::LShift => BinaryOp::LShift,
        Operator::RShift => BinaryOp::RShift,
        Operator::BitOr => BinaryOp::Or,
        Operator::BitXor => BinaryOp::Xor,
        Operator::BitAnd => BinaryOp::And,
        Operator::FloorDiv => BinaryOp::FloorDivide,
    };
    if inplace {
        BinaryOp::from_u32(b as u32 + 13).expect("NB_INPLACE_* follows NB_*")
    } else {
        b
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Ctx {
    Load,
    Store,
    Del,
}

impl<'s> Compiler<'s> {
    fn u(&mut self) -> &mut Unit {
        self.units.last_mut().expect("a unit")
    }

    fn err(&self, msg: impl Into<String>, span: Span) -> SyntaxError {
        symtable::error_at(self.source, msg, span)
    }

    fn emit(&mut self, op: Opcode, arg: u32) {
        self.u().emit(op, arg);
    }

    fn set_pos(&mut self, span: Span) {
        self.u().pos = pos(span);
    }

    fn load_const(&mut self, c: Constant) {
        let i = self.u().add_const(c);
        self.emit(LOAD_CONST, i);
    }

    fn scope(&self) -> &symtable::ScopeTable {
        &self.st.scopes[self.units.last().expect("a unit").scope]
    }

    // ----- statements -----

    fn module_body(&mut self, body: &[Stmt<'_>]) -> R {
        let mut rest = body;
        if let Some(doc) = docstring(body) {
            self.set_pos(body[0].span);
            self.load_const(Constant::str(doc));
            self.name_op("__doc__", Ctx::Store);
            rest = &body[1..];
        }
        for s in rest {
            self.stmt(s)?;
        }
        self.u().pos = Position::default();
        if let Some(last) = body.last() {
            self.u().pos = Position::line(last.span.end_lineno.max(last.span.lineno));
            self.u().pos = pos(last.span);
        }
        let none = self.u().add_const(Constant::None);
        self.emit(RETURN_CONST, none);
        Ok(())
    }

    fn stmts(&mut self, body: &[Stmt<'_>]) -> R {
        for s in body {
            self.stmt(s)?;
        }
        Ok(())
    }

    fn unsupported(&self, what: &str, span: Span) -> SyntaxError {
        self.err(format!("nanopy does not support {what} yet"), span)
    }

    fn stmt(&mut self, s: &Stmt<'_>) -> R {
        use StmtKind as S;
        self.set_pos(s.span);
        match &s.kind {
            S::FunctionDef {
                name,
                args,
                body,
                decorator_list,
                ..
            } => self.function_def(s, name, args, body, decorator_list),
            S::AsyncFunctionDef { .. } => Err(self.unsupported("async functions", s.span)),
            // --- classes ---
            S::ClassDef {
                name,
                bases,
                keywords,
                body,
                decorator_list,
            } => self.class_def(s, name, bases, keywords, body, decorator_list),
            S::Return { value } => {
                if !self.scope().kind.is_function() {
                    return Err(self.err("'return' outside function", s.span));
                }
                self.return_stmt(s, *value)
            }
            S::Delete { targets } => {
                for t in *targets {
                    self.store_target(t, Ctx::Del)?;
                }
                Ok(())
            }
            S::Assign { targets, value, .. } => self.assign(targets, value),
            S::AugAssign { target, op, value } => self.aug_assign(target, *op, value),
            S::AnnAssign {
                target,
                value,
                simple,
                ..
            } => {
                if let Some(v) = value {
                    self.expr(v)?;
                    self.store_target(target, Ctx::Store)?;
                } else if *simple == 0 {
                    // `x.y: int` evaluates the target's object.
                    if let ExprKind::Attribute { value, .. } = target.kind {
                        self.expr(value)?;
                        self.emit(POP_TOP, 0);
                    }
                }
                Ok(())
            }
            S::For {
                target,
                iter,
                body,
                orelse,
                ..
            } => self.for_loop(s.span, target, iter, body, orelse),
            S::AsyncFor { .. } => Err(self.err("'async for' outside async function", s.span)),
            S::While { test, body, orelse } => self.while_loop(test, body, orelse),
            S::If { test, body, orelse } => {
                let end = self.u().new_label();
                if orelse.is_empty() {
                    self.jump_if(test, end, false)?;
                    self.stmts(body)?;
                } else {
                    let els = self.u().new_label();
                    self.jump_if(test, els, false)?;
                    self.stmts(body)?;
                    self.jump(end);
                    self.u().bind(els);
                    self.stmts(orelse)?;
                }
                self.u().bind(end);
                Ok(())
            }
            S::With { items, body, .. } => self.with_stmt(s, items, body),
            S::AsyncWith { .. } => Err(self.err("'async with' outside async function", s.span)),
            S::Match { .. } => Err(self.unsupported("'match' statements", s.span)),
            S::Raise { exc, cause } => self.raise_stmt(s, *exc, *cause),
            S::Try { .. } | S::TryStar { .. } => self.try_stmt(s),
            S::Assert { test, msg } => {
                let end = self.u().new_label();
                self.jump_if(test, end, true)?;
                // CPython attributes the raise to the test (the traceback underlines it).
                self.set_pos(test.span);
                self.emit(LOAD_ASSERTION_ERROR, 0);
                if let Some(m) = msg {
                    self.emit(PUSH_NULL, 0);
                    self.expr(m)?;
                    self.set_pos(test.span);
                    self.emit(CALL, 1);
                }
                self.emit(RAISE_VARARGS, 1);
                self.u().bind(end);
                Ok(())
            }
            S::Import { names } => {
                for a in *names {
                    // langdata: CPython 3.11 gives the import the statement's position.
                    self.set_pos(s.span);
                    self.load_const(Constant::Int(0));
                    self.load_const(Constant::None);
                    let i = self.name_operand(a.name);
                    self.emit(IMPORT_NAME, i);
                    match a.asname {
                        Some(asname) => {
                            let parts: Vec<&str> = a.name.split('.').collect();
                            if parts.len() > 1 {
                                for p in &parts[1..] {
                                    let i = self.name_operand(p);
                                    self.emit(IMPORT_FROM, i);
                                    self.emit(SWAP, 2);
                                    self.emit(POP_TOP, 0);
                                }
                            }
                            self.name_op(asname, Ctx::Store);
                        }
                        None => {
                            let top = a.name.split('.').next().unwrap_or(a.name);
                            self.name_op(top, Ctx::Store);
                        }
                    }
                }
                Ok(())
            }
            S::ImportFrom {
                module,
                names,
                level,
            } => {
                if names.iter().any(|a| a.name == "*") {
                    return Err(self.unsupported("'from ... import *'", s.span));
                }
                self.load_const(Constant::Int(*level as i64));
                let fromlist: Vec<Constant> = names.iter().map(|a| Constant::str(a.name)).collect();
                self.load_const(Constant::Tuple(fromlist.into()));
                let i = self.name_operand(module.unwrap_or(""));
                self.emit(IMPORT_NAME, i);
                for a in *names {
                    self.set_pos(a.span);
                    let i = self.name_operand(a.name);
                    self.emit(IMPORT_FROM, i);
                    self.name_op(a.asname.unwrap_or(a.name), Ctx::Store);
                }
                self.emit(POP_TOP, 0);
                Ok(())
            }
            S::Global { .. } | S::Nonlocal { .. } | S::Pass => Ok(()),
            S::Expr { value } => {
                if fold::fold(value).is_some() {
                    // A constant expression statement has no effect (CPython emits nothing).
                    return Ok(());
                }
                self.expr(value)?;
                self.set_pos(s.span);
                self.emit(POP_TOP, 0);
                Ok(())
            }
            S::Break => self.loop_exit(s, true),
            S::Continue => self.loop_exit(s, false),
        }
    }

    fn jump(&mut self, l: Label) {
        self.u().jump(l);
    }

    fn while_loop(&mut self, test: &Expr<'_>, body: &[Stmt<'_>], orelse: &[Stmt<'_>]) -> R {
        let start = self.u().new_label();
        let end = self.u().new_label();
        let els = self.u().new_label();
        self.u().bind(start);
        self.jump_if(test, els, false)?;
        let (d, eh0) = self.outside();
        let lp = unit::Loop {
            cont: start,
            brk: end,
            is_for: false,
        };
        self.push_fblock(unit::FBlockKind::Loop(lp), d, eh0);
        self.stmts(body)?;
        self.pop_fblock();
        self.set_pos(test.span);
        self.jump(start);
        self.u().bind(els);
        self.stmts(orelse)?;
        self.u().bind(end);
        Ok(())
    }

    fn for_loop(
        &mut self,
        span: Span,
        target: &Expr<'_>,
        iter: &Expr<'_>,
        body: &[Stmt<'_>],
        orelse: &[Stmt<'_>],
    ) -> R {
        let start = self.u().new_label();
        let cleanup = self.u().new_label();
        let end = self.u().new_label();
        self.expr(iter)?;
        // CPython gives GET_ITER/FOR_ITER the whole statement's location (a multi-line span:
        // tracebacks show the line without carets).
        self.set_pos(span);
        self.emit(GET_ITER, 0);
        self.u().bind(start);
        self.u().jump_to(FOR_ITER, cleanup);
        let (d, eh0) = self.outside();
        // The iterator stays on the stack for the body.
        self.u().depth = d + 1;
        self.store_target(target, Ctx::Store)?;
        let lp = unit::Loop {
            cont: start,
            brk: end,
            is_for: true,
        };
        self.push_fblock(unit::FBlockKind::Loop(lp), d, eh0);
        self.stmts(body)?;
        self.pop_fblock();
        self.u().depth = d;
        // The back-edge has no line of its own (CPython's JUMP_NOLINE): it inherits the
        // position of the instruction before it.
        self.u().inherit_pos();
        self.jump(start);
        self.u().bind(cleanup);
        self.stmts(orelse)?;
        self.u().bind(end);
        Ok(())
    }

    fn assign(&mut self, targets: &[Expr<'_>], value: &Expr<'_>) -> R {
        // `a, b = x, y` with no starred items: evaluate, SWAP, store (CPython's peephole result).
        if targets.len() == 1 {
            if let (
                ExprKind::Tuple { elts: t, .. } | ExprKind::List { elts: t, .. },
                ExprKind::Tuple { elts: v, .. },
            ) = (&targets[0].kind, &value.kind)
            {
                let plain = |es: &[Expr<'_>]| {
                    !es.iter()
                        .any(|e| matches!(e.kind, ExprKind::Starred { .. }))
                };
                if t.len() == v.len()
                    && (2..=3).contains(&t.len())
                    && plain(t)
                    && plain(v)
                    && fold::fold(value).is_none()
                {
                    for x in *v {
                        self.expr(x)?;
                    }
                    self.set_pos(value.span);
                    self.emit(SWAP, t.len() as u32);
                    for x in *t {
                        self.store_target(x, Ctx::Store)?;
                    }
                    return Ok(());
                }
            }
        }
        self.expr(value)?;
        for (i, t) in targets.iter().enumerate() {
            if i + 1 < targets.len() {
                self.emit(COPY, 1);
            }
            self.store_target(t, Ctx::Store)?;
        }
        Ok(())
    }

    fn aug_assign(&mut self, target: &Expr<'_>, op: Operator, value: &Expr<'_>) -> R {
        let b = binop(op, true) as u32;
        match &target.kind {
            ExprKind::Name { id, .. } => {
                self.set_pos(target.span);
                self.name_op(id, Ctx::Load);
                self.expr(value)?;
                self.set_pos(target.span.to(value.span));
                self.emit(BINARY_OP, b);
                self.set_pos(target.span);
                self.name_op(id, Ctx::Store);
            }
            ExprKind::Attribute {
                value: obj, attr, ..
            } => {
                self.expr(obj)?;
                self.set_pos(target.span);
                self.emit(COPY, 1);
                let i = self.name_operand(attr);
                self.emit(LOAD_ATTR, i);
                self.expr(value)?;
                self.set_pos(target.span.to(value.span));
                self.emit(BINARY_OP, b);
                self.set_pos(target.span);
                self.emit(SWAP, 2);
                self.emit(STORE_ATTR, i);
            }
            ExprKind::Subscript {
                value: obj, slice, ..
            } => {
                self.expr(obj)?;
                self.expr(slice)?;
                self.set_pos(target.span);
                self.emit(COPY, 2);
                self.emit(COPY, 2);
                self.emit(BINARY_SUBSCR, 0);
                self.expr(value)?;
                self.set_pos(target.span.to(value.span));
                self.emit(BINARY_OP, b);
                self.set_pos(target.span);
                self.emit(SWAP, 3);
                self.emit(SWAP, 2);
                self.emit(STORE_SUBSCR, 0);
            }
            _ => return Err(self.err("illegal expression for augmented assignment", target.span)),
        }
        Ok(())
    }

    /// Store (or delete) the value on top of the stack into `t`.
    fn store_target(&mut self, t: &Expr<'_>, ctx: Ctx) -> R {
        self.set_pos(t.span);
        match &t.kind {
            ExprKind::Name { id, .. } => {
                self.name_op(id, ctx);
            }
            ExprKind::Attribute { value, attr, .. } => {
                self.expr(value)?;
                self.set_pos(t.span);
                let i = self.name_operand(attr);
                self.emit(
                    if ctx == Ctx::Del {
                        DELETE_ATTR
                    } else {
                        STORE_ATTR
                    },
                    i,
                );
            }
            ExprKind::Subscript { value, slice, .. } => {
                self.expr(value)?;
                if let ExprKind::Slice {
                    lower,
                    upper,
                    step: None,
                } = slice.kind
                {
                    if ctx == Ctx::Store {
                        self.slice_bound(lower)?;
                        self.slice_bound(upper)?;
                        self.set_pos(t.span);
                        self.emit(STORE_SLICE, 0);
                        return Ok(());
                    }
                }
                self.expr(slice)?;
                self.set_pos(t.span);
                self.emit(
                    if ctx == Ctx::Del {
                        DELETE_SUBSCR
                    } else {
                        STORE_SUBSCR
                    },
                    0,
                );
            }
            ExprKind::Tuple { elts, .. } | ExprKind::List { elts, .. } => {
                if ctx == Ctx::Del {
                    for e in *elts {
                        self.store_target(e, Ctx::Del)?;
                    }
                    return Ok(());
                }
                let star = elts
                    .iter()
                    .position(|e| matches!(e.kind, ExprKind::Starred { .. }));
                match star {
                    None => self.emit(UNPACK_SEQUENCE, elts.len() as u32),
                    Some(i) => {
                        let after = elts.len() - i - 1;
                        if elts[i + 1..]
                            .iter()
                            .any(|e| matches!(e.kind, ExprKind::Starred { .. }))
                        {
                            return Err(
                                self.err("multiple starred expressions in assignment", t.span)
                            );
                        }
                        if i >= 256 || after >= (1 << 16) {
                            return Err(self
                                .err("too many expressions in star-unpacking assignment", t.span));
                        }
                        self.emit(UNPACK_EX, i as u32 | (after as u32) << 8);
                    }
                }
                for e in *elts {
                    let inner = match &e.kind {
                        ExprKind::Starred { value, .. } => value,
                        _ => e,
                    };
                    self.store_target(inner, Ctx::Store)?;
                }
            }
            ExprKind::Starred { .. } => {
                return Err(self.err(
                    "starred assignment target must be in a list or tuple",
                    t.span,
                ))
            }
            _ => return Err(self.err("cannot assign to expression", t.span)),
        }
        Ok(())
    }

    fn slice_bound(&mut self, e: Option<&Expr<'_>>) -> R {
        match e {
            Some(x) => self.expr(x),
            None => {
                self.load_const(Constant::None);
                Ok(())
            }
        }
    }

    /// Index of `name` in `names` as an attribute or import operand, mangled as CPython's
    /// `ADDOP_NAME` mangles it (private names inside classes).
    fn name_operand(&mut self, name: &str) -> u32 {
        let m = symtable::mangle(self.scope().private.as_deref(), name).into_owned();
        self.u().add_name(&m)
    }

    fn name_op(&mut self, name: &str, ctx: Ctx) {
        let sc = self.scope();
        let mangled = symtable::mangle(sc.private.as_deref(), name).into_owned();
        let name = mangled.as_str();
        let scope = sc.scope_of(name);
        let fast = sc.kind.is_function();
        let (op, arg) = match scope {
            Scope::Free | Scope::Cell => {
                let i = self.u().deref_index(name);
                (
                    match ctx {
                        Ctx::Load => LOAD_DEREF,
                        Ctx::Store => STORE_DEREF,
                        Ctx::Del => DELETE_DEREF,
                    },
                    i,
                )
            }
            Scope::Local if fast => {
                let i = self.u().local_index(name);
                (
                    match ctx {
                        Ctx::Load => LOAD_FAST,
                        Ctx::Store => STORE_FAST,
                        Ctx::Del => DELETE_FAST,
                    },
                    i,
                )
            }
            Scope::GlobalExplicit | Scope::GlobalImplicit
                if fast || scope == Scope::GlobalExplicit =>
            {
                let i = self.u().add_name(name);
                (
                    match ctx {
                        Ctx::Load => LOAD_GLOBAL,
                        Ctx::Store => STORE_GLOBAL,
                        Ctx::Del => DELETE_GLOBAL,
                    },
                    i,
                )
            }
            _ => {
                let i = self.u().add_name(name);
                (
                    match ctx {
                        Ctx::Load => LOAD_NAME,
                        Ctx::Store => STORE_NAME,
                        Ctx::Del => DELETE_NAME,
                    },
                    i,
                )
            }
        };
        self.emit(op, arg);
    }

    // ----- functions, lambdas, comprehensions -----

    fn qualname(&self, name: &str) -> String {
        let sc = self.scope();
        let parent_q = &self.units.last().expect("unit").qualname;
        match sc.kind {
            ScopeKind::Module => name.to_string(),
            ScopeKind::Class => format!("{parent_q}.{name}"),
            _ => format!("{parent_q}.<locals>.{name}"),
        }
    }

    /// Push defaults/kwdefaults for `args`; returns the MAKE_FUNCTION flags so far.
    fn defaults(&mut self, args: &Arguments<'_>) -> Result<u32, SyntaxError> {
        let mut flags = 0;
        if !args.defaults.is_empty() {
            let folded: Option<Vec<Constant>> = args.defaults.iter().map(fold::fold).collect();
            match folded {
                Some(cs) => self.load_const(Constant::Tuple(cs.into())),
                None => {
                    for d in args.defaults {
                        self.expr(d)?;
                    }
                    self.emit(BUILD_TUPLE, args.defaults.len() as u32);
                }
            }
            flags |= 1;
        }
        let mut keys = Vec::new();
        for (a, d) in args.kwonlyargs.iter().zip(args.kw_defaults) {
            if let Some(d) = d {
                // Keyed like the parameter's (mangled) local name, as CPython does.
                let key = symtable::mangle(self.scope().private.as_deref(), a.arg);
                keys.push(Constant::str(&key));
                self.expr(d)?;
            }
        }
        if !keys.is_empty() {
            let n = keys.len() as u32;
            self.load_const(Constant::Tuple(keys.into()));
            self.emit(BUILD_CONST_KEY_MAP, n);
            flags |= 2;
        }
        Ok(flags)
    }

    fn new_unit(&mut self, scope: usize, name: &str, qualname: String, first_line: u32) {
        let fname = self.filename.clone();
        let mut u = Unit::new(scope, name, &qualname, fname, first_line);
        let sc = &self.st.scopes[scope];
        u.varnames = sc.varnames();
        u.cellvars = sc.cellvars();
        u.freevars = sc.freevars();
        self.units.push(u);
    }

    /// Finish the innermost unit and push the function made from it (with its closure).
    fn make_function(&mut self, flags: u32, span: Span) -> R {
        let u = self.units.pop().expect("function unit");
        let scope = u.scope;
        let code = u.finish(&self.st.scopes[scope], self.source)?;
        let mut flags = flags;
        self.set_pos(span);
        if !code.freevars.is_empty() {
            for f in code.freevars.clone().iter() {
                let i = self.u().deref_index(f);
                self.emit(LOAD_CLOSURE, i);
            }
            self.emit(BUILD_TUPLE, code.freevars.len() as u32);
            flags |= 8;
        }
        self.load_const(Constant::Code(code));
        self.emit(MAKE_FUNCTION, flags);
        Ok(())
    }

    fn set_arg_counts(&mut self, args: &Arguments<'_>, scope: usize) {
        let is_gen = self.st.scopes[scope].is_generator;
        let u = self.u();
        u.argcount = (args.posonlyargs.len() + args.args.len()) as u32;
        u.posonlyargcount = args.posonlyargs.len() as u32;
        u.kwonlyargcount = args.kwonlyargs.len() as u32;
        u.flags |= CodeFlags::OPTIMIZED | CodeFlags::NEWLOCALS;
        if args.vararg.is_some() {
            u.flags |= CodeFlags::VARARGS;
        }
        if args.kwarg.is_some() {
            u.flags |= CodeFlags::VARKEYWORDS;
        }
        if is_gen {
            u.flags |= CodeFlags::GENERATOR;
        }
    }

    fn function_def(
        &mut self,
        s: &Stmt<'_>,
        name: &str,
        args: &Arguments<'_>,
        body: &[Stmt<'_>],
        decorators: &[Expr<'_>],
    ) -> R {
        for d in decorators {
            self.expr(d)?;
            self.emit(PUSH_NULL, 0);
        }
        self.set_pos(s.span);
        let flags = self.defaults(args)?;
        let scope = self.st.scope_for(s).expect("function scope");
        let qual = self.qualname(name);
        let first_line = decorators.first().map_or(s.span.lineno, |d| d.span.lineno);
        self.new_unit(scope, name, qual, first_line);
        self.set_arg_counts(args, scope);
        // co_consts[0] is the docstring (or None), as in CPython.
        let doc = docstring(body);
        self.u()
            .add_const(doc.map_or(Constant::None, Constant::str));
        let rest = if doc.is_some() { &body[1..] } else { body };
        self.prologue(scope);
        for st in rest {
            self.stmt(st)?;
        }
        self.implicit_return(body.last().map(|l| l.span));
        self.make_function(flags, s.span)?;
        for d in decorators.iter().rev() {
            self.set_pos(d.span);
            self.emit(CALL, 1);
        }
        self.set_pos(s.span);
        self.name_op(name, Ctx::Store);
        Ok(())
    }

    /// COPY_FREE_VARS, MAKE_CELL for each cell, RETURN_GENERATOR: CPython's prefix order.
    fn prologue(&mut self, scope: usize) {
        let saved = self.u().pos;
        self.u().pos = Position::line(self.u().first_line);
        let nfree = self.st.scopes[scope].freevars().len() as u32;
        if nfree > 0 {
            self.emit(COPY_FREE_VARS, nfree);
        }
        for i in 0..self.st.scopes[scope].cellvars().len() as u32 {
            self.emit(MAKE_CELL, i);
        }
        if self.st.scopes[scope].is_generator {
            self.emit(RETURN_GENERATOR, 0);
        }
        self.u().pos = saved;
    }

    fn implicit_return(&mut self, last: Option<Span>) {
        if let Some(sp) = last {
            self.set_pos(sp);
        }
        let i = self.u().add_const(Constant::None);
        self.emit(RETURN_CONST, i);
    }

    fn lambda(&mut self, e: &Expr<'_>, args: &Arguments<'_>, body: &Expr<'_>) -> R {
        let flags = self.defaults(args)?;
        let scope = self.st.scope_for(e).expect("lambda scope");
        let qual = self.qualname("<lambda>");
        self.new_unit(scope, "<lambda>", qual, e.span.lineno);
        self.set_arg_counts(args, scope);
        self.prologue(scope);
        if self.st.scopes[scope].is_generator {
            self.expr(body)?;
            self.emit(POP_TOP, 0);
            self.implicit_return(None);
        } else {
            self.expr(body)?;
            self.set_pos(body.span);
            self.emit(RETURN_VALUE, 0);
        }
        self.make_function(flags, e.span)
    }

    fn comprehension(
        &mut self,
        e: &Expr<'_>,
        kind: &str,
        gens: &[Comprehension<'_>],
        elt: &Expr<'_>,
        value: Option<&Expr<'_>>,
    ) -> R {
        if gens.iter().any(|g| g.is_async != 0) {
            return Err(self.err(
                "asynchronous comprehension outside of an asynchronous function",
                e.span,
            ));
        }
        let scope = self.st.scope_for(e).expect("comprehension scope");
        let name = format!("<{kind}>");
        let qual = self.qualname(&name);
        self.new_unit(scope, &name, qual, e.span.lineno);
        self.u().argcount = 1;
        self.u().flags |= CodeFlags::OPTIMIZED | CodeFlags::NEWLOCALS;
        if kind == "genexpr" {
            self.u().flags |= CodeFlags::GENERATOR;
        }
        self.set_pos(e.span);
        self.prologue(scope);
        self.set_pos(e.span);
        match kind {
            "listcomp" => self.emit(BUILD_LIST, 0),
            "setcomp" => self.emit(BUILD_SET, 0),
            "dictcomp" => self.emit(BUILD_MAP, 0),
            _ => {}
        }
        let mut loops = Vec::new();
        for (i, g) in gens.iter().enumerate() {
            if i == 0 {
                self.set_pos(e.span);
                let dot0 = self.u().local_index(".0");
                self.emit(LOAD_FAST, dot0);
            } else {
                self.expr(g.iter)?;
                self.set_pos(g.iter.span);
                self.emit(GET_ITER, 0);
            }
            let start = self.u().new_label();
            let cont = self.u().new_label();
            let end = self.u().new_label();
            self.u().bind(start);
            self.u().jump_to(FOR_ITER, end);
            self.store_target(g.target, Ctx::Store)?;
            for cond in g.ifs {
                self.jump_if(cond, cont, false)?;
            }
            loops.push((start, cont, end, g.iter.span));
        }
        let depth = gens.len() as u32 + 1;
        match kind {
            "genexpr" => {
                self.expr(elt)?;
                self.set_pos(elt.span);
                self.emit(YIELD_VALUE, 0);
                self.emit(POP_TOP, 0);
            }
            "dictcomp" => {
                self.expr(elt)?;
                self.expr(value.expect("dictcomp value"))?;
                self.set_pos(e.span);
                self.emit(MAP_ADD, depth);
            }
            _ => {
                self.expr(elt)?;
                self.set_pos(e.span);
                self.emit(
                    if kind == "listcomp" {
                        LIST_APPEND
                    } else {
                        SET_ADD
                    },
                    depth,
                );
            }
        }
        for (start, cont, end, _span) in loops.into_iter().rev() {
            self.u().bind(cont);
            self.set_pos(e.span);
            self.jump(start);
            self.u().bind(end);
        }
        self.set_pos(e.span);
        if kind == "genexpr" {
            let i = self.u().add_const(Constant::None);
            self.emit(RETURN_CONST, i);
        } else {
            self.emit(RETURN_VALUE, 0);
        }
        self.make_function(0, e.span)?;
        self.emit(PUSH_NULL, 0);
        self.expr(gens[0].iter)?;
        self.set_pos(e.span);
        self.emit(GET_ITER, 0);
        self.emit(CALL, 1);
        Ok(())
    }

    // ----- expressions -----

    /// Jump to `target` (a forward label) if `e`'s truth equals `cond`; fall through otherwise.
    fn jump_if(&mut self, e: &Expr<'_>, target: Label, cond: bool) -> R {
        match &e.kind {
            ExprKind::UnaryOp {
                op: UnaryOp::Not,
                operand,
            } => return self.jump_if(operand, target, !cond),
            ExprKind::BoolOp { op, values } => {
                let is_or = *op == BoolOp::Or;
                let next = if cond == is_or {
                    target
                } else {
                    self.u().new_label()
                };
                for v in &values[..values.len() - 1] {
                    self.jump_if(v, next, is_or)?;
                }
                self.jump_if(&values[values.len() - 1], target, cond)?;
                if next != target {
                    self.u().bind(next);
                }
                return Ok(());
            }
            ExprKind::Compare {
                left,
                ops,
                comparators,
            } if ops.len() == 1
                && matches!(ops[0], CmpOp::Is | CmpOp::IsNot)
                && matches!(
                    comparators[0].kind,
                    ExprKind::Constant {
                        value: crate::ast::Constant::None,
                        ..
                    }
                ) =>
            {
                self.expr(left)?;
                self.set_pos(e.span);
                let is_none = (ops[0] == CmpOp::Is) == cond;
                let op = if is_none {
                    POP_JUMP_IF_NONE
                } else {
                    POP_JUMP_IF_NOT_NONE
                };
                self.u().jump_to(op, target);
                return Ok(());
            }
            ExprKind::Compare {
                left,
                ops,
                comparators,
            } if ops.len() > 1 => {
                self.expr(left)?;
                let cleanup = self.u().new_label();
                let n = ops.len();
                for i in 0..n - 1 {
                    self.expr(&comparators[i])?;
                    self.set_pos(e.span);
                    self.emit(SWAP, 2);
                    self.emit(COPY, 2);
                    self.compare_op(ops[i]);
                    self.u().jump_to(POP_JUMP_IF_FALSE, cleanup);
                }
                self.expr(&comparators[n - 1])?;
                self.set_pos(e.span);
                self.compare_op(ops[n - 1]);
                self.u().jump_to(
                    if cond {
                        POP_JUMP_IF_TRUE
                    } else {
                        POP_JUMP_IF_FALSE
                    },
                    target,
                );
                let end = self.u().new_label();
                self.jump(end);
                self.u().bind(cleanup);
                self.emit(POP_TOP, 0);
                if !cond {
                    self.jump(target);
                }
                self.u().bind(end);
                return Ok(());
            }
            _ => {}
        }
        if let Some(c) = fold::fold(e).as_ref().and_then(fold::truth) {
            if c == cond {
                self.jump(target);
            }
            return Ok(());
        }
        self.expr(e)?;
        self.set_pos(e.span);
        self.u().jump_to(
            if cond {
                POP_JUMP_IF_TRUE
            } else {
                POP_JUMP_IF_FALSE
            },
            target,
        );
        Ok(())
    }

    fn compare_op(&mut self, op: CmpOp) {
        let (o, a) = match op {
            CmpOp::Eq => (COMPARE_OP, CompareOp::Eq as u32),
            CmpOp::NotEq => (COMPARE_OP, CompareOp::Ne as u32),
            CmpOp::Lt => (COMPARE_OP, CompareOp::Lt as u32),
            CmpOp::LtE => (COMPARE_OP, CompareOp::Le as u32),
            CmpOp::Gt => (COMPARE_OP, CompareOp::Gt as u32),
            CmpOp::GtE => (COMPARE_OP, CompareOp::Ge as u32),
            CmpOp::Is => (IS_OP, 0),
            CmpOp::IsNot => (IS_OP, 1),
            CmpOp::In => (CONTAINS_OP, 0),
            CmpOp::NotIn => (CONTAINS_OP, 1),
        };
        self.emit(o, a);
    }

    fn expr(&mut self, e: &Expr<'_>) -> R {
        if let Some(c) = fold::fold(e) {
            self.set_pos(e.span);
            self.load_const(c);
            return Ok(());
        }
        self.set_pos(e.span);
        use ExprKind as E;
        match &e.kind {
            E::BoolOp { op, values } => {
                let end = self.u().new_label();
                let jop = if *op == BoolOp::And {
                    JUMP_IF_FALSE_OR_POP
                } else {
                    JUMP_IF_TRUE_OR_POP
                };
                for v in &values[..values.len() - 1] {
                    self.expr(v)?;
                    self.set_pos(e.span);
                    self.u().jump_to(jop, end);
                }
                self.expr(&values[values.len() - 1])?;
                self.u().bind(end);
            }
            E::NamedExpr { target, value } => {
                self.expr(value)?;
                self.set_pos(e.span);
                self.emit(COPY, 1);
                self.store_target(target, Ctx::Store)?;
            }
            E::BinOp { left, op, right } => {
                self.expr(left)?;
                self.expr(right)?;
                self.set_pos(e.span);
                self.emit(BINARY_OP, binop(*op, false) as u32);
            }
            E::UnaryOp { op, operand } => {
                self.expr(operand)?;
                self.set_pos(e.span);
                self.emit(
                    match op {
                        UnaryOp::Invert => UNARY_INVERT,
                        UnaryOp::Not => UNARY_NOT,
                        UnaryOp::UAdd => UNARY_POSITIVE,
                        UnaryOp::USub => UNARY_NEGATIVE,
                    },
                    0,
                );
            }
            E::Lambda { args, body } => self.lambda(e, args, body)?,
            E::IfExp { test, body, orelse } => {
                let els = self.u().new_label();
                let end = self.u().new_label();
                self.jump_if(test, els, false)?;
                self.expr(body)?;
                self.jump(end);
                self.u().bind(els);
                self.expr(orelse)?;
                self.u().bind(end);
            }
            E::Dict { keys, values } => self.dict(e, keys, values)?,
            E::Set { elts } => {
                // --- langdata --- BUILD_SET hashes, so it can raise: give it the display's
                // position as CPython does.
                let starred = elts
                    .iter()
                    .any(|x| matches!(x.kind, ExprKind::Starred { .. }));
                let constant = elts.len() >= 3 && elts.iter().all(|x| fold::fold(x).is_some());
                if !starred && !constant {
                    for x in elts.iter() {
                        self.expr(x)?;
                    }
                    self.set_pos(e.span);
                    self.emit(BUILD_SET, elts.len() as u32);
                } else {
                    self.sequence(e.span, elts, BUILD_SET, SET_ADD, SET_UPDATE, false)?
                }
            }
            E::List { elts, .. } => {
                self.sequence(e.span, elts, BUILD_LIST, LIST_APPEND, LIST_EXTEND, false)?
            }
            E::Tuple { elts, .. } => {
                self.sequence(e.span, elts, BUILD_TUPLE, LIST_APPEND, LIST_EXTEND, true)?
            }
            E::ListComp { elt, generators } => {
                self.comprehension(e, "listcomp", generators, elt, None)?
            }
            E::SetComp { elt, generators } => {
                self.comprehension(e, "setcomp", generators, elt, None)?
            }
            E::DictComp {
                key,
                value,
                generators,
            } => self.comprehension(e, "dictcomp", generators, key, Some(value))?,
            E::GeneratorExp { elt, generators } => {
                self.comprehension(e, "genexpr", generators, elt, None)?
            }
            E::Await { .. } => {
                let msg = if self.scope().kind.is_function() {
                    "'await' outside async function"
                } else {
                    "'await' outside function"
                };
                return Err(self.err(msg, e.span));
            }
            E::Yield { value } => {
                if !self.scope().kind.is_function() {
                    return Err(self.err("'yield' outside function", e.span));
                }
                match value {
                    Some(v) => self.expr(v)?,
                    None => self.load_const(Constant::None),
                }
                self.set_pos(e.span);
                self.emit(YIELD_VALUE, 0);
            }
            // --- langdata ---
            E::YieldFrom { value } => {
                if !self.scope().kind.is_function() {
                    return Err(self.err("'yield' outside function", e.span));
                }
                self.expr(value)?;
                self.set_pos(e.span);
                self.yield_from();
            }
            E::Compare {
                left,
                ops,
                comparators,
            } => {
                self.expr(left)?;
                if ops.len() == 1 {
                    self.expr(&comparators[0])?;
                    self.set_pos(e.span);
                    self.compare_op(ops[0]);
                } else {
                    let cleanup = self.u().new_label();
                    let end = self.u().new_label();
                    let n = ops.len();
                    for i in 0..n - 1 {
                        self.expr(&comparators[i])?;
                        self.set_pos(e.span);
                        self.emit(SWAP, 2);
                        self.emit(COPY, 2);
                        self.compare_op(ops[i]);
                        self.u().jump_to(JUMP_IF_FALSE_OR_POP, cleanup);
                    }
                    self.expr(&comparators[n - 1])?;
                    self.set_pos(e.span);
                    self.compare_op(ops[n - 1]);
                    self.jump(end);
                    self.u().bind(cleanup);
                    self.emit(SWAP, 2);
                    self.emit(POP_TOP, 0);
                    self.u().bind(end);
                }
            }
            E::Call {
                func,
                args,
                keywords,
            } => self.call(e, func, args, keywords)?,
            E::FormattedValue {
                value,
                conversion,
                format_spec,
            } => {
                self.expr(value)?;
                let mut flags = match *conversion {
                    115 => 1, // 's'
                    114 => 2, // 'r'
                    97 => 3,  // 'a'
                    _ => 0,
                };
                if let Some(spec) = format_spec {
                    self.expr(spec)?;
                    flags |= 4;
                }
                self.set_pos(e.span);
                self.emit(FORMAT_VALUE, flags);
            }
            E::JoinedStr { values } => {
                if values.is_empty() {
                    self.load_const(Constant::str(""));
                } else {
                    for v in *values {
                        self.expr(v)?;
                    }
                    if values.len() > 1
                        || !matches!(values[0].kind, ExprKind::FormattedValue { .. })
                    {
                        self.set_pos(e.span);
                        self.emit(BUILD_STRING, values.len() as u32);
                    }
                }
            }
            E::Constant { .. } => {
                return Err(self.unsupported("string literals with lone surrogates", e.span))
            }
            E::Attribute { value, attr, .. } => {
                self.expr(value)?;
                self.set_pos(e.span);
                let i = self.name_operand(attr);
                self.emit(LOAD_ATTR, i);
            }
            E::Subscript { value, slice, .. } => {
                self.expr(value)?;
                if let ExprKind::Slice {
                    lower,
                    upper,
                    step: None,
                } = slice.kind
                {
                    self.slice_bound(lower)?;
                    self.slice_bound(upper)?;
                    self.set_pos(e.span);
                    self.emit(BINARY_SLICE, 0);
                } else {
                    self.expr(slice)?;
                    self.set_pos(e.span);
                    self.emit(BINARY_SUBSCR, 0);
                }
            }
            E::Starred { .. } => return Err(self.err("can't use starred expression here", e.span)),
            E::Name { id, .. } => self.name_op(id, Ctx::Load),
            E::Slice { lower, upper, step } => {
                self.slice_bound(*lower)?;
                self.slice_bound(*upper)?;
                let mut n = 2;
                if let Some(s) = step {
                    self.expr(s)?;
                    n = 3;
                }
                self.set_pos(e.span);
                self.emit(BUILD_SLICE, n);
            }
        }
        Ok(())
    }

    /// List, set and tuple displays (with `*x` items).
    fn sequence(
        &mut self,
        span: Span,
        elts: &[Expr<'_>],
        build: Opcode,
        add: Opcode,
        extend: Opcode,
        tuple: bool,
    ) -> R {
        let starred = elts
            .iter()
            .any(|e| matches!(e.kind, ExprKind::Starred { .. }));
        if !starred {
            // Three or more constants: build from a constant tuple (CPython's layout).
            if build != BUILD_TUPLE && elts.len() >= 3 {
                let folded: Option<Vec<Constant>> = elts.iter().map(fold::fold).collect();
                if let Some(cs) = folded {
                    self.emit(build, 0);
                    if build == BUILD_SET {
                        self.load_const(Constant::FrozenSet(cs.into()));
                    } else {
                        self.load_const(Constant::Tuple(cs.into()));
                    }
                    self.emit(extend, 1);
                    return Ok(());
                }
            }
            for x in elts {
                self.expr(x)?;
            }
            self.emit(build, elts.len() as u32);
            return Ok(());
        }
        // Starred items: accumulate into a list (or set), then convert.
        let (build, add, extend) = if tuple {
            (BUILD_LIST, LIST_APPEND, LIST_EXTEND)
        } else {
            (build, add, extend)
        };
        self.emit(build, 0);
        for x in elts {
            match &x.kind {
                ExprKind::Starred { value, .. } => {
                    self.expr(value)?;
                    // langdata: the extend raises for a non-iterable, at the display's position.
                    self.set_pos(span);
                    self.emit(extend, 1);
                }
                _ => {
                    self.expr(x)?;
                    self.emit(add, 1);
                }
            }
        }
        if tuple {
            self.emit(LIST_TO_TUPLE, 0);
        }
        Ok(())
    }

    fn dict(&mut self, e: &Expr<'_>, keys: &[Option<Expr<'_>>], values: &[Expr<'_>]) -> R {
        let has_unpack = keys.iter().any(|k| k.is_none());
        if !has_unpack {
            let folded: Option<Vec<Constant>> =
                keys.iter().map(|k| fold::fold(k.as_ref()?)).collect();
            if let Some(ks) = folded.filter(|k| k.len() > 1) {
                for v in values {
                    self.expr(v)?;
                }
                self.set_pos(e.span);
                self.load_const(Constant::Tuple(ks.into()));
                self.emit(BUILD_CONST_KEY_MAP, values.len() as u32);
                return Ok(());
            }
            for (k, v) in keys.iter().zip(values) {
                self.expr(k.as_ref().expect("no unpack"))?;
                self.expr(v)?;
            }
            self.set_pos(e.span);
            self.emit(BUILD_MAP, values.len() as u32);
            return Ok(());
        }
        self.emit(BUILD_MAP, 0);
        let mut pending = 0;
        for (k, v) in keys.iter().zip(values) {
            match k {
                Some(k) => {
                    self.expr(k)?;
                    self.expr(v)?;
                    pending += 1;
                }
                None => {
                    if pending > 0 {
                        self.emit(BUILD_MAP, pending);
                        self.emit(DICT_UPDATE, 1);
                        pending = 0;
                    }
                    self.expr(v)?;
                    self.emit(DICT_UPDATE, 1);
                }
            }
        }
        if pending > 0 {
            self.emit(BUILD_MAP, pending);
            self.emit(DICT_UPDATE, 1);
        }
        Ok(())
    }

    fn call(
        &mut self,
        e: &Expr<'_>,
        func: &Expr<'_>,
        args: &[Expr<'_>],
        keywords: &[Keyword<'_>],
    ) -> R {
        let dynamic = args
            .iter()
            .any(|a| matches!(a.kind, ExprKind::Starred { .. }))
            || keywords.iter().any(|k| k.arg.is_none());
        match &func.kind {
            ExprKind::Attribute {
                value,
                attr,
                ctx: ExprContext::Load,
            } if !dynamic => {
                self.expr(value)?;
                self.set_pos(func.span);
                let i = self.name_operand(attr);
                self.emit(LOAD_METHOD, i);
            }
            _ => {
                self.expr(func)?;
                self.emit(PUSH_NULL, 0);
            }
        }
        if dynamic {
            match args {
                // `f(*xs)`: CALL_FUNCTION_EX takes any iterable, as CPython 3.11 does.
                [Expr {
                    kind: ExprKind::Starred { value, .. },
                    ..
                }] => self.expr(value)?,
                _ => self.sequence(e.span, args, BUILD_TUPLE, LIST_APPEND, LIST_EXTEND, true)?,
            }
            let has_kw = !keywords.is_empty();
            if has_kw && keywords.iter().all(|k| k.arg.is_some()) {
                // Only named keywords: one dict, no merging.
                for k in keywords {
                    self.load_const(Constant::str(k.arg.unwrap_or_default()));
                    self.expr(k.value)?;
                }
                self.emit(BUILD_MAP, keywords.len() as u32);
            } else if has_kw {
                self.emit(BUILD_MAP, 0);
                let mut pending: Vec<Constant> = Vec::new();
                for k in keywords {
                    match k.arg {
                        Some(name) => {
                            self.load_const(Constant::str(name));
                            self.expr(k.value)?;
                            pending.push(Constant::str(name));
                        }
                        None => {
                            if !pending.is_empty() {
                                self.emit(BUILD_MAP, pending.len() as u32);
                                self.emit(DICT_MERGE, 1);
                                pending.clear();
                            }
                            self.expr(k.value)?;
                            self.set_pos(e.span); // langdata: DICT_MERGE raises at the call
                            self.emit(DICT_MERGE, 1);
                        }
                    }
                }
                if !pending.is_empty() {
                    self.emit(BUILD_MAP, pending.len() as u32);
                    self.emit(DICT_MERGE, 1);
                }
            }
            self.set_pos(e.span);
            self.emit(CALL_FUNCTION_EX, has_kw as u32);
            return Ok(());
        }
        for a in args {
            self.expr(a)?;
        }
        let mut names = Vec::new();
        for k in keywords {
            self.expr(k.value)?;
            let n = k.arg.expect("static keywords");
            if names.iter().any(|c| *c == Constant::str(n)) {
                return Err(self.err(format!("keyword argument repeated: {n}"), k.span));
            }
            names.push(Constant::str(n));
        }
        self.set_pos(e.span);
        if !names.is_empty() {
            let i = self.u().add_const(Constant::Tuple(names.into()));
            self.emit(KW_NAMES, i);
        }
        self.emit(CALL, (args.len() + keywords.len()) as u32);
        Ok(())
    }
}

/// The docstring of a body: its first statement when that is a plain string literal.
fn docstring<'a>(body: &[Stmt<'a>]) -> Option<&'a str> {
    match body.first()?.kind {
        StmtKind::Expr { value } => match value.kind {
            ExprKind::Constant {
                value: crate::ast::Constant::Str(s),
                ..
            } => s.as_str(),
            _ => None,
        },
        _ => None,
    }
}
