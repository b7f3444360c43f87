//! Big integers against live python3: every program in tests/fixtures/bigint prints the results
//! of int operators on operands around the inline-int boundary (2^47), 64-bit digit boundaries
//! and huge sizes, in every sign combination (arith.py), floor division and modulo with
//! quotients around the short-division fast path's limits (division.py), CPython's exceptions
//! and messages (errors.py) and int <-> str around the 4300-digit limit (int_str.py). Output,
//! stderr and exit status must be identical.

mod common;

use common::{fixtures, nanopy, python, repo};

fn check(file: &str) {
    let dir = repo().join("tests/fixtures/bigint");
    assert!(fixtures(&dir).iter().any(|f| f == file), "missing {file}");
    let py = python(&dir, file);
    assert_eq!(py.status, 0, "{file} must run under python3: {}", py.stderr);
    // The operations are dispatcher-independent; one dispatcher besides the default keeps
    // the test affordable.
    for d in ["tail", "switch"] {
        let np = nanopy(&dir, &["run", "--no-cache", "--dispatch", d, file]);
        if np.stdout != py.stdout {
            let first = py
                .stdout
                .lines()
                .zip(np.stdout.lines())
                .position(|(a, b)| a != b);
            let line = first.map(|i| {
                (
                    py.stdout.lines().nth(i).unwrap_or(""),
                    np.stdout.lines().nth(i).unwrap_or(""),
                )
            });
            panic!(
                "{file} ({d}): stdout differs from python3; first differing line {first:?}: {line:?}\nstderr: {}",
                np.stderr
            );
        }
        assert_eq!(np.stderr, py.stderr, "{file} ({d}) stderr");
        assert_eq!(np.status, py.status, "{file} ({d}) status");
    }
}

#[test]
fn operators_match_cpython() {
    check("arith.py");
}

#[test]
fn floor_division_and_modulo_match_cpython() {
    check("division.py");
}

#[test]
fn errors_match_cpython() {
    check("errors.py");
}

#[test]
fn int_str_conversions_match_cpython() {
    check("int_str.py");
}
