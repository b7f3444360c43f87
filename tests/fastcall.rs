//! The `fastcall` superinstructions (vm/src/interp/fastcall.rs): local +/- small-int constant,
//! local-vs-constant compare-and-branch, LOAD_FAST + RETURN_VALUE and BINARY_OP_ADD_INT +
//! RETURN_VALUE. Each fixture (tests/fixtures/fastcall) must print exactly what live python3
//! prints — stdout, stderr (tracebacks with carets) and exit status — under every dispatch
//! strategy, with and without `--no-quicken`: inline-range edges overflowing into big ints,
//! bools, floats, strs and objects falling back, unbound locals, returns into natives (entry
//! frames), generators and RecursionError. `--stats` must not depend on quickening (a fused run
//! counts as every instruction it fuses), and a site that misses falls back once.

mod common;

use common::{
    assert_dir_matches_cpython_modes, fixtures, histogram, nanopy, quickening, repo, Expect,
    QUICKEN_MODES,
};

#[test]
fn fastcall_fixtures_match_cpython_under_every_strategy() {
    let dir = repo().join("tests/fixtures/fastcall");
    assert_dir_matches_cpython_modes(&dir, Expect::Same, 4, QUICKEN_MODES);
}

#[test]
fn fused_runs_count_as_every_instruction_they_fuse() {
    let dir = repo().join("tests/fixtures/fastcall");
    let corpus = repo().join("benches/corpus/programs");
    let mut runs: Vec<(std::path::PathBuf, Vec<String>)> = fixtures(&dir)
        .into_iter()
        .map(|f| (dir.clone(), vec![f]))
        .collect();
    runs.push((corpus, vec!["fib.py".into(), "12".into()]));
    for (d, args) in runs {
        let with = |extra: &[&str]| {
            let mut a = vec!["run", "--no-cache", "--stats"];
            a.extend_from_slice(extra);
            a.extend(args.iter().map(String::as_str));
            nanopy(&d, &a)
        };
        let on = with(&[]);
        let h = histogram(&on.stderr);
        assert!(!h.is_empty(), "{args:?}: no histogram in {}", on.stderr);
        assert_eq!(h, histogram(&with(&["--no-quicken"]).stderr), "{args:?}");
    }
}

#[test]
fn a_fused_site_that_misses_falls_back_once() {
    // `x - 1` (written fused at load) and `a + b` before a return (specialized fused) warm
    // up on ints, then see floats and strs for good: one deoptimization each, however many
    // executions follow.
    let dir = repo().join("tests/fixtures/fastcall");
    let out = nanopy(&dir, &["run", "--no-cache", "--stats", "misses_once.py"]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let (spec, deopt) = quickening(&out.stderr);
    assert_eq!(deopt, 2, "{spec} specialized, {deopt} deoptimized");
}
