//! The error value every function in `format` and `text` returns: a CPython exception type and
//! its exact message. The VM turns it into a real exception object; nothing here allocates one.

use std::fmt;

/// Which built-in exception CPython raises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExcKind {
    ValueError,
    TypeError,
    OverflowError,
    ZeroDivisionError,
    KeyError,
    IndexError,
    MemoryError,
}

impl ExcKind {
    /// The exception class name, as `type(e).__name__` prints it.
    pub fn name(self) -> &'static str {
        match self {
            ExcKind::ValueError => "ValueError",
            ExcKind::TypeError => "TypeError",
            ExcKind::OverflowError => "OverflowError",
            ExcKind::ZeroDivisionError => "ZeroDivisionError",
            ExcKind::KeyError => "KeyError",
            ExcKind::IndexError => "IndexError",
            ExcKind::MemoryError => "MemoryError",
        }
    }
}

/// A Python exception to raise: `kind(msg)`.
///
/// For `KeyError` the VM should raise it with the missing key object as argument; `msg` then
/// holds the key's repr as CPython would print it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PyExc {
    pub kind: ExcKind,
    pub msg: String,
}

impl PyExc {
    pub fn new(kind: ExcKind, msg: impl Into<String>) -> Self {
        PyExc {
            kind,
            msg: msg.into(),
        }
    }
    pub fn value(msg: impl Into<String>) -> Self {
        Self::new(ExcKind::ValueError, msg)
    }
    pub fn type_error(msg: impl Into<String>) -> Self {
        Self::new(ExcKind::TypeError, msg)
    }
    pub fn overflow(msg: impl Into<String>) -> Self {
        Self::new(ExcKind::OverflowError, msg)
    }
    pub fn zero_div(msg: impl Into<String>) -> Self {
        Self::new(ExcKind::ZeroDivisionError, msg)
    }
}

impl fmt::Display for PyExc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.name(), self.msg)
    }
}

impl std::error::Error for PyExc {}

/// Result alias used throughout `format` and `text`.
pub type PyResult<T> = Result<T, PyExc>;
