//! Building a new `str` from pieces at its final size, straight into the object's inline text
//! (`Heap::alloc_str_with`): join, f-strings and concatenation make no intermediate `String`,
//! so a result costs one allocation and one copy of its bytes.

use crate::gc::INLINE_TEXT_MAX;
use crate::interp::Vm;
use crate::value::Value;

impl Vm {
    /// A new str: `parts` (all strs, checked by the caller) joined by `sep`; `len` is the
    /// result's byte length, which the caller has summed while checking.
    pub fn concat_strs(&mut self, sep: &str, parts: &[Value], len: usize) -> Value {
        let part = |v: &Value| v.as_str().map_or("", |s| &*s.s);
        if len <= 2 || len > INLINE_TEXT_MAX {
            // Shared one-character strings, or text that keeps a block of its own.
            let mut out = String::with_capacity(len);
            for (i, v) in parts.iter().enumerate() {
                if i > 0 {
                    out.push_str(sep);
                }
                out.push_str(part(v));
            }
            return self.new_string(out);
        }
        let fill = |buf: &mut [u8]| {
            let mut at = 0;
            let mut put = |b: &[u8]| {
                buf[at..at + b.len()].copy_from_slice(b);
                at += b.len();
            };
            for (i, v) in parts.iter().enumerate() {
                if i > 0 {
                    put(sep.as_bytes());
                }
                put(part(v).as_bytes());
            }
            assert_eq!(at, len, "concat_strs: parts do not add up to len");
        };
        // SAFETY: `fill` writes whole strs and separators (UTF-8) over all `len` bytes (the
        // assert; a short tail would be zero bytes, still UTF-8).
        unsafe { self.heap.alloc_str_with(len, fill) }
    }
}
