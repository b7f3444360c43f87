//! Test support: a tiny text assembler for code objects (until codegen exists) and runners
//! that execute a module under every dispatch strategy and compare with CPython.
//!
//! Assembly syntax, one instruction per line:
//! - `OPNAME operand` — the operand is read by the opcode's operand kind: constants are
//!   literals (`12`, `-3`, `1.5`, `'text'`, `None`, `True`, `False`, `@name` = a nested code
//!   object passed to `asm`), locals/names/derefs are identifiers, jumps are labels, `BINARY_OP`
//!   takes the operator (`+`, `+=`, ...), `COMPARE_OP` the comparison (`<`), the rest numbers.
//! - `label:` defines a jump target; `.line N` sets the source line of what follows;
//!   `.cell x` / `.free x` declare cell and free variables; `.generator` sets the flag.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::Arc;

use nanopy_compiler::bytecode::{
    BinaryOp, CodeObject, CompareOp, Constant, Instr, Opcode, OperandKind, Position,
};
use nanopy_vm::{Dispatch, Options, Vm};

pub const FILE: &str = "<test>";

/// Assemble a code object named `name` with positional parameters `args`.
pub fn asm(name: &str, args: &[&str], nested: &[&Arc<CodeObject>], text: &str) -> Arc<CodeObject> {
    let mut co = CodeObject::new(name, name, FILE.into(), 1);
    co.argcount = args.len() as u32;
    co.varnames = args.iter().map(|a| (*a).into()).collect();
    let mut labels: HashMap<String, u32> = HashMap::new();
    let mut fixups: Vec<(usize, String)> = Vec::new();
    let mut line = 1;
    for raw in text.lines() {
        let l = raw.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        if let Some(n) = l.strip_prefix(".line ") {
            line = n.trim().parse().expect("line number");
            continue;
        }
        if let Some(n) = l.strip_prefix(".cell ") {
            co.cellvars.push(n.trim().into());
            continue;
        }
        if let Some(n) = l.strip_prefix(".free ") {
            co.freevars.push(n.trim().into());
            continue;
        }
        if l == ".generator" {
            co.flags.0 |= nanopy_compiler::bytecode::CodeFlags::GENERATOR;
            continue;
        }
        if let Some(lbl) = l.strip_suffix(':') {
            labels.insert(lbl.to_string(), co.code.len() as u32);
            continue;
        }
        let (opname, operand) = l.split_once(' ').map_or((l, ""), |(a, b)| (a, b.trim()));
        let op = Opcode::from_name(opname).unwrap_or_else(|| panic!("unknown opcode {opname}"));
        let arg = match op.operand_kind() {
            OperandKind::None => 0,
            OperandKind::Const => {
                let c = parse_const(operand, nested);
                index_of(&mut co.consts, c)
            }
            OperandKind::Local => index_of(&mut co.varnames, operand.into()),
            OperandKind::Name => index_of(&mut co.names, operand.into()),
            OperandKind::Deref => {
                if let Some(i) = co.cellvars.iter().position(|c| &**c == operand) {
                    i as u32
                } else {
                    let i = co
                        .freevars
                        .iter()
                        .position(|c| &**c == operand)
                        .expect("declare derefs with .cell/.free");
                    (co.cellvars.len() + i) as u32
                }
            }
            OperandKind::Jump => {
                fixups.push((co.code.len(), operand.to_string()));
                0
            }
            OperandKind::BinOp => BinaryOp::ALL
                .iter()
                .find(|b| b.symbol() == operand)
                .copied()
                .expect("operator") as u32,
            OperandKind::CmpOp => CompareOp::ALL
                .iter()
                .find(|b| b.symbol() == operand)
                .copied()
                .expect("comparison") as u32,
            _ => operand.parse().expect("numeric operand"),
        };
        co.code.push(Instr::new(op, arg));
        co.positions.push(Position::line(line));
    }
    for (at, lbl) in fixups {
        let target = *labels
            .get(&lbl)
            .unwrap_or_else(|| panic!("undefined label {lbl}"));
        co.code[at] = co.code[at].with_arg(target);
    }
    co.max_stack = co.compute_max_stack().expect("consistent stack depths");
    Arc::new(co)
}

fn index_of<T: PartialEq>(v: &mut Vec<T>, x: T) -> u32 {
    match v.iter().position(|y| *y == x) {
        Some(i) => i as u32,
        None => {
            v.push(x);
            (v.len() - 1) as u32
        }
    }
}

fn parse_const(s: &str, nested: &[&Arc<CodeObject>]) -> Constant {
    if let Some(name) = s.strip_prefix('@') {
        let c = nested
            .iter()
            .find(|c| &*c.name == name)
            .expect("nested code object");
        return Constant::Code(Arc::clone(c));
    }
    match s {
        "None" => return Constant::None,
        "True" => return Constant::Bool(true),
        "False" => return Constant::Bool(false),
        _ => {}
    }
    if let Some(t) = s.strip_prefix('\'').and_then(|t| t.strip_suffix('\'')) {
        return Constant::str(&t.replace("\\n", "\n"));
    }
    if let Some(items) = s.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        let parts = items.split(',').map(str::trim).filter(|p| !p.is_empty());
        return Constant::Tuple(parts.map(|p| parse_const(p, nested)).collect());
    }
    if let Ok(i) = s.parse::<i64>() {
        return Constant::Int(i);
    }
    if let Ok(b) = s.parse::<num_bigint::BigInt>() {
        return Constant::int(b);
    }
    Constant::Float(s.parse().unwrap_or_else(|_| panic!("bad constant {s}")))
}

/// Run `module` with `dispatch`; returns (stdout, stderr, ok).
pub fn run_with(module: &Arc<CodeObject>, dispatch: Dispatch) -> (String, String, bool) {
    let mut vm = Vm::new(Options {
        dispatch,
        capture: true,
        argv: vec![FILE.into()],
        ..Options::default()
    });
    let ok = vm.run_module(module).is_ok();
    (vm.take_stdout(), vm.take_stderr(), ok)
}

/// Run under every dispatcher; they must agree. Returns (stdout, stderr, ok).
pub fn run(module: &Arc<CodeObject>) -> (String, String, bool) {
    let switch = run_with(module, Dispatch::Switch);
    for d in Dispatch::ALL {
        assert_eq!(run_with(module, d), switch, "{d} disagrees with switch");
    }
    switch
}

/// What CPython prints for `source` (stdout, stderr's last line).
pub fn cpython(source: &str) -> (String, String) {
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(source)
        .output()
        .expect("python3 runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let last = stderr.lines().last().unwrap_or("").to_string();
    (String::from_utf8_lossy(&out.stdout).into_owned(), last)
}

/// Last line of a traceback.
pub fn last_line(s: &str) -> String {
    s.lines().last().unwrap_or("").to_string()
}
