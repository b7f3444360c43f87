#!/usr/bin/env python3
"""Side-by-side timing (median wall clock, start-up included) and peak RSS of PROGRAM[:ARG],... under
NAME=COMMAND,... runners, interleaved rounds; marks runs whose output differs from the first runner.

    benches/langdata/side_by_side.py prog.py:1000,other.py "python3=python3,tail=target/release/nanopy run" 3
"""
import subprocess, sys, time, statistics, resource, os
def run(cmd):
    t = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    dt = time.perf_counter() - t
    return dt, p.stdout, p.returncode
def rss(cmd):
    p = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, capture_output=True, text=True)
    return int(p.stderr.strip().splitlines()[-1])
progs = sys.argv[1].split(",")
runners = [r.split("=", 1) for r in sys.argv[2].split(",")]
rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
for prog in progs:
    path, _, arg = prog.partition(":")
    times = {name: [] for name, _ in runners}
    outs = {}
    for _ in range(rounds):
        for name, cmd in runners:
            c = cmd.split() + [path] + ([arg] if arg else [])
            dt, out, rc = run(c)
            times[name].append(dt)
            outs[name] = (out, rc)
    ref = outs[runners[0][0]]
    line = [os.path.basename(path) + (" " + arg if arg else "")]
    for name, cmd in runners:
        ok = "" if outs[name] == ref else " (OUTPUT DIFFERS)"
        c = cmd.split() + [path] + ([arg] if arg else [])
        line.append(f"{name} {statistics.median(times[name]):.3f}s {rss(c)//1024}MB{ok}")
    print(" | ".join(line), flush=True)
