# CPython's side of benches/layers (layer 4): load a kernel file as a module (so its
# `__main__` block does not run), check its checksum, then time `kernel(n)` with
# time.perf_counter inside this one process, so start-up and compilation are not counted.
# Prints the checksum, then one line per run: seconds for one call.
#
# usage: python3 benches/kernels/_timer.py KERNEL.py N RUNS
import importlib.util
import sys
import time

path, n, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
spec = importlib.util.spec_from_file_location("kernel", path)
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
print(repr(mod.kernel(n)))
for _ in range(runs):
    t0 = time.perf_counter()
    mod.kernel(n)
    print(time.perf_counter() - t0)
