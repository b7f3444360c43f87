//! A cache file is untrusted input. This is the corpus of damaged and hand-crafted files the
//! reader and verifier must refuse with a one-line reason (never a panic, never an allocation
//! of a forged length), and a property test over tens of thousands of random mutations of a
//! valid file.

use std::sync::Arc;

use nanopy_compiler::bytecode::marshal;
use nanopy_compiler::bytecode::pyc::{self, Validation, HEADER_LEN};
use nanopy_compiler::bytecode::{CodeObject, Constant, ExceptionTableEntry, Instr, Opcode};
use nanopy_compiler::parser::{self, ParseOptions};

const SOURCE: &str = r#"
def outer(a, b=2, *args, k=3, **kw):
    total = a + b
    def inner(x):
        return x * total + k
    return inner

def gen(n):
    for i in range(n):
        if i % 2:
            yield i

big = 123456789012345678901234567890
print(outer(1)(2), [i * i for i in gen(7)], {'x': 1.5, 'y': (1, 'two')}, big, sep='|')
s = f"{big!r:>40}"
del s
"#;

fn compile(src: &str) -> Arc<CodeObject> {
    let src = src.to_string();
    parser::run_on_big_stack(move || {
        let arena = bumpalo::Bump::new();
        let tree = parser::parse(&arena, &src, ParseOptions::default()).expect("parses");
        nanopy_compiler::codegen::compile_module(&tree, &src, "/t/x.py").expect("compiles")
    })
}

const STAMP: Validation = Validation::Timestamp {
    mtime_ns: 1_700_000_000_000_000_000,
    size: 321,
};

fn valid_file() -> Vec<u8> {
    pyc::write(&compile(SOURCE), STAMP).expect("writes")
}

/// Put a correct checksum on a (damaged) file so the damage reaches the reader and verifier.
fn fix_checksum(file: &mut [u8]) {
    if file.len() >= HEADER_LEN {
        let sum = pyc::hash64(&file[HEADER_LEN..]);
        file[24..32].copy_from_slice(&sum.to_le_bytes());
    }
}

fn assert_one_line(e: &pyc::PycError) {
    assert!(
        !e.0.is_empty() && !e.0.contains('\n'),
        "not one line: {e:?}"
    );
}

fn rejected(file: &[u8]) -> String {
    let e = pyc::read(file, None).expect_err("must be rejected");
    assert_one_line(&e);
    e.0
}

#[test]
fn a_valid_file_loads() {
    let code = pyc::read(&valid_file(), None).expect("valid");
    assert_eq!(*code, *compile(SOURCE));
}

#[test]
fn truncation_at_every_length_is_rejected() {
    let file = valid_file();
    for n in 0..file.len() {
        rejected(&file[..n]);
        // Even with the checksum recomputed, the payload reader sees the truncation.
        let mut t = file[..n].to_vec();
        fix_checksum(&mut t);
        if n > HEADER_LEN {
            rejected(&t);
        }
    }
}

#[test]
fn wrong_magic_and_wrong_version_are_rejected() {
    let mut file = valid_file();
    file[0] ^= 0x40;
    assert!(rejected(&file).contains("bad magic number"));

    let mut file = valid_file();
    // The payload starts with the format version (a one-byte varint).
    assert_eq!(file[HEADER_LEN] as u32, pyc::FORMAT_VERSION);
    file[HEADER_LEN] = pyc::FORMAT_VERSION as u8 + 1;
    fix_checksum(&mut file);
    assert!(rejected(&file).contains("unsupported payload version"));

    let mut file = valid_file();
    file[4] = 0x10;
    assert!(rejected(&file).contains("invalid flags"));
}

#[test]
fn every_single_bit_flip_is_rejected_outside_the_freshness_fields() {
    let file = valid_file();
    for i in 0..file.len() {
        for bit in 0..8 {
            let mut f = file.clone();
            f[i] ^= 1 << bit;
            let r = pyc::read(&f, None);
            if (8..24).contains(&i) {
                // mtime/size (or hash): decides freshness, not validity (the cache checks it).
                assert!(r.is_ok());
            } else {
                let e = r.expect_err("flipped bit accepted");
                assert_one_line(&e);
            }
        }
    }
}

/// Encode `co` as a cache file without any validation (the writer trusts its input).
fn craft(co: &CodeObject) -> Vec<u8> {
    pyc::write(co, STAMP).expect("encodes")
}

fn module(code: Vec<Instr>, consts: Vec<Constant>, max_stack: u32) -> CodeObject {
    let mut co = CodeObject::new("<module>", "<module>", Arc::from("/t/x.py"), 1);
    co.positions = vec![Default::default(); code.len()];
    co.code = code;
    co.consts = consts;
    co.max_stack = max_stack;
    co
}

#[test]
fn hand_crafted_payloads_are_rejected_by_the_verifier() {
    use Opcode::*;
    let ret = |v: Vec<Instr>| {
        let mut v = v;
        v.push(Instr::new(RETURN_CONST, 0));
        v
    };
    let none = || vec![Constant::None];
    let f = || {
        let mut f = module(ret(vec![]), none(), 0);
        f.name = "f".into();
        f.qualname = "f".into();
        f.flags.0 = 3;
        f
    };
    let cases: Vec<(&str, CodeObject, &str)> = vec![
        (
            "constant index",
            module(
                ret(vec![Instr::new(LOAD_CONST, 7), Instr::new(POP_TOP, 0)]),
                none(),
                1,
            ),
            "out of range (1 constants)",
        ),
        (
            "name index",
            module(
                ret(vec![Instr::new(LOAD_NAME, 0), Instr::new(POP_TOP, 0)]),
                none(),
                1,
            ),
            "out of range (0 names)",
        ),
        (
            "local index",
            module(
                ret(vec![Instr::new(LOAD_FAST, 3), Instr::new(POP_TOP, 0)]),
                none(),
                1,
            ),
            "out of range (0 locals)",
        ),
        (
            "deref index",
            module(
                ret(vec![Instr::new(LOAD_DEREF, 0), Instr::new(POP_TOP, 0)]),
                none(),
                1,
            ),
            "out of range (0 cell",
        ),
        (
            "jump outside",
            module(ret(vec![Instr::new(JUMP_FORWARD, 1000)]), none(), 0),
            "jump outside",
        ),
        (
            "backward conditional",
            module(
                vec![
                    Instr::new(LOAD_CONST, 0),
                    Instr::new(POP_JUMP_IF_TRUE, 0),
                    Instr::new(RETURN_CONST, 0),
                ],
                none(),
                1,
            ),
            "wrong direction",
        ),
        (
            "underflow",
            module(ret(vec![Instr::new(POP_TOP, 0)]), none(), 1),
            "reads 1 stack items but the stack holds 0",
        ),
        (
            "swap below the frame",
            module(
                ret(vec![
                    Instr::new(LOAD_CONST, 0),
                    Instr::new(SWAP, 40),
                    Instr::new(POP_TOP, 0),
                ]),
                none(),
                1,
            ),
            "reads 40",
        ),
        (
            "inconsistent depth",
            module(
                vec![
                    Instr::new(LOAD_CONST, 0),
                    Instr::new(POP_JUMP_IF_FALSE, 3),
                    Instr::new(LOAD_CONST, 0),
                    Instr::new(RETURN_CONST, 0),
                ],
                none(),
                1,
            ),
            "inconsistent stack depth",
        ),
        (
            "above declared max",
            module(
                ret(vec![
                    Instr::new(LOAD_CONST, 0),
                    Instr::new(LOAD_CONST, 0),
                    Instr::new(BUILD_TUPLE, 2),
                    Instr::new(POP_TOP, 0),
                ]),
                none(),
                1,
            ),
            "exceeds the declared maximum",
        ),
        (
            "forged huge max_stack",
            module(ret(vec![]), none(), 1 << 30),
            "far exceeds",
        ),
        (
            "falls off the end",
            module(vec![Instr::new(NOP, 0)], none(), 0),
            "falls off the end",
        ),
        ("empty code", module(vec![], none(), 0), "empty code"),
        (
            "bad binary op",
            module(
                ret(vec![
                    Instr::new(LOAD_CONST, 0),
                    Instr::new(LOAD_CONST, 0),
                    Instr::new(BINARY_OP, 26),
                    Instr::new(POP_TOP, 0),
                ]),
                none(),
                2,
            ),
            "not a binary operator",
        ),
        (
            "nonzero unused operand",
            module(ret(vec![Instr::new(NOP, 5)]), none(), 0),
            "operand must be 0",
        ),
        (
            "MAKE_FUNCTION without code",
            module(
                ret(vec![
                    Instr::new(LOAD_CONST, 0),
                    Instr::new(MAKE_FUNCTION, 0),
                    Instr::new(POP_TOP, 0),
                ]),
                none(),
                1,
            ),
            "not fed a code object",
        ),
        (
            "MAKE_FUNCTION reached by a jump",
            module(
                ret(vec![
                    Instr::new(LOAD_CONST, 1),
                    Instr::new(JUMP_FORWARD, 3),
                    Instr::new(LOAD_CONST, 1),
                    Instr::new(MAKE_FUNCTION, 0),
                    Instr::new(POP_TOP, 0),
                ]),
                vec![Constant::None, Constant::Code(Arc::new(f()))],
                1,
            ),
            "not preceded by LOAD_CONST",
        ),
        (
            "KW_NAMES without a matching CALL",
            module(
                ret(vec![Instr::new(KW_NAMES, 1), Instr::new(NOP, 0)]),
                vec![
                    Constant::None,
                    Constant::Tuple(vec![Constant::str("a")].into()),
                ],
                0,
            ),
            "not followed by a CALL",
        ),
        (
            "KW_NAMES of a non-tuple",
            module(
                ret(vec![Instr::new(KW_NAMES, 0), Instr::new(NOP, 0)]),
                none(),
                0,
            ),
            "not a tuple",
        ),
        (
            "yield outside a generator",
            module(
                ret(vec![
                    Instr::new(LOAD_CONST, 0),
                    Instr::new(YIELD_VALUE, 0),
                    Instr::new(POP_TOP, 0),
                ]),
                none(),
                1,
            ),
            "yield outside",
        ),
        (
            "cell without prologue",
            {
                let mut m = module(
                    ret(vec![Instr::new(LOAD_DEREF, 0), Instr::new(POP_TOP, 0)]),
                    none(),
                    1,
                );
                m.cellvars = vec!["c".into()];
                m
            },
            "prologue expects MAKE_CELL",
        ),
        (
            "module with free variables",
            {
                let mut m = module(ret(vec![]), none(), 0);
                m.freevars = vec!["c".into()];
                m
            },
            "free variables",
        ),
        (
            "positions missing",
            {
                let mut m = module(ret(vec![]), none(), 0);
                m.positions.clear();
                m
            },
            "0 positions for 1 instructions",
        ),
        (
            "exception table out of range",
            {
                let mut m = module(ret(vec![]), none(), 2);
                m.exception_table.push(ExceptionTableEntry {
                    start: 0,
                    end: 9,
                    target: 0,
                    depth: 0,
                    push_lasti: false,
                });
                m
            },
            "exception table entry 0",
        ),
        (
            "more arguments than locals",
            {
                let mut g = f();
                g.argcount = 3;
                module(
                    ret(vec![
                        Instr::new(LOAD_CONST, 1),
                        Instr::new(MAKE_FUNCTION, 0),
                        Instr::new(POP_TOP, 0),
                    ]),
                    vec![Constant::None, Constant::Code(Arc::new(g))],
                    1,
                )
            },
            "3 arguments but 0 local variables",
        ),
    ];
    for (what, co, want) in cases {
        let e = rejected(&craft(&co));
        assert!(e.contains(want), "{what}: got {e:?}, want {want:?}");
    }
}

/// Payload bytes by hand: version, string table, then a code object's fixed fields.
fn raw_payload(strings: &[&[u8]], after: &[u8]) -> Vec<u8> {
    let mut p = vec![pyc::FORMAT_VERSION as u8, strings.len() as u8];
    for s in strings {
        p.push(s.len() as u8);
        p.extend_from_slice(s);
    }
    p.extend_from_slice(after);
    p
}

fn with_header(payload: &[u8]) -> Vec<u8> {
    let mut f = valid_file()[..HEADER_LEN].to_vec();
    f.extend_from_slice(payload);
    fix_checksum(&mut f);
    f
}

#[test]
fn hand_crafted_payloads_are_rejected_by_the_reader() {
    // name, qualname, filename = string 0; first_line..max_stack = 0 (6 fields).
    let fixed = [0u8, 0, 0, 0, 0, 0, 0, 0, 0];
    let huge = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f];
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "huge string table",
            {
                let mut p = vec![pyc::FORMAT_VERSION as u8];
                p.extend_from_slice(&huge);
                p
            },
            "exceeds",
        ),
        (
            "huge instruction count",
            raw_payload(&[b"m"], &[&fixed[..], &huge[..]].concat()),
            "instruction count length",
        ),
        (
            "invalid UTF-8",
            raw_payload(&[b"\xff\xfe"], &fixed),
            "not valid UTF-8",
        ),
        (
            "string index",
            raw_payload(&[b"m"], &[5, 0, 0, 0, 0, 0, 0, 0, 0]),
            "string index 5 out of range",
        ),
        (
            "bad opcode byte",
            raw_payload(&[b"m"], &[&fixed[..], &[1, 0xfe, 0, 0, 0]].concat()),
            "invalid opcode byte 0xfe",
        ),
        (
            "varint overflow",
            raw_payload(
                &[b"m"],
                &[
                    0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
                ],
            ),
            "varint",
        ),
        (
            "unknown constant tag",
            raw_payload(&[b"m"], &[&fixed[..], &[0, 0, 1, 99]].concat()),
            "unknown constant tag 99",
        ),
        (
            "non-canonical big int",
            raw_payload(&[b"m"], &[&fixed[..], &[0, 0, 1, 5, 0, 1, 7]].concat()),
            "non-canonical big int",
        ),
        (
            "trailing bytes",
            {
                let mut p = marshal::encode(&compile("x = 1\n")).unwrap();
                p.push(0);
                p
            },
            "trailing bytes",
        ),
    ];
    for (what, payload, want) in cases {
        let e = rejected(&with_header(&payload));
        assert!(e.contains(want), "{what}: got {e:?}, want {want:?}");
    }
}

/// xorshift64*: a small seeded PRNG, so a failure reproduces from its iteration number.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// One random damage: flip bits, overwrite bytes, truncate, insert, delete, duplicate, or plant
/// a huge varint.
fn mutate(rng: &mut Rng, file: &[u8]) -> Vec<u8> {
    let mut f = file.to_vec();
    for _ in 0..1 + rng.below(3) {
        let at = rng.below(f.len());
        match rng.below(7) {
            0 => f[at] ^= 1 << rng.below(8),
            1 => f[at] = rng.next() as u8,
            2 => f.truncate(at),
            3 => {
                let b = rng.next() as u8;
                f.insert(at, b);
            }
            4 => {
                let end = (at + 1 + rng.below(16)).min(f.len());
                f.drain(at..end);
            }
            5 => {
                let end = (at + 1 + rng.below(16)).min(f.len());
                let chunk = f[at..end].to_vec();
                f.splice(at..at, chunk);
            }
            _ => {
                let end = (at + 5).min(f.len());
                for b in &mut f[at..end] {
                    *b = 0xff;
                }
            }
        }
        if f.is_empty() {
            break;
        }
    }
    f
}

#[test]
fn a_hundred_thousand_random_mutations_never_crash() {
    let file = valid_file();
    let mut rng = Rng(0x5EED_CAFE_F00D_1234);
    let (mut raw_rejected, mut fixed_rejected, mut fixed_accepted) = (0, 0, 0);
    for i in 0..50_000 {
        // As damaged on disk: the checksum must catch any payload change.
        let m = mutate(&mut rng, &file);
        match pyc::read(&m, None) {
            Err(e) => {
                assert_one_line(&e);
                raw_rejected += 1;
            }
            Ok(_) => {
                let same_payload = m.len() == file.len() && m[24..] == file[24..];
                assert!(same_payload, "mutation {i}: damaged payload accepted");
            }
        }
        // With the checksum recomputed: the damage reaches the reader and the verifier.
        let mut m = mutate(&mut rng, &file);
        fix_checksum(&mut m);
        match pyc::read(&m, None) {
            Err(e) => {
                assert_one_line(&e);
                fixed_rejected += 1;
            }
            Ok(code) => {
                // Accepted means verified: it must disassemble and re-encode without trouble.
                let _ = nanopy_compiler::bytecode::dis::dis(&code);
                marshal::encode(&code).expect("re-encodes");
                fixed_accepted += 1;
            }
        }
    }
    eprintln!(
        "raw: {raw_rejected} rejected; checksum fixed: {fixed_rejected} rejected, {fixed_accepted} accepted"
    );
    assert!(raw_rejected > 49_000);
    assert!(
        fixed_rejected > 40_000,
        "mutations mostly reach a rejection"
    );
}
