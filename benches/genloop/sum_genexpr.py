# sum() over a generator expression: 4 x 50k items, every item yielded.
fields = ["alpha"] * 50000
n = 0
for _ in range(4):
    n += sum(1 for f in fields)
print(n)
