//! The bytecode format: the contract between the code generator and the VM.
//!
//! - [`opcode`]: the one opcode table (`for_each_opcode!`) and everything derived from it
//!   (the `Opcode` enum, names, operand kinds, stack effects).
//! - [`instr`]: the fixed-width 32-bit instruction word (bit diagram there).
//! - [`code`]: code objects, constants, the line/column table and the exception table.
//! - [`dis`]: the disassembler (`nanopy dis`), printing operands by their operand kind.
//!
//! This module owns the format only; it knows nothing of how the VM executes it.

pub mod code;
pub mod dis;
pub mod instr;
pub mod opcode;

pub use code::{CodeFlags, CodeObject, Constant, ExceptionTableEntry, Position};
pub use instr::{Instr, MAX_OPERAND};
pub use opcode::{BinaryOp, CompareOp, Opcode, OperandKind};
