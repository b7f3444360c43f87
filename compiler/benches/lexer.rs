//! Lexer throughput in bytes/s: parser mode (what the parser consumes) and tokenize mode (what
//! `nanopy tokens` prints), over the bundled corpus and, when `python3` is on PATH, a fixed set
//! of large stdlib modules (the realistic case: comments, docstrings, deep indentation).
//!
//! Run: `cargo bench -p nanopy-compiler --bench lexer`. CPython parses ~6 MB/s (tokenizer and
//! parser together); the front end's target is 10x that, so the lexer alone must be far faster.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use nanopy_compiler::lexer::{lex, tokenize, LexOptions};

const STDLIB_FILES: &[&str] = &[
    "_pydecimal.py",
    "typing.py",
    "inspect.py",
    "argparse.py",
    "test/test_grammar.py",
    "pydoc_data/topics.py",
];

fn sources() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../benches/corpus/programs");
    if let Ok(rd) = std::fs::read_dir(&corpus) {
        let mut files: Vec<PathBuf> = rd.map(|e| e.unwrap().path()).collect();
        files.sort();
        for p in files
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "py"))
        {
            out.push((
                p.display().to_string(),
                std::fs::read_to_string(&p).unwrap(),
            ));
        }
    }
    let stdlib = Command::new("python3")
        .args([
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['stdlib'])",
        ])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    if let Some(dir) = stdlib.filter(|d| !d.is_empty()) {
        for f in STDLIB_FILES {
            if let Ok(s) = std::fs::read_to_string(Path::new(&dir).join(f)) {
                out.push((f.to_string(), s));
            }
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let srcs = sources();
    let total: usize = srcs.iter().map(|(_, s)| s.len()).sum();
    let mut g = c.benchmark_group("lexer");
    g.throughput(Throughput::Bytes(total as u64));
    g.bench_function("parser_mode", |b| {
        b.iter(|| {
            for (_, s) in &srcs {
                black_box(
                    lex(
                        black_box(s),
                        LexOptions {
                            type_comments: true,
                        },
                    )
                    .ok(),
                );
            }
        })
    });
    g.bench_function("tokenize_mode", |b| {
        b.iter(|| {
            for (_, s) in &srcs {
                black_box(tokenize(black_box(s), None).ok());
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
