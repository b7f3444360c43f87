//! The format-spec mini-language (`format(v, spec)`) against CPython: seeded random specs over
//! floats, ints (i64 and big), bools and strs, plus hand-picked edge cases and errors.

mod format_oracle;
use format_oracle::{check_all, py_float, py_str, Outcome, Rng};
use nanopy_vm::format::{
    format_bigint, format_bool, format_float, format_i64, format_str, PyResult,
};
use num_bigint::BigInt;

fn outcome(r: PyResult<String>) -> Outcome {
    r.map_err(|e| (e.kind.name().to_owned(), e.msg))
}

/// A spec built from every field of the grammar; `sign_pct` and `prec_pct` tune how often the
/// fields that some types reject appear, so most cases succeed and the errors still show up.
fn random_spec(rng: &mut Rng, types: &[&str], sign_pct: u64, prec_pct: u64) -> String {
    let mut s = String::new();
    s.push_str(rng.pick(&[
        "", "", "", "<", ">", "^", "=", "*<", "0>", "x^", "€=", "0=", " >",
    ]));
    if rng.chance(sign_pct) {
        s.push_str(rng.pick(&["+", "-", " "]));
    }
    if rng.chance(sign_pct / 8) {
        s.push('z');
    }
    if rng.chance(sign_pct / 3) {
        s.push('#');
    }
    if rng.chance(15) {
        s.push('0');
    }
    s.push_str(rng.pick(&["", "", "1", "5", "10", "16", "25"]));
    if rng.chance(sign_pct / 2) {
        s.push_str(rng.pick(&[",", "_"]));
    }
    if rng.chance(prec_pct) {
        s.push_str(rng.pick(&[".0", ".1", ".2", ".3", ".6", ".10", ".17", ".30"]));
    }
    s.push_str(rng.pick(types));
    s
}

const FLOAT_TYPES: &[&str] = &["", "", "", "e", "E", "f", "f", "F", "g", "G", "n", "%", "d"];
const INT_TYPES: &[&str] = &[
    "", "", "d", "d", "b", "o", "x", "X", "n", "c", "e", "f", "g", "%", "s",
];
const STR_TYPES: &[&str] = &["", "", "", "", "s", "s", "s", "s", "d"];

#[test]
fn float_specs_match_cpython() {
    let mut rng = Rng(31_337_001);
    let mut cases = Vec::new();
    for _ in 0..6000 {
        let x = rng.float();
        let spec = random_spec(&mut rng, FLOAT_TYPES, 50, 75);
        cases.push((
            format!("format({x:e}, {spec:?})"),
            format!("format({}, {})", py_float(x), py_str(&spec)),
            outcome(format_float(x, &spec)),
        ));
    }
    check_all(cases);
}

#[test]
fn int_specs_match_cpython() {
    let mut rng = Rng(31_337_002);
    let mut cases = Vec::new();
    for _ in 0..5000 {
        let spec = random_spec(&mut rng, INT_TYPES, 40, 6);
        let v: i64 = match rng.below(4) {
            0 => rng.below(200) as i64 - 100,
            1 => rng.next() as i64,
            2 => (rng.next() >> rng.below(64)) as i64 * if rng.chance(50) { -1 } else { 1 },
            _ => rng.pick(&[0, 1, -1, i64::MIN, i64::MAX, 1114111, 1114112, 65, 0x1f600]),
        };
        cases.push((
            format!("format({v}, {spec:?})"),
            format!("format({v}, {})", py_str(&spec)),
            outcome(format_i64(v, &spec)),
        ));
        if rng.chance(30) {
            let digits = 1 + rng.below(60) as usize;
            let text: String = (0..digits)
                .map(|_| (b'0' + rng.below(10) as u8) as char)
                .collect();
            let mut big: BigInt = text.parse().unwrap();
            if rng.chance(40) {
                big = -big;
            }
            cases.push((
                format!("format({big}, {spec:?})"),
                format!("format({big}, {})", py_str(&spec)),
                outcome(format_bigint(&big, &spec)),
            ));
        }
        if rng.chance(10) {
            let b = rng.chance(50);
            let py = if b { "True" } else { "False" };
            cases.push((
                format!("format({py}, {spec:?})"),
                format!("format({py}, {})", py_str(&spec)),
                outcome(format_bool(b, &spec)),
            ));
        }
    }
    check_all(cases);
}

#[test]
fn str_specs_match_cpython() {
    let mut rng = Rng(31_337_003);
    let words = [
        "",
        "a",
        "hello",
        "ünïcødé",
        "日本語テキスト",
        "tab\there",
        "🐍🐍",
        &*"x".repeat(30).leak(),
    ];
    let mut cases = Vec::new();
    for _ in 0..3000 {
        let s = rng.pick(&words);
        let spec = random_spec(&mut rng, STR_TYPES, 8, 50);
        cases.push((
            format!("format({s:?}, {spec:?})"),
            format!("format({}, {})", py_str(s), py_str(&spec)),
            outcome(format_str(s, &spec)),
        ));
    }
    check_all(cases);
}

#[test]
fn spec_edge_cases_match_cpython() {
    let floats: &[(f64, &str)] = &[
        (2.675, ".2f"),
        (0.125, ".2f"),
        (0.375, ".2f"),
        (2.5, ".0f"),
        (3.5, ".0f"),
        (-0.5, ".0f"),
        (-0.0, ""),
        (-0.0, "z"),
        (-0.0, "z.1f"),
        (-0.001, "z.1f"),
        (-0.001, "z.1e"),
        (-0.0, "+z"),
        (f64::NAN, "+"),
        (-f64::NAN, "010"),
        (f64::INFINITY, "010"),
        (f64::NEG_INFINITY, "=+10"),
        (f64::INFINITY, "F"),
        (f64::NAN, "E"),
        (1e300 * 10.0, "%"),
        (100.0, ".3"),
        (1.0, ".3"),
        (1e16, ""),
        (1e16, ".17"),
        (123456.0, ".3"),
        (1.0, "#"),
        (1.0, "#.0"),
        (1.0, "#.0e"),
        (1.0, "#g"),
        (0.0001, "#.3g"),
        (1234567.891, ",.2f"),
        (1234567.891, "_"),
        (-1234.5, "012,.2f"),
        (1234.5, "020_"),
        (0.5, "%"),
        (0.001234, ".1%"),
        (1e-7, "g"),
        (1e-7, ""),
        (1.5, ".300f"),
        (5e-324, ".1000f"),
        (1.7976931348623157e308, ",.0f"),
        (12345.678, "n"),
        (1.0, "=^9"),
        (1.0, ".2147483648f"),
        (1.0, ".99999999999999999999f"),
        (1.0, "x"),
        (1.0, "c"),
        (1.0, ",n"),
        (1.0, "\u{1234}"),
        (1.0, "\u{1}"),
        (1.0, "1."),
        (1.0, ",_"),
        (1.0, "_,"),
        (1.0, "ab"),
        (1.0, ",b"),
        (1.0, "0=+#20,.4e"),
        (9.5, ".0e"),
        (0.05, ".0e"),
        (1e22, ".0f"),
        (1e23, "f"),
    ];
    let ints: &[(i64, &str)] = &[
        (1234, "010,"),
        (1234, "011,"),
        (255, "#010_x"),
        (255, "#X"),
        (1, "=^5"),
        (1, "z"),
        (1, ".2"),
        (1, "s"),
        (-1, "c"),
        (1, "+c"),
        (1, "#c"),
        (0x110000, "c"),
        (65, "^5c"),
        (0, "#b"),
        (-255, "#o"),
        (-255, "#09x"),
        (1, "99999999999999999999"),
        (1, "\u{1234}"),
        (123456789, "n"),
        (-123456789, "_d"),
        (-123456789, "_b"),
        (12, "e"),
        (12, ".2%"),
        (7, "#.0"),
        (0x1f600, "c"),
        (10, "c"),
        (1, ",c"),
        (1, "_n"),
        (1, "_s"),
    ];
    let strs: &[(&str, &str)] = &[
        ("ab", "05"),
        ("ab", "s,"),
        ("ab", ",s"),
        ("a", "z"),
        ("a", "+"),
        ("a", "#"),
        ("a", "=5"),
        ("ab", "\0^6"),
        ("abcdef", ".3"),
        ("abcdef", "10.3"),
        ("abc", "^10"),
        ("abc", "^8"),
        ("naïve", "*^12.3"),
        ("a", "d"),
        ("a", ".0"),
    ];
    let mut cases = Vec::new();
    for &(x, spec) in floats {
        cases.push((
            format!("format({x:e}, {spec:?})"),
            format!("format({}, {})", py_float(x), py_str(spec)),
            outcome(format_float(x, spec)),
        ));
    }
    for &(v, spec) in ints {
        cases.push((
            format!("format({v}, {spec:?})"),
            format!("format({v}, {})", py_str(spec)),
            outcome(format_i64(v, spec)),
        ));
    }
    for &(s, spec) in strs {
        cases.push((
            format!("format({s:?}, {spec:?})"),
            format!("format({}, {})", py_str(s), py_str(spec)),
            outcome(format_str(s, spec)),
        ));
    }
    let huge: BigInt = BigInt::from(10).pow(400);
    for spec in ["f", "e", "", "d", ",", "x"] {
        cases.push((
            format!("format(10**400, {spec:?})"),
            format!("format(10**400, {})", py_str(spec)),
            outcome(format_bigint(&huge, spec)),
        ));
    }
    let too_long: BigInt = BigInt::from(10).pow(5000);
    for spec in ["", "d", "x", ">10"] {
        cases.push((
            format!("format(10**5000, {spec:?})"),
            format!("len(format(10**5000, {}))", py_str(spec)),
            outcome(format_bigint(&too_long, spec).map(|s| s.len().to_string())),
        ));
    }
    check_all(cases);
}
