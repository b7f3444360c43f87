//! Layer 2: the kernels written once over a dynamic value, with no interpreter. Each
//! representation (`nanbox`, `tagged_enum`, `heap_objects`) implements [`Dynamic`]; the
//! kernels are monomorphised per representation, so what differs between 2a, 2b and 2c is only
//! the cost of type checks, boxing and (for heap objects) allocation and refcounting.
//!
//! The code follows benches/kernels/*.py operation by operation: every Python-level arithmetic
//! op or comparison is a [`Dynamic`] call, constants are made once (like `co_consts`), a read
//! from a list clones the element (CPython's `BINARY_SUBSCR` increfs it). Two simplifications,
//! the same for every representation: comparisons return a Rust `bool` (as a fused
//! compare-and-branch would), and nbody's outer `bodies[i]` lookups are native slices.

/// A dynamically typed Python value: int, float or bool, with Python semantics for the
/// operations the kernels use. Operations on types the kernels never combine panic
/// (`unsupported`); ints beyond the representation's range panic too (no big ints here; the
/// kernels stay far below 2^47).
pub trait Dynamic: Clone {
    fn int(i: i64) -> Self;
    fn float(f: f64) -> Self;
    fn bool(b: bool) -> Self;
    fn add(&self, o: &Self) -> Self;
    fn sub(&self, o: &Self) -> Self;
    fn mul(&self, o: &Self) -> Self;
    /// `/`: true division.
    fn truediv(&self, o: &Self) -> Self;
    /// `**` (float results only).
    fn pow(&self, o: &Self) -> Self;
    fn lt(&self, o: &Self) -> bool;
    fn le(&self, o: &Self) -> bool;
    fn truthy(&self) -> bool;
    /// As a list index into a list of `len` items (an int, negative counts from the end).
    fn index(&self, len: usize) -> usize;
    fn to_i64(&self) -> i64;
    fn to_f64(&self) -> f64;
}

/// Python's list index rule: an in-range int, negative from the end, else IndexError.
#[inline(always)]
pub fn list_index(i: i64, len: usize) -> usize {
    let j = if i < 0 { i + len as i64 } else { i };
    if j < 0 || j >= len as i64 {
        unsupported("IndexError: list index out of range");
    }
    j as usize
}

#[cold]
#[inline(never)]
pub fn unsupported(what: &str) -> ! {
    panic!("layer-2 kernels: {what}")
}

// ----- add -----

#[inline(never)]
fn add<V: Dynamic>(a: &V, b: &V) -> V {
    a.add(b)
}

pub fn add_loop<V: Dynamic>(n: i64) -> V {
    let (n, one) = (V::int(n), V::int(1));
    let mut total = V::int(0);
    let mut i = V::int(0);
    while i.lt(&n) {
        total = add(&total, &i);
        i = i.add(&one);
    }
    total
}

// ----- fib -----

struct FibConsts<V> {
    one: V,
    two: V,
}

fn fib<V: Dynamic>(n: &V, k: &FibConsts<V>) -> V {
    if n.lt(&k.two) {
        return n.clone();
    }
    fib(&n.sub(&k.one), k).add(&fib(&n.sub(&k.two), k))
}

pub fn fib_kernel<V: Dynamic>(n: i64) -> V {
    let k = FibConsts {
        one: V::int(1),
        two: V::int(2),
    };
    fib(&V::int(n), &k)
}

// ----- nbody -----

/// The constants of nbody.py's code objects: list indices 0..=6, 0.5, 0.0.
struct NbodyConsts<V> {
    k: [V; 7],
    half: V,
    zero: V,
}

#[inline(always)]
fn get<V: Dynamic>(list: &[V], i: &V) -> V {
    list[i.index(list.len())].clone()
}

#[inline(always)]
fn set<V: Dynamic>(list: &mut [V], i: &V, v: V) {
    let j = i.index(list.len());
    list[j] = v;
}

fn energy<V: Dynamic>(bodies: &[Vec<V>], c: &NbodyConsts<V>) -> V {
    let k = &c.k;
    let mut e = c.zero.clone();
    for i in 0..bodies.len() {
        let a = &bodies[i];
        let (a3, a4, a5) = (get(a, &k[3]), get(a, &k[4]), get(a, &k[5]));
        let kinetic = a3.mul(&a3).add(&a4.mul(&a4)).add(&a5.mul(&a5));
        e = e.add(&c.half.mul(&get(a, &k[6])).mul(&kinetic));
        for b in &bodies[i + 1..] {
            let dx = get(a, &k[0]).sub(&get(b, &k[0]));
            let dy = get(a, &k[1]).sub(&get(b, &k[1]));
            let dz = get(a, &k[2]).sub(&get(b, &k[2]));
            let d = dx.mul(&dx).add(&dy.mul(&dy)).add(&dz.mul(&dz)).pow(&c.half);
            e = e.sub(&get(a, &k[6]).mul(&get(b, &k[6])).truediv(&d));
        }
    }
    e
}

fn advance<V: Dynamic>(bodies: &mut [Vec<V>], dt: &V, steps: i64, c: &NbodyConsts<V>) {
    let k = &c.k;
    let n = bodies.len();
    for _ in 0..steps {
        for i in 0..n {
            let (lo, hi) = bodies.split_at_mut(i + 1);
            let a = &mut lo[i];
            for b in hi.iter_mut() {
                let dx = get(a, &k[0]).sub(&get(b, &k[0]));
                let dy = get(a, &k[1]).sub(&get(b, &k[1]));
                let dz = get(a, &k[2]).sub(&get(b, &k[2]));
                let d2 = dx.mul(&dx).add(&dy.mul(&dy)).add(&dz.mul(&dz));
                let mag = dt.truediv(&d2.mul(&d2.pow(&c.half)));
                let bm = get(b, &k[6]).mul(&mag);
                let am = get(a, &k[6]).mul(&mag);
                let v = get(a, &k[3]).sub(&dx.mul(&bm));
                set(a, &k[3], v);
                let v = get(a, &k[4]).sub(&dy.mul(&bm));
                set(a, &k[4], v);
                let v = get(a, &k[5]).sub(&dz.mul(&bm));
                set(a, &k[5], v);
                let v = get(b, &k[3]).add(&dx.mul(&am));
                set(b, &k[3], v);
                let v = get(b, &k[4]).add(&dy.mul(&am));
                set(b, &k[4], v);
                let v = get(b, &k[5]).add(&dz.mul(&am));
                set(b, &k[5], v);
            }
        }
        for b in bodies.iter_mut() {
            let v = get(b, &k[0]).add(&dt.mul(&get(b, &k[3])));
            set(b, &k[0], v);
            let v = get(b, &k[1]).add(&dt.mul(&get(b, &k[4])));
            set(b, &k[1], v);
            let v = get(b, &k[2]).add(&dt.mul(&get(b, &k[5])));
            set(b, &k[2], v);
        }
    }
}

pub fn nbody<V: Dynamic>(n: i64) -> V {
    let c = NbodyConsts {
        k: std::array::from_fn(|i| V::int(i as i64)),
        half: V::float(0.5),
        zero: V::float(0.0),
    };
    // Setup is not what the kernel measures: the bodies come from layer 1, boxed.
    let mut bodies: Vec<Vec<V>> = super::native::make_bodies()
        .iter()
        .map(|b| b.iter().map(|&x| V::float(x)).collect())
        .collect();
    advance(&mut bodies, &V::float(0.01), n, &c);
    energy(&bodies, &c)
}

// ----- sieve -----

pub fn sieve<V: Dynamic>(n: i64) -> V {
    let (zero, one) = (V::int(0), V::int(1));
    let (f, t) = (V::bool(false), V::bool(true));
    let len = n as usize + 1;
    let n = V::int(n);
    let mut flags = vec![t; len];
    set(&mut flags, &zero, f.clone());
    set(&mut flags, &one, f.clone());
    let mut i = V::int(2);
    while i.mul(&i).le(&n) {
        if get(&flags, &i).truthy() {
            let mut j = i.mul(&i);
            while j.le(&n) {
                set(&mut flags, &j, f.clone());
                j = j.add(&i);
            }
        }
        i = i.add(&one);
    }
    let mut count = V::int(0);
    // `for k in range(n + 1)`: the range iterator boxes each k.
    for k in 0..len as i64 {
        if get(&flags, &V::int(k)).truthy() {
            count = count.add(&one);
        }
    }
    count
}
