//! `nanopy tokens` end to end, against live `python3 -m tokenize`: the file form (stdout, stderr
//! first line, exit status) and the standard-input form (no ENCODING token, tokens printed up
//! to the error, errors for `<stdin>`), plain and `-e`.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn fixtures() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("compiler/tests/fixtures/tokens");
    [
        "valid/everything.py",
        "tokenize/crlf.py",
        "tokenize/dedent_error.py",
        "tokenize/eof_in_string.py",
        "tokenize/errortoken_chars.py",
        "tokenize/unicode_names.py",
        "tokenize/bom.py",
        "tokenize/cookie_latin1.py",
        "tokenize/cookie_unknown.py",
        "tokenize/invalid_utf8_line3.py",
    ]
    .iter()
    .map(|f| root.join(f))
    .collect()
}

fn run(cmd: &mut Command, stdin: Option<&[u8]>) -> Output {
    let mut child = cmd
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    if let Some(bytes) = stdin {
        child.stdin.take().unwrap().write_all(bytes).unwrap();
    }
    child.wait_with_output().unwrap()
}

fn first_line(b: &[u8]) -> String {
    String::from_utf8_lossy(b)
        .lines()
        .next()
        .unwrap_or("")
        .to_string()
}

#[test]
fn tokens_cli_matches_python_tokenize() {
    let mut failures = Vec::new();
    for path in fixtures() {
        let bytes = std::fs::read(&path).unwrap();
        let utf8 = std::str::from_utf8(&bytes).is_ok();
        for exact in [false, true] {
            let flag: &[&str] = if exact { &["-e"] } else { &[] };
            // File argument; then standard input (valid UTF-8 only, see src/cli/tokens.rs).
            let mut forms = vec![(Some(path.clone()), None)];
            if utf8 {
                forms.push((None, Some(bytes.as_slice())));
            }
            for (file, stdin) in forms {
                let mut py = Command::new("python3");
                py.args(["-m", "tokenize"]).args(flag);
                let mut np = Command::new(env!("CARGO_BIN_EXE_nanopy"));
                np.arg("tokens").args(flag);
                if let Some(f) = &file {
                    py.arg(f);
                    np.arg(f);
                }
                let (want, got) = (run(&mut py, stdin), run(&mut np, stdin));
                let same = want.stdout == got.stdout
                    && want.status.code() == got.status.code()
                    && first_line(&want.stderr) == first_line(&got.stderr);
                if !same {
                    failures.push(format!(
                        "{} {}{}: python3 exit {:?} {:?}, nanopy exit {:?} {:?}",
                        path.display(),
                        if file.is_some() { "file" } else { "stdin" },
                        if exact { " -e" } else { "" },
                        want.status.code(),
                        first_line(&want.stderr),
                        got.status.code(),
                        first_line(&got.stderr)
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
