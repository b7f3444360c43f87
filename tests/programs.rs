//! Feature programs (tests/fixtures/programs/*.py: scoping, control flow, unpacking, slices,
//! calls, comprehensions, generators) print exactly what live python3 prints, under every
//! dispatch strategy.

mod common;

use common::{assert_dir_matches_cpython, repo, Expect};

#[test]
fn feature_programs_match_cpython() {
    assert_dir_matches_cpython(&repo().join("tests/fixtures/programs"), Expect::Succeeds, 3);
}
