//! Test support shared by the `format*` and `text*` suites: CPython 3.11 as the oracle.
//!
//! Each test builds Python expressions (with `F(bits)` for exact floats and `S("hex")` for
//! exact strings), runs them all through one `python3` process, and compares byte for byte.
//! Results come back hex-encoded, so any character survives the pipe.
#![allow(dead_code)]

use std::io::Write;
use std::process::{Command, Stdio};

const PRELUDE: &str = r#"
import sys, struct, math
if sys.version_info[:2] != (3, 11):
    sys.exit('the oracle must be CPython 3.11, found ' + sys.version)
def F(bits): return struct.unpack('<d', bits.to_bytes(8, 'little'))[0]
def S(h): return bytes.fromhex(h).decode('utf-8')
def P(a, b):
    # float ** float, with any complex outcome (value or complex-overflow) reported as 'complex'
    try:
        r = a ** b
    except OverflowError as e:
        if str(e) == 'complex exponentiation':
            return 'complex'
        raise
    return 'complex' if isinstance(r, complex) else repr(r)
out = []
for line in sys.stdin.read().split('\n'):
    if not line:
        continue
    try:
        r = eval(line)
        if not isinstance(r, str):
            r = repr(r)
        out.append('O ' + r.encode('utf-8', 'surrogatepass').hex())
    except Exception as e:
        out.append('E %s %s' % (type(e).__name__, str(e).encode('utf-8', 'surrogatepass').hex()))
sys.stdout.write('\n'.join(out) + '\n')
"#;

/// What CPython produced for one expression: its value as text, or (exception name, message).
pub type Outcome = Result<String, (String, String)>;

fn unhex(h: &str) -> String {
    let bytes: Vec<u8> = (0..h.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap())
        .collect();
    String::from_utf8(bytes).unwrap()
}

/// Evaluates every expression in one python3 process.
pub fn eval_all(exprs: &[String]) -> Vec<Outcome> {
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(PRELUDE)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 (CPython 3.11) must be on PATH: it is the oracle");
    let mut input = String::new();
    for e in exprs {
        assert!(!e.contains('\n'), "expression must be one line: {e}");
        input.push_str(e);
        input.push('\n');
    }
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()).unwrap());
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert!(
        out.status.success(),
        "python3 oracle failed (is python3 CPython 3.11?): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), exprs.len(), "one answer per expression");
    lines
        .iter()
        .map(|l| {
            let mut parts = l.splitn(3, ' ');
            match parts.next() {
                Some("O") => Ok(unhex(parts.next().unwrap_or(""))),
                _ => {
                    let name = parts.next().unwrap().to_owned();
                    Err((name, unhex(parts.next().unwrap_or(""))))
                }
            }
        })
        .collect()
}

/// A Python expression denoting exactly the double `x`.
pub fn py_float(x: f64) -> String {
    format!("F({:#x})", x.to_bits())
}

/// A Python expression denoting exactly the string `s`.
pub fn py_str(s: &str) -> String {
    let hex: String = s.bytes().map(|b| format!("{:02x}", b)).collect();
    format!("S('{hex}')")
}

/// Compares a batch of (description, expression, our outcome) against CPython and panics with
/// a readable report of every mismatch (up to 30).
pub fn check_all(cases: Vec<(String, String, Outcome)>) {
    let exprs: Vec<String> = cases.iter().map(|c| c.1.clone()).collect();
    let expected = eval_all(&exprs);
    let mut failures = Vec::new();
    for ((desc, expr, ours), theirs) in cases.iter().zip(expected) {
        if *ours != theirs {
            failures.push(format!(
                "{desc}\n    expr:    {expr}\n    cpython: {theirs:?}\n    nanopy:  {ours:?}"
            ));
        }
    }
    let n = failures.len();
    failures.truncate(30);
    assert!(
        n == 0,
        "{n} of {} cases differ from CPython:\n{}",
        cases.len(),
        failures.join("\n")
    );
    let raised = cases.iter().filter(|c| c.2.is_err()).count();
    let mut by_msg: std::collections::BTreeMap<&str, usize> = Default::default();
    for c in &cases {
        if let Err((_, m)) = &c.2 {
            *by_msg.entry(m.as_str()).or_default() += 1;
        }
    }
    let mut top: Vec<_> = by_msg.into_iter().collect();
    top.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    top.truncate(3);
    eprintln!(
        "{} cases agree with CPython ({raised} of them raise; most often {top:?})",
        cases.len()
    );
}

/// Seeded splitmix64: reproducible "random" cases.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e3779b97f4a7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d049bb133111eb);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    pub fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize]
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    /// A double drawn from a mix of shapes that exercise formatting: raw bit patterns,
    /// short decimals, ties, integers, huge and tiny magnitudes, subnormals, specials.
    pub fn float(&mut self) -> f64 {
        let sign = if self.chance(30) { -1.0 } else { 1.0 };
        let x = match self.below(10) {
            // Exact quarter values near 2^50: two shortest candidates tie.
            8 => {
                ((self.next() >> 13) as f64 + 0.25 * self.below(4) as f64)
                    * 10f64.powi(self.below(3) as i32)
            }
            0 => f64::from_bits(self.next()),
            1 => (self.below(2_000_000) as f64) / 1000.0,
            2 => (self.below(100_000) as f64 + 0.5) / 10f64.powi(self.below(4) as i32),
            3 => self.below(1 << 40) as f64,
            4 => 10f64.powi(self.below(40) as i32 - 20),
            5 => f64::from_bits(self.below(1 << 52)),
            6 => self.pick(&[
                0.0,
                f64::INFINITY,
                f64::NAN,
                f64::MAX,
                f64::MIN_POSITIVE,
                5e-324,
                1e16,
                1e15,
                1e-4,
                1e-5,
                0.5,
                2.5,
                2.675,
                1.005,
                0.125,
                0.375,
            ]),
            7 => (self.below(1_000_000) as f64) * 10f64.powi(self.below(30) as i32 - 10),
            _ => {
                (self.next() >> 11) as f64 / (1u64 << 53) as f64 * 10f64.powi(self.below(10) as i32)
            }
        };
        sign * x
    }
}
