//! `nanopy tokens [-e] FILE`: prints the tokens of a file exactly as `python3 -m tokenize [-e]`
//! does. `--parser` prints the parser-mode tokens instead (what CPython's C tokenizer feeds its
//! parser), one per line as `line,col-line,col: KIND 'text'` with character columns.

use std::path::PathBuf;
use std::process::ExitCode;

use std::io::Write;

use nanopy_compiler::lexer::{lex, tokenize_file, LexOptions};
use nanopy_compiler::source::{decode, LineIndex};
use nanopy_compiler::tokenize_dump::dump;

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
            eprintln!("nanopy: {}: {e}", args.file.display());
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
            eprint!("{}", e.render(name));
            return ExitCode::from(1);
        }
    };
    let index = LineIndex::new(&source);
    let tokens = match lex(
        &source,
        LexOptions {
            type_comments: true,
        },
    ) {
        Ok(t) => t,
        Err(e) => {
            // Machine-readable, for comparing with CPython's SyntaxError attributes.
            println!(
                "ERROR\t{}\t{}\t{}\t{}\t{:?}\t{:?}\t{}",
                e.kind.name(),
                e.msg,
                e.lineno,
                e.offset,
                e.end_lineno,
                e.end_offset,
                e.text.as_deref().unwrap_or("<None>")
            );
            eprint!("{}", e.render(name));
            return ExitCode::from(1);
        }
    };
    let mut out = String::with_capacity(tokens.len() * 32);
    for t in &tokens {
        let (l1, c1) = index.line_char_col(&source, t.start);
        let (l2, c2) = index.line_char_col(&source, t.end);
        out.push_str(&format!(
            "{l1},{c1}-{l2},{c2}:\t{}\t{:?}\n",
            t.kind.name(),
            t.text(&source)
        ));
    }
    print!("{out}");
    ExitCode::SUCCESS
}
