//! The bytecode cache format against real code: for every corpus program, every test fixture
//! program and every module of CPython's standard library (outside its test suites) that nanopy compiles,
//! - the verifier accepts what codegen produced (it must never refuse honest bytecode), and
//! - serialize -> deserialize gives an equal `CodeObject` tree, re-serializes to the same bytes
//!   and disassembles (`dis`) to the same text.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use nanopy_compiler::bytecode::{dis, marshal, pyc, verify, CodeObject};
use nanopy_compiler::parser::{self, ParseOptions};

fn compile(path: &Path) -> Option<Arc<CodeObject>> {
    let bytes = std::fs::read(path).ok()?;
    let name = path.display().to_string();
    parser::run_on_big_stack(move || {
        let source = parser::decode_source(&bytes).ok()?;
        let arena = bumpalo::Bump::new();
        let tree = parser::parse(&arena, &source, ParseOptions::default()).ok()?;
        nanopy_compiler::codegen::compile_module(&tree, &source, &name).ok()
    })
}

fn py_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "py"))
        .collect();
    v.sort();
    v
}

/// `.py` files under `dir`, recursively, skipping the stdlib's own test suites.
fn py_files_deep(dir: &Path, out: &mut Vec<PathBuf>) {
    out.extend(py_files(dir));
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .filter(|p| {
            let n = p.file_name().unwrap_or_default().to_string_lossy();
            !matches!(
                &*n,
                "test" | "tests" | "idlelib" | "site-packages" | "__pycache__"
            )
        })
        .collect();
    dirs.sort();
    for d in dirs {
        py_files_deep(&d, out);
    }
}

fn stdlib() -> PathBuf {
    let out = Command::new("python3")
        .args([
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['stdlib'])",
        ])
        .output()
        .expect("python3");
    PathBuf::from(String::from_utf8(out.stdout).expect("utf-8").trim())
}

fn check(path: &Path, code: &Arc<CodeObject>) -> Result<(), String> {
    let p = path.display();
    verify::verify_module(code)
        .map_err(|e| format!("{p}: verifier refused codegen output: {e}"))?;
    let payload = marshal::encode(code).map_err(|e| format!("{p}: encode: {e}"))?;
    let back = marshal::decode(&payload, None).map_err(|e| format!("{p}: decode: {e}"))?;
    if *back != **code {
        return Err(format!("{p}: decoded tree differs"));
    }
    if marshal::encode(&back).map_err(|e| e.to_string())? != payload {
        return Err(format!("{p}: re-encoding differs"));
    }
    if dis::dis(&back) != dis::dis(code) {
        return Err(format!("{p}: dis output differs"));
    }
    // The whole file path too (header, checksum, verifier).
    let file = pyc::write(
        code,
        pyc::Validation::Timestamp {
            mtime_ns: 1,
            size: 2,
        },
    )
    .map_err(|e| e.to_string())?;
    let again = pyc::read(&file, None).map_err(|e| format!("{p}: pyc::read: {e}"))?;
    if *again != **code {
        return Err(format!("{p}: pyc round trip differs"));
    }
    Ok(())
}

#[test]
fn corpus_and_fixture_programs_round_trip_and_verify() {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut files = py_files(&repo.join("benches/corpus/programs"));
    for d in ["programs", "differential", "runtime_errors", "dis"] {
        files.extend(py_files(&repo.join("tests/fixtures").join(d)));
    }
    let mut checked = 0;
    let mut failures = Vec::new();
    for f in &files {
        if let Some(code) = compile(f) {
            checked += 1;
            if let Err(e) = check(f, &code) {
                failures.push(e);
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked >= 30, "only {checked} programs compiled");
}

#[test]
fn stdlib_modules_round_trip_and_verify() {
    let mut files = Vec::new();
    py_files_deep(&stdlib(), &mut files);
    assert!(files.len() > 100);
    let mut checked = 0;
    let mut failures = Vec::new();
    for f in &files {
        if let Some(code) = compile(f) {
            checked += 1;
            if let Err(e) = check(f, &code) {
                failures.push(e);
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked >= 10, "only {checked} stdlib modules compiled");
    eprintln!("{checked} of {} stdlib modules checked", files.len());
}
