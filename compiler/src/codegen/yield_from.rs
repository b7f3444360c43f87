//! `yield from x` (and, later, `await`): the delegation loop, as CPython 3.11 lays it out
//! minus the exception-table cleanup.
//!
//! ```text
//!       <x>
//!       GET_YIELD_FROM_ITER
//!       LOAD_CONST None          the first value sent is None (next())
//!   L:  SEND exit                receiver, v -> receiver, yielded | jump: -> result
//!       YIELD_VALUE              yield it; resuming pushes the value sent to us
//!       JUMP_BACKWARD L
//!   exit:                        the receiver's return value is on the stack
//! ```
//!
//! The VM recognises a generator suspended inside this loop (the instruction after its
//! `YIELD_VALUE` is a `JUMP_BACKWARD` to a `SEND`) to forward `throw()` and `close()` to the
//! receiver, so codegen must keep this exact shape.

use super::Compiler;
use crate::bytecode::{Constant, Opcode};

impl Compiler<'_> {
    /// Emit the delegation loop; the iterable is on the stack, its return value ends there.
    pub(super) fn yield_from(&mut self) {
        self.emit(Opcode::GET_YIELD_FROM_ITER, 0);
        self.load_const(Constant::None);
        let send = self.u().new_label();
        let exit = self.u().new_label();
        self.u().bind(send);
        self.u().jump_to(Opcode::SEND, exit);
        self.emit(Opcode::YIELD_VALUE, 0);
        self.u().jump_to(Opcode::JUMP_BACKWARD, send);
        self.u().bind(exit);
    }
}
