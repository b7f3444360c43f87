//! The layer ladder of issue #5: the same four kernels (benches/kernels/*.py: `add`, `fib`,
//! `nbody`, `sieve`) at every layer, so a chart can stack the cost of each:
//!
//! 1. [`native`]: Rust on machine types, the physical floor.
//! 2. Rust on boxed dynamic values, no interpreter: [`dynamic`] holds each kernel written once
//!    over the [`dynamic::Dynamic`] trait, instantiated for three representations:
//!    - a. [`nanbox`]: the VM's own 8-byte NaN-boxed `nanopy_vm::Value`;
//!    - b. [`tagged_enum`]: a 16-byte tagged Rust enum;
//!    - c. [`heap_objects`]: CPython-style heap objects (refcount + type pointer, one
//!      allocation per number, operators dispatched through the type's slots).
//! 3. [`vm`]: the nanopy VM running the kernel file, under each dispatch strategy.
//! 4. [`cpython`]: python3 running the same file, timed inside by `benches/kernels/_timer.py`.
//!
//! Every layer returns the kernel's checksum; `tests/layers.rs` asserts they agree, and the
//! bench checks them again before timing, so the ladder compares equal work.
//!
//! Shared by `benches/layers.rs` (criterion) and `tests/layers.rs`; knows the crates only
//! through their public API.

#![allow(dead_code)] // Each includer uses a different subset.

pub mod cpython;
pub mod dynamic;
pub mod heap_objects;
pub mod nanbox;
pub mod native;
pub mod tagged_enum;
pub mod vm;

use std::path::PathBuf;

/// A kernel's result, comparable across layers: ints exactly, floats bit for bit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Checksum {
    Int(i64),
    Float(u64),
}

impl Checksum {
    pub fn float(f: f64) -> Checksum {
        Checksum::Float(f.to_bits())
    }

    /// Parse what the kernel's Python file prints (`print(kernel(n))`: an int or a float repr).
    pub fn parse(s: &str) -> Option<Checksum> {
        let s = s.trim();
        if let Ok(i) = s.parse::<i64>() {
            return Some(Checksum::Int(i));
        }
        s.parse::<f64>().ok().map(Checksum::float)
    }
}

/// The four kernels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kernel {
    Add,
    Fib,
    Nbody,
    Sieve,
}

impl Kernel {
    pub const ALL: [Kernel; 4] = [Kernel::Add, Kernel::Fib, Kernel::Nbody, Kernel::Sieve];

    pub fn name(self) -> &'static str {
        match self {
            Kernel::Add => "add",
            Kernel::Fib => "fib",
            Kernel::Nbody => "nbody",
            Kernel::Sieve => "sieve",
        }
    }

    /// The size the benchmark runs: each kernel takes tens of milliseconds in CPython, so VM
    /// start-up (a fresh `Vm` per run) is small beside it.
    pub fn bench_size(self) -> i64 {
        match self {
            Kernel::Add => 500_000,
            Kernel::Fib => 24,
            Kernel::Nbody => 2_000,
            Kernel::Sieve => 200_000,
        }
    }

    /// A size small enough for the agreement test.
    pub fn test_size(self) -> i64 {
        match self {
            Kernel::Add => 2_000,
            Kernel::Fib => 12,
            Kernel::Nbody => 20,
            Kernel::Sieve => 2_000,
        }
    }

    /// benches/kernels/NAME.py
    pub fn path(self) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("benches/kernels")
            .join(format!("{}.py", self.name()))
    }

    /// Layer 1.
    pub fn native(self, n: i64) -> Checksum {
        match self {
            Kernel::Add => Checksum::Int(native::add_loop(n)),
            Kernel::Fib => Checksum::Int(native::fib(n)),
            Kernel::Nbody => Checksum::float(native::nbody(n)),
            Kernel::Sieve => Checksum::Int(native::sieve(n)),
        }
    }

    /// Layer 2, for one representation.
    pub fn dynamic<V: dynamic::Dynamic>(self, n: i64) -> Checksum {
        match self {
            Kernel::Add => Checksum::Int(dynamic::add_loop::<V>(n).to_i64()),
            Kernel::Fib => Checksum::Int(dynamic::fib_kernel::<V>(n).to_i64()),
            Kernel::Nbody => Checksum::float(dynamic::nbody::<V>(n).to_f64()),
            Kernel::Sieve => Checksum::Int(dynamic::sieve::<V>(n).to_i64()),
        }
    }
}
