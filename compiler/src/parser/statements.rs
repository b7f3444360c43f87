//! Statements and blocks, and the start rules (`file`, `eval`, `interactive`, `func_type`).

use crate::ast::*;
use crate::tokens::TokenKind as T;

use super::{Kw, PResult, Parser};

type Stmts<'a> = bumpalo::collections::Vec<'a, Stmt<'a>>;

impl<'a> Parser<'a> {
    // ---- start rules ------------------------------------------------------------------------

    pub(crate) fn file(&mut self) -> PResult<Mod<'a>> {
        let mut body = self.vec();
        while !self.at(T::EndMarker) {
            self.statement(&mut body)?;
        }
        let type_ignores = self.arena.alloc_slice_copy(&self.type_ignores);
        Ok(Mod::Module {
            body: body.into_bump_slice(),
            type_ignores,
        })
    }

    pub(crate) fn eval_input(&mut self) -> PResult<Mod<'a>> {
        let body = self.star_expressions()?;
        while self.eat(T::Newline) {}
        if !self.at(T::EndMarker) {
            return Err(self.err_invalid_syntax());
        }
        Ok(Mod::Expression {
            body: self.alloc(body),
        })
    }

    pub(crate) fn interactive(&mut self) -> PResult<Mod<'a>> {
        let mut body = self.vec();
        if !self.eat(T::Newline) && !self.at(T::EndMarker) {
            self.statement(&mut body)?;
        }
        while self.eat(T::Newline) {}
        if !self.at(T::EndMarker) {
            return Err(self.err_invalid_syntax());
        }
        Ok(Mod::Interactive {
            body: body.into_bump_slice(),
        })
    }

    pub(crate) fn func_type_input(&mut self) -> PResult<Mod<'a>> {
        self.expect(T::Lpar)?;
        let mut argtypes = self.vec();
        while !self.at(T::Rpar) {
            // `type_expressions`: `*a` and `**b` contribute just `a` and `b`.
            if self.at(T::Star) || self.at(T::DoubleStar) {
                self.bump();
            }
            argtypes.push(self.expression()?);
            if !self.eat(T::Comma) {
                break;
            }
        }
        self.expect(T::Rpar)?;
        self.expect(T::Rarrow)?;
        let returns = self.expression()?;
        while self.eat(T::Newline) {}
        if !self.at(T::EndMarker) {
            return Err(self.err_invalid_syntax());
        }
        Ok(Mod::FunctionType {
            argtypes: argtypes.into_bump_slice(),
            returns: self.alloc(returns),
        })
    }

    // ---- statements -------------------------------------------------------------------------

    /// One statement (a compound statement, or a line of `;`-separated simple statements),
    /// appended to `body`.
    fn statement(&mut self, body: &mut Stmts<'a>) -> PResult<()> {
        let t = *self.tok();
        let s = match t.kind {
            T::Name => match t.kw {
                Kw::Def => self.function_def(self.pos, &[])?,
                Kw::If => self.if_stmt()?,
                Kw::Class => self.class_def(self.pos, &[])?,
                Kw::With => self.with_stmt(self.pos, false)?,
                Kw::For => self.for_stmt(self.pos, false)?,
                Kw::Try => self.try_stmt()?,
                Kw::While => self.while_stmt()?,
                Kw::Async => {
                    let start = self.bump();
                    match self.kw() {
                        Kw::Def => self.function_def(start, &[])?,
                        Kw::With => self.with_stmt(start, true)?,
                        Kw::For => self.for_stmt(start, true)?,
                        _ => return Err(self.err_invalid_syntax()),
                    }
                }
                Kw::Ident if self.cur_text() == "match" => match self.try_match_stmt()? {
                    Some(s) => s,
                    None => return self.simple_stmts(body),
                },
                _ => return self.simple_stmts(body),
            },
            T::At => self.decorated()?,
            T::Indent => return Err(self.unexpected_indent()),
            _ => return self.simple_stmts(body),
        };
        body.push(s);
        Ok(())
    }

    fn simple_stmts(&mut self, body: &mut Stmts<'a>) -> PResult<()> {
        loop {
            let s = self.simple_stmt()?;
            body.push(s);
            if self.eat(T::Semi) {
                if self.at(T::Newline) {
                    break;
                }
                continue;
            }
            break;
        }
        if !self.eat(T::Newline) {
            if self.at(T::EndMarker) {
                return Ok(());
            }
            let err = self.err_invalid_syntax();
            if self.starts_expression() {
                // CPython's second pass tries `invalid_expression` here, reading on through
                // the next expression; that decides whether an unclosed bracket wins.
                let save = (self.pos, self.depth);
                let _ = self.expression();
                (self.pos, self.depth) = save;
            }
            return Err(err);
        }
        Ok(())
    }

    #[inline]
    fn st(&self, kind: StmtKind<'a>, start: usize) -> Stmt<'a> {
        Stmt {
            kind,
            span: self.span_from(start),
        }
    }

    fn simple_stmt(&mut self) -> PResult<Stmt<'a>> {
        let start = self.pos;
        let kind = match self.kw() {
            Kw::Return => {
                self.bump();
                let value = if self.starts_expression() {
                    Some(self.boxed(Self::star_expressions)?)
                } else {
                    None
                };
                StmtKind::Return { value }
            }
            Kw::Import => return self.import_name(),
            Kw::From => return self.import_from(),
            Kw::Raise => {
                self.bump();
                let mut exc = None;
                let mut cause = None;
                if self.starts_expression() {
                    exc = Some(self.boxed(Self::expression)?);
                    if self.eat_kw(Kw::From) {
                        cause = Some(self.boxed(Self::expression)?);
                    }
                }
                StmtKind::Raise { exc, cause }
            }
            Kw::Pass => {
                self.bump();
                StmtKind::Pass
            }
            Kw::Break => {
                self.bump();
                StmtKind::Break
            }
            Kw::Continue => {
                self.bump();
                StmtKind::Continue
            }
            Kw::Del => {
                self.bump();
                let mut targets = self.vec();
                loop {
                    if self.at(T::Star) {
                        let e = self.star_expression()?;
                        return Err(self.err_at(e.span, "cannot delete starred".into()));
                    }
                    let e = self.primary()?;
                    targets.push(self.to_target(&e, ExprContext::Del)?);
                    if !self.eat(T::Comma) {
                        break;
                    }
                    if matches!(self.kind(), T::Newline | T::Semi | T::EndMarker) {
                        break;
                    }
                }
                if !matches!(self.kind(), T::Newline | T::Semi | T::EndMarker) {
                    return Err(self.err_invalid_syntax());
                }
                StmtKind::Delete {
                    targets: targets.into_bump_slice(),
                }
            }
            Kw::Assert => {
                self.bump();
                let test = self.expression()?;
                let msg = if self.eat(T::Comma) {
                    Some(self.boxed(Self::expression)?)
                } else {
                    None
                };
                StmtKind::Assert {
                    test: self.alloc(test),
                    msg,
                }
            }
            Kw::Global | Kw::Nonlocal => {
                let global = self.at_kw(Kw::Global);
                self.bump();
                let mut names = self.vec();
                loop {
                    let n = self.name()?;
                    names.push(self.identifier(n));
                    if !self.eat(T::Comma) {
                        break;
                    }
                }
                let names = names.into_bump_slice();
                if global {
                    StmtKind::Global { names }
                } else {
                    StmtKind::Nonlocal { names }
                }
            }
            _ => return self.expr_or_assign(),
        };
        Ok(self.st(kind, start))
    }

    /// Expression statements and the three kinds of assignment.
    fn expr_or_assign(&mut self) -> PResult<Stmt<'a>> {
        let start = self.pos;
        if self.at_stmt_keyword() {
            return Err(self.err_invalid_syntax());
        }
        let first = self.yield_or_star_expressions()?;
        match self.kind() {
            T::Colon => {
                let valid_target = matches!(
                    first.kind,
                    ExprKind::Name { .. } | ExprKind::Attribute { .. } | ExprKind::Subscript { .. }
                );
                if !valid_target && !self.peek_starts_expression(1) {
                    // The invalid_ann_assign rules need `':' expression`; otherwise it is a plain
                    // syntax error after the colon.
                    self.bump();
                    return Err(self.err_invalid_syntax());
                }
                let target = match first.kind {
                    ExprKind::Name { .. }
                    | ExprKind::Attribute { .. }
                    | ExprKind::Subscript { .. } => self.to_target(&first, ExprContext::Store)?,
                    ExprKind::Tuple { elts, .. } => {
                        let at = if self.toks[start].kind == T::Lpar {
                            first.span
                        } else {
                            elts[0].span
                        };
                        return Err(self
                            .err_at(at, "only single target (not tuple) can be annotated".into()));
                    }
                    ExprKind::List { .. } => {
                        return Err(self.err_at(
                            first.span,
                            "only single target (not list) can be annotated".into(),
                        ))
                    }
                    _ => {
                        return Err(self.err_at(first.span, "illegal target for annotation".into()))
                    }
                };
                let simple =
                    matches!(first.kind, ExprKind::Name { .. }) && self.toks[start].kind != T::Lpar;
                self.bump();
                let annotation = self.expression()?;
                let value = if self.eat(T::Equal) {
                    Some(self.boxed(Self::yield_or_star_expressions)?)
                } else {
                    None
                };
                Ok(self.st(
                    StmtKind::AnnAssign {
                        target: self.alloc(target),
                        annotation: self.alloc(annotation),
                        value,
                        simple: simple as u32,
                    },
                    start,
                ))
            }
            T::Equal => {
                let mut exprs = self.vec();
                exprs.push(first);
                while self.eat(T::Equal) {
                    exprs.push(self.yield_or_star_expressions()?);
                }
                let value = exprs.pop().unwrap();
                let n = exprs.len();
                let mut targets = self.vec();
                for (i, e) in exprs.iter().enumerate() {
                    // The "maybe '=='" hint applies when the value after this `=` is the last.
                    targets.push(self.assign_target(e, i + 1 == n)?);
                }
                let type_comment = if self.at(T::TypeComment) {
                    Some(self.type_comment())
                } else {
                    None
                };
                Ok(self.st(
                    StmtKind::Assign {
                        targets: targets.into_bump_slice(),
                        value: self.alloc(value),
                        type_comment,
                    },
                    start,
                ))
            }
            k => {
                if let Some(op) = augassign(k) {
                    let target = match first.kind {
                        ExprKind::Name { .. }
                        | ExprKind::Attribute { .. }
                        | ExprKind::Subscript { .. } => {
                            self.to_target(&first, ExprContext::Store)?
                        }
                        _ => {
                            return Err(self.err_at(
                                first.span,
                                format!(
                                    "'{}' is an illegal expression for augmented assignment",
                                    super::errors::expr_name(&first)
                                ),
                            ))
                        }
                    };
                    self.bump();
                    let value = self.yield_or_star_expressions()?;
                    return Ok(self.st(
                        StmtKind::AugAssign {
                            target: self.alloc(target),
                            op,
                            value: self.alloc(value),
                        },
                        start,
                    ));
                }
                if let ExprKind::Name {
                    id: id @ ("print" | "exec"),
                    ..
                } = first.kind
                {
                    if self.starts_expression() {
                        // invalid_legacy_expression: `print "x"`.
                        let b = self.star_expressions()?;
                        return Err(self.err_at(
                            first.span.to(b.span),
                            format!(
                                "Missing parentheses in call to '{id}'. Did you mean {id}(...)?"
                            ),
                        ));
                    }
                }
                Ok(self.st(
                    StmtKind::Expr {
                        value: self.alloc(first),
                    },
                    start,
                ))
            }
        }
    }

    fn import_name(&mut self) -> PResult<Stmt<'a>> {
        let start = self.bump();
        let mut names = self.vec();
        loop {
            let a_start = self.pos;
            let name = self.dotted_name()?;
            let asname = if self.eat_kw(Kw::As) {
                Some(self.name()?)
            } else {
                None
            };
            names.push(Alias {
                name,
                asname,
                span: self.span_from(a_start),
            });
            if !self.eat(T::Comma) {
                break;
            }
        }
        Ok(self.st(
            StmtKind::Import {
                names: names.into_bump_slice(),
            },
            start,
        ))
    }

    /// `a.b.c`, as one identifier (copied into the arena when it has several parts, since the
    /// source may have spaces around the dots).
    fn dotted_name(&mut self) -> PResult<&'a str> {
        let first = self.name()?;
        if !self.at(T::Dot) {
            return Ok(first);
        }
        let mut s = String::from(first);
        while self.eat(T::Dot) {
            s.push('.');
            s.push_str(self.name()?);
        }
        Ok(self.arena.alloc_str(&s))
    }

    fn import_from(&mut self) -> PResult<Stmt<'a>> {
        let start = self.bump();
        let mut level = 0;
        loop {
            match self.kind() {
                T::Dot => level += 1,
                T::Ellipsis => level += 3,
                _ => break,
            }
            self.bump();
        }
        let module = if level == 0 || !self.at_kw(Kw::Import) {
            Some(self.dotted_name()?)
        } else {
            None
        };
        self.expect_kw(Kw::Import)?;
        let mut names = self.vec();
        if self.at(T::Star) {
            let i = self.bump();
            names.push(Alias {
                name: "*",
                asname: None,
                span: self.tok_span(i),
            });
        } else {
            let paren = self.eat(T::Lpar);
            loop {
                let a_start = self.pos;
                let name = self.name()?;
                let asname = if self.eat_kw(Kw::As) {
                    Some(self.name()?)
                } else {
                    None
                };
                names.push(Alias {
                    name,
                    asname,
                    span: self.span_from(a_start),
                });
                if !self.eat(T::Comma) {
                    break;
                }
                if paren && self.at(T::Rpar) {
                    break;
                }
                if !paren && !self.at_name() {
                    return Err(self.err_at(
                        self.toks[self.pos - 1].span,
                        "trailing comma not allowed without surrounding parentheses".into(),
                    ));
                }
            }
            if paren {
                self.expect(T::Rpar)?;
            }
        }
        Ok(self.st(
            StmtKind::ImportFrom {
                module,
                names: names.into_bump_slice(),
                level,
            },
            start,
        ))
    }

    // ---- blocks -----------------------------------------------------------------------------

    /// `block: NEWLINE INDENT statements DEDENT | simple_stmts`. `what` names the statement
    /// for the IndentationError, `head` is the token that began it.
    fn block(&mut self, what: &str, head: usize) -> PResult<&'a [Stmt<'a>]> {
        self.enter()?;
        let r = self.block_inner(what, head);
        self.leave();
        r
    }

    fn block_inner(&mut self, what: &str, head: usize) -> PResult<&'a [Stmt<'a>]> {
        let mut body = self.vec();
        if self.eat(T::Newline) {
            if !self.eat(T::Indent) {
                let line = self.tok_span(head).lineno;
                let at = self.tok().span;
                return Err(self.indentation_error(
                    Span::new(at.lineno, at.col_offset, at.lineno, at.col_offset),
                    format!("expected an indented block after {what} on line {line}"),
                ));
            }
            while !self.at(T::Dedent) && !self.at(T::EndMarker) {
                self.statement(&mut body)?;
            }
            self.eat(T::Dedent);
        } else {
            self.simple_stmts(&mut body)?;
        }
        Ok(body.into_bump_slice())
    }

    /// A `&&':'` of the grammar: "expected ':'" at whatever token is there instead.
    fn expect_forced_colon(&mut self) -> PResult<()> {
        if self.eat(T::Colon) {
            Ok(())
        } else {
            Err(self.err_at(self.tok().span, "expected ':'".into()))
        }
    }

    fn expect_colon(&mut self) -> PResult<()> {
        if self.eat(T::Colon) {
            Ok(())
        } else {
            Err(self.err_expected(T::Colon))
        }
    }

    // ---- compound statements ----------------------------------------------------------------

    fn decorated(&mut self) -> PResult<Stmt<'a>> {
        let mut decorators = self.vec();
        while self.eat(T::At) {
            decorators.push(self.named_expression()?);
            if !self.eat(T::Newline) {
                return Err(self.err_invalid_syntax());
            }
        }
        let decorators = decorators.into_bump_slice();
        let start = self.pos;
        match self.kw() {
            Kw::Def => self.function_def(start, decorators),
            Kw::Class => self.class_def(start, decorators),
            Kw::Async if self.peek_at(1).kw == Kw::Def => {
                self.bump();
                self.function_def(start, decorators)
            }
            _ => Err(self.err_invalid_syntax()),
        }
    }

    /// `def` (the cursor is on `def`; `start` is `def` or the `async` before it).
    fn function_def(&mut self, start: usize, decorator_list: &'a [Expr<'a>]) -> PResult<Stmt<'a>> {
        let is_async = self.toks[start].kw == Kw::Async;
        let head = self.bump();
        let name = self.name()?;
        let name = self.identifier(name);
        if !self.eat(T::Lpar) {
            return Err(self.err_at(self.tok().span, "expected '('".into()));
        }
        let args = self.parameters(false)?;
        self.expect(T::Rpar)?;
        let returns = if self.eat(T::Rarrow) {
            Some(self.boxed(Self::expression)?)
        } else {
            None
        };
        self.expect_colon()?;
        let mut type_comment = None;
        if self.at(T::TypeComment) {
            type_comment = Some(self.type_comment());
        } else if self.at(T::Newline)
            && self.peek_at(1).kind == T::TypeComment
            && self.peek_at(2).kind == T::Newline
            && self.peek_at(3).kind == T::Indent
        {
            self.bump();
            type_comment = Some(self.type_comment());
        }
        let body = self.block("function definition", head)?;
        let args = self.alloc(args);
        let kind = if is_async {
            StmtKind::AsyncFunctionDef {
                name,
                args,
                body,
                decorator_list,
                returns,
                type_comment,
            }
        } else {
            StmtKind::FunctionDef {
                name,
                args,
                body,
                decorator_list,
                returns,
                type_comment,
            }
        };
        Ok(self.st(kind, start))
    }

    fn class_def(&mut self, start: usize, decorator_list: &'a [Expr<'a>]) -> PResult<Stmt<'a>> {
        let head = self.bump();
        let name = self.name()?;
        let name = self.identifier(name);
        let (mut bases, mut keywords): (&[Expr], &[Keyword]) = (&[], &[]);
        if self.at(T::Lpar) {
            let lpar = self.bump();
            (bases, keywords) = self.arguments(lpar, false)?;
            self.expect(T::Rpar)?;
        }
        self.expect_colon()?;
        let body = self.block("class definition", head)?;
        Ok(self.st(
            StmtKind::ClassDef {
                name,
                bases,
                keywords,
                body,
                decorator_list,
            },
            start,
        ))
    }

    fn if_stmt(&mut self) -> PResult<Stmt<'a>> {
        let start = self.bump();
        let test = self.named_expression()?;
        self.expect_colon()?;
        let body = self.block("'if' statement", start)?;
        let orelse = self.elif_or_else()?;
        Ok(self.st(
            StmtKind::If {
                test: self.alloc(test),
                body,
                orelse,
            },
            start,
        ))
    }

    fn elif_or_else(&mut self) -> PResult<&'a [Stmt<'a>]> {
        if self.at_kw(Kw::Elif) {
            let start = self.bump();
            let test = self.named_expression()?;
            self.expect_colon()?;
            let body = self.block("'elif' statement", start)?;
            let orelse = self.elif_or_else()?;
            let s = self.st(
                StmtKind::If {
                    test: self.alloc(test),
                    body,
                    orelse,
                },
                start,
            );
            return Ok(self.arena.alloc_slice_copy(&[s]));
        }
        self.else_block()
    }

    fn else_block(&mut self) -> PResult<&'a [Stmt<'a>]> {
        if self.at_kw(Kw::Else) {
            let head = self.bump();
            self.expect_forced_colon()?;
            return self.block("'else' statement", head);
        }
        Ok(&[])
    }

    fn while_stmt(&mut self) -> PResult<Stmt<'a>> {
        let start = self.bump();
        let test = self.named_expression()?;
        self.expect_colon()?;
        let body = self.block("'while' statement", start)?;
        let orelse = self.else_block()?;
        Ok(self.st(
            StmtKind::While {
                test: self.alloc(test),
                body,
                orelse,
            },
            start,
        ))
    }

    fn for_stmt(&mut self, start: usize, is_async: bool) -> PResult<Stmt<'a>> {
        let head = self.bump();
        let target = self.star_targets()?;
        if !self.eat_kw(Kw::In) {
            return Err(self.err_invalid_syntax());
        }
        let iter = self.star_expressions()?;
        self.expect_colon()?;
        let type_comment = if self.at(T::TypeComment) {
            Some(self.type_comment())
        } else {
            None
        };
        let body = self.block("'for' statement", head)?;
        let orelse = self.else_block()?;
        let (target, iter) = (self.alloc(target), self.alloc(iter));
        let kind = if is_async {
            StmtKind::AsyncFor {
                target,
                iter,
                body,
                orelse,
                type_comment,
            }
        } else {
            StmtKind::For {
                target,
                iter,
                body,
                orelse,
                type_comment,
            }
        };
        Ok(self.st(kind, start))
    }

    fn with_stmt(&mut self, start: usize, is_async: bool) -> PResult<Stmt<'a>> {
        let head = self.bump();
        let mut items = None;
        if self.at(T::Lpar) {
            // `with (a as b, c):` — parenthesized items; if that does not parse, the parenthesis
            // belongs to an expression, as in `with (a, b) as c:`.
            let save = self.pos;
            let depth = self.depth;
            match self.paren_with_items() {
                Ok(v) => items = Some(v),
                Err(_) => {
                    self.pos = save;
                    self.depth = depth;
                }
            }
        }
        let mut type_comment = None;
        let items = match items {
            Some(v) => {
                self.expect_colon()?;
                v
            }
            None => {
                let mut v = self.vec();
                loop {
                    v.push(self.with_item()?);
                    if !self.eat(T::Comma) {
                        break;
                    }
                }
                self.expect_colon()?;
                if self.at(T::TypeComment) {
                    type_comment = Some(self.type_comment());
                }
                v.into_bump_slice()
            }
        };
        let body = self.block("'with' statement", head)?;
        let kind = if is_async {
            StmtKind::AsyncWith {
                items,
                body,
                type_comment,
            }
        } else {
            StmtKind::With {
                items,
                body,
                type_comment,
            }
        };
        Ok(self.st(kind, start))
    }

    fn paren_with_items(&mut self) -> PResult<&'a [WithItem<'a>]> {
        self.bump();
        let mut v = self.vec();
        loop {
            v.push(self.with_item()?);
            if !self.eat(T::Comma) {
                break;
            }
            if self.at(T::Rpar) {
                break;
            }
        }
        self.expect(T::Rpar)?;
        if !self.at(T::Colon) {
            return Err(self.err_invalid_syntax());
        }
        Ok(v.into_bump_slice())
    }

    fn with_item(&mut self) -> PResult<WithItem<'a>> {
        let context_expr = self.expression()?;
        let optional_vars = if self.eat_kw(Kw::As) {
            let t = self.star_target()?;
            if !matches!(self.kind(), T::Comma | T::Rpar | T::Colon) {
                return Err(self.err_invalid_syntax());
            }
            Some(self.alloc(t))
        } else {
            None
        };
        Ok(WithItem {
            context_expr: self.alloc(context_expr),
            optional_vars,
        })
    }

    fn try_stmt(&mut self) -> PResult<Stmt<'a>> {
        let start = self.bump();
        self.expect_forced_colon()?;
        let body = self.block("'try' statement", start)?;
        let mut handlers = self.vec();
        let mut star = None;
        while self.at_kw(Kw::Except) {
            let h_start = self.bump();
            let is_star = self.eat(T::Star);
            if let Some(prev) = star {
                if prev != is_star {
                    return Err(self.err_at(
                        self.span_from(h_start),
                        "cannot have both 'except' and 'except*' on the same 'try'".into(),
                    ));
                }
            }
            star = Some(is_star);
            let mut type_ = None;
            let mut name = None;
            if !self.at(T::Colon) {
                let e_start = self.pos;
                let e = self.expression()?;
                if self.at(T::Comma) {
                    // `except A, B:` needs parentheses in Python 3.
                    let mut elts = self.vec();
                    elts.push(e);
                    while self.eat(T::Comma) {
                        if self.at(T::Colon) || self.at_kw(Kw::As) {
                            break;
                        }
                        elts.push(self.expression()?);
                    }
                    return Err(self.err_at(
                        self.span_from(e_start),
                        "multiple exception types must be parenthesized".into(),
                    ));
                }
                type_ = Some(self.alloc(e));
                if self.eat_kw(Kw::As) {
                    name = Some(self.name()?);
                }
            } else if is_star {
                return Err(self.err_at(
                    self.tok().span,
                    "expected one or more exception types".into(),
                ));
            }
            self.expect_colon()?;
            let hbody = self.block(
                if is_star {
                    "'except*' statement"
                } else {
                    "'except' statement"
                },
                h_start,
            )?;
            handlers.push(ExceptHandler {
                type_,
                name,
                body: hbody,
                span: self.span_from(h_start),
            });
        }
        let orelse = if !handlers.is_empty() {
            self.else_block()?
        } else {
            &[]
        };
        let finalbody = if self.at_kw(Kw::Finally) {
            let f = self.bump();
            self.expect_forced_colon()?;
            self.block("'finally' statement", f)?
        } else {
            &[]
        };
        if handlers.is_empty() && finalbody.is_empty() {
            return Err(self.err_at(
                self.tok().span,
                "expected 'except' or 'finally' block".into(),
            ));
        }
        let handlers = handlers.into_bump_slice();
        let kind = if star == Some(true) {
            StmtKind::TryStar {
                body,
                handlers,
                orelse,
                finalbody,
            }
        } else {
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finalbody,
            }
        };
        Ok(self.st(kind, start))
    }

    /// `match` is a soft keyword: try the statement, and fall back to an expression statement
    /// (`match = 1`, `match(x)`) when the header does not parse.
    fn try_match_stmt(&mut self) -> PResult<Option<Stmt<'a>>> {
        let start = self.pos;
        let depth = self.depth;
        // Quick rejections: `match` followed by something that cannot begin a subject.
        let next = self.peek_at(1);
        if matches!(
            next.kind,
            T::Newline | T::Equal | T::Dot | T::Colon | T::Comma | T::Rpar | T::EndMarker | T::Semi
        ) || binop_or_assign(next.kind)
        {
            return Ok(None);
        }
        self.bump();
        let subject = match self.match_subject() {
            Ok(s) if self.at(T::Colon) => s,
            _ => {
                self.pos = start;
                self.depth = depth;
                return Ok(None);
            }
        };
        self.bump(); // ':'
        if !self.eat(T::Newline) {
            return Err(self.err_invalid_syntax());
        }
        if !self.eat(T::Indent) {
            let line = self.tok_span(start).lineno;
            return Err(self.indentation_error(
                self.tok().span,
                format!("expected an indented block after 'match' statement on line {line}"),
            ));
        }
        let mut cases = self.vec();
        while self.at_soft("case") {
            cases.push(self.case_block()?);
        }
        if cases.is_empty() {
            return Err(self.err_invalid_syntax());
        }
        if !self.eat(T::Dedent) && !self.at(T::EndMarker) {
            return Err(self.err_invalid_syntax());
        }
        Ok(Some(self.st(
            StmtKind::Match {
                subject: self.alloc(subject),
                cases: cases.into_bump_slice(),
            },
            start,
        )))
    }

    /// `subject_expr: star_named_expression ',' star_named_expressions? | named_expression`
    fn match_subject(&mut self) -> PResult<Expr<'a>> {
        let start = self.pos;
        let first = self.star_named_expression()?;
        if !self.at(T::Comma) {
            if let ExprKind::Starred { .. } = first.kind {
                return Err(self.err_invalid_syntax());
            }
            return Ok(first);
        }
        let mut elts = self.vec();
        elts.push(first);
        while self.eat(T::Comma) {
            if self.at(T::Colon) {
                break;
            }
            elts.push(self.star_named_expression()?);
        }
        Ok(self.mk(
            ExprKind::Tuple {
                elts: elts.into_bump_slice(),
                ctx: ExprContext::Load,
            },
            start,
        ))
    }

    fn case_block(&mut self) -> PResult<MatchCase<'a>> {
        let head = self.bump();
        let pattern = self.patterns()?;
        let guard = if self.eat_kw(Kw::If) {
            Some(self.boxed(Self::named_expression)?)
        } else {
            None
        };
        self.expect_colon()?;
        let body = self.block("'case' statement", head)?;
        Ok(MatchCase {
            pattern: self.alloc(pattern),
            guard,
            body,
        })
    }
}

fn augassign(kind: T) -> Option<Operator> {
    Some(match kind {
        T::PlusEqual => Operator::Add,
        T::MinEqual => Operator::Sub,
        T::StarEqual => Operator::Mult,
        T::AtEqual => Operator::MatMult,
        T::SlashEqual => Operator::Div,
        T::PercentEqual => Operator::Mod,
        T::AmperEqual => Operator::BitAnd,
        T::VbarEqual => Operator::BitOr,
        T::CircumflexEqual => Operator::BitXor,
        T::LeftShiftEqual => Operator::LShift,
        T::RightShiftEqual => Operator::RShift,
        T::DoubleStarEqual => Operator::Pow,
        T::DoubleSlashEqual => Operator::FloorDiv,
        _ => return None,
    })
}

/// Tokens after `match` that make it an identifier in an expression (`match + 1`, `match += 1`).
/// `*`, `-`, `(`, `[` and `{` are excluded: they can begin a subject.
fn binop_or_assign(kind: T) -> bool {
    augassign(kind).is_some()
        || matches!(
            kind,
            T::Plus
                | T::Slash
                | T::DoubleSlash
                | T::Percent
                | T::At
                | T::Vbar
                | T::Amper
                | T::Circumflex
                | T::LeftShift
                | T::RightShift
                | T::DoubleStar
                | T::Less
                | T::Greater
                | T::EqEqual
                | T::NotEqual
                | T::LessEqual
                | T::GreaterEqual
                | T::ColonEqual
        )
}
