//! Parser-mode lexer: token kinds for representative snippets and tokenizer errors with
//! CPython 3.11's messages and positions (checked against `compile()`).

use nanopy_compiler::lexer::{lex, LexOptions};
use nanopy_compiler::tokens::TokenKind;

fn kinds(src: &str) -> Vec<&'static str> {
    lex(
        src,
        LexOptions {
            type_comments: true,
        },
    )
    .unwrap_or_else(|e| panic!("{src:?}: {e}"))
    .iter()
    .map(|t| t.kind.name())
    .collect()
}

fn texts(src: &str) -> Vec<String> {
    lex(src, LexOptions::default())
        .unwrap()
        .iter()
        .filter(|t| !matches!(t.kind, TokenKind::Newline | TokenKind::EndMarker))
        .map(|t| t.text(src).to_string())
        .collect()
}

/// (message, lineno, offset, end_offset) of the error.
fn err(src: &str) -> (String, u32, u32, Option<u32>) {
    let e = lex(src, LexOptions::default()).expect_err(src);
    (e.msg, e.lineno, e.offset, e.end_offset)
}

#[test]
fn blocks_and_blank_lines() {
    assert_eq!(
        kinds("if x:\n\n  # c\n    y\n\nz\n"),
        [
            "NAME",
            "NAME",
            "COLON",
            "NEWLINE",
            "INDENT",
            "NAME",
            "NEWLINE",
            "DEDENT",
            "NAME",
            "NEWLINE",
            "ENDMARKER"
        ]
    );
    // No final newline: one is implied, then dedents.
    assert_eq!(
        kinds("if x:\n  y"),
        [
            "NAME",
            "NAME",
            "COLON",
            "NEWLINE",
            "INDENT",
            "NAME",
            "NEWLINE",
            "DEDENT",
            "ENDMARKER"
        ]
    );
    assert_eq!(kinds(""), ["ENDMARKER"]);
    assert_eq!(
        kinds("(1,\n 2)\\\n+3\r\n"),
        [
            "LPAR",
            "NUMBER",
            "COMMA",
            "NUMBER",
            "RPAR",
            "PLUS",
            "NUMBER",
            "NEWLINE",
            "ENDMARKER"
        ]
    );
}

#[test]
fn numbers_strings_operators() {
    assert_eq!(
        texts("0x_1f 0o17 0b1_0 1_000.5e-3j .5 5. 1if x else 0"),
        [
            "0x_1f",
            "0o17",
            "0b1_0",
            "1_000.5e-3j",
            ".5",
            "5.",
            "1",
            "if",
            "x",
            "else",
            "0"
        ]
    );
    assert_eq!(
        texts("Rb'a' bR\"\"\"x\ny\"\"\" f'{x}' u'' fR'\\'' x"),
        [
            "Rb'a'",
            "bR\"\"\"x\ny\"\"\"",
            "f'{x}'",
            "u''",
            "fR'\\''",
            "x"
        ]
    );
    assert_eq!(
        texts("a**=b//=c->d:=e...f!=g<>h"),
        ["a", "**=", "b", "//=", "c", "->", "d", ":=", "e", "...", "f", "!=", "g", "<>", "h"]
    );
    assert_eq!(texts("ñandú = 1"), ["ñandú", "=", "1"]);
}

#[test]
fn type_comments() {
    assert_eq!(
        kinds("x = 1  # type: int\ny = 2 # type: ignore[x]\n# type: ignore\n"),
        [
            "NAME",
            "EQUAL",
            "NUMBER",
            "TYPE_COMMENT",
            "NEWLINE",
            "NAME",
            "EQUAL",
            "NUMBER",
            "TYPE_IGNORE",
            "NEWLINE",
            "TYPE_IGNORE",
            "ENDMARKER"
        ]
    );
    let src = "x = 1  #type:List[int]\n";
    let toks = lex(
        src,
        LexOptions {
            type_comments: true,
        },
    )
    .unwrap();
    assert_eq!(toks[3].text(src), "List[int]");
    assert!(lex(src, LexOptions::default())
        .unwrap()
        .iter()
        .all(|t| t.kind != TokenKind::TypeComment));
}

#[test]
fn tokenizer_errors() {
    assert_eq!(
        err("x = 'abc\n"),
        (
            "unterminated string literal (detected at line 1)".into(),
            1,
            5,
            Some(5)
        )
    );
    assert_eq!(
        err("x = '''abc\n\n").0,
        "unterminated triple-quoted string literal (detected at line 2)"
    );
    assert_eq!(err("foo(\n").0, "'(' was never closed");
    assert_eq!(err("x)\n").0, "unmatched ')'");
    assert_eq!(
        err("(]\n").0,
        "closing parenthesis ']' does not match opening parenthesis '('"
    );
    assert_eq!(
        err("(\n]\n").0,
        "closing parenthesis ']' does not match opening parenthesis '(' on line 1"
    );
    assert_eq!(err(&"(".repeat(100_000)).0, "too many nested parentheses");
    assert_eq!(
        err("if x:\n    a\n  b\n").0,
        "unindent does not match any outer indentation level"
    );
    assert_eq!(
        err("if x:\n        a\n\tb\n").0,
        "inconsistent use of tabs and spaces in indentation"
    );
    assert_eq!(err("1abc\n").0, "invalid decimal literal");
    assert_eq!(err("0x\n").0, "invalid hexadecimal literal");
    assert_eq!(err("0o8\n").0, "invalid digit '8' in octal literal");
    assert_eq!(err("x = a€\n").0, "invalid character '€' (U+20AC)");
    assert_eq!(
        err("x = \u{a0}1\n").0,
        "invalid non-printable character U+00A0"
    );
    assert_eq!(
        err("x = 1 \\ 2\n").0,
        "unexpected character after line continuation character"
    );
    assert_eq!(err("x = 1 + \\\n").0, "unexpected EOF while parsing");
    assert_eq!(err("012\n").0, "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers");
}
