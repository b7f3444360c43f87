//! str methods, repr/ascii of str and repr of bytes against CPython: seeded random strings
//! drawn from characters where Python's rules differ from Rust's (Python whitespace, line
//! breaks, non-printables, special casings, final sigma, titlecase digraphs, Unicode digits).

mod format_oracle;
use format_oracle::{check_all, py_str, Outcome, Rng};
use nanopy_vm::text::{self, repr_str};

const POOL: &[&str] = &[
    "a",
    "b",
    "Z",
    "0",
    "7",
    " ",
    " ",
    "\t",
    "\n",
    "\r",
    "\r\n",
    "\x0b",
    "\x0c",
    "\x1c",
    "\x1d",
    "\x1e",
    "\x1f",
    "\u{85}",
    "\u{a0}",
    "\u{1680}",
    "\u{2000}",
    "\u{200a}",
    "\u{2028}",
    "\u{2029}",
    "\u{202f}",
    "\u{205f}",
    "\u{3000}",
    "\u{200b}",
    "\u{180e}",
    "'",
    "\"",
    "\\",
    "\0",
    "\x07",
    "\x7f",
    "\u{80}",
    "\u{9f}",
    "\u{ad}",
    "\u{feff}",
    "\u{e0001}",
    "\u{378}",
    "\u{e000}",
    "\u{10ffff}",
    "é",
    "\u{301}",
    "ß",
    "İ",
    "ı",
    "ǅ",
    "ǆ",
    "Ǆ",
    "ﬁ",
    "ŉ",
    "Σ",
    "σ",
    "ς",
    "Α",
    "ΐ",
    "ẞ",
    "ᾳ",
    "ῼ",
    "٣",
    "²",
    "½",
    "Ⅻ",
    "①",
    "〇",
    "𝟘",
    "日",
    "本",
    "😀",
    "𐐀",
    "𐐨",
    "ǰ",
    "_",
    "-",
    "+",
    ".",
    "ab",
    "ba",
    "aa",
    "xyz",
    "Hello",
    "wORLD",
    "ΑΣ",
    "a.Σ",
    "ʰ",
    "\u{1e9b}",
    "\u{2126}",
    "\u{212a}",
    "ǈ",
    "Ꞵ",
    "ꞵ",
    "\u{1c89}",
    "\u{1f88}",
    "é",
    "e\u{301}",
];

fn rand_str(rng: &mut Rng) -> String {
    let n = rng.below(9) as usize;
    if rng.chance(30) {
        // ASCII only: the fast paths.
        const ASCII: &[&str] = &[
            "a", "B", "c", "Z", "0", "9", " ", "\t", "\n", "'", "_", "-", ".", "ab", "Hi", "x1",
            "\x1c", "\r\n", "ǅ",
        ];
        return (0..n)
            .map(|_| rng.pick(&ASCII[..ASCII.len() - 1]))
            .collect();
    }
    (0..n).map(|_| rng.pick(POOL)).collect()
}

fn py_list(v: &[&str]) -> String {
    let items: Vec<String> = v.iter().map(|s| repr_str(s)).collect();
    format!("[{}]", items.join(", "))
}

fn py_tuple3(t: (&str, &str, &str)) -> String {
    format!("({}, {}, {})", repr_str(t.0), repr_str(t.1), repr_str(t.2))
}

fn py_bool(b: bool) -> String {
    if b { "True" } else { "False" }.to_owned()
}

fn outcome<T>(r: Result<T, nanopy_vm::format::PyExc>, show: impl Fn(T) -> String) -> Outcome {
    r.map(show).map_err(|e| (e.kind.name().to_owned(), e.msg))
}

fn opt_idx(rng: &mut Rng) -> Option<i64> {
    if rng.chance(40) {
        None
    } else {
        Some(rng.below(24) as i64 - 12)
    }
}

fn py_opt(i: Option<i64>) -> String {
    i.map_or("None".into(), |v| v.to_string())
}

#[test]
fn str_methods_match_cpython() {
    let mut rng = Rng(31_337_030);
    let mut cases: Vec<(String, String, Outcome)> = Vec::new();
    for _ in 0..2500 {
        let s = rand_str(&mut rng);
        let ps = py_str(&s);
        let d = repr_str(&s);
        // Case mapping and predicates.
        type CaseFn = fn(&str) -> String;
        let case_fns: [(&str, CaseFn); 6] = [
            ("upper", text::upper),
            ("lower", text::lower),
            ("capitalize", text::capitalize),
            ("title", text::title),
            ("swapcase", text::swapcase),
            ("casefold", text::casefold),
        ];
        for (name, func) in case_fns {
            cases.push((
                format!("{d}.{name}()"),
                format!("{ps}.{name}()"),
                Ok(func(&s)),
            ));
        }
        type PredFn = fn(&str) -> bool;
        let preds: [(&str, PredFn); 12] = [
            ("isdigit", text::isdigit),
            ("isdecimal", text::isdecimal),
            ("isnumeric", text::isnumeric),
            ("isalpha", text::isalpha),
            ("isalnum", text::isalnum),
            ("isspace", text::isspace),
            ("isupper", text::isupper),
            ("islower", text::islower),
            ("istitle", text::istitle),
            ("isidentifier", text::isidentifier),
            ("isascii", text::isascii),
            ("isprintable", text::isprintable),
        ];
        for (name, func) in preds {
            cases.push((
                format!("{d}.{name}()"),
                format!("repr({ps}.{name}())"),
                Ok(py_bool(func(&s))),
            ));
        }
        cases.push((
            format!("repr({d})"),
            format!("repr({ps})"),
            Ok(repr_str(&s)),
        ));
        cases.push((
            format!("ascii({d})"),
            format!("ascii({ps})"),
            Ok(text::ascii_str(&s)),
        ));
        // Splitting and stripping.
        let sep = rng.pick(&[
            None,
            Some(" "),
            Some("a"),
            Some("ab"),
            Some("\n"),
            Some(""),
            Some("Σ"),
        ]);
        let maxsplit = rng.pick(&[-1i64, 0, 1, 2, -5]);
        let psep = sep.map_or("None".into(), py_str);
        cases.push((
            format!("{d}.split({sep:?}, {maxsplit})"),
            format!("repr({ps}.split({psep}, {maxsplit}))"),
            outcome(text::split(&s, sep, maxsplit), |v| py_list(&v)),
        ));
        cases.push((
            format!("{d}.rsplit({sep:?}, {maxsplit})"),
            format!("repr({ps}.rsplit({psep}, {maxsplit}))"),
            outcome(text::rsplit(&s, sep, maxsplit), |v| py_list(&v)),
        ));
        let keep = rng.chance(50);
        cases.push((
            format!("{d}.splitlines({keep})"),
            format!("repr({ps}.splitlines({}))", py_bool(keep)),
            Ok(py_list(&text::splitlines(&s, keep))),
        ));
        let chars = rng.pick(&[None, Some("ab "), Some("x"), Some(""), Some("\u{3000}Σ")]);
        let pchars = chars.map_or("None".into(), py_str);
        for (name, func) in [
            (
                "strip",
                text::strip as for<'a> fn(&'a str, Option<&str>) -> &'a str,
            ),
            ("lstrip", text::lstrip),
            ("rstrip", text::rstrip),
        ] {
            cases.push((
                format!("{d}.{name}({chars:?})"),
                format!("{ps}.{name}({pchars})"),
                Ok(func(&s, chars).to_owned()),
            ));
        }
        // Searching.
        let sub = if rng.chance(50) {
            rand_str(&mut rng).chars().take(2).collect()
        } else {
            s.chars()
                .skip(rng.below(4) as usize)
                .take(rng.below(3) as usize)
                .collect::<String>()
        };
        let psub = py_str(&sub);
        let (st, en) = (opt_idx(&mut rng), opt_idx(&mut rng));
        let args = format!("{psub}, {}, {}", py_opt(st), py_opt(en));
        let dargs = format!("{sub:?}, {st:?}, {en:?}");
        cases.push((
            format!("{d}.find({dargs})"),
            format!("repr({ps}.find({args}))"),
            Ok(text::find(&s, &sub, st, en).to_string()),
        ));
        cases.push((
            format!("{d}.rfind({dargs})"),
            format!("repr({ps}.rfind({args}))"),
            Ok(text::rfind(&s, &sub, st, en).to_string()),
        ));
        cases.push((
            format!("{d}.index({dargs})"),
            format!("repr({ps}.index({args}))"),
            outcome(text::index(&s, &sub, st, en), |i| i.to_string()),
        ));
        cases.push((
            format!("{d}.rindex({dargs})"),
            format!("repr({ps}.rindex({args}))"),
            outcome(text::rindex(&s, &sub, st, en), |i| i.to_string()),
        ));
        cases.push((
            format!("{d}.count({dargs})"),
            format!("repr({ps}.count({args}))"),
            Ok(text::count(&s, &sub, st, en).to_string()),
        ));
        cases.push((
            format!("{d}.startswith({dargs})"),
            format!("repr({ps}.startswith({args}))"),
            Ok(py_bool(text::startswith(&s, &sub, st, en))),
        ));
        cases.push((
            format!("{d}.endswith({dargs})"),
            format!("repr({ps}.endswith({args}))"),
            Ok(py_bool(text::endswith(&s, &sub, st, en))),
        ));
        let new = rng.pick(&["", "-", "ΣΣ", "xyz"]);
        let cnt = rng.pick(&[-1i64, 0, 1, 2, 100]);
        cases.push((
            format!("{d}.replace({sub:?}, {new:?}, {cnt})"),
            format!("{ps}.replace({psub}, {}, {cnt})", py_str(new)),
            Ok(text::replace(&s, &sub, new, cnt)),
        ));
        cases.push((
            format!("{d}.partition({sub:?})"),
            format!("repr({ps}.partition({psub}))"),
            outcome(text::partition(&s, &sub), py_tuple3),
        ));
        cases.push((
            format!("{d}.rpartition({sub:?})"),
            format!("repr({ps}.rpartition({psub}))"),
            outcome(text::rpartition(&s, &sub), py_tuple3),
        ));
        // Padding.
        let w = rng.below(14) as i64 - 2;
        let fill = rng.pick(&[' ', '*', 'Σ', '😀']);
        let pf = py_str(&fill.to_string());
        cases.push((
            format!("{d}.center({w}, {fill:?})"),
            format!("{ps}.center({w}, {pf})"),
            outcome(text::center(&s, w, fill), |x| x),
        ));
        cases.push((
            format!("{d}.ljust({w}, {fill:?})"),
            format!("{ps}.ljust({w}, {pf})"),
            outcome(text::ljust(&s, w, fill), |x| x),
        ));
        cases.push((
            format!("{d}.rjust({w}, {fill:?})"),
            format!("{ps}.rjust({w}, {pf})"),
            outcome(text::rjust(&s, w, fill), |x| x),
        ));
        let z = if rng.chance(30) {
            format!("{}{}", rng.pick(&["-", "+", ""]), s)
        } else {
            s.clone()
        };
        cases.push((
            format!("{z:?}.zfill({w})"),
            format!("{}.zfill({w})", py_str(&z)),
            outcome(text::zfill(&z, w), |x| x),
        ));
        let tab = rng.pick(&[8i64, 4, 1, 0, -1, 3]);
        let t = s.replace('a', "\t");
        cases.push((
            format!("{t:?}.expandtabs({tab})"),
            format!("{}.expandtabs({tab})", py_str(&t)),
            outcome(text::expandtabs(&t, tab), |x| x),
        ));
    }
    check_all(cases);
}

#[test]
fn every_code_point_property_matches_cpython() {
    // One signature per code point: predicates, case mappings, repr. Non-surrogate code points
    // sampled every 7th plus all of the BMP's first 0x3000 (Latin, Greek, Cyrillic, ...).
    let mut cases = Vec::new();
    let cps = (0u32..0x3000).chain((0x3000..0x110000).step_by(7));
    for cp in cps {
        let Some(c) = char::from_u32(cp) else {
            continue;
        };
        let s = c.to_string();
        let ours = format!(
            "{}{}{}{}{}{}{}{}{}{}{}{}|{}|{}|{}|{}|{}|{}",
            text::isalpha(&s) as u8,
            text::isdecimal(&s) as u8,
            text::isdigit(&s) as u8,
            text::isnumeric(&s) as u8,
            text::isspace(&s) as u8,
            text::isupper(&s) as u8,
            text::islower(&s) as u8,
            text::istitle(&s) as u8,
            text::isidentifier(&s) as u8,
            text::isprintable(&s) as u8,
            text::isalnum(&s) as u8,
            text::is_linebreak(c) as u8,
            text::upper(&s),
            text::lower(&s),
            text::title(&s),
            text::casefold(&s),
            text::swapcase(&s),
            repr_str(&s),
        );
        let expr = format!(
            "(lambda c: ''.join(str(int(f)) for f in [c.isalpha(), c.isdecimal(), c.isdigit(), \
             c.isnumeric(), c.isspace(), c.isupper(), c.islower(), c.istitle(), c.isidentifier(), \
             c.isprintable(), c.isalnum(), len(('a'+c+'b').splitlines()) == 2]) + '|' + '|'.join([c.upper(), \
             c.lower(), c.title(), c.casefold(), c.swapcase(), repr(c)]))(chr({cp}))"
        );
        cases.push((format!("U+{cp:04X}"), expr, Ok(ours)));
    }
    check_all(cases);
}

#[test]
fn bytes_repr_matches_cpython() {
    let mut rng = Rng(31_337_031);
    let mut cases = Vec::new();
    for _ in 0..1500 {
        let n = rng.below(10) as usize;
        let b: Vec<u8> = (0..n)
            .map(|_| {
                if rng.chance(50) {
                    rng.pick(b"'\"\\\t\n\r abz")
                } else {
                    rng.below(256) as u8
                }
            })
            .collect();
        let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
        cases.push((
            format!("repr({b:?})"),
            format!("repr(bytes.fromhex('{hex}'))"),
            Ok(text::repr_bytes(&b)),
        ));
    }
    check_all(cases);
}
