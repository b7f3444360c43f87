//! Proof that the tail-call dispatcher runs in constant Rust stack: a long program (millions of
//! instructions, deep-ish Python recursion) on a thread with a 64 KiB stack. Without sibling
//! calls every executed instruction would add a Rust frame and this would overflow at once.
//!
//! In builds without optimisation `Dispatch::Tail` falls back to the switch loop (see
//! `interp/tail.rs`), so the same test then shows the fallback is safe.

mod common;

use common::{asm, run_with};
use nanopy_vm::Dispatch;

#[test]
fn tail_dispatch_runs_in_constant_stack() {
    // def count(n):            # a loop of ~6M instructions
    //     i = 0; s = 0
    //     while i < n: s = s + i; i = i + 1; abs(i); bool(i)   # natives: CALL_NATIVE (features)
    //     return s
    // def down(n): return 0 if n == 0 else down(n - 1) + 1     # Python recursion 500 deep
    // print(count(300000), down(500))
    let count = asm(
        "count",
        &["n"],
        &[],
        "
        LOAD_CONST 0
        STORE_FAST i
        LOAD_CONST 0
        STORE_FAST s
        top:
        LOAD_FAST i
        LOAD_FAST n
        COMPARE_OP <
        POP_JUMP_IF_FALSE done
        LOAD_FAST s
        LOAD_FAST i
        BINARY_OP +
        STORE_FAST s
        LOAD_FAST i
        LOAD_CONST 1
        BINARY_OP +
        STORE_FAST i
        LOAD_GLOBAL abs
        PUSH_NULL
        LOAD_FAST i
        CALL 1
        POP_TOP
        LOAD_GLOBAL bool
        PUSH_NULL
        LOAD_FAST i
        CALL 1
        POP_TOP
        JUMP_BACKWARD top
        done:
        LOAD_FAST s
        RETURN_VALUE
        ",
    );
    let down = asm(
        "down",
        &["n"],
        &[],
        "
        LOAD_FAST n
        LOAD_CONST 0
        COMPARE_OP ==
        POP_JUMP_IF_FALSE rec
        RETURN_CONST 0
        rec:
        LOAD_GLOBAL down
        PUSH_NULL
        LOAD_FAST n
        LOAD_CONST 1
        BINARY_OP -
        CALL 1
        LOAD_CONST 1
        BINARY_OP +
        RETURN_VALUE
        ",
    );
    let module = asm(
        "<module>",
        &[],
        &[&count, &down],
        "
        LOAD_CONST @count
        MAKE_FUNCTION 0
        STORE_NAME count
        LOAD_CONST @down
        MAKE_FUNCTION 0
        STORE_NAME down
        LOAD_NAME print
        PUSH_NULL
        LOAD_NAME count
        PUSH_NULL
        LOAD_CONST 300000
        CALL 1
        LOAD_NAME down
        PUSH_NULL
        LOAD_CONST 500
        CALL 1
        CALL 2
        POP_TOP
        RETURN_CONST None
        ",
    );
    // Both tail-calling strategies: `tail` (through the opcode table) and `threaded` (through
    // the pre-decoded stream).
    for dispatch in [Dispatch::Tail, Dispatch::Threaded] {
        let module = module.clone();
        let out = std::thread::Builder::new()
            .stack_size(64 * 1024)
            .spawn(move || run_with(&module, dispatch))
            .expect("spawn")
            .join()
            .unwrap_or_else(|_| panic!("{dispatch}: stack overflow"));
        assert_eq!(
            out,
            ("44999850000 500\n".to_string(), String::new(), true),
            "{dispatch}"
        );
    }
}

/// Instruction-level evidence: in this very test binary every `tail` wrapper reaches the next
/// handler with an indirect `jmp` through the opcode table, `*(%reg,%reg,8)`, and every
/// `threaded` wrapper with a `jmp *%reg` to the address loaded from the stream — never a
/// `call` (x86-64 with objdump only).
#[test]
#[cfg(target_arch = "x86_64")]
fn every_wrapper_dispatches_with_a_jump() {
    if !nanopy_vm::interp::tail::ENABLED {
        eprintln!("unoptimised build: tail dispatch falls back to the switch loop");
        return;
    }
    let exe = std::env::current_exe().expect("test binary");
    let Ok(out) = std::process::Command::new("objdump")
        .args(["-d", "--no-show-raw-insn", "-C"])
        .arg(&exe)
        .output()
    else {
        eprintln!("objdump not available; skipping the disassembly check");
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let table = |line: &str| line.contains(",8)") && line.contains('*');
    let register = |line: &str| line.contains("*%");
    check_dispatch(&text, "nanopy_vm::interp::tail::wrappers::", table);
    check_dispatch(&text, "nanopy_vm::interp::threaded::wrappers::", register);
}

/// In the functions named `prefix*`, count indirect branches of the dispatch's shape
/// (`is_dispatch`): there must be about one `jmp` per wrapper and no `call`.
#[cfg(target_arch = "x86_64")]
fn check_dispatch(text: &str, prefix: &str, is_dispatch: impl Fn(&str) -> bool) {
    let (mut jumps, mut calls) = (0, Vec::new());
    let mut current: Option<String> = None;
    for line in text.lines() {
        if line.ends_with(">:") {
            current = line
                .split_once('<')
                .map(|(_, n)| n.trim_end_matches(">:").to_string())
                .filter(|n| n.starts_with(prefix));
            continue;
        }
        let Some(name) = &current else { continue };
        if is_dispatch(line) {
            if line.contains("jmp") {
                jumps += 1;
            } else if line.contains("call") {
                calls.push(name.clone());
            }
        }
    }
    assert!(
        calls.is_empty(),
        "{prefix}: wrappers dispatching with call: {calls:?}"
    );
    // About one per wrapper; with LTO, wrappers whose handler can only fail (e.g.
    // RAISE_VARARGS) have no dispatch at all and identical wrappers may be folded.
    let count = nanopy_compiler::bytecode::Opcode::COUNT;
    assert!(
        jumps * 10 >= count * 9,
        "{prefix}: only {jumps} dispatch jumps for {count} wrappers"
    );
}
