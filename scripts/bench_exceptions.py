#!/usr/bin/env python3
"""Zero-cost exception check (issue #6): benches/exceptions/plain.py vs guarded.py (the same
kernel with its function body and loop body inside try/except that never fires), under the
release nanopy (tail and switch dispatch) and python3, interleaved rounds, medians of wall
time per process. Also the executed-instruction counts (`nanopy run --stats`), which must be
equal for the two programs. Outputs are checked against python3 before any time counts.

usage: scripts/bench_exceptions.py [--n N] [--rounds R]   (writes bench-results/exceptions-*.md)
"""
import argparse, datetime, os, platform, statistics, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NANOPY = os.path.join(ROOT, "target/release/nanopy")
PROGS = ["plain.py", "guarded.py"]
RAISING = "raising.py"  # the raising path, at n / 10

def run(cmd):
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    dt = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"{cmd} failed:\n{p.stderr}")
    return dt, p.stdout, p.stderr

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=3_000_000)
    ap.add_argument("--rounds", type=int, default=5)
    a = ap.parse_args()
    d = os.path.join(ROOT, "benches/exceptions")
    runners = {
        "nanopy tail": lambda p: [NANOPY, "run", "--dispatch", "tail", p, str(a.n)],
        "nanopy switch": lambda p: [NANOPY, "run", "--dispatch", "switch", p, str(a.n)],
        "python3": lambda p: [sys.executable, p, str(a.n)],
    }
    want = {p: run([sys.executable, os.path.join(d, p), str(a.n)])[1] for p in PROGS}
    assert want["plain.py"] == want["guarded.py"], "the twins must compute the same checksum"
    want[RAISING] = run([sys.executable, os.path.join(d, RAISING), str(a.n // 10)])[1]
    times = {(r, p): [] for r in runners for p in PROGS + [RAISING]}
    for _ in range(a.rounds):
        for r, mk in runners.items():
            for p in PROGS + [RAISING]:
                cmd = mk(os.path.join(d, p))
                if p == RAISING:
                    cmd[-1] = str(a.n // 10)
                dt, out, _ = run(cmd)
                if out != want[p]:
                    sys.exit(f"{r} {p}: output {out!r} != python3 {want[p]!r}")
                times[(r, p)].append(dt)
    counts = {}
    for p in PROGS:
        _, _, err = run([NANOPY, "run", "--stats", os.path.join(d, p), str(a.n // 100)])
        counts[p] = next(l for l in err.splitlines() if "instructions" in l).strip()
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    lines = [
        "# Zero-cost exceptions: try/except on the non-raising path",
        "",
        f"- date: {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC, commit {commit}, {rustc}",
        f"- machine: {platform.machine()} {os.cpu_count()} cpus, load {os.getloadavg()[0]:.1f}",
        f"- command: scripts/bench_exceptions.py --n {a.n} --rounds {a.rounds}"
        " (wall time per process, median of the interleaved rounds)",
        "",
        "| runner | plain.py (s) | guarded.py (s) | guarded / plain |",
        "| --- | --- | --- | --- |",
    ]
    for r in runners:
        p, g = (statistics.median(times[(r, x)]) for x in PROGS)
        lines.append(f"| {r} | {p:.3f} | {g:.3f} | {g / p:.3f} |")
    lines += ["", f"The raising path: {RAISING} at n = {a.n // 10} (3 raises and catches per"
              " iteration, one re-raised through a frame):", "",
              "| runner | raising.py (s) | vs python3 |", "| --- | --- | --- |"]
    py = statistics.median(times[("python3", RAISING)])
    for r in runners:
        t = statistics.median(times[(r, RAISING)])
        lines.append(f"| {r} | {t:.3f} | {t / py:.3f} |")
    lines += ["", f"Executed VM instructions at n = {a.n // 100} (`nanopy run --stats`):", ""]
    lines += [f"- {p}: {counts[p]}" for p in PROGS]
    text = "\n".join(lines) + "\n"
    print(text)
    os.makedirs(os.path.join(ROOT, "bench-results"), exist_ok=True)
    out = os.path.join(ROOT, f"bench-results/exceptions-{datetime.date.today()}.md")
    with open(out, "w") as f:
        f.write(text)
    print("wrote", out)

main()
