//! `nanopy ast [-a] [--mode M] [--no-type-comments] [-i N] FILE`: the AST of a file, printed as
//! `python3 -m ast` prints it (`ast.dump(ast.parse(src, FILE, mode, type_comments=True),
//! include_attributes=-a, indent=N)`).
//!
//! On a syntax error it prints, on stderr, what CPython prints after its traceback header: the
//! `File "...", line N` frame with the offending line and caret, then `SyntaxError: msg`, and
//! exits with status 1. CPython's own frames inside `ast.py` and `runpy` (the lines before that)
//! are not imitated: they describe CPython's implementation, not the user's file.

use std::path::PathBuf;
use std::process::ExitCode;

use nanopy_compiler::parser::{self, Mode, ParseOptions};

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum ModeArg {
    Exec,
    Eval,
    Single,
    #[value(name = "func_type")]
    FuncType,
}

#[derive(clap::Args)]
pub struct Args {
    /// Include attributes such as line numbers and column offsets.
    #[arg(short = 'a', long = "include-attributes")]
    pub include_attributes: bool,
    /// What kind of code must be parsed.
    #[arg(short = 'm', long, value_enum, default_value = "exec")]
    pub mode: ModeArg,
    /// Don't add information about type comments.
    #[arg(long)]
    pub no_type_comments: bool,
    /// Indentation of nodes (number of spaces).
    #[arg(short = 'i', long, default_value_t = 3)]
    pub indent: usize,
    /// Parse only (no dump): for memory and speed measurements (`scripts/bench-frontend.sh`).
    #[arg(long, hide = true)]
    pub parse_only: bool,
    /// The Python source file.
    pub file: PathBuf,
}

pub fn run(args: Args) -> ExitCode {
    let bytes = match std::fs::read(&args.file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("nanopy ast: {}: {e}", args.file.display());
            return ExitCode::from(2);
        }
    };
    let filename = args.file.display().to_string();
    let opts = ParseOptions {
        mode: match args.mode {
            ModeArg::Exec => Mode::Exec,
            ModeArg::Eval => Mode::Eval,
            ModeArg::Single => Mode::Single,
            ModeArg::FuncType => Mode::FuncType,
        },
        type_comments: !args.no_type_comments,
    };
    // Parse and dump on a big stack: both recurse once per nesting level.
    let result = parser::run_on_big_stack(|| -> Result<String, nanopy_compiler::SyntaxError> {
        let source = nanopy_compiler::parser::decode_source(&bytes)?;
        let arena = bumpalo::Bump::new();
        let tree = parser::parse(&arena, &source, opts)?;
        if args.parse_only {
            return Ok(String::new());
        }
        Ok(nanopy_compiler::ast_dump::dump(
            &tree,
            args.include_attributes,
            args.indent,
        ))
    });
    match result {
        Ok(text) => {
            if !args.parse_only {
                println!("{text}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprint!("{}", e.render(&filename));
            ExitCode::from(1)
        }
    }
}
