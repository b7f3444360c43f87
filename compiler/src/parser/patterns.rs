//! `match` patterns (PEP 634): sequence, mapping, class, value, literal, capture, wildcard,
//! star, `as` and `|` patterns, with the value expressions they embed.

use crate::ast::*;
use crate::tokens::TokenKind as T;

use super::{Kw, PResult, Parser};

impl<'a> Parser<'a> {
    #[inline]
    fn pat(&self, kind: PatternKind<'a>, start: usize) -> Pattern<'a> {
        Pattern {
            kind,
            span: self.span_from(start),
        }
    }

    /// `patterns: open_sequence_pattern | pattern` (the pattern of a `case`).
    pub(crate) fn patterns(&mut self) -> PResult<Pattern<'a>> {
        let start = self.pos;
        let first = self.maybe_star_pattern()?;
        if !self.at(T::Comma) {
            if let PatternKind::MatchStar { .. } = first.kind {
                return Err(self.err_at(first.span, "invalid syntax".into()));
            }
            return Ok(first);
        }
        let mut v = self.vec();
        v.push(first);
        while self.eat(T::Comma) {
            if self.at(T::Colon) || self.at_kw(Kw::If) {
                break;
            }
            v.push(self.maybe_star_pattern()?);
        }
        Ok(self.pat(
            PatternKind::MatchSequence {
                patterns: v.into_bump_slice(),
            },
            start,
        ))
    }

    fn maybe_star_pattern(&mut self) -> PResult<Pattern<'a>> {
        if self.at(T::Star) {
            let start = self.bump();
            let name = self.name()?;
            let name = if name == "_" { None } else { Some(name) };
            return Ok(self.pat(PatternKind::MatchStar { name }, start));
        }
        self.pattern()
    }

    /// `pattern: or_pattern ['as' NAME]`
    fn pattern(&mut self) -> PResult<Pattern<'a>> {
        self.enter()?;
        let r = self.pattern_inner();
        self.leave();
        r
    }

    fn pattern_inner(&mut self) -> PResult<Pattern<'a>> {
        let start = self.pos;
        let p = self.or_pattern()?;
        if self.eat_kw(Kw::As) {
            if self.at_soft("_") {
                return Err(self.err_at(self.tok().span, "cannot use '_' as a target".into()));
            }
            let name = self.name()?;
            return Ok(self.pat(
                PatternKind::MatchAs {
                    pattern: Some(self.alloc(p)),
                    name: Some(name),
                },
                start,
            ));
        }
        Ok(p)
    }

    fn or_pattern(&mut self) -> PResult<Pattern<'a>> {
        let start = self.pos;
        let first = self.closed_pattern()?;
        if !self.at(T::Vbar) {
            return Ok(first);
        }
        let mut v = self.vec();
        v.push(first);
        while self.eat(T::Vbar) {
            v.push(self.closed_pattern()?);
        }
        Ok(self.pat(
            PatternKind::MatchOr {
                patterns: v.into_bump_slice(),
            },
            start,
        ))
    }

    fn closed_pattern(&mut self) -> PResult<Pattern<'a>> {
        let start = self.pos;
        let t = *self.tok();
        match t.kind {
            T::Number | T::Minus => {
                let value = self.signed_or_complex_number()?;
                Ok(self.pat(
                    PatternKind::MatchValue {
                        value: self.alloc(value),
                    },
                    start,
                ))
            }
            T::String => {
                let value = self.strings()?;
                Ok(self.pat(
                    PatternKind::MatchValue {
                        value: self.alloc(value),
                    },
                    start,
                ))
            }
            T::Name => match t.kw {
                Kw::None | Kw::True | Kw::False => {
                    self.bump();
                    let value = match t.kw {
                        Kw::None => Constant::None,
                        Kw::True => Constant::True,
                        _ => Constant::False,
                    };
                    Ok(self.pat(PatternKind::MatchSingleton { value }, start))
                }
                Kw::Ident => {
                    let name_or_attr = self.name_or_attr()?;
                    if self.at(T::Lpar) {
                        return self.class_pattern(name_or_attr, start);
                    }
                    match name_or_attr.kind {
                        ExprKind::Name { id, .. } => {
                            let name = if id == "_" { None } else { Some(id) };
                            Ok(self.pat(
                                PatternKind::MatchAs {
                                    pattern: None,
                                    name,
                                },
                                start,
                            ))
                        }
                        _ => Ok(self.pat(
                            PatternKind::MatchValue {
                                value: self.alloc(name_or_attr),
                            },
                            start,
                        )),
                    }
                }
                _ => Err(self.err_invalid_syntax()),
            },
            T::Lpar => {
                self.bump();
                if self.eat(T::Rpar) {
                    return Ok(self.pat(PatternKind::MatchSequence { patterns: &[] }, start));
                }
                let first = self.maybe_star_pattern()?;
                if self.eat(T::Rpar) {
                    if let PatternKind::MatchStar { .. } = first.kind {
                        return Err(self.err_at(first.span, "invalid syntax".into()));
                    }
                    return Ok(first); // a group
                }
                let mut v = self.vec();
                v.push(first);
                while self.eat(T::Comma) {
                    if self.at(T::Rpar) {
                        break;
                    }
                    v.push(self.maybe_star_pattern()?);
                }
                self.expect(T::Rpar)?;
                Ok(self.pat(
                    PatternKind::MatchSequence {
                        patterns: v.into_bump_slice(),
                    },
                    start,
                ))
            }
            T::Lsqb => {
                self.bump();
                let mut v = self.vec();
                while !self.at(T::Rsqb) {
                    v.push(self.maybe_star_pattern()?);
                    if !self.eat(T::Comma) {
                        break;
                    }
                }
                self.expect(T::Rsqb)?;
                Ok(self.pat(
                    PatternKind::MatchSequence {
                        patterns: v.into_bump_slice(),
                    },
                    start,
                ))
            }
            T::Lbrace => self.mapping_pattern(),
            _ => Err(self.err_invalid_syntax()),
        }
    }

    /// `NAME ('.' NAME)*` as a Name or Attribute chain (Load).
    fn name_or_attr(&mut self) -> PResult<Expr<'a>> {
        let start = self.pos;
        let id = self.name()?;
        let mut e = self.mk(
            ExprKind::Name {
                id,
                ctx: ExprContext::Load,
            },
            start,
        );
        while self.eat(T::Dot) {
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
        Ok(e)
    }

    /// `signed_number | complex_number` (literal patterns and mapping keys).
    fn signed_or_complex_number(&mut self) -> PResult<Expr<'a>> {
        let start = self.pos;
        let real = if self.at(T::Minus) {
            self.bump();
            if !self.at(T::Number) {
                return Err(self.err_invalid_syntax());
            }
            let n = self.number()?;
            self.mk(
                ExprKind::UnaryOp {
                    op: UnaryOp::USub,
                    operand: self.alloc(n),
                },
                start,
            )
        } else {
            self.number()?
        };
        let op = match self.kind() {
            T::Plus => Operator::Add,
            T::Minus => Operator::Sub,
            _ => return Ok(real),
        };
        self.bump();
        if !self.at(T::Number) {
            return Err(self.err_invalid_syntax());
        }
        let imag = self.number()?;
        if !matches!(
            imag.kind,
            ExprKind::Constant {
                value: Constant::Complex { .. },
                ..
            }
        ) {
            return Err(self.err_at(
                imag.span,
                "imaginary number required in complex literal".into(),
            ));
        }
        Ok(self.mk(
            ExprKind::BinOp {
                left: self.alloc(real),
                op,
                right: self.alloc(imag),
            },
            start,
        ))
    }

    fn mapping_pattern(&mut self) -> PResult<Pattern<'a>> {
        let start = self.bump();
        let mut keys = self.vec();
        let mut patterns = self.vec();
        let mut rest = None;
        while !self.at(T::Rbrace) {
            if self.eat(T::DoubleStar) {
                rest = Some(self.name()?);
                self.eat(T::Comma);
                break;
            }
            let k_start = self.pos;
            let key = match self.kind() {
                T::Number | T::Minus => self.signed_or_complex_number()?,
                T::String => self.strings()?,
                T::Name => match self.kw() {
                    Kw::None | Kw::True | Kw::False => {
                        let value = match self.kw() {
                            Kw::None => Constant::None,
                            Kw::True => Constant::True,
                            _ => Constant::False,
                        };
                        self.bump();
                        self.mk(ExprKind::Constant { value, kind: None }, k_start)
                    }
                    Kw::Ident => {
                        let e = self.name_or_attr()?;
                        if let ExprKind::Name { .. } = e.kind {
                            return Err(self.err_invalid_syntax());
                        }
                        e
                    }
                    _ => return Err(self.err_invalid_syntax()),
                },
                _ => return Err(self.err_invalid_syntax()),
            };
            self.expect(T::Colon)?;
            keys.push(key);
            patterns.push(self.pattern()?);
            if !self.eat(T::Comma) {
                break;
            }
        }
        self.expect(T::Rbrace)?;
        Ok(self.pat(
            PatternKind::MatchMapping {
                keys: keys.into_bump_slice(),
                patterns: patterns.into_bump_slice(),
                rest,
            },
            start,
        ))
    }

    fn class_pattern(&mut self, cls: Expr<'a>, start: usize) -> PResult<Pattern<'a>> {
        self.bump(); // '('
        let mut patterns = self.vec();
        let mut kwd_attrs = self.vec();
        let mut kwd_patterns = self.vec();
        while !self.at(T::Rpar) {
            if self.at_name() && self.peek_at(1).kind == T::Equal {
                let name = self.name()?;
                self.bump();
                kwd_attrs.push(name);
                kwd_patterns.push(self.pattern()?);
            } else {
                let p = self.pattern()?;
                if !kwd_attrs.is_empty() {
                    return Err(
                        self.err_at(p.span, "positional patterns follow keyword patterns".into())
                    );
                }
                patterns.push(p);
            }
            if !self.eat(T::Comma) {
                break;
            }
        }
        self.expect(T::Rpar)?;
        Ok(self.pat(
            PatternKind::MatchClass {
                cls: self.alloc(cls),
                patterns: patterns.into_bump_slice(),
                kwd_attrs: kwd_attrs.into_bump_slice(),
                kwd_patterns: kwd_patterns.into_bump_slice(),
            },
            start,
        ))
    }
}
