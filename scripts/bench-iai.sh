#!/usr/bin/env bash
# Instruction-level cost (issue #5): host instructions counted by callgrind for each kernel and
# each single-opcode micro-kernel under every dispatch strategy (benches/iai.rs), then
#   - host instructions per executed VM instruction per kernel: (host(n2) - host(n1)) /
#     (vm(n2) - vm(n1)), VM counts from `nanopy run --stats` at the sizes of
#     benches/kernels/iai-sizes.tsv (start-up and compilation cancel out);
#   - host instructions per LOAD_FAST, LOAD_CONST, BINARY_OP (int add) and JUMP_FORWARD:
#     (host(op_X) - host(op_base)) / (CALLS * UNITS), see benches/iai.rs.
# Writes bench-results/iai-<date>-<host>.md. Counts are deterministic: load does not matter.
#
# Needs valgrind and the iai-callgrind-runner matching the iai-callgrind version in Cargo.toml;
# installs the runner when missing (cargo install iai-callgrind-runner --version X --locked).
# Usage: scripts/bench-iai.sh [--report-only]   (--report-only: re-derive from target/iai-bench.log)
set -euo pipefail
cd "$(dirname "$0")/.."

command -v valgrind >/dev/null || { echo "valgrind is required (apt-get install valgrind)" >&2; exit 1; }
WANT=$(sed -n 's/^iai-callgrind = "=\(.*\)"/\1/p' Cargo.toml)
if ! cargo install --list | grep -q "^iai-callgrind-runner v$WANT:"; then
    echo "== installing iai-callgrind-runner $WANT (must match the iai-callgrind crate)"
    cargo install iai-callgrind-runner --version "$WANT" --locked
fi

CMD="cargo bench --bench iai"
LOG=target/iai-bench.log
mkdir -p target bench-results
if [ "${1:-}" != "--report-only" ]; then
    echo "== $CMD"
    $CMD 2>&1 | tee "$LOG"
fi

OUT="bench-results/iai-$(date -u +%Y-%m-%d)-$(hostname -s).md"
python3 - "$LOG" "$OUT" "$CMD" <<'PY'
import os, re, subprocess, sys

log, out, cmd = sys.argv[1:4]
strategies = ["tail", "switch", "threaded", "call"]

def sh(*a):
    try:
        return subprocess.run(a, capture_output=True, text=True).stdout.strip() or "?"
    except OSError:
        return "?"

# "iai::vm::tail kernel_add_1:(...)" then "  Instructions:  12345|..."
host, current = {}, None
for line in open(log, encoding="utf-8", errors="replace"):
    m = re.match(r"^\S*::(\w+) (\w+):", line)
    if m:
        current = (m.group(1), m.group(2))
        continue
    m = re.match(r"^\s+Instructions:\s+(\d+)", line)
    if m and current:
        host[current] = int(m.group(1))
        current = None
if not host:
    sys.exit(f"no Instructions lines in {log}")

# The iai sources' constants, read rather than repeated.
src = open("benches/iai.rs").read()
units = int(re.search(r"pub const UNITS: usize = (\d+);", src).group(1))
calls = int(re.search(r"pub const CALLS: usize = (\d+);", src).group(1))

sizes = {}
for row in open("benches/kernels/iai-sizes.tsv").read().splitlines()[1:]:
    k, n1, n2 = row.split("\t")
    sizes[k] = (n1, n2)

def vm_count(kernel, n):
    r = subprocess.run(["target/release/nanopy", "run", "--stats", f"benches/kernels/{kernel}.py", n],
                       capture_output=True, text=True)
    return int(re.search(r"^instructions: (\d+)", r.stderr, re.M).group(1))

rev = sh("git", "rev-parse", "--short", "HEAD")
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
L = ["# Host instructions per VM instruction, per dispatch strategy (callgrind)\n"]
L.append(f"- date: {sh('date', '-u', '+%Y-%m-%d %H:%M UTC')}")
L.append(f"- commit: {rev}")
L.append(f"- CPU: {cpu}")
L.append(f"- rustc: {sh('rustc', '--version')}")
iai_version = re.search(r'iai-callgrind = "=(.*)"', open("Cargo.toml").read()).group(1)
L.append(f"- valgrind: {sh('valgrind', '--version')}, iai-callgrind {iai_version}")
L.append(f"- command: `scripts/bench-iai.sh` → `{cmd}` (release profile: fat LTO, one codegen unit)")
L.append("")
L.append("Instruction counts are exact and do not depend on machine load. Each figure is a difference "
         "of two runs, so VM start-up, compilation and the driver loop cancel out.")
L.append("")
L.append("## Per kernel: host instructions per executed VM instruction")
L.append("")
L.append("(host(n2) − host(n1)) / (VM(n2) − VM(n1)), VM instructions from `nanopy run --stats`.")
L.append("")
L.append("| kernel | n1 → n2 | VM instructions (n2 − n1) | " + " | ".join(strategies) + " |")
L.append("|---|---|---:|" + "---:|" * len(strategies))
for k, (n1, n2) in sizes.items():
    dv = vm_count(k, n2) - vm_count(k, n1)
    cells = []
    for s in strategies:
        a, b = host.get((s, f"kernel_{k}_1")), host.get((s, f"kernel_{k}_2"))
        cells.append(f"{(b - a) / dv:.1f}" if a and b else "-")
    L.append(f"| {k} | {n1} → {n2} | {dv} | " + " | ".join(cells) + " |")
L.append("")
L.append("## Per opcode: host instructions per execution")
L.append("")
L.append(f"(host(op_X) − host(op_base)) / ({calls} calls × {units} units); the BINARY_OP row is the "
         "`LOAD_FAST b; BINARY_OP +` unit minus the LOAD_FAST row (small ints, the int fast path); the "
         "jump is `JUMP_FORWARD` to the next instruction.")
L.append("")
L.append("| opcode | " + " | ".join(strategies) + " |")
L.append("|---|" + "---:|" * len(strategies))
per = {}
for s in strategies:
    base = host.get((s, "op_base"))
    for unit in ["load_fast", "load_const", "load_fast_add", "jump"]:
        x = host.get((s, f"op_{unit}"))
        per[s, unit] = (x - base) / (calls * units) if x and base else None
rows = [("LOAD_FAST", lambda s: per[s, "load_fast"]),
        ("LOAD_CONST", lambda s: per[s, "load_const"]),
        ("BINARY_OP (int +)", lambda s: per[s, "load_fast_add"] - per[s, "load_fast"]
            if per[s, "load_fast_add"] is not None and per[s, "load_fast"] is not None else None),
        ("JUMP_FORWARD", lambda s: per[s, "jump"])]
for name, f in rows:
    L.append(f"| {name} | " + " | ".join(f"{f(s):.1f}" if f(s) is not None else "-" for s in strategies) + " |")
L.append("")
L.append("## Raw host instruction counts")
L.append("")
ids = sorted({i for (_, i) in host})
L.append("| benchmark | " + " | ".join(strategies) + " |")
L.append("|---|" + "---:|" * len(strategies))
for i in ids:
    L.append(f"| {i} | " + " | ".join(str(host.get((s, i), "-")) for s in strategies) + " |")
open(out, "w").write("\n".join(L) + "\n")
print("\n".join(L))
print(f"wrote {out}", file=sys.stderr)
PY
