//! `nanopy run [--dispatch tail|switch|threaded|call] [--stats] FILE [ARGS...]`: compile FILE and run it, with
//! `sys.argv == [FILE, ARGS...]` as CPython sets it. A syntax error is printed as `python3 FILE`
//! prints it (file, line, caret, message) with exit status 1; an uncaught exception prints a
//! CPython-style traceback, exit status 1.
//!
//! Also home of [`compile_file`], shared by `dis` and `trace`: read, decode, parse, compile.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use nanopy_compiler::bytecode::CodeObject;
use nanopy_compiler::parser::{self, ParseOptions};
use nanopy_vm::{Dispatch, Options, TraceOptions, Vm};

/// `--dispatch`: one of `Dispatch::ALL`'s names (the help lists them).
pub fn dispatch_parser() -> impl clap::builder::TypedValueParser<Value = Dispatch> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(Dispatch::ALL.map(Dispatch::name))
        .map(|s| s.parse::<Dispatch>().expect("a listed name"))
}

#[derive(clap::Args)]
pub struct Args {
    /// How the interpreter reaches the next instruction's handler.
    #[arg(long, value_parser = dispatch_parser(), default_value = "tail")]
    pub dispatch: Dispatch,
    /// After the program, print executed VM instructions (total, per opcode) to stderr.
    #[arg(long)]
    pub stats: bool,
    /// The Python program.
    pub file: PathBuf,
    /// Arguments for the program (`sys.argv[1:]`).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<String>,
}

/// Read and compile `file`. On failure the error has been printed; returns the exit status.
pub fn compile_file(file: &Path) -> Result<Arc<CodeObject>, ExitCode> {
    let name = script_path(file);
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => {
            // CPython's wording for a missing script.
            let msg = e.to_string();
            let msg = msg.split(" (os error").next().unwrap_or(&msg);
            eprintln!(
                "nanopy: can't open file '{name}': [Errno {}] {msg}",
                e.raw_os_error().unwrap_or(0),
            );
            return Err(ExitCode::from(2));
        }
    };
    // Parsing and codegen recurse once per nesting level: give them a big stack.
    let result = parser::run_on_big_stack(|| {
        let source = parser::decode_source(&bytes)?;
        let arena = bumpalo::Bump::new();
        let tree = parser::parse(&arena, &source, ParseOptions::default())?;
        nanopy_compiler::codegen::compile_module(&tree, &source, &name)
    });
    result.map_err(|e| {
        eprint!("{}", e.render(&name));
        ExitCode::from(1)
    })
}

/// The file name CPython gives a script's code (`__file__`, tracebacks, syntax errors): the
/// path as given when absolute, else the working directory joined to it without normalising
/// (`python3 ../x.py` shows `/cwd/../x.py`), as `_Py_abspath` does.
fn script_path(file: &Path) -> String {
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

/// Run compiled module code; the exit status CPython would return.
pub fn execute(
    code: &Arc<CodeObject>,
    dispatch: Dispatch,
    file: &Path,
    args: &[String],
    trace: Option<TraceOptions>,
) -> ExitCode {
    let mut argv = vec![file.display().to_string()];
    argv.extend(args.iter().cloned());
    let mut vm = Vm::new(Options {
        dispatch,
        argv,
        trace,
        ..Options::default()
    });
    match vm.run_module(code) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => ExitCode::from(e.0.clamp(0, 255) as u8),
    }
}

pub fn run(args: Args) -> ExitCode {
    match compile_file(&args.file) {
        Ok(code) if args.stats => {
            super::stats::execute(&code, args.dispatch, &args.file, &args.args)
        }
        Ok(code) => execute(&code, args.dispatch, &args.file, &args.args, None),
        Err(status) => status,
    }
}
