//! Mutation check against live CPython: windows of stdlib files with one character deleted,
//! doubled, swapped or inserted (deterministic pseudo-random choices). For each, nanopy and
//! `python3 -m ast -a` must agree on accept/reject, on the dump when accepted, and on the
//! exception line (type and message) when rejected. Catches wrongly accepted input, panics
//! and error-priority mistakes that hand-written fixtures miss.

use std::path::Path;
use std::process::Command;

use nanopy_compiler::ast_dump::dump;
use nanopy_compiler::parser::{self, ParseOptions};

const STDLIB: &str = "/root/.pyenv/versions/3.11.7/lib/python3.11";
const FILES: &[&str] = &[
    "argparse.py",
    "ast.py",
    "dataclasses.py",
    "typing.py",
    "enum.py",
    "pathlib.py",
];
const CASES: usize = 120;

/// Known disagreements (message only), with the reason.
const KNOWN: &[(&str, &str)] = &[
    // CPython's generic DEDENT failure; nanopy reports plain invalid syntax there.
    (
        "IndentationError: unexpected unindent",
        "SyntaxError: invalid syntax",
    ),
];

struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

fn mutate(rng: &mut Lcg, src: &str) -> String {
    let lines: Vec<&str> = src.lines().collect();
    let i = rng.next(lines.len().saturating_sub(30));
    let window: Vec<&str> = lines[i..(i + 30).min(lines.len())].to_vec();
    // Dedent by the first line's indentation so most windows start at column 0.
    let indent = window[0].len() - window[0].trim_start().len();
    let mut chunk: Vec<char> = window
        .iter()
        .map(|l| {
            if l.len() >= indent && l[..indent].trim().is_empty() {
                &l[indent..]
            } else {
                l.trim_start()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        .chars()
        .collect();
    chunk.push('\n');
    let k = rng.next(chunk.len() - 1);
    match rng.next(4) {
        0 => {
            chunk.remove(k);
        }
        1 => chunk.insert(k, chunk[k]),
        2 => chunk.swap(k, k + 1),
        _ => {
            let set: Vec<char> = "()[]{}:,.=*@'\"\\ \n\t#fb".chars().collect();
            chunk.insert(k, set[rng.next(set.len())]);
        }
    }
    chunk.into_iter().collect()
}

#[test]
fn mutated_stdlib_windows_agree_with_cpython() {
    let dir = std::env::temp_dir().join(format!("nanopy-ast-mut-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut rng = Lcg(0x5eed);
    let mut bad = Vec::new();
    for n in 0..CASES {
        let file = FILES[n % FILES.len()];
        let src = std::fs::read_to_string(Path::new(STDLIB).join(file)).unwrap();
        let text = mutate(&mut rng, &src);
        let name = format!("m{n:03}.py");
        std::fs::write(dir.join(&name), &text).unwrap();
        let out = Command::new("python3")
            .args(["-m", "ast", "-a", &name])
            .current_dir(&dir)
            .output()
            .unwrap();
        let theirs = if out.status.success() {
            Ok(String::from_utf8(out.stdout).unwrap())
        } else {
            Err(String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or("")
                .to_string())
        };
        let ours = parser::run_on_big_stack(|| {
            let arena = bumpalo::Bump::new();
            let opts = ParseOptions {
                type_comments: true,
                ..Default::default()
            };
            match parser::parse(&arena, &text, opts) {
                Ok(tree) => Ok(dump(&tree, true, 3) + "\n"),
                Err(e) => Err(e.render(&name).lines().last().unwrap_or("").to_string()),
            }
        });
        match (&ours, &theirs) {
            (Ok(a), Ok(b)) if a == b => {}
            (Err(a), Err(b)) if a == b || KNOWN.contains(&(b.as_str(), a.as_str())) => {}
            _ => bad.push(format!(
                "{name} (from {file}):\n  cpython: {}\n  nanopy:  {}",
                theirs.as_ref().map(|_| "accepted").unwrap_or_else(|e| e),
                ours.as_ref().map(|_| "accepted").unwrap_or_else(|e| e)
            )),
        }
    }
    if bad.is_empty() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    assert!(
        bad.is_empty(),
        "{} of {CASES} disagree:\n{}",
        bad.len(),
        bad.join("\n")
    );
}
