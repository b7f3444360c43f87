//! Bad input never panics or hangs: truncations and byte mutations of real sources, invalid
//! UTF-8, NUL bytes, deep nesting, huge inputs. Both lexer modes, and `source::decode`.

use nanopy_compiler::lexer::{lex, tokenize_file, LexOptions};
use nanopy_compiler::source::decode;
use nanopy_compiler::tokenize_dump::dump;

const SAMPLE: &str = include_str!("fixtures/tokens/valid/everything.py");

/// Runs the whole front door on arbitrary bytes; only a panic fails.
fn feed(bytes: &[u8]) {
    if let Ok(text) = decode(bytes) {
        for type_comments in [false, true] {
            let _ = lex(&text, LexOptions { type_comments });
        }
    }
    // The lexer also takes text that never went through decode (e.g. with NULs).
    let text = String::from_utf8_lossy(bytes);
    let _ = lex(&text, LexOptions::default());
    // Tokenize mode, through to the printer.
    if let Ok(t) = tokenize_file(bytes, "f.py") {
        let _ = dump(&t, true);
    }
}

/// xorshift64*: deterministic, dependency-free randomness.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

#[test]
fn every_truncation_of_a_rich_file() {
    let b = SAMPLE.as_bytes();
    for n in 0..=b.len() {
        feed(&b[..n]);
    }
}

#[test]
fn random_mutations() {
    let interesting: &[u8] = b"\0\\\n\r\t\x0c '\"#([{)]}0x_.eEjJ\xff\xe2\x82\xac\xc3";
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..3000 {
        let mut b = SAMPLE.as_bytes().to_vec();
        for _ in 0..(rng.next() % 4 + 1) {
            let at = (rng.next() as usize) % (b.len() + 1);
            let byte = interesting[(rng.next() as usize) % interesting.len()];
            match rng.next() % 3 {
                0 => b.insert(at, byte),
                1 if at < b.len() => b[at] = byte,
                _ if at < b.len() => {
                    b.remove(at);
                }
                _ => {}
            }
        }
        feed(&b);
    }
}

#[test]
fn pathological_inputs() {
    let deep = "(".repeat(100_000);
    let e = lex(&deep, LexOptions::default()).unwrap_err();
    assert_eq!(e.msg, "too many nested parentheses");
    let deep_closed = format!("x = {}1{}\n", "(".repeat(199), ")".repeat(199));
    assert!(lex(&deep_closed, LexOptions::default()).is_ok());
    let e = lex(&"[".repeat(201), LexOptions::default()).unwrap_err();
    assert_eq!((e.lineno, e.offset), (1, 201));
    // Deep indentation: 100 levels is too many, 99 are fine.
    let nest = |n: usize| {
        (0..n)
            .map(|i| format!("{}if x:\n", " ".repeat(i)))
            .collect::<String>()
            + &" ".repeat(n)
            + "pass\n"
    };
    assert!(lex(&nest(99), LexOptions::default()).is_ok());
    assert_eq!(
        lex(&nest(100), LexOptions::default()).unwrap_err().msg,
        "too many levels of indentation"
    );
    // Big inputs stay linear: 10 MB of one long line and of many lines.
    let long_line = format!("x = [{}]\n", "1, ".repeat(3_000_000));
    assert!(lex(&long_line, LexOptions::default()).is_ok());
    let many_lines = "x = 'abc'  # c\n".repeat(600_000);
    assert_eq!(
        lex(&many_lines, LexOptions::default()).unwrap().len(),
        600_000 * 4 + 1
    );
    let long_string = format!("'''{}", "a\n".repeat(1_000_000));
    assert!(lex(&long_string, LexOptions::default())
        .unwrap_err()
        .msg
        .starts_with("unterminated triple-quoted"));
    let deep_tokenize = tokenize_file("(".repeat(100_000).as_bytes(), "f.py").unwrap_err();
    assert_eq!(
        deep_tokenize.render("f.py"),
        "f.py:2:0: error: EOF in multi-line statement"
    );
    feed(b"x = '\xff'\n");
    feed(b"\x00");
    feed(b"\xef\xbb\xbf");
    feed(b"\\");
    feed(b"\r");
    feed(b"'''");
    feed(b"f'{");
}
