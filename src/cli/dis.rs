//! `nanopy dis FILE`: the bytecode of a file laid out as `python3 -m dis FILE` lays it out
//! (line numbers, instruction indices, `>>` on jump targets, operands and their meaning), nested
//! code objects after their parent. Our instruction set differs from CPython's where the
//! formats differ (see `nanopy_compiler::bytecode::opcode`); the layout does not.
//!
//! FILE may be a cache file (`.pyc`): it is read, checked and verified like any cache file, but
//! without a source to be fresh against.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use nanopy_compiler::bytecode::{pyc, CodeObject};

#[derive(clap::Args)]
pub struct Args {
    /// The Python source file, or a nanopy `.pyc` cache file.
    pub file: PathBuf,
}

/// Read, check and verify a cache file. On failure the reason has been printed.
fn load_pyc(file: &Path) -> Result<Arc<CodeObject>, ExitCode> {
    let loaded = std::fs::read(file)
        .map_err(|e| crate::cache::io_reason(&e))
        .and_then(|bytes| pyc::read(&bytes, None).map_err(|e| e.0));
    loaded.map_err(|why| {
        eprintln!("nanopy: cannot load '{}': {why}", file.display());
        ExitCode::from(1)
    })
}

pub fn run(args: Args) -> ExitCode {
    let code = if args.file.extension().is_some_and(|e| e == "pyc") {
        load_pyc(&args.file)
    } else {
        super::run::compile_file(&args.file)
    };
    match code {
        Ok(code) => {
            let text = nanopy_compiler::bytecode::dis::dis(&code);
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
            ExitCode::SUCCESS
        }
        Err(status) => status,
    }
}
