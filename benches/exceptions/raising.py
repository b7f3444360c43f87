# The raising path: every iteration raises and catches (a failed dict lookup, an explicit
# raise of a built-in exception, a re-raise through a function frame). Checksum printed.
import sys


def lookup(d, k):
    try:
        return d[k]
    except KeyError:
        raise


def kernel(n):
    d = {0: 1}
    caught = 0
    for i in range(n):
        try:
            caught += lookup(d, i & 1)
        except KeyError:
            caught += 2
        try:
            raise ValueError(i)
        except (TypeError, ValueError) as e:
            caught += len(e.args)
    return caught


print(kernel(int(sys.argv[1]) if len(sys.argv) > 1 else 1000))
