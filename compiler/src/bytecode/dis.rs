//! The disassembler: CPython `dis`-like listing of a code object and its nested code objects.
//! Operand printing is chosen by the operand kind from the opcode table.

use std::fmt::Write;

use super::code::{CodeObject, Constant};
use super::opcode::{BinaryOp, CompareOp, OperandKind};

/// Disassemble `code` and, after it, every nested code object (as `dis.dis` does).
pub fn dis(code: &CodeObject) -> String {
    let mut out = String::new();
    dis_into(code, &mut out);
    out
}

fn dis_into(code: &CodeObject, out: &mut String) {
    let mut targets: std::collections::HashSet<u32> = code
        .code
        .iter()
        .filter(|i| i.op().is_jump())
        .map(|i| i.arg())
        .collect();
    // --- exceptions --- handlers are labels too (CPython 3.11 `dis` marks them `>>`).
    targets.extend(code.exception_table.iter().map(|e| e.target));
    // Column widths as CPython 3.11's `dis._disassemble_bytes`: line numbers 3 wide (wider from
    // line 1000 on), offsets 4 wide (wider from 10000 on), opname 20, operand 5.
    let max_line = code.positions.iter().map(|p| p.line).max().unwrap_or(0);
    let line_w = if max_line >= 1000 {
        max_line.to_string().len()
    } else {
        3
    };
    let max_off = code.code.len().saturating_sub(1);
    let off_w = if max_off >= 10000 {
        max_off.to_string().len()
    } else {
        4
    };
    let mut last_line = None;
    for (pc, ins) in code.code.iter().enumerate() {
        let line = code.line_of(pc);
        let starts_line = last_line != Some(line) && line != 0;
        if starts_line && pc > 0 {
            out.push('\n');
        }
        if starts_line {
            last_line = Some(line);
        }
        let line_col = if starts_line {
            line.to_string()
        } else {
            String::new()
        };
        let marker = if targets.contains(&(pc as u32)) {
            ">>"
        } else {
            "  "
        };
        let (op, arg) = (ins.op(), ins.arg());
        let _ = write!(
            out,
            "{line_col:>line_w$}     {marker} {pc:>off_w$} {:<20}",
            op.name()
        );
        if op.operand_kind() != OperandKind::None {
            let _ = write!(out, " {arg:>5}");
            if let Some(detail) = operand_detail(code, op.operand_kind(), arg) {
                let _ = write!(out, " ({detail})");
            }
        }
        while out.ends_with(' ') {
            out.pop();
        }
        out.push('\n');
    }
    // --- exceptions --- as CPython 3.11's `dis`, with instruction indices for byte offsets
    // (`end` printed inclusive).
    if !code.exception_table.is_empty() {
        out.push_str("ExceptionTable:\n");
        for e in &code.exception_table {
            let lasti = if e.push_lasti { " lasti" } else { "" };
            let _ = writeln!(
                out,
                "  {} to {} -> {} [{}]{lasti}",
                e.start,
                e.end.saturating_sub(1),
                e.target,
                e.depth
            );
        }
    }
    for c in &code.consts {
        if let Constant::Code(inner) = c {
            let _ = write!(
                out,
                "\nDisassembly of <code object {} at line {}>:\n",
                inner.name, inner.first_line
            );
            dis_into(inner, out);
        }
    }
}

fn operand_detail(code: &CodeObject, kind: OperandKind, arg: u32) -> Option<String> {
    let i = arg as usize;
    match kind {
        OperandKind::None | OperandKind::Count | OperandKind::Flags => None,
        OperandKind::Const => code.consts.get(i).map(constant_repr),
        OperandKind::Local => code.varnames.get(i).map(|s| s.to_string()),
        OperandKind::Name => code.names.get(i).map(|s| s.to_string()),
        OperandKind::Deref => code.deref_name(i).map(str::to_string),
        OperandKind::Jump => Some(format!("to {arg}")),
        OperandKind::BinOp => BinaryOp::from_u32(arg).map(|o| o.symbol().to_string()),
        OperandKind::CmpOp => CompareOp::from_u32(arg).map(|o| o.symbol().to_string()),
        OperandKind::Invert => None,
        OperandKind::FunctionFlags => {
            let names = ["defaults", "kwdefaults", "annotations", "closure"];
            let parts: Vec<&str> = (0..4)
                .filter(|b| arg & (1 << b) != 0)
                .map(|b| names[b])
                .collect();
            (!parts.is_empty()).then(|| parts.join(", "))
        }
        OperandKind::FormatFlags => {
            let conv = ["", "str", "repr", "ascii"][(arg & 3) as usize];
            let spec = if arg & 4 != 0 { "with format" } else { "" };
            let parts: Vec<&str> = [conv, spec].into_iter().filter(|s| !s.is_empty()).collect();
            (!parts.is_empty()).then(|| parts.join(", "))
        }
        OperandKind::UnpackEx => Some(format!("{} before, {} after", arg & 0xff, arg >> 8)),
    }
}

/// Python `repr` of a constant (as `dis` shows it).
pub fn constant_repr(c: &Constant) -> String {
    match c {
        Constant::None => "None".into(),
        Constant::Bool(b) => if *b { "True" } else { "False" }.into(),
        Constant::Ellipsis => "Ellipsis".into(),
        Constant::Int(i) => i.to_string(),
        Constant::BigInt(i) => i.to_string(),
        Constant::Float(f) => float_repr(*f),
        Constant::Complex { re, im } => {
            if *re == 0.0 && re.is_sign_positive() {
                format!("{}j", float_repr_short(*im))
            } else {
                let sign = if *im < 0.0 || (*im == 0.0 && im.is_sign_negative()) {
                    "-"
                } else {
                    "+"
                };
                format!(
                    "({}{sign}{}j)",
                    float_repr_short(*re),
                    float_repr_short(im.abs())
                )
            }
        }
        Constant::Str(s) => str_repr(s),
        Constant::Bytes(b) => bytes_repr(b),
        Constant::Tuple(items) => {
            let parts: Vec<String> = items.iter().map(constant_repr).collect();
            if parts.len() == 1 {
                format!("({},)", parts[0])
            } else {
                format!("({})", parts.join(", "))
            }
        }
        Constant::FrozenSet(items) => {
            let parts: Vec<String> = items.iter().map(constant_repr).collect();
            if parts.is_empty() {
                "frozenset()".into()
            } else {
                format!("frozenset({{{}}})", parts.join(", "))
            }
        }
        Constant::Code(code) => format!("<code object {} at line {}>", code.name, code.first_line),
    }
}

/// Python's `repr(float)`: shortest round-trip digits, scientific when the exponent is < -4 or
/// >= 16.
pub fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let s = format!("{f:e}"); // shortest round-trip digits: "d.ddde<exp>"
    let (mantissa, exp) = s.split_once('e').expect("{:e} has an exponent");
    let exp: i32 = exp.parse().expect("exponent");
    let (neg, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if (-4..16).contains(&exp) {
        if exp < 0 {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (-exp - 1) as usize));
            out.push_str(&digits);
        } else {
            let int_len = exp as usize + 1;
            if digits.len() <= int_len {
                out.push_str(&digits);
                out.extend(std::iter::repeat_n('0', int_len - digits.len()));
                out.push_str(".0");
            } else {
                out.push_str(&digits[..int_len]);
                out.push('.');
                out.push_str(&digits[int_len..]);
            }
        }
    } else {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let _ = write!(out, "e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
    }
    out
}

/// Float repr inside complex reprs drops a trailing `.0`.
fn float_repr_short(f: f64) -> String {
    let s = float_repr(f);
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

/// Python's `repr(str)`.
pub fn str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if is_unprintable(c) => {
                let n = c as u32;
                if n <= 0xff {
                    let _ = write!(out, "\\x{n:02x}");
                } else if n <= 0xffff {
                    let _ = write!(out, "\\u{n:04x}");
                } else {
                    let _ = write!(out, "\\U{n:08x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Approximation of `not str.isprintable()` for non-ASCII: C1 controls, NBSP-like separators
/// and unassigned private/surrogate areas. (Full Unicode tables belong to the text module.)
fn is_unprintable(c: char) -> bool {
    let n = c as u32;
    (0x80..=0xa0).contains(&n)
        || n == 0xad
        || (0x2028..=0x2029).contains(&n)
        || (0xe000..=0xf8ff).contains(&n)
        || n == 0xfeff
}

/// Python's `repr(bytes)`.
pub fn bytes_repr(b: &[u8]) -> String {
    let quote = if b.contains(&b'\'') && !b.contains(&b'"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::from("b");
    out.push(quote);
    for &c in b {
        match c {
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            c if c as char == quote => {
                out.push('\\');
                out.push(c as char);
            }
            0x20..=0x7e => out.push(c as char),
            c => {
                let _ = write!(out, "\\x{c:02x}");
            }
        }
    }
    out.push(quote);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bytecode::{Instr, Opcode, Position};

    #[test]
    fn float_repr_matches_python() {
        for (f, s) in [
            (1.0, "1.0"),
            (0.1, "0.1"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (1.5e-5, "1.5e-05"),
            (0.0001, "0.0001"),
            (-2.5, "-2.5"),
            (123456789.125, "123456789.125"),
            (f64::INFINITY, "inf"),
            (-0.0, "-0.0"),
        ] {
            assert_eq!(float_repr(f), s);
        }
    }

    #[test]
    fn str_and_tuple_repr() {
        assert_eq!(str_repr("it's"), "\"it's\"");
        assert_eq!(str_repr("a\nb'\""), "'a\\nb\\'\"'");
        let t = Constant::Tuple(vec![Constant::Int(1)].into());
        assert_eq!(constant_repr(&t), "(1,)");
    }

    #[test]
    fn listing_shows_operands_by_kind() {
        let mut c = CodeObject::new("f", "f", "t.py".into(), 1);
        c.varnames = vec!["n".into()];
        c.consts = vec![Constant::Int(2)];
        c.code = vec![
            Instr::new(Opcode::LOAD_FAST, 0),
            Instr::new(Opcode::LOAD_CONST, 0),
            Instr::new(Opcode::COMPARE_OP, 0),
            Instr::new(Opcode::POP_JUMP_IF_FALSE, 5),
            Instr::new(Opcode::RETURN_CONST, 0),
            Instr::new(Opcode::LOAD_FAST, 0),
            Instr::new(Opcode::RETURN_VALUE, 0),
        ];
        c.positions = vec![Position::line(2); 4];
        c.positions
            .extend([Position::line(3), Position::line(4), Position::line(4)]);
        assert_eq!(c.compute_max_stack(), Some(2));
        let text = dis(&c);
        assert!(
            text.contains("  2           0 LOAD_FAST                0 (n)\n"),
            "{text}"
        );
        assert!(text.contains("COMPARE_OP               0 (<)\n"), "{text}");
        assert!(
            text.contains("POP_JUMP_IF_FALSE        5 (to 5)\n"),
            "{text}"
        );
        assert!(text.contains("  4     >>    5 LOAD_FAST"), "{text}");
    }
}
