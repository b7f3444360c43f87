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
            let np = nanopy(dir, &["run", "--dispatch", d, f]);
            if np.stdout != py.stdout || np.stderr != py.stderr || np.status != py.status {
                failures.push(format!(
                    "== {f} ({d}): status {} vs python3 {}\n-- python3 stdout:\n{}-- nanopy stdout:\n{}-- python3 stderr:\n{}-- nanopy stderr:\n{}",
                    np.status, py.status, py.stdout, np.stdout, py.stderr, np.stderr
                ));
            }
        }
    }
    failures
}

/// Panic with every mismatch of [`mismatches_in`].
pub fn assert_dir_matches_cpython(dir: &Path, expect: Expect, min: usize) {
    let failures = mismatches_in(dir, expect, min);
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
