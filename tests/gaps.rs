//! Correctness gaps closed against CPython 3.11: programs under tests/fixtures/gaps/ (they
//! succeed) and tests/fixtures/gaps_errors/ (they end in an uncaught exception) print exactly
//! what live python3 prints, stdout and stderr, under every dispatch strategy.

mod common;

use common::{assert_dir_matches_cpython, repo, Expect};

#[test]
fn gap_programs_match_cpython() {
    assert_dir_matches_cpython(&repo().join("tests/fixtures/gaps"), Expect::Succeeds, 1);
}

#[test]
fn gap_error_programs_match_cpython() {
    assert_dir_matches_cpython(&repo().join("tests/fixtures/gaps_errors"), Expect::Fails, 1);
}
