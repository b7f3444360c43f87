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

/// Run `m` under both dispatchers and compare stderr with `python3 file`.
fn assert_same_as_cpython(m: &Arc<CodeObject>, file: &str) {
    let expected = String::from_utf8(
        std::process::Command::new("python3")
            .arg(file)
            .output()
            .expect("python3")
            .stderr,
    )
    .expect("utf-8");
    for dispatch in Dispatch::ALL {
        let mut vm = Vm::new(Options {
            dispatch,
            capture: true,
            ..Options::default()
        });
        assert!(vm.run_module(m).is_err());
        assert_eq!(vm.take_stderr(), expected);
    }
}

fn temp_file(name: &str, text: &str) -> String {
    let dir = std::env::temp_dir().join(format!("nanopy-tb-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path.to_str().expect("utf-8 path").to_string()
}

#[test]
fn operator_and_subscript_anchors_match_cpython() {
    let file = temp_file(
        "anchors.py",
        "def div(a, b):\n    return a * 2 // b\n\n\nxs = [10, 0]\ny = div(xs[0], xs[1])\n",
    );
    let div = common::asm(
        "div",
        &["a", "b"],
        &[],
        "LOAD_FAST a\nLOAD_CONST 2\nBINARY_OP *\nLOAD_FAST b\nBINARY_OP //\nRETURN_VALUE",
    );
    let div = with_positions(
        &div,
        &file,
        &[
            (2, 11, 12),
            (2, 15, 16),
            (2, 11, 16),
            (2, 20, 21),
            (2, 11, 21),
            (2, 4, 21),
        ],
    );
    let m = common::asm(
        "<module>",
        &[],
        &[&div],
        "LOAD_CONST @div\nMAKE_FUNCTION 0\nSTORE_NAME div\nLOAD_CONST 10\nLOAD_CONST 0\nBUILD_LIST 2\nSTORE_NAME xs\nLOAD_NAME div\nPUSH_NULL\nLOAD_NAME xs\nLOAD_CONST 0\nBINARY_SUBSCR\nLOAD_NAME xs\nLOAD_CONST 1\nBINARY_SUBSCR\nCALL 2\nSTORE_NAME y\nRETURN_CONST None",
    );
    let m = with_positions(
        &m,
        &file,
        &[
            (1, 0, 21),
            (1, 0, 21),
            (1, 0, 21),
            (5, 6, 8),
            (5, 10, 11),
            (5, 5, 12),
            (5, 0, 2),
            (6, 4, 7),
            (6, 4, 7),
            (6, 8, 10),
            (6, 11, 12),
            (6, 8, 13),
            (6, 15, 17),
            (6, 18, 19),
            (6, 15, 20),
            (6, 4, 21),
            (6, 0, 1),
            (6, 0, 1),
        ],
    );
    assert_same_as_cpython(&m, &file);

    let file = temp_file("subscript.py", "xs = [1]\nprint(xs[5])\n");
    let m = common::asm(
        "<module>",
        &[],
        &[],
        "LOAD_CONST 1\nBUILD_LIST 1\nSTORE_NAME xs\nLOAD_NAME print\nPUSH_NULL\nLOAD_NAME xs\nLOAD_CONST 5\nBINARY_SUBSCR\nCALL 1\nPOP_TOP\nRETURN_CONST None",
    );
    let m = with_positions(
        &m,
        &file,
        &[
            (1, 6, 7),
            (1, 5, 8),
            (1, 0, 2),
            (2, 0, 5),
            (2, 0, 5),
            (2, 6, 8),
            (2, 9, 10),
            (2, 6, 11),
            (2, 0, 12),
            (2, 0, 12),
            (2, 0, 12),
        ],
    );
    assert_same_as_cpython(&m, &file);
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
    for dispatch in Dispatch::ALL {
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
