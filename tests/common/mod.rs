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
