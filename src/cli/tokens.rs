//! `nanopy tokens [-e] FILE`: prints the tokens of a file exactly as `python3 -m tokenize [-e]`
//! does. `--parser` prints the parser-mode tokens instead (what CPython's C tokenizer feeds its
//! parser), one per line as `line,col-line,col: KIND 'text'` with UTF-8 byte columns, then the
//! tokenizer error if any.

use std::path::PathBuf;
use std::process::ExitCode;

use std::io::{Read, Write};

use nanopy_compiler::lexer::{generate_tokens, lex_partial, tokenize_file, LexOptions};
use nanopy_compiler::source::decode;
use nanopy_compiler::source::utf8_error_message;
use nanopy_compiler::tokenize_dump::{dump, dump_parser_mode, dump_tokens, py_repr};

#[derive(clap::Args)]
pub struct Args {
    /// Print exact operator kinds (LPAR, PLUS, ...) instead of OP.
    #[arg(short = 'e', long = "exact")]
    pub exact: bool,
    /// Print the parser-mode tokens (C tokenizer) instead of tokenize.py's.
    #[arg(long = "parser", hide = true)]
    pub parser: bool,
    /// The Python source file; standard input when omitted (as tokenize: no ENCODING token,
    /// errors reported for `<stdin>`; the input must be valid UTF-8).
    pub file: Option<PathBuf>,
}

pub fn run(args: Args) -> ExitCode {
    let Some(file) = args.file.clone() else {
        return run_stdin(args.exact);
    };
    let args = FileArgs {
        exact: args.exact,
        parser: args.parser,
        file,
    };
    run_file(args)
}

struct FileArgs {
    exact: bool,
    parser: bool,
    file: PathBuf,
}

/// `python -m tokenize` without a file: `_tokenize(sys.stdin.readline, None)`, printing tokens
/// as they are produced, so an error comes after the tokens before it.
fn run_stdin(exact: bool) -> ExitCode {
    let mut bytes = Vec::new();
    if let Err(e) = std::io::stdin().read_to_end(&mut bytes) {
        eprintln!("error: {e}");
        return ExitCode::from(1);
    }
    // POSIX sys.stdin: UTF-8, lines split at `\n` only (newline="\n"), undecodable bytes kept
    // as lone surrogates (surrogateescape), which a Rust string cannot hold.
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let b = e.as_bytes();
            let err = e.utf8_error();
            eprintln!(
                "nanopy: standard input is not valid UTF-8 ({}); tokenize would read the bytes as surrogates, which nanopy does not support",
                utf8_error_message(b, &err, 0)
            );
            return ExitCode::from(1);
        }
    };
    let (tokens, err) = generate_tokens(&text);
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(dump_tokens(&text, &tokens, None, exact).as_bytes());
    let _ = stdout.flush();
    match err {
        None => ExitCode::SUCCESS,
        Some(e) => {
            eprintln!("{}", e.render("<stdin>"));
            ExitCode::from(1)
        }
    }
}

fn run_file(args: FileArgs) -> ExitCode {
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
