//! Pure text semantics of Python's `str` (and `repr` of `bytes`), exactly as CPython 3.11.
//!
//! | file | owns |
//! |------|------|
//! | `unicode_db` | GENERATED character properties and case mappings (Unicode 14.0) |
//! | `props` | per-character lookups: `isspace`, `isprintable`, decimal value, ... |
//! | `repr` | `repr(str)`, `ascii(str)`, `repr(bytes)` |
//! | `case` | `upper lower capitalize title swapcase casefold` |
//! | `predicates` | `isdigit isdecimal isnumeric isalpha isalnum isspace isupper islower istitle isidentifier isascii isprintable` |
//! | `search` | `find rfind index rindex count startswith endswith replace partition rpartition` |
//! | `split` | `split rsplit splitlines strip lstrip rstrip` |
//! | `pad` | `center ljust rjust zfill expandtabs` |
//!
//! Python's notion of whitespace, digits, printable etc. is not Rust's (`'\x1c'.isspace()` is
//! True in Python, `char::is_whitespace` says no), so every predicate goes through the
//! generated table, taken from CPython itself by `gen_unicode_db.py`.
//! Indices and lengths are in code points, as in Python; strings are Rust `&str`, so lone
//! surrogates cannot occur.

//!
//! ```
//! use nanopy_vm::text;
//!
//! assert_eq!(text::repr_str("it's\n"), r#""it's\n""#);
//! assert_eq!(text::split("a\x1cb  c", None, -1).unwrap(), ["a", "b", "c"]); // \x1c is Python whitespace
//! assert_eq!(text::upper("straße"), "STRASSE");
//! assert_eq!(text::lower("ΟΔΟΣ"), "οδος");
//! assert_eq!(text::find("日本語", "語", None, None), 2); // code-point index
//! ```

pub mod case;
pub mod pad;
pub mod predicates;
pub mod props;
pub mod repr;
pub mod search;
pub mod split;
#[rustfmt::skip]
mod unicode_db;

pub use case::{capitalize, casefold, lower, swapcase, title, upper};
pub use pad::{center, expandtabs, ljust, rjust, zfill};
pub use predicates::{
    isalnum, isalpha, isascii, isdecimal, isdigit, isidentifier, islower, isnumeric, isprintable,
    isspace, istitle, isupper,
};
pub use props::{decimal_value, is_linebreak, is_printable, is_space};
pub use repr::{ascii_escape, ascii_str, repr_bytes, repr_str};
pub use search::{
    count, endswith, find, index, partition, replace, replace_if_found, rfind, rindex, rpartition,
    startswith,
};
pub use split::{lstrip, rsplit, rstrip, split, splitlines, strip};
