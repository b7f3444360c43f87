# kernel sieve: sieve of Eratosthenes (list indexing, nested while loops).
# Checksum: the number of primes <= n.
import sys


def kernel(n):
    flags = [True] * (n + 1)
    flags[0] = False
    flags[1] = False
    i = 2
    while i * i <= n:
        if flags[i]:
            j = i * i
            while j <= n:
                flags[j] = False
                j += i
        i += 1
    count = 0
    for k in range(n + 1):
        if flags[k]:
            count += 1
    return count


if __name__ == "__main__":
    print(kernel(int(sys.argv[1]) if len(sys.argv) > 1 else 300000))
