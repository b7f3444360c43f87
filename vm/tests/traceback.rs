//! Tracebacks read source lines from the file and place carets by instruction positions,
//! byte for byte as CPython 3.11 prints them (for spans without operator anchors).

mod common;

use std::sync::Arc;

use nanopy_compiler::bytecode::{CodeObject, Position};
use nanopy_vm::{Dispatch, Options, Vm};

/// Give every instruction of `co` the span `(line, col, end_col)` from `spans` (by index).
fn with_positions(co: &Arc<CodeObject>, file: &str, spans: &[(u32, u32, u32)]) -> Arc<CodeObject> {
    let mut c = (**co).clone();
    c.filename = file.into();
    c.positions = spans
        .iter()
        .map(|&(line, col, end_col)| Position {
            line,
            end_line: line,
            col,
            end_col,
        })
        .collect();
    assert_eq!(c.positions.len(), c.code.len());
    Arc::new(c)
}

#[test]
fn carets_and_source_lines_match_cpython() {
    let dir = std::env::temp_dir().join(format!("nanopy-tb-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("caret_demo.py");
    let file = path.to_str().expect("utf-8 path");
    std::fs::write(&path, "def f(s):\n    return len(s)\n\n\nx = f(5)\n").expect("write");
    // def f(s): return len(s)      -- line 2, `len(s)` spans columns 11..17
    let f = common::asm(
        "f",
        &["s"],
        &[],
        "LOAD_GLOBAL len\nPUSH_NULL\nLOAD_FAST s\nCALL 1\nRETURN_VALUE",
    );
    let f = with_positions(
        &f,
        file,
        &[
            (2, 11, 14),
            (2, 11, 14),
            (2, 15, 16),
            (2, 11, 17),
            (2, 4, 17),
        ],
    );
    // x = f(5)                     -- line 5, `f(5)` spans columns 4..8
    let m = common::asm(
        "<module>",
        &[],
        &[&f],
        "LOAD_CONST @f\nMAKE_FUNCTION 0\nSTORE_NAME f\nLOAD_NAME f\nPUSH_NULL\nLOAD_CONST 5\nCALL 1\nSTORE_NAME x\nRETURN_CONST None",
    );
    let m = with_positions(
        &m,
        file,
        &[
            (1, 0, 23),
            (1, 0, 23),
            (1, 0, 23),
            (5, 4, 5),
            (5, 4, 5),
            (5, 6, 7),
            (5, 4, 8),
            (5, 0, 1),
            (5, 0, 1),
        ],
    );
    let expected = String::from_utf8(
        std::process::Command::new("python3")
            .arg(file)
            .output()
            .expect("python3")
            .stderr,
    )
    .expect("utf-8");
    for dispatch in [Dispatch::Switch, Dispatch::Tail] {
        let mut vm = Vm::new(Options {
            dispatch,
            capture: true,
            ..Options::default()
        });
        assert!(vm.run_module(&m).is_err());
        assert_eq!(vm.take_stderr(), expected);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
