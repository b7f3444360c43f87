//! Tokenize mode: a port of `Lib/tokenize.py` (3.11) for `nanopy tokens`.
//!
//! tokenize.py is line-based and regex-driven, and differs from the C tokenizer in many corners
//! (ERRORTOKEN for stray characters and the blanks before them, NL vs NEWLINE, COMMENT tokens,
//! `0123` as two NUMBERs, where DEDENTs sit, no tab consistency check, what happens at EOF).
//! This file mirrors `_tokenize` statement by statement; the regular expressions of tokenize.py
//! are hand-written matchers with the same (first-alternative-wins) semantics, each named after
//! the pattern it implements.
//!
//! Lines are split at `\n` only (tokenize reads the file in binary mode), so a lone `\r` is an
//! ordinary character. Columns are character indices within the line, as tokenize's are.

use super::unicode::{is_id_start, is_space, is_word};
use crate::source::char_count;
use crate::tokens::TokenKind;

/// One token as tokenize.py yields it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PyToken {
    /// The exact kind; operators carry their exact kind (`tokenize` prints them as OP unless
    /// `-e` is given).
    pub kind: TokenKind,
    /// (line, character column) of the start and end.
    pub start: (u32, u32),
    pub end: (u32, u32),
    /// The token's string as a byte range of the decoded text (empty for ENCODING, whose string
    /// is the encoding name).
    pub text: (u32, u32),
}

/// Why tokenize.py stops, with what `python -m tokenize` prints for it on stderr.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenizeError {
    /// `TokenError` or `IndentationError` with a location: `file:line:col: error: msg`.
    At { msg: String, line: u32, col: u32 },
    /// A `SyntaxError` from `detect_encoding`: `file: error: msg`.
    Encoding(String),
    /// A decoding failure, which tokenize reports as `unexpected error: msg` (followed by a
    /// traceback nanopy does not reproduce).
    Unexpected(String),
}

impl TokenizeError {
    /// The first line `python -m tokenize FILE` writes to stderr for this error.
    pub fn render(&self, filename: &str) -> String {
        match self {
            TokenizeError::At { msg, line, col } => {
                format!("{filename}:{line}:{col}: error: {msg}")
            }
            TokenizeError::Encoding(msg) => format!("{filename}: error: {msg}"),
            TokenizeError::Unexpected(msg) => format!("unexpected error: {msg}"),
        }
    }
}

/// `tabsize` of tokenize.py.
const TABSIZE: u32 = 8;

/// Tokenizes decoded `text` as `tokenize._tokenize` does, after an ENCODING token (not included:
/// the caller knows the encoding). `stop_line`: a 0-based line index at which decoding failed;
/// tokenize.py only meets the failure when it reads that line, so earlier errors win.
pub fn tokenize(
    text: &str,
    stop_line: Option<usize>,
) -> Result<Vec<PyToken>, Option<TokenizeError>> {
    let mut t = Tokenizer {
        src: text,
        tokens: Vec::with_capacity(text.len() / 4 + 8),
    };
    t.run(stop_line)?;
    Ok(t.tokens)
}

/// `tokenize.generate_tokens` over already-decoded text, as `python -m tokenize` runs it on
/// stdin: no ENCODING token, and the tokens produced before an error are kept (tokenize prints
/// them as they come).
pub fn generate_tokens(text: &str) -> (Vec<PyToken>, Option<TokenizeError>) {
    let mut t = Tokenizer {
        src: text,
        tokens: Vec::with_capacity(text.len() / 4 + 8),
    };
    let err = t.run(None).err().flatten();
    (t.tokens, err)
}

struct Tokenizer<'s> {
    src: &'s str,
    tokens: Vec<PyToken>,
}

/// One physical line: its byte offset in the source and its text (with its `\n`).
#[derive(Clone, Copy)]
struct Line<'s> {
    offset: usize,
    text: &'s str,
    ascii: bool,
}

impl<'s> Line<'s> {
    /// Character column of byte `pos`.
    fn col(&self, pos: usize) -> u32 {
        if self.ascii {
            pos as u32
        } else {
            char_count(&self.text[..pos])
        }
    }
}

/// Which string an unfinished multi-line string token is (`endprog`).
#[derive(Clone, Copy)]
enum EndProg {
    /// `Single` / `Double`: the rest of a one-quote string continued with a backslash.
    Single(u8),
    /// `Single3` / `Double3`.
    Triple(u8),
}

impl<'s> Tokenizer<'s> {
    fn push(&mut self, kind: TokenKind, start: (u32, u32), end: (u32, u32), text: (usize, usize)) {
        self.tokens.push(PyToken {
            kind,
            start,
            end,
            text: (text.0 as u32, text.1 as u32),
        });
    }

    fn run(&mut self, stop_line: Option<usize>) -> Result<(), Option<TokenizeError>> {
        let src = self.src;
        let mut lnum: u32 = 0;
        let mut parenlev: i32 = 0;
        let mut continued = false;
        let mut indents: Vec<u32> = vec![0];
        // Unfinished string: its start (line, col), start byte, end pattern, needcont.
        let mut contstr: Option<((u32, u32), usize, EndProg, bool)> = None;

        let mut last_line: Option<Line>;
        let mut line: Option<Line> = None;
        let mut next_offset = 0usize;
        let mut line_index = 0usize;
        loop {
            last_line = line;
            // readline()
            line = if stop_line == Some(line_index) {
                return Err(None);
            } else if next_offset < src.len() {
                let end = src[next_offset..]
                    .find('\n')
                    .map_or(src.len(), |i| next_offset + i + 1);
                let text = &src[next_offset..end];
                let l = Line {
                    offset: next_offset,
                    text,
                    ascii: text.is_ascii(),
                };
                next_offset = end;
                line_index += 1;
                Some(l)
            } else {
                None
            };
            lnum += 1;
            let mut pos = 0usize;
            let max = line.map_or(0, |l| l.text.len());

            if let Some((strstart, str_byte, endprog, needcont)) = contstr {
                let Some(l) = line else {
                    return Err(Some(TokenizeError::At {
                        msg: "EOF in multi-line string".into(),
                        line: strstart.0,
                        col: strstart.1,
                    }));
                };
                let b = l.text.as_bytes();
                if let Some(end) = match_endprog(b, 0, endprog) {
                    pos = end;
                    self.push(
                        TokenKind::String,
                        strstart,
                        (lnum, l.col(end)),
                        (str_byte, l.offset + end),
                    );
                    contstr = None;
                } else if needcont && !l.text.ends_with("\\\n") && !l.text.ends_with("\\\r\n") {
                    let end = (lnum, l.col(l.text.len()));
                    self.push(
                        TokenKind::ErrorToken,
                        strstart,
                        end,
                        (str_byte, l.offset + l.text.len()),
                    );
                    contstr = None;
                    continue;
                } else {
                    continue;
                }
            } else if parenlev == 0 && !continued {
                // New statement.
                let Some(l) = line else { break };
                let b = l.text.as_bytes();
                let mut column = 0u32;
                while pos < max {
                    match b[pos] {
                        b' ' => column += 1,
                        b'\t' => column = (column / TABSIZE + 1) * TABSIZE,
                        b'\x0c' => column = 0,
                        _ => break,
                    }
                    pos += 1;
                }
                if pos == max {
                    break;
                }
                if matches!(b[pos], b'#' | b'\r' | b'\n') {
                    // Comments or blank lines.
                    if b[pos] == b'#' {
                        let comment_end = l.text.trim_end_matches(['\r', '\n']).len();
                        self.push(
                            TokenKind::Comment,
                            (lnum, l.col(pos)),
                            (lnum, l.col(comment_end)),
                            (l.offset + pos, l.offset + comment_end),
                        );
                        pos = comment_end;
                    }
                    self.push(
                        TokenKind::Nl,
                        (lnum, l.col(pos)),
                        (lnum, l.col(max)),
                        (l.offset + pos, l.offset + max),
                    );
                    continue;
                }
                let col_pos = l.col(pos);
                if column > *indents.last().unwrap() {
                    indents.push(column);
                    self.push(
                        TokenKind::Indent,
                        (lnum, 0),
                        (lnum, col_pos),
                        (l.offset, l.offset + pos),
                    );
                }
                while column < *indents.last().unwrap() {
                    if !indents.contains(&column) {
                        return Err(Some(TokenizeError::At {
                            msg: "unindent does not match any outer indentation level".into(),
                            line: lnum,
                            col: col_pos,
                        }));
                    }
                    indents.pop();
                    self.push(
                        TokenKind::Dedent,
                        (lnum, col_pos),
                        (lnum, col_pos),
                        (l.offset + pos, l.offset + pos),
                    );
                }
            } else {
                // Continued statement.
                if line.is_none() {
                    return Err(Some(TokenizeError::At {
                        msg: "EOF in multi-line statement".into(),
                        line: lnum,
                        col: 0,
                    }));
                }
                continued = false;
            }

            let Some(l) = line else { break };
            let b = l.text.as_bytes();
            while pos < max {
                let Some((start, end)) = pseudo_token(l.text, pos) else {
                    // No pattern matches here: one ERRORTOKEN character.
                    let w = utf8_width(b[pos]);
                    self.push(
                        TokenKind::ErrorToken,
                        (lnum, l.col(pos)),
                        (lnum, l.col(pos) + 1),
                        (l.offset + pos, l.offset + pos + w),
                    );
                    pos += w;
                    continue;
                };
                pos = end;
                if start == end {
                    continue;
                }
                let spos = (lnum, l.col(start));
                let epos = (lnum, l.col(end));
                let range = (l.offset + start, l.offset + end);
                let token = &b[start..end];
                let initial = token[0];
                if initial.is_ascii_digit() || (initial == b'.' && token != b"." && token != b"...")
                {
                    self.push(TokenKind::Number, spos, epos, range);
                } else if initial == b'\r' || initial == b'\n' {
                    let kind = if parenlev > 0 {
                        TokenKind::Nl
                    } else {
                        TokenKind::Newline
                    };
                    self.push(kind, spos, epos, range);
                } else if initial == b'#' {
                    self.push(TokenKind::Comment, spos, epos, range);
                } else if let Some(q) = triple_quoted(token) {
                    let endprog = EndProg::Triple(q);
                    if let Some(e) = match_endprog(b, pos, endprog) {
                        pos = e;
                        self.push(
                            TokenKind::String,
                            spos,
                            (lnum, l.col(e)),
                            (l.offset + start, l.offset + e),
                        );
                    } else {
                        contstr = Some((spos, l.offset + start, endprog, false));
                        break;
                    }
                } else if let Some(q) = single_quoted(token) {
                    if *token.last().unwrap() == b'\n' {
                        contstr = Some((spos, l.offset + start, EndProg::Single(q), true));
                        break;
                    }
                    self.push(TokenKind::String, spos, epos, range);
                } else if first_char(&l.text[start..]).is_some_and(is_id_start) {
                    self.push(TokenKind::Name, spos, epos, range);
                } else if initial == b'\\' {
                    continued = true;
                } else {
                    match initial {
                        b'(' | b'[' | b'{' => parenlev += 1,
                        b')' | b']' | b'}' => parenlev -= 1,
                        _ => {}
                    }
                    // A `\w+` token whose first character cannot start an identifier (`²`)
                    // also lands here: tokenize.py calls it OP; so do we (exact kind OP).
                    let kind = exact_op(token).unwrap_or(TokenKind::Op);
                    self.push(kind, spos, epos, range);
                }
            }
        }

        // An implicit NEWLINE if the input doesn't end in one.
        if let Some(ll) = last_line {
            let last = ll.text.as_bytes()[ll.text.len() - 1];
            let stripped = ll.text.trim_matches(is_space);
            if last != b'\r' && last != b'\n' && !stripped.starts_with('#') {
                let n = ll.col(ll.text.len());
                let at = ll.offset + ll.text.len();
                self.push(
                    TokenKind::Newline,
                    (lnum - 1, n),
                    (lnum - 1, n + 1),
                    (at, at),
                );
            }
        }
        let end = src.len();
        for _ in 1..indents.len() {
            self.push(TokenKind::Dedent, (lnum, 0), (lnum, 0), (end, end));
        }
        self.push(TokenKind::EndMarker, (lnum, 0), (lnum, 0), (end, end));
        Ok(())
    }
}

fn first_char(s: &str) -> Option<char> {
    s.chars().next()
}

fn utf8_width(lead: u8) -> usize {
    match lead {
        0..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        _ => 4,
    }
}

/// The quote character if `token` is a valid string prefix followed by `'''` or `"""`
/// (`triple_quoted`).
fn triple_quoted(token: &[u8]) -> Option<u8> {
    if token.len() < 3 {
        return None;
    }
    let (prefix, quotes) = token.split_at(token.len() - 3);
    let q = quotes[0];
    ((q == b'\'' || q == b'"') && quotes == [q, q, q] && is_string_prefix(prefix)).then_some(q)
}

/// The quote character if the token starts with a valid prefix and a quote (`single_quoted`
/// tested on the first 1, 2 and 3 characters).
fn single_quoted(token: &[u8]) -> Option<u8> {
    for n in 1..=3.min(token.len()) {
        let q = token[n - 1];
        if (q == b'\'' || q == b'"') && is_string_prefix(&token[..n - 1]) {
            return Some(q);
        }
    }
    None
}

/// One of tokenize's `_all_string_prefixes()`: '', b, r, u, f, br, rb, fr, rf in any case.
fn is_string_prefix(p: &[u8]) -> bool {
    let lower = |c: u8| c.to_ascii_lowercase();
    match p {
        [] => true,
        [a] => matches!(lower(*a), b'b' | b'r' | b'u' | b'f'),
        [a, b] => matches!(
            (lower(*a), lower(*b)),
            (b'b', b'r') | (b'r', b'b') | (b'f', b'r') | (b'r', b'f')
        ),
        _ => false,
    }
}

/// Length of a valid string prefix at `p` that is directly followed by a quote, if any.
fn prefix_then_quote(b: &[u8], p: usize) -> Option<usize> {
    for n in 0..=2 {
        match b.get(p + n) {
            Some(b'\'' | b'"') => return is_string_prefix(&b[p..p + n]).then_some(n),
            Some(c) if c.is_ascii_alphabetic() => continue,
            _ => return None,
        }
    }
    None
}

/// `Whitespace + group(PseudoExtras, Number, Funny, ContStr, Name)` matched at `pos`; returns
/// the span of the group.
fn pseudo_token(line: &str, pos: usize) -> Option<(usize, usize)> {
    let b = line.as_bytes();
    let mut p = pos;
    while p < b.len() && matches!(b[p], b' ' | b'\t' | b'\x0c') {
        p += 1;
    }
    let at = |i: usize| b.get(i).copied();
    // PseudoExtras: \\\r?\n | \Z | Comment | Triple
    if at(p) == Some(b'\\') {
        if at(p + 1) == Some(b'\n') {
            return Some((p, p + 2));
        }
        if at(p + 1) == Some(b'\r') && at(p + 2) == Some(b'\n') {
            return Some((p, p + 3));
        }
    }
    if p == b.len() {
        return Some((p, p));
    }
    if b[p] == b'#' {
        let end = b[p..]
            .iter()
            .position(|&c| c == b'\r' || c == b'\n')
            .map_or(b.len(), |i| p + i);
        return Some((p, end));
    }
    if let Some(n) = prefix_then_quote(b, p) {
        let q = b[p + n];
        if at(p + n + 1) == Some(q) && at(p + n + 2) == Some(q) {
            return Some((p, p + n + 3));
        }
    }
    if let Some(end) = number(b, p) {
        return Some((p, end));
    }
    // Funny: \r?\n | Special
    if b[p] == b'\n' {
        return Some((p, p + 1));
    }
    if b[p] == b'\r' && at(p + 1) == Some(b'\n') {
        return Some((p, p + 2));
    }
    if let Some(n) = special(b, p) {
        return Some((p, p + n));
    }
    // ContStr
    if let Some(n) = prefix_then_quote(b, p) {
        if let Some(end) = cont_str(b, p + n + 1, b[p + n]) {
            return Some((p, end));
        }
    }
    // Name: \w+
    let n: usize = line[p..]
        .chars()
        .take_while(|&c| is_word(c))
        .map(char::len_utf8)
        .sum();
    (n > 0).then_some((p, p + n))
}

/// The exact kind of an operator of `token.EXACT_TOKEN_TYPES` (the C tokenizer's tables, minus
/// its `<>`).
fn exact_op(t: &[u8]) -> Option<TokenKind> {
    match *t {
        [c] => Some(super::cmode::one_char(c)).filter(|&k| k != TokenKind::Op),
        [b'<', b'>'] => None,
        [c1, c2] => super::cmode::two_chars(c1, c2),
        [c1, c2, c3] => super::cmode::three_chars(c1, c2, c3),
        _ => None,
    }
}

/// `Special`: the longest operator of `token.EXACT_TOKEN_TYPES` at `p`.
fn special(b: &[u8], p: usize) -> Option<usize> {
    [3, 2, 1]
        .into_iter()
        .find(|&n| b.get(p..p + n).and_then(exact_op).is_some())
}

/// The rest of `ContStr` after the opening quote `q` at `i - 1`:
/// `[^\n'\\]*(?:\\.[^\n'\\]*)*('|\\\r?\n)`.
fn cont_str(b: &[u8], mut i: usize, q: u8) -> Option<usize> {
    loop {
        let c = *b.get(i)?;
        if c == q {
            return Some(i + 1);
        }
        match c {
            b'\n' => return None,
            b'\\' => match b.get(i + 1) {
                Some(b'\n') => return Some(i + 2),
                Some(b'\r') if b.get(i + 2) == Some(&b'\n') => return Some(i + 3),
                Some(_) => i += 2,
                None => return None,
            },
            _ => i += 1,
        }
    }
}

/// `endprog.match(line, pos)`: where the string ends on this line, if it does.
fn match_endprog(b: &[u8], mut i: usize, prog: EndProg) -> Option<usize> {
    match prog {
        // [^'\\]*(?:\\.[^'\\]*)*'
        EndProg::Single(q) => loop {
            let c = *b.get(i)?;
            if c == q {
                return Some(i + 1);
            }
            if c == b'\\' {
                match b.get(i + 1) {
                    Some(b'\n') | None => return None,
                    Some(_) => i += 2,
                }
            } else {
                i += 1;
            }
        },
        // [^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*'''
        EndProg::Triple(q) => loop {
            let c = *b.get(i)?;
            if c == q && b.get(i + 1) == Some(&q) && b.get(i + 2) == Some(&q) {
                return Some(i + 3);
            }
            if c == b'\\' {
                match b.get(i + 1) {
                    Some(b'\n') | None => return None,
                    Some(_) => i += 2,
                }
            } else {
                i += 1;
            }
        },
    }
}

// ---- Number = group(Imagnumber, Floatnumber, Intnumber) -------------------------------------

/// `[0-9](?:_?[0-9])*`
fn digitpart(b: &[u8], p: usize) -> Option<usize> {
    if !b.get(p)?.is_ascii_digit() {
        return None;
    }
    let mut i = p + 1;
    loop {
        match b.get(i) {
            Some(c) if c.is_ascii_digit() => i += 1,
            Some(b'_') if b.get(i + 1).is_some_and(u8::is_ascii_digit) => i += 2,
            _ => return Some(i),
        }
    }
}

/// `[eE][-+]?[0-9](?:_?[0-9])*`
fn exponent(b: &[u8], p: usize) -> Option<usize> {
    if !matches!(b.get(p), Some(b'e' | b'E')) {
        return None;
    }
    let mut i = p + 1;
    if matches!(b.get(i), Some(b'+' | b'-')) {
        i += 1;
    }
    digitpart(b, i)
}

/// `Pointfloat = group(digitpart\.(?:digitpart)?, \.digitpart) + maybe(Exponent)`
fn pointfloat(b: &[u8], p: usize) -> Option<usize> {
    let mantissa = if let Some(i) = digitpart(b, p) {
        if b.get(i) != Some(&b'.') {
            return None;
        }
        digitpart(b, i + 1).unwrap_or(i + 1)
    } else if b.get(p) == Some(&b'.') {
        digitpart(b, p + 1)?
    } else {
        return None;
    };
    Some(exponent(b, mantissa).unwrap_or(mantissa))
}

/// `Floatnumber = group(Pointfloat, Expfloat)`
fn floatnumber(b: &[u8], p: usize) -> Option<usize> {
    pointfloat(b, p).or_else(|| exponent(b, digitpart(b, p)?))
}

fn is_j(c: Option<&u8>) -> bool {
    matches!(c, Some(b'j' | b'J'))
}

/// `Number`
fn number(b: &[u8], p: usize) -> Option<usize> {
    // Imagnumber = group(digitpart[jJ], Floatnumber[jJ])
    if let Some(i) = digitpart(b, p) {
        if is_j(b.get(i)) {
            return Some(i + 1);
        }
    }
    if let Some(i) = floatnumber(b, p) {
        if is_j(b.get(i)) {
            return Some(i + 1);
        }
        return Some(i);
    }
    // Intnumber = group(Hexnumber, Binnumber, Octnumber, Decnumber)
    if b.get(p) == Some(&b'0') {
        let radix: Option<fn(&u8) -> bool> = match b.get(p + 1) {
            Some(b'x' | b'X') => Some(u8::is_ascii_hexdigit),
            Some(b'b' | b'B') => Some(|c| matches!(c, b'0' | b'1')),
            Some(b'o' | b'O') => Some(|c| matches!(c, b'0'..=b'7')),
            _ => None,
        };
        if let Some(ok) = radix {
            // 0[xX](?:_?[0-9a-fA-F])+
            let mut i = p + 2;
            loop {
                match b.get(i) {
                    Some(c) if ok(c) => i += 1,
                    Some(b'_') if b.get(i + 1).is_some_and(ok) => i += 2,
                    _ => break,
                }
            }
            if i > p + 2 {
                return Some(i);
            }
        }
        // 0(?:_?0)*
        let mut i = p + 1;
        loop {
            match b.get(i) {
                Some(b'0') => i += 1,
                Some(b'_') if b.get(i + 1) == Some(&b'0') => i += 2,
                _ => return Some(i),
            }
        }
    }
    // [1-9](?:_?[0-9])*
    digitpart(b, p)
}

/// The result of tokenizing a file as `python -m tokenize` does.
#[derive(Clone, Debug)]
pub struct Tokenized {
    /// The ENCODING token's string (`utf-8`, `iso-8859-1`, `cp1252`, ...).
    pub encoding: String,
    /// The decoded text the token ranges point into (BOM removed).
    pub text: String,
    /// The tokens after ENCODING.
    pub tokens: Vec<PyToken>,
}

/// `tokenize.tokenize(open(filename, 'rb').readline)`, collected: `detect_encoding` (with its
/// messages, which differ from `compile()`'s), line decoding, then `_tokenize`.
pub fn tokenize_file(bytes: &[u8], filename: &str) -> Result<Tokenized, TokenizeError> {
    use crate::source::{
        coding_spec, decode_with, is_blank_or_comment, lookup_codec, normal_name, Codec,
    };
    let fname = crate::tokenize_dump::py_repr(filename);
    let (bom, body) = match bytes.strip_prefix(b"\xef\xbb\xbf") {
        Some(rest) => (true, rest),
        None => (false, bytes),
    };
    let find_cookie = |line: &[u8]| -> Result<Option<(String, Codec)>, TokenizeError> {
        if std::str::from_utf8(line).is_err() {
            return Err(TokenizeError::Encoding(format!(
                "invalid or missing encoding declaration for {fname}"
            )));
        }
        let Some(spec) = coding_spec(line) else {
            return Ok(None);
        };
        let enc = normal_name(spec);
        let Some(codec) = lookup_codec(&enc) else {
            return Err(TokenizeError::Encoding(format!(
                "unknown encoding for {fname}: {enc}"
            )));
        };
        if bom {
            if enc != "utf-8" {
                return Err(TokenizeError::Encoding(format!(
                    "encoding problem for {fname}: utf-8"
                )));
            }
            return Ok(Some(("utf-8".into(), codec)));
        }
        Ok(Some((enc, codec)))
    };
    let line_end = |s: &[u8]| {
        s.iter()
            .position(|&b| b == b'\n')
            .map_or(s.len(), |i| i + 1)
    };
    let n1 = line_end(body);
    let first = &body[..n1];
    let mut found = None;
    if !first.is_empty() {
        found = find_cookie(first)?;
        if found.is_none() && is_blank_or_comment(first) {
            let second = &body[n1..n1 + line_end(&body[n1..])];
            if !second.is_empty() {
                found = find_cookie(second)?;
            }
        }
    }
    let (encoding, codec) = found.unwrap_or(("utf-8".into(), Codec::Utf8));
    let (text, stop) = match decode_with(codec, body) {
        Ok(text) => (text, None),
        Err((line, msg)) => {
            // Decode the lines before the bad one; tokenize meets the error only on reading it.
            let mut off = 0;
            for _ in 0..line {
                off += line_end(&body[off..]);
            }
            let prefix = decode_with(codec, &body[..off]).unwrap_or_default();
            (prefix, Some((line, msg)))
        }
    };
    match tokenize(&text, stop.as_ref().map(|s| s.0)) {
        Ok(tokens) => Ok(Tokenized {
            encoding,
            text,
            tokens,
        }),
        Err(Some(e)) => Err(e),
        Err(None) => Err(TokenizeError::Unexpected(
            stop.map(|s| s.1).unwrap_or_default(),
        )),
    }
}
