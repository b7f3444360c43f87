//! The lexer: decoded source text → tokens.
//!
//! Two modes, because CPython has two tokenizers that disagree in many corners:
//!
//! - **parser mode** ([`lex`], [`lex_partial`]; file `cmode.rs`) mirrors the C tokenizer
//!   (`Parser/tokenizer.c` of 3.11) that feeds CPython's parser: NAME, NUMBER, STRING (one token
//!   per literal; an f-string is one STRING token), NEWLINE, INDENT, DEDENT, exact operator kinds,
//!   ENDMARKER, and with [`LexOptions::type_comments`] TYPE_COMMENT / TYPE_IGNORE. No COMMENT, NL
//!   or ENCODING. Errors carry the C tokenizer's messages and positions.
//! - **tokenize mode** ([`tokenize_file`] → [`Tokenized`], [`tokenize`]; file `pymode.rs`)
//!   mirrors `Lib/tokenize.py` (COMMENT, NL, ERRORTOKEN, its own encoding detection and error
//!   messages) for `nanopy tokens`; `tokenize_dump` prints it. Columns are characters.
//!
//! Other files: `unicode.rs` answers identifier / `\w` / printable / space questions from
//! `unicode_tables.rs`, generated from CPython's own Unicode database
//! (`scripts/gen_unicode_tables.py`); `invalid_utf8.rs` reproduces where `compile()` reports
//! invalid UTF-8 (used by `source::decode`).
//!
//! Throughput (criterion, `cargo bench -p nanopy-compiler --bench lexer`, 1.36 MB of corpus and
//! stdlib modules, 2-core shared machine): parser mode ~300 MiB/s, tokenize mode ~230 MiB/s.
//!
//! ## Token positions in parser mode
//! Byte offsets into the source as given (no newline translation: `\r\n` and a lone `\r` end a
//! line like `\n`, so string bodies may contain `\r\n` that CPython would have seen as `\n`).
//! Spans are the C tokenizer's `p_start..p_end`, with these conventions where C has none:
//! - NEWLINE is zero-width at its line end (C: `p_end = cur - 1`). A file without a final newline
//!   gets one at `source.len()`, as CPython appends `\n` to exec input.
//! - INDENT / DEDENT are zero-width at the first token of the line (C: no position, col -1).
//! - ENDMARKER is zero-width at `source.len()` (C: no position).
//! - TYPE_IGNORE spans the text after `ignore` (C: `ignore_end..cur`); TYPE_COMMENT the text
//!   after `# type: `.
//! - A stray ASCII character (`$`, `?`, `!`, a backquote) is an `Op` token, as C's
//!   `PyToken_OneChar` returns OP for it; the parser then reports `invalid syntax` there.
//!
//! ## Errors
//! [`lex`] fails with the first tokenizer error. The parser, which in CPython pulls tokens lazily
//! and may fail before reaching the bad token, can use [`lex_partial`] to get the tokens before
//! the error plus a [`LexError`] saying what kind of tokenizer error it was (CPython's parser
//! reports EOF-inside-brackets and plain EOF differently from other tokenizer errors; see
//! `Parser/pegen_errors.c`). Messages, lines, offsets, end offsets and texts equal what
//! `compile(bytes, path, 'exec')` reports, checked live by `tests/tokens_errors.rs`. Columns of
//! errors CPython raises from the parser on the tokenizer's behalf (unclosed bracket, EOF,
//! unindent, tabs, line continuation, leading zeros) are UTF-8 byte offsets, as CPython leaves
//! them for bytes input without a coding cookie.

mod cmode;
pub(crate) mod invalid_utf8;
mod pymode;
mod unicode;
#[rustfmt::skip]
mod unicode_tables;

pub use cmode::{lex, lex_partial};
pub use pymode::{tokenize, tokenize_file, PyToken, TokenizeError, Tokenized};
pub(crate) use unicode::is_printable;

use crate::error::SyntaxError;

/// Options of the parser-mode lexer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LexOptions {
    /// Emit TYPE_COMMENT and TYPE_IGNORE tokens (`ast.parse(..., type_comments=True)`, which is
    /// what `python3 -m ast` uses).
    pub type_comments: bool,
}

/// How the tokenizer failed; the parser needs this to reproduce CPython's error choice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LexErrorKind {
    /// An error the C tokenizer raises itself (`syntaxerror()` or `E_TABSPACE`, `E_DEDENT`,
    /// `E_TOODEEP`, `E_LINECONT`). CPython reports these whatever the parser was doing.
    Tokenizer,
    /// End of file inside brackets (`E_EOF` with `level > 0`): "'(' was never closed".
    /// `open_line` is the line of the innermost unclosed bracket; CPython prefers a parser error
    /// on a line after it only when ... (see `_PyPegen_tokenize_full_source_to_check_for_errors`).
    UnclosedBracket { open_line: u32 },
    /// End of file right after a line continuation (`E_EOF`, no brackets open):
    /// "unexpected EOF while parsing".
    Eof,
}

/// A tokenizer error with its CPython classification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LexError {
    pub error: SyntaxError,
    pub kind: LexErrorKind,
}

/// Bytes that may start an identifier (`is_potential_identifier_start`): ASCII letters, `_`,
/// and any non-ASCII byte (validated afterwards against XID_Start / XID_Continue).
#[inline]
pub(crate) fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c >= 128
}

/// Bytes that may continue an identifier (`is_potential_identifier_char`).
#[inline]
pub(crate) fn is_ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c >= 128
}
