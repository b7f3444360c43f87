//! Quickening (vm/src/interp/quicken.rs): programs that warm specialized instructions up and
//! then break their assumptions — a global rebound mid-loop, a builtin shadowed later, a
//! function redefined, a method replaced or deleted after warm-up, another class at a warm
//! attribute load, int results leaving the inline range, float/int mixes, RecursionError
//! through a specialized call, generators, errors inside specialized calls with their
//! tracebacks. Each fixture (tests/fixtures/quicken) must print exactly what live python3
//! prints — stdout, stderr (tracebacks, line numbers and carets) and exit status — under every
//! dispatch strategy, with and without `--no-quicken`.

mod common;

use common::{
    assert_dir_matches_cpython_modes, fixtures, nanopy, quickening, repo, Expect, QUICKEN_MODES,
};

#[test]
fn quickened_programs_match_cpython_under_every_strategy() {
    let dir = repo().join("tests/fixtures/quicken");
    assert_dir_matches_cpython_modes(&dir, Expect::Same, 4, QUICKEN_MODES);
}

#[test]
fn the_fixtures_really_specialize_and_deoptimize() {
    let dir = repo().join("tests/fixtures/quicken");
    for f in fixtures(&dir) {
        let on = nanopy(&dir, &["run", "--no-cache", "--stats", &f]);
        let (spec, deopt) = quickening(&on.stderr);
        assert!(
            spec > 5 && deopt > 0,
            "{f}: {spec} specialized, {deopt} deoptimized"
        );
        let off = nanopy(&dir, &["run", "--no-cache", "--stats", "--no-quicken", &f]);
        assert_eq!(quickening(&off.stderr), (0, 0), "{f}");
        // The histogram counts generic forms, so it does not depend on quickening.
        let hist = |s: &str| {
            s.lines()
                .skip_while(|l| !l.starts_with("instructions:"))
                .take_while(|l| !l.is_empty())
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        assert_eq!(hist(&on.stderr), hist(&off.stderr), "{f}");
    }
}

#[test]
fn fib_runs_on_specialized_instructions() {
    let dir = repo().join("benches/corpus/programs");
    let out = nanopy(&dir, &["run", "--no-cache", "--stats", "fib.py", "12"]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert!(
        !out.stderr.contains("_INT "),
        "histogram must show generic forms"
    );
    // LOAD_GLOBAL x2, CALL x2, BINARY_OP x3, COMPARE_OP in fib; more in main.
    let (spec, _) = quickening(&out.stderr);
    assert!(spec >= 8, "{spec}");
}
