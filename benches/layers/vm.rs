//! Layer 3: the nanopy VM running a kernel file, through the crates' public API as
//! `src/cli/run.rs` does (decode, parse, compile; then `Vm::run_module`). Compilation happens
//! once; each run is a fresh `Vm` (builtins installed, output captured) running the module,
//! whose `__main__` block prints `kernel(n)`.

use std::path::Path;
use std::sync::Arc;

use nanopy_compiler::bytecode::CodeObject;
use nanopy_compiler::parser::{self, ParseOptions};
use nanopy_vm::{Dispatch, Options, Vm};

use super::Checksum;

/// Compile a kernel file (panics with the rendered SyntaxError: kernels are ours).
pub fn compile(path: &Path) -> Arc<CodeObject> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{name}: {e}"));
    compile_source(&name, bytes)
}

/// Compile source text named `name`.
pub fn compile_source(name: &str, bytes: Vec<u8>) -> Arc<CodeObject> {
    parser::run_on_big_stack(|| {
        let source = parser::decode_source(&bytes)?;
        let arena = bumpalo::Bump::new();
        let tree = parser::parse(&arena, &source, ParseOptions::default())?;
        nanopy_compiler::codegen::compile_module(&tree, &source, name)
    })
    .unwrap_or_else(|e| panic!("{}", e.render(name)))
}

/// The options for one run of `code` with `sys.argv[1] == n`.
pub fn options(path: &Path, n: i64, dispatch: Dispatch, count_instructions: bool) -> Options {
    Options {
        dispatch,
        argv: vec![path.display().to_string(), n.to_string()],
        count_instructions,
        capture: true,
        ..Options::default()
    }
}

/// Run the module once; its checksum and the VM (for instruction counts).
pub fn run(code: &Arc<CodeObject>, options: Options) -> (Checksum, Vm) {
    let mut vm = Vm::new(options);
    let status = vm.run_module(code);
    let out = vm.take_stdout();
    if status.is_err() {
        panic!("kernel failed in the VM:\n{out}{}", vm.take_stderr());
    }
    let sum = Checksum::parse(&out).unwrap_or_else(|| panic!("no checksum in {out:?}"));
    (sum, vm)
}
