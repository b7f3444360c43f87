//! `nanopy tokens [-e] FILE`: prints the tokens of a file exactly as `python3 -m tokenize [-e]`
//! does. `--parser` prints the parser-mode tokens instead (what CPython's C tokenizer feeds its
//! parser), one per line as `line,col-line,col: KIND 'text'` with UTF-8 byte columns, then the
//! tokenizer error if any.

use std::path::PathBuf;
use std::process::ExitCode;

use std::io::Write;

use nanopy_compiler::lexer::{lex_partial, tokenize_file, LexOptions};
use nanopy_compiler::source::decode;
use nanopy_compiler::tokenize_dump::{dump, dump_parser_mode, py_repr};

#[derive(clap::Args)]
pub struct Args {
    /// Print exact operator kinds (LPAR, PLUS, ...) instead of OP.
    #[arg(short = 'e', long = "exact")]
    pub exact: bool,
    /// Print the parser-mode tokens (C tokenizer) instead of tokenize.py's.
    #[arg(long = "parser", hide = true)]
    pub parser: bool,
    /// The Python source file.
    pub file: PathBuf,
}

pub fn run(args: Args) -> ExitCode {
    let bytes = match std::fs::read(&args.file) {
        Ok(b) => b,
        Err(e) => {
            // As tokenize's `except OSError as err: error(err)`.
            eprintln!(
                "error: {}",
                os_error_str(&e, &args.file.display().to_string())
            );
            return ExitCode::from(1);
        }
    };
    let name = args.file.display().to_string();
    if args.parser {
        return run_parser_mode(&bytes, &name);
    }
    match tokenize_file(&bytes, &name) {
        Ok(t) => {
            let out = dump(&t, args.exact);
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`| head`) is not an error worth a panic.
            let _ = stdout.write_all(out.as_bytes());
            let _ = stdout.flush();
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{}", e.render(&name));
            ExitCode::from(1)
        }
    }
}

fn run_parser_mode(bytes: &[u8], name: &str) -> ExitCode {
    let source = match decode(bytes) {
        Ok(s) => s,
        Err(e) => {
            print!("{}", dump_parser_mode("", &[], Some(&e), name));
            return ExitCode::from(1);
        }
    };
    let (tokens, error) = lex_partial(
        &source,
        LexOptions {
            type_comments: true,
        },
    );
    let error = error.map(|e| e.error);
    print!(
        "{}",
        dump_parser_mode(&source, &tokens, error.as_ref(), name)
    );
    if error.is_some() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Python's `str(OSError)` for a failed open: `[Errno 2] No such file or directory: 'x.py'`.
fn os_error_str(e: &std::io::Error, path: &str) -> String {
    let text = e.to_string();
    match e.raw_os_error() {
        Some(code) => {
            let strerror = text.split(" (os error").next().unwrap_or(&text);
            format!("[Errno {code}] {strerror}: {}", py_repr(path))
        }
        None => text,
    }
}
