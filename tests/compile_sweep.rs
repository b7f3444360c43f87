//! Robustness: `nanopy dis` over real code (the first 100 top-level modules of CPython's
//! stdlib, sorted) never panics and never hits an internal compiler error (e.g. an inconsistent
//! stack depth). Files using constructs from later issues (classes, try, with) end with a clean
//! "not supported yet" SyntaxError and exit status 1; the rest compile (status 0).

mod common;

use std::process::Command;

use common::{nanopy, repo};

#[test]
fn stdlib_modules_compile_or_fail_cleanly() {
    let out = Command::new("python3")
        .args([
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['stdlib'])",
        ])
        .output()
        .expect("python3");
    let stdlib = String::from_utf8(out.stdout)
        .expect("utf-8")
        .trim()
        .to_string();
    let mut files: Vec<String> = std::fs::read_dir(&stdlib)
        .expect("stdlib dir")
        .filter_map(|e| e.ok())
        .map(|e| e.path().display().to_string())
        .filter(|p| p.ends_with(".py"))
        .collect();
    files.sort();
    files.truncate(100);
    assert!(files.len() >= 50);
    let mut compiled = 0;
    for f in &files {
        let r = nanopy(&repo(), &["dis", f]);
        assert!(
            !r.stderr.contains("panicked"),
            "{f} panicked:\n{}",
            r.stderr
        );
        assert!(
            !r.stderr.contains("internal compiler error"),
            "{f}:\n{}",
            r.stderr
        );
        match r.status {
            0 => compiled += 1,
            1 => assert!(
                r.stderr.contains("not support") && r.stderr.contains("SyntaxError"),
                "{f}: unexpected error\n{}",
                r.stderr
            ),
            s => panic!("{f}: exit status {s}\n{}", r.stderr),
        }
    }
    assert!(compiled >= 5, "only {compiled} modules compiled");
}
