//! Printing tokens exactly as `python3 -m tokenize [-e]` does: one line per token,
//! `"%-20s%-15s%-15r" % ("L,C-L,C:", tok_name, repr(string))`, starting with the ENCODING token.
//!
//! Owns Python's `repr()` of a str (quote choice, escapes, `str.isprintable`), which the
//! printer and tokenize's error messages need. Knows nothing of how tokens are found.

use crate::lexer::Tokenized;
use crate::tokens::TokenKind;

/// Python's `repr(s)` for a str.
pub fn py_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (' '..='~').contains(&c) => out.push(c),
            c if !c.is_ascii() && crate::lexer::is_printable(c) => out.push(c),
            c => {
                let u = c as u32;
                if u < 0x100 {
                    out.push_str(&format!("\\x{u:02x}"));
                } else if u < 0x10000 {
                    out.push_str(&format!("\\u{u:04x}"));
                } else {
                    out.push_str(&format!("\\U{u:08x}"));
                }
            }
        }
    }
    out.push(quote);
    out
}

/// Appends `s` left-justified in `width` characters (Python's `%-Ns`).
fn pad(out: &mut String, s: &str, width: usize) {
    out.push_str(s);
    let n = crate::source::char_count(s) as usize;
    for _ in n..width {
        out.push(' ');
    }
}

/// The whole output of `python3 -m tokenize [-e]` for a successfully tokenized file.
pub fn dump(t: &Tokenized, exact: bool) -> String {
    dump_tokens(&t.text, &t.tokens, Some(&t.encoding), exact)
}

/// The printed lines for `tokens` of `text`, after an ENCODING line when `encoding` is given
/// (`python -m tokenize` on stdin has none).
pub fn dump_tokens(
    text: &str,
    tokens: &[crate::lexer::PyToken],
    encoding: Option<&str>,
    exact: bool,
) -> String {
    let mut out = String::with_capacity(tokens.len() * 50 + 64);
    let line =
        |out: &mut String, kind: TokenKind, start: (u32, u32), end: (u32, u32), text: &str| {
            let range = format!("{},{}-{},{}:", start.0, start.1, end.0, end.1);
            pad(out, &range, 20);
            let name = if !exact && kind.is_operator() {
                "OP"
            } else {
                kind.name()
            };
            pad(out, name, 15);
            pad(out, &py_repr(text), 15);
            out.push('\n');
        };
    if let Some(enc) = encoding {
        line(&mut out, TokenKind::Encoding, (0, 0), (0, 0), enc);
    }
    for tok in tokens {
        let s = &text[tok.text.0 as usize..tok.text.1 as usize];
        line(&mut out, tok.kind, tok.start, tok.end, s);
    }
    out
}

/// Parser-mode tokens, one per line: `L,C-L,C:<TAB>KIND<TAB>repr(text)` with UTF-8 byte columns
/// (the AST's convention); on error the tokens are followed by the SyntaxError's attributes and
/// its rendering as CPython prints it. Used by `nanopy tokens --parser` and the snapshot tests.
pub fn dump_parser_mode(
    source: &str,
    tokens: &[crate::tokens::Token],
    error: Option<&crate::error::SyntaxError>,
    filename: &str,
) -> String {
    let index = crate::source::LineIndex::new(source);
    let mut out = String::with_capacity(tokens.len() * 32);
    for t in tokens {
        let (l1, c1) = index.line_col(t.start);
        let (l2, c2) = index.line_col(t.end);
        out.push_str(&format!(
            "{l1},{c1}-{l2},{c2}:\t{}\t{}\n",
            t.kind.name(),
            py_repr(t.text(source))
        ));
    }
    if let Some(e) = error {
        out.push_str(&format!(
            "{}: {} (lineno={}, offset={}, end_lineno={:?}, end_offset={:?})\n",
            e.kind.name(),
            e.msg,
            e.lineno,
            e.offset,
            e.end_lineno,
            e.end_offset
        ));
        out.push_str(&e.render(filename));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::py_repr;

    #[test]
    fn repr_like_python() {
        assert_eq!(py_repr("abc"), "'abc'");
        assert_eq!(py_repr("it's"), "\"it's\"");
        assert_eq!(py_repr("'\""), "'\\'\"'");
        assert_eq!(py_repr("a\\b\n\t\r\x0c\x7f"), "'a\\\\b\\n\\t\\r\\x0c\\x7f'");
        assert_eq!(
            py_repr("é€\u{a0}\u{200b}\u{e0100}\u{e0001}"),
            "'é€\\xa0\\u200b\u{e0100}\\U000e0001'"
        );
    }
}
