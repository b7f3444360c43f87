#!/usr/bin/env python3
"""AST parity: `nanopy ast -a FILE` against `python3 -m ast -a FILE` over the CPython stdlib.

Usage: scripts/parity_ast.py [--bin target/release/nanopy] [--root DIR] [--show N] [FILES...]

Prints `ast: N/M identical`, then the files that differ. A file CPython rejects counts as
identical only when nanopy rejects it too. CPython's outputs are computed once, in parallel
worker processes, and cached under target/parity-cache/ (keyed by path, size and mtime);
the first differing line of each mismatch is written to target/parity-cache/mismatches.txt.
"""
import argparse
import ast
import hashlib
import os
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STDLIB = "/root/.pyenv/versions/3.11.7/lib/python3.11"
CACHE = os.path.join(REPO, "target", "parity-cache")


def stdlib_files(root):
    out = []
    for d, dirs, files in os.walk(root):
        dirs[:] = sorted(x for x in dirs if x != "site-packages")
        out += [os.path.join(d, f) for f in sorted(files) if f.endswith(".py")]
    return sorted(out)


def cpython_dump(path):
    """What `python3 -m ast -a path` prints on stdout, or None if it fails."""
    try:
        with open(path, "rb") as f:
            source = f.read()
        tree = ast.parse(source, path, "exec", type_comments=True)
        return ast.dump(tree, include_attributes=True, indent=3) + "\n"
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def cache_key(path):
    st = os.stat(path)
    h = hashlib.sha1(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\0{sys.version}".encode()).hexdigest()
    return os.path.join(CACHE, "cpython", h[:2], h)


def cpython_outputs(files):
    results = {}
    todo = []
    for p in files:
        k = cache_key(p)
        if os.path.exists(k):
            with open(k, "rb") as f:
                data = f.read()
            results[p] = None if data == b"\0ERROR" else data.decode("utf-8", "surrogateescape")
        else:
            todo.append(p)
    if todo:
        with ProcessPoolExecutor() as ex:
            for p, out in zip(todo, ex.map(cpython_dump, todo, chunksize=8)):
                results[p] = out
                k = cache_key(p)
                os.makedirs(os.path.dirname(k), exist_ok=True)
                with open(k, "wb") as f:
                    f.write(b"\0ERROR" if out is None else out.encode("utf-8", "surrogateescape"))
    return results


def nanopy_dump(binary, path):
    r = subprocess.run([binary, "ast", "-a", path], capture_output=True)
    if r.returncode == 0:
        return r.stdout.decode("utf-8", "surrogateescape"), None
    return None, r.stderr.decode("utf-8", "replace")


def first_diff(a, b):
    la, lb = a.splitlines(), b.splitlines()
    for i, (x, y) in enumerate(zip(la, lb)):
        if x != y:
            return f"line {i + 1}: cpython {x.strip()[:150]!r} / nanopy {y.strip()[:150]!r}"
    return f"length: cpython {len(la)} lines / nanopy {len(lb)} lines"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=None)
    ap.add_argument("--root", default=STDLIB)
    ap.add_argument("--show", type=int, default=50)
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    binary = args.bin
    if binary is None:
        for cand in ("target/release/nanopy", "target/debug/nanopy"):
            if os.path.exists(os.path.join(REPO, cand)):
                binary = os.path.join(REPO, cand)
                break
    if binary is None:
        sys.exit("build nanopy first (cargo build --release)")
    files = [os.path.abspath(f) for f in args.files] or stdlib_files(args.root)
    expected = cpython_outputs(files)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as ex:
        got = dict(zip(files, ex.map(lambda p: nanopy_dump(binary, p), files)))
    same, bad = 0, []
    for p in files:
        want = expected[p]
        out, err = got[p]
        if want is None and out is None:
            same += 1
        elif want is not None and out == want:
            same += 1
        elif want is None:
            bad.append((p, "cpython rejects, nanopy accepts"))
        elif out is None:
            bad.append((p, "nanopy rejects: " + (err.strip().splitlines() or ["?"])[-1]))
        else:
            bad.append((p, first_diff(want, out)))
    print(f"ast: {same}/{len(files)} identical")
    os.makedirs(CACHE, exist_ok=True)
    with open(os.path.join(CACHE, "mismatches.txt"), "w") as f:
        for p, why in bad:
            f.write(f"{p}: {why}\n")
    for p, why in bad[: args.show]:
        print(f"  {os.path.relpath(p, args.root)}: {why}")
    if len(bad) > args.show:
        print(f"  ... {len(bad) - args.show} more in {os.path.join(CACHE, 'mismatches.txt')}")
    return 0 if not bad else 1


if __name__ == "__main__":
    sys.exit(main())
