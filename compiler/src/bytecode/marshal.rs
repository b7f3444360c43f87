//! The payload of a `.pyc` file: a compact, versioned serialization of a code object tree
//! (CPython's `marshal`, for our code objects). The file header around it (magic number,
//! freshness fields, checksum) is [`super::pyc`]'s concern; whether loaded bytecode is safe to
//! run is [`super::verify`]'s.
//!
//! ```text
//! payload  := version:uv  nstrings:uv  (len:uv utf8-bytes)*  code
//! code     := name:s qualname:s filename:s first_line:uv argcount:uv posonlyargcount:uv
//!             kwonlyargcount:uv flags:uv max_stack:uv
//!             ninstr:uv  word:u32le * ninstr
//!             position * ninstr            (line as a signed delta from the previous line,
//!                                           starting at first_line; end_line - line signed;
//!                                           col, end_col)
//!             nconsts:uv const*  names:strs  varnames:strs  cellvars:strs  freevars:strs
//!             nexc:uv (start:uv end:uv target:uv depth:uv push_lasti:u8)*
//! strs     := n:uv s*
//! s        := index into the string table (every str is stored once per file)
//! const    := tag:u8 body          (see `Tag`)
//! uv / sv  := unsigned LEB128 / zigzag-signed LEB128, at most 64 bits
//! ```
//!
//! The reader treats its input as hostile: every read is bounds-checked, no length is trusted
//! for an allocation larger than the bytes that remain (each element needs at least one byte),
//! nesting (tuples in tuples, code in code) is limited to [`MAX_DEPTH`], and every failure is a
//! one-line [`DecodeError`]. A decoded tree is well-formed data, not yet safe to run: the
//! caller must [`verify`](super::verify) it.
//!
//! Every field of [`CodeObject`] is written and read through an exhaustive destructuring /
//! struct literal, so adding a field is a compile error here until it is serialized (and
//! [`super::pyc::FORMAT_VERSION`] bumped).

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use num_bigint::{BigInt, Sign};

use super::code::{CodeFlags, CodeObject, Constant, ExceptionTableEntry, Position};
use super::instr::Instr;
use super::opcode::Opcode;

/// The payload format version written first in every payload. Bump it (in
/// [`super::pyc::FORMAT_VERSION`], which this is) whenever this file's encoding changes.
pub use super::pyc::FORMAT_VERSION;

/// Deepest nesting of tuples / frozensets / code objects the reader accepts. Real code nests
/// functions a few levels deep; the parser allows more, and such a module is then simply
/// recompiled every time instead of cached (the writer refuses it too).
pub const MAX_DEPTH: u32 = 200;

/// Constant tags.
#[repr(u8)]
#[derive(Clone, Copy)]
enum Tag {
    None = 0,
    False = 1,
    True = 2,
    Ellipsis = 3,
    Int = 4,
    BigInt = 5,
    Float = 6,
    Complex = 7,
    Str = 8,
    Bytes = 9,
    Tuple = 10,
    FrozenSet = 11,
    Code = 12,
}

/// Why a payload could not be decoded (or encoded): one line, for `cache rejected: <why>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError(pub String);

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DecodeError {}

fn err<T>(msg: impl Into<String>) -> Result<T, DecodeError> {
    Err(DecodeError(msg.into()))
}

// ----- writer -----

/// Serialize `code` (and everything it contains) to a payload. Fails only for a tree nested
/// deeper than [`MAX_DEPTH`], which the reader would refuse.
pub fn encode(code: &CodeObject) -> Result<Vec<u8>, DecodeError> {
    let mut w = Writer {
        body: Vec::with_capacity(256 + code.code.len() * 8),
        strings: Vec::new(),
        index: HashMap::new(),
    };
    w.code(code, 0)?;
    let mut out = Vec::with_capacity(w.body.len() + w.strings.len() * 8 + 16);
    put_uv(&mut out, FORMAT_VERSION as u64);
    put_uv(&mut out, w.strings.len() as u64);
    for s in &w.strings {
        put_uv(&mut out, s.len() as u64);
        out.extend_from_slice(s.as_bytes());
    }
    out.extend_from_slice(&w.body);
    Ok(out)
}

struct Writer<'a> {
    body: Vec<u8>,
    strings: Vec<&'a str>,
    index: HashMap<&'a str, u32>,
}

fn put_uv(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn put_sv(out: &mut Vec<u8>, v: i64) {
    put_uv(out, ((v << 1) ^ (v >> 63)) as u64);
}

impl<'a> Writer<'a> {
    fn uv(&mut self, v: u64) {
        put_uv(&mut self.body, v);
    }

    fn str(&mut self, s: &'a str) {
        let next = self.strings.len() as u32;
        let i = *self.index.entry(s).or_insert(next);
        if i == next {
            self.strings.push(s);
        }
        self.uv(i as u64);
    }

    fn strs(&mut self, v: &'a [Box<str>]) {
        self.uv(v.len() as u64);
        for s in v {
            self.str(s);
        }
    }

    fn code(&mut self, co: &'a CodeObject, depth: u32) -> Result<(), DecodeError> {
        if depth >= MAX_DEPTH {
            return err(format!("constants nested deeper than {MAX_DEPTH} levels"));
        }
        // Exhaustive on purpose: a new field must be serialized before this compiles.
        let CodeObject {
            name,
            qualname,
            filename,
            first_line,
            argcount,
            posonlyargcount,
            kwonlyargcount,
            flags,
            code,
            positions,
            consts,
            names,
            varnames,
            cellvars,
            freevars,
            max_stack,
            exception_table,
        } = co;
        self.str(name);
        self.str(qualname);
        self.str(filename);
        self.uv(*first_line as u64);
        self.uv(*argcount as u64);
        self.uv(*posonlyargcount as u64);
        self.uv(*kwonlyargcount as u64);
        self.uv(flags.0 as u64);
        self.uv(*max_stack as u64);
        self.uv(code.len() as u64);
        for ins in code {
            self.body.extend_from_slice(&ins.raw().to_le_bytes());
        }
        // Positions: one per instruction (the verifier checks the counts agree; here a
        // mismatch is written as it is so that the tree round-trips exactly).
        self.uv(positions.len() as u64);
        let mut prev = *first_line as i64;
        for p in positions {
            let Position {
                line,
                end_line,
                col,
                end_col,
            } = *p;
            put_sv(&mut self.body, line as i64 - prev);
            put_sv(&mut self.body, end_line as i64 - line as i64);
            self.uv(col as u64);
            self.uv(end_col as u64);
            prev = line as i64;
        }
        self.uv(consts.len() as u64);
        for c in consts {
            self.constant(c, depth + 1)?;
        }
        self.strs(names);
        self.strs(varnames);
        self.strs(cellvars);
        self.strs(freevars);
        self.uv(exception_table.len() as u64);
        for e in exception_table {
            let ExceptionTableEntry {
                start,
                end,
                target,
                depth,
                push_lasti,
            } = *e;
            self.uv(start as u64);
            self.uv(end as u64);
            self.uv(target as u64);
            self.uv(depth as u64);
            self.body.push(push_lasti as u8);
        }
        Ok(())
    }

    fn constant(&mut self, c: &'a Constant, depth: u32) -> Result<(), DecodeError> {
        if depth >= MAX_DEPTH {
            return err(format!("constants nested deeper than {MAX_DEPTH} levels"));
        }
        match c {
            Constant::None => self.body.push(Tag::None as u8),
            Constant::Bool(false) => self.body.push(Tag::False as u8),
            Constant::Bool(true) => self.body.push(Tag::True as u8),
            Constant::Ellipsis => self.body.push(Tag::Ellipsis as u8),
            Constant::Int(i) => {
                self.body.push(Tag::Int as u8);
                put_sv(&mut self.body, *i);
            }
            Constant::BigInt(b) => {
                self.body.push(Tag::BigInt as u8);
                let (sign, mag) = b.to_bytes_le();
                self.body.push((sign == Sign::Minus) as u8);
                self.uv(mag.len() as u64);
                self.body.extend_from_slice(&mag);
            }
            Constant::Float(f) => {
                self.body.push(Tag::Float as u8);
                self.body.extend_from_slice(&f.to_bits().to_le_bytes());
            }
            Constant::Complex { re, im } => {
                self.body.push(Tag::Complex as u8);
                self.body.extend_from_slice(&re.to_bits().to_le_bytes());
                self.body.extend_from_slice(&im.to_bits().to_le_bytes());
            }
            Constant::Str(s) => {
                self.body.push(Tag::Str as u8);
                self.str(s);
            }
            Constant::Bytes(b) => {
                self.body.push(Tag::Bytes as u8);
                self.uv(b.len() as u64);
                self.body.extend_from_slice(b);
            }
            Constant::Tuple(items) | Constant::FrozenSet(items) => {
                let tag = if matches!(c, Constant::Tuple(_)) {
                    Tag::Tuple
                } else {
                    Tag::FrozenSet
                };
                self.body.push(tag as u8);
                self.uv(items.len() as u64);
                for i in items.iter() {
                    self.constant(i, depth + 1)?;
                }
            }
            Constant::Code(co) => {
                self.body.push(Tag::Code as u8);
                self.code(co, depth)?;
            }
        }
        Ok(())
    }
}

// ----- reader -----

/// One-byte zigzag values decoded: small deltas of either sign are one byte each.
const ZIGZAG: [i8; 128] = {
    let mut t = [0i8; 128];
    let mut b = 0;
    while b < 128 {
        t[b] = (b >> 1) as i8 ^ -((b & 1) as i8);
        b += 1;
    }
    t
};

/// Decode a payload. `filename`, when given, replaces every code object's stored file name
/// (as CPython's importlib does with `_fix_co_filename`: the cache may have been written when
/// the script was reached by another path).
pub fn decode(bytes: &[u8], filename: Option<Arc<str>>) -> Result<Arc<CodeObject>, DecodeError> {
    let mut r = Reader {
        bytes,
        pos: 0,
        strings: Vec::new(),
        filenames: HashMap::new(),
        filename,
    };
    let version = r.uv()?;
    if version != FORMAT_VERSION as u64 {
        return err(format!(
            "unsupported payload version {version} (expected {FORMAT_VERSION})"
        ));
    }
    let n = r.len(1, "string table")?;
    let mut strings = Vec::with_capacity(n);
    for _ in 0..n {
        let len = r.len(1, "string")?;
        let raw = r.take(len)?;
        match std::str::from_utf8(raw) {
            Ok(s) => strings.push(s),
            Err(_) => return err(format!("string {} is not valid UTF-8", strings.len())),
        }
    }
    r.strings = strings;
    let code = r.code(0)?;
    if r.pos != bytes.len() {
        return err(format!(
            "{} trailing bytes after the code object",
            bytes.len() - r.pos
        ));
    }
    Ok(Arc::new(code))
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    strings: Vec<&'a str>,
    /// One `Arc` per distinct file name, shared by every code object of the file.
    filenames: HashMap<u32, Arc<str>>,
    filename: Option<Arc<str>>,
}

impl<'a> Reader<'a> {
    fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    fn truncated<T>(&self) -> Result<T, DecodeError> {
        err(format!("truncated payload at byte {}", self.pos))
    }

    fn u8(&mut self) -> Result<u8, DecodeError> {
        match self.bytes.get(self.pos) {
            Some(b) => {
                self.pos += 1;
                Ok(*b)
            }
            None => self.truncated(),
        }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if n > self.remaining() {
            return self.truncated();
        }
        let s = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let s = self.take(N)?;
        let mut a = [0; N];
        a.copy_from_slice(s);
        Ok(a)
    }

    #[inline(always)]
    fn uv(&mut self) -> Result<u64, DecodeError> {
        // Fast paths: most values (position fields, counts, indices) fit in one byte, and
        // string indices of a large module in two.
        if let Some(&b) = self.bytes.get(self.pos) {
            if b < 0x80 {
                self.pos += 1;
                return Ok(b as u64);
            }
            if let Some(&c) = self.bytes.get(self.pos + 1) {
                if c < 0x80 {
                    self.pos += 2;
                    return Ok((b & 0x7f) as u64 | (c as u64) << 7);
                }
            }
        }
        self.uv_slow()
    }

    #[cold]
    #[inline(never)]
    fn uv_slow(&mut self) -> Result<u64, DecodeError> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.u8()?;
            let bits = (b & 0x7f) as u64;
            if shift == 63 && bits > 1 {
                return err(format!("varint overflows 64 bits at byte {}", self.pos));
            }
            v |= bits << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        err(format!("varint longer than 10 bytes at byte {}", self.pos))
    }

    #[inline(always)]
    fn sv(&mut self) -> Result<i64, DecodeError> {
        let u = self.uv()?;
        Ok((u >> 1) as i64 ^ -((u & 1) as i64))
    }

    #[inline(always)]
    fn u32(&mut self, what: &str) -> Result<u32, DecodeError> {
        let v = self.uv()?;
        match u32::try_from(v) {
            Ok(v) => Ok(v),
            Err(_) => err(format!("{what} {v} does not fit in 32 bits")),
        }
    }

    /// A count of elements that each take at least `min_size` bytes: never more than the
    /// remaining input could hold, so a forged huge length cannot make us allocate.
    #[inline]
    fn len(&mut self, min_size: usize, what: &str) -> Result<usize, DecodeError> {
        let at = self.pos;
        let n = self.uv()?;
        if n > (self.remaining() / min_size) as u64 {
            return err(format!(
                "{what} length {n} at byte {at} exceeds the {} bytes that remain",
                self.remaining()
            ));
        }
        Ok(n as usize)
    }

    #[inline]
    fn str_ref(&mut self) -> Result<(u32, &'a str), DecodeError> {
        let i = self.uv()?;
        match self.strings.get(i as usize) {
            Some(s) => Ok((i as u32, s)),
            None => err(format!(
                "string index {i} out of range ({} strings)",
                self.strings.len()
            )),
        }
    }

    #[inline]
    fn string(&mut self) -> Result<Box<str>, DecodeError> {
        Ok(self.str_ref()?.1.into())
    }

    fn strs(&mut self, what: &str) -> Result<Vec<Box<str>>, DecodeError> {
        let n = self.len(1, what)?;
        let mut v = Vec::with_capacity(n);
        for _ in 0..n {
            v.push(self.string()?);
        }
        Ok(v)
    }

    fn code(&mut self, depth: u32) -> Result<CodeObject, DecodeError> {
        if depth >= MAX_DEPTH {
            return err(format!("constants nested deeper than {MAX_DEPTH} levels"));
        }
        let name = self.string()?;
        let qualname = self.string()?;
        let (fi, fname) = self.str_ref()?;
        let filename = match &self.filename {
            Some(f) => f.clone(),
            None => self
                .filenames
                .entry(fi)
                .or_insert_with(|| Arc::from(fname))
                .clone(),
        };
        let first_line = self.u32("first line")?;
        let argcount = self.u32("argcount")?;
        let posonlyargcount = self.u32("posonlyargcount")?;
        let kwonlyargcount = self.u32("kwonlyargcount")?;
        let flags = CodeFlags(self.u32("flags")?);
        let max_stack = self.u32("max_stack")?;
        let n = self.len(4, "instruction count")?;
        let words = self.take(4 * n)?;
        // Check every opcode byte first, then convert in one pass of known length.
        let word = |w: &[u8]| u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
        if let Some(i) = words
            .chunks_exact(4)
            .position(|w| Opcode::from_u8(w[0]).is_none())
        {
            return err(format!(
                "invalid opcode byte {:#04x} at instruction {i}",
                words[4 * i]
            ));
        }
        let code: Vec<Instr> = words
            .chunks_exact(4)
            // Never `None` (checked just above); NOP keeps this free of a panic path.
            .map(|w| Instr::from_raw(word(w)).unwrap_or(Instr::new(Opcode::NOP, 0)))
            .collect();
        let n = self.len(4, "position count")?;
        let positions = self.positions(n, first_line)?;
        let n = self.len(1, "constant count")?;
        let mut consts = Vec::with_capacity(n);
        for _ in 0..n {
            consts.push(self.constant(depth + 1)?);
        }
        let names = self.strs("names")?;
        let varnames = self.strs("varnames")?;
        let cellvars = self.strs("cellvars")?;
        let freevars = self.strs("freevars")?;
        let n = self.len(5, "exception table")?;
        let mut exception_table = Vec::with_capacity(n);
        for _ in 0..n {
            let start = self.u32("exception table start")?;
            let end = self.u32("exception table end")?;
            let target = self.u32("exception table target")?;
            let depth = self.u32("exception table depth")?;
            let push_lasti = match self.u8()? {
                0 => false,
                1 => true,
                b => return err(format!("bad exception table lasti flag {b}")),
            };
            exception_table.push(ExceptionTableEntry {
                start,
                end,
                target,
                depth,
                push_lasti,
            });
        }
        // A struct literal, not `..Default`: a new field is a compile error here.
        Ok(CodeObject {
            name,
            qualname,
            filename,
            first_line,
            argcount,
            posonlyargcount,
            kwonlyargcount,
            flags,
            code,
            positions,
            consts,
            names,
            varnames,
            cellvars,
            freevars,
            max_stack,
            exception_table,
        })
    }

    /// `n` positions: the bulk of a payload, so decoded in runs from a local cursor while all
    /// four fields are one byte each; anything unusual (multi-byte fields, truncation, a line
    /// out of range) takes the general path for one position.
    fn positions(&mut self, n: usize, first_line: u32) -> Result<Vec<Position>, DecodeError> {
        let mut positions = Vec::with_capacity(n);
        let mut prev = first_line as i64;
        let bytes = self.bytes;
        while positions.len() < n {
            // A local cursor: `self.pos` would be stored back on every position.
            let mut rest = bytes.get(self.pos..).unwrap_or_default();
            let mut filled = 0;
            let want = n - positions.len();
            for slot in positions.spare_capacity_mut()[..want].iter_mut() {
                let Some((word, tail)) = rest.split_first_chunk::<4>() else {
                    break;
                };
                let w = u32::from_le_bytes(*word);
                // Test the four continuation bits at once.
                if w & 0x8080_8080 != 0 {
                    break;
                }
                let line = prev + ZIGZAG[(w & 0x7f) as usize] as i64;
                let end_line = line + ZIGZAG[((w >> 8) & 0x7f) as usize] as i64;
                // Both in 0..=u32::MAX (a negative value has its high bits set).
                if (line | end_line) as u64 >> 32 != 0 {
                    break;
                }
                slot.write(Position {
                    line: line as u32,
                    end_line: end_line as u32,
                    col: (w >> 16) & 0xff,
                    end_col: w >> 24,
                });
                filled += 1;
                rest = tail;
                prev = line;
            }
            // SAFETY: the `filled` slots after the length were just written, and
            // `filled <= want = n - len <= capacity - len`.
            unsafe { positions.set_len(positions.len() + filled) };
            self.pos += 4 * filled;
            if positions.len() == n {
                break;
            }
            let i = positions.len();
            let (dline, dend) = (self.sv()?, self.sv()?);
            let line = prev.checked_add(dline);
            let end_line = line.and_then(|l| l.checked_add(dend));
            let (Some(line), Some(end_line)) = (line, end_line) else {
                return err(format!("line number out of range at position {i}"));
            };
            let (Ok(line_u), Ok(end_line_u)) = (u32::try_from(line), u32::try_from(end_line))
            else {
                return err(format!("line number out of range at position {i}"));
            };
            let col = self.u32("column")?;
            let end_col = self.u32("end column")?;
            positions.push(Position {
                line: line_u,
                end_line: end_line_u,
                col,
                end_col,
            });
            prev = line;
        }
        Ok(positions)
    }

    fn constant(&mut self, depth: u32) -> Result<Constant, DecodeError> {
        if depth >= MAX_DEPTH {
            return err(format!("constants nested deeper than {MAX_DEPTH} levels"));
        }
        let at = self.pos;
        let tag = self.u8()?;
        Ok(match tag {
            t if t == Tag::None as u8 => Constant::None,
            t if t == Tag::False as u8 => Constant::Bool(false),
            t if t == Tag::True as u8 => Constant::Bool(true),
            t if t == Tag::Ellipsis as u8 => Constant::Ellipsis,
            t if t == Tag::Int as u8 => Constant::Int(self.sv()?),
            t if t == Tag::BigInt as u8 => {
                let sign = match self.u8()? {
                    0 => Sign::Plus,
                    1 => Sign::Minus,
                    b => return err(format!("bad big int sign {b} at byte {at}")),
                };
                let n = self.len(1, "big int")?;
                let mag = self.take(n)?;
                let v = BigInt::from_bytes_le(sign, mag);
                // Canonical form only (what `Constant::int` makes): no i64 values, no
                // trailing zero bytes, so the tree equals the one codegen built.
                if i64::try_from(&v).is_ok() || mag.last() == Some(&0) {
                    return err(format!("non-canonical big int at byte {at}"));
                }
                Constant::BigInt(v)
            }
            t if t == Tag::Float as u8 => {
                Constant::Float(f64::from_bits(u64::from_le_bytes(self.array()?)))
            }
            t if t == Tag::Complex as u8 => {
                let re = f64::from_bits(u64::from_le_bytes(self.array()?));
                let im = f64::from_bits(u64::from_le_bytes(self.array()?));
                Constant::Complex { re, im }
            }
            t if t == Tag::Str as u8 => Constant::Str(self.string()?),
            t if t == Tag::Bytes as u8 => {
                let n = self.len(1, "bytes")?;
                Constant::Bytes(self.take(n)?.into())
            }
            t if t == Tag::Tuple as u8 || t == Tag::FrozenSet as u8 => {
                let n = self.len(1, "tuple")?;
                let mut items = Vec::with_capacity(n);
                for _ in 0..n {
                    items.push(self.constant(depth + 1)?);
                }
                if t == Tag::Tuple as u8 {
                    Constant::Tuple(items.into())
                } else {
                    Constant::FrozenSet(items.into())
                }
            }
            t if t == Tag::Code as u8 => Constant::Code(Arc::new(self.code(depth)?)),
            t => return err(format!("unknown constant tag {t} at byte {at}")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> CodeObject {
        let mut inner = CodeObject::new("f", "f", "x.py".into(), 2);
        inner.code = vec![Instr::new(Opcode::RETURN_CONST, 0)];
        inner.positions = vec![Position::line(3)];
        inner.consts = vec![Constant::None];
        let mut co = CodeObject::new("<module>", "<module>", "x.py".into(), 1);
        co.code = vec![
            Instr::new(Opcode::LOAD_CONST, 0),
            Instr::new(Opcode::RETURN_VALUE, 0),
        ];
        co.positions = vec![
            Position {
                line: 5,
                end_line: 6,
                col: 1,
                end_col: 9,
            },
            Position::default(),
        ];
        co.consts = vec![
            Constant::Tuple(
                vec![
                    Constant::Int(-7),
                    Constant::int(BigInt::from(1u8) << 100usize),
                    Constant::int(-(BigInt::from(1u8) << 64usize)),
                    Constant::Float(-0.0),
                    Constant::Complex { re: 1.5, im: -2.0 },
                    Constant::str("héllo"),
                    Constant::Bytes(b"\0\xff".to_vec().into()),
                    Constant::FrozenSet(vec![Constant::Bool(true), Constant::Ellipsis].into()),
                ]
                .into(),
            ),
            Constant::Code(Arc::new(inner)),
            Constant::str("x.py"),
        ];
        co.names = vec!["print".into(), "héllo".into()];
        co.varnames = vec!["a".into()];
        co.cellvars = vec!["c".into()];
        co.freevars = vec!["d".into()];
        co.max_stack = 1;
        co.exception_table = vec![ExceptionTableEntry {
            start: 0,
            end: 1,
            target: 1,
            depth: 0,
            push_lasti: true,
        }];
        co
    }

    #[test]
    fn every_field_round_trips() {
        let co = sample();
        let bytes = encode(&co).unwrap();
        let back = decode(&bytes, None).unwrap();
        assert_eq!(*back, co);
        assert_eq!(
            encode(&back).unwrap(),
            bytes,
            "re-encoding is byte-identical"
        );
    }

    #[test]
    fn filename_override_replaces_every_code_objects_name() {
        let bytes = encode(&sample()).unwrap();
        let back = decode(&bytes, Some("/elsewhere/x.py".into())).unwrap();
        assert_eq!(&*back.filename, "/elsewhere/x.py");
        let Constant::Code(inner) = &back.consts[1] else {
            panic!("nested code");
        };
        assert_eq!(&*inner.filename, "/elsewhere/x.py");
    }

    #[test]
    fn every_truncation_is_an_error() {
        let bytes = encode(&sample()).unwrap();
        for n in 0..bytes.len() {
            assert!(decode(&bytes[..n], None).is_err(), "prefix of {n} bytes");
        }
    }

    #[test]
    fn varints_round_trip_on_every_path() {
        for v in [0, 1, 127, 128, 300, 16383, 16384, 1 << 35, u64::MAX] {
            let mut b = Vec::new();
            put_uv(&mut b, v);
            let mut r = Reader {
                bytes: &b,
                pos: 0,
                strings: Vec::new(),
                filenames: HashMap::new(),
                filename: None,
            };
            assert_eq!(r.uv().unwrap(), v);
            assert_eq!(r.pos, b.len());
        }
        for byte in 0..128u8 {
            let mut r = Reader {
                bytes: &[byte],
                pos: 0,
                strings: Vec::new(),
                filenames: HashMap::new(),
                filename: None,
            };
            assert_eq!(r.sv().unwrap(), ZIGZAG[byte as usize] as i64, "{byte}");
        }
    }

    #[test]
    fn huge_lengths_are_refused_before_allocating() {
        // version, then a string table claiming 2^62 entries.
        let mut b = Vec::new();
        put_uv(&mut b, FORMAT_VERSION as u64);
        put_uv(&mut b, 1 << 62);
        let e = decode(&b, None).unwrap_err();
        assert!(e.0.contains("exceeds"), "{e}");
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowing_the_stack() {
        let mut c = Constant::None;
        for _ in 0..MAX_DEPTH + 5 {
            c = Constant::Tuple(vec![c].into());
        }
        let mut co = sample();
        co.consts = vec![c];
        assert!(encode(&co).is_err());
        // Hand-made: many nested tuple tags.
        let mut b = Vec::new();
        put_uv(&mut b, FORMAT_VERSION as u64);
        put_uv(&mut b, 1);
        put_uv(&mut b, 1);
        b.push(b'm');
        for _ in 0..3 {
            put_uv(&mut b, 0);
        }
        for _ in 0..6 {
            put_uv(&mut b, 0);
        }
        put_uv(&mut b, 0); // no instructions
        put_uv(&mut b, 0); // no positions
        put_uv(&mut b, 1); // one constant
        for _ in 0..100_000 {
            b.push(Tag::Tuple as u8);
            put_uv(&mut b, 1);
        }
        let e = decode(&b, None).unwrap_err();
        assert!(e.0.contains("nested"), "{e}");
    }
}
