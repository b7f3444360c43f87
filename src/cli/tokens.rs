//! (under construction)

use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The Python source file.
    pub file: PathBuf,
}

pub fn run(_args: Args) -> ExitCode {
    eprintln!("nanopy: not implemented yet");
    ExitCode::from(2)
}
