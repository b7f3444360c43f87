#!/usr/bin/env python3
"""Corpus benchmark: nanopy (each dispatch strategy) against CPython, side by side in one run.

Every program's output is checked against the expected file before any time counts; a runner
whose output differs is reported as FAIL and not timed. Runs are interleaved (program by program,
round by round, runner by runner) so that machine load falls on all runners alike, and the
median of --repeat rounds is reported. Wall-clock time of the whole process, start-up included.

    scripts/bench_corpus.py                       # tiers 1-2, default size, 3 rounds
    scripts/bench_corpus.py --tiers 1,2,3,4 --repeat 5
    scripts/bench_corpus.py --programs fib,hot_loop --size small

Writes bench-results/corpus-<date>-<host>.{json,md} unless --no-write.
"""
import argparse
import datetime
import json
import math
import os
import platform
import socket
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "benches", "corpus")


def corpus_rows():
    rows = []
    with open(os.path.join(CORPUS, "corpus.tsv")) as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            if line.strip():
                rows.append(dict(zip(header, line.rstrip("\n").split("\t"))))
    return rows


def cpu_name():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def cmd_out(args):
    try:
        return subprocess.run(args, capture_output=True, text=True, cwd=ROOT).stdout.strip()
    except OSError:
        return "unknown"


def run_once(argv):
    t0 = time.perf_counter()
    res = subprocess.run(argv, capture_output=True)
    return time.perf_counter() - t0, res


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--programs", help="comma-separated program names (default: every program of --tiers)")
    ap.add_argument("--tiers", default="1,2", help="comma-separated tiers (default 1,2)")
    ap.add_argument("--size", choices=["default", "small"], default="default")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--dispatch", default="tail,switch", help="nanopy dispatch strategies to time")
    ap.add_argument("--nanopy", default=os.path.join(ROOT, "target", "release", "nanopy"))
    ap.add_argument("--python", default="python3")
    ap.add_argument("--no-build", action="store_true", help="do not run cargo build --release first")
    ap.add_argument("--no-write", action="store_true", help="print only; write nothing to bench-results/")
    args = ap.parse_args()

    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "nanopy"], cwd=ROOT, check=True)

    rows = corpus_rows()
    if args.programs:
        wanted = args.programs.split(",")
        rows = [r for r in rows if r["name"] in wanted]
        missing = set(wanted) - {r["name"] for r in rows}
        if missing:
            sys.exit(f"unknown programs: {', '.join(sorted(missing))}")
    else:
        tiers = set(args.tiers.split(","))
        rows = [r for r in rows if r["tier"] in tiers]

    runners = [("python3", [args.python])]
    for d in args.dispatch.split(","):
        runners.append((f"nanopy-{d}", [args.nanopy, "run", "--dispatch", d]))

    results = {}
    for row in rows:
        name = row["name"]
        n = row["default_n" if args.size == "default" else "small_n"]
        suffix = ".out" if args.size == "default" else ".small.out"
        prog = os.path.join(CORPUS, "programs", name + ".py")
        expected = open(os.path.join(CORPUS, "expected", name + suffix), "rb").read()
        ok = {}
        times = {label: [] for label, _ in runners}
        # Round 0 checks the output; only runners that pass are timed.
        for label, argv in runners:
            dt, res = run_once(argv + [prog, n])
            ok[label] = res.returncode == 0 and res.stdout == expected
            if ok[label]:
                times[label].append(dt)
        for _ in range(args.repeat - 1):
            for label, argv in runners:
                if ok[label]:
                    dt, _ = run_once(argv + [prog, n])
                    times[label].append(dt)
        results[name] = {
            label: (statistics.median(times[label]) if ok[label] else None) for label, _ in runners
        }
        line = f"{name:14}" + "".join(
            f"  {label}={results[name][label]:.3f}s" if results[name][label] is not None else f"  {label}=FAIL"
            for label, _ in runners
        )
        print(line, file=sys.stderr, flush=True)

    labels = [label for label, _ in runners]
    md = []
    header = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": cmd_out(["git", "rev-parse", "--short", "HEAD"]),
        "host": socket.gethostname(),
        "cpu": cpu_name(),
        "cores": os.cpu_count(),
        "rustc": cmd_out(["rustc", "--version"]),
        "python": cmd_out([args.python, "--version"]),
        "size": args.size,
        "repeat": args.repeat,
        "command": "scripts/bench_corpus.py " + " ".join(sys.argv[1:]),
    }
    md.append(f"# Corpus benchmark, {header['date']}")
    md.append("")
    for k in ("commit", "cpu", "cores", "rustc", "python", "size", "repeat", "command"):
        md.append(f"- {k}: `{header[k]}`")
    md.append("")
    md.append("Median wall-clock seconds per program (start-up included); speed-up = python3 / nanopy.")
    md.append("")
    cols = ["program"] + labels + [f"speed-up {l}" for l in labels[1:]]
    md.append("| " + " | ".join(cols) + " |")
    md.append("|" + "---|" * len(cols))
    logs = {l: [] for l in labels[1:]}
    for name, res in results.items():
        cells = [name]
        for l in labels:
            cells.append(f"{res[l]:.3f}" if res[l] is not None else "FAIL")
        py = res["python3"]
        for l in labels[1:]:
            if res[l] is not None and py is not None:
                s = py / res[l]
                logs[l].append(math.log(s))
                cells.append(f"{s:.2f}x")
            else:
                cells.append("-")
        md.append("| " + " | ".join(cells) + " |")
    geo = ["**geometric mean**"] + [""] * len(labels)
    for l in labels[1:]:
        geo.append(f"**{math.exp(sum(logs[l]) / len(logs[l])):.2f}x**" if logs[l] else "-")
    md.append("| " + " | ".join(geo) + " |")
    text = "\n".join(md) + "\n"
    print(text)

    if not args.no_write:
        os.makedirs(os.path.join(ROOT, "bench-results"), exist_ok=True)
        stem = f"corpus-{datetime.date.today().isoformat()}-{header['host'].split('.')[0][:16]}"
        with open(os.path.join(ROOT, "bench-results", stem + ".json"), "w") as f:
            json.dump({"header": header, "results": results}, f, indent=2)
        with open(os.path.join(ROOT, "bench-results", stem + ".md"), "w") as f:
            f.write(text)
        print(f"wrote bench-results/{stem}.json and .md", file=sys.stderr)


if __name__ == "__main__":
    main()
