# Wall-clock micro timings (best of 5, in-process) of natives draining generators.
import time, sys
fields = [("alpha%d" % i) if i % 3 else "" for i in range(400000)]
res = {}
for name, fn in [
    ("sum(1 for f in fields)", lambda: sum(1 for f in fields)),
    ("sum(1 for f in fields if f)", lambda: sum(1 for f in fields if f)),
    ("sum(1 for f in fields if f.upper().startswith('ALPHA'))", lambda: sum(1 for f in fields if f.upper().startswith("ALPHA"))),
    ("list(f for f in fields)", lambda: len(list(f for f in fields))),
    ("''.join(f for f in fields)", lambda: len("".join(f for f in fields))),
    ("any(f == 'x' for f in fields)", lambda: any(f == "x" for f in fields)),
    ("max(len(f) for f in fields)", lambda: max(len(f) for f in fields)),
    ("for i, f in enumerate(f for f in fields)", lambda: [i for i, f in enumerate(f for f in fields)][-1]),
]:
    best = 1e9
    for _ in range(5):
        t = time.perf_counter()
        r = fn()
        best = min(best, time.perf_counter() - t)
    res[name] = (best, r)
for k, (t, r) in res.items():
    print(f"{t:.4f} {k} = {r}")
