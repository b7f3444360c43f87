//! Fixed-point float formatting (`{x:.Nf}`, `{x:N%}`, `'%.Nf' % x`) against CPython, aimed at
//! the exact-integer fast path of `format/digits.rs`: every precision it handles (0-22) and the
//! first ones it does not, half-way ties (k/2^j values), values near 2^53 and 2^64, subnormals,
//! negative zero and values that round to zero, with and without `z`, `#`, sign, width and
//! grouping.

mod format_oracle;
use format_oracle::{check_all, py_float, py_str, Outcome, Rng};
use nanopy_vm::format::{double_to_string, format_float, FloatCode, FloatFlags, PyResult};

fn outcome(r: PyResult<String>) -> Outcome {
    r.map_err(|e| (e.kind.name().to_owned(), e.msg))
}

/// Doubles that stress correct rounding at fixed precision.
fn fixed_float(rng: &mut Rng) -> f64 {
    let sign = if rng.chance(35) { -1.0 } else { 1.0 };
    let x = match rng.below(9) {
        // Exact ties at some precision: odd multiples of 2^-j.
        0 => (2 * rng.below(1 << 20) + 1) as f64 / (1u64 << (1 + rng.below(12))) as f64,
        // Short decimals, which are never exact in binary (2.675, 1.005, ...).
        1 => rng.below(10_000_000) as f64 / 10f64.powi(rng.below(8) as i32),
        // Around 2^53 (last integer-exact doubles) and just below 2^64 (the fast path's edge).
        2 => (1u64 << 53) as f64 + (rng.below(64) as f64 - 32.0) * 0.5,
        3 => 1.8446744073709552e19 * (1.0 - rng.below(8) as f64 * f64::EPSILON),
        // Tiny and subnormal values: they round to zero at any fast precision.
        4 => f64::from_bits(rng.below(1 << 52)),
        5 => 10f64.powi(rng.below(44) as i32 - 24) * (1.0 + rng.below(1000) as f64 / 1000.0),
        6 => f64::from_bits(rng.next() >> 2), // |x| < 2: random bits
        7 => rng.pick(&[
            0.0, 0.5, 1.5, 2.5, 0.125, 0.375, 2.675, 1e22, 9.5, 0.05, 4.35,
        ]),
        _ => (rng.next() >> 11) as f64 / (1u64 << 53) as f64 * 10f64.powi(rng.below(20) as i32),
    };
    sign * x
}

#[test]
fn fixed_specs_match_cpython() {
    let mut rng = Rng(20_261_201);
    let mut cases = Vec::new();
    for _ in 0..8000 {
        let x = fixed_float(&mut rng);
        let p = rng.below(26);
        let mut spec = String::new();
        spec.push_str(rng.pick(&["", "", "", ">", "<", "^", "=", "*^", "0="]));
        spec.push_str(rng.pick(&["", "", "", "+", " ", "-"]));
        if rng.chance(10) {
            spec.push('z');
        }
        if rng.chance(10) {
            spec.push('#');
        }
        spec.push_str(rng.pick(&["", "", "", "9", "012", "30"]));
        if rng.chance(10) {
            spec.push_str(rng.pick(&[",", "_"]));
        }
        spec.push_str(&format!(".{p}"));
        spec.push_str(rng.pick(&["f", "f", "f", "F", "%"]));
        cases.push((
            format!("format({x:e}, {spec:?})"),
            format!("format({}, {})", py_float(x), py_str(&spec)),
            outcome(format_float(x, &spec)),
        ));
    }
    check_all(cases);
}

#[test]
fn percent_f_matches_cpython() {
    // `'%.Nf' % x` reaches `double_to_string` with no flags: the fast path's second caller.
    let mut rng = Rng(20_261_202);
    let mut cases = Vec::new();
    for _ in 0..4000 {
        let x = fixed_float(&mut rng);
        let p = rng.below(26) as usize;
        cases.push((
            format!("'%.{p}f' % {x:e}"),
            format!("'%.{p}f' % {}", py_float(x)),
            Ok(double_to_string(x, FloatCode::F, p, FloatFlags::default())),
        ));
    }
    for x in [
        0.0,
        -0.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        5e-324,
        -5e-324,
    ] {
        for p in [0, 1, 2, 22, 23] {
            cases.push((
                format!("'%.{p}f' % {x:e}"),
                format!("'%.{p}f' % {}", py_float(x)),
                Ok(double_to_string(x, FloatCode::F, p, FloatFlags::default())),
            ));
        }
    }
    check_all(cases);
}
