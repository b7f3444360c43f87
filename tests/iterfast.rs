//! The iteration, generator, call-binding and instantiation fast paths (branch `iterfast`):
//! each program in `tests/fixtures/iterfast/` runs under live python3 (the oracle) and under
//! nanopy with every dispatcher (`Dispatch::ALL`); stdout, stderr (tracebacks included) and
//! the exit status must be identical byte for byte.
//!
//! - `pairs.py`: `for a, b in enumerate/zip/items` (FOR_ITER fused with UNPACK_SEQUENCE 2);
//! - `gen_*.py`: generators resumed on the caller's dispatch loop (send/throw/close, return
//!   values, errors inside for loops and nested calls, recursion through generators);
//! - `init_*.py`: `__init__` run on the caller's dispatch loop (non-None return, errors with
//!   tracebacks, recursion);
//! - `bind_*.py`: keyword/default/`*args`/`**kwargs` binding and its error messages.

mod common;

use common::{fixtures, nanopy, python, repo};

#[test]
fn iterfast_programs_match_cpython() {
    let dir = repo().join("tests/fixtures/iterfast");
    let files = fixtures(&dir);
    assert!(!files.is_empty(), "no fixtures in {}", dir.display());
    let mut failures = Vec::new();
    for f in &files {
        let py = python(&dir, f);
        for d in nanopy_vm::Dispatch::ALL.map(nanopy_vm::Dispatch::name) {
            let np = nanopy(&dir, &["run", "--no-cache", "--dispatch", d, f]);
            if np.stdout != py.stdout || np.stderr != py.stderr || np.status != py.status {
                failures.push(format!(
                    "== {f} ({d}): status {} vs python3 {}\n-- python3 stdout:\n{}-- nanopy stdout:\n{}-- python3 stderr:\n{}-- nanopy stderr:\n{}",
                    np.status, py.status, py.stdout, np.stdout, py.stderr, np.stderr
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
