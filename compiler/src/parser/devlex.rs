//! TEMPORARY stand-in for the parser-mode lexer (`crate::lexer::lex`), which is being written
//! on branch `lexer`: just enough of CPython's C tokenizer to develop the parser against real
//! files. Replaced by the real lexer when it lands; not a deliverable.

use crate::error::{SyntaxError, SyntaxErrorKind};
use crate::tokens::{Token, TokenKind as T};

fn err(msg: &str, src: &str, off: usize) -> SyntaxError {
    let line = src[..off].matches('\n').count() as u32 + 1;
    let ls = src[..off].rfind('\n').map_or(0, |i| i + 1);
    let le = src[off..].find('\n').map_or(src.len(), |i| off + i);
    SyntaxError::new(
        SyntaxErrorKind::SyntaxError,
        msg,
        line,
        src[ls..off].chars().count() as u32 + 1,
    )
    .with_text(&src[ls..le])
}

pub(crate) fn lex(src: &str, type_comments: bool) -> Result<Vec<Token>, SyntaxError> {
    let b = src.as_bytes();
    let mut toks = Vec::with_capacity(src.len() / 4);
    let mut i = 0usize;
    let mut indents: Vec<usize> = vec![0];
    let mut level = 0i32;
    let mut atbol = true;
    let mut brackets: Vec<(u8, usize)> = Vec::new();
    let push = |toks: &mut Vec<Token>, kind, s: usize, e: usize| {
        toks.push(Token {
            kind,
            start: s as u32,
            end: e as u32,
        })
    };
    loop {
        if atbol {
            atbol = false;
            let mut col = 0usize;
            let mut j = i;
            while j < b.len() {
                match b[j] {
                    b' ' => col += 1,
                    b'\t' => col = (col / 8 + 1) * 8,
                    b'\x0c' => col = 0,
                    _ => break,
                }
                j += 1;
            }
            let blank =
                j >= b.len() || b[j] == b'\n' || b[j] == b'\r' || b[j] == b'#' || b[j] == b'\\';
            let is_tc =
                type_comments && j < b.len() && b[j] == b'#' && src[j..].starts_with("# type:");
            if !blank && level == 0 || (is_tc && level == 0 && false) {
                let cur = *indents.last().unwrap();
                if col > cur {
                    indents.push(col);
                    push(&mut toks, T::Indent, j, j);
                } else {
                    while col < *indents.last().unwrap() {
                        indents.pop();
                        push(&mut toks, T::Dedent, j, j);
                    }
                    if col != *indents.last().unwrap() {
                        let mut e = err(
                            "unindent does not match any outer indentation level",
                            src,
                            j,
                        );
                        e.kind = SyntaxErrorKind::IndentationError;
                        return Err(e);
                    }
                }
            }
            i = j;
            if blank && j < b.len() && b[j] != b'#' && b[j] != b'\\' {
                // empty line
                i = j + if b[j] == b'\r' && b.get(j + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                };
                atbol = true;
                continue;
            }
            if blank && j < b.len() && b[j] == b'#' {
                // comment-only line: a type comment there is a token followed by NEWLINE
                let e = src[j..].find('\n').map_or(b.len(), |k| j + k);
                if type_comments && src[j..e].starts_with("# type:") && level == 0 {
                    let body = src[j + 7..e].trim_start();
                    let bs = e - src[j + 7..e].trim_start().len();
                    if !body.starts_with("ignore") {
                        push(
                            &mut toks,
                            T::TypeComment,
                            bs,
                            e.min(bs + body.trim_end().len()),
                        );
                        push(&mut toks, T::Newline, e, e);
                    } else {
                        push(&mut toks, T::TypeIgnore, bs + 6, e);
                    }
                }
                i = (e + 1).min(b.len());
                if e >= b.len() {
                    i = b.len();
                }
                atbol = true;
                if i >= b.len() {
                    // fallthrough to EOF handling
                } else {
                    continue;
                }
            }
            if blank && j >= b.len() {
                i = b.len();
            }
        }
        // skip spaces
        while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\x0c') {
            i += 1;
        }
        if i >= b.len() {
            if level > 0 {
                let (c, off) = *brackets.last().unwrap();
                return Err(err(&format!("'{}' was never closed", c as char), src, off));
            }
            if toks
                .last()
                .is_some_and(|t: &Token| !matches!(t.kind, T::Newline | T::Dedent | T::Indent))
            {
                push(&mut toks, T::Newline, b.len(), b.len());
            }
            while indents.len() > 1 {
                indents.pop();
                push(&mut toks, T::Dedent, b.len(), b.len());
            }
            push(&mut toks, T::EndMarker, b.len(), b.len());
            return Ok(toks);
        }
        let c = b[i];
        let start = i;
        if c == b'#' {
            let e = src[i..].find('\n').map_or(b.len(), |k| i + k);
            let e2 = if e > i && b[e - 1] == b'\r' { e - 1 } else { e };
            if type_comments && src[i..e2].starts_with("# type:") {
                let body = src[i + 7..e2].trim_start();
                let bs = e2 - body.len();
                if body.starts_with("ignore")
                    && !body[6..].starts_with(|ch: char| ch.is_alphanumeric())
                {
                    push(&mut toks, T::TypeIgnore, bs + 6, e2);
                } else {
                    push(&mut toks, T::TypeComment, bs, bs + body.trim_end().len());
                }
            }
            i = e2;
            continue;
        }
        if c == b'\n' || c == b'\r' {
            let n = if c == b'\r' && b.get(i + 1) == Some(&b'\n') {
                2
            } else {
                1
            };
            if level == 0 {
                push(&mut toks, T::Newline, i, i);
                atbol = true;
            }
            i += n;
            continue;
        }
        if c == b'\\' {
            let n = if b.get(i + 1) == Some(&b'\r') && b.get(i + 2) == Some(&b'\n') {
                3
            } else {
                2
            };
            if !matches!(b.get(i + 1), Some(b'\n') | Some(b'\r')) {
                return Err(err(
                    "unexpected character after line continuation character",
                    src,
                    i,
                ));
            }
            i += n;
            continue;
        }
        // identifiers / string prefixes
        if c.is_ascii_alphabetic() || c == b'_' || c >= 128 {
            let mut j = i;
            while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] >= 128) {
                j += 1;
            }
            let word = &src[i..j];
            if j < b.len()
                && (b[j] == b'"' || b[j] == b'\'')
                && word.len() <= 3
                && word.chars().all(|ch| "rRbBuUfF".contains(ch))
            {
                i = j;
                let e = scan_string(src, i)?;
                push(&mut toks, T::String, start, e);
                i = e;
                continue;
            }
            push(&mut toks, T::Name, i, j);
            i = j;
            continue;
        }
        if c == b'"' || c == b'\'' {
            let e = scan_string(src, i)?;
            push(&mut toks, T::String, start, e);
            i = e;
            continue;
        }
        if c.is_ascii_digit() || (c == b'.' && b.get(i + 1).is_some_and(|d| d.is_ascii_digit())) {
            let mut j = i;
            if c == b'0' && matches!(b.get(i + 1), Some(b'x' | b'X' | b'o' | b'O' | b'b' | b'B')) {
                j += 2;
                while j < b.len() && (b[j].is_ascii_hexdigit() || b[j] == b'_') {
                    j += 1;
                }
            } else {
                while j < b.len() && (b[j].is_ascii_digit() || b[j] == b'_') {
                    j += 1;
                }
                if j < b.len() && b[j] == b'.' {
                    j += 1;
                    while j < b.len() && (b[j].is_ascii_digit() || b[j] == b'_') {
                        j += 1;
                    }
                }
                if j < b.len() && (b[j] == b'e' || b[j] == b'E') {
                    let mut k = j + 1;
                    if k < b.len() && (b[k] == b'+' || b[k] == b'-') {
                        k += 1;
                    }
                    if k < b.len() && b[k].is_ascii_digit() {
                        j = k;
                        while j < b.len() && (b[j].is_ascii_digit() || b[j] == b'_') {
                            j += 1;
                        }
                    }
                }
                if j < b.len() && (b[j] == b'j' || b[j] == b'J') {
                    j += 1;
                }
            }
            push(&mut toks, T::Number, i, j);
            i = j;
            continue;
        }
        // operators: longest match
        let mut matched = None;
        for len in [3usize, 2, 1] {
            if i + len <= b.len() {
                if let Some(k) = src.get(i..i + len).and_then(T::from_op_text) {
                    matched = Some((k, len));
                    break;
                }
            }
        }
        let Some((k, len)) = matched else {
            if c == b'!' || c == b'$' || c == b'?' || c == b'`' {
                push(&mut toks, T::Op, i, i + 1);
                i += 1;
                continue;
            }
            return Err(err("invalid character", src, i));
        };
        match k {
            T::Lpar | T::Lsqb | T::Lbrace => {
                level += 1;
                brackets.push((c, i));
                if level >= 200 {
                    return Err(err("too many nested parentheses", src, i));
                }
            }
            T::Rpar | T::Rsqb | T::Rbrace => {
                if level == 0 {
                    return Err(err(&format!("unmatched '{}'", c as char), src, i));
                }
                level -= 1;
                brackets.pop();
            }
            _ => {}
        }
        push(&mut toks, k, i, i + len);
        i += len;
    }
}

fn scan_string(src: &str, i: usize) -> Result<usize, SyntaxError> {
    let b = src.as_bytes();
    let q = b[i];
    let triple = b.get(i + 1) == Some(&q) && b.get(i + 2) == Some(&q);
    let mut j = if triple { i + 3 } else { i + 1 };
    loop {
        if j >= b.len() {
            return Err(err(
                if triple {
                    "unterminated triple-quoted string literal"
                } else {
                    "unterminated string literal"
                },
                src,
                i,
            ));
        }
        let c = b[j];
        if c == b'\\' {
            j += 2;
            continue;
        }
        if !triple && (c == b'\n' || c == b'\r') {
            return Err(err("unterminated string literal", src, i));
        }
        if c == q {
            if !triple {
                return Ok(j + 1);
            }
            if b.get(j + 1) == Some(&q) && b.get(j + 2) == Some(&q) {
                return Ok(j + 3);
            }
        }
        j += 1;
    }
}
