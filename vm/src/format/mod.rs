//! Representation-independent number and string formatting, exactly as CPython 3.11.
//!
//! Everything here works on Rust primitives (`f64`, `i64`, `BigInt`, `&str`) and returns a
//! `String` or a [`PyExc`] naming the exception CPython would raise, with its exact message.
//! The VM's builtins call these; nothing here knows about Python objects, except through the
//! small [`percent::FormatArg`] trait that `%`-formatting uses to ask the VM for `str(x)` etc.
//!
//! | file | owns |
//! |------|------|
//! | `float_repr` | `repr(float)` and `PyOS_double_to_string` (e/f/g/r renderings) |
//! | `spec` | the format-spec mini-language: `format()`, f-strings, `str.format` |
//! | `percent` | printf-style `str % args` |
//! | `int_str` | `int(s, base)`, `str(int)`, `bin/oct/hex`, the 4300-digit limit |
//! | `float_parse` | `float(s)` |
//! | `float_ops` | `round`, `//`, `%`, `divmod`, int→float, int/int, `float.hex`, `**` |

pub mod error;
pub mod float_ops;
pub mod float_parse;
pub mod float_repr;
pub mod int_str;
pub mod percent;
pub mod spec;

pub use error::{ExcKind, PyExc, PyResult};
pub use float_ops::{
    bigint_to_f64, float_divmod, float_floordiv, float_hex, float_mod, float_pow, float_round,
    float_round_to_int, float_to_bigint, i64_true_divide, int_true_divide,
};
pub use float_parse::parse_float;
pub use float_repr::{double_to_string, float_repr, FloatCode, FloatFlags};
pub use int_str::{
    i64_to_decimal, i64_to_prefixed, int_max_str_digits, int_to_decimal, int_to_prefixed,
    parse_int, set_int_max_str_digits,
};
pub use percent::{percent_format, FormatArg, IntVal, PercentArgs, TextConv};
pub use spec::{format_bigint, format_bool, format_float, format_i64, format_str, FormatSpec};
