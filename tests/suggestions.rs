//! CPython 3.11's "Did you mean" suggestions: every program in tests/fixtures/suggestions ends
//! with an uncaught NameError or AttributeError (typos at several distances, too-long names,
//! no candidate, locals before globals before builtins, attributes of instances, classes,
//! inherited methods, modules and built-in types, and `str(exc)` without the suggestion).
//! nanopy's stdout, traceback and exit status must equal live python3's, byte for byte.

mod common;

use common::{fixtures, nanopy, python, repo};

#[test]
fn suggestions_match_cpython() {
    let dir = repo().join("tests/fixtures/suggestions");
    let files = fixtures(&dir);
    assert!(files.len() >= 15, "fixtures missing: {files:?}");
    let mut failures = Vec::new();
    for f in &files {
        let py = python(&dir, f);
        assert_ne!(py.status, 0, "{f}: the fixture must fail in CPython");
        let np = nanopy(&dir, &["run", "--no-cache", f]);
        if (np.stdout.as_str(), np.stderr.as_str(), np.status)
            != (py.stdout.as_str(), py.stderr.as_str(), py.status)
        {
            failures.push(format!(
                "== {f}\n-- python3:\n{}{}-- nanopy:\n{}{}",
                py.stdout, py.stderr, np.stdout, np.stderr
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
