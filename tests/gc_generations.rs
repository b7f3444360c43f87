//! The generational collector's write barrier, checked on every program we have: each corpus
//! program (small size) and each fixture runs with a collection every few allocations and
//! `NANOPY_GC_VERIFY=1`, which checks every minor collection against a whole-heap trace and
//! panics when a young object is reachable only through an old object that no barrier
//! recorded (the store would otherwise leave a dangling reference behind). The output must be
//! the one of a plain run — the other tests compare plain runs with CPython.

mod common;

use common::{fixtures, nanopy, nanopy_env, repo};

/// A collection every `NURSERY` allocations (every fourth one a major collection).
const NURSERY: &str = "23";

const VERIFY: &[(&str, &str)] = &[("NANOPY_GC_VERIFY", "1"), ("NANOPY_GC_NURSERY", NURSERY)];

#[test]
fn corpus_programs_keep_their_output_under_the_barrier_verifier() {
    let corpus = repo().join("benches/corpus");
    let table = std::fs::read_to_string(corpus.join("corpus.tsv")).expect("corpus.tsv");
    let mut failures = Vec::new();
    let mut checked = 0;
    for row in table.lines().skip(1) {
        let cols: Vec<&str> = row.split('\t').collect();
        let (name, small) = (cols[0], cols[2]);
        let expected = std::fs::read_to_string(corpus.join(format!("expected/{name}.small.out")))
            .expect("expected output");
        let prog = format!("programs/{name}.py");
        let out = nanopy_env(&corpus, &["run", "--no-cache", &prog, small], VERIFY);
        if out.stdout != expected || out.status != 0 {
            failures.push(format!("{name}: status {}\n{}", out.status, out.stderr));
        }
        checked += 1;
    }
    assert_eq!(checked, 17);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn fixtures_keep_their_output_under_the_barrier_verifier() {
    let root = repo().join("tests/fixtures");
    let mut dirs = vec![root.clone()];
    let mut failures = Vec::new();
    let mut checked = 0;
    while let Some(dir) = dirs.pop() {
        for e in std::fs::read_dir(&dir).expect("fixture dir").flatten() {
            if e.path().is_dir() && e.file_name() != "__pycache__" {
                dirs.push(e.path());
            }
        }
        // Compile errors never run; everything else (errors included) must run the same.
        if dir.ends_with("compile_errors") {
            continue;
        }
        for f in fixtures(&dir) {
            let plain = nanopy(&dir, &["run", "--no-cache", &f]);
            let checked_run = nanopy_env(&dir, &["run", "--no-cache", &f], VERIFY);
            if (plain.stdout.as_str(), plain.stderr.as_str(), plain.status)
                != (
                    checked_run.stdout.as_str(),
                    checked_run.stderr.as_str(),
                    checked_run.status,
                )
            {
                failures.push(format!(
                    "{}/{f}: status {} vs {}\n{}",
                    dir.display(),
                    plain.status,
                    checked_run.status,
                    checked_run.stderr
                ));
            }
            checked += 1;
        }
    }
    assert!(checked > 200, "only {checked} fixtures found");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
