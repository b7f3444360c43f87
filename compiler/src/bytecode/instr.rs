//! The instruction word: fixed width, 32 bits, opcode in the low byte, operand above it.
//!
//! ```text
//!  31                                   8 7              0
//! +--------------------------------------+----------------+
//! |            operand (24 bits)         | opcode (8 bits)|
//! +--------------------------------------+----------------+
//! ```
//!
//! Why 8+24 rather than CPython's 16-bit wordcode with EXTENDED_ARG:
//! - one aligned load yields both fields, decoded with `w as u8` and `w >> 8` (no prefix
//!   instructions to accumulate, so every instruction index is a real instruction and a jump
//!   target is simply an index);
//! - 24 bits (16,777,215) covers every constant, name, local and jump target of any sane code
//!   object, so there is no EXTENDED_ARG at all; the code generator must reject (as a
//!   `SystemError`-like compile error) a code object that would exceed it;
//! - quickening rewrites the opcode byte in place (a single byte store) without touching the
//!   operand; inline caches live in a per-code side table indexed by instruction index, so the
//!   instruction stream stays fixed-width.

use super::opcode::Opcode;

/// Largest operand an instruction word can carry.
pub const MAX_OPERAND: u32 = (1 << 24) - 1;

/// One instruction word. The opcode byte is always a valid [`Opcode`]: words are only built by
/// [`Instr::new`] or checked by [`Instr::from_raw`].
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[repr(transparent)]
pub struct Instr(u32);

impl Instr {
    /// Encode `op` with `arg`. Panics if `arg > MAX_OPERAND` (a compiler bug: codegen checks
    /// limits before emitting).
    #[inline]
    pub fn new(op: Opcode, arg: u32) -> Instr {
        assert!(arg <= MAX_OPERAND, "operand {arg} does not fit in 24 bits");
        Instr((arg << 8) | op as u32)
    }

    /// Decode a raw word, checking its opcode byte.
    pub fn from_raw(word: u32) -> Option<Instr> {
        Opcode::from_u8(word as u8).map(|_| Instr(word))
    }

    /// The raw 32-bit word (for serialisation).
    #[inline]
    pub fn raw(self) -> u32 {
        self.0
    }

    #[inline(always)]
    pub fn op(self) -> Opcode {
        // SAFETY: the low byte is a valid `Opcode` discriminant by construction (see type doc),
        // and `Opcode` is `repr(u8)` with discriminants 0..COUNT.
        unsafe { std::mem::transmute::<u8, Opcode>(self.0 as u8) }
    }

    #[inline(always)]
    pub fn arg(self) -> u32 {
        self.0 >> 8
    }

    /// Same operand, different opcode (quickening and jump patching use this).
    #[inline]
    pub fn with_op(self, op: Opcode) -> Instr {
        Instr((self.0 & !0xff) | op as u32)
    }

    /// Same opcode, different operand (jump patching).
    #[inline]
    pub fn with_arg(self, arg: u32) -> Instr {
        Instr::new(self.op(), arg)
    }
}

impl std::fmt::Debug for Instr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.op().name(), self.arg())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_every_opcode() {
        for op in Opcode::ALL {
            for arg in [0, 1, 255, 256, 65_535, MAX_OPERAND] {
                let i = Instr::new(*op, arg);
                assert_eq!(i.op(), *op);
                assert_eq!(i.arg(), arg);
                assert_eq!(Instr::from_raw(i.raw()), Some(i));
            }
        }
        assert_eq!(Instr::from_raw(0xff), None);
    }

    #[test]
    #[should_panic(expected = "does not fit")]
    fn operand_overflow_panics() {
        Instr::new(Opcode::LOAD_CONST, MAX_OPERAND + 1);
    }
}
