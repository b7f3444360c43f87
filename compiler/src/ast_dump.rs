//! `ast.dump(tree, indent=N, include_attributes=...)`, byte for byte as CPython 3.11's
//! `Lib/ast.py` prints it (what `python3 -m ast [-a]` shows).
//!
//! The tree is first turned into a generic shape (node name, fields in ASDL order, attributes),
//! then laid out by a transcription of `ast.dump`'s `_format`: a node goes on one line when all its
//! values are "simple" and it has at most three of them; `None` optional fields are omitted;
//! empty lists print as `[]`. Values print as Python's `repr` would (str quoting and escapes,
//! shortest round-trip floats, ...). This module only reads the AST.

use std::fmt::Write;

use crate::ast::*;

mod printable;

/// Formats a tree like `ast.dump(tree, include_attributes=..., indent=indent)`.
pub fn dump(module: &Mod, include_attributes: bool, indent: usize) -> String {
    let v = Conv {
        attrs: include_attributes,
    }
    .module(module);
    let indent = " ".repeat(indent);
    format(&v, 0, &indent).0
}

/// Formats a single expression (handy in tests).
pub fn dump_expr(e: &Expr, include_attributes: bool, indent: usize) -> String {
    let v = Conv {
        attrs: include_attributes,
    }
    .expr(e);
    format(&v, 0, &" ".repeat(indent)).0
}

/// The generic shape `ast.dump` walks.
enum V {
    Node {
        name: &'static str,
        fields: Vec<(&'static str, V)>,
    },
    List(Vec<V>),
    /// An already-`repr`ed value.
    Simple(String),
    /// A `None` optional field: omitted.
    Omit,
}

fn format(v: &V, level: usize, indent: &str) -> (String, bool) {
    let level = level + 1;
    match v {
        V::Node { name, fields } => {
            let mut args: Vec<String> = Vec::with_capacity(fields.len());
            let mut allsimple = true;
            for (fname, val) in fields {
                if let V::Omit = val {
                    continue;
                }
                let (s, simple) = format(val, level, indent);
                allsimple &= simple;
                args.push(format!("{fname}={s}"));
            }
            if allsimple && args.len() <= 3 {
                let simple = args.is_empty();
                return (format!("{name}({})", args.join(", ")), simple);
            }
            let prefix = format!("\n{}", indent.repeat(level));
            let sep = format!(",\n{}", indent.repeat(level));
            (format!("{name}({prefix}{})", args.join(&sep)), false)
        }
        V::List(items) => {
            if items.is_empty() {
                return ("[]".into(), true);
            }
            let prefix = format!("\n{}", indent.repeat(level));
            let sep = format!(",\n{}", indent.repeat(level));
            let parts: Vec<String> = items.iter().map(|x| format(x, level, indent).0).collect();
            (format!("[{prefix}{}]", parts.join(&sep)), false)
        }
        V::Simple(s) => (s.clone(), true),
        V::Omit => ("None".into(), true),
    }
}

struct Conv {
    attrs: bool,
}

fn node(name: &'static str, fields: Vec<(&'static str, V)>) -> V {
    V::Node { name, fields }
}

fn leaf(name: &'static str) -> V {
    V::Node {
        name,
        fields: Vec::new(),
    }
}

fn int(v: impl std::fmt::Display) -> V {
    V::Simple(v.to_string())
}

fn s(v: &str) -> V {
    V::Simple(repr_str(v.chars().map(|c| c as u32)))
}

fn opt_s(v: Option<&str>) -> V {
    v.map_or(V::Omit, s)
}

fn names(v: &[&str]) -> V {
    V::List(v.iter().map(|n| s(n)).collect())
}

impl Conv {
    fn with_attrs(&self, name: &'static str, mut fields: Vec<(&'static str, V)>, span: Span) -> V {
        if self.attrs {
            fields.push(("lineno", int(span.lineno)));
            fields.push(("col_offset", int(span.col_offset)));
            fields.push(("end_lineno", int(span.end_lineno)));
            fields.push(("end_col_offset", int(span.end_col_offset)));
        }
        node(name, fields)
    }

    fn module(&self, m: &Mod) -> V {
        match m {
            Mod::Module { body, type_ignores } => node(
                "Module",
                vec![
                    ("body", self.stmts(body)),
                    (
                        "type_ignores",
                        V::List(
                            type_ignores
                                .iter()
                                .map(|t| {
                                    node(
                                        "TypeIgnore",
                                        vec![("lineno", int(t.lineno)), ("tag", s(t.tag))],
                                    )
                                })
                                .collect(),
                        ),
                    ),
                ],
            ),
            Mod::Interactive { body } => node("Interactive", vec![("body", self.stmts(body))]),
            Mod::Expression { body } => node("Expression", vec![("body", self.expr(body))]),
            Mod::FunctionType { argtypes, returns } => node(
                "FunctionType",
                vec![
                    ("argtypes", self.exprs(argtypes)),
                    ("returns", self.expr(returns)),
                ],
            ),
        }
    }

    fn stmts(&self, v: &[Stmt]) -> V {
        V::List(v.iter().map(|x| self.stmt(x)).collect())
    }

    fn exprs(&self, v: &[Expr]) -> V {
        V::List(v.iter().map(|x| self.expr(x)).collect())
    }

    fn opt_expr(&self, e: Option<&Expr>) -> V {
        e.map_or(V::Omit, |e| self.expr(e))
    }

    fn stmt(&self, st: &Stmt) -> V {
        use StmtKind as S;
        let (name, fields): (&'static str, Vec<(&'static str, V)>) = match &st.kind {
            S::FunctionDef {
                name,
                args,
                body,
                decorator_list,
                returns,
                type_comment,
            }
            | S::AsyncFunctionDef {
                name,
                args,
                body,
                decorator_list,
                returns,
                type_comment,
            } => (
                if matches!(st.kind, S::FunctionDef { .. }) {
                    "FunctionDef"
                } else {
                    "AsyncFunctionDef"
                },
                vec![
                    ("name", s(name)),
                    ("args", self.arguments(args)),
                    ("body", self.stmts(body)),
                    ("decorator_list", self.exprs(decorator_list)),
                    ("returns", self.opt_expr(*returns)),
                    ("type_comment", opt_s(*type_comment)),
                ],
            ),
            S::ClassDef {
                name,
                bases,
                keywords,
                body,
                decorator_list,
            } => (
                "ClassDef",
                vec![
                    ("name", s(name)),
                    ("bases", self.exprs(bases)),
                    (
                        "keywords",
                        V::List(keywords.iter().map(|k| self.keyword(k)).collect()),
                    ),
                    ("body", self.stmts(body)),
                    ("decorator_list", self.exprs(decorator_list)),
                ],
            ),
            S::Return { value } => ("Return", vec![("value", self.opt_expr(*value))]),
            S::Delete { targets } => ("Delete", vec![("targets", self.exprs(targets))]),
            S::Assign {
                targets,
                value,
                type_comment,
            } => (
                "Assign",
                vec![
                    ("targets", self.exprs(targets)),
                    ("value", self.expr(value)),
                    ("type_comment", opt_s(*type_comment)),
                ],
            ),
            S::AugAssign { target, op, value } => (
                "AugAssign",
                vec![
                    ("target", self.expr(target)),
                    ("op", leaf(op.name())),
                    ("value", self.expr(value)),
                ],
            ),
            S::AnnAssign {
                target,
                annotation,
                value,
                simple,
            } => (
                "AnnAssign",
                vec![
                    ("target", self.expr(target)),
                    ("annotation", self.expr(annotation)),
                    ("value", self.opt_expr(*value)),
                    ("simple", int(simple)),
                ],
            ),
            S::For {
                target,
                iter,
                body,
                orelse,
                type_comment,
            }
            | S::AsyncFor {
                target,
                iter,
                body,
                orelse,
                type_comment,
            } => (
                if matches!(st.kind, S::For { .. }) {
                    "For"
                } else {
                    "AsyncFor"
                },
                vec![
                    ("target", self.expr(target)),
                    ("iter", self.expr(iter)),
                    ("body", self.stmts(body)),
                    ("orelse", self.stmts(orelse)),
                    ("type_comment", opt_s(*type_comment)),
                ],
            ),
            S::While { test, body, orelse } => (
                "While",
                vec![
                    ("test", self.expr(test)),
                    ("body", self.stmts(body)),
                    ("orelse", self.stmts(orelse)),
                ],
            ),
            S::If { test, body, orelse } => (
                "If",
                vec![
                    ("test", self.expr(test)),
                    ("body", self.stmts(body)),
                    ("orelse", self.stmts(orelse)),
                ],
            ),
            S::With {
                items,
                body,
                type_comment,
            }
            | S::AsyncWith {
                items,
                body,
                type_comment,
            } => (
                if matches!(st.kind, S::With { .. }) {
                    "With"
                } else {
                    "AsyncWith"
                },
                vec![
                    (
                        "items",
                        V::List(
                            items
                                .iter()
                                .map(|w| {
                                    node(
                                        "withitem",
                                        vec![
                                            ("context_expr", self.expr(w.context_expr)),
                                            ("optional_vars", self.opt_expr(w.optional_vars)),
                                        ],
                                    )
                                })
                                .collect(),
                        ),
                    ),
                    ("body", self.stmts(body)),
                    ("type_comment", opt_s(*type_comment)),
                ],
            ),
            S::Match { subject, cases } => (
                "Match",
                vec![
                    ("subject", self.expr(subject)),
                    (
                        "cases",
                        V::List(
                            cases
                                .iter()
                                .map(|c| {
                                    node(
                                        "match_case",
                                        vec![
                                            ("pattern", self.pattern(c.pattern)),
                                            ("guard", self.opt_expr(c.guard)),
                                            ("body", self.stmts(c.body)),
                                        ],
                                    )
                                })
                                .collect(),
                        ),
                    ),
                ],
            ),
            S::Raise { exc, cause } => (
                "Raise",
                vec![
                    ("exc", self.opt_expr(*exc)),
                    ("cause", self.opt_expr(*cause)),
                ],
            ),
            S::Try {
                body,
                handlers,
                orelse,
                finalbody,
            }
            | S::TryStar {
                body,
                handlers,
                orelse,
                finalbody,
            } => (
                if matches!(st.kind, S::Try { .. }) {
                    "Try"
                } else {
                    "TryStar"
                },
                vec![
                    ("body", self.stmts(body)),
                    (
                        "handlers",
                        V::List(
                            handlers
                                .iter()
                                .map(|h| {
                                    self.with_attrs(
                                        "ExceptHandler",
                                        vec![
                                            ("type", self.opt_expr(h.type_)),
                                            ("name", opt_s(h.name)),
                                            ("body", self.stmts(h.body)),
                                        ],
                                        h.span,
                                    )
                                })
                                .collect(),
                        ),
                    ),
                    ("orelse", self.stmts(orelse)),
                    ("finalbody", self.stmts(finalbody)),
                ],
            ),
            S::Assert { test, msg } => (
                "Assert",
                vec![("test", self.expr(test)), ("msg", self.opt_expr(*msg))],
            ),
            S::Import { names } => ("Import", vec![("names", self.aliases(names))]),
            S::ImportFrom {
                module,
                names,
                level,
            } => (
                "ImportFrom",
                vec![
                    ("module", opt_s(*module)),
                    ("names", self.aliases(names)),
                    ("level", int(level)),
                ],
            ),
            S::Global { names: n } => ("Global", vec![("names", names(n))]),
            S::Nonlocal { names: n } => ("Nonlocal", vec![("names", names(n))]),
            S::Expr { value } => ("Expr", vec![("value", self.expr(value))]),
            S::Pass => ("Pass", vec![]),
            S::Break => ("Break", vec![]),
            S::Continue => ("Continue", vec![]),
        };
        self.with_attrs(name, fields, st.span)
    }

    fn aliases(&self, v: &[Alias]) -> V {
        V::List(
            v.iter()
                .map(|a| {
                    self.with_attrs(
                        "alias",
                        vec![("name", s(a.name)), ("asname", opt_s(a.asname))],
                        a.span,
                    )
                })
                .collect(),
        )
    }

    fn keyword(&self, k: &Keyword) -> V {
        self.with_attrs(
            "keyword",
            vec![("arg", opt_s(k.arg)), ("value", self.expr(k.value))],
            k.span,
        )
    }

    fn arg(&self, a: &Arg) -> V {
        self.with_attrs(
            "arg",
            vec![
                ("arg", s(a.arg)),
                ("annotation", self.opt_expr(a.annotation)),
                ("type_comment", opt_s(a.type_comment)),
            ],
            a.span,
        )
    }

    fn arguments(&self, a: &Arguments) -> V {
        node(
            "arguments",
            vec![
                (
                    "posonlyargs",
                    V::List(a.posonlyargs.iter().map(|x| self.arg(x)).collect()),
                ),
                (
                    "args",
                    V::List(a.args.iter().map(|x| self.arg(x)).collect()),
                ),
                ("vararg", a.vararg.map_or(V::Omit, |x| self.arg(x))),
                (
                    "kwonlyargs",
                    V::List(a.kwonlyargs.iter().map(|x| self.arg(x)).collect()),
                ),
                (
                    "kw_defaults",
                    // A missing default is a `None` *inside a list*: printed, not omitted.
                    V::List(
                        a.kw_defaults
                            .iter()
                            .map(|d| {
                                d.as_ref()
                                    .map_or(V::Simple("None".into()), |e| self.expr(e))
                            })
                            .collect(),
                    ),
                ),
                ("kwarg", a.kwarg.map_or(V::Omit, |x| self.arg(x))),
                ("defaults", self.exprs(a.defaults)),
            ],
        )
    }

    fn comprehensions(&self, gens: &[Comprehension]) -> V {
        V::List(
            gens.iter()
                .map(|g| {
                    node(
                        "comprehension",
                        vec![
                            ("target", self.expr(g.target)),
                            ("iter", self.expr(g.iter)),
                            ("ifs", self.exprs(g.ifs)),
                            ("is_async", int(g.is_async)),
                        ],
                    )
                })
                .collect(),
        )
    }

    fn expr(&self, e: &Expr) -> V {
        use ExprKind as E;
        let (name, fields): (&'static str, Vec<(&'static str, V)>) = match &e.kind {
            E::BoolOp { op, values } => (
                "BoolOp",
                vec![("op", leaf(op.name())), ("values", self.exprs(values))],
            ),
            E::NamedExpr { target, value } => (
                "NamedExpr",
                vec![("target", self.expr(target)), ("value", self.expr(value))],
            ),
            E::BinOp { left, op, right } => (
                "BinOp",
                vec![
                    ("left", self.expr(left)),
                    ("op", leaf(op.name())),
                    ("right", self.expr(right)),
                ],
            ),
            E::UnaryOp { op, operand } => (
                "UnaryOp",
                vec![("op", leaf(op.name())), ("operand", self.expr(operand))],
            ),
            E::Lambda { args, body } => (
                "Lambda",
                vec![("args", self.arguments(args)), ("body", self.expr(body))],
            ),
            E::IfExp { test, body, orelse } => (
                "IfExp",
                vec![
                    ("test", self.expr(test)),
                    ("body", self.expr(body)),
                    ("orelse", self.expr(orelse)),
                ],
            ),
            E::Dict { keys, values } => (
                "Dict",
                vec![
                    (
                        "keys",
                        V::List(
                            keys.iter()
                                .map(|k| {
                                    k.as_ref()
                                        .map_or(V::Simple("None".into()), |k| self.expr(k))
                                })
                                .collect(),
                        ),
                    ),
                    ("values", self.exprs(values)),
                ],
            ),
            E::Set { elts } => ("Set", vec![("elts", self.exprs(elts))]),
            E::ListComp { elt, generators } => (
                "ListComp",
                vec![
                    ("elt", self.expr(elt)),
                    ("generators", self.comprehensions(generators)),
                ],
            ),
            E::SetComp { elt, generators } => (
                "SetComp",
                vec![
                    ("elt", self.expr(elt)),
                    ("generators", self.comprehensions(generators)),
                ],
            ),
            E::DictComp {
                key,
                value,
                generators,
            } => (
                "DictComp",
                vec![
                    ("key", self.expr(key)),
                    ("value", self.expr(value)),
                    ("generators", self.comprehensions(generators)),
                ],
            ),
            E::GeneratorExp { elt, generators } => (
                "GeneratorExp",
                vec![
                    ("elt", self.expr(elt)),
                    ("generators", self.comprehensions(generators)),
                ],
            ),
            E::Await { value } => ("Await", vec![("value", self.expr(value))]),
            E::Yield { value } => ("Yield", vec![("value", self.opt_expr(*value))]),
            E::YieldFrom { value } => ("YieldFrom", vec![("value", self.expr(value))]),
            E::Compare {
                left,
                ops,
                comparators,
            } => (
                "Compare",
                vec![
                    ("left", self.expr(left)),
                    ("ops", V::List(ops.iter().map(|o| leaf(o.name())).collect())),
                    ("comparators", self.exprs(comparators)),
                ],
            ),
            E::Call {
                func,
                args,
                keywords,
            } => (
                "Call",
                vec![
                    ("func", self.expr(func)),
                    ("args", self.exprs(args)),
                    (
                        "keywords",
                        V::List(keywords.iter().map(|k| self.keyword(k)).collect()),
                    ),
                ],
            ),
            E::FormattedValue {
                value,
                conversion,
                format_spec,
            } => (
                "FormattedValue",
                vec![
                    ("value", self.expr(value)),
                    ("conversion", int(conversion)),
                    ("format_spec", self.opt_expr(*format_spec)),
                ],
            ),
            E::JoinedStr { values } => ("JoinedStr", vec![("values", self.exprs(values))]),
            E::Constant { value, kind } => (
                "Constant",
                vec![
                    ("value", V::Simple(repr_constant(value))),
                    ("kind", opt_s(*kind)),
                ],
            ),
            E::Attribute { value, attr, ctx } => (
                "Attribute",
                vec![
                    ("value", self.expr(value)),
                    ("attr", s(attr)),
                    ("ctx", leaf(ctx.name())),
                ],
            ),
            E::Subscript { value, slice, ctx } => (
                "Subscript",
                vec![
                    ("value", self.expr(value)),
                    ("slice", self.expr(slice)),
                    ("ctx", leaf(ctx.name())),
                ],
            ),
            E::Starred { value, ctx } => (
                "Starred",
                vec![("value", self.expr(value)), ("ctx", leaf(ctx.name()))],
            ),
            E::Name { id, ctx } => ("Name", vec![("id", s(id)), ("ctx", leaf(ctx.name()))]),
            E::List { elts, ctx } => (
                "List",
                vec![("elts", self.exprs(elts)), ("ctx", leaf(ctx.name()))],
            ),
            E::Tuple { elts, ctx } => (
                "Tuple",
                vec![("elts", self.exprs(elts)), ("ctx", leaf(ctx.name()))],
            ),
            E::Slice { lower, upper, step } => (
                "Slice",
                vec![
                    ("lower", self.opt_expr(*lower)),
                    ("upper", self.opt_expr(*upper)),
                    ("step", self.opt_expr(*step)),
                ],
            ),
        };
        self.with_attrs(name, fields, e.span)
    }

    fn patterns(&self, v: &[Pattern]) -> V {
        V::List(v.iter().map(|p| self.pattern(p)).collect())
    }

    fn pattern(&self, p: &Pattern) -> V {
        use PatternKind as P;
        let (name, fields): (&'static str, Vec<(&'static str, V)>) = match &p.kind {
            P::MatchValue { value } => ("MatchValue", vec![("value", self.expr(value))]),
            P::MatchSingleton { value } => (
                "MatchSingleton",
                vec![("value", V::Simple(repr_constant(value)))],
            ),
            P::MatchSequence { patterns } => {
                ("MatchSequence", vec![("patterns", self.patterns(patterns))])
            }
            P::MatchMapping {
                keys,
                patterns,
                rest,
            } => (
                "MatchMapping",
                vec![
                    ("keys", self.exprs(keys)),
                    ("patterns", self.patterns(patterns)),
                    ("rest", opt_s(*rest)),
                ],
            ),
            P::MatchClass {
                cls,
                patterns,
                kwd_attrs,
                kwd_patterns,
            } => (
                "MatchClass",
                vec![
                    ("cls", self.expr(cls)),
                    ("patterns", self.patterns(patterns)),
                    ("kwd_attrs", names(kwd_attrs)),
                    ("kwd_patterns", self.patterns(kwd_patterns)),
                ],
            ),
            P::MatchStar { name } => ("MatchStar", vec![("name", opt_s(*name))]),
            P::MatchAs { pattern, name } => (
                "MatchAs",
                vec![
                    ("pattern", pattern.map_or(V::Omit, |p| self.pattern(p))),
                    ("name", opt_s(*name)),
                ],
            ),
            P::MatchOr { patterns } => ("MatchOr", vec![("patterns", self.patterns(patterns))]),
        };
        self.with_attrs(name, fields, p.span)
    }
}

// ---------------------------------------------------------------------------------------------
// Python's repr
// ---------------------------------------------------------------------------------------------

/// `repr()` of a constant value.
pub fn repr_constant(c: &Constant) -> String {
    match c {
        Constant::None => "None".into(),
        Constant::True => "True".into(),
        Constant::False => "False".into(),
        Constant::Ellipsis => "Ellipsis".into(),
        Constant::Int(i) => i.to_string(),
        Constant::Float(f) => repr_float(*f),
        Constant::Complex { real, imag } => {
            if *real == 0.0 && real.is_sign_positive() {
                format!("{}j", format_float_r(*imag, false))
            } else {
                format!(
                    "({}{}{}j)",
                    format_float_r(*real, false),
                    if *imag >= 0.0 { "+" } else { "" },
                    format_float_r(*imag, false)
                )
            }
        }
        Constant::Str(s) => repr_str(s.code_points().collect::<Vec<_>>().into_iter()),
        Constant::Bytes(b) => repr_bytes(b),
    }
}

/// `repr(float)`: shortest round-trip digits, CPython's choice of fixed or exponent notation.
pub fn repr_float(x: f64) -> String {
    format_float_r(x, true)
}

/// `PyOS_double_to_string(x, 'r', 0, flags)`; `add_dot_0` is `Py_DTSF_ADD_DOT_0`.
fn format_float_r(x: f64, add_dot_0: bool) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    // Rust's `{:e}` gives the shortest round-trip digits: "d.ddde[-]x".
    let sci = format!("{:e}", x);
    let (neg, sci) = match sci.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, sci.as_str()),
    };
    let (mant, exp) = sci.split_once('e').unwrap();
    let exp: i32 = exp.parse().unwrap();
    let digits: String = mant.chars().filter(|c| *c != '.').collect();
    let digits = if digits.chars().all(|c| c == '0') {
        "0".to_string()
    } else {
        digits
    };
    let decpt = exp + 1; // value = 0.digits * 10^decpt
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    let nd = digits.len() as i32;
    if x == 0.0 {
        out.push_str(if add_dot_0 { "0.0" } else { "0" });
        return out;
    }
    if decpt <= -4 || decpt > 16 {
        // Exponent notation: d[.ddd]e±XX
        out.push_str(&digits[..1]);
        if nd > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let e = decpt - 1;
        let _ = write!(out, "e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs());
    } else if decpt <= 0 {
        out.push_str("0.");
        for _ in 0..(-decpt) {
            out.push('0');
        }
        out.push_str(&digits);
    } else if decpt >= nd {
        out.push_str(&digits);
        for _ in 0..(decpt - nd) {
            out.push('0');
        }
        if add_dot_0 {
            out.push_str(".0");
        }
    } else {
        out.push_str(&digits[..decpt as usize]);
        out.push('.');
        out.push_str(&digits[decpt as usize..]);
    }
    out
}

/// `str.isprintable()` for one code point.
/// (CPython's own Unicode 14.0 table, generated: a newer Unicode crate would disagree on the
/// code points assigned since.)
fn is_printable(cp: u32) -> bool {
    if cp < 0x80 {
        return (0x20..0x7f).contains(&cp);
    }
    let t = &printable::NON_PRINTABLE;
    let i = t.partition_point(|&(_, hi)| hi < cp);
    !(i < t.len() && t[i].0 <= cp)
}

/// `repr(str)` of a sequence of code points.
pub fn repr_str(cps: impl Iterator<Item = u32> + Clone) -> String {
    let (mut sq, mut dq) = (false, false);
    for c in cps.clone() {
        if c == '\'' as u32 {
            sq = true;
        } else if c == '"' as u32 {
            dq = true;
        }
    }
    let quote = if sq && !dq { '"' } else { '\'' };
    let mut out = String::new();
    out.push(quote);
    for cp in cps {
        match cp {
            0x5c => out.push_str("\\\\"),
            0x09 => out.push_str("\\t"),
            0x0a => out.push_str("\\n"),
            0x0d => out.push_str("\\r"),
            _ if cp == quote as u32 => {
                out.push('\\');
                out.push(quote);
            }
            _ if is_printable(cp) => out.push(char::from_u32(cp).unwrap()),
            _ if cp < 0x100 => {
                let _ = write!(out, "\\x{cp:02x}");
            }
            _ if cp < 0x10000 => {
                let _ = write!(out, "\\u{cp:04x}");
            }
            _ => {
                let _ = write!(out, "\\U{cp:08x}");
            }
        }
    }
    out.push(quote);
    out
}

/// `repr(bytes)`.
pub fn repr_bytes(b: &[u8]) -> String {
    let sq = b.contains(&b'\'');
    let dq = b.contains(&b'"');
    let quote = if sq && !dq { b'"' } else { b'\'' };
    let mut out = String::from("b");
    out.push(quote as char);
    for &c in b {
        match c {
            b'\\' => out.push_str("\\\\"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            _ if c == quote => {
                out.push('\\');
                out.push(quote as char);
            }
            0x20..=0x7e => out.push(c as char),
            _ => {
                let _ = write!(out, "\\x{c:02x}");
            }
        }
    }
    out.push(quote as char);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_repr_matches_python() {
        for (x, want) in [
            (1.0, "1.0"),
            (0.1, "0.1"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (123456789012345678.0, "1.2345678901234568e+17"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (2.5, "2.5"),
            (0.0, "0.0"),
            (1e300, "1e+300"),
            (f64::INFINITY, "inf"),
        ] {
            assert_eq!(repr_float(x), want);
        }
        assert_eq!(
            repr_constant(&Constant::Complex {
                real: 0.0,
                imag: 1.0
            }),
            "1j"
        );
        assert_eq!(
            repr_constant(&Constant::Complex {
                real: 0.0,
                imag: 1.5e100
            }),
            "1.5e+100j"
        );
    }

    #[test]
    fn str_and_bytes_repr_match_python() {
        let r = |s: &str| repr_str(s.chars().map(|c| c as u32));
        assert_eq!(r("it's"), "\"it's\"");
        assert_eq!(r("a'b\"c"), "'a\\'b\"c'");
        assert_eq!(r("\u{7f}\u{a0}é\n"), "'\\x7f\\xa0é\\n'");
        assert_eq!(r("\u{200b}"), "'\\u200b'");
        assert_eq!(repr_str([0xdc80u32].into_iter()), "'\\udc80'");
        assert_eq!(repr_bytes(b"a'\x00\xff"), "b\"a'\\x00\\xff\"");
    }
}
