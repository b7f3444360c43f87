# str_build (benches/corpus/programs/str_build.py) timed phase by phase, for the GC work:
# `nanopy run --no-cache benches/micro/str_build_phases.py` beside `python3 ...` and older builds.
import sys, time
def render_row(i, name, score):
    return f"|{i:5d}|{name:<12}|{score:9.3f}|{'*' * (i % 7):<6}|"
def main(n):
    t0 = time.perf_counter()
    names = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"]
    rows = []
    for i in range(n):
        name = names[i % len(names)] + str(i % 13)
        score = (i * 37 % 1000) / 7.0
        rows.append(render_row(i, name, score))
    t1 = time.perf_counter()
    table = "\n".join(rows)
    total_len = len(table)
    stars = table.count("*")
    t2 = time.perf_counter()
    fields = [r.split("|")[2].strip() for r in rows]
    t3 = time.perf_counter()
    upper = sum(1 for f in fields if f.upper().startswith("ALPHA"))
    t4 = time.perf_counter()
    replaced = table.replace("gamma", "GAMMA").replace("|", "")
    t5 = time.perf_counter()
    words = replaced.split()
    t6 = time.perf_counter()
    csv_line = ",".join(reversed(fields[-5:]))
    print("build %.3f join %.3f fields %.3f upper %.3f replace %.3f split %.3f" % (t1-t0, t2-t1, t3-t2, t4-t3, t5-t4, t6-t5))
    t7 = time.perf_counter()
    return t7
t = main(400000)
t8 = time.perf_counter()
