//! `nanopy compile [-f] [--hash[=checked|unchecked]] PATH...`: write the bytecode cache for
//! files and directory trees, as `python3 -m compileall` does. Directories are walked in
//! sorted order for their `.py` files (skipping `__pycache__` and symlinked directories).
//! Syntax errors are printed as `nanopy run` prints them; a summary line goes to stdout and
//! the exit status is 1 if any file failed (to compile, or its cache to be written).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use nanopy_compiler::bytecode::pyc::{self, Validation};

use crate::cache;

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum HashMode {
    /// The loader rehashes the source on every load (PEP 552 checked).
    Checked,
    /// The loader trusts the cache without looking at the source (PEP 552 unchecked).
    Unchecked,
}

#[derive(clap::Args)]
pub struct Args {
    /// Files and directories (compiled recursively) to compile.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Rewrite cache files even when they are up to date.
    #[arg(short, long)]
    pub force: bool,
    /// Write hash-based cache files (PEP 552) instead of timestamp-based ones.
    #[arg(long, value_enum, num_args = 0..=1, require_equals = true, default_missing_value = "checked")]
    pub hash: Option<HashMode>,
    /// Print each file as it is compiled.
    #[arg(short, long)]
    pub verbose: bool,
}

#[derive(Default)]
struct Counts {
    compiled: usize,
    fresh: usize,
    failed: usize,
}

pub fn run(args: Args) -> ExitCode {
    let mut counts = Counts::default();
    for path in &args.paths {
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => walk(path, &args, &mut counts),
            Ok(_) => compile_one(path, &args, &mut counts),
            Err(e) => {
                eprintln!(
                    "nanopy: cannot compile '{}': {}",
                    path.display(),
                    cache::io_reason(&e)
                );
                counts.failed += 1;
            }
        }
    }
    println!(
        "nanopy compile: {} compiled, {} up to date, {} failed",
        counts.compiled, counts.fresh, counts.failed
    );
    if counts.failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn walk(dir: &Path, args: &Args, counts: &mut Counts) {
    let mut entries: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd.filter_map(|e| e.ok()).map(|e| e.path()).collect(),
        Err(e) => {
            eprintln!(
                "nanopy: cannot list '{}': {}",
                dir.display(),
                cache::io_reason(&e)
            );
            counts.failed += 1;
            return;
        }
    };
    entries.sort();
    for p in entries {
        let Ok(meta) = std::fs::symlink_metadata(&p) else {
            continue;
        };
        if meta.is_dir() {
            if p.file_name().is_some_and(|n| n != "__pycache__") {
                walk(&p, args, counts);
            }
        } else if p.extension().is_some_and(|e| e == "py") {
            compile_one(&p, args, counts);
        }
    }
}

fn compile_one(path: &Path, args: &Args, counts: &mut Counts) {
    let pyc_path = cache::cache_path(path);
    let name = cache::script_path(path);
    let fail = |counts: &mut Counts, why: String| {
        eprintln!("nanopy: cannot compile '{}': {why}", path.display());
        counts.failed += 1;
    };
    // Stat before reading, as the cache does (see cache.rs).
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => return fail(counts, cache::io_reason(&e)),
    };
    if args.hash.is_none() && !args.force && up_to_date(&pyc_path, &meta) {
        counts.fresh += 1;
        return;
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => return fail(counts, cache::io_reason(&e)),
    };
    if args.verbose {
        println!("Compiling '{}'...", path.display());
    }
    let code = match cache::compile_source(&name, &bytes) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("*** Error compiling '{}'...", path.display());
            eprint!("{}", e.render(&name));
            counts.failed += 1;
            return;
        }
    };
    let validation = match args.hash {
        None => cache::timestamp_of(&meta),
        Some(mode) => Validation::Hash {
            hash: pyc::hash64(&bytes),
            check_source: mode == HashMode::Checked,
        },
    };
    match cache::write_cache(&pyc_path, &code, validation) {
        Ok(()) => counts.compiled += 1,
        Err(e) => fail(
            counts,
            format!(
                "cannot write '{}': {}",
                pyc_path.display(),
                cache::io_reason(&e)
            ),
        ),
    }
}

/// A valid timestamp-mode cache file for exactly this source already exists.
fn up_to_date(pyc_path: &Path, meta: &std::fs::Metadata) -> bool {
    let Ok(bytes) = std::fs::read(pyc_path) else {
        return false;
    };
    matches!(pyc::read_header(&bytes), Ok(h) if h.validation == cache::timestamp_of(meta))
        && pyc::read(&bytes, None).is_ok()
}
