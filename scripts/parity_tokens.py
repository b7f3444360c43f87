#!/usr/bin/env python3
"""Token parity: `nanopy tokens [-e] FILE` vs `python3 -m tokenize [-e] FILE` over the stdlib.

For every .py file of the installed CPython stdlib (site-packages excluded) both commands must
print the same bytes on stdout, exit with the same status, and -- when tokenize rejects a file --
print the same first line on stderr (tokenize's `file:line:col: error: ...`; for decoding errors
it then prints a traceback nanopy does not reproduce).

CPython's outputs are computed in-process (tokenize.main() with redirected streams, one worker
per core) and cached in target/parity-cache/ keyed by path, size and mtime; nanopy runs once per
file. Usage:

    python3 scripts/parity_tokens.py [--exact|--both] [--nanopy PATH] [--stdlib DIR] [FILES...]

Prints `tokens: N/M identical` (per mode) and the mismatching files; exits 1 on any mismatch.
"""
import argparse
import contextlib
import io
import json
import os
import subprocess
import sys
import sysconfig
import tokenize
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def stdlib_files(stdlib):
    out = []
    for root, dirs, files in os.walk(stdlib):
        dirs[:] = sorted(d for d in dirs if d != "site-packages")
        out.extend(os.path.join(root, f) for f in sorted(files) if f.endswith(".py"))
    return out


def cpython_tokenize(args):
    """What `python3 -m tokenize [-e] path` prints: (stdout, first stderr line, exit status)."""
    path, exact = args
    out, err = io.StringIO(), io.StringIO()
    saved = sys.argv
    sys.argv = ["tokenize"] + (["-e"] if exact else []) + [path]
    code = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                tokenize.main()
            except SystemExit as e:
                code = e.code if isinstance(e.code, int) else 1
            except Exception:  # main() re-raises after "unexpected error: ..."
                code = 1
    finally:
        sys.argv = saved
    first_err = err.getvalue().split("\n", 1)[0]
    return out.getvalue(), first_err, code


def nanopy_tokenize(nanopy, path, exact):
    cmd = [nanopy, "tokens"] + (["-e"] if exact else []) + [path]
    r = subprocess.run(cmd, capture_output=True)
    stdout = r.stdout.decode("utf-8", "surrogateescape")
    first_err = r.stderr.decode("utf-8", "replace").split("\n", 1)[0]
    return stdout, first_err, r.returncode


def load_expected(files, exact, jobs):
    cache_dir = os.path.join(ROOT, "target", "parity-cache")
    os.makedirs(cache_dir, exist_ok=True)
    cache_path = os.path.join(cache_dir, f"tokens-{'exact' if exact else 'plain'}-{sys.version.split()[0]}.json")
    try:
        with open(cache_path) as f:
            cache = json.load(f)
    except (OSError, ValueError):
        cache = {}

    def key(p):
        st = os.stat(p)
        return f"{st.st_size}:{st.st_mtime_ns}"

    todo = [p for p in files if cache.get(p, {}).get("key") != key(p)]
    if todo:
        with ProcessPoolExecutor(jobs) as ex:
            for p, res in zip(todo, ex.map(cpython_tokenize, [(p, exact) for p in todo], chunksize=8)):
                cache[p] = {"key": key(p), "out": res[0], "err": res[1], "code": res[2]}
        with open(cache_path, "w") as f:
            json.dump(cache, f)
    return {p: (cache[p]["out"], cache[p]["err"], cache[p]["code"]) for p in files}


def first_diff(a, b):
    al, bl = a.splitlines(), b.splitlines()
    for i, (x, y) in enumerate(zip(al, bl)):
        if x != y:
            return f"line {i + 1}:\n      python3: {x!r}\n      nanopy:  {y!r}"
    return f"{len(al)} vs {len(bl)} lines"


def run_mode(files, exact, nanopy, jobs, verbose):
    expected = load_expected(files, exact, jobs)
    with ThreadPoolExecutor(jobs) as ex:
        got = dict(zip(files, ex.map(lambda p: nanopy_tokenize(nanopy, p, exact), files)))
    bad = []
    for p in files:
        want, have = expected[p], got[p]
        if want == have:
            continue
        if want[0] != have[0]:
            why = "stdout differs at " + first_diff(want[0], have[0])
        elif want[2] != have[2]:
            why = f"exit status {want[2]} vs {have[2]}"
        else:
            why = f"stderr:\n      python3: {want[1]!r}\n      nanopy:  {have[1]!r}"
        bad.append((p, why))
    label = "tokens -e" if exact else "tokens"
    for p, why in bad[: None if verbose else 30]:
        print(f"  MISMATCH {p}: {why}")
    if len(bad) > 30 and not verbose:
        print(f"  ... and {len(bad) - 30} more (--verbose for all)")
    print(f"{label}: {len(files) - len(bad)}/{len(files)} identical")
    return not bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--exact", action="store_true", help="compare -e output only")
    mode.add_argument("--both", action="store_true", help="compare plain and -e output")
    ap.add_argument("--nanopy", default=os.path.join(ROOT, "target", "debug", "nanopy"))
    ap.add_argument("--stdlib", default=sysconfig.get_paths()["stdlib"])
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("files", nargs="*", help="files to compare instead of the whole stdlib")
    a = ap.parse_args()
    files = [os.path.abspath(f) for f in a.files] or stdlib_files(a.stdlib)
    modes = [False, True] if a.both else [a.exact]
    ok = all([run_mode(files, exact, a.nanopy, a.jobs, a.verbose) for exact in modes])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
