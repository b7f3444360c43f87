//! An insertion-ordered hash table keyed by Python values (CPython's compact dict layout):
//! entries in insertion order, plus an open-addressing index of entry positions.
//!
//! Hashing and equality are supplied by the caller (they may need the VM, e.g. to compare big
//! ints or tuples); this file owns only the table mechanics. Deleted entries leave a `NULL`
//! key tombstone that iteration skips and a rebuild compacts.
//!
//! A small dict (at most `SMALL` entry slots, tombstones included) has no index at all and is
//! searched by a scan of the entries' hashes: the `**kwargs` and keyword-forwarding dicts a
//! call makes, and most literal dicts, then cost one allocation (the entries) instead of two.
//!
//! When the table grows and compacts follows CPython 3.11 exactly (an index of 2^k slots holds
//! at most 2/3 of it in entry slots, tombstones included; when full it is rebuilt at the
//! smallest power of two >= 3 * live entries): which entry positions an iterator has passed
//! when a loop deletes and inserts decides whether CPython finishes the loop or raises
//! "dictionary keys changed during iteration", and nanopy must decide the same.

use crate::value::Value;

#[derive(Clone, Copy)]
pub struct Entry {
    pub hash: u64,
    pub key: Value,
    pub value: Value,
}

#[derive(Default)]
pub struct Dict {
    entries: Vec<Entry>,
    /// Slots hold `entry index + 1`; 0 means empty. Length is a power of two, or zero for a
    /// small dict (found by scanning `entries`).
    index: Vec<u32>,
    len: usize,
    /// Bumped on every change of which keys sit at which entry positions (insert of a new key,
    /// removal, compaction, clear), not on overwriting a value: a cached entry position stays
    /// valid, and reads the current value, while the version is unchanged (LOAD_GLOBAL's
    /// cache relies on this).
    pub version: u64,
}

const EMPTY: u32 = 0;
// --- features ---
/// The most entry slots a dict without an index holds: CPython's smallest table (8 index
/// slots) holds 5 (2/3 of 8); past it, inserting builds the index.
const SMALL: usize = usable(MIN_SIZE);
/// CPython's `PyDict_MINSIZE`.
const MIN_SIZE: usize = 8;

/// Entry slots an index of `size` slots allows (CPython's `USABLE_FRACTION`).
const fn usable(size: usize) -> usize {
    (size << 1) / 3
}

impl Dict {
    pub fn new() -> Dict {
        Dict::default()
    }

    pub fn with_capacity(n: usize) -> Dict {
        let mut d = Dict {
            entries: Vec::with_capacity(n),
            index: Vec::new(),
            len: 0,
            version: 0,
        };
        if n > SMALL {
            d.rebuild((n * 3).div_ceil(2).next_power_of_two().max(MIN_SIZE));
        }
        d
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Live entries in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = &Entry> + Clone {
        self.entries.iter().filter(|e| !e.key.is_null())
    }

    /// Raw entry slot `i` (may be a tombstone); used by iterators that survive mutation.
    pub fn entry_at(&self, i: usize) -> Option<&Entry> {
        self.entries.get(i)
    }

    pub fn raw_len(&self) -> usize {
        self.entries.len()
    }

    /// Find the entry index for `key`.
    #[inline]
    pub fn find(&self, hash: u64, mut eq: impl FnMut(Value) -> bool) -> Option<usize> {
        if self.index.is_empty() {
            // --- features --- small dict: scan (hash first, so `eq` runs only on a match)
            return self
                .entries
                .iter()
                .position(|e| e.hash == hash && !e.key.is_null() && eq(e.key));
        }
        let mask = self.index.len() - 1;
        let mut slot = hash as usize & mask;
        let mut perturb = hash;
        loop {
            let ix = self.index[slot];
            if ix == EMPTY {
                return None;
            }
            let e = &self.entries[ix as usize - 1];
            if e.hash == hash && !e.key.is_null() && eq(e.key) {
                return Some(ix as usize - 1);
            }
            perturb >>= 5;
            slot = (slot * 5 + 1 + perturb as usize) & mask;
        }
    }

    #[inline]
    pub fn get(&self, hash: u64, eq: impl FnMut(Value) -> bool) -> Option<Value> {
        self.find(hash, eq).map(|i| self.entries[i].value)
    }

    pub fn value_at_mut(&mut self, i: usize) -> &mut Value {
        &mut self.entries[i].value
    }

    /// Insert or overwrite (keeping the original key and position, as Python does).
    pub fn insert(&mut self, hash: u64, key: Value, value: Value, eq: impl FnMut(Value) -> bool) {
        if let Some(i) = self.find(hash, eq) {
            self.entries[i].value = value;
            return;
        }
        let size = if self.index.is_empty() {
            MIN_SIZE
        } else {
            self.index.len()
        };
        if self.entries.len() >= usable(size) {
            self.grow();
        }
        if self.index.is_empty() {
            self.entries.push(Entry { hash, key, value });
            self.len += 1;
            self.version += 1;
            return;
        }
        self.entries.push(Entry { hash, key, value });
        self.place(hash, self.entries.len() as u32);
        self.len += 1;
        self.version += 1;
    }

    /// Remove `key`, returning its value.
    pub fn remove(&mut self, hash: u64, eq: impl FnMut(Value) -> bool) -> Option<Value> {
        let i = self.find(hash, eq)?;
        let v = self.entries[i].value;
        self.entries[i].key = Value::NULL;
        self.entries[i].value = Value::NULL;
        self.len -= 1;
        self.version += 1;
        Some(v)
    }

    /// Remove and return the last inserted entry (`popitem`).
    pub fn pop_last(&mut self) -> Option<Entry> {
        while let Some(e) = self.entries.pop() {
            if !e.key.is_null() {
                self.len -= 1;
                self.version += 1;
                let n = self.index.len();
                if n > 0 {
                    self.rebuild(n);
                }
                return Some(e);
            }
        }
        None
    }

    // --- features ---
    /// Become a copy of `other` (same entries, order and index), as a change of key positions.
    pub fn copy_from(&mut self, other: &Dict) {
        self.entries.clone_from(&other.entries);
        self.index.clone_from(&other.index);
        self.len = other.len;
        self.version += 1;
    }

    pub fn clear(&mut self) {
        let version = self.version + 1;
        *self = Dict::new();
        self.version = version;
    }

    fn place(&mut self, hash: u64, ix: u32) {
        let mask = self.index.len() - 1;
        let mut slot = hash as usize & mask;
        let mut perturb = hash;
        while self.index[slot] != EMPTY {
            perturb >>= 5;
            slot = (slot * 5 + 1 + perturb as usize) & mask;
        }
        self.index[slot] = ix;
    }

    /// The entry slots are used up: compact into a table sized for 3x the live entries
    /// (CPython's `GROWTH_RATE`), which for a few live entries is the index-free small table.
    fn grow(&mut self) {
        let size = (self.len * 3).next_power_of_two().max(MIN_SIZE);
        if size == MIN_SIZE {
            self.version += 1;
            self.entries.retain(|e| !e.key.is_null());
            self.index = Vec::new();
        } else {
            self.rebuild(size);
        }
    }

    fn rebuild(&mut self, size: usize) {
        self.version += 1;
        self.entries.retain(|e| !e.key.is_null());
        self.index = vec![EMPTY; size];
        for i in 0..self.entries.len() {
            let h = self.entries[i].hash;
            self.place(h, i as u32 + 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(i: i64) -> Value {
        Value::small_int(i)
    }

    #[test]
    fn keeps_insertion_order_through_growth_deletes_and_overwrites() {
        let mut d = Dict::new();
        for i in 0..1000 {
            // Colliding hashes on purpose: every 10 keys share one.
            d.insert((i / 10) as u64, k(i), k(i * 2), |x| x == k(i));
        }
        for i in (0..1000).step_by(3) {
            assert_eq!(d.remove((i / 10) as u64, |x| x == k(i)), Some(k(i * 2)));
        }
        d.insert(5 / 10, k(5), k(-1), |x| x == k(5)); // overwrite keeps position
        let keys: Vec<i64> = d.iter().map(|e| e.key.as_small_int()).collect();
        let want: Vec<i64> = (0..1000).filter(|i| i % 3 != 0).collect();
        assert_eq!(keys, want);
        assert_eq!(d.len(), want.len());
        assert_eq!(d.get(0, |x| x == k(5)), Some(k(-1)));
        assert_eq!(d.get(0, |x| x == k(3)), None);
        let last = d.pop_last().expect("non-empty");
        assert_eq!(last.key, k(998));
    }

    // --- features ---
    #[test]
    fn small_dicts_scan_then_index_past_the_limit() {
        let mut d = Dict::with_capacity(3);
        for round in 0..5 {
            // Insert and delete around the small limit, tombstones included.
            for i in 0..(SMALL as i64 + 3) {
                d.insert(i as u64 % 3, k(i), k(i + round), |x| x == k(i));
            }
            for i in (0..(SMALL as i64 + 3)).step_by(2) {
                assert_eq!(d.remove(i as u64 % 3, |x| x == k(i)), Some(k(i + round)));
            }
            let keys: Vec<i64> = d.iter().map(|e| e.key.as_small_int()).collect();
            let want: Vec<i64> = (0..(SMALL as i64 + 3)).filter(|i| i % 2 == 1).collect();
            assert_eq!(keys, want);
            for i in 0..(SMALL as i64 + 3) {
                let got = d.get(i as u64 % 3, |x| x == k(i));
                assert_eq!(got, (i % 2 == 1).then(|| k(i + round)));
            }
            d.clear();
        }
        let mut s = Dict::new();
        s.insert(7, k(1), k(10), |x| x == k(1));
        s.insert(7, k(2), k(20), |x| x == k(2));
        assert_eq!(s.pop_last().map(|e| e.key), Some(k(2)));
        assert_eq!(s.get(7, |x| x == k(1)), Some(k(10)));
        assert_eq!(s.get(7, |x| x == k(2)), None);
        assert_eq!(s.len(), 1);
        let mut c = Dict::new();
        c.copy_from(&s);
        assert_eq!(c.get(7, |x| x == k(1)), Some(k(10)));
        assert!(c.version > 0);
    }
}
