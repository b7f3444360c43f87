//! Tokenize mode against live CPython: `python3 -m tokenize [-e] FILE` vs nanopy's
//! `tokenize_file` + `tokenize_dump::dump`, byte for byte (stdout, and the error line tokenize
//! prints on stderr), for every fixture under `fixtures/tokens/` and a fixed, representative
//! subset of the stdlib (encodings, CRLF, ERRORTOKENs, non-ASCII, no final newline, huge
//! strings, the grammar tests). The full-stdlib run is `scripts/parity_tokens.py`.

use std::path::{Path, PathBuf};
use std::process::Command;

use nanopy_compiler::lexer::tokenize_file;
use nanopy_compiler::tokenize_dump::dump;

/// Runs tokenize.main() in-process for each (mode, path) and prints, per case, the exit status,
/// the first stderr line and stdout, as length-prefixed UTF-8 records.
const ORACLE: &str = r#"
import contextlib, io, sys, tokenize
out_stream = sys.stdout.buffer
def record(s):
    b = s.encode('utf-8', 'surrogateescape')
    out_stream.write(b'%d\n' % len(b) + b)
for arg in sys.argv[1:]:
    exact, path = arg[0] == 'e', arg[1:]
    out, err = io.StringIO(), io.StringIO()
    sys.argv = ['tokenize'] + (['-e'] if exact else []) + [path]
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            tokenize.main()
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else 1
        except Exception:
            code = 1
    record(str(code)); record(err.getvalue().split('\n', 1)[0]); record(out.getvalue())
out_stream.flush()
"#;

/// Stdlib files (relative to the stdlib directory) compared on every test run.
const STDLIB_SUBSET: &[&str] = &[
    "_pydecimal.py",
    "_pyio.py",
    "ast.py",
    "dataclasses.py",
    "email/mime/__init__.py",
    "fractions.py",
    "functools.py",
    "inspect.py",
    "lib2to3/pgen2/tokenize.py",
    "lib2to3/tests/data/crlf.py",
    "lib2to3/tests/data/py2_test_grammar.py",
    "lib2to3/tests/data/py3_test_grammar.py",
    "pydoc_data/__init__.py",
    "pydoc_data/topics.py",
    "re/_parser.py",
    "shlex.py",
    "test/encoded_modules/module_iso_8859_1.py",
    "test/encoded_modules/module_koi8_r.py",
    "test/test_ast.py",
    "test/test_fstring.py",
    "test/test_grammar.py",
    "test/test_source_encoding.py",
    "test/test_string_literals.py",
    "test/test_syntax.py",
    "test/test_tokenize.py",
    "test/test_tools/test_pindent.py",
    "test/test_types.py",
    "test/test_unicode_identifiers.py",
    "test/test_utf8source.py",
    "test/tokenizedata/bad_coding.py",
    "test/tokenizedata/bad_coding2.py",
    "test/tokenizedata/badsyntax_3131.py",
    "test/tokenizedata/badsyntax_pep3120.py",
    "test/tokenizedata/coding20731.py",
    "token.py",
    "tokenize.py",
    "turtledemo/clock.py",
    "typing.py",
    "unittest/mock.py",
    "zipfile.py",
];

struct Expected {
    code: u8,
    err: String,
    out: String,
}

fn python_outputs(cases: &[(bool, String)]) -> Vec<Expected> {
    let args: Vec<String> = cases
        .iter()
        .map(|(e, p)| format!("{}{p}", if *e { 'e' } else { 'p' }))
        .collect();
    let out = Command::new("python3")
        .args(["-W", "ignore", "-c", ORACLE])
        .args(&args)
        .output()
        .expect("python3 on PATH");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut rest = &out.stdout[..];
    let mut next = || {
        let nl = rest.iter().position(|&b| b == b'\n').unwrap();
        let n: usize = std::str::from_utf8(&rest[..nl]).unwrap().parse().unwrap();
        let s = String::from_utf8(rest[nl + 1..nl + 1 + n].to_vec()).unwrap();
        rest = &rest[nl + 1 + n..];
        s
    };
    cases
        .iter()
        .map(|_| Expected {
            code: next().parse().unwrap(),
            err: next(),
            out: next(),
        })
        .collect()
}

fn nanopy_output(path: &str, exact: bool) -> Expected {
    let bytes = std::fs::read(path).unwrap();
    match tokenize_file(&bytes, path) {
        Ok(t) => Expected {
            code: 0,
            err: String::new(),
            out: dump(&t, exact),
        },
        Err(e) => Expected {
            code: 1,
            err: e.render(path),
            out: String::new(),
        },
    }
}

fn compare(files: &[String]) {
    let cases: Vec<(bool, String)> = files
        .iter()
        .flat_map(|f| [(false, f.clone()), (true, f.clone())])
        .collect();
    let expected = python_outputs(&cases);
    let mut failures = Vec::new();
    for ((exact, path), want) in cases.iter().zip(&expected) {
        let got = nanopy_output(path, *exact);
        let flag = if *exact { " -e" } else { "" };
        if got.out != want.out {
            let line = want
                .out
                .lines()
                .zip(got.out.lines())
                .position(|(a, b)| a != b);
            failures.push(format!(
                "tokenize{flag} {path}: stdout differs (first at line {line:?})"
            ));
        } else if got.code != want.code || got.err != want.err {
            failures.push(format!(
                "tokenize{flag} {path}: python3 exit {} {:?}, nanopy exit {} {:?}",
                want.code, want.err, got.code, got.err
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn fixture_files() -> Vec<String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tokens");
    let mut files = Vec::new();
    for dir in ["valid", "tokenize", "errors"] {
        for e in std::fs::read_dir(root.join(dir)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "py") {
                files.push(p.to_string_lossy().into_owned());
            }
        }
    }
    files.sort();
    files
}

#[test]
fn fixtures_match_python_tokenize() {
    let files = fixture_files();
    assert!(files.len() > 100);
    compare(&files);
}

#[test]
fn stdlib_subset_matches_python_tokenize() {
    let out = Command::new("python3")
        .args([
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['stdlib'])",
        ])
        .output()
        .expect("python3 on PATH");
    let stdlib = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let files: Vec<String> = STDLIB_SUBSET
        .iter()
        .map(|f| Path::new(&stdlib).join(f).to_string_lossy().into_owned())
        .collect();
    for f in &files {
        assert!(Path::new(f).exists(), "stdlib file missing: {f}");
    }
    compare(&files);
}
