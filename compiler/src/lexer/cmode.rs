//! Parser mode: a transcription of CPython 3.11's C tokenizer (`Parser/tokenizer.c`, `tok_get`).
//!
//! The structure follows `tok_get` on purpose (same order of checks, same `nextc`/`backup`
//! discipline), so that every corner — where `1if` splits, which error wins, where the caret
//! goes — can be checked against the C source line by line. Scanning is byte-level; a token
//! costs no allocation. Errors are rare, so their lines and columns are computed only then.

use super::unicode::{first_invalid_ident_char, is_printable};
use super::{is_ident_char, is_ident_start, LexError, LexErrorKind, LexOptions};
use crate::error::{SyntaxError, SyntaxErrorKind};
use crate::source::{char_count_bytes, utf8_error_message, LineIndex};
use crate::tokens::{Token, TokenKind};

const TABSIZE: u32 = 8;
/// `MAXINDENT` of tokenizer.h: at most 100 indentation levels.
const MAXINDENT: usize = 100;
/// `MAXLEVEL` of tokenizer.h: at most 200 nested brackets.
const MAXLEVEL: usize = 200;
/// End of input. NUL bytes never reach the lexer (rejected up front), so 0 is free.
const EOF: u8 = 0;

/// Lexes `source` in parser mode; fails with the first tokenizer error.
pub fn lex(source: &str, opts: LexOptions) -> Result<Vec<Token>, SyntaxError> {
    match lex_partial(source, opts) {
        (tokens, None) => Ok(tokens),
        (_, Some(e)) => Err(e.error),
    }
}

/// Lexes `source` in parser mode; returns the tokens up to the first error, and the error.
pub fn lex_partial(source: &str, opts: LexOptions) -> (Vec<Token>, Option<LexError>) {
    lex_partial_masked(source, opts, None)
}

/// Invalid UTF-8 input (see `invalid_utf8.rs`): `source` is a same-length copy of `original`
/// in which the bytes flagged in `bad` were replaced. The lexer reads a flagged byte as 0x80
/// (an identifier character, as the C tokenizer sees any non-ASCII byte) and reports a name
/// containing one with the decode error `verify_identifier` raises.
pub(crate) fn lex_partial_masked(
    source: &str,
    opts: LexOptions,
    mask: Option<(&[bool], &[u8])>,
) -> (Vec<Token>, Option<LexError>) {
    if source.len() >= u32::MAX as usize {
        let e = SyntaxError::new(SyntaxErrorKind::SyntaxError, "source too large", 1, 0);
        return (
            Vec::new(),
            Some(LexError {
                error: e,
                kind: LexErrorKind::Tokenizer,
            }),
        );
    }
    if memchr::memchr(0, source.as_bytes()).is_some() {
        let e = SyntaxError::new(
            SyntaxErrorKind::SyntaxError,
            "source code string cannot contain null bytes",
            0,
            0,
        );
        return (
            Vec::new(),
            Some(LexError {
                error: e,
                kind: LexErrorKind::Tokenizer,
            }),
        );
    }
    let mut lx = Lexer::new(source, opts);
    lx.mask = mask;
    let err = loop {
        match lx.tok_get() {
            Ok(TokenKind::EndMarker) => break None,
            Ok(_) => {}
            Err(e) => break Some(e),
        }
    };
    (lx.tokens, err)
}

struct Lexer<'s> {
    src: &'s str,
    b: &'s [u8],
    /// `b.len()`, plus one when a virtual `\n` follows the text (CPython appends a newline to
    /// exec input that lacks one).
    end: usize,
    pos: usize,
    atbol: bool,
    /// Pending INDENT (> 0) or DEDENT (< 0) tokens.
    pendin: i32,
    /// Indentation columns with tabs to multiples of 8, and with tabs as 1 column (`altcol`): a
    /// line whose order differs between the two is a TabError.
    indstack: Vec<u32>,
    altstack: Vec<u32>,
    /// Open brackets: the character and its byte offset.
    parens: Vec<(u8, u32)>,
    tokens: Vec<Token>,
    opts: LexOptions,
    /// Invalid-UTF-8 mode: which bytes are undecodable, and the original bytes.
    mask: Option<(&'s [bool], &'s [u8])>,
    /// The text contains a `\r` (old Mac or Windows line ends): string scanning must stop there.
    has_cr: bool,
}

impl<'s> Lexer<'s> {
    fn new(src: &'s str, opts: LexOptions) -> Self {
        let b = src.as_bytes();
        // CPython's translate_newlines appends `\n` when the text does not end in a newline,
        // and (a quirk kept for fidelity) also when it ends in `\r\n`.
        let virtual_nl = !matches!(b.last(), Some(b'\n' | b'\r')) || b.ends_with(b"\r\n");
        Lexer {
            src,
            b,
            end: b.len() + virtual_nl as usize,
            pos: 0,
            atbol: true,
            pendin: 0,
            indstack: vec![0],
            altstack: vec![0],
            parens: Vec::new(),
            tokens: Vec::with_capacity(b.len() / 5 + 16),
            opts,
            mask: None,
            has_cr: memchr::memchr(b'\r', b).is_some(),
        }
    }

    #[inline]
    fn at(&self, i: usize) -> u8 {
        if i < self.b.len() {
            if let Some((bad, _)) = self.mask {
                if bad[i] {
                    return 0x80;
                }
            }
            self.b[i]
        } else if i < self.end {
            b'\n'
        } else {
            EOF
        }
    }

    /// `tok_nextc`: the next character, with `\r\n` and `\r` read as `\n`.
    #[inline]
    fn nextc(&mut self) -> u8 {
        if self.pos >= self.end {
            return EOF;
        }
        let c = self.at(self.pos);
        self.pos += 1;
        if c == b'\r' {
            if self.pos < self.b.len() && self.b[self.pos] == b'\n' {
                self.pos += 1;
            }
            return b'\n';
        }
        c
    }

    /// `tok_backup`: un-reads `c` (a no-op for EOF).
    #[inline]
    fn backup(&mut self, c: u8) {
        if c == EOF {
            return;
        }
        self.pos -= 1;
        if c == b'\n'
            && self.pos < self.b.len()
            && self.b[self.pos] == b'\n'
            && self.pos > 0
            && self.b[self.pos - 1] == b'\r'
        {
            self.pos -= 1;
        }
    }

    #[inline]
    fn push(&mut self, kind: TokenKind, start: usize, end: usize) -> TokenKind {
        let len = self.b.len();
        self.tokens.push(Token {
            kind,
            start: start.min(len) as u32,
            end: end.min(len) as u32,
        });
        kind
    }

    // ---- errors -------------------------------------------------------------------------

    fn index(&self) -> LineIndex {
        LineIndex::new(self.src)
    }

    /// The 1-based line that byte `pos` is on.
    fn line_of(&self, ix: &LineIndex, pos: usize) -> u32 {
        ix.line_of(pos.min(self.b.len()) as u32)
    }

    /// The text of `line` without its line end, as CPython shows it in a SyntaxError.
    fn line_text(&self, ix: &LineIndex, line: u32) -> String {
        let t = ix.line_text(self.src, line);
        t.trim_end_matches(['\n', '\r']).to_string()
    }

    /// `syntaxerror()` with `tok->cur` at `cur`: offset and end offset are the characters from
    /// the line start to `cur`; the line is the one `last` (the furthest character read) is on.
    fn error_at(&self, kind: SyntaxErrorKind, msg: String, cur: usize, last: usize) -> LexError {
        let ix = self.index();
        let line = self.line_of(&ix, last);
        let ls = ix.line_start(line) as usize;
        let cur = cur.clamp(ls, self.b.len());
        let col = char_count_bytes(&self.b[ls..cur]);
        let e = SyntaxError::new(kind, msg, line, col)
            .with_end(line, col)
            .with_text(self.line_text(&ix, line));
        LexError {
            error: e,
            kind: LexErrorKind::Tokenizer,
        }
    }

    /// `syntaxerror(tok, ...)` right after `tok_backup`: the caret sits on the last character
    /// consumed, which is on the line of `pos - 1`.
    fn syntax_error(&self, msg: impl Into<String>) -> LexError {
        let last = self.pos.saturating_sub(1);
        self.error_at(SyntaxErrorKind::SyntaxError, msg.into(), self.pos, last)
    }

    // ---- the tokenizer ------------------------------------------------------------------

    /// Indentation at the beginning of a line; may queue INDENT/DEDENT tokens.
    /// Returns whether the line is blank (only whitespace and/or a comment).
    fn indentation(&mut self) -> Result<bool, LexError> {
        let (mut col, mut altcol) = (0u32, 0u32);
        // Blanks are plain bytes (never `\r`, never masked), so read them straight from the
        // text; `nextc` then reads the first other character.
        let b = self.b;
        let mut p = self.pos;
        while p < b.len() && b[p] == b' ' {
            p += 1;
        }
        col += (p - self.pos) as u32;
        altcol += (p - self.pos) as u32;
        self.pos = p;
        let c = loop {
            match self.nextc() {
                b' ' => {
                    col += 1;
                    altcol += 1;
                }
                b'\t' => {
                    col = (col / TABSIZE + 1) * TABSIZE;
                    altcol += 1;
                }
                b'\x0c' => {
                    col = 0;
                    altcol = 0;
                }
                c => break c,
            }
        };
        self.backup(c);
        // Lines with only whitespace and/or comments don't affect indentation and produce no
        // NEWLINE token.
        let blankline = c == b'#' || c == b'\n';
        if blankline || !self.parens.is_empty() {
            return Ok(blankline);
        }
        let top = *self.indstack.last().unwrap();
        let alttop = *self.altstack.last().unwrap();
        if col == top {
            if altcol != alttop {
                return Err(self.tab_error());
            }
        } else if col > top {
            if self.indstack.len() >= MAXINDENT {
                return Err(self.indentation_error(
                    SyntaxErrorKind::IndentationError,
                    "too many levels of indentation",
                ));
            }
            if altcol <= alttop {
                return Err(self.tab_error());
            }
            self.pendin += 1;
            self.indstack.push(col);
            self.altstack.push(altcol);
        } else {
            while self.indstack.len() > 1 && col < *self.indstack.last().unwrap() {
                self.pendin -= 1;
                self.indstack.pop();
                self.altstack.pop();
            }
            if col != *self.indstack.last().unwrap() {
                return Err(self.indentation_error(
                    SyntaxErrorKind::IndentationError,
                    "unindent does not match any outer indentation level",
                ));
            }
            if altcol != *self.altstack.last().unwrap() {
                return Err(self.tab_error());
            }
        }
        Ok(false)
    }

    fn tab_error(&self) -> LexError {
        self.indentation_error(
            SyntaxErrorKind::TabError,
            "inconsistent use of tabs and spaces in indentation",
        )
    }

    /// One call of `tok_get`: pushes the next token and returns its kind.
    fn tok_get(&mut self) -> Result<TokenKind, LexError> {
        let mut blankline;
        'nextline: loop {
            blankline = false;
            if self.atbol {
                self.atbol = false;
                blankline = self.indentation()?;
            }
            if self.pendin != 0 {
                let p = self.pos;
                if self.pendin < 0 {
                    self.pendin += 1;
                    return Ok(self.push(TokenKind::Dedent, p, p));
                }
                self.pendin -= 1;
                return Ok(self.push(TokenKind::Indent, p, p));
            }
            // `again:` — after a line continuation.
            loop {
                // Skip blanks straight from the bytes (they are never `\r` or masked).
                let b = self.b;
                let mut p = self.pos;
                while p < b.len() && matches!(b[p], b' ' | b'\t' | b'\x0c') {
                    p += 1;
                }
                self.pos = p;
                let mut c = self.nextc();
                let start = self.pos - (c != EOF) as usize;
                let start = if c == b'\n'
                    && self.pos >= 2
                    && self.at(self.pos - 1) == b'\n'
                    && self.at(self.pos - 2) == b'\r'
                {
                    self.pos - 2
                } else {
                    start
                };

                if c == b'#' {
                    // Fast path to the line end (a comment's bytes need no classification).
                    let rest = &self.b[self.pos..];
                    self.pos += memchr::memchr2(b'\n', b'\r', rest).unwrap_or(rest.len());
                    while c != EOF && c != b'\n' {
                        c = self.nextc();
                    }
                    if self.opts.type_comments {
                        if let Some(kind) = self.type_comment(start, c, blankline) {
                            return Ok(kind);
                        }
                    }
                }

                if c == EOF {
                    if !self.parens.is_empty() {
                        return Err(self.unclosed_bracket_error());
                    }
                    let p = self.b.len();
                    return Ok(self.push(TokenKind::EndMarker, p, p));
                }

                if is_ident_start(c) {
                    return self.identifier_or_string(start, c);
                }

                if c == b'\n' {
                    self.atbol = true;
                    if blankline || !self.parens.is_empty() {
                        continue 'nextline;
                    }
                    return Ok(self.push(TokenKind::Newline, start, start));
                }

                if c == b'.' {
                    let c = self.nextc();
                    if c.is_ascii_digit() {
                        return self.number_fraction(start, c);
                    } else if c == b'.' {
                        let c2 = self.nextc();
                        if c2 == b'.' {
                            return Ok(self.push(TokenKind::Ellipsis, start, self.pos));
                        }
                        self.backup(c2);
                        self.backup(b'.');
                    } else {
                        self.backup(c);
                    }
                    return Ok(self.push(TokenKind::Dot, start, self.pos));
                }

                if c.is_ascii_digit() {
                    return self.number(start, c);
                }

                if c == b'\'' || c == b'"' {
                    return self.string(start, c);
                }

                if c == b'\\' {
                    let c = self.nextc();
                    if c != b'\n' {
                        return Err(self.line_continuation_error());
                    }
                    let c = self.nextc();
                    if c == EOF {
                        self.pos = self.end;
                        return Err(self.eof_error());
                    }
                    self.backup(c);
                    continue;
                }

                return self.operator(start, c);
            }
        }
    }

    /// After a comment ending at `self.pos` (`c` is `\n` or EOF): a TYPE_COMMENT or TYPE_IGNORE
    /// token if it is one (the prefix `# type: ` where each space matches any run of blanks).
    fn type_comment(&mut self, start: usize, c: u8, blankline: bool) -> Option<TokenKind> {
        let cur = self.pos;
        let mut p = start;
        let mut matched = true;
        for &want in b"# type: " {
            if p >= cur {
                matched = false;
                break;
            }
            if want == b' ' {
                while p < cur && matches!(self.at(p), b' ' | b'\t') {
                    p += 1;
                }
            } else if self.at(p) == want {
                p += 1;
            } else {
                matched = false;
                break;
            }
        }
        if !matched {
            return None;
        }
        self.backup(c); // don't eat the newline or EOF
        let cur = self.pos;
        let ignore_end = p + 6;
        let is_ignore = cur >= ignore_end
            && self.b.get(p..ignore_end) == Some(b"ignore".as_slice())
            && !(cur > ignore_end && {
                let n = self.at(ignore_end);
                n >= 128 || n.is_ascii_alphanumeric()
            });
        if is_ignore {
            let kind = self.push(TokenKind::TypeIgnore, ignore_end, cur);
            if blankline {
                self.nextc();
                self.atbol = true;
            }
            Some(kind)
        } else {
            Some(self.push(TokenKind::TypeComment, p, cur))
        }
    }

    /// NAME, or a string with a prefix (`b`, `r`, `u`, `f`, `br`, `rb`, `fr`, `rf`, any case).
    fn identifier_or_string(&mut self, start: usize, mut c: u8) -> Result<TokenKind, LexError> {
        let (mut saw_b, mut saw_r, mut saw_u, mut saw_f) = (false, false, false, false);
        loop {
            if !(saw_b || saw_u || saw_f) && (c == b'b' || c == b'B') {
                saw_b = true;
            } else if !(saw_b || saw_u || saw_r || saw_f) && (c == b'u' || c == b'U') {
                saw_u = true;
            } else if !(saw_r || saw_u) && (c == b'r' || c == b'R') {
                saw_r = true;
            } else if !(saw_f || saw_b || saw_u) && (c == b'f' || c == b'F') {
                saw_f = true;
            } else {
                break;
            }
            c = self.nextc();
            if c == b'"' || c == b'\'' {
                return self.string(start, c);
            }
        }
        let mut nonascii = false;
        // Fast path: the rest of an ASCII name, straight from the bytes.
        if (c.is_ascii_alphanumeric() || c == b'_') && self.mask.is_none() {
            let b = self.b;
            while self.pos < b.len() && ASCII_IDENT[b[self.pos] as usize] {
                self.pos += 1;
            }
            c = self.nextc();
        }
        while is_ident_char(c) {
            nonascii |= c >= 128;
            c = self.nextc();
        }
        self.backup(c);
        if nonascii {
            self.verify_identifier(start)?;
        }
        Ok(self.push(TokenKind::Name, start, self.pos))
    }

    /// `verify_identifier`: PEP 3131 check of a NAME with non-ASCII characters.
    fn verify_identifier(&mut self, start: usize) -> Result<(), LexError> {
        if let Some((bad, original)) = self.mask {
            if bad[start..self.pos].contains(&true) {
                return Err(self.name_decode_error(start, original));
            }
        }
        let text = &self.src[start..self.pos];
        let Some((i, ch)) = first_invalid_ident_char(text) else {
            return Ok(());
        };
        // The caret goes on the invalid character: `tok->cur` just past it.
        let past = start
            + text
                .char_indices()
                .nth(i + 1)
                .map_or(text.len(), |(off, _)| off);
        let msg = if is_printable(ch) {
            format!("invalid character '{ch}' (U+{:04X})", ch as u32)
        } else {
            format!("invalid non-printable character U+{:04X}", ch as u32)
        };
        Err(self.error_at(SyntaxErrorKind::SyntaxError, msg, past, past - 1))
    }

    /// `verify_identifier` cannot decode the name (E_DECODE): the parser reports the decode
    /// error at the ERRORTOKEN, which has no position, so the column is `cur - line_start` in
    /// bytes with `cur` after the name.
    fn name_decode_error(&self, start: usize, original: &[u8]) -> LexError {
        let bytes = &original[start..self.pos];
        let msg = match std::str::from_utf8(bytes) {
            Err(e) => format!("(unicode error) {}", utf8_error_message(bytes, &e, 0)),
            Ok(_) => "(unicode error) 'utf-8' codec can't decode bytes".to_string(),
        };
        let (line, ls) = self.line_and_start(start);
        let col = self.pos - ls;
        self.pegen_error(
            SyntaxErrorKind::SyntaxError,
            msg,
            line,
            col,
            None,
            LexErrorKind::Tokenizer,
        )
    }

    /// `tok_decimal_tail`: digits with single underscores between them. Returns the character
    /// after the digits.
    fn decimal_tail(&mut self) -> Result<u8, LexError> {
        loop {
            let mut c = self.nextc();
            while c.is_ascii_digit() {
                c = self.nextc();
            }
            if c != b'_' {
                return Ok(c);
            }
            c = self.nextc();
            if !c.is_ascii_digit() {
                self.backup(c);
                return Err(self.syntax_error("invalid decimal literal"));
            }
        }
    }

    /// `verify_end_of_number`: a number directly followed by a name is an error, except for the
    /// keywords that can follow a number in valid code (`1if x else y`), which CPython accepts
    /// with a deprecation warning.
    fn verify_end_of_number(&mut self, c: u8, kind: &str) -> Result<(), LexError> {
        // `lookahead`: the keyword must end there (not run into an identifier character).
        let follows = |s: &Self, word: &[u8]| {
            s.b.get(s.pos..s.pos + word.len()) == Some(word)
                && !is_ident_char(s.at(s.pos + word.len()))
        };
        let r = match c {
            b'a' => follows(self, b"nd"),
            b'e' => follows(self, b"lse"),
            b'f' => follows(self, b"or"),
            b'i' => matches!(self.at(self.pos), b'f' | b'n' | b's'),
            b'o' => follows(self, b"r"),
            b'n' => follows(self, b"ot"),
            _ => false,
        };
        // Only ASCII: a non-ASCII character after a number starts the next token.
        if !r && c < 128 && is_ident_char(c) {
            self.backup(c);
            return Err(self.syntax_error(format!("invalid {kind} literal")));
        }
        Ok(())
    }

    fn number(&mut self, start: usize, c: u8) -> Result<TokenKind, LexError> {
        if c != b'0' {
            let c = self.decimal_tail()?;
            return self.number_after_int(start, c);
        }
        let mut c = self.nextc();
        match c {
            b'x' | b'X' => {
                c = self.nextc();
                loop {
                    if c == b'_' {
                        c = self.nextc();
                    }
                    if !c.is_ascii_hexdigit() {
                        self.backup(c);
                        return Err(self.syntax_error("invalid hexadecimal literal"));
                    }
                    while {
                        c = self.nextc();
                        c.is_ascii_hexdigit()
                    } {}
                    if c != b'_' {
                        break;
                    }
                }
                self.verify_end_of_number(c, "hexadecimal")?;
            }
            b'o' | b'O' => {
                c = self.nextc();
                loop {
                    if c == b'_' {
                        c = self.nextc();
                    }
                    if !(b'0'..b'8').contains(&c) {
                        if c.is_ascii_digit() {
                            return Err(self.syntax_error(format!(
                                "invalid digit '{}' in octal literal",
                                c as char
                            )));
                        }
                        self.backup(c);
                        return Err(self.syntax_error("invalid octal literal"));
                    }
                    while {
                        c = self.nextc();
                        (b'0'..b'8').contains(&c)
                    } {}
                    if c != b'_' {
                        break;
                    }
                }
                if c.is_ascii_digit() {
                    return Err(self
                        .syntax_error(format!("invalid digit '{}' in octal literal", c as char)));
                }
                self.verify_end_of_number(c, "octal")?;
            }
            b'b' | b'B' => {
                c = self.nextc();
                loop {
                    if c == b'_' {
                        c = self.nextc();
                    }
                    if c != b'0' && c != b'1' {
                        if c.is_ascii_digit() {
                            return Err(self.syntax_error(format!(
                                "invalid digit '{}' in binary literal",
                                c as char
                            )));
                        }
                        self.backup(c);
                        return Err(self.syntax_error("invalid binary literal"));
                    }
                    while {
                        c = self.nextc();
                        c == b'0' || c == b'1'
                    } {}
                    if c != b'_' {
                        break;
                    }
                }
                if c.is_ascii_digit() {
                    return Err(self
                        .syntax_error(format!("invalid digit '{}' in binary literal", c as char)));
                }
                self.verify_end_of_number(c, "binary")?;
            }
            _ => {
                // Maybe an old-style octal; in any case allow `0` as a literal.
                let mut nonzero = false;
                loop {
                    if c == b'_' {
                        c = self.nextc();
                        if !c.is_ascii_digit() {
                            self.backup(c);
                            return Err(self.syntax_error("invalid decimal literal"));
                        }
                    }
                    if c != b'0' {
                        break;
                    }
                    c = self.nextc();
                }
                let zeros_end = self.pos;
                if c.is_ascii_digit() {
                    nonzero = true;
                    c = self.decimal_tail()?;
                }
                if c == b'.' {
                    let c = self.nextc();
                    return self.number_fraction(start, c);
                } else if c == b'e' || c == b'E' {
                    return self.number_exponent(start, c);
                } else if c == b'j' || c == b'J' {
                    return self.number_imaginary(start);
                } else if nonzero {
                    self.backup(c);
                    // syntaxerror_known_range(tok, start + 1, zeros_end)
                    let mut e = self.syntax_error(
                        "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers",
                    );
                    // syntaxerror_known_range passes byte columns through unconverted.
                    let (_, ls) = self.line_and_start(start);
                    e.error.offset = (start + 1 - ls) as u32;
                    e.error.end_offset = Some((zeros_end - ls) as u32);
                    return Err(e);
                }
                self.verify_end_of_number(c, "decimal")?;
            }
        }
        self.backup(c);
        Ok(self.push(TokenKind::Number, start, self.pos))
    }

    /// After the integer part of a decimal number: `.`, exponent, `j`, or the end.
    fn number_after_int(&mut self, start: usize, c: u8) -> Result<TokenKind, LexError> {
        if c == b'.' {
            let c = self.nextc();
            return self.number_fraction(start, c);
        }
        self.number_after_fraction(start, c)
    }

    /// `fraction:` — `c` is the character after the `.`.
    fn number_fraction(&mut self, start: usize, mut c: u8) -> Result<TokenKind, LexError> {
        if c.is_ascii_digit() {
            c = self.decimal_tail()?;
        }
        self.number_after_fraction(start, c)
    }

    fn number_after_fraction(&mut self, start: usize, c: u8) -> Result<TokenKind, LexError> {
        if c == b'e' || c == b'E' {
            return self.number_exponent(start, c);
        }
        if c == b'j' || c == b'J' {
            return self.number_imaginary(start);
        }
        self.verify_end_of_number(c, "decimal")?;
        self.backup(c);
        Ok(self.push(TokenKind::Number, start, self.pos))
    }

    /// `exponent:` — `e` is the `e`/`E` just read.
    fn number_exponent(&mut self, start: usize, e: u8) -> Result<TokenKind, LexError> {
        let mut c = self.nextc();
        if c == b'+' || c == b'-' {
            c = self.nextc();
            if !c.is_ascii_digit() {
                self.backup(c);
                return Err(self.syntax_error("invalid decimal literal"));
            }
        } else if !c.is_ascii_digit() {
            self.backup(c);
            self.verify_end_of_number(e, "decimal")?;
            self.backup(e);
            return Ok(self.push(TokenKind::Number, start, self.pos));
        }
        let c = self.decimal_tail()?;
        if c == b'j' || c == b'J' {
            return self.number_imaginary(start);
        }
        self.verify_end_of_number(c, "decimal")?;
        self.backup(c);
        Ok(self.push(TokenKind::Number, start, self.pos))
    }

    /// `imaginary:` — just read the `j`.
    fn number_imaginary(&mut self, start: usize) -> Result<TokenKind, LexError> {
        let c = self.nextc();
        self.verify_end_of_number(c, "imaginary")?;
        self.backup(c);
        Ok(self.push(TokenKind::Number, start, self.pos))
    }

    /// A string literal; `quote` (just read) is its opening quote, `start` its prefix start.
    fn string(&mut self, start: usize, quote: u8) -> Result<TokenKind, LexError> {
        let mut quote_size = 1;
        let mut end_quote_size = 0;
        let mut c = self.nextc();
        if c == quote {
            c = self.nextc();
            if c == quote {
                quote_size = 3;
            } else {
                end_quote_size = 1; // empty string
            }
        }
        if c != quote {
            self.backup(c);
        }
        while end_quote_size != quote_size {
            // Fast path: skip ordinary bytes. A triple-quoted body may hold line ends (read by
            // `nextc` only to fold `\r\n`, which changes nothing here); a single-quoted one stops
            // at them. Without any `\r` in the file, three needles suffice.
            // (`pos` may sit past the text, on the virtual final newline.)
            let rest = self.b.get(self.pos..).unwrap_or_default();
            let skip = if quote_size == 3 {
                memchr::memchr2(quote, b'\\', rest)
            } else if !self.has_cr {
                memchr::memchr3(quote, b'\\', b'\n', rest)
            } else {
                rest.iter()
                    .position(|&b| b == quote || b == b'\\' || b == b'\n' || b == b'\r')
            }
            .unwrap_or(rest.len());
            if skip > 0 {
                self.pos += skip;
                end_quote_size = 0;
            }
            let c = self.nextc();
            if c == EOF || (quote_size == 1 && c == b'\n') {
                return Err(self.unterminated_string(start, quote_size));
            }
            if c == quote {
                end_quote_size += 1;
            } else {
                end_quote_size = 0;
                if c == b'\\' {
                    self.nextc(); // skip the escaped character
                }
            }
        }
        Ok(self.push(TokenKind::String, start, self.pos))
    }

    fn unterminated_string(&self, start: usize, quote_size: u32) -> LexError {
        let ix = self.index();
        let detected = self.line_of(&ix, self.pos.saturating_sub(1).max(start));
        let msg = if quote_size == 3 {
            format!("unterminated triple-quoted string literal (detected at line {detected})")
        } else {
            format!("unterminated string literal (detected at line {detected})")
        };
        // The error points at the string's start (`tok->cur = tok->start + 1`).
        self.error_at(SyntaxErrorKind::SyntaxError, msg, start + 1, start)
    }

    /// An error raised by the parser on the tokenizer's behalf (`_Pypegen_tokenizer_error`,
    /// `raise_unclosed_parentheses_error`). Their columns are UTF-8 byte offsets: for bytes
    /// input without a coding cookie CPython does not convert them to characters. The text is
    /// the physical line, which CPython re-reads from the file.
    fn pegen_error(
        &self,
        kind: SyntaxErrorKind,
        msg: String,
        line: u32,
        offset: usize,
        end_offset: Option<u32>,
        lex_kind: LexErrorKind,
    ) -> LexError {
        let mut e = SyntaxError::new(kind, msg, line, offset as u32)
            .with_text(self.line_text(&self.index(), line));
        e.end_lineno = Some(line);
        e.end_offset = end_offset;
        LexError {
            error: e,
            kind: lex_kind,
        }
    }

    /// Where the C tokenizer's line buffer (`tok->buf`) starts while it is on `line`: the line
    /// start, or, if a multi-line string ended on this line, the start of its first line.
    fn buffer_start(&self, line: u32) -> usize {
        let ix = self.index();
        let ls = ix.line_start(line);
        let crossing = self.tokens.iter().rev().find(|t| t.start < ls);
        match crossing {
            Some(t) if t.end > ls => ix.line_start(ix.line_of(t.start)) as usize,
            _ => ls as usize,
        }
    }

    /// (line of byte `pos`, start of that line).
    fn line_and_start(&self, pos: usize) -> (u32, usize) {
        let ix = self.index();
        let line = self.line_of(&ix, pos);
        (line, ix.line_start(line) as usize)
    }

    /// E_LINECONT: `col_offset = tok->cur - tok->buf - 1` (for string input `buf` is the start
    /// of the current line), reported with `RAISE_ERROR_KNOWN_LOCATION`, so offset `cur - ls`.
    fn line_continuation_error(&self) -> LexError {
        let (line, _) = self.line_and_start(self.pos.saturating_sub(1));
        let col = (self.pos.min(self.b.len()) - self.buffer_start(line)).max(1);
        let msg = "unexpected character after line continuation character".to_string();
        self.pegen_error(
            SyntaxErrorKind::SyntaxError,
            msg,
            line,
            col,
            Some(0),
            LexErrorKind::Tokenizer,
        )
    }

    /// E_DEDENT, E_TABSPACE, E_TOODEEP: the tokenizer sets `cur` to the end of the line and
    /// returns an ERRORTOKEN without position.
    fn indentation_error(&self, kind: SyntaxErrorKind, msg: &str) -> LexError {
        let (line, ls) = self.line_and_start(self.pos);
        let ix = self.index();
        let line_len = ix.line_text(self.src, line).len();
        let virtual_nl = (self.end > self.b.len() && ls + line_len == self.b.len()) as usize;
        if kind == SyntaxErrorKind::IndentationError && msg.starts_with("unindent") {
            // RAISE_INDENTATION_ERROR: at the ERRORTOKEN, col = cur - line_start, no end.
            let col = line_len + virtual_nl;
            return self.pegen_error(kind, msg.into(), line, col, None, LexErrorKind::Tokenizer);
        }
        // RAISE_ERROR_KNOWN_LOCATION(p, errtype, lineno, 0, lineno, -1, msg)
        self.pegen_error(kind, msg.into(), line, 1, Some(0), LexErrorKind::Tokenizer)
    }

    /// E_EOF right after a line continuation.
    fn eof_error(&self) -> LexError {
        if !self.parens.is_empty() {
            return self.unclosed_bracket_error();
        }
        // The ERRORTOKEN has no position, so CPython uses `tok->cur - line_start` with `cur` at
        // the very end of the input (past the implied newline), and no end offset.
        let (line, ls) = self.line_and_start(self.b.len().saturating_sub(1));
        let col = self.end - ls;
        let msg = "unexpected EOF while parsing".to_string();
        self.pegen_error(
            SyntaxErrorKind::SyntaxError,
            msg,
            line,
            col,
            None,
            LexErrorKind::Eof,
        )
    }

    /// `raise_unclosed_parentheses_error`: points at the innermost open bracket.
    fn unclosed_bracket_error(&self) -> LexError {
        let &(ch, off) = self.parens.last().unwrap();
        let (line, ls) = self.line_and_start(off as usize);
        let msg = format!("'{}' was never closed", ch as char);
        let col = off as usize - ls + 1;
        let kind = LexErrorKind::UnclosedBracket { open_line: line };
        self.pegen_error(SyntaxErrorKind::SyntaxError, msg, line, col, Some(0), kind)
    }

    /// Operators and brackets; stray characters.
    fn operator(&mut self, start: usize, c: u8) -> Result<TokenKind, LexError> {
        // Two- and three-character operators.
        let c2 = self.nextc();
        if let Some(kind2) = two_chars(c, c2) {
            let c3 = self.nextc();
            let kind = match three_chars(c, c2, c3) {
                Some(k3) => k3,
                None => {
                    self.backup(c3);
                    kind2
                }
            };
            return Ok(self.push(kind, start, self.pos));
        }
        self.backup(c2);

        match c {
            b'(' | b'[' | b'{' => {
                if self.parens.len() >= MAXLEVEL {
                    return Err(self.syntax_error("too many nested parentheses"));
                }
                self.parens.push((c, start as u32));
            }
            b')' | b']' | b'}' => {
                let Some((opening, off)) = self.parens.pop() else {
                    return Err(self.syntax_error(format!("unmatched '{}'", c as char)));
                };
                let matching = matches!((opening, c), (b'(', b')') | (b'[', b']') | (b'{', b'}'));
                if !matching {
                    let ix = self.index();
                    let open_line = ix.line_of(off);
                    let here = self.line_of(&ix, start);
                    let msg = if open_line != here {
                        format!(
                            "closing parenthesis '{}' does not match opening parenthesis '{}' on line {}",
                            c as char, opening as char, open_line
                        )
                    } else {
                        format!(
                            "closing parenthesis '{}' does not match opening parenthesis '{}'",
                            c as char, opening as char
                        )
                    };
                    return Err(self.syntax_error(msg));
                }
            }
            _ => {}
        }
        if c >= 128 || !(c == b' ' || c.is_ascii_graphic()) {
            // Non-ASCII bytes always start identifiers, so this is an ASCII control character.
            return Err(self.syntax_error(format!("invalid non-printable character U+{:04X}", c)));
        }
        Ok(self.push(one_char(c), start, self.pos))
    }
}

/// ASCII letters, digits and `_`: the bytes the fast identifier loop consumes.
static ASCII_IDENT: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 128 {
        let c = i as u8;
        t[i] = c.is_ascii_alphanumeric() || c == b'_';
        i += 1;
    }
    t
};

/// `PyToken_OneChar`; OP for characters that are no operator (`$`, `?`, `!`, a backquote).
pub(super) fn one_char(c: u8) -> TokenKind {
    use TokenKind::*;
    match c {
        b'%' => Percent,
        b'&' => Amper,
        b'(' => Lpar,
        b')' => Rpar,
        b'*' => Star,
        b'+' => Plus,
        b',' => Comma,
        b'-' => Minus,
        b'.' => Dot,
        b'/' => Slash,
        b':' => Colon,
        b';' => Semi,
        b'<' => Less,
        b'=' => Equal,
        b'>' => Greater,
        b'@' => At,
        b'[' => Lsqb,
        b']' => Rsqb,
        b'^' => Circumflex,
        b'{' => Lbrace,
        b'|' => Vbar,
        b'}' => Rbrace,
        b'~' => Tilde,
        _ => Op,
    }
}

/// `PyToken_TwoChars` (`<>` is NOTEQUAL there; the parser rejects it unless barry_as_FLUFL).
pub(super) fn two_chars(c1: u8, c2: u8) -> Option<TokenKind> {
    use TokenKind::*;
    Some(match (c1, c2) {
        (b'!', b'=') => NotEqual,
        (b'%', b'=') => PercentEqual,
        (b'&', b'=') => AmperEqual,
        (b'*', b'*') => DoubleStar,
        (b'*', b'=') => StarEqual,
        (b'+', b'=') => PlusEqual,
        (b'-', b'=') => MinEqual,
        (b'-', b'>') => Rarrow,
        (b'/', b'/') => DoubleSlash,
        (b'/', b'=') => SlashEqual,
        (b':', b'=') => ColonEqual,
        (b'<', b'<') => LeftShift,
        (b'<', b'=') => LessEqual,
        (b'<', b'>') => NotEqual,
        (b'=', b'=') => EqEqual,
        (b'>', b'=') => GreaterEqual,
        (b'>', b'>') => RightShift,
        (b'@', b'=') => AtEqual,
        (b'^', b'=') => CircumflexEqual,
        (b'|', b'=') => VbarEqual,
        _ => return None,
    })
}

/// `PyToken_ThreeChars`.
pub(super) fn three_chars(c1: u8, c2: u8, c3: u8) -> Option<TokenKind> {
    use TokenKind::*;
    Some(match (c1, c2, c3) {
        (b'*', b'*', b'=') => DoubleStarEqual,
        (b'.', b'.', b'.') => Ellipsis,
        (b'/', b'/', b'=') => DoubleSlashEqual,
        (b'<', b'<', b'=') => LeftShiftEqual,
        (b'>', b'>', b'=') => RightShiftEqual,
        _ => return None,
    })
}
