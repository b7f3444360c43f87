# next(g) from Python, 100k times (a native resuming a generator per item).
def gen(n):
    for i in range(n):
        yield i
def main():
    g = gen(100000)
    s = 0
    for _ in range(100000):
        s += next(g)
    print(s)
main()
