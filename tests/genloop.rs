//! Natives that drain a generator (`vm/src/interp/gen_sink.rs`): sum, any, all, min, max,
//! list, tuple, sorted, str.join, dict, set, unpacking and star-calls over generators print
//! exactly what python3 prints — items of every kind, the deciding item of any/all, start
//! values, key and default, a generator raising midway or re-entered, exhaustion, send/throw/
//! close around a drain — under every dispatch strategy, quickened or not. The programs under
//! tests/fixtures/genloop_errors end in the uncaught exception CPython reports, traceback
//! included.

mod common;

use common::{assert_dir_matches_cpython_modes, repo, Expect, QUICKEN_MODES};

#[test]
fn drained_generators_match_cpython() {
    assert_dir_matches_cpython_modes(
        &repo().join("tests/fixtures/genloop"),
        Expect::Succeeds,
        4,
        QUICKEN_MODES,
    );
}

#[test]
fn errors_in_drained_generators_match_cpython() {
    assert_dir_matches_cpython_modes(
        &repo().join("tests/fixtures/genloop_errors"),
        Expect::Fails,
        3,
        QUICKEN_MODES,
    );
}

/// With a collection every few allocations, each fixture still prints what python3 prints:
/// what a drain holds (its running total, best item, collected items) survives collections
/// that run inside the generator.
#[test]
fn drained_generators_survive_constant_collection() {
    let dir = repo().join("tests/fixtures/genloop");
    let dispatches = [nanopy_vm::Dispatch::Switch, nanopy_vm::Dispatch::Tail];
    let runs = common::assert_dir_matches_python_under_gc_stress(&dir, &dispatches, 7);
    // The allocation-heavy drains must really have collected while they ran.
    let heavy: Vec<usize> = runs
        .iter()
        .filter(|(f, _)| f == "alloc_heavy.py")
        .map(|&(_, n)| n)
        .collect();
    assert_eq!(heavy.len(), 2, "alloc_heavy.py ran under both dispatchers");
    for n in heavy {
        assert!(n > 1000, "alloc_heavy.py: {n} collections");
    }
}
