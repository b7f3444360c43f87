//! The bytecode cache policy: where cache files live, when one is fresh, how it is written.
//! The file format, the reader and the verifier are the compiler crate's
//! (`nanopy_compiler::bytecode::{pyc, marshal, verify}`); this module only decides.
//!
//! - `DIR/NAME.py` caches to `DIR/__pycache__/NAME.nanopy-<magic>.pyc`. The tag is the magic
//!   number in hex, so builds with different bytecode formats keep separate files (as CPython's
//!   `cpython-310` and `cpython-311` do) rather than overwriting each other's.
//! - Fresh means: timestamp mode, the source's mtime (ns) and size are the recorded ones;
//!   checked-hash mode, the source hashes to the recorded hash; unchecked-hash mode, always.
//! - A cache file is untrusted input: a file that fails the header, checksum, decoding or
//!   verification is rejected with a one-line warning on stderr and the source recompiled.
//! - Writes are atomic: a uniquely named temporary file in `__pycache__`, then `rename` over
//!   the target, so a reader sees the old file or the new one, never half of one, and two
//!   writers racing leave one complete file. A directory we cannot write to (read-only, not
//!   ours) is silently left alone.
//!
//! [`load_or_compile`] is the one entry point, for `nanopy run` and for the import loader.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::UNIX_EPOCH;

use nanopy_compiler::bytecode::pyc::{self, Validation};
use nanopy_compiler::bytecode::CodeObject;
use nanopy_compiler::parser::{self, ParseOptions};
use nanopy_compiler::SyntaxError;

/// What the caller allows.
#[derive(Clone, Copy, Debug)]
pub struct CacheOptions {
    /// Look for a cache file (`--no-cache` turns both off).
    pub read: bool,
    /// Write one after compiling.
    pub write: bool,
    /// Report every outcome on stderr (`-v`), not just rejections.
    pub verbose: bool,
}

impl Default for CacheOptions {
    fn default() -> Self {
        CacheOptions {
            read: true,
            write: true,
            verbose: false,
        }
    }
}

/// What looking for a cache file found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// Reading was not allowed.
    Disabled,
    /// No cache file (or none readable).
    Missing,
    /// Fresh and valid: the code came from it.
    Hit,
    /// Valid header but the source changed since.
    Stale,
    /// Unusable: the one-line reason.
    Rejected(String),
}

/// What happened about writing one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Store {
    /// Nothing to write (cache hit, compile error) or writing not allowed.
    None,
    Written,
    /// Could not write (read-only directory, ...): the reason, reported only with `-v`.
    Failed(String),
}

/// The whole story of one load, for `-v` and for tests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CacheEvent {
    pub pyc: PathBuf,
    pub lookup: Lookup,
    /// The source was compiled (successfully) because the cache was not used.
    pub compiled: bool,
    pub store: Store,
}

impl CacheEvent {
    /// The stderr lines for this event: a rejection always (it means something is wrong), the
    /// rest only when `verbose`.
    pub fn messages(&self, verbose: bool) -> Vec<String> {
        let pyc = self.pyc.display();
        let mut out = Vec::new();
        match &self.lookup {
            Lookup::Rejected(why) => {
                out.push(format!("nanopy: warning: cache rejected: {why}: {pyc}"))
            }
            _ if !verbose => {}
            Lookup::Hit => out.push(format!("nanopy: cache hit: {pyc}")),
            Lookup::Stale => out.push(format!("nanopy: cache stale: {pyc}")),
            Lookup::Disabled => out.push("nanopy: cache disabled (--no-cache)".to_string()),
            Lookup::Missing => {}
        }
        if verbose {
            match &self.store {
                Store::Written => out.push(format!("nanopy: compiled, cache written: {pyc}")),
                Store::Failed(why) => out.push(format!(
                    "nanopy: compiled, cache not written ({why}): {pyc}"
                )),
                Store::None if self.compiled => out.push("nanopy: compiled".into()),
                Store::None => {}
            }
        }
        out
    }

    /// Print [`CacheEvent::messages`] to stderr.
    pub fn report(&self, verbose: bool) {
        let mut err = io::stderr().lock();
        for m in self.messages(verbose) {
            let _ = writeln!(err, "{m}");
        }
    }
}

/// Why there is no code object: the source could not be read or does not compile.
#[derive(Debug)]
pub enum LoadError {
    Open { name: String, err: io::Error },
    Syntax { name: String, err: SyntaxError },
}

impl LoadError {
    /// What `python3 FILE` prints for it (the caller adds nothing).
    pub fn render(&self) -> String {
        match self {
            LoadError::Open { name, err } => {
                // CPython's wording for a missing script.
                let msg = err.to_string();
                let msg = msg.split(" (os error").next().unwrap_or(&msg).to_string();
                format!(
                    "nanopy: can't open file '{name}': [Errno {}] {msg}\n",
                    err.raw_os_error().unwrap_or(0),
                )
            }
            LoadError::Syntax { name, err } => err.render(name),
        }
    }

    /// The exit status CPython uses: 2 for an unopenable script, 1 for a syntax error.
    pub fn exit_status(&self) -> u8 {
        match self {
            LoadError::Open { .. } => 2,
            LoadError::Syntax { .. } => 1,
        }
    }
}

/// The file name CPython gives a script's code (`__file__`, tracebacks, syntax errors): the
/// path as given when absolute, else the working directory joined to it without normalising
/// (`python3 ../x.py` shows `/cwd/../x.py`), as `_Py_abspath` does.
pub fn script_path(file: &Path) -> String {
    let given = file.display().to_string();
    if file.is_absolute() {
        return given;
    }
    match std::env::current_dir() {
        Ok(cwd) => {
            let cwd = cwd.display().to_string();
            if cwd.ends_with('/') {
                format!("{cwd}{given}")
            } else {
                format!("{cwd}/{given}")
            }
        }
        Err(_) => given,
    }
}

/// The cache tag in file names: `nanopy-<magic number in hex>`.
pub fn cache_tag() -> String {
    format!("nanopy-{:08x}", pyc::magic())
}

/// `DIR/__pycache__/STEM.<tag>.pyc` for source `DIR/STEM.py` (CPython's
/// `importlib.util.cache_from_source`).
pub fn cache_path(source: &Path) -> PathBuf {
    let dir = source.parent().unwrap_or(Path::new(""));
    let stem = source
        .file_stem()
        .map_or_else(|| "_".into(), |s| s.to_string_lossy());
    dir.join("__pycache__")
        .join(format!("{stem}.{}.pyc", cache_tag()))
}

/// Parse and compile source bytes (on a big stack: both recurse once per nesting level).
pub fn compile_source(name: &str, bytes: &[u8]) -> Result<Arc<CodeObject>, SyntaxError> {
    parser::run_on_big_stack(|| {
        let source = parser::decode_source(bytes)?;
        let arena = bumpalo::Bump::new();
        let tree = parser::parse(&arena, &source, ParseOptions::default())?;
        nanopy_compiler::codegen::compile_module(&tree, &source, name)
    })
}

/// Nanoseconds since the epoch of a file's mtime (0 if unavailable: never fresh by accident,
/// since a real cache of such a file records 0 too and the size must also match).
fn mtime_ns(meta: &fs::Metadata) -> u64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as u64)
}

/// The timestamp-mode freshness record of a source file.
pub fn timestamp_of(meta: &fs::Metadata) -> Validation {
    Validation::Timestamp {
        mtime_ns: mtime_ns(meta),
        size: meta.len(),
    }
}

/// Load `path`'s code from its cache when fresh and valid, else compile it (and write the
/// cache when allowed). The event says which happened; report it with [`CacheEvent::report`].
pub fn load_or_compile(
    path: &Path,
    opts: &CacheOptions,
) -> (Result<Arc<CodeObject>, LoadError>, CacheEvent) {
    let name = script_path(path);
    let mut event = CacheEvent {
        pyc: cache_path(path),
        lookup: Lookup::Disabled,
        compiled: false,
        store: Store::None,
    };
    let open_err = |err| LoadError::Open {
        name: name.clone(),
        err,
    };
    // Stat before reading: if the file changes in between, the recorded mtime is the old one
    // and the next run recompiles (the other order could record new mtime with old code).
    let meta = match fs::metadata(path) {
        Ok(m) if m.is_dir() => {
            return (
                Err(open_err(io::Error::from_raw_os_error(21))), // EISDIR, as CPython reports
                event,
            );
        }
        Ok(m) => m,
        Err(e) => return (Err(open_err(e)), event),
    };
    let mut source: Option<Vec<u8>> = None;
    // The mode to keep when rewriting a stale cache (CPython keeps hash-based files hash-based).
    let mut rewrite_hash: Option<bool> = None;
    if opts.read {
        event.lookup = match fs::read(&event.pyc) {
            Err(_) => Lookup::Missing,
            Ok(bytes) => match pyc::read_header(&bytes) {
                Err(e) => Lookup::Rejected(e.0),
                Ok(header) => {
                    let fresh = match header.validation {
                        v @ Validation::Timestamp { .. } => v == timestamp_of(&meta),
                        Validation::Hash { hash, check_source } => {
                            rewrite_hash = Some(check_source);
                            !check_source
                                || match fs::read(path) {
                                    Ok(src) => {
                                        let same = pyc::hash64(&src) == hash;
                                        source = Some(src);
                                        same
                                    }
                                    Err(e) => return (Err(open_err(e)), event),
                                }
                        }
                    };
                    if !fresh {
                        Lookup::Stale
                    } else {
                        match pyc::read(&bytes, Some(Arc::from(name.as_str()))) {
                            Ok(code) => {
                                event.lookup = Lookup::Hit;
                                return (Ok(code), event);
                            }
                            Err(e) => Lookup::Rejected(e.0),
                        }
                    }
                }
            },
        };
    }
    let bytes = match source {
        Some(b) => b,
        None => match fs::read(path) {
            Ok(b) => b,
            Err(e) => return (Err(open_err(e)), event),
        },
    };
    let code = match compile_source(&name, &bytes) {
        Ok(c) => c,
        Err(err) => return (Err(LoadError::Syntax { name, err }), event),
    };
    event.compiled = true;
    if opts.write {
        let validation = match rewrite_hash {
            Some(check_source) => Validation::Hash {
                hash: pyc::hash64(&bytes),
                check_source,
            },
            None => timestamp_of(&meta),
        };
        event.store = match write_cache(&event.pyc, &code, validation) {
            Ok(()) => Store::Written,
            Err(e) => Store::Failed(io_reason(&e)),
        };
    }
    (Ok(code), event)
}

/// A short reason for an I/O error, without Rust's "(os error N)" suffix.
pub fn io_reason(e: &io::Error) -> String {
    let msg = e.to_string();
    msg.split(" (os error")
        .next()
        .unwrap_or(&msg)
        .to_lowercase()
}

/// Serialize `code` and write it to `pyc` atomically (creating `__pycache__` if needed).
pub fn write_cache(pyc: &Path, code: &CodeObject, validation: Validation) -> io::Result<()> {
    let bytes = pyc::write(code, validation).map_err(|e| io::Error::other(e.0))?;
    write_atomic(pyc, &bytes)
}

/// Write `bytes` to `path` through a temporary file in the same directory and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let dir = path.parent().unwrap_or(Path::new("."));
    match fs::create_dir(dir) {
        Err(e) if e.kind() != io::ErrorKind::AlreadyExists => return Err(e),
        _ => {}
    }
    let file_name = path
        .file_name()
        .map_or_else(Default::default, |n| n.to_string_lossy());
    let tmp = dir.join(format!(
        "{file_name}.{}.{}.tmp",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| {
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(bytes)?;
        drop(f);
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_path_is_in_pycache_with_the_magic_tag() {
        let p = cache_path(Path::new("/a/b/mod.py"));
        assert_eq!(
            p,
            PathBuf::from(format!(
                "/a/b/__pycache__/mod.nanopy-{:08x}.pyc",
                pyc::magic()
            ))
        );
        assert_eq!(
            cache_path(Path::new("x.py")),
            PathBuf::from(format!("__pycache__/x.{}.pyc", cache_tag()))
        );
    }

    #[test]
    fn messages_warn_on_rejection_always_and_report_the_rest_only_when_verbose() {
        let ev = |lookup: Lookup, store| CacheEvent {
            pyc: "p.pyc".into(),
            compiled: lookup != Lookup::Hit,
            lookup,
            store,
        };
        let rejected = ev(Lookup::Rejected("bad magic".into()), Store::Written);
        assert_eq!(
            rejected.messages(false),
            ["nanopy: warning: cache rejected: bad magic: p.pyc"]
        );
        assert_eq!(rejected.messages(true).len(), 2);
        assert!(ev(Lookup::Hit, Store::None).messages(false).is_empty());
        assert_eq!(
            ev(Lookup::Hit, Store::None).messages(true),
            ["nanopy: cache hit: p.pyc"]
        );
        assert_eq!(
            ev(Lookup::Missing, Store::Failed("permission denied".into())).messages(true),
            ["nanopy: compiled, cache not written (permission denied): p.pyc"]
        );
    }
}
