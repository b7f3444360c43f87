//! `nanopy trace [--function NAME] [--limit N] FILE [ARGS...]`: run FILE printing, on stderr,
//! each executed instruction with the value stack after it. The program's own output still goes
//! to stdout. Tracing runs the switch dispatcher's instrumented loop.

use std::path::PathBuf;
use std::process::ExitCode;

use nanopy_vm::TraceOptions;

#[derive(clap::Args)]
pub struct Args {
    /// Only trace instructions of functions with this name (co_name, e.g. `fib`, `<module>`).
    #[arg(long)]
    pub function: Option<String>,
    /// Stop tracing after printing this many lines (the program keeps running).
    #[arg(long)]
    pub limit: Option<u64>,
    /// The Python program.
    pub file: PathBuf,
    /// Arguments for the program (`sys.argv[1:]`).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<String>,
}

pub fn run(args: Args) -> ExitCode {
    let code = match super::run::compile_file(&args.file) {
        Ok(c) => c,
        Err(status) => return status,
    };
    let trace = TraceOptions {
        function: args.function,
        limit: args.limit,
    };
    super::run::execute(
        &code,
        nanopy_vm::Dispatch::Switch,
        &args.file,
        &args.args,
        Some(trace),
        // `trace` shows what the compiler makes now: imports bypass the cache too.
        crate::cache::CacheOptions {
            read: false,
            write: false,
            verbose: false,
        },
        None,
        false, // the trace shows the compiler's instructions (the VM would not quicken anyway)
    )
}
