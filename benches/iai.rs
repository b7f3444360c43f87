//! Host instructions, counted by callgrind (deterministic: immune to machine load), for the
//! nanopy VM under every dispatch strategy. Run through `scripts/bench-iai.sh`, which installs
//! the matching iai-callgrind-runner, runs this, and derives the per-VM-instruction figures.
//!
//! - `kernel_*`: each kernel of benches/kernels at two sizes (`_1`, `_2`, from
//!   benches/kernels/iai-sizes.tsv). The difference of the
//!   two host counts over the difference of their executed VM instructions (`nanopy run
//!   --stats`) is the marginal cost of one VM instruction: VM start-up and compilation cancel.
//! - `op_*`: one opcode in isolation. A function `f(a, b)` whose body is `LOAD_FAST a`, then
//!   `UNITS` copies of a unit, then `RETURN_VALUE`, is called `CALLS` times from a Python loop;
//!   `op_base` has no units. (host(op_X) - host(op_base)) / (CALLS * UNITS) is the cost of one
//!   unit: `LOAD_FAST b`, `LOAD_CONST 1`, `JUMP_FORWARD` to the next instruction, or
//!   `LOAD_FAST b; BINARY_OP +` on small ints (subtract the LOAD_FAST figure for BINARY_OP).
//!
//! Compilation happens in `setup` (not counted); each measured run is a fresh `Vm` running the
//! module with output captured.

use std::hint::black_box;
use std::sync::Arc;

use iai_callgrind::{library_benchmark, library_benchmark_group, main};
use nanopy_compiler::bytecode::{BinaryOp, CodeObject, Constant, Instr, Opcode, Position};
use nanopy_compiler::parser::{self, ParseOptions};
use nanopy_vm::{Dispatch, Options, Vm};

/// Copies of the unit in each `op_*` function body.
pub const UNITS: usize = 32;
/// Calls of that function per run.
pub const CALLS: usize = 2000;

/// The strategies benchmarked below, one bench function each; `setup` checks this is all of
/// `Dispatch::ALL` so a new strategy cannot be silently left out.
const STRATEGIES: [Dispatch; 4] = [
    Dispatch::Tail,
    Dispatch::Switch,
    Dispatch::Threaded,
    Dispatch::Call,
];

pub struct Case {
    code: Arc<CodeObject>,
    argv: Vec<String>,
}

fn compile(name: &str, bytes: Vec<u8>) -> Arc<CodeObject> {
    parser::run_on_big_stack(|| {
        let source = parser::decode_source(&bytes)?;
        let arena = bumpalo::Bump::new();
        let tree = parser::parse(&arena, &source, ParseOptions::default())?;
        nanopy_compiler::codegen::compile_module(&tree, &source, name)
    })
    .unwrap_or_else(|e| panic!("{}", e.render(name)))
}

fn check_strategies() {
    assert_eq!(
        STRATEGIES,
        Dispatch::ALL,
        "benches/iai.rs must cover Dispatch::ALL"
    );
}

/// The kernel's size for run `which` (1 or 2), from benches/kernels/iai-sizes.tsv (which
/// scripts/bench-iai.sh reads too, to count the VM instructions of the same runs).
pub fn kernel_n(kernel: &str, which: usize) -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/kernels/iai-sizes.tsv");
    let table = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let row = table
        .lines()
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .find(|r| r[0] == kernel)
        .unwrap_or_else(|| panic!("{kernel} not in {path}"));
    row[which].to_string()
}

fn kernel_setup(kernel: &str, which: usize) -> Case {
    check_strategies();
    let path = format!("{}/benches/kernels/{kernel}.py", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    Case {
        code: compile(&path, bytes),
        argv: vec![path.clone(), kernel_n(kernel, which)],
    }
}

/// The driver module: calls `f(1, 2)` CALLS times; `f`'s body is replaced by `body`.
fn op_setup(unit: &str) -> Case {
    check_strategies();
    let src = format!(
        "def f(a, b):\n    return a\n\ndef driver(n):\n    i = 0\n    while i < n:\n        f(1, 2)\n        i += 1\n    return i\n\nprint(driver({CALLS}))\n"
    );
    let module = compile("op.py", src.into_bytes());
    let mut module = (*module).clone();
    for c in module.consts.iter_mut() {
        if let Constant::Code(co) = c {
            if &*co.name == "f" {
                *co = Arc::new(op_body(co, unit));
            }
        }
    }
    Case {
        code: Arc::new(module),
        argv: vec!["op.py".into()],
    }
}

/// `LOAD_FAST a; UNIT * UNITS; RETURN_VALUE` (values left on the stack are dropped by the
/// return).
fn op_body(f: &CodeObject, unit: &str) -> CodeObject {
    let mut co = f.clone();
    let one = match co.consts.iter().position(|c| *c == Constant::Int(1)) {
        Some(i) => i as u32,
        None => {
            co.consts.push(Constant::Int(1));
            (co.consts.len() - 1) as u32
        }
    };
    let mut code = vec![Instr::new(Opcode::LOAD_FAST, 0)];
    let units = if unit == "base" { 0 } else { UNITS };
    for _ in 0..units {
        match unit {
            "load_fast" => code.push(Instr::new(Opcode::LOAD_FAST, 1)),
            "load_const" => code.push(Instr::new(Opcode::LOAD_CONST, one)),
            "jump" => {
                let next = code.len() as u32 + 1;
                code.push(Instr::new(Opcode::JUMP_FORWARD, next));
            }
            "load_fast_add" => {
                code.push(Instr::new(Opcode::LOAD_FAST, 1));
                code.push(Instr::new(Opcode::BINARY_OP, BinaryOp::Add as u32));
            }
            _ => panic!("unknown unit {unit}"),
        }
    }
    code.push(Instr::new(Opcode::RETURN_VALUE, 0));
    co.positions = vec![Position::line(f.first_line + 1); code.len()];
    co.code = code;
    co.max_stack = co.compute_max_stack().expect("consistent stack");
    co
}

fn run(case: &Case, dispatch: Dispatch) -> usize {
    let mut vm = Vm::new(Options {
        dispatch,
        argv: case.argv.clone(),
        capture: true,
        ..Options::default()
    });
    let ok = vm.run_module(&case.code).is_ok();
    assert!(ok, "{}", vm.take_stderr());
    vm.take_stdout().len()
}

macro_rules! strategy_bench {
    ($($name:ident => $dispatch:expr),* $(,)?) => {$(
        #[library_benchmark]
        #[bench::kernel_add_1(args = ("add", 1), setup = kernel_setup)]
        #[bench::kernel_add_2(args = ("add", 2), setup = kernel_setup)]
        #[bench::kernel_fib_1(args = ("fib", 1), setup = kernel_setup)]
        #[bench::kernel_fib_2(args = ("fib", 2), setup = kernel_setup)]
        #[bench::kernel_nbody_1(args = ("nbody", 1), setup = kernel_setup)]
        #[bench::kernel_nbody_2(args = ("nbody", 2), setup = kernel_setup)]
        #[bench::kernel_sieve_1(args = ("sieve", 1), setup = kernel_setup)]
        #[bench::kernel_sieve_2(args = ("sieve", 2), setup = kernel_setup)]
        #[bench::op_base(args = ("base"), setup = op_setup)]
        #[bench::op_load_fast(args = ("load_fast"), setup = op_setup)]
        #[bench::op_load_const(args = ("load_const"), setup = op_setup)]
        #[bench::op_load_fast_add(args = ("load_fast_add"), setup = op_setup)]
        #[bench::op_jump(args = ("jump"), setup = op_setup)]
        fn $name(case: Case) -> usize {
            black_box(run(&case, $dispatch))
        }
    )*};
}

strategy_bench!(
    tail => Dispatch::Tail,
    switch => Dispatch::Switch,
    threaded => Dispatch::Threaded,
    call => Dispatch::Call,
);

library_benchmark_group!(name = vm; benchmarks = tail, switch, threaded, call);
main!(library_benchmark_groups = vm);
