//! Compile-time errors shared by every front-end stage (lexer, parser, symbol tables, codegen).
//!
//! A `SyntaxError` carries what CPython's `SyntaxError` carries — kind, message, file, 1-based
//! line, 1-based column counted in characters, an optional end position, and the offending source
//! line — so the CLI can print it exactly as CPython does:
//!
//! ```text
//!   File "x.py", line 1
//!     foo(
//!        ^
//! SyntaxError: '(' was never closed
//! ```

use std::fmt;

/// Which Python exception class the error is raised as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyntaxErrorKind {
    SyntaxError,
    IndentationError,
    TabError,
    /// Input nested beyond the parser's depth limit. CPython raises `RecursionError` ("maximum
    /// recursion depth exceeded during ast construction") or `MemoryError` for such input; it is
    /// not a SyntaxError and is printed without a source frame.
    RecursionError,
}

impl SyntaxErrorKind {
    pub fn name(self) -> &'static str {
        match self {
            SyntaxErrorKind::SyntaxError => "SyntaxError",
            SyntaxErrorKind::IndentationError => "IndentationError",
            SyntaxErrorKind::TabError => "TabError",
            SyntaxErrorKind::RecursionError => "RecursionError",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub kind: SyntaxErrorKind,
    pub msg: String,
    /// 1-based line number.
    pub lineno: u32,
    /// 1-based column of the caret, in characters (CPython's `SyntaxError.offset`).
    pub offset: u32,
    /// 1-based end line and end column (exclusive), when CPython reports a range.
    pub end_lineno: Option<u32>,
    pub end_offset: Option<u32>,
    /// The source line the error points into, without its newline; `None` when there is none.
    pub text: Option<String>,
}

impl SyntaxError {
    pub fn new(kind: SyntaxErrorKind, msg: impl Into<String>, lineno: u32, offset: u32) -> Self {
        SyntaxError {
            kind,
            msg: msg.into(),
            lineno,
            offset,
            end_lineno: None,
            end_offset: None,
            text: None,
        }
    }

    pub fn with_end(mut self, end_lineno: u32, end_offset: u32) -> Self {
        self.end_lineno = Some(end_lineno);
        self.end_offset = Some(end_offset);
        self
    }

    pub fn with_text(mut self, text: impl Into<String>) -> Self {
        self.text = Some(text.into());
        self
    }

    /// Renders the error the way CPython's default excepthook prints an uncaught SyntaxError
    /// (`traceback.format_exception_only`), including the source line and the caret(s).
    pub fn render(&self, filename: &str) -> String {
        if self.kind == SyntaxErrorKind::RecursionError {
            return format!("{}: {}\n", self.kind.name(), self.msg);
        }
        let mut out = format!("  File \"{}\", line {}\n", filename, self.lineno);
        if let Some(text) = &self.text {
            // CPython strips leading whitespace from the shown line and shifts the caret with it.
            let stripped = text.trim_start_matches([' ', '\t', '\x0c']);
            let removed = text.chars().count() - stripped.chars().count();
            let line = stripped.trim_end_matches(['\n', '\r']);
            out.push_str("    ");
            out.push_str(line);
            out.push('\n');
            if self.offset >= 1 {
                let line_len = line.len() as i64; // CPython clips with strlen(): bytes
                let start = (self.offset as i64 - 1 - removed as i64).clamp(0, line_len);
                let mut end = start + 1;
                if let (Some(el), Some(eo)) = (self.end_lineno, self.end_offset) {
                    if el == self.lineno && eo > self.offset {
                        end = (eo as i64 - 1 - removed as i64).min(line_len + 1);
                    }
                }
                let end = end.max(start + 1);
                out.push_str("    ");
                for c in line.chars().take(start as usize) {
                    out.push(if c.is_whitespace() { c } else { ' ' });
                }
                for _ in start..end {
                    out.push('^');
                }
                out.push('\n');
            }
        }
        out.push_str(self.kind.name());
        out.push_str(": ");
        out.push_str(&self.msg);
        out.push('\n');
        out
    }
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} (line {}, column {})",
            self.kind.name(),
            self.msg,
            self.lineno,
            self.offset
        )
    }
}

impl std::error::Error for SyntaxError {}
