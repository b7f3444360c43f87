//! The collector under generators (langdata): generators resumed by for loops, `yield from`,
//! and natives that root what they hold (`sum`, `list`, `sorted`, `str.join`, star-calls) may
//! collect garbage while they run; with a collection every few dozen allocations every
//! program in tests/fixtures/gc_stress still prints exactly what python3 prints.

mod common;

use common::{fixtures, python, repo};
use nanopy_compiler::parser::{self, ParseOptions};
use nanopy_vm::{Dispatch, Options, Vm};

#[test]
fn generator_programs_survive_constant_collection() {
    let dir = repo().join("tests/fixtures/gc_stress");
    for f in fixtures(&dir) {
        let want = python(&dir, &f);
        assert_eq!(want.status, 0, "{f}: {}", want.stderr);
        let path = dir.join(&f);
        let name = path.display().to_string();
        let bytes = std::fs::read(&path).expect("read fixture");
        let code = parser::run_on_big_stack(|| {
            let source = parser::decode_source(&bytes)?;
            let arena = bumpalo::Bump::new();
            let tree = parser::parse(&arena, &source, ParseOptions::default())?;
            nanopy_compiler::codegen::compile_module(&tree, &source, &name)
        })
        .unwrap_or_else(|e| panic!("{}", e.render(&name)));
        for dispatch in [Dispatch::Switch, Dispatch::Tail] {
            let mut vm = Vm::new(Options {
                dispatch,
                capture: true,
                argv: vec![name.clone()],
                ..Options::default()
            });
            vm.heap.set_min_threshold(40);
            let r = vm.run_module(&code);
            let (out, err) = (vm.take_stdout(), vm.take_stderr());
            assert!(r.is_ok(), "{f} ({dispatch:?}): {err}");
            assert_eq!(out, want.stdout, "{f} ({dispatch:?})");
            assert!(
                vm.heap.collections > 30,
                "{f}: {} collections",
                vm.heap.collections
            );
        }
    }
}
