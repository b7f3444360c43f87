//! Branch `strs` (speed and memory of string- and int-heavy programs): the fixtures in
//! tests/fixtures/strs print exactly what live python3 prints —
//! - `int_wide.py`: the int specializations BINARY_OP_MUL_INT / BINARY_OP_MOD_INT and the
//!   i64 big-int fast path, past the inline range, past i64, negative operands, zero divisors;
//! - `text_inline.py`: strings with inline text (up to 1 KiB) and with a block of their own,
//!   built by join, f-strings, concatenation, split, replace, case methods.
//!
//! They are checked under every dispatch strategy with and without quickening, and in-process with a collection
//! every few allocations (the collector's alternating mark value and leaf marking).

mod common;

use common::{
    assert_dir_matches_cpython_modes, assert_dir_matches_python_under_gc_stress, nanopy, python,
    repo, Expect, QUICKEN_MODES,
};
use nanopy_vm::Dispatch;

fn dir() -> std::path::PathBuf {
    repo().join("tests/fixtures/strs")
}

#[test]
fn strs_fixtures_match_cpython_under_every_strategy() {
    let dir = repo().join("tests/fixtures/strs");
    assert_dir_matches_cpython_modes(&dir, Expect::Succeeds, 2, QUICKEN_MODES);
}

#[test]
fn strs_fixtures_match_cpython_under_gc_stress() {
    for (f, n) in assert_dir_matches_python_under_gc_stress(&dir(), &Dispatch::ALL, 11) {
        assert!(n > 100, "{f}: the GC ran {n} times");
    }
}

#[test]
fn lcg_products_specialize_and_stay_specialized() {
    // The LCG's `*` leaves the inline range every time: BINARY_OP_MUL_INT makes the big int
    // itself instead of deoptimizing on each overflow.
    let dir = std::env::temp_dir().join(format!("nanopy-strs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let program = "state = 42\ntotal = 0\nfor i in range(20000):\n    \
                   state = (state * 1103515245 + 12345) % 2147483648\n    \
                   total += state % 1000\nprint(state, total)\n";
    std::fs::write(dir.join("lcg.py"), program).expect("write program");
    let out = nanopy(&dir, &["run", "--no-cache", "--stats", "lcg.py"]);
    let py = python(&dir, "lcg.py");
    assert_eq!((out.status, &out.stdout), (0, &py.stdout), "{}", out.stderr);
    let line = out
        .stderr
        .lines()
        .find_map(|l| l.strip_prefix("quickening: "))
        .unwrap_or_else(|| panic!("no quickening line in {}", out.stderr));
    let n: Vec<u64> = line
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    assert!(
        n[0] >= 2,
        "the `*` and `%` sites were not specialized: {line}"
    );
    // `+ 12345` and `% 2147483648` warm up on inline ints (the first state is small) and
    // deoptimize when the product becomes a big int; a `*` deoptimizing on each overflow
    // would show thousands.
    assert!(n[1] < 20, "deoptimized: {line}");
    let _ = std::fs::remove_dir_all(&dir);
}
