//! Token kinds and the token record shared by the lexer, `nanopy tokens` and the parser.
//!
//! The kinds are CPython's `token` module, in its numbering, defined once in `for_each_token!`
//! (name, and for operators their exact text). Operators carry their exact kind (`Plus`,
//! `LeftShiftEqual`, ...); `python -m tokenize` prints them as `OP` unless `-e` is given.
//! Keywords are `Name` tokens: the parser tells them apart by their text, as CPython's does.

/// The single table of token kinds: `Variant = number, "NAME", Some("exact text") | None`.
macro_rules! for_each_token {
    ($m:ident) => {
        $m! {
            EndMarker = 0, "ENDMARKER", None;
            Name = 1, "NAME", None;
            Number = 2, "NUMBER", None;
            String = 3, "STRING", None;
            Newline = 4, "NEWLINE", None;
            Indent = 5, "INDENT", None;
            Dedent = 6, "DEDENT", None;
            Lpar = 7, "LPAR", Some("(");
            Rpar = 8, "RPAR", Some(")");
            Lsqb = 9, "LSQB", Some("[");
            Rsqb = 10, "RSQB", Some("]");
            Colon = 11, "COLON", Some(":");
            Comma = 12, "COMMA", Some(",");
            Semi = 13, "SEMI", Some(";");
            Plus = 14, "PLUS", Some("+");
            Minus = 15, "MINUS", Some("-");
            Star = 16, "STAR", Some("*");
            Slash = 17, "SLASH", Some("/");
            Vbar = 18, "VBAR", Some("|");
            Amper = 19, "AMPER", Some("&");
            Less = 20, "LESS", Some("<");
            Greater = 21, "GREATER", Some(">");
            Equal = 22, "EQUAL", Some("=");
            Dot = 23, "DOT", Some(".");
            Percent = 24, "PERCENT", Some("%");
            Lbrace = 25, "LBRACE", Some("{");
            Rbrace = 26, "RBRACE", Some("}");
            EqEqual = 27, "EQEQUAL", Some("==");
            NotEqual = 28, "NOTEQUAL", Some("!=");
            LessEqual = 29, "LESSEQUAL", Some("<=");
            GreaterEqual = 30, "GREATEREQUAL", Some(">=");
            Tilde = 31, "TILDE", Some("~");
            Circumflex = 32, "CIRCUMFLEX", Some("^");
            LeftShift = 33, "LEFTSHIFT", Some("<<");
            RightShift = 34, "RIGHTSHIFT", Some(">>");
            DoubleStar = 35, "DOUBLESTAR", Some("**");
            PlusEqual = 36, "PLUSEQUAL", Some("+=");
            MinEqual = 37, "MINEQUAL", Some("-=");
            StarEqual = 38, "STAREQUAL", Some("*=");
            SlashEqual = 39, "SLASHEQUAL", Some("/=");
            PercentEqual = 40, "PERCENTEQUAL", Some("%=");
            AmperEqual = 41, "AMPEREQUAL", Some("&=");
            VbarEqual = 42, "VBAREQUAL", Some("|=");
            CircumflexEqual = 43, "CIRCUMFLEXEQUAL", Some("^=");
            LeftShiftEqual = 44, "LEFTSHIFTEQUAL", Some("<<=");
            RightShiftEqual = 45, "RIGHTSHIFTEQUAL", Some(">>=");
            DoubleStarEqual = 46, "DOUBLESTAREQUAL", Some("**=");
            DoubleSlash = 47, "DOUBLESLASH", Some("//");
            DoubleSlashEqual = 48, "DOUBLESLASHEQUAL", Some("//=");
            At = 49, "AT", Some("@");
            AtEqual = 50, "ATEQUAL", Some("@=");
            Rarrow = 51, "RARROW", Some("->");
            Ellipsis = 52, "ELLIPSIS", Some("...");
            ColonEqual = 53, "COLONEQUAL", Some(":=");
            Op = 54, "OP", None;
            Await = 55, "AWAIT", None;
            Async = 56, "ASYNC", None;
            TypeIgnore = 57, "TYPE_IGNORE", None;
            TypeComment = 58, "TYPE_COMMENT", None;
            SoftKeyword = 59, "SOFT_KEYWORD", None;
            ErrorToken = 60, "ERRORTOKEN", None;
            Comment = 61, "COMMENT", None;
            Nl = 62, "NL", None;
            Encoding = 63, "ENCODING", None;
        }
    };
}

macro_rules! define_token_kind {
    ($($variant:ident = $num:expr, $name:expr, $text:expr;)*) => {
        /// A token kind, numbered as in CPython's `token` module.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr(u8)]
        pub enum TokenKind {
            $($variant = $num,)*
        }

        impl TokenKind {
            /// Every kind, in numbering order.
            pub const ALL: &'static [TokenKind] = &[$(TokenKind::$variant,)*];

            /// CPython's name for the kind (`token.tok_name`), e.g. `"LPAR"`.
            pub fn name(self) -> &'static str {
                match self {
                    $(TokenKind::$variant => $name,)*
                }
            }

            /// The exact text of an operator kind, e.g. `Some("<<=")`; `None` for other kinds.
            pub fn op_text(self) -> Option<&'static str> {
                match self {
                    $(TokenKind::$variant => $text,)*
                }
            }
        }
    };
}

for_each_token!(define_token_kind);

impl TokenKind {
    /// True for the exact operator kinds that `tokenize` reports as generic `OP`.
    pub fn is_operator(self) -> bool {
        self.op_text().is_some()
    }

    /// The exact operator kind for an operator's text, as `token.EXACT_TOKEN_TYPES`.
    pub fn from_op_text(text: &str) -> Option<TokenKind> {
        TokenKind::ALL
            .iter()
            .copied()
            .find(|k| k.op_text() == Some(text))
    }
}

/// One token: its kind and its byte range in the (UTF-8, decoded) source text.
///
/// Lines and columns are not stored: `source::LineIndex` derives them from byte offsets when a
/// consumer needs them (tokenize prints character columns, the AST UTF-8 byte columns).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    /// Byte offset of the first byte of the token.
    pub start: u32,
    /// Byte offset one past the last byte of the token.
    pub end: u32,
}

impl Token {
    pub fn text<'s>(&self, source: &'s str) -> &'s str {
        &source[self.start as usize..self.end as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbering_matches_cpython_token_module() {
        for (i, k) in TokenKind::ALL.iter().enumerate() {
            assert_eq!(*k as usize, i, "{} out of order", k.name());
        }
        assert_eq!(
            TokenKind::from_op_text("**="),
            Some(TokenKind::DoubleStarEqual)
        );
        assert_eq!(TokenKind::from_op_text("!"), None);
        assert!(!TokenKind::Name.is_operator());
    }
}
