//! Rough timing of the dispatchers on hand-assembled fib(30) and a hot add loop (the bodies of
//! benches/corpus/programs/fib.py and hot_loop.py), next to CPython running the same source.
//! A measurement aid until codegen lets the real benchmark harness run the corpus:
//! `cargo run --release -p nanopy-vm --example dispatch_timing`.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

use nanopy_vm::{Dispatch, Options, Vm};

fn main() {
    let fib = common::asm(
        "fib",
        &["n"],
        &[],
        "LOAD_FAST n\nLOAD_CONST 2\nCOMPARE_OP <\nPOP_JUMP_IF_FALSE r\nLOAD_FAST n\nRETURN_VALUE\nr:\nLOAD_GLOBAL fib\nPUSH_NULL\nLOAD_FAST n\nLOAD_CONST 1\nBINARY_OP -\nCALL 1\nLOAD_GLOBAL fib\nPUSH_NULL\nLOAD_FAST n\nLOAD_CONST 2\nBINARY_OP -\nCALL 1\nBINARY_OP +\nRETURN_VALUE",
    );
    let fib_mod = common::asm(
        "<module>",
        &[],
        &[&fib],
        "LOAD_CONST @fib\nMAKE_FUNCTION 0\nSTORE_NAME fib\nLOAD_NAME print\nPUSH_NULL\nLOAD_NAME fib\nPUSH_NULL\nLOAD_CONST 30\nCALL 1\nCALL 1\nPOP_TOP\nRETURN_CONST None",
    );
    let add = common::asm(
        "add",
        &["a", "b"],
        &[],
        "LOAD_FAST a\nLOAD_FAST b\nBINARY_OP +\nRETURN_VALUE",
    );
    let main = common::asm(
        "main",
        &["n"],
        &[],
        "LOAD_CONST 0\nSTORE_FAST i\nLOAD_CONST 0\nSTORE_FAST s\nLOAD_CONST 0\nSTORE_FAST odd\ntop:\nLOAD_FAST i\nLOAD_FAST n\nCOMPARE_OP <\nPOP_JUMP_IF_FALSE done\nLOAD_GLOBAL add\nPUSH_NULL\nLOAD_FAST s\nLOAD_FAST i\nCALL 2\nSTORE_FAST s\nLOAD_FAST i\nLOAD_CONST 2\nBINARY_OP %\nLOAD_CONST 1\nCOMPARE_OP ==\nPOP_JUMP_IF_FALSE skip\nLOAD_GLOBAL add\nPUSH_NULL\nLOAD_FAST odd\nLOAD_CONST 1\nCALL 2\nSTORE_FAST odd\nskip:\nLOAD_FAST i\nLOAD_CONST 1\nBINARY_OP +=\nSTORE_FAST i\nJUMP_BACKWARD top\ndone:\nLOAD_GLOBAL print\nPUSH_NULL\nLOAD_FAST s\nLOAD_FAST odd\nCALL 2\nPOP_TOP\nRETURN_CONST None",
    );
    let hot_mod = common::asm(
        "<module>",
        &[],
        &[&add, &main],
        "LOAD_CONST @add\nMAKE_FUNCTION 0\nSTORE_NAME add\nLOAD_CONST @main\nMAKE_FUNCTION 0\nSTORE_NAME main\nLOAD_NAME main\nPUSH_NULL\nLOAD_CONST 5000000\nCALL 1\nPOP_TOP\nRETURN_CONST None",
    );
    let programs = [
        ("fib(30)", &fib_mod, "def fib(n):\n    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)\nprint(fib(30))"),
        ("hot_loop(5M)", &hot_mod, "def add(a, b):\n    return a + b\ndef main(n):\n    i = 0\n    s = 0\n    odd = 0\n    while i < n:\n        s = add(s, i)\n        if i % 2 == 1:\n            odd = add(odd, 1)\n        i += 1\n    print(s, odd)\nmain(5000000)"),
    ];
    for (name, module, src) in programs {
        let t = Instant::now();
        let py = std::process::Command::new("python3")
            .arg("-c")
            .arg(src)
            .output()
            .expect("python3");
        let py_time = t.elapsed().as_secs_f64();
        let py_out = String::from_utf8_lossy(&py.stdout).into_owned();
        for dispatch in Dispatch::ALL {
            let mut vm = Vm::new(Options {
                dispatch,
                capture: true,
                ..Options::default()
            });
            let t = Instant::now();
            vm.run_module(module).expect("runs");
            let secs = t.elapsed().as_secs_f64();
            let out = vm.take_stdout();
            assert_eq!(out, py_out, "{name}: output differs from CPython");
            println!(
                "{name:<14} {dispatch:?}: {secs:.3}s  CPython 3.11: {py_time:.3}s  speedup {:.2}x",
                py_time / secs
            );
        }
    }
}
