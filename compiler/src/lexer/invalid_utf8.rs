//! What `compile(bytes)` reports for source that is not valid UTF-8 (and declares no other
//! encoding).
//!
//! CPython does not validate such input up front: bytes >= 0x80 are identifier characters to
//! the C tokenizer, and text is decoded token by token. So an invalid byte in a comment is
//! ignored; in a NAME it is a tokenizer error at that name; in a string literal it is a parser
//! error raised when the literal is decoded, at the token after the literal; and tokenizer
//! errors elsewhere may take precedence. `source::decode` calls [`locate`] to reproduce this:
//! it lexes a same-length copy in which each invalid byte is replaced by `a`, with a mask that
//! makes the lexer read those bytes as the C tokenizer does (bytes >= 0x80, identifier
//! characters; a name holding one is a decode error), then classifies string literals holding
//! one.

use super::cmode::lex_partial_masked;
use super::{LexErrorKind, LexOptions};
use crate::error::{SyntaxError, SyntaxErrorKind};
use crate::source::{utf8_error_message, LineIndex};
use crate::tokens::{Token, TokenKind};

/// `body` is not valid UTF-8: returns the error `compile()` raises, or, when the invalid bytes
/// are all inside comments (which CPython never decodes), the text with them replaced by U+FFFD.
pub(crate) fn locate(body: &[u8]) -> Result<String, SyntaxError> {
    // Placeholder text with the same byte offsets.
    let mut bad = vec![false; body.len()];
    let mut placeholder = Vec::with_capacity(body.len());
    let mut rest = body;
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                placeholder.extend_from_slice(s.as_bytes());
                break;
            }
            Err(e) => {
                let ok = e.valid_up_to();
                placeholder.extend_from_slice(&rest[..ok]);
                let n = e.error_len().unwrap_or(rest.len() - ok);
                let at = placeholder.len();
                bad[at..at + n].iter_mut().for_each(|b| *b = true);
                placeholder.extend(std::iter::repeat_n(b'a', n));
                rest = &rest[ok + n..];
            }
        }
    }
    let text = String::from_utf8(placeholder).expect("placeholder text is UTF-8");
    let (tokens, lex_error) = lex_partial_masked(&text, LexOptions::default(), Some((&bad, body)));
    let index = LineIndex::new(&text);
    let line_text = |line: u32| {
        let start = index.line_start(line) as usize;
        let end = start + index.line_text(&text, line).len();
        String::from_utf8_lossy(&body[start..end])
            .trim_end_matches(['\n', '\r'])
            .to_string()
    };
    // Errors found on the placeholder text show the original line(s), decoded with replacement.
    // CPython re-reads the error line from the file, but its strict decoding fails when the line
    // holds a bad byte; it then shows the tokenizer's buffer, which starts at the first line of
    // a multi-line literal that ends on the error line.
    let restore_text = |mut e: SyntaxError| {
        if let Some(t) = &e.text {
            let mut first = e.lineno.saturating_sub(t.matches('\n').count() as u32);
            let ls = index.line_start(e.lineno);
            let le = index.line_start(e.lineno + 1) as usize;
            if bad[ls as usize..le.min(bad.len())].contains(&true) {
                if let Some(t) = tokens.iter().rev().find(|t| t.start < ls) {
                    if t.end > ls {
                        first = index.line_of(t.start);
                    }
                }
            }
            let start = index.line_start(first) as usize;
            let end = index.line_start(e.lineno) as usize + index.line_text(&text, e.lineno).len();
            let shown = String::from_utf8_lossy(&body[start.min(end)..end]);
            e.text = Some(shown.trim_end_matches(['\n', '\r']).to_string());
        }
        e
    };
    let has_bad = |t: &Token| bad[t.start as usize..t.end as usize].contains(&true);

    for (i, t) in tokens.iter().enumerate() {
        // Names with a bad byte are the lexer's error (E_DECODE); strings are decoded later.
        if !has_bad(t) || t.kind != TokenKind::String {
            continue;
        }
        // A string literal: decoded by the parser once it has seen the token after the run of
        // adjacent literals. A tokenizer error anywhere in the file takes precedence (CPython
        // tokenizes the rest of the file after a parser error), except an unclosed bracket
        // opened on the error's line or later, and a plain EOF.
        let after = tokens[i..].iter().find(|t| t.kind != TokenKind::String);
        if let Some(le) = &lex_error {
            let overrides = match le.kind {
                LexErrorKind::Tokenizer => true,
                LexErrorKind::UnclosedBracket { open_line } => {
                    after.is_some_and(|a| index.line_of(a.start) > open_line)
                }
                LexErrorKind::Eof => false,
            };
            if overrides || after.is_none() {
                return Err(restore_text(le.error.clone()));
            }
        }
        let after = after.expect("a NEWLINE or ENDMARKER follows every literal");
        return Err(string_error(body, &bad, t, after, &index, line_text));
    }
    // No name or string holds an invalid byte: they are in comments, or past a tokenizer error.
    match lex_error {
        Some(le) => Err(restore_text(le.error)),
        None => Ok(String::from_utf8_lossy(body).into_owned()),
    }
}

/// The error for an undecodable string literal `t`, reported at the token `after` it.
fn string_error(
    body: &[u8],
    bad: &[bool],
    t: &Token,
    after: &Token,
    index: &LineIndex,
    line_text: impl Fn(u32) -> String,
) -> SyntaxError {
    let s = &body[t.start as usize..t.end as usize];
    let prefix_len = s.iter().position(|&c| c == b'\'' || c == b'"').unwrap();
    let prefix = s[..prefix_len].to_ascii_lowercase();
    let (line, col) = index.line_col(t.start);
    let (eline, ecol) = index.line_col(t.end);
    if prefix.contains(&b'b') {
        // RAISE_SYNTAX_ERROR_KNOWN_NODE on the literal.
        return SyntaxError::new(
            SyntaxErrorKind::SyntaxError,
            "bytes can only contain ASCII literal characters",
            line,
            col + 1,
        )
        .with_end(eline, ecol + 1)
        .with_text(line_text(line));
    }
    let q = &s[prefix_len..];
    let quote_len = if q.len() >= 6 && q[0] == q[1] && q[1] == q[2] {
        3
    } else {
        1
    };
    let body_start = t.start as usize + prefix_len + quote_len;
    let body_end = (t.end as usize).saturating_sub(quote_len).max(body_start);
    let first_bad = (body_start..body_end)
        .find(|&i| bad[i])
        .unwrap_or(body_start);
    let lit = &body[body_start..body_end];
    // Without backslashes the whole body is decoded at once; with them, each run of non-ASCII
    // bytes is decoded separately; f-strings decode each literal piece between `{...}`.
    let mut seg_start = body_start;
    if prefix.contains(&b'f') {
        if let Some(p) = body[body_start..first_bad]
            .iter()
            .rposition(|&c| c == b'}' || c == b'{')
        {
            seg_start = body_start + p + 1;
        }
    }
    if !prefix.contains(&b'r') && lit.contains(&b'\\') {
        seg_start = (seg_start..first_bad)
            .rev()
            .take_while(|&i| body[i] >= 0x80)
            .last()
            .unwrap_or(first_bad);
    }
    let seg = &body[seg_start.min(body_end)..body_end];
    let msg = match std::str::from_utf8(seg) {
        Err(e) => format!("(unicode error) {}", utf8_error_message(seg, &e, 0)),
        Ok(_) => "(unicode error) 'utf-8' codec can't decode bytes".to_string(),
    };
    let (aline, acol) = index.line_col(after.start);
    let (_, aecol) = index.line_col(after.end);
    // CPython re-reads the line from the file, but its strict decoding fails on the bad line, and
    // then it shows the tokenizer's buffer, which starts at the literal's first line.
    let mut shown = line_text(aline);
    let (astart, aend) = (
        index.line_start(aline) as usize,
        index.line_start(aline + 1) as usize,
    );
    let line_is_bad = bad[astart..aend.min(bad.len())].contains(&true);
    if line_is_bad && eline == aline && line < aline {
        shown = (line..aline)
            .map(|l| line_text(l) + "\n")
            .collect::<String>()
            + &shown;
    }
    SyntaxError::new(SyntaxErrorKind::SyntaxError, msg, aline, acol + 1)
        .with_end(aline, aecol + 1)
        .with_text(shown)
}
