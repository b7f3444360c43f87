//! The set table: CPython 3.11's `Objects/setobject.c` probing and resizing, so that a set
//! iterates (and prints) in the same order as CPython's whenever the element hashes are the
//! same (ints, floats, tuples of those, frozensets; str hashes are randomised in CPython).
//!
//! ```text
//!   slot i = hash & mask, then LINEAR_PROBES (9) neighbours when they fit below mask,
//!   then i = (i * 5 + 1 + perturb) & mask with perturb >>= 5 (perturb starts at hash)
//!   unused: key NULL, hash 0      dummy (deleted): key NULL, hash -1      active: key set
//!   grow when fill * 5 >= mask * 3 to the smallest power of two > used * 4 (* 2 past 50000)
//! ```
//!
//! Hashing and equality are supplied by the caller, as for `Dict`; this file owns only the
//! table mechanics. Python-level behaviour (methods, operators) is in `set_ops`.

use crate::value::Value;

const MINSIZE: usize = 8;
const LINEAR_PROBES: usize = 9;
const PERTURB_SHIFT: u32 = 5;
/// The hash of a dummy slot (CPython's -1, which no live element may have).
const DUMMY_HASH: u64 = u64::MAX;

#[derive(Clone, Copy)]
pub struct SetEntry {
    pub hash: u64,
    pub key: Value,
}

const UNUSED: SetEntry = SetEntry {
    hash: 0,
    key: Value::NULL,
};

pub struct SetTable {
    table: Vec<SetEntry>,
    /// Active + dummy slots.
    fill: usize,
    /// Active slots.
    used: usize,
    /// Where `pop` looks next.
    finger: usize,
}

impl Default for SetTable {
    fn default() -> Self {
        SetTable {
            table: vec![UNUSED; MINSIZE],
            fill: 0,
            used: 0,
            finger: 0,
        }
    }
}

impl SetTable {
    pub fn new() -> SetTable {
        SetTable::default()
    }

    pub fn len(&self) -> usize {
        self.used
    }

    pub fn is_empty(&self) -> bool {
        self.used == 0
    }

    fn mask(&self) -> usize {
        self.table.len() - 1
    }

    /// Active entries in table order (CPython's iteration order).
    pub fn iter(&self) -> impl Iterator<Item = &SetEntry> {
        self.table.iter().filter(|e| !e.key.is_null())
    }

    /// The first active entry at slot `i` or after, with its slot (iterators).
    pub fn next_from(&self, mut i: usize) -> Option<(usize, SetEntry)> {
        while i < self.table.len() {
            let e = self.table[i];
            if !e.key.is_null() {
                return Some((i, e));
            }
            i += 1;
        }
        None
    }

    /// The slot of the active entry equal to the key, if any (`set_lookkey`).
    pub fn find(&self, hash: u64, mut eq: impl FnMut(Value) -> bool) -> Option<usize> {
        let mask = self.mask();
        let mut i = hash as usize & mask;
        let mut perturb = hash;
        loop {
            let probes = if i + LINEAR_PROBES <= mask {
                LINEAR_PROBES
            } else {
                0
            };
            for j in i..=i + probes {
                let e = self.table[j];
                if e.key.is_null() {
                    if e.hash == 0 {
                        return None;
                    }
                } else if e.hash == hash && eq(e.key) {
                    return Some(j);
                }
            }
            perturb >>= PERTURB_SHIFT;
            i = (i
                .wrapping_mul(5)
                .wrapping_add(1)
                .wrapping_add(perturb as usize))
                & mask;
        }
    }

    pub fn contains(&self, hash: u64, eq: impl FnMut(Value) -> bool) -> bool {
        self.find(hash, eq).is_some()
    }

    /// Add `key` unless an equal key is present (`set_add_entry`); true when added.
    pub fn add(&mut self, hash: u64, key: Value, mut eq: impl FnMut(Value) -> bool) -> bool {
        let mask = self.mask();
        let mut i = hash as usize & mask;
        let mut perturb = hash;
        let mut freeslot = None;
        let slot = 'search: loop {
            let probes = if i + LINEAR_PROBES <= mask {
                LINEAR_PROBES
            } else {
                0
            };
            for j in i..=i + probes {
                let e = self.table[j];
                if e.key.is_null() {
                    if e.hash == 0 {
                        break 'search j;
                    }
                    // A dummy: CPython remembers the last one seen.
                    freeslot = Some(j);
                } else if e.hash == hash && eq(e.key) {
                    return false;
                }
            }
            perturb >>= PERTURB_SHIFT;
            i = (i
                .wrapping_mul(5)
                .wrapping_add(1)
                .wrapping_add(perturb as usize))
                & mask;
        };
        if let Some(f) = freeslot {
            self.used += 1;
            self.table[f] = SetEntry { hash, key };
            return true;
        }
        self.fill += 1;
        self.used += 1;
        self.table[slot] = SetEntry { hash, key };
        if self.fill * 5 >= mask * 3 {
            self.resize(if self.used > 50000 {
                self.used * 2
            } else {
                self.used * 4
            });
        }
        true
    }

    /// Remove the key if present (`set_discard_entry`); returns it.
    pub fn discard(&mut self, hash: u64, eq: impl FnMut(Value) -> bool) -> Option<Value> {
        let j = self.find(hash, eq)?;
        let k = self.table[j].key;
        self.table[j] = SetEntry {
            hash: DUMMY_HASH,
            key: Value::NULL,
        };
        self.used -= 1;
        Some(k)
    }

    /// Remove and return an element (`set_pop`: from the search finger on).
    pub fn pop(&mut self) -> Option<Value> {
        if self.used == 0 {
            return None;
        }
        let mut i = self.finger & self.mask();
        while self.table[i].key.is_null() {
            i += 1;
            if i > self.mask() {
                i = 0;
            }
        }
        let k = self.table[i].key;
        self.table[i] = SetEntry {
            hash: DUMMY_HASH,
            key: Value::NULL,
        };
        self.used -= 1;
        self.finger = i + 1;
        Some(k)
    }

    pub fn clear(&mut self) {
        *self = SetTable::default();
    }

    /// `set_insert_clean`: place a key known to be absent into a table without dummies.
    fn insert_clean(table: &mut [SetEntry], hash: u64, key: Value) {
        let mask = table.len() - 1;
        let mut i = hash as usize & mask;
        let mut perturb = hash;
        loop {
            let probes = if i + LINEAR_PROBES <= mask {
                LINEAR_PROBES
            } else {
                0
            };
            if let Some(e) = table[i..=i + probes].iter_mut().find(|e| e.key.is_null()) {
                *e = SetEntry { hash, key };
                return;
            }
            perturb >>= PERTURB_SHIFT;
            i = (i
                .wrapping_mul(5)
                .wrapping_add(1)
                .wrapping_add(perturb as usize))
                & mask;
        }
    }

    /// `set_table_resize`: rebuild into the smallest power-of-two table > `minused`.
    fn resize(&mut self, minused: usize) {
        let mut newsize = MINSIZE;
        while newsize <= minused {
            newsize <<= 1;
        }
        if newsize == MINSIZE && self.table.len() == MINSIZE && self.fill == self.used {
            return; // no dummies, nothing to do
        }
        let old = std::mem::replace(&mut self.table, vec![UNUSED; newsize]);
        self.fill = self.used;
        for e in old {
            if !e.key.is_null() {
                SetTable::insert_clean(&mut self.table, e.hash, e.key);
            }
        }
    }

    /// Purge dummies if they are more than a quarter of the table (after difference_update).
    pub fn shrink_dummies(&mut self) {
        if self.fill - self.used > self.mask() / 4 {
            self.resize(if self.used > 50000 {
                self.used * 2
            } else {
                self.used * 4
            });
        }
    }

    /// `set_merge`: add every element of `other` (stored hashes are reused).
    pub fn merge(&mut self, other: &SetTable, mut eq: impl FnMut(Value, Value) -> bool) {
        if other.used == 0 {
            return;
        }
        if (self.fill + other.used) * 5 >= self.mask() * 3 {
            self.resize((self.used + other.used) * 2);
        }
        if self.fill == 0 && self.mask() == other.mask() && other.fill == other.used {
            // Same size, no dummies: copy the layout.
            self.table.copy_from_slice(&other.table);
            self.fill = other.fill;
            self.used = other.used;
            return;
        }
        if self.fill == 0 {
            self.fill = other.used;
            self.used = other.used;
            for e in other.iter() {
                SetTable::insert_clean(&mut self.table, e.hash, e.key);
            }
            return;
        }
        for e in other.table.iter().filter(|e| !e.key.is_null()) {
            let k = e.key;
            self.add(e.hash, k, |x| eq(x, k));
        }
    }

    /// Pre-size before adding `n` keys from a dict (`set_update_internal`'s dict case).
    pub fn reserve_for(&mut self, n: usize) {
        if (self.fill + n) * 5 >= self.mask() * 3 {
            self.resize((self.used + n) * 2);
        }
    }

    /// CPython's `frozenset_hash` over this table (it depends only on the active hashes).
    pub fn frozen_hash(&self) -> u64 {
        fn shuffle(h: u64) -> u64 {
            ((h ^ 89869747) ^ (h << 16)).wrapping_mul(3644798167)
        }
        let mut hash: u64 = 0;
        for e in self.iter() {
            hash ^= shuffle(e.hash);
        }
        hash ^= (self.used as u64 + 1).wrapping_mul(1927868237);
        hash ^= (hash >> 11) ^ (hash >> 25);
        hash = hash.wrapping_mul(69069).wrapping_add(907133923);
        if hash == u64::MAX {
            hash = 590923713;
        }
        hash
    }

    /// Every key (GC tracing).
    pub fn keys(&self) -> impl Iterator<Item = Value> + '_ {
        self.iter().map(|e| e.key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ints(t: &SetTable) -> Vec<i64> {
        t.iter().map(|e| e.key.as_small_int()).collect()
    }

    fn add(t: &mut SetTable, i: i64) {
        let v = Value::small_int(i);
        t.add(i as u64, v, |k| k == v);
    }

    #[test]
    fn order_matches_cpython_for_small_ints() {
        // python3 -c "print({3, 1, 2, 100, -1, 33})" -> {1, 2, 3, 100, 33, -1}
        let mut t = SetTable::new();
        for i in [3, 1, 2, 100, 33] {
            add(&mut t, i);
        }
        let v = Value::small_int(-1);
        t.add(-2i64 as u64, v, |k| k == v);
        assert_eq!(ints(&t), vec![1, 2, 3, 100, 33, -1]);
        // python3 -c "print({x*7 for x in range(20)})"
        let mut t = SetTable::new();
        for x in 0..20 {
            add(&mut t, x * 7);
        }
        assert_eq!(
            ints(&t),
            vec![0, 133, 7, 14, 21, 28, 35, 42, 49, 56, 63, 70, 77, 84, 91, 98, 105, 112, 119, 126]
        );
    }

    #[test]
    fn discard_and_pop_leave_dummies_that_are_reused() {
        let mut t = SetTable::new();
        for i in 0..5 {
            add(&mut t, i);
        }
        let two = Value::small_int(2);
        assert_eq!(t.discard(2, |k| k == two), Some(two));
        assert_eq!(t.len(), 4);
        assert_eq!(t.pop().map(|v| v.as_small_int()), Some(0));
        add(&mut t, 10);
        // python3: s = {0, 1, 2, 3, 4}; s.discard(2); s.pop(); s.add(10); s -> {1, 3, 4, 10}
        assert_eq!(ints(&t), vec![1, 3, 4, 10]);
    }
}
