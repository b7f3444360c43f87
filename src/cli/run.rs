//! `nanopy run [--dispatch tail|switch|threaded|call] [--stats] [-v] [--no-cache] [--no-quicken] FILE [ARGS...]`:
//! compile FILE and run it, with
//! `sys.argv == [FILE, ARGS...]` as CPython sets it. A syntax error is printed as `python3 FILE`
//! prints it (file, line, caret, message) with exit status 1; an uncaught exception prints a
//! CPython-style traceback, exit status 1.
//!
//! The code comes through the bytecode cache (`crate::cache`): `-v` reports what the cache did,
//! `--no-cache` bypasses it. Also home of [`compile_file`], shared by `dis` and `trace`: read,
//! decode, parse, compile, no cache.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use nanopy_compiler::bytecode::CodeObject;
use nanopy_compiler::parser;
use nanopy_vm::{Dispatch, Options, TraceOptions, Vm};

use crate::cache;

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
    /// Say on stderr whether the bytecode cache was used ("cache hit", "compiled, cache
    /// written", "cache stale", "cache rejected: <why>").
    #[arg(short = 'v', long)]
    pub verbose: bool,
    /// Neither read nor write the bytecode cache (`__pycache__/NAME.nanopy-<tag>.pyc`).
    #[arg(long)]
    pub no_cache: bool,
    /// Run the bytecode as compiled: no quickening into specialized instructions (to measure
    /// what quickening buys).
    #[arg(long)]
    pub no_quicken: bool,
    /// Raise MemoryError once the program's heap passes SIZE bytes (suffixes K, M, G).
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_heap: Option<usize>,
    /// The Python program.
    pub file: PathBuf,
    /// Arguments for the program (`sys.argv[1:]`).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<String>,
}

/// Read and compile `file` (no cache: `dis` and `trace` show what the compiler makes now). On
/// failure the error has been printed; returns the exit status.
pub fn compile_file(file: &Path) -> Result<Arc<CodeObject>, ExitCode> {
    let name = cache::script_path(file);
    let bytes = std::fs::read(file).map_err(|err| {
        let e = cache::LoadError::Open {
            name: name.clone(),
            err,
        };
        eprint!("{}", e.render());
        ExitCode::from(e.exit_status())
    })?;
    cache::compile_source(&name, &bytes).map_err(|err| {
        eprint!("{}", err.render(&name));
        ExitCode::from(1)
    })
}

/// Load `file`'s code through the bytecode cache, reporting the cache event as asked.
pub fn load_file(file: &Path, opts: &cache::CacheOptions) -> Result<Arc<CodeObject>, ExitCode> {
    let (code, event) = cache::load_or_compile(file, opts);
    event.report(opts.verbose);
    code.map_err(|e| {
        eprint!("{}", e.render());
        ExitCode::from(e.exit_status())
    })
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

/// Run compiled module code (imports through the cache as `cache_opts` allows; MemoryError
/// past `max_heap` bytes); the exit status CPython would return.
// The run, trace and stats commands each pass their own mix of these flags.
#[allow(clippy::too_many_arguments)]
pub fn execute(
    code: &Arc<CodeObject>,
    dispatch: Dispatch,
    file: &Path,
    args: &[String],
    trace: Option<TraceOptions>,
    cache_opts: cache::CacheOptions,
    max_heap: Option<usize>,
    quicken: bool,
) -> ExitCode {
    let mut argv = vec![file.display().to_string()];
    argv.extend(args.iter().cloned());
    let options = Options {
        dispatch,
        argv,
        trace,
        loader: Some(super::loader::beside(&cache::script_path(file), cache_opts)),
        max_heap,
        quicken,
        ..Options::default()
    };
    // Natives calling back into Python (key functions, generators, imports) nest on the host
    // stack: run on a big one, whose size the VM's stack guard knows.
    let status = parser::run_on_big_stack(move || {
        let mut vm = Vm::new(Options {
            stack_size: parser::STACK_SIZE,
            ..options
        });
        let status = vm.run_module(code).map_err(|e| e.0);
        // The process exits next and the OS takes the whole heap back at once: freeing each
        // object first (2 million for str_build) was 2% of its profile (`drop_in_place<Vm>`,
        // perf record); side by side the difference is within noise (`nanopy bench
        // --programs str_build,word_freq,binary_trees --repeat 5 --against`). Output is flushed.
        std::mem::forget(vm);
        status
    });
    match status {
        Ok(()) => ExitCode::SUCCESS,
        // The low byte, as the OS reports `exit(status)` (CPython: sys.exit(256) exits 0).
        Err(s) => ExitCode::from((s & 0xff) as u8),
    }
}

pub fn run(args: Args) -> ExitCode {
    let opts = cache::CacheOptions {
        read: !args.no_cache,
        write: !args.no_cache,
        verbose: args.verbose,
    };
    match load_file(&args.file, &opts) {
        Ok(code) if args.stats => super::stats::execute(
            &code,
            args.dispatch,
            &args.file,
            &args.args,
            opts,
            !args.no_quicken,
        ),
        Ok(code) => execute(
            &code,
            args.dispatch,
            &args.file,
            &args.args,
            None,
            opts,
            args.max_heap,
            !args.no_quicken,
        ),
        Err(status) => status,
    }
}
