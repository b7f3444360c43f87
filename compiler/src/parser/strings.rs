//! Literals: numbers, strings and bytes (escapes, raw, `u` kind, implicit concatenation) and
//! f-strings, parsed the way CPython 3.11 does it (`Parser/string_parser.c`): the STRING token is
//! scanned for `{...}`, each expression is re-lexed and parsed as `(expr)`, and the nodes get
//! their real positions in the file.
//!
//! Python strings may hold lone surrogates (`"\ud800"`), so decoded text is built as WTF-8
//! (see `ast::PyStr`).

use crate::ast::*;
use crate::error::SyntaxErrorKind;
use crate::tokens::TokenKind as T;

use super::{PResult, Parser};

/// Appends code point `cp` (possibly a surrogate) to a WTF-8 buffer.
pub(crate) fn push_cp(buf: &mut Vec<u8>, cp: u32) {
    if cp < 0x80 {
        buf.push(cp as u8);
    } else if cp < 0x800 {
        buf.extend_from_slice(&[0xc0 | (cp >> 6) as u8, 0x80 | (cp & 0x3f) as u8]);
    } else if cp < 0x10000 {
        buf.extend_from_slice(&[
            0xe0 | (cp >> 12) as u8,
            0x80 | ((cp >> 6) & 0x3f) as u8,
            0x80 | (cp & 0x3f) as u8,
        ]);
    } else {
        buf.extend_from_slice(&[
            0xf0 | (cp >> 18) as u8,
            0x80 | ((cp >> 12) & 0x3f) as u8,
            0x80 | ((cp >> 6) & 0x3f) as u8,
            0x80 | (cp & 0x3f) as u8,
        ]);
    }
}

/// A string token split into its parts.
struct StrTok<'s> {
    bytes: bool,
    raw: bool,
    fmode: bool,
    /// The text between the quotes.
    body: &'s str,
    /// Offset of `body` in the token text.
    body_off: usize,
}

fn split_string_token(text: &str) -> StrTok<'_> {
    let b = text.as_bytes();
    let mut i = 0;
    let (mut bytes, mut raw, mut fmode) = (false, false, false);
    while i < b.len() && b[i] != b'\'' && b[i] != b'"' {
        match b[i] {
            b'b' | b'B' => bytes = true,
            b'r' | b'R' => raw = true,
            b'f' | b'F' => fmode = true,
            _ => {}
        }
        i += 1;
    }
    let q = b.get(i).copied().unwrap_or(b'"');
    let triple = b.len() >= i + 6 && b[i + 1] == q && b[i + 2] == q;
    let ql = if triple { 3 } else { 1 };
    let start = (i + ql).min(b.len());
    let end = b.len().saturating_sub(ql).max(start);
    StrTok {
        bytes,
        raw,
        fmode,
        body: &text[start..end],
        body_off: start,
    }
}

/// Accumulates the parts of an implicitly concatenated string (`FstringParser` in CPython).
struct StrState<'a> {
    fmode: bool,
    /// Pending literal text (WTF-8); `None` when nothing non-empty was added since the last flush.
    last_str: Option<Vec<u8>>,
    parts: bumpalo::collections::Vec<'a, Expr<'a>>,
}

impl StrState<'_> {
    fn add(&mut self, s: &[u8]) {
        if s.is_empty() {
            return;
        }
        match &mut self.last_str {
            Some(v) => v.extend_from_slice(s),
            None => self.last_str = Some(s.to_vec()),
        }
    }
}

impl<'a> Parser<'a> {
    /// A NUMBER token as a Constant.
    pub(crate) fn number(&mut self) -> PResult<Expr<'a>> {
        let i = self.bump();
        let text = self.text(i);
        match parse_number(text, self.arena) {
            Some(value) => Ok(Expr {
                kind: ExprKind::Constant { value, kind: None },
                span: self.tok_span(i),
            }),
            None => Err(self.err_at(self.tok_span(i), "invalid number literal".into())),
        }
    }

    /// One or more adjacent STRING tokens: a str/bytes Constant, or a JoinedStr if any part is
    /// an f-string.
    pub(crate) fn strings(&mut self) -> PResult<Expr<'a>> {
        let first = self.pos;
        while self.at(T::String) {
            self.bump();
        }
        let last = self.pos - 1;
        let whole = self.toks[first].span.to(self.toks[last].span);
        let u_kind = self.text(first).starts_with('u');
        let kind = if u_kind { Some("u") } else { None };
        if first == last {
            // Fast path, most literals: one plain token without escapes borrows the source.
            let t = split_string_token(self.text(first));
            let b = t.body.as_bytes();
            let plain = memchr::memchr2(b'\\', b'\r', b).is_none();
            if !t.fmode && plain && (!t.bytes || t.body.is_ascii()) {
                let value = if t.bytes {
                    Constant::Bytes(t.body.as_bytes())
                } else {
                    Constant::Str(PyStr::new(t.body))
                };
                let kind = if t.bytes { None } else { kind };
                return Ok(Expr {
                    kind: ExprKind::Constant { value, kind },
                    span: whole,
                });
            }
        }
        let mut st = StrState {
            fmode: false,
            last_str: None,
            parts: self.vec(),
        };
        let mut bytes_mode = false;
        let mut bytes_buf: Vec<u8> = Vec::new();
        for i in first..=last {
            let text = self.text(i);
            let mut t = split_string_token(text);
            // CPython's tokenizer has turned `\r\n` and `\r` into `\n` before literals are
            // decoded; our lexer keeps the source bytes.
            if !t.fmode && t.body.contains('\r') {
                let n = t.body.replace("\r\n", "\n").replace('\r', "\n");
                t.body = self.arena.alloc_str(&n);
            }
            if i != first && bytes_mode != t.bytes {
                return Err(self.err_here("cannot mix bytes and nonbytes literals".into()));
            }
            bytes_mode = t.bytes;
            if t.fmode {
                let mut pos = 0;
                self.fstring_concat(&mut st, &t, i, &mut pos, t.body.len(), 0, whole, kind)?;
            } else if t.bytes {
                if !t.body.is_ascii() {
                    // CPython's caret spans the token's length in bytes.
                    let msg = "bytes can only contain ASCII literal characters".to_string();
                    let mut e = self.err_at(self.tok_span(i), msg);
                    e.end_offset = Some(e.offset + text.len() as u32);
                    return Err(e);
                }
                if t.raw || !t.body.contains('\\') {
                    bytes_buf.extend_from_slice(t.body.as_bytes());
                } else {
                    decode_bytes_escapes(t.body, &mut bytes_buf).map_err(|m| self.err_here(m))?;
                }
            } else if t.raw || !t.body.contains('\\') {
                st.add(t.body.as_bytes());
            } else {
                let mut buf = Vec::with_capacity(t.body.len());
                decode_str_escapes(t.body, &mut buf).map_err(|m| self.err_here(m))?;
                st.add(&buf);
            }
        }
        if bytes_mode {
            let b = self.arena.alloc_slice_copy(&bytes_buf);
            return Ok(Expr {
                kind: ExprKind::Constant {
                    value: Constant::Bytes(b),
                    kind: None,
                },
                span: whole,
            });
        }
        if !st.fmode {
            let s = st.last_str.take().unwrap_or_default();
            return Ok(Expr {
                kind: ExprKind::Constant {
                    value: Constant::Str(self.pystr(&s)),
                    kind,
                },
                span: whole,
            });
        }
        if let Some(s) = st.last_str.take() {
            let c = Expr {
                kind: ExprKind::Constant {
                    value: Constant::Str(self.pystr(&s)),
                    kind,
                },
                span: whole,
            };
            st.parts.push(c);
        }
        Ok(Expr {
            kind: ExprKind::JoinedStr {
                values: st.parts.into_bump_slice(),
            },
            span: whole,
        })
    }

    fn pystr(&self, wtf8: &[u8]) -> PyStr<'a> {
        PyStr::from_wtf8(self.arena.alloc_slice_copy(wtf8))
    }

    fn flush_str(&self, st: &mut StrState<'a>, span: Span, kind: Option<&'a str>) {
        if let Some(s) = st.last_str.take() {
            let c = Expr {
                kind: ExprKind::Constant {
                    value: Constant::Str(self.pystr(&s)),
                    kind,
                },
                span,
            };
            st.parts.push(c);
        }
    }

    /// `_PyPegen_FstringParser_ConcatFstring`: parses `t.body[*pos..end]` into `st`.
    #[allow(clippy::too_many_arguments)]
    fn fstring_concat(
        &mut self,
        st: &mut StrState<'a>,
        t: &StrTok<'a>,
        tok: usize,
        pos: &mut usize,
        end: usize,
        lvl: u32,
        whole: Span,
        kind: Option<&'a str>,
    ) -> PResult<()> {
        st.fmode = true;
        let s = t.body.as_bytes();
        loop {
            let doubled = self.fstring_literal(st, t, tok, pos, end, lvl)?;
            if doubled {
                continue;
            }
            if *pos >= end || s[*pos] == b'}' {
                break;
            }
            let (expr_text, fv) = self.fstring_expr(t, tok, pos, end, lvl, whole, kind)?;
            if let Some(text) = expr_text {
                st.add(text.as_bytes());
            }
            self.flush_str(st, whole, kind);
            st.parts.push(fv);
        }
        if lvl != 0 && (*pos >= end || s[*pos] != b'}') {
            return Err(self.fstring_error(tok, "f-string: expecting '}'"));
        }
        Ok(())
    }

    fn fstring_error(&self, _tok: usize, msg: &str) -> crate::error::SyntaxError {
        self.err_here(msg.to_string())
    }

    /// `fstring_find_literal`: the literal text up to the next single `{` (or `}` when nested).
    /// Returns true when it stopped after a doubled brace (the caller continues scanning).
    fn fstring_literal(
        &mut self,
        st: &mut StrState<'a>,
        t: &StrTok<'a>,
        tok: usize,
        pos: &mut usize,
        end: usize,
        lvl: u32,
    ) -> PResult<bool> {
        let s = t.body.as_bytes();
        let lit_start = *pos;
        let mut i = *pos;
        let mut doubled = false;
        let mut stop = end;
        while i < end {
            let mut ch = s[i];
            i += 1;
            if !t.raw && ch == b'\\' && i < end {
                ch = s[i];
                i += 1;
                if ch == b'N' {
                    if i < end && s[i] == b'{' {
                        i += 1;
                        while i < end {
                            let c = s[i];
                            i += 1;
                            if c == b'}' {
                                break;
                            }
                        }
                        stop = i;
                        continue;
                    }
                    // CPython stops the literal here (the escape is then reported invalid).
                    if i < end {
                        i += 1;
                    }
                    stop = i;
                    break;
                }
            }
            if ch == b'{' || ch == b'}' {
                if lvl == 0 {
                    if i < end && s[i] == ch {
                        doubled = true;
                        stop = i;
                        *pos = i + 1;
                        break;
                    }
                    if ch == b'}' {
                        return Err(self.fstring_error(tok, "f-string: single '}' is not allowed"));
                    }
                }
                stop = i - 1;
                break;
            }
            stop = i;
        }
        if !doubled {
            *pos = stop;
        }
        let lit = &t.body[lit_start..stop];
        if !lit.is_empty() {
            if t.raw || !lit.contains('\\') {
                st.add(lit.as_bytes());
            } else {
                let mut buf = Vec::with_capacity(lit.len());
                decode_str_escapes(lit, &mut buf)
                    .map_err(|m| self.err_at(self.tok_span(tok), m))?;
                st.add(&buf);
            }
        }
        Ok(doubled)
    }

    /// `fstring_find_expr`: `{expr[=][!c][:spec]}` starting at the `{` at `*pos`.
    #[allow(clippy::too_many_arguments)]
    fn fstring_expr(
        &mut self,
        t: &StrTok<'a>,
        tok: usize,
        pos: &mut usize,
        end: usize,
        lvl: u32,
        whole: Span,
        kind: Option<&'a str>,
    ) -> PResult<(Option<&'a str>, Expr<'a>)> {
        let s = t.body.as_bytes();
        if lvl >= 2 {
            return Err(self.fstring_error(tok, "f-string: expressions nested too deeply"));
        }
        *pos += 1;
        let expr_start = *pos;
        let mut quote: u8 = 0;
        let mut string_type = 0;
        let mut stack: Vec<u8> = Vec::new();
        while *pos < end {
            let ch = s[*pos];
            if ch == b'\\' {
                return Err(
                    self.fstring_error(tok, "f-string expression part cannot include a backslash")
                );
            }
            if quote != 0 {
                if ch == quote {
                    if string_type == 3 {
                        if *pos + 2 < end && s[*pos + 1] == ch && s[*pos + 2] == ch {
                            *pos += 3;
                            quote = 0;
                            string_type = 0;
                            continue;
                        }
                    } else {
                        quote = 0;
                        string_type = 0;
                        *pos += 1;
                        continue;
                    }
                }
            } else if ch == b'\'' || ch == b'"' {
                if *pos + 2 < end && s[*pos + 1] == ch && s[*pos + 2] == ch {
                    string_type = 3;
                    *pos += 2;
                } else {
                    string_type = 1;
                }
                quote = ch;
            } else if ch == b'[' || ch == b'{' || ch == b'(' {
                if stack.len() >= 200 {
                    return Err(self.fstring_error(tok, "f-string: too many nested parenthesis"));
                }
                stack.push(ch);
            } else if ch == b'#' {
                return Err(self.fstring_error(tok, "f-string expression part cannot include '#'"));
            } else if stack.is_empty() && matches!(ch, b'!' | b':' | b'}' | b'=' | b'>' | b'<') {
                if *pos + 1 < end {
                    let next = s[*pos + 1];
                    if (ch == b'!' || ch == b'=' || ch == b'<' || ch == b'>') && next == b'=' {
                        *pos += 2;
                        continue;
                    }
                }
                if ch == b'>' || ch == b'<' {
                    *pos += 1;
                    continue;
                }
                break;
            } else if ch == b']' || ch == b'}' || ch == b')' {
                let Some(open) = stack.pop() else {
                    return Err(
                        self.fstring_error(tok, &format!("f-string: unmatched '{}'", ch as char))
                    );
                };
                if !matches!((open, ch), (b'(', b')') | (b'[', b']') | (b'{', b'}')) {
                    return Err(self.fstring_error(
                        tok,
                        &format!(
                            "f-string: closing parenthesis '{}' does not match opening parenthesis '{}'",
                            ch as char, open as char
                        ),
                    ));
                }
            }
            *pos += 1;
        }
        let expr_end = *pos;
        if quote != 0 {
            return Err(self.fstring_error(tok, "f-string: unterminated string"));
        }
        if let Some(&open) = stack.last() {
            return Err(self.fstring_error(tok, &format!("f-string: unmatched '{}'", open as char)));
        }
        if *pos >= end {
            return Err(self.fstring_error(tok, "f-string: expecting '}'"));
        }
        let value = self.fstring_compile(t, tok, expr_start, expr_end)?;
        let mut expr_text = None;
        if s[*pos] == b'=' {
            *pos += 1;
            while *pos < end && matches!(s[*pos], b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) {
                *pos += 1;
            }
            if *pos >= end {
                return Err(self.fstring_error(tok, "f-string: expecting '}'"));
            }
            expr_text = Some(&t.body[expr_start..*pos]);
        }
        let mut conversion: i32 = -1;
        if s[*pos] == b'!' {
            *pos += 1;
            if *pos >= end {
                return Err(self.fstring_error(tok, "f-string: expecting '}'"));
            }
            conversion = s[*pos] as i32;
            *pos += 1;
            if !matches!(conversion as u8, b's' | b'r' | b'a') {
                return Err(self.fstring_error(
                    tok,
                    "f-string: invalid conversion character: expected 's', 'r', or 'a'",
                ));
            }
        }
        let mut format_spec = None;
        if *pos < end && s[*pos] == b':' {
            *pos += 1;
            if *pos >= end {
                return Err(self.fstring_error(tok, "f-string: expecting '}'"));
            }
            // The spec is a JoinedStr positioned at this token; its parts at the whole string.
            let mut sub = StrState {
                fmode: false,
                last_str: None,
                parts: self.vec(),
            };
            self.fstring_concat(&mut sub, t, tok, pos, end, lvl + 1, whole, kind)?;
            let tspan = self.tok_span(tok);
            self.flush_str(&mut sub, tspan, kind);
            let spec = Expr {
                kind: ExprKind::JoinedStr {
                    values: sub.parts.into_bump_slice(),
                },
                span: tspan,
            };
            format_spec = Some(self.alloc(spec));
        }
        if *pos >= end || s[*pos] != b'}' {
            return Err(self.fstring_error(tok, "f-string: expecting '}'"));
        }
        *pos += 1;
        if expr_text.is_some() && format_spec.is_none() && conversion == -1 {
            conversion = b'r' as i32;
        }
        let fv = Expr {
            kind: ExprKind::FormattedValue {
                value: self.alloc(value),
                conversion,
                format_spec,
            },
            span: whole,
        };
        Ok((expr_text, fv))
    }

    /// `fstring_compile_expr`: parses `body[start..end]` as `(expr)`, positioned in the file.
    fn fstring_compile(
        &mut self,
        t: &StrTok<'a>,
        tok: usize,
        start: usize,
        end: usize,
    ) -> PResult<Expr<'a>> {
        let text = &t.body[start..end];
        if text
            .bytes()
            .all(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\x0c' | b'\r'))
        {
            let next = t.body.as_bytes().get(end).copied().unwrap_or(b'}');
            if matches!(next, b'=' | b'!' | b':') && text.is_empty() {
                let msg = format!("f-string: expression required before '{}'", next as char);
                return Err(self.fstring_error(tok, &msg));
            }
            return Err(self.fstring_error(tok, "f-string: empty expression not allowed"));
        }
        let mut sub_src = String::with_capacity(text.len() + 2);
        sub_src.push('(');
        sub_src.push_str(text);
        sub_src.push(')');
        let sub_src: &'a str = self.arena.alloc_str(&sub_src);
        // Offset of `(` in the real file: it stands where the `{` is.
        let brace = self.toks[tok].start as i64 + t.body_off as i64 + start as i64 - 1;
        let shift = self.shift + brace;
        let tokens = super::lex(sub_src, false).map_err(|e| {
            let mut e2 = self.err_at(self.tok_span(tok), format!("f-string: {}", e.msg));
            e2.kind = e.kind;
            e2
        })?;
        let opts = super::ParseOptions {
            type_comments: false,
            ..self.opts
        };
        let mut sub = Parser::new(self.arena, sub_src, self.map, &tokens, shift, opts)?;
        sub.depth = self.depth;
        let e = sub.star_expressions().map_err(|e| {
            if e.msg.starts_with("f-string") || e.kind != SyntaxErrorKind::SyntaxError {
                e
            } else {
                let mut e = e;
                e.msg = format!("f-string: {}", e.msg);
                e
            }
        })?;
        while sub.eat(T::Newline) {}
        if !sub.at(T::EndMarker) {
            let mut e = sub.err_invalid_syntax();
            e.msg = format!("f-string: {}", e.msg);
            return Err(e);
        }
        Ok(e)
    }
}

/// Parses a NUMBER token's text.
pub(crate) fn parse_number<'a>(text: &str, arena: &'a bumpalo::Bump) -> Option<Constant<'a>> {
    let owned;
    let t: &str = if text.contains('_') {
        owned = text.replace('_', "");
        &owned
    } else {
        text
    };
    let b = t.as_bytes();
    let radix = if b.len() > 2 && b[0] == b'0' {
        match b[1] {
            b'x' | b'X' => 16,
            b'o' | b'O' => 8,
            b'b' | b'B' => 2,
            _ => 10,
        }
    } else {
        10
    };
    if radix != 10 {
        return parse_int(&t[2..], radix, arena);
    }
    if let Some(imag) = t.strip_suffix(['j', 'J']) {
        return Some(Constant::Complex {
            real: 0.0,
            imag: imag.parse().ok()?,
        });
    }
    if t.contains(['.', 'e', 'E']) {
        return Some(Constant::Float(t.parse().ok()?));
    }
    parse_int(t, 10, arena)
}

fn parse_int<'a>(digits: &str, radix: u32, arena: &'a bumpalo::Bump) -> Option<Constant<'a>> {
    if let Ok(v) = i64::from_str_radix(digits, radix) {
        return Some(Constant::Int(Int::Small(v)));
    }
    let big = num_bigint::BigUint::parse_bytes(digits.as_bytes(), radix)?;
    Some(Constant::Int(Int::Big(
        arena.alloc_str(&big.to_str_radix(10)),
    )))
}

fn hex_digits(s: &[u8], i: usize, n: usize) -> Option<u32> {
    if i + n > s.len() {
        return None;
    }
    let mut v = 0u32;
    for &c in &s[i..i + n] {
        v = v * 16 + (c as char).to_digit(16)?;
    }
    Some(v)
}

/// Decodes the escapes of a (non-raw) str literal body into WTF-8, as `unicode_escape` does.
pub(crate) fn decode_str_escapes(body: &str, out: &mut Vec<u8>) -> Result<(), String> {
    let s = body.as_bytes();
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        if c != b'\\' {
            // Copy a run of plain bytes (valid UTF-8 from the source).
            let j = s[i..]
                .iter()
                .position(|&b| b == b'\\')
                .map_or(s.len(), |p| i + p);
            out.extend_from_slice(&s[i..j]);
            i = j;
            continue;
        }
        let esc_start = i;
        i += 1;
        if i >= s.len() {
            return Err("(unicode error) 'unicodeescape' codec can't decode byte 0x5c in position {}: \\ at end of string".replace("{}", &esc_start.to_string()));
        }
        let e = s[i];
        i += 1;
        match e {
            b'\n' => {}
            b'\r' => {
                if i < s.len() && s[i] == b'\n' {
                    i += 1;
                }
            }
            b'\\' => out.push(b'\\'),
            b'\'' => out.push(b'\''),
            b'"' => out.push(b'"'),
            b'a' => out.push(7),
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'v' => out.push(11),
            b'0'..=b'7' => {
                let mut v = (e - b'0') as u32;
                for _ in 0..2 {
                    if i < s.len() && (b'0'..=b'7').contains(&s[i]) {
                        v = v * 8 + (s[i] - b'0') as u32;
                        i += 1;
                    } else {
                        break;
                    }
                }
                push_cp(out, v);
            }
            b'x' | b'u' | b'U' => {
                let n = match e {
                    b'x' => 2,
                    b'u' => 4,
                    _ => 8,
                };
                let Some(v) = hex_digits(s, i, n) else {
                    let what = match e {
                        b'x' => "truncated \\xXX escape",
                        b'u' => "truncated \\uXXXX escape",
                        _ => "truncated \\UXXXXXXXX escape",
                    };
                    let mut end = i;
                    while end < s.len() && end < i + n && (s[end] as char).is_ascii_hexdigit() {
                        end += 1;
                    }
                    return Err(format!(
                        "(unicode error) 'unicodeescape' codec can't decode bytes in position {}-{}: {what}",
                        esc_start,
                        end - 1
                    ));
                };
                if v > 0x10ffff {
                    return Err(format!(
                        "(unicode error) 'unicodeescape' codec can't decode bytes in position {}-{}: illegal Unicode character",
                        esc_start,
                        i + n - 1
                    ));
                }
                i += n;
                push_cp(out, v);
            }
            b'N' => {
                let bad = || {
                    format!(
                        "(unicode error) 'unicodeescape' codec can't decode bytes in position {}-{}: malformed \\N character escape",
                        esc_start,
                        esc_start + 1
                    )
                };
                if i >= s.len() || s[i] != b'{' {
                    return Err(bad());
                }
                let Some(close) = s[i..].iter().position(|&b| b == b'}') else {
                    return Err(bad());
                };
                let name = &body[i + 1..i + close];
                let Some(ch) = lookup_unicode_name(name) else {
                    return Err(format!(
                        "(unicode error) 'unicodeescape' codec can't decode bytes in position {}-{}: unknown Unicode character name",
                        esc_start,
                        i + close
                    ));
                };
                i += close + 1;
                push_cp(out, ch as u32);
            }
            _ => {
                // Unknown escape: kept as written (CPython warns, DeprecationWarning).
                out.push(b'\\');
                i -= 1;
            }
        }
    }
    Ok(())
}

fn lookup_unicode_name(name: &str) -> Option<char> {
    unicode_names2::character(name)
}

/// Decodes the escapes of a (non-raw) bytes literal body.
pub(crate) fn decode_bytes_escapes(body: &str, out: &mut Vec<u8>) -> Result<(), String> {
    let s = body.as_bytes();
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        if c != b'\\' {
            out.push(c);
            i += 1;
            continue;
        }
        let esc_start = i;
        i += 1;
        if i >= s.len() {
            return Err("(value error) Trailing \\ in string".into());
        }
        let e = s[i];
        i += 1;
        match e {
            b'\n' => {}
            b'\r' => {
                if i < s.len() && s[i] == b'\n' {
                    i += 1;
                }
            }
            b'\\' => out.push(b'\\'),
            b'\'' => out.push(b'\''),
            b'"' => out.push(b'"'),
            b'a' => out.push(7),
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'v' => out.push(11),
            b'0'..=b'7' => {
                let mut v = (e - b'0') as u32;
                for _ in 0..2 {
                    if i < s.len() && (b'0'..=b'7').contains(&s[i]) {
                        v = v * 8 + (s[i] - b'0') as u32;
                        i += 1;
                    } else {
                        break;
                    }
                }
                out.push(v as u8);
            }
            b'x' => {
                let Some(v) = hex_digits(s, i, 2) else {
                    return Err(format!(
                        "(value error) invalid \\x escape at position {esc_start}"
                    ));
                };
                i += 2;
                out.push(v as u8);
            }
            _ => {
                out.push(b'\\');
                i -= 1;
            }
        }
    }
    Ok(())
}
