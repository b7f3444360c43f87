//! printf-style `fmt % args` against CPython: seeded random templates over ints, big ints,
//! floats, strs, bools and None (tuple, single and mapping operands), plus the error cases.

mod format_oracle;
use format_oracle::{check_all, py_float, py_str, Outcome, Rng};
use nanopy_vm::format::{
    bigint_to_f64, float_repr, float_to_bigint, int_to_decimal, percent_format, FormatArg, IntVal,
    PercentArgs, PyExc, PyResult, TextConv,
};
use nanopy_vm::text::{ascii_str, repr_str};
use num_bigint::BigInt;

/// A stand-in for the VM's values, implementing the protocol the VM will implement.
#[derive(Clone, Debug)]
enum V {
    Int(i64),
    Big(BigInt),
    Float(f64),
    Str(String),
    Bool(bool),
    None,
}

impl V {
    fn py(&self) -> String {
        match self {
            V::Int(i) => i.to_string(),
            V::Big(b) => b.to_string(),
            V::Float(x) => py_float(*x),
            V::Str(s) => py_str(s),
            V::Bool(b) => if *b { "True" } else { "False" }.into(),
            V::None => "None".into(),
        }
    }
}

impl FormatArg for V {
    type Error = PyExc;
    fn type_name(&self) -> String {
        match self {
            V::Int(_) | V::Big(_) => "int",
            V::Float(_) => "float",
            V::Str(_) => "str",
            V::Bool(_) => "bool",
            V::None => "NoneType",
        }
        .into()
    }
    fn text(&self, conv: TextConv) -> PyResult<String> {
        Ok(match (self, conv) {
            (V::Int(i), _) => i.to_string(),
            (V::Big(b), _) => int_to_decimal(b)?,
            (V::Float(x), _) => float_repr(*x),
            (V::Str(s), TextConv::Str) => s.clone(),
            (V::Str(s), TextConv::Repr) => repr_str(s),
            (V::Str(s), TextConv::Ascii) => ascii_str(s),
            (V::Bool(b), _) => if *b { "True" } else { "False" }.into(),
            (V::None, _) => "None".into(),
        })
    }
    fn exact_int(&self) -> Option<IntVal> {
        match self {
            V::Int(i) => Some(IntVal::Small(*i)),
            V::Big(b) => Some(IntVal::Big(b.clone())),
            V::Bool(b) => Some(IntVal::Small(*b as i64)),
            _ => None,
        }
    }
    fn to_int(&self, index: bool) -> PyResult<Option<IntVal>> {
        match self {
            V::Float(x) if !index => Ok(Some(IntVal::Big(float_to_bigint(*x)?))),
            _ => Ok(self.exact_int()),
        }
    }
    fn to_float(&self) -> PyResult<Option<f64>> {
        Ok(match self {
            V::Int(i) => Some(*i as f64),
            V::Big(b) => Some(bigint_to_f64(b)?),
            V::Float(x) => Some(*x),
            V::Bool(b) => Some(*b as i64 as f64),
            _ => None,
        })
    }
    fn as_str(&self) -> Option<String> {
        match self {
            V::Str(s) => Some(s.clone()),
            _ => None,
        }
    }
}

fn outcome(r: PyResult<String>) -> Outcome {
    r.map_err(|e| (e.kind.name().to_owned(), e.msg))
}

fn random_value(rng: &mut Rng) -> V {
    match rng.below(12) {
        0..=2 => V::Int(match rng.below(3) {
            0 => rng.below(2000) as i64 - 1000,
            1 => rng.next() as i64,
            _ => rng.pick(&[0, -1, 65, 0x1f600, 0x110000, i64::MIN]),
        }),
        3 => V::Big(
            BigInt::from(rng.next())
                * BigInt::from(rng.next())
                * if rng.chance(50) { -1 } else { 1 },
        ),
        4..=6 => V::Float(rng.float()),
        7..=9 => V::Str(
            rng.pick(&[
                "", "a", "hello", "it's", "q\"uote", "ünï", "tab\t", "€", "日本",
            ])
            .into(),
        ),
        10 => V::Bool(rng.chance(50)),
        _ => V::None,
    }
}

/// A template with `n_conv` conversions and the arguments it consumes (star arguments are
/// small ints, so no case asks CPython for a gigantic allocation).
fn random_template(rng: &mut Rng, n_conv: usize) -> (String, Vec<V>) {
    let mut t = String::new();
    let mut args = Vec::new();
    for _ in 0..n_conv {
        t.push_str(rng.pick(&["", " ", "x=", "[", "ü "]));
        if rng.chance(5) {
            t.push_str("%%");
        }
        t.push('%');
        for _ in 0..rng.below(3) {
            t.push(rng.pick(&['-', '+', ' ', '#', '0']));
        }
        let width = rng.pick(&["", "", "1", "5", "12", "*"]);
        if width == "*" {
            args.push(V::Int(rng.below(30) as i64 - 10));
        }
        t.push_str(width);
        let prec = rng.pick(&["", "", ".0", ".2", ".5", ".12", ".", ".*"]);
        if prec == ".*" {
            args.push(V::Int(rng.below(20) as i64 - 5));
        }
        t.push_str(prec);
        if rng.chance(3) {
            t.push('l');
        }
        let conv = rng.pick(&[
            's', 'r', 'a', 'd', 'i', 'u', 'o', 'x', 'X', 'e', 'E', 'f', 'F', 'g', 'G', 'c', 'd',
            'f', 's', 'k',
        ]);
        t.push(conv);
        // Mostly a value the conversion accepts, sometimes anything.
        let v = match conv {
            _ if rng.chance(20) => random_value(rng),
            'd' | 'i' | 'u' | 'o' | 'x' | 'X' => V::Int(rng.next() as i64 >> rng.below(64)),
            'e' | 'E' | 'f' | 'F' | 'g' | 'G' => V::Float(rng.float()),
            'c' => V::Int(rng.below(0x3000) as i64),
            _ => random_value(rng),
        };
        args.push(v);
    }
    if rng.chance(4) {
        t.push('%');
    }
    (t, args)
}

#[test]
fn percent_tuple_args_match_cpython() {
    let mut rng = Rng(31_337_010);
    let mut cases = Vec::new();
    for _ in 0..5000 {
        let n = 1 + rng.below(3) as usize;
        let (tmpl, mut args) = random_template(&mut rng, n);
        match rng.below(25) {
            0 => {
                args.pop();
            }
            1 => args.push(random_value(&mut rng)),
            _ => {}
        }
        let py_args: Vec<String> = args.iter().map(V::py).collect();
        cases.push((
            format!("{tmpl:?} % {args:?}"),
            format!("{} % ({},)", py_str(&tmpl), py_args.join(", ")).replace("(,)", "()"),
            outcome(percent_format(&tmpl, PercentArgs::Tuple(&args))),
        ));
    }
    check_all(cases);
}

#[test]
fn percent_single_and_mapping_args_match_cpython() {
    let mut rng = Rng(31_337_011);
    let mut cases = Vec::new();
    for _ in 0..2000 {
        let (tmpl, mut args) = random_template(&mut rng, 1);
        let v = args.pop().unwrap();
        cases.push((
            format!("{tmpl:?} % {v:?}"),
            format!("{} % {}", py_str(&tmpl), v.py()),
            outcome(percent_format(
                &tmpl,
                PercentArgs::Single {
                    arg: &v,
                    mapping: None,
                },
            )),
        ));
    }
    // Mapping operands.
    let dict = [
        ("a", V::Int(42)),
        ("b", V::Float(2.675)),
        ("name", V::Str("Ada".into())),
        ("x(y)", V::Int(-7)),
    ];
    let lookup = |k: &str| -> PyResult<V> {
        dict.iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| v.clone())
            .ok_or_else(|| PyExc::new(nanopy_vm::format::ExcKind::KeyError, repr_str(k)))
    };
    let py_dict = "{'a': 42, 'b': F(0x4005666666666666), 'name': 'Ada', 'x(y)': -7}";
    let whole = V::Str("<dict>".into());
    for tmpl in [
        "%(a)d %(b).2f %(name)s",
        "%(a)05d|%(name)-6s|%(b)e",
        "%(x(y))+d",
        "%(missing)s",
        "%(a)s %s",
        "%(a",
        "%(a)",
        "plain",
        "%%(a)s",
        "%(a)*d",
        "%(name)r %(name)a",
        "%()s",
        "%(b)#x",
    ] {
        let ours = percent_format(
            tmpl,
            PercentArgs::Single {
                arg: &whole,
                mapping: Some(&lookup),
            },
        );
        // CPython's KeyError message is repr(key); our lookup mirrors that.
        cases.push((
            format!("{tmpl:?} % dict"),
            format!("{} % {py_dict}", py_str(tmpl)),
            outcome(ours),
        ));
    }
    for (tmpl, args) in [
        ("%s %s", vec![V::Int(1)]),
        ("%s", vec![V::Int(1), V::Int(2)]),
        ("%d", vec![V::Str("x".into())]),
        ("%x", vec![V::Float(1.5)]),
        ("%c", vec![V::Str("ab".into())]),
        ("%c", vec![V::Int(-1)]),
        ("%*d", vec![V::Str("x".into()), V::Int(1)]),
        ("%.*f", vec![V::Int(-3), V::Float(1.25)]),
        ("%d", vec![V::Float(f64::INFINITY)]),
        ("%d", vec![V::Float(f64::NAN)]),
        ("%f", vec![V::Str("1".into())]),
        ("%(a)s", vec![V::Int(1)]),
        ("%5%", vec![]),
        ("%5%", vec![V::Int(1)]),
        ("%y", vec![V::Int(1)]),
        ("%\u{e9}", vec![V::Int(1)]),
        ("%", vec![]),
        ("abc", vec![]),
        ("%-", vec![V::Int(1)]),
        (
            "%.3s|%-8.3r|%8a",
            vec![
                V::Str("héllo".into()),
                V::Str("héllo".into()),
                V::Str("héllo".into()),
            ],
        ),
        (
            "%#o %#x %#X %+#x %#08x %-#8x|",
            vec![
                V::Int(8),
                V::Int(255),
                V::Int(-255),
                V::Int(255),
                V::Int(-255),
                V::Int(255),
            ],
        ),
        (
            "%.5d %+.3d % d %05d %-5d| %0-5d|",
            vec![
                V::Int(42),
                V::Int(-7),
                V::Int(3),
                V::Int(-42),
                V::Int(1),
                V::Int(2),
            ],
        ),
        (
            "%5.2f %s %r %d %x %-10s %%",
            vec![
                V::Float(3.14258),
                V::Str("s".into()),
                V::Str("r".into()),
                V::Int(7),
                V::Int(255),
                V::Str("left".into()),
            ],
        ),
        (
            "%e %E %g %G %F",
            vec![
                V::Float(1e-10),
                V::Float(f64::INFINITY),
                V::Float(1e20),
                V::Float(f64::NAN),
                V::Float(f64::NEG_INFINITY),
            ],
        ),
        (
            "%010.3f|%-+10.1e|% g|%#g|%#.0f",
            vec![
                V::Float(-3.14258),
                V::Float(12345.678),
                V::Float(1.5),
                V::Float(2.0),
                V::Float(3.0),
            ],
        ),
        (
            "%c%c%c",
            vec![V::Int(72), V::Str("i".into()), V::Int(0x1f40d)],
        ),
        ("%5c|%-3c|", vec![V::Int(65), V::Str("é".into())]),
        (
            "%d %i %u",
            vec![
                V::Float(-3.99),
                V::Bool(true),
                V::Big(BigInt::from(10).pow(30)),
            ],
        ),
        ("%s", vec![V::Big(BigInt::from(10).pow(5000))]),
        ("%d", vec![V::Big(BigInt::from(10).pow(5000))]),
        ("%f", vec![V::Big(BigInt::from(10).pow(400))]),
    ] {
        let py_args: Vec<String> = args.iter().map(V::py).collect();
        let py_args = if py_args.iter().any(|a| a.len() > 1000) {
            vec!["10**5000".to_owned()]
        } else {
            py_args
        };
        cases.push((
            format!("{tmpl:?} % {args:?}").chars().take(200).collect(),
            format!("{} % ({},)", py_str(tmpl), py_args.join(", ")).replace("(,)", "()"),
            outcome(percent_format(tmpl, PercentArgs::Tuple(&args))),
        ));
    }
    check_all(cases);
}
