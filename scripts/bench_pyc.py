#!/usr/bin/env python3
"""Bytecode cache benchmark (issue #7): start-up from a fresh cache against compiling from source.

1. In process (benches/pyc.rs): a generated module of a few thousand lines, compiled from source
   (decode + parse + codegen) vs loaded from its cache file bytes (header + checksum + decode +
   verify). Target: loading >= 10x faster than compiling.
2. Whole processes, wall clock (start-up included), interleaved round by round, medians:
   - the large module: `nanopy run --no-cache` vs `nanopy run` with a fresh cache, beside
     `python3 big.py` (compiles the script) and `python3 -c "import big"` (CPython's own cache);
   - a tiny script: `nanopy run` from cache vs `python3` of the same script.
   Outputs are checked against python3's before any time counts.

    scripts/bench_pyc.py [--rounds 31] [--functions 220] [--no-build] [--no-write]

Writes bench-results/pyc-<date>.md (with this command line) unless --no-write.
"""
import argparse
import datetime
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

FUNCTION = '''
def func_{i}(items, scale={i}, *, label='f{i}'):
    """Docstring for function {i}."""
    total = 0
    seen = {{}}
    for k, v in enumerate(items):
        if v % 3 == 0 and k > {m}:
            total += v * scale
        elif v in seen:
            seen[v] = seen[v] + 1
        else:
            seen[v] = 1
    squares = [x * x for x in items if x % 2]
    name = f"{{label}}-{{total}}-{{len(squares)}}"
    return {{'name': name, 'total': total, 'keys': sorted(seen)[:3], 'tag': ('a', {i}, 2.5)}}
'''

TINY = 'print("hello, world", sum([i * i for i in range(10)]))\n'


def generate(n):
    parts = ['"""A generated module for the cache benchmark."""\n']
    parts += [FUNCTION.format(i=i, m=i % 7) for i in range(n)]
    parts.append("\nchecksum = 0\n")
    parts.append("for f in [func_0, func_%d, func_%d]:\n" % (n // 2, n - 1))
    parts.append("    checksum += f(list(range(20)))['total']\n")
    parts.append("print('checksum', checksum)\n")
    return "".join(parts)


def sh(args, cwd=ROOT):
    try:
        return subprocess.run(args, capture_output=True, text=True, cwd=cwd).stdout.strip()
    except OSError:
        return "unknown"


def cpu_name():
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def loadavg():
    try:
        return open("/proc/loadavg").read().split()[0]
    except OSError:
        return "?"


def timed(argv, cwd):
    t0 = time.perf_counter()
    r = subprocess.run(argv, capture_output=True, text=True, cwd=cwd)
    return time.perf_counter() - t0, r


def interleaved(runners, cwd, rounds, expected):
    """runners: [(label, argv)]. Validate each once, then time round-robin, rotating the order."""
    for label, argv in runners:
        _, r = timed(argv, cwd)
        if r.stdout != expected or r.returncode != 0:
            sys.exit(f"{label}: output differs from python3's:\n{r.stdout}\n{r.stderr}")
        if r.stderr and "nanopy" in argv[0]:
            sys.exit(f"{label}: unexpected stderr: {r.stderr}")
    times = {label: [] for label, _ in runners}
    for k in range(rounds):
        order = runners[k % len(runners):] + runners[:k % len(runners)]
        for label, argv in order:
            t, _ = timed(argv, cwd)
            times[label].append(t)
    return {label: (statistics.median(v), min(v)) for label, v in times.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=31)
    ap.add_argument("--functions", type=int, default=220, help="functions in the generated module (~14 lines each)")
    ap.add_argument("--nanopy", default=os.path.join(ROOT, "target", "release", "nanopy"))
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()

    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "nanopy"], cwd=ROOT, check=True)
        subprocess.run(["cargo", "bench", "--quiet", "--bench", "pyc", "--no-run"], cwd=ROOT, check=True)
    # `python3` may be a launcher script (pyenv's shim costs ~100 ms per start): time the real
    # interpreter it runs.
    args.python = sh([args.python, "-c", "import sys; print(sys.executable)"]) or args.python

    work = tempfile.mkdtemp(prefix="nanopy-bench-pyc-")
    try:
        big = os.path.join(work, "big.py")
        with open(big, "w") as f:
            f.write(generate(args.functions))
        with open(os.path.join(work, "tiny.py"), "w") as f:
            f.write(TINY)
        lines = sum(1 for _ in open(big))
        load_before = loadavg()

        # 1. in process
        inproc = subprocess.run(
            ["cargo", "bench", "--quiet", "--bench", "pyc", "--", big, str(max(args.rounds, 21))],
            cwd=ROOT, capture_output=True, text=True, check=True,
        ).stdout
        fields = dict(l.split("\t", 1) for l in inproc.strip().splitlines())

        # CPython's own figures for the same module, for reference: compile() vs marshal.loads
        # of its .pyc payload (this Python process, medians of the same number of rounds).
        import marshal, py_compile
        src = open(big).read()
        cpyc = py_compile.compile(big, cfile=os.path.join(work, "big.cpython.pyc"))
        data = open(cpyc, "rb").read()[16:]
        cp_compile, cp_load = [], []
        for _ in range(max(args.rounds, 21)):
            t0 = time.perf_counter()
            compile(src, big, "exec")
            cp_compile.append(time.perf_counter() - t0)
            for _ in range(5):
                t0 = time.perf_counter()
                marshal.loads(data)
                cp_load.append(time.perf_counter() - t0)
        cpython_ref = (statistics.median(cp_compile), statistics.median(cp_load), len(data) + 16)

        # 2. processes: make the caches fresh first (nanopy's and CPython's).
        subprocess.run([args.nanopy, "run", "big.py"], cwd=work, capture_output=True, check=True)
        subprocess.run([args.nanopy, "run", "tiny.py"], cwd=work, capture_output=True, check=True)
        subprocess.run([args.python, "-c", "import big"], cwd=work, capture_output=True, check=True)
        big_expected = subprocess.run([args.python, "big.py"], cwd=work, capture_output=True, text=True).stdout
        tiny_expected = subprocess.run([args.python, "tiny.py"], cwd=work, capture_output=True, text=True).stdout
        big_t = interleaved(
            [
                ("nanopy run --no-cache big.py", [args.nanopy, "run", "--no-cache", "big.py"]),
                ("nanopy run big.py (cache hit)", [args.nanopy, "run", "big.py"]),
                ("python3 big.py", [args.python, "big.py"]),
                ('python3 -c "import big" (CPython\'s cache)', [args.python, "-c", "import big"]),
            ],
            work, args.rounds, big_expected,
        )
        tiny_t = interleaved(
            [
                ("nanopy run tiny.py (cache hit)", [args.nanopy, "run", "tiny.py"]),
                ("nanopy run --no-cache tiny.py", [args.nanopy, "run", "--no-cache", "tiny.py"]),
                ("python3 tiny.py", [args.python, "tiny.py"]),
            ],
            work, args.rounds, tiny_expected,
        )
        pyc_dir = os.path.join(work, "__pycache__")
        pyc_size = sum(os.path.getsize(os.path.join(pyc_dir, p)) for p in os.listdir(pyc_dir) if p.startswith("big.nanopy-"))
        load_after = loadavg()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    ms = lambda s: f"{s * 1e3:.2f}"
    out = []
    out.append(f"# Bytecode cache: start-up from cache vs from source ({datetime.date.today()})\n")
    out.append(f"- command: `{' '.join(['scripts/bench_pyc.py'] + sys.argv[1:])}`")
    out.append(f"- commit: {sh(['git', 'rev-parse', '--short', 'HEAD'])}; {sh(['rustc', '--version'])}; {sh([args.python, '--version'])} (`{args.python}`, the interpreter itself, not a launcher)")
    out.append(f"- CPU: {cpu_name()}, {os.cpu_count()} cores; load average {load_before} before, {load_after} after")
    out.append("- figures are medians of interleaved rounds (every runner once per round, order rotated),")
    out.append("  so any machine load falls on all runners alike; ratios are more trustworthy than absolute")
    out.append("  times (see the load average above).")
    out.append(f"- generated module: {lines} lines, {args.functions} functions; its cache file: {pyc_size} bytes\n")
    out.append("## 1. In process: compile from source vs load from cache (benches/pyc.rs)\n")
    out.append("| step | median |")
    out.append("| --- | --- |")
    out.append(f"| compile from source (decode, parse, codegen) | {fields['compile_from_source_ms']} ms |")
    out.append(f"| load from cache bytes (header, checksum, decode, verify) | {fields['load_from_cache_ms']} ms |")
    out.append(f"| **loading is faster by** | **{fields['speedup']}x** (target >= 10x) |")
    out.append(f"\nFastest single samples (least disturbed by machine load): {fields['minimums']}.")
    out.append("Compile time swings most with machine load: it spawns the parser's big-stack thread, whose")
    out.append("fresh stack pages the kernel must zero (seen in `perf` as `clear_page_erms`).")
    out.append(f"\nWhere loading goes (medians, ms): {fields['load_breakdown_ms']}. {fields['throughput']}; {fields['rounds']}.\n")
    cc, cl, cs = cpython_ref
    out.append(f"For reference, CPython {platform.python_version()} on the same module in this run: `compile()` {ms(cc)} ms, "
               f"`marshal.loads` of its {cs}-byte .pyc {ms(cl)} ms ({cc / cl:.1f}x; CPython verifies nothing on load).\n")
    out.append(f"## 2. Whole processes, wall clock, {args.rounds} interleaved rounds\n")
    out.append("| large module | median ms | min ms |")
    out.append("| --- | --- | --- |")
    for label, (med, lo) in big_t.items():
        out.append(f"| {label} | {ms(med)} | {ms(lo)} |")
    nc, hit = big_t["nanopy run --no-cache big.py"][0], big_t["nanopy run big.py (cache hit)"][0]
    out.append(f"\nStart-up of the large module, whole process: cache hit {nc / hit:.1f}x faster than --no-cache.\n")
    out.append("| tiny script | median ms | min ms |")
    out.append("| --- | --- | --- |")
    for label, (med, lo) in tiny_t.items():
        out.append(f"| {label} | {ms(med)} | {ms(lo)} |")
    th, tp = tiny_t["nanopy run tiny.py (cache hit)"][0], tiny_t["python3 tiny.py"][0]
    out.append(f"\nTiny script start-up latency: nanopy (cache hit) {ms(th)} ms, python3 {ms(tp)} ms ({tp / th:.1f}x).")
    text = "\n".join(out) + "\n"
    print(text)
    if not args.no_write:
        path = os.path.join(ROOT, "bench-results", f"pyc-{datetime.date.today()}.md")
        with open(path, "w") as f:
            f.write(text)
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
