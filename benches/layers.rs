//! The layer ladder (issue #5): each kernel of benches/kernels at every layer, one criterion
//! group per kernel with benchmarks named so the ladder reads in order:
//! `1-native`, `2a-nanbox`, `2b-enum`, `2c-heap`, `3-vm-<strategy>` (one per `Dispatch::ALL`); see
//! benches/layers/mod.rs for what each layer is. Every layer's checksum is checked against the
//! native one before anything is timed.
//!
//! Group `overhead/vm-startup` times what every layer-3 run includes besides the kernel: a
//! fresh `Vm` running a one-line module.
//!
//! Layer 4 (`4-cpython`) cannot be timed by criterion (a spawned process); with `--bench`, after
//! criterion's groups, python3 times each kernel itself and the figures go to
//! `target/criterion/layers-cpython.tsv`, beside the VM's executed-instruction counts in
//! `target/criterion/layers-vm-instructions.tsv`. `scripts/bench-layers.sh` runs this and
//! writes the table of ratios to bench-results/.

#[path = "layers/mod.rs"]
mod ladder;

use std::fmt::Write as _;
use std::hint::black_box;

use criterion::Criterion;
use ladder::heap_objects::Obj;
use ladder::nanbox::NanBox;
use ladder::tagged_enum::Tagged;
use ladder::{cpython, vm, Kernel};
use nanopy_vm::Dispatch;

// The same allocator as the `nanopy` binary (layer 2c allocates per number; so does the VM).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// python3 timings per kernel.
const CPYTHON_RUNS: usize = 10;

fn out_dir() -> std::path::PathBuf {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/criterion");
    let _ = std::fs::create_dir_all(&dir);
    dir
}

fn layers(c: &mut Criterion) {
    let mut counts = String::from("kernel\tn\tvm_instructions\n");
    for k in Kernel::ALL {
        let n = k.bench_size();
        let path = k.path();
        let code = vm::compile(&path);
        // Outputs are validated before times count.
        let expect = k.native(n);
        assert_eq!(k.dynamic::<NanBox>(n), expect, "{} 2a", k.name());
        assert_eq!(k.dynamic::<Tagged>(n), expect, "{} 2b", k.name());
        assert_eq!(k.dynamic::<Obj>(n), expect, "{} 2c", k.name());
        for d in Dispatch::ALL {
            let (sum, _) = vm::run(&code, vm::options(&path, n, d, false));
            assert_eq!(sum, expect, "{} vm {d:?}", k.name());
        }
        let (_, counted) = vm::run(&code, vm::options(&path, n, Dispatch::Switch, true));
        writeln!(counts, "{}\t{n}\t{}", k.name(), counted.instructions).unwrap();

        let mut g = c.benchmark_group(k.name());
        g.sample_size(10);
        g.bench_function("1-native", |b| b.iter(|| k.native(black_box(n))));
        g.bench_function("2a-nanbox", |b| {
            b.iter(|| k.dynamic::<NanBox>(black_box(n)))
        });
        g.bench_function("2b-enum", |b| b.iter(|| k.dynamic::<Tagged>(black_box(n))));
        g.bench_function("2c-heap", |b| b.iter(|| k.dynamic::<Obj>(black_box(n))));
        for d in Dispatch::ALL {
            g.bench_function(format!("3-vm-{d}"), |b| {
                b.iter(|| vm::run(&code, vm::options(&path, black_box(n), d, false)).0)
            });
        }
        g.finish();
    }
    let _ = std::fs::write(out_dir().join("layers-vm-instructions.tsv"), counts);

    // What layer 3 pays besides the kernel: a fresh `Vm` running a module that prints one int.
    let path = std::path::Path::new("startup.py");
    let code = vm::compile_source("startup.py", b"print(1)\n".to_vec());
    let mut g = c.benchmark_group("overhead");
    g.sample_size(10);
    g.bench_function("vm-startup", |b| {
        b.iter(|| vm::run(&code, vm::options(path, 0, Dispatch::Tail, false)).0)
    });
    g.finish();
}

/// Layer 4: python3 times each kernel in its own process; median and minimum per call.
fn cpython_layer() {
    let mut tsv = String::from("kernel\tn\tmedian_s\tmin_s\truns\n");
    for k in Kernel::ALL {
        let n = k.bench_size();
        let t = cpython::time(&k.path(), n, CPYTHON_RUNS);
        assert_eq!(t.checksum, k.native(n), "{} cpython", k.name());
        let mut s = t.seconds.clone();
        s.sort_by(f64::total_cmp);
        let (median, min) = (s[s.len() / 2], s[0]);
        println!(
            "{}/4-cpython  median {:.3} ms  min {:.3} ms  ({} runs)",
            k.name(),
            median * 1e3,
            min * 1e3,
            s.len()
        );
        writeln!(tsv, "{}\t{n}\t{median}\t{min}\t{}", k.name(), s.len()).unwrap();
    }
    let _ = std::fs::write(out_dir().join("layers-cpython.tsv"), tsv);
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    layers(&mut c);
    c.final_summary();
    // Only when benchmarking (`cargo bench`), not in `cargo test --benches`' quick pass.
    if std::env::args().any(|a| a == "--bench") {
        cpython_layer();
    }
}
