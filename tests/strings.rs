//! The string fast paths of branch `strings` (tests/fixtures/strings/*.py: join, split,
//! replace, concatenation and repetition identities, `str(int)`, f-string and `format()`
//! fields, `%`-formatting of floats) print exactly what live python3 prints, under every
//! dispatcher. The format-level oracles (vm/tests/format_fixed.rs, format_spec.rs) cover the
//! digit generation value by value; these cover the VM paths around them.

mod common;

use common::{fixtures, nanopy, python, repo};

#[test]
fn string_programs_match_cpython() {
    let dir = repo().join("tests/fixtures/strings");
    let files = fixtures(&dir);
    assert!(files.len() >= 2, "fixtures missing: {files:?}");
    let mut failures = Vec::new();
    for f in &files {
        let py = python(&dir, f);
        assert_eq!(py.status, 0, "{f} fails in CPython:\n{}", py.stderr);
        for d in nanopy_vm::Dispatch::ALL.map(nanopy_vm::Dispatch::name) {
            let np = nanopy(&dir, &["run", "--dispatch", d, f]);
            if np.stdout != py.stdout || np.status != 0 || !np.stderr.is_empty() {
                let first = py
                    .stdout
                    .lines()
                    .zip(np.stdout.lines())
                    .position(|(a, b)| a != b);
                failures.push(format!(
                    "== {f} ({d}) status {}, first differing line {:?}: python3 {:?}, nanopy {:?}\n{}",
                    np.status,
                    first.map(|i| i + 1),
                    first.and_then(|i| py.stdout.lines().nth(i)),
                    first.and_then(|i| np.stdout.lines().nth(i)),
                    np.stderr
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
