//! Tier 3-4 corpus programs the `langdata` work makes run completely (big integers, and the
//! parts of the others that need no classes or try/except): each prints, at its small size,
//! exactly CPython 3.11's output (benches/corpus/expected/NAME.small.out) under both
//! dispatchers. Fold into tests/corpus.rs once every tier runs.

mod common;

use common::{nanopy, repo};

const PROGRAMS: &[&str] = &["bigint_pi"];

#[test]
fn langdata_corpus_programs_match_cpython_at_small_size() {
    let corpus = repo().join("benches/corpus");
    let table = std::fs::read_to_string(corpus.join("corpus.tsv")).expect("corpus.tsv");
    let mut failures = Vec::new();
    for name in PROGRAMS {
        let row = table
            .lines()
            .find(|r| r.split('\t').next() == Some(name))
            .expect("program listed in corpus.tsv");
        let small = row.split('\t').nth(2).expect("small size");
        let expected = std::fs::read_to_string(corpus.join(format!("expected/{name}.small.out")))
            .expect("expected output");
        for d in ["tail", "switch"] {
            let prog = format!("programs/{name}.py");
            let out = nanopy(&corpus, &["run", "--dispatch", d, &prog, small]);
            if out.stdout != expected || out.status != 0 {
                failures.push(format!(
                    "{name} ({d}): status {}\n{}\n-- expected:\n{expected}-- got:\n{}",
                    out.status, out.stderr, out.stdout
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
