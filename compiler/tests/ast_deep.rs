//! Pathological nesting: the parser, the dumper and the arena must never overflow the stack,
//! hang or panic. Each input either parses (and dumps) or fails with a clean error like
//! CPython's ("too many nested parentheses", RecursionError during ast construction, ...).

use nanopy_compiler::ast_dump::dump;
use nanopy_compiler::parser::{self, ParseOptions};
use nanopy_compiler::SyntaxErrorKind;

/// Parses and dumps on a big stack: Ok(dump) or Err((kind, message)).
fn run(src: String) -> Result<String, (SyntaxErrorKind, String)> {
    parser::run_on_big_stack(move || {
        let arena = bumpalo::Bump::new();
        let tree =
            parser::parse(&arena, &src, ParseOptions::default()).map_err(|e| (e.kind, e.msg))?;
        Ok(dump(&tree, true, 3))
    })
}

const N: usize = 100_000;

#[test]
fn hundred_thousand_nested_parentheses() {
    let src = format!("{}{}\n", "(".repeat(N), ")".repeat(N));
    assert_eq!(
        run(src),
        Err((
            SyntaxErrorKind::SyntaxError,
            "too many nested parentheses".into()
        ))
    );
}

#[test]
fn hundred_thousand_term_sum_is_a_clean_recursion_error() {
    let src = format!("x = {}\n", vec!["1"; N].join(" + "));
    assert_eq!(
        run(src),
        Err((
            SyntaxErrorKind::RecursionError,
            "maximum recursion depth exceeded during ast construction".into()
        ))
    );
}

#[test]
fn long_but_reasonable_sum_parses() {
    // 2000 terms parse (CPython too); the dump of such a tree is quadratic in size, so check
    // the dump on a shorter chain.
    let src = format!("x = {}\n", vec!["a"; 2000].join(" + "));
    let ok = parser::run_on_big_stack(move || {
        let arena = bumpalo::Bump::new();
        parser::parse(&arena, &src, ParseOptions::default()).is_ok()
    });
    assert!(ok);
    let src = format!("x = {}\n", vec!["a"; 300].join(" + "));
    assert_eq!(run(src).expect("300 terms").matches("BinOp(").count(), 299);
}

#[test]
fn deep_prefix_operators_and_chains_fail_cleanly() {
    for src in [
        format!("{}1\n", "-".repeat(N)),
        format!("{}x\n", "not ".repeat(N)),
        format!("{}x\n", "await ".repeat(N)),
        format!("{}0\n", "lambda: ".repeat(N)),
        format!("x = {}\n", vec!["a if b else"; N].join(" ") + " c"),
        format!("x = a{}\n", ".b".repeat(N)),
        format!("x = f{}\n", "()".repeat(N)),
        format!("x = a{}\n", "[0]".repeat(N)),
        format!("x = 2{}\n", " ** 2".repeat(N)),
        format!("{} = 1\n", vec!["*a"; N].join(", ")),
    ] {
        match run(src) {
            Ok(_) => {}
            Err((kind, msg)) => assert!(
                kind == SyntaxErrorKind::RecursionError || kind == SyntaxErrorKind::SyntaxError,
                "{kind:?}: {msg}"
            ),
        }
    }
}

#[test]
fn deep_blocks_and_brackets_fail_cleanly() {
    let mut src = String::new();
    for i in 0..200 {
        src.push_str(&" ".repeat(i));
        src.push_str("if x:\n");
    }
    src.push_str(&" ".repeat(200));
    src.push_str("pass\n");
    assert!(run(src).is_err()); // CPython: too many levels of indentation (limit 100)
    let src = format!("x = {}{}\n", "[".repeat(199), "]".repeat(199));
    assert!(run(src).is_ok());
}

#[test]
fn truncated_and_garbage_inputs_fail_cleanly() {
    for src in [
        "def f(",
        "x = [1, 2",
        "class",
        "if x:",
        "f'{",
        "'''abc",
        "lambda",
        "@",
        "match x:\n case",
        "\\",
    ] {
        assert!(run(src.to_string()).is_err(), "{src:?} accepted");
    }
}
