# zero-cost check, baseline: a small function called in a loop (twin of guarded.py without
# any try). Checksum printed; size from argv.
import sys


def step(i, acc):
    x = i * 3 + 1
    if x % 7 == 0:
        acc += x // 7
    else:
        acc += x % 5
    return acc


def kernel(n):
    acc = 0
    for i in range(n):
        acc = step(i, acc)
    return acc


print(kernel(int(sys.argv[1]) if len(sys.argv) > 1 else 1000))
