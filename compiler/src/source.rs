//! Source text: decoding a file's bytes to text (PEP 263 / PEP 3120) and mapping byte offsets to
//! lines and columns.
//!
//! Owns:
//! - [`decode`]: bytes → `String`. Strips a UTF-8 BOM, honours a coding cookie in the first two
//!   lines (the rules of CPython's `Parser/tokenizer.c`: the cookie must sit in a comment that is
//!   alone on its line; the second line is only looked at when the first is blank or a comment),
//!   rejects NUL bytes and undecodable bytes with CPython's messages.
//! - [`detect_encoding`]: just the cookie/BOM logic, as `tokenize.detect_encoding` (the
//!   `tokenize` mode and its `ENCODING` token need the name as tokenize spells it).
//! - [`LineIndex`]: built once per source; byte offset → 1-based line, UTF-8 byte column,
//!   character column; the text of a line. Binary search over line starts.
//!
//! Line ends are `\n`, `\r\n` and a lone `\r`, as CPython's universal newlines.
//! The text is kept as written (no newline translation): token offsets point into it.
//!
//! Must not know about tokens or the AST.

use crate::error::{SyntaxError, SyntaxErrorKind};

/// The encoding a file declares, as CPython normalises it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Encoding {
    /// The name as `tokenize` reports it (`"utf-8"`, `"utf-8-sig"`, `"iso-8859-1"`, `"cp1252"`).
    pub tokenize_name: String,
    /// Bytes to skip at the start (3 for a UTF-8 BOM, else 0).
    pub bom_len: usize,
    codec: Codec,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Codec {
    Utf8,
    Latin1,
    Ascii,
    /// Any other single- or multi-byte encoding, decoded by `encoding_rs`.
    Other(&'static encoding_rs::Encoding),
}

fn plain_error(msg: impl Into<String>) -> SyntaxError {
    // CPython reports decoding-stage errors at line 0 with no offset.
    let mut e = SyntaxError::new(SyntaxErrorKind::SyntaxError, msg, 0, 0);
    e.offset = 0;
    e
}

/// `get_normal_name` of tokenizer.c / `_get_normal_name` of tokenize.py: the first 12 characters,
/// lower-cased with `_` → `-`, decide whether it is UTF-8 or Latin-1; other names are kept.
pub(crate) fn normal_name(orig: &str) -> String {
    let enc: String = orig
        .chars()
        .take(12)
        .map(|c| {
            if c == '_' {
                '-'
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect();
    if enc == "utf-8" || enc.starts_with("utf-8-") {
        return "utf-8".into();
    }
    for latin in ["latin-1", "iso-8859-1", "iso-latin-1"] {
        if enc == latin || enc.starts_with(&format!("{latin}-")) {
            return "iso-8859-1".into();
        }
    }
    orig.to_string()
}

/// The codec for a (normalised) encoding name, following Python's `codecs.lookup` aliases for the
/// encodings CPython users actually declare.
pub(crate) fn lookup_codec(name: &str) -> Option<Codec> {
    let key: String = name
        .chars()
        .map(|c| {
            if c == '_' || c == ' ' {
                '-'
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect();
    match key.as_str() {
        "utf-8" | "utf8" | "u8" | "utf" | "cp65001" => return Some(Codec::Utf8),
        "iso-8859-1" | "latin-1" | "latin1" | "iso8859-1" | "8859" | "cp819" | "l1" | "latin" => {
            return Some(Codec::Latin1)
        }
        "ascii" | "us-ascii" | "646" | "us" => return Some(Codec::Ascii),
        _ => {}
    }
    // Python spells code pages `cp1252`, WHATWG `windows-1252`.
    let whatwg = if let Some(n) = key.strip_prefix("cp").filter(|n| n.starts_with("12")) {
        format!("windows-{n}")
    } else if let Some(n) = key.strip_prefix("iso8859-") {
        format!("iso-8859-{n}")
    } else {
        key.clone()
    };
    let enc = encoding_rs::Encoding::for_label_no_replacement(whatwg.as_bytes())?;
    // WHATWG maps several legacy labels to supersets (e.g. latin-1 → windows-1252); accept only
    // encodings whose WHATWG name is really the one asked for.
    let canonical = enc.name().to_ascii_lowercase();
    let ok = canonical == whatwg
        || matches!(
            (whatwg.as_str(), canonical.as_str()),
            ("koi8-r", "koi8-r")
                | ("koi8-u", "koi8-u")
                | ("shift-jis" | "sjis" | "shiftjis", "shift_jis")
                | ("euc-jp" | "eucjp", "euc-jp")
                | ("gbk" | "cp936", "gbk")
                | ("gb18030", "gb18030")
                | ("big5", "big5")
                | ("euc-kr" | "euckr", "euc-kr")
        );
    ok.then_some(Codec::Other(enc))
}

/// Finds a coding spec in one line, as `get_coding_spec` in tokenizer.c: the line must be a
/// comment (only blanks before `#`), then `coding[:=]\s*([-\w.]+)`.
pub(crate) fn coding_spec(line: &[u8]) -> Option<&str> {
    let hash = line.iter().position(|&b| b == b'#')?;
    if !line[..hash]
        .iter()
        .all(|&b| matches!(b, b' ' | b'\t' | b'\x0c'))
    {
        return None;
    }
    let rest = &line[hash..];
    let mut i = 0;
    while i + 6 <= rest.len() {
        if &rest[i..i + 6] == b"coding" {
            let mut t = i + 6;
            if t < rest.len() && (rest[t] == b':' || rest[t] == b'=') {
                t += 1;
                while t < rest.len() && (rest[t] == b' ' || rest[t] == b'\t') {
                    t += 1;
                }
                let begin = t;
                while t < rest.len()
                    && (rest[t].is_ascii_alphanumeric() || matches!(rest[t], b'-' | b'_' | b'.'))
                {
                    t += 1;
                }
                if t > begin {
                    return std::str::from_utf8(&rest[begin..t]).ok();
                }
            }
        }
        i += 1;
    }
    None
}

/// True if the line holds nothing but blanks and possibly a comment (tokenize's `blank_re`).
pub(crate) fn is_blank_or_comment(line: &[u8]) -> bool {
    for &b in line {
        match b {
            b' ' | b'\t' | b'\x0c' => continue,
            b'#' | b'\r' | b'\n' => return true,
            _ => return false,
        }
    }
    true
}

fn first_lines(bytes: &[u8]) -> (&[u8], Option<&[u8]>) {
    let split = |s: &'_ [u8]| -> (usize, bool) {
        match s.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (s.len(), false),
        }
    };
    let (n1, more) = split(bytes);
    let first = &bytes[..n1];
    if !more || n1 == bytes.len() {
        return (first, None);
    }
    let (n2, _) = split(&bytes[n1..]);
    (first, Some(&bytes[n1..n1 + n2]))
}

/// Determines the encoding of a file from its BOM and coding cookie, as
/// `tokenize.detect_encoding` does (messages are `compile()`'s).
pub fn detect_encoding(bytes: &[u8]) -> Result<Encoding, SyntaxError> {
    let (bom_len, body) = match bytes.strip_prefix(b"\xef\xbb\xbf") {
        Some(rest) => (3, rest),
        None => (0, bytes),
    };
    let (l1, l2) = first_lines(body);
    let mut spec = coding_spec(l1);
    if spec.is_none() && is_blank_or_comment(l1) {
        spec = l2.and_then(coding_spec);
    }
    let Some(spec) = spec else {
        return Ok(Encoding {
            tokenize_name: if bom_len > 0 { "utf-8-sig" } else { "utf-8" }.into(),
            bom_len,
            codec: Codec::Utf8,
        });
    };
    let name = normal_name(spec);
    let Some(codec) = lookup_codec(&name) else {
        return Err(plain_error(format!("unknown encoding: {name}")));
    };
    if bom_len > 0 {
        // tokenizer.c compares the normalised *name*: `utf8` with a BOM is an error too.
        if name != "utf-8" {
            return Err(plain_error(format!("encoding problem: {name} with BOM")));
        }
        return Ok(Encoding {
            tokenize_name: "utf-8-sig".into(),
            bom_len,
            codec,
        });
    }
    Ok(Encoding {
        tokenize_name: name,
        bom_len,
        codec,
    })
}

/// The 1-based line and the 0-based byte column of byte `pos` in `bytes`.
fn byte_line_col(bytes: &[u8], pos: usize) -> (u32, usize) {
    let before = &bytes[..pos];
    let line = before.iter().filter(|&&b| b == b'\n').count() as u32 + 1;
    let col = pos
        - before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
    (line, col)
}

/// True if the first two lines declare an encoding.
fn has_cookie(bytes: &[u8]) -> bool {
    let (l1, l2) = first_lines(bytes);
    coding_spec(l1).is_some() || (is_blank_or_comment(l1) && l2.and_then(coding_spec).is_some())
}

/// Decodes a Python source file to text.
///
/// Errors follow `compile(bytes, ...)`: `source code string cannot contain null bytes`,
/// `unknown encoding: X`, `encoding problem: X with BOM`, and for bytes the declared encoding
/// cannot decode, `(unicode error) 'utf-8' codec can't decode byte 0xff in position N: invalid
/// start byte`. CPython decodes UTF-8 lazily, token by token, so for invalid UTF-8 the position
/// and precedence depend on the token holding the bad byte (see `lexer/invalid_utf8.rs`); bad
/// bytes in comments are accepted (replaced by U+FFFD).
pub fn decode(bytes: &[u8]) -> Result<String, SyntaxError> {
    if memchr::memchr(0, bytes).is_some() {
        return Err(plain_error("source code string cannot contain null bytes"));
    }
    let enc = detect_encoding(bytes)?;
    let body = &bytes[enc.bom_len..];
    match enc.codec {
        Codec::Utf8 => match std::str::from_utf8(body) {
            Ok(s) => Ok(s.to_owned()),
            // CPython decodes lazily, token by token: where the bad byte sits decides the error.
            Err(_) if enc.tokenize_name != "utf-8-sig" && !has_cookie(bytes) => {
                crate::lexer::invalid_utf8::locate(body)
            }
            Err(e) => Err(utf8_error(body, &e)),
        },
        Codec::Latin1 => Ok(body.iter().map(|&b| b as char).collect()),
        Codec::Ascii => match body.iter().position(|&b| b >= 0x80) {
            None => Ok(String::from_utf8(body.to_vec()).expect("ASCII is UTF-8")),
            Some(pos) => {
                let (line, col) = byte_line_col(body, pos);
                Err(SyntaxError::new(
                    SyntaxErrorKind::SyntaxError,
                    format!(
                        "(unicode error) 'ascii' codec can't decode byte 0x{:02x} in position {col}: ordinal not in range(128)",
                        body[pos]
                    ),
                    line,
                    col as u32 + 1,
                ))
            }
        },
        Codec::Other(e) => {
            let (text, had_errors) = e.decode_without_bom_handling(body);
            if had_errors {
                // encoding_rs does not say where; find the first replacement character.
                let line = text
                    .find('\u{fffd}')
                    .map_or(1, |p| text[..p].matches('\n').count() as u32 + 1);
                return Err(SyntaxError::new(
                    SyntaxErrorKind::SyntaxError,
                    format!(
                        "(unicode error) '{}' codec can't decode bytes",
                        enc.tokenize_name
                    ),
                    line,
                    1,
                ));
            }
            Ok(text.into_owned())
        }
    }
}

/// Python's `UnicodeDecodeError` text for invalid UTF-8 at `pos` of `bytes` (positions are
/// relative to `base`): `'utf-8' codec can't decode byte 0xff in position 4: invalid start byte`.
pub fn utf8_error_message(bytes: &[u8], e: &std::str::Utf8Error, base: usize) -> String {
    let pos = e.valid_up_to();
    let b = bytes[pos];
    let rel = pos - base;
    let (n, reason) = match e.error_len() {
        None => (bytes.len() - pos, "unexpected end of data"),
        Some(n) if (0xc2..=0xf4).contains(&b) => (n, "invalid continuation byte"),
        Some(n) => (n, "invalid start byte"),
    };
    if n == 1 {
        format!("'utf-8' codec can't decode byte 0x{b:02x} in position {rel}: {reason}")
    } else {
        format!(
            "'utf-8' codec can't decode bytes in position {rel}-{}: {reason}",
            rel + n - 1
        )
    }
}

fn utf8_error(body: &[u8], e: &std::str::Utf8Error) -> SyntaxError {
    let pos = e.valid_up_to();
    let (line, col) = byte_line_col(body, pos);
    let line_start = pos - col;
    let msg = format!(
        "(unicode error) {}",
        utf8_error_message(body, e, line_start)
    );
    let line_end = body[pos..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(body.len(), |i| pos + i);
    let text = String::from_utf8_lossy(&body[line_start..line_end]).into_owned();
    let char_col = String::from_utf8_lossy(&body[line_start..pos])
        .chars()
        .count() as u32;
    SyntaxError::new(SyntaxErrorKind::SyntaxError, msg, line, char_col + 1).with_text(text)
}

/// Decodes `body` with a non-UTF-8 codec; `Err(line index)` of the first undecodable line.
pub(crate) fn decode_with(codec: Codec, body: &[u8]) -> Result<String, (usize, String)> {
    match codec {
        Codec::Utf8 => std::str::from_utf8(body).map(str::to_owned).map_err(|e| {
            let pos = e.valid_up_to();
            let (line, col) = byte_line_col(body, pos);
            (line as usize - 1, utf8_error_message(body, &e, pos - col))
        }),
        Codec::Latin1 => Ok(body.iter().map(|&b| b as char).collect()),
        Codec::Ascii => match body.iter().position(|&b| b >= 0x80) {
            None => Ok(String::from_utf8(body.to_vec()).expect("ASCII is UTF-8")),
            Some(pos) => {
                let (line, col) = byte_line_col(body, pos);
                let msg = format!(
                    "'ascii' codec can't decode byte 0x{:02x} in position {col}: ordinal not in range(128)",
                    body[pos]
                );
                Err((line as usize - 1, msg))
            }
        },
        Codec::Other(enc) => {
            let (text, had_errors) = enc.decode_without_bom_handling(body);
            if had_errors {
                let line = text
                    .find('\u{fffd}')
                    .map_or(0, |p| text[..p].matches('\n').count());
                return Err((line, format!("'{}' codec can't decode bytes", enc.name())));
            }
            Ok(text.into_owned())
        }
    }
}

/// Maps byte offsets of one source text to lines and columns.
#[derive(Clone, Debug)]
pub struct LineIndex {
    /// Byte offset of the start of each line; `line_starts[0] == 0`. A line ends after its
    /// `\n`, `\r\n` or lone `\r`.
    line_starts: Vec<u32>,
    len: u32,
}

/// Calls `f` with the byte offset of every line start, in order, starting with 0. A line ends
/// after `\n`, `\r\n` or a lone `\r`. (memchr: line ends are sparse, ~1 byte in 35.)
#[inline]
pub(crate) fn for_each_line_start(bytes: &[u8], mut f: impl FnMut(u32)) {
    f(0);
    for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
        // `\r\n` is one line end: its `\n` starts the next line.
        if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
            continue;
        }
        f(i as u32 + 1);
    }
}

impl LineIndex {
    pub fn new(source: &str) -> LineIndex {
        let bytes = source.as_bytes();
        let mut line_starts = Vec::with_capacity(bytes.len() / 32 + 1);
        for_each_line_start(bytes, |off| line_starts.push(off));
        LineIndex {
            line_starts,
            len: bytes.len() as u32,
        }
    }

    /// Number of lines; a final line without a line end counts, an empty one after the last
    /// newline does not.
    pub fn line_count(&self) -> u32 {
        let n = self.line_starts.len() as u32;
        if *self.line_starts.last().unwrap() == self.len && n > 1 {
            n - 1
        } else {
            n
        }
    }

    /// 1-based line containing byte `offset` (an offset at the very end belongs to the last
    /// line start at or before it).
    pub fn line_of(&self, offset: u32) -> u32 {
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i as u32 + 1,
            Err(i) => i as u32,
        }
    }

    /// Byte offset where 1-based `line` starts (the end of the text for lines past the end).
    pub fn line_start(&self, line: u32) -> u32 {
        self.line_starts
            .get(line.saturating_sub(1) as usize)
            .copied()
            .unwrap_or(self.len)
    }

    /// (1-based line, 0-based UTF-8 byte column) of `offset` — the AST's convention.
    pub fn line_col(&self, offset: u32) -> (u32, u32) {
        let line = self.line_of(offset);
        (line, offset - self.line_start(line))
    }

    /// (1-based line, 0-based character column) of `offset` — tokenize's and SyntaxError's.
    pub fn line_char_col(&self, source: &str, offset: u32) -> (u32, u32) {
        let line = self.line_of(offset);
        let start = self.line_start(line) as usize;
        (line, char_count(&source[start..offset as usize]))
    }

    /// The text of 1-based `line` including its line end ("" past the end).
    pub fn line_text<'s>(&self, source: &'s str, line: u32) -> &'s str {
        if line == 0 || line as usize > self.line_starts.len() {
            return "";
        }
        let start = self.line_start(line) as usize;
        let end = self
            .line_starts
            .get(line as usize)
            .map_or(source.len(), |&e| e as usize);
        &source[start..end]
    }
}

/// Number of characters in `s`, counting only non-continuation bytes (no full decode).
pub fn char_count(s: &str) -> u32 {
    char_count_bytes(s.as_bytes())
}

/// Number of UTF-8 characters starting in `b` (which may begin or end inside a character).
pub fn char_count_bytes(b: &[u8]) -> u32 {
    if b.is_ascii() {
        return b.len() as u32;
    }
    b.iter().filter(|&&x| (x as i8) >= -0x40).count() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_plain_bom_and_cookies() {
        assert_eq!(decode(b"x = 1\n").unwrap(), "x = 1\n");
        assert_eq!(decode(b"\xef\xbb\xbfx = 1\n").unwrap(), "x = 1\n");
        assert_eq!(
            decode(b"# coding: latin-1\nx = '\xe9'\n").unwrap(),
            "# coding: latin-1\nx = '\u{e9}'\n"
        );
        assert_eq!(
            detect_encoding(b"#!/bin/python\n# -*- coding: cp1252 -*-\n")
                .unwrap()
                .tokenize_name,
            "cp1252"
        );
        // A cookie after a code line is not a cookie.
        assert_eq!(
            detect_encoding(b"x = 1\n# coding: latin-1\n")
                .unwrap()
                .tokenize_name,
            "utf-8"
        );
        assert_eq!(
            detect_encoding(b"# coding: latin1\n")
                .unwrap()
                .tokenize_name,
            "latin1"
        );
        assert_eq!(
            detect_encoding(b"# coding: Latin_1\n")
                .unwrap()
                .tokenize_name,
            "iso-8859-1"
        );
        let cp = decode(b"# coding: cp1252\nx = '\x80'\n").unwrap();
        assert!(cp.contains('\u{20ac}'));
        let koi = decode(b"# coding: koi8-r\nx = '\xc1'\n").unwrap();
        assert!(koi.contains('\u{430}'));
    }

    #[test]
    fn decode_errors() {
        let e = decode(b"x = 1\x00\n").unwrap_err();
        assert_eq!(e.msg, "source code string cannot contain null bytes");
        let e = decode(b"# -*- coding: uft-8 -*-\n").unwrap_err();
        assert_eq!(e.msg, "unknown encoding: uft-8");
        let e = decode(b"\xef\xbb\xbf# coding: latin-1\n").unwrap_err();
        assert_eq!(e.msg, "encoding problem: iso-8859-1 with BOM");
        // Invalid UTF-8 is judged per token, as compile() does (cases checked against CPython in
        // tests/tokens_errors.rs): in a name, relative to the name; in a comment, accepted.
        let e = decode(b"x = 1\ny = \xff\n").unwrap_err();
        assert_eq!((e.lineno, e.offset), (2, 5));
        assert!(
            e.msg.ends_with("in position 0: invalid start byte"),
            "{}",
            e.msg
        );
        let e = decode(b"x = '\xe2\x82").unwrap_err();
        assert!(
            e.msg.starts_with("unterminated string literal"),
            "{}",
            e.msg
        );
        assert_eq!(decode(b"# \xff\nx = 1\n").unwrap(), "# \u{fffd}\nx = 1\n");
    }

    #[test]
    fn line_index() {
        let s = "ab\r\nc\rd\n\u{e9}x\n";
        let ix = LineIndex::new(s);
        assert_eq!(ix.line_count(), 4);
        assert_eq!(ix.line_col(0), (1, 0));
        assert_eq!(ix.line_col(4), (2, 0));
        assert_eq!(ix.line_col(6), (3, 0));
        assert_eq!(ix.line_col(10), (4, 2));
        assert_eq!(ix.line_char_col(s, 10), (4, 1));
        assert_eq!(ix.line_text(s, 1), "ab\r\n");
        assert_eq!(ix.line_text(s, 4), "\u{e9}x\n");
        assert_eq!(ix.line_text(s, 9), "");
    }
}
