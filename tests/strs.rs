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

use common::{fixtures, nanopy, python, repo};
use nanopy_compiler::parser::{self, ParseOptions};
use nanopy_vm::{Dispatch, Options, Vm};

fn dir() -> std::path::PathBuf {
    repo().join("tests/fixtures/strs")
}

#[test]
fn strs_fixtures_match_cpython_under_every_strategy() {
    let dir = dir();
    let files = fixtures(&dir);
    assert!(files.len() >= 2, "fixtures missing: {files:?}");
    let mut failures = Vec::new();
    for f in &files {
        let py = python(&dir, f);
        assert_eq!(py.status, 0, "{f} fails in CPython:\n{}", py.stderr);
        for d in Dispatch::ALL.map(Dispatch::name) {
            for quicken in [true, false] {
                let mut args = vec!["run", "--no-cache", "--dispatch", d];
                if !quicken {
                    args.push("--no-quicken");
                }
                args.push(f);
                let np = nanopy(&dir, &args);
                if (&np.stdout, &np.stderr, np.status) != (&py.stdout, &py.stderr, py.status) {
                    let first = py
                        .stdout
                        .lines()
                        .zip(np.stdout.lines())
                        .position(|(a, b)| a != b);
                    failures.push(format!(
                        "== {f} ({d}, quicken {quicken}) status {}, first differing line {:?}: \
                         python3 {:?}, nanopy {:?}\n{}",
                        np.status,
                        first.map(|i| i + 1),
                        first.and_then(|i| py.stdout.lines().nth(i)),
                        first.and_then(|i| np.stdout.lines().nth(i)),
                        np.stderr
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Compile and run `path` in-process, collecting after every `every` allocations.
fn run_with_threshold(path: &std::path::Path, dispatch: Dispatch, every: usize) -> (String, Vm) {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).expect("read fixture");
    let code = parser::run_on_big_stack(|| {
        let source = parser::decode_source(&bytes)?;
        let arena = bumpalo::Bump::new();
        let tree = parser::parse(&arena, &source, ParseOptions::default())?;
        nanopy_compiler::codegen::compile_module(&tree, &source, &name)
    })
    .unwrap_or_else(|e| panic!("{}", e.render(&name)));
    let mut vm = Vm::new(Options {
        dispatch,
        capture: true,
        argv: vec![name.clone()],
        ..Options::default()
    });
    vm.heap.set_fixed_threshold(every);
    let r = vm.run_module(&code);
    let err = vm.take_stderr();
    assert!(r.is_ok(), "{name} ({dispatch:?}): {err}");
    (vm.take_stdout(), vm)
}

#[test]
fn strs_fixtures_match_cpython_under_gc_stress() {
    let dir = dir();
    for f in fixtures(&dir) {
        let want = python(&dir, &f);
        for dispatch in Dispatch::ALL {
            let (out, vm) = run_with_threshold(&dir.join(&f), dispatch, 11);
            assert_eq!(out, want.stdout, "{f} ({dispatch:?})");
            assert!(
                vm.heap.collections > 100,
                "{f}: the GC ran {} times",
                vm.heap.collections
            );
        }
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
