//! Syntax errors: CPython's messages for the common mistakes (`invalid_*` rules of the grammar),
//! and the conversion of expressions into assignment / deletion targets, which is where most
//! of those messages come from.

use crate::ast::*;
use crate::error::{SyntaxError, SyntaxErrorKind};
use crate::tokens::TokenKind as T;

use super::{make_error, Kw, PResult, Parser};

/// What CPython calls an expression in its error messages (`_PyPegen_get_expr_name`).
pub(crate) fn expr_name(e: &Expr) -> &'static str {
    match e.kind {
        ExprKind::Attribute { .. } => "attribute",
        ExprKind::Subscript { .. } => "subscript",
        ExprKind::Starred { .. } => "starred",
        ExprKind::Name { .. } => "name",
        ExprKind::List { .. } => "list",
        ExprKind::Tuple { .. } => "tuple",
        ExprKind::Lambda { .. } => "lambda",
        ExprKind::Call { .. } => "function call",
        ExprKind::BoolOp { .. } | ExprKind::BinOp { .. } | ExprKind::UnaryOp { .. } => "expression",
        ExprKind::GeneratorExp { .. } => "generator expression",
        ExprKind::Yield { .. } | ExprKind::YieldFrom { .. } => "yield expression",
        ExprKind::Await { .. } => "await expression",
        ExprKind::ListComp { .. } => "list comprehension",
        ExprKind::SetComp { .. } => "set comprehension",
        ExprKind::DictComp { .. } => "dict comprehension",
        ExprKind::Dict { .. } => "dict literal",
        ExprKind::Set { .. } => "set display",
        ExprKind::JoinedStr { .. } | ExprKind::FormattedValue { .. } => "f-string expression",
        ExprKind::Constant { value, .. } => match value {
            Constant::None => "None",
            Constant::True => "True",
            Constant::False => "False",
            Constant::Ellipsis => "ellipsis",
            _ => "literal",
        },
        ExprKind::Compare { .. } => "comparison",
        ExprKind::IfExp { .. } => "conditional expression",
        ExprKind::NamedExpr { .. } => "named expression",
        ExprKind::Slice { .. } => "slice",
    }
}

impl<'a> Parser<'a> {
    pub(crate) fn err_at(&self, span: Span, msg: String) -> SyntaxError {
        make_error(self.map, SyntaxErrorKind::SyntaxError, msg, span)
    }

    pub(crate) fn indentation_error(&self, span: Span, msg: String) -> SyntaxError {
        make_error(self.map, SyntaxErrorKind::IndentationError, msg, span)
    }

    /// "invalid syntax" at the current token (or the specific message the token calls for).
    pub(crate) fn err_invalid_syntax(&self) -> SyntaxError {
        let t = self.tok();
        match t.kind {
            T::Indent => self.unexpected_indent(),
            T::ErrorToken => self.err_at(t.span, "invalid syntax".into()),
            _ => self.err_at(t.span, "invalid syntax".into()),
        }
    }

    /// "unexpected indent": CPython shows the line without a caret (INDENT has no column).
    pub(crate) fn unexpected_indent(&self) -> SyntaxError {
        self.indent_error.set(true);
        let mut e = self.indentation_error(self.tok().span, "unexpected indent".into());
        e.offset = 0;
        e.end_lineno = None;
        e.end_offset = None;
        e
    }

    /// An error CPython raises without a location: it points at the last token the parser
    /// fetched, which is the token after the current construct (usually the lookahead).
    pub(crate) fn err_here(&self, msg: String) -> SyntaxError {
        let s = self.tok().span;
        self.err_at(
            Span::new(s.lineno, s.col_offset, s.lineno, s.col_offset),
            msg,
        )
    }

    pub(crate) fn err_expected(&self, kind: T) -> SyntaxError {
        match kind {
            T::Colon if !matches!(self.kind(), T::Newline | T::EndMarker) || self.pos > 0 => {
                // CPython points just after the previous token for "expected ':'".
                let prev = self.toks[self.pos.saturating_sub(1)].span;
                if matches!(self.kind(), T::Newline) {
                    let s = Span::new(
                        prev.end_lineno,
                        prev.end_col_offset,
                        prev.end_lineno,
                        prev.end_col_offset + 1,
                    );
                    return self.err_at(s, "expected ':'".into());
                }
                self.err_invalid_syntax()
            }
            _ => self.err_invalid_syntax(),
        }
    }

    /// Nesting beyond [`super::MAX_DEPTH`]: CPython gives up with a RecursionError here too.
    pub(crate) fn err_too_deep(&self) -> SyntaxError {
        let mut e = make_error(
            self.map,
            SyntaxErrorKind::SyntaxError,
            "too many nested expressions or blocks (nanopy's parser limit)".into(),
            self.tok().span,
        );
        e.msg = "maximum recursion depth exceeded during ast construction".into();
        e.kind = SyntaxErrorKind::RecursionError;
        e
    }

    /// Rebuilds `e` as an assignment (`Store`) or deletion (`Del`) target, or reports CPython's
    /// "cannot assign to ..." / "cannot delete ..." error for the offending sub-expression.
    pub(crate) fn to_target(&self, e: &Expr<'a>, ctx: ExprContext) -> PResult<Expr<'a>> {
        let kind = match e.kind {
            ExprKind::Name { id, .. } => ExprKind::Name { id, ctx },
            ExprKind::Attribute { value, attr, .. } => ExprKind::Attribute { value, attr, ctx },
            ExprKind::Subscript { value, slice, .. } => ExprKind::Subscript { value, slice, ctx },
            ExprKind::Starred { value, .. } if ctx == ExprContext::Store => ExprKind::Starred {
                value: self.alloc(self.to_target(value, ctx)?),
                ctx,
            },
            ExprKind::Tuple { elts, .. } => ExprKind::Tuple {
                elts: self.targets(elts, ctx)?,
                ctx,
            },
            ExprKind::List { elts, .. } => ExprKind::List {
                elts: self.targets(elts, ctx)?,
                ctx,
            },
            _ => {
                let verb = if ctx == ExprContext::Del {
                    "delete"
                } else {
                    "assign to"
                };
                return Err(self.err_at(e.span, format!("cannot {verb} {}", expr_name(e))));
            }
        };
        Ok(Expr { kind, span: e.span })
    }

    fn targets(&self, elts: &'a [Expr<'a>], ctx: ExprContext) -> PResult<&'a [Expr<'a>]> {
        let mut v = self.vec();
        for e in elts {
            v.push(self.to_target(e, ctx)?);
        }
        Ok(v.into_bump_slice())
    }

    /// Converts the target of `target = value`, with the "Maybe you meant '=='" hint CPython
    /// gives when a lone expression is followed by `=` and a value.
    pub(crate) fn assign_target(&self, e: &Expr<'a>, hint: bool) -> PResult<Expr<'a>> {
        match self.to_target(e, ExprContext::Store) {
            Ok(t) => Ok(t),
            Err(err) => {
                let lone = !matches!(
                    e.kind,
                    ExprKind::List { .. } | ExprKind::Tuple { .. } | ExprKind::GeneratorExp { .. }
                ) && !matches!(
                    e.kind,
                    ExprKind::Constant {
                        value: Constant::True | Constant::False | Constant::None,
                        ..
                    }
                );
                let bitwise_or_level = !matches!(
                    e.kind,
                    ExprKind::Compare { .. }
                        | ExprKind::BoolOp { .. }
                        | ExprKind::IfExp { .. }
                        | ExprKind::Lambda { .. }
                        | ExprKind::NamedExpr { .. }
                        | ExprKind::Starred { .. }
                        | ExprKind::UnaryOp {
                            op: UnaryOp::Not,
                            ..
                        }
                        | ExprKind::Yield { .. }
                        | ExprKind::YieldFrom { .. }
                );
                if let ExprKind::Yield { .. } | ExprKind::YieldFrom { .. } = e.kind {
                    return Err(
                        self.err_at(e.span, "assignment to yield expression not possible".into())
                    );
                }
                if hint && lone && bitwise_or_level {
                    return Err(self.err_at(
                        e.span,
                        format!(
                            "cannot assign to {} here. Maybe you meant '==' instead of '='?",
                            expr_name(e)
                        ),
                    ));
                }
                Err(err)
            }
        }
    }

    /// `invalid_named_expression`: an expression followed by `=` where no assignment can be.
    pub(crate) fn invalid_named_expression(&mut self, e: &Expr<'a>, _start: usize) -> PResult<()> {
        let save = self.pos;
        self.bump(); // '='
        let b = self.bitwise_or();
        let followed_by_assign = matches!(self.kind(), T::Equal | T::ColonEqual);
        self.pos = save;
        let Ok(b) = b else { return Ok(()) };
        if followed_by_assign {
            return Ok(());
        }
        if let ExprKind::Name { .. } = e.kind {
            return Err(self.err_at(
                e.span.to(b.span),
                "invalid syntax. Maybe you meant '==' or ':=' instead of '='?".into(),
            ));
        }
        let excluded = matches!(
            e.kind,
            ExprKind::List { .. }
                | ExprKind::Tuple { .. }
                | ExprKind::GeneratorExp { .. }
                | ExprKind::Constant {
                    value: Constant::True | Constant::False | Constant::None,
                    ..
                }
        );
        if !excluded {
            return Err(self.err_at(
                e.span,
                format!(
                    "cannot assign to {} here. Maybe you meant '==' instead of '='?",
                    expr_name(e)
                ),
            ));
        }
        Ok(())
    }

    /// `invalid_expression`: inside brackets, an element directly followed by another
    /// expression — "Perhaps you forgot a comma?" (range from the first to the second).
    pub(crate) fn forgot_comma(&mut self, elem_start: usize, e: &Expr<'a>) -> PResult<()> {
        let t = *self.tok();
        let starts = match t.kind {
            T::Name => matches!(
                t.kw,
                Kw::Ident | Kw::None | Kw::True | Kw::False | Kw::Lambda | Kw::Await | Kw::Not
            ),
            T::Number | T::String | T::Lbrace | T::Tilde | T::Ellipsis => true,
            _ => false,
        };
        if !starts || matches!(e.kind, ExprKind::Lambda { .. } | ExprKind::IfExp { .. }) {
            return Ok(());
        }
        let first = self.toks[elem_start];
        if first.kind == T::Name {
            let text = self.text(elem_start);
            let next_is_string = self
                .toks
                .get(elem_start + 1)
                .is_some_and(|n| n.kind == T::String);
            if next_is_string || matches!(text, "match" | "case" | "_") {
                return Ok(());
            }
        }
        let save = (self.pos, self.depth);
        let b = self.expression();
        (self.pos, self.depth) = save;
        match b {
            Ok(b) => Err(self.err_at(
                e.span.to(b.span),
                "invalid syntax. Perhaps you forgot a comma?".into(),
            )),
            Err(_) => Ok(()),
        }
    }

    /// Is the current token a keyword that cannot start an expression statement?
    pub(crate) fn at_stmt_keyword(&self) -> bool {
        matches!(
            self.kw(),
            Kw::Elif
                | Kw::Else
                | Kw::Except
                | Kw::Finally
                | Kw::As
                | Kw::In
                | Kw::Is
                | Kw::And
                | Kw::Or
        )
    }
}
