//! nanopy-compiler: the front half of the pipeline.
//!
//! source → tokens → lexer → parser → ast → symbols → codegen → bytecode (→ dis)
//!
//! This crate knows nothing of the VM. The VM depends on it only for the bytecode format
//! (`bytecode`: the opcode table and code objects).

pub mod ast;
pub mod ast_dump;
pub mod bytecode;
pub mod codegen;
pub mod error;
pub mod lexer;
pub mod parser;
pub mod source;
pub mod symtable;
pub mod tokenize_dump;
pub mod tokens;

pub use error::{SyntaxError, SyntaxErrorKind};
