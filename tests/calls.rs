//! The `calls` work: the lean Python call path (CALL_PY_EXACT_ARGS writing its frame in place,
//! one-test depth/room checks), fused compare-and-branch and LOAD_FAST pair
//! superinstructions, and exponential specialization backoff. Each fixture
//! (tests/fixtures/calls) must print exactly what live python3 prints — stdout, stderr
//! (tracebacks with carets, RecursionError at CPython's depth) and exit status — under every
//! dispatch strategy, with and without `--no-quicken`; `--stats` shows the instruction counts
//! do not depend on quickening (a superinstruction counts as the two it fuses) and that a
//! polymorphic site backs off instead of flip-flopping or freezing.

mod common;

use common::{
    assert_dir_matches_cpython_modes, fixtures, histogram, nanopy, python, quickening, repo,
    Expect, QUICKEN_MODES,
};

#[test]
fn call_fixtures_match_cpython_under_every_strategy() {
    let dir = repo().join("tests/fixtures/calls");
    assert_dir_matches_cpython_modes(&dir, Expect::Same, 5, QUICKEN_MODES);
}

#[test]
fn superinstructions_count_as_the_instructions_they_fuse() {
    let dir = repo().join("tests/fixtures/calls");
    for f in fixtures(&dir) {
        let on = nanopy(&dir, &["run", "--no-cache", "--stats", &f]);
        let off = nanopy(&dir, &["run", "--no-cache", "--stats", "--no-quicken", &f]);
        let h = histogram(&on.stderr);
        assert!(!h.is_empty(), "{f}: no histogram in {}", on.stderr);
        assert_eq!(h, histogram(&off.stderr), "{f}");
    }
    // fib's `n < 2` runs fused, and still counts as COMPARE_OP + POP_JUMP_IF_FALSE.
    let corpus = repo().join("benches/corpus/programs");
    let out = nanopy(&corpus, &["run", "--no-cache", "--stats", "fib.py", "12"]);
    let count = |name: &str| -> u64 {
        histogram(&out.stderr)
            .iter()
            .find_map(|l| {
                let mut w = l.split_whitespace();
                (w.next() == Some(name)).then(|| w.next().unwrap().parse().unwrap())
            })
            .unwrap_or(0)
    };
    assert!(count("COMPARE_OP") > 1000, "{}", out.stderr);
    assert_eq!(count("COMPARE_OP"), count("POP_JUMP_IF_FALSE"));
}

#[test]
fn a_polymorphic_site_backs_off_exponentially() {
    let dir = repo().join("tests/fixtures/calls");
    let out = nanopy(&dir, &["run", "--no-cache", "--stats", "alternating.py"]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let (spec, deopt) = quickening(&out.stderr);
    // 50000 float+float executions of one site: misses k = 1..12 wait 2^k - 1 executions
    // each (8177 in all), then one retry per 4095 — about 22 misses. Without backoff it
    // would miss on every other execution; with a fixed cap (16) it would stop retrying.
    assert!(
        (17..=40).contains(&deopt),
        "{deopt} deoptimizations ({spec} specializations)"
    );
    assert!(
        spec > deopt,
        "{spec} specializations, {deopt} deoptimizations"
    );
}

#[test]
fn deep_recursion_and_the_recursion_limit_under_every_strategy() {
    let dir = repo().join("tests/fixtures/calls");
    let py = python(&dir, "recursion.py");
    assert_eq!(
        py.status, 1,
        "the fixture ends in an uncaught RecursionError"
    );
    assert!(py
        .stdout
        .contains("1000 998 maximum recursion depth exceeded"));
    for d in nanopy_vm::Dispatch::ALL.map(nanopy_vm::Dispatch::name) {
        let np = nanopy(
            &dir,
            &["run", "--no-cache", "--dispatch", d, "recursion.py"],
        );
        assert_eq!(np.stdout, py.stdout, "{d}");
        assert_eq!(np.stderr, py.stderr, "{d}");
        assert_eq!(np.status, py.status, "{d}");
    }
}
