//! `nanopy run --stats`: run the program with the VM counting executed instructions, then print
//! (to stderr, after the program's own output) the total and a per-opcode histogram, most
//! executed first. Counting runs the instrumented switch loop whatever `--dispatch` says; the
//! counts do not depend on the dispatch strategy. Quickened instructions count as their generic
//! form (`BINARY_OP_ADD_INT` as `BINARY_OP`), so the histogram matches `nanopy dis` and does not
//! depend on `--no-quicken` either.
//!
//! ```text
//! instructions: 1234567
//!   LOAD_FAST                    456789   37.00%
//!
//! quickening: 25 instructions specialized, 2 deoptimized
//! ```

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use nanopy_compiler::bytecode::{CodeObject, Opcode};
use nanopy_vm::{Dispatch, Options, Vm};

/// Run `code` counting instructions, print the statistics; the exit status CPython would return.
pub fn execute(
    code: &Arc<CodeObject>,
    dispatch: Dispatch,
    file: &Path,
    args: &[String],
    cache_opts: crate::cache::CacheOptions,
    quicken: bool,
) -> ExitCode {
    let mut argv = vec![file.display().to_string()];
    argv.extend(args.iter().cloned());
    let mut vm = Vm::new(Options {
        dispatch,
        argv,
        count_instructions: true,
        quicken,
        loader: Some(super::loader::beside(
            &crate::cache::script_path(file),
            cache_opts,
        )),
        ..Options::default()
    });
    let status = vm.run_module(code);
    eprint!("{}", format(&vm));
    match status {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => ExitCode::from(e.0.clamp(0, 255) as u8),
    }
}

/// The total and the histogram (opcodes never executed are left out; ties in opcode order).
pub fn format(vm: &Vm) -> String {
    let mut rows: Vec<(Opcode, u64)> = Opcode::ALL
        .iter()
        .map(|&op| (op, vm.op_counts[op as usize]))
        .filter(|&(_, n)| n > 0)
        .collect();
    rows.sort_by_key(|&(_, n)| std::cmp::Reverse(n));
    let total = vm.instructions;
    let mut out = format!("instructions: {total}\n");
    for (op, n) in rows {
        let pct = 100.0 * n as f64 / total.max(1) as f64;
        out.push_str(&format!("  {:<24} {n:>12} {pct:>7.2}%\n", op.name()));
    }
    // --- quicken ---
    out.push_str(&format!(
        "\nquickening: {} instructions specialized, {} deoptimized\n",
        vm.quickened.get(),
        vm.deoptimized.get()
    ));
    out
}
