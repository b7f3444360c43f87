# kernel add: the two-line add(a, b) function called in a tight while loop (call + int add).
# Checksum: sum of 0..n-1. Every layer of benches/layers computes the same value.
import sys


def add(a, b):
    return a + b


def kernel(n):
    total = 0
    i = 0
    while i < n:
        total = add(total, i)
        i += 1
    return total


if __name__ == "__main__":
    print(kernel(int(sys.argv[1]) if len(sys.argv) > 1 else 1000000))
