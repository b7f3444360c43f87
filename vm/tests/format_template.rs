//! `str.format` templates against CPython: seeded random templates (auto and manual numbering,
//! keywords, `.attr`/`[i]`/`[key]` chains, conversions, nested specs) plus malformed ones.

mod format_oracle;
use format_oracle::{check_all, py_float, py_str, Outcome, Rng};
use nanopy_vm::format::{
    float_repr, format_float, format_i64, format_str, str_format, Accessor, FormatFields, PyExc,
    TextConv,
};
use nanopy_vm::text::{ascii_str, repr_str};

#[derive(Clone, Debug)]
enum V {
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<V>),
}

impl V {
    fn py(&self) -> String {
        match self {
            V::Int(i) => i.to_string(),
            V::Float(x) => py_float(*x),
            V::Str(s) => py_str(s),
            V::List(items) => format!(
                "[{}]",
                items.iter().map(V::py).collect::<Vec<_>>().join(", ")
            ),
        }
    }
    fn repr(&self) -> String {
        match self {
            V::Int(i) => i.to_string(),
            V::Float(x) => float_repr(*x),
            V::Str(s) => repr_str(s),
            V::List(items) => format!(
                "[{}]",
                items.iter().map(V::repr).collect::<Vec<_>>().join(", ")
            ),
        }
    }
    fn type_name(&self) -> &'static str {
        match self {
            V::Int(_) => "int",
            V::Float(_) => "float",
            V::Str(_) => "str",
            V::List(_) => "list",
        }
    }
}

/// The test VM's exception: (type name, message).
#[derive(Debug, PartialEq)]
struct VmErr(String, String);

impl From<(String, String)> for VmErr {
    fn from(p: (String, String)) -> Self {
        VmErr(p.0, p.1)
    }
}

struct Fields {
    args: Vec<V>,
    kwargs: Vec<(String, V)>,
}

impl FormatFields for Fields {
    type Value = V;
    type Error = VmErr;
    fn positional(&self, i: usize) -> Result<Option<V>, VmErr> {
        Ok(self.args.get(i).cloned())
    }
    fn keyword(&self, name: &str) -> Result<V, VmErr> {
        self.kwargs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .ok_or_else(|| VmErr("KeyError".to_owned(), repr_str(name)))
    }
    fn access(&self, v: V, step: Accessor<'_>) -> Result<V, VmErr> {
        match (&v, step) {
            (V::Int(_), Accessor::Attr("real" | "numerator")) => Ok(v),
            (V::Int(_), Accessor::Attr("imag")) => Ok(V::Int(0)),
            (V::Int(_), Accessor::Attr("denominator")) => Ok(V::Int(1)),
            (V::Float(_), Accessor::Attr("real")) => Ok(v),
            (V::Float(_), Accessor::Attr("imag")) => Ok(V::Float(0.0)),
            (_, Accessor::Attr(a)) => Err(VmErr(
                "AttributeError".into(),
                format!("'{}' object has no attribute '{a}'", v.type_name()),
            )),
            (V::List(items), Accessor::Index(i)) => items
                .get(i)
                .cloned()
                .ok_or_else(|| VmErr("IndexError".into(), "list index out of range".into())),
            (V::Str(s), Accessor::Index(i)) => s
                .chars()
                .nth(i)
                .map(|c| V::Str(c.to_string()))
                .ok_or_else(|| VmErr("IndexError".into(), "string index out of range".into())),
            (V::List(_), Accessor::Key(_)) => Err(VmErr(
                "TypeError".into(),
                "list indices must be integers or slices, not str".into(),
            )),
            (V::Str(_), Accessor::Key(_)) => Err(VmErr(
                "TypeError".into(),
                "string indices must be integers, not 'str'".into(),
            )),
            _ => Err(VmErr(
                "TypeError".into(),
                format!("'{}' object is not subscriptable", v.type_name()),
            )),
        }
    }
    fn convert(&self, v: V, conv: TextConv) -> Result<V, VmErr> {
        Ok(V::Str(match (conv, &v) {
            (TextConv::Str, V::Str(s)) => s.clone(),
            (TextConv::Str, _) | (TextConv::Repr, _) => v.repr(),
            (TextConv::Ascii, V::Str(s)) => ascii_str(s),
            (TextConv::Ascii, _) => v.repr(),
        }))
    }
    fn format(&self, v: &V, spec: &str) -> Result<String, VmErr> {
        let r = match v {
            V::Int(i) => format_i64(*i, spec),
            V::Float(x) => format_float(*x, spec),
            V::Str(s) => format_str(s, spec),
            V::List(_) if spec.is_empty() => Ok(v.repr()),
            V::List(_) => Err(PyExc::type_error(
                "unsupported format string passed to list.__format__",
            )),
        };
        r.map_err(VmErr::from)
    }
}

impl From<PyExc> for VmErr {
    fn from(e: PyExc) -> Self {
        VmErr(e.kind.name().to_owned(), e.msg)
    }
}

fn case(tmpl: &str, fields: &Fields) -> (String, String, Outcome) {
    let args: Vec<String> = fields.args.iter().map(V::py).collect();
    let kwargs: Vec<String> = fields
        .kwargs
        .iter()
        .map(|(k, v)| format!("{k}={}", v.py()))
        .collect();
    let mut all = args;
    all.extend(kwargs);
    (
        format!("{tmpl:?}.format(...)"),
        format!("{}.format({})", py_str(tmpl), all.join(", ")),
        str_format(tmpl, fields).map_err(|e| (e.0, e.1)),
    )
}

fn sample_fields() -> Fields {
    Fields {
        args: vec![
            V::Int(42),
            V::Float(2.675),
            V::Str("héllo".into()),
            V::List(vec![V::Int(7), V::Str("x'y".into()), V::Float(-0.0)]),
            V::Int(8),
        ],
        kwargs: vec![
            ("x".into(), V::Float(1234.5678)),
            ("name".into(), V::Str("Ada".into())),
            ("w".into(), V::Int(12)),
            ("p".into(), V::Int(3)),
            ("lst".into(), V::List(vec![V::Int(-5), V::Int(6)])),
        ],
    }
}

#[test]
fn random_templates_match_cpython() {
    let mut rng = Rng(31_337_040);
    let fields = sample_fields();
    let names = [
        "",
        "",
        "",
        "0",
        "1",
        "2",
        "3",
        "4",
        "x",
        "name",
        "w",
        "0.real",
        "1.imag",
        "3[0]",
        "3[1]",
        "2[1]",
        "lst[1]",
        "3[0].denominator",
        "٣",
        "x.real",
    ];
    let bad_names = [
        "5", "missing", "3[5]", "lst[k]", "0.bogus", "0[0]", "3[]", "0.", "3[0]x", "3[0", "0..real",
    ];
    let specs = [
        "", "", "", ">10", "^12", "*<8", "{w}", ">{w}", "{}", "{4}", "<{p}", "{0:{1}}",
    ];
    let num_specs = [
        "+", ".2f", ",", "08.3f", "x", "#o", ".3", "{w}.{p}f", "{{}}", "=+{w},", "s",
    ];
    let mut cases = Vec::new();
    for _ in 0..3000 {
        let mut t = String::new();
        let n = 1 + rng.below(3);
        let manual = rng.chance(50);
        let nested_ok = rng.chance(70);
        for _ in 0..n {
            t.push_str(rng.pick(&["", "a", " | ", "{{", "}}", "é "]));
            t.push('{');
            let mut name = if rng.chance(8) {
                rng.pick(&bad_names)
            } else {
                rng.pick(&names)
            }
            .to_owned();
            if manual && name.is_empty() && rng.chance(80) {
                name = rng.pick(&["0", "1", "2", "x"]).to_owned();
            } else if !manual && rng.chance(80) && name.chars().all(|c| c.is_ascii_digit()) {
                name = String::new();
            }
            t.push_str(&name);
            if rng.chance(20) {
                t.push('!');
                t.push_str(rng.pick(&["r", "s", "a", "r", "s", "a", "r", "s", "a", "x", "", "rr"]));
            }
            let mut spec = if rng.chance(25) {
                rng.pick(&num_specs)
            } else {
                rng.pick(&specs)
            };
            if nested_ok && spec.contains('{') {
                spec = ">9";
            }
            if !spec.is_empty() || rng.chance(10) {
                t.push(':');
                t.push_str(spec);
            }
            t.push('}');
        }
        if rng.chance(5) {
            t.push_str(rng.pick(&["{", "}", "{0", "{!", "{0!", "{0:", "{:{}", "{0[}"]));
        }
        cases.push(case(&t, &fields));
    }
    for t in [
        "{} {} {}",
        "{0} {0} {1}",
        "{} {1}",
        "{1} {}",
        "{:{}} {}",
        "{0:{1}} {2}",
        "{:{}{}}",
        "{0:{1:{2}}}",
        "{:{:{}}}",
        "{{}}",
        "}",
        "{",
        "a}b",
        "{0!}",
        "{0!r:>10}",
        "{0!x}",
        "{0!r",
        "{name!a:^11}",
        "{x:{w}.{p}f}",
        "{x:,.2f}",
        "{lst[0]:+05d}",
        "{3[1]!r}",
        "{3[2]!s}",
        "{0[a]}",
        "{[0]}",
        "{.real}",
        "{0.real.real.imag}",
        "{99999999999999999999}",
        "{0!\u{e9}}",
        "{0!\u{1}}",
        "{0:\u{1234}}",
        "{2:.2}",
        "{2[0]}{2[4]}",
        "{0:}",
        "{0!r:}",
        "{:{:}}",
    ] {
        cases.push(case(t, &fields));
    }
    check_all(cases);
}
