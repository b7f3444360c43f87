//! Front-end throughput: tokenize + parse the whole installed CPython standard library in one
//! process (criterion, `Throughput::Bytes`). `scripts/bench-frontend.sh` runs this and CPython's
//! `compile(src, path, "exec", ast.PyCF_ONLY_AST)` over the same files in the same run.
//!
//! The corpus is every `.py` under `$NANOPY_STDLIB` (default: CPython 3.11's lib directory,
//! without site-packages), read once before timing; each iteration decodes, lexes and parses
//! every file into a fresh arena. Files nanopy rejects are timed too (CPython rejects the same
//! handful).

use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use nanopy_compiler::parser::{self, ParseOptions};

// The same allocator as the `nanopy` binary.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const DEFAULT_STDLIB: &str = "/root/.pyenv/versions/3.11.7/lib/python3.11";

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = rd.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n != "site-packages") {
                collect(&p, out);
            }
        } else if p.extension().is_some_and(|e| e == "py") {
            out.push(p);
        }
    }
}

fn frontend(c: &mut Criterion) {
    let root = std::env::var("NANOPY_STDLIB").unwrap_or_else(|_| DEFAULT_STDLIB.into());
    let mut paths = Vec::new();
    collect(Path::new(&root), &mut paths);
    let files: Vec<Vec<u8>> = paths.iter().map(|p| std::fs::read(p).unwrap()).collect();
    let total: u64 = files.iter().map(|f| f.len() as u64).sum();
    // Record the corpus size for scripts/bench-frontend.sh.
    let _ = std::fs::create_dir_all("target/criterion");
    let _ = std::fs::write(
        "target/criterion/frontend-bytes.txt",
        format!("{} {}\n", total, files.len()),
    );
    let opts = ParseOptions::default();
    let mut group = c.benchmark_group("frontend");
    group.throughput(Throughput::Bytes(total));
    group.sample_size(10);
    group.bench_function("stdlib_parse", |b| {
        b.iter(|| {
            let mut ok = 0usize;
            let mut arena = bumpalo::Bump::new();
            for f in &files {
                arena.reset();
                let Ok(src) = parser::decode_source(f) else {
                    continue;
                };
                if parser::parse(&arena, &src, opts).is_ok() {
                    ok += 1;
                }
            }
            ok
        })
    });
    // The lexer alone, for attribution (decode + parser-mode tokens).
    group.bench_function("stdlib_lex", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for f in &files {
                let Ok(src) = parser::decode_source(f) else {
                    continue;
                };
                let (toks, _) = nanopy_compiler::lexer::lex_partial(&src, Default::default());
                n += toks.len();
            }
            n
        })
    });
    group.finish();
}

criterion_group!(benches, frontend);
criterion_main!(benches);
