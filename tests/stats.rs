//! `nanopy run --stats`: the program's output is unchanged; stderr gets the total of executed
//! VM instructions and a per-opcode histogram, most executed first, summing to the total.

mod common;

use common::{nanopy, repo};

/// (total, [(opcode, count)]) from the `--stats` report.
fn parse(stderr: &str) -> (u64, Vec<(String, u64)>) {
    let mut lines = stderr.lines();
    let total = lines
        .next()
        .and_then(|l| l.strip_prefix("instructions: "))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no total in {stderr:?}"));
    let rows = lines
        .take_while(|l| !l.is_empty()) // the quickening line follows a blank line
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f[0].to_string(), f[1].parse().unwrap())
        })
        .collect();
    (total, rows)
}

#[test]
fn stats_report_total_and_histogram() {
    let dir = repo().join("benches/kernels");
    let mut totals = Vec::new();
    for (n, want) in [("10", "55\n"), ("12", "144\n")] {
        for d in nanopy_vm::Dispatch::ALL.map(nanopy_vm::Dispatch::name) {
            let out = nanopy(&dir, &["run", "--stats", "--dispatch", d, "fib.py", n]);
            assert_eq!(out.status, 0, "{}", out.stderr);
            assert_eq!(out.stdout, want);
            let (total, rows) = parse(&out.stderr);
            assert_eq!(rows.iter().map(|r| r.1).sum::<u64>(), total);
            assert!(rows.windows(2).all(|w| w[0].1 >= w[1].1), "{rows:?}");
            // fib's body: every call runs one COMPARE_OP and one CALL per recursive call.
            let count = |op: &str| rows.iter().find(|r| r.0 == op).map_or(0, |r| r.1);
            assert!(count("CALL") > 100 && count("COMPARE_OP") >= count("CALL") - 2);
            totals.push(total);
        }
    }
    // The count does not depend on the dispatch strategy, and grows with the work.
    let (small, big) = totals.split_at(totals.len() / 2);
    assert!(small.iter().all(|&t| t == small[0]), "{small:?}");
    assert!(big.iter().all(|&t| t == big[0]), "{big:?}");
    assert!(big[0] > small[0] * 2);
}

#[test]
fn stats_after_an_uncaught_exception() {
    let dir = repo().join("benches/kernels");
    let out = nanopy(&dir, &["run", "--stats", "fib.py", "x"]);
    assert_eq!(out.status, 1);
    assert!(out.stderr.contains("ValueError"), "{}", out.stderr);
    assert!(out.stderr.contains("\ninstructions: "), "{}", out.stderr);
}
