# sets: add, comprehension, & | -, membership, frozensets of tuples (langdata benchmark)
import sys
n = int(sys.argv[1])
s = set()
for i in range(n):
    s.add(i * 7919 % 100003)
t = {x for x in range(0, n, 3)}
u = s & t
v = s | t
w = s - t
print(len(s), len(u), len(v), len(w), sum(1 for x in range(n) if x in s))
fs = {frozenset((i, i + 1)) for i in range(n // 10)}
print(len(fs), sorted(s)[:5], list(u)[:5])
