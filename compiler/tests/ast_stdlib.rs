//! A fixed, representative slice of the stdlib parity check (scripts/parity_ast.py runs all
//! 1,790 files): each file's `ast -a` dump must equal live `python3 -m ast -a FILE`, byte for
//! byte, so a parser regression fails CI. The files cover every statement and expression kind,
//! pattern matching, f-strings, type comments, except*, decorators, async, odd literals,
//! non-ASCII identifiers and a non-UTF-8 source encoding.

use std::path::Path;
use std::process::Command;

use nanopy_compiler::ast_dump::dump;
use nanopy_compiler::parser::{self, ParseOptions};

const STDLIB: &str = "/root/.pyenv/versions/3.11.7/lib/python3.11";

const FILES: &[&str] = &[
    "ast.py",
    "typing.py",
    "dataclasses.py",
    "functools.py",
    "contextlib.py",
    "enum.py",
    "inspect.py",
    "string.py",
    "textwrap.py",
    "tokenize.py",
    "fractions.py",
    "_pydecimal.py",
    "asyncio/tasks.py",
    "asyncio/base_events.py",
    "re/_parser.py",
    "json/decoder.py",
    "email/_header_value_parser.py",
    "collections/__init__.py",
    "importlib/_bootstrap_external.py",
    "encodings/cp1252.py",
    "lib2to3/pgen2/tokenize.py",
    "idlelib/editor.py",
    "test/test_grammar.py",
    "test/test_patma.py",
    "test/test_fstring.py",
    "test/test_type_comments.py",
    "test/test_except_star.py",
    "test/test_coroutines.py",
    "test/test_unicode_identifiers.py",
    "test/test_string_literals.py",
    "test/test_positional_only_arg.py",
    "test/test_keywordonlyarg.py",
    "test/test_named_expressions.py",
    "test/test_generators.py",
    "test/test_unpack_ex.py",
    "test/test_with.py",
    "test/test_decorators.py",
    "test/test_float.py",
    "test/test_complex.py",
    "test/encoded_modules/module_iso_8859_1.py",
    "test/test_syntax.py",
    "test/test_traceback.py",
];

#[test]
fn stdlib_subset_matches_python3_m_ast() {
    if !Path::new(STDLIB).is_dir() {
        panic!("CPython 3.11 stdlib not found at {STDLIB}");
    }
    let mut bad = Vec::new();
    for rel in FILES {
        let path = Path::new(STDLIB).join(rel);
        let out = Command::new("python3")
            .args(["-m", "ast", "-a"])
            .arg(&path)
            .output()
            .expect("python3 on PATH");
        assert!(out.status.success(), "CPython rejects {rel}");
        let want = String::from_utf8(out.stdout).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let got = parser::run_on_big_stack(|| {
            let src = parser::decode_source(&bytes).map_err(|e| e.render(rel))?;
            let arena = bumpalo::Bump::new();
            let opts = ParseOptions {
                type_comments: true,
                ..Default::default()
            };
            let tree = parser::parse(&arena, &src, opts).map_err(|e| e.render(rel))?;
            Ok::<_, String>(dump(&tree, true, 3) + "\n")
        });
        match got {
            Ok(got) if got == want => {}
            Ok(got) => {
                let line = want
                    .lines()
                    .zip(got.lines())
                    .position(|(a, b)| a != b)
                    .unwrap_or(0);
                bad.push(format!(
                    "{rel}: differs at dump line {}: cpython {:?} / nanopy {:?}",
                    line + 1,
                    want.lines().nth(line).unwrap_or(""),
                    got.lines().nth(line).unwrap_or("")
                ));
            }
            Err(e) => bad.push(format!("{rel}: rejected:\n{e}")),
        }
    }
    assert!(
        bad.is_empty(),
        "{} of {} files differ:\n{}",
        bad.len(),
        FILES.len(),
        bad.join("\n")
    );
}
