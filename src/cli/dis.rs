//! `nanopy dis FILE`: the bytecode of a file laid out as `python3 -m dis FILE` lays it out
//! (line numbers, instruction indices, `>>` on jump targets, operands and their meaning), nested
//! code objects after their parent. Our instruction set differs from CPython's where the
//! formats differ (see `nanopy_compiler::bytecode::opcode`); the layout does not.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The Python source file.
    pub file: PathBuf,
}

pub fn run(args: Args) -> ExitCode {
    match super::run::compile_file(&args.file) {
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
