# `for i, x in enumerate(gen)` at module level, 100k items.
def gen(n):
    for i in range(n):
        yield i
s = 0
for i, x in enumerate(gen(100000)):
    s += x
print(s)
