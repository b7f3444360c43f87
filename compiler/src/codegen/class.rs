//! `class` statements, compiled as CPython 3.11 does: the body becomes a function (its own code
//! object, names resolved with `LOAD_NAME`/`STORE_NAME` against the class namespace) that
//! `__build_class__` runs; decorators apply to the finished class.
//!
//! ```text
//! <decorators>, PUSH_NULL each
//! LOAD_BUILD_CLASS; PUSH_NULL
//! LOAD_CONST <code Name>; MAKE_FUNCTION [closure]
//! LOAD_CONST 'Name'; <bases>
//! CALL 2+nbases; CALL 1 per decorator; STORE_NAME Name
//! ```
//!
//! The body starts `__module__ = __name__; __qualname__ = 'Q'` and ends by returning the
//! implicit `__class__` cell when a method uses `super()`/`__class__` (`__build_class__` fills
//! it with the new class), else None.

use super::{Compiler, Ctx, R};
use crate::ast::*;
use crate::bytecode::{Constant, Opcode::*};

impl<'s> Compiler<'s> {
    pub(super) fn class_def(
        &mut self,
        s: &Stmt<'_>,
        name: &str,
        bases: &[Expr<'_>],
        keywords: &[Keyword<'_>],
        body: &[Stmt<'_>],
        decorators: &[Expr<'_>],
    ) -> R {
        if let Some(k) = keywords.first() {
            return Err(self.unsupported("class keyword arguments (metaclass=...)", k.span));
        }
        if let Some(b) = bases
            .iter()
            .find(|b| matches!(b.kind, ExprKind::Starred { .. }))
        {
            return Err(self.unsupported("starred class bases", b.span));
        }
        for d in decorators {
            self.expr(d)?;
            self.emit(PUSH_NULL, 0);
        }
        self.set_pos(s.span);
        self.emit(LOAD_BUILD_CLASS, 0);
        self.emit(PUSH_NULL, 0);
        let scope = self.st.scope_for(s).expect("class scope");
        let qual = self.qualname(name);
        let first_line = decorators.first().map_or(s.span.lineno, |d| d.span.lineno);
        self.new_unit(scope, name, qual.clone(), first_line);
        // Class bodies have no fast locals: every name goes through the namespace.
        self.u().varnames = Vec::new();
        self.prologue(scope);
        self.set_pos(s.span);
        self.name_op("__name__", Ctx::Load);
        self.name_op("__module__", Ctx::Store);
        self.load_const(Constant::str(&qual));
        self.name_op("__qualname__", Ctx::Store);
        let mut rest = body;
        if let Some(doc) = super::docstring(body) {
            self.set_pos(body[0].span);
            self.load_const(Constant::str(doc));
            self.name_op("__doc__", Ctx::Store);
            rest = &body[1..];
        }
        for st in rest {
            self.stmt(st)?;
        }
        if let Some(last) = body.last() {
            self.set_pos(last.span);
        }
        if self.u().cellvars.iter().any(|c| c == "__class__") {
            let i = self.u().deref_index("__class__");
            self.emit(LOAD_CLOSURE, i);
            self.emit(COPY, 1);
            self.name_op("__classcell__", Ctx::Store);
            self.emit(RETURN_VALUE, 0);
        } else {
            let none = self.u().add_const(Constant::None);
            self.emit(RETURN_CONST, none);
        }
        self.make_function(0, s.span)?;
        self.load_const(Constant::str(name));
        for b in bases {
            self.expr(b)?;
        }
        self.set_pos(s.span);
        self.emit(CALL, 2 + bases.len() as u32);
        for d in decorators.iter().rev() {
            self.set_pos(d.span);
            self.emit(CALL, 1);
        }
        self.set_pos(s.span);
        self.name_op(name, Ctx::Store);
        Ok(())
    }
}
