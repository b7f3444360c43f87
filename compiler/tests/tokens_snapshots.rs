//! Snapshots of the parser-mode token stream (and tokenizer error, rendered as CPython prints
//! it) for every fixture under `fixtures/tokens/`. CPython 3.11 cannot dump its C tokenizer's
//! tokens, so these snapshots are the regression guard for parser mode; the error attributes
//! are checked against live CPython by `tokens_errors.rs` and the tokenize-mode output by
//! `tokens_tokenize.rs`.
//!
//! Regenerate after an intended change: `INSTA_UPDATE=always cargo test -p nanopy-compiler
//! --test tokens_snapshots` (or `cargo insta review`), then inspect the diff.

use std::path::PathBuf;

use nanopy_compiler::lexer::{lex_partial, LexOptions};
use nanopy_compiler::source::decode;
use nanopy_compiler::tokenize_dump::dump_parser_mode;

#[test]
fn parser_mode_snapshots() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tokens");
    let mut count = 0;
    for dir in ["valid", "tokenize", "errors"] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "py"))
            .collect();
        files.sort();
        for path in files {
            let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
            let shown = format!("{dir}/{stem}.py");
            let bytes = std::fs::read(&path).unwrap();
            let dumped = match decode(&bytes) {
                Ok(source) => {
                    let (tokens, err) = lex_partial(
                        &source,
                        LexOptions {
                            type_comments: true,
                        },
                    );
                    let err = err.map(|e| e.error);
                    dump_parser_mode(&source, &tokens, err.as_ref(), &shown)
                }
                Err(e) => dump_parser_mode("", &[], Some(&e), &shown),
            };
            insta::with_settings!({
                snapshot_path => "snapshots/tokens",
                prepend_module_to_snapshot => false,
                description => shown.clone(),
                omit_expression => true,
            }, {
                insta::assert_snapshot!(format!("{dir}__{stem}"), dumped);
            });
            count += 1;
        }
    }
    assert!(count > 100);
}
