//! Constant folding, as CPython's AST optimizer (`Python/ast_opt.c`) does it: unary and binary
//! operators on constant operands, and tuples of constants. The same size limits apply, so a
//! folded program keeps the same constants (and `dis` output) as CPython's: results whose ints
//! exceed 128 bits, strings 4096 characters or tuples 256 items are left to run time. Anything
//! that would raise (division by zero, negative shift) is never folded.

use num_bigint::BigInt;

use crate::ast::{self, Expr, ExprKind, Operator, UnaryOp};
use crate::bytecode::Constant;

const MAX_INT_BITS: u64 = 128;
const MAX_STR_SIZE: usize = 4096;
const MAX_COLLECTION_SIZE: usize = 256;

/// The constant an expression folds to, if any.
pub fn fold(e: &Expr<'_>) -> Option<Constant> {
    match &e.kind {
        ExprKind::Constant { value, .. } => literal(value),
        ExprKind::UnaryOp { op, operand } => unary(*op, fold(operand)?),
        ExprKind::BinOp { left, op, right } => binary(fold(left)?, *op, fold(right)?),
        ExprKind::Tuple {
            elts,
            ctx: ast::ExprContext::Load,
        } => {
            let mut items = Vec::with_capacity(elts.len());
            for x in elts.iter() {
                items.push(fold(x)?);
            }
            Some(Constant::Tuple(items.into()))
        }
        _ => None,
    }
}

/// A literal's constant.
pub fn literal(c: &ast::Constant<'_>) -> Option<Constant> {
    Some(match c {
        ast::Constant::None => Constant::None,
        ast::Constant::True => Constant::Bool(true),
        ast::Constant::False => Constant::Bool(false),
        ast::Constant::Ellipsis => Constant::Ellipsis,
        ast::Constant::Int(ast::Int::Small(i)) => Constant::Int(*i),
        ast::Constant::Int(ast::Int::Big(d)) => Constant::int(d.parse::<BigInt>().ok()?),
        ast::Constant::Float(f) => Constant::Float(*f),
        ast::Constant::Complex { real, imag } => Constant::Complex {
            re: *real,
            im: *imag,
        },
        // Lone surrogates cannot be a Rust str; such literals stay unfoldable (codegen reports).
        ast::Constant::Str(s) => Constant::Str(s.as_str()?.into()),
        ast::Constant::Bytes(b) => Constant::Bytes((*b).into()),
    })
}

fn big(c: &Constant) -> Option<BigInt> {
    match c {
        Constant::Int(i) => Some(BigInt::from(*i)),
        Constant::BigInt(b) => Some(b.clone()),
        Constant::Bool(b) => Some(BigInt::from(*b as i64)),
        _ => None,
    }
}

fn float(c: &Constant) -> Option<f64> {
    match c {
        Constant::Float(f) => Some(*f),
        Constant::Int(i) if i.unsigned_abs() <= 1 << 53 => Some(*i as f64),
        Constant::Bool(b) => Some(*b as i64 as f64),
        _ => None,
    }
}

fn int_ok(v: BigInt) -> Option<Constant> {
    (v.bits() <= MAX_INT_BITS).then(|| Constant::int(v))
}

fn truthy(c: &Constant) -> Option<bool> {
    Some(match c {
        Constant::None => false,
        Constant::Bool(b) => *b,
        Constant::Ellipsis => true,
        Constant::Int(i) => *i != 0,
        Constant::BigInt(_) => true,
        Constant::Float(f) => *f != 0.0,
        Constant::Complex { re, im } => *re != 0.0 || *im != 0.0,
        Constant::Str(s) => !s.is_empty(),
        Constant::Bytes(b) => !b.is_empty(),
        Constant::Tuple(t) => !t.is_empty(),
        Constant::FrozenSet(t) => !t.is_empty(),
        Constant::Code(_) => return None,
    })
}

/// The truth value of a folded constant (for `if`/`while` on constants).
pub fn truth(c: &Constant) -> Option<bool> {
    truthy(c)
}

fn unary(op: UnaryOp, c: Constant) -> Option<Constant> {
    match op {
        UnaryOp::Not => Some(Constant::Bool(!truthy(&c)?)),
        UnaryOp::USub => match c {
            Constant::Float(f) => Some(Constant::Float(-f)),
            Constant::Complex { re, im } => Some(Constant::Complex { re: -re, im: -im }),
            c => Some(Constant::int(-big(&c)?)),
        },
        UnaryOp::UAdd => match c {
            Constant::Float(_) | Constant::Complex { .. } => Some(c),
            c => Some(Constant::int(big(&c)?)),
        },
        UnaryOp::Invert => match c {
            Constant::Float(_) | Constant::Complex { .. } => None,
            c => Some(Constant::int(!big(&c)?)),
        },
    }
}

fn is_int(c: &Constant) -> bool {
    matches!(
        c,
        Constant::Int(_) | Constant::BigInt(_) | Constant::Bool(_)
    )
}

fn binary(a: Constant, op: Operator, b: Constant) -> Option<Constant> {
    use Operator as O;
    if let (Constant::Bool(x), Constant::Bool(y)) = (&a, &b) {
        // bool's own bitwise operators keep the type.
        match op {
            O::BitAnd => return Some(Constant::Bool(x & y)),
            O::BitOr => return Some(Constant::Bool(x | y)),
            O::BitXor => return Some(Constant::Bool(x ^ y)),
            _ => {}
        }
    }
    if is_int(&a) && is_int(&b) {
        let (x, y) = (big(&a)?, big(&b)?);
        let zero = BigInt::from(0);
        return match op {
            O::Add => int_ok(x + y),
            O::Sub => int_ok(x - y),
            O::Mult => {
                if x.bits() + y.bits() > MAX_INT_BITS {
                    return None;
                }
                int_ok(x * y)
            }
            O::FloorDiv | O::Mod => {
                if y == zero {
                    return None;
                }
                let (q, r) = floor_divmod(&x, &y);
                int_ok(if op == O::FloorDiv { q } else { r })
            }
            O::Div => {
                let (fx, fy) = (float(&a)?, float(&b)?);
                (fy != 0.0).then(|| Constant::Float(fx / fy))
            }
            O::Pow => {
                let e = u64::try_from(&y).ok()?;
                if x.bits() * e > MAX_INT_BITS {
                    return None;
                }
                int_ok(x.pow(e as u32))
            }
            O::LShift => {
                let s = u64::try_from(&y).ok()?;
                if x.bits() + s > MAX_INT_BITS {
                    return None;
                }
                int_ok(x << s as usize)
            }
            O::RShift => {
                let s = u64::try_from(&y).ok()?;
                int_ok(x >> s.min(MAX_INT_BITS * 2) as usize)
            }
            O::BitAnd => int_ok(x & y),
            O::BitOr => int_ok(x | y),
            O::BitXor => int_ok(x ^ y),
            O::MatMult => None,
        };
    }
    match (&a, &b) {
        (Constant::Str(x), Constant::Str(y)) if op == O::Add => {
            let n = x.chars().count() + y.chars().count();
            (n <= MAX_STR_SIZE).then(|| Constant::Str(format!("{x}{y}").into()))
        }
        (Constant::Str(s), n) | (n, Constant::Str(s)) if op == O::Mult && is_int(n) => {
            let k = i64::try_from(&big(n)?).ok()?.max(0) as usize;
            let len = s.chars().count();
            (len.saturating_mul(k) <= MAX_STR_SIZE).then(|| Constant::Str(s.repeat(k).into()))
        }
        (Constant::Tuple(t), n) if op == O::Mult && is_int(n) => {
            let k = i64::try_from(&big(n)?).ok()?.max(0) as usize;
            (t.len().saturating_mul(k) <= MAX_COLLECTION_SIZE).then(|| {
                let mut v = Vec::with_capacity(t.len() * k);
                for _ in 0..k {
                    v.extend(t.iter().cloned());
                }
                Constant::Tuple(v.into())
            })
        }
        _ => {
            // Float arithmetic whose result IEEE fixes exactly as CPython computes it.
            let (fx, fy) = (float(&a)?, float(&b)?);
            if !matches!(a, Constant::Float(_)) && !matches!(b, Constant::Float(_)) {
                return None;
            }
            match op {
                O::Add => Some(Constant::Float(fx + fy)),
                O::Sub => Some(Constant::Float(fx - fy)),
                O::Mult => Some(Constant::Float(fx * fy)),
                O::Div if fy != 0.0 => Some(Constant::Float(fx / fy)),
                _ => None,
            }
        }
    }
}

fn floor_divmod(x: &BigInt, y: &BigInt) -> (BigInt, BigInt) {
    use num_bigint::Sign;
    let q = x / y;
    let r = x - &q * y;
    if r.sign() != Sign::NoSign && (r.sign() == Sign::Minus) != (y.sign() == Sign::Minus) {
        (q - 1, r + y)
    } else {
        (q, r)
    }
}
