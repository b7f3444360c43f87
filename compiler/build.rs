//! Fingerprint the compiler's own source for the bytecode cache's magic number.
//!
//! The opcode table and the serialization files are fingerprinted in `bytecode/pyc.rs`, but a
//! fix in the code generator (same format, different bytecode for the same source) must also
//! retire every cache file written before it, or a fresh-looking cache would keep running the
//! old, wrong code. So every file under `src/` is hashed here (FNV-1a over sorted paths and
//! contents) into `NANOPY_COMPILER_SOURCE_HASH`; any edit to the compiler renames the cache.

use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn main() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    println!("cargo:rerun-if-changed=src");
    let mut all = Vec::new();
    files(&src, &mut all);
    all.sort();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for &b in bytes {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for p in &all {
        let rel = p.strip_prefix(&src).unwrap_or(p);
        eat(rel.to_string_lossy().as_bytes());
        eat(&[0]);
        eat(&std::fs::read(p).unwrap_or_default());
        eat(&[0]);
    }
    println!("cargo:rustc-env=NANOPY_COMPILER_SOURCE_HASH={h:016x}");
}
