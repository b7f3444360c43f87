//! Corpus programs, hand-assembled the way CPython 3.11 compiles them (until codegen exists),
//! run at their small size and compared byte for byte with CPython's recorded output in
//! benches/corpus/expected/.

mod common;

use common::asm;
use nanopy_vm::{Dispatch, Options, Vm};

fn expected(name: &str) -> String {
    let path = format!(
        "{}/../benches/corpus/expected/{name}.small.out",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn small_n(name: &str) -> String {
    let tsv = std::fs::read_to_string(format!(
        "{}/../benches/corpus/corpus.tsv",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("corpus.tsv");
    let header: Vec<&str> = tsv.lines().next().expect("header").split('\t').collect();
    let col = header
        .iter()
        .position(|h| *h == "small_n")
        .expect("small_n column");
    tsv.lines()
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .find(|f| f[0] == name)
        .map(|f| f[col].to_string())
        .expect("program listed")
}

#[test]
fn fib_matches_cpython() {
    let fib = asm(
        "fib",
        &["n"],
        &[],
        "
        LOAD_FAST n
        LOAD_CONST 2
        COMPARE_OP <
        POP_JUMP_IF_FALSE r
        LOAD_FAST n
        RETURN_VALUE
        r:
        LOAD_GLOBAL fib
        PUSH_NULL
        LOAD_FAST n
        LOAD_CONST 1
        BINARY_OP -
        CALL 1
        LOAD_GLOBAL fib
        PUSH_NULL
        LOAD_FAST n
        LOAD_CONST 2
        BINARY_OP -
        CALL 1
        BINARY_OP +
        RETURN_VALUE
        ",
    );
    let main = asm(
        "main",
        &["n"],
        &[],
        "
        LOAD_CONST 0
        STORE_FAST total
        LOAD_GLOBAL range
        PUSH_NULL
        LOAD_FAST n
        LOAD_CONST 4
        BINARY_OP -
        LOAD_FAST n
        LOAD_CONST 1
        BINARY_OP +
        CALL 2
        GET_ITER
        loop:
        FOR_ITER end
        STORE_FAST k
        LOAD_FAST total
        LOAD_GLOBAL fib
        PUSH_NULL
        LOAD_FAST k
        CALL 1
        BINARY_OP +
        STORE_FAST total
        JUMP_BACKWARD loop
        end:
        LOAD_GLOBAL print
        PUSH_NULL
        LOAD_CONST 'fib'
        LOAD_FAST n
        LOAD_CONST '='
        LOAD_GLOBAL fib
        PUSH_NULL
        LOAD_FAST n
        CALL 1
        CALL 4
        POP_TOP
        LOAD_GLOBAL print
        PUSH_NULL
        LOAD_CONST 'sum of last five:'
        LOAD_FAST total
        CALL 2
        POP_TOP
        RETURN_CONST None
        ",
    );
    let module = asm(
        "<module>",
        &[],
        &[&fib, &main],
        "
        LOAD_CONST 0
        LOAD_CONST None
        IMPORT_NAME sys
        STORE_NAME sys
        LOAD_CONST @fib
        MAKE_FUNCTION 0
        STORE_NAME fib
        LOAD_CONST @main
        MAKE_FUNCTION 0
        STORE_NAME main
        LOAD_NAME len
        PUSH_NULL
        LOAD_NAME sys
        LOAD_ATTR argv
        CALL 1
        LOAD_CONST 1
        COMPARE_OP >
        POP_JUMP_IF_FALSE default
        LOAD_NAME int
        PUSH_NULL
        LOAD_NAME sys
        LOAD_ATTR argv
        LOAD_CONST 1
        BINARY_SUBSCR
        CALL 1
        JUMP_FORWARD store
        default:
        LOAD_CONST 32
        store:
        STORE_NAME N
        LOAD_NAME main
        PUSH_NULL
        LOAD_NAME N
        CALL 1
        POP_TOP
        RETURN_CONST None
        ",
    );
    let n = small_n("fib");
    for dispatch in [Dispatch::Switch, Dispatch::Tail] {
        let argv = vec!["fib.py".to_string(), n.clone()];
        let mut vm = Vm::new(Options {
            dispatch,
            argv,
            capture: true,
            ..Options::default()
        });
        vm.run_module(&module).expect("runs");
        assert_eq!(vm.take_stdout(), expected("fib"));
    }
}
