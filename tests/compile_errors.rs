//! Compile-time errors (scoping errors from the symbol table, 'return'/'break'/'continue'/
//! 'yield'/'await' misplaced, duplicate arguments, ...) printed exactly as `python3 FILE`
//! prints them — file, line, source line, caret, message — with exit status 1 and no panic.
//! Every fixture in tests/fixtures/compile_errors is checked against live python3.

mod common;

use common::{fixtures, nanopy, python, repo};

#[test]
fn compile_errors_match_cpython() {
    let dir = repo().join("tests/fixtures/compile_errors");
    let files = fixtures(&dir);
    assert!(files.len() >= 20, "fixtures missing: {files:?}");
    let mut failures = Vec::new();
    for f in &files {
        let py = python(&dir, f);
        let np = nanopy(&dir, &["run", f]);
        assert_eq!(
            py.status, 1,
            "{f}: the fixture must be a compile error in CPython"
        );
        assert!(
            !np.stderr.contains("panicked"),
            "{f} panicked:\n{}",
            np.stderr
        );
        if np.stderr != py.stderr || np.status != 1 || !np.stdout.is_empty() {
            failures.push(format!(
                "== {f} (status {})\n-- python3:\n{}-- nanopy:\n{}",
                np.status, py.stderr, np.stderr
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn dis_reports_compile_errors_too() {
    let dir = repo().join("tests/fixtures/compile_errors");
    let np = nanopy(&dir, &["dis", "return_module.py"]);
    assert_eq!(np.status, 1);
    assert!(
        np.stderr
            .ends_with("SyntaxError: 'return' outside function\n"),
        "{}",
        np.stderr
    );
}
