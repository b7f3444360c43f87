//! User-defined classes (issue #6): the feature programs in tests/fixtures/classes (class
//! basics and shapes, descriptors, special methods, MRO/isinstance/user exceptions) print
//! exactly what live python3 prints, and the programs in tests/fixtures/class_errors fail with
//! python3's traceback, message and exit status — under every dispatch strategy.

mod common;

use common::{assert_dir_matches_cpython, fixtures, python, repo, Expect};

#[test]
fn class_feature_programs_match_cpython() {
    assert_dir_matches_cpython(&repo().join("tests/fixtures/classes"), Expect::Succeeds, 4);
}

#[test]
fn class_errors_match_cpython_tracebacks() {
    assert_dir_matches_cpython(
        &repo().join("tests/fixtures/class_errors"),
        Expect::Fails,
        10,
    );
}

/// Compile `path` and run it in-process with a collection every 10 allocations, returning the
/// captured stdout: anything the new object kinds fail to trace or root shows up as a wrong
/// output or a crash.
fn run_under_gc_stress(path: &std::path::Path, argv: &[&str]) -> String {
    use nanopy_compiler::parser::{self, ParseOptions};
    let bytes = std::fs::read(path).expect("program");
    let name = path.display().to_string();
    let code = parser::run_on_big_stack(|| {
        let source = parser::decode_source(&bytes)?;
        let arena = bumpalo::Bump::new();
        let tree = parser::parse(&arena, &source, ParseOptions::default())?;
        nanopy_compiler::codegen::compile_module(&tree, &source, &name)
    })
    .expect("compiles");
    let mut out = String::new();
    for dispatch in [nanopy_vm::Dispatch::Switch, nanopy_vm::Dispatch::Tail] {
        let mut vm = nanopy_vm::Vm::new(nanopy_vm::Options {
            dispatch,
            capture: true,
            argv: std::iter::once(name.as_str())
                .chain(argv.iter().copied())
                .map(String::from)
                .collect(),
            ..Default::default()
        });
        vm.heap.set_min_threshold(10);
        let r = vm.run_module(&code);
        assert!(r.is_ok(), "{name}: {}", vm.take_stderr());
        assert!(vm.heap.collections > 0, "{name}: the GC did not run");
        let text = vm.take_stdout();
        if dispatch == nanopy_vm::Dispatch::Tail {
            assert_eq!(text, out, "{name}: dispatchers disagree under GC stress");
        }
        out = text;
    }
    out
}

#[test]
fn classes_survive_gc_stress() {
    let dir = repo().join("tests/fixtures/classes");
    for f in fixtures(&dir) {
        let py = python(&dir, &f);
        assert_eq!(run_under_gc_stress(&dir.join(&f), &[]), py.stdout, "{f}");
    }
    let corpus = repo().join("benches/corpus");
    for (name, n) in [
        ("binary_trees", "6"),
        ("vec_ray", "20"),
        ("scheduler", "300"),
    ] {
        let expected = std::fs::read_to_string(corpus.join(format!("expected/{name}.small.out")))
            .expect("expected output");
        let got = run_under_gc_stress(&corpus.join(format!("programs/{name}.py")), &[n]);
        assert_eq!(got, expected, "{name}");
    }
}
