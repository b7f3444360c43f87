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
//! Carets follow CPython 3.11's rule: shown when the instruction's span does not cover the
//! whole line, or when the span is a binary operation or subscript, which get `~~~^~~~`
//! anchors. CPython finds the anchors by parsing the segment; the VM has no parser, so it
//! locates the operator the failing instruction names (or the final `[...]`) by scanning the
//! segment's top level: the same answer for ordinary code, possibly not for odd spacing such
//! as `(a)/b`.

use std::collections::HashMap;

use crate::interp::Vm;
use crate::ops;
use crate::value::Value;

/// The report for an uncaught exception: its chain first (`__cause__`, else `__context__`
/// unless suppressed), each followed by CPython's linking sentence, then the exception itself
/// (CPython's `print_exception_recursive`; exceptions already shown are not repeated).
pub fn format(vm: &mut Vm, exc: Value) -> String {
    let mut out = String::new();
    let mut seen = Vec::new();
    format_chain(vm, exc, &mut seen, &mut out);
    out
}

fn format_chain(vm: &mut Vm, exc: Value, seen: &mut Vec<Value>, out: &mut String) {
    seen.push(exc);
    if let Some(e) = exc.as_exc() {
        let (cause, context) = (e.chain.cause.get(), e.chain.context.get());
        if !cause.is_none() {
            if !seen.contains(&cause) {
                format_chain(vm, cause, seen, out);
                out.push_str(
                    "\nThe above exception was the direct cause of the following exception:\n\n",
                );
            }
        } else if !context.is_none() && !e.chain.suppress_context.get() && !seen.contains(&context)
        {
            format_chain(vm, context, seen, out);
            out.push_str(
                "\nDuring handling of the above exception, another exception occurred:\n\n",
            );
        }
    }
    out.push_str(&format_one(vm, exc));
}

/// One exception: its traceback entries and the `Type: message` line.
fn format_one(vm: &mut Vm, exc: Value) -> String {
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
            let anchors = if pos.end_line == pos.line {
                let seg: Vec<char> = line
                    .chars()
                    .skip(start)
                    .take(end.saturating_sub(start))
                    .collect();
                // quicken: the compiler's instruction, not its specialized form.
                c.src.code.get(pc).and_then(|ins| anchors_for(*ins, &seg))
            } else {
                None
            };
            if end > start && (end - start < stripped.chars().count() || anchors.is_some()) {
                out.push_str("    ");
                out.push_str(&" ".repeat(start.saturating_sub(indent)));
                match anchors {
                    Some((l, r)) => {
                        out.push_str(&"~".repeat(l));
                        out.push_str(&"^".repeat(r - l));
                        out.push_str(&"~".repeat((end - start).saturating_sub(r)));
                    }
                    None => out.push_str(&"^".repeat(end - start)),
                }
                out.push('\n');
            }
        }
    }
    flush_repeats(&mut out, repeats);
    let msg = ops::to_str(vm, exc).unwrap_or_default();
    out.push_str(&crate::class::exc_type_display(exc)); // --- classes ---
    if !msg.is_empty() {
        out.push_str(": ");
        out.push_str(&msg);
    }
    // --- bigint --- CPython 3.11's "Did you mean" (printed only here, not in str(exc)).
    if let Some(s) = crate::suggestions::offer(vm, exc) {
        out.push_str(". Did you mean: '");
        out.push_str(&s);
        out.push_str("'?");
    }
    out.push('\n');
    out
}

/// `(left, right)` char offsets of the secondary (`^`) part within `seg`, for instructions
/// CPython anchors: non-inplace binary operators and subscripts.
fn anchors_for(ins: nanopy_compiler::bytecode::Instr, seg: &[char]) -> Option<(usize, usize)> {
    use nanopy_compiler::bytecode::{BinaryOp, Opcode};
    match ins.op() {
        Opcode::BINARY_OP => {
            let op = BinaryOp::from_u32(ins.arg())?;
            if op.is_inplace() {
                return None;
            }
            binop_anchor(seg, op.symbol())
        }
        Opcode::BINARY_SUBSCR
        | Opcode::STORE_SUBSCR
        | Opcode::DELETE_SUBSCR
        | Opcode::BINARY_SLICE
        | Opcode::STORE_SLICE => subscript_anchor(seg),
        _ => None,
    }
}

/// Which chars of `seg` are at the top level (bracket depth 0, outside string literals).
fn top_level(seg: &[char]) -> Vec<bool> {
    let mut out = vec![false; seg.len()];
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut i = 0;
    while i < seg.len() {
        let ch = seg[i];
        if let Some(q) = quote {
            if ch == '\\' {
                i += 1;
            } else if ch == q {
                quote = None;
            }
        } else {
            match ch {
                '\'' | '"' => quote = Some(ch),
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => depth -= 1,
                _ => out[i] = depth == 0,
            }
        }
        i += 1;
    }
    out
}

fn binop_anchor(seg: &[char], sym: &str) -> Option<(usize, usize)> {
    let sym: Vec<char> = sym.chars().collect();
    let top = top_level(seg);
    let op_chars = "*/%+-<>&|^@=!~";
    let mut found = Vec::new();
    for i in 0..seg.len() {
        if !top[i] || seg.len() - i < sym.len() || seg[i..i + sym.len()] != sym[..] {
            continue;
        }
        // Not part of a longer operator (`//` when looking for `/`, `**` for `*`, `<=` ...).
        let before = i.checked_sub(1).map(|j| seg[j]);
        let after = seg.get(i + sym.len()).copied();
        if before.is_some_and(|c| op_chars.contains(c))
            || after.is_some_and(|c| op_chars.contains(c))
        {
            continue;
        }
        // Binary, not unary: an operand must end just before (spaces aside).
        let Some(&p) = seg[..i].iter().rev().find(|c| !c.is_whitespace()) else {
            continue;
        };
        if !(p.is_alphanumeric() || "_)]}'\".".contains(p)) {
            continue;
        }
        // Not the sign of a float exponent (`1e-5`).
        if (sym == ['-'] || sym == ['+']) && (p == 'e' || p == 'E') {
            let start = seg[..i]
                .iter()
                .rposition(|c| !(c.is_alphanumeric() || *c == '_' || *c == '.'));
            let tok = &seg[start.map_or(0, |s| s + 1)..i];
            if tok.first().is_some_and(|c| c.is_ascii_digit()) {
                continue;
            }
        }
        found.push(i);
    }
    // `**` is right-associative: the outermost is the first; the others associate left.
    let at = if sym == ['*', '*'] {
        *found.first()?
    } else {
        *found.last()?
    };
    Some((at, at + sym.len()))
}

fn subscript_anchor(seg: &[char]) -> Option<(usize, usize)> {
    let end = seg.iter().rposition(|c| !c.is_whitespace())?;
    if seg[end] != ']' {
        return None;
    }
    // Walk back to the '[' matching the final ']'.
    let mut depth = 0i32;
    let mut i = end;
    loop {
        match seg[i] {
            ']' | ')' | '}' => depth += 1,
            '[' | '(' | '{' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            _ => {}
        }
        i = i.checked_sub(1)?;
    }
    (i > 0).then_some((i, end + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn anchors(seg: &str, sym: &str) -> Option<(usize, usize)> {
        binop_anchor(&seg.chars().collect::<Vec<_>>(), sym)
    }

    #[test]
    fn operator_and_subscript_anchors() {
        assert_eq!(anchors("1 / 0", "/"), Some((2, 3)));
        assert_eq!(anchors("a // -b", "//"), Some((2, 4)));
        assert_eq!(anchors("x - -1e-5 - y", "-"), Some((10, 11)));
        assert_eq!(anchors("2 ** 3 ** x", "**"), Some((2, 4)));
        assert_eq!(anchors("f(a / b) / c", "/"), Some((9, 10)));
        assert_eq!(anchors("'a/b' / c", "/"), Some((6, 7)));
        let seg: Vec<char> = "xs[i][j + 1]".chars().collect();
        assert_eq!(subscript_anchor(&seg), Some((5, 12)));
    }
}
