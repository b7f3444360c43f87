//! Call binding and hashing fast paths (branch `features`): each program in
//! `tests/fixtures/features_calls/` runs under live python3 (the oracle) and under nanopy with
//! every dispatcher; stdout, stderr (tracebacks included) and the exit status must be
//! identical byte for byte.
//!
//! - `star_forward.py`: `fn(*args, **kwargs)` forwarding bound straight from the tuple and
//!   the dict (functions, bound methods, `*args`/`**kwargs` callees, many arguments,
//!   recursion, RecursionError);
//! - `star_errors.py`, `star_traceback.py`: binding errors through star-calls and keyword
//!   calls (missing, unexpected, duplicate, positional-only, keyword-only), CPython's messages;
//! - `kw_calls.py`: keyword calls with defaults, keyword-only and positional-only parameters;
//! - `hashing.py`: equal numbers as one key, tuple-of-str/int keys, set order;
//! - `globals_store.py`: STORE_GLOBAL through LOAD_GLOBAL's cached entry position (deletes,
//!   re-adds, growth of the module dict, names never loaded);
//! - `native_calls.py`: CALL_NATIVE (natives called positionally): deoptimization when the
//!   site later sees a Python function, natives running Python code, errors and tracebacks.

mod common;

use common::{assert_dir_matches_cpython, repo, Expect};

#[test]
fn features_calls_programs_match_cpython() {
    let dir = repo().join("tests/fixtures/features_calls");
    assert_dir_matches_cpython(&dir, Expect::Same, 7);
}
