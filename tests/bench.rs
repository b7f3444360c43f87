//! `nanopy bench`: outputs are checked before anything is timed; mismatches and programs nanopy
//! cannot run are reported, not timed; the JSON carries every runner's samples and median.

mod common;

use common::{nanopy, repo};

fn json(out: &str) -> serde_json::Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

fn run<'a>(report: &'a serde_json::Value, program: &str, runner: &str) -> &'a serde_json::Value {
    let p = report["programs"]
        .as_array()
        .expect("programs")
        .iter()
        .find(|p| p["name"] == program)
        .unwrap_or_else(|| panic!("{program} in report"));
    p["runs"]
        .as_array()
        .expect("runs")
        .iter()
        .find(|r| r["runner"] == runner)
        .unwrap_or_else(|| panic!("{runner} for {program}"))
}

#[test]
fn times_every_strategy_after_checking_outputs() {
    let args = [
        "bench",
        "--size",
        "small",
        "--repeat",
        "2",
        "--programs",
        "fib,scheduler",
        "--json",
        "--no-write",
    ];
    let out = nanopy(&repo(), &args);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let report = json(&out.stdout);
    let runners: Vec<String> = report["settings"]["runners"]
        .as_array()
        .expect("runners")
        .iter()
        .map(|r| r.as_str().expect("str").to_string())
        .collect();
    let mut want = vec!["python3".to_string()];
    want.extend(nanopy_vm::Dispatch::ALL.map(|d| d.name().to_string()));
    assert_eq!(runners, want);
    for r in &runners {
        for program in ["fib", "scheduler"] {
            let x = run(&report, program, r);
            assert_eq!(x["status"], "ok", "{program}: {x}");
            assert_eq!(x["times_s"].as_array().expect("times").len(), 2);
            assert!(x["median_s"].as_f64().expect("median") > 0.0);
            // --- memory ---
            let peaks = x["peak_rss_kib"].as_array().expect("peaks");
            assert_eq!(peaks.len(), 2, "{program} {r}: a peak per timed round");
            let max = x["max_rss_kib"].as_u64().expect("max peak");
            assert_eq!(Some(max), peaks.iter().filter_map(|p| p.as_u64()).max());
            // Any interpreter process is at least a megabyte and, at the small size, far
            // below a gigabyte: a wrong unit or field would not be.
            assert!(
                (1_000..1_000_000).contains(&max),
                "{program} {r}: {max} KiB"
            );
        }
    }
}

// --- memory ---
#[test]
fn prints_peak_memory_against_python() {
    let args = [
        "bench",
        "--size",
        "small",
        "--repeat",
        "1",
        "--programs",
        "binary_trees",
        "--strategies",
        "tail",
        "--no-write",
    ];
    let out = nanopy(&repo(), &args);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let table = out
        .stdout
        .split("Peak RSS")
        .next()
        .and_then(|s| s.rsplit("\n\n").next())
        .expect("a memory table");
    let row = table
        .lines()
        .find(|l| l.starts_with("binary_trees"))
        .unwrap_or_else(|| panic!("binary_trees row in {}", out.stdout));
    // python3's peak, then tail's peak with its ratio to python3's.
    let cells: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(cells.len(), 6, "{row}");
    assert_eq!((cells[2], cells[4]), ("MB", "MB"), "{row}");
    let py: f64 = cells[1].parse().expect("python3 MB");
    let tail: f64 = cells[3].parse().expect("tail MB");
    let ratio: f64 = cells[5].trim_end_matches('×').parse().expect("ratio");
    assert!((ratio - tail / py).abs() < 0.02, "{row}");
}

#[test]
fn a_program_nanopy_refuses_is_reported_and_not_timed() {
    // `match` statements are refused by the compiler ("not supported yet"); python3 runs them.
    let dir = std::env::temp_dir().join(format!("nanopy-bench-refused-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("programs")).expect("mkdir");
    std::fs::create_dir_all(dir.join("expected")).expect("mkdir");
    std::fs::write(
        dir.join("corpus.tsv"),
        "name\ttier\tsmall_n\tdefault_n\tcpython_seconds_default\tfeatures\n\
         uses_match\t4\t1\t1\t0.0\tmatch\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("programs/uses_match.py"),
        "import sys\nmatch int(sys.argv[1]):\n    case 1:\n        print('one')\n",
    )
    .expect("write");
    std::fs::write(dir.join("expected/uses_match.small.out"), "one\n").expect("write");
    let corpus_arg = dir.display().to_string();
    let args = [
        "bench",
        "--size",
        "small",
        "--repeat",
        "2",
        "--programs",
        "uses_match",
        "--strategies",
        "switch",
        "--corpus",
        &corpus_arg,
        "--json",
        "--no-write",
    ];
    let out = nanopy(&repo(), &args);
    assert_eq!(
        out.status, 0,
        "unsupported programs do not fail the run: {}",
        out.stderr
    );
    let report = json(&out.stdout);
    assert_eq!(run(&report, "uses_match", "python3")["status"], "ok");
    let refused = run(&report, "uses_match", "switch");
    assert_eq!(refused["status"], "unsupported", "{refused}");
    assert!(refused["times_s"].as_array().expect("times").is_empty());
    assert!(refused["median_s"].is_null());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_wrong_output_is_reported_and_not_timed() {
    let dir = std::env::temp_dir().join(format!("nanopy-bench-{}", std::process::id()));
    let corpus = repo().join("benches/corpus");
    std::fs::create_dir_all(dir.join("programs")).expect("mkdir");
    std::fs::create_dir_all(dir.join("expected")).expect("mkdir");
    let table = std::fs::read_to_string(corpus.join("corpus.tsv")).expect("corpus.tsv");
    std::fs::write(dir.join("corpus.tsv"), table).expect("write");
    std::fs::copy(corpus.join("programs/fib.py"), dir.join("programs/fib.py")).expect("copy");
    std::fs::write(dir.join("expected/fib.small.out"), "not what fib prints\n").expect("write");
    let corpus_arg = dir.display().to_string();
    let args = [
        "bench",
        "--size",
        "small",
        "--repeat",
        "1",
        "--programs",
        "fib",
        "--strategies",
        "tail,call",
        "--corpus",
        &corpus_arg,
        "--no-write",
    ];
    let out = nanopy(&repo(), &args);
    assert_eq!(out.status, 1, "a mismatch fails the run: {}", out.stdout);
    assert!(out.stdout.contains("MISMATCH"), "{}", out.stdout);
    assert!(
        out.stdout.contains("fib (every strategy): MISMATCH"),
        "{}",
        out.stdout
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn baseline_comparison_flags_only_changes_beyond_noise() {
    let dir = std::env::temp_dir().join(format!("nanopy-baseline-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let args = [
        "bench",
        "--size",
        "small",
        "--repeat",
        "3",
        "--programs",
        "fib",
        "--strategies",
        "switch",
        "--no-python",
        "--json",
        "--no-write",
    ];
    let out = nanopy(&repo(), &args);
    assert_eq!(out.status, 0, "{}", out.stderr);
    // A baseline whose rounds were all 1000x slower: far beyond any noise (a cold first run after
    // a build can be 10x slower), so flagged as faster.
    let mut slow = json(&out.stdout);
    for p in slow["programs"].as_array_mut().expect("programs") {
        for r in p["runs"].as_array_mut().expect("runs") {
            let times: Vec<f64> = r["times_s"]
                .as_array()
                .expect("times")
                .iter()
                .map(|t| t.as_f64().expect("f64") * 1000.0)
                .collect();
            r["median_s"] = serde_json::json!(times[1]);
            r["times_s"] = serde_json::json!(times);
        }
    }
    let file = dir.join("slow.json");
    std::fs::write(&file, slow.to_string()).expect("write");
    let file_arg = file.display().to_string();
    let mut with_baseline = args[..args.len() - 2].to_vec();
    with_baseline.extend(["--no-write", "--baseline", &file_arg]);
    let out = nanopy(&repo(), &with_baseline);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("1 of 1 timings changed beyond noise"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("faster"), "{}", out.stdout);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--against NAME=EXE`: another build timed beside this one in the same run, its runners
/// labelled NAME:STRATEGY and its outputs checked like every runner's.
#[test]
fn times_another_build_side_by_side() {
    let dir = std::env::temp_dir().join(format!("nanopy-bench-against-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    // A "build" that prints the wrong answer: reported as a mismatch, never timed.
    let wrong = dir.join("wrong-build");
    std::fs::write(&wrong, "#!/bin/sh\necho 42\n").expect("script");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&wrong, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let same = format!("same={}", env!("CARGO_BIN_EXE_nanopy"));
    let wrong_arg = format!("wrong={}", wrong.display());
    let args = [
        "bench",
        "--size",
        "small",
        "--repeat",
        "2",
        "--programs",
        "fib",
        "--strategies",
        "tail,switch",
        "--no-python",
        "--against",
        &same,
        "--against",
        &wrong_arg,
        "--json",
        "--no-write",
    ];
    let out = nanopy(&repo(), &args);
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(out.status, 1, "a mismatch fails the run: {}", out.stderr);
    let report = json(&out.stdout);
    let runners: Vec<&str> = report["settings"]["runners"]
        .as_array()
        .expect("runners")
        .iter()
        .map(|r| r.as_str().expect("str"))
        .collect();
    assert_eq!(
        runners,
        [
            "tail",
            "switch",
            "same:tail",
            "same:switch",
            "wrong:tail",
            "wrong:switch"
        ]
    );
    for r in ["tail", "switch", "same:tail", "same:switch"] {
        let x = run(&report, "fib", r);
        assert_eq!(x["status"], "ok", "{r}: {x}");
        assert_eq!(x["times_s"].as_array().expect("times").len(), 2, "{r}");
    }
    for r in ["wrong:tail", "wrong:switch"] {
        let x = run(&report, "fib", r);
        assert_eq!(x["status"], "mismatch", "{r}: {x}");
        assert!(
            x["times_s"].as_array().is_none_or(|t| t.is_empty()),
            "{r}: {x}"
        );
    }
}
