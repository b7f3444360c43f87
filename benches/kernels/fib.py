# kernel fib: naive recursive Fibonacci (calls, int compare, add). Checksum: fib(n).
import sys


def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def kernel(n):
    return fib(n)


if __name__ == "__main__":
    print(kernel(int(sys.argv[1]) if len(sys.argv) > 1 else 25))
