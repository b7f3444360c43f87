//! Feature programs (tests/fixtures/programs/*.py: scoping, control flow, unpacking, slices,
//! calls, comprehensions, generators) print exactly what live python3 prints, under both
//! dispatchers.

mod common;

use common::{fixtures, nanopy, python, repo};

#[test]
fn feature_programs_match_cpython() {
    let dir = repo().join("tests/fixtures/programs");
    let files = fixtures(&dir);
    assert!(files.len() >= 3, "fixtures missing: {files:?}");
    let mut failures = Vec::new();
    for f in &files {
        let py = python(&dir, f);
        assert_eq!(py.status, 0, "{f} fails in CPython:\n{}", py.stderr);
        for d in nanopy_vm::Dispatch::ALL.map(nanopy_vm::Dispatch::name) {
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
