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

/// The corpus programs' common module body: `import sys`, the functions, then
/// `N = int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT` and `main(N)`.
fn corpus_module(
    funcs: &[&std::sync::Arc<nanopy_compiler::bytecode::CodeObject>],
    default_n: i64,
) -> std::sync::Arc<nanopy_compiler::bytecode::CodeObject> {
    let mut text = String::from("LOAD_CONST 0\nLOAD_CONST None\nIMPORT_NAME sys\nSTORE_NAME sys\n");
    for f in funcs {
        text += &format!("LOAD_CONST @{0}\nMAKE_FUNCTION 0\nSTORE_NAME {0}\n", f.name);
    }
    text += &format!(
        "LOAD_NAME len\nPUSH_NULL\nLOAD_NAME sys\nLOAD_ATTR argv\nCALL 1\nLOAD_CONST 1\nCOMPARE_OP >\n\
         POP_JUMP_IF_FALSE default\nLOAD_NAME int\nPUSH_NULL\nLOAD_NAME sys\nLOAD_ATTR argv\nLOAD_CONST 1\n\
         BINARY_SUBSCR\nCALL 1\nJUMP_FORWARD store\ndefault:\nLOAD_CONST {default_n}\nstore:\nSTORE_NAME N\n\
         LOAD_NAME main\nPUSH_NULL\nLOAD_NAME N\nCALL 1\nPOP_TOP\nRETURN_CONST None\n"
    );
    asm("<module>", &[], funcs, &text)
}

/// Run at the small size under every dispatcher; compare with CPython's recorded output.
fn check(name: &str, module: &std::sync::Arc<nanopy_compiler::bytecode::CodeObject>) {
    let n = small_n(name);
    for dispatch in Dispatch::ALL {
        let argv = vec![format!("{name}.py"), n.clone()];
        let mut vm = Vm::new(Options {
            dispatch,
            argv,
            capture: true,
            ..Options::default()
        });
        let r = vm.run_module(module);
        assert!(r.is_ok(), "{}", vm.take_stderr());
        assert_eq!(
            vm.take_stdout(),
            expected(name),
            "{name} under {dispatch:?}"
        );
    }
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
    check("fib", &corpus_module(&[&fib, &main], 32));
}

#[test]
fn sieve_matches_cpython() {
    let sieve = asm(
        "sieve",
        &["limit"],
        &[],
        "
        LOAD_CONST True
        BUILD_LIST 1
        LOAD_FAST limit
        LOAD_CONST 1
        BINARY_OP +
        BINARY_OP *
        STORE_FAST flags
        LOAD_CONST False
        LOAD_FAST flags
        LOAD_CONST 0
        STORE_SUBSCR
        LOAD_CONST False
        LOAD_FAST flags
        LOAD_CONST 1
        STORE_SUBSCR
        LOAD_CONST 2
        STORE_FAST i
        outer:
        LOAD_FAST i
        LOAD_FAST i
        BINARY_OP *
        LOAD_FAST limit
        COMPARE_OP <=
        POP_JUMP_IF_FALSE count_start
        LOAD_FAST flags
        LOAD_FAST i
        BINARY_SUBSCR
        POP_JUMP_IF_FALSE inc_i
        LOAD_FAST i
        LOAD_FAST i
        BINARY_OP *
        STORE_FAST j
        inner:
        LOAD_FAST j
        LOAD_FAST limit
        COMPARE_OP <=
        POP_JUMP_IF_FALSE inc_i
        LOAD_CONST False
        LOAD_FAST flags
        LOAD_FAST j
        STORE_SUBSCR
        LOAD_FAST j
        LOAD_FAST i
        BINARY_OP +=
        STORE_FAST j
        JUMP_BACKWARD inner
        inc_i:
        LOAD_FAST i
        LOAD_CONST 1
        BINARY_OP +=
        STORE_FAST i
        JUMP_BACKWARD outer
        count_start:
        LOAD_CONST 0
        STORE_FAST count
        LOAD_CONST 0
        STORE_FAST last
        LOAD_GLOBAL range
        PUSH_NULL
        LOAD_FAST limit
        LOAD_CONST 1
        BINARY_OP +
        CALL 1
        GET_ITER
        cl:
        FOR_ITER done
        STORE_FAST k
        LOAD_FAST flags
        LOAD_FAST k
        BINARY_SUBSCR
        POP_JUMP_IF_FALSE cont
        LOAD_FAST count
        LOAD_CONST 1
        BINARY_OP +=
        STORE_FAST count
        LOAD_FAST k
        STORE_FAST last
        cont:
        JUMP_BACKWARD cl
        done:
        LOAD_FAST count
        LOAD_FAST last
        BUILD_TUPLE 2
        RETURN_VALUE
        ",
    );
    let main = asm(
        "main",
        &["n"],
        &[],
        "
        LOAD_CONST None
        STORE_FAST result
        LOAD_CONST 0
        STORE_FAST checksum
        LOAD_GLOBAL range
        PUSH_NULL
        LOAD_CONST 5
        CALL 1
        GET_ITER
        l:
        FOR_ITER e
        STORE_FAST rep
        LOAD_GLOBAL sieve
        PUSH_NULL
        LOAD_FAST n
        LOAD_FAST rep
        BINARY_OP +
        CALL 1
        STORE_FAST result
        LOAD_FAST checksum
        LOAD_CONST 31
        BINARY_OP *
        LOAD_FAST result
        LOAD_CONST 0
        BINARY_SUBSCR
        BINARY_OP +
        LOAD_FAST result
        LOAD_CONST 1
        BINARY_SUBSCR
        BINARY_OP +
        LOAD_CONST 1000000007
        BINARY_OP %
        STORE_FAST checksum
        JUMP_BACKWARD l
        e:
        LOAD_GLOBAL print
        PUSH_NULL
        LOAD_CONST 'primes up to'
        LOAD_FAST n
        LOAD_CONST 4
        BINARY_OP +
        LOAD_CONST ':'
        LOAD_FAST result
        LOAD_CONST 0
        BINARY_SUBSCR
        LOAD_CONST 'largest'
        LOAD_FAST result
        LOAD_CONST 1
        BINARY_SUBSCR
        CALL 6
        POP_TOP
        LOAD_GLOBAL print
        PUSH_NULL
        LOAD_CONST 'checksum:'
        LOAD_FAST checksum
        CALL 2
        POP_TOP
        RETURN_CONST None
        ",
    );
    check("sieve", &corpus_module(&[&sieve, &main], 1500000));
}

#[test]
fn hot_loop_matches_cpython() {
    let add = asm(
        "add",
        &["a", "b"],
        &[],
        "LOAD_FAST a\nLOAD_FAST b\nBINARY_OP +\nRETURN_VALUE",
    );
    let main = asm(
        "main",
        &["n"],
        &[],
        "
        LOAD_CONST 0
        STORE_FAST i
        LOAD_CONST 0
        STORE_FAST s
        LOAD_CONST 0
        STORE_FAST odd
        top:
        LOAD_FAST i
        LOAD_FAST n
        COMPARE_OP <
        POP_JUMP_IF_FALSE done
        LOAD_GLOBAL add
        PUSH_NULL
        LOAD_FAST s
        LOAD_FAST i
        CALL 2
        STORE_FAST s
        LOAD_FAST i
        LOAD_CONST 2
        BINARY_OP %
        LOAD_CONST 1
        COMPARE_OP ==
        POP_JUMP_IF_FALSE skip
        LOAD_GLOBAL add
        PUSH_NULL
        LOAD_FAST odd
        LOAD_CONST 1
        CALL 2
        STORE_FAST odd
        skip:
        LOAD_FAST i
        LOAD_CONST 1
        BINARY_OP +=
        STORE_FAST i
        JUMP_BACKWARD top
        done:
        LOAD_GLOBAL print
        PUSH_NULL
        LOAD_CONST 'sum:'
        LOAD_FAST s
        CALL 2
        POP_TOP
        LOAD_GLOBAL print
        PUSH_NULL
        LOAD_CONST 'odd count:'
        LOAD_FAST odd
        CALL 2
        POP_TOP
        LOAD_GLOBAL print
        PUSH_NULL
        LOAD_CONST 'mean:'
        LOAD_FAST s
        LOAD_FAST n
        BINARY_OP /
        CALL 2
        POP_TOP
        RETURN_CONST None
        ",
    );
    check("hot_loop", &corpus_module(&[&add, &main], 5000000));
}
