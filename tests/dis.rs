//! `nanopy dis`: golden listings (insta snapshots in tests/snapshots, regenerate with
//! `cargo insta test --review`) of the fixtures in tests/fixtures/dis, and the exact
//! requirement for `def add(a, b): return a + b`. Also `nanopy trace` basics.

mod common;

use common::{fixtures, nanopy, repo};

#[test]
fn add_body_is_exactly_four_instructions() {
    let dir = repo().join("tests/fixtures/dis");
    let out = nanopy(&dir, &["dis", "add.py"]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let body = out
        .stdout
        .split("Disassembly of <code object add at line 1>:\n")
        .nth(1)
        .expect("add is disassembled after the module");
    let ops: Vec<String> = body
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            // "   2         0 LOAD_FAST                0 (a)" -> "LOAD_FAST (a)"
            let words: Vec<&str> = l.split_whitespace().collect();
            let at = words
                .iter()
                .position(|w| w.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
                .expect("opname");
            let detail = l.find('(').map(|i| &l[i..]).unwrap_or("");
            format!("{} {detail}", words[at]).trim().to_string()
        })
        .collect();
    assert_eq!(
        ops,
        [
            "LOAD_FAST (a)",
            "LOAD_FAST (b)",
            "BINARY_OP (+)",
            "RETURN_VALUE"
        ]
    );
    assert!(body.starts_with("  2           0 LOAD_FAST"), "{body}");
}

#[test]
fn listings_match_snapshots() {
    let dir = repo().join("tests/fixtures/dis");
    for f in fixtures(&dir) {
        let out = nanopy(&dir, &["dis", &f]);
        assert_eq!(out.status, 0, "{f}: {}", out.stderr);
        insta::assert_snapshot!(format!("dis__{f}"), out.stdout);
    }
}

#[test]
fn trace_follows_one_function_and_stops_at_the_limit() {
    let dir = repo().join("tests/fixtures/dis");
    let out = nanopy(
        &dir,
        &["trace", "--function", "add", "--limit", "2", "add.py"],
    );
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "3\n", "the program's own output is untouched");
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{}", out.stderr);
    assert!(lines
        .iter()
        .all(|l| l.starts_with("add ") && l.contains("LOAD_FAST")));
    assert!(
        lines[0].ends_with("[1]") && lines[1].ends_with("[1, 2]"),
        "{}",
        out.stderr
    );
}
