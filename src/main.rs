//! The `nanopy` command line: the one place that joins the compiler and the VM.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cache;
mod cli;
mod word_alloc;

/// mimalloc (word-aligned requests skip its aligned entry points, see `word_alloc`), counted
/// when `--max-heap` sets a limit (see `nanopy_vm::alloc`).
#[global_allocator]
static GLOBAL: nanopy_vm::alloc::Counting<word_alloc::WordMiMalloc> =
    nanopy_vm::alloc::Counting(word_alloc::WordMiMalloc);

#[derive(Parser)]
#[command(
    name = "nanopy",
    version,
    about = "CPython's hidden pipeline, rebuilt in Rust"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The main job: time the bundled corpus under every dispatch strategy and python3.
    Bench(cli::bench::Args),
    /// Print the tokens of a file, as `python3 -m tokenize` does.
    Tokens(cli::tokens::Args),
    /// Print the AST of a file, as `python3 -m ast` does.
    Ast(cli::ast::Args),
    /// Compile and run a Python program (`sys.argv` = FILE ARGS...).
    Run(cli::run::Args),
    /// Disassemble a file (source or .pyc), laid out as `python3 -m dis` does.
    Dis(cli::dis::Args),
    /// Compile files and directory trees to the bytecode cache, as `python3 -m compileall`.
    Compile(cli::compile::Args),
    /// Run a program printing each executed instruction and the value stack after it.
    Trace(cli::trace::Args),
}

fn main() -> ExitCode {
    word_alloc::configure();
    let cli = Cli::parse();
    match cli.command {
        Command::Bench(args) => cli::bench::run(args),
        Command::Tokens(args) => cli::tokens::run(args),
        Command::Ast(args) => cli::ast::run(args),
        Command::Run(args) => cli::run::run(args),
        Command::Dis(args) => cli::dis::run(args),
        Command::Compile(args) => cli::compile::run(args),
        Command::Trace(args) => cli::trace::run(args),
    }
}
