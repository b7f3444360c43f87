//! `nanopy trace` output: one line per executed instruction with the stack after it,
//! filtered by function and capped.

mod common;

use common::asm;
use nanopy_vm::{Options, TraceOptions, Vm};

#[test]
fn trace_prints_instructions_with_stacks() {
    let f = asm(
        "f",
        &["n"],
        &[],
        "LOAD_FAST n\nLOAD_CONST 2\nBINARY_OP *\nRETURN_VALUE",
    );
    let module = asm(
        "<module>",
        &[],
        &[&f],
        "LOAD_CONST @f\nMAKE_FUNCTION 0\nSTORE_NAME f\nLOAD_NAME f\nPUSH_NULL\nLOAD_CONST 21\nCALL 1\nPOP_TOP\nRETURN_CONST None",
    );
    let run = |trace: TraceOptions| {
        let mut vm = Vm::new(Options {
            trace: Some(trace),
            capture: true,
            ..Options::default()
        });
        vm.run_module(&module).expect("runs");
        (vm.take_stderr(), vm.instructions)
    };
    let (only_f, count) = run(TraceOptions {
        function: Some("f".into()),
        limit: None,
    });
    assert_eq!(
        only_f,
        "f                    0 LOAD_FAST                    0  [21]\n\
         f                    1 LOAD_CONST                   0  [21, 2]\n\
         f                    2 BINARY_OP                    5  [42]\n\
         f                    3 RETURN_VALUE                    [42]\n"
    );
    assert_eq!(count, 13);
    let (all, _) = run(TraceOptions {
        function: None,
        limit: Some(7),
    });
    let lines: Vec<&str> = all.lines().collect();
    assert_eq!(lines.len(), 7);
    assert!(
        lines[6].starts_with("<module>             6 CALL                         1  []"),
        "{all}"
    );
}
