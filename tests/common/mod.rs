//! Shared by the end-to-end tests: run the real `nanopy` binary and live `python3` on the same
//! file from the same working directory (so both print the same absolute paths).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Outcome {
    pub stdout: String,
    pub stderr: String,
    pub status: i32,
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn outcome(mut cmd: Command) -> Outcome {
    let out = cmd.output().expect("spawning a process");
    Outcome {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        status: out.status.code().unwrap_or(-1),
    }
}

/// `nanopy ARGS...` run in `dir`.
pub fn nanopy(dir: &Path, args: &[&str]) -> Outcome {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_nanopy"));
    cmd.current_dir(dir).args(args);
    outcome(cmd)
}

/// `nanopy ARGS...` run in `dir` with extra environment variables.
pub fn nanopy_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Outcome {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_nanopy"));
    cmd.current_dir(dir).args(args).envs(env.iter().copied());
    outcome(cmd)
}

/// `python3 FILE` run in `dir` (the oracle).
pub fn python(dir: &Path, file: &str) -> Outcome {
    let mut cmd = Command::new("python3");
    cmd.current_dir(dir).arg(file).env("PYTHONHASHSEED", "0");
    outcome(cmd)
}

/// The `.py` files of a fixture directory, sorted.
pub fn fixtures(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("fixture dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".py"))
        .collect();
    v.sort();
    v
}

/// What a fixture directory's programs do under python3.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// Exit 0: nanopy must print the same stdout, nothing on stderr, and exit 0.
    Succeeds,
    /// Fail: nanopy must print the same stdout, the same traceback on stderr, same exit status.
    Fails,
    /// Either: stdout, stderr and exit status must all be python3's.
    Same,
}

/// Run every `.py` in `dir` (at least `min` of them) under python3 and under nanopy with every
/// dispatch strategy, and return a report per mismatch (empty when all agree).
pub fn mismatches_in(dir: &Path, expect: Expect, min: usize) -> Vec<String> {
    mismatches_in_modes(dir, expect, min, &[&[]])
}

/// nanopy's run flags that must not change what a program prints: quickening on and off.
pub const QUICKEN_MODES: &[&[&str]] = &[&[], &["--no-quicken"]];

/// As [`mismatches_in`], running nanopy once per strategy and per entry of `modes` (extra
/// `run` flags, e.g. [`QUICKEN_MODES`]).
pub fn mismatches_in_modes(
    dir: &Path,
    expect: Expect,
    min: usize,
    modes: &[&[&str]],
) -> Vec<String> {
    let files = fixtures(dir);
    assert!(
        files.len() >= min.max(1),
        "{}: fixtures missing: {files:?}",
        dir.display()
    );
    let mut failures = Vec::new();
    for f in &files {
        let py = python(dir, f);
        match expect {
            Expect::Succeeds => assert_eq!(py.status, 0, "{f} fails in CPython:\n{}", py.stderr),
            Expect::Fails => assert_ne!(py.status, 0, "{f}: the fixture must fail in CPython"),
            Expect::Same => {}
        }
        for d in nanopy_vm::Dispatch::ALL.map(nanopy_vm::Dispatch::name) {
            for flags in modes {
                let mut args = vec!["run", "--no-cache", "--dispatch", d];
                args.extend_from_slice(flags);
                args.push(f);
                let np = nanopy(dir, &args);
                if np.stdout != py.stdout || np.stderr != py.stderr || np.status != py.status {
                    failures.push(format!(
                        "== {f} ({d} {}): status {} vs python3 {}\n-- python3 stdout:\n{}-- nanopy stdout:\n{}-- python3 stderr:\n{}-- nanopy stderr:\n{}",
                        flags.join(" "), np.status, py.status, py.stdout, np.stdout, py.stderr, np.stderr
                    ));
                }
            }
        }
    }
    failures
}

/// Panic with every mismatch of [`mismatches_in`].
pub fn assert_dir_matches_cpython(dir: &Path, expect: Expect, min: usize) {
    assert_dir_matches_cpython_modes(dir, expect, min, &[&[]]);
}

/// Panic with every mismatch of [`mismatches_in_modes`].
pub fn assert_dir_matches_cpython_modes(dir: &Path, expect: Expect, min: usize, modes: &[&[&str]]) {
    let failures = mismatches_in_modes(dir, expect, min, modes);
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Compile and run `path` in-process with a collection every `every` allocations.
pub fn run_with_gc_every(
    path: &Path,
    dispatch: nanopy_vm::Dispatch,
    every: usize,
) -> (String, nanopy_vm::Vm) {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).expect("read fixture");
    let code = nanopy_compiler::parser::run_on_big_stack(|| {
        let source = nanopy_compiler::parser::decode_source(&bytes)?;
        let arena = bumpalo::Bump::new();
        let tree = nanopy_compiler::parser::parse(&arena, &source, Default::default())?;
        nanopy_compiler::codegen::compile_module(&tree, &source, &name)
    })
    .unwrap_or_else(|e| panic!("{}", e.render(&name)));
    let mut vm = nanopy_vm::Vm::new(nanopy_vm::Options {
        dispatch,
        capture: true,
        argv: vec![name.clone()],
        ..Default::default()
    });
    vm.heap.set_fixed_threshold(every);
    let r = vm.run_module(&code);
    let err = vm.take_stderr();
    assert!(r.is_ok(), "{name} ({dispatch:?}): {err}");
    (vm.take_stdout(), vm)
}

/// `--stats`' instruction histogram (the lines from `instructions:` to the blank line).
pub fn histogram(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .skip_while(|l| !l.starts_with("instructions:"))
        .take_while(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// Every fixture of `dir` prints what python3 prints when run in-process under each of
/// `dispatches` with a collection every `every` allocations; returns how many collections each
/// (fixture, dispatch) run made, for the caller's own checks.
pub fn assert_dir_matches_python_under_gc_stress(
    dir: &Path,
    dispatches: &[nanopy_vm::Dispatch],
    every: usize,
) -> Vec<(String, usize)> {
    let files = fixtures(dir);
    assert!(!files.is_empty(), "no fixtures in {}", dir.display());
    let mut collections = Vec::new();
    for f in files {
        let want = python(dir, &f);
        assert_eq!(want.status, 0, "{f}: {}", want.stderr);
        for &dispatch in dispatches {
            let (out, vm) = run_with_gc_every(&dir.join(&f), dispatch, every);
            assert_eq!(out, want.stdout, "{f} ({dispatch:?})");
            collections.push((f.clone(), vm.heap.collections));
        }
    }
    collections
}

/// (specialized, deoptimized) from `--stats`' last line.
pub fn quickening(stderr: &str) -> (u64, u64) {
    let line = stderr
        .lines()
        .find_map(|l| l.strip_prefix("quickening: "))
        .unwrap_or_else(|| panic!("no quickening line in {stderr}"));
    let n: Vec<u64> = line
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    (n[0], n[1])
}
