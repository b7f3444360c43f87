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
