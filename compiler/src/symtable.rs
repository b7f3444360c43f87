//! The symbol-table pass: which names each scope binds, and where every name lives (local, cell,
//! free, explicit or implicit global), following CPython 3.11's `Python/symtable.c`.
//!
//! Two phases, as in CPython:
//! 1. a walk over the AST records, per scope, every name with how it is used (assigned, used,
//!    parameter, `global`, `nonlocal`, imported) and the child scopes (functions, lambdas,
//!    classes, comprehensions) in source order;
//! 2. an analysis pass decides each name's [`Scope`], turning locals captured by inner functions
//!    into cells and threading free variables through intermediate scopes.
//!
//! Scoping errors are raised here with CPython's messages and positions ("name 'x' is used prior
//! to global declaration", "nonlocal declaration not allowed at module level", "no binding for
//! nonlocal 'x' found", "'yield' outside function", ...).
//!
//! Scopes are found again by codegen through the address of the AST node that opens them (the
//! arena keeps nodes in place), so codegen needs no walk order contract with this pass.
//! This module knows nothing of bytecode.

use std::collections::{HashMap, HashSet};

use crate::ast::*;
use crate::error::{SyntaxError, SyntaxErrorKind};

/// How a name is used inside one scope (CPython's `DEF_*` flags).
pub mod flags {
    pub const GLOBAL: u32 = 1;
    pub const LOCAL: u32 = 2;
    pub const PARAM: u32 = 4;
    pub const NONLOCAL: u32 = 8;
    pub const USE: u32 = 16;
    pub const IMPORT: u32 = 32;
    pub const ANNOT: u32 = 64;
    /// Bound by a walrus inside a comprehension (binds in the enclosing function).
    pub const COMP_ITER: u32 = 128;
    pub const BOUND: u32 = LOCAL | PARAM | IMPORT;
}

/// Where a name lives, once analysed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Local,
    GlobalExplicit,
    GlobalImplicit,
    Free,
    Cell,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScopeKind {
    Module,
    Function,
    Class,
    Lambda,
    Comprehension,
}

impl ScopeKind {
    /// Function-like scopes use fast locals and can own cells.
    pub fn is_function(self) -> bool {
        matches!(
            self,
            ScopeKind::Function | ScopeKind::Lambda | ScopeKind::Comprehension
        )
    }
}

/// One scope's table.
#[derive(Debug)]
pub struct ScopeTable {
    pub kind: ScopeKind,
    pub name: String,
    /// Names in first-use order with their `flags`.
    pub order: Vec<String>,
    pub flags: HashMap<String, u32>,
    pub scopes: HashMap<String, Scope>,
    /// Parameters in declaration order.
    pub params: Vec<String>,
    pub children: Vec<usize>,
    pub is_generator: bool,
    pub parent: Option<usize>,
    /// Class-body locals that methods capture from an enclosing function (CPython's
    /// `DEF_FREE_CLASS`): local in the class body, yet a free variable of the class code, which
    /// passes the enclosing cell on to the methods' closures.
    pub free_class: Vec<String>,
    /// Span of the `global`/`nonlocal` statement that declared a name (for error positions).
    directives: HashMap<String, Span>,
    /// The class whose name private names (`__x`) are mangled with here: the innermost
    /// enclosing class body, inherited by functions nested in it (CPython's `st_private`).
    pub private: Option<String>,
}

impl ScopeTable {
    fn new(
        kind: ScopeKind,
        name: &str,
        parent: Option<usize>,
        private: Option<String>,
    ) -> ScopeTable {
        ScopeTable {
            kind,
            name: name.to_string(),
            order: Vec::new(),
            flags: HashMap::new(),
            scopes: HashMap::new(),
            params: Vec::new(),
            children: Vec::new(),
            is_generator: false,
            parent,
            free_class: Vec::new(),
            directives: HashMap::new(),
            private,
        }
    }

    /// The analysed scope of `name` (implicit global if never seen here).
    pub fn scope_of(&self, name: &str) -> Scope {
        self.scopes
            .get(name)
            .copied()
            .unwrap_or(Scope::GlobalImplicit)
    }

    /// Cell variables, sorted (CPython's order).
    pub fn cellvars(&self) -> Vec<String> {
        self.sorted_with(Scope::Cell)
    }

    /// Free variables, sorted (CPython's order).
    pub fn freevars(&self) -> Vec<String> {
        let mut v = self.sorted_with(Scope::Free);
        v.extend(self.free_class.iter().cloned());
        v.sort();
        v
    }

    fn sorted_with(&self, s: Scope) -> Vec<String> {
        let mut v: Vec<String> = self
            .scopes
            .iter()
            .filter(|(_, sc)| **sc == s)
            .map(|(n, _)| n.clone())
            .collect();
        v.sort();
        v
    }

    /// Local variable names: parameters first, then other fast locals in first-use order.
    pub fn varnames(&self) -> Vec<String> {
        let mut v = self.params.clone();
        for n in &self.order {
            if self.scopes.get(n) == Some(&Scope::Local) && !v.contains(n) {
                v.push(n.clone());
            }
        }
        v
    }
}

/// The symbol tables of a module: scope 0 is the module.
#[derive(Debug)]
pub struct SymbolTable {
    pub scopes: Vec<ScopeTable>,
    /// AST node address → scope index.
    by_node: HashMap<usize, usize>,
}

impl SymbolTable {
    /// The scope opened by the AST node at `node` (a `FunctionDef`/`ClassDef` statement or a
    /// `Lambda`/comprehension expression).
    pub fn scope_for<T>(&self, node: &T) -> Option<usize> {
        self.by_node.get(&(node as *const T as usize)).copied()
    }
}

/// Build and analyse the symbol tables of a module body. `source` gives the error lines.
pub fn build(body: &[Stmt<'_>], source: &str) -> Result<SymbolTable, SyntaxError> {
    let mut b = Builder {
        scopes: vec![ScopeTable::new(ScopeKind::Module, "top", None, None)],
        by_node: HashMap::new(),
        cur: 0,
        source,
    };
    for s in body {
        b.stmt(s)?;
    }
    let mut table = SymbolTable {
        scopes: b.scopes,
        by_node: b.by_node,
    };
    analyze(&mut table, 0, &HashSet::new(), &HashSet::new(), source)?;
    Ok(table)
}

/// A SyntaxError at `span`, positioned as CPython's compiler positions its errors.
pub fn error_at(source: &str, msg: impl Into<String>, span: Span) -> SyntaxError {
    let line_text = source
        .split_inclusive('\n')
        .nth(span.lineno.saturating_sub(1) as usize)
        .unwrap_or("");
    // CPython's compiler and symbol table report raw UTF-8 byte columns (+1) here, not
    // character offsets as the parser does; the caret output depends on it.
    let chars_before = |_line: &str, col: u32| -> u32 { col };
    let offset = chars_before(line_text, span.col_offset) + 1;
    let mut e = SyntaxError::new(SyntaxErrorKind::SyntaxError, msg, span.lineno, offset)
        .with_text(line_text.trim_end_matches(['\n', '\r']));
    if span.end_lineno == span.lineno {
        e = e.with_end(
            span.end_lineno,
            chars_before(line_text, span.end_col_offset) + 1,
        );
    } else if span.end_lineno > span.lineno {
        let end_text = source
            .split_inclusive('\n')
            .nth(span.end_lineno.saturating_sub(1) as usize)
            .unwrap_or("");
        e = e.with_end(
            span.end_lineno,
            chars_before(end_text, span.end_col_offset) + 1,
        );
    }
    e
}

struct Builder<'s> {
    scopes: Vec<ScopeTable>,
    by_node: HashMap<usize, usize>,
    cur: usize,
    source: &'s str,
}

type R = Result<(), SyntaxError>;

impl<'s> Builder<'s> {
    fn err(&self, msg: impl Into<String>, span: Span) -> SyntaxError {
        error_at(self.source, msg, span)
    }

    /// `name` as the current scope records it (private names mangled).
    fn mangled<'n>(&self, name: &'n str) -> std::borrow::Cow<'n, str> {
        mangle(self.scopes[self.cur].private.as_deref(), name)
    }

    /// The flags the current scope has recorded for `name` so far.
    fn flags_of(&self, name: &str) -> u32 {
        let key = self.mangled(name);
        self.scopes[self.cur]
            .flags
            .get(key.as_ref())
            .copied()
            .unwrap_or(0)
    }

    fn add(&mut self, name: &str, flag: u32, span: Span) -> R {
        let mangled = self.mangled(name).into_owned();
        let sc = &mut self.scopes[self.cur];
        let old = sc.flags.get(&mangled).copied();
        if flag & flags::PARAM != 0 && old.is_some_and(|o| o & flags::PARAM != 0) {
            return Err(self.err(
                format!("duplicate argument '{name}' in function definition"),
                span,
            ));
        }
        if old.is_none() {
            sc.order.push(mangled.clone());
        }
        *sc.flags.entry(mangled.clone()).or_insert(0) |= flag;
        if flag & flags::PARAM != 0 {
            sc.params.push(mangled);
        }
        Ok(())
    }

    fn enter(&mut self, kind: ScopeKind, name: &str, node: usize) -> usize {
        let id = self.scopes.len();
        let private = if kind == ScopeKind::Class {
            Some(name.to_string())
        } else {
            self.scopes[self.cur].private.clone()
        };
        self.scopes
            .push(ScopeTable::new(kind, name, Some(self.cur), private));
        self.scopes[self.cur].children.push(id);
        self.by_node.insert(node, id);
        let prev = self.cur;
        self.cur = id;
        prev
    }

    fn stmts(&mut self, body: &[Stmt<'_>]) -> R {
        for s in body {
            self.stmt(s)?;
        }
        Ok(())
    }

    fn stmt(&mut self, s: &Stmt<'_>) -> R {
        use StmtKind as S;
        match &s.kind {
            S::FunctionDef {
                name,
                args,
                body,
                decorator_list,
                returns,
                ..
            }
            | S::AsyncFunctionDef {
                name,
                args,
                body,
                decorator_list,
                returns,
                ..
            } => {
                self.add(name, flags::LOCAL, s.span)?;
                self.exprs(decorator_list)?;
                self.arg_defaults(args)?;
                self.annotations(args)?;
                if let Some(r) = returns {
                    self.expr(r)?;
                }
                let prev = self.enter(ScopeKind::Function, name, s as *const Stmt as usize);
                self.params(args)?;
                self.stmts(body)?;
                self.cur = prev;
            }
            S::ClassDef {
                name,
                bases,
                keywords,
                body,
                decorator_list,
            } => {
                self.add(name, flags::LOCAL, s.span)?;
                self.exprs(decorator_list)?;
                self.exprs(bases)?;
                for k in *keywords {
                    self.expr(k.value)?;
                }
                let prev = self.enter(ScopeKind::Class, name, s as *const Stmt as usize);
                self.stmts(body)?;
                self.cur = prev;
            }
            S::Return { value } => {
                if let Some(v) = value {
                    self.expr(v)?;
                }
            }
            S::Delete { targets } => self.exprs(targets)?,
            S::Assign { targets, value, .. } => {
                self.exprs(targets)?;
                self.expr(value)?;
            }
            S::AugAssign { target, value, .. } => {
                self.expr(target)?;
                if let ExprKind::Name { id, .. } = target.kind {
                    // An augmented assignment both uses and binds its target.
                    self.add(id, flags::USE, target.span)?;
                }
                self.expr(value)?;
            }
            S::AnnAssign {
                target,
                annotation,
                value,
                simple,
            } => {
                if let ExprKind::Name { id, .. } = target.kind {
                    let cur = self.flags_of(id);
                    if cur & (flags::GLOBAL | flags::NONLOCAL) != 0 && *simple == 1 {
                        let which = if cur & flags::GLOBAL != 0 {
                            "global"
                        } else {
                            "nonlocal"
                        };
                        return Err(
                            self.err(format!("annotated name '{id}' can't be {which}"), s.span)
                        );
                    }
                    self.add(id, flags::ANNOT | flags::LOCAL, target.span)?;
                } else {
                    self.expr(target)?;
                }
                self.expr(annotation)?;
                if let Some(v) = value {
                    self.expr(v)?;
                }
            }
            S::For {
                target,
                iter,
                body,
                orelse,
                ..
            }
            | S::AsyncFor {
                target,
                iter,
                body,
                orelse,
                ..
            } => {
                self.expr(target)?;
                self.expr(iter)?;
                self.stmts(body)?;
                self.stmts(orelse)?;
            }
            S::While { test, body, orelse } | S::If { test, body, orelse } => {
                self.expr(test)?;
                self.stmts(body)?;
                self.stmts(orelse)?;
            }
            S::With { items, body, .. } | S::AsyncWith { items, body, .. } => {
                for it in *items {
                    self.expr(it.context_expr)?;
                    if let Some(v) = it.optional_vars {
                        self.expr(v)?;
                    }
                }
                self.stmts(body)?;
            }
            S::Match { subject, cases } => {
                self.expr(subject)?;
                for c in *cases {
                    self.pattern(c.pattern)?;
                    if let Some(g) = c.guard {
                        self.expr(g)?;
                    }
                    self.stmts(c.body)?;
                }
            }
            S::Raise { exc, cause } => {
                if let Some(e) = exc {
                    self.expr(e)?;
                }
                if let Some(c) = cause {
                    self.expr(c)?;
                }
            }
            S::Try {
                body,
                handlers,
                orelse,
                finalbody,
            }
            | S::TryStar {
                body,
                handlers,
                orelse,
                finalbody,
            } => {
                self.stmts(body)?;
                for h in *handlers {
                    if let Some(t) = h.type_ {
                        self.expr(t)?;
                    }
                    if let Some(n) = h.name {
                        self.add(n, flags::LOCAL, h.span)?;
                    }
                    self.stmts(h.body)?;
                }
                self.stmts(orelse)?;
                self.stmts(finalbody)?;
            }
            S::Assert { test, msg } => {
                self.expr(test)?;
                if let Some(m) = msg {
                    self.expr(m)?;
                }
            }
            S::Import { names } | S::ImportFrom { names, .. } => {
                for a in *names {
                    if a.name == "*" {
                        if self.scopes[self.cur].kind != ScopeKind::Module {
                            return Err(self.err("import * only allowed at module level", s.span));
                        }
                        continue;
                    }
                    let bound = match a.asname {
                        Some(n) => n,
                        None => a.name.split('.').next().unwrap_or(a.name),
                    };
                    self.add(bound, flags::IMPORT, a.span)?;
                }
            }
            S::Global { names } => {
                for n in *names {
                    let cur = self.flags_of(n);
                    if cur & (flags::PARAM | flags::LOCAL | flags::USE | flags::ANNOT) != 0 {
                        let msg = if cur & flags::PARAM != 0 {
                            format!("name '{n}' is parameter and global")
                        } else if cur & flags::USE != 0 {
                            format!("name '{n}' is used prior to global declaration")
                        } else if cur & flags::ANNOT != 0 {
                            format!("annotated name '{n}' can't be global")
                        } else {
                            format!("name '{n}' is assigned to before global declaration")
                        };
                        return Err(self.err(msg, s.span));
                    }
                    self.add(n, flags::GLOBAL, s.span)?;
                    let key = self.mangled(n).into_owned();
                    self.scopes[self.cur]
                        .directives
                        .entry(key)
                        .or_insert(s.span);
                }
            }
            S::Nonlocal { names } => {
                if self.scopes[self.cur].kind == ScopeKind::Module {
                    return Err(
                        self.err("nonlocal declaration not allowed at module level", s.span)
                    );
                }
                for n in *names {
                    let cur = self.flags_of(n);
                    if cur & (flags::PARAM | flags::LOCAL | flags::USE | flags::ANNOT) != 0 {
                        let msg = if cur & flags::PARAM != 0 {
                            format!("name '{n}' is parameter and nonlocal")
                        } else if cur & flags::USE != 0 {
                            format!("name '{n}' is used prior to nonlocal declaration")
                        } else if cur & flags::ANNOT != 0 {
                            format!("annotated name '{n}' can't be nonlocal")
                        } else {
                            format!("name '{n}' is assigned to before nonlocal declaration")
                        };
                        return Err(self.err(msg, s.span));
                    }
                    self.add(n, flags::NONLOCAL, s.span)?;
                    let key = self.mangled(n).into_owned();
                    self.scopes[self.cur]
                        .directives
                        .entry(key)
                        .or_insert(s.span);
                }
            }
            S::Expr { value } => self.expr(value)?,
            S::Pass | S::Break | S::Continue => {}
        }
        Ok(())
    }

    fn pattern(&mut self, p: &Pattern<'_>) -> R {
        use PatternKind as P;
        match &p.kind {
            P::MatchValue { value } => self.expr(value),
            P::MatchSingleton { .. } => Ok(()),
            P::MatchSequence { patterns } | P::MatchOr { patterns } => {
                for q in *patterns {
                    self.pattern(q)?;
                }
                Ok(())
            }
            P::MatchMapping {
                keys,
                patterns,
                rest,
            } => {
                self.exprs(keys)?;
                for q in *patterns {
                    self.pattern(q)?;
                }
                if let Some(r) = rest {
                    self.add(r, flags::LOCAL, p.span)?;
                }
                Ok(())
            }
            P::MatchClass {
                cls,
                patterns,
                kwd_patterns,
                ..
            } => {
                self.expr(cls)?;
                for q in patterns.iter().chain(kwd_patterns.iter()) {
                    self.pattern(q)?;
                }
                Ok(())
            }
            P::MatchStar { name } => match name {
                Some(n) => self.add(n, flags::LOCAL, p.span),
                None => Ok(()),
            },
            P::MatchAs { pattern, name } => {
                if let Some(q) = pattern {
                    self.pattern(q)?;
                }
                match name {
                    Some(n) => self.add(n, flags::LOCAL, p.span),
                    None => Ok(()),
                }
            }
        }
    }

    fn arg_defaults(&mut self, a: &Arguments<'_>) -> R {
        self.exprs(a.defaults)?;
        for d in a.kw_defaults.iter().flatten() {
            self.expr(d)?;
        }
        Ok(())
    }

    fn annotations(&mut self, a: &Arguments<'_>) -> R {
        let all = a
            .posonlyargs
            .iter()
            .chain(a.args)
            .chain(a.vararg)
            .chain(a.kwonlyargs)
            .chain(a.kwarg);
        for arg in all {
            if let Some(an) = arg.annotation {
                self.expr(an)?;
            }
        }
        Ok(())
    }

    fn params(&mut self, a: &Arguments<'_>) -> R {
        for arg in a.posonlyargs.iter().chain(a.args).chain(a.kwonlyargs) {
            self.add(arg.arg, flags::PARAM, arg.span)?;
        }
        // CPython's varnames order: positional, keyword-only, *args, **kwargs.
        if let Some(v) = a.vararg {
            self.add(v.arg, flags::PARAM, v.span)?;
        }
        if let Some(k) = a.kwarg {
            self.add(k.arg, flags::PARAM, k.span)?;
        }
        Ok(())
    }

    fn exprs(&mut self, es: &[Expr<'_>]) -> R {
        for e in es {
            self.expr(e)?;
        }
        Ok(())
    }

    fn expr(&mut self, e: &Expr<'_>) -> R {
        use ExprKind as E;
        match &e.kind {
            E::BoolOp { values, .. } => self.exprs(values)?,
            E::NamedExpr { target, value } => {
                self.expr(value)?;
                if let ExprKind::Name { id, .. } = target.kind {
                    self.walrus_target(id, target.span)?;
                }
            }
            E::BinOp { left, right, .. } => {
                self.expr(left)?;
                self.expr(right)?;
            }
            E::UnaryOp { operand, .. } => self.expr(operand)?,
            E::Lambda { args, body } => {
                self.arg_defaults(args)?;
                let prev = self.enter(ScopeKind::Lambda, "lambda", e as *const Expr as usize);
                self.params(args)?;
                self.expr(body)?;
                self.cur = prev;
            }
            E::IfExp { test, body, orelse } => {
                self.expr(test)?;
                self.expr(body)?;
                self.expr(orelse)?;
            }
            E::Dict { keys, values } => {
                for k in keys.iter().flatten() {
                    self.expr(k)?;
                }
                self.exprs(values)?;
            }
            E::Set { elts } => self.exprs(elts)?,
            E::ListComp { elt, generators } => {
                self.comprehension(e, "listcomp", generators, elt, None)?
            }
            E::SetComp { elt, generators } => {
                self.comprehension(e, "setcomp", generators, elt, None)?
            }
            E::GeneratorExp { elt, generators } => {
                self.comprehension(e, "genexpr", generators, elt, None)?
            }
            E::DictComp {
                key,
                value,
                generators,
            } => self.comprehension(e, "dictcomp", generators, key, Some(value))?,
            E::Await { value } => self.expr(value)?,
            E::Yield { value } => {
                if let Some(v) = value {
                    self.expr(v)?;
                }
                self.yield_here(e.span, "yield")?;
            }
            E::YieldFrom { value } => {
                self.expr(value)?;
                self.yield_here(e.span, "yield")?;
            }
            E::Compare {
                left, comparators, ..
            } => {
                self.expr(left)?;
                self.exprs(comparators)?;
            }
            E::Call {
                func,
                args,
                keywords,
            } => {
                self.expr(func)?;
                self.exprs(args)?;
                for k in *keywords {
                    self.expr(k.value)?;
                }
            }
            E::FormattedValue {
                value, format_spec, ..
            } => {
                self.expr(value)?;
                if let Some(f) = format_spec {
                    self.expr(f)?;
                }
            }
            E::JoinedStr { values } => self.exprs(values)?,
            E::Constant { .. } => {}
            E::Attribute { value, .. } => self.expr(value)?,
            E::Subscript { value, slice, .. } => {
                self.expr(value)?;
                self.expr(slice)?;
            }
            E::Starred { value, .. } => self.expr(value)?,
            E::Name { id, ctx } => {
                let f = match ctx {
                    ExprContext::Load => flags::USE,
                    _ => flags::LOCAL,
                };
                self.add(id, f, e.span)?;
                // --- classes --- `super()` in a function needs the implicit `__class__` cell.
                if *id == "super"
                    && *ctx == ExprContext::Load
                    && self.scopes[self.cur].kind.is_function()
                {
                    self.add("__class__", flags::USE, e.span)?;
                }
            }
            E::List { elts, .. } | E::Tuple { elts, .. } => self.exprs(elts)?,
            E::Slice { lower, upper, step } => {
                for x in [lower, upper, step].into_iter().flatten() {
                    self.expr(x)?;
                }
            }
        }
        Ok(())
    }

    fn yield_here(&mut self, span: Span, what: &str) -> R {
        let sc = &mut self.scopes[self.cur];
        match sc.kind {
            ScopeKind::Module | ScopeKind::Class => {
                Err(self.err(format!("'{what}' outside function"), span))
            }
            ScopeKind::Comprehension => {
                let what = match sc.name.as_str() {
                    "listcomp" => "list comprehension",
                    "setcomp" => "set comprehension",
                    "dictcomp" => "dict comprehension",
                    _ => "generator expression",
                };
                Err(self.err(format!("'yield' inside {what}"), span))
            }
            _ => {
                sc.is_generator = true;
                Ok(())
            }
        }
    }

    /// `x := v` inside comprehensions binds `x` in the nearest enclosing non-comprehension scope.
    fn walrus_target(&mut self, id: &str, span: Span) -> R {
        if self.scopes[self.cur].kind != ScopeKind::Comprehension {
            return self.add(id, flags::LOCAL, span);
        }
        let mut i = self.cur;
        while self.scopes[i].kind == ScopeKind::Comprehension {
            i = self.scopes[i].parent.expect("comprehension has a parent");
        }
        let outer_kind = self.scopes[i].kind;
        if outer_kind == ScopeKind::Class {
            return Err(self.err(
                "assignment expression within a comprehension cannot be used in a class body",
                span,
            ));
        }
        let prev = self.cur;
        self.cur = i;
        self.add(id, flags::LOCAL, span)?;
        self.cur = prev;
        let f = if outer_kind == ScopeKind::Module {
            flags::GLOBAL
        } else {
            flags::NONLOCAL
        };
        self.add(id, f | flags::COMP_ITER, span)
    }

    fn comprehension(
        &mut self,
        e: &Expr<'_>,
        name: &str,
        gens: &[Comprehension<'_>],
        elt: &Expr<'_>,
        value: Option<&Expr<'_>>,
    ) -> R {
        // The first iterable is evaluated in the enclosing scope.
        self.expr(gens[0].iter)?;
        let prev = self.enter(ScopeKind::Comprehension, name, e as *const Expr as usize);
        if name == "genexpr" {
            self.scopes[self.cur].is_generator = true;
        }
        self.add(".0", flags::PARAM, e.span)?;
        for (i, g) in gens.iter().enumerate() {
            if i > 0 {
                self.expr(g.iter)?;
            }
            self.comp_target(g.target)?;
            self.exprs(g.ifs)?;
        }
        if let Some(v) = value {
            self.expr(elt)?;
            self.expr(v)?;
        } else {
            self.expr(elt)?;
        }
        self.cur = prev;
        Ok(())
    }

    fn comp_target(&mut self, t: &Expr<'_>) -> R {
        self.expr(t)
    }
}

/// CPython's `_Py_Mangle`: inside a class (and everything nested in it), a name `__x` that does
/// not end in `__` and has no dot becomes `_Class__x`, with the class name's leading
/// underscores stripped (a class named only underscores mangles nothing).
pub fn mangle<'n>(private: Option<&str>, name: &'n str) -> std::borrow::Cow<'n, str> {
    let Some(class) = private else {
        return name.into();
    };
    if !name.starts_with("__") || name.ends_with("__") || name.contains('.') {
        return name.into();
    }
    let class = class.trim_start_matches('_');
    if class.is_empty() {
        return name.into();
    }
    format!("_{class}{name}").into()
}

/// Phase 2: decide every name's scope. Returns the names free in `id` (needed from outside).
fn analyze(
    t: &mut SymbolTable,
    id: usize,
    bound: &HashSet<String>,
    globals: &HashSet<String>,
    source: &str,
) -> Result<HashSet<String>, SyntaxError> {
    let kind = t.scopes[id].kind;
    let mut local: HashSet<String> = HashSet::new();
    let mut explicit_global: HashSet<String> = HashSet::new();
    let mut scopes: HashMap<String, Scope> = HashMap::new();
    for name in t.scopes[id].order.clone() {
        let f = t.scopes[id].flags[&name];
        if f & flags::GLOBAL != 0 && f & flags::NONLOCAL != 0 {
            let span = t.scopes[id]
                .directives
                .get(&name)
                .copied()
                .unwrap_or_default();
            return Err(error_at(
                source,
                format!("name '{name}' is nonlocal and global"),
                span,
            ));
        }
        let sc = if f & flags::GLOBAL != 0 {
            explicit_global.insert(name.clone());
            Scope::GlobalExplicit
        } else if f & flags::NONLOCAL != 0 {
            if !bound.contains(&name) {
                let span = t.scopes[id]
                    .directives
                    .get(&name)
                    .copied()
                    .unwrap_or_default();
                return Err(error_at(
                    source,
                    format!("no binding for nonlocal '{name}' found"),
                    span,
                ));
            }
            Scope::Free
        } else if f & flags::BOUND != 0 {
            local.insert(name.clone());
            Scope::Local
        } else if kind != ScopeKind::Module && bound.contains(&name) {
            Scope::Free
        } else if globals.contains(&name) {
            Scope::GlobalExplicit
        } else {
            Scope::GlobalImplicit
        };
        scopes.insert(name, sc);
    }
    // What the children see.
    let (new_bound, new_globals) = if kind.is_function() {
        let mut nb = bound.clone();
        nb.extend(local.iter().cloned());
        for n in &explicit_global {
            nb.remove(n);
        }
        let mut ng = globals.clone();
        for n in &local {
            ng.remove(n);
        }
        ng.extend(explicit_global.iter().cloned());
        (nb, ng)
    } else {
        let mut ng = globals.clone();
        ng.extend(explicit_global.iter().cloned());
        if kind == ScopeKind::Module {
            (HashSet::new(), ng)
        } else {
            // --- classes --- methods see the class's implicit `__class__` cell.
            let mut nb = bound.clone();
            nb.insert("__class__".to_string());
            (nb, ng)
        }
    };
    let mut child_free: HashSet<String> = HashSet::new();
    let mut free_class: Vec<String> = Vec::new();
    for c in t.scopes[id].children.clone() {
        child_free.extend(analyze(t, c, &new_bound, &new_globals, source)?);
    }
    for name in child_free {
        if kind == ScopeKind::Class && name == "__class__" {
            // --- classes --- the class body owns the `__class__` cell (CPython's
            // `ste_needs_class_closure`).
            scopes.insert(name, Scope::Cell);
            continue;
        }
        match scopes.get(&name).copied() {
            Some(Scope::Local) if kind.is_function() => {
                scopes.insert(name, Scope::Cell);
            }
            Some(Scope::Cell) | Some(Scope::Free) => {}
            _ if kind == ScopeKind::Module => {}
            Some(Scope::GlobalExplicit) => {}
            Some(Scope::Local) => {
                // A class body's local captured by a method: the method sees the enclosing
                // function's binding, which passes through the class as a free variable.
                if !free_class.contains(&name) {
                    free_class.push(name);
                }
            }
            _ => {
                scopes.insert(name, Scope::Free);
            }
        }
    }
    let mut free: HashSet<String> = scopes
        .iter()
        .filter(|(_, s)| **s == Scope::Free)
        .map(|(n, _)| n.clone())
        .collect();
    free.extend(free_class.iter().cloned());
    t.scopes[id].scopes = scopes;
    t.scopes[id].free_class = free_class;
    Ok(free)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::{parse, ParseOptions};

    fn table(src: &str) -> SymbolTable {
        let arena = bumpalo::Bump::new();
        let tree = parse(&arena, src, ParseOptions::default()).expect("parses");
        let Mod::Module { body, .. } = tree else {
            panic!("module")
        };
        build(body, src).expect("no scoping error")
    }

    fn scope_named<'t>(t: &'t SymbolTable, name: &str) -> &'t ScopeTable {
        t.scopes.iter().find(|s| s.name == name).expect("scope")
    }

    #[test]
    fn cells_frees_and_pass_through() {
        let t = table(
            "def f(a):\n    b = 1\n    def g():\n        def h():\n            return a + b + c\n        return h\n    return g\n",
        );
        let f = scope_named(&t, "f");
        assert_eq!(f.cellvars(), ["a", "b"]);
        assert_eq!(f.varnames(), ["a", "g"]);
        let g = scope_named(&t, "g");
        assert_eq!(g.freevars(), ["a", "b"], "g passes a and b through to h");
        let h = scope_named(&t, "h");
        assert_eq!(h.scope_of("a"), Scope::Free);
        assert_eq!(h.scope_of("c"), Scope::GlobalImplicit);
    }

    #[test]
    fn global_nonlocal_and_comprehensions() {
        let t = table(
            "x = 0\ndef f():\n    global x\n    y = 1\n    def g():\n        nonlocal y\n        y = 2\n    return [x + y for y in range(3)]\n",
        );
        let f = scope_named(&t, "f");
        assert_eq!(f.scope_of("x"), Scope::GlobalExplicit);
        assert_eq!(f.scope_of("y"), Scope::Cell);
        let comp = scope_named(&t, "listcomp");
        assert_eq!(comp.params, [".0"]);
        assert_eq!(
            comp.scope_of("y"),
            Scope::Local,
            "the loop variable is the comprehension's"
        );
        assert_eq!(comp.scope_of("x"), Scope::GlobalExplicit);
        assert_eq!(t.scopes[0].scope_of("x"), Scope::Local);
    }

    #[test]
    fn class_locals_are_invisible_to_methods() {
        let t = table("def f():\n    v = 1\n    class C:\n        v = 2\n        def m(self):\n            return v\n");
        let m = scope_named(&t, "m");
        assert_eq!(m.scope_of("v"), Scope::Free, "m sees f's v, not C's");
        assert_eq!(scope_named(&t, "f").scope_of("v"), Scope::Cell);
    }

    #[test]
    fn scoping_errors_carry_cpython_messages() {
        let cases = [
            (
                "def f():\n    print(x)\n    global x\n",
                "name 'x' is used prior to global declaration",
                3,
            ),
            (
                "nonlocal x\n",
                "nonlocal declaration not allowed at module level",
                1,
            ),
            (
                "def f():\n    nonlocal q\n",
                "no binding for nonlocal 'q' found",
                2,
            ),
            (
                "def f(a, a): pass\n",
                "duplicate argument 'a' in function definition",
                1,
            ),
            ("yield 1\n", "'yield' outside function", 1),
        ];
        for (src, msg, line) in cases {
            let arena = bumpalo::Bump::new();
            let tree = parse(&arena, src, ParseOptions::default()).expect("parses");
            let Mod::Module { body, .. } = tree else {
                panic!("module")
            };
            let e = build(body, src).expect_err(src);
            assert_eq!((e.msg.as_str(), e.lineno), (msg, line), "{src}");
        }
    }
}
