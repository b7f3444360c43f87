//! The parser: tokens → AST, implementing CPython 3.11's grammar (`Grammar/python.gram`) by hand.
//!
//! Recursive descent for statements, precedence climbing for binary operators, and a few
//! bounded look-aheads where the PEG grammar backtracks (soft keywords, assignment targets).
//! Node positions follow pegen's `EXTRA` rule: a node spans from the first token its grammar rule
//! consumed to the last one, so `(a) + b` starts at the parenthesis and `x = 1,` ends after the
//! comma.
//!
//! Split by concern:
//! - `mod.rs` (this file): the token cursor, positions, entry points and the depth guard;
//! - `expressions.rs`, `statements.rs`, `patterns.rs`: the grammar;
//! - `strings.rs`: string and number literals, implicit concatenation and f-strings;
//! - `errors.rs`: target validation and CPython's error messages.
//!
//! The lexer (`crate::lexer`) owns tokenization; this module never looks at raw text except to
//! decode literals and to re-lex the expressions embedded in f-strings, as CPython 3.11 does.

mod errors;
mod expressions;
mod patterns;
mod statements;
mod strings;

use bumpalo::collections::Vec as BVec;
use bumpalo::Bump;

use crate::ast::{Mod, Span, TypeIgnore};
use crate::error::{SyntaxError, SyntaxErrorKind};
use crate::tokens::{Token, TokenKind};

/// Which start rule to parse with, as `ast.parse(mode=...)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Exec,
    Eval,
    Single,
    FuncType,
}

/// Options of a parse, as the arguments of `ast.parse`.
#[derive(Clone, Copy, Debug)]
pub struct ParseOptions {
    pub mode: Mode,
    /// `type_comments=True`: `# type:` comments become part of the tree (and misplaced ones are
    /// syntax errors, as in CPython).
    pub type_comments: bool,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions {
            mode: Mode::Exec,
            type_comments: false,
        }
    }
}

/// How deep the parser may recurse (nested expressions and blocks) before it gives up with a
/// clean error rather than risking the host stack. CPython's own limit (`MAXSTACK`) is 6000;
/// ours counts fewer frames per nesting level, so 3000 covers every real program.
pub const MAX_DEPTH: u32 = 3000;

/// Parses a whole source text (already decoded to UTF-8) into an AST allocated in `arena`.
///
/// Deeply nested input is rejected with a clean error before the recursion gets deep enough to
/// overflow a 16 MiB stack; callers running on a small stack should use [`parse_on_big_stack`].
pub fn parse<'a>(
    arena: &'a Bump,
    source: &'a str,
    opts: ParseOptions,
) -> Result<Mod<'a>, SyntaxError> {
    use crate::lexer::{LexErrorKind, LexOptions};
    let map = arena.alloc(SourceMap::new(arena, source));
    // CPython's parser pulls tokens lazily, so a tokenizer error only wins if the parser gets
    // that far — or, for some kinds, when the parser fails earlier and CPython then tokenizes the
    // rest of the file (`_PyPegen_tokenize_full_source_to_check_for_errors`).
    let (tokens, lex_err) = crate::lexer::lex_partial(
        source,
        LexOptions {
            type_comments: opts.type_comments,
        },
    );
    let mut p = Parser::new(arena, source, map, &tokens, 0, opts)?;
    let result = match opts.mode {
        Mode::Exec => p.file(),
        Mode::Eval => p.eval_input(),
        Mode::Single => p.interactive(),
        Mode::FuncType => p.func_type_input(),
    };
    let Some(le) = lex_err else { return result };
    match result {
        Ok(_) => Err(le.error),
        Err(_) if p.pos >= p.lex_end => Err(le.error),
        // A generic "unexpected indent" is final: CPython does not look further.
        Err(e) if p.indent_error.get() => Err(e),
        Err(e) => {
            // The line of the last token the parser looked at (CPython: `p->tokens[p->fill-1]`).
            let seen = p.pos.max(p.max_pos).min(p.toks.len() - 1);
            let seen_line = p.toks[seen].span.lineno.max(e.lineno);
            match le.kind {
                // Only tokenizer errors that CPython raises as exceptions while lexing
                // override an earlier parser error; E_DEDENT, E_TABSPACE, E_TOODEEP and
                // E_LINECONT are only reported when the parser reaches them.
                LexErrorKind::Tokenizer
                    if le.error.kind == SyntaxErrorKind::SyntaxError
                        && le.error.msg
                            != "unexpected character after line continuation character" =>
                {
                    Err(le.error)
                }
                LexErrorKind::UnclosedBracket { open_line } if seen_line > open_line => {
                    Err(le.error)
                }
                _ => Err(e),
            }
        }
    }
}

/// Bytes of a source file → text, as CPython decodes it (BOM, PEP 263 coding cookie).
pub fn decode_source(bytes: &[u8]) -> Result<String, SyntaxError> {
    crate::source::decode(bytes)
}

/// The one place the parser calls the lexer (parser-mode tokens: no comments or NL tokens;
/// TYPE_COMMENT / TYPE_IGNORE tokens when `type_comments`).
pub(crate) fn lex(source: &str, type_comments: bool) -> Result<Vec<Token>, SyntaxError> {
    let lex_opts = crate::lexer::LexOptions { type_comments };
    crate::lexer::lex(source, lex_opts)
}

/// Runs `f` on a thread with a stack large enough for [`MAX_DEPTH`] levels of nesting in the
/// parser and in the recursive passes over its tree (dumping, codegen).
pub fn run_on_big_stack<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(STACK_SIZE)
            .spawn_scoped(s, f)
            .expect("spawning the parser thread")
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e))
    })
}

/// Stack size for [`run_on_big_stack`]: measured frames are well under 2 KiB per nesting level
/// in debug builds; 256 MiB leaves a wide margin at [`MAX_DEPTH`] (memory is only committed
/// when touched).
pub const STACK_SIZE: usize = 256 << 20;

/// The real file's text and line starts, shared by the main parser and the sub-parsers of
/// f-string expressions (whose positions are reported in the real file).
pub(crate) struct SourceMap<'a> {
    text: &'a str,
    /// In the arena (which never runs destructors), so a `Vec` here would leak.
    line_starts: &'a [u32],
}

impl<'a> SourceMap<'a> {
    fn new(arena: &'a Bump, text: &'a str) -> SourceMap<'a> {
        let mut line_starts = BVec::with_capacity_in(text.len() / 32 + 1, arena);
        crate::source::for_each_line_start(text.as_bytes(), |off| line_starts.push(off));
        SourceMap {
            text,
            line_starts: line_starts.into_bump_slice(),
        }
    }

    /// 0-based line index of a byte offset.
    fn line_of(&self, offset: u32) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    /// The text of 0-based line `idx`, without its line ending.
    fn line_text(&self, idx: usize) -> &'a str {
        let start = self
            .line_starts
            .get(idx)
            .copied()
            .unwrap_or(self.text.len() as u32) as usize;
        let end = self
            .line_starts
            .get(idx + 1)
            .map(|&e| e as usize)
            .unwrap_or(self.text.len());
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }
}

/// Keywords (hard ones only; `match`, `case` and `_` are soft and are matched by text).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kw {
    /// Not a keyword: a plain identifier.
    Ident,
    False,
    None,
    True,
    And,
    As,
    Assert,
    Async,
    Await,
    Break,
    Class,
    Continue,
    Def,
    Del,
    Elif,
    Else,
    Except,
    Finally,
    For,
    From,
    Global,
    If,
    Import,
    In,
    Is,
    Lambda,
    Nonlocal,
    Not,
    Or,
    Pass,
    Raise,
    Return,
    Try,
    While,
    With,
    Yield,
}

fn keyword(b: &[u8]) -> Kw {
    // Cheap rejection first: most names are not keywords (keywords are 2..=8 bytes and start
    // with a lowercase letter or F/N/T).
    if b.len() < 2
        || b.len() > 8
        || !(b[0].is_ascii_lowercase() || matches!(b[0], b'F' | b'N' | b'T'))
    {
        return Kw::Ident;
    }
    match b {
        b"False" => Kw::False,
        b"None" => Kw::None,
        b"True" => Kw::True,
        b"and" => Kw::And,
        b"as" => Kw::As,
        b"assert" => Kw::Assert,
        b"async" => Kw::Async,
        b"await" => Kw::Await,
        b"break" => Kw::Break,
        b"class" => Kw::Class,
        b"continue" => Kw::Continue,
        b"def" => Kw::Def,
        b"del" => Kw::Del,
        b"elif" => Kw::Elif,
        b"else" => Kw::Else,
        b"except" => Kw::Except,
        b"finally" => Kw::Finally,
        b"for" => Kw::For,
        b"from" => Kw::From,
        b"global" => Kw::Global,
        b"if" => Kw::If,
        b"import" => Kw::Import,
        b"in" => Kw::In,
        b"is" => Kw::Is,
        b"lambda" => Kw::Lambda,
        b"nonlocal" => Kw::Nonlocal,
        b"not" => Kw::Not,
        b"or" => Kw::Or,
        b"pass" => Kw::Pass,
        b"raise" => Kw::Raise,
        b"return" => Kw::Return,
        b"try" => Kw::Try,
        b"while" => Kw::While,
        b"with" => Kw::With,
        b"yield" => Kw::Yield,
        _ => Kw::Ident,
    }
}

/// A token as the parser sees it: kind, keyword (for names), byte range in the parsed text, and
/// its position in the real file.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tok {
    pub kind: TokenKind,
    pub kw: Kw,
    pub start: u32,
    pub end: u32,
    pub span: Span,
}

pub(crate) type PResult<T> = Result<T, SyntaxError>;

pub(crate) struct Parser<'a> {
    pub arena: &'a Bump,
    /// The text the tokens index into: the file, or `(expr)` for an f-string expression.
    pub src: &'a str,
    pub map: &'a SourceMap<'a>,
    /// In the arena: a reused arena then needs no fresh pages for it.
    pub toks: BVec<'a, Tok>,
    pub pos: usize,
    pub depth: u32,
    pub opts: ParseOptions,
    pub type_ignores: Vec<TypeIgnore<'a>>,
    /// Added to offsets in `src` to get offsets in the real file (f-string sub-parsers).
    pub shift: i64,
    /// Index of the ENDMARKER added because the lexer stopped at an error (else `usize::MAX`).
    pub lex_end: usize,
    /// Set while parsing a call's positional argument, where `name=` is a keyword argument.
    pub no_eq_check: bool,
    /// The text is pure ASCII, so identifiers need no NFKC normalization.
    pub ascii: bool,
    /// The furthest token the parser has looked at, failed attempts included (CPython's
    /// `p->fill`), which decides whether an unclosed bracket is reported instead.
    pub max_pos: usize,
    /// The error being returned is the generic "unexpected indent".
    pub indent_error: std::cell::Cell<bool>,
}

impl<'a> Parser<'a> {
    pub(crate) fn new(
        arena: &'a Bump,
        src: &'a str,
        map: &'a SourceMap<'a>,
        tokens: &[Token],
        shift: i64,
        opts: ParseOptions,
    ) -> PResult<Parser<'a>> {
        let mut toks = BVec::with_capacity_in(tokens.len() + 1, arena);
        let mut type_ignores = Vec::new();
        // Walk tokens and lines together: tokens come in source order, so the line cursor only
        // moves forward (one pass, no binary search per token). `[cur_ls, next_ls)` is the
        // byte range of line `line`, cached so the common case is two comparisons.
        let ls = map.line_starts;
        let mut line = if tokens.is_empty() {
            0
        } else {
            map.line_of((tokens[0].start as i64 + shift) as u32)
        };
        let bounds = |line: usize| (ls[line], ls.get(line + 1).copied().unwrap_or(u32::MAX));
        let (mut cur_ls, mut next_ls) = bounds(line);
        let locate = |off: u32, line: &mut usize| -> (u32, u32) {
            let off = (off as i64 + shift) as u32;
            while *line + 1 < ls.len() && ls[*line + 1] <= off {
                *line += 1;
            }
            while *line > 0 && ls[*line] > off {
                *line -= 1;
            }
            (*line as u32 + 1, off - ls[*line])
        };
        let bytes = src.as_bytes();
        for t in tokens {
            // TYPE_IGNORE and the kinds after it are rare here (the parser-mode lexer emits
            // no COMMENT, NL or ENCODING).
            if t.kind as u8 >= TokenKind::TypeIgnore as u8 {
                match t.kind {
                    TokenKind::Comment | TokenKind::Nl | TokenKind::Encoding => continue,
                    TokenKind::TypeIgnore => {
                        let (l0, _) = locate(t.start, &mut line);
                        (cur_ls, next_ls) = bounds(line);
                        let text = &src[t.start as usize..t.end as usize];
                        let tag = type_ignore_tag(text);
                        type_ignores.push(TypeIgnore {
                            lineno: l0,
                            tag: arena.alloc_str(tag),
                        });
                        continue;
                    }
                    TokenKind::TypeComment if !opts.type_comments => continue,
                    _ => {}
                }
            }
            let off = (t.start as i64 + shift) as u32;
            if off >= next_ls || off < cur_ls {
                locate(t.start, &mut line);
                (cur_ls, next_ls) = bounds(line);
            }
            let (l0, c0) = (line as u32 + 1, off - cur_ls);
            let (kind, kw) = match t.kind {
                TokenKind::Name => (
                    TokenKind::Name,
                    keyword(&bytes[t.start as usize..t.end as usize]),
                ),
                TokenKind::Async => (TokenKind::Name, Kw::Async),
                TokenKind::Await => (TokenKind::Name, Kw::Await),
                k => (k, Kw::Ident),
            };
            // Only strings (and error tokens) can span lines; others end on their first line.
            let (l1, c1) = if matches!(t.kind, TokenKind::String | TokenKind::ErrorToken) {
                let mut l1line = line;
                locate(t.end, &mut l1line)
            } else {
                (l0, c0 + (t.end - t.start))
            };
            toks.push(Tok {
                kind,
                kw,
                start: t.start,
                end: t.end,
                span: Span::new(l0, c0, l1, c1),
            });
        }
        let mut lex_end = usize::MAX;
        if toks.last().map(|t| t.kind) != Some(TokenKind::EndMarker) {
            lex_end = toks.len();
            let end = src.len() as u32;
            let (l, c) = locate(end, &mut line);
            toks.push(Tok {
                kind: TokenKind::EndMarker,
                kw: Kw::Ident,
                start: end,
                end,
                span: Span::new(l, c, l, c),
            });
        }
        Ok(Parser {
            arena,
            src,
            map,
            toks,
            pos: 0,
            depth: 0,
            opts,
            type_ignores,
            shift,
            lex_end,
            no_eq_check: false,
            ascii: src.is_ascii(),
            indent_error: std::cell::Cell::new(false),
            max_pos: 0,
        })
    }

    // ---- cursor -----------------------------------------------------------------------------

    #[inline]
    pub fn tok(&self) -> &Tok {
        &self.toks[self.pos]
    }

    #[inline]
    pub fn peek_at(&self, n: usize) -> &Tok {
        let i = (self.pos + n).min(self.toks.len() - 1);
        &self.toks[i]
    }

    #[inline]
    pub fn kind(&self) -> TokenKind {
        self.toks[self.pos].kind
    }

    #[inline]
    pub fn kw(&self) -> Kw {
        self.toks[self.pos].kw
    }

    #[inline]
    pub fn at(&self, kind: TokenKind) -> bool {
        self.toks[self.pos].kind == kind
    }

    #[inline]
    pub fn at_kw(&self, kw: Kw) -> bool {
        self.toks[self.pos].kw == kw
    }

    /// A plain identifier (a NAME that is not a hard keyword).
    #[inline]
    pub fn at_name(&self) -> bool {
        let t = &self.toks[self.pos];
        t.kind == TokenKind::Name && t.kw == Kw::Ident
    }

    #[inline]
    pub fn bump(&mut self) -> usize {
        let i = self.pos;
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
            if self.pos > self.max_pos {
                self.max_pos = self.pos;
            }
        }
        i
    }

    pub fn eat(&mut self, kind: TokenKind) -> bool {
        if self.at(kind) {
            self.bump();
            true
        } else {
            false
        }
    }

    pub fn eat_kw(&mut self, kw: Kw) -> bool {
        if self.at_kw(kw) {
            self.bump();
            true
        } else {
            false
        }
    }

    pub fn expect(&mut self, kind: TokenKind) -> PResult<usize> {
        if self.at(kind) {
            Ok(self.bump())
        } else {
            Err(self.err_expected(kind))
        }
    }

    pub fn expect_kw(&mut self, kw: Kw) -> PResult<usize> {
        if self.at_kw(kw) {
            Ok(self.bump())
        } else {
            Err(self.err_invalid_syntax())
        }
    }

    pub fn text(&self, i: usize) -> &'a str {
        let t = &self.toks[i];
        &self.src[t.start as usize..t.end as usize]
    }

    pub fn cur_text(&self) -> &'a str {
        self.text(self.pos)
    }

    /// Soft keyword test (`match`, `case`, `_`).
    pub fn at_soft(&self, word: &str) -> bool {
        self.at(TokenKind::Name) && self.cur_text() == word
    }

    pub fn name(&mut self) -> PResult<&'a str> {
        if self.at_name() {
            let i = self.bump();
            Ok(self.identifier(self.text(i)))
        } else {
            Err(self.err_invalid_syntax())
        }
    }

    // ---- positions --------------------------------------------------------------------------

    /// The span from the start of token `start` to the end of the last consumed token.
    #[inline]
    pub fn span_from(&self, start: usize) -> Span {
        // pegen's EXTRA ends at the last consumed token that is not NEWLINE/INDENT/DEDENT.
        let mut end = if self.pos > start {
            self.pos - 1
        } else {
            start
        };
        while end > start
            && matches!(
                self.toks[end].kind,
                TokenKind::Newline | TokenKind::Indent | TokenKind::Dedent | TokenKind::EndMarker
            )
        {
            end -= 1;
        }
        self.toks[start].span.to(self.toks[end].span)
    }

    #[inline]
    pub fn tok_span(&self, i: usize) -> Span {
        self.toks[i].span
    }

    // ---- arena helpers ----------------------------------------------------------------------

    #[inline]
    pub fn alloc<T>(&self, v: T) -> &'a T {
        self.arena.alloc(v)
    }

    /// Parses with `f` and moves the result into the arena.
    #[inline]
    pub fn boxed(
        &mut self,
        f: impl FnOnce(&mut Self) -> PResult<crate::ast::Expr<'a>>,
    ) -> PResult<&'a crate::ast::Expr<'a>> {
        let e = f(self)?;
        Ok(self.arena.alloc(e))
    }

    #[inline]
    pub fn vec<T>(&self) -> BVec<'a, T> {
        BVec::new_in(self.arena)
    }

    // ---- depth guard ------------------------------------------------------------------------

    #[inline]
    pub fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err_too_deep());
        }
        Ok(())
    }

    #[inline]
    pub fn leave(&mut self) {
        self.depth -= 1;
    }
}

/// The tag of a `# type: ignore[tag]` comment: whatever follows `ignore`.
fn type_ignore_tag(text: &str) -> &str {
    // The lexer's TYPE_IGNORE token is the text after `ignore`; accept the whole comment too.
    match text
        .strip_prefix('#')
        .and_then(|t| t.find("ignore").map(|i| &t[i + 6..]))
    {
        Some(tag) => tag.trim_end(),
        None => text.trim_end(),
    }
}

/// Shared by errors.rs: which exception kind and where.
pub(crate) fn make_error(
    map: &SourceMap,
    kind: SyntaxErrorKind,
    msg: String,
    span: Span,
) -> SyntaxError {
    let line_idx = span.lineno.saturating_sub(1) as usize;
    let line = map.line_text(line_idx);
    let char_col = |col: u32| -> u32 {
        let col = (col as usize).min(line.len());
        let mut c = col;
        while c > 0 && !line.is_char_boundary(c) {
            c -= 1;
        }
        line[..c].chars().count() as u32 + 1
    };
    let offset = char_col(span.col_offset);
    let mut e = SyntaxError::new(kind, msg, span.lineno, offset).with_text(line.to_string());
    if span.end_lineno == span.lineno {
        e = e.with_end(span.end_lineno, char_col(span.end_col_offset));
    } else if span.end_lineno > span.lineno {
        let end_line = map.line_text(span.end_lineno as usize - 1);
        let col = (span.end_col_offset as usize).min(end_line.len());
        let mut c = col;
        while c > 0 && !end_line.is_char_boundary(c) {
            c -= 1;
        }
        e = e.with_end(span.end_lineno, end_line[..c].chars().count() as u32 + 1);
    }
    e
}
