# `for x in gen` at module level, 100k items (the inline generator frame path).
def gen(n):
    for i in range(n):
        yield i
s = 0
for x in gen(100000):
    s += x
print(s)
