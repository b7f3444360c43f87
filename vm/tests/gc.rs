//! The collector reclaims garbage while programs run, and never frees anything live: an
//! allocation-heavy loop runs with a tiny collection threshold (a collection every few hundred
//! allocations), its output checked, its heap bounded.

mod common;

use common::asm;
use nanopy_vm::{Dispatch, Options, Vm};

#[test]
fn allocation_heavy_loop_runs_in_bounded_memory() {
    // keep = []
    // for i in range(20000):
    //     t = [i, str(i), (i, i + 1)]      # garbage every iteration
    //     if i % 1000 == 0: keep.append(t)
    // print(len(keep), keep[-1], sum(k[0] for k in keep) via a loop)
    let module = asm(
        "<module>",
        &[],
        &[],
        "
        BUILD_LIST 0
        STORE_NAME keep
        LOAD_NAME range
        PUSH_NULL
        LOAD_CONST 20000
        CALL 1
        GET_ITER
        l:
        FOR_ITER e
        STORE_NAME i
        LOAD_NAME i
        LOAD_NAME str
        PUSH_NULL
        LOAD_NAME i
        CALL 1
        LOAD_NAME i
        LOAD_NAME i
        LOAD_CONST 1
        BINARY_OP +
        BUILD_TUPLE 2
        BUILD_LIST 3
        STORE_NAME t
        LOAD_NAME i
        LOAD_CONST 1000
        BINARY_OP %
        LOAD_CONST 0
        COMPARE_OP ==
        POP_JUMP_IF_FALSE next
        LOAD_NAME keep
        LOAD_METHOD append
        LOAD_NAME t
        CALL 1
        POP_TOP
        next:
        JUMP_BACKWARD l
        e:
        LOAD_NAME print
        PUSH_NULL
        LOAD_NAME len
        PUSH_NULL
        LOAD_NAME keep
        CALL 1
        LOAD_NAME keep
        LOAD_CONST -1
        BINARY_SUBSCR
        CALL 2
        POP_TOP
        RETURN_CONST None
        ",
    );
    for dispatch in Dispatch::ALL {
        let mut vm = Vm::new(Options {
            dispatch,
            capture: true,
            ..Options::default()
        });
        vm.heap.set_min_threshold(500);
        let baseline = vm.heap.live_objects();
        vm.run_module(&module).expect("runs");
        assert_eq!(vm.take_stdout(), "20 [19000, '19000', (19000, 19001)]\n");
        assert!(
            vm.heap.collections > 10,
            "collections: {}",
            vm.heap.collections
        );
        // 20000 iterations allocate ~80000 objects; what remains is the runtime's own objects,
        // the kept ones, and at most one threshold's worth (about the live heap) of garbage.
        let peak = vm.heap.peak;
        assert!(
            peak < 4 * baseline + 2000,
            "peak: {peak}, baseline: {baseline} {:?}",
            vm.heap.census()
        );
        vm.collect_now();
        let live = vm.heap.live_objects();
        assert!(
            live < baseline + 100,
            "live after the run: {live}, baseline: {baseline}"
        );
    }
}

// --- generations ---
// A bare heap (no VM): the roots are whatever the test passes to `collect`.

use std::cell::RefCell;

use nanopy_vm::gc::Heap;
use nanopy_vm::object::ObjKind;
use nanopy_vm::value::Value;

fn list(heap: &mut Heap, items: Vec<Value>) -> Value {
    heap.alloc(ObjKind::List(RefCell::new(items)))
}

fn push(l: Value, v: Value) {
    l.as_list().expect("list").borrow_mut().push(v);
}

#[test]
fn minor_collections_free_young_garbage_and_keep_what_old_objects_hold() {
    let mut heap = Heap::default();
    heap.set_verify(true);
    let old_items: Vec<Value> = (0..1000).map(|i| heap.alloc_str(&i.to_string())).collect();
    let keep = list(&mut heap, old_items);
    heap.collect_major(&[keep]);
    assert_eq!(heap.live_objects(), 1001);
    for round in 0..50 {
        for i in 0..100 {
            let s = heap.alloc_str(&format!("garbage {round} {i}"));
            let _ = list(&mut heap, vec![s]);
        }
        let kept = heap.alloc_str(&format!("kept {round}"));
        let len = keep.as_list().unwrap().borrow().len();
        heap.list_store_barrier(keep.as_obj().unwrap(), len, kept);
        push(keep, kept);
        heap.collect(&[keep]);
        assert_eq!(heap.live_objects(), 1002 + round, "round {round}");
    }
    assert_eq!(heap.collections, 51);
    assert_eq!(heap.major_collections, 1, "all 50 were minor collections");
    let l = keep.as_list().unwrap().borrow();
    let texts: Vec<&str> = l[995..1005]
        .iter()
        .map(|v| &*v.as_str().unwrap().s)
        .collect();
    assert_eq!(
        texts,
        ["995", "996", "997", "998", "999", "kept 0", "kept 1", "kept 2", "kept 3", "kept 4"]
    );
}

#[test]
fn a_list_barrier_covers_items_moved_down_by_a_removal() {
    let mut heap = Heap::default();
    heap.set_verify(true);
    let a = heap.alloc_str("a");
    let keep = list(&mut heap, vec![a, a, a]);
    heap.collect_major(&[keep]);
    // A young item stored at the end; then the item before it is removed, moving it down
    // below the index the first barrier recorded.
    let young = heap.alloc_str("young");
    heap.list_store_barrier(keep.as_obj().unwrap(), 3, young);
    push(keep, young);
    heap.list_barrier(keep.as_obj().unwrap(), 1);
    keep.as_list().unwrap().borrow_mut().remove(1);
    heap.collect(&[keep]);
    assert_eq!(heap.major_collections, 1);
    let l = keep.as_list().unwrap().borrow();
    assert_eq!(&*l[2].as_str().unwrap().s, "young");
}

#[test]
#[should_panic(expected = "GC write barrier missing: a young str is reachable from an old list")]
fn the_verifier_catches_a_store_without_a_barrier() {
    let mut heap = Heap::default();
    heap.set_verify(true);
    let keep = list(&mut heap, Vec::new());
    heap.collect_major(&[keep]);
    let young = heap.alloc_str("young");
    push(keep, young); // no barrier: the minor collection would free `young`
    heap.collect(&[keep]);
}
