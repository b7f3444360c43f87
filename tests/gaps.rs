//! Correctness gaps closed against CPython 3.11: programs under tests/fixtures/gaps/ (they
//! succeed) and tests/fixtures/gaps_errors/ (they end in an uncaught exception) print exactly
//! what live python3 prints, stdout and stderr, under every dispatch strategy.

mod common;

use common::{assert_dir_matches_cpython, repo, Expect};

#[test]
fn gap_programs_match_cpython() {
    assert_dir_matches_cpython(&repo().join("tests/fixtures/gaps"), Expect::Succeeds, 1);
}

#[test]
fn gap_error_programs_match_cpython() {
    assert_dir_matches_cpython(&repo().join("tests/fixtures/gaps_errors"), Expect::Fails, 1);
}

/// `input()` reads the piped stdin (prompts on stdout, EOFError at the end) exactly as python3.
#[test]
fn input_reads_stdin_as_cpython() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let dir = repo().join("tests/fixtures/gaps_stdin");
    let run = |mut cmd: Command| {
        let mut child = cmd
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let mut stdin = child.stdin.take().expect("piped stdin");
        stdin.write_all(b"bob\n41\n").expect("write stdin");
        drop(stdin);
        let out = child.wait_with_output().expect("wait");
        (out.status.code(), out.stdout, out.stderr)
    };
    for f in common::fixtures(&dir) {
        let mut py = Command::new("python3");
        py.arg(&f);
        let want = run(py);
        assert_eq!(want.0, Some(0), "{f} fails in python3");
        for d in nanopy_vm::Dispatch::ALL.map(nanopy_vm::Dispatch::name) {
            let mut np = Command::new(env!("CARGO_BIN_EXE_nanopy"));
            np.args(["run", "--dispatch", d, &f]);
            assert_eq!(run(np), want, "{f} under {d}");
        }
    }
}
