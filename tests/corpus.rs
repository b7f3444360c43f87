//! The corpus contract: every program of benches/corpus, all four tiers, prints, at its small
//! size (benches/corpus/corpus.tsv), exactly CPython 3.11's output
//! (benches/corpus/expected/NAME.small.out, produced by benches/corpus/regen.sh) under every
//! dispatcher (`Dispatch::ALL`). Default sizes are for benchmarks, not tests.

mod common;

use common::{nanopy, repo};

#[test]
fn every_corpus_program_matches_cpython_at_small_size() {
    let corpus = repo().join("benches/corpus");
    let table = std::fs::read_to_string(corpus.join("corpus.tsv")).expect("corpus.tsv");
    let mut checked = 0;
    let mut failures = Vec::new();
    for row in table.lines().skip(1) {
        let cols: Vec<&str> = row.split('\t').collect();
        let (name, small) = (cols[0], cols[2]);
        let expected = std::fs::read_to_string(corpus.join(format!("expected/{name}.small.out")))
            .expect("expected output");
        for d in nanopy_vm::Dispatch::ALL.map(nanopy_vm::Dispatch::name) {
            let prog = format!("programs/{name}.py");
            let out = nanopy(&corpus, &["run", "--dispatch", d, &prog, small]);
            if out.stdout != expected || out.status != 0 {
                failures.push(format!(
                    "{name} ({d}): status {}\n{}\n-- expected:\n{expected}-- got:\n{}",
                    out.status, out.stderr, out.stdout
                ));
            }
        }
        checked += 1;
    }
    assert_eq!(checked, 17, "the 17 programs of corpus.tsv");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
