//! Parses every `.py` file under a directory once (decode + lex + parse), for profiling the
//! front end under `valgrind --tool=callgrind` where the criterion bench would take too long.
//!
//! Run: `cargo build --release -p nanopy-compiler --example parse_stdlib` then
//! `valgrind --tool=callgrind target/release/examples/parse_stdlib [DIR] [REPEAT]`
//! (default DIR: CPython 3.11's lib directory; site-packages excluded, as in benches/frontend.rs).

use std::path::{Path, PathBuf};

use nanopy_compiler::parser::{self, ParseOptions};

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

fn main() {
    let mut args = std::env::args().skip(1);
    let root = args
        .next()
        .unwrap_or_else(|| "/root/.pyenv/versions/3.11.7/lib/python3.11".into());
    let repeat: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(1);
    let mut paths = Vec::new();
    collect(Path::new(&root), &mut paths);
    let files: Vec<Vec<u8>> = paths.iter().map(|p| std::fs::read(p).unwrap()).collect();
    let total: usize = files.iter().map(|f| f.len()).sum();
    let opts = ParseOptions::default();
    let mut arena = bumpalo::Bump::new();
    let t = std::time::Instant::now();
    let mut ok = 0usize;
    for _ in 0..repeat {
        for f in &files {
            arena.reset();
            let Ok(src) = parser::decode_source(f) else {
                continue;
            };
            if parser::parse(&arena, &src, opts).is_ok() {
                ok += 1;
            }
        }
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "{} files, {} bytes x {repeat}: {ok} parsed, {:.1} MB/s",
        files.len(),
        total,
        (total * repeat) as f64 / secs / 1e6
    );
}
