# zero-cost check: plain.py with the function body and the loop body each wrapped in a
# try/except that never fires. With an exception table, the non-raising path runs the same
# instructions as plain.py.
import sys


def step(i, acc):
    try:
        x = i * 3 + 1
        if x % 7 == 0:
            acc += x // 7
        else:
            acc += x % 5
        return acc
    except ValueError:
        return -1


def kernel(n):
    acc = 0
    for i in range(n):
        try:
            acc = step(i, acc)
        except KeyError:
            acc = 0
    return acc


print(kernel(int(sys.argv[1]) if len(sys.argv) > 1 else 1000))
