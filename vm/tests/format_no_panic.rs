//! Bad input gets an error, never a panic: every text-taking entry point is fed seeded random
//! strings over an alphabet of format metacharacters, digits, signs and odd Unicode.
//! (Agreement with CPython is the other suites' job; this one is fast and needs no python3.)

mod format_oracle;
use format_oracle::Rng;
use nanopy_vm::format::*;
use nanopy_vm::text;

const ALPHABET: &[char] = &[
    '%',
    '{',
    '}',
    '(',
    ')',
    '[',
    ']',
    '.',
    ',',
    '_',
    ':',
    '!',
    '*',
    '#',
    '0',
    '1',
    '9',
    '-',
    '+',
    ' ',
    '<',
    '>',
    '^',
    '=',
    'z',
    's',
    'r',
    'a',
    'd',
    'x',
    'X',
    'e',
    'f',
    'g',
    'n',
    'c',
    'b',
    'o',
    'i',
    'l',
    'j',
    'é',
    '٣',
    '\u{3000}',
    '\0',
    '\n',
    'Σ',
    '😀',
    '\u{10ffff}',
];

struct Arg;

impl FormatArg for Arg {
    type Error = PyExc;
    fn type_name(&self) -> String {
        "int".into()
    }
    fn text(&self, _: TextConv) -> PyResult<String> {
        Ok("7".into())
    }
    fn exact_int(&self) -> Option<IntVal> {
        Some(IntVal::Small(7))
    }
    fn to_int(&self, _: bool) -> PyResult<Option<IntVal>> {
        Ok(Some(IntVal::Small(7)))
    }
    fn to_float(&self) -> PyResult<Option<f64>> {
        Ok(Some(7.5))
    }
    fn as_str(&self) -> Option<String> {
        None
    }
}

struct Fields;

impl FormatFields for Fields {
    type Value = i64;
    type Error = PyExc;
    fn positional(&self, i: usize) -> PyResult<Option<i64>> {
        Ok((i < 3).then_some(i as i64))
    }
    fn keyword(&self, name: &str) -> PyResult<i64> {
        Err(PyExc::new(ExcKind::KeyError, name))
    }
    fn access(&self, v: i64, _: Accessor<'_>) -> PyResult<i64> {
        Ok(v)
    }
    fn convert(&self, v: i64, _: TextConv) -> PyResult<i64> {
        Ok(v)
    }
    fn format(&self, v: &i64, spec: &str) -> PyResult<String> {
        format_i64(*v, spec)
    }
}

#[test]
fn random_text_never_panics() {
    let mut rng = Rng(31_337_050);
    let args = [Arg, Arg, Arg];
    let lookup = |_: &str| -> PyResult<Arg> { Ok(Arg) };
    for _ in 0..40_000 {
        let n = rng.below(12) as usize;
        let s: String = (0..n).map(|_| rng.pick(ALPHABET)).collect();
        let _ = format_float(rng.float(), &s);
        let _ = format_i64(rng.next() as i64, &s);
        let _ = format_str(&s, &s);
        let _ = format_bool(true, &s);
        let _ = percent_format(&s, PercentArgs::Tuple(&args));
        let _ = percent_format(
            &s,
            PercentArgs::Single {
                arg: &args[0],
                mapping: Some(&lookup),
            },
        );
        let _ = str_format(&s, &Fields);
        let _ = parse_int(&s, rng.pick(&[0, 2, 10, 16, 36, 37]));
        let _ = parse_int_val(&s, 10);
        let _ = parse_float(&s);
        let first: String = s.chars().take(1).collect();
        let _ = text::split(&s, Some(&first), 2);
        let _ = text::rsplit(&s, None, 1);
        let _ = text::find(&s, "Σ", Some(rng.below(20) as i64 - 10), None);
        let _ = text::count(&s, "", None, Some(-3));
        let _ = text::title(&s);
        let _ = text::expandtabs(&s, 3);
        let _ = text::zfill(&s, 9);
    }
    for w in [i64::MAX, i64::MIN, 1 << 40] {
        assert!(text::center("a", w, ' ').is_ok() == (w <= 1));
        assert!(text::zfill("a", w).is_ok() == (w <= 1));
    }
    assert_eq!(
        format_i64(1, "99999999999").unwrap_err().kind,
        ExcKind::MemoryError
    );
}
