//! CPython-style traceback text for an uncaught exception:
//!
//! ```text
//! Traceback (most recent call last):
//!   File "prog.py", line 9, in <module>
//!     main(N)
//!   File "prog.py", line 5, in main
//!     return f(x)
//!            ^^^^
//! ValueError: message
//! ```
//!
//! Source lines are read from the file named by the code object, as CPython's linecache does.
//! Carets follow CPython 3.11's rule (shown only when the instruction's span does not cover the
//! whole line); the `~~~^~~~` anchors CPython adds for binary operators and subscripts are not
//! produced yet (plain `^` is printed instead).

use std::collections::HashMap;

use crate::interp::Vm;
use crate::ops;
use crate::value::Value;

pub fn format(vm: &mut Vm, exc: Value) -> String {
    let mut out = String::new();
    let Some(e) = exc.as_exc() else {
        return format!("{}\n", ops::repr(vm, exc).unwrap_or_default());
    };
    let entries: Vec<(Value, usize)> = e.traceback.borrow().iter().rev().copied().collect();
    if !entries.is_empty() {
        out.push_str("Traceback (most recent call last):\n");
    }
    let mut files: HashMap<String, Option<Vec<String>>> = HashMap::new();
    // CPython prints at most 3 identical consecutive entries, then a "repeated" note.
    let mut last: Option<(String, u32, String)> = None;
    let mut repeats = 0usize;
    let flush_repeats = |out: &mut String, repeats: usize| {
        if repeats > 3 {
            let n = repeats - 3;
            let s = if n == 1 { "" } else { "s" };
            out.push_str(&format!("  [Previous line repeated {n} more time{s}]\n"));
        }
    };
    for (code, pc) in entries {
        let Some(c) = code.as_code() else { continue };
        let pos = c.src.positions.get(pc).copied().unwrap_or_default();
        let filename = c.src.filename.to_string();
        let key = (filename.clone(), pos.line, c.src.name.to_string());
        if last.as_ref() == Some(&key) {
            repeats += 1;
            if repeats > 3 {
                continue;
            }
        } else {
            flush_repeats(&mut out, repeats);
            repeats = 1;
            last = Some(key);
        }
        out.push_str(&format!(
            "  File \"{}\", line {}, in {}\n",
            filename, pos.line, c.src.name
        ));
        let lines = files.entry(filename.clone()).or_insert_with(|| {
            std::fs::read_to_string(&filename)
                .ok()
                .map(|s| s.lines().map(String::from).collect())
        });
        let Some(line) = lines
            .as_ref()
            .and_then(|l| l.get((pos.line as usize).wrapping_sub(1)))
        else {
            continue;
        };
        let stripped = line.trim_start_matches([' ', '\t', '\x0c']);
        let stripped = stripped.trim_end();
        if stripped.is_empty() {
            continue;
        }
        out.push_str("    ");
        out.push_str(stripped);
        out.push('\n');
        if pos.end_col > pos.col || pos.end_line > pos.line {
            let to_chars = |byte: u32| {
                line.get(..(byte as usize).min(line.len()))
                    .map_or(0, |p| p.chars().count())
            };
            let indent =
                line.chars().count() - line.trim_start_matches([' ', '\t', '\x0c']).chars().count();
            let start = to_chars(pos.col);
            let end = if pos.end_line == pos.line {
                to_chars(pos.end_col)
            } else {
                indent + stripped.chars().count()
            };
            if end > start && end - start < stripped.chars().count() {
                out.push_str("    ");
                out.push_str(&" ".repeat(start.saturating_sub(indent)));
                out.push_str(&"^".repeat(end - start));
                out.push('\n');
            }
        }
    }
    flush_repeats(&mut out, repeats);
    let msg = ops::to_str(vm, exc).unwrap_or_default();
    out.push_str(e.ty.name());
    if !msg.is_empty() {
        out.push_str(": ");
        out.push_str(&msg);
    }
    out.push('\n');
    out
}
