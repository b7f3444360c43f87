//! `nanopy run [--dispatch tail|switch] [--stats] FILE [ARGS...]`: compile FILE and run it, with
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

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum DispatchArg {
    Tail,
    Switch,
}

#[derive(clap::Args)]
pub struct Args {
    /// How the interpreter reaches the next instruction's handler.
    #[arg(long, value_enum, default_value = "tail")]
    pub dispatch: DispatchArg,
    /// After the program, print executed VM instructions (total, per opcode) to stderr.
    #[arg(long)]
    pub stats: bool,
    /// Raise MemoryError once the program's heap passes SIZE bytes (suffixes K, M, G).
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_heap: Option<usize>,
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
pub(crate) fn script_path(file: &Path) -> String {
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

/// `--max-heap` sizes: bytes, or with a K/M/G suffix (powers of 1024).
fn parse_size(s: &str) -> Result<usize, String> {
    let t = s.trim();
    let (num, mult) = match t.chars().last().map(|c| c.to_ascii_uppercase()) {
        Some('K') => (&t[..t.len() - 1], 1usize << 10),
        Some('M') => (&t[..t.len() - 1], 1 << 20),
        Some('G') => (&t[..t.len() - 1], 1 << 30),
        _ => (t, 1),
    };
    num.parse::<usize>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("invalid size '{s}' (expected e.g. 1000000, 64K, 100M, 2G)"))
}

/// Run compiled module code; the exit status CPython would return.
pub fn execute(
    code: &Arc<CodeObject>,
    dispatch: DispatchArg,
    file: &Path,
    args: &[String],
    trace: Option<TraceOptions>,
) -> ExitCode {
    execute_with_limit(code, dispatch, file, args, trace, None)
}

/// As [`execute`], with `--max-heap`.
pub fn execute_with_limit(
    code: &Arc<CodeObject>,
    dispatch: DispatchArg,
    file: &Path,
    args: &[String],
    trace: Option<TraceOptions>,
    max_heap: Option<usize>,
) -> ExitCode {
    let mut argv = vec![file.display().to_string()];
    argv.extend(args.iter().cloned());
    let options = Options {
        dispatch: match dispatch {
            DispatchArg::Tail => Dispatch::Tail,
            DispatchArg::Switch => Dispatch::Switch,
        },
        argv,
        trace,
        loader: Some(super::loader::beside(&script_path(file))),
        max_heap,
        ..Options::default()
    };
    // Natives calling back into Python (key functions, generators, imports) nest on the host
    // stack: run on a big one, whose size the VM's stack guard knows.
    let status = parser::run_on_big_stack(move || {
        let mut vm = Vm::new(Options {
            stack_size: parser::STACK_SIZE,
            ..options
        });
        vm.run_module(code).map_err(|e| e.0)
    });
    match status {
        Ok(()) => ExitCode::SUCCESS,
        // The low byte, as the OS reports `exit(status)` (CPython: sys.exit(256) exits 0).
        Err(s) => ExitCode::from((s & 0xff) as u8),
    }
}

pub fn run(args: Args) -> ExitCode {
    match compile_file(&args.file) {
        Ok(code) if args.stats => {
            super::stats::execute(&code, args.dispatch, &args.file, &args.args)
        }
        Ok(code) => execute_with_limit(
            &code,
            args.dispatch,
            &args.file,
            &args.args,
            None,
            args.max_heap,
        ),
        Err(status) => status,
    }
}
