//! nanopy-vm: the back half of the pipeline.
//!
//! value (NaN-boxing) → object/dict → heap/gc → frame → interp (handlers; switch, tail, threaded and call
//! dispatchers) → ops → builtins → traceback
//!
//! The VM knows the bytecode format (`nanopy_compiler::bytecode`) and never the parser or the AST.
//!
//! Entry point for the CLI: `Vm::new(Options { dispatch, argv, trace, .. })` then
//! `vm.run_module(&code)`, which prints a traceback and returns `Err(Exit(1))` on an uncaught
//! exception.

// --- langdata ---
pub mod alloc;
pub mod builtin_dirs; // --- bigint ---
pub mod builtin_iters; // --- gaps ---
pub mod builtins;
pub mod builtins_introspect; // --- gaps ---
pub mod builtins_io; // --- gaps ---
pub mod call;
pub mod class;
pub mod deep_eq; // --- gaps ---
pub mod descriptor; // --- gaps ---
pub mod dict;
pub mod dict_iter; // --- gaps ---
pub mod exceptions;
pub mod format;
pub mod frame;
pub mod gc;
pub mod instance_dict; // --- instdict ---
                       // --- bigint ---
pub mod int_arith;
pub(crate) mod int_fast; // --- strs ---
pub mod interp;
pub mod object;
pub mod ops;
// --- langdata ---
pub mod func_attrs;
pub mod modules;
pub mod numbers;
pub mod range_ops; // --- gaps ---
pub mod set;
pub mod set_ops;
pub mod str_alloc; // --- strs ---
pub mod str_format;
pub mod str_methods_more; // --- gaps ---
pub mod suggestions; // --- bigint ---
pub mod text;
pub mod traceback;
pub mod value;

pub use interp::{Dispatch, Exit, Options, TraceOptions, Vm};
pub use value::Value;

/// A raised Python exception (an exception object).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PyErr(pub Value);

pub type PyResult<T> = Result<T, PyErr>;
