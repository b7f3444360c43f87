//! Memory layout and the allocation paths behind it (issue 6's memory target): heap objects
//! stay 48 bytes, instances carry their attribute slots in their own allocation, and programs
//! that grow instances past those slots run correctly while the collector runs constantly.

mod common;

use common::{assert_dir_matches_python_under_gc_stress, repo};
use nanopy_vm::Dispatch;

#[test]
fn heap_objects_are_48_bytes() {
    // Every object pays for the largest kind; a kind that grows past 32 bytes of payload
    // must be boxed (see `nanopy_vm::object::Obj`).
    assert_eq!(std::mem::size_of::<nanopy_vm::object::Obj>(), 48);
    assert_eq!(std::mem::size_of::<nanopy_vm::class::Instance>(), 32);
}

#[test]
fn memory_fixtures_match_python_under_gc_stress() {
    let dir = repo().join("tests/fixtures/memory");
    let dispatches = [Dispatch::Switch, Dispatch::Tail];
    for (f, n) in assert_dir_matches_python_under_gc_stress(&dir, &dispatches, 7) {
        assert!(n > 100, "{f}: the GC ran {n} times");
    }
}

#[test]
fn unbounded_instances_raise_memory_error_at_max_heap() {
    // Instances come from `Heap::alloc_instance` (object and slots in one block): the
    // `--max-heap` accounting must see those blocks too.
    let dir = std::env::temp_dir().join(format!("nanopy-memory-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(
        dir.join("nodes.py"),
        "class Node:\n    __slots__ = ('left', 'right')\n\n    def __init__(self, l, r):\n        \
         self.left = l\n        self.right = r\n\n\nhead = None\nprint('start')\nwhile True:\n    \
         head = Node(head, None)\n",
    )
    .expect("write program");
    for d in ["tail", "switch"] {
        let out = common::nanopy(
            &dir,
            &["run", "--dispatch", d, "--max-heap", "16M", "nodes.py"],
        );
        assert_eq!(out.stdout, "start\n", "{d}");
        assert_eq!(out.status, 1, "{d}: {}", out.stderr);
        assert!(
            out.stderr.ends_with("\nMemoryError\n"),
            "{d}: {}",
            out.stderr
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
