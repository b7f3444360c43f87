//! Layer 1: the kernels in Rust on machine types (i64, f64, bool), the physical floor.
//!
//! Same algorithms and floating-point operation order as benches/kernels/*.py, so checksums
//! match bit for bit. `add` stays an out-of-line call, as in every layer: inlined, LLVM folds
//! the whole loop to n(n-1)/2 and the floor would measure nothing.

#[inline(never)]
fn add(a: i64, b: i64) -> i64 {
    a + b
}

pub fn add_loop(n: i64) -> i64 {
    let mut total = 0;
    let mut i = 0;
    while i < n {
        total = add(total, i);
        i += 1;
    }
    total
}

pub fn fib(n: i64) -> i64 {
    if n < 2 {
        return n;
    }
    fib(n - 1) + fib(n - 2)
}

// nbody.py's `PI = 3.141592653589793` is exactly this double.
const PI: f64 = std::f64::consts::PI;
const SOLAR_MASS: f64 = 4.0 * PI * PI;
const DAYS: f64 = 365.24;

/// The five bodies of benches/kernels/nbody.py: x, y, z, vx, vy, vz, mass.
pub fn make_bodies() -> [[f64; 7]; 5] {
    [
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, SOLAR_MASS],
        [
            4.84,
            -1.16,
            -0.10,
            0.00166 * DAYS,
            0.00770 * DAYS,
            -0.0000690 * DAYS,
            0.000954 * SOLAR_MASS,
        ],
        [
            8.34,
            4.12,
            -0.40,
            -0.00277 * DAYS,
            0.00500 * DAYS,
            0.0000230 * DAYS,
            0.000286 * SOLAR_MASS,
        ],
        [
            12.89,
            -15.11,
            -0.22,
            0.00296 * DAYS,
            0.00237 * DAYS,
            -0.0000296 * DAYS,
            0.0000437 * SOLAR_MASS,
        ],
        [
            15.38,
            -25.92,
            0.18,
            0.00268 * DAYS,
            0.00163 * DAYS,
            -0.0000951 * DAYS,
            0.0000515 * SOLAR_MASS,
        ],
    ]
}

fn energy(bodies: &[[f64; 7]; 5]) -> f64 {
    let mut e = 0.0;
    for i in 0..bodies.len() {
        let a = &bodies[i];
        e += 0.5 * a[6] * (a[3] * a[3] + a[4] * a[4] + a[5] * a[5]);
        for b in &bodies[i + 1..] {
            let dx = a[0] - b[0];
            let dy = a[1] - b[1];
            let dz = a[2] - b[2];
            e -= a[6] * b[6] / (dx * dx + dy * dy + dz * dz).powf(0.5);
        }
    }
    e
}

fn advance(bodies: &mut [[f64; 7]; 5], dt: f64, steps: i64) {
    let n = bodies.len();
    for _ in 0..steps {
        for i in 0..n {
            let (lo, hi) = bodies.split_at_mut(i + 1);
            let a = &mut lo[i];
            for b in hi.iter_mut() {
                let dx = a[0] - b[0];
                let dy = a[1] - b[1];
                let dz = a[2] - b[2];
                let d2 = dx * dx + dy * dy + dz * dz;
                let mag = dt / (d2 * d2.powf(0.5));
                let bm = b[6] * mag;
                let am = a[6] * mag;
                a[3] -= dx * bm;
                a[4] -= dy * bm;
                a[5] -= dz * bm;
                b[3] += dx * am;
                b[4] += dy * am;
                b[5] += dz * am;
            }
        }
        for b in bodies.iter_mut() {
            b[0] += dt * b[3];
            b[1] += dt * b[4];
            b[2] += dt * b[5];
        }
    }
}

pub fn nbody(n: i64) -> f64 {
    let mut bodies = make_bodies();
    advance(&mut bodies, 0.01, n);
    energy(&bodies)
}

pub fn sieve(n: i64) -> i64 {
    let n = n as usize;
    let mut flags = vec![true; n + 1];
    flags[0] = false;
    flags[1] = false;
    let mut i = 2;
    while i * i <= n {
        if flags[i] {
            let mut j = i * i;
            while j <= n {
                flags[j] = false;
                j += i;
            }
        }
        i += 1;
    }
    flags.iter().filter(|&&f| f).count() as i64
}
