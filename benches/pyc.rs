//! Start-up of a large module: compiling it from source (decode, parse, codegen — what
//! `nanopy run --no-cache` does) against loading it from its cache file (header, checksum,
//! decode, verify — what `nanopy run` does on a cache hit). Both from bytes in memory, so
//! the file system is out of the comparison; the VM's own loading is common to both and left
//! out. Rounds interleave the two (machine load falls on both alike); medians are reported.
//!
//!     cargo bench --bench pyc -- FILE.py [ROUNDS]
//!
//! `scripts/bench_pyc.py` generates the module, runs this and the process-level measurements,
//! and writes bench-results/pyc-<date>.md.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use nanopy_compiler::bytecode::pyc::{self, Validation};
use nanopy_compiler::bytecode::{marshal, verify};
use nanopy_compiler::parser::{self, ParseOptions};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn compile(name: &str, bytes: &[u8]) -> Arc<nanopy_compiler::bytecode::CodeObject> {
    parser::run_on_big_stack(|| {
        let source = parser::decode_source(bytes).expect("decodes");
        let arena = bumpalo::Bump::new();
        let tree = parser::parse(&arena, &source, ParseOptions::default()).expect("parses");
        nanopy_compiler::codegen::compile_module(&tree, &source, name).expect("compiles")
    })
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let Some(path) = args.first() else {
        eprintln!("usage: cargo bench --bench pyc -- FILE.py [ROUNDS]");
        std::process::exit(2);
    };
    let rounds: usize = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(41);
    let bytes = std::fs::read(path).expect("source file");
    let name: Arc<str> = Arc::from(path.as_str());
    let code = compile(&name, &bytes);
    let file = pyc::write(
        &code,
        Validation::Timestamp {
            mtime_ns: 1,
            size: 1,
        },
    )
    .expect("writes");
    let loaded = pyc::read(&file, Some(name.clone())).expect("loads");
    assert_eq!(*loaded, *code, "the cache must give back the compiled code");

    // `NANOPY_PYC_PROFILE=load`: only load, many times (for `perf record`).
    if std::env::var("NANOPY_PYC_PROFILE").is_ok_and(|v| v == "load") {
        for _ in 0..rounds * 100 {
            black_box(pyc::read(black_box(&file), Some(name.clone())).expect("loads"));
        }
        return;
    }
    let (mut compile_t, mut load_t) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        let t = Instant::now();
        black_box(compile(&name, black_box(&bytes)));
        compile_t.push(t.elapsed().as_secs_f64());
        // Loading is quick: several samples per round (each well above timer resolution).
        for _ in 0..5 {
            let t = Instant::now();
            black_box(pyc::read(black_box(&file), Some(name.clone())).expect("loads"));
            load_t.push(t.elapsed().as_secs_f64());
        }
    }
    let min = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
    let (cmin, lmin) = (min(&compile_t), min(&load_t));
    let (c, l) = (median(&mut compile_t), median(&mut load_t));
    // Where loading spends its time.
    let payload = &file[pyc::HEADER_LEN..];
    let each = |f: &dyn Fn()| {
        let mut v: Vec<f64> = (0..rounds)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed().as_secs_f64()
            })
            .collect();
        median(&mut v) * 1e3
    };
    let checksum = each(&|| {
        black_box(pyc::hash64(black_box(payload)));
    });
    let decode = each(&|| {
        black_box(marshal::decode(black_box(payload), Some(name.clone())).expect("decodes"));
    });
    let verify = each(&|| {
        verify::verify_module(black_box(&code)).expect("verifies");
    });
    let lines = bytes.iter().filter(|b| **b == b'\n').count();
    println!(
        "module\t{path}\t{lines} lines\t{} bytes\tpyc {} bytes",
        bytes.len(),
        file.len()
    );
    println!("compile_from_source_ms\t{:.3}", c * 1e3);
    println!("load_from_cache_ms\t{:.3}", l * 1e3);
    println!("speedup\t{:.1}", c / l);
    // Minimums: the least disturbed sample of each, a steadier ratio on a busy machine.
    println!(
        "minimums\tcompile {:.3} ms, load {:.3} ms: {:.1}x",
        cmin * 1e3,
        lmin * 1e3,
        cmin / lmin
    );
    println!("load_breakdown_ms\tchecksum {checksum:.3}, decode {decode:.3}, verify {verify:.3}");
    println!(
        "throughput\tcompile {:.1} MB/s of source\tload {:.1} MB/s of pyc",
        bytes.len() as f64 / c / 1e6,
        file.len() as f64 / l / 1e6
    );
    println!("rounds\t{rounds} rounds interleaved, 1 compile and 5 loads each; medians");
}
