//! Expressions: from `star_expressions` down to atoms, comprehensions, call arguments, slices,
//! lambdas and parameter lists (shared with `def`).
//!
//! Binary operators use precedence climbing; everything else follows the grammar's rules one
//! function per rule, so the positions follow pegen's (a node spans the tokens its rule consumed).

use crate::ast::*;
use crate::tokens::TokenKind as T;

use super::{Kw, PResult, Parser};

/// Binary operator of a token and its precedence level (higher binds tighter).
fn binop(kind: T) -> Option<(Operator, u8)> {
    Some(match kind {
        T::Vbar => (Operator::BitOr, 1),
        T::Circumflex => (Operator::BitXor, 2),
        T::Amper => (Operator::BitAnd, 3),
        T::LeftShift => (Operator::LShift, 4),
        T::RightShift => (Operator::RShift, 4),
        T::Plus => (Operator::Add, 5),
        T::Minus => (Operator::Sub, 5),
        T::Star => (Operator::Mult, 6),
        T::Slash => (Operator::Div, 6),
        T::DoubleSlash => (Operator::FloorDiv, 6),
        T::Percent => (Operator::Mod, 6),
        T::At => (Operator::MatMult, 6),
        _ => return None,
    })
}

impl<'a> Parser<'a> {
    #[inline]
    pub(crate) fn mk(&self, kind: ExprKind<'a>, start: usize) -> Expr<'a> {
        Expr {
            kind,
            span: self.span_from(start),
        }
    }

    /// Can the current token begin an expression (used after a trailing comma)?
    pub(crate) fn starts_expression(&self) -> bool {
        let t = self.tok();
        match t.kind {
            T::Name => matches!(
                t.kw,
                Kw::Ident | Kw::None | Kw::True | Kw::False | Kw::Not | Kw::Lambda | Kw::Await
            ),
            T::Number
            | T::String
            | T::Lpar
            | T::Lsqb
            | T::Lbrace
            | T::Minus
            | T::Plus
            | T::Tilde
            | T::Star
            | T::Ellipsis => true,
            _ => false,
        }
    }

    /// Can the token `n` ahead begin an expression?
    pub(crate) fn peek_starts_expression(&mut self, n: usize) -> bool {
        let save = self.pos;
        self.pos = (self.pos + n).min(self.toks.len() - 1);
        let r = self.starts_expression();
        self.pos = save;
        r
    }

    /// `star_expressions`: one or more `star_expression`, a tuple if there is a comma.
    pub(crate) fn star_expressions(&mut self) -> PResult<Expr<'a>> {
        let start = self.pos;
        let first = self.star_expression()?;
        if !self.at(T::Comma) {
            return Ok(first);
        }
        let mut elts = self.vec();
        elts.push(first);
        while self.eat(T::Comma) {
            if !self.starts_expression() {
                break;
            }
            elts.push(self.star_expression()?);
        }
        Ok(self.mk(
            ExprKind::Tuple {
                elts: elts.into_bump_slice(),
                ctx: ExprContext::Load,
            },
            start,
        ))
    }

    /// `star_expression: '*' bitwise_or | expression`
    pub(crate) fn star_expression(&mut self) -> PResult<Expr<'a>> {
        if self.at(T::Star) {
            let start = self.bump();
            let value = self.bitwise_or()?;
            return Ok(self.mk(
                ExprKind::Starred {
                    value: self.alloc(value),
                    ctx: ExprContext::Load,
                },
                start,
            ));
        }
        self.expression()
    }

    /// `star_named_expression: '*' bitwise_or | named_expression`
    pub(crate) fn star_named_expression(&mut self) -> PResult<Expr<'a>> {
        if self.at(T::Star) {
            let start = self.bump();
            let value = self.bitwise_or()?;
            return Ok(self.mk(
                ExprKind::Starred {
                    value: self.alloc(value),
                    ctx: ExprContext::Load,
                },
                start,
            ));
        }
        self.named_expression()
    }

    /// `named_expression: NAME ':=' expression | expression !':='`
    pub(crate) fn named_expression(&mut self) -> PResult<Expr<'a>> {
        if self.at_name() && self.peek_at(1).kind == T::ColonEqual {
            let start = self.pos;
            let id = self.name()?;
            let target = self.mk(
                ExprKind::Name {
                    id,
                    ctx: ExprContext::Store,
                },
                start,
            );
            self.bump();
            let value = self.expression()?;
            return Ok(self.mk(
                ExprKind::NamedExpr {
                    target: self.alloc(target),
                    value: self.alloc(value),
                },
                start,
            ));
        }
        let start = self.pos;
        let e = self.expression()?;
        if self.at(T::Equal) && !self.no_eq_check {
            self.invalid_named_expression(&e, start)?;
        }
        if self.at(T::ColonEqual) {
            return Err(self.err_at(
                e.span,
                format!(
                    "cannot use assignment expressions with {}",
                    super::errors::expr_name(&e)
                ),
            ));
        }
        Ok(e)
    }

    /// `expression: disjunction 'if' disjunction 'else' expression | disjunction | lambdef`
    pub(crate) fn expression(&mut self) -> PResult<Expr<'a>> {
        self.enter()?;
        let r = self.expression_inner();
        self.leave();
        r
    }

    fn expression_inner(&mut self) -> PResult<Expr<'a>> {
        let t = self.tok();
        // Fast path: a lone name or literal (the most common expression) skips the ten levels
        // of the precedence chain.
        let simple = match t.kind {
            T::Number | T::String => true,
            T::Name => matches!(t.kw, Kw::Ident | Kw::None | Kw::True | Kw::False),
            _ => false,
        };
        if simple
            && matches!(
                self.peek_at(1).kind,
                T::Comma
                    | T::Rpar
                    | T::Rsqb
                    | T::Rbrace
                    | T::Newline
                    | T::Semi
                    | T::EndMarker
                    | T::Colon
                    | T::Equal
            )
        {
            return self.atom();
        }
        if self.at_kw(Kw::Lambda) {
            return self.lambdef();
        }
        let start = self.pos;
        let body = self.disjunction()?;
        if !self.at_kw(Kw::If) {
            return Ok(body);
        }
        self.bump();
        let test = self.disjunction()?;
        if !self.eat_kw(Kw::Else) {
            return Err(self.err_at(
                self.span_from(start),
                "expected 'else' after 'if' expression".into(),
            ));
        }
        let orelse = self.expression()?;
        Ok(self.mk(
            ExprKind::IfExp {
                test: self.alloc(test),
                body: self.alloc(body),
                orelse: self.alloc(orelse),
            },
            start,
        ))
    }

    fn disjunction(&mut self) -> PResult<Expr<'a>> {
        let start = self.pos;
        let first = self.conjunction()?;
        if !self.at_kw(Kw::Or) {
            return Ok(first);
        }
        let mut values = self.vec();
        values.push(first);
        while self.eat_kw(Kw::Or) {
            values.push(self.conjunction()?);
        }
        Ok(self.mk(
            ExprKind::BoolOp {
                op: BoolOp::Or,
                values: values.into_bump_slice(),
            },
            start,
        ))
    }

    fn conjunction(&mut self) -> PResult<Expr<'a>> {
        let start = self.pos;
        let first = self.inversion()?;
        if !self.at_kw(Kw::And) {
            return Ok(first);
        }
        let mut values = self.vec();
        values.push(first);
        while self.eat_kw(Kw::And) {
            values.push(self.inversion()?);
        }
        Ok(self.mk(
            ExprKind::BoolOp {
                op: BoolOp::And,
                values: values.into_bump_slice(),
            },
            start,
        ))
    }

    fn inversion(&mut self) -> PResult<Expr<'a>> {
        if self.at_kw(Kw::Not) {
            let start = self.bump();
            self.enter()?;
            let operand = self.inversion();
            self.leave();
            let operand = operand?;
            return Ok(self.mk(
                ExprKind::UnaryOp {
                    op: UnaryOp::Not,
                    operand: self.alloc(operand),
                },
                start,
            ));
        }
        self.comparison()
    }

    fn cmp_op(&self) -> Option<(CmpOp, usize)> {
        let t = self.tok();
        Some(match t.kind {
            T::EqEqual => (CmpOp::Eq, 1),
            T::NotEqual => (CmpOp::NotEq, 1),
            T::Less => (CmpOp::Lt, 1),
            T::LessEqual => (CmpOp::LtE, 1),
            T::Greater => (CmpOp::Gt, 1),
            T::GreaterEqual => (CmpOp::GtE, 1),
            T::Name => match t.kw {
                Kw::In => (CmpOp::In, 1),
                Kw::Not if self.peek_at(1).kw == Kw::In => (CmpOp::NotIn, 2),
                Kw::Is if self.peek_at(1).kw == Kw::Not => (CmpOp::IsNot, 2),
                Kw::Is => (CmpOp::Is, 1),
                _ => return None,
            },
            _ => return None,
        })
    }

    fn comparison(&mut self) -> PResult<Expr<'a>> {
        let start = self.pos;
        let left = self.bitwise_or()?;
        let Some(_) = self.cmp_op() else {
            return Ok(left);
        };
        let mut ops = self.vec();
        let mut comparators = self.vec();
        while let Some((op, n)) = self.cmp_op() {
            for _ in 0..n {
                self.bump();
            }
            ops.push(op);
            comparators.push(self.bitwise_or()?);
        }
        Ok(self.mk(
            ExprKind::Compare {
                left: self.alloc(left),
                ops: ops.into_bump_slice(),
                comparators: comparators.into_bump_slice(),
            },
            start,
        ))
    }

    /// `bitwise_or` and every binary level below it, by precedence climbing.
    pub(crate) fn bitwise_or(&mut self) -> PResult<Expr<'a>> {
        self.binary(1)
    }

    fn binary(&mut self, min: u8) -> PResult<Expr<'a>> {
        let start = self.pos;
        let mut left = self.factor()?;
        let mut chain = 0u32;
        while let Some((op, prec)) = binop(self.kind()) {
            if prec < min {
                break;
            }
            self.bump();
            let right = self.binary(prec + 1)?;
            // A long chain builds a deep (left-leaning) tree; bound it like nesting.
            chain += 1;
            if self.depth + chain > super::MAX_DEPTH {
                return Err(self.err_too_deep());
            }
            left = self.mk(
                ExprKind::BinOp {
                    left: self.alloc(left),
                    op,
                    right: self.alloc(right),
                },
                start,
            );
        }
        Ok(left)
    }

    /// `factor: '+' factor | '-' factor | '~' factor | power`
    fn factor(&mut self) -> PResult<Expr<'a>> {
        let op = match self.kind() {
            T::Plus => UnaryOp::UAdd,
            T::Minus => UnaryOp::USub,
            T::Tilde => UnaryOp::Invert,
            _ => return self.power(),
        };
        let start = self.bump();
        self.enter()?;
        let operand = self.factor();
        self.leave();
        let operand = operand?;
        Ok(self.mk(
            ExprKind::UnaryOp {
                op,
                operand: self.alloc(operand),
            },
            start,
        ))
    }

    /// `power: await_primary '**' factor | await_primary`
    fn power(&mut self) -> PResult<Expr<'a>> {
        let start = self.pos;
        let base = self.await_primary()?;
        if !self.eat(T::DoubleStar) {
            return Ok(base);
        }
        self.enter()?;
        let exp = self.factor();
        self.leave();
        let exp = exp?;
        Ok(self.mk(
            ExprKind::BinOp {
                left: self.alloc(base),
                op: Operator::Pow,
                right: self.alloc(exp),
            },
            start,
        ))
    }

    fn await_primary(&mut self) -> PResult<Expr<'a>> {
        if self.at_kw(Kw::Await) {
            let start = self.bump();
            let value = self.primary()?;
            return Ok(self.mk(
                ExprKind::Await {
                    value: self.alloc(value),
                },
                start,
            ));
        }
        self.primary()
    }

    /// `primary`: an atom followed by any number of `.name`, `(args)` and `[slices]`.
    pub(crate) fn primary(&mut self) -> PResult<Expr<'a>> {
        let start = self.pos;
        let mut e = self.atom()?;
        let mut chain = 0u32;
        loop {
            match self.kind() {
                T::Dot => {
                    self.bump();
                    let attr = self.name()?;
                    e = self.mk(
                        ExprKind::Attribute {
                            value: self.alloc(e),
                            attr,
                            ctx: ExprContext::Load,
                        },
                        start,
                    );
                }
                T::Lpar => {
                    let lpar = self.bump();
                    let (args, keywords) = self.call_args(lpar)?;
                    self.expect_closing(T::Rpar, lpar)?;
                    e = self.mk(
                        ExprKind::Call {
                            func: self.alloc(e),
                            args,
                            keywords,
                        },
                        start,
                    );
                }
                T::Lsqb => {
                    let lsqb = self.bump();
                    let slice = self.slices()?;
                    self.expect_closing(T::Rsqb, lsqb)?;
                    e = self.mk(
                        ExprKind::Subscript {
                            value: self.alloc(e),
                            slice: self.alloc(slice),
                            ctx: ExprContext::Load,
                        },
                        start,
                    );
                }
                _ => break,
            }
            chain += 1;
            if self.depth + chain > super::MAX_DEPTH {
                return Err(self.err_too_deep());
            }
        }
        Ok(e)
    }

    /// Expects the closing bracket of the one opened at token `open`.
    pub(crate) fn expect_closing(&mut self, kind: T, _open: usize) -> PResult<()> {
        if self.eat(kind) {
            Ok(())
        } else {
            Err(self.err_invalid_syntax())
        }
    }

    fn atom(&mut self) -> PResult<Expr<'a>> {
        let t = *self.tok();
        match t.kind {
            T::Name => {
                let value = match t.kw {
                    Kw::Ident => {
                        let start = self.bump();
                        let id = self.text(start);
                        let id = self.identifier(id);
                        return Ok(self.mk(
                            ExprKind::Name {
                                id,
                                ctx: ExprContext::Load,
                            },
                            start,
                        ));
                    }
                    Kw::True => Constant::True,
                    Kw::False => Constant::False,
                    Kw::None => Constant::None,
                    _ => return Err(self.err_invalid_syntax()),
                };
                let start = self.bump();
                Ok(self.mk(ExprKind::Constant { value, kind: None }, start))
            }
            T::Number => self.number(),
            T::String => self.strings(),
            T::Ellipsis => {
                let start = self.bump();
                Ok(self.mk(
                    ExprKind::Constant {
                        value: Constant::Ellipsis,
                        kind: None,
                    },
                    start,
                ))
            }
            T::Lpar => self.paren_atom(),
            T::Lsqb => self.list_atom(),
            T::Lbrace => self.brace_atom(),
            _ => Err(self.err_invalid_syntax()),
        }
    }

    fn at_comprehension(&self) -> bool {
        self.at_kw(Kw::For) || (self.at_kw(Kw::Async) && self.peek_at(1).kw == Kw::For)
    }

    /// `( )`: empty tuple, group, tuple or generator expression.
    fn paren_atom(&mut self) -> PResult<Expr<'a>> {
        let start = self.bump();
        if self.eat(T::Rpar) {
            return Ok(self.mk(
                ExprKind::Tuple {
                    elts: &[],
                    ctx: ExprContext::Load,
                },
                start,
            ));
        }
        if self.at_kw(Kw::Yield) {
            let y = self.yield_expr()?;
            self.expect_closing(T::Rpar, start)?;
            return Ok(y);
        }
        let fs = self.pos;
        let first = self.star_named_expression()?;
        self.forgot_comma(fs, &first)?;
        if self.at_comprehension() {
            self.check_not_starred(&first, "iterable unpacking cannot be used in comprehension")?;
            let generators = self.for_if_clauses()?;
            self.expect_closing(T::Rpar, start)?;
            return Ok(self.mk(
                ExprKind::GeneratorExp {
                    elt: self.alloc(first),
                    generators,
                },
                start,
            ));
        }
        if self.at(T::Comma) {
            let mut elts = self.vec();
            elts.push(first);
            while self.eat(T::Comma) {
                if self.at(T::Rpar) {
                    break;
                }
                let es = self.pos;
                let e = self.star_named_expression()?;
                self.forgot_comma(es, &e)?;
                elts.push(e);
            }
            self.expect_closing(T::Rpar, start)?;
            return Ok(self.mk(
                ExprKind::Tuple {
                    elts: elts.into_bump_slice(),
                    ctx: ExprContext::Load,
                },
                start,
            ));
        }
        self.expect_closing(T::Rpar, start)?;
        self.check_not_starred(&first, "cannot use starred expression here")?;
        Ok(first)
    }

    fn check_not_starred(&self, e: &Expr<'a>, msg: &str) -> PResult<()> {
        if let ExprKind::Starred { .. } = e.kind {
            return Err(self.err_at(e.span, msg.to_string()));
        }
        Ok(())
    }

    fn list_atom(&mut self) -> PResult<Expr<'a>> {
        let start = self.bump();
        if self.eat(T::Rsqb) {
            return Ok(self.mk(
                ExprKind::List {
                    elts: &[],
                    ctx: ExprContext::Load,
                },
                start,
            ));
        }
        let fs = self.pos;
        let first = self.star_named_expression()?;
        self.forgot_comma(fs, &first)?;
        if self.at_comprehension() {
            self.check_not_starred(&first, "iterable unpacking cannot be used in comprehension")?;
            let generators = self.for_if_clauses()?;
            self.expect_closing(T::Rsqb, start)?;
            return Ok(self.mk(
                ExprKind::ListComp {
                    elt: self.alloc(first),
                    generators,
                },
                start,
            ));
        }
        let mut elts = self.vec();
        elts.push(first);
        while self.eat(T::Comma) {
            if self.at(T::Rsqb) {
                break;
            }
            let es = self.pos;
            let e = self.star_named_expression()?;
            self.forgot_comma(es, &e)?;
            elts.push(e);
        }
        self.expect_closing(T::Rsqb, start)?;
        Ok(self.mk(
            ExprKind::List {
                elts: elts.into_bump_slice(),
                ctx: ExprContext::Load,
            },
            start,
        ))
    }

    /// `{ }`: dict, set, dict or set comprehension.
    fn brace_atom(&mut self) -> PResult<Expr<'a>> {
        let start = self.bump();
        if self.eat(T::Rbrace) {
            return Ok(self.mk(
                ExprKind::Dict {
                    keys: &[],
                    values: &[],
                },
                start,
            ));
        }
        let mut keys = self.vec();
        let mut values = self.vec();
        if self.at(T::DoubleStar) {
            self.bump();
            keys.push(None);
            values.push(self.bitwise_or()?);
        } else {
            let fs = self.pos;
            let first = self.star_named_expression()?;
            self.forgot_comma(fs, &first)?;
            if self.at(T::Colon) {
                if let ExprKind::Starred { .. } = first.kind {
                    return Err(self.err_invalid_syntax());
                }
                self.bump();
                let value = self.dict_value()?;
                if self.at_comprehension() {
                    let generators = self.for_if_clauses()?;
                    self.expect_closing(T::Rbrace, start)?;
                    return Ok(self.mk(
                        ExprKind::DictComp {
                            key: self.alloc(first),
                            value: self.alloc(value),
                            generators,
                        },
                        start,
                    ));
                }
                keys.push(Some(first));
                values.push(value);
            } else {
                // A set.
                if self.at_comprehension() {
                    self.check_not_starred(
                        &first,
                        "iterable unpacking cannot be used in comprehension",
                    )?;
                    let generators = self.for_if_clauses()?;
                    self.expect_closing(T::Rbrace, start)?;
                    return Ok(self.mk(
                        ExprKind::SetComp {
                            elt: self.alloc(first),
                            generators,
                        },
                        start,
                    ));
                }
                let mut elts = self.vec();
                elts.push(first);
                while self.eat(T::Comma) {
                    if self.at(T::Rbrace) {
                        break;
                    }
                    let es = self.pos;
                    let e = self.star_named_expression()?;
                    self.forgot_comma(es, &e)?;
                    elts.push(e);
                }
                self.expect_closing(T::Rbrace, start)?;
                return Ok(self.mk(
                    ExprKind::Set {
                        elts: elts.into_bump_slice(),
                    },
                    start,
                ));
            }
        }
        while self.eat(T::Comma) {
            if self.at(T::Rbrace) {
                break;
            }
            if self.eat(T::DoubleStar) {
                keys.push(None);
                values.push(self.bitwise_or()?);
            } else {
                let k = self.expression()?;
                if !self.eat(T::Colon) {
                    return Err(self.err_at(k.span, "':' expected after dictionary key".into()));
                }
                keys.push(Some(k));
                let v = self.dict_value()?;
                values.push(v);
            }
        }
        self.expect_closing(T::Rbrace, start)?;
        Ok(self.mk(
            ExprKind::Dict {
                keys: keys.into_bump_slice(),
                values: values.into_bump_slice(),
            },
            start,
        ))
    }

    /// A dictionary value after `key:`.
    fn dict_value(&mut self) -> PResult<Expr<'a>> {
        if matches!(self.kind(), T::Rbrace | T::Comma) {
            let colon = self.toks[self.pos - 1].span;
            return Err(self.err_at(
                colon,
                "expression expected after dictionary key and ':'".into(),
            ));
        }
        let vs = self.pos;
        let v = self.expression()?;
        self.forgot_comma(vs, &v)?;
        Ok(v)
    }

    /// `for_if_clauses`: one or more `[async] for targets in disjunction (if disjunction)*`.
    pub(crate) fn for_if_clauses(&mut self) -> PResult<&'a [Comprehension<'a>]> {
        let mut gens = self.vec();
        while self.at_comprehension() {
            let is_async = if self.eat_kw(Kw::Async) { 1 } else { 0 };
            self.bump(); // for
            let target = self.star_targets()?;
            if !self.eat_kw(Kw::In) {
                return Err(self.err_invalid_syntax());
            }
            let iter = self.disjunction()?;
            let mut ifs = self.vec();
            while self.eat_kw(Kw::If) {
                ifs.push(self.disjunction()?);
            }
            gens.push(Comprehension {
                target: self.alloc(target),
                iter: self.alloc(iter),
                ifs: ifs.into_bump_slice(),
                is_async,
            });
        }
        Ok(gens.into_bump_slice())
    }

    /// Call arguments after `(` (not consuming `)`).
    pub(crate) fn call_args(
        &mut self,
        lpar: usize,
    ) -> PResult<(&'a [Expr<'a>], &'a [Keyword<'a>])> {
        self.arguments(lpar, true)
    }

    /// `arguments` of a call (`genexp_ok`: a bare generator expression may be the only one) or
    /// of a class definition.
    pub(crate) fn arguments(
        &mut self,
        lpar: usize,
        genexp_ok: bool,
    ) -> PResult<(&'a [Expr<'a>], &'a [Keyword<'a>])> {
        let mut args = self.vec();
        let mut keywords = self.vec();
        let mut seen_kwarg = false; // `**kw` seen
        let mut seen_keyword = false; // `name=value` seen
        while !self.at(T::Rpar) {
            let start = self.pos;
            if self.at(T::Star) {
                self.bump();
                let value = self.expression()?;
                if seen_kwarg {
                    return Err(self.err_at(
                        self.span_from(start),
                        "iterable argument unpacking follows keyword argument unpacking".into(),
                    ));
                }
                args.push(self.mk(
                    ExprKind::Starred {
                        value: self.alloc(value),
                        ctx: ExprContext::Load,
                    },
                    start,
                ));
            } else if self.at(T::DoubleStar) {
                self.bump();
                let value = self.expression()?;
                seen_kwarg = true;
                keywords.push(Keyword {
                    arg: None,
                    value: self.alloc(value),
                    span: self.span_from(start),
                });
            } else if self.at_name() && self.peek_at(1).kind == T::Equal {
                let arg = self.name()?;
                let arg = self.identifier(arg);
                self.bump();
                let value = self.expression()?;
                seen_keyword = true;
                keywords.push(Keyword {
                    arg: Some(arg),
                    value: self.alloc(value),
                    span: self.span_from(start),
                });
            } else {
                let saved = std::mem::replace(&mut self.no_eq_check, true);
                let e = self.named_expression();
                self.no_eq_check = saved;
                let e = e?;
                self.forgot_comma(start, &e)?;
                if self.at(T::Equal) {
                    return Err(self.err_at(
                        e.span.to(self.tok().span),
                        "expression cannot contain assignment, perhaps you meant \"==\"?".into(),
                    ));
                }
                if self.at_comprehension() {
                    if !genexp_ok {
                        return Err(self.err_invalid_syntax());
                    }
                    let generators = self.for_if_clauses()?;
                    if !(args.is_empty() && keywords.is_empty() && self.at(T::Rpar)) {
                        return Err(self.err_at(
                            self.span_from(start),
                            "Generator expression must be parenthesized".into(),
                        ));
                    }
                    // The sole-argument generator expression takes the call's parentheses.
                    let span = self.tok_span(lpar).to(self.tok().span);
                    args.push(Expr {
                        kind: ExprKind::GeneratorExp {
                            elt: self.alloc(e),
                            generators,
                        },
                        span,
                    });
                    break;
                }
                if seen_kwarg {
                    return Err(self.err_here(
                        "positional argument follows keyword argument unpacking".into(),
                    ));
                }
                if seen_keyword {
                    return Err(
                        self.err_here("positional argument follows keyword argument".into())
                    );
                }
                args.push(e);
            }
            if !self.eat(T::Comma) {
                break;
            }
        }
        Ok((args.into_bump_slice(), keywords.into_bump_slice()))
    }

    /// `slices`: one slice, or a tuple of slices and starred expressions.
    fn slices(&mut self) -> PResult<Expr<'a>> {
        let start = self.pos;
        let first = self.slice_item()?;
        self.forgot_comma(start, &first)?;
        if !self.at(T::Comma) {
            if let ExprKind::Starred { .. } = first.kind {
                // `a[*b]` is a one-element tuple.
                let elts = self.arena.alloc_slice_copy(&[first]);
                return Ok(self.mk(
                    ExprKind::Tuple {
                        elts,
                        ctx: ExprContext::Load,
                    },
                    start,
                ));
            }
            return Ok(first);
        }
        let mut elts = self.vec();
        elts.push(first);
        while self.eat(T::Comma) {
            if self.at(T::Rsqb) {
                break;
            }
            let es = self.pos;
            let e = self.slice_item()?;
            self.forgot_comma(es, &e)?;
            elts.push(e);
        }
        Ok(self.mk(
            ExprKind::Tuple {
                elts: elts.into_bump_slice(),
                ctx: ExprContext::Load,
            },
            start,
        ))
    }

    fn slice_item(&mut self) -> PResult<Expr<'a>> {
        let start = self.pos;
        if self.at(T::Star) {
            self.bump();
            let value = self.bitwise_or()?;
            return Ok(self.mk(
                ExprKind::Starred {
                    value: self.alloc(value),
                    ctx: ExprContext::Load,
                },
                start,
            ));
        }
        let lower = if self.at(T::Colon) {
            None
        } else {
            let e = self.named_expression()?;
            if !self.at(T::Colon) {
                return Ok(e);
            }
            Some(self.alloc(e))
        };
        self.bump(); // ':'
        let ends = |p: &Self| matches!(p.kind(), T::Colon | T::Comma | T::Rsqb);
        let upper = if ends(self) {
            None
        } else {
            Some(self.boxed(Self::expression)?)
        };
        let mut step = None;
        if self.eat(T::Colon) && !matches!(self.kind(), T::Comma | T::Rsqb) {
            step = Some(self.boxed(Self::expression)?);
        }
        Ok(self.mk(ExprKind::Slice { lower, upper, step }, start))
    }

    /// `yield_expr: 'yield' 'from' expression | 'yield' [star_expressions]`
    pub(crate) fn yield_expr(&mut self) -> PResult<Expr<'a>> {
        let start = self.bump();
        if self.eat_kw(Kw::From) {
            let value = self.expression()?;
            return Ok(self.mk(
                ExprKind::YieldFrom {
                    value: self.alloc(value),
                },
                start,
            ));
        }
        let value = if self.starts_expression() {
            Some(self.boxed(Self::star_expressions)?)
        } else {
            None
        };
        Ok(self.mk(ExprKind::Yield { value }, start))
    }

    /// `yield_expr | star_expressions`, the right-hand side of assignments.
    pub(crate) fn yield_or_star_expressions(&mut self) -> PResult<Expr<'a>> {
        if self.at_kw(Kw::Yield) {
            self.yield_expr()
        } else {
            self.star_expressions()
        }
    }

    fn lambdef(&mut self) -> PResult<Expr<'a>> {
        let start = self.bump();
        let args = self.parameters(true)?;
        if !self.eat(T::Colon) {
            return Err(self.err_expected(T::Colon));
        }
        let body = self.expression()?;
        Ok(self.mk(
            ExprKind::Lambda {
                args: self.alloc(args),
                body: self.alloc(body),
            },
            start,
        ))
    }

    /// A parameter list, up to (not including) `)` for `def` or `:` for `lambda`.
    pub(crate) fn parameters(&mut self, is_lambda: bool) -> PResult<Arguments<'a>> {
        let close = if is_lambda { T::Colon } else { T::Rpar };
        let mut posonly = self.vec();
        let mut args = self.vec();
        let mut defaults = self.vec();
        let mut kwonly = self.vec();
        let mut kw_defaults = self.vec();
        let mut vararg = None;
        let mut kwarg = None;
        let mut seen_star = false;
        let mut seen_slash = false;
        while !self.at(close) {
            if kwarg.is_some() {
                return Err(self.err_at(
                    self.tok().span,
                    "arguments cannot follow var-keyword argument".into(),
                ));
            }
            let start = self.pos;
            if self.at(T::Slash) {
                if seen_slash {
                    return Err(self.err_at(self.tok().span, "/ may appear only once".into()));
                }
                if seen_star {
                    return Err(self.err_at(self.tok().span, "/ must be ahead of *".into()));
                }
                if args.is_empty() {
                    return Err(self.err_at(
                        self.tok().span,
                        "at least one argument must precede /".into(),
                    ));
                }
                self.bump();
                seen_slash = true;
                posonly = std::mem::replace(&mut args, self.vec());
            } else if self.at(T::Star) {
                if seen_star {
                    return Err(
                        self.err_at(self.tok().span, "* argument may appear only once".into())
                    );
                }
                self.bump();
                seen_star = true;
                if !self.at(T::Comma) && !self.at(close) {
                    let a = self.param(is_lambda, true)?;
                    vararg = Some(self.alloc(a));
                } else if self.at(close) || (self.at(T::Comma) && self.peek_at(1).kind == close) {
                    return Err(self.err_at(
                        self.tok_span(start),
                        "named arguments must follow bare *".into(),
                    ));
                }
            } else if self.at(T::DoubleStar) {
                self.bump();
                let a = self.param(is_lambda, false)?;
                kwarg = Some(self.alloc(a));
            } else {
                let a = self.param(is_lambda, false)?;
                let default = if self.eat(T::Equal) {
                    Some(self.expression()?)
                } else {
                    None
                };
                if seen_star {
                    kwonly.push(a);
                    kw_defaults.push(default);
                } else {
                    args.push(a);
                    match default {
                        Some(d) => defaults.push(d),
                        None if !defaults.is_empty() => {
                            return Err(self.err_at(
                                a.span,
                                "non-default argument follows default argument".into(),
                            ))
                        }
                        None => {}
                    }
                }
            }
            let more = self.eat(T::Comma);
            if self.at(T::TypeComment) {
                let tc = self.type_comment();
                self.set_last_param_type_comment(
                    &mut posonly,
                    &mut args,
                    &mut kwonly,
                    &mut vararg,
                    &mut kwarg,
                    tc,
                );
            }
            if !more {
                break;
            }
        }
        if seen_star && vararg.is_none() && kwonly.is_empty() {
            return Err(self.err_at(self.tok().span, "named arguments must follow bare *".into()));
        }
        Ok(Arguments {
            posonlyargs: posonly.into_bump_slice(),
            args: args.into_bump_slice(),
            vararg,
            kwonlyargs: kwonly.into_bump_slice(),
            kw_defaults: kw_defaults.into_bump_slice(),
            kwarg,
            defaults: defaults.into_bump_slice(),
        })
    }

    /// Attaches a `# type:` comment after a parameter to the parameter it follows.
    #[allow(clippy::too_many_arguments)]
    fn set_last_param_type_comment(
        &self,
        posonly: &mut bumpalo::collections::Vec<'a, Arg<'a>>,
        args: &mut bumpalo::collections::Vec<'a, Arg<'a>>,
        kwonly: &mut bumpalo::collections::Vec<'a, Arg<'a>>,
        vararg: &mut Option<&'a Arg<'a>>,
        kwarg: &mut Option<&'a Arg<'a>>,
        tc: &'a str,
    ) {
        // The most recently parsed parameter is the one with the greatest position.
        let mut best: Option<(Span, u8)> = None;
        let mut consider = |s: Span, which: u8| {
            if best.is_none_or(|(b, _)| (s.lineno, s.col_offset) > (b.lineno, b.col_offset)) {
                best = Some((s, which));
            }
        };
        if let Some(a) = posonly.last() {
            consider(a.span, 0);
        }
        if let Some(a) = args.last() {
            consider(a.span, 1);
        }
        if let Some(a) = kwonly.last() {
            consider(a.span, 2);
        }
        if let Some(a) = vararg {
            consider(a.span, 3);
        }
        if let Some(a) = kwarg {
            consider(a.span, 4);
        }
        match best.map(|b| b.1) {
            Some(0) => posonly.last_mut().unwrap().type_comment = Some(tc),
            Some(1) => args.last_mut().unwrap().type_comment = Some(tc),
            Some(2) => kwonly.last_mut().unwrap().type_comment = Some(tc),
            Some(3) => {
                *vararg = Some(self.alloc(Arg {
                    type_comment: Some(tc),
                    ..**vararg.as_ref().unwrap()
                }))
            }
            Some(4) => {
                *kwarg = Some(self.alloc(Arg {
                    type_comment: Some(tc),
                    ..**kwarg.as_ref().unwrap()
                }))
            }
            _ => {}
        }
    }

    /// One parameter: `NAME [':' annotation]` (no annotation in lambdas). After `*`, the
    /// annotation may itself be starred (`*args: *Ts`).
    fn param(&mut self, is_lambda: bool, star: bool) -> PResult<Arg<'a>> {
        let start = self.pos;
        let arg = self.name()?;
        let arg = self.identifier(arg);
        let mut annotation = None;
        if !is_lambda && self.eat(T::Colon) {
            let e = if star && self.at(T::Star) {
                self.star_expression()?
            } else {
                self.expression()?
            };
            annotation = Some(self.alloc(e));
        }
        Ok(Arg {
            arg,
            annotation,
            type_comment: None,
            span: self.span_from(start),
        })
    }

    /// The text of the TYPE_COMMENT token at the cursor (consumed).
    pub(crate) fn type_comment(&mut self) -> &'a str {
        let i = self.bump();
        let text = self.text(i);
        let t = text.trim_start_matches('#').trim_start();
        let t = t.strip_prefix("type:").map(|s| s.trim_start()).unwrap_or(t);
        t.trim_end()
    }

    /// Identifiers are NFKC-normalized by CPython (PEP 3131); ASCII ones already are.
    pub(crate) fn identifier(&self, id: &'a str) -> &'a str {
        if self.ascii || id.is_ascii() {
            return id;
        }
        use unicode_normalization::UnicodeNormalization;
        let n: String = id.nfkc().collect();
        if n == id {
            id
        } else {
            self.arena.alloc_str(&n)
        }
    }

    /// `star_targets`: targets of `for`, comprehensions and `with ... as`, in Store context.
    pub(crate) fn star_targets(&mut self) -> PResult<Expr<'a>> {
        let start = self.pos;
        let first = self.star_target()?;
        if !self.at(T::Comma) {
            return Ok(first);
        }
        let mut elts = self.vec();
        elts.push(first);
        while self.eat(T::Comma) {
            if !(self.at_name() || matches!(self.kind(), T::Lpar | T::Lsqb | T::Star)) {
                break;
            }
            elts.push(self.star_target()?);
        }
        Ok(self.mk(
            ExprKind::Tuple {
                elts: elts.into_bump_slice(),
                ctx: ExprContext::Store,
            },
            start,
        ))
    }

    pub(crate) fn star_target(&mut self) -> PResult<Expr<'a>> {
        let start = self.pos;
        if self.eat(T::Star) {
            if self.at(T::Star) {
                return Err(self.err_invalid_syntax());
            }
            self.enter()?;
            let value = self.star_target();
            self.leave();
            let value = value?;
            return Ok(self.mk(
                ExprKind::Starred {
                    value: self.alloc(value),
                    ctx: ExprContext::Store,
                },
                start,
            ));
        }
        let e = self.primary()?;
        self.to_target(&e, ExprContext::Store)
    }
}
