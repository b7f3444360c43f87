//! nanopy-vm: the back half of the pipeline.
//!
//! value (NaN-boxing) → heap/gc → frame → interpreter (dispatch strategies) → builtins
//!
//! The VM knows the bytecode format (`nanopy_compiler::bytecode`) and never the parser or the AST.

pub mod format;
pub mod text;
