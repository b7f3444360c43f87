//! Representation-independent number and string formatting, exactly as CPython 3.11.
//!
//! Everything here works on Rust primitives (`f64`, `i64`, `BigInt`, `&str`) and returns a
//! `String` or a [`PyExc`] naming the exception CPython would raise, with its exact message.
//! The VM's builtins call these; nothing here knows about Python objects, except through the
//! small [`percent::FormatArg`] trait that `%`-formatting uses to ask the VM for `str(x)` etc.
//!
//! | file | owns |
//! |------|------|
//! | `digits` | integer digits and fixed-point float digits without `core::fmt` (hot paths) |
//! | `float_repr` | `repr(float)` and `PyOS_double_to_string` (e/f/g/r renderings) |
//! | `spec` | the format-spec mini-language: `format()`, f-strings, `str.format` |
//! | `percent` | printf-style `str % args` |
//! | `template` | `str.format` / `format_map` templates: fields, conversions, nesting |
//! | `int_str` | `int(s, base)`, `str(int)`, `bin/oct/hex`, the 4300-digit limit |
//! | `float_parse` | `float(s)` |
//! | `float_ops` | `round`, `//`, `%`, `divmod`, int→float, int/int, `float.hex`, `**` |

//! ```
//! use nanopy_vm::format::*;
//!
//! // f"{x:>10.3f}", format(n, ","), repr(x), '%5.1f%%' % (x,)
//! assert_eq!(format_float(2.675, ">10.2f").unwrap(), "      2.67");
//! assert_eq!(format_i64(1234567, ",").unwrap(), "1,234,567");
//! assert_eq!(float_repr(0.1 + 0.2), "0.30000000000000004");
//! let e = format_float(1.0, "x").unwrap_err();
//! assert_eq!((e.kind, e.msg.as_str()), (ExcKind::ValueError, "Unknown format code 'x' for object of type 'float'"));
//!
//! // int(s, base), float(s), round(x, n)
//! assert_eq!(parse_int(" 0x_ff ", 0).unwrap(), 255.into());
//! assert_eq!(parse_float("  1_000.5 ").unwrap(), 1000.5);
//! assert_eq!(float_round(2.675, 2).unwrap(), 2.67);
//! assert_eq!(parse_int("12a", 10).unwrap_err().msg, "invalid literal for int() with base 10: '12a'");
//! ```

pub mod digits;
pub mod error;
pub mod float_ops;
pub mod float_parse;
pub mod float_repr;
pub mod int_str;
pub mod percent;
pub mod spec;
pub mod template;

pub use digits::i64_to_string;
pub use error::{ExcKind, PyExc, PyResult};
pub use float_ops::{
    bigint_to_f64, float_as_integer_ratio, float_divmod, float_floordiv, float_hex, float_mod,
    float_pow, float_round, float_round_to_int, float_to_bigint, i64_true_divide, int_round,
    int_true_divide,
};
pub use float_parse::parse_float;
pub use float_repr::{double_to_string, float_repr, FloatCode, FloatFlags};
pub use int_str::{
    i64_to_decimal, i64_to_prefixed, int_max_str_digits, int_to_decimal, int_to_prefixed,
    parse_int, parse_int_val, set_int_max_str_digits,
};
pub use percent::{percent_format, FormatArg, IntVal, PercentArgs, TextConv};
pub use spec::{format_bigint, format_bool, format_float, format_i64, format_str, FormatSpec};
pub use template::{str_format, Accessor, FormatFields};
