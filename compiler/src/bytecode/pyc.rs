//! The `.pyc` file format: a fixed header as CPython's (magic number, flags word, then the
//! source's mtime and size or, PEP 552 style, a hash of the source), a checksum, and the
//! [`marshal`](super::marshal) payload.
//!
//! ```text
//!  offset  size  field
//!       0     4  magic number, u32 LE: fingerprint of the opcode table and FORMAT_VERSION
//!       4     4  flags, u32 LE: bit 0 hash-based, bit 1 check_source (PEP 552); others 0
//!       8     8  timestamp mode: source mtime in ns since the epoch | hash mode: source hash
//!      16     8  timestamp mode: source size in bytes               | hash mode: 0
//!      24     8  payload checksum: hash64 of bytes 32..
//!      32     -  payload (marshal.rs)
//! ```
//!
//! Differences from CPython, and why: the mtime is kept to the nanosecond and the size to 64
//! bits (CPython's 32-bit seconds miss an edit within the same second that keeps the size);
//! the checksum rejects a flipped bit anywhere before the payload is even parsed (CPython has
//! none and trusts marshal data).
//!
//! The magic number is computed from the opcode table itself (every name, operand kind and
//! stack effect), the serialization format version and the source text of the files that
//! define the format ([`FORMAT_SOURCES`]), so it changes whenever the bytecode format does,
//! without anyone remembering to bump it; it also covers a hash of the whole compiler's source
//! ([`COMPILER_SOURCE_HASH`]), so a code generator fix never leaves stale bytecode cached. Policy (where files live, freshness,
//! atomic writes) is the CLI's (`src/cache.rs`), not this module's.

use std::fmt;
use std::sync::{Arc, OnceLock};

use super::code::{CodeFlags, CodeObject};
use super::instr::MAX_OPERAND;
use super::marshal;
use super::opcode::{BinaryOp, CompareOp, Opcode, OperandKind};
use super::verify;

/// Version of the serialization (this file and marshal.rs). Bump on any encoding change; the
/// opcode table is fingerprinted separately and automatically.
pub const FORMAT_VERSION: u32 = 1;

/// Bytes before the payload.
pub const HEADER_LEN: usize = 32;

const FLAG_HASH_BASED: u32 = 1;
const FLAG_CHECK_SOURCE: u32 = 2;

/// How a cache file is checked against its source (CPython's `PycInvalidationMode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Validation {
    /// Fresh while the source's mtime and size are the recorded ones.
    Timestamp { mtime_ns: u64, size: u64 },
    /// Fresh while the source hashes to `hash` (checked: the loader rehashes the source each
    /// time; unchecked: the loader trusts the file without looking at the source).
    Hash { hash: u64, check_source: bool },
}

/// The parsed fixed header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    pub magic: u32,
    pub validation: Validation,
    pub checksum: u64,
}

/// Why a cache file was refused: one line, shown as `cache rejected: <why>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PycError(pub String);

impl fmt::Display for PycError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PycError {}

/// This build's magic number (computed once from the opcode table).
pub fn magic() -> u32 {
    static MAGIC: OnceLock<u32> = OnceLock::new();
    *MAGIC.get_or_init(|| {
        let mut sources = FORMAT_SOURCES.to_vec();
        sources.push(COMPILER_SOURCE_HASH);
        fingerprint(FORMAT_VERSION, table_rows(), &sources)
    })
}

/// The source text of every file that defines the format: the opcode table (also the meaning
/// of each opcode, in its docs), the instruction word, code objects, the serialization, the
/// header and what the verifier accepts. Any edit to them (even a comment) gives a new magic
/// number and so a new cache file name: a stale format can never be read by mistake, at worst
/// a cache is rebuilt once.
pub const FORMAT_SOURCES: &[&str] = &[
    include_str!("opcode.rs"),
    include_str!("instr.rs"),
    include_str!("code.rs"),
    include_str!("marshal.rs"),
    include_str!("pyc.rs"),
    include_str!("verify.rs"),
];

/// A hash of every source file of the compiler (made by compiler/build.rs): a code generator
/// fix changes the bytecode a source compiles to without touching the format, and must retire
/// the cache files written by the old compiler too.
pub const COMPILER_SOURCE_HASH: &str = env!("NANOPY_COMPILER_SOURCE_HASH");

/// One opcode as the fingerprint sees it: name, operand kind, stack effects at sample operands.
pub type OpRow = (String, OperandKind, Vec<i32>);

/// The opcode table as fingerprint rows, in byte order.
pub fn table_rows() -> Vec<OpRow> {
    Opcode::ALL
        .iter()
        .map(|op| {
            let effects = SAMPLE_OPERANDS
                .iter()
                .flat_map(|&a| [op.stack_effect(a, false), op.stack_effect(a, true)])
                .collect();
            (op.name().to_string(), op.operand_kind(), effects)
        })
        .collect()
}

/// Operands at which each stack effect is sampled: small counts, every flag bit used by the
/// flag-operand opcodes, and an `UNPACK_EX` pair.
const SAMPLE_OPERANDS: [u32; 12] = [0, 1, 2, 3, 4, 5, 7, 8, 15, 255, 0x0201, 0x1_0000];

/// Fold the format version, the opcode rows, the operand enums' numberings and the format's
/// source files into 32 bits.
pub fn fingerprint(version: u32, rows: Vec<OpRow>, sources: &[&str]) -> u32 {
    let mut d = format!("nanopy bytecode v{version}; operand {MAX_OPERAND};");
    for s in sources {
        d.push_str(&format!("{:016x};", hash64(s.as_bytes())));
    }
    for (i, (name, kind, effects)) in rows.iter().enumerate() {
        d.push_str(&format!("{i}:{name}:{kind:?}:{effects:?};"));
    }
    for op in BinaryOp::ALL {
        d.push_str(&format!("b{}{};", *op as u8, op.symbol()));
    }
    for op in CompareOp::ALL {
        d.push_str(&format!("c{}{};", *op as u8, op.symbol()));
    }
    d.push_str(&format!(
        "flags {} {} {} {} {} {} {}",
        CodeFlags::OPTIMIZED,
        CodeFlags::NEWLOCALS,
        CodeFlags::VARARGS,
        CodeFlags::VARKEYWORDS,
        CodeFlags::NESTED,
        CodeFlags::GENERATOR,
        CodeFlags::COROUTINE
    ));
    let h = hash64(d.as_bytes());
    (h ^ (h >> 32)) as u32
}

/// A fast 64-bit hash (checksums, PEP 552 source hashes, the fingerprint). Not cryptographic:
/// it guards against accidents (bit rot, truncation, edits), not adversaries — a forged file
/// with a matching checksum still has to pass the reader and the verifier. Each step
/// `h = rotl(h ^ word, 29) * K` is a bijection of `h` for a fixed word, so changing any single
/// 8-byte word always changes the result; the length is mixed in at the end.
pub fn hash64(bytes: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h: u64 = 0x243F_6A88_85A3_08D3;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes(c.try_into().expect("8 bytes"));
        h = (h ^ w).rotate_left(29).wrapping_mul(K);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut last = [0u8; 8];
        last[..rest.len()].copy_from_slice(rest);
        h = (h ^ u64::from_le_bytes(last))
            .rotate_left(29)
            .wrapping_mul(K);
    }
    h ^= bytes.len() as u64;
    // Final avalanche (SplitMix64's).
    h = (h ^ (h >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    h ^ (h >> 31)
}

/// Build a whole cache file for `code`.
pub fn write(code: &CodeObject, validation: Validation) -> Result<Vec<u8>, PycError> {
    let payload = marshal::encode(code).map_err(|e| PycError(e.0))?;
    let (flags, a, b) = match validation {
        Validation::Timestamp { mtime_ns, size } => (0, mtime_ns, size),
        Validation::Hash { hash, check_source } => (
            FLAG_HASH_BASED | if check_source { FLAG_CHECK_SOURCE } else { 0 },
            hash,
            0,
        ),
    };
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
    out.extend_from_slice(&magic().to_le_bytes());
    out.extend_from_slice(&flags.to_le_bytes());
    out.extend_from_slice(&a.to_le_bytes());
    out.extend_from_slice(&b.to_le_bytes());
    out.extend_from_slice(&hash64(&payload).to_le_bytes());
    out.extend_from_slice(&payload);
    Ok(out)
}

fn le32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}

fn le64(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

/// Parse and check the fixed header (length, magic number, flags). Freshness against the
/// source is the caller's decision.
pub fn read_header(bytes: &[u8]) -> Result<Header, PycError> {
    if bytes.len() < HEADER_LEN {
        return Err(PycError(format!(
            "truncated header ({} of {HEADER_LEN} bytes)",
            bytes.len()
        )));
    }
    let magic = le32(bytes, 0);
    if magic != self::magic() {
        return Err(PycError(format!(
            "bad magic number {magic:#010x} (this nanopy writes {:#010x})",
            self::magic()
        )));
    }
    let flags = le32(bytes, 4);
    let (a, b) = (le64(bytes, 8), le64(bytes, 16));
    let validation = match flags {
        0 => Validation::Timestamp {
            mtime_ns: a,
            size: b,
        },
        f if f & !(FLAG_HASH_BASED | FLAG_CHECK_SOURCE) == 0 && f & FLAG_HASH_BASED != 0 => {
            if b != 0 {
                return Err(PycError(
                    "hash-based header with nonzero reserved field".into(),
                ));
            }
            Validation::Hash {
                hash: a,
                check_source: f & FLAG_CHECK_SOURCE != 0,
            }
        }
        f => return Err(PycError(format!("invalid flags word {f:#x}"))),
    };
    Ok(Header {
        magic,
        validation,
        checksum: le64(bytes, 24),
    })
}

/// Check the header and checksum, decode the payload and verify every code object in it.
/// `filename` replaces the stored file name (see [`marshal::decode`]).
pub fn read(bytes: &[u8], filename: Option<Arc<str>>) -> Result<Arc<CodeObject>, PycError> {
    let header = read_header(bytes)?;
    let payload = &bytes[HEADER_LEN..];
    if hash64(payload) != header.checksum {
        return Err(PycError(format!(
            "checksum mismatch (payload of {} bytes is corrupt or truncated)",
            payload.len()
        )));
    }
    read_payload(payload, filename)
}

/// Decode and verify a payload without the header checks (tests use it to reach the reader
/// and verifier with payloads the checksum would have stopped).
pub fn read_payload(
    payload: &[u8],
    filename: Option<Arc<str>>,
) -> Result<Arc<CodeObject>, PycError> {
    let code = marshal::decode(payload, filename).map_err(|e| PycError(e.0))?;
    verify::verify_module(&code).map_err(|e| PycError(e.to_string()))?;
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_changes_with_the_format_version_and_every_part_of_the_table() {
        let mut sources = FORMAT_SOURCES.to_vec();
        sources.push(COMPILER_SOURCE_HASH);
        let fp = |version, rows| fingerprint(version, rows, &sources);
        let base = fp(FORMAT_VERSION, table_rows());
        assert_eq!(base, magic());
        let mut other_compiler = sources.clone();
        other_compiler.pop();
        assert_ne!(
            base,
            fingerprint(FORMAT_VERSION, table_rows(), &other_compiler)
        );
        assert_ne!(base, fp(FORMAT_VERSION + 1, table_rows()));
        let mut edited: Vec<String> = sources.iter().map(|s| s.to_string()).collect();
        edited[3].push_str("\n// a new field\n");
        let edited: Vec<&str> = edited.iter().map(|s| s.as_str()).collect();
        assert_ne!(base, fingerprint(FORMAT_VERSION, table_rows(), &edited));

        let mut renamed = table_rows();
        renamed[3].0.push('X');
        assert_ne!(base, fp(FORMAT_VERSION, renamed));

        let mut rekinded = table_rows();
        rekinded[5].1 = if rekinded[5].1 == OperandKind::Name {
            OperandKind::Const
        } else {
            OperandKind::Name
        };
        assert_ne!(base, fp(FORMAT_VERSION, rekinded));

        let mut effect = table_rows();
        let last = effect.len() - 1;
        effect[last].2[0] += 1;
        assert_ne!(base, fp(FORMAT_VERSION, effect));

        let mut added = table_rows();
        added.push(("NEW_OP".into(), OperandKind::None, vec![0; 24]));
        assert_ne!(base, fp(FORMAT_VERSION, added));

        let mut swapped = table_rows();
        swapped.swap(0, 1);
        assert_ne!(base, fp(FORMAT_VERSION, swapped));
    }

    #[test]
    fn hash64_sees_every_single_word_change_and_length() {
        let base: Vec<u8> = (0..100u8).collect();
        let h = hash64(&base);
        for i in 0..base.len() {
            for bit in 0..8 {
                let mut b = base.clone();
                b[i] ^= 1 << bit;
                assert_ne!(hash64(&b), h);
            }
        }
        let mut longer = base.clone();
        longer.push(0);
        assert_ne!(hash64(&longer), h);
        assert_ne!(hash64(&base[..99]), h);
    }

    #[test]
    fn header_round_trips_both_modes() {
        let mut co = CodeObject::new("<module>", "<module>", "x.py".into(), 1);
        co.code = vec![crate::bytecode::Instr::new(Opcode::RETURN_CONST, 0)];
        co.positions = vec![Default::default()];
        co.consts = vec![crate::bytecode::Constant::None];
        for v in [
            Validation::Timestamp {
                mtime_ns: 1_700_000_000_123_456_789,
                size: 42,
            },
            Validation::Hash {
                hash: 0xdead_beef_0123_4567,
                check_source: true,
            },
            Validation::Hash {
                hash: 7,
                check_source: false,
            },
        ] {
            let bytes = write(&co, v).unwrap();
            assert_eq!(read_header(&bytes).unwrap().validation, v);
            assert_eq!(*read(&bytes, None).unwrap(), co);
        }
    }
}
