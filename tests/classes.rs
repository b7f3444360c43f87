//! User-defined classes (issue #6): the feature programs in tests/fixtures/classes (class
//! basics and shapes, descriptors, special methods, MRO/isinstance/user exceptions) print
//! exactly what live python3 prints, and the programs in tests/fixtures/class_errors fail with
//! python3's traceback, message and exit status — under both dispatchers.

mod common;

use common::{fixtures, nanopy, python, repo};

#[test]
fn class_feature_programs_match_cpython() {
    let dir = repo().join("tests/fixtures/classes");
    let files = fixtures(&dir);
    assert!(files.len() >= 4, "fixtures missing: {files:?}");
    let mut failures = Vec::new();
    for f in &files {
        let py = python(&dir, f);
        assert_eq!(py.status, 0, "{f} fails in CPython:\n{}", py.stderr);
        for d in ["tail", "switch"] {
            let np = nanopy(&dir, &["run", "--dispatch", d, f]);
            if np.stdout != py.stdout || np.status != 0 || !np.stderr.is_empty() {
                failures.push(format!(
                    "== {f} ({d}) status {}\n-- python3:\n{}-- nanopy:\n{}{}",
                    np.status, py.stdout, np.stdout, np.stderr
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn class_errors_match_cpython_tracebacks() {
    let dir = repo().join("tests/fixtures/class_errors");
    let files = fixtures(&dir);
    assert!(files.len() >= 10, "fixtures missing: {files:?}");
    let mut failures = Vec::new();
    for f in &files {
        let py = python(&dir, f);
        assert_ne!(py.status, 0, "{f}: the fixture must fail in CPython");
        for d in ["tail", "switch"] {
            let np = nanopy(&dir, &["run", "--dispatch", d, f]);
            if np.stdout != py.stdout || np.stderr != py.stderr || np.status != py.status {
                failures.push(format!(
                    "== {f} ({d}): status {} vs {}\n-- python3 stderr:\n{}-- nanopy stderr:\n{}",
                    np.status, py.status, py.stderr, np.stderr
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
