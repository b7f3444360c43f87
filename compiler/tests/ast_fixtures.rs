//! AST fixtures: every file under tests/fixtures/ast/{valid,invalid}/ is parsed and
//! - snapshotted with insta (the `ast -a` dump, or the rendered error with its code frame);
//! - compared with live CPython (`python3 -m ast -a`): the dump byte for byte, and for invalid
//!   files the error as CPython prints it below its traceback header (frame, caret, message).
//!
//! Regenerate snapshots after an intended change: `INSTA_UPDATE=always cargo test -p
//! nanopy-compiler --test ast_fixtures` (and review the diff).

use std::path::{Path, PathBuf};
use std::process::Command;

use nanopy_compiler::ast_dump::dump;
use nanopy_compiler::parser::{self, ParseOptions};

fn fixtures(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/ast")
        .join(kind);
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "py"))
        .collect();
    v.sort();
    assert!(!v.is_empty(), "no fixtures in {}", dir.display());
    v
}

/// What `nanopy ast -a` prints: the dump, or the rendered error (file name as given).
fn nanopy(path: &Path, name: &str) -> Result<String, String> {
    let bytes = std::fs::read(path).unwrap();
    let opts = ParseOptions {
        type_comments: true,
        ..Default::default()
    };
    parser::run_on_big_stack(|| {
        let src = parser::decode_source(&bytes).map_err(|e| e.render(name))?;
        let arena = bumpalo::Bump::new();
        let tree = parser::parse(&arena, &src, opts).map_err(|e| e.render(name))?;
        Ok(dump(&tree, true, 3) + "\n")
    })
}

/// `python3 -m ast -a NAME` run in the fixture's directory: stdout, or the tail of stderr from
/// the frame of the file itself (CPython's frames inside ast.py/runpy are not imitated).
fn cpython(path: &Path, name: &str) -> Result<String, String> {
    let out = Command::new("python3")
        .args(["-m", "ast", "-a", name])
        .current_dir(path.parent().unwrap())
        .output()
        .expect("python3 on PATH");
    if out.status.success() {
        return Ok(String::from_utf8(out.stdout).unwrap());
    }
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let frame = format!("  File \"{name}\"");
    Err(match err.find(&frame) {
        Some(i) => err[i..].to_string(),
        // Errors without a source frame (e.g. RecursionError): the last line.
        None => err.lines().last().unwrap_or("").to_string() + "\n",
    })
}

#[test]
fn valid_fixtures_match_cpython_and_snapshots() {
    for path in fixtures("valid") {
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let ours = nanopy(&path, &name).unwrap_or_else(|e| panic!("{name} rejected:\n{e}"));
        let theirs =
            cpython(&path, &name).unwrap_or_else(|e| panic!("CPython rejects {name}:\n{e}"));
        assert!(
            ours == theirs,
            "{name}: dump differs from python3 -m ast -a"
        );
        insta::assert_snapshot!(format!("valid__{name}"), ours);
    }
}

#[test]
fn invalid_fixtures_are_rejected_like_cpython() {
    let mut failures = Vec::new();
    for path in fixtures("invalid") {
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let ours = match nanopy(&path, &name) {
            Ok(_) => panic!("{name} accepted"),
            Err(e) => e,
        };
        let theirs = cpython(&path, &name).expect_err("CPython accepts an invalid fixture");
        // The exception line must match exactly; the frame too, except where a known
        // difference is listed in invalid/KNOWN_DIFFERENCES.
        let last = |s: &str| s.lines().last().unwrap_or("").to_string();
        if last(&ours) != last(&theirs) && !known_frame_difference(&name) {
            failures.push(format!(
                "{name}: message\n  cpython: {}\n  nanopy:  {}",
                last(&theirs),
                last(&ours)
            ));
        } else if ours != theirs && !known_frame_difference(&name) {
            failures.push(format!(
                "{name}: frame\n--- cpython\n{theirs}--- nanopy\n{ours}"
            ));
        }
        if ours.len() < 2000 {
            insta::assert_snapshot!(format!("invalid__{name}"), ours);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Fixtures whose error differs from CPython's in a known, documented way (file, reason).
fn known_frame_difference(name: &str) -> bool {
    let known = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ast/invalid/KNOWN_DIFFERENCES"),
    )
    .unwrap_or_default();
    known
        .lines()
        .any(|l| l.split_whitespace().next() == Some(name))
}

#[test]
fn other_modes_match_cpython() {
    use nanopy_compiler::parser::Mode;
    let dir = std::env::temp_dir().join(format!("nanopy-ast-modes-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (mode, flag, src) in [
        (Mode::Eval, "eval", "a if b else [c for c in d]\n"),
        (Mode::Single, "single", "x = f(1)\n"),
        (
            Mode::FuncType,
            "func_type",
            "(int, *str, **Any) -> List[bool]\n",
        ),
    ] {
        let path = dir.join(format!("{flag}.py"));
        std::fs::write(&path, src).unwrap();
        let out = Command::new("python3")
            .args(["-m", "ast", "-a", "-m", flag])
            .arg(&path)
            .output()
            .unwrap();
        assert!(out.status.success());
        let arena = bumpalo::Bump::new();
        let opts = ParseOptions {
            mode,
            type_comments: true,
        };
        let tree = parser::parse(&arena, src, opts).unwrap();
        assert_eq!(
            dump(&tree, true, 3) + "\n",
            String::from_utf8(out.stdout).unwrap(),
            "mode {flag}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
