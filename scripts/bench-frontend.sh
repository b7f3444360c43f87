#!/usr/bin/env bash
# Front-end throughput, nanopy against CPython in the same run: tokenize + parse the whole
# installed CPython 3.11 standard library (site-packages excluded) in one process.
#   nanopy:  criterion benchmark benches/frontend.rs (Throughput::Bytes), release profile
#   CPython: compile(src, path, "exec", ast.PyCF_ONLY_AST) over the same files, best of 10
# Also reports peak memory (max RSS) while parsing the largest file, for both.
# Usage: scripts/bench-frontend.sh [--save]   (env NANOPY_STDLIB=DIR to use another corpus)
#   --save  also writes the summary, with its header, to bench-results/frontend.txt
set -euo pipefail
cd "$(dirname "$0")/.."
SAVE=0
[ "${1:-}" = "--save" ] && SAVE=1
STDLIB="${NANOPY_STDLIB:-/root/.pyenv/versions/3.11.7/lib/python3.11}"
export NANOPY_STDLIB="$STDLIB"

echo "== nanopy (criterion, benches/frontend.rs)"
cargo bench --bench frontend -- --noplot 2>&1 | grep -E "frontend/|time:|thrpt:" || true
read -r BYTES NFILES < target/criterion/frontend-bytes.txt
# Best sample (as CPython's best of 10 below: on a shared machine the minimum is the least
# disturbed figure) and criterion's mean.
D=target/criterion/frontend/stdlib_parse/new
NS=$(python3 -c "import json;d=json.load(open('$D/sample.json'));print(min(t/i for t,i in zip(d['times'],d['iters'])))")
MEAN_NS=$(python3 -c "import json;print(json.load(open('$D/estimates.json'))['mean']['point_estimate'])")
NANOPY_MBS=$(python3 -c "print(f'{$BYTES/($NS/1e9)/1e6:.1f}')")
NANOPY_MEAN_MBS=$(python3 -c "print(f'{$BYTES/($MEAN_NS/1e9)/1e6:.1f}')")
LEX_NS=$(python3 -c "import json;d=json.load(open('target/criterion/frontend/stdlib_lex/new/sample.json'));print(min(t/i for t,i in zip(d['times'],d['iters'])))")
LEX_MBS=$(python3 -c "print(f'{$BYTES/($LEX_NS/1e9)/1e6:.1f}')")

echo "== CPython $(python3 -c 'import sys;print(sys.version.split()[0])') (compile(..., ast.PyCF_ONLY_AST))"
CPY_MBS=$(python3 - "$STDLIB" <<'PY'
import ast, os, sys, time
root = sys.argv[1]
files = []
for d, dirs, fs in os.walk(root):
    dirs[:] = sorted(x for x in dirs if x != "site-packages")
    files += [os.path.join(d, f) for f in sorted(fs) if f.endswith(".py")]
srcs = [(p, open(p, "rb").read()) for p in sorted(files)]
total = sum(len(s) for _, s in srcs)
best = float("inf")
for _ in range(10):
    t = time.perf_counter()
    for p, s in srcs:
        try:
            compile(s, p, "exec", ast.PyCF_ONLY_AST)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            pass
    best = min(best, time.perf_counter() - t)
print(f"{total / best / 1e6:.1f}")
PY
)

LARGEST=$(python3 -c "
import os,sys
best=(0,'')
for d,dirs,fs in os.walk('$STDLIB'):
    dirs[:]=[x for x in dirs if x!='site-packages']
    for f in fs:
        if f.endswith('.py'):
            p=os.path.join(d,f); best=max(best,(os.path.getsize(p),p))
print(best[1])")
cargo build --release -q
NANOPY_RSS=$(/usr/bin/time -f %M target/release/nanopy ast --parse-only "$LARGEST" 2>&1 >/dev/null | tail -1)
CPY_RSS=$(python3 -c "
import ast,resource,sys
s=open(sys.argv[1],'rb').read()
base=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t=compile(s,sys.argv[1],'exec',ast.PyCF_ONLY_AST)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)" "$LARGEST")

summary() {
  echo "# front-end throughput: tokenize + parse the CPython stdlib in one process"
  echo "# command: scripts/bench-frontend.sh --save"
  echo "# date: $(date -u '+%Y-%m-%d %H:%M UTC')  commit: $(git rev-parse --short HEAD)"
  echo "# cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') ($(nproc) cores)  load: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# rustc: $(rustc --version)  python: $(python3 --version 2>&1)"
  echo "corpus: $NFILES files, $BYTES bytes ($STDLIB)"
  echo "nanopy front end, best sample: $NANOPY_MBS MB/s (criterion mean $NANOPY_MEAN_MBS MB/s; lexer alone $LEX_MBS MB/s)"
  echo "CPython 3.11 compile(..., PyCF_ONLY_AST), best of 10: $CPY_MBS MB/s"
  python3 -c "print(f'ratio: {$NANOPY_MBS/$CPY_MBS:.1f}x')"
  echo "peak RSS parsing the largest file ($(basename "$LARGEST"), $(stat -c %s "$LARGEST") bytes): nanopy ${NANOPY_RSS} KiB, CPython ${CPY_RSS} KiB (whole process, max RSS)"
}
echo
summary
if [ "$SAVE" = 1 ]; then
  mkdir -p bench-results
  summary > bench-results/frontend.txt
fi
