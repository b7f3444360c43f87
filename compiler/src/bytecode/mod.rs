//! The bytecode format: the contract between the code generator and the VM.
//!
//! - [`opcode`]: the one opcode table (`for_each_opcode!`) and everything derived from it
//!   (the `Opcode` enum, names, operand kinds, stack effects).
//! - [`instr`]: the fixed-width 32-bit instruction word (bit diagram there).
//! - [`code`]: code objects, constants, the line/column table and the exception table.
//! - [`dis`]: the disassembler (`nanopy dis`), printing operands by their operand kind.
//! - [`marshal`]: the serialization of code object trees (the payload of a `.pyc` file).
//! - [`pyc`]: the `.pyc` file format around it (magic number, freshness fields, checksum).
//! - [`verify`]: the verifier that decides whether loaded bytecode is safe to run.
//!
//! This module owns the format only; it knows nothing of how the VM executes it.

pub mod code;
pub mod dis;
pub mod instr;
pub mod marshal;
pub mod opcode;
pub mod pyc;
pub mod verify;

pub use code::{CodeFlags, CodeObject, Constant, ExceptionTableEntry, Position};
pub use instr::{Instr, MAX_OPERAND};
pub use opcode::{BinaryOp, CompareOp, Opcode, OperandKind};
