#!/usr/bin/env bash
# The layer ladder of issue #5: each kernel of benches/kernels (add, fib, nbody, sieve) as
#   1 native Rust, 2a/2b/2c Rust on NaN-boxed / tagged-enum / CPython-style heap values,
#   3 the nanopy VM (every dispatch strategy), 4 CPython 3.11 (timed inside python3),
# with every time's ratio over native. Runs benches/layers.rs (criterion; it checks all
# checksums before timing), then writes bench-results/layers-<date>-<host>.md.
# Usage: scripts/bench-layers.sh [extra criterion args]   (default: 1 s warm-up, 2 s measurement)
set -euo pipefail
cd "$(dirname "$0")/.."
ARGS=(--noplot --warm-up-time 1 --measurement-time 2 "$@")
CMD="cargo bench --bench layers -- ${ARGS[*]}"
echo "== $CMD"
$CMD 2>&1 | grep -vE "^(Gnuplot|Benchmarking .*: (Warming|Collecting|Analyzing))" || true

mkdir -p bench-results
OUT="bench-results/layers-$(date -u +%Y-%m-%d)-$(hostname -s).md"
python3 - "$OUT" "$CMD" <<'PY'
import json, os, platform, subprocess, sys

out, cmd = sys.argv[1], sys.argv[2]
crit = "target/criterion"
kernels = ["add", "fib", "nbody", "sieve"]
# Layer 3 has one entry per dispatch strategy (benches/layers.rs loops over Dispatch::ALL).
vm_layers = sorted(d for d in os.listdir(os.path.join(crit, kernels[0])) if d.startswith("3-vm-"))
layers = ["1-native", "2a-nanbox", "2b-enum", "2c-heap"] + vm_layers

def sh(*a):
    try:
        return subprocess.run(a, capture_output=True, text=True).stdout.strip()
    except OSError:
        return "?"

def cpu():
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "?"

def tsv(name):
    rows = [l.split("\t") for l in open(os.path.join(crit, name)).read().splitlines()]
    return {r[0]: dict(zip(rows[0], r)) for r in rows[1:]}

def rust(k, layer):
    d = os.path.join(crit, k, layer, "new")
    median = json.load(open(os.path.join(d, "estimates.json")))["median"]["point_estimate"] / 1e9
    s = json.load(open(os.path.join(d, "sample.json")))
    return median, min(t / i for t, i in zip(s["times"], s["iters"])) / 1e9

def fmt(s):
    return f"{s * 1e3:.3f} ms" if s >= 1e-3 else f"{s * 1e6:.1f} µs"

py = tsv("layers-cpython.tsv")
counts = tsv("layers-vm-instructions.tsv")
times = {}
for k in kernels:
    for l in layers:
        times[k, l] = rust(k, l)
    times[k, "4-cpython"] = (float(py[k]["median_s"]), float(py[k]["min_s"]))
all_layers = layers + ["4-cpython"]

L = []
L.append("# Layer ladder: native Rust → boxed values → nanopy VM → CPython\n")
L.append(f"- date: {sh('date', '-u', '+%Y-%m-%d %H:%M UTC')}")
L.append(f"- commit: {sh('git', 'rev-parse', '--short', 'HEAD')} ({sh('git', 'rev-parse', '--abbrev-ref', 'HEAD')})"
         + (" + uncommitted changes" if sh("git", "status", "--porcelain", "--untracked-files=no") else ""))
L.append(f"- CPU: {cpu()} ({os.cpu_count()} cores, shared with other jobs: expect noise)")
L.append(f"- rustc: {sh('rustc', '--version')}")
L.append(f"- python: {sh('python3', '--version')}")
L.append(f"- command: `scripts/bench-layers.sh` → `{cmd}`")
L.append("")
L.append("Kernels: benches/kernels/*.py, sizes: " + ", ".join(f"{k} n={counts[k]['n']}" for k in kernels)
         + ". Layers (benches/layers/mod.rs): 1 native Rust on machine types; 2a the VM's NaN-boxed "
         "`Value`, 2b a tagged enum, 2c CPython-style heap objects (refcount + type pointer, one "
         "allocation per number), all without an interpreter; 3 the nanopy VM (fresh `Vm` per run, "
         "module compiled once); 4 python3 timing `kernel(n)` with perf_counter inside the process "
         f"(median and minimum of {py[kernels[0]]['runs']} calls). Rust layers: criterion's median and fastest sample. "
         "All checksums are checked equal before timing.\n")
startup = rust("overhead", "vm-startup")[0]
L.append(f"Layer 3 includes VM start-up (a fresh `Vm` running a one-line module: {fmt(startup)} median, "
         "`overhead/vm-startup`), " + ", ".join(f"{k} {100 * startup / times[k, '3-vm-tail'][0]:.1f}%" for k in kernels)
         + " of the 3-vm-tail time.\n")
L.append("## Ratio over native (medians)\n")
L.append("| layer | " + " | ".join(kernels) + " |")
L.append("|---|" + "---:|" * len(kernels))
for l in all_layers:
    L.append(f"| {l} | " + " | ".join(f"{times[k, l][0] / times[k, '1-native'][0]:.1f}×" for k in kernels) + " |")
L.append("")
L.append("## Times\n")
L.append("| kernel | layer | median | min | × native | × CPython |")
L.append("|---|---|---:|---:|---:|---:|")
for k in kernels:
    nat, cpy = times[k, "1-native"][0], times[k, "4-cpython"][0]
    for l in all_layers:
        med, mn = times[k, l]
        L.append(f"| {k} | {l} | {fmt(med)} | {fmt(mn)} | {med / nat:.1f} | {med / cpy:.2f} |")
L.append("")
L.append("## VM instructions (exact, `nanopy run --stats` counts the same)\n")
L.append("| kernel | n | instructions | " + " | ".join(f"ns/instruction ({l})" for l in vm_layers) + " | ns/instruction (CPython time ÷ nanopy count) |")
L.append("|---|---:|---:|" + "---:|" * (len(vm_layers) + 1))
for k in kernels:
    n = int(counts[k]["vm_instructions"])
    per = lambda s: f"{s / n * 1e9:.2f}"
    L.append(f"| {k} | {counts[k]['n']} | {n} | " + " | ".join(per(times[k, l][0]) for l in vm_layers) + f" | {per(times[k, '4-cpython'][0])} |")
open(out, "w").write("\n".join(L) + "\n")
print("\n".join(L))
print(f"\nwrote {out}")
PY
