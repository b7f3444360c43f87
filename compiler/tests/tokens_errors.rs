//! Parser-mode tokenizer errors against live CPython: every file in
//! `fixtures/tokens/errors/` is compiled by `python3` (`compile(bytes, path, 'exec')`, what
//! `python3 -m ast` does) and the SyntaxError's class, message, line, offset, end line, end offset
//! and text must equal what `lexer::lex` reports. Each fixture holds exactly one tokenizer error.
//! Add a case by dropping a .py file in the folder.

use std::path::PathBuf;
use std::process::Command;

use nanopy_compiler::lexer::{lex, LexOptions};
use nanopy_compiler::source::decode;

const ORACLE: &str = r#"
import sys, json
for path in sys.argv[1:]:
    try:
        compile(open(path, 'rb').read(), path, 'exec')
        print(json.dumps(None))
    except SyntaxError as e:
        end = None if e.end_offset in (None, -1) else e.end_offset
        # Decoding errors have lineno 0 and offset -1; nanopy's SyntaxError.offset is unsigned
        # and uses 0 for "no column" (rendered identically: no caret).
        # The NUL-byte error has no lineno or offset at all (None): also 0 in nanopy.
        offset = 0 if e.offset in (None, -1) else e.offset
        lineno = 0 if e.lineno is None else e.lineno
        text = None if e.text is None else e.text.rstrip('\n')
        print(json.dumps([type(e).__name__, e.msg, lineno, offset, e.end_lineno, end, text]))
"#;

fn json_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || (c as u32) >= 0x7f => {
                let mut buf = [0u16; 2];
                for u in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{:04x}", u));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn opt_num(n: Option<u32>) -> String {
    n.map_or("null".into(), |n| n.to_string())
}

#[test]
fn tokenizer_errors_match_cpython() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tokens/errors");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "py"))
        .collect();
    files.sort();
    assert!(files.len() > 50);
    let out = Command::new("python3")
        .arg("-W")
        .arg("ignore")
        .arg("-c")
        .arg(ORACLE)
        .args(&files)
        .output()
        .expect("python3 on PATH");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected = String::from_utf8(out.stdout).unwrap();
    let mut failures = Vec::new();
    for (path, want) in files.iter().zip(expected.lines()) {
        let bytes = std::fs::read(path).unwrap();
        let got = match decode(&bytes).and_then(|s| {
            lex(
                &s,
                LexOptions {
                    type_comments: true,
                },
            )
        }) {
            Ok(_) => "null".to_string(),
            Err(e) => format!(
                "[{}, {}, {}, {}, {}, {}, {}]",
                json_str(e.kind.name()),
                json_str(&e.msg),
                e.lineno,
                e.offset,
                opt_num(e.end_lineno),
                opt_num(e.end_offset),
                e.text.as_deref().map_or("null".into(), json_str)
            ),
        };
        if got != want {
            failures.push(format!(
                "{}\n  python3: {want}\n  nanopy:  {got}",
                path.display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
