//! Code generation for `try`/`except`/`else`/`finally`, `with`, `raise`, and the `break`,
//! `continue` and `return` that leave such blocks — CPython 3.11's `compiler_try_except`,
//! `compiler_try_finally`, `compiler_with` and `compiler_unwind_fblock` in shape.
//!
//! Zero cost: nothing is executed on entering a `try`. The protected instructions are tagged
//! with a handler (`Unit::push_handler`); assembly turns the tags into the exception table, and
//! the VM consults it only when something raises. Handler entry stacks, with `d` the
//! statement-level depth (`Unit::depth`) outside the statement:
//!
//! ```text
//! try body        -> except / finally handler   [d] exc
//! except clauses  -> cleanup (POP_EXCEPT, RERAISE) [d+1] lasti exc   (prev_exc at d)
//! with body       -> with handler                [d+1] lasti exc     (__exit__ at d)
//! __exit__ call   -> cleanup                     [d+3] lasti exc     (exit, lasti, prev_exc)
//! ```
//!
//! Leaving a block early runs, innermost first, what each enclosing block needs undone
//! ([`FBlockKind`]): a `for` drops its iterator, a handler restores the previous exception and
//! unbinds its `as` name, a `with` calls `__exit__(None, None, None)`, a `finally` body is
//! compiled inline. That code runs under the handlers outside the block being left.

use super::unit::{FBlock, FBlockKind, Loop};
use super::{Compiler, Ctx, R};
use crate::ast::*;
use crate::bytecode::{Constant, Opcode::*, Position};

impl Compiler<'_> {
    /// Push a block whose exit code leaves the stack at `depth` and runs under the first
    /// `eh_len` active handlers (the state outside the statement).
    pub(super) fn push_fblock(&mut self, kind: FBlockKind, depth: u32, eh_len: usize) {
        self.u().fblocks.push(FBlock {
            kind,
            depth,
            eh_len,
        });
    }

    /// The statement-level depth and active handler count: the state outside a new block.
    pub(super) fn outside(&mut self) -> (u32, usize) {
        let u = self.u();
        (u.depth, u.eh.len())
    }

    pub(super) fn pop_fblock(&mut self) {
        self.u().fblocks.pop();
    }

    /// `try` statements (`except*` is refused).
    pub(super) fn try_stmt(&mut self, s: &Stmt<'_>) -> R {
        match &s.kind {
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finalbody,
            } => {
                if finalbody.is_empty() {
                    self.try_except(s, body, handlers, orelse)
                } else {
                    self.try_finally(s, body, handlers, orelse, finalbody)
                }
            }
            _ => Err(self.unsupported("'try'/'except*' statements", s.span)),
        }
    }

    fn try_finally(
        &mut self,
        s: &Stmt<'_>,
        body: &[Stmt<'_>],
        handlers: &[ExceptHandler<'_>],
        orelse: &[Stmt<'_>],
        finalbody: &[Stmt<'_>],
    ) -> R {
        let handler = self.u().new_label();
        let cleanup = self.u().new_label();
        let exit = self.u().new_label();
        let (d, eh0) = self.outside();
        self.u().push_handler(handler, d, false);
        // SAFETY (of the erased lifetime): the block is popped below, before `finalbody`'s
        // borrow ends; see `FBlockKind::FinallyTry`.
        let fb: *const [Stmt<'_>] = finalbody;
        #[allow(clippy::unnecessary_cast)] // the cast erases the AST lifetime
        let fb = fb as *const [Stmt<'static>];
        self.push_fblock(FBlockKind::FinallyTry(fb), d, eh0);
        if handlers.is_empty() {
            self.stmts(body)?;
        } else {
            self.try_except(s, body, handlers, orelse)?;
        }
        self.pop_fblock();
        self.u().pop_handler();
        // Normal exit: the finally body inline.
        self.stmts(finalbody)?;
        self.jump(exit);
        // Exception path: [d] exc.
        self.u().bind(handler);
        self.u().pos = Position::default();
        self.u().push_handler(cleanup, d + 1, true);
        self.emit(PUSH_EXC_INFO, 0);
        self.push_fblock(FBlockKind::FinallyEnd, d, eh0);
        self.u().depth = d + 2;
        self.stmts(finalbody)?;
        self.pop_fblock();
        self.u().depth = d;
        self.u().pos = Position::default();
        self.emit(RERAISE, 0);
        self.u().pop_handler();
        self.cleanup_block(cleanup);
        self.u().bind(exit);
        Ok(())
    }

    /// `[prev_exc, lasti, exc]`: restore the previous exception and re-raise (CPython's
    /// `POP_EXCEPT_AND_RERAISE`).
    fn cleanup_block(&mut self, cleanup: super::unit::Label) {
        self.u().bind(cleanup);
        self.u().pos = Position::default();
        self.emit(COPY, 3);
        self.emit(POP_EXCEPT, 0);
        self.emit(RERAISE, 1);
    }

    fn try_except(
        &mut self,
        s: &Stmt<'_>,
        body: &[Stmt<'_>],
        handlers: &[ExceptHandler<'_>],
        orelse: &[Stmt<'_>],
    ) -> R {
        let except = self.u().new_label();
        let orelse_l = self.u().new_label();
        let cleanup = self.u().new_label();
        let end = self.u().new_label();
        let (d, eh0) = self.outside();
        self.u().push_handler(except, d, false);
        self.push_fblock(FBlockKind::TryExcept, d, eh0);
        self.stmts(body)?;
        self.pop_fblock();
        self.u().pop_handler();
        self.u().pos = Position::default();
        self.jump(orelse_l);
        // [d] exc
        self.u().bind(except);
        self.u().push_handler(cleanup, d + 1, true);
        self.u().pos = Position::default();
        self.emit(PUSH_EXC_INFO, 0);
        for (i, h) in handlers.iter().enumerate() {
            self.set_pos(h.span);
            let next = self.u().new_label();
            match h.type_ {
                Some(t) => {
                    self.expr(t)?;
                    self.set_pos(h.span);
                    self.emit(CHECK_EXC_MATCH, 0);
                    self.u().jump_to(POP_JUMP_IF_FALSE, next);
                }
                None if i + 1 < handlers.len() => {
                    return Err(self.err("default 'except:' must be last", h.span));
                }
                None => {}
            }
            match h.name {
                Some(name) => {
                    self.name_op(name, Ctx::Store);
                    let cleanup_body = self.u().new_label();
                    self.u().push_handler(cleanup_body, d + 1, true);
                    self.push_fblock(FBlockKind::HandlerCleanup(Some(name.into())), d, eh0);
                    self.u().depth = d + 1;
                    self.stmts(h.body)?;
                    self.pop_fblock();
                    self.u().depth = d;
                    // Leaving the clause: outside both handlers (as CPython's two POP_BLOCKs).
                    self.u().eh.truncate(eh0);
                    self.u().pos = Position::default();
                    self.emit(POP_EXCEPT, 0);
                    self.unbind(name);
                    self.jump(end);
                    // The body raised: unbind the name, then the outer cleanup.
                    self.u().push_handler(cleanup, d + 1, true);
                    self.u().bind(cleanup_body);
                    self.u().pos = Position::default();
                    self.unbind(name);
                    self.emit(RERAISE, 1);
                }
                None => {
                    self.emit(POP_TOP, 0);
                    self.push_fblock(FBlockKind::HandlerCleanup(None), d, eh0);
                    self.u().depth = d + 1;
                    self.stmts(h.body)?;
                    self.pop_fblock();
                    self.u().depth = d;
                    self.u().eh.truncate(eh0);
                    self.u().pos = Position::default();
                    self.emit(POP_EXCEPT, 0);
                    self.jump(end);
                    self.u().push_handler(cleanup, d + 1, true);
                }
            }
            self.u().bind(next);
        }
        // No clause matched: re-raise (the cleanup restores the previous exception).
        self.u().pos = Position::default();
        self.emit(RERAISE, 0);
        self.u().pop_handler();
        self.cleanup_block(cleanup);
        self.u().bind(orelse_l);
        let _ = s;
        self.stmts(orelse)?;
        self.u().bind(end);
        Ok(())
    }

    /// `name = None; del name` (the implicit unbinding after `except E as name`).
    fn unbind(&mut self, name: &str) {
        self.load_const(Constant::None);
        self.name_op(name, Ctx::Store);
        self.name_op(name, Ctx::Del);
    }

    pub(super) fn with_stmt(
        &mut self,
        s: &Stmt<'_>,
        items: &[WithItem<'_>],
        body: &[Stmt<'_>],
    ) -> R {
        let Some((item, rest)) = items.split_first() else {
            return self.stmts(body);
        };
        let handler = self.u().new_label();
        let cleanup = self.u().new_label();
        let suppress = self.u().new_label();
        let exit = self.u().new_label();
        let (d, eh0) = self.outside();
        self.expr(item.context_expr)?;
        self.set_pos(s.span);
        self.emit(BEFORE_WITH, 0);
        // [d] exit, enter_result
        self.u().push_handler(handler, d + 1, true);
        self.push_fblock(FBlockKind::With, d, eh0);
        self.u().depth = d + 1;
        match item.optional_vars {
            Some(t) => self.store_target(t, Ctx::Store)?,
            None => self.emit(POP_TOP, 0),
        }
        if rest.is_empty() {
            self.stmts(body)?;
        } else {
            self.with_stmt(s, rest, body)?;
        }
        self.pop_fblock();
        self.u().depth = d;
        self.u().pop_handler();
        // Normal exit: exit(None, None, None).
        self.u().pos = Position::line(s.span.lineno);
        self.call_exit_with_nones();
        self.jump(exit);
        // [d] exit, lasti, exc
        self.u().bind(handler);
        self.u().push_handler(cleanup, d + 3, true);
        self.emit(PUSH_EXC_INFO, 0);
        self.emit(WITH_EXCEPT_START, 0);
        self.u().jump_to(POP_JUMP_IF_TRUE, suppress);
        self.emit(RERAISE, 2);
        self.u().pop_handler();
        self.cleanup_block(cleanup);
        // __exit__ returned true: drop the exception, restore the previous one, drop lasti and
        // exit, and carry on after the statement.
        self.u().push_handler(cleanup, d + 3, true);
        self.u().bind(suppress);
        self.emit(POP_TOP, 0);
        self.u().pop_handler();
        self.emit(POP_EXCEPT, 0);
        self.emit(POP_TOP, 0);
        self.emit(POP_TOP, 0);
        self.u().bind(exit);
        Ok(())
    }

    /// `exit ->` : call the bound `__exit__` with three Nones, drop the result.
    fn call_exit_with_nones(&mut self) {
        self.emit(PUSH_NULL, 0);
        for _ in 0..3 {
            self.load_const(Constant::None);
        }
        self.emit(CALL, 3);
        self.emit(POP_TOP, 0);
    }

    pub(super) fn raise_stmt(
        &mut self,
        s: &Stmt<'_>,
        exc: Option<&Expr<'_>>,
        cause: Option<&Expr<'_>>,
    ) -> R {
        let mut n = 0;
        if let Some(e) = exc {
            self.expr(e)?;
            n = 1;
            if let Some(c) = cause {
                self.expr(c)?;
                n = 2;
            }
        }
        self.set_pos(s.span);
        self.emit(RAISE_VARARGS, n);
        Ok(())
    }

    /// `return [value]`, running what enclosing blocks need on the way out.
    pub(super) fn return_stmt(&mut self, s: &Stmt<'_>, value: Option<&Expr<'_>>) -> R {
        let folded = value.map(super::fold::fold);
        let preserve = matches!(folded, Some(None));
        if preserve {
            self.expr(value.expect("non-constant value"))?;
        }
        let (_, eh) = self.unwind_fblocks(preserve, false)?;
        self.set_pos(s.span);
        if preserve {
            self.emit(RETURN_VALUE, 0);
        } else {
            let c = folded.flatten().unwrap_or(Constant::None);
            let i = self.u().add_const(c);
            self.emit(RETURN_CONST, i);
        }
        self.u().eh = eh;
        Ok(())
    }

    /// `break` (`is_break`) or `continue`.
    pub(super) fn loop_exit(&mut self, s: &Stmt<'_>, is_break: bool) -> R {
        let (lp, eh) = self.unwind_fblocks(false, true)?;
        let Some(lp) = lp else {
            let msg = if is_break {
                "'break' outside loop"
            } else {
                "'continue' not properly in loop"
            };
            return Err(self.err(msg, s.span));
        };
        self.set_pos(s.span);
        if is_break {
            if lp.is_for {
                // Leaving a for loop drops its iterator.
                self.emit(POP_TOP, 0);
            }
            self.jump(lp.brk);
        } else {
            self.jump(lp.cont);
        }
        self.u().eh = eh;
        Ok(())
    }

    /// Emit the exit code of every block from the innermost out (to the innermost loop when
    /// `to_loop`, whose `Loop` is returned). The blocks stay pushed for the code that follows;
    /// the active handlers are left as outside the last block unwound, for the caller's final
    /// jump or return, and returned for the caller to restore.
    fn unwind_fblocks(
        &mut self,
        preserve: bool,
        to_loop: bool,
    ) -> Result<(Option<Loop>, Vec<u32>), crate::error::SyntaxError> {
        let saved_blocks = self.u().fblocks.clone();
        let saved_eh = self.u().eh.clone();
        let saved_depth = self.u().depth;
        let saved_pos = self.u().pos;
        let mut found = None;
        let mut result = Ok(());
        while let Some(fb) = self.u().fblocks.pop() {
            if let (FBlockKind::Loop(lp), true) = (&fb.kind, to_loop) {
                found = Some(*lp);
                break;
            }
            self.u().eh.truncate(fb.eh_len);
            result = self.unwind_fblock(&fb, preserve, &saved_eh);
            if result.is_err() {
                break;
            }
        }
        let u = self.u();
        u.fblocks = saved_blocks;
        u.depth = saved_depth;
        u.pos = saved_pos;
        if result.is_err() {
            u.eh = saved_eh;
            return result.map(|()| (None, Vec::new()));
        }
        Ok((found, saved_eh))
    }

    /// The exit code of one block (CPython's `compiler_unwind_fblock`). The block is already
    /// off the stack and its handlers are not protecting what is emitted.
    fn unwind_fblock(&mut self, fb: &FBlock, preserve: bool, all_eh: &[u32]) -> R {
        match &fb.kind {
            FBlockKind::Loop(lp) => {
                if lp.is_for && preserve {
                    self.emit(SWAP, 2);
                }
                if lp.is_for {
                    self.emit(POP_TOP, 0);
                }
            }
            FBlockKind::TryExcept => {}
            FBlockKind::FinallyTry(body) => {
                // SAFETY: see `FBlockKind::FinallyTry`: the statement that pushed this block is
                // still being compiled, so the body it borrows is alive.
                let body: &[Stmt<'_>] = unsafe { &**body };
                if preserve {
                    self.push_fblock(FBlockKind::PopValue, fb.depth, fb.eh_len);
                }
                self.u().depth = fb.depth + preserve as u32;
                self.stmts(body)?;
                if preserve {
                    self.pop_fblock();
                }
                self.u().depth = fb.depth;
            }
            FBlockKind::FinallyEnd => {
                // [prev_exc, exc (, value)]; all but POP_EXCEPT under the block's cleanup.
                self.u().eh.push(all_eh[fb.eh_len]);
                if preserve {
                    self.emit(SWAP, 2);
                }
                self.emit(POP_TOP, 0);
                if preserve {
                    self.emit(SWAP, 2);
                }
                self.u().eh.truncate(fb.eh_len);
                self.emit(POP_EXCEPT, 0);
            }
            FBlockKind::With => {
                if preserve {
                    self.emit(SWAP, 2);
                }
                self.call_exit_with_nones();
            }
            FBlockKind::HandlerCleanup(name) => {
                if preserve {
                    // The SWAP still runs under the clause-matching cleanup handler (as in
                    // CPython, whose last POP_BLOCK comes after it), the rest outside.
                    self.u().eh.push(all_eh[fb.eh_len]);
                    self.emit(SWAP, 2);
                    self.u().eh.truncate(fb.eh_len);
                }
                self.emit(POP_EXCEPT, 0);
                if let Some(n) = name {
                    let n = n.clone();
                    self.unbind(&n);
                }
            }
            FBlockKind::PopValue => {
                if preserve {
                    self.emit(SWAP, 2);
                }
                self.emit(POP_TOP, 0);
            }
        }
        self.u().depth = fb.depth;
        Ok(())
    }
}
