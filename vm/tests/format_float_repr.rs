//! `repr(float)` against CPython on thousands of seeded doubles and the classic edge cases.

mod format_oracle;
use format_oracle::{check_all, py_float, Rng};
use nanopy_vm::format::float_repr;

#[test]
fn float_repr_matches_cpython() {
    let mut rng = Rng(31_337_000);
    let mut xs: Vec<f64> = vec![
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.1,
        0.2 + 0.1,
        1e16,
        9999999999999998.0,
        1e15,
        123456789012345680.0,
        1e-4,
        1e-5,
        0.00012345,
        5e-324,
        -5e-324,
        2.2250738585072014e-308,
        2.225073858507201e-308,
        f64::MAX,
        f64::MIN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        -f64::NAN,
        1e22,
        1e23,
        2.0f64.powi(53),
        2.0f64.powi(53) + 2.0,
        1.0 / 3.0,
        2.0 / 3.0,
        100.0,
        1e100,
    ];
    for _ in 0..6000 {
        xs.push(rng.float());
    }
    // Doubles with short exact decimal expansions (m / 2^k, small k, up to 53-bit m): the
    // only ones where two shortest candidates can tie, so the ones where dtoa's choice matters.
    for _ in 0..6000 {
        let m = (rng.next() >> (11 + rng.below(12))) as f64;
        let k = rng.below(32) as i32;
        xs.push(m / 2f64.powi(k) * 10f64.powi(rng.below(5) as i32 - 2));
        xs.push(m / 2f64.powi(k));
    }
    let cases = xs
        .iter()
        .map(|&x| {
            (
                format!("repr({x:e})"),
                format!("repr({})", py_float(x)),
                Ok(float_repr(x)),
            )
        })
        .collect();
    check_all(cases);
}
