//! The layer ladder compares equal work: at small sizes, every layer of benches/layers
//! (native Rust, the three dynamic representations, the VM under both dispatchers) returns
//! the checksum python3 prints for the same kernel file.

#[path = "../benches/layers/mod.rs"]
mod ladder;

use ladder::heap_objects::Obj;
use ladder::nanbox::NanBox;
use ladder::tagged_enum::Tagged;
use ladder::{cpython, vm, Checksum, Kernel};
use nanopy_vm::Dispatch;

#[test]
fn every_layer_computes_the_cpython_checksum() {
    let mut failures = Vec::new();
    for k in Kernel::ALL {
        let n = k.test_size();
        let path = k.path();
        let want = cpython::time(&path, n, 0).checksum;
        let code = vm::compile(&path);
        let mut got: Vec<(String, Checksum)> = vec![
            ("1-native".into(), k.native(n)),
            ("2a-nanbox".into(), k.dynamic::<NanBox>(n)),
            ("2b-enum".into(), k.dynamic::<Tagged>(n)),
            ("2c-heap".into(), k.dynamic::<Obj>(n)),
        ];
        for d in Dispatch::ALL {
            got.push((
                format!("3-vm-{d}"),
                vm::run(&code, vm::options(&path, n, d, false)).0,
            ));
        }
        for (layer, sum) in got {
            if sum != want {
                failures.push(format!("{} {layer}: {sum:?}, python3: {want:?}", k.name()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The checksums are not trivially equal: doubling the size changes every kernel's checksum.
#[test]
fn checksums_depend_on_the_size() {
    for k in Kernel::ALL {
        let n = k.test_size();
        assert_ne!(k.native(n), k.native(2 * n), "{}", k.name());
        assert_ne!(k.dynamic::<Obj>(n), k.dynamic::<Obj>(2 * n), "{}", k.name());
    }
}

/// Counting instructions sees the kernel's work: more work, more instructions.
#[test]
fn vm_counts_instructions_for_kernels() {
    let path = Kernel::Fib.path();
    let code = vm::compile(&path);
    let (_, small) = vm::run(&code, vm::options(&path, 10, Dispatch::Switch, true));
    let (_, big) = vm::run(&code, vm::options(&path, 12, Dispatch::Switch, true));
    assert!(small.instructions > 100, "{}", small.instructions);
    assert!(big.instructions > small.instructions * 2);
}
